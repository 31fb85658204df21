"""A weighted average of checkpoints of one architecture (a "model soup"): issue 19's run 7 weights are
0.7 x run 6 + 0.3 x run 7, both fine-tuned along one line from run 4, so their weights lie in one basin and their
average is a model in its own right. Floating-point tensors are averaged in float64 and stored in their own dtype;
any other tensor must be equal in every checkpoint. Usage (from models/):

    /usr/bin/python3 tools/average_weights.py --out OUT.pt out/run6/best.pt:0.7 out/run7/best.pt:0.3

The weights must sum to 1. The output is model-only, {"model": state_dict}, as best.pt and final.pt; with
--min-object-score X it also names the object-score floor chosen for it on validation data (the checkpoint's
"postprocess", which export.py writes into the manifest). One input with weight 1 just adds the floor.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, List, Sequence, Tuple

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
from torch import Tensor  # noqa: E402

import train_default  # noqa: E402
from promptonce_models import checkpoint  # noqa: E402


def parse(spec: str) -> Tuple[str, float]:
    path, sep, weight = spec.rpartition(":")
    if not sep or not path:
        raise SystemExit(f"average_weights.py: expected CHECKPOINT:WEIGHT, got {spec!r}")
    try:
        return path, float(weight)
    except ValueError:
        raise SystemExit(f"average_weights.py: the weight of {path} is not a number: {weight!r}")


def average(states: Sequence[Dict[str, Tensor]], weights: Sequence[float]) -> Dict[str, Tensor]:
    if len(states) != len(weights) or not states:
        raise ValueError("one weight per checkpoint, at least one checkpoint")
    if abs(sum(weights) - 1.0) > 1e-9:
        raise ValueError(f"the weights sum to {sum(weights)}, not 1")
    keys = list(states[0].keys())
    for i, s in enumerate(states[1:], 1):
        if set(s.keys()) != set(keys):
            raise ValueError(f"checkpoint {i} has other parameters: {sorted(set(s.keys()) ^ set(keys))[:5]}")
    out: Dict[str, Tensor] = {}
    for k in keys:
        first = states[0][k]
        for i, s in enumerate(states[1:], 1):
            if s[k].shape != first.shape or s[k].dtype != first.dtype:
                raise ValueError(f"{k}: checkpoint {i} has {tuple(s[k].shape)} {s[k].dtype}, checkpoint 0 "
                                 f"{tuple(first.shape)} {first.dtype}")
        if first.is_floating_point():
            acc = sum(w * s[k].double() for s, w in zip(states, weights))
            out[k] = acc.to(first.dtype)
        else:
            if any(not torch.equal(s[k], first) for s in states[1:]):
                raise ValueError(f"{k}: a {first.dtype} tensor that differs between checkpoints cannot be averaged")
            out[k] = first.clone()
    return out


def main(argv: Sequence[str] = None) -> int:
    ap = argparse.ArgumentParser(prog="average_weights.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-object-score", type=float, metavar="X",
                    help="the object-score floor to record: slices scored below it are left empty")
    ap.add_argument("checkpoints", nargs="+", metavar="CHECKPOINT:WEIGHT")
    args = ap.parse_args(argv)
    specs: List[Tuple[str, float]] = [parse(s) for s in args.checkpoints]
    states = []
    for path, _ in specs:
        st = train_default.load_checkpoint(path)
        states.append(st["model"] if isinstance(st, dict) and "model" in st else st)
    try:
        avg = average(states, [w for _, w in specs])
    except ValueError as e:
        raise SystemExit(f"average_weights.py: {e}")
    out: Dict[str, object] = {"model": avg}
    if args.min_object_score is not None:
        try:
            out = checkpoint.with_min_object_score(out, args.min_object_score)
        except checkpoint.CheckpointError as e:
            raise SystemExit(f"average_weights.py: --min-object-score: {e}")
    tmp = args.out + ".tmp"  # never a half-written file, even when --out names one of the inputs
    torch.save(out, tmp)
    os.replace(tmp, args.out)
    print(f"{args.out}: " + " + ".join(f"{w} x {p}" for p, w in specs)
          + (f", object-score floor {args.min_object_score}" if args.min_object_score is not None else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
