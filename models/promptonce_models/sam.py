"""SAM (v1): the whole model under the official key layout, and its two exported components."""

from typing import Dict, Optional, Tuple

import torch
from torch import Tensor, nn

from .configs import SamConfig
from .mask_decoder import MaskDecoder
from .prompt_encoder import PromptEncoder
from .vit import ImageEncoderViT


class SamModel(nn.Module):
    """State-dict keys identical to segment-anything's `Sam` (image_encoder.*, prompt_encoder.*, mask_decoder.*)."""

    def __init__(self, cfg: SamConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.image_encoder = ImageEncoderViT(cfg)
        self.prompt_encoder = PromptEncoder(cfg.out_chans, cfg.embedding_size, cfg.image_size,
                                            cfg.decoder.mask_in_chans)
        self.mask_decoder = MaskDecoder(cfg.decoder, sam1=True)

    def components(self) -> Dict[str, nn.Module]:
        return {"image_encoder": SamImageEncoder(self), "mask_decoder": SamPromptDecoder(self)}


class SamImageEncoder(nn.Module):
    """forward(image [B, 3, S, S] float, normalised and padded) -> image_embeddings [B, C, S/16, S/16]."""

    def __init__(self, model: SamModel) -> None:
        super().__init__()
        self.image_encoder = model.image_encoder
        self.image_size = model.cfg.image_size

    def forward(self, image: Tensor) -> Tensor:
        if image.dim() != 4 or image.shape[1] != 3 or image.shape[2] != self.image_size \
                or image.shape[3] != self.image_size:
            raise ValueError("image_encoder: expected image [B, 3, " + str(self.image_size) + ", "
                             + str(self.image_size) + "], got " + str(image.shape))
        # computes in its weights' dtype (float32, or bfloat16 in a bf16 export) whatever the input's
        return self.image_encoder(image.to(self.image_encoder.patch_embed.proj.weight.dtype))


class SamPromptDecoder(nn.Module):
    """Prompt encoder + mask decoder, as SamPredictor.predict_torch (without the upsampling)."""

    def __init__(self, model: SamModel) -> None:
        super().__init__()
        self.prompt_encoder = model.prompt_encoder
        self.mask_decoder = model.mask_decoder

    def forward(self, image_embeddings: Tensor, point_coords: Tensor, point_labels: Tensor,
                boxes: Optional[Tensor], mask_input: Optional[Tensor], multimask_output: bool
                ) -> Tuple[Tensor, Tensor]:
        """image_embeddings [1 or B, C, E, E]; point_coords [B, N, 2] (x, y) in model-input pixels, labels [B, N]
        (1 positive, 0 negative; N may be 0 = no points); boxes [B, 4] (x0, y0, x1, y1) or None; mask_input
        [B, 1, 4E, 4E] logits or None -> (masks [B, M, 4E, 4E] logits, iou [B, M]), M = 3 when
        multimask_output (tokens 1-3) else 1 (token 0)."""
        b = point_coords.shape[0]
        pe = self.prompt_encoder
        sparse = torch.zeros(b, 0, pe.dim, dtype=image_embeddings.dtype, device=image_embeddings.device)
        if point_coords.shape[1] > 0:
            coords = point_coords
            labels = point_labels
            if boxes is None:  # a padding point only when there is no box
                coords = torch.cat([coords, torch.zeros(b, 1, 2, dtype=coords.dtype, device=coords.device)], 1)
                labels = torch.cat([labels, -torch.ones(b, 1, dtype=labels.dtype, device=labels.device)], 1)
            sparse = torch.cat([sparse, pe.embed_points(coords, labels)], dim=1)
        if boxes is not None:
            bb = boxes.shape[0]
            corners = boxes.reshape(bb, 2, 2)
            corner_labels = torch.tensor([[2, 3]], dtype=torch.long, device=boxes.device).expand(bb, 2)
            if sparse.shape[0] != bb:
                sparse = sparse.expand(bb, -1, -1)
            sparse = torch.cat([sparse, pe.embed_points(corners, corner_labels)], dim=1)
        dense = pe.embed_mask(mask_input, sparse.shape[0], False)
        masks, iou, _, _ = self.mask_decoder.predict(image_embeddings, pe.dense_pe(), sparse, dense, None, None)
        if multimask_output:
            return masks[:, 1:, :, :], iou[:, 1:]
        return masks[:, 0:1, :, :], iou[:, 0:1]
