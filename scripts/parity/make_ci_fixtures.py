"""Writes the official predictors' outputs that CI compares the Java library with (OfficialParityTest).

Run by whoever changes models/ or the fixtures (needs the official repositories in $OFFICIAL_SRC and
../shared/tools/official_shim.py; neither is a project dependency, CI only reads what this writes):

    OFFICIAL_SRC=/work/official /usr/bin/python3 scripts/parity/make_ci_fixtures.py

(a) Two small random-weight checkpoints in the official file layout, every tensor perturbed (seed fixed) and
    stored in float16 to keep them small (both sides load them into float32): `parity-sam2.1` (SAM 2.1, 256 px)
    and `parity-sam` (SAM v1, 256 px); models/promptonce_models/configs.py has their sizes.
(b) The official SAM2VideoPredictor (built as build_sam2_video_predictor builds it) on a synthetic uint8 volume of
    6 slices of 256 x 256: object 1 prompted on slice 2 with a positive point, a negative point and a box, object 2
    on slice 3 with one positive point; propagate_in_video forward then reverse from the earliest prompted slice.
    Frames are handed over as tensors at the model size (no JPEG / resize); on CPU its hole filling is skipped.
    Object 2 tracked on slice 2 attends to memory without object pointers, where the official code fails in
    float32 on CPU: the script casts that memory as torch.cat does elsewhere (float_memory_without_pointers).
    The official SamPredictor on a 256 x 192 slice (longest side = model size: padding, no resize): one point
    (multimask, best IoU), point + negative point + box and box only (single mask).
(c) In the output directory (default java/src/test/resources/parity/): the checkpoints, the inputs and the
    outputs as raw little-endian files, and index.json naming each with its shape, the prompts and sha256 of
    each checkpoint. Outputs: the decoder's low-resolution logits per object per slice (float32), the masks at the
    slice's resolution (packed bits, row-major, most significant bit first), the object score logits (SAM: the
    IoU) and `near_zero`: the full-resolution logits within 1e-4 of 0 (flat index, logit), the ties where a mask
    pixel may differ when the logits agree within the bar. About 2.7 MB in all (the SAM 2.1 checkpoint 1.6 MB).

The run is deterministic: rerunning it rewrites the same bytes (the index also records the official commits).
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "models"))
sys.path.insert(0, os.path.join(ROOT, "models", "tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from parity_official import build_official_sam, build_official_sam2  # noqa: E402  (via the shim)
import official_shim  # noqa: E402
from promptonce_models import checkpoint, configs  # noqa: E402

SAM2_ARCH = "parity-sam2.1"
SAM_ARCH = "parity-sam"
SEED = 0
SLICES = 6
TOLERANCE = 1e-4  # the bar of issue 16: max |dlogit|; also the band around 0 where masks may differ (see near_zero)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_checkpoint(arch, seed, out_dir):
    """Random weights of `arch` (every tensor perturbed), rounded to float16, in the official layout."""
    model = checkpoint.random_model(configs.get_config(arch), seed)
    ckpt = checkpoint.official_checkpoint(model)
    sd = ckpt["model"] if "model" in ckpt else ckpt
    for k, v in sd.items():
        if v.is_floating_point():
            sd[k] = v.half()
    path = os.path.join(out_dir, f"{arch}.pt")
    torch.save(ckpt, path)
    return path


def load_official(module, path):
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    module.load_state_dict(ckpt["model"] if "model" in ckpt else ckpt, strict=True)  # float16 -> float32 params


def discs(frames, height, width, seed):
    """uint8 [frames, H, W]: a bright disc drifting right and a dimmer square, on a noisy background."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(height, dtype=torch.float32), torch.arange(width, dtype=torch.float32),
                            indexing="ij")
    out = []
    for k in range(frames):
        cx = width * (0.3 + 0.15 * k / max(1, frames - 1))
        disc = ((xx - cx) ** 2 + (yy - height * 0.4) ** 2) < (min(height, width) * 0.15) ** 2
        square = (xx - width * 0.72).abs().maximum((yy - height * (0.65 + 0.02 * k)).abs()) < min(height, width) * 0.1
        noise = torch.randint(0, 40, (height, width), generator=g).float()
        v = torch.where(disc, 180 + noise, torch.where(square, 120 + noise, 30 + noise))
        out.append(v.clamp(0, 255).to(torch.uint8))
    return torch.stack(out)


def save(out_dir, name, array, dtype):
    a = np.ascontiguousarray(np.asarray(array).astype(dtype))
    a.tofile(os.path.join(out_dir, name))
    return {"file": name, "dtype": np.dtype(dtype).name, "shape": list(a.shape)}


