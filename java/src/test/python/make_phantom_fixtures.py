"""Writes phantoms from the Python generator (models/promptonce_models/phantom.py) for the Java parity test
(PhantomParityTest), run by Maven before the tests.

    /usr/bin/python3 make_phantom_fixtures.py OUT_DIR

OUT_DIR/cases.tsv lists one case a line, tab-separated: name nx ny nz seed requested_shape requested_modality shape
modality click_x click_y click_k (the shape and modality generated, the demo's click); each case has
NAME.f32 (float32 little-endian voxels, i fastest), NAME.label.u8 (truth) and NAME.distractors.u8.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "models"))

import torch  # noqa: E402

from promptonce_models import phantom  # noqa: E402

# (name, nx, ny, nz, seed, shape, modality): the training size, odd sizes, forced kinds, extreme seeds
CASES = [
    ("train_size", 256, 256, 24, 100, "any", "any"),
    ("small_tube_ct", 64, 48, 10, 7, "tube", "ct"),
    ("blob_mr_rect", 96, 128, 12, -3, "blob", "mr"),
    ("ellipsoid_big_seed", 40, 40, 6, (1 << 63) + 12345, "ellipsoid", "any"),
    ("any_mr", 128, 128, 16, 4, "any", "mr"),
    ("any_ct", 128, 96, 20, 1_000_001, "any", "ct"),
]


def main() -> int:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    lines = []
    for name, nx, ny, nz, seed, shape, modality in CASES:
        p = phantom.generate(nx, ny, nz, seed, shape, modality)
        p.volume.contiguous().numpy().astype("<f4").tofile(os.path.join(out, name + ".f32"))
        p.label.contiguous().numpy().tofile(os.path.join(out, name + ".label.u8"))
        p.distractors.contiguous().numpy().tofile(os.path.join(out, name + ".distractors.u8"))
        signed = seed - (1 << 64) if seed >= (1 << 63) else seed
        x, y, k = phantom.prompt_point(p.label)
        lines.append("\t".join(str(v) for v in (name, nx, ny, nz, signed, shape, modality, p.shape, p.modality, x, y, k)))
    with open(os.path.join(out, "cases.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"make_phantom_fixtures: {len(CASES)} phantoms in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
