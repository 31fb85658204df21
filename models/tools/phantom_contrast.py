"""The target's local contrast-to-noise ratio on its middle slice, for held-out protocol phantoms (issue 19: are
there targets that even a per-slice prompt cannot see?).

CNR = |mean inside the target (eroded by 1 px) - mean of a ring 2-6 px outside it (distractors excluded)| / noise
sigma (the phantom's own sigma; for MR the Rician sigma). Usage (from models/):

    /usr/bin/python3 tools/phantom_contrast.py [--seeds 1000-1099]
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from promptonce_models import phantom, protocol  # noqa: E402


def dilate(m: torch.Tensor, r: int) -> torch.Tensor:
    return F.max_pool2d(m[None, None].float(), 2 * r + 1, 1, r)[0, 0] > 0


def contrast(seed: int) -> dict:
    c = protocol.case(seed)
    spec = phantom.generate(c.size, c.size, c.slices, seed, slices=[])
    first, last = spec.params["target_slices"]
    k = (first + last) // 2
    p = phantom.generate(c.size, c.size, c.slices, seed, slices=[k])
    label, distr, v = p.label[0] > 0, p.distractors[0] > 0, p.volume[0].double()
    inner = ~dilate(~label, 1) & label
    ring = dilate(label, 6) & ~dilate(label, 2) & ~dilate(distr, 1)
    inside = v[inner if bool(inner.any()) else label].mean()
    around = v[ring].mean()
    sigma = float(p.params["sigma"])
    dist = float("nan")
    if bool(distr.any()):
        dist = abs(float(v[distr & ~dilate(~distr, 1)].mean() - inside)) / sigma if bool(
            (distr & ~dilate(~distr, 1)).any()) else float("nan")
    return {"seed": seed, "kind": f"{p.shape}/{p.modality}", "cnr": abs(float(inside - around)) / sigma,
            "distractor_cnr": dist}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1000-1099")
    args = ap.parse_args()
    lo, _, hi = args.seeds.partition("-")
    rows = [contrast(s) for s in range(int(lo), int(hi or lo) + 1)]
    for r in rows:
        print(f"{r['seed']} {r['kind']:13s} target CNR {r['cnr']:6.2f}  distractor-target CNR {r['distractor_cnr']:6.2f}")
    cnr = sorted(r["cnr"] for r in rows)
    print(f"target CNR: min {cnr[0]:.2f}, 10th percentile {protocol.percentile(cnr, 10):.2f}, "
          f"median {protocol.percentile(cnr, 50):.2f}; below 1: {sum(1 for x in cnr if x < 1)} of {len(cnr)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
