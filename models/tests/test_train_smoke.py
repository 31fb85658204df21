"""train_default.py in seconds: a micro SAM 2 (test-tiny at 64 px) on micro phantoms; the loss is finite and
falls on a fixed batch; a checkpoint resumes the step, the optimizer and the exact continuation; the CLI loop
writes its files and stops at its budget; the evaluation runs the host's propagation."""
import dataclasses
import math
import os
import random
import torch
import train_default as T
from promptonce_models import configs

MICRO = dataclasses.replace(configs.get_config("test-tiny"), name="micro", image_size=64)


def micro_schedule(**kw):
    base = dict(arch="micro", image_steps=3, clip_steps=4, image_batch=2, clip_batch_short=2, clip_frames_short=3,
                clip_batch_long=1, clip_frames_long=4, long_clips_from=0.5, nz_min=8, nz_max=10, warmup_steps=1,
                lr=3e-3, p_correction=0.0, eval_every=1000)
    base.update(kw)
    return T.Schedule(**base)


def test_schedule_shapes():
    s = T.Schedule()
    assert T.phase_at(s, 0) == ("image", s.image_batch, 1)
    assert T.phase_at(s, s.image_steps) == ("clip", s.clip_batch_short, s.clip_frames_short)
    assert T.phase_at(s, s.total_steps - 1) == ("clip", s.clip_batch_long, s.clip_frames_long)
    lrs = [T.lr_at(s, i) for i in range(s.total_steps)]
    assert max(lrs) == s.lr and abs(lrs[-1] - s.lr * s.lr_min_ratio) < 1e-3 * s.lr
    assert all(a >= b for a, b in zip(lrs[s.warmup_steps:], lrs[s.warmup_steps + 1:]))


def test_batches_are_a_function_of_the_step_and_held_out_seeds_stay_out():
    s = micro_schedule()
    a = T.make_batch(MICRO, s, 4)
    b = T.make_batch(MICRO, s, 4)
    assert len(a) == s.clip_batch_short and all(x.images.shape == (3, 3, 64, 64) for x in a)
    for x, y in zip(a, b):
        assert torch.equal(x.images, y.images) and x.prompt.kind == y.prompt.kind and x.seed == y.seed
        assert x.seed >= T.TRAIN_SEED_BASE and x.targets[0].any()
        assert len(set(abs(p - q) for p, q in zip(x.slices, x.slices[1:]))) == 1  # consecutive slices
    assert not torch.equal(T.make_batch(MICRO, s, 5)[0].images, a[0].images)


def test_loss_is_finite_and_falls_on_a_fixed_batch():
    for step in (0, 3):  # an image batch, a clip batch
        s = micro_schedule()
        t = T.Trainer(s, None, threads=1, cfg=MICRO)
        batch = T.make_batch(MICRO, s, step)
        losses = []
        for _ in range(6):
            t.step = step
            info = t.train_step(batch)
            assert math.isfinite(info["loss"]) and math.isfinite(info["grad_norm"])
            losses.append(info["loss"])
        assert losses[-1] < 0.9 * losses[0], losses


def test_resume_restores_step_optimizer_and_continuation(tmp_path):
    s = micro_schedule()
    t = T.Trainer(s, None, threads=1, cfg=MICRO)
    for _ in range(4):  # through the image phase into the clips
        t.train_step()
    path = str(tmp_path / "last.pt")
    t.save(path)
    saved_opt = {k: (v["exp_avg"].clone(), int(v["step"])) for k, v in t.opt.state_dict()["state"].items()}
    assert max(v[1] for v in saved_opt.values()) == 4
    cont = [t.train_step()["loss"] for _ in range(2)]

    r = T.Trainer.resume(path, None, threads=1, cfg=MICRO)
    assert r.step == 4 and r.s == s
    st = r.opt.state_dict()
    assert set(st["state"]) == set(saved_opt)
    for k, (avg, n) in saved_opt.items():
        assert torch.equal(st["state"][k]["exp_avg"], avg) and int(st["state"][k]["step"]) == n
    resumed = [r.train_step()["loss"] for _ in range(2)]
    assert resumed == cont


def test_official_layout_checkpoint_and_evaluation(tmp_path):
    t = T.Trainer(micro_schedule(), None, threads=1, cfg=MICRO)
    path = str(tmp_path / "best.pt")
    t.save_model(path)
    sd = torch.load(path, weights_only=True)["model"]
    assert set(sd) == set(t.model.state_dict())
    rows = T.evaluate(t.parts, seeds=[3], nz=8)
    assert len(rows) == 1 and 0.0 <= rows[0]["dice3d"] <= 1.0 and rows[0]["absent_slices"] >= 2
    summ = T.summarise(rows)
    assert set(summ) == {"dice3d", "dice_prompted", "absent_empty", "s_per_slice"}


