"""Export: one TorchScript file per component (torch.jit.script) plus manifest.json, written atomically."""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
from typing import Dict, List, Optional, Sequence

import torch

from . import __version__
from .checkpoint import CheckpointError, Model, build_model, load_checkpoint, random_model
from .configs import ARCHS, ArchConfig, Sam2Config, get_config
from .precision import BFLOAT16, bfloat16_components, bfloat16_copy, variant_file
from .sam2 import NO_OBJ_SCORE

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
SUPPORTED_DTYPES = ("float32",)


class ExportError(Exception):
    """A refused export (bad arguments, existing output, mismatching checkpoint); the message says why."""


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _schema(fn) -> Dict[str, object]:
    s = fn.schema
    return {"inputs": [{"name": a.name, "type": str(a.type)} for a in s.arguments[1:]],
            "outputs": [str(r.type) for r in s.returns]}


def method_schemas(scripted: torch.jit.ScriptModule) -> Dict[str, object]:
    names = ["forward"] + sorted(n for n in scripted._c._method_names() if n != "forward" and not n.startswith("_"))
    return {n: _schema(getattr(scripted, n)) for n in names if hasattr(scripted, n)}


def _preprocess(cfg: ArchConfig) -> Dict[str, object]:
    p = cfg.preprocess
    out: Dict[str, object] = {
        "resize": p.resize, "pixel_scale": p.pixel_scale, "mean": list(p.mean), "std": list(p.std),
        "intensity": p.intensity, "channels": "RGB (grey images: the value repeated in 3 channels)",
    }
    if p.resize == "longest_side_pad":
        out["note"] = ("scale = S / max(h, w); new side = int(side * scale + 0.5) (bilinear); normalise "
                       "((x * pixel_scale - mean) / std), then zero-pad bottom/right to S x S; prompts scaled by "
                       "new/old per axis")
    elif p.intensity == "minmax":
        out["note"] = ("resize to S x S (MedSAM: bicubic with anti-aliasing), then (x - min) / max(max - min, 1e-8) "
                       "over the whole resized image; mean 0 / std 1 (no further normalisation)")
    else:
        out["note"] = ("resize to S x S ignoring aspect ratio (SAM2ImagePredictor: bilinear with antialias; the "
                       "video loader: PIL bicubic); x * pixel_scale, then (x - mean) / std; prompts x * S / W, "
                       "y * S / H")
    return out


def _policy(cfg: Sam2Config) -> Dict[str, object]:
    keys = [
        "num_maskmem", "max_obj_ptrs_in_encoder", "memory_temporal_stride_for_eval", "max_cond_frames_in_attn",
        "use_obj_ptrs_in_encoder", "add_tpos_enc_to_obj_ptrs", "proj_tpos_enc_in_obj_ptrs",
        "use_signed_tpos_enc_to_obj_ptrs", "only_obj_ptrs_in_the_past_for_eval", "multimask_output_in_sam",
        "multimask_min_pt_num", "multimask_max_pt_num", "multimask_output_for_tracking",
        "use_multimask_token_for_obj_ptr", "pred_obj_scores", "pred_obj_scores_mlp", "soft_no_obj_ptr",
        "fixed_no_obj_ptr", "use_mask_input_as_output_without_sam", "sigmoid_scale_for_mem_enc",
        "sigmoid_bias_for_mem_enc", "binarize_mask_from_pts_for_mem_enc", "fill_hole_area",
        "dynamic_multimask_via_stability", "dynamic_multimask_stability_delta", "dynamic_multimask_stability_thresh",
        "non_overlap_masks", "non_overlap_masks_for_mem_enc", "directly_add_no_mem_embed", "no_obj_embed_spatial",
        "iou_prediction_use_sigmoid", "use_high_res_features_in_sam", "clear_non_cond_mem_around_input",
        "add_all_frames_to_correct_as_cond",
    ]
    d = {k: getattr(cfg, k) for k in keys}
    d.update({
        "memory_storage_dtype": "bfloat16",
        "no_obj_score": NO_OBJ_SCORE,
        "mask_as_output_scale": 20.0,
        "mask_as_output_bias": -10.0,
        "prev_mask_logits_clamp": 32.0,
        "mask_threshold": 0.0,
    })
    return d


