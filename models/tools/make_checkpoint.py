#!/usr/bin/env python3
"""Write a random-weight checkpoint in the OFFICIAL file layout (sam2: {"model": state_dict}; SAM: a plain state
dict), with every parameter and buffer perturbed. The same file loads into the official code
(`model.load_state_dict(torch.load(f, weights_only=True)["model"])`) and into `export.py --checkpoint`, which is how the host-level
fidelity checks compare the two implementations on identical weights.

    /usr/bin/python3 models/tools/make_checkpoint.py --arch sam2.1_hiera_t --seed 0 --out /tmp/sam21t-seed0.pt
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from promptonce_models import checkpoint, configs  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=list(configs.ARCHS))
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--noise", type=float, default=0.02, help="std of the perturbation of every tensor")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model = checkpoint.random_model(configs.get_config(a.arch), a.seed, a.noise)
    torch.save(checkpoint.official_checkpoint(model), a.out)
    print(f"wrote {a.out} ({a.arch}, seed {a.seed}, noise {a.noise})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