def test_cli_trains_checkpoints_and_resumes(tmp_path, monkeypatch):
    monkeypatch.setitem(configs.ARCHS, "micro", MICRO)
    out = str(tmp_path / "run")
    args = ["--arch", "micro", "--out", out, "--threads", "1", "--image-steps", "2", "--clip-steps", "1",
            "--eval-every", "3", "--eval-seeds", "5", "--eval-slices", "8"]
    assert T.main(args + ["--budget-minutes", "0"]) == 0  # no time: checkpoints step 0 and stops
    assert T.load_checkpoint(os.path.join(out, "last.pt"))["step"] == 0
    assert T.main(args) == 2  # refuses to overwrite a run
    assert T.main(args + ["--resume", "--stop-after", "1"]) == 0
    assert T.load_checkpoint(os.path.join(out, "last.pt"))["step"] == 1
    assert T.main(args + ["--resume"]) == 0
    st = T.load_checkpoint(os.path.join(out, "last.pt"))
    assert st["step"] == 3 and st["history"] and st["history"][-1]["step"] == 3
    for name in ("final.pt", "best.pt", "train.csv", "eval.csv", "eval_summary.csv", "schedule.json"):
        assert os.path.exists(os.path.join(out, name)), name
    assert T.main(["--arch", "micro", "--out", str(tmp_path / "x"), "--eval-seeds", "1000001"]) == 2


def test_class_on_prompted_switches_the_object_score_of_prompted_frames():
    s = micro_schedule()
    assert s.class_on_prompted  # default: supervised, as SAM 2
    t = T.Trainer(s, None, threads=1, cfg=MICRO)
    image_batch = T.make_batch(MICRO, s, 0)  # single images: every frame is a prompted one
    _, info = T.forward_batch(t.parts, image_batch, s, __import__("random").Random(0))
    assert info["class"] > 0.0
    s_off = micro_schedule(class_on_prompted=False)
    _, info_off = T.forward_batch(t.parts, image_batch, s_off, __import__("random").Random(0))
    assert info_off["class"] == 0.0


def test_init_from_copies_the_weights_and_reinit_resets_only_the_named_module(tmp_path):
    s = micro_schedule()
    src = T.Trainer(s, None, threads=1, cfg=MICRO)
    src.train_step()
    path = str(tmp_path / "model.pt")
    src.save_model(path)
    dst = T.Trainer(micro_schedule(seed=7), None, threads=1, cfg=MICRO)
    head = "sam_mask_decoder.pred_obj_score_head"
    T.init_weights(dst.model, path, [head])
    a, b = src.model.state_dict(), dst.model.state_dict()
    for k in a:
        if k.startswith(head + "."):
            assert not torch.equal(a[k], b[k]), k
        else:
            assert torch.equal(a[k], b[k]), k
    try:
        T.init_weights(dst.model, path, ["no_such_module"])
    except SystemExit as e:
        assert "no_such_module" in str(e)
    else:
        raise AssertionError("an unknown --reinit module must be refused")


def test_absent_frames_weigh_absent_class_weight_in_the_object_score_loss():
    o = T.FrameOut(multi=torch.zeros(2, 1, 16, 16), ious=torch.zeros(2, 1), low=torch.zeros(2, 1, 16, 16),
                   high=torch.zeros(2, 1, 64, 64), ptr=torch.zeros(2, 8), score=torch.zeros(2, 1))
    target = torch.zeros(2, 64, 64)
    target[0, 10:20, 10:20] = 1.0  # sample 0 holds the object, sample 1 does not
    one = T.frame_losses(o, target, 64, True, 1.0)["class"]
    eight = T.frame_losses(o, target, 64, True, 8.0)["class"]
    assert torch.allclose(one[0], eight[0]) and torch.allclose(eight[1], 8.0 * one[1])
    assert T.Schedule().absent_class_weight == 8.0


def test_feature_scale_penalty_is_a_squared_hinge_on_each_frames_rms():
    feats = torch.ones(3, 4, 2, 2)  # RMS 1, 3, 0.5
    feats[1] *= 3.0
    feats[2] *= 0.5
    pen, rms = T.feature_scale_penalty(feats, 1.0)
    assert math.isclose(float(pen), (0.0 + 4.0 + 0.0) / 3, rel_tol=1e-6)
    assert torch.allclose(rms, torch.tensor([1.0, 3.0, 0.5]))
    assert float(T.feature_scale_penalty(feats, 5.0)[0]) == 0.0


def test_a_step_with_blown_up_features_shrinks_them():
    # the neck's output scaled 30x, as run 1's had grown: the penalty must pull it back
    t = T.Trainer(micro_schedule(lr=1e-3, warmup_steps=1), None, 1, cfg=MICRO)
    neck = [m for n, m in t.model.named_modules() if n.startswith("image_encoder.neck") and isinstance(m, torch.nn.Conv2d)]
    assert neck, "no neck convolutions found"
    with torch.no_grad():
        for m in neck:
            m.weight.mul_(30.0)
            m.bias.mul_(30.0)
    batch = T.make_batch(t.parts.cfg, t.s, 0)
    first = t.train_step(batch)
    for _ in range(5):
        last = t.train_step(batch)
    assert first["feat_rms"] > 10.0 and first["scale"] > 0.0
    assert last["feat_rms"] < 0.5 * first["feat_rms"]  # measured: 19.8 -> 6.6 (without the penalty: -> 25.8)


