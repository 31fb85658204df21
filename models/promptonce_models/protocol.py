"""The held-out evaluation protocol of the default model (issue 19), shared by train_default.py --eval-only and the
Java test (DefaultModelProtocolTest reads the same rules from PHANTOMS.md section 7; keep both in step).

Seeds 1000-1099 are never used in training (training seeds are >= 1 000 000) nor in model selection (the training
run selects on seeds 100-109, run 7 on 100-119, where this protocol's procedure chose the committed weights; the
object-score floor was chosen on 100-199). Each seed fixes its own size, so that every kind (the seed draws CT or MR
and the shape) meets every size the demo offers; the click is the demo's (PHANTOMS.md section 5), propagation both
ways; both the prompt-once and the per-slice masks are scored after the demo's post-processing (`postprocess`: slices
below the model's object-score floor emptied, for prompt once only; the largest 3-D connected component; then the
largest region of each slice).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

SEEDS = tuple(range(1000, 1100))
FAST_SEEDS = tuple(range(1000, 1020))  # CI's fast version of the bar
FAST_SIZE = (128, 16)  # in-plane size and slices of the fast version

# in-plane sizes cycle with the seed, slice counts with seed // 5: 5 x 4 = 20 combinations, 5 seeds each
SIZES = (256, 192, 384, 128, 320)
SLICES = (32, 16, 24, 48)

# the bar (issue 19)
MIN_MEAN = 0.90
MIN_P10 = 0.80
MIN_ABSENT_EMPTY = 0.98
MAX_BELOW_BASELINE = 0.02
MIN_CLEAN_SLICES = 0.95


@dataclass(frozen=True)
class Case:
    seed: int
    size: int
    slices: int


def case(seed: int, fast: bool = False) -> Case:
    if fast:
        return Case(seed, FAST_SIZE[0], FAST_SIZE[1])
    return Case(seed, SIZES[seed % len(SIZES)], SLICES[(seed // len(SIZES)) % len(SLICES)])


def cases(fast: bool = False) -> List[Case]:
    return [case(s, fast) for s in (FAST_SEEDS if fast else SEEDS)]


def dice(pred: Tensor, truth: Tensor) -> float:
    """Dice of two boolean masks; 1 when both are empty."""
    total = int(pred.sum()) + int(truth.sum())
    return 1.0 if total == 0 else 2.0 * int((pred & truth).sum()) / total


def components(mask: Tensor) -> List[List[int]]:
    """8-connected components of a [H, W] boolean mask, as lists of linear pixel indices."""
    h, w = mask.shape
    flat = mask.flatten().tolist()
    seen = [False] * len(flat)
    out: List[List[int]] = []
    for start in torch.nonzero(mask.flatten()).flatten().tolist():
        if seen[start]:
            continue
        seen[start] = True
        stack, comp = [start], []
        while stack:
            p = stack.pop()
            comp.append(p)
            y, x = divmod(p, w)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < h and 0 <= xx < w:
                        q = yy * w + xx
                        if flat[q] and not seen[q]:
                            seen[q] = True
                            stack.append(q)
        out.append(comp)
    return out


def largest_component_3d(mask: Tensor) -> Tensor:
    """The largest 26-connected component of a [nz, H, W] boolean mask (VolumeSegmentation.largestComponent, which
    the demo applies to the prompt-once mask; ties to the component found first in linear order)."""
    nz, h, w = mask.shape
    flat = mask.flatten().tolist()
    label = [0] * len(flat)
    best, best_size, current = 0, 0, 0
    for start in torch.nonzero(mask.flatten()).flatten().tolist():
        if label[start]:
            continue
        current += 1
        label[start] = current
        stack, size = [start], 0
        while stack:
            p = stack.pop()
            size += 1
            z, r = divmod(p, h * w)
            y, x = divmod(r, w)
            for dz in (-1, 0, 1):
                zz = z + dz
                if not 0 <= zz < nz:
                    continue
                for dy in (-1, 0, 1):
                    yy = y + dy
                    if not 0 <= yy < h:
                        continue
                    for dx in (-1, 0, 1):
                        xx = x + dx
                        if 0 <= xx < w:
                            q = (zz * h + yy) * w + xx
                            if flat[q] and not label[q]:
                                label[q] = current
                                stack.append(q)
        if size > best_size:
            best, best_size = current, size
    return (torch.tensor(label) == best).view(nz, h, w) & mask if best else mask.clone()


def largest_component_per_slice(mask: Tensor) -> Tensor:
    """The largest 8-connected region of each slice of a [nz, H, W] boolean mask
    (VolumeSegmentation.largestComponentPerSlice; ties to the region whose first pixel comes first in row-major
    order)."""
    out = torch.zeros_like(mask)
    for k in range(mask.shape[0]):
        comps = components(mask[k])
        if comps:
            out[k].view(-1)[torch.tensor(max(comps, key=len))] = True  # max keeps the first of equal sizes
    return out


def below_floor_emptied(mask: Tensor, scores: Tensor, min_object_score: Optional[float]) -> Tensor:
    """[nz, H, W] masks with every slice whose object score is below the floor left empty
    (VolumeSegmentation.mask(id, floor)); None: no floor."""
    if min_object_score is None:
        return mask
    if scores.shape != mask.shape[:1]:
        raise ValueError(f"scores of shape {tuple(scores.shape)} for {mask.shape[0]} slices, expected one per slice")
    return mask & (scores >= min_object_score)[:, None, None]


def postprocess(mask: Tensor, scores: Optional[Tensor] = None, min_object_score: Optional[float] = None) -> Tensor:
    """The demo's post-processing (DemoRun): slices scored below the model's floor emptied (when it names one), the
    largest 3-D component, then the largest region of each slice."""
    if min_object_score is not None:
        if scores is None:
            raise ValueError("a floor needs the slices' object scores")
        mask = below_floor_emptied(mask, scores, min_object_score)
    return largest_component_per_slice(largest_component_3d(mask))


def clean_slice(pred: Tensor, truth: Tensor) -> bool:
    """The speck rule: a predicted slice is clean when it is empty, or one connected component that touches the
    target (overlaps its truth or is 8-adjacent to it)."""
    if not bool(pred.any()):
        return True
    comps = components(pred)
    if len(comps) != 1:
        return False
    near = torch.nn.functional.max_pool2d(truth[None, None].float(), 3, 1, 1)[0, 0] > 0
    return bool(near.flatten()[torch.tensor(comps[0])].any())


def clean_slices(pred: Tensor, truth: Tensor) -> int:
    """How many slices of a [nz, H, W] prediction follow the speck rule (clean_slice)."""
    return sum(1 for k in range(truth.shape[0]) if clean_slice(pred[k], truth[k]))


def score(pred: Tensor, truth: Tensor) -> Dict[str, float]:
    """One phantom: 3-D Dice, absent slices (truth empty) and how many were predicted empty, clean slices."""
    absent = [k for k in range(truth.shape[0]) if not bool(truth[k].any())]
    return {"dice3d": dice(pred, truth),
            "absent_slices": len(absent),
            "absent_empty": sum(1 for k in absent if not bool(pred[k].any())),
            "slices": truth.shape[0],
            "clean_slices": clean_slices(pred, truth)}


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 100]."""
    v = sorted(values)
    if not v:
        return math.nan
    pos = (len(v) - 1) * q / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def summary(rows: Sequence[Dict[str, object]]) -> Dict[str, object]:
    """The protocol's figures over per-phantom rows (keys of score(), plus baseline_dice3d where measured)."""
    d = [float(r["dice3d"]) for r in rows]
    worst = min(rows, key=lambda r: float(r["dice3d"]))
    n_abs = sum(int(r["absent_slices"]) for r in rows)
    out: Dict[str, object] = {
        "phantoms": len(rows),
        "mean": sum(d) / len(d),
        "median": percentile(d, 50),
        "p10": percentile(d, 10),
        "worst": float(worst["dice3d"]),
        "worst_seed": int(worst["seed"]),
        "absent_empty": sum(int(r["absent_empty"]) for r in rows) / max(1, n_abs),
        "clean_slices": sum(int(r["clean_slices"]) for r in rows) / sum(int(r["slices"]) for r in rows),
    }
    for key in ("raw_clean_slices", "clean_slices_3d_only"):  # without the post-processing, or with its 3-D step
        if all(key in r for r in rows):
            out[key] = sum(int(r[key]) for r in rows) / sum(int(r["slices"]) for r in rows)
    base = [float(r["baseline_dice3d"]) for r in rows if "baseline_dice3d" in r]
    if base:
        out["baseline_mean"] = sum(base) / len(base)
    return out