def save_bits(out_dir, name, masks):
    """bool [..., H, W] -> packed bits (per mask row-major, most significant bit first), masks concatenated."""
    m = np.asarray(masks, dtype=bool)
    per = m.shape[-2] * m.shape[-1]
    flat = m.reshape(-1, per)
    packed = np.packbits(flat, axis=1, bitorder="big")
    packed.tofile(os.path.join(out_dir, name))
    return {"file": name, "dtype": "bits", "shape": list(m.shape), "bytes_per_mask": packed.shape[1]}


def save_near_zero(out_dir, name, logits):
    """The official full-resolution logits within TOLERANCE of 0, [..., H, W] flattened: (flat index, logit) pairs.
    Only there may a mask pixel differ when the logits agree within TOLERANCE; the test checks our logit there."""
    flat = np.asarray(logits, dtype=np.float32).reshape(-1)
    at = np.flatnonzero(np.abs(flat) <= TOLERANCE)
    return {"below": TOLERANCE, "index": save(out_dir, name + ".i32", at, "<i4"),
            "logit": save(out_dir, name + ".f32", flat[at], "<f4")}


def prompt_json(points, labels, box):
    return {"points": [{"x": float(p[0]), "y": float(p[1]), "positive": bool(l == 1)} for p, l in zip(points, labels)],
            "box": None if box is None else [float(v) for v in box]}


def float_memory_without_pointers():
    """The official predictor stores memories in bfloat16; torch.cat with the float32 object pointers promotes them
    to float32 before the memory attention. A frame with no pointer to attend to (object 2 tracked on slice 2,
    before its prompted slice 3) leaves them bfloat16, and in float32 on CPU the attention fails (`mat1 and mat2
    must have the same dtype`; on GPU it runs under bfloat16 autocast). Cast there as the promotion does elsewhere:
    the same values, no other change. Returns the list of the frames' dtypes it cast from."""
    from sam2.modeling.memory_attention import MemoryAttention
    forward = MemoryAttention.forward
    cast_from = []

    def cast(self, curr, memory, *args, **kwargs):
        dtype = (curr[0] if isinstance(curr, list) else curr).dtype
        if memory.dtype != dtype:
            cast_from.append(str(memory.dtype))
        return forward(self, curr, memory.to(dtype), *args, **kwargs)

    MemoryAttention.forward = cast
    return cast_from


@torch.inference_mode()
def sam2_fixtures(ckpt, out_dir):
    cfg = configs.get_config(SAM2_ARCH)
    s = cfg.image_size
    predictor = build_official_sam2(widths=cfg)
    load_official(predictor, ckpt)
    import sam2.sam2_video_predictor as vp
    vol = discs(SLICES, s, s, SEED)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    images = (vol.float()[:, None].expand(-1, 3, -1, -1) / 255.0 - mean) / std
    vp.load_video_frames = lambda **kw: (images, s, s)  # frames as tensors at the model size, no JPEG round trip
    prompts = [  # (object id, slice, points, labels, box)
        (1, 2, [[0.375 * s, 0.4 * s], [0.47 * s, 0.25 * s]], [1, 0], [0.2 * s, 0.22 * s, 0.52 * s, 0.58 * s]),
        (2, 3, [[0.72 * s, 0.7 * s]], [1], None),
    ]
    cast_from = float_memory_without_pointers()
    state = predictor.init_state(video_path="synthetic")
    for obj, frame, pts, labels, box in prompts:
        predictor.add_new_points_or_box(state, frame_idx=frame, obj_id=obj, points=pts, labels=labels, box=box)
    full = torch.full((len(prompts), SLICES, s, s), float("nan"))
    for reverse in (False, True):
        for f, obj_ids, masks in predictor.propagate_in_video(state, reverse=reverse):
            for i, _ in enumerate(obj_ids):
                full[i, f] = masks[i, 0].float()
    assert not torch.isnan(full).any(), "a slice was not segmented"
    print(f"memory attention calls whose memory was cast to float32 (no object pointer): {cast_from}")
    low = torch.empty(len(prompts), SLICES, cfg.low_res_size, cfg.low_res_size)
    scores = torch.empty(len(prompts), SLICES)
    for i, obj in enumerate(state["obj_ids"]):
        per = state["output_dict_per_obj"][state["obj_id_to_idx"][obj]]
        for f in range(SLICES):
            out = per["cond_frame_outputs"].get(f) or per["non_cond_frame_outputs"][f]
            low[i, f] = out["pred_masks"][0, 0].float()
            scores[i, f] = out["object_score_logits"].float().flatten()[0]
    # the full-resolution logits the predictor yielded are the bilinear upsampling of the stored low-res ones
    up = F.interpolate(low.reshape(-1, 1, cfg.low_res_size, cfg.low_res_size), size=(s, s), mode="bilinear",
                       align_corners=False).reshape(full.shape)
    assert torch.equal(up, full), "official full-res output is not the upsampled low-res logits"
    fg = (full > 0).flatten(2).sum(-1)
    for i, (obj, *_rest) in enumerate(prompts):
        print(f"SAM 2.1 object {obj}: foreground per slice {fg[i].tolist()} of {s * s}, "
              f"object scores {[round(v, 3) for v in scores[i].tolist()]}")
    return {
        "arch": SAM2_ARCH, "checkpoint": os.path.basename(ckpt), "checkpoint_sha256": sha256(ckpt),
        "volume": save(out_dir, "sam2-volume.u8", vol.numpy(), "<u1"),
        "objects": [dict(id=obj, slice=frame, **prompt_json(pts, labels, box))
                    for obj, frame, pts, labels, box in prompts],
        "propagation": "official propagate_in_video forward, then reverse, from the earliest prompted slice",
        "low_res_logits": save(out_dir, "sam2-lowres.f32", low.numpy(), "<f4"),
        "object_score_logits": save(out_dir, "sam2-scores.f32", scores.numpy(), "<f4"),
        "masks": save_bits(out_dir, "sam2-masks.bits", (full > 0).numpy()),
        "near_zero": save_near_zero(out_dir, "sam2-nearzero", full.numpy()),
    }


