"""export.py: files, manifest, reload round trip, refusals, atomicity, determinism."""
import hashlib
import json
import os
import subprocess
import sys
import zipfile

import pytest
import torch

from conftest import EXPORT_PY
from helpers import run
from promptonce_models import precision, checkpoint, configs
from promptonce_models import export as export_mod
from promptonce_models.export import ExportError, export

SAM2_POLICY_KEYS = [
    "num_maskmem", "max_obj_ptrs_in_encoder", "memory_temporal_stride_for_eval", "max_cond_frames_in_attn",
    "use_obj_ptrs_in_encoder", "add_tpos_enc_to_obj_ptrs", "proj_tpos_enc_in_obj_ptrs",
    "use_signed_tpos_enc_to_obj_ptrs", "only_obj_ptrs_in_the_past_for_eval", "multimask_output_in_sam",
    "multimask_min_pt_num", "multimask_max_pt_num", "multimask_output_for_tracking",
    "use_multimask_token_for_obj_ptr", "pred_obj_scores", "soft_no_obj_ptr", "fixed_no_obj_ptr",
    "use_mask_input_as_output_without_sam", "sigmoid_scale_for_mem_enc", "sigmoid_bias_for_mem_enc",
    "binarize_mask_from_pts_for_mem_enc", "fill_hole_area", "dynamic_multimask_via_stability",
    "dynamic_multimask_stability_delta", "dynamic_multimask_stability_thresh", "non_overlap_masks",
    "directly_add_no_mem_embed", "no_obj_embed_spatial", "memory_storage_dtype", "no_obj_score",
]


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def load_dir(d):
    man = json.load(open(os.path.join(d, "manifest.json")))
    comps = {n: torch.jit.load(os.path.join(d, c["file"]), map_location="cpu") for n, c in man["components"].items()}
    return man, comps


@pytest.mark.parametrize("arch,names", [
    ("test-tiny", {"image_encoder", "mask_decoder", "memory_attention", "memory_encoder"}),
    ("test-tiny-sam", {"image_encoder", "mask_decoder"})])
def test_manifest_and_files(exported, arch, names):
    d = exported[arch]
    man, _ = load_dir(d)
    cfg = configs.get_config(arch)
    assert man["arch"] == arch and man["family"] == cfg.family and man["image_size"] == cfg.image_size
    assert set(man["components"]) == names
    variants = {n: c["bfloat16"] for n, c in man["components"].items() if "bfloat16" in c}
    assert set(variants) == set(precision.bfloat16_components(cfg.family))
    assert man["precisions"] == ["float32", "bfloat16"]
    assert sorted(os.listdir(d)) == sorted(["manifest.json"] + [c["file"] for c in man["components"].values()]
                                           + [v["file"] for v in variants.values()])
    for c in man["components"].values():
        assert c["sha256"] == sha(os.path.join(d, c["file"]))
        assert "forward" in c["methods"]
    for n, v in variants.items():
        assert v["file"] == n + ".bf16.pt" and v["sha256"] == sha(os.path.join(d, v["file"]))
        params = list(torch.jit.load(os.path.join(d, v["file"]), map_location="cpu").parameters())
        assert params and all(p.dtype == torch.bfloat16 for p in params)
    assert man["weights"] == {"source": "random-init", "seed": 0, "note": "random-init, seed 0"}
    assert man["torch_version"] == torch.__version__
    assert set(man["preprocess"]) >= {"resize", "pixel_scale", "mean", "std", "intensity"}
    if cfg.family == "sam2":
        assert set(SAM2_POLICY_KEYS) <= set(man["sam2"])
        methods = man["components"]["mask_decoder"]["methods"]
        assert set(methods) == {"forward", "track", "mask_as_output", "object_pointer"}
        assert set(man["components"]["memory_attention"]["methods"]) == {"forward", "no_memory"}
        assert [i["type"] for i in man["components"]["memory_attention"]["methods"]["forward"]["inputs"]] == \
            ["Tensor", "List[Tensor]", "List[int]", "List[Tensor]", "List[int]", "int"]
    parent = os.path.dirname(d)
    assert not [n for n in os.listdir(parent) if ".tmp-" in n or ".old-" in n]


@pytest.mark.parametrize("arch", ["test-tiny", "test-tiny-sam"])
def test_reload_round_trip_is_identical(exported, arch):
    _, comps = load_dir(exported[arch])
    cfg = configs.get_config(arch)
    eager = checkpoint.random_model(cfg, seed=0).components()
    for a, b in zip(run(eager, cfg), run(comps, cfg)):
        assert torch.equal(a, b)


def test_nothing_device_specific_in_the_code(exported):
    for arch in exported:
        man, _ = load_dir(exported[arch])
        for c in man["components"].values():
            with zipfile.ZipFile(os.path.join(exported[arch], c["file"])) as z:
                for n in z.namelist():
                    if "/code/" in n and n.endswith(".py"):
                        text = z.read(n).decode()
                        assert "cuda" not in text and "device=torch.device(" not in text, n


