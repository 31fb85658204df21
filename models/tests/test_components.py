"""Behaviour of the components beyond the shapes: the official rules the host relies on."""
import copy

import pytest
import torch

from promptonce_models import checkpoint, configs
from promptonce_models.mask_decoder import stability_scores

E = 8  # test-tiny embedding size
S = 128


@pytest.fixture(scope="module")
def comps(tiny_sam2):
    return {k: torch.jit.script(v) for k, v in tiny_sam2.components().items()}


@pytest.fixture(scope="module")
def feats(comps):
    g = torch.Generator().manual_seed(11)
    return comps["image_encoder"](torch.randn(1, 3, S, S, generator=g))


def pts(*xy_label):
    c = torch.tensor([[[x, y] for x, y, _ in xy_label]], dtype=torch.float32).reshape(1, len(xy_label), 2)
    lab = torch.tensor([[lab for _, _, lab in xy_label]], dtype=torch.int32).reshape(1, len(xy_label))
    return c, lab


@torch.no_grad()
def test_memory_attention_bf16_memories_equal_rounded_fp32(comps, feats):
    _, _, l2 = feats
    g = torch.Generator().manual_seed(1)
    mem = torch.randn(1, 8, E, E, generator=g)
    ptr = torch.randn(1, 32, generator=g)
    att = comps["memory_attention"]
    a = att(l2, [mem.to(torch.bfloat16)], [0], [ptr], [0], 5)
    b = att(l2, [mem.to(torch.bfloat16).float()], [0], [ptr], [0], 5)
    assert torch.equal(a, b)


@torch.no_grad()
def test_memory_attention_variable_counts_and_order(comps, feats):
    _, _, l2 = feats
    g = torch.Generator().manual_seed(2)
    mems = [torch.randn(1, 8, E, E, generator=g) for _ in range(4)]
    ptrs = [torch.randn(1, 32, generator=g) for _ in range(5)]
    att = comps["memory_attention"]
    outs = [att(l2, mems[:n], list(range(n)), ptrs[:p], list(range(p)), 16) for n, p in [(1, 0), (4, 5), (0, 2)]]
    assert all(o.shape == l2.shape and torch.isfinite(o).all() for o in outs)
    assert not torch.equal(outs[0], outs[1])
    # temporal positions matter (maskmem_tpos_enc, pointer distances), so does the video length normaliser
    assert not torch.equal(att(l2, mems[:1], [0], [], [], 16), att(l2, mems[:1], [3], [], [], 16))
    assert not torch.equal(att(l2, mems[:1], [0], ptrs[:1], [1], 16), att(l2, mems[:1], [0], ptrs[:1], [2], 16))
    assert not torch.equal(att(l2, mems[:1], [0], ptrs[:1], [1], 16), att(l2, mems[:1], [0], ptrs[:1], [1], 8))
    # no_memory is the plain no-mem embedding
    nm = comps["memory_attention"].no_memory(l2)
    torch.testing.assert_close(nm - l2, (nm - l2)[:, :, :1, :1].expand_as(l2), rtol=0, atol=1e-6)


def test_memory_attention_errors(comps, feats):
    _, _, l2 = feats
    att = comps["memory_attention"]
    mem = torch.zeros(1, 8, E, E)
    ptr = torch.zeros(1, 32)
    cases = [
        (lambda: att(l2, [mem], [], [], [], 4), "1 memories but 0 memory_tpos"),
        (lambda: att(l2, [], [], [ptr], [1, 2], 4), "1 obj_ptrs but 2 obj_ptr_tpos"),
        (lambda: att(l2, [], [], [], [], 4), "no memories and no object pointers"),
        (lambda: att(l2, [mem], [7], [], [], 4), "memory_tpos 7 outside"),
        (lambda: att(l2, [], [], [ptr], [0], 1), "num_frames must be >= 2"),
        (lambda: att(l2, [torch.zeros(1, 8, 4, 4)], [0], [], [], 4), "expected memory"),
        (lambda: att(l2[:, :, :4], [mem], [0], [], [], 4), "expected vision_features"),
    ]
    for fn, msg in cases:
        with pytest.raises(Exception, match=msg):
            fn()


@torch.no_grad()
def test_memory_encoder_no_object_embedding(tiny_sam2, comps, feats):
    _, _, l2 = feats
    low = torch.randn(1, 1, 4 * E, 4 * E, generator=torch.Generator().manual_seed(3))
    enc = comps["memory_encoder"]
    present = enc(l2, low, torch.tensor([[0.5]]), False)
    absent = enc(l2, low, torch.tensor([[0.0]]), False)  # score <= 0 counts as absent
    emb = tiny_sam2.no_obj_embed_spatial.reshape(1, -1, 1, 1)
    torch.testing.assert_close(absent - present, emb.expand_as(present), rtol=0, atol=1e-6)
    # binarised masks differ from sigmoid ones, and the 4E logits equal their bilinear upsampling
    assert not torch.equal(enc(l2, low, torch.tensor([[1.0]]), True), present)
    up = torch.nn.functional.interpolate(low, size=(S, S), mode="bilinear", align_corners=False)
    assert torch.equal(enc(l2, up, torch.tensor([[0.5]]), False), present)