def failures(s: Dict[str, object]) -> List[str]:
    """The bar's conditions that `summary` misses (empty when it meets the bar)."""
    bad = []
    if float(s["mean"]) < MIN_MEAN:
        bad.append(f"mean 3-D Dice {s['mean']:.4f} < {MIN_MEAN}")
    if float(s["p10"]) < MIN_P10:
        bad.append(f"10th percentile {s['p10']:.4f} < {MIN_P10}")
    if float(s["absent_empty"]) < MIN_ABSENT_EMPTY:
        bad.append(f"absent slices empty {s['absent_empty']:.4f} < {MIN_ABSENT_EMPTY}")
    if float(s["clean_slices"]) < MIN_CLEAN_SLICES:
        bad.append(f"clean slices {s['clean_slices']:.4f} < {MIN_CLEAN_SLICES}")
    if "baseline_mean" in s and float(s["mean"]) < float(s["baseline_mean"]) - MAX_BELOW_BASELINE:
        bad.append(f"mean {s['mean']:.4f} more than {MAX_BELOW_BASELINE} below the per-slice baseline's "
                   f"{s['baseline_mean']:.4f}")
    return bad


def mask_prompt(truth: Tensor) -> Tuple[List[Tuple[float, float, int]], Tuple[float, float, float, float]]:
    """The per-slice baseline's prompt from a truth slice, as Prompts.fromMask: a positive click at each 8-connected
    component's centroid (pixel centres at +0.5; the nearest pixel of the component when the centroid falls outside
    it), the bounding box, and a negative click at the box centre when that pixel is background.
    -> (clicks [(x, y, label)], box (x0, y0, x1, y1))."""
    h, w = truth.shape
    flat = truth.flatten()
    comps = components(truth)
    clicks: List[Tuple[float, float, int]] = []
    label_of = {}
    for c, comp in enumerate(comps):
        for p in comp:
            label_of[p] = c
    xs_all = [p % w for comp in comps for p in comp]
    ys_all = [p // w for comp in comps for p in comp]
    for c, comp in enumerate(comps):
        cx = sum(p % w for p in comp) / len(comp) + 0.5
        cy = sum(p // w for p in comp) / len(comp) + 0.5
        if label_of.get(int(cy) * w + int(cx)) != c:
            best = min(comp, key=lambda p: (p % w + 0.5 - cx) ** 2 + (p // w + 0.5 - cy) ** 2)
            cx, cy = best % w + 0.5, best // w + 0.5
        clicks.append((cx, cy, 1))
    x0, x1, y0, y1 = min(xs_all), max(xs_all), min(ys_all), max(ys_all)
    bx, by = (x0 + x1 + 1) / 2.0, (y0 + y1 + 1) / 2.0
    if not bool(flat[min(int(by), h - 1) * w + min(int(bx), w - 1)]):
        clicks.append((bx, by, 0))
    return clicks, (float(x0), float(y0), float(x1 + 1), float(y1 + 1))
