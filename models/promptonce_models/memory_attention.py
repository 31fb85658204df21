"""SAM 2 memory attention: pre-norm layers of RoPE self-attention, RoPE cross-attention to the memory bank,
ReLU FFN; final LayerNorm. RoPE is the axial 2-D rotary encoding written with real cos/sin (no complex dtype).

Parameter names follow sam2 (`memory_attention.layers.N.{self_attn,cross_attn_image}.*`, linear1/2, norm1-3)."""

from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .common import attention
from .configs import Sam2Config
from .transformer import DownAttention


def rope_cos_sin(head_dim: int, w: int, h: int, theta: float) -> Tuple[Tensor, Tensor]:
    """cos, sin [w*h, head_dim/2] of the axial 2-D RoPE: pair j < head_dim/4 rotates with x = t % w,
    pair j >= head_dim/4 with y = t // w (t = token index in row-major order).

    Computed once at build time (not in the exported graph, which stays real-valued) through torch.polar on
    the CPU, as sam2's compute_axial_cis does: torch.cos/sin differ from it by an ulp here and there, which
    attention amplifies to ~1e-4 with large weights."""
    n = head_dim // 4
    freqs = 1.0 / (theta ** (torch.arange(0, head_dim, 4)[:n].float() / head_dim))
    t = torch.arange(w * h, dtype=torch.float32)
    tx = t % w
    ty = torch.div(t, w, rounding_mode="floor")
    ang = torch.cat([torch.outer(tx, freqs), torch.outer(ty, freqs)], dim=-1)
    cis = torch.polar(torch.ones_like(ang), ang)
    return cis.real.contiguous(), cis.imag.contiguous()


def rope_tables(cos: Tensor, sin: Tensor) -> Tuple[Tensor, Tensor]:
    """cos, sin [M, D/2] -> (cos2, sin2) [M, D] for apply_rope: cos2 = (c0, c0, c1, c1, ...), sin2 = (-s0, s0,
    -s1, s1, ...)."""
    return (torch.stack([cos, cos], dim=-1).flatten(-2).contiguous(),
            torch.stack([-sin, sin], dim=-1).flatten(-2).contiguous())