@torch.no_grad()
def test_sam20_memory_encoder_has_no_object_embedding():
    cfg = configs.shrink(configs.get_config("sam2_hiera_t"))
    enc = torch.jit.script(checkpoint.random_model(cfg, 0).components()["memory_encoder"])
    e = cfg.embedding_size
    l2, low = torch.randn(1, cfg.d_model, e, e), torch.randn(1, 1, 4 * e, 4 * e)
    assert torch.equal(enc(l2, low, torch.tensor([[1.0]]), False), enc(l2, low, torch.tensor([[-1.0]]), False))


@torch.no_grad()
def test_track_rules(tiny_sam2, feats):
    s0, s1, l2 = feats
    m = copy.deepcopy(tiny_sam2)
    dec = torch.jit.script(m.components()["mask_decoder"])
    c, lab = pts((40.0, 50.0, 1))
    multi, ious, low, high, ptr, score = dec.track(l2, s0, s1, c, lab, None, True, True)
    best = int(torch.argmax(ious[0]))
    assert torch.equal(low[0, 0], multi[0, best])
    torch.testing.assert_close(high, torch.nn.functional.interpolate(low, size=(S, S), mode="bilinear",
                                                                     align_corners=False))
    # the object-score head decides presence: absent -> all logits -1024 and the pointer is no_obj_ptr
    with torch.no_grad():
        m.sam_mask_decoder.pred_obj_score_head.layers[2].bias.fill_(-1e4)
    dec = torch.jit.script(m.components()["mask_decoder"])
    multi, ious, low, high, ptr, score = dec.track(l2, s0, s1, c, lab, None, True, True)
    assert score.item() < 0 and (multi == -1024.0).all() and (high == -1024.0).all()
    torch.testing.assert_close(ptr, m.no_obj_ptr)


@torch.no_grad()
def test_stability_fallback_matches_its_definition(comps, feats):
    s0, s1, l2 = feats
    dec = comps["mask_decoder"]
    feat = comps["memory_attention"].no_memory(l2)
    c, lab = pts((40.0, 50.0, 1), (90.0, 20.0, 0))
    empty = torch.zeros(1, 0, 2), torch.zeros(1, 0, dtype=torch.int32)
    for cc, ll in [(c, lab), empty]:
        multi, miou, _, _ = dec(feat, s0, s1, cc, ll, None, True, False)
        single, siou, stok, _ = dec(feat, s0, s1, cc, ll, None, False, False)
        chosen, ciou, ctok, _ = dec(feat, s0, s1, cc, ll, None, False, True)
        stable = stability_scores(single, 0.05).item() >= 0.98
        exp = single if stable else multi[:, int(torch.argmax(miou[0])): int(torch.argmax(miou[0])) + 1]
        assert torch.equal(chosen, exp)
        assert torch.equal(ctok, stok)  # the pointer token is token 0 whenever not multimask


