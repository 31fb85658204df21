"""Two-way transformer of the mask decoder (both families). Names follow segment-anything / sam2."""

from typing import Tuple

import torch
from torch import Tensor, nn

from .common import MLP, MLPBlock, attention


class DownAttention(nn.Module):
    """Multi-head attention with projections to dim / downsample_rate (keys q_proj, k_proj, v_proj, out_proj)."""

    sam1: torch.jit.Final[bool]

    def __init__(self, dim: int, num_heads: int, downsample_rate: int = 1, kv_in_dim: int = 0,
                 sam1: bool = False) -> None:
        super().__init__()
        self.sam1 = sam1
        kv = kv_in_dim if kv_in_dim > 0 else dim
        self.internal_dim = dim // downsample_rate
        self.num_heads = num_heads
        self.q_proj = nn.Linear(dim, self.internal_dim)
        self.k_proj = nn.Linear(kv, self.internal_dim)
        self.v_proj = nn.Linear(kv, self.internal_dim)
        self.out_proj = nn.Linear(self.internal_dim, dim)

    def split(self, x: Tensor) -> Tensor:
        b, n, c = x.shape
        return x.reshape(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def merge(self, x: Tensor) -> Tensor:
        b, h, n, c = x.shape
        return x.transpose(1, 2).reshape(b, n, h * c)

    def forward(self, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        q = self.split(self.q_proj(q))
        k = self.split(self.k_proj(k))
        v = self.split(self.v_proj(v))
        return self.out_proj(self.merge(attention(q, k, v, self.sam1)))


class TwoWayBlock(nn.Module):
    skip_first_layer_pe: torch.jit.Final[bool]

    def __init__(self, dim: int, num_heads: int, mlp_dim: int, downsample_rate: int, skip_first_layer_pe: bool,
                 sam1: bool) -> None:
        super().__init__()
        self.self_attn = DownAttention(dim, num_heads, sam1=sam1)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_attn_token_to_image = DownAttention(dim, num_heads, downsample_rate, sam1=sam1)
        self.norm2 = nn.LayerNorm(dim)
        # SAM v1 names the MLP lin1/lin2, sam2 layers.0/layers.1; both ReLU
        self.mlp = MLPBlock(dim, mlp_dim, act="relu") if sam1 else MLP(dim, mlp_dim, dim, 2, act="relu")
        self.norm3 = nn.LayerNorm(dim)
        self.norm4 = nn.LayerNorm(dim)
        self.cross_attn_image_to_token = DownAttention(dim, num_heads, downsample_rate, sam1=sam1)
        self.skip_first_layer_pe = skip_first_layer_pe

    def forward(self, queries: Tensor, keys: Tensor, query_pe: Tensor, key_pe: Tensor) -> Tuple[Tensor, Tensor]:
        if self.skip_first_layer_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        q = queries + query_pe
        k = keys + key_pe
        queries = self.norm2(queries + self.cross_attn_token_to_image(q, k, keys))
        queries = self.norm3(queries + self.mlp(queries))
        q = queries + query_pe
        k = keys + key_pe
        keys = self.norm4(keys + self.cross_attn_image_to_token(k, q, queries))
        return queries, keys


class TwoWayTransformer(nn.Module):
    def __init__(self, depth: int, dim: int, num_heads: int, mlp_dim: int, downsample_rate: int,
                 sam1: bool) -> None:
        super().__init__()
        self.layers = nn.ModuleList([
            TwoWayBlock(dim, num_heads, mlp_dim, downsample_rate, i == 0, sam1) for i in range(depth)])
        self.final_attn_token_to_image = DownAttention(dim, num_heads, downsample_rate, sam1=sam1)
        self.norm_final_attn = nn.LayerNorm(dim)

    def forward(self, image: Tensor, image_pe: Tensor, tokens: Tensor) -> Tuple[Tensor, Tensor]:
        """image, image_pe [B, C, h, w]; tokens [B, N, C] -> (tokens [B, N, C], image tokens [B, hw, C])."""
        keys = image.flatten(2).permute(0, 2, 1)
        key_pe = image_pe.flatten(2).permute(0, 2, 1)
        queries = tokens
        for layer in self.layers:
            queries, keys = layer(queries, keys, tokens, key_pe)
        q = queries + tokens
        k = keys + key_pe
        queries = self.norm_final_attn(queries + self.final_attn_token_to_image(q, k, keys))
        return queries, keys
