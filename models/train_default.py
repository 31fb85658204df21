#!/usr/bin/env python3
"""Train the embedded default model (promptonce-small, issue 6) on synthetic phantoms, on the CPU.

    /usr/bin/python3 models/train_default.py --out models/out/train-promptonce-small --budget-minutes 115
    /usr/bin/python3 models/train_default.py --out models/out/train-promptonce-small --budget-minutes 115 --resume
    /usr/bin/python3 models/train_default.py --benchmark 5            # seconds per step of each phase, nothing saved
    /usr/bin/python3 models/train_default.py --eval-only CKPT         # held-out 3-D Dice of a checkpoint

The recipe (models/MODEL_CARD.md): phantoms of models/PHANTOMS.md (training seeds >= 1 000 000), a warm-up on
single images (prompt -> mask, no memory), then clips of consecutive slices (4 frames, later 8) with the object
prompted on the first frame (a click, a box, a click plus a negative click, or the mask) and tracked through the
others with the memory, as SAM 2 is trained; losses focal x20 + dice + IoU (L1) + object score; AdamW with a linear
warm-up and a cosine schedule over all steps. The model is the training form of promptonce_models (the same modules
the export scripts); the forward pass per frame is what the Java host runs (Segmenter.addPrompt / track).

Resumable: OUT/last.pt holds the model, the optimizer, the step and the history (written every
--checkpoint-minutes and when the budget is spent); the data of step n depends only on (--seed, n), so a resumed
run continues exactly where it stopped. OUT/best.pt and OUT/final.pt are model-only checkpoints in the official
layout ({"model": state_dict}) for models/export.py --checkpoint.
"""
from __future__ import annotations

import os
import sys

# OpenMP threads that spin while waiting collapse throughput on a shared 2-core machine (measured: 10x slower);
# must be set before torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import csv  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import pickle  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Dict, List, Optional, Sequence, Tuple  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor  # noqa: E402

from promptonce_models import checkpoint as ckpt  # noqa: E402
from promptonce_models import configs, phantom, protocol, state_file  # noqa: E402
from promptonce_models.sam2 import Sam2Model  # noqa: E402

TRAIN_SEED_BASE = 1_000_000  # every phantom seed below this is held out (PHANTOMS.md §6)
REPLACEMENT_SEED_BASE = 2_000_000_000  # training phantoms that replace a clip which could not be made
EVAL_SEEDS = tuple(range(100, 110))
EVAL_SLICES = 24
RESIZE_SIZES = (128, 192, 320, 384)  # Schedule.p_resize: the other in-plane sizes of the held-out protocol
CT_ABDOMEN = (40.0, 400.0)  # the window the demo uses for CT (Phantom.suggestedWindow)
PREV_MASK_CLAMP = 32.0  # the host clamps a previous mask used as a prompt
FOCAL_ALPHA, FOCAL_GAMMA = 0.25, 2.0
W_MASK, W_DICE, W_IOU, W_CLASS = 20.0, 1.0, 1.0, 1.0
CHECKPOINT_VERSION = 2  # 2: a state_file (weights_only-safe); 1 was a plain pickle


# ---------------------------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Schedule:
    """Everything that defines the run (stored in the checkpoint; a resumed run keeps it)."""

    arch: str = "promptonce-small"
    seed: int = 0
    image_steps: int = 800
    clip_steps: int = 1400
    image_batch: int = 8
    clip_batch_short: int = 4
    clip_batch_long: int = 2
    clip_frames_short: int = 4
    clip_frames_long: int = 8
    long_clips_from: float = 0.4  # fraction of the clip steps after which clips are long
    lr: float = 1e-3
    lr_min_ratio: float = 0.05
    warmup_steps: int = 50
    weight_decay: float = 0.05
    grad_clip: float = 1.0
    nz_min: int = 16
    nz_max: int = 32
    p_click: float = 0.35
    p_box: float = 0.30
    p_click_neg: float = 0.15
    p_mask: float = 0.20  # clips only (the image phase redistributes it)
    p_correction: float = 0.25
    p_clip_at_end: float = 0.5  # clips prompted near the object's end, running past it
    # Single images whose target is a distractor instead (prompted on it): the distractors look like the target, so a
    # model that segments every such blob whatever the prompt scores the same on both (run 1: the mask was the same
    # whether the click was on the target or on the distractor). Asking for either object from the same image makes
    # the prompt matter. Off in run 4, whose bounded features let the prompt take hold on its own (steps 500-800).
    p_distractor_target: float = 0.0
    # Object score on prompted frames (and single images), which always hold the object. Supervised (True), as SAM 2
    # does: without it (stage 3 of 2026-11-28) the absent-weighted loss drove every score negative, and the gate then
    # emptied even the prompted masks (3-D Dice 0). The head's collapse to the prior in run 1 came from the
    # imbalance, which absent_class_weight corrects.
    class_on_prompted: bool = True
    # Weight of the object-score loss on frames without the object. About 1 tracked frame in 9 lacks it; at weight 1
    # the head settled on that prior as a constant (runs 1 and 2: the same logit on every tracked frame, whatever
    # the image) and never scored a frame absent. 8 gives absent and present frames about equal weight.
    absent_class_weight: float = 8.0
    # The image encoder's vision features (the neck's level 2) have no normalisation in SAM 2. Unconstrained, their
    # scale grew in every run (RMS 0.6 at init, 25 after run 1, 785 after stage 3b) until the point-prompt position
    # encodings (RMS 0.7) and the memory encoder's mask term (RMS ~0.05) were lost beside them: the prompted mask no
    # longer depended on where the click was, the memory no longer on which mask was encoded, and the object score
    # of tracked frames became a constant. A squared hinge on each frame's feature RMS above feature_rms_max keeps
    # them at the scale those signals live on.
    feature_rms_max: float = 1.0
    feature_scale_weight: float = 1.0
    eval_every: int = 300
    # Phantoms rendered at another in-plane size and resized to the input as the host resizes a slice (issue 19: the
    # held-out protocol runs 128-384 px, where run 4, trained at 256 only, was weakest off 256). 0 in run 4.
    p_resize: float = 0.0
    # Clips and images whose target is darker than the tissue around it, drawn on purpose (issue 19: after run 6 the
    # held-out protocol's dark targets scored 0.786 against 0.868 for bright ones, and most lost objects were dark;
    # the generator makes about a third of its targets dark). 0 until run 7.
    p_dark_target: float = 0.0

    @property
    def total_steps(self) -> int:
        return self.image_steps + self.clip_steps


def lr_at(s: Schedule, step: int) -> float:
    """Linear warm-up, then cosine from lr to lr * lr_min_ratio over the remaining steps (step is 0-based)."""
    if step < s.warmup_steps:
        return s.lr * (step + 1) / s.warmup_steps
    span = max(1, s.total_steps - s.warmup_steps)
    progress = min(1.0, (step - s.warmup_steps) / span)
    lo = s.lr * s.lr_min_ratio
    return lo + 0.5 * (s.lr - lo) * (1.0 + math.cos(math.pi * progress))


def phase_at(s: Schedule, step: int) -> Tuple[str, int, int]:
    """(phase, batch, frames) of a step."""
    if step < s.image_steps:
        return "image", s.image_batch, 1
    if step - s.image_steps < s.long_clips_from * s.clip_steps:
        return "clip", s.clip_batch_short, s.clip_frames_short
    return "clip", s.clip_batch_long, s.clip_frames_long


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Prompt:
    kind: str  # click | box | click_neg | mask
    coords: Tensor  # [N, 2] float (x, y) in pixels; box corners first, labels 2, 3
    labels: Tensor  # [N] int32
    mask: Optional[Tensor] = None  # [S, S] float {0, 1} for kind == "mask"


@dataclass
class Sample:
    """One clip (frames >= 1; an image is a clip of one frame). Frame 0 is the prompted frame."""

    images: Tensor  # [T, 3, S, S] normalised as the host does
    targets: Tensor  # [T, S, S] float {0, 1}
    distractors: Tensor  # [T, S, S] uint8
    prompt: Prompt
    num_frames: int  # the phantom's slice count (the host passes the volume's)
    seed: int
    slices: List[int]