@torch.inference_mode()
def sam_fixtures(ckpt, out_dir):
    from segment_anything import SamPredictor
    cfg = configs.get_config(SAM_ARCH)
    w, h = cfg.image_size, cfg.image_size * 3 // 4
    sam = build_official_sam(cfg)
    load_official(sam, ckpt)
    predictor = SamPredictor(sam)
    img = discs(1, h, w, SEED + 1)[0]
    predictor.set_image(img[:, :, None].expand(-1, -1, 3).numpy())
    cases = [  # (name, points, labels, box, multimask as SamPredictor is asked)
        ("point", [[0.3 * w, 0.4 * h]], [1], None, True),
        ("points+box", [[0.3 * w, 0.4 * h], [0.45 * w, 0.2 * h]], [1, 0], [0.12 * w, 0.18 * h, 0.5 * w, 0.62 * h],
         False),
        ("box", [], [], [0.6 * w, 0.5 * h, 0.85 * w, 0.8 * h], False),
    ]
    low, full, ious, out_cases = [], [], [], []
    for name, pts, labels, box, multi in cases:
        m, iou, lr = predictor.predict(point_coords=np.array(pts) if pts else None,
                                       point_labels=np.array(labels) if pts else None,
                                       box=None if box is None else np.array(box), multimask_output=multi,
                                       return_logits=True)
        best = int(np.argmax(iou))  # a single-mask request has one; the Java API returns the best of several
        low.append(lr[best])
        full.append(m[best])
        ious.append(iou[best])
        out_cases.append(dict(name=name, multimask=multi, **prompt_json(pts, labels, box)))
        print(f"SAM {name}: foreground {int((m[best] > 0).sum())} of {w * h}, iou {iou[best]:.3f}")
    return {
        "arch": SAM_ARCH, "checkpoint": os.path.basename(ckpt), "checkpoint_sha256": sha256(ckpt),
        "image": save(out_dir, "sam-image.u8", img.numpy(), "<u1"),
        "cases": out_cases,
        "low_res_logits": save(out_dir, "sam-lowres.f32", np.stack(low), "<f4"),
        "iou": save(out_dir, "sam-iou.f32", np.array(ious), "<f4"),
        "masks": save_bits(out_dir, "sam-masks.bits", np.stack(full) > 0),
        "near_zero": save_near_zero(out_dir, "sam-nearzero", np.stack(full)),
    }


def official_commit(repo):
    try:
        return subprocess.run(["git", "-C", os.path.join(official_shim.SRC, repo), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "java", "src", "test", "resources", "parity"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(1)  # the same float order on every machine
    index = {
        "generator": "scripts/parity/make_ci_fixtures.py",
        "official": {"sam2": official_commit("sam2"), "segment-anything": official_commit("segment-anything")},
        "torch": torch.__version__,
        "tolerance": {"max_abs_logit": TOLERANCE, "mask_agreement": 1.0},
        "sam2": sam2_fixtures(write_checkpoint(SAM2_ARCH, SEED, a.out), a.out),
        "sam": sam_fixtures(write_checkpoint(SAM_ARCH, SEED, a.out), a.out),
    }
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(a.out, n)) for n in os.listdir(a.out))
    print(f"wrote {a.out}: {len(os.listdir(a.out))} files, {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
