#!/usr/bin/env python3
"""Local fidelity check: our components vs the official SAM / SAM 2.1 code, same random weights.

NOT part of the tests and never imported by them: it needs the official repositories, cloned by you into
$OFFICIAL_SRC (default /tmp/official) as /work/shared/tools/official_shim.py explains, and that shim
(../shared/tools/official_shim.py relative to the repository, or $OFFICIAL_SHIM_DIR).

    /usr/bin/python3 models/tools/parity_official.py                  # full size: SAM vit_b and SAM 2.1 tiny
    /usr/bin/python3 models/tools/parity_official.py --image-size 256  # quick run at a smaller input

The official models are built with random weights; EVERY parameter and buffer is perturbed with noise (also the
zero-initialised ones), the state dict is written as an official checkpoint file, and loaded into ours through
our strict loader (proving key compatibility). Each output's max |difference| is printed; exit status 1 when any
exceeds --tol (1e-4).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
_shim_dir = os.environ.get("OFFICIAL_SHIM_DIR", os.path.join(HERE, "..", "..", "..", "shared", "tools"))
for d in (_shim_dir, "/work/shared/tools"):
    if os.path.isfile(os.path.join(d, "official_shim.py")):
        sys.path.insert(0, d)
        break
import official_shim  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from promptonce_models import checkpoint, configs  # noqa: E402

RESULTS: List[Tuple[str, float]] = []


def report(name: str, ours: torch.Tensor, ref: torch.Tensor) -> None:
    assert ours.shape == ref.shape, f"{name}: shape {tuple(ours.shape)} vs official {tuple(ref.shape)}"
    d = (ours.float() - ref.float()).abs().max().item() if ours.numel() else 0.0
    scale = ref.float().abs().max().item() if ref.numel() else 0.0
    RESULTS.append((name, d))
    print(f"  {name:<58} max|diff| {d:.3e}   (max|ref| {scale:.3g})", flush=True)


@torch.no_grad()
def perturb_official(model: torch.nn.Module, seed: int, noise: float) -> None:
    g = torch.Generator().manual_seed(seed)
    for _, t in sorted(model.state_dict(keep_vars=True).items()):
        if t.is_floating_point():
            t.add_(noise * torch.randn(t.shape, generator=g))


def load_into_ours(official_sd: Dict[str, torch.Tensor], arch_cfg, family: str):
    model = checkpoint.build_model(arch_cfg)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "official.pt")
        torch.save({"model": official_sd} if family == "sam2" else official_sd, path)
        checkpoint.load_checkpoint(model, path)  # strict, official layout
    return model


# ------------------------------------------------------------------------------------------------- SAM (v1)

@torch.no_grad()
def check_sam(size: int, seed: int, noise: float) -> None:
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
    from functools import partial
    print(f"SAM vit_b at {size} px", flush=True)
    torch.manual_seed(seed)
    emb = size // 16
    off = Sam(
        image_encoder=ImageEncoderViT(depth=12, embed_dim=768, img_size=size, mlp_ratio=4,
                                      norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), num_heads=12, patch_size=16,
                                      qkv_bias=True, use_rel_pos=True, global_attn_indexes=[2, 5, 8, 11],
                                      window_size=14, out_chans=256),
        prompt_encoder=PromptEncoder(embed_dim=256, image_embedding_size=(emb, emb), input_image_size=(size, size),
                                     mask_in_chans=16),
        mask_decoder=MaskDecoder(num_multimask_outputs=3, transformer=TwoWayTransformer(
            depth=2, embedding_dim=256, mlp_dim=2048, num_heads=8), transformer_dim=256, iou_head_depth=3,
            iou_head_hidden_dim=256)).eval()
    perturb_official(off, seed, noise)
    import dataclasses
    cfg = dataclasses.replace(configs.get_config("sam_vit_b"), image_size=size)
    ours = load_into_ours(off.state_dict(), cfg, "sam")
    comp = {k: torch.jit.script(v) for k, v in ours.components().items()}

    g = torch.Generator().manual_seed(seed + 1)
    img = torch.randn(1, 3, size, size, generator=g)
    t0 = time.time()
    ref_emb = off.image_encoder(img)
    t1 = time.time()
    our_emb = comp["image_encoder"](img)
    t2 = time.time()
    print(f"  (image encoder: official {t1 - t0:.1f} s, ours {t2 - t1:.1f} s)")
    report("image_encoder: image_embeddings", our_emb, ref_emb)

    s = float(size)
    pts = torch.tensor([[[0.3 * s, 0.4 * s], [0.6 * s, 0.55 * s]]])
    lab = torch.tensor([[1, 0]], dtype=torch.int)
    box = torch.tensor([[0.2 * s, 0.25 * s, 0.7 * s, 0.8 * s]])
    mask_in = torch.randn(1, 1, 4 * emb, 4 * emb, generator=g) * 5
    none_pts = torch.zeros(1, 0, 2)
    none_lab = torch.zeros(1, 0, dtype=torch.int)
    cases = [
        ("1 point, multimask", pts[:, :1], lab[:, :1], None, None, True),
        ("2 points, single", pts, lab, None, None, False),
        ("box only, single", None, None, box, None, False),
        ("points + box + mask, single", pts, lab, box, mask_in, False),
        ("points + mask, multimask", pts, lab, None, mask_in, True),
    ]
    for name, p, l, b, m, multi in cases:
        sparse, dense = off.prompt_encoder(points=(p, l) if p is not None else None, boxes=b, masks=m)
        ref_m, ref_i = off.mask_decoder(image_embeddings=ref_emb, image_pe=off.prompt_encoder.get_dense_pe(),
                                        sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                        multimask_output=multi)
        our_m, our_i = comp["mask_decoder"](ref_emb, p if p is not None else none_pts,
                                            l if l is not None else none_lab, b, m, multi)
        report(f"mask_decoder [{name}]: masks", our_m, ref_m)
        report(f"mask_decoder [{name}]: iou", our_i, ref_i)


# ------------------------------------------------------------------------------------------------- SAM 2.1

def build_official_sam2(size: Optional[int] = None, config: str = "sam2.1_hiera_t", widths=None):
    """The official SAM2VideoPredictor of configs/sam2.1/<config>.yaml as build_sam2_video_predictor makes it (random
    weights); `size` replaces its 1024 input (and the RoPE grid) when given; `widths` (one of our Sam2Configs)
    replaces the trunk, neck, memory attention and memory encoder sizes by its own. The one place the scripts
    build it."""
    cfg = OmegaConf.load(os.path.join(official_shim.SRC, "sam2", "sam2", f"configs/sam2.1/{config}.yaml"))
    cfg.model._target_ = "sam2.sam2_video_predictor.SAM2VideoPredictor"
    if widths is not None:
        _set_widths(cfg.model, widths)
        size = widths.image_size
    if size is not None:
        cfg.model.image_size = size
        e = size // 16
        cfg.model.memory_attention.layer.self_attention.feat_sizes = [e, e]
        cfg.model.memory_attention.layer.cross_attention.feat_sizes = [e, e]
    # build_sam2_video_predictor(apply_postprocessing=True)
    cfg.model.sam_mask_decoder_extra_args = {"dynamic_multimask_via_stability": True,
                                             "dynamic_multimask_stability_delta": 0.05,
                                             "dynamic_multimask_stability_thresh": 0.98}
    cfg.model.binarize_mask_from_pts_for_mem_enc = True
    cfg.model.fill_hole_area = 8
    OmegaConf.resolve(cfg)
    return official_shim.instantiate(cfg.model).eval()


def _set_widths(model, arch) -> None:
    """Our Sam2Config's sizes into the official model config. SAM2Base hard-codes the SAM heads (8 heads, MLP 2048,
    IoU head 256, mask_in_chans 16) and MaskDownSampler its channels: an arch that differs there cannot be built."""
    d = arch.decoder
    fixed = (d.depth, d.num_heads, d.mlp_dim, d.iou_head_hidden_dim, d.mask_in_chans, d.num_multimask_outputs,
             d.iou_head_depth, d.hypernet_hidden_dim, arch.mask_downsampler_channels)
    if fixed != (2, 8, 2048, 256, 16, 3, 3, 0, (4, 16, 64, 256)):
        raise ValueError(f"{arch.name}: the official SAM2Base cannot build these decoder / mask downsampler sizes")
    t = model.image_encoder.trunk
    t.embed_dim, t.num_heads = arch.embed_dim, arch.num_heads
    t.stages, t.global_att_blocks = list(arch.stages), list(arch.global_att_blocks)
    t.window_spec = list(arch.window_spec)
    t.window_pos_embed_bkg_spatial_size = list(arch.window_pos_embed_bkg_spatial_size)
    neck = model.image_encoder.neck
    neck.d_model = arch.d_model
    neck.backbone_channel_list = list(reversed(arch.stage_dims))
    neck.position_encoding.num_pos_feats = arch.d_model
    ma = model.memory_attention
    ma.d_model, ma.num_layers = arch.d_model, arch.mem_attn_layers
    ma.layer.d_model, ma.layer.dim_feedforward = arch.d_model, arch.mem_attn_ffn_dim
    for att in (ma.layer.self_attention, ma.layer.cross_attention):
        att.embedding_dim, att.num_heads, att.rope_theta = arch.d_model, arch.mem_attn_heads, arch.rope_theta
    ma.layer.cross_attention.kv_in_dim = arch.mem_dim
    me = model.memory_encoder
    me.out_dim, me.in_dim = arch.mem_dim, arch.d_model
    me.position_encoding.num_pos_feats = arch.mem_dim
    me.mask_downsampler.embed_dim = arch.d_model
    me.fuser.layer.dim, me.fuser.num_layers = arch.d_model, arch.fuser_layers


def build_official_sam(arch):
    """The official Sam of one of our SamConfigs, built from its modules as segment-anything's _build_sam does
    (which fixes the 1024 input, 256 channels and decoder sizes), random weights."""
    from functools import partial
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
    d = arch.decoder
    if d.hypernet_hidden_dim not in (0, d.dim) or d.attention_downsample_rate != 2:
        raise ValueError(f"{arch.name}: the official MaskDecoder cannot build these decoder sizes")
    emb = arch.embedding_size
    return Sam(
        image_encoder=ImageEncoderViT(
            depth=arch.depth, embed_dim=arch.embed_dim, img_size=arch.image_size, mlp_ratio=arch.mlp_ratio,
            norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), num_heads=arch.num_heads, patch_size=arch.patch_size,
            qkv_bias=arch.qkv_bias, use_rel_pos=arch.use_rel_pos, global_attn_indexes=list(arch.global_attn_indexes),
            window_size=arch.window_size, out_chans=arch.out_chans),
        prompt_encoder=PromptEncoder(embed_dim=d.dim, image_embedding_size=(emb, emb),
                                     input_image_size=(arch.image_size, arch.image_size),
                                     mask_in_chans=d.mask_in_chans),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=d.num_multimask_outputs,
            transformer=TwoWayTransformer(depth=d.depth, embedding_dim=d.dim, mlp_dim=d.mlp_dim,
                                          num_heads=d.num_heads),
            transformer_dim=d.dim, iou_head_depth=d.iou_head_depth, iou_head_hidden_dim=d.iou_head_hidden_dim),
    ).eval()


def select_memories(frame_idx: int, cond: Dict[int, dict], non_cond: Dict[int, dict], num_frames: int,
                    reverse: bool, cfg) -> Tuple[List[torch.Tensor], List[int], List[torch.Tensor], List[int]]:
    """The host's job, written from SAM2Base._prepare_memory_conditioned_features (eval mode, all conditioning
    frames selected): which spatial memories with which t_pos, which pointers with which signed distance."""
    mems, tpos, ptrs, ptr_pos = [], [], [], []
    for t, out in cond.items():
        mems.append(out["maskmem_features"])
        tpos.append(0)
    r = cfg.memory_temporal_stride_for_eval
    for t_pos in range(1, cfg.num_maskmem):
        t_rel = cfg.num_maskmem - t_pos
        if t_rel == 1:
            prev = frame_idx + 1 if reverse else frame_idx - 1
        elif not reverse:
            prev = ((frame_idx - 2) // r) * r - (t_rel - 2) * r
        else:
            prev = -(-(frame_idx + 2) // r) * r + (t_rel - 2) * r
        out = non_cond.get(prev)
        if out is not None:
            mems.append(out["maskmem_features"])
            tpos.append(t_pos)
    max_ptrs = min(num_frames, cfg.max_obj_ptrs_in_encoder)
    sign = -1 if reverse else 1
    for t, out in cond.items():
        if (t >= frame_idx) if reverse else (t <= frame_idx):  # only_obj_ptrs_in_the_past_for_eval
            ptrs.append(out["obj_ptr"])
            ptr_pos.append((frame_idx - t) * sign if cfg.use_signed_tpos_enc_to_obj_ptrs else abs(frame_idx - t))
    for t_diff in range(1, max_ptrs):
        t = frame_idx + t_diff if reverse else frame_idx - t_diff
        if t < 0 or t >= num_frames:
            break
        out = non_cond.get(t)
        if out is not None:
            ptrs.append(out["obj_ptr"])
            ptr_pos.append(t_diff)
    return mems, tpos, ptrs, ptr_pos


@torch.no_grad()
def check_sam2(size: int, seed: int, noise: float) -> None:
    print(f"SAM 2.1 hiera tiny at {size} px", flush=True)
    torch.manual_seed(seed)
    off = build_official_sam2(size)
    perturb_official(off, seed, noise)
    import dataclasses
    cfg = dataclasses.replace(configs.get_config("sam2.1_hiera_t"), image_size=size)
    ours = load_into_ours(off.state_dict(), cfg, "sam2")
    comp = {k: torch.jit.script(v) for k, v in ours.components().items()}
    enc, dec, mattn, menc = (comp[k] for k in ("image_encoder", "mask_decoder", "memory_attention",
                                               "memory_encoder"))
    e = size // 16
    g = torch.Generator().manual_seed(seed + 1)

    def encode(img):
        t0 = time.time()
        bo = off.forward_image(img)
        _, vf, vp, fs = off._prepare_backbone_features(bo)
        t1 = time.time()
        s0, s1, l2 = enc(img)
        t2 = time.time()
        return bo, vf, vp, fs, (s0, s1, l2), (t1 - t0, t2 - t1)

    frames = [torch.randn(1, 3, size, size, generator=g) for _ in range(2)]
    enc_out = [encode(f) for f in frames]
    bo, vf, vp, fs, (s0, s1, l2), (ta, tb) = enc_out[0]
    print(f"  (image encoder: official {ta:.1f} s, ours {tb:.1f} s)")
    report("image_encoder: feat_s0 (conv_s0)", s0, bo["backbone_fpn"][0])
    report("image_encoder: feat_s1 (conv_s1)", s1, bo["backbone_fpn"][1])
    report("image_encoder: vision_features (level 2)", l2, bo["backbone_fpn"][2])
    report("memory_attention.vision_pos_enc == official level-2 PE", mattn.vision_pos_enc, bo["vision_pos_enc"][2])
    hr = [bo["backbone_fpn"][0], bo["backbone_fpn"][1]]
    no_mem = mattn.no_memory(l2)
    ref_no_mem = (vf[-1] + off.no_mem_embed).permute(1, 2, 0).reshape(1, 256, e, e)
    report("memory_attention.no_memory", no_mem, ref_no_mem)

    s = float(size)
    pts = torch.tensor([[[0.3 * s, 0.4 * s], [0.6 * s, 0.55 * s]]])
    lab = torch.tensor([[1, 0]], dtype=torch.int32)
    box_pts = torch.tensor([[[0.2 * s, 0.25 * s], [0.7 * s, 0.8 * s]]])
    box_lab = torch.tensor([[2, 3]], dtype=torch.int32)
    mask_in = torch.clamp(torch.randn(1, 1, 4 * e, 4 * e, generator=g) * 10, -32, 32)
    empty_p, empty_l = torch.zeros(1, 0, 2), torch.zeros(1, 0, dtype=torch.int32)

    # image mode (SAM2ImagePredictor._predict)
    pe = off.sam_prompt_encoder
    for name, p, l, m, multi in [("1 point, multimask", pts[:, :1], lab[:, :1], None, True),
                                 ("box + 2 points, single (stability)", torch.cat([box_pts, pts], 1),
                                  torch.cat([box_lab, lab], 1), None, False),
                                 ("mask only, single", None, None, mask_in, False)]:
        sparse, dense = pe(points=(p, l) if p is not None else None, boxes=None, masks=m)
        ref = off.sam_mask_decoder(image_embeddings=ref_no_mem, image_pe=pe.get_dense_pe(),
                                   sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                   multimask_output=multi, repeat_image=False, high_res_features=hr)
        our = dec(no_mem, s0, s1, p if p is not None else empty_p, l if l is not None else empty_l, m, multi, True)
        for j, nm in enumerate(("masks", "iou", "sam_tokens", "object_score_logits")):
            report(f"mask_decoder.forward [{name}]: {nm}", our[j], ref[j])

    # video mode heads (SAM2Base._forward_sam_heads)
    names = ("low_res_multimasks", "ious", "low_res_masks", "high_res_masks", "obj_ptr", "object_score_logits")
    for name, p, l, m, multi in [("1 point, multimask (init cond frame)", pts[:, :1], lab[:, :1], None, True),
                                 ("box + point, single", torch.cat([box_pts, pts[:, :1]], 1),
                                  torch.cat([box_lab, lab[:, :1]], 1), None, False),
                                 ("points + previous logits, single", pts, lab, mask_in, False),
                                 ("no prompt (tracking), multimask", None, None, None, True)]:
        ref = off._forward_sam_heads(backbone_features=ref_no_mem,
                                     point_inputs={"point_coords": p, "point_labels": l} if p is not None else None,
                                     mask_inputs=m, high_res_features=hr, multimask_output=multi)
        our = dec.track(no_mem, s0, s1, p if p is not None else empty_p, l if l is not None else empty_l, m,
                        multi, True)
        ref_sel = (ref[0], ref[2], ref[3], ref[4], ref[5], ref[6])
        for j, nm in enumerate(names):
            report(f"mask_decoder.track [{name}]: {nm}", our[j], ref_sel[j])

    # mask as output (SAM2Base._use_mask_as_output), object present and absent
    raw = vf[-1].permute(1, 2, 0).reshape(1, 256, e, e)
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    disc = (((yy - 0.45 * s) ** 2 + (xx - 0.5 * s) ** 2) < (0.2 * s) ** 2).float()[None, None]
    for name, mk in [("disc", disc), ("empty", torch.zeros_like(disc))]:
        ref = off._use_mask_as_output(raw, hr, mk)
        our = dec.mask_as_output(raw, s0, s1, mk)
        ref_sel = (ref[0], ref[2], ref[3], ref[4], ref[5], ref[6])
        for j, nm in enumerate(names):
            report(f"mask_decoder.mask_as_output [{name}]: {nm}", our[j], ref_sel[j])

    # memory encoder (SAM2Base._encode_new_memory): low-res logits upsampled inside, binarised or sigmoid
    low = torch.randn(1, 1, 4 * e, 4 * e, generator=g) * 8
    for name, score, from_pts in [("object present, from points (binarised)", 3.0, True),
                                  ("object present, tracked (sigmoid)", 1.5, False),
                                  ("object absent (no_obj_embed_spatial)", -2.0, False)]:
        sc = torch.tensor([[score]])
        high = F.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
        ref_f, ref_p = off._encode_new_memory(vf, fs, high, sc, from_pts)
        our_f = menc(l2, low, sc, from_pts and off.binarize_mask_from_pts_for_mem_enc)
        report(f"memory_encoder [{name}]: maskmem_features", our_f, ref_f)
        report(f"memory_encoder [{name}]: full-res mask input", menc(l2, high, sc, from_pts), ref_f)
    report("memory_encoder.maskmem_pos_enc == official", menc.maskmem_pos_enc, ref_p[0])

    # memory attention (SAM2Base._prepare_memory_conditioned_features) with a bank built by our encoder
    num_frames = 12
    _, vf1, vp1, fs1, (_, _, l2b), _ = enc_out[1]
    bank = {}
    for t in range(num_frames):
        lo = torch.randn(1, 1, 4 * e, 4 * e, generator=g) * 8
        sc = torch.tensor([[(-1.0) if t == 7 else 2.0]])
        mf = menc(l2 if t % 2 else l2b, lo, sc, False).to(torch.bfloat16)  # the official store keeps bfloat16
        bank[t] = {"maskmem_features": mf, "maskmem_pos_enc": [menc.maskmem_pos_enc.clone()],
                   "obj_ptr": torch.randn(1, 256, generator=g), "object_score_logits": sc}
    scenarios = [
        ("forward f=9, cond {2}, non-cond 3..8", 9, [2], range(3, 9), False),
        ("forward f=5, cond {0, 8} (one ahead), non-cond 1..4", 5, [0, 8], range(1, 5), False),
        ("reverse f=3, cond {10}, non-cond 4..9", 3, [10], range(4, 10), True),
        ("forward f=1, cond {0} only", 1, [0], [], False),
    ]
    for name, f, cond_ts, non_ts, rev in scenarios:
        out = {"cond_frame_outputs": {t: bank[t] for t in cond_ts},
               "non_cond_frame_outputs": {t: bank[t] for t in non_ts}}
        ref = off._prepare_memory_conditioned_features(
            frame_idx=f, is_init_cond_frame=False, current_vision_feats=vf1[-1:],
            current_vision_pos_embeds=vp1[-1:], feat_sizes=fs1[-1:], output_dict=out, num_frames=num_frames,
            track_in_reverse=rev)
        mems, tpos, ptrs, ppos = select_memories(f, out["cond_frame_outputs"], out["non_cond_frame_outputs"],
                                                 num_frames, rev, off)
        t0 = time.time()
        our = mattn(l2b, mems, tpos, ptrs, ppos, num_frames)
        dt = time.time() - t0
        report(f"memory_attention [{name}; {len(mems)} mem, {len(ptrs)} ptr, {dt:.1f} s]", our, ref)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image-size", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--noise", type=float, default=0.02, help="std of the noise added to every official weight")
    ap.add_argument("--only", choices=["sam", "sam2"], default=None)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, official code from {official_shim.SRC}", flush=True)
    t0 = time.time()
    if a.only in (None, "sam"):
        check_sam(a.image_size, a.seed, a.noise)
    if a.only in (None, "sam2"):
        check_sam2(a.image_size, a.seed, a.noise)
    worst = max(RESULTS, key=lambda r: r[1])
    bad = [r for r in RESULTS if not r[1] <= a.tol]
    print(f"{len(RESULTS)} comparisons in {time.time() - t0:.0f} s; worst {worst[0]}: {worst[1]:.3e}; "
          f"{'ALL within' if not bad else str(len(bad)) + ' ABOVE'} tolerance {a.tol:g}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
