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
TEST_ARCHS = ("test-tiny", "test-tiny-sam")


def key_hash(model):
    keys = sorted(model.state_dict().keys())
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16], len(keys)


def test_every_arch_is_listed():
    assert set(configs.ARCHS) == set(OFFICIAL_KEYS) | set(TEST_ARCHS)


@pytest.mark.parametrize("arch", list(configs.ARCHS))
def test_arch_builds_and_scripts(arch):
    cfg = configs.get_config(arch)
    small = cfg if arch in TEST_ARCHS else configs.shrink(cfg)
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
