"""SAM (v1) image encoder: ViT with windowed and global blocks, decomposed relative positions, conv neck.

Parameter names follow segment-anything's `ImageEncoderViT` (keys under `image_encoder.`)."""

from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .common import ATTENTION_BLOCK, LayerNorm2d, MLPBlock, window_partition, window_unpartition
from .configs import SamConfig


class PatchEmbed(nn.Module):
    def __init__(self, patch: int, in_chans: int, dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(x).permute(0, 2, 3, 1)  # B H W C


def rel_pos_table(q_size: int, k_size: int, rel_pos: Tensor) -> Tensor:
    """Relative position embeddings [q_size, k_size, C] (linear resize of the table when sizes differ)."""
    max_rel_dist = 2 * max(q_size, k_size) - 1
    if rel_pos.shape[0] != max_rel_dist:
        r = F.interpolate(rel_pos.reshape(1, rel_pos.shape[0], -1).permute(0, 2, 1), size=max_rel_dist,
                          mode="linear")
        rel_pos = r.reshape(-1, max_rel_dist).permute(1, 0)
    q_coords = torch.arange(q_size, device=rel_pos.device)[:, None] * max(k_size / q_size, 1.0)
    k_coords = torch.arange(k_size, device=rel_pos.device)[None, :] * max(q_size / k_size, 1.0)
    rel = (q_coords - k_coords) + (k_size - 1) * max(q_size / k_size, 1.0)
    return rel_pos[rel.long()]


class RelPosAttention(nn.Module):
    use_rel_pos: torch.jit.Final[bool]

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool, use_rel_pos: bool, size: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.use_rel_pos = use_rel_pos
        self.block = ATTENTION_BLOCK
        if use_rel_pos:
            self.rel_pos_h = nn.Parameter(torch.zeros(2 * size - 1, head_dim))
            self.rel_pos_w = nn.Parameter(torch.zeros(2 * size - 1, head_dim))

    def forward(self, x: Tensor) -> Tensor:
        b, h, w, _ = x.shape
        nh = self.num_heads
        qkv = self.qkv(x).reshape(b, h * w, 3, nh, -1).permute(2, 0, 3, 1, 4).reshape(3, b * nh, h * w, -1)
        q, k, v = qkv[0], qkv[1], qkv[2]
        kt = k.transpose(-2, -1)
        rel_h = torch.zeros(0)
        rel_w = torch.zeros(0)
        if self.use_rel_pos:
            rh = rel_pos_table(h, h, self.rel_pos_h)
            rw = rel_pos_table(w, w, self.rel_pos_w)
            r_q = q.reshape(b * nh, h, w, q.shape[-1])
            rel_h = torch.einsum("bhwc,hkc->bhwk", r_q, rh)
            rel_w = torch.einsum("bhwc,wkc->bhwk", r_q, rw)
        # the score matrix (global blocks: heads x 4096 x 4096) a block of whole query rows of the grid at a time,
        # at most ATTENTION_BLOCK elements (see common.attention); each query's softmax sees every key
        rows = max(1, self.block // (b * nh * w * h * w))
        outs: List[Tensor] = []
        for r0 in range(0, h, rows):
            r1 = min(h, r0 + rows)
            attn = (q[:, r0 * w:r1 * w] * self.scale) @ kt
            if self.use_rel_pos:
                a5 = attn.view(b * nh, r1 - r0, w, h, w)
                a5.add_(rel_h[:, r0:r1, :, :, None])
                a5.add_(rel_w[:, r0:r1, :, None, :])
            outs.append(attn.softmax(dim=-1) @ v)
        o = outs[0] if len(outs) == 1 else torch.cat(outs, dim=1)
        x = o.view(b, nh, h, w, -1).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1)
        return self.proj(x)


class ViTBlock(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float, qkv_bias: bool, use_rel_pos: bool,
                 window_size: int, grid: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = RelPosAttention(dim, num_heads, qkv_bias, use_rel_pos, window_size if window_size > 0 else grid)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MLPBlock(dim, int(dim * mlp_ratio), act="gelu")
        self.window_size = window_size

    def forward(self, x: Tensor) -> Tensor:
        shortcut = x
        x = self.norm1(x)
        if self.window_size > 0:
            h, w = x.shape[1], x.shape[2]
            x = window_unpartition(self.attn(window_partition(x, self.window_size)), self.window_size, h, w)
        else:
            x = self.attn(x)
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class ImageEncoderViT(nn.Module):
    """[B, 3, S, S] normalised, padded image -> [B, out_chans, S/16, S/16]."""

    def __init__(self, cfg: SamConfig) -> None:
        super().__init__()
        grid = cfg.image_size // cfg.patch_size
        self.patch_embed = PatchEmbed(cfg.patch_size, 3, cfg.embed_dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, grid, grid, cfg.embed_dim))
        self.blocks = nn.ModuleList([
            ViTBlock(cfg.embed_dim, cfg.num_heads, cfg.mlp_ratio, cfg.qkv_bias, cfg.use_rel_pos,
                     0 if i in cfg.global_attn_indexes else cfg.window_size, grid)
            for i in range(cfg.depth)])
        self.neck = nn.Sequential(
            nn.Conv2d(cfg.embed_dim, cfg.out_chans, kernel_size=1, bias=False),
            LayerNorm2d(cfg.out_chans),
            nn.Conv2d(cfg.out_chans, cfg.out_chans, kernel_size=3, padding=1, bias=False),
            LayerNorm2d(cfg.out_chans),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.patch_embed(x) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.neck(x.permute(0, 3, 1, 2))

