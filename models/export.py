#!/usr/bin/env python3
"""Export SAM / SAM 2 components as TorchScript plus manifest.json. See README.md.

    /usr/bin/python3 models/export.py --arch sam2.1_hiera_t --checkpoint sam2.1_hiera_tiny.pt --out DIR
    /usr/bin/python3 models/export.py --arch test-tiny --random-init --seed 0 --out DIR
"""
import os
import sys

# TorchScript writes a module's constants in set order, which depends on Python's string hashing: a fixed
# PYTHONHASHSEED makes the exported files byte-identical from run to run.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from promptonce_models.export import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
