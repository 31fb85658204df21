"""Strict loading of official checkpoint files: layout, missing / unexpected keys, shapes, family mismatches."""
import dataclasses

import pytest
import torch

from promptonce_models import checkpoint, configs
from promptonce_models.checkpoint import CheckpointError


def save(obj, tmp_path, name="ckpt.pt"):
    path = tmp_path / name
    torch.save(obj, str(path))
    return str(path)


@pytest.mark.parametrize("arch", ["test-tiny", "test-tiny-sam"])
def test_official_layout_round_trip(arch, tmp_path):
    cfg = configs.get_config(arch)
    src = checkpoint.random_model(cfg, seed=3)
    obj = checkpoint.official_checkpoint(src)
    assert ("model" in obj) == (cfg.family == "sam2")
    dst = checkpoint.build_model(cfg)
    checkpoint.load_checkpoint(dst, save(obj, tmp_path))
    a, b = src.state_dict(), dst.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def tiny_sd(arch="test-tiny", seed=0):
    m = checkpoint.random_model(configs.get_config(arch), seed=seed)
    return {k: v.clone() for k, v in m.state_dict().items()}


def test_missing_key_is_named(tmp_path):
    sd = tiny_sd()
    del sd["memory_attention.layers.1.norm2.bias"]
    model = checkpoint.build_model(configs.get_config("test-tiny"))
    with pytest.raises(CheckpointError, match=r"1 missing key\(s\): memory_attention\.layers\.1\.norm2\.bias"):
        checkpoint.load_checkpoint(model, save({"model": sd}, tmp_path))


def test_unexpected_key_is_named(tmp_path):
    sd = tiny_sd()
    sd["sam_mask_decoder.extra_head.weight"] = torch.zeros(3)
    model = checkpoint.build_model(configs.get_config("test-tiny"))
    with pytest.raises(CheckpointError, match=r"1 unexpected key\(s\): sam_mask_decoder\.extra_head\.weight"):
        checkpoint.load_checkpoint(model, save({"model": sd}, tmp_path))


def test_shape_mismatch_is_named(tmp_path):
    sd = tiny_sd("test-tiny-sam")
    sd["mask_decoder.iou_token.weight"] = torch.zeros(1, 33)
    model = checkpoint.build_model(configs.get_config("test-tiny-sam"))
    with pytest.raises(CheckpointError, match=r"mask_decoder\.iou_token\.weight: checkpoint \(1, 33\) vs "
                                              r"expected \(1, 32\)"):
        checkpoint.load_checkpoint(model, save(sd, tmp_path))


def test_model_is_untouched_after_a_refused_checkpoint(tmp_path):
    model = checkpoint.random_model(configs.get_config("test-tiny"), seed=1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    sd = tiny_sd(seed=2)
    del sd["no_mem_embed"]
    with pytest.raises(CheckpointError):
        checkpoint.load_checkpoint(model, save({"model": sd}, tmp_path))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_sam2_checkpoint_for_sam_arch_and_back(tmp_path):
    sam2_file = save({"model": tiny_sd()}, tmp_path, "sam2.pt")
    sam_file = save(tiny_sd("test-tiny-sam"), tmp_path, "sam.pt")
    with pytest.raises(CheckpointError, match="does not match arch test-tiny-sam: it is a {'model': ...} .SAM 2."):
        checkpoint.load_checkpoint(checkpoint.build_model(configs.get_config("test-tiny-sam")), sam2_file)
    with pytest.raises(CheckpointError, match="does not match arch test-tiny: .*looks like a SAM v1 checkpoint"):
        checkpoint.load_checkpoint(checkpoint.build_model(configs.get_config("test-tiny")), sam_file)
    plain_sam2 = save(tiny_sd(), tmp_path, "plain.pt")
    with pytest.raises(CheckpointError, match="official checkpoints wrap it as {'model': ...}"):
        checkpoint.load_checkpoint(checkpoint.build_model(configs.get_config("test-tiny")), plain_sam2)


def test_sam20_checkpoint_for_sam21_arch_names_the_21_keys():
    v21 = configs.shrink(configs.get_config("sam2.1_hiera_t"))
    v20 = dataclasses.replace(configs.shrink(configs.get_config("sam2_hiera_t")), name=v21.name)
    sd20 = checkpoint.build_model(v20).state_dict()
    with pytest.raises(CheckpointError) as e:
        checkpoint.check_state_dict(checkpoint.build_model(v21), sd20, "sam2 checkpoint for 2.1")
    msg = str(e.value)
    assert "3 missing key(s)" in msg
    for k in ("no_obj_embed_spatial", "obj_ptr_tpos_proj.weight", "obj_ptr_tpos_proj.bias"):
        assert k in msg


def test_wrong_size_checkpoint_lists_shape_mismatches():
    small = checkpoint.build_model(configs.shrink(configs.get_config("sam2.1_hiera_t")))
    other = checkpoint.build_model(configs.shrink(configs.get_config("sam2.1_hiera_l"))).state_dict()
    with pytest.raises(CheckpointError, match=r"missing key.*unexpected key.*shape mismatch"):
        checkpoint.check_state_dict(small, other, "large for tiny")


def test_unreadable_and_missing_files(tmp_path):
    model = checkpoint.build_model(configs.get_config("test-tiny"))
    bad = tmp_path / "garbage.pt"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(CheckpointError, match="garbage.pt: not a readable PyTorch checkpoint"):
        checkpoint.load_checkpoint(model, str(bad))
    with pytest.raises(CheckpointError, match="no such file"):
        checkpoint.load_checkpoint(model, str(tmp_path / "absent.pt"))
    with pytest.raises(CheckpointError, match="expected a dict"):
        checkpoint.load_checkpoint(model, save([1, 2], tmp_path))