def window_grey(vol: Tensor, modality: str, rng: random.Random, augment: bool) -> Tensor:
    """Windowed to [0, 1] as the host's Window.apply: CT the ct-abdomen window (jittered when augmenting, sometimes
    the automatic percentile window or a wide one), MR the automatic 0.5-99.5 percentile window (jittered)."""
    v = vol.to(torch.float64)
    flat = v.flatten()
    if flat.numel() > 4_000_000:
        flat = flat[:: flat.numel() // 4_000_000 + 1]

    def pct(p: float) -> float:
        return float(torch.quantile(flat, p / 100.0))

    if modality == "ct":
        r = rng.random() if augment else 0.0
        if r < 0.6:
            level, width = CT_ABDOMEN
            if augment:
                level += rng.uniform(-40.0, 40.0)
                width *= rng.uniform(0.6, 1.6)
            lo, hi = level - width / 2.0, level + width / 2.0
        elif r < 0.8:
            lo, hi = pct(0.5), pct(99.5)
        else:
            level, width = rng.uniform(-200.0, 100.0), rng.uniform(800.0, 2000.0)
            lo, hi = level - width / 2.0, level + width / 2.0
    else:
        lo, hi = pct(0.5), pct(99.5)
        if augment:
            w = hi - lo
            lo += rng.uniform(-0.1, 0.1) * w
            hi += rng.uniform(-0.1, 0.1) * w
    width = max(hi - lo, 1e-6)
    return ((vol - float(lo)) / float(width)).clamp(0.0, 1.0).to(torch.float32)


def normalise(grey: Tensor, cfg: configs.Sam2Config) -> Tensor:
    """[..., S, S] grey in [0, 1] -> [..., 3, S, S] as the host's Preprocessor (no resize: phantoms are S x S)."""
    p = cfg.preprocess
    x = grey * (255.0 * p.pixel_scale)
    mean = torch.tensor(p.mean, dtype=torch.float32).view(3, 1, 1)
    std = torch.tensor(p.std, dtype=torch.float32).view(3, 1, 1)
    return (x.unsqueeze(-3) - mean) / std


def nearest_to_centroid(label: Tensor) -> Tuple[int, int]:
    ys, xs = torch.nonzero(label > 0, as_tuple=True)
    cx, cy = xs.double().mean(), ys.double().mean()
    i = int(torch.argmin((xs.double() - cx) ** 2 + (ys.double() - cy) ** 2))
    return int(xs[i]), int(ys[i])


def random_pixel(mask: Tensor, rng: random.Random) -> Tuple[int, int]:
    ys, xs = torch.nonzero(mask, as_tuple=True)
    i = rng.randrange(len(xs))
    return int(xs[i]), int(ys[i])


def make_prompt(label: Tensor, distr: Tensor, s: Schedule, rng: random.Random, allow_mask: bool) -> Prompt:
    """A prompt for the frame whose truth is `label` [S, S] (not empty)."""
    size = label.shape[-1]
    p_mask = s.p_mask if allow_mask else 0.0
    total = s.p_click + s.p_box + s.p_click_neg + p_mask
    r = rng.random() * total
    pos = label > 0

    def click() -> Tuple[int, int]:
        return nearest_to_centroid(label) if rng.random() < 0.5 else random_pixel(pos, rng)

    if r < s.p_click:
        x, y = click()
        return Prompt("click", torch.tensor([[x, y]], dtype=torch.float32), torch.tensor([1], dtype=torch.int32))
    r -= s.p_click
    if r < s.p_box:
        ys, xs = torch.nonzero(pos, as_tuple=True)
        x0, x1, y0, y1 = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
        w, h = x1 - x0 + 1.0, y1 - y0 + 1.0

        def jit(v: float, side: float) -> float:
            n = max(-min(20.0, 0.2 * side), min(min(20.0, 0.2 * side), rng.gauss(0.0, 0.1 * side)))
            return min(size - 1.0, max(0.0, v + n))

        bx0, bx1 = sorted((jit(x0, w), jit(x1, w)))
        by0, by1 = sorted((jit(y0, h), jit(y1, h)))
        return Prompt("box", torch.tensor([[bx0, by0], [bx1, by1]], dtype=torch.float32),
                      torch.tensor([2, 3], dtype=torch.int32))
    r -= s.p_box
    if r < s.p_click_neg:
        x, y = click()
        d = distr > 0
        if bool(d.any()) and rng.random() < 0.7:
            nx_, ny_ = random_pixel(d, rng)
        else:
            ys, xs = torch.nonzero(pos, as_tuple=True)
            m = 2 * max(int(xs.max() - xs.min()), int(ys.max() - ys.min()), 8)
            region = torch.zeros_like(pos)
            region[max(0, int(ys.min()) - m): int(ys.max()) + m + 1, max(0, int(xs.min()) - m): int(xs.max()) + m + 1] = True
            nx_, ny_ = random_pixel(region & ~pos, rng)
        return Prompt("click_neg", torch.tensor([[x, y], [nx_, ny_]], dtype=torch.float32),
                      torch.tensor([1, 0], dtype=torch.int32))
    return Prompt("mask", torch.zeros(0, 2), torch.zeros(0, dtype=torch.int32), mask=pos.float())


def step_rng(s: Schedule, step: int) -> random.Random:
    return random.Random(f"promptonce-train:{s.seed}:{step}")


def make_sample(cfg: configs.Sam2Config, s: Schedule, rng: random.Random, seed: int, frames: int) -> Sample:
    """A clip of `frames` consecutive slices of the training phantom `seed`, prompted on its first frame."""
    size = cfg.image_size
    nz = rng.randint(s.nz_min, s.nz_max)
    if s.p_resize > 0 and rng.random() < s.p_resize:  # drawn only when on, so that older runs keep their data
        size = rng.choice(RESIZE_SIZES)
    spec = phantom.generate(size, size, nz, seed, slices=[])
    first, last = spec.params["target_slices"]
    direction = 1 if rng.random() < 0.5 else -1
    # the prompted frame: inside the object, not at its tiny ends; sometimes near its far end, so that the clip
    # runs past it (frames where the object must be absent)
    base = (first + 1, last - 1) if last - first >= 4 else (first, last)
    at_end = frames > 1 and rng.random() < s.p_clip_at_end

    def pick(d: int) -> Optional[int]:
        fit = (0, nz - frames) if d > 0 else (frames - 1, nz - 1)  # the clip stays inside the volume
        lo, hi = base
        if at_end:
            lo, hi = (max(lo, hi - 3), hi) if d > 0 else (lo, min(hi, lo + 3))
        for lo_, hi_ in ((lo, hi), base):
            lo_, hi_ = max(lo_, fit[0]), min(hi_, fit[1])
            if lo_ <= hi_:
                return rng.randint(lo_, hi_)
        return None

    f0 = pick(direction)
    if f0 is None:
        direction = -direction
        f0 = pick(direction)
    if f0 is None:  # an object longer than the volume allows in both directions: start in the middle, clamped
        f0 = min(max((first + last) // 2, frames - 1 if direction < 0 else 0),
                 nz - frames if direction > 0 else nz - 1)
    ks = [f0 + direction * t for t in range(frames)]
    ks = [min(nz - 1, max(0, k)) for k in ks]
    p = phantom.generate(size, size, nz, seed, slices=ks)
    label, distr = p.label, p.distractors
    if not bool(label[0].any()):  # a tiny end had no voxel: prompt the middle slice instead (an image)
        mid = (first + last) // 2
        p = phantom.generate(size, size, nz, seed, slices=[mid])
        label, distr, ks = p.label, p.distractors, [mid]
    vol = p.volume
    if len(ks) == 1 and rng.random() < s.p_distractor_target:
        label, distr = swap_in_distractor(label, distr)
    if rng.random() < 0.5:  # flips (the phantoms have no handedness)
        vol, label, distr = vol.flip(-1), label.flip(-1), distr.flip(-1)
    if rng.random() < 0.5:
        vol, label, distr = vol.flip(-2), label.flip(-2), distr.flip(-2)
    grey = window_grey(vol, p.modality, rng, augment=True)
    if size != cfg.image_size:  # as the host: the grey slice resized bilinearly; the truth at the input's size
        out = (cfg.image_size, cfg.image_size)
        grey = F.interpolate(grey[:, None], size=out, mode="bilinear", align_corners=False)[:, 0]
        label = (F.interpolate(label[:, None].float(), size=out, mode="bilinear", align_corners=False)[:, 0]
                 > 0.5).to(label.dtype)
        distr = F.interpolate(distr[:, None].float(), size=out, mode="nearest")[:, 0].to(distr.dtype)
        if not bool(label[0].any()):  # the prompted frame's object vanished at this size: render it at the input's
            return make_sample(cfg, dataclasses.replace(s, p_resize=0.0), rng, seed, frames)
    prompt = make_prompt(label[0], distr[0], s, rng, allow_mask=frames > 1)
    return Sample(normalise(grey, cfg), label.float(), distr, prompt, nz, seed, ks)


def swap_in_distractor(label: Tensor, distr: Tensor, min_pixels: int = 30) -> Tuple[Tensor, Tensor]:
    """(label [1, S, S], distractors [1, S, S] numbered 1..) -> the largest distractor of the slice as the label and
    everything else (the target included) as distractors; unchanged when no distractor has min_pixels."""
    counts = torch.bincount(distr.flatten().long(), minlength=1)[1:]
    if counts.numel() == 0 or int(counts.max()) < min_pixels:
        return label, distr
    j = int(torch.argmax(counts)) + 1
    new_label = (distr == j).to(label.dtype)
    others = (((distr > 0) & (distr != j)) | (label > 0)).to(distr.dtype)
    return new_label, others


DARK_SEED_OFFSET = 50_000_000  # inside the schedule seed's own block of 100 000 000, above its plain seeds


def is_dark_target(seed: int) -> bool:
    """Whether the phantom's target is darker than its tissue (the intensities do not depend on the size)."""
    params = phantom.generate(64, 64, 16, seed, slices=[]).params
    return params["target"] < params["tissue"]


def dark_seed(s: Schedule, step: int, b: int, tries: int = 32) -> int:
    """The first phantom with a dark target among this batch slot's own candidates (disjoint from the plain seeds
    and from every other slot's)."""
    first = TRAIN_SEED_BASE + s.seed * 100_000_000 + DARK_SEED_OFFSET + (step * 16 + b) * tries
    for seed in range(first, first + tries):
        if is_dark_target(seed):
            return seed
    return first  # about 0.7 ** 32 of the time: a bright one


def make_batch(cfg: configs.Sam2Config, s: Schedule, step: int) -> List[Sample]:
    phase, batch, frames = phase_at(s, step)
    rng = step_rng(s, step)
    out = []
    for b in range(batch):
        # the schedule's seed picks the phantoms too (seed 0, run 4's, keeps its formula), so that a run started
        # from another run's weights with another seed sees new phantoms
        seed = TRAIN_SEED_BASE + s.seed * 100_000_000 + step * 16 + b
        if s.p_dark_target > 0 and rng.random() < s.p_dark_target:  # drawn only when on, as p_resize
            seed = dark_seed(s, step, b)
        out.append(make_sample(cfg, s, rng, seed, frames))
    if phase == "clip":
        # lockstep tracking needs equal lengths: a clip that fell back to an image is replaced
        n = max(len(x.slices) for x in out)
        for b, x in enumerate(out):
            tries = 0
            while len(x.slices) != n and tries < 5:
                tries += 1
                x = make_sample(cfg, s, rng, REPLACEMENT_SEED_BASE + step * 64 + b * 8 + tries, frames)
            out[b] = x
        out = [x for x in out if len(x.slices) == n]
    return out


# ---------------------------------------------------------------------------------------------------------------
# Model: the training forward pass, frame by frame as the host runs it
# ---------------------------------------------------------------------------------------------------------------

class Parts:
    """The four exported components of a Sam2Model, used in training form (they share the model's parameters)."""

    def __init__(self, model: Sam2Model) -> None:
        c = model.components()
        self.model = model
        self.cfg: configs.Sam2Config = model.cfg
        self.enc, self.dec = c["image_encoder"], c["mask_decoder"]
        self.att, self.men = c["memory_attention"], c["memory_encoder"]


def multimask_for(cfg: configs.Sam2Config, initial: bool, num_points: int) -> bool:
    """SAM2Base._use_multimask (the host's rules.multimask)."""
    return cfg.multimask_output_in_sam and (initial or cfg.multimask_output_for_tracking) \
        and cfg.multimask_min_pt_num <= num_points <= cfg.multimask_max_pt_num


@dataclass
class FrameOut:
    multi: Tensor  # [B, M, 4E, 4E] low-res logits (NO_OBJ_SCORE where the object score <= 0)
    ious: Tensor  # [B, M]
    low: Tensor  # [B, 1, 4E, 4E] the chosen mask
    high: Tensor  # [B, 1, S, S]
    ptr: Tensor  # [B, C]
    score: Tensor  # [B, 1]
    supervised: bool = True  # False for a mask used as output (nothing to learn on its mask)
    raw: Optional[Tensor] = None  # [B, M, 4E, 4E] the multimasks before the object-score gate (supervised)
    sup_weights: Optional[Tensor] = None  # [B] per-sample `supervised` of a concatenated batch


def decode_prompt(parts: Parts, feat: Tensor, s0: Tensor, s1: Tensor, raw: Tensor, prompt: Prompt,
                  prev_low: Optional[Tensor] = None, initial: bool = True) -> FrameOut:
    """The prompted frame of one sample (batch 1), as Segmenter.addPrompt: the decoder's `track` on memory-free
    features, or `mask_as_output` for a mask prompt."""
    if prompt.kind == "mask":
        assert prompt.mask is not None
        o = parts.dec.mask_as_output(raw, s0, s1, prompt.mask[None, None])
        return FrameOut(o[0], o[1], o[2], o[3], o[4], o[5], supervised=False)
    n = prompt.coords.shape[0]
    mask_input = None if prev_low is None else prev_low.clamp(-PREV_MASK_CLAMP, PREV_MASK_CLAMP)
    return track(parts, feat, s0, s1, prompt.coords[None], prompt.labels[None], mask_input,
                 multimask_for(parts.cfg, initial, n), False)


def track(parts: Parts, feat: Tensor, s0: Tensor, s1: Tensor, coords: Tensor, labels: Tensor,
          mask_input: Optional[Tensor], multimask: bool, stability_fallback: bool) -> FrameOut:
    """The decoder's `track` (what the host calls), keeping the masks before the object-score gate for the loss."""
    multi, ious, tokens, score = parts.dec._heads(feat, s0, s1, coords, labels, mask_input, multimask,
                                                  stability_fallback)
    return FrameOut(*parts.dec._gate(multi, ious, tokens, score, multimask), raw=multi)


def cat_frames(outs: Sequence[FrameOut]) -> FrameOut:
    """Per-sample outputs -> one batch (single-mask outputs padded to the multimask count for the loss)."""
    m = max(o.multi.shape[1] for o in outs)

    def pad(t: Tensor) -> Tensor:
        return t if t.shape[1] == m else t.expand(-1, m, *t.shape[2:])

    raws = [pad(o.raw if o.raw is not None else o.multi) for o in outs]
    return FrameOut(torch.cat([pad(o.multi) for o in outs]), torch.cat([pad(o.ious) for o in outs]),
                    torch.cat([o.low for o in outs]), torch.cat([o.high for o in outs]),
                    torch.cat([o.ptr for o in outs]), torch.cat([o.score for o in outs]),
                    raw=torch.cat(raws), sup_weights=torch.tensor([1.0 if o.supervised else 0.0 for o in outs]))


def sigmoid_focal(logits: Tensor, targets: Tensor) -> Tensor:
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** FOCAL_GAMMA)
    alpha_t = FOCAL_ALPHA * targets + (1 - FOCAL_ALPHA) * (1 - targets)
    return alpha_t * loss


def frame_losses(o: FrameOut, target: Tensor, size: int, supervise_class: bool = True,
                 absent_class_weight: float = 1.0) -> Dict[str, Tensor]:
    """sam2's MultiStepMultiMasksAndIous for one frame, per sample: focal and dice of the best of the masks, IoU L1
    over all masks (only where the object is present), object score (0.5 BCE, i.e. focal alpha 0.5 gamma 0)."""
    present = target.flatten(1).any(1).float()  # [B]
    logits = o.raw if o.raw is not None else o.multi
    high = F.interpolate(logits.float(), size=(size, size), mode="bilinear", align_corners=False)
    t = target[:, None].expand_as(high)
    focal = sigmoid_focal(high, t).flatten(2).mean(-1)  # [B, M]
    prob = torch.sigmoid(high).flatten(2)
    tf = t.flatten(2)
    dice = 1.0 - (2.0 * (prob * tf).sum(-1) + 1.0) / (prob.sum(-1) + tf.sum(-1) + 1.0)
    pred = high.flatten(2) > 0
    tb = tf > 0.5
    inter = (pred & tb).sum(-1).float()
    union = (pred | tb).sum(-1).float().clamp(min=1.0)
    iou_l1 = (o.ious - inter / union).abs()
    best = torch.argmin(W_MASK * focal + W_DICE * dice, dim=-1)
    rows = torch.arange(focal.shape[0])
    cls = 0.5 * F.binary_cross_entropy_with_logits(o.score[:, 0], present, reduction="none")
    cls = cls * (present + (1.0 - present) * absent_class_weight)
    sup = o.sup_weights if o.sup_weights is not None else torch.full_like(present, 1.0 if o.supervised else 0.0)
    return {"mask": focal[rows, best] * present * sup, "dice": dice[rows, best] * present * sup,
            "iou": iou_l1.mean(-1) * present * sup, "class": cls * sup * (1.0 if supervise_class else 0.0),
            "dice_hard": (1.0 - 2.0 * inter[rows, best] / (pred[rows, best].sum(-1) + tb[rows, best].sum(-1)).clamp(
                min=1)).detach()}


def feature_scale_penalty(features: Tensor, rms_max: float) -> Tuple[Tensor, Tensor]:
    """(mean over frames of relu(RMS - rms_max)^2, each frame's RMS), the RMS taken over each frame's [C, E, E]
    vision features."""
    rms = features.float().pow(2).flatten(1).mean(-1).sqrt()
    return F.relu(rms - rms_max).pow(2).mean(), rms


def total_loss(parts_: Dict[str, Tensor]) -> Tensor:
    return W_MASK * parts_["mask"] + W_DICE * parts_["dice"] + W_IOU * parts_["iou"] + W_CLASS * parts_["class"]


def correction_click(o: FrameOut, target: Tensor, rng: random.Random) -> Optional[Tuple[Tuple[int, int], int]]:
    """A click on the error of a prediction (batch 1): positive on a missed pixel, negative on a false one."""
    pred = o.high[0, 0] > 0
    truth = target > 0.5
    fn, fp = truth & ~pred, pred & ~truth
    nfn, nfp = int(fn.sum()), int(fp.sum())
    if nfn + nfp == 0:
        return None
    if rng.random() * (nfn + nfp) < nfn:
        return random_pixel(fn, rng), 1
    return random_pixel(fp, rng), 0


def forward_batch(parts: Parts, batch: List[Sample], s: Schedule, rng: random.Random) -> Tuple[Tensor, Dict[str, float]]:
    """Loss of a batch of clips (or images): the prompted frame per sample, then every other frame tracked with
    the memory, all clips in lockstep. Returns the mean loss over frames and samples, and logging figures."""
    cfg = parts.cfg
    size = cfg.image_size
    b = len(batch)
    t_len = batch[0].images.shape[0]
    imgs = torch.stack([x.images for x in batch]).flatten(0, 1)  # [B*T, 3, S, S]
    s0, s1, raw = parts.enc(imgs)
    s0 = s0.unflatten(0, (b, t_len))
    s1 = s1.unflatten(0, (b, t_len))
    raw = raw.unflatten(0, (b, t_len))
    targets = torch.stack([x.targets for x in batch])  # [B, T, S, S]
    frame_terms: List[Tensor] = []  # per frame: the loss summed over the samples / B
    sums = {"mask": 0.0, "dice": 0.0, "iou": 0.0, "class": 0.0}
    count = [0]

    def account(parts_: Dict[str, Tensor]) -> Tensor:
        for key in sums:
            sums[key] += float(parts_[key].sum())
        count[0] += parts_["mask"].shape[0]
        return total_loss(parts_).sum() / b

    # frame 0: prompts (per sample); sometimes a correction click, whose first output is supervised too
    feat0 = parts.att.no_memory(raw[:, 0])
    outs = []
    extra: List[Tensor] = []
    for i, x in enumerate(batch):
        o = decode_prompt(parts, feat0[i:i + 1], s0[i:i + 1, 0], s1[i:i + 1, 0], raw[i:i + 1, 0], x.prompt)
        if x.prompt.kind != "mask" and rng.random() < s.p_correction:
            c = correction_click(o, x.targets[0], rng)
            if c is not None:
                extra.append(account(frame_losses(o, x.targets[:1], size, s.class_on_prompted)))
                (cx, cy), lab = c
                p2 = Prompt(x.prompt.kind, torch.cat([x.prompt.coords, torch.tensor([[float(cx), float(cy)]])]),
                            torch.cat([x.prompt.labels, torch.tensor([lab], dtype=torch.int32)]))
                o = decode_prompt(parts, feat0[i:i + 1], s0[i:i + 1, 0], s1[i:i + 1, 0], raw[i:i + 1, 0], p2,
                                  prev_low=o.low)
        outs.append(o)
    first = cat_frames(outs)
    f0 = frame_losses(first, targets[:, 0], size, s.class_on_prompted)
    frame_terms.append(account(f0) + sum(extra, torch.zeros(())))
    # memory of the prompted frame: from its low-res mask, binarised (propagate_in_video_preflight)
    mems = {0: parts.men(raw[:, 0], first.low, first.score, True)}
    ptrs = {0: first.ptr}
    num_frames = min(x.num_frames for x in batch)
    n_mem = cfg.num_maskmem
    max_ptrs = min(num_frames, cfg.max_obj_ptrs_in_encoder)
    absent_ok = []
    for t in range(1, t_len):
        memories, tpos = [mems[0]], [0]
        for t_pos in range(1, n_mem):
            prev = t - (n_mem - t_pos)
            if prev >= 1:
                memories.append(mems[prev])
                tpos.append(t_pos)
        pointers, ppos = [ptrs[0]], [t]
        for t_diff in range(1, max_ptrs):
            prev = t - t_diff
            if prev < 1:
                break
            pointers.append(ptrs[prev])
            ppos.append(t_diff)
        feat = parts.att(raw[:, t], memories, tpos, pointers, ppos, num_frames)
        empty = torch.zeros(b, 0, 2)
        o = track(parts, feat, s0[:, t], s1[:, t], empty, torch.zeros(b, 0, dtype=torch.int32), None,
                  multimask_for(cfg, False, 0), False)
        frame_terms.append(account(frame_losses(o, targets[:, t], size, True, s.absent_class_weight)))
        mems[t] = parts.men(raw[:, t], o.high, o.score, False)
        ptrs[t] = o.ptr
        absent = ~targets[:, t].flatten(1).any(1)
        if bool(absent.any()):
            absent_ok.extend((o.score[absent, 0] <= 0).tolist())
    loss = torch.stack(frame_terms).sum() / t_len
    scale, rms = feature_scale_penalty(raw.flatten(0, 1), s.feature_rms_max)
    loss = loss + s.feature_scale_weight * scale
    # the frames are the same size, so the RMS over all of them is the quadratic mean of theirs
    info = {"loss": float(loss), "frames": float(t_len), "scale": float(scale),
            "feat_rms": float(rms.pow(2).mean().sqrt())}
    for key, v in sums.items():
        info[key] = v / count[0]  # per supervised output (frames x samples, corrections included)
    info["dice0"] = 1.0 - float(f0["dice_hard"].mean())  # hard Dice of the prompted frames
    if absent_ok:
        info["absent_ok"] = sum(absent_ok) / len(absent_ok)
    return loss, info


# ---------------------------------------------------------------------------------------------------------------
# Evaluation: the host's propagation (Segmenter.propagate, mode BOTH) in Python
# ---------------------------------------------------------------------------------------------------------------

def select_memories(cfg: configs.Sam2Config, frame: int, reverse: bool, cond: Sequence[int], noncond: Sequence[int],
                    num_frames: int) -> Tuple[List[Tuple[int, bool, int]], List[Tuple[int, bool, int]]]:
    """MemoryPolicy.select (stride 1, all conditioning frames): spatial [(frame, is_cond, t_pos)] and pointers
    [(frame, is_cond, position)]."""
    n = cfg.num_maskmem
    spatial = [(t, True, 0) for t in sorted(cond)]
    for t_pos in range(1, n):
        t_rel = n - t_pos
        prev = frame - t_rel if not reverse else frame + t_rel
        if prev in noncond:
            spatial.append((prev, False, t_pos))
    pointers = []
    max_ptrs = min(num_frames, cfg.max_obj_ptrs_in_encoder)
    for t in sorted(cond):
        if (t >= frame) if reverse else (t <= frame):
            pointers.append((t, True, (frame - t) * (-1 if reverse else 1)))
    for t_diff in range(1, max_ptrs):
        t = frame + t_diff if reverse else frame - t_diff
        if t < 0 or t >= num_frames:
            break
        if t in noncond:
            pointers.append((t, False, t_diff))
    return spatial, pointers


@torch.no_grad()
def propagate_volume(parts: Parts, images: Tensor, click: Tuple[float, float, int],
                     out_size: Optional[Tuple[int, int]] = None) -> Tuple[Tensor, Tensor]:
    """One click (model-input pixels) on slice k, then forward and backward through the volume as
    Segmenter.propagate (mode BOTH): -> (masks [nz, S, S] bool, object scores [nz]); with out_size (H, W) the masks
    are the low-resolution logits upsampled to that size, as the host returns them for a slice of that size."""
    cfg = parts.cfg
    nz = images.shape[0]
    x, y, k = click
    if out_size is not None:
        out = torch.zeros(nz, out_size[0], out_size[1], dtype=torch.bool)

        def keep(f: int, o: FrameOut) -> None:
            out[f] = F.interpolate(o.low, size=out_size, mode="bilinear", align_corners=False)[0, 0] > 0
    feats = [parts.enc(images[i:i + 8]) for i in range(0, nz, 8)]
    s0 = torch.cat([f[0] for f in feats])
    s1 = torch.cat([f[1] for f in feats])
    raw = torch.cat([f[2] for f in feats])
    masks = torch.zeros(nz, cfg.image_size, cfg.image_size, dtype=torch.bool)
    scores = torch.zeros(nz)
    prompt = Prompt("click", torch.tensor([[float(x), float(y)]]), torch.tensor([1], dtype=torch.int32))
    o = decode_prompt(parts, parts.att.no_memory(raw[k:k + 1]), s0[k:k + 1], s1[k:k + 1], raw[k:k + 1], prompt)
    store: Dict[Tuple[int, bool], Tuple[Tensor, Tensor]] = {}
    store[(k, True)] = (parts.men(raw[k:k + 1], o.low, o.score, True).to(torch.bfloat16), o.ptr)
    masks[k] = o.high[0, 0] > 0
    scores[k] = o.score[0, 0]
    if out_size is not None:
        keep(k, o)
    noncond: List[int] = []
    for reverse, frames in ((False, range(k + 1, nz)), (True, range(k - 1, -1, -1))):
        for f in frames:
            spatial, pointers = select_memories(cfg, f, reverse, [k], noncond, nz)
            feat = parts.att(raw[f:f + 1], [store[(t, c)][0] for t, c, _ in spatial], [p for _, _, p in spatial],
                             [store[(t, c)][1] for t, c, _ in pointers], [p for _, _, p in pointers], nz)
            o = FrameOut(*parts.dec.track(feat, s0[f:f + 1], s1[f:f + 1], torch.zeros(1, 0, 2),
                                          torch.zeros(1, 0, dtype=torch.int32), None, multimask_for(cfg, False, 0),
                                          cfg.dynamic_multimask_via_stability))
            store[(f, False)] = (parts.men(raw[f:f + 1], o.high, o.score, False).to(torch.bfloat16), o.ptr)
            noncond.append(f)
            masks[f] = o.high[0, 0] > 0
            scores[f] = o.score[0, 0]
            if out_size is not None:
                keep(f, o)
    return (masks if out_size is None else out), scores


def eval_volume(cfg: configs.Sam2Config, seed: int, nz: int = EVAL_SLICES) -> Tuple[Tensor, Tensor, Tuple[int, int, int], str]:
    """A held-out phantom as the demo sees it: (normalised images [nz, 3, S, S], truth [nz, S, S], click, kind)."""
    size = cfg.image_size
    p = phantom.generate(size, size, nz, seed)
    grey = window_grey(p.volume, p.modality, random.Random(0), augment=False)
    return normalise(grey, cfg), p.label > 0, phantom.prompt_point(p.label), f"{p.shape}/{p.modality}"


def evaluate(parts: Parts, seeds: Sequence[int] = EVAL_SEEDS, nz: int = EVAL_SLICES) -> List[Dict[str, object]]:
    """Per phantom: 3-D Dice, 2-D Dice on the prompted slice, slices with false positives, object-absent slices
    predicted empty (fraction)."""
    was_training = parts.model.training
    parts.model.eval()
    rows = []
    for seed in seeds:
        images, truth, click, kind = eval_volume(parts.cfg, seed, nz)
        t0 = time.perf_counter()
        pred, _ = propagate_volume(parts, images, click)
        secs = time.perf_counter() - t0
        inter = int((pred & truth).sum())
        dice = 2.0 * inter / max(1, int(pred.sum()) + int(truth.sum()))
        k = click[2]
        d2 = 2.0 * int((pred[k] & truth[k]).sum()) / max(1, int(pred[k].sum()) + int(truth[k].sum()))
        absent = [i for i in range(truth.shape[0]) if not bool(truth[i].any())]
        empty_ok = sum(1 for i in absent if not bool(pred[i].any()))
        fp_slices = sum(1 for i in range(truth.shape[0]) if bool((pred[i] & ~truth[i]).any()))
        rows.append({"seed": seed, "kind": kind, "dice3d": dice, "dice_prompted": d2, "fp_slices": fp_slices,
                     "absent_slices": len(absent), "absent_empty": empty_ok,
                     "s_per_slice": secs / truth.shape[0]})
    if was_training:
        parts.model.train()
    return rows


def summarise(rows: List[Dict[str, object]]) -> Dict[str, float]:
    n_abs = sum(int(r["absent_slices"]) for r in rows)
    return {"dice3d": sum(float(r["dice3d"]) for r in rows) / len(rows),
            "dice_prompted": sum(float(r["dice_prompted"]) for r in rows) / len(rows),
            "absent_empty": sum(int(r["absent_empty"]) for r in rows) / max(1, n_abs),
            "s_per_slice": sum(float(r["s_per_slice"]) for r in rows) / len(rows)}


# ---------------------------------------------------------------------------------------------------------------
# The held-out protocol (issue 19; promptonce_models/protocol.py): sizes as the demo offers them, the per-slice
# baseline, the speck rule
# ---------------------------------------------------------------------------------------------------------------

def to_model_input(grey: Tensor, cfg: configs.Sam2Config) -> Tensor:
    """[nz, H, W] grey in [0, 1] -> [nz, 3, S, S] as the host's Preprocessor: bilinear resize (align_corners False,
    no antialiasing) to the square input when the slice is another size, then the normalisation."""
    s = cfg.image_size
    if tuple(grey.shape[-2:]) != (s, s):
        grey = F.interpolate(grey[:, None], size=(s, s), mode="bilinear", align_corners=False)[:, 0]
    return normalise(grey, cfg)


@torch.no_grad()
def baseline_volume(parts: Parts, images: Tensor, truth: Tensor) -> Tensor:
    """The per-slice baseline as eval / demo run it (PerSliceRunner): image mode, on every slice holding the target a
    prompt derived from its truth (Prompts.fromMask), no memory. -> masks [nz, H, W] at the truth's size."""
    cfg = parts.cfg
    nz, h, w = truth.shape
    sx, sy = cfg.image_size / w, cfg.image_size / h
    out = torch.zeros(nz, h, w, dtype=torch.bool)
    for k in range(nz):
        if not bool(truth[k].any()):
            continue
        clicks, box = protocol.mask_prompt(truth[k])
        coords = [(box[0] * sx, box[1] * sy), (box[2] * sx, box[3] * sy)] + [(x * sx, y * sy) for x, y, _ in clicks]
        labels = [2, 3] + [lab for _, _, lab in clicks]
        s0, s1, raw = parts.enc(images[k:k + 1])
        o = track(parts, parts.att.no_memory(raw), s0, s1, torch.tensor([coords], dtype=torch.float32),
                  torch.tensor([labels], dtype=torch.int32), None, multimask_for(cfg, True, len(labels)),
                  cfg.dynamic_multimask_via_stability)
        out[k] = F.interpolate(o.low, size=(h, w), mode="bilinear", align_corners=False)[0, 0] > 0
    return out


def protocol_phantom(cfg: configs.Sam2Config, c: protocol.Case) -> Tuple[Tensor, Tensor, Tuple[int, int, int], str]:
    """A protocol case as the demo sees it: (model input [nz, 3, S, S], truth [nz, H, W], click in the slice's
    pixels, kind)."""
    p = phantom.generate(c.size, c.size, c.slices, c.seed)
    grey = window_grey(p.volume, p.modality, random.Random(0), augment=False)
    return to_model_input(grey, cfg), p.label > 0, phantom.prompt_point(p.label), f"{p.shape}/{p.modality}"


@torch.no_grad()
def evaluate_protocol(parts: Parts, fast: bool = False, baseline: bool = True,
                      seeds: Optional[Sequence[int]] = None,
                      min_object_score: Optional[float] = None) -> List[Dict[str, object]]:
    """Per protocol phantom: the prompt-once scores (protocol.score), the baseline's 3-D Dice, the kind and size.
    min_object_score: the model's object-score floor (the checkpoint's "postprocess"), None for none."""
    was_training = parts.model.training
    parts.model.eval()
    rows = []
    for c in (protocol.cases(fast) if seeds is None else [protocol.case(s, fast) for s in seeds]):
        images, truth, click, kind = protocol_phantom(parts.cfg, c)
        scale = parts.cfg.image_size / c.size
        t0 = time.perf_counter()
        pred, scores = propagate_volume(parts, images, (click[0] * scale, click[1] * scale, click[2]),
                                        out_size=(c.size, c.size))
        secs = time.perf_counter() - t0
        row: Dict[str, object] = {"seed": c.seed, "kind": kind, "size": c.size, "slices": c.slices}
        # the demo's post-processing (protocol.postprocess): slices below the model's floor emptied, the largest
        # 3-D connected component, then each slice's largest region; the clean-slice counts without it and with
        # the 3-D step only are kept to show what each does. The baseline is prompted only where the target is,
        # so it has no track to end: the floor is for the prompt-once row.
        pred = protocol.below_floor_emptied(pred, scores, min_object_score)
        body = protocol.largest_component_3d(pred)  # postprocess's 3-D step, computed once for both figures
        row.update(protocol.score(protocol.largest_component_per_slice(body), truth))
        row["raw_clean_slices"] = protocol.clean_slices(pred, truth)
        row["clean_slices_3d_only"] = protocol.clean_slices(body, truth)
        if baseline:
            row["baseline_dice3d"] = protocol.dice(
                protocol.postprocess(baseline_volume(parts, images, truth)), truth)
        row["s_per_slice"] = secs / c.slices
        rows.append(row)
        print(json.dumps(row), flush=True)
    if was_training:
        parts.model.train()
    return rows


def protocol_report(rows: Sequence[Dict[str, object]]) -> str:
    s = protocol.summary(rows)
    lines = [f"{s['phantoms']} phantoms: mean 3-D Dice {s['mean']:.4f}, median {s['median']:.4f}, "
             f"10th percentile {s['p10']:.4f}, worst {s['worst']:.4f} (seed {s['worst_seed']}); "
             f"absent slices empty {100 * float(s['absent_empty']):.2f} %; clean slices "
             f"{100 * float(s['clean_slices']):.2f} %"
             + (f" (without the post-processing {100 * float(s['raw_clean_slices']):.2f} %, with its 3-D step only "
                f"{100 * float(s['clean_slices_3d_only']):.2f} %)" if "clean_slices_3d_only" in s else "")
             + (f"; per-slice baseline mean {s['baseline_mean']:.4f}" if "baseline_mean" in s else "")]
    kinds: Dict[str, List[float]] = {}
    for r in rows:
        kinds.setdefault(str(r["kind"]), []).append(float(r["dice3d"]))
        kinds.setdefault(f"size {r['size']}", []).append(float(r["dice3d"]))
    lines.append("by kind and size: " + ", ".join(f"{k} {sum(v) / len(v):.3f} (n={len(v)})"
                                                 for k, v in sorted(kinds.items())))
    bad = protocol.failures(s)
    lines.append("the bar: " + ("met" if not bad else "NOT met: " + "; ".join(bad)))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Training loop, checkpoints
# ---------------------------------------------------------------------------------------------------------------

NO_DECAY_KEYS = ("pos_embed", "tpos_enc", "no_mem_", "no_obj_", "_token", "point_embeddings", "not_a_point_embed",
                 "no_mask_embed")


def param_groups(model: torch.nn.Module, weight_decay: float) -> List[Dict[str, object]]:
    """No weight decay on biases, norms, learned embeddings and position tables (1-D parameters and NO_DECAY_KEYS)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.ndim <= 1 or any(k in name for k in NO_DECAY_KEYS):
            no_decay.append(p)
        else:
            decay.append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


class Trainer:
    """The model, the optimizer and the step. `cfg` overrides the registered arch (tests use micro configs)."""

    def __init__(self, schedule: Schedule, out: Optional[str], threads: int = 2,
                 cfg: Optional[configs.Sam2Config] = None) -> None:
        self.s = schedule
        self.out = out
        torch.set_num_threads(threads)
        cfg = cfg if cfg is not None else configs.get_config(schedule.arch)
        if not isinstance(cfg, configs.Sam2Config):
            raise SystemExit(f"train_default.py: {schedule.arch} is not a SAM 2 arch")
        torch.manual_seed(schedule.seed)
        self.model = Sam2Model(cfg).train()
        self.parts = Parts(self.model)
        self.opt = torch.optim.AdamW(param_groups(self.model, schedule.weight_decay), lr=schedule.lr,
                                     betas=(0.9, 0.999))
        self.step = 0
        self.train_seconds = 0.0  # time in optimisation steps (data included), over all invocations
        self.wall_seconds = 0.0  # wall-clock of all invocations (evaluations and checkpoints included)
        self.history: List[Dict[str, object]] = []
        self.best: Optional[Dict[str, object]] = None

    # --- one step ------------------------------------------------------------------------------------------------
    def train_step(self, batch: Optional[List[Sample]] = None) -> Dict[str, float]:
        s = self.s
        t0 = time.perf_counter()
        if batch is None:
            batch = make_batch(self.parts.cfg, s, self.step)
        t_data = time.perf_counter() - t0
        lr = lr_at(s, self.step)
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.model.train()
        loss, info = forward_batch(self.parts, batch, s, random.Random(f"promptonce-fwd:{s.seed}:{self.step}"))
        if not torch.isfinite(loss):
            raise FloatingPointError(f"step {self.step}: loss is {float(loss)}")
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(self.model.parameters(), s.grad_clip)
        self.opt.step()
        dt = time.perf_counter() - t0
        self.train_seconds += dt
        info.update({"step": self.step, "lr": lr, "grad_norm": float(gn), "seconds": dt, "data_seconds": t_data,
                     "batch": len(batch)})
        self.step += 1
        return info

    # --- checkpoints ---------------------------------------------------------------------------------------------
    def state(self) -> Dict[str, object]:
        return {"version": CHECKPOINT_VERSION, "schedule": dataclasses.asdict(self.s), "step": self.step,
                "train_seconds": self.train_seconds, "wall_seconds": self.wall_seconds, "model": self.model.state_dict(),
                "optimizer": self.opt.state_dict(), "history": self.history, "best": self.best,
                "torch": str(torch.__version__)}

    def save(self, path: str) -> None:
        tmp = path + ".tmp"
        state_file.save(self.state(), tmp)  # loads with weights_only=True, even on torch 1.13
        os.replace(tmp, path)

    def save_model(self, path: str) -> None:
        tmp = path + ".tmp"
        torch.save(ckpt.official_checkpoint(self.model), tmp)
        os.replace(tmp, path)

    @classmethod
    def resume(cls, path: str, out: Optional[str], threads: int = 2,
               cfg: Optional[configs.Sam2Config] = None) -> "Trainer":
        try:
            st = state_file.load(path)
        except (ValueError, RuntimeError, pickle.UnpicklingError) as e:
            raise SystemExit(f"train_default.py: {path} is not a training checkpoint of this script ({e})")
        if not isinstance(st, dict) or st.get("version") != CHECKPOINT_VERSION:
            raise SystemExit(f"train_default.py: {path} is not a training checkpoint of this script")
        t = cls(Schedule(**st["schedule"]), out, threads, cfg)
        t.model.load_state_dict(st["model"])
        t.opt.load_state_dict(st["optimizer"])
        t.step = int(st["step"])
        t.train_seconds = float(st["train_seconds"])
        t.wall_seconds = float(st.get("wall_seconds", 0.0))
        t.history = list(st["history"])
        t.best = st["best"]
        return t


TRAIN_FIELDS = ["phase", "step", "loss", "mask", "dice", "iou", "class", "dice0", "absent_ok", "scale", "feat_rms",
                "lr", "grad_norm",
                "seconds", "data_seconds", "batch", "frames"]


def log_line(path: str, row: Dict[str, object], fields: Optional[List[str]] = None) -> None:
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields or list(row), extrasaction="ignore", restval="")
        if new:
            w.writeheader()
        w.writerow(row)


def run_eval(t: Trainer, out: str, note: str, seeds: Sequence[int] = EVAL_SEEDS,
             nz: int = EVAL_SLICES) -> Dict[str, float]:
    t0 = time.perf_counter()
    rows = evaluate(t.parts, seeds, nz)
    summ = summarise(rows)
    for r in rows:
        log_line(os.path.join(out, "eval.csv"), {"step": t.step, "note": note, **r})
    rec = {"step": t.step, "train_seconds": round(t.train_seconds, 1), **{k: round(v, 4) for k, v in summ.items()}}
    t.history.append(rec)
    log_line(os.path.join(out, "eval_summary.csv"), rec)
    print(f"eval step {t.step}: 3-D Dice {summ['dice3d']:.3f} (prompted slice {summ['dice_prompted']:.3f}), "
          f"absent slices empty {summ['absent_empty']:.3f}, {time.perf_counter() - t0:.0f} s", flush=True)
    if t.best is None or summ["dice3d"] > float(t.best["dice3d"]):
        t.best = rec
        t.save_model(os.path.join(out, "best.pt"))
    return summ


def load_checkpoint(path: str) -> object:
    """A last.pt (training state) or a model-only best.pt / final.pt, read with weights_only=True."""
    st = torch.load(path, map_location="cpu", weights_only=True)
    return state_file.decode(st) if state_file.is_state_file(st) else st


def init_weights(model: torch.nn.Module, path: str, reinit: Sequence[str]) -> None:
    """A new run starting from the weights of an earlier one (a last.pt, or a model-only best.pt / final.pt), with
    the parameters under the `reinit` prefixes freshly initialised (e.g. a collapsed head)."""
    st = load_checkpoint(path)
    sd = st["model"] if isinstance(st, dict) and "model" in st else st
    ckpt.load_state_dict_strict(model, sd, f"--init-from {path}")
    for prefix in reinit:
        modules = [(n, m) for n, m in model.named_modules() if n == prefix or n.startswith(prefix + ".")]
        resettable = [m for _, m in modules if hasattr(m, "reset_parameters")]
        if not resettable:
            raise SystemExit(f"train_default.py: --reinit {prefix} names no module with parameters to reset")
        for m in resettable:
            m.reset_parameters()
        print(f"re-initialised {prefix} ({len(resettable)} module(s))", flush=True)


# Schedule fields that command-line options set for a new run and change on --resume (dest names of main's options)
SCHEDULE_OPTIONS = ("image_steps", "clip_steps", "lr", "eval_every", "absent_class_weight", "feature_rms_max",
                    "feature_scale_weight", "p_distractor_target", "p_resize", "p_clip_at_end",
                    "p_dark_target", "p_click")


def train(args: argparse.Namespace) -> int:
    out = args.out
    eval_seeds = [int(x) for x in (args.eval_seeds or ",".join(str(s) for s in EVAL_SEEDS)).split(",")]
    if any(x >= TRAIN_SEED_BASE for x in eval_seeds):
        print(f"train_default.py: evaluation seeds must be held out (< {TRAIN_SEED_BASE})", file=sys.stderr)
        return 2
    last = os.path.join(out, "last.pt")
    if args.resume:
        if not os.path.exists(last):
            print(f"train_default.py: --resume but {last} does not exist", file=sys.stderr)
            return 2
        t = Trainer.resume(last, out, args.threads)
        changed = {k: getattr(args, k) for k in SCHEDULE_OPTIONS
                   if getattr(args, k) is not None and getattr(args, k) != getattr(t.s, k)}
        if changed:
            # e.g. a longer schedule in a later session: the cosine is recomputed over the new total from here on
            for k, v in changed.items():
                setattr(t.s, k, v)
            print(f"resume: schedule changed {changed}; the learning rate follows the new schedule", flush=True)
        print(f"resumed {last} at step {t.step}/{t.s.total_steps} ({t.train_seconds / 3600:.2f} h trained)", flush=True)
    else:
        if os.path.exists(last) and not args.force:
            print(f"train_default.py: {last} exists: use --resume to continue it or --force to start over",
                  file=sys.stderr)
            return 2
        os.makedirs(out, exist_ok=True)
        for name in ("train.csv", "eval.csv", "eval_summary.csv", "best.pt", "final.pt"):
            if os.path.exists(os.path.join(out, name)):
                os.remove(os.path.join(out, name))
        s = Schedule(arch=args.arch, seed=args.seed)
        for k in SCHEDULE_OPTIONS:
            if getattr(args, k) is not None:
                setattr(s, k, getattr(args, k))
        t = Trainer(s, out, args.threads)
        if args.init_from:
            init_weights(t.model, args.init_from, args.reinit)
        with open(os.path.join(out, "schedule.json"), "w") as f:
            json.dump(dataclasses.asdict(s), f, indent=2)
        print(f"training {s.arch} from {args.init_from or 'scratch'}, seed {s.seed}: {s.image_steps} image steps + {s.clip_steps} clip "
              f"steps, {sum(p.numel() for p in t.model.parameters()):,} parameters", flush=True)
    started = time.monotonic()
    wall0 = t.wall_seconds

    def save_last() -> None:
        t.wall_seconds = wall0 + (time.monotonic() - started)
        t.save(last)

    stop = {"signal": None}

    def on_signal(signum, _frame) -> None:  # SIGTERM / SIGINT: finish the step, checkpoint, exit
        stop["signal"] = signum

    old_handlers = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    budget = args.budget_minutes * 60.0
    last_ckpt = time.monotonic()
    step_estimate = 0.0
    stop_at = t.step + args.stop_after if args.stop_after is not None else t.s.total_steps
    while t.step < min(t.s.total_steps, stop_at):
        elapsed = time.monotonic() - started
        if elapsed + 2.0 * step_estimate + 90.0 > budget:  # room for the last step, a checkpoint and a margin
            break
        if stop["signal"] is not None:
            print(f"signal {stop['signal']}: checkpointing at step {t.step} and stopping", flush=True)
            break
        info = t.train_step()
        step_estimate = max(step_estimate * 0.9, info["seconds"]) if step_estimate else info["seconds"]
        phase, _, _ = phase_at(t.s, info["step"])
        log_line(os.path.join(out, "train.csv"), {"phase": phase, **{k: (round(v, 5) if isinstance(v, float) else v)
                                                                      for k, v in info.items()}}, TRAIN_FIELDS)
        if info["step"] % 10 == 0:
            print(f"step {info['step']} {phase}: loss {info['loss']:.4f} (mask {info['mask']:.4f} dice "
                  f"{info['dice']:.3f} iou {info['iou']:.3f} class {info['class']:.3f}), lr {info['lr']:.2e}, "
                  f"{info['seconds']:.2f} s", flush=True)
        if time.monotonic() - last_ckpt > args.checkpoint_minutes * 60.0:
            save_last()
            last_ckpt = time.monotonic()
        if t.step % t.s.eval_every == 0 and t.step >= t.s.image_steps and stop["signal"] is None:
            run_eval(t, out, "periodic", eval_seeds, args.eval_slices)
            save_last()
            last_ckpt = time.monotonic()
    save_last()
    if t.step >= t.s.total_steps and stop["signal"] is None:
        t.save_model(os.path.join(out, "final.pt"))
        if not t.history or t.history[-1]["step"] != t.step:
            run_eval(t, out, "final", eval_seeds, args.eval_slices)
            save_last()
        print(f"done: {t.step} steps, {t.train_seconds / 3600:.2f} h in steps, {t.wall_seconds / 3600:.2f} h in all; "
              f"best {t.best}", flush=True)
    else:
        print(f"stopped at step {t.step}/{t.s.total_steps} ({t.wall_seconds / 3600:.2f} h so far): continue with "
              f"--resume --out {out}", flush=True)
    for sig, h in old_handlers.items():
        signal.signal(sig, h)
    return 0


def benchmark(args: argparse.Namespace) -> int:
    """Seconds per step of each phase on a fresh model (nothing saved)."""
    s = Schedule(arch=args.arch, seed=args.seed)
    t = Trainer(s, None, args.threads)
    n = args.benchmark
    results = {}
    for name, step in (("image", 0), ("clip-short", s.image_steps),
                       ("clip-long", s.image_steps + int(math.ceil(s.long_clips_from * s.clip_steps)))):
        times, data = [], []
        for i in range(n + 1):
            t.step = step + i
            info = t.train_step()
            if i > 0:  # the first call of each phase warms up
                times.append(info["seconds"])
                data.append(info["data_seconds"])
        times.sort()
        med = times[len(times) // 2]
        results[name] = med
        ph, b, fr = phase_at(s, step)
        print(f"{name}: batch {b} x {fr} frame(s): median {med:.2f} s/step ({sum(data) / len(data):.2f} s of it "
              f"making phantoms), {3600 / med:.0f} steps/hour", flush=True)
    total = s.image_steps * results["image"] + s.clip_steps * (
        s.long_clips_from * results["clip-short"] + (1 - s.long_clips_from) * results["clip-long"])
    evals = len(range(s.eval_every, s.total_steps + 1, s.eval_every))
    print(f"default schedule ({s.image_steps} image + {s.clip_steps} clip steps): about {total / 3600:.2f} h of "
          f"steps plus {evals} evaluations", flush=True)
    return 0


def eval_only(args: argparse.Namespace) -> int:
    if args.min_object_score is not None and not math.isfinite(args.min_object_score):
        print(f"train_default.py: --min-object-score {args.min_object_score} is not a finite number",
              file=sys.stderr)
        return 2
    st = load_checkpoint(args.eval_only)
    cfg = configs.get_config(args.arch)
    torch.set_num_threads(args.threads)
    model = Sam2Model(cfg)
    sd = st["model"]
    ckpt.load_state_dict_strict(model, sd, f"checkpoint {args.eval_only}")
    if args.protocol:
        seeds = [int(x) for x in args.eval_seeds.split(",")] if args.eval_seeds else None
        floor = args.min_object_score if args.min_object_score is not None else ckpt.min_object_score(st)
        print(f"object-score floor: {'none' if floor is None else floor}"
              + (" (--min-object-score)" if args.min_object_score is not None else " (the checkpoint's)"), flush=True)
        rows = evaluate_protocol(Parts(model.eval()), fast=args.protocol == "fast", baseline=not args.no_baseline,
                                 seeds=seeds, min_object_score=floor)
        print(json.dumps(protocol.summary(rows)))
        print(protocol_report(rows))
        return 0
    seeds = args.eval_seeds or ",".join(str(s) for s in EVAL_SEEDS)
    rows = evaluate(Parts(model.eval()), seeds=[int(x) for x in seeds.split(",")], nz=args.eval_slices)
    for r in rows:
        print(json.dumps(r))
    print(json.dumps(summarise(rows)))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="train_default.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out",
                                                  "train-promptonce-small"),
                    help="run directory: last.pt (resumable, ~23 MB), best.pt / final.pt (model only, ~7.7 MB), "
                         "train.csv, eval.csv, eval_summary.csv (default: models/out/train-promptonce-small)")
    ap.add_argument("--arch", default="promptonce-small")
    ap.add_argument("--seed", type=int, default=0, help="model initialisation and data order")
    ap.add_argument("--budget-minutes", type=float, default=115.0,
                    help="wall-clock limit of this invocation; it checkpoints and stops before it")
    ap.add_argument("--checkpoint-minutes", type=float, default=10.0)
    overridable = ", ".join("--" + k.replace("_", "-") for k in SCHEDULE_OPTIONS)
    ap.add_argument("--resume", action="store_true", help=f"continue OUT/last.pt with its schedule ({overridable} "
                    "given with --resume change it, e.g. to lengthen the run)")
    ap.add_argument("--force", action="store_true", help="start over even if OUT/last.pt exists")
    ap.add_argument("--absent-class-weight", type=float,
                    help=f"object-score loss weight of frames without the object (default {Schedule.absent_class_weight})")
    ap.add_argument("--feature-rms-max", type=float,
                    help=f"vision-feature RMS above which the scale penalty starts (default {Schedule.feature_rms_max})")
    ap.add_argument("--feature-scale-weight", type=float,
                    help=f"weight of that penalty; 0 switches it off (default {Schedule.feature_scale_weight})")
    ap.add_argument("--p-distractor-target", type=float,
                    help=f"share of single images prompted on a distractor, which becomes the target "
                         f"(default {Schedule.p_distractor_target})")
    ap.add_argument("--p-clip-at-end", type=float,
                    help=f"share of clips prompted near the object's end and running past it "
                         f"(default {Schedule.p_clip_at_end})")
    ap.add_argument("--p-dark-target", type=float,
                    help=f"fraction of samples drawn with a target darker than its tissue (default "
                         f"{Schedule.p_dark_target})")
    ap.add_argument("--p-click", type=float,
                    help=f"weight of single-click prompts against boxes ({Schedule.p_box}), a click with a negative "
                         f"click ({Schedule.p_click_neg}) and masks ({Schedule.p_mask}, clips only); each kind's share "
                         f"is its weight over their sum (default {Schedule.p_click})")
    ap.add_argument("--p-resize", type=float,
                    help=f"share of phantoms rendered at another size ({', '.join(map(str, RESIZE_SIZES))} px) and "
                         f"resized to the input as the host does (default {Schedule.p_resize})")
    ap.add_argument("--init-from", metavar="CKPT", help="a new run starting from these weights (last.pt, best.pt or "
                    "final.pt of an earlier run) instead of random ones; e.g. --image-steps 0 for a clip stage")
    ap.add_argument("--reinit", metavar="MODULE", action="append", default=[],
                    help="with --init-from: re-initialise this module (repeatable), e.g. "
                         "sam_mask_decoder.pred_obj_score_head")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--image-steps", type=int, help=f"default {Schedule.image_steps}")
    ap.add_argument("--clip-steps", type=int, help=f"default {Schedule.clip_steps}")
    ap.add_argument("--lr", type=float, help=f"peak learning rate (default {Schedule.lr})")
    ap.add_argument("--eval-every", type=int, help=f"steps between evaluations (default {Schedule.eval_every})")
    ap.add_argument("--stop-after", type=int, metavar="N", help="stop this invocation after N steps (checkpointed)")
    ap.add_argument("--benchmark", type=int, metavar="N", help="time N steps of each phase and exit")
    ap.add_argument("--eval-only", metavar="CKPT", help="evaluate a checkpoint ({'model': ...}) and exit")
    ap.add_argument("--eval-seeds", help="comma-separated seeds (default: the training's evaluation set "
                    f"{EVAL_SEEDS[0]}-{EVAL_SEEDS[-1]}, or with --protocol its seeds)")
    ap.add_argument("--protocol", choices=("full", "fast"),
                    help="with --eval-only: the held-out protocol of issue 19 (full: seeds 1000-1099 at the sizes of "
                         "promptonce_models/protocol.py; fast: seeds 1000-1019 at 128 x 128 x 16, as CI), with the "
                         "per-slice baseline and the bar's figures")
    ap.add_argument("--min-object-score", type=float, metavar="X",
                    help="with --protocol: the object-score floor to apply instead of the checkpoint's "
                         "(its \"postprocess\" entry, which export.py writes into the manifest)")
    ap.add_argument("--no-baseline", action="store_true", help="with --protocol: skip the per-slice baseline")
    ap.add_argument("--eval-slices", type=int, default=EVAL_SLICES)
    args = ap.parse_args(argv)
    if args.benchmark:
        return benchmark(args)
    if args.eval_only:
        return eval_only(args)
    return train(args)


if __name__ == "__main__":
    sys.exit(main())
