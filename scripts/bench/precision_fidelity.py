#!/usr/bin/env python3
"""bf16 vs fp32 on the embedded default model, on held-out phantoms: `bin/promptonce demo --seed N` (one click at
the target's centre on its middle slice, propagated both ways) at --precision fp32 and at bf16 for every seed,
then per seed: 3-D Dice of each to the truth, 3-D Dice of bf16 to fp32, and per slice whether the two agree (both
empty, or a slice Dice >= --slice-dice between them). Prints a table and the summary the docs quote.

    /usr/bin/python3 scripts/bench/precision_fidelity.py --seeds 1000-1049 --work /tmp/precision-fidelity \
        [--backend native|javacpp]

Needs a built checkout (bin/promptonce) and nibabel (python3-nibabel). Times are not measured here.
"""
import argparse
import os
import statistics
import subprocess
import sys

import nibabel as nib
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def seeds(spec):
    a, _, b = spec.partition("-")
    return list(range(int(a), int(b or a) + 1))


def dice(x, y):
    s = int(x.sum()) + int(y.sum())
    return 1.0 if s == 0 else 2.0 * int(np.logical_and(x, y).sum()) / s


def run(seed, precision, work, size, slices, backend):
    out = os.path.join(work, f"seed{seed}-{backend}-{precision}")
    subprocess.run([os.path.join(ROOT, "bin/promptonce"), "demo", "--seed", str(seed), "--precision", precision,
                    "--size", str(size), "--slices", str(slices), "--backend", backend, "--no-baseline",
                    "--overwrite", "--out", out],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    load = lambda n: np.asarray(nib.load(os.path.join(out, n)).dataobj) > 0  # noqa: E731
    return load("truth.nii.gz"), load("mask.nii.gz")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1000-1049", help="a seed or a range A-B (inclusive)")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--slices", type=int, default=32)
    ap.add_argument("--slice-dice", type=float, default=0.95, help="a slice agrees at this Dice or more")
    ap.add_argument("--backend", default="native", choices=("native", "javacpp"),
                    help="the demo's --backend (default native)")
    ap.add_argument("--work", default="/tmp/promptonce-precision-fidelity")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rows = []
    agree_slices = total_slices = 0
    print(f"{'seed':>6} {'fp32 Dice':>10} {'bf16 Dice':>10} {'drop':>8} {'bf16~fp32':>10} {'slices agree':>13}")
    for s in seeds(a.seeds):
        truth, m32 = run(s, "fp32", a.work, a.size, a.slices, a.backend)
        _, m16 = run(s, "bf16", a.work, a.size, a.slices, a.backend)
        d32, d16, d = dice(truth, m32), dice(truth, m16), dice(m32, m16)
        k_axis = 2  # NIfTI data[i, j, k]: k = slice
        agree = sum(1 for k in range(m32.shape[k_axis])
                    if dice(m32[:, :, k], m16[:, :, k]) >= a.slice_dice)
        agree_slices += agree
        total_slices += m32.shape[k_axis]
        rows.append((s, d32, d16, d))
        print(f"{s:>6} {d32:10.4f} {d16:10.4f} {d32 - d16:8.4f} {d:10.4f} {agree:>6}/{m32.shape[k_axis]}", flush=True)
    drops = [r[1] - r[2] for r in rows]
    print(f"\n{len(rows)} phantoms ({a.size} px, {a.slices} slices), seeds {a.seeds}, {a.backend} backend:")
    print(f"  mean 3-D Dice to the truth: fp32 {statistics.mean(r[1] for r in rows):.4f}, "
          f"bf16 {statistics.mean(r[2] for r in rows):.4f}; mean drop {statistics.mean(drops):.4f}, "
          f"largest drop {max(drops):.4f}, largest gain {-min(drops):.4f}")
    print(f"  bf16 vs fp32 masks: mean 3-D Dice {statistics.mean(r[3] for r in rows):.4f}, lowest "
          f"{min(r[3] for r in rows):.4f}")
    print(f"  slices that agree (both empty, or slice Dice >= {a.slice_dice}): {agree_slices}/{total_slices} = "
          f"{100.0 * agree_slices / total_slices:.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