def apply_rope(x: Tensor, cos2: Tensor, sin2: Tensor) -> Tensor:
    """Rotate consecutive pairs (x[2j], x[2j+1]) of x [B, heads, N, D] by the angles of the rope_tables cos2/sin2
    [M, D], where N is a multiple of M (the table is repeated along the tokens):
    (a, c) -> (a cos - c sin, c cos + a sin), computed as x * cos2 + swap_pairs(x) * sin2 with the same roundings
    (negating a product and swapping an addition are exact)."""
    b, h, n, d = x.shape
    m = cos2.shape[0]
    xf = x.float().reshape(b, h, n // m, m, d)
    swapped = xf.reshape(b, h, n // m, m, d // 2, 2).flip(-1).reshape(b, h, n // m, m, d)
    out = xf * cos2
    out.add_(swapped.mul_(sin2))
    return out.reshape(b, h, n, d).type_as(x)


class RoPEAttention(DownAttention):
    """Attention with RoPE on q and on the first (N_k - num_k_exclude_rope) keys (repeated per memory frame)."""

    narrow_values: torch.jit.Final[bool]

    def __init__(self, dim: int, num_heads: int, kv_in_dim: int = 0) -> None:
        super().__init__(dim, num_heads, kv_in_dim=kv_in_dim)
        # values narrower than a head (cross-attention to 64-channel memories, 256-channel heads): attend over the
        # raw values and project afterwards, P (M W^T + b) = (P M) W^T + b since every row of P sums to 1 -- the
        # largest product shrinks by head_dim / kv_in_dim (4x for SAM 2), rounding differs by ~1e-7
        kv = kv_in_dim if kv_in_dim > 0 else dim
        self.narrow_values = kv < self.internal_dim // num_heads

    def forward_rope(self, q: Tensor, k: Tensor, v: Tensor, cos: Tensor, sin: Tensor,
                     num_k_exclude_rope: int) -> Tensor:
        q = self.split(self.q_proj(q))
        k = self.split(self.k_proj(k))
        q = apply_rope(q, cos, sin)
        n_rope = k.shape[2] - num_k_exclude_rope
        if n_rope == k.shape[2]:
            k = apply_rope(k, cos, sin)
        elif n_rope > 0:
            # the pointer tokens at the end keep their keys: rotate the rest in place (k_proj's output is ours)
            k[:, :, :n_rope] = apply_rope(k[:, :, :n_rope], cos, sin)
        if self.narrow_values:
            pm = attention(q, k, v.unsqueeze(1))  # [B, heads, Nq, kv_in]
            w = self.v_proj.weight.reshape(self.num_heads, -1, v.shape[-1])  # [heads, head_dim, kv_in]
            o = torch.matmul(pm, w.transpose(1, 2)) + self.v_proj.bias.reshape(self.num_heads, 1, -1)
        else:
            o = attention(q, k, self.split(self.v_proj(v)))
        return self.out_proj(self.merge(o))


class MemoryAttentionLayer(nn.Module):
    pos_enc_at_attn: torch.jit.Final[bool]
    pos_enc_at_cross_attn_keys: torch.jit.Final[bool]
    pos_enc_at_cross_attn_queries: torch.jit.Final[bool]

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        d = cfg.d_model
        self.self_attn = RoPEAttention(d, cfg.mem_attn_heads)
        self.cross_attn_image = RoPEAttention(d, cfg.mem_attn_heads, kv_in_dim=cfg.mem_dim)
        self.linear1 = nn.Linear(d, cfg.mem_attn_ffn_dim)
        self.linear2 = nn.Linear(cfg.mem_attn_ffn_dim, d)
        self.norm1 = nn.LayerNorm(d)
        self.norm2 = nn.LayerNorm(d)
        self.norm3 = nn.LayerNorm(d)
        self.pos_enc_at_attn = cfg.pos_enc_at_attn
        self.pos_enc_at_cross_attn_keys = cfg.pos_enc_at_cross_attn_keys
        self.pos_enc_at_cross_attn_queries = cfg.pos_enc_at_cross_attn_queries

    def forward(self, tgt: Tensor, memory: Tensor, pos: Tensor, query_pos: Tensor, cos: Tensor, sin: Tensor,
                num_k_exclude_rope: int) -> Tensor:
        t2 = self.norm1(tgt)
        q = t2 + query_pos if self.pos_enc_at_attn else t2
        tgt = tgt + self.self_attn.forward_rope(q, q, t2, cos, sin, 0)
        t2 = self.norm2(tgt)
        tgt = tgt + self.cross_attn_image.forward_rope(
            t2 + query_pos if self.pos_enc_at_cross_attn_queries else t2,
            memory + pos if self.pos_enc_at_cross_attn_keys else memory,
            memory, cos, sin, num_k_exclude_rope)
        t2 = self.norm3(tgt)
        return tgt + self.linear2(F.relu(self.linear1(t2)))


class MemoryAttention(nn.Module):
    pos_enc_at_input: torch.jit.Final[bool]

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.layers = nn.ModuleList([MemoryAttentionLayer(cfg) for _ in range(cfg.mem_attn_layers)])
        self.norm = nn.LayerNorm(cfg.d_model)
        self.pos_enc_at_input = cfg.pos_enc_at_input
        e = cfg.embedding_size
        cos, sin = rope_tables(*rope_cos_sin(cfg.d_model // cfg.mem_attn_heads, e, e, cfg.rope_theta))
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def forward(self, curr: Tensor, curr_pos: Tensor, memory: Tensor, memory_pos: Tensor, h: int, w: int,
                num_obj_ptr_tokens: int) -> Tensor:
        """curr, curr_pos [B, h*w, C]; memory, memory_pos [B, M, mem_dim] with the pointer tokens last ->
        [B, h*w, C]."""
        out = curr
        if self.pos_enc_at_input:
            out = out + 0.1 * curr_pos
        if h * w != self.rope_cos.shape[0]:
            raise ValueError("memory_attention: RoPE table built for " + str(self.rope_cos.shape[0])
                             + " tokens, got " + str(h) + " x " + str(w))
        cos, sin = self.rope_cos.to(curr.dtype), self.rope_sin.to(curr.dtype)
        for layer in self.layers:
            out = layer(out, memory, memory_pos, curr_pos, cos, sin, num_obj_ptr_tokens)
        return self.norm(out)
