"""SAM 2 / 2.1: the whole model under the official key layout (sam2 `SAM2Base`), and its four exported
components. The components do the tensor math of SAM2Base; the host runs the policy (which frames, which
temporal positions, multimask decision, hole filling, resizing to the original image)."""

from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .common import MLP, sine_pe_1d, sine_pe_2d
from .configs import Sam2Config
from .hiera import Sam2ImageEncoder
from .mask_decoder import MaskDecoder, select_outputs
from .memory_attention import MemoryAttention
from .memory_encoder import MemoryEncoder
from .prompt_encoder import PromptEncoder

NO_OBJ_SCORE = -1024.0


class Sam2Model(nn.Module):
    """State-dict keys identical to sam2's SAM2Base (the `model` entry of an official checkpoint)."""

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.cfg = cfg
        c, m = cfg.d_model, cfg.mem_dim
        self.image_encoder = Sam2ImageEncoder(cfg)
        self.mask_downsample = nn.Conv2d(1, 1, kernel_size=4, stride=4)
        self.memory_attention = MemoryAttention(cfg)
        self.memory_encoder = MemoryEncoder(cfg)
        self.maskmem_tpos_enc = nn.Parameter(torch.zeros(cfg.num_maskmem, 1, 1, m))
        self.no_mem_embed = nn.Parameter(torch.zeros(1, 1, c))
        self.no_mem_pos_enc = nn.Parameter(torch.zeros(1, 1, c))
        self.no_obj_ptr = nn.Parameter(torch.zeros(1, c))
        if cfg.no_obj_embed_spatial:
            self.no_obj_embed_spatial = nn.Parameter(torch.zeros(1, m))
        for p in (self.maskmem_tpos_enc, self.no_mem_embed, self.no_mem_pos_enc, self.no_obj_ptr):
            nn.init.trunc_normal_(p, std=0.02)
        if cfg.no_obj_embed_spatial:
            nn.init.trunc_normal_(self.no_obj_embed_spatial, std=0.02)
        self.sam_prompt_encoder = PromptEncoder(c, cfg.embedding_size, cfg.image_size, cfg.decoder.mask_in_chans)
        self.sam_mask_decoder = MaskDecoder(
            cfg.decoder, sam1=False, use_high_res_features=True,
            iou_prediction_use_sigmoid=cfg.iou_prediction_use_sigmoid, pred_obj_scores=True,
            pred_obj_scores_mlp=cfg.pred_obj_scores_mlp)
        self.obj_ptr_proj = MLP(c, c, c, 3) if cfg.use_mlp_for_obj_ptr_proj else nn.Linear(c, c)
        self.obj_ptr_tpos_proj = nn.Linear(c, m) if cfg.proj_tpos_enc_in_obj_ptrs else nn.Identity()

    def components(self) -> Dict[str, nn.Module]:
        return {
            "image_encoder": Sam2ImageEncoderComponent(self),
            "mask_decoder": Sam2PromptDecoder(self),
            "memory_attention": Sam2MemoryAttentionComponent(self),
            "memory_encoder": Sam2MemoryEncoderComponent(self),
        }


