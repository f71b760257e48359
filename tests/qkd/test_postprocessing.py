"""Tests for qlib.qkd.postprocessing: Cascade, verification, Toeplitz privacy amplification, budget."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.linalg import toeplitz

from qlib import (
    binary_entropy,
    cascade,
    cascade_block_sizes,
    distill_key,
    finite_key_length,
    key_budget,
    simulate_bb84,
    toeplitz_hash,
    toeplitz_matrix,
    verify_keys,
)


def noisy_pair(n, q, seed):
    """Alice's random key and Bob's copy with each bit flipped with probability q."""
    rng = np.random.default_rng(seed)
    alice = rng.integers(0, 2, n, dtype=np.uint8)
    bob = alice ^ (rng.random(n) < q).astype(np.uint8)
    return alice, bob


# --------------------------------------------------------------------------- #
# Cascade
# --------------------------------------------------------------------------- #
def test_block_size_schedules():
    # Brassard & Salvail (1993): k1 = ceil(0.73/Q), doubling, 4 passes
    assert cascade_block_sizes(0.02, 10**5, "original") == (37, 74, 148, 296)
    # Martinez-Mateo et al., QIC 15, 453 (2015): opt. (7) 2^ceil(log2 1/Q), x4, then n/2
    assert cascade_block_sizes(0.02, 10**5, "opt7") == (64, 256) + (50_000,) * 12
    # opt. (8): alpha = log2(1/Q) - 1/2, 2^ceil(alpha), 2^ceil((alpha+12)/2), 4096, then n/2
    assert cascade_block_sizes(0.05, 10**5) == (16, 256, 4096) + (50_000,) * 11
    assert cascade_block_sizes(0.02, 1000, passes=3) == (64, 512, 1000)  # never above n
    assert cascade_block_sizes(0.0, 10**6)[0] == 2**17  # Q = 0 treated as 1e-5


@pytest.mark.parametrize("qber", [0.01, 0.02, 0.04, 0.06, 0.08])
def test_cascade_corrects_many_random_keys(qber):
    efficiencies = []
    for seed in range(8):
        alice, bob = noisy_pair(20_000, qber, seed)
        result = cascade(alice, bob, qber, seed=100 + seed)
        assert result.residual_errors == 0, (qber, seed)
        assert np.array_equal(result.corrected, alice)
        assert result.errors_before == np.count_nonzero(alice != bob)
        # Bob flipped each wrong bit (possibly a right one and back again, in pairs)
        assert result.errors_corrected >= result.errors_before
        assert (result.errors_corrected - result.errors_before) % 2 == 0
        efficiencies.append(result.efficiency)
    # the Shannon limit f = 1 cannot be beaten on average; opt. (8) reaches f of about 1.05
    # at these sizes (Martinez-Mateo et al. 2015 report 1.03-1.1 for optimised Cascade)
    assert 1.0 < np.mean(efficiencies) < 1.15, efficiencies


def test_cascade_leakage_counts_and_efficiency_definition():
    alice, bob = noisy_pair(50_000, 0.03, 3)
    result = cascade(alice, bob, 0.03, seed=4)
    q = np.count_nonzero(alice != bob) / alice.size
    assert_allclose(result.qber, q)
    assert_allclose(result.efficiency, result.leaked_bits / (alice.size * binary_entropy(q)), rtol=1e-12)
    # at least the block parities of every pass are disclosed
    assert result.leaked_bits >= sum(math.ceil(alice.size / k) for k in result.block_sizes)


def test_original_cascade_is_less_efficient_but_still_corrects():
    alice, bob = noisy_pair(50_000, 0.02, 5)
    orig = cascade(alice, bob, 0.02, schedule="original", seed=6)
    opt = cascade(alice, bob, 0.02, seed=6)
    assert opt.success
    assert opt.efficiency < orig.efficiency < 1.3


def test_cascade_identical_keys_and_explicit_blocks():
    alice, _ = noisy_pair(1000, 0.0, 1)
    result = cascade(alice, alice.copy(), 0.0, seed=1)
    assert result.errors_corrected == 0 and result.success and math.isinf(result.efficiency)
    alice2, bob2 = noisy_pair(4000, 0.05, 2)
    result = cascade(alice2, bob2, 0.05, block_sizes=[10, 20, 40, 80, 2000, 2000], seed=3)
    assert result.block_sizes == (10, 20, 40, 80, 2000, 2000) and result.success


def test_cascade_same_seed_same_disclosure():
    alice, bob = noisy_pair(10_000, 0.03, 8)
    r1, r2 = cascade(alice, bob, 0.03, seed=9), cascade(alice, bob, 0.03, seed=9)
    assert r1.leaked_bits == r2.leaked_bits and np.array_equal(r1.corrected, r2.corrected)


def test_cascade_with_a_wrong_estimate_can_leave_errors_and_verification_catches_them():
    # a badly underestimated QBER (0.1 %) with one pass of huge blocks misses errors
    alice, bob = noisy_pair(5000, 0.08, 10)
    result = cascade(alice, bob, 0.001, passes=1, seed=11)
    assert result.residual_errors > 0 and not result.success
    assert not verify_keys(alice, result.corrected, seed=12).match


# --------------------------------------------------------------------------- #
# Verification
# --------------------------------------------------------------------------- #
def test_verification_detects_a_single_flipped_bit():
    alice, _ = noisy_pair(10_000, 0.0, 13)
    for pos in (0, 4999, 9999):
        bob = alice.copy()
        bob[pos] ^= 1
        v = verify_keys(alice, bob, seed=pos)
        assert not v.match and v.alice_tag != v.bob_tag
    v = verify_keys(alice, alice.copy(), tag_bits=128, seed=1)
    assert v.match and len(v.alice_tag) == 16 and v.collision_probability == 2.0**-128


def test_verification_tags_are_keyed():
    alice, _ = noisy_pair(1000, 0.0, 14)
    assert verify_keys(alice, alice, seed=1).alice_tag != verify_keys(alice, alice, seed=2).alice_tag
    assert verify_keys(alice, alice, seed=1).alice_tag == verify_keys(alice, alice, seed=1).alice_tag


# --------------------------------------------------------------------------- #
# Privacy amplification
# --------------------------------------------------------------------------- #
def test_toeplitz_matrix_is_toeplitz_and_matches_the_hash():
    for n, m, seed in [(8, 5, 1), (20, 20, 2), (33, 7, 3), (1, 1, 4)]:
        t = toeplitz_matrix(n, m, seed=seed)
        assert t.shape == (m, n)
        # constant along every diagonal: T[i+1, j+1] == T[i, j]
        assert np.array_equal(t[1:, 1:], t[:-1, :-1])
        # the same as scipy's toeplitz built from its first column and first row
        assert np.array_equal(t, toeplitz(t[:, 0], t[0, :]))
        rng = np.random.default_rng(seed)
        for _ in range(5):
            x = rng.integers(0, 2, n, dtype=np.uint8)
            assert np.array_equal(toeplitz_hash(x, m, seed=seed), t.astype(int) @ x % 2)


def test_toeplitz_hash_length_determinism_and_avalanche():
    rng = np.random.default_rng(15)
    x = rng.integers(0, 2, 200_000, dtype=np.uint8)
    y = toeplitz_hash(x, 150_000, seed=16)
    assert y.size == 150_000 and y.dtype == np.uint8
    assert np.array_equal(y, toeplitz_hash(x, 150_000, seed=16))
    assert not np.array_equal(y, toeplitz_hash(x, 150_000, seed=17))
    for pos in (0, 100_000, 199_999):
        x2 = x.copy()
        x2[pos] ^= 1
        changed = np.count_nonzero(toeplitz_hash(x2, 150_000, seed=16) != y)
        # a changed input bit flips output bit i iff t[i - pos + n - 1] = 1: Binomial(m, 1/2)
        assert abs(changed - 75_000) < 5 * math.sqrt(150_000 / 4), changed
    # balanced output on the uniform input
    assert abs(y.mean() - 0.5) < 5 * math.sqrt(0.25 / y.size)
    # and on a biased input (P(1) = 0.1): each output bit is the parity of about n/2 input
    # bits, whose bias (1 - 2p)^(n/2) is negligible, so the output is still balanced
    biased = (rng.random(200_000) < 0.1).astype(np.uint8)
    assert abs(biased.mean() - 0.1) < 0.01
    yb = toeplitz_hash(biased, 150_000, seed=16)
    assert abs(yb.mean() - 0.5) < 5 * math.sqrt(0.25 / yb.size)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), data=st.data())
def test_toeplitz_hash_is_linear(n, data):
    m = data.draw(st.integers(0, n))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x1, x2 = rng.integers(0, 2, (2, n), dtype=np.uint8)
    lhs = toeplitz_hash(x1 ^ x2, m, seed=seed)
    assert np.array_equal(lhs, toeplitz_hash(x1, m, seed=seed) ^ toeplitz_hash(x2, m, seed=seed))


# --------------------------------------------------------------------------- #
# Budget and pipeline
# --------------------------------------------------------------------------- #
def test_key_budget_uses_finite_key_length():
    b = key_budget(10**7, 2 * 10**5, 10**5, 10**4, 0.02, 13_000)
    assert b.key_bits == 90_000
    expected = math.floor(finite_key_length(90_000, 10_000, 0.02, leak_ec=13_000))
    assert b.final_length == expected > 0
    assert_allclose(b.privacy_amplification, 90_000 - 13_000 - expected)
    assert [r[1] for r in b.rows()] == [10**7, 2 * 10**5, 10**5, 90_000, 77_000, expected]
    # too high an error rate: nothing
    assert key_budget(10**7, 2 * 10**5, 10**5, 10**4, 0.12, 50_000).final_length == 0


def test_distill_key_end_to_end():
    run = simulate_bb84(600_000, transmittance=0.5, detector_efficiency=0.8,
                        dark_count_probability=1e-5, depolarizing=0.04, seed=18)
    out = distill_key(run, seed=19)
    assert out.aborted is None and out.keys_agree
    assert out.reconciliation.success and out.verification.match
    assert out.alice_key.size == out.budget.final_length > 0
    # the leakage is Cascade's parities plus the 64-bit tag's excess over the log2(1/eps_cor)
    # bits of Tomamichel et al., Nat. Commun. 3, 634 (2012): 64 - 15 log2(10) = 14.17 bits
    assert_allclose(out.budget.leak_ec - out.reconciliation.leaked_bits, 64 - 15 * math.log2(10), rtol=1e-12)
    assert_allclose(64 - 15 * math.log2(10), 14.1711, atol=1e-4)
    assert out.budget.final_length == math.floor(finite_key_length(
        int(out.budget.key_bits), int(out.budget.sample), out.budget.qber_estimate,
        leak_ec=out.reconciliation.leaked_bits + 14.171079, eps_sec=1e-10, eps_cor=1e-15))
    assert out.budget.sifted == run.counts["sifted"] and out.budget.sample == run.sample_size
    # the final key is not the raw key: balanced, and seeded
    n_final = out.alice_key.size
    assert abs(out.alice_key.mean() - 0.5) < 5 * math.sqrt(0.25 / n_final)
    assert not np.array_equal(out.alice_key, run.alice_key[:n_final])
    again = distill_key(run, seed=19)
    assert np.array_equal(again.alice_key, out.alice_key)
    assert not np.array_equal(distill_key(run, seed=20).alice_key[:1000], out.alice_key[:1000])


def test_distill_key_tag_length_changes_the_key_length():
    run = simulate_bb84(300_000, depolarizing=0.04, seed=22)
    b64 = distill_key(run, seed=23).budget
    b128 = distill_key(run, tag_bits=128, seed=23).budget
    # same Cascade (same seed), 64 more disclosed tag bits: the key is 64 bits shorter
    assert b128.leak_ec - b64.leak_ec == 64
    assert b64.final_length - b128.final_length in (63, 64, 65)
    # a 56-bit tag is enough for eps_cor = 1e-15 (log2(1e15) = 49.8), a 48-bit one is not
    assert distill_key(run, tag_bits=56, seed=23).keys_agree


def test_distill_key_aborts_under_full_intercept_resend():
    run = simulate_bb84(200_000, eavesdropper="intercept-resend", seed=20)
    out = distill_key(run, seed=21)
    assert out.aborted and "QBER" in out.aborted and out.alice_key.size == 0
    assert out.budget.final_length == 0 and out.reconciliation is None


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #
def test_bad_input():
    a, b = noisy_pair(100, 0.05, 1)
    with pytest.raises(ValueError, match=r"alice_key and bob_key must have the same length, got 100 and 99"):
        cascade(a, b[:99], 0.05)
    with pytest.raises(ValueError, match=r"qber must be in \[0, 0.5\], got 0.7"):
        cascade(a, b, 0.7)
    with pytest.raises(ValueError, match=r"qber must be in \[0, 0.5\], got -0.1"):
        cascade(a, b, -0.1)
    with pytest.raises(ValueError, match=r"at least 2 bits"):
        cascade(a[:1], b[:1], 0.05)
    with pytest.raises(ValueError, match=r"bob_key must hold only bits 0 and 1, got 3"):
        cascade(a, np.full(100, 3), 0.05)
    with pytest.raises(ValueError, match=r"schedule must be one of 'original', 'opt7', 'opt8', got 'fast'"):
        cascade(a, b, 0.05, schedule="fast")
    with pytest.raises(ValueError, match=r"block_sizes\[i\] must be an integer >= 1, got 0"):
        cascade(a, b, 0.05, block_sizes=[10, 0])
    with pytest.raises(ValueError, match=r"alice_key and bob_key must have the same length"):
        verify_keys(a, b[:50])
    with pytest.raises(ValueError, match=r"tag_bits must be a multiple of 8 in \[8, 512\], got 12"):
        verify_keys(a, b, tag_bits=12)
    with pytest.raises(ValueError, match=r"output_length must be in \[0, 100\] \(the input length\), got 101"):
        toeplitz_hash(a, 101)
    with pytest.raises(ValueError, match=r"key must hold at least 1 bit"):
        toeplitz_hash([], 0)
    with pytest.raises(TypeError, match=r"output_length must be an integer, got 5.5"):
        toeplitz_hash(a, 5.5)
    with pytest.raises(ValueError, match=r"qber_estimate must be in \[0, 0.5\], got 0.6"):
        key_budget(1000, 500, 250, 25, 0.6, 0)
    with pytest.raises(ValueError, match=r"sample must be in \[1, sifted\).*too short to estimate"):
        key_budget(1000, 500, 250, 0, 0.02, 0)
    with pytest.raises(ValueError, match=r"pulses >= detected >= sifted"):
        key_budget(100, 500, 250, 25, 0.02, 0)
    with pytest.raises(ValueError, match=r"leak_ec must be >= 0, got -1.0"):
        key_budget(1000, 500, 250, 25, 0.02, -1)
    with pytest.raises(TypeError, match=r"run must be a qlib.PrepareMeasureRun"):
        distill_key((a, b))
    with pytest.raises(ValueError, match=r"block_sizes\[1\] must be in \[1, 100\] \(the key length\), got 101"):
        cascade(a, b, 0.05, block_sizes=[10, 101])
    run = simulate_bb84(2000, seed=2)
    with pytest.raises(ValueError, match=r"tag_bits must be >= log2\(1/eps_cor\) = 49.8 .*got 48"):
        distill_key(run, tag_bits=48)
    with pytest.raises(ValueError, match=r"tag_bits must be >= log2\(1/eps_cor\) = 66.4 .*got 64"):
        distill_key(run, eps_cor=1e-20)
    with pytest.raises(ValueError, match=r"eps_cor must be in \(0, 1\), got 0.0"):
        distill_key(run, eps_cor=0.0)
    tiny = simulate_bb84(4, seed=1)
    with pytest.raises(ValueError, match=r"too short to estimate"):
        distill_key(tiny)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 3000), q=st.floats(0.0, 0.15), seed=st.integers(0, 2**32 - 1))
def test_cascade_sees_only_the_error_pattern(n, q, seed):
    """Cascade's disclosures depend on the keys only through their difference: masking both
    keys with the same random string changes nothing but the mask (a property of parities)."""
    alice, bob = noisy_pair(n, q, seed)
    mask = np.random.default_rng(seed + 1).integers(0, 2, n, dtype=np.uint8)
    r1 = cascade(alice, bob, max(q, 0.01), seed=seed % 1000)
    r2 = cascade(alice ^ mask, bob ^ mask, max(q, 0.01), seed=seed % 1000)
    assert r1.leaked_bits == r2.leaked_bits
    assert np.array_equal(r1.corrected ^ mask, r2.corrected)
    assert r1.residual_errors == np.count_nonzero(r1.corrected != alice)
    assert r1.leaked_bits >= sum(math.ceil(n / k) for k in r1.block_sizes)
