"""Prompt encoder (both families): points / box corners -> sparse tokens, mask logits -> dense embedding.

Parameter names follow segment-anything / sam2 `PromptEncoder`."""

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .common import LayerNorm2d, PositionEmbeddingRandom


class PromptEncoder(nn.Module):
    """Labels: -1 padding ("not a point"), 0 negative, 1 positive, 2 box top-left, 3 box bottom-right.

    The caller passes the exact token sequence (no padding point is added here)."""

    def __init__(self, dim: int, embedding_size: int, image_size: int, mask_in_chans: int) -> None:
        super().__init__()
        self.dim = dim
        self.embedding_size = embedding_size
        self.image_size = image_size
        self.pe_layer = PositionEmbeddingRandom(dim // 2)
        self.point_embeddings = nn.ModuleList([nn.Embedding(1, dim) for _ in range(4)])
        self.not_a_point_embed = nn.Embedding(1, dim)
        self.mask_input_size = 4 * embedding_size
        self.mask_downscaling = nn.Sequential(
            nn.Conv2d(1, mask_in_chans // 4, kernel_size=2, stride=2),
            LayerNorm2d(mask_in_chans // 4),
            nn.GELU(),
            nn.Conv2d(mask_in_chans // 4, mask_in_chans, kernel_size=2, stride=2),
            LayerNorm2d(mask_in_chans),
            nn.GELU(),
            nn.Conv2d(mask_in_chans, dim, kernel_size=1),
        )
        self.no_mask_embed = nn.Embedding(1, dim)

    def dense_pe(self) -> Tensor:
        """[1, dim, E, E]: the encoding of the image-embedding grid."""
        return self.pe_layer.dense(self.embedding_size, self.embedding_size)

    def embed_points(self, coords: Tensor, labels: Tensor) -> Tensor:
        """coords [B, N, 2] (x, y) in model-input pixels, labels [B, N] integer -> [B, N, dim]."""
        pe = self.pe_layer.points(coords + 0.5, self.image_size, self.image_size)
        lab = labels.unsqueeze(-1)
        pe = torch.where(lab == -1, torch.zeros_like(pe) + self.not_a_point_embed.weight, pe)
        for i, emb in enumerate(self.point_embeddings):
            pe = torch.where(lab == i, pe + emb.weight, pe)
        return pe

    def embed_mask(self, mask: Optional[Tensor], batch: int, antialias_resize: bool) -> Tensor:
        """Mask logits [B, 1, 4E, 4E] (resized bilinearly first when another size and antialias_resize) or
        None -> dense embedding [B, dim, E, E]."""
        if mask is None:
            return self.no_mask_embed.weight.reshape(1, -1, 1, 1).expand(
                batch, -1, self.embedding_size, self.embedding_size)
        m = mask.to(self.no_mask_embed.weight.dtype)
        if antialias_resize and (m.shape[-2] != self.mask_input_size or m.shape[-1] != self.mask_input_size):
            m = F.interpolate(m, size=(self.mask_input_size, self.mask_input_size), mode="bilinear",
                              align_corners=False, antialias=True)
        return self.mask_downscaling(m)
