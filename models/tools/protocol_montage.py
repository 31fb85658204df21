"""Montages of held-out protocol phantoms (issue 19: look at what fails before changing the recipe).

For each seed, one PNG: every slice of the phantom as the model sees it (windowed grey), the truth's outline in
green, the prompt-once prediction in red (its overlap with the truth in yellow), the click in blue; a slice whose
prediction breaks the speck rule gets a red frame. Usage (from models/):

    /usr/bin/python3 tools/protocol_montage.py --checkpoint weights/promptonce-small.pt --seeds 1009,1025 --out DIR
"""
from __future__ import annotations

import argparse
import os
import random
import struct
import sys
import zlib

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

import train_default as td  # noqa: E402
from promptonce_models import checkpoint as ckpt  # noqa: E402
from promptonce_models import configs, phantom, protocol  # noqa: E402
from promptonce_models.sam2 import Sam2Model  # noqa: E402


def write_png(path: str, rgb: torch.Tensor) -> None:
    """rgb: uint8 [H, W, 3]."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + bytes(rgb[y].flatten().tolist()) for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def tile(grey: torch.Tensor, truth: torch.Tensor, pred: torch.Tensor, clean: bool) -> torch.Tensor:
    g = (grey.clamp(0, 1) * 255).to(torch.uint8)
    img = torch.stack([g, g, g], -1).clone()
    edge = truth & ~(torch.nn.functional.max_pool2d((~truth)[None, None].float(), 3, 1, 1)[0, 0] == 0)
    img[pred & ~truth] = torch.tensor([230, 40, 40], dtype=torch.uint8)
    img[pred & truth] = torch.tensor([230, 200, 40], dtype=torch.uint8)
    img[edge] = torch.tensor([40, 220, 40], dtype=torch.uint8)
    if not clean:
        img[:2], img[-2:], img[:, :2], img[:, -2:] = 255, 255, 255, 255
        img[:2, :, 1:], img[-2:, :, 1:], img[:, :2, 1:], img[:, -2:, 1:] = 0, 0, 0, 0
    return img


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--seeds", required=True, help="comma-separated protocol seeds")
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", default="promptonce-small")
    ap.add_argument("--columns", type=int, default=8)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cfg = configs.get_config(args.arch)
    model = Sam2Model(cfg)
    ckpt.load_state_dict_strict(model, td.load_checkpoint(args.checkpoint)["model"], args.checkpoint)
    parts = td.Parts(model.eval())
    os.makedirs(args.out, exist_ok=True)
    for seed in (int(s) for s in args.seeds.split(",")):
        c = protocol.case(seed)
        p = phantom.generate(c.size, c.size, c.slices, c.seed)
        grey = td.window_grey(p.volume, p.modality, random.Random(0), augment=False)
        images = td.to_model_input(grey, cfg)
        truth = p.label > 0
        x, y, k = phantom.prompt_point(p.label)
        scale = cfg.image_size / c.size
        pred, _ = td.propagate_volume(parts, images, (x * scale, y * scale, k), out_size=(c.size, c.size))
        tiles = []
        for z in range(c.slices):
            t = tile(grey[z], truth[z], pred[z], protocol.clean_slice(pred[z], truth[z]))
            if z == k:
                t[max(0, y - 2):y + 3, max(0, x - 2):x + 3] = torch.tensor([40, 80, 255], dtype=torch.uint8)
            tiles.append(t)
        cols = args.columns
        rows = (len(tiles) + cols - 1) // cols
        sheet = torch.zeros(rows * c.size, cols * c.size, 3, dtype=torch.uint8)
        for i, t in enumerate(tiles):
            r, q = divmod(i, cols)
            sheet[r * c.size:(r + 1) * c.size, q * c.size:(q + 1) * c.size] = t
        s = protocol.score(pred, truth)
        name = os.path.join(args.out, f"seed{seed}-{p.shape}-{p.modality}-{c.size}x{c.slices}.png")
        write_png(name, sheet)
        print(f"{name}: 3-D Dice {s['dice3d']:.3f}, clean slices {s['clean_slices']}/{c.slices}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
