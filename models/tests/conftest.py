"""Shared fixtures: tiny models, exported model directories (built once per session)."""
import os
import sys

import pytest
import torch

MODELS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS_DIR)

from promptonce_models import checkpoint, configs  # noqa: E402
from promptonce_models.export import export  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))
EXPORT_PY = os.path.join(MODELS_DIR, "export.py")


@pytest.fixture(scope="session")
def tiny_sam2():
    return checkpoint.random_model(configs.get_config("test-tiny"), seed=0)


@pytest.fixture(scope="session")
def tiny_sam():
    return checkpoint.random_model(configs.get_config("test-tiny-sam"), seed=0)


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """arch -> model dir exported with --random-init --seed 0 (in process)."""
    root = tmp_path_factory.mktemp("exports")
    dirs = {}
    for arch in ("test-tiny", "test-tiny-sam"):
        out = str(root / arch)
        export(arch, out, seed=0)
        dirs[arch] = out
    return dirs
