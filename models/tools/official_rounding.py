#!/usr/bin/env python3
"""How far mere rounding moves the OFFICIAL outputs: SAM 2.1 tiny's level-2 image features from the official code
with the shim's plain attention (torch 1.13: matmul, scale, softmax, matmul) vs the rounding of torch 2.x's math
attention (q and k each scaled by sqrt(scale)), same random weights. A yardstick for parity_official.py: a
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--image-size", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    plain = F.scaled_dot_product_attention
    with torch.no_grad():
        torch.manual_seed(0)
        off = po.build_official_sam2(a.image_size)
        po.perturb_official(off, 0, a.noise)
        img = torch.randn(1, 3, a.image_size, a.image_size, generator=torch.Generator().manual_seed(1))
        outs = []
        for f in (plain, torch2_math):
            F.scaled_dot_product_attention = f
            outs.append(off.forward_image(img)["backbone_fpn"][2])
    d = (outs[0] - outs[1]).abs().max().item()
    print(f"noise {a.noise}, {a.image_size} px: official level-2 features, plain vs torch-2 math attention: "
          f"max|diff| {d:.3e} (max|ref| {outs[0].abs().max().item():.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
