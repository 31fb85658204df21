"""Fidelity of `promptonce segment` with SAM ViT-B against the official SamPredictor (local check only).

Same random weights (every parameter perturbed: models/tools/make_checkpoint.py, official file layout), one
synthetic 1024x1024 uint8 slice (no resizing on either side), a positive point and a box, single-mask output,
full-resolution logits compared. Needs the official segment-anything repo in $OFFICIAL_SRC and
../shared/tools/official_shim.py; neither is a project dependency.

    OFFICIAL_SRC=/tmp/official /usr/bin/python3 scripts/parity/sam_vs_official.py --work /tmp/parity-sam
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import nibabel as nib  # noqa: E402
import torch  # noqa: E402
import official_shim  # noqa: E402
from segment_vs_official import prepare_model, volume  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", default="/tmp/promptonce-parity-sam")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    torch.set_num_threads(os.cpu_count())
    ckpt, model = prepare_model("sam_vit_b", a.seed, a.work)
    img = volume(1, a.size, a.seed)[0]
    nii = os.path.join(a.work, "slice.nii.gz")
    nib.save(nib.Nifti1Image(img.t().contiguous()[:, :, None].numpy(), np.eye(4)), nii)
    s = a.size
    point = [s * 0.5, s * 0.5]
    box = [s * 0.28, s * 0.3, s * 0.72, s * 0.7]

    t0 = time.time()
    subprocess.run([os.path.join(ROOT, "bin/promptonce"), "segment", "--model", model, "--input", nii, "--slice", "0",
                    "--point", f"{point[0]},{point[1]}", "--box", ",".join(str(v) for v in box), "--window",
                    "127.5,255", "--out", os.path.join(a.work, "ours.nii.gz"), "--logits",
                    os.path.join(a.work, "ours_logits.nii.gz")], check=True)
    t_ours = time.time() - t0
    ours = torch.from_numpy(np.asarray(nib.load(os.path.join(a.work, "ours_logits.nii.gz")).dataobj,
                                       dtype=np.float32))[:, :, 0].t()

    from segment_anything import SamPredictor
    sam = official_shim.build_sam("vit_b")
    sam.load_state_dict(torch.load(ckpt, map_location="cpu", weights_only=True))
    predictor = SamPredictor(sam)
    t0 = time.time()
    with torch.inference_mode():
        predictor.set_image(img[:, :, None].expand(-1, -1, 3).numpy())
        masks, _, _ = predictor.predict(point_coords=np.array([point]), point_labels=np.array([1]),
                                        box=np.array(box), multimask_output=False, return_logits=True)
    t_official = time.time() - t0
    ref = torch.from_numpy(masks[0]).float()
    agree = ((ours > 0) == (ref > 0)).float().mean().item()
    diff = (ours - ref).abs().max().item()
    print(f"SAM vit_b, {s}x{s}: pixel agreement {agree * 100:.4f} %, max |dlogit| {diff:.2e}, "
          f"foreground ours {(ours > 0).sum().item()} official {(ref > 0).sum().item()}")
    print(f"time: promptonce (whole CLI run) {t_ours:.1f} s, official set_image + predict {t_official:.1f} s")
    ok = agree >= 0.999 and diff <= 1e-3
    print("PASS" if ok else "FAIL", "(bar: >= 99.9 % agreement and max |dlogit| <= 1e-3)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