def _dims(cfg: ArchConfig) -> Dict[str, object]:
    d = cfg.decoder
    out: Dict[str, object] = {
        "hidden_dim": d.dim, "embedding_size": cfg.embedding_size, "low_res_mask_size": cfg.low_res_size,
        "num_mask_tokens": d.num_multimask_outputs + 1, "num_multimask_outputs": d.num_multimask_outputs,
    }
    if isinstance(cfg, Sam2Config):
        out.update({"mem_dim": cfg.mem_dim, "feat_s0_channels": d.dim // 8, "feat_s1_channels": d.dim // 4,
                    "feat_s0_size": cfg.image_size // 4, "feat_s1_size": cfg.image_size // 8,
                    "obj_ptr_tokens": cfg.d_model // cfg.mem_dim})
    return out


def build_manifest(cfg: ArchConfig, files: Dict[str, str], schemas: Dict[str, Dict[str, object]],
                   weights: Dict[str, object], dtype: str,
                   bf16_files: Optional[Dict[str, str]] = None,
                   min_object_score: Optional[float] = None) -> Dict[str, object]:
    """bf16_files: component name -> path of its bfloat16 variant (see precision.py); listed per component under
    "bfloat16" and in "precisions". min_object_score: the checkpoint's object-score floor, written as
    "postprocess" (SAM 2 only)."""
    bf16_files = bf16_files or {}
    components: Dict[str, object] = {}
    for name, path in sorted(files.items()):
        entry: Dict[str, object] = {"file": os.path.basename(path), "sha256": sha256_file(path),
                                    "methods": schemas[name]}
        if name in bf16_files:
            entry[BFLOAT16] = {"file": os.path.basename(bf16_files[name]), "sha256": sha256_file(bf16_files[name])}
        components[name] = entry
    m: Dict[str, object] = {
        "format": "promptonce-model",
        "format_version": FORMAT_VERSION,
        "arch": cfg.name,
        "family": cfg.family,
        "description": cfg.description,
        "image_size": cfg.image_size,
        "dtype": dtype,
        "precisions": ["float32", BFLOAT16] if bf16_files else ["float32"],
        "preprocess": _preprocess(cfg),
        "dims": _dims(cfg),
        "components": components,
        "weights": weights,
        "torch_version": torch.__version__,
        "exporter": f"promptonce_models {__version__}",
        "config": _jsonable(dataclasses.asdict(cfg)),
    }
    if min_object_score is not None:
        if not isinstance(cfg, Sam2Config):
            raise ExportError(f"the checkpoint names a min_object_score, but {cfg.name} is SAM (v1), which has no "
                              "object score")
        m["postprocess"] = {"min_object_score": min_object_score}
    if isinstance(cfg, Sam2Config):
        m["sam2"] = _policy(cfg)
    else:
        m["sam"] = {"mask_threshold": 0.0, "padding_point": "appended to points when there is no box",
                    "box": "after the points, as two corner tokens"}
    return m


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


def _check_out_dir(out: str, force: bool) -> None:
    if os.path.exists(out):
        if not os.path.isdir(out):
            raise ExportError(f"--out {out} exists and is not a directory")
        if os.listdir(out) and not force:
            raise ExportError(f"--out {out} exists and is not empty (use --force to replace it)")


def export_model(model: Model, out: str, weights: Dict[str, object], force: bool = False,
                 dtype: str = "float32", verify: bool = True, bfloat16: bool = True,
                 min_object_score: Optional[float] = None) -> Dict[str, object]:
    """Scripts every component of model into a temp dir next to `out`, writes the manifest, then renames the
    temp dir to `out` (replacing an existing one only with force). Nothing is left behind on failure.
    bfloat16: also write the bfloat16 variants of the components precision.py names (for --precision bf16)."""
    if dtype not in SUPPORTED_DTYPES:
        raise ExportError(f"--dtype {dtype} is not supported (supported: {', '.join(SUPPORTED_DTYPES)}); "
                          "reduced precision belongs to the host (e.g. autocast on a GPU)")
    out = os.path.abspath(out)
    _check_out_dir(out, force)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.tmp-", dir=parent)
    old: Optional[str] = None
    try:
        files: Dict[str, str] = {}
        schemas: Dict[str, Dict[str, object]] = {}
        model = model.eval()
        for name, comp in model.components().items():
            scripted = torch.jit.script(comp.eval())
            path = os.path.join(tmp, f"{name}.pt")
            torch.jit.save(scripted, path)
            files[name] = path
            schemas[name] = method_schemas(scripted)
            if verify:
                torch.jit.load(path, map_location="cpu")
        bf16_files: Dict[str, str] = {}
        if bfloat16:
            comps = model.components()
            for name in bfloat16_components(model.cfg.family):
                path = os.path.join(tmp, variant_file(name))
                torch.jit.save(torch.jit.script(bfloat16_copy(comps[name])), path)
                bf16_files[name] = path
                if verify:
                    torch.jit.load(path, map_location="cpu")
        manifest = build_manifest(model.cfg, files, schemas, weights, dtype, bf16_files, min_object_score)
        with open(os.path.join(tmp, MANIFEST), "w") as f:
            json.dump(manifest, f, indent=2, sort_keys=False)
            f.write("\n")
        os.chmod(tmp, 0o755)
        if os.path.exists(out):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.old-", dir=parent)
            os.rmdir(old)
            os.rename(out, old)
        try:
            os.rename(tmp, out)
        except BaseException:
            if old is not None:
                os.rename(old, out)
                old = None
            raise
        tmp = ""
        return manifest
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def export(arch: str, out: str, checkpoint: Optional[str] = None, seed: Optional[int] = None,
           force: bool = False, dtype: str = "float32", bfloat16: bool = True) -> Dict[str, object]:
    if arch not in ARCHS:
        raise ExportError(f"unknown arch {arch!r}; known archs: {', '.join(ARCHS)}")
    if (checkpoint is None) == (seed is None):
        raise ExportError("give exactly one of --checkpoint FILE or --random-init --seed N")
    if dtype not in SUPPORTED_DTYPES:
        raise ExportError(f"--dtype {dtype} is not supported (supported: {', '.join(SUPPORTED_DTYPES)})")
    _check_out_dir(os.path.abspath(out), force)
    cfg = get_config(arch)
    if checkpoint is not None:
        model = build_model(cfg)
        try:
            floor = load_checkpoint(model, checkpoint)  # and the checkpoint's "postprocess", when it has one
        except CheckpointError as e:
            raise ExportError(str(e)) from None
        weights: Dict[str, object] = {"source": "checkpoint", "file": os.path.basename(checkpoint),
                                      "sha256": sha256_file(checkpoint)}
    else:
        assert seed is not None
        model = random_model(cfg, seed)
        weights = {"source": "random-init", "seed": seed, "note": f"random-init, seed {seed}"}
        floor = None
    return export_model(model, out, weights, force=force, dtype=dtype, bfloat16=bfloat16, min_object_score=floor)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="export.py",
        description="Export SAM / SAM 2 components as TorchScript plus manifest.json for the promptonce host.")
    ap.add_argument("--arch", help="one of: " + ", ".join(ARCHS))
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--checkpoint", metavar="FILE", help="official checkpoint (sam2: {'model': ...}; SAM: plain)")
    src.add_argument("--random-init", action="store_true", help="random weights (needs --seed)")
    ap.add_argument("--seed", type=int, help="seed for --random-init")
    ap.add_argument("--out", metavar="DIR", help="model directory to create")
    ap.add_argument("--dtype", default="float32", help="weights and compute dtype (only float32)")
    ap.add_argument("--no-bf16", action="store_true",
                    help="skip the bfloat16 variants of the heavy components (written by default; used by the "
                         "host's --precision bf16|auto)")
    ap.add_argument("--force", action="store_true", help="replace an existing non-empty --out")
    ap.add_argument("--list-archs", action="store_true", help="print the known archs and exit")
    a = ap.parse_args(argv)
    if a.list_archs:
        for name, cfg in ARCHS.items():
            print(f"{name:<18} {cfg.family:<5} {cfg.image_size:>5} px  {cfg.description}")
        return 0
    if not a.arch or not a.out:
        ap.print_usage(sys.stderr)
        print("export.py: error: --arch and --out are required", file=sys.stderr)
        return 2
    if a.random_init and a.seed is None:
        print("export.py: error: --random-init needs --seed N", file=sys.stderr)
        return 2
    if a.seed is not None and not a.random_init:
        print("export.py: error: --seed is only meaningful with --random-init", file=sys.stderr)
        return 2
    if not a.random_init and not a.checkpoint:
        print("export.py: error: give --checkpoint FILE or --random-init --seed N", file=sys.stderr)
        return 2
    try:
        manifest = export(a.arch, a.out, checkpoint=a.checkpoint, seed=a.seed if a.random_init else None,
                          force=a.force, dtype=a.dtype, bfloat16=not a.no_bf16)
    except ExportError as e:
        print(f"export.py: error: {e}", file=sys.stderr)
        return 2
    comps: List[str] = [f"{n} ({c['file']}" + (f", {c['bfloat16']['file']}" if "bfloat16" in c else "") + ")"
                        for n, c in manifest["components"].items()]  # type: ignore[union-attr]
    print(f"exported {a.arch} to {os.path.abspath(a.out)}: {', '.join(comps)}")
    return 0
