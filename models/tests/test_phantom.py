"""phantom.py: the PRNG, determinism, slice subsets, and the properties PHANTOMS.md promises."""
import torch

from promptonce_models import phantom as P


def test_splitmix64_reference_values_and_vectorised_stream():
    r = P.SplitMix64(0)
    assert [r.next_long() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    for seed in (0, 1, -5, (1 << 63) + 7, 123456789):
        g = P.SplitMix64(seed)
        assert [g.next_double() for _ in range(40)] == P.stream_doubles(seed, torch.arange(40)).tolist()


def test_deterministic_and_slices_match_the_full_volume():
    a = P.generate(64, 48, 10, seed=5)
    b = P.generate(64, 48, 10, seed=5)
    assert torch.equal(a.volume, b.volume) and torch.equal(a.label, b.label)
    part = P.generate(64, 48, 10, seed=5, slices=[7, 2])
    assert torch.equal(part.volume, a.volume[[7, 2]]) and torch.equal(part.label, a.label[[7, 2]])
    assert not torch.equal(P.generate(64, 48, 10, seed=6).volume, a.volume)


def test_forcing_the_kind_keeps_the_geometry():
    ct = P.generate(64, 64, 8, seed=3, modality="ct")
    mr = P.generate(64, 64, 8, seed=3, modality="mr")
    assert ct.modality == "ct" and mr.modality == "mr"
    assert torch.equal(ct.label, mr.label)
    assert ct.volume.min() < -900 and mr.volume.min() >= 0


def test_target_inside_distractors_apart_click_on_target():
    for seed in (1, 2, 3, 100, 1_000_000):
        p = P.generate(128, 128, 16, seed)
        present = [k for k in range(16) if p.label[k].any()]
        assert present[0] >= 1 and present[-1] <= 14 and present == list(range(present[0], present[-1] + 1))
        assert p.distractors.any() and not (p.label.bool() & p.distractors.bool()).any()
        x, y, k = P.prompt_point(p.label)
        assert p.label[k, y, x] == 1 and k == (present[0] + present[-1]) // 2


def test_refusals():
    import pytest
    with pytest.raises(ValueError):
        P.generate(16, 64, 8, 1)
    with pytest.raises(ValueError):
        P.generate(64, 64, 4, 1)
    with pytest.raises(ValueError):
        P.generate(64, 64, 8, 1, shape="cube")
