#!/usr/bin/env python3
"""Same-process A/B timing of exported components: the models/ code at a git revision (or the working tree), plain
or with export options, on identical random weights and inputs, calls interleaved (A B A B ...) so that machine
noise hits both alike. Prints each variant's median and min time, its ratio to the first variant, and the max
|difference| of its outputs from the first variant's.

    /usr/bin/python3 scripts/bench/ab_components.py --arch sam2.1_hiera_t --component memory_attention \\
        --variant old=HEAD~1 --variant new=worktree --repeats 3
    /usr/bin/python3 scripts/bench/ab_components.py --arch sam2.1_hiera_t --component image_encoder \\
        --variant plain=worktree --variant frozen=worktree+freeze

A variant is NAME=SOURCE[+freeze][+optimize]: SOURCE is `worktree` (this checkout's models/) or a git revision
(its models/promptonce_models is extracted into a temporary package); +freeze applies torch.jit.freeze,
+optimize torch.jit.optimize_for_inference after freezing, as the hosts' load-time optimize option does.
Components: image_encoder, memory_attention (full bank: 7 spatial memories in bfloat16 and 16 object pointers),
memory_attention_self (no memories: 1 conditioning memory, 1 pointer), mask_decoder (track), memory_encoder (sam2);
image_encoder, mask_decoder (sam).
"""
from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List, Tuple

# as bin/promptonce: OpenMP threads sleep when idle (spinning threads stall every small op on a busy machine)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_package(source: str, tmp: str, index: int):
    """The promptonce_models package of `source` under a unique module name."""
    if source == "worktree":
        base = os.path.join(ROOT, "models")
        name = "promptonce_models"
    else:
        base = os.path.join(tmp, f"v{index}")
        os.makedirs(base)
        tar = subprocess.run(["git", "-C", ROOT, "archive", source, "models/promptonce_models"],
                             check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", base], input=tar, check=True)
        name = f"promptonce_models_v{index}"
        os.rename(os.path.join(base, "models", "promptonce_models"), os.path.join(base, name))
    sys.path.insert(0, base)
    pkg = importlib.import_module(name)
    sys.path.pop(0)
    return (importlib.import_module(name + ".checkpoint"), importlib.import_module(name + ".configs"), pkg)


def script(comp: torch.nn.Module, opts: List[str]):
    s = torch.jit.script(comp.eval())
    if "optimize" in opts:
        s = torch.jit.optimize_for_inference(torch.jit.freeze(s, preserved_attrs=_methods(s)))
    elif "freeze" in opts:
        s = torch.jit.freeze(s, preserved_attrs=_methods(s))
    return s


def _methods(s) -> List[str]:
    return [n for n in s._c._method_names() if n != "forward" and not n.startswith("_")]


def inputs(arch_cfg, family: str, component: str, seed: int) -> Tuple[str, tuple]:
    g = torch.Generator().manual_seed(seed)
    size = arch_cfg.image_size
    if component == "image_encoder":
        return "forward", (torch.randn(1, 3, size, size, generator=g),)
    if family == "sam":
        e = arch_cfg.embedding_size
        emb = torch.randn(1, arch_cfg.out_chans, e, e, generator=g)
        pts = torch.tensor([[[0.3 * size, 0.4 * size]]])
        return "forward", (emb, pts, torch.ones(1, 1, dtype=torch.int), None, None, True)
    e = arch_cfg.embedding_size
    c, m = arch_cfg.d_model, arch_cfg.mem_dim
    vf = torch.randn(1, c, e, e, generator=g)
    if component.startswith("memory_attention"):
        n_mem, n_ptr = (7, 16) if component == "memory_attention" else (1, 1)
        mems = [torch.randn(1, m, e, e, generator=g).to(torch.bfloat16) for _ in range(n_mem)]
        ptrs = [torch.randn(1, c, generator=g) for _ in range(n_ptr)]
        return "forward", (vf, mems, list(range(n_mem)), ptrs, list(range(n_ptr)), 100)
    if component == "mask_decoder":
        s0 = torch.randn(1, c // 8, 4 * e, 4 * e, generator=g)
        s1 = torch.randn(1, c // 4, 2 * e, 2 * e, generator=g)
        return "track", (vf, s0, s1, torch.zeros(1, 0, 2), torch.zeros(1, 0, dtype=torch.int32), None, True, True)
    if component == "memory_encoder":
        return "forward", (vf, torch.randn(1, 1, 4 * e, 4 * e, generator=g) * 8, torch.tensor([[2.0]]), False)
    raise SystemExit(f"unknown component {component}")


def flat(x) -> List[torch.Tensor]:
    if isinstance(x, torch.Tensor):
        return [x]
    out: List[torch.Tensor] = []
    for y in x:
        out += flat(y)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="sam2.1_hiera_t")
    ap.add_argument("--component", default="memory_attention")
    ap.add_argument("--variant", action="append", required=True, help="NAME=SOURCE[+freeze][+optimize]")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, help="untimed calls per variant first (at least 1)")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: torch's default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image-size", type=int, default=0, help="override the arch's input size (quick runs)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {a.arch} {a.component}", flush=True)
    calls: Dict[str, Callable[[], object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        state = None
        for i, spec in enumerate(a.variant):
            name, _, rest = spec.partition("=")
            source, *opts = rest.split("+")
            ckpt, configs, _ = load_package(source, tmp, i)
            cfg = configs.get_config(a.arch)
            if a.image_size:
                import dataclasses
                cfg = dataclasses.replace(cfg, image_size=a.image_size)
            model = ckpt.build_model(cfg)
            if state is None:
                model = ckpt.random_model(cfg, a.seed)
                state = model.state_dict()
            else:
                model.load_state_dict(state)
            key = "memory_attention" if a.component.startswith("memory_attention") else a.component
            comp = script(model.components()[key], opts)
            method, args = inputs(cfg, cfg.family, a.component, a.seed + 1)
            calls[name] = (lambda f, args: (lambda: f(*args)))(getattr(comp, method), args)
    names = list(calls)
    times: Dict[str, List[float]] = {n: [] for n in names}
    outs: Dict[str, List[torch.Tensor]] = {}
    with torch.no_grad():
        for n in names:
            for _ in range(max(1, a.warmup)):
                outs[n] = flat(calls[n]())
        for r in range(a.repeats):
            for n in (names if r % 2 == 0 else names[::-1]):
                t0 = time.perf_counter()
                calls[n]()
                times[n].append(time.perf_counter() - t0)
            print(f"  round {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.3f} s" for n in names), flush=True)
    ref = names[0]
    med = {n: sorted(t)[len(t) // 2] for n, t in times.items()}
    for n in names:
        d = max(((x.float() - y.float()).abs().max().item() for x, y in zip(outs[n], outs[ref]) if x.numel()),
                default=0.0)
        print(f"{n:>12}: median {med[n]:.3f} s, min {min(times[n]):.3f} s, median ratio to {ref} "
              f"{med[n] / med[ref]:.3f}, min ratio {min(times[n]) / min(times[ref]):.3f}, max|diff| {d:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
