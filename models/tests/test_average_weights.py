"""tools/average_weights.py: a weighted average of checkpoints, refusing what cannot be averaged."""
import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

import average_weights  # noqa: E402


def test_floats_are_averaged_in_float64_and_other_tensors_must_agree():
    a = {"w": torch.tensor([1.0, 2.0]), "h": torch.tensor([0.5], dtype=torch.float16), "n": torch.tensor([3])}
    b = {"w": torch.tensor([3.0, 6.0]), "h": torch.tensor([1.5], dtype=torch.float16), "n": torch.tensor([3])}
    out = average_weights.average([a, b], [0.75, 0.25])
    assert torch.equal(out["w"], torch.tensor([1.5, 3.0]))
    assert out["h"].dtype == torch.float16 and float(out["h"]) == 0.75
    assert torch.equal(out["n"], torch.tensor([3]))
    with pytest.raises(ValueError, match="differs"):
        average_weights.average([a, dict(b, n=torch.tensor([4]))], [0.5, 0.5])
    with pytest.raises(ValueError, match="sum to"):
        average_weights.average([a, b], [0.5, 0.6])
    with pytest.raises(ValueError, match="other parameters"):
        average_weights.average([a, {"w": b["w"]}], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"\(3,\)"):
        average_weights.average([a, dict(b, w=torch.zeros(3))], [0.5, 0.5])


def test_cli_writes_a_model_only_checkpoint(tmp_path):
    for name, v in (("a", 1.0), ("b", 4.0)):
        torch.save({"model": {"w": torch.full((2,), v)}}, tmp_path / f"{name}.pt")
    out = tmp_path / "avg.pt"
    assert average_weights.main(["--out", str(out), f"{tmp_path / 'a.pt'}:0.5", f"{tmp_path / 'b.pt'}:0.5"]) == 0
    assert torch.equal(torch.load(out)["model"]["w"], torch.full((2,), 2.5))
    with pytest.raises(SystemExit, match="CHECKPOINT:WEIGHT"):
        average_weights.main(["--out", str(out), str(tmp_path / "a.pt")])


def test_cli_records_an_object_score_floor(tmp_path):
    from promptonce_models import checkpoint
    torch.save({"model": {"w": torch.ones(2)}}, tmp_path / "a.pt")
    out = tmp_path / "floor.pt"
    assert average_weights.main(["--out", str(out), "--min-object-score", "2.25", f"{tmp_path / 'a.pt'}:1"]) == 0
    assert checkpoint.read_min_object_score(str(out)) == 2.25
    assert torch.equal(torch.load(out)["model"]["w"], torch.ones(2))
    assert checkpoint.read_min_object_score(str(tmp_path / "a.pt")) is None
    with pytest.raises(SystemExit, match="finite"):
        average_weights.main(["--out", str(out), "--min-object-score", "nan", f"{tmp_path / 'a.pt'}:1"])
