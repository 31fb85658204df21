"""bfloat16 variants (precision.py): they run mixed with the float32 components, follow the float32 outputs closely,
and leave the decoders' outputs in float32."""
import os

import pytest
import torch

from helpers import run
from promptonce_models import checkpoint, configs, precision


def _mixed(cfg, seed=0):
    model = checkpoint.random_model(cfg, seed=seed)
    comps = model.components()
    bf = {n: (torch.jit.script(precision.bfloat16_copy(c)) if n in precision.bfloat16_components(cfg.family)
              else torch.jit.script(c.eval())) for n, c in comps.items()}
    return {n: torch.jit.script(c.eval()) for n, c in comps.items()}, bf


@pytest.mark.parametrize("arch", ["test-tiny", "test-tiny-sam"])
def test_bfloat16_components_follow_float32(arch):
    cfg = configs.get_config(arch)
    fp32, bf16 = _mixed(cfg)
    ref, out = run(fp32, cfg), run(bf16, cfg)
    assert len(ref) == len(out)
    worst = 0.0
    for a, b in zip(ref, out):
        assert a.shape == b.shape
        scale = max(float(a.float().abs().max()), 1.0)
        d = float((a.float() - b.float()).abs().max()) / scale
        worst = max(worst, d)
        # bfloat16 keeps 8 significant bits (relative step 2^-8 = 0.004); errors grow through the layers
        assert d < 0.1, f"{arch}: output {tuple(a.shape)} differs by {d:.4f} of its scale"
    assert worst > 0.0, "the bfloat16 variants computed exactly the float32 results: they did not run in bfloat16"


def test_decoder_outputs_stay_float32():
    cfg = configs.get_config("test-tiny")
    _, bf16 = _mixed(cfg)
    outs = run(bf16, cfg)
    # run_sam2's order: 3 encoder features, the no-memory features, then decoder outputs (masks, iou, tokens, score)
    assert outs[0].dtype == torch.bfloat16 and outs[3].dtype == torch.bfloat16
    assert all(t.dtype == torch.float32 for t in outs[4:9])


def test_export_without_bf16_writes_only_float32(tmp_path):
    from promptonce_models.export import export
    man = export("test-tiny", str(tmp_path / "m"), seed=0, bfloat16=False)
    assert man["precisions"] == ["float32"]
    assert not any("bfloat16" in c for c in man["components"].values())
    assert not [f for f in os.listdir(tmp_path / "m") if ".bf16." in f]


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="unknown model family 'vit'"):
        precision.bfloat16_components("vit")
