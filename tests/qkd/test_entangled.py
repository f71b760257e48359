"""Tests for qlib.qkd.entangled: E91 and BBM92 sampled from a shared two-qubit state.

Monte Carlo results are compared with the closed forms within a stated number
of standard errors (4σ: a false alarm once in ~16,000 runs), all with fixed seeds.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from _qkd_reference import within
from qlib import (
    E91_ALICE_ANGLES,
    E91_BOB_ANGLES,
    bell_state,
    chsh_expectation,
    chsh_value,
    correlation,
    depolarize,
    measurement_probabilities,
    simulate_entangled_qkd,
    werner_state,
)

SQRT2 = math.sqrt(2.0)


# --------------------------------------------------------------------------- #
# E91 and BBM92
# --------------------------------------------------------------------------- #
def test_measurement_probabilities_match_correlation():
    rho = werner_state(0.8)
    for a, b in [(0, 0), (0.3, 1.1), (math.pi / 2, math.pi / 4)]:
        p = measurement_probabilities(rho, a, b)
        assert_allclose(p.sum(), 1.0, atol=1e-12)
        assert_allclose(p[0, 0] + p[1, 1] - p[0, 1] - p[1, 0], correlation(rho, a, b), atol=1e-12)
        assert_allclose(p.sum(axis=1), [0.5, 0.5], atol=1e-12)  # Alice's outcomes unbiased


def test_e91_perfect_pair():
    # Ekert, PRL 67, 661 (1991): a maximally entangled pair reaches S = 2 sqrt 2 and a perfect key
    run = simulate_entangled_qkd(200_000, seed=41)
    assert run.qber == 0.0 and np.array_equal(run.alice_key, run.bob_key)
    assert_allclose(run.chsh_exact, 2 * SQRT2, rtol=1e-12)
    assert_allclose(run.chsh_max, 2 * SQRT2, rtol=1e-12)
    assert abs(run.chsh - 2 * SQRT2) < 4 * run.chsh_std
    # 2 of the 9 setting pairs share a direction: the key is 2/9 of the pairs
    assert within(run.alice_key.size / 200_000, 2 / 9, 200_000)
    assert E91_ALICE_ANGLES[1:] == E91_BOB_ANGLES[:2]


@pytest.mark.parametrize("fidelity", [0.95, 0.85, 0.78, 0.6])
def test_e91_werner_pair(fidelity):
    # S = 2 sqrt2 (4F-1)/3 (Werner pair), key QBER 2(1-F)/3
    rho = werner_state(fidelity)
    s_exact = 2 * SQRT2 * (4 * fidelity - 1) / 3
    run = simulate_entangled_qkd(200_000, rho, seed=42)
    assert_allclose(run.chsh_exact, s_exact, atol=1e-12)
    assert_allclose(chsh_value(rho), s_exact, atol=1e-12)
    assert_allclose(run.chsh_exact, chsh_expectation(rho, 0, math.pi / 2, math.pi / 4, 3 * math.pi / 4), atol=1e-12)
    assert abs(run.chsh - s_exact) < 4 * run.chsh_std
    assert within(run.qber, 2 * (1 - fidelity) / 3, run.alice_key.size)


def test_bbm92_qber_and_depolarized_pair():
    # Bennett, Brassard & Mermin, PRL 68, 557 (1992): Z/X on both sides, half the pairs sifted
    rho = depolarize(bell_state("phi+"), 0.1, qubit=1)  # a Werner pair with F = 1 - 3p/4
    run = simulate_entangled_qkd(200_000, rho, protocol="bbm92", seed=43)
    assert within(run.alice_key.size / 200_000, 0.5, 200_000)
    assert within(run.qber, 0.05, run.alice_key.size)
    assert math.isnan(run.chsh)


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #
def test_entangled_refuses_bad_input():
    with pytest.raises(ValueError, match=r"n_pairs must be an integer >= 1, got -1"):
        simulate_entangled_qkd(-1)
    with pytest.raises(ValueError, match=r"protocol must be one of 'e91', 'bbm92', got 'bb84'"):
        simulate_entangled_qkd(10, protocol="bb84")
    with pytest.raises(TypeError, match=r"state must be a qutip.Qobj"):
        simulate_entangled_qkd(10, np.eye(4) / 4)