def test_swap_in_distractor_makes_the_largest_distractor_the_target():
    label = torch.zeros(1, 16, 16, dtype=torch.uint8)
    label[0, 2:6, 2:6] = 1
    distr = torch.zeros(1, 16, 16, dtype=torch.uint8)
    distr[0, 8:10, 8:10] = 1  # 4 px
    distr[0, 10:16, 10:16] = 2  # 36 px
    new_label, others = T.swap_in_distractor(label, distr, min_pixels=30)
    assert torch.equal(new_label > 0, distr == 2)
    assert torch.equal(others > 0, (label > 0) | (distr == 1))
    small = torch.where(distr == 2, torch.zeros_like(distr), distr)
    same_label, same_distr = T.swap_in_distractor(label, small, min_pixels=30)  # no distractor large enough
    assert same_label is label and same_distr is small


def test_image_samples_ask_for_a_distractor_at_p_distractor_target():
    from promptonce_models import phantom
    swapped = {}
    for p in (0.0, 1.0):
        n = 0
        for seed in range(T.TRAIN_SEED_BASE, T.TRAIN_SEED_BASE + 12):
            x = T.make_sample(MICRO, micro_schedule(p_distractor_target=p), random.Random(seed), seed, 1)
            truth = phantom.generate(64, 64, x.num_frames, seed, slices=x.slices).label > 0
            # flips aside, a swapped sample's target is not the phantom's target: compare pixel counts
            n += int(int(x.targets.sum()) != int(truth.sum()))
        swapped[p] = n
    assert swapped[0.0] == 0 and swapped[1.0] > 0


def test_p_dark_target_draws_phantoms_with_a_target_darker_than_its_tissue():
    from promptonce_models import phantom

    def dark(seed):
        p = phantom.generate(64, 64, 8, seed, slices=[]).params
        return p["target"] < p["tissue"]

    assert T.is_dark_target(T.dark_seed(micro_schedule(), 0, 0))
    off, on = micro_schedule(), micro_schedule(p_dark_target=1.0)
    plain = [x.seed for step in range(3) for x in T.make_batch(MICRO, off, step)]
    drawn = [x.seed for step in range(3) for x in T.make_batch(MICRO, on, step)]
    assert not all(dark(s) for s in plain)  # about a third of the generator's targets are dark
    assert all(dark(s) for s in drawn) and all(s >= T.TRAIN_SEED_BASE for s in drawn)
    assert not set(drawn) & set(plain)  # the dark candidates are their own seeds
    # each batch slot has its own candidates, so two slots never draw the same phantom
    firsts = {T.dark_seed(on, step, b) for step in range(4) for b in range(16)}
    assert len(firsts) == 64


def test_p_click_weighs_single_clicks_against_the_other_prompt_kinds():
    label = torch.zeros(64, 64)
    label[20:30, 20:30] = 1
    distr = torch.zeros(64, 64)

    def kinds(s, allow_mask):
        rng = random.Random(0)
        return [T.make_prompt(label, distr, s, rng, allow_mask).kind for _ in range(2000)]

    default, clicks = kinds(micro_schedule(), True), kinds(micro_schedule(p_click=1.0), True)
    # shares are weight / sum: 0.35 / 1.0 by default, 1.0 / 1.65 with --p-click 1.0
    assert abs(default.count("click") / 2000 - 0.35) < 0.04
    assert abs(clicks.count("click") / 2000 - 1.0 / 1.65) < 0.04
    assert set(clicks) == {"click", "box", "click_neg", "mask"}
    no_mask = kinds(micro_schedule(p_click=1.0), False)  # the image phase has no mask prompts
    assert "mask" not in no_mask and abs(no_mask.count("click") / 2000 - 1.0 / 1.45) < 0.04
    assert "p_click" in T.SCHEDULE_OPTIONS  # set by --p-click, and changeable on --resume


def test_protocol_evaluation_applies_the_object_score_floor():
    t = T.Trainer(micro_schedule(), None, threads=1, cfg=MICRO)
    plain = T.evaluate_protocol(t.parts, fast=True, baseline=False, seeds=[1000])[0]
    # a floor above any score empties every slice: no Dice, every absent slice empty, every slice clean
    high = T.evaluate_protocol(t.parts, fast=True, baseline=False, seeds=[1000], min_object_score=1e9)[0]
    assert plain["slices"] == high["slices"] == 16 and high["absent_slices"] >= 1
    assert high["dice3d"] == 0.0 and high["absent_empty"] == high["absent_slices"]
    assert high["clean_slices"] == high["raw_clean_slices"] == 16
    low = T.evaluate_protocol(t.parts, fast=True, baseline=False, seeds=[1000], min_object_score=-1e9)[0]
    same = [k for k in plain if k != "s_per_slice"]
    assert [low[k] for k in same] == [plain[k] for k in same]


def test_eval_only_refuses_a_floor_that_is_not_a_finite_number(capsys):
    for bad in ("nan", "inf"):
        assert T.main(["--eval-only", "unused.pt", "--protocol", "fast", "--min-object-score", bad]) == 2
        assert f"--min-object-score {bad} is not a finite number" in capsys.readouterr().err
