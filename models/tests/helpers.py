"""Exercise every method of a model's components with small deterministic inputs; returns all outputs."""
from typing import Dict, List

import torch

from promptonce_models.configs import Sam2Config, SamConfig


def _inputs(cfg, dev: str, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    s = cfg.image_size
    img = torch.randn(1, 3, s, s, generator=g).to(dev)
    pts = torch.tensor([[[0.3 * s, 0.4 * s], [0.6 * s, 0.55 * s]]], device=dev)
    lab = torch.tensor([[1, 0]], dtype=torch.int32, device=dev)
    return g, img, pts, lab


@torch.no_grad()
def run_sam(comps: Dict[str, torch.nn.Module], cfg: SamConfig, dev: str = "cpu") -> List[torch.Tensor]:
    g, img, pts, lab = _inputs(cfg, dev)
    e, s = cfg.embedding_size, cfg.image_size
    emb = comps["image_encoder"](img)
    assert emb.shape == (1, cfg.out_chans, e, e)
    box = torch.tensor([[0.2 * s, 0.25 * s, 0.7 * s, 0.8 * s]], device=dev)
    mask = torch.randn(1, 1, 4 * e, 4 * e, generator=g).to(dev)
    none_p, none_l = torch.zeros(1, 0, 2, device=dev), torch.zeros(1, 0, dtype=torch.int32, device=dev)
    outs = [emb]
    for p, l, b, m, multi in [(pts, lab, None, None, True), (pts, lab, box, mask, False),
                              (none_p, none_l, box, None, False), (pts[:, :1], lab[:, :1], None, mask, True)]:
        masks, iou = comps["mask_decoder"](emb, p, l, b, m, multi)
        n = 3 if multi else 1
        assert masks.shape == (1, n, 4 * e, 4 * e) and iou.shape == (1, n)
        outs += [masks, iou]
    return outs


@torch.no_grad()
def run_sam2(comps: Dict[str, torch.nn.Module], cfg: Sam2Config, dev: str = "cpu") -> List[torch.Tensor]:
    g, img, pts, lab = _inputs(cfg, dev)
    e, s, c, m = cfg.embedding_size, cfg.image_size, cfg.d_model, cfg.mem_dim
    enc, dec, att, men = (comps[k] for k in ("image_encoder", "mask_decoder", "memory_attention", "memory_encoder"))
    s0, s1, l2 = enc(img)
    assert s0.shape == (1, c // 8, s // 4, s // 4) and s1.shape == (1, c // 4, s // 8, s // 8)
    assert l2.shape == (1, c, e, e)
    outs = [s0, s1, l2]
    feat = att.no_memory(l2)
    outs.append(feat)
    masks, iou, tokens, score = dec(feat, s0, s1, pts, lab, None, True, True)
    assert masks.shape == (1, 3, 4 * e, 4 * e) and iou.shape == (1, 3) and tokens.shape == (1, 3, c)
    assert score.shape == (1, 1)
    outs += [masks, iou, tokens, score, dec.object_pointer(tokens[:, 0], score)]
    tr = dec.track(feat, s0, s1, pts[:, :1], lab[:, :1], None, True, True)
    assert tr[0].shape == (1, 3, 4 * e, 4 * e) and tr[2].shape == (1, 1, 4 * e, 4 * e)
    assert tr[3].shape == (1, 1, s, s) and tr[4].shape == (1, c) and tr[5].shape == (1, 1)
    outs += list(tr)
    disc = torch.zeros(1, 1, s, s, device=dev)
    disc[..., s // 4: s // 2, s // 3: s // 2] = 1
    outs += list(dec.mask_as_output(l2, s0, s1, disc))
    mem0 = men(l2, tr[2], tr[5], True)
    assert mem0.shape == (1, m, e, e)
    mem1 = men(l2, torch.randn(1, 1, 4 * e, 4 * e, generator=g).to(dev), torch.tensor([[-1.0]], device=dev), False)
    outs += [mem0, mem1]
    ptrs = [tr[4], torch.randn(1, c, generator=g).to(dev)]
    cond = att(l2, [mem0.to(torch.bfloat16), mem1], [0, cfg.num_maskmem - 1], ptrs, [0, 1], 10)
    assert cond.shape == (1, c, e, e)
    outs.append(cond)
    outs.append(att(l2, [], [], ptrs[:1], [3], 10))  # pointers only
    trk = dec.track(cond, s0, s1, torch.zeros(1, 0, 2, device=dev), torch.zeros(1, 0, dtype=torch.int32, device=dev),
                    None, True, True)
    outs += list(trk)
    return outs


def run(comps, cfg, dev: str = "cpu"):
    return run_sam(comps, cfg, dev) if isinstance(cfg, SamConfig) else run_sam2(comps, cfg, dev)