@torch.no_grad()
def test_mask_as_output(tiny_sam2, comps, feats):
    s0, s1, l2 = feats
    mask = torch.zeros(1, 1, S, S)
    mask[..., 30:70, 40:90] = 1
    low, ious, low2, high, ptr, score = comps["mask_decoder"].mask_as_output(l2, s0, s1, mask)
    assert torch.equal(high, mask * 20 - 10) and low.shape == (1, 1, S // 4, S // 4) and torch.equal(low, low2)
    assert score.item() == 10.0 and ious.item() == 1.0
    _, _, _, _, ptr0, score0 = comps["mask_decoder"].mask_as_output(l2, s0, s1, torch.zeros_like(mask))
    assert score0.item() == -10.0
    torch.testing.assert_close(ptr0, tiny_sam2.no_obj_ptr)  # an empty mask gives the no-object pointer


@torch.no_grad()
def test_batched_prompts_match_single_runs(comps, feats):
    s0, s1, l2 = feats
    dec = comps["mask_decoder"]
    c = torch.tensor([[[40.0, 50.0]], [[90.0, 20.0]]])
    lab = torch.ones(2, 1, dtype=torch.int32)
    batched = dec(l2, s0, s1, c, lab, None, True, True)  # image batch 1, two prompts
    for i in range(2):
        single = dec(l2, s0, s1, c[i:i + 1], lab[i:i + 1], None, True, True)
        for a, b in zip(batched, single):
            torch.testing.assert_close(a[i:i + 1], b, rtol=0, atol=1e-5)


@torch.no_grad()
def test_sam_prompt_rules(tiny_sam):
    dec = torch.jit.script(tiny_sam.components()["mask_decoder"])
    emb = torch.randn(1, 32, E, E, generator=torch.Generator().manual_seed(4))
    c, lab = pts((40.0, 50.0, 1))
    box = torch.tensor([[20.0, 30.0, 90.0, 100.0]])
    none_c, none_l = torch.zeros(1, 0, 2), torch.zeros(1, 0, dtype=torch.int32)
    m1, i1 = dec(emb, c, lab, None, None, True)
    assert m1.shape == (1, 3, 4 * E, 4 * E)
    # a box is embedded after the points as two corner tokens and suppresses the padding point; the same corners
    # passed as points labelled 2, 3 get a padding point appended, which changes the output
    m2, _ = dec(emb, c, lab, box, None, False)
    corners = torch.cat([c, box.reshape(1, 2, 2)], 1)
    m3, _ = dec(emb, corners, torch.tensor([[1, 2, 3]], dtype=torch.int32), None, None, False)
    assert not torch.equal(m2, m3)  # m3 has a padding point appended: the rule is visible in the output
    m4, _ = dec(emb, none_c, none_l, box, None, False)
    assert m4.shape == (1, 1, 4 * E, 4 * E)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
@torch.no_grad()
def test_exported_components_run_on_cuda(exported):
    """Nothing device-specific is baked in: the CPU exports load and run on a GPU with the same results."""
    import json
    import os
    from helpers import run
    for arch, d in exported.items():
        man = json.load(open(os.path.join(d, "manifest.json")))
        files = {n: os.path.join(d, c["file"]) for n, c in man["components"].items()}
        cpu = {n: torch.jit.load(f) for n, f in files.items()}
        gpu = {n: torch.jit.load(f, map_location="cuda") for n, f in files.items()}
        cfg = configs.get_config(arch)
        for a, b in zip(run(cpu, cfg), run(gpu, cfg, "cuda")):
            assert b.is_cuda
            torch.testing.assert_close(a, b.cpu(), rtol=1e-3, atol=1e-3)


@torch.no_grad()
@pytest.mark.parametrize("divide", [False, True])
def test_attention_in_query_blocks_equals_one_block(divide):
    """Blocks of query rows (any block size, a last partial block, heads, broadcast batch) give the one-block
    result up to the BLAS's rounding; scripted as exported."""
    from promptonce_models.common import attention
    g = torch.Generator().manual_seed(5)
    q = torch.randn(2, 3, 100, 16, generator=g)
    k = torch.randn(2, 3, 70, 16, generator=g)
    v = torch.randn(2, 3, 70, 8, generator=g)
    scripted = torch.jit.script(attention)
    whole = scripted(q, k, v, divide, 1 << 30)
    ref = torch.matmul(torch.softmax(q @ k.transpose(-2, -1) / 4.0, dim=-1), v)
    assert torch.allclose(whole, ref, atol=1e-6)
    for block in (1, 6 * 70 * 16, 6 * 70 * 40, 6 * 70 * 99):
        out = scripted(q, k, v, divide, block)
        assert out.shape == (2, 3, 100, 8)
        assert torch.allclose(out, whole, atol=1e-6), block


@torch.no_grad()
def test_cross_attention_over_narrow_values_equals_projecting_them_first():
    """Memory attention attends over the raw 8-channel (official: 64) memories and projects afterwards; the same
    as projecting the values to the head width first, as the official code does."""
    from promptonce_models.common import attention
    from promptonce_models.memory_attention import RoPEAttention, apply_rope, rope_cos_sin, rope_tables
    torch.manual_seed(0)
    att = RoPEAttention(32, 1, kv_in_dim=8).eval()
    assert att.narrow_values
    cos, sin = rope_tables(*rope_cos_sin(32, 4, 4, 10000.0))
    g = torch.Generator().manual_seed(2)
    q = torch.randn(1, 16, 32, generator=g)
    mem = torch.randn(1, 3 * 16 + 4, 8, generator=g)
    out = att.forward_rope(q, mem, mem, cos, sin, 4)
    qq = apply_rope(att.split(att.q_proj(q)), cos, sin)
    k = att.split(att.k_proj(mem))
    k = torch.cat([apply_rope(k[:, :, :48], cos, sin), k[:, :, 48:]], dim=2)
    ref = att.out_proj(att.merge(attention(qq, k, att.split(att.v_proj(mem)))))
    assert torch.allclose(out, ref, atol=1e-5)


def test_rope_tables_rotate_pairs_as_complex_multiplication():
    """apply_rope(x) == x * e^(i angle) per consecutive pair, with the official rounding (a cos - c sin,
    c cos + a sin), bit for bit; repeated over memory frames."""
    from promptonce_models.memory_attention import apply_rope, rope_cos_sin, rope_tables
    cos, sin = rope_cos_sin(16, 4, 2, 10000.0)
    x = torch.randn(1, 2, 3 * 8, 16, generator=torch.Generator().manual_seed(3))
    out = apply_rope(x, *rope_tables(cos, sin))
    a, c = x.reshape(1, 2, 3, 8, 8, 2)[..., 0], x.reshape(1, 2, 3, 8, 8, 2)[..., 1]
    ref = torch.stack([a * cos - c * sin, a * sin + c * cos], dim=-1).reshape(1, 2, 24, 16)
    assert torch.equal(out, ref)
