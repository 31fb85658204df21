#!/usr/bin/env python3
"""Per-frame propagation time: `bin/promptonce segment` (Java) vs the official SAM2VideoPredictor (Python), same
weights, same volume, same machine, same thread count. Local only: the official code runs through
../shared/tools/official_shim.py from $OFFICIAL_SRC; neither is a project dependency.

    OFFICIAL_SRC=/tmp/official /usr/bin/python3 scripts/bench/java_vs_official.py --frames 20 --work /tmp/jvo

Random weights in the official checkpoint layout (models/tools/make_checkpoint.py) are exported by
models/export.py --checkpoint and loaded by the official predictor. A synthetic uint8 volume of --frames slices
(--size px) is prompted with a point and a box on slice 0 and propagated forward to the end by both (official:
add_new_points_or_box, then propagate_in_video; Java: segment --mode forward --timings). Per-frame time: the time
between consecutive tracked frames (image encoding + memory attention + decoding + memory encoding); the prompted
frame and the first --skip tracked frames (TorchScript's profiling runs, first-touch allocations) are left out,
the rest summarised by their median. The masks are compared too (they must agree: the same work is timed). --also-serial also times Java with
--no-encode-ahead (each slice encoded when it is tracked, on all threads) in the same run.
The official code runs on the torch of this Python (here Debian's torch 1.13); users elsewhere run it on torch 2.x.
--precision bf16 runs Java in bfloat16 (the official predictor stays float32, as it runs on CPU) and Java in float32
too, in the same run, so that both ratios and bf16 / fp32 come from one run.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools"))
sys.path.insert(0, "/work/shared/tools")
sys.path.insert(0, os.path.join(ROOT, "scripts", "parity"))
sys.path.insert(0, os.path.join(ROOT, "models", "tools"))

CONFIGS = {"sam2.1_hiera_t": "sam2.1_hiera_t", "sam2.1_hiera_s": "sam2.1_hiera_s",
           "sam2.1_hiera_b+": "sam2.1_hiera_b+", "sam2.1_hiera_l": "sam2.1_hiera_l"}


def official_predictor(arch, ckpt):
    import torch
    from parity_official import build_official_sam2
    predictor = build_official_sam2(config=CONFIGS[arch])
    predictor.load_state_dict(torch.load(ckpt, map_location="cpu", weights_only=True)["model"])
    return predictor


def run_official(arch, ckpt, vol, point, box):
    """(logits [T, H, W], [seconds at each yielded frame after the prompt])."""
    import torch
    import sam2.sam2_video_predictor as vp
    predictor = official_predictor(arch, ckpt)
    t, h, w = vol.shape
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    images = (vol.float()[:, None].expand(-1, 3, -1, -1) / 255.0 - mean) / std
    vp.load_video_frames = lambda **kw: (images, h, w)
    logits = torch.full((t, h, w), float("nan"))
    stamps = []
    with torch.inference_mode():
        state = predictor.init_state(video_path="synthetic")
        predictor.add_new_points_or_box(state, frame_idx=0, obj_id=1, points=[point], labels=[1], box=box)
        start = time.perf_counter()
        for f, _, masks in predictor.propagate_in_video(state, start_frame_idx=0, reverse=False):
            logits[f] = masks[0, 0].float()
            stamps.append(time.perf_counter() - start)
    return logits, stamps


def per_frame(stamps, skip):
    """Intervals between consecutive frames after the first (prompted) one, minus the first `skip`."""
    d = [b - a for a, b in zip(stamps, stamps[1:])]
    return d[skip:] if len(d) > skip else d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="sam2.1_hiera_t", choices=sorted(CONFIGS))
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--size", type=int, default=1024, help="slice size in pixels (the model input stays its own)")
    ap.add_argument("--skip", type=int, default=2, help="tracked frames left out at the start of each side")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--backend", default="native", help="promptonce backend: native, javacpp or auto")
    ap.add_argument("--work", default="/tmp/promptonce-java-vs-official")
    ap.add_argument("--order", choices=["java-first", "official-first"], default="java-first")
    ap.add_argument("--also-serial", action="store_true",
                    help="time Java a second time with --no-encode-ahead (each slice encoded when it is tracked, "
                         "on all threads) and report it beside the default")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                    help="Java's --precision; with bf16, Java also runs in fp32 in the same run for the ratio")
    a = ap.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import numpy as np
    import nibabel as nib
    import torch
    torch.set_num_threads(a.threads)
    from segment_vs_official import volume
    os.makedirs(a.work, exist_ok=True)
    ckpt = os.path.join(a.work, f"{a.arch}-seed{a.seed}.pt")
    model = os.path.join(a.work, f"{a.arch}-seed{a.seed}")
    if not os.path.exists(ckpt):
        subprocess.run([sys.executable, os.path.join(ROOT, "models/tools/make_checkpoint.py"), "--arch", a.arch,
                        "--seed", str(a.seed), "--out", ckpt], check=True)
    # always re-export: the timing must be of this checkout's models/ code
    subprocess.run([sys.executable, os.path.join(ROOT, "models/export.py"), "--arch", a.arch, "--checkpoint", ckpt,
                    "--out", model, "--force"], check=True)
    vol = volume(a.frames, a.size, a.seed)
    nii = os.path.join(a.work, "volume.nii.gz")
    nib.save(nib.Nifti1Image(vol.permute(2, 1, 0).numpy(), np.eye(4)), nii)
    s = a.size
    point = [s * 0.45, s * 0.5]
    box = [s * 0.2, s * 0.3, s * 0.62, s * 0.7]
    timings = os.path.join(a.work, "java-timings.csv")

    def java(extra=(), tag="ours"):
        cmd = [os.path.join(ROOT, "bin/promptonce"), "segment", "--model", model, "--input", nii, "--slice", "0",
               "--point", f"{point[0]},{point[1]}", "--box", ",".join(str(v) for v in box),
               "--window", "127.5,255", "--mode", "forward", "--no-fill-holes", "--backend", a.backend,
               "--threads", str(a.threads), "--timings", timings,
               "--out", os.path.join(a.work, f"{tag}.nii.gz"),
               "--logits", os.path.join(a.work, f"{tag}_logits.nii.gz"), "--overwrite", *extra]
        subprocess.run(cmd, check=True)
        with open(timings) as f:
            rows = [line.strip().split(",") for line in f.readlines()[1:] if line.strip()]
        logits = torch.from_numpy(np.asarray(nib.load(os.path.join(a.work, f"{tag}_logits.nii.gz")).dataobj,
                                             dtype=np.float32)).permute(2, 1, 0)
        return [float(r[2]) for r in rows], logits

    def compare(x, y):
        """(voxel agreement of the masks in %, max |dlogit|)."""
        return ((x > 0) == (y > 0)).float().mean().item() * 100, (x - y).abs().max().item()

    main_run = ("--precision", a.precision)
    if a.order == "java-first":
        java_stamps, ours = java(main_run)
        ref, off_stamps = run_official(a.arch, ckpt, vol, point, box)
    else:
        ref, off_stamps = run_official(a.arch, ckpt, vol, point, box)
        java_stamps, ours = java(main_run)
    fp32_stamps, fp32 = java(("--precision", "fp32"), "fp32") if a.precision == "bf16" else (None, None)
    serial_stamps, serial = java(("--no-encode-ahead",), "serial") if a.also_serial else (None, None)
    agree, dlogit = compare(ours, ref)
    jf = per_frame(java_stamps, a.skip)
    of = per_frame(off_stamps, a.skip)
    jm, om = statistics.median(jf), statistics.median(of)
    print(f"{a.arch}, {a.frames} slices of {s}x{s}, {a.threads} threads, backend {a.backend}, Java precision "
          f"{a.precision}, official float32 on torch {torch.__version__}")
    print(f"  masks: voxel agreement {agree:.4f} %, max |dlogit| {dlogit:.2e}")
    print(f"  Java (bin/promptonce segment): per frame median {jm:.3f} s, mean {statistics.mean(jf):.3f} s "
          f"over {len(jf)} frames; frames: {' '.join(f'{x:.2f}' for x in jf)}")
    print(f"  official SAM2VideoPredictor:   per frame median {om:.3f} s, mean {statistics.mean(of):.3f} s "
          f"over {len(of)} frames; frames: {' '.join(f'{x:.2f}' for x in of)}")
    print(f"  Java / official per frame: {jm / om:.3f} (median), {statistics.mean(jf) / statistics.mean(of):.3f} (mean)"
          f"   (target <= 0.5)")
    if fp32 is not None:
        ff = per_frame(fp32_stamps, a.skip)
        fm = statistics.median(ff)
        print(f"  Java fp32 (same run): per frame median {fm:.3f} s; frames: {' '.join(f'{x:.2f}' for x in ff)}")
        print(f"    Java fp32 / official: {fm / om:.3f}; Java bf16 / fp32: {jm / fm:.3f} (median per frame)")
        agree32, d32 = compare(fp32, ref)
        print(f"    fp32 masks vs official: voxel agreement {agree32:.4f} %, max |dlogit| {d32:.2e}")
    if serial is not None:
        sf = per_frame(serial_stamps, a.skip)
        sm = statistics.median(sf)
        print(f"  Java --no-encode-ahead: per frame median {sm:.3f} s, mean {statistics.mean(sf):.3f} s; frames: "
              f"{' '.join(f'{x:.2f}' for x in sf)}")
        same, d_same = compare(serial, ours)
        print(f"    its masks vs the default's: voxel agreement {same:.4f} %, max |dlogit| {d_same:.2e}; "
              f"vs official: voxel agreement {compare(serial, ref)[0]:.4f} %")
        print(f"    Java / official per frame without encoding ahead: {sm / om:.3f}; with / without: {jm / sm:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
