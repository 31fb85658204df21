#!/usr/bin/env python3
"""How far mere rounding moves the OFFICIAL outputs: SAM 2.1 tiny's level-2 image features, and its memory
attention over a bank (7 memories, 7 pointers; the same inputs for both), from the official code with the shim's
plain attention (torch 1.13: matmul, scale, softmax, matmul) vs the rounding of torch 2.x's math attention (q and k
each scaled by sqrt(scale)) and of a flash-style blocked attention with an online softmax (the scheme of torch
2.x's CPU kernel), same random weights. A yardstick for parity_official.py: a
difference between ours and the official of that size is the official code's own sensitivity to the order of
float operations, not a discrepancy. Local only (needs the official code and the shim, as parity_official.py).

    /usr/bin/python3 models/tools/official_rounding.py [--noise 0.02] [--image-size 1024]
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_official as po  # noqa: E402  (finds the shim and the official code)


def torch2_math(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    s = math.sqrt(scale if scale is not None else 1.0 / math.sqrt(q.size(-1)))
    a = torch.matmul(q * s, k.transpose(-2, -1) * s)
    return torch.matmul(a.softmax(dim=-1), v)


def flash_style(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, q_block=128, kv_block=512):
    """Blocked attention with an online softmax over key blocks, the scheme of torch 2.x's CPU SDPA kernel
    (flash attention): the same math, another order of float operations."""
    s = scale if scale is not None else 1.0 / math.sqrt(q.size(-1))
    outs = []
    for i in range(0, q.shape[-2], q_block):
        qi = q[..., i:i + q_block, :]
        m = torch.full(qi.shape[:-1] + (1,), float("-inf"))
        l = torch.zeros(qi.shape[:-1] + (1,))
        acc = torch.zeros(qi.shape[:-1] + (v.shape[-1],))
        for j in range(0, k.shape[-2], kv_block):
            sc = torch.matmul(qi, k[..., j:j + kv_block, :].transpose(-2, -1)) * s
            m_new = torch.maximum(m, sc.amax(dim=-1, keepdim=True))
            p = torch.exp(sc - m_new)
            c = torch.exp(m - m_new)
            l = l * c + p.sum(dim=-1, keepdim=True)
            acc = acc * c + torch.matmul(p, v[..., j:j + kv_block, :])
            m = m_new
        outs.append(acc / l)
    return torch.cat(outs, dim=-2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--image-size", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    plain = F.scaled_dot_product_attention
    size = a.image_size
    e = size // 16
    with torch.no_grad():
        torch.manual_seed(0)
        off = po.build_official_sam2(size)
        po.perturb_official(off, 0, a.noise)
        g = torch.Generator().manual_seed(1)
        img = torch.randn(1, 3, size, size, generator=g)
        variants = {"torch-2 math": torch2_math, "flash-style": flash_style}
        feats = {}
        for name, f in [("plain", plain)] + list(variants.items()):
            F.scaled_dot_product_attention = f
            feats[name] = off.forward_image(img)["backbone_fpn"][2]
        F.scaled_dot_product_attention = plain
        _, vf, vp, fs = off._prepare_backbone_features(off.forward_image(img))
        bank = {}
        for t in range(12):
            low = torch.randn(1, 1, 4 * e, 4 * e, generator=g) * 8
            high = F.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
            sc = torch.tensor([[2.0]])
            mf, mp = off._encode_new_memory(vf, fs, high, sc, False)
            bank[t] = {"maskmem_features": mf.to(torch.bfloat16), "maskmem_pos_enc": mp,
                       "obj_ptr": torch.randn(1, 256, generator=g), "object_score_logits": sc}
        out = {"cond_frame_outputs": {2: bank[2]}, "non_cond_frame_outputs": {t: bank[t] for t in range(3, 9)}}
        conditioned = {}
        for name, f in [("plain", plain)] + list(variants.items()):
            F.scaled_dot_product_attention = f
            conditioned[name] = (off._prepare_memory_conditioned_features(
                frame_idx=9, is_init_cond_frame=False, current_vision_feats=vf[-1:],
                current_vision_pos_embeds=vp[-1:], feat_sizes=fs[-1:], output_dict=out, num_frames=12,
                track_in_reverse=False))
        F.scaled_dot_product_attention = plain
    for what, res in (("level-2 image features", feats), ("memory attention (7 memories, 7 pointers)",
                                                           conditioned)):
        x = res["plain"]
        for name in variants:
            print(f"noise {a.noise}, {size} px: official {what}, plain vs {name} attention: "
                  f"max|diff| {(x - res[name]).abs().max().item():.3e} (max|ref| {x.abs().max().item():.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
