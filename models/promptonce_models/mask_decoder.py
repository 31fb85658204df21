"""Mask decoder (both families): output tokens + prompt tokens through the two-way transformer, upscaling
(with the stride-4/-8 high-resolution features for sam2), hypernetwork masks, IoU head, object-score head.

Parameter names follow segment-anything / sam2 `MaskDecoder`."""

from typing import List, Optional, Tuple

import torch
from torch import Tensor, nn

from .common import MLP, LayerNorm2d
from .configs import DecoderConfig
from .transformer import TwoWayTransformer


class MaskDecoder(nn.Module):
    pred_obj_scores: torch.jit.Final[bool]
    use_high_res_features: torch.jit.Final[bool]

    def __init__(self, cfg: DecoderConfig, sam1: bool, use_high_res_features: bool = False,
                 iou_prediction_use_sigmoid: bool = False, pred_obj_scores: bool = False,
                 pred_obj_scores_mlp: bool = False) -> None:
        super().__init__()
        d = cfg.dim
        self.transformer = TwoWayTransformer(cfg.depth, d, cfg.num_heads, cfg.mlp_dim, cfg.attention_downsample_rate,
                                             sam1=sam1)
        self.num_mask_tokens = cfg.num_multimask_outputs + 1
        self.iou_token = nn.Embedding(1, d)
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, d)
        self.pred_obj_scores = pred_obj_scores
        if pred_obj_scores:
            self.obj_score_token = nn.Embedding(1, d)
        self.output_upscaling = nn.Sequential(
            nn.ConvTranspose2d(d, d // 4, kernel_size=2, stride=2),
            LayerNorm2d(d // 4),
            nn.GELU(),
            nn.ConvTranspose2d(d // 4, d // 8, kernel_size=2, stride=2),
            nn.GELU(),
        )
        self.use_high_res_features = use_high_res_features
        if use_high_res_features:
            self.conv_s0 = nn.Conv2d(d, d // 8, kernel_size=1)
            self.conv_s1 = nn.Conv2d(d, d // 4, kernel_size=1)
        hyper = cfg.hypernet_hidden_dim or d
        self.output_hypernetworks_mlps = nn.ModuleList(
            [MLP(d, hyper, d // 8, 3) for _ in range(self.num_mask_tokens)])
        self.iou_prediction_head = MLP(d, cfg.iou_head_hidden_dim, self.num_mask_tokens, cfg.iou_head_depth,
                                       sigmoid_output=iou_prediction_use_sigmoid)
        if pred_obj_scores:
            self.pred_obj_score_head = MLP(d, d, 1, 3) if pred_obj_scores_mlp else nn.Linear(d, 1)

    def _upscale(self, src: Tensor, feat_s0: Optional[Tensor], feat_s1: Optional[Tensor]) -> Tensor:
        if not self.use_high_res_features:
            return self.output_upscaling(src)
        assert feat_s0 is not None and feat_s1 is not None
        x = src
        for i, m in enumerate(self.output_upscaling):
            x = m(x)
            if i == 0:
                x = x + feat_s1
            elif i == 3:
                x = x + feat_s0
        return x

    def predict(self, image: Tensor, image_pe: Tensor, sparse: Tensor, dense: Tensor,
                feat_s0: Optional[Tensor], feat_s1: Optional[Tensor]) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """All outputs of all mask tokens.

        image [B or 1, C, E, E] (a batch of 1 is repeated for B prompts), image_pe [1, C, E, E], sparse [B, N, C],
        dense [B, C, E, E] -> masks [B, T, 4E, 4E], iou [B, T], mask tokens [B, T, C], object score [B, 1]."""
        b = sparse.shape[0]
        if self.pred_obj_scores:
            out_tokens = torch.cat([self.obj_score_token.weight, self.iou_token.weight, self.mask_tokens.weight])
            s = 1
        else:
            out_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight])
            s = 0
        tokens = torch.cat([out_tokens.unsqueeze(0).expand(b, -1, -1), sparse], dim=1)
        if image.shape[0] != b:
            image = image.expand(b, -1, -1, -1)
        src = image + dense
        pos = image_pe.expand(b, -1, -1, -1)
        _, c, h, w = src.shape
        hs, src_out = self.transformer(src, pos, tokens)
        iou_token_out = hs[:, s, :]
        mask_tokens_out = hs[:, s + 1: s + 1 + self.num_mask_tokens, :]
        up = self._upscale(src_out.transpose(1, 2).reshape(b, c, h, w), feat_s0, feat_s1)
        hyper: List[Tensor] = []
        for i, mlp in enumerate(self.output_hypernetworks_mlps):
            hyper.append(mlp(mask_tokens_out[:, i, :]))
        hyper_in = torch.stack(hyper, dim=1)
        _, cu, hu, wu = up.shape
        masks = (hyper_in @ up.reshape(b, cu, hu * wu)).reshape(b, -1, hu, wu)
        iou = self.iou_prediction_head(iou_token_out)
        if self.pred_obj_scores:
            score = self.pred_obj_score_head(hs[:, 0, :])
        else:
            score = 10.0 * torch.ones(b, 1, dtype=iou.dtype, device=iou.device)
        return masks, iou, mask_tokens_out, score


def stability_scores(masks: Tensor, delta: float) -> Tensor:
    """area(logit > delta) / area(logit > -delta) per mask (1 where the union is empty)."""
    m = masks.flatten(-2)
    area_i = torch.sum(m > delta, dim=-1).float()
    area_u = torch.sum(m > -delta, dim=-1).float()
    return torch.where(area_u > 0, area_i / area_u, torch.ones_like(area_u))


def select_outputs(masks: Tensor, iou: Tensor, tokens: Tensor, multimask_output: bool, stability_fallback: bool,
                   use_multimask_token_for_obj_ptr: bool, delta: float, thresh: float
                   ) -> Tuple[Tensor, Tensor, Tensor]:
    """sam2 MaskDecoder.forward's choice: tokens 1.. when multimask, else token 0 (or, with
    stability_fallback, the best multimask token where token 0 is unstable). Returns masks [B, M, h, w],
    iou [B, M] and the sam output tokens for the object pointer [B, M', C]."""
    if multimask_output:
        out_masks = masks[:, 1:, :, :]
        out_iou = iou[:, 1:]
    elif stability_fallback:
        multi_masks = masks[:, 1:, :, :]
        multi_iou = iou[:, 1:]
        best = torch.argmax(multi_iou, dim=-1)
        rows = torch.arange(multi_iou.size(0), device=iou.device)
        best_masks = multi_masks[rows, best].unsqueeze(1)
        best_iou = multi_iou[rows, best].unsqueeze(1)
        single_masks = masks[:, 0:1, :, :]
        single_iou = iou[:, 0:1]
        stable = stability_scores(single_masks, delta) >= thresh
        out_masks = torch.where(stable[..., None, None].expand_as(single_masks), single_masks, best_masks)
        out_iou = torch.where(stable.expand_as(single_iou), single_iou, best_iou)
    else:
        out_masks = masks[:, 0:1, :, :]
        out_iou = iou[:, 0:1]
    if multimask_output and use_multimask_token_for_obj_ptr:
        out_tokens = tokens[:, 1:]
    else:
        out_tokens = tokens[:, 0:1]
    return out_masks, out_iou, out_tokens

