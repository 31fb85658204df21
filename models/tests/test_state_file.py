import os
import pickle
import pytest
import torch

from promptonce_models import state_file


class _RunsCode:
    """Unpickling this calls os.getcwd: what a hostile checkpoint could do with any function."""

    def __reduce__(self):
        return (os.getcwd, ())


def test_round_trip_keeps_types_and_loads_weights_only(tmp_path):
    obj = {"version": 2, "lr": 3e-4, "nan": float("nan"), "betas": (0.9, 0.999), "none": None, "flag": True,
           "state": {0: {"step": torch.tensor(4.0), "exp_avg": torch.arange(6.0).reshape(2, 3)}},
           "history": [{"step": 1, "loss": 0.5}], "torch": "1.13.0"}
    path = str(tmp_path / "s.pt")
    state_file.save(obj, path)
    raw = torch.load(path, weights_only=True)  # nothing in the file needs more than weights_only
    assert state_file.is_state_file(raw)
    back = state_file.load(path)
    assert back["betas"] == (0.9, 0.999) and isinstance(back["betas"], tuple)
    assert list(back["state"]) == [0]  # integer keys stay integers
    assert torch.equal(back["state"][0]["exp_avg"], obj["state"][0]["exp_avg"])
    assert back["lr"] == 3e-4 and back["nan"] != back["nan"] and back["none"] is None and back["flag"] is True
    assert back["history"] == obj["history"] and back["torch"] == "1.13.0"


def test_a_file_that_would_run_code_is_refused(tmp_path):
    path = str(tmp_path / "bad.pt")
    torch.save({"format": state_file.FORMAT, "json": "{}", "tensors": [], "x": _RunsCode()}, path)
    with pytest.raises(pickle.UnpicklingError):
        state_file.load(path)


def test_unknown_objects_are_not_stored(tmp_path):
    with pytest.raises(TypeError, match="cannot store a set"):
        state_file.save({"s": {1, 2}}, str(tmp_path / "x.pt"))
