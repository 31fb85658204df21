"""The held-out protocol's rules (promptonce_models/protocol.py), on hand-made masks; the Java side
(HeldOutProtocolTest) checks the same cases."""
import pytest
import torch

from promptonce_models import protocol


def mask(w, h, *xy):
    m = torch.zeros(h, w, dtype=torch.bool)
    for i in range(0, len(xy), 2):
        m[xy[i + 1], xy[i]] = True
    return m


def test_cases_cycle_sizes_and_slices():
    cases = protocol.cases()
    assert len(cases) == 100 and cases[0].seed == 1000 and cases[-1].seed == 1099
    assert len({(c.size, c.slices) for c in cases}) == 20
    assert protocol.case(1003) == protocol.Case(1003, 128, 32)
    assert protocol.case(1007) == protocol.Case(1007, 384, 16)
    assert all((c.size, c.slices) == protocol.FAST_SIZE for c in protocol.cases(fast=True))
    assert len(protocol.cases(fast=True)) == 20


def test_speck_rule():
    truth = mask(8, 8, 3, 3, 4, 3)
    assert protocol.clean_slice(torch.zeros(8, 8, dtype=torch.bool), truth)
    assert protocol.clean_slice(mask(8, 8, 3, 3, 4, 4), truth)
    assert protocol.clean_slice(mask(8, 8, 5, 4), truth)  # 8-adjacent to the target
    assert not protocol.clean_slice(mask(8, 8, 3, 3, 7, 7), truth)  # a second component
    assert not protocol.clean_slice(mask(8, 8, 0, 7, 1, 7), truth)  # away from the target
    assert not protocol.clean_slice(mask(8, 8, 0, 0), torch.zeros(8, 8, dtype=torch.bool))
    assert protocol.clean_slice(mask(8, 8, 3, 3, 4, 4, 5, 5), truth)  # diagonal: one component


def test_percentile_and_summary():
    v = [0.5, 0.1, 0.9, 0.3, 0.7]
    assert abs(protocol.percentile(v, 50) - 0.5) < 1e-12
    assert abs(protocol.percentile(v, 10) - 0.18) < 1e-12
    rows = [{"seed": 1000 + i, "dice3d": d, "absent_slices": 2, "absent_empty": 2, "slices": 10,
             "clean_slices": 10, "baseline_dice3d": 0.9} for i, d in enumerate(v)]
    s = protocol.summary(rows)
    assert s["worst_seed"] == 1001 and s["absent_empty"] == 1.0 and s["clean_slices"] == 1.0
    bad = protocol.failures(s)
    assert any("mean" in b for b in bad) and any("10th percentile" in b for b in bad)
    assert any("baseline" in b for b in bad)
    good = [dict(r, dice3d=0.95) for r in rows]
    assert protocol.failures(protocol.summary(good)) == []


def test_mask_prompt_as_prompts_from_mask():
    # a ring: the centroid falls in the hole, so the click moves to the nearest pixel of the ring, and the box
    # centre is background, so a negative click goes there
    ring = torch.zeros(9, 9, dtype=torch.bool)
    ring[2:7, 2:7] = True
    ring[3:6, 3:6] = False
    clicks, box = protocol.mask_prompt(ring)
    assert box == (2.0, 2.0, 7.0, 7.0)
    assert len(clicks) == 2 and clicks[0][2] == 1 and clicks[1] == (4.5, 4.5, 0)
    x, y, _ = clicks[0]
    assert ring[int(y), int(x)]
    # two blobs: one positive click each, centred
    two = mask(10, 4, 1, 1, 8, 2)
    clicks, box = protocol.mask_prompt(two)
    assert [c[:2] for c in clicks[:2]] == [(1.5, 1.5), (8.5, 2.5)]


def test_largest_component_3d_keeps_the_biggest_26_connected_body():
    m = torch.zeros(3, 6, 6, dtype=torch.bool)
    m[0, 0, 0] = m[1, 1, 1] = m[2, 2, 2] = True  # diagonal through the slices: one body of 3
    m[0, 5, 5] = m[0, 5, 4] = True  # a speck of 2
    out = protocol.largest_component_3d(m)
    assert out.sum() == 3 and bool(out[2, 2, 2]) and not bool(out[0, 5, 5])
    assert not protocol.largest_component_3d(torch.zeros(2, 4, 4, dtype=torch.bool)).any()


def test_largest_component_per_slice_keeps_one_region_in_each_slice():
    m = torch.zeros(3, 5, 6, dtype=torch.bool)
    m[0, 0, 0] = m[0, 1, 1] = True  # two pixels linked through the diagonal
    m[0, 4, 0:4] = True  # the largest region of slice 0
    m[1, 0, 0:2] = True
    m[1, 3, 3:5] = True  # as large as the first: the first in row-major order stays
    out = protocol.largest_component_per_slice(m)
    expected = torch.zeros_like(m)
    expected[0, 4, 0:4] = True
    expected[1, 0, 0:2] = True
    assert torch.equal(out, expected)
    assert not protocol.largest_component_per_slice(torch.zeros(2, 4, 4, dtype=torch.bool)).any()


def test_postprocess_is_the_3d_component_then_each_slices_largest_region():
    m = torch.zeros(2, 6, 6, dtype=torch.bool)
    m[0, 0:3, 0:3] = True  # the body: 9 + 9 voxels through the two slices
    m[1, 0:3, 0:3] = True
    m[1, 4, 4] = True  # a speck, apart from the body within slice 1
    m[0, 3, 3] = True  # diagonal to the body in slice 0 and to the speck in slice 1: one 3-D body of 20
    assert int(protocol.largest_component_3d(m).sum()) == 20
    out = protocol.postprocess(m)
    assert int(out.sum()) == 19 and not bool(out[1, 4, 4]) and bool(out[0, 3, 3])
    summary = protocol.summary([{"seed": 1, "dice3d": 1.0, "absent_slices": 0, "absent_empty": 0, "slices": 2,
                                 "clean_slices": 2, "raw_clean_slices": 1, "clean_slices_3d_only": 1}])
    assert summary["raw_clean_slices"] == 0.5 and summary["clean_slices_3d_only"] == 0.5


def test_a_floor_empties_the_slices_scored_below_it_before_the_components():
    m = torch.zeros(4, 5, 5, dtype=torch.bool)
    m[:, 1:4, 1:4] = True  # one body through all four slices
    scores = torch.tensor([0.5, 3.0, 2.0, 2.5])
    kept = protocol.below_floor_emptied(m, scores, 2.5)
    assert [bool(kept[k].any()) for k in range(4)] == [False, True, False, True]
    assert torch.equal(kept[1], m[1]) and torch.equal(protocol.below_floor_emptied(m, scores, None), m)
    # the floor comes first: slice 2 emptied splits the body, so the 3-D step then keeps one part (slice 1,
    # the first found of two equal parts)
    out = protocol.postprocess(m, scores, 2.5)
    assert [bool(out[k].any()) for k in range(4)] == [False, True, False, False]
    assert torch.equal(protocol.postprocess(m), m)
    with pytest.raises(ValueError, match="object scores"):
        protocol.postprocess(m, None, 1.0)
    with pytest.raises(ValueError, match=r"\(3,\) for 4 slices"):
        protocol.below_floor_emptied(m, scores[:3], 1.0)
