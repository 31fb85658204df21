#!/usr/bin/env python3
"""The compute floor of each phase: multiply-accumulates (GMAC) per phase divided by this machine's measured matmul
rate, and, given measured times, how far each phase is from its floor.

    /usr/bin/python3 scripts/bench/floor.py --arch sam2.1_hiera_t --threads 2
    /usr/bin/python3 scripts/bench/floor.py --model bench-models/sam2.1_hiera_t --jmh results.json
    /usr/bin/python3 scripts/bench/floor.py --arch sam_vit_b --measured image_encoder=9000 --measured slice=9100
    /usr/bin/python3 scripts/bench/floor.py --sgemm-only --threads 2

GMAC are counted, not estimated by hand: each phase runs once (eager, random weights, this checkout's models/ code
for --arch or for the arch named by --model's manifest); the multiply-accumulates of its matrix products come from
torch's profiler (with_flops: aten::mm, addmm, bmm, baddbmm), those of its convolutions from forward hooks on every
Conv2d / ConvTranspose2d (output elements x input channels per group x kernel area). Phases: SAM 2 image_encoder,
memory_attention (a full bank: num_maskmem spatial memories and 16 object pointers), mask_decoder (track, no
prompt, multimask), memory_encoder, frame (their sum) and frame_pipelined (the same work, for JMH's
framePipelined); SAM image_encoder, mask_decoder (one click, multimask), slice (their sum). Elementwise work
(softmax, norms, GELU) is not counted: the floor is what the matrix products alone would take at the sgemm rate.

The sgemm rate: the best of --repeats square float32 products (--sgemm-size, default 2048) on --threads threads
(OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set before torch loads, so the BLAS uses that many too).
Measured times: --measured PHASE=MILLISECONDS (repeatable) or --jmh FILE (a JMH -rf json result of
Sam2FrameBenchmark / SamImageBenchmark / Sam2VsSamBenchmark; one table per backend).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

JMH_PHASES = {
    "Sam2FrameBenchmark": {"imageEncoder": "image_encoder", "memoryAttentionFullBank": "memory_attention",
                           "maskDecoder": "mask_decoder", "memoryEncoder": "memory_encoder", "frame": "frame",
                           "framePipelined": "frame_pipelined"},
    "SamImageBenchmark": {"imageEncoder": "image_encoder", "maskDecoder": "mask_decoder", "slice": "slice"},
    "Sam2VsSamBenchmark": {"samImageSlice": "slice", "sam2VideoFrame": "frame"},
}
MAC_OPS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm")


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--arch", help="build this arch with random weights from models/")
    src.add_argument("--model", help="an export directory: its manifest's arch and image size")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--sgemm-size", type=int, default=2048)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rate", type=float, default=0.0, help="use this sgemm GFLOP/s instead of measuring it")
    ap.add_argument("--bf16-rate", type=float, default=0.0,
                    help="use this bf16 GEMM GFLOP/s instead of measuring it (JMH results with precision=bf16 are "
                         "judged against the bf16 floor: bf16 phases at this rate, the float32 decoder at sgemm's)")
    ap.add_argument("--sgemm-only", action="store_true", help="measure and print the sgemm rate, count nothing")
    ap.add_argument("--measured", action="append", default=[], metavar="PHASE=MS")
    ap.add_argument("--jmh", help="JMH JSON result file")
    ap.add_argument("--image-size", type=int, default=0, help="--arch only: override the input size")
    a = ap.parse_args()
    if not (a.arch or a.model or a.sgemm_only):
        ap.error("one of --arch, --model or --sgemm-only is required")
    return a


# the phases a --precision bf16 run computes in bfloat16 (models/promptonce_models/precision.py); the rest stay float32
BF16_PHASES = ("image_encoder", "memory_attention")


def sgemm_gflops(n: int, repeats: int, dtype: str = "float32") -> float:
    """The best rate of --repeats n x n products in `dtype` (float32: sgemm; bfloat16: LibTorch's bf16 GEMM, oneDNN
    on CPUs with avx512_bf16/amx)."""
    import torch
    dt = getattr(torch, dtype)
    a = torch.randn(n, n).to(dt)
    b = torch.randn(n, n).to(dt)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


def load_components(a: argparse.Namespace):
    """(family, the config as a dict, image size, {component name: eager module})."""
    sys.path.insert(0, os.path.join(ROOT, "models"))
    import dataclasses
    from promptonce_models import checkpoint, configs
    arch, size = a.arch, a.image_size
    if a.model:
        with open(os.path.join(a.model, "manifest.json")) as f:
            man = json.load(f)
        arch, size = man["arch"], man["image_size"]
    cfg = configs.get_config(arch)
    if size:
        cfg = dataclasses.replace(cfg, image_size=size)
    model = checkpoint.random_model(cfg, 0).eval()
    return cfg.family, dataclasses.asdict(cfg), cfg.image_size, model.components()


def phase_inputs(family: str, cfg: dict, size: int) -> Dict[str, Tuple[str, str, tuple]]:
    import torch
    g = torch.Generator().manual_seed(1)
    img = torch.randn(1, 3, size, size, generator=g)
    if family == "sam":
        e = size // cfg["patch_size"]
        emb = torch.randn(1, cfg["out_chans"], e, e, generator=g)
        pts = torch.tensor([[[0.45 * size, 0.55 * size]]])
        return {"image_encoder": ("image_encoder", "forward", (img,)),
                "mask_decoder": ("mask_decoder", "forward",
                                 (emb, pts, torch.ones(1, 1, dtype=torch.int), None, None, True))}
    e = size // cfg["backbone_stride"]
    c, m = cfg["d_model"], cfg["mem_dim"]
    vf = torch.randn(1, c, e, e, generator=g)
    n_mem, n_ptr = cfg["num_maskmem"], cfg["max_obj_ptrs_in_encoder"]
    mems = [torch.randn(1, m, e, e, generator=g).to(torch.bfloat16) for _ in range(n_mem)]
    ptrs = [torch.randn(1, c, generator=g) for _ in range(n_ptr)]
    s0 = torch.randn(1, c // 8, 4 * e, 4 * e, generator=g)
    s1 = torch.randn(1, c // 4, 2 * e, 2 * e, generator=g)
    return {
        "image_encoder": ("image_encoder", "forward", (img,)),
        "memory_attention": ("memory_attention", "forward", (vf, mems, list(range(n_mem)), ptrs,
                                                              list(range(n_ptr)), 100)),
        "mask_decoder": ("mask_decoder", "track", (vf, s0, s1, torch.zeros(1, 0, 2),
                                                   torch.zeros(1, 0, dtype=torch.int32), None, True, True)),
        "memory_encoder": ("memory_encoder", "forward", (vf, torch.randn(1, 1, size, size, generator=g),
                                                         torch.tensor([[2.0]]), False)),
    }


def count_gmac(module, method: str, args: tuple) -> float:
    import torch
    convs: List[float] = []

    def hook(mod, inputs, output):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        if isinstance(mod, torch.nn.ConvTranspose2d):
            convs.append(inputs[0].numel() * (mod.out_channels // mod.groups) * k)
        else:
            convs.append(output.numel() * (mod.in_channels // mod.groups) * k)

    handles = [m.register_forward_hook(hook) for m in module.modules()
               if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    try:
        with torch.no_grad(), torch.autograd.profiler.profile(with_flops=True) as prof:
            getattr(module, method)(*args)
    finally:
        for h in handles:
            h.remove()
    flops = sum(e.flops for e in prof.function_events if e.name in MAC_OPS and e.flops)
    return (flops / 2.0 + sum(convs)) / 1e9


def measured_times(a: argparse.Namespace) -> Dict[str, Dict[str, float]]:
    """{label: {phase: ms}}; label "measured" for --measured, the backend (and optimize flag) for --jmh."""
    out: Dict[str, Dict[str, float]] = {}
    for m in a.measured:
        phase, _, ms = m.partition("=")
        out.setdefault("measured", {})[phase] = float(ms)
    if a.jmh:
        with open(a.jmh) as f:
            for r in json.load(f):
                cls, method = r["benchmark"].rsplit(".", 1)
                phase = JMH_PHASES.get(cls.rsplit(".", 1)[-1], {}).get(method)
                if phase is None:
                    continue
                unit = r["primaryMetric"]["scoreUnit"]
                scale = {"ms/op": 1.0, "s/op": 1000.0, "us/op": 1e-3}.get(unit)
                if scale is None:
                    continue
                p = r.get("params", {})
                label = p.get("backend", "jmh") + (" optimize" if p.get("optimize") == "true" else "") \
                    + (" bf16" if p.get("precision") == "bf16" else "")
                out.setdefault(label, {})[phase] = r["primaryMetric"]["score"] * scale
    return out


def num(x: float, width: int) -> str:
    return f"{x:{width}.1f}" if abs(x) >= 100 else f"{x:{width}.3g}"


def main() -> int:
    a = parse_args()
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(a.threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    torch.set_num_threads(a.threads)
    rate = a.rate or sgemm_gflops(a.sgemm_size, a.repeats)
    print(f"torch {torch.__version__}, {a.threads} threads: sgemm {a.sgemm_size}^3 {rate:.1f} GFLOP/s "
          f"({rate / 2:.1f} GMAC/s){' (given)' if a.rate else ' (measured)'}", flush=True)
    bf16_rate = a.bf16_rate or sgemm_gflops(a.sgemm_size, a.repeats, "bfloat16")
    print(f"torch {torch.__version__}, {a.threads} threads: bf16 GEMM {a.sgemm_size}^3 {bf16_rate:.1f} GFLOP/s "
          f"({bf16_rate / rate:.2f} x sgemm){' (given)' if a.bf16_rate else ' (measured)'}", flush=True)
    if a.sgemm_only:
        return 0
    family, cfg, size, comps = load_components(a)
    gmac: Dict[str, float] = {}
    for phase, (comp, method, args) in phase_inputs(family, cfg, size).items():
        gmac[phase] = count_gmac(comps[comp], method, args)
    total = "slice" if family == "sam" else "frame"
    gmac[total] = sum(gmac.values())
    if family != "sam":
        gmac["frame_pipelined"] = gmac["frame"]  # the same work, the next slice's encoder on a second thread
    times = measured_times(a)
    what = a.model or a.arch
    floor16: Dict[str, float] = {}
    for phase, g in gmac.items():
        if phase in ("frame", "slice", "frame_pipelined"):
            continue
        floor16[phase] = g * 2.0 / (bf16_rate if phase in BF16_PHASES else rate) * 1000.0
    floor16[total] = sum(floor16.values())
    if family != "sam":
        floor16["frame_pipelined"] = floor16["frame"]
    header = f"{'phase':<18} {'GMAC':>8} {'floor ms':>9} {'bf16 floor':>10}"
    for label in times:
        header += f" | {label + ' ms':>16} {'x floor':>7}"
    print(f"\n{what} at {size} px:")
    print(header)
    for phase, g in gmac.items():
        floor_ms = g * 2.0 / rate * 1000.0
        row = f"{phase:<18} {num(g, 8)} {num(floor_ms, 9)} {num(floor16[phase], 10)}"
        for label, t in times.items():
            if phase in t:
                f = floor16[phase] if label.endswith(" bf16") else floor_ms
                row += f" | {num(t[phase], 16)} {t[phase] / f:7.2f}"
            else:
                row += f" | {'':>16} {'':>7}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