def test_checkpoint_export_records_file_and_hash(tmp_path):
    model = checkpoint.random_model(configs.get_config("test-tiny-sam"), seed=5)
    ck = tmp_path / "my_sam.pth"
    torch.save(checkpoint.official_checkpoint(model), str(ck))
    man = export("test-tiny-sam", str(tmp_path / "out"), checkpoint=str(ck))
    assert man["weights"] == {"source": "checkpoint", "file": "my_sam.pth", "sha256": sha(str(ck))}
    _, comps = load_dir(str(tmp_path / "out"))
    for a, b in zip(run(model.components(), model.cfg), run(comps, model.cfg)):
        assert torch.equal(a, b)


def test_refusals(tmp_path):
    with pytest.raises(ExportError, match="unknown arch 'sam3'"):
        export("sam3", str(tmp_path / "a"), seed=0)
    with pytest.raises(ExportError, match="exactly one of"):
        export("test-tiny", str(tmp_path / "a"))
    with pytest.raises(ExportError, match="--dtype float16 is not supported"):
        export("test-tiny", str(tmp_path / "a"), seed=0, dtype="float16")
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    with pytest.raises(ExportError, match="exists and is not empty .use --force"):
        export("test-tiny", str(full), seed=0)
    assert os.listdir(str(full)) == ["keep.txt"]
    ck = tmp_path / "sam.pth"
    torch.save(checkpoint.official_checkpoint(checkpoint.random_model(configs.get_config("test-tiny-sam"), 0)),
               str(ck))
    with pytest.raises(ExportError, match="sam.pth does not match arch test-tiny"):
        export("test-tiny", str(tmp_path / "b"), checkpoint=str(ck))
    assert not (tmp_path / "b").exists()
    (tmp_path / "empty").mkdir()  # an existing empty directory is fine
    export("test-tiny-sam", str(tmp_path / "empty"), seed=1)


def test_force_replaces(tmp_path):
    out = tmp_path / "m"
    out.mkdir()
    (out / "old.txt").write_text("old")
    man = export("test-tiny-sam", str(out), seed=2, force=True)
    assert "old.txt" not in os.listdir(str(out)) and man["weights"]["seed"] == 2
    assert sorted(os.listdir(str(tmp_path))) == ["m"]


def test_failure_leaves_no_half_written_dir(tmp_path, monkeypatch):
    real_save = torch.jit.save
    calls = []

    def failing_save(m, path, *a, **k):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real_save(m, path, *a, **k)

    monkeypatch.setattr(export_mod.torch.jit, "save", failing_save)
    with pytest.raises(OSError, match="simulated"):
        export("test-tiny", str(tmp_path / "new"), seed=0)
    assert os.listdir(str(tmp_path)) == []
    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text("{}")
    calls.clear()
    with pytest.raises(OSError, match="simulated"):
        export("test-tiny", str(old), seed=0, force=True)
    assert sorted(os.listdir(str(tmp_path))) == ["old"] and os.listdir(str(old)) == ["manifest.json"]


def cli(*args):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    return subprocess.run([sys.executable, EXPORT_PY, *args], capture_output=True, text=True, env=env)


def test_cli_export_is_deterministic(tmp_path):
    hashes = []
    for d in ("a", "b"):
        r = cli("--arch", "test-tiny", "--random-init", "--seed", "7", "--out", str(tmp_path / d))
        assert r.returncode == 0, r.stderr
        hashes.append({n: sha(str(tmp_path / d / n)) for n in sorted(os.listdir(str(tmp_path / d)))})
    assert hashes[0] == hashes[1]
    assert len(hashes[0]) == 7  # manifest, 4 components, 2 bfloat16 variants


def test_cli_errors_exit_2_with_a_message(tmp_path):
    r = cli("--arch", "nope", "--random-init", "--seed", "0", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "unknown arch 'nope'" in r.stderr
    r = cli("--arch", "test-tiny", "--random-init", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "--random-init needs --seed" in r.stderr
    r = cli("--arch", "test-tiny", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "--checkpoint FILE or --random-init" in r.stderr
    assert not (tmp_path / "x").exists()


def test_a_checkpoints_object_score_floor_reaches_the_manifest(tmp_path):
    model = checkpoint.random_model(configs.get_config("test-tiny"), seed=5)
    ck = tmp_path / "floor.pt"
    torch.save(checkpoint.with_min_object_score(checkpoint.official_checkpoint(model), 2.5), str(ck))
    assert checkpoint.read_min_object_score(str(ck)) == 2.5  # loads with weights_only=True
    man = export("test-tiny", str(tmp_path / "out"), checkpoint=str(ck), bfloat16=False)
    assert man["postprocess"] == {"min_object_score": 2.5}
    with open(tmp_path / "out" / "manifest.json") as f:
        assert json.load(f)["postprocess"] == {"min_object_score": 2.5}
    plain = tmp_path / "plain.pt"
    torch.save(checkpoint.official_checkpoint(model), str(plain))
    assert "postprocess" not in export("test-tiny", str(tmp_path / "out2"), checkpoint=str(plain), bfloat16=False)
    for bad in (float("nan"), float("inf"), "2"):
        with pytest.raises(checkpoint.CheckpointError, match="finite"):
            checkpoint.with_min_object_score({"model": {}}, bad)
    with pytest.raises(checkpoint.CheckpointError, match="0-d"):
        checkpoint.min_object_score({"model": {}, "postprocess": {"min_object_score": torch.zeros(2)}})
