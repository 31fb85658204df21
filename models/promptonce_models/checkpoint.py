"""Building models, random weights, and strict loading of official checkpoints (layout unchanged)."""
from __future__ import annotations

import math
import os
from typing import Dict, List, Mapping, Optional, Union

import torch
from torch import Tensor, nn

from .configs import ArchConfig, Sam2Config, SamConfig
from .sam import SamModel
from .sam2 import Sam2Model

Model = Union[SamModel, Sam2Model]


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or does not match the arch; the message names the offending keys."""


def build_model(cfg: ArchConfig) -> Model:
    if isinstance(cfg, SamConfig):
        return SamModel(cfg).eval()
    if isinstance(cfg, Sam2Config):
        return Sam2Model(cfg).eval()
    raise TypeError(f"not an arch config: {cfg!r}")


def random_model(cfg: ArchConfig, seed: int, noise: float = 0.02) -> Model:
    """Deterministic random weights: default initialisation under torch.manual_seed(seed), then every parameter
    and buffer perturbed with N(0, noise^2) (so that no zero-initialised path is silently inactive)."""
    torch.manual_seed(seed)
    model = build_model(cfg)
    perturb_(model, seed, noise)
    return model


@torch.no_grad()
def perturb_(model: nn.Module, seed: int, noise: float = 0.02) -> None:
    g = torch.Generator().manual_seed(seed)
    for _, t in sorted(model.state_dict(keep_vars=True).items()):
        if t.is_floating_point():
            t.add_(noise * torch.randn(t.shape, generator=g, dtype=torch.float32).to(t.dtype))


def _fmt_keys(keys: List[str], limit: int = 8) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f", ... ({len(keys) - limit} more)" if len(keys) > limit else "")


def check_state_dict(model: nn.Module, sd: Mapping[str, Tensor], what: str) -> None:
    """Raises CheckpointError naming every missing / unexpected key and shape mismatch (up to a limit each)."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in sd]
    unexpected = [k for k in sd if k not in expected]
    shapes = [f"{k}: checkpoint {tuple(sd[k].shape)} vs expected {tuple(v.shape)}"
              for k, v in expected.items() if k in sd and tuple(sd[k].shape) != tuple(v.shape)]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing key(s): {_fmt_keys(missing)}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected key(s): {_fmt_keys(unexpected)}")
    if shapes:
        problems.append(f"{len(shapes)} shape mismatch(es): {_fmt_keys(shapes, 4)}")
    if problems:
        raise CheckpointError(f"{what}: " + "; ".join(problems))


def load_state_dict_strict(model: nn.Module, sd: Mapping[str, Tensor], what: str) -> None:
    check_state_dict(model, sd, what)
    bad = [k for k, v in sd.items() if not isinstance(v, Tensor)]
    if bad:
        raise CheckpointError(f"{what}: non-tensor value(s) for {_fmt_keys(bad)}")
    model.load_state_dict({k: v.to(torch.float32) if v.is_floating_point() else v for k, v in sd.items()},
                          strict=True)


def _guess_family(sd: Mapping[str, object]) -> str:
    keys = list(sd.keys())
    if any(k.startswith("image_encoder.trunk.") for k in keys):
        return "sam2"
    if any(k.startswith("prompt_encoder.") or k.startswith("image_encoder.blocks.") for k in keys):
        return "sam"
    return "unknown"


def _load_file(path: str) -> object:
    """What a checkpoint file holds, read with weights_only=True; a missing or unreadable file is a CheckpointError."""
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path}: no such file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is reported the same way
        raise CheckpointError(f"checkpoint {path}: not a readable PyTorch checkpoint ({type(e).__name__}: "
                              f"{str(e).splitlines()[0] if str(e) else ''})") from None


def read_checkpoint(path: str, cfg: ArchConfig) -> Dict[str, Tensor]:
    """The state dict of an official checkpoint for cfg's family: sam2 `{"model": state_dict}`, SAM a plain
    state dict. Layout or family mismatches are CheckpointErrors with a clear message."""
    return _state_dict_of(_load_file(path), os.path.basename(path), cfg)


