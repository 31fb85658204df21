"""Every arch: config valid, official key layout, builds and scripts at tiny size with the same structure."""
import hashlib

import pytest
import torch

from helpers import run
from promptonce_models import checkpoint, configs

# sha256 (first 16 hex digits) of the sorted state-dict key names and the key count of the OFFICIAL models,
# measured once with facebookresearch/sam2 (2b90b9f) and segment-anything (dca509f); see models/README.md.
OFFICIAL_KEYS = {
    "sam_vit_b": ("d72abcc4e04e8e97", 314), "sam_vit_l": ("db9bc2cf15de8998", 482),
    "sam_vit_h": ("29cc5b588f4d4336", 594), "medsam": ("d72abcc4e04e8e97", 314),
    "sam2_hiera_t": ("e1c94a0387f5483a", 468), "sam2_hiera_s": ("10b3be0f41da0f20", 516),
    "sam2_hiera_b+": ("7591f0db9ca8975a", 612), "sam2_hiera_l": ("53558cb056a0ae52", 900),
    "sam2.1_hiera_t": ("065685fec829b34e", 471), "sam2.1_hiera_s": ("099dda3d44c4fb76", 519),
    "sam2.1_hiera_b+": ("507545c91402e80d", 615), "sam2.1_hiera_l": ("66a84ab6f17de6d7", 903),
    "medsam2": ("065685fec829b34e", 471),
}
TEST_ARCHS = ("test-tiny", "test-tiny-sam", "parity-sam2.1", "parity-sam")  # parity-*: the CI parity fixtures
OWN_ARCHS = ("promptonce-small",)  # our own small models: tested at full size


def key_hash(model):
    keys = sorted(model.state_dict().keys())
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16], len(keys)


def test_every_arch_is_listed():
    assert set(configs.ARCHS) == set(OFFICIAL_KEYS) | set(TEST_ARCHS) | set(OWN_ARCHS)


@pytest.mark.parametrize("arch", list(configs.ARCHS))
def test_arch_builds_and_scripts(arch):
    cfg = configs.get_config(arch)
    small = cfg if arch in TEST_ARCHS + OWN_ARCHS else configs.shrink(cfg)
    small.validate()
    model = checkpoint.random_model(small, seed=0)
    if arch in OFFICIAL_KEYS:  # shrinking keeps the structure, hence the key set
        assert key_hash(model) == OFFICIAL_KEYS[arch]
    comps = model.components()
    scripted = {k: torch.jit.script(v) for k, v in comps.items()}
    eager_out = run(comps, small)
    script_out = run(scripted, small)
    assert len(eager_out) == len(script_out)
    for a, b in zip(eager_out, script_out):
        assert torch.isfinite(a).all()
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)


def test_promptonce_small_is_small_and_sam21():
    cfg = configs.get_config("promptonce-small")
    model = checkpoint.build_model(cfg)
    n = sum(p.numel() for p in model.parameters())
    assert 1_800_000 < n < 2_100_000  # MODEL_CARD.md: 1.92 M; the committed weights must stay under 20 MB
    assert cfg.image_size == 256 and cfg.embedding_size == 16 and cfg.stage_dims == (32, 64, 128, 256)
    assert cfg.decoder.mlp_dim == 256 and cfg.mem_dim == 32 and cfg.num_maskmem == 7
    # SAM 2.1 behaviour flags as the official 2.1 configs
    ref = configs.get_config("sam2.1_hiera_t")
    for k in ("add_tpos_enc_to_obj_ptrs", "proj_tpos_enc_in_obj_ptrs", "use_signed_tpos_enc_to_obj_ptrs",
              "no_obj_embed_spatial", "pred_obj_scores_mlp", "use_multimask_token_for_obj_ptr",
              "binarize_mask_from_pts_for_mem_enc", "fixed_no_obj_ptr"):
        assert getattr(cfg, k) == getattr(ref, k), k


def test_sam20_and_21_differ_only_in_their_flags():
    a, b = configs.get_config("sam2_hiera_t"), configs.get_config("sam2.1_hiera_t")
    diff = {k for k in a.__dataclass_fields__ if getattr(a, k) != getattr(b, k)}
    assert diff == {"name", "description", "add_tpos_enc_to_obj_ptrs", "proj_tpos_enc_in_obj_ptrs",
                    "use_signed_tpos_enc_to_obj_ptrs", "no_obj_embed_spatial"}


def test_invalid_config_is_refused():
    import dataclasses
    with pytest.raises(ValueError, match="mem_dim must divide d_model"):
        dataclasses.replace(configs.get_config("test-tiny"), mem_dim=12).validate()
    with pytest.raises(KeyError, match="unknown arch"):
        configs.get_config("sam3")
