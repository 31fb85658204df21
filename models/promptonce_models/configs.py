"""Architecture configurations: every official SAM / SAM 2 / SAM 2.1 variant, MedSAM, MedSAM2 and test presets.

The numbers come from the official builders (segment-anything `build_sam.py`; sam2 `configs/sam2*/*.yaml`,
`SAM2Base` defaults, and the overrides of `build_sam2_video_predictor(apply_postprocessing=True)`).
Every dimension is a field, so tiny and full-size models share one code path.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Dict, Tuple, Union

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
SAM_MEAN = (123.675, 116.28, 103.53)
SAM_STD = (58.395, 57.12, 57.375)


@dataclass(frozen=True)
class Preprocess:
    """How the host turns an image into the encoder input (documented in the manifest)."""

    resize: str  # "longest_side_pad" (SAM: keep aspect, pad bottom/right after normalising) | "square"
    pixel_scale: float  # multiply 0-255 RGB by this first (1.0 or 1/255)
    mean: Tuple[float, float, float]
    std: Tuple[float, float, float]
    intensity: str = "none"  # "none" | "minmax" (MedSAM: (x - min) / max(max - min, 1e-8) after resizing)


@dataclass(frozen=True)
class DecoderConfig:
    """Prompt encoder + two-way transformer + mask decoder (shared by both families)."""

    dim: int = 256  # prompt embedding / transformer dim
    depth: int = 2
    num_heads: int = 8
    mlp_dim: int = 2048
    attention_downsample_rate: int = 2
    num_multimask_outputs: int = 3
    iou_head_depth: int = 3
    iou_head_hidden_dim: int = 256
    hypernet_hidden_dim: int = 0  # 0 = dim (official)
    mask_in_chans: int = 16


@dataclass(frozen=True)
class SamConfig:
    """SAM (v1): ViT image encoder, prompt encoder, two-way mask decoder."""

    name: str
    image_size: int = 1024
    patch_size: int = 16
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    mlp_ratio: float = 4.0
    global_attn_indexes: Tuple[int, ...] = (2, 5, 8, 11)
    window_size: int = 14
    qkv_bias: bool = True
    use_rel_pos: bool = True
    out_chans: int = 256
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    preprocess: Preprocess = Preprocess("longest_side_pad", 1.0, SAM_MEAN, SAM_STD)
    family: str = "sam"
    description: str = ""

    @property
    def embedding_size(self) -> int:
        return self.image_size // self.patch_size

    @property
    def low_res_size(self) -> int:
        return 4 * self.embedding_size

    def validate(self) -> None:
        _check(self.decoder.dim == self.out_chans, f"{self.name}: decoder.dim must equal out_chans")
        _check(self.embed_dim % self.num_heads == 0, f"{self.name}: num_heads must divide embed_dim")
        _check(self.image_size % self.patch_size == 0, f"{self.name}: patch_size must divide image_size")
        _check(all(0 <= i < self.depth for i in self.global_attn_indexes), f"{self.name}: global index >= depth")
        _check_decoder(self.name, self.decoder)


@dataclass(frozen=True)
class Sam2Config:
    """SAM 2 / 2.1: Hiera + FPN, memory attention, memory encoder, prompt encoder, mask decoder."""

    name: str
    image_size: int = 1024
    # Hiera trunk
    embed_dim: int = 96
    num_heads: int = 1
    stages: Tuple[int, ...] = (1, 2, 7, 2)
    global_att_blocks: Tuple[int, ...] = (5, 7, 9)
    window_spec: Tuple[int, ...] = (8, 4, 14, 7)
    window_pos_embed_bkg_spatial_size: Tuple[int, int] = (7, 7)
    patch_kernel: int = 7
    patch_stride: int = 4
    patch_padding: int = 3
    q_pool: int = 3
    q_stride: int = 2
    dim_mul: float = 2.0
    head_mul: float = 2.0
    mlp_ratio: float = 4.0
    # FPN neck
    d_model: int = 256
    fpn_top_down_levels: Tuple[int, ...] = (2, 3)
    fpn_interp_model: str = "nearest"
    scalp: int = 1
    # memory attention
    mem_attn_layers: int = 4
    mem_attn_heads: int = 1
    mem_attn_ffn_dim: int = 2048
    rope_theta: float = 10000.0
    pos_enc_at_input: bool = True
    pos_enc_at_attn: bool = False
    pos_enc_at_cross_attn_keys: bool = True
    pos_enc_at_cross_attn_queries: bool = False
    # memory encoder
    mem_dim: int = 64
    mask_downsampler_channels: Tuple[int, ...] = (4, 16, 64, 256)
    mask_downsampler_kernel: int = 3
    mask_downsampler_stride: int = 2
    mask_downsampler_padding: int = 1
    fuser_layers: int = 2
    fuser_kernel: int = 7
    fuser_padding: int = 3
    fuser_expansion: int = 4
    fuser_layer_scale_init: float = 1e-6
    # SAM heads
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    iou_prediction_use_sigmoid: bool = True
    pred_obj_scores: bool = True
    pred_obj_scores_mlp: bool = True
    use_multimask_token_for_obj_ptr: bool = True
    use_mlp_for_obj_ptr_proj: bool = True
    dynamic_multimask_stability_delta: float = 0.05
    dynamic_multimask_stability_thresh: float = 0.98
    # SAM2Base behaviour (2.1 values; the 2.0 configs differ in the four flags marked *)
    num_maskmem: int = 7
    sigmoid_scale_for_mem_enc: float = 20.0
    sigmoid_bias_for_mem_enc: float = -10.0
    use_mask_input_as_output_without_sam: bool = True
    max_cond_frames_in_attn: int = -1
    directly_add_no_mem_embed: bool = True
    use_high_res_features_in_sam: bool = True
    multimask_output_in_sam: bool = True
    multimask_min_pt_num: int = 0
    multimask_max_pt_num: int = 1
    multimask_output_for_tracking: bool = True
    memory_temporal_stride_for_eval: int = 1
    non_overlap_masks_for_mem_enc: bool = False
    use_obj_ptrs_in_encoder: bool = True
    max_obj_ptrs_in_encoder: int = 16
    add_tpos_enc_to_obj_ptrs: bool = True  # * 2.0: False
    proj_tpos_enc_in_obj_ptrs: bool = True  # * 2.0: False
    use_signed_tpos_enc_to_obj_ptrs: bool = True  # * 2.0: False
    only_obj_ptrs_in_the_past_for_eval: bool = True
    fixed_no_obj_ptr: bool = True
    soft_no_obj_ptr: bool = False
    no_obj_embed_spatial: bool = True  # * 2.0: False
    # predictor-level settings (build_sam2_video_predictor with apply_postprocessing=True)
    dynamic_multimask_via_stability: bool = True
    binarize_mask_from_pts_for_mem_enc: bool = True
    fill_hole_area: int = 8
    non_overlap_masks: bool = False
    clear_non_cond_mem_around_input: bool = False
    add_all_frames_to_correct_as_cond: bool = False
    preprocess: Preprocess = Preprocess("square", 1.0 / 255.0, IMAGENET_MEAN, IMAGENET_STD)
    family: str = "sam2"
    description: str = ""

    backbone_stride: int = 16

    @property
    def embedding_size(self) -> int:
        return self.image_size // self.backbone_stride

    @property
    def low_res_size(self) -> int:
        return 4 * self.embedding_size

    @property
    def stage_dims(self) -> Tuple[int, ...]:
        dims, d = [], self.embed_dim
        for i in range(len(self.stages)):
            if i > 0:
                d = int(d * self.dim_mul)
            dims.append(d)
        return tuple(dims)

    def validate(self) -> None:
        n = self.name
        _check(len(self.stages) == len(self.window_spec), f"{n}: stages and window_spec differ in length")
        _check(0 <= self.q_pool <= len(self.stages) - 1, f"{n}: q_pool out of range")
        _check(all(0 <= b < sum(self.stages) for b in self.global_att_blocks), f"{n}: global block >= depth")
        _check(self.decoder.dim == self.d_model, f"{n}: decoder.dim must equal d_model")
        _check(self.d_model % self.mem_dim == 0, f"{n}: mem_dim must divide d_model")
        _check(self.use_high_res_features_in_sam, f"{n}: only use_high_res_features_in_sam=True is supported")
        _check(self.directly_add_no_mem_embed, f"{n}: only directly_add_no_mem_embed=True is supported")
        _check(self.use_obj_ptrs_in_encoder, f"{n}: only use_obj_ptrs_in_encoder=True is supported")
        _check(self.pred_obj_scores, f"{n}: only pred_obj_scores=True is supported")
        _check(self.num_maskmem > 0, f"{n}: num_maskmem must be > 0")
        _check(len(self.stages) - self.scalp == 3, f"{n}: the encoder must keep exactly 3 feature levels")
        _check(self.mask_downsampler_stride ** len(self.mask_downsampler_channels) == self.backbone_stride,
               f"{n}: mask downsampler total stride must equal backbone_stride")
        _check(self.patch_stride * 2 ** (len(self.stages) - 1 - self.scalp) == self.backbone_stride,
               f"{n}: patch stride and q-pooling must give backbone_stride at the last kept level")
        _check(not (self.proj_tpos_enc_in_obj_ptrs and not self.add_tpos_enc_to_obj_ptrs),
               f"{n}: proj_tpos_enc_in_obj_ptrs needs add_tpos_enc_to_obj_ptrs")
        _check(self.image_size % self.backbone_stride == 0, f"{n}: backbone_stride must divide image_size")
        heads = self.num_heads
        for i, d in enumerate(self.stage_dims):
            _check(d % heads == 0, f"{n}: stage {i} dim {d} not divisible by {heads} heads")
            heads = int(heads * self.head_mul)
        _check_decoder(n, self.decoder)


ArchConfig = Union[SamConfig, Sam2Config]


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ValueError(msg)


def _check_decoder(name: str, d: DecoderConfig) -> None:
    _check(d.dim % 8 == 0, f"{name}: decoder dim must be a multiple of 8")
    _check(d.dim % d.num_heads == 0, f"{name}: decoder heads must divide dim")
    _check((d.dim // d.attention_downsample_rate) % d.num_heads == 0,
           f"{name}: decoder heads must divide dim / attention_downsample_rate")
    _check(d.mask_in_chans % 4 == 0, f"{name}: mask_in_chans must be a multiple of 4")


def _sam(name: str, embed_dim: int, depth: int, heads: int, glob: Tuple[int, ...], desc: str) -> SamConfig:
    return SamConfig(name=name, embed_dim=embed_dim, depth=depth, num_heads=heads, global_attn_indexes=glob,
                     description=desc)


_SAM20 = dict(add_tpos_enc_to_obj_ptrs=False, proj_tpos_enc_in_obj_ptrs=False,
              use_signed_tpos_enc_to_obj_ptrs=False, no_obj_embed_spatial=False)
_TINY = dict(embed_dim=96, num_heads=1, stages=(1, 2, 7, 2), global_att_blocks=(5, 7, 9))
_SMALL = dict(embed_dim=96, num_heads=1, stages=(1, 2, 11, 2), global_att_blocks=(7, 10, 13))
_BPLUS = dict(embed_dim=112, num_heads=2, stages=(2, 3, 16, 3), global_att_blocks=(12, 16, 20),
              window_pos_embed_bkg_spatial_size=(14, 14))
_LARGE = dict(embed_dim=144, num_heads=2, stages=(2, 6, 36, 4), global_att_blocks=(23, 33, 43),
              window_spec=(8, 4, 16, 8))


def _sam2(name: str, trunk: dict, v20: bool, desc: str, **extra) -> Sam2Config:
    kw = dict(trunk)
    if v20:
        kw.update(_SAM20)
    kw.update(extra)
    return Sam2Config(name=name, description=desc, **kw)


ARCHS: Dict[str, ArchConfig] = {}


def _register(cfg: ArchConfig) -> None:
    cfg.validate()
    ARCHS[cfg.name] = cfg


_register(_sam("sam_vit_b", 768, 12, 12, (2, 5, 8, 11), "SAM ViT-B (sam_vit_b_01ec64.pth)"))
_register(_sam("sam_vit_l", 1024, 24, 16, (5, 11, 17, 23), "SAM ViT-L (sam_vit_l_0b3195.pth)"))
_register(_sam("sam_vit_h", 1280, 32, 16, (7, 15, 23, 31), "SAM ViT-H (sam_vit_h_4b8939.pth)"))
_register(dataclasses.replace(
    ARCHS["sam_vit_b"], name="medsam",
    preprocess=Preprocess("square", 1.0, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), intensity="minmax"),
    description="MedSAM (medsam_vit_b.pth): SAM ViT-B weights; input resized to a square and min-max "
                "normalised to [0, 1] (MedSAM_Inference.py), box prompts"))
_register(_sam2("sam2_hiera_t", _TINY, True, "SAM 2 Hiera-T (sam2_hiera_tiny.pt)"))
_register(_sam2("sam2_hiera_s", _SMALL, True, "SAM 2 Hiera-S (sam2_hiera_small.pt)"))
_register(_sam2("sam2_hiera_b+", _BPLUS, True, "SAM 2 Hiera-B+ (sam2_hiera_base_plus.pt)"))
_register(_sam2("sam2_hiera_l", _LARGE, True, "SAM 2 Hiera-L (sam2_hiera_large.pt)"))
_register(_sam2("sam2.1_hiera_t", _TINY, False, "SAM 2.1 Hiera-T (sam2.1_hiera_tiny.pt)"))
_register(_sam2("sam2.1_hiera_s", _SMALL, False, "SAM 2.1 Hiera-S (sam2.1_hiera_small.pt)"))
_register(_sam2("sam2.1_hiera_b+", _BPLUS, False, "SAM 2.1 Hiera-B+ (sam2.1_hiera_base_plus.pt)"))
_register(_sam2("sam2.1_hiera_l", _LARGE, False, "SAM 2.1 Hiera-L (sam2.1_hiera_large.pt)"))
_register(_sam2("medsam2", _TINY, False,
                "MedSAM2 (MedSAM2_latest.pt): SAM 2.1 Hiera-T at 512 px (bowang-lab/MedSAM2 "
                "sam2.1_hiera_t512.yaml)", image_size=512))

# Tiny presets for CI and the Java tests: the real structure (4 Hiera stages with q-pooling, windowed and
# global blocks, FPN, memory attention with RoPE and pointer tokens split into mem_dim chunks, ...) at a size
# that runs in milliseconds.
_TINY_DECODER = DecoderConfig(dim=32, depth=2, num_heads=2, mlp_dim=64, iou_head_hidden_dim=32,
                              mask_in_chans=8)
_register(Sam2Config(
    name="test-tiny", image_size=128, embed_dim=8, num_heads=1, stages=(1, 2, 3, 2), global_att_blocks=(4,),
    window_spec=(8, 4, 6, 2), window_pos_embed_bkg_spatial_size=(4, 4), d_model=32, mem_attn_layers=2,
    mem_attn_ffn_dim=64, mem_dim=8, mask_downsampler_channels=(4, 8, 16, 32), decoder=_TINY_DECODER,
    description="tiny SAM 2.1-architecture model for tests (random weights only)"))
_register(SamConfig(
    name="test-tiny-sam", image_size=128, embed_dim=32, depth=2, num_heads=2, global_attn_indexes=(1,),
    window_size=3, out_chans=32, decoder=_TINY_DECODER,
    description="tiny SAM (v1)-architecture model for tests (random weights only)"))

# The CI parity fixtures (scripts/parity/make_ci_fixtures.py): small models at 256 px that the OFFICIAL code can
# build too. SAM2Base hard-codes its SAM heads (8 decoder heads, MLP 2048, IoU head 256, mask_in_chans 16) and
# MaskDownSampler its channels (x4 per stride-2 layer), so only the widths around them are small.
_register(Sam2Config(
    name="parity-sam2.1", image_size=256, embed_dim=8, num_heads=1, stages=(1, 2, 3, 2), global_att_blocks=(4,),
    d_model=32, mem_attn_layers=2, mem_attn_ffn_dim=64, mem_dim=8,
    decoder=DecoderConfig(dim=32, depth=2, num_heads=8, mlp_dim=2048, iou_head_hidden_dim=256, mask_in_chans=16),
    description="small SAM 2.1 model the official code can build, for the CI parity fixtures (random weights)"))
_register(SamConfig(
    name="parity-sam", image_size=256, embed_dim=32, depth=2, num_heads=2, global_attn_indexes=(1,),
    window_size=6, out_chans=32, decoder=_TINY_DECODER,
    description="small SAM (v1) model for the CI parity fixtures (random weights)"))


# The embedded default model (issue 6): a SAM 2.1-architecture model small enough to train from scratch on CPU,
# on synthetic phantoms (models/PHANTOMS.md, models/train_default.py, models/MODEL_CARD.md). 256 px input (16 x 16
# embedding grid, RoPE table 16 x 16), Hiera embed 32 with stages (1, 2, 3, 1) (dims 32/64/128/256; windows 8, 8,
# 16, 8: stage 3 and 4 windows cover their whole 16 x 16 and 8 x 8 maps), 64-channel neck and decoder with a 256-wide
# MLP (official: 256 / 2048), memory attention of 2 layers (FFN 256) over 32-channel memories, 7 memories and 16
# object pointers as SAM 2.1. The rest (flags, heads, policy) is SAM 2.1's.
_SMALL_DECODER = DecoderConfig(dim=64, depth=2, num_heads=4, mlp_dim=256, iou_head_hidden_dim=64, mask_in_chans=16)
_register(Sam2Config(
    name="promptonce-small", image_size=256, embed_dim=32, num_heads=1, stages=(1, 2, 3, 1),
    global_att_blocks=(5,), window_spec=(8, 8, 16, 8), d_model=64, mem_attn_layers=2, mem_attn_ffn_dim=256,
    mem_dim=32, mask_downsampler_channels=(4, 16, 64, 64), decoder=_SMALL_DECODER,
    description="promptonce-small: a small SAM 2.1-architecture model (256 px) trained from scratch on synthetic "
                "phantoms (models/MODEL_CARD.md); a demonstration model, not a clinical one"))


def get_config(name: str) -> ArchConfig:
    if name not in ARCHS:
        raise KeyError(f"unknown arch {name!r}; known: {', '.join(sorted(ARCHS))}")
    return ARCHS[name]


def shrink(cfg: ArchConfig) -> ArchConfig:
    """The same structure (depths, windows, global blocks, flags, heads) with narrow layers and a small image,
    for tests that build and script every arch."""
    small_dec = DecoderConfig(dim=32, depth=cfg.decoder.depth, num_heads=2, mlp_dim=32, iou_head_hidden_dim=16,
                              mask_in_chans=8)
    if isinstance(cfg, SamConfig):
        return dataclasses.replace(cfg, name=cfg.name + "@tiny", image_size=128, embed_dim=2 * cfg.num_heads,
                                   out_chans=32, decoder=small_dec)
    return dataclasses.replace(
        cfg, name=cfg.name + "@tiny", image_size=128, embed_dim=4 * cfg.num_heads, d_model=32, mem_dim=8,
        mem_attn_ffn_dim=32, mask_downsampler_channels=(2, 4, 8, 16), decoder=small_dec)