def _state_dict_of(obj: object, name: str, cfg: ArchConfig) -> Dict[str, Tensor]:
    if not isinstance(obj, dict):
        raise CheckpointError(f"checkpoint {name}: expected a dict, got {type(obj).__name__}")
    if cfg.family == "sam2":
        if "model" not in obj or not isinstance(obj["model"], dict):
            fam = _guess_family(obj)
            hint = " (it looks like a SAM v1 checkpoint)" if fam == "sam" else \
                " (a plain SAM 2 state dict: official checkpoints wrap it as {'model': ...})" if fam == "sam2" else ""
            raise CheckpointError(f"checkpoint {name} does not match arch {cfg.name}: expected a SAM 2 checkpoint "
                                  f"{{'model': state_dict}}{hint}")
        sd = obj["model"]
    else:
        if "model" in obj and isinstance(obj["model"], dict):
            raise CheckpointError(f"checkpoint {name} does not match arch {cfg.name}: it is a {{'model': ...}} "
                                  f"(SAM 2) checkpoint; SAM checkpoints are plain state dicts")
        sd = obj
        if _guess_family(sd) == "sam2":
            raise CheckpointError(f"checkpoint {name} does not match arch {cfg.name}: it holds a SAM 2 model")
    return sd


def load_checkpoint(model: Model, path: str) -> Optional[float]:
    """Loads the checkpoint at `path` into `model` (strictly); -> the object-score floor it names, if any
    (min_object_score), read from the same load."""
    cfg = model.cfg
    obj = _load_file(path)
    sd = _state_dict_of(obj, os.path.basename(path), cfg)
    load_state_dict_strict(model, sd, f"checkpoint {os.path.basename(path)} does not match arch {cfg.name}")
    return min_object_score(obj)


def official_checkpoint(model: Model) -> Dict[str, object]:
    """The model's weights in the official file layout (what `torch.save` of an official checkpoint holds)."""
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return {"model": sd} if model.cfg.family == "sam2" else sd


# A promptonce checkpoint may add, beside "model", the output post-processing its makers chose for it on validation
# data; export.py copies it into the manifest ("postprocess"), which the host reads (ModelManifest.minObjectScore).
# The value is a 0-d tensor: torch 1.13's weights-only loader refuses Python floats.
POSTPROCESS = "postprocess"
MIN_OBJECT_SCORE = "min_object_score"


def with_min_object_score(checkpoint: Dict[str, object], value: float) -> Dict[str, object]:
    """`checkpoint` ({"model": ...}) naming an object-score floor: slices scored below it are left empty."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CheckpointError(f"min_object_score {value!r} is not a finite number")
    out = dict(checkpoint)
    out[POSTPROCESS] = {MIN_OBJECT_SCORE: torch.tensor(float(value), dtype=torch.float64)}
    return out


def min_object_score(checkpoint: object) -> Optional[float]:
    """The object-score floor a checkpoint dict names, None when it names none; CheckpointError when malformed."""
    if not isinstance(checkpoint, dict) or POSTPROCESS not in checkpoint:
        return None
    p = checkpoint[POSTPROCESS]
    if not isinstance(p, dict):
        raise CheckpointError(f"the checkpoint's {POSTPROCESS} is a {type(p).__name__}, expected a dict")
    if MIN_OBJECT_SCORE not in p:
        return None
    v = p[MIN_OBJECT_SCORE]
    if not isinstance(v, Tensor) or v.dim() != 0 or not v.is_floating_point() or not bool(torch.isfinite(v)):
        raise CheckpointError(f"the checkpoint's {POSTPROCESS}.{MIN_OBJECT_SCORE} is {v!r}, expected a finite 0-d "
                              "floating-point tensor")
    return float(v)


def read_min_object_score(path: str) -> Optional[float]:
    """min_object_score of the checkpoint file at `path` (read with weights_only=True)."""
    return min_object_score(_load_file(path))
