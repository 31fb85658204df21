"""SAM 2 image encoder: Hiera trunk (windowed / global blocks, q-pooling at stage starts, windowed absolute
position embedding) and the FPN neck. Parameter names follow sam2 (`image_encoder.trunk.*`, `image_encoder.neck.*`).
"""

from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .common import MLP, attention, window_partition, window_unpartition
from .configs import Sam2Config


class HieraPatchEmbed(nn.Module):
    def __init__(self, dim: int, kernel: int, stride: int, padding: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=kernel, stride=stride, padding=padding)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(x).permute(0, 2, 3, 1)  # B H W C


def max_pool_hw(x: Tensor, stride: int) -> Tensor:
    """2-D max pooling of a [B, H, W, C] tensor."""
    return F.max_pool2d(x.permute(0, 3, 1, 2), kernel_size=stride, stride=stride).permute(0, 2, 3, 1)


class MultiScaleAttention(nn.Module):
    def __init__(self, dim: int, dim_out: int, num_heads: int, q_stride: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q_stride = q_stride
        self.qkv = nn.Linear(dim, dim_out * 3)
        self.proj = nn.Linear(dim_out, dim_out)

    def forward(self, x: Tensor) -> Tensor:
        b, h, w, _ = x.shape
        qkv = self.qkv(x).reshape(b, h * w, 3, self.num_heads, -1)
        q, k, v = qkv[:, :, 0], qkv[:, :, 1], qkv[:, :, 2]  # B, HW, heads, C
        if self.q_stride > 0:
            q = max_pool_hw(q.reshape(b, h, w, -1), self.q_stride)
            h, w = q.shape[1], q.shape[2]
            q = q.reshape(b, h * w, self.num_heads, -1)
        x = attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        x = x.transpose(1, 2).reshape(b, h, w, -1)
        return self.proj(x)


class MultiScaleBlock(nn.Module):
    has_proj: torch.jit.Final[bool]

    def __init__(self, dim: int, dim_out: int, num_heads: int, mlp_ratio: float, q_stride: int,
                 window_size: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.window_size = window_size
        self.q_stride = q_stride
        self.attn = MultiScaleAttention(dim, dim_out, num_heads, q_stride)
        self.norm2 = nn.LayerNorm(dim_out, eps=1e-6)
        self.mlp = MLP(dim_out, int(dim_out * mlp_ratio), dim_out, 2, act="gelu")
        self.has_proj = dim != dim_out
        if self.has_proj:
            self.proj = nn.Linear(dim, dim_out)

    def forward(self, x: Tensor) -> Tensor:
        shortcut = x
        x = self.norm1(x)
        if self.has_proj:
            shortcut = self.proj(x)
            if self.q_stride > 0:
                shortcut = max_pool_hw(shortcut, self.q_stride)
        ws = self.window_size
        if ws > 0:
            x = window_partition(x, ws)
        x = self.attn(x)
        if ws > 0:
            if self.q_stride > 0:
                ws = ws // self.q_stride
            x = window_unpartition(x, ws, shortcut.shape[1], shortcut.shape[2])
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class Hiera(nn.Module):
    """[B, 3, S, S] -> the output of every stage, NCHW, highest resolution first."""

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        depth = sum(cfg.stages)
        stage_ends = [sum(cfg.stages[:i]) - 1 for i in range(1, len(cfg.stages) + 1)]
        q_pool_blocks = [e + 1 for e in stage_ends[:-1]][: cfg.q_pool]
        self.stage_ends: List[int] = stage_ends
        self.patch_embed = HieraPatchEmbed(cfg.embed_dim, cfg.patch_kernel, cfg.patch_stride, cfg.patch_padding)
        bh, bw = cfg.window_pos_embed_bkg_spatial_size
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.embed_dim, bh, bw))
        w0 = cfg.window_spec[0]
        self.pos_embed_window = nn.Parameter(torch.zeros(1, cfg.embed_dim, w0, w0))
        blocks = []
        dim, heads, stage = cfg.embed_dim, cfg.num_heads, 1
        for i in range(depth):
            dim_out = dim
            # the first block of a stage still uses the previous stage's window size
            window = cfg.window_spec[stage - 1]
            if i in cfg.global_att_blocks:
                window = 0
            if i - 1 in stage_ends:
                dim_out = int(dim * cfg.dim_mul)
                heads = int(heads * cfg.head_mul)
                stage += 1
            blocks.append(MultiScaleBlock(dim, dim_out, heads, cfg.mlp_ratio,
                                          cfg.q_stride if i in q_pool_blocks else 0, window))
            dim = dim_out
        self.blocks = nn.ModuleList(blocks)

    def _pos_embed(self, h: int, w: int) -> Tensor:
        # bicubic in float32 whatever the weights' dtype: LibTorch 1.13's bfloat16 CPU kernel is ~8x slower
        pe = F.interpolate(self.pos_embed.float(), size=(h, w), mode="bicubic", align_corners=False)
        pe = pe.to(self.pos_embed.dtype)
        win = self.pos_embed_window
        pe = pe + win.tile([1, 1, h // win.shape[2], w // win.shape[3]])
        return pe.permute(0, 2, 3, 1)

    def forward(self, x: Tensor) -> List[Tensor]:
        x = self.patch_embed(x)
        x = x + self._pos_embed(x.shape[1], x.shape[2])
        outputs: List[Tensor] = []
        for i, blk in enumerate(self.blocks):
            x = blk(x)
            if i in self.stage_ends:
                outputs.append(x.permute(0, 3, 1, 2))
        return outputs


class NeckConv(nn.Module):
    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class FpnNeck(nn.Module):
    """1x1 lateral convs to d_model; top-down (upsampled) sums only into `fpn_top_down_levels`."""

    nearest: torch.jit.Final[bool]

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        channels = list(cfg.stage_dims)[::-1]  # lowest resolution first, as sam2's backbone_channel_list
        self.convs = nn.ModuleList([NeckConv(c, cfg.d_model) for c in channels])
        self.top_down_levels: List[int] = list(cfg.fpn_top_down_levels)
        assert cfg.fpn_interp_model in ("nearest", "bilinear")
        self.nearest = cfg.fpn_interp_model == "nearest"

    def forward(self, xs: List[Tensor]) -> List[Tensor]:
        n = len(xs) - 1
        out: List[Tensor] = []
        prev = xs[0]
        for j, conv in enumerate(self.convs):
            i = n - j  # level, lowest resolution first
            lateral = conv(xs[i])
            if j > 0 and i in self.top_down_levels:
                if self.nearest:
                    td = F.interpolate(prev.to(torch.float32), scale_factor=2.0, mode="nearest")
                else:
                    td = F.interpolate(prev.to(torch.float32), scale_factor=2.0, mode="bilinear",
                                       align_corners=False)
                prev = lateral + td
            else:
                prev = lateral
            out.append(prev)
        out.reverse()  # highest resolution first
        return out


class Sam2ImageEncoder(nn.Module):
    """Hiera + FPN; returns the kept levels (all but the `scalp` lowest-resolution ones), highest first."""

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.trunk = Hiera(cfg)
        self.neck = FpnNeck(cfg)
        self.scalp = cfg.scalp

    def forward(self, x: Tensor) -> List[Tensor]:
        feats = self.neck(self.trunk(x))
        return feats[: len(feats) - self.scalp]