class Sam2ImageEncoderComponent(nn.Module):
    """forward(image [B, 3, S, S] normalised) -> (feat_s0 [B, C/8, S/4, S/4], feat_s1 [B, C/4, S/8, S/8],
    vision_features [B, C, S/16, S/16]): conv_s0 / conv_s1 already applied to the two high-resolution levels;
    vision_features is the raw level-2 FPN output (no no-memory embedding)."""

    def __init__(self, model: Sam2Model) -> None:
        super().__init__()
        self.image_encoder = model.image_encoder
        self.conv_s0 = model.sam_mask_decoder.conv_s0
        self.conv_s1 = model.sam_mask_decoder.conv_s1
        self.image_size = model.cfg.image_size

    def forward(self, image: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        if image.dim() != 4 or image.shape[1] != 3 or image.shape[2] != self.image_size \
                or image.shape[3] != self.image_size:
            raise ValueError("image_encoder: expected image [B, 3, " + str(self.image_size) + ", "
                             + str(self.image_size) + "], got " + str(image.shape))
        # the component computes in its weights' dtype (float32, or bfloat16 in a bf16 export) whatever the input's
        feats = self.image_encoder(image.to(self.conv_s0.weight.dtype))
        return self.conv_s0(feats[0]), self.conv_s1(feats[1]), feats[2]


class Sam2PromptDecoder(nn.Module):
    """Prompt encoder + mask decoder + object pointer (SAM2Base._forward_sam_heads and friends)."""

    soft_no_obj_ptr: torch.jit.Final[bool]
    fixed_no_obj_ptr: torch.jit.Final[bool]
    use_multimask_token_for_obj_ptr: torch.jit.Final[bool]

    def __init__(self, model: Sam2Model) -> None:
        super().__init__()
        cfg = model.cfg
        self.sam_prompt_encoder = model.sam_prompt_encoder
        self.sam_mask_decoder = model.sam_mask_decoder
        self.obj_ptr_proj = model.obj_ptr_proj
        self.no_obj_ptr = model.no_obj_ptr
        self.mask_downsample = model.mask_downsample
        self.image_size = cfg.image_size
        self.low_res_size = cfg.low_res_size
        self.no_obj_score = NO_OBJ_SCORE
        self.soft_no_obj_ptr = cfg.soft_no_obj_ptr
        self.fixed_no_obj_ptr = cfg.fixed_no_obj_ptr
        self.use_multimask_token_for_obj_ptr = cfg.use_multimask_token_for_obj_ptr
        self.stability_delta = cfg.dynamic_multimask_stability_delta
        self.stability_thresh = cfg.dynamic_multimask_stability_thresh

    def _sparse(self, coords: Tensor, labels: Tensor, dummy_if_empty: bool) -> Tensor:
        """sam2's prompt encoder always appends one padding point to a point prompt (boxes arrive as points
        labelled 2, 3); with no points, the video path feeds a dummy padding point first, the image path
        nothing at all."""
        b = coords.shape[0]
        pe = self.sam_prompt_encoder
        if coords.shape[1] == 0:
            if not dummy_if_empty:
                return torch.zeros(b, 0, pe.dim, dtype=self.no_obj_ptr.dtype, device=coords.device)
            coords = torch.zeros(b, 1, 2, dtype=coords.dtype, device=coords.device)
            labels = -torch.ones(b, 1, dtype=labels.dtype, device=labels.device)
        coords = torch.cat([coords, torch.zeros(b, 1, 2, dtype=coords.dtype, device=coords.device)], dim=1)
        labels = torch.cat([labels, -torch.ones(b, 1, dtype=labels.dtype, device=labels.device)], dim=1)
        return pe.embed_points(coords, labels)

    def _decode(self, image_embed: Tensor, feat_s0: Tensor, feat_s1: Tensor, sparse: Tensor,
                mask_input: Optional[Tensor]) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        pe = self.sam_prompt_encoder
        dense = pe.embed_mask(mask_input, sparse.shape[0], True)
        # features may come from bfloat16 components; the decoder runs in its own weights' dtype (float32 in every
        # export: masks, IoU and object score are decided here)
        dt = self.no_obj_ptr.dtype
        return self.sam_mask_decoder.predict(image_embed.to(dt), pe.dense_pe(), sparse, dense, feat_s0.to(dt),
                                             feat_s1.to(dt))

    def forward(self, image_embed: Tensor, feat_s0: Tensor, feat_s1: Tensor, point_coords: Tensor,
                point_labels: Tensor, mask_input: Optional[Tensor], multimask_output: bool,
                stability_fallback: bool) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """Image mode (SAM2ImagePredictor._predict): -> (masks [B, M, 4E, 4E] logits, iou [B, M],
        sam_tokens [B, M', C], object_score_logits [B, 1]); no NO_OBJ_SCORE substitution."""
        sparse = self._sparse(point_coords, point_labels, False)
        masks, iou, tokens, score = self._decode(image_embed, feat_s0, feat_s1, sparse, mask_input)
        m, i, t = select_outputs(masks, iou, tokens, multimask_output, stability_fallback,
                                 self.use_multimask_token_for_obj_ptr, self.stability_delta, self.stability_thresh)
        return m, i, t, score

    @torch.jit.export
    def object_pointer(self, sam_token: Tensor, object_score_logits: Tensor) -> Tensor:
        """sam_token [B, C], object_score_logits [B, 1] -> object pointer [B, C] (no_obj_ptr mixed in)."""
        ptr = self.obj_ptr_proj(sam_token)
        if self.soft_no_obj_ptr:
            lam = object_score_logits.sigmoid()
        else:
            lam = (object_score_logits > 0).to(ptr.dtype)
        if self.fixed_no_obj_ptr:
            ptr = lam * ptr
        return ptr + (1 - lam) * self.no_obj_ptr

    def _heads(self, image_embed: Tensor, feat_s0: Tensor, feat_s1: Tensor, point_coords: Tensor,
               point_labels: Tensor, mask_input: Optional[Tensor], multimask_output: bool,
               stability_fallback: bool) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """track's decoder outputs before the object-score gate: (multimasks [B, M, 4E, 4E], ious [B, M],
        sam tokens [B, M', C], object_score_logits [B, 1]). Training supervises these masks (the gate would hide
        them from the loss whenever the score is wrong)."""
        sparse = self._sparse(point_coords, point_labels, True)
        masks, iou, tokens, score = self._decode(image_embed, feat_s0, feat_s1, sparse, mask_input)
        multi, ious, sam_tokens = select_outputs(
            masks, iou, tokens, multimask_output, stability_fallback, self.use_multimask_token_for_obj_ptr,
            self.stability_delta, self.stability_thresh)
        return multi, ious, sam_tokens, score

    def _gate(self, multi: Tensor, ious: Tensor, sam_tokens: Tensor, score: Tensor, multimask_output: bool
              ) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
        """The rest of track: NO_OBJ_SCORE where the object is absent, high-res masks, the best mask, the pointer."""
        b = multi.shape[0]
        appearing = score > 0
        multi = torch.where(appearing[:, None, None], multi, torch.full_like(multi, self.no_obj_score)).float()
        high_multi = F.interpolate(multi, size=(self.image_size, self.image_size), mode="bilinear",
                                   align_corners=False)
        token = sam_tokens[:, 0]
        if multimask_output:
            best = torch.argmax(ious, dim=-1)
            rows = torch.arange(b, device=multi.device)
            low = multi[rows, best].unsqueeze(1)
            high = high_multi[rows, best].unsqueeze(1)
            if sam_tokens.size(1) > 1:
                token = sam_tokens[rows, best]
        else:
            low, high = multi, high_multi
        return multi, ious, low, high, self.object_pointer(token, score), score

    @torch.jit.export
    def track(self, image_embed: Tensor, feat_s0: Tensor, feat_s1: Tensor, point_coords: Tensor,
              point_labels: Tensor, mask_input: Optional[Tensor], multimask_output: bool,
              stability_fallback: bool) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
        """Video mode (SAM2Base._forward_sam_heads) -> (low_res_multimasks [B, M, 4E, 4E], ious [B, M],
        low_res_masks [B, 1, 4E, 4E], high_res_masks [B, 1, S, S], obj_ptr [B, C], object_score_logits [B, 1]);
        masks are NO_OBJ_SCORE (-1024) where object_score_logits <= 0."""
        multi, ious, sam_tokens, score = self._heads(image_embed, feat_s0, feat_s1, point_coords, point_labels,
                                                     mask_input, multimask_output, stability_fallback)
        return self._gate(multi, ious, sam_tokens, score, multimask_output)

    @torch.jit.export
    def mask_as_output(self, image_embed: Tensor, feat_s0: Tensor, feat_s1: Tensor, mask: Tensor
                       ) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
        """A mask prompt used directly as the output (SAM2Base._use_mask_as_output). image_embed: the RAW
        level-2 features (no memory, no no-memory embedding); mask [B, 1, S, S] binary -> the same 6-tuple as
        track: logits = mask * 20 - 10 (low-res by antialiased bilinear), IoU 1, object score +-10, pointer
        from the decoder with the downsampled mask as prompt."""
        b = mask.shape[0]
        mf = mask.float()
        high = mf * 20.0 - 10.0
        low = F.interpolate(high, size=(high.shape[-2] // 4, high.shape[-1] // 4), mode="bilinear",
                            align_corners=False, antialias=True)
        ious = torch.ones(b, 1, dtype=mf.dtype, device=mf.device)
        coords = torch.zeros(b, 0, 2, dtype=mf.dtype, device=mf.device)
        labels = torch.zeros(b, 0, dtype=torch.long, device=mf.device)
        ptr = self.track(image_embed, feat_s0, feat_s1, coords, labels, self.mask_downsample(mf), False, False)[4]
        lam = torch.any(mf.flatten(1) > 0.0, dim=1)[..., None].to(mf.dtype)
        score = 20.0 * lam - 10.0
        if self.fixed_no_obj_ptr:
            ptr = lam * ptr
        ptr = ptr + (1 - lam) * self.no_obj_ptr
        return low, ious, low, high, ptr, score


class Sam2MemoryAttentionComponent(nn.Module):
    """Conditions the current frame's features on the memory bank (SAM2Base._prepare_memory_conditioned_features
    after the host has chosen the memories)."""

    add_tpos_enc_to_obj_ptrs: torch.jit.Final[bool]

    def __init__(self, model: Sam2Model) -> None:
        super().__init__()
        cfg = model.cfg
        self.memory_attention = model.memory_attention
        self.maskmem_tpos_enc = model.maskmem_tpos_enc
        self.no_mem_embed = model.no_mem_embed
        self.obj_ptr_tpos_proj = model.obj_ptr_tpos_proj
        e = cfg.embedding_size
        self.register_buffer("vision_pos_enc", sine_pe_2d(cfg.d_model, e, e), persistent=False)
        self.register_buffer("maskmem_pos_enc", sine_pe_2d(cfg.mem_dim, e, e), persistent=False)
        self.num_maskmem = cfg.num_maskmem
        self.mem_dim = cfg.mem_dim
        self.hidden_dim = cfg.d_model
        self.max_obj_ptrs_in_encoder = cfg.max_obj_ptrs_in_encoder
        self.add_tpos_enc_to_obj_ptrs = cfg.add_tpos_enc_to_obj_ptrs
        self.tpos_dim = cfg.d_model if cfg.proj_tpos_enc_in_obj_ptrs else cfg.mem_dim

    def _check_features(self, curr: Tensor) -> None:
        if curr.dim() != 4 or curr.shape[1] != self.hidden_dim or curr.shape[2] != self.vision_pos_enc.shape[2] \
                or curr.shape[3] != self.vision_pos_enc.shape[3]:
            raise ValueError("memory_attention: expected vision_features [B, " + str(self.hidden_dim) + ", "
                             + str(self.vision_pos_enc.shape[2]) + ", " + str(self.vision_pos_enc.shape[3])
                             + "], got " + str(curr.shape))

    @torch.jit.export
    def no_memory(self, vision_features: Tensor) -> Tensor:
        """Memory-free frames (images, initial conditioning frames): vision_features + no_mem_embed."""
        self._check_features(vision_features)
        return vision_features.to(self.no_mem_embed.dtype) + self.no_mem_embed.reshape(1, -1, 1, 1)

    def forward(self, vision_features: Tensor, memories: List[Tensor], memory_tpos: List[int],
                obj_ptrs: List[Tensor], obj_ptr_tpos: List[int], num_frames: int) -> Tensor:
        """vision_features [B, C, E, E] (raw level 2); memories: spatial memories [B, mem_dim, E, E] (float32 or
        bfloat16), each with its t_pos in memory_tpos (0 = conditioning frame, 1..num_maskmem-1 = the official
        t_pos of a non-conditioning frame); obj_ptrs: [B, C] pointers with their signed temporal distances in
        obj_ptr_tpos; num_frames: the video length (normalises the pointer distances)
        -> memory-conditioned features [B, C, E, E]."""
        self._check_features(vision_features)
        if len(memories) != len(memory_tpos):
            raise ValueError("memory_attention: " + str(len(memories)) + " memories but "
                             + str(len(memory_tpos)) + " memory_tpos")
        if len(obj_ptrs) != len(obj_ptr_tpos):
            raise ValueError("memory_attention: " + str(len(obj_ptrs)) + " obj_ptrs but "
                             + str(len(obj_ptr_tpos)) + " obj_ptr_tpos")
        if len(memories) + len(obj_ptrs) == 0:
            raise ValueError("memory_attention: no memories and no object pointers (use no_memory)")
        b, c, h, w = vision_features.shape
        dtype = self.no_mem_embed.dtype  # the weights' dtype: float32, or bfloat16 in a bf16 export
        curr = vision_features.to(dtype).flatten(2).permute(0, 2, 1)
        curr_pos = self.vision_pos_enc.to(dtype).flatten(2).permute(0, 2, 1).expand(b, -1, -1)
        spatial_pos = self.maskmem_pos_enc.to(dtype).flatten(2).permute(0, 2, 1)
        mems: List[Tensor] = []
        poss: List[Tensor] = []
        for i, mem in enumerate(memories):
            t = memory_tpos[i]
            if t < 0 or t >= self.num_maskmem:
                raise ValueError("memory_attention: memory_tpos " + str(t) + " outside [0, "
                                 + str(self.num_maskmem - 1) + "]")
            if mem.dim() != 4 or mem.shape[1] != self.mem_dim or mem.shape[2] != h or mem.shape[3] != w:
                raise ValueError("memory_attention: expected memory [B, " + str(self.mem_dim) + ", " + str(h)
                                 + ", " + str(w) + "], got " + str(mem.shape))
            mems.append(mem.to(dtype).flatten(2).permute(0, 2, 1).expand(b, -1, -1))
            tpos = self.maskmem_tpos_enc[self.num_maskmem - t - 1].to(dtype).reshape(1, 1, -1)
            poss.append((spatial_pos + tpos).expand(b, -1, -1))
        num_ptr_tokens = 0
        if len(obj_ptrs) > 0:
            ptrs = torch.stack([p.to(dtype).reshape(-1, c) for p in obj_ptrs], dim=1).expand(b, -1, -1)
            n = ptrs.shape[1]
            if self.add_tpos_enc_to_obj_ptrs:
                t_diff_max = min(num_frames, self.max_obj_ptrs_in_encoder) - 1
                if t_diff_max < 1:
                    raise ValueError("memory_attention: num_frames must be >= 2 when object pointers are given")
                pos = torch.tensor(obj_ptr_tpos, dtype=torch.float32, device=vision_features.device) / t_diff_max
                ptr_pos = self.obj_ptr_tpos_proj(sine_pe_1d(pos, self.tpos_dim).to(dtype)).to(dtype)
                ptr_pos = ptr_pos.unsqueeze(0).expand(b, -1, -1)
            else:
                ptr_pos = torch.zeros(b, n, self.mem_dim, dtype=dtype, device=vision_features.device)
            split = c // self.mem_dim
            mems.append(ptrs.reshape(b, n * split, self.mem_dim))
            poss.append(ptr_pos.repeat_interleave(split, dim=1))
            num_ptr_tokens = n * split
        memory = torch.cat(mems, dim=1)
        memory_pos = torch.cat(poss, dim=1)
        out = self.memory_attention(curr, curr_pos, memory, memory_pos, h, w, num_ptr_tokens)
        return out.permute(0, 2, 1).reshape(b, c, h, w)


class Sam2MemoryEncoderComponent(nn.Module):
    """Encodes a frame's prediction into a spatial memory (SAM2Base._encode_new_memory)."""

    has_no_obj_embed_spatial: torch.jit.Final[bool]

    def __init__(self, model: Sam2Model) -> None:
        super().__init__()
        cfg = model.cfg
        self.memory_encoder = model.memory_encoder
        self.has_no_obj_embed_spatial = cfg.no_obj_embed_spatial
        if cfg.no_obj_embed_spatial:
            self.no_obj_embed_spatial = model.no_obj_embed_spatial
        e = cfg.embedding_size
        self.register_buffer("maskmem_pos_enc", sine_pe_2d(cfg.mem_dim, e, e), persistent=False)
        self.image_size = cfg.image_size
        self.sigmoid_scale = cfg.sigmoid_scale_for_mem_enc
        self.sigmoid_bias = cfg.sigmoid_bias_for_mem_enc

    def forward(self, vision_features: Tensor, mask: Tensor, object_score_logits: Tensor, binarize: bool) -> Tensor:
        """vision_features [B, C, E, E] (raw level 2); mask [B, 1, h, w] logits (4E low-res logits are upsampled
        bilinearly to S x S first, an S x S mask is used as is); object_score_logits [B, 1]; binarize: use
        (mask > 0) instead of sigmoid(mask) (the host passes binarize_mask_from_pts_for_mem_enc && the mask came
        from prompts) -> maskmem_features [B, mem_dim, E, E] (float; the official store keeps them as bfloat16)."""
        m = mask.float().contiguous()
        if m.shape[-2] != self.image_size or m.shape[-1] != self.image_size:
            m = F.interpolate(m, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False)
        if binarize:
            m = (m > 0).float()
        else:
            m = torch.sigmoid(m)
        if self.sigmoid_scale != 1.0:
            m = m * self.sigmoid_scale
        if self.sigmoid_bias != 0.0:
            m = m + self.sigmoid_bias
        # sam2 hands the memory encoder a view of its (HW, B, C)-contiguous features, permuted back to NCHW; the
        # convolutions pick their kernel by memory layout, so the same layout keeps the results bit-identical
        # whatever layout the caller's tensor has.
        b, c, h, w = vision_features.shape
        dt = self.memory_encoder.pix_feat_proj.weight.dtype  # float32, or bfloat16 in a bf16 export
        pix = vision_features.to(dt).flatten(2).permute(2, 0, 1).contiguous().permute(1, 2, 0).view(b, c, h, w)
        feats = self.memory_encoder(pix, m.to(dt))
        if self.has_no_obj_embed_spatial:
            absent = 1 - (object_score_logits > 0).to(feats.dtype)
            feats = feats + absent[..., None, None] * self.no_obj_embed_spatial[..., None, None].expand(feats.shape)
        return feats

