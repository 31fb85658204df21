"""The bfloat16 variants an export writes beside the float32 components.

Only the components that carry a frame's arithmetic get a bfloat16 variant: the image encoder (both families) and
SAM 2's memory attention. The mask decoders stay float32 in every export: they cost about 1 % of a SAM 2 frame
(docs/performance.md) and decide what the user sees: mask logits and their upsampling, predicted IoU, the object
score and the object pointer. The memory encoder stays float32 too (its output is stored in bfloat16 as the
official store does): in bfloat16 on LibTorch 2.10's CPU kernels (the JavaCPP backend) it changed the memories
enough that the default model's masks drifted (3-D Dice to the truth 0.94 -> 0.77 on a phantom, while LibTorch 1.13
kept 0.94), and it costs about 1.5 % of a frame.

A bfloat16 variant is the float32 component with every parameter and buffer cast; each component casts its inputs to
its own weights' dtype on entry, so float32 and bfloat16 components mix in any order. Inside a bfloat16 component
LibTorch's CPU and CUDA kernels accumulate softmax, layer-norm statistics and matrix products in float32; the prompt
encoder's random Fourier features are computed in float32 whatever their matrix's dtype."""
from __future__ import annotations

import copy
from typing import Dict, Tuple

import torch
from torch import nn

BFLOAT16 = "bfloat16"
BFLOAT16_COMPONENTS: Dict[str, Tuple[str, ...]] = {
    "sam2": ("image_encoder", "memory_attention"),
    "sam": ("image_encoder",),
}


def bfloat16_components(family: str) -> Tuple[str, ...]:
    """Names of the components of `family` ("sam" or "sam2") that get a bfloat16 variant."""
    if family not in BFLOAT16_COMPONENTS:
        raise ValueError(f"unknown model family {family!r} (expected one of {sorted(BFLOAT16_COMPONENTS)})")
    return BFLOAT16_COMPONENTS[family]


def bfloat16_copy(component: nn.Module) -> nn.Module:
    """A copy of `component` (eval mode) with every floating parameter and buffer in bfloat16."""
    return copy.deepcopy(component).eval().to(torch.bfloat16)


def variant_file(name: str) -> str:
    return f"{name}.bf16.pt"
