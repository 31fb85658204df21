"""Building blocks shared by both families: norms, MLPs, plain attention, position encodings."""

import math
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor, nn


# Largest score block (elements) that attention() materialises at once: 4 Mi floats = 16 MiB, which stays in a
# typical L3 cache. Bigger score matrices (SAM 2's memory attention: 4096 queries x ~28 700 keys = 470 MB) are
# computed a block of query rows at a time; each row's softmax still sees all keys, so the result is the same up to
# the BLAS's rounding of a smaller product (~1e-8).
ATTENTION_BLOCK = 1 << 22


def _attend(q: Tensor, kt: Tensor, v: Tensor, divide: bool) -> Tensor:
    a = torch.matmul(q, kt)
    # in place: the score block is the largest tensor here, a fresh one per elementwise op costs page faults
    if divide:
        a.div_(math.sqrt(q.size(-1)))
    else:
        a.mul_(1.0 / math.sqrt(q.size(-1)))
    return torch.matmul(a.softmax(dim=-1), v)


def attention(q: Tensor, k: Tensor, v: Tensor, divide: bool = False, block: int = ATTENTION_BLOCK) -> Tensor:
    """softmax(q k^T / sqrt(d)) v over the last two dims (torch 1.13 has no scaled_dot_product_attention).

    divide: divide the logits by sqrt(d) (segment-anything) instead of multiplying by 1/sqrt(d) (sam2's
    scaled_dot_product_attention); the two round differently.
    block: the score matrix is computed in blocks of query rows of at most this many elements (whole rows)."""
    kt = k.transpose(-2, -1)
    nq = q.size(-2)
    per_row = k.size(-2)
    for i in range(q.dim() - 2):
        per_row = per_row * max(q.size(i), k.size(i))
    rows = block // max(per_row, 1)
    if rows >= nq:
        return _attend(q, kt, v, divide)
    rows = max(16, rows - rows % 16)
    outs: List[Tensor] = []
    for i in range(0, nq, rows):
        outs.append(_attend(q[..., i:i + rows, :], kt, v, divide))
    return torch.cat(outs, dim=-2)


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel dim of an NCHW tensor."""

    def __init__(self, num_channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class MLP(nn.Module):
    """`num_layers` Linear layers (keys `layers.N`), activation between them, optional sigmoid at the end."""

    gelu: torch.jit.Final[bool]
    sigmoid_output: torch.jit.Final[bool]

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, num_layers: int, act: str = "relu",
                 sigmoid_output: bool = False) -> None:
        super().__init__()
        dims = [in_dim] + [hidden_dim] * (num_layers - 1) + [out_dim]
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        assert act in ("relu", "gelu")
        self.gelu = act == "gelu"
        self.sigmoid_output = sigmoid_output
        self.num_layers = num_layers

    def forward(self, x: Tensor) -> Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < self.num_layers - 1:
                x = F.gelu(x) if self.gelu else F.relu(x)
        if self.sigmoid_output:
            x = torch.sigmoid(x)
        return x


class MLPBlock(nn.Module):
    """SAM (v1) two-layer MLP (keys `lin1`, `lin2`)."""

    gelu: torch.jit.Final[bool]

    def __init__(self, dim: int, mlp_dim: int, act: str = "gelu") -> None:
        super().__init__()
        self.lin1 = nn.Linear(dim, mlp_dim)
        self.lin2 = nn.Linear(mlp_dim, dim)
        self.gelu = act == "gelu"

    def forward(self, x: Tensor) -> Tensor:
        x = self.lin1(x)
        x = F.gelu(x) if self.gelu else F.relu(x)
        return self.lin2(x)


def sine_pe_2d(num_pos_feats: int, h: int, w: int, temperature: float = 10000.0) -> Tensor:
    """Normalised 2-D sine position encoding [1, num_pos_feats, h, w] (y half first, then x; sin/cos
    interleaved), as sam2 PositionEmbeddingSine(normalize=True, scale=2*pi)."""
    npf = num_pos_feats // 2
    scale = 2 * math.pi
    eps = 1e-6
    y = torch.arange(1, h + 1, dtype=torch.float32).view(1, -1, 1).repeat(1, 1, w)
    x = torch.arange(1, w + 1, dtype=torch.float32).view(1, 1, -1).repeat(1, h, 1)
    y = y / (y[:, -1:, :] + eps) * scale
    x = x / (x[:, :, -1:] + eps) * scale
    dim_t = torch.arange(npf, dtype=torch.float32)
    dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / npf)
    px = x[:, :, :, None] / dim_t
    py = y[:, :, :, None] / dim_t
    px = torch.stack((px[:, :, :, 0::2].sin(), px[:, :, :, 1::2].cos()), dim=4).flatten(3)
    py = torch.stack((py[:, :, :, 0::2].sin(), py[:, :, :, 1::2].cos()), dim=4).flatten(3)
    return torch.cat((py, px), dim=3).permute(0, 3, 1, 2).contiguous()


def sine_pe_1d(pos: Tensor, dim: int, temperature: float = 10000.0) -> Tensor:
    """1-D sine encoding [..., dim] = cat(sin, cos) of pos / temperature^(2*(i//2)/(dim/2))."""
    pe_dim = dim // 2
    dim_t = torch.arange(pe_dim, dtype=torch.float32, device=pos.device)
    dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / pe_dim)
    p = pos.unsqueeze(-1) / dim_t
    return torch.cat([p.sin(), p.cos()], dim=-1)


class PositionEmbeddingRandom(nn.Module):
    """Random Fourier position encoding (buffer `positional_encoding_gaussian_matrix` [2, num_pos_feats])."""

    def __init__(self, num_pos_feats: int) -> None:
        super().__init__()
        self.register_buffer("positional_encoding_gaussian_matrix", torch.randn((2, num_pos_feats)))

    def encode(self, coords: Tensor) -> Tensor:
        """coords in [0, 1]^2, [..., 2] -> [..., 2 * num_pos_feats], in the matrix's dtype. Computed in float32
        whatever that dtype is: in bfloat16 a coordinate keeps 8 significant bits, a few pixels at 1024 px."""
        g = self.positional_encoding_gaussian_matrix
        coords = 2 * coords.to(torch.float32) - 1
        coords = coords @ g.to(torch.float32)
        coords = 2 * math.pi * coords
        return torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1).to(g.dtype)

    def dense(self, h: int, w: int) -> Tensor:
        """Encoding of the pixel-centre grid of an h x w map: [1, C, h, w]."""
        g = self.positional_encoding_gaussian_matrix
        grid = torch.ones((h, w), device=g.device, dtype=torch.float32)
        y = (grid.cumsum(dim=0) - 0.5) / h
        x = (grid.cumsum(dim=1) - 0.5) / w
        return self.encode(torch.stack([x, y], dim=-1)).permute(2, 0, 1).unsqueeze(0)

    def points(self, coords: Tensor, image_h: int, image_w: int) -> Tensor:
        """Encoding of pixel coordinates [B, N, 2] (x, y) in an image_h x image_w frame."""
        x = coords[:, :, 0] / image_w
        y = coords[:, :, 1] / image_h
        return self.encode(torch.stack([x, y], dim=-1).to(torch.float))


def window_partition(x: Tensor, window_size: int) -> Tensor:
    """[B, H, W, C] -> windows [B * nW, ws, ws, C], zero-padded at the bottom/right to a multiple of ws."""
    b, h, w, c = x.shape
    pad_h = (window_size - h % window_size) % window_size
    pad_w = (window_size - w % window_size) % window_size
    if pad_h > 0 or pad_w > 0:
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
    hp, wp = h + pad_h, w + pad_w
    x = x.view(b, hp // window_size, window_size, wp // window_size, window_size, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window_size, window_size, c)


def window_unpartition(windows: Tensor, window_size: int, h: int, w: int) -> Tensor:
    """Inverse of window_partition for an original size h x w (drops the padding)."""
    hp = h + (window_size - h % window_size) % window_size
    wp = w + (window_size - w % window_size) % window_size
    b = windows.shape[0] // (hp * wp // window_size // window_size)
    x = windows.reshape(b, hp // window_size, wp // window_size, window_size, window_size, -1)
    x = x.permute(0, 1, 3, 2, 4, 5).reshape(b, hp, wp, -1)
    if hp > h or wp > w:
        x = x[:, :h, :w, :].contiguous()
    return x
