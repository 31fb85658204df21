"""Training-state files that load with `torch.load(..., weights_only=True)` on torch 1.13.

torch 1.13's weights-only unpickler refuses Python floats (pickle's BINFLOAT), and a training state is full of them
(learning rates, timings, the optimizer's betas). So the tensors are saved as a plain list and everything else as
one JSON string that points into it: the file holds only tensors, strings and a list, and loading it never runs
code from the file. Dict keys keep their type (the optimizer's integer parameter ids), tuples stay tuples.
"""
import json
from typing import Any, List

import torch

FORMAT = "promptonce-state-1"


def _encode(obj: Any, tensors: List[torch.Tensor]) -> Any:
    if isinstance(obj, torch.Tensor):
        tensors.append(obj)
        return {"__tensor__": len(tensors) - 1}
    if isinstance(obj, dict):
        return {"__dict__": [[_encode(k, tensors), _encode(v, tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, tensors) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, tensors) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"state_file: cannot store a {type(obj).__name__}")


def _decode(obj: Any, tensors: List[torch.Tensor]) -> Any:
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            return tensors[obj["__tensor__"]]
        if "__tuple__" in obj:
            return tuple(_decode(v, tensors) for v in obj["__tuple__"])
        return {_decode(k, tensors): _decode(v, tensors) for k, v in obj["__dict__"]}
    return obj


def save(obj: Any, path: str) -> None:
    """Writes `obj` (dicts, lists, tuples, tensors, numbers, strings, None) to `path`."""
    tensors: List[torch.Tensor] = []
    skeleton = json.dumps(_encode(obj, tensors))
    torch.save({"format": FORMAT, "json": skeleton, "tensors": tensors}, path)


def load(path: str) -> Any:
    """Reads a file written by `save`, with `weights_only=True`; a file of another kind is a ValueError."""
    raw = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file")
    return _decode(json.loads(raw["json"]), raw["tensors"])


def is_state_file(obj: Any) -> bool:
    """Whether a weights-only loaded object is a `save` file (rather than a plain state dict)."""
    return isinstance(obj, dict) and obj.get("format") == FORMAT


def decode(raw: Any) -> Any:
    """The object of a `save` file already loaded with `torch.load(..., weights_only=True)`."""
    return _decode(json.loads(raw["json"]), raw["tensors"])
