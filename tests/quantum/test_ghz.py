"""Tests for qlib.quantum.ghz: GHZ states and their distribution through a switch.

References for the expected values:

- [GHSZ90] Greenberger, Horne, Shimony, Zeilinger, Am. J. Phys. 58, 1131 (1990):
  |GHZ_n> = (|0..0> + |1..1>)/sqrt 2, stabilised by X^n and every Z_i Z_j.
- [ZZHE93] Zukowski, Zeilinger, Horne, Ekert, PRL 71, 4287 (1993): entanglement
  swapping; with Werner inputs lambda_out = lambda_1 lambda_2, so the swapped pair of
  two Werner links of fidelity F has fidelity (3 lambda^2 + 1)/4, lambda = (4F - 1)/3
  (the book's qlib.swap_bell_diagonal, tested in tests/network/test_swapping.py).
- The closed form of switch_ghz_fidelity is derived in its Notes (stabiliser
  counting); here it is checked against the QuTiP computation, outcome by outcome,
  and against its limits: perfect links give 1, maximally mixed links 2^-n.
- [GT09] Guhne & Toth, Phys. Rep. 474, 1 (2009): F_GHZ > 1/2 witnesses genuine
  multipartite entanglement.
- N-BB84 (Grasselli, Kampermann, Bruss, NJP 20, 113014 (2018); Murta et al., Adv.
  Quantum Technol. 3, 2000025 (2020)): r = 1 - h(Q_X) - max_k h(Q_1k); for
  Werner links Q_1k = (1 - lambda^2)/2 (a Z flip from link 1 or link k) and
  Q_X = (1 - lambda^n)/2 (a phase flip from any link).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qlib import (
    GHZ_GENUINE_THRESHOLD,
    genuine_link_fidelity,
    FusionResult,
    bell_state,
    conference_key_fraction,
    depolarize,
    fidelity,
    fuse_at_switch,
    fusion_success_probability,
    ghz_ket,
    ghz_state,
    secret_key_fraction,
    swap_bell_diagonal,
    switch_ghz_fidelity,
    werner_coefficients,
    werner_state,
)


def _lam(f):
    return (4.0 * np.asarray(f) - 1.0) / 3.0


def _h(p):
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -p * np.log2(p) - (1 - p) * np.log2(1 - p)
    return np.where((p == 0) | (p == 1), 0.0, out)


# --------------------------------------------------------------------------- #
# GHZ states
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_ghz_state_is_the_equal_superposition_and_is_stabilised(n):
    ket = ghz_ket(n).full().ravel()
    expected = np.zeros(2**n)
    expected[0] = expected[-1] = 1 / math.sqrt(2)
    assert_allclose(ket, expected, atol=1e-15)
    rho = ghz_state(n)
    assert rho.dims == [[2] * n, [2] * n]
    xs = qutip.tensor([qutip.sigmax()] * n)  # [GHSZ90]: X^n and Z_i Z_j stabilise it
    assert_allclose(qutip.expect(xs, rho), 1.0, atol=1e-12)
    zz = qutip.tensor([qutip.sigmaz(), qutip.sigmaz()] + [qutip.qeye(2)] * (n - 2))
    assert_allclose(qutip.expect(zz, rho), 1.0, atol=1e-12)


def test_two_qubit_ghz_is_phi_plus():
    assert_allclose(fidelity(ghz_state(2), "phi+"), 1.0, atol=1e-12)


# --------------------------------------------------------------------------- #
# Fusion at the switch
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n", [2, 3, 4])
def test_perfect_links_give_the_ghz_state_for_every_outcome(n):
    result = fuse_at_switch([bell_state("phi+")] * n)
    assert isinstance(result, FusionResult)
    assert_allclose(result.fidelity, 1.0, atol=1e-12)
    assert len(result.outcome_probabilities) == 2**n
    assert_allclose(list(result.outcome_probabilities.values()), 2.0**-n, atol=1e-12)
    assert_allclose(list(result.conditional_fidelities.values()), 1.0, atol=1e-12)
    assert_allclose(float(result.state.tr()), 1.0, atol=1e-12)


@pytest.mark.parametrize("n", [3, 4])
def test_without_the_corrections_the_users_hold_a_uniform_mixture_of_ghz_states(n):
    # each outcome leaves a different GHZ-basis state; uncorrected, only one in 2^n is GHZ_n
    result = fuse_at_switch([1.0] * n, corrections=False)
    assert_allclose(result.fidelity, 2.0**-n, atol=1e-12)
    assert not result.corrected


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("f", [0.25, 0.6, 0.8, 0.9, 0.99, 1.0])
def test_werner_links_fall_as_the_closed_form(n, f):
    result = fuse_at_switch([f] * n)
    assert_allclose(result.fidelity, switch_ghz_fidelity(f, n), atol=1e-12)
    # with Werner links every outcome, once corrected, is equally good
    assert_allclose(list(result.conditional_fidelities.values()), result.fidelity, atol=1e-10)


def test_depolarised_links_given_as_density_matrices_match_werner_inputs():
    # depolarising the user's qubit of Phi+ with p is the Werner state lambda = 1 - p
    p = 0.15
    link = depolarize(bell_state("phi+"), p, 0)
    f = fidelity(link, "phi+")
    assert_allclose(_lam(f), 1 - p, atol=1e-12)
    assert_allclose(fuse_at_switch([link] * 3).fidelity, switch_ghz_fidelity(f, 3), atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(min_value=0.25, max_value=1.0), min_size=2, max_size=4))
def test_unequal_werner_links_follow_the_general_closed_form(fs):
    lam = _lam(fs)
    expected = 0.5 * np.prod(lam) + 0.5 * np.prod((1 + lam) / 2) + 0.5 * np.prod((1 - lam) / 2)
    assert_allclose(fuse_at_switch(fs).fidelity, expected, atol=1e-10)


def test_two_users_reproduce_entanglement_swapping():
    for f in (0.7, 0.9, 0.97):  # [ZZHE93]: (3 lambda^2 + 1)/4, equal to qlib's swap
        swapped = swap_bell_diagonal(werner_coefficients(f), werner_coefficients(f))[0]
        assert_allclose(switch_ghz_fidelity(f, 2), swapped, atol=1e-12)
        assert_allclose(switch_ghz_fidelity(f, 2), (3 * _lam(f) ** 2 + 1) / 4, atol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 8])
def test_closed_form_limits(n):
    assert switch_ghz_fidelity(1.0, n) == 1.0
    assert_allclose(switch_ghz_fidelity(0.25, n), 2.0**-n, atol=1e-15)  # I/2^n
    f = np.linspace(0.3, 1.0, 15)
    values = switch_ghz_fidelity(f, n)
    assert values.shape == f.shape and np.all(np.diff(values) > 0)
    if n < 8:
        assert np.all(switch_ghz_fidelity(f, n + 1) < values + 1e-15)  # more users, lower fidelity


def test_a_general_link_state_is_fused_exactly():
    # a non-Werner link (amplitude-damping-like noise on Phi+): QuTiP against a direct check
    rho = qutip.rand_dm([2, 2], seed=3)
    result = fuse_at_switch([rho, bell_state("phi+"), bell_state("phi+")])
    assert_allclose(sum(result.outcome_probabilities.values()), 1.0, atol=1e-12)
    assert result.state.dims == [[2, 2, 2], [2, 2, 2]]
    assert_allclose(result.state.full(), result.state.full().conj().T, atol=1e-12)
    assert np.min(np.linalg.eigvalsh(result.state.full())) > -1e-10
    # one noisy link with perfect others: the GHZ fidelity is that link's fidelity to Phi+
    # (the fusion teleports the noisy link's Bell weights onto the GHZ basis)
    assert_allclose(result.fidelity, fidelity(rho, "phi+"), atol=1e-10)


def test_genuine_multipartite_threshold_link_fidelity_rises_with_users():
    assert GHZ_GENUINE_THRESHOLD == 0.5  # [GT09]
    grid = np.linspace(0.25, 1.0, 30001)
    thresholds = [grid[np.argmax(switch_ghz_fidelity(grid, n) > 0.5)] for n in (2, 3, 4)]
    # n = 2: the swapped pair (3 lambda^2 + 1)/4 exceeds 1/2 when lambda > 1/sqrt 3, F > (1 + sqrt 3)/4
    assert_allclose(thresholds[0], (1 + math.sqrt(3)) / 4, atol=1e-4)
    assert thresholds[0] < thresholds[1] < thresholds[2]


# --------------------------------------------------------------------------- #
# Success probability and the conference key
# --------------------------------------------------------------------------- #
def test_fusion_success_probability():
    assert fusion_success_probability(2, "linear optics") == 0.5  # the linear-optics Bell measurement
    assert fusion_success_probability(4, "linear optics") == 0.125
    assert fusion_success_probability(4) == 1.0


@pytest.mark.parametrize("n", [2, 3, 4])
def test_conference_key_of_werner_links_has_the_n_bb84_form(n):
    assert conference_key_fraction(ghz_state(n)) == 1.0
    for f in (0.9, 0.95, 0.99):
        lam = _lam(f)
        expected = max(0.0, 1 - _h((1 - lam**n) / 2) - _h((1 - lam**2) / 2))
        assert_allclose(conference_key_fraction(fuse_at_switch([f] * n).state), expected, atol=1e-10)


def test_two_party_conference_key_is_entanglement_based_bb84():
    for f in (0.85, 0.95):
        assert_allclose(conference_key_fraction(werner_state(f)), secret_key_fraction(werner_coefficients(f)),
                        atol=1e-12)


def test_conference_key_vanishes_for_noisy_links():
    assert conference_key_fraction(fuse_at_switch([0.8] * 3).state) == 0.0


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: ghz_ket(1), ValueError, r"n_qubits must be an integer >= 2, got 1"),
        (lambda: ghz_state(2.0), TypeError, r"n_qubits must be an integer"),
        (lambda: fuse_at_switch([0.9]), ValueError, r"links must hold between 2 and 5 links .*got 1"),
        (lambda: fuse_at_switch([0.9] * 6), ValueError, r"between 2 and 5 links .*got 6"),
        (lambda: fuse_at_switch(0.9), TypeError, r"links must be a sequence .*got float"),
        (lambda: fuse_at_switch(bell_state("phi+")), TypeError, r"links must be a sequence .*got Qobj"),
        (lambda: fuse_at_switch([0.9, 1.3]), ValueError, r"links\[1\] must be .*fidelity must be in \[0, 1\], got 1.3"),
        (lambda: fuse_at_switch([0.9, "x"]), TypeError, r"links\[1\] must be a two-qubit density matrix or a Werner"),
        (lambda: fuse_at_switch([0.9, ghz_state(3)]), ValueError, r"links\[1\] must be a two-qubit state .*got 3 qubits"),
        (lambda: fuse_at_switch([0.9, 0.9], corrections=1), TypeError, r"corrections must be True or False"),
        (lambda: switch_ghz_fidelity(1.2, 3), ValueError, r"link_fidelity must be in \[0, 1\], got 1.2"),
        (lambda: switch_ghz_fidelity(0.9, 1), ValueError, r"n_users must be an integer >= 2, got 1"),
        (lambda: fusion_success_probability(3, "magic"), ValueError, r"scheme"),
        (lambda: conference_key_fraction(qutip.ket2dm(qutip.basis(2, 0))), ValueError, r"at least 2 qubits, got 1"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_genuine_link_fidelity_two_users_closed_form():
    # n = 2: (3 lambda^2 + 1)/4 = 1/2 at lambda = 1/sqrt 3, i.e. F = (1 + sqrt 3)/4
    assert genuine_link_fidelity(2) == pytest.approx((1 + math.sqrt(3)) / 4, abs=1e-13)


@pytest.mark.parametrize("n", [3, 4, 5, 8])
def test_genuine_link_fidelity_is_the_witness_root(n):
    f = genuine_link_fidelity(n)
    assert switch_ghz_fidelity(f, n) == pytest.approx(GHZ_GENUINE_THRESHOLD, abs=1e-12)
    assert switch_ghz_fidelity(f - 1e-6, n) < GHZ_GENUINE_THRESHOLD < switch_ghz_fidelity(f + 1e-6, n)
    assert genuine_link_fidelity(n - 1) < f  # each user adds a link's noise


@pytest.mark.parametrize("bad, error", [(1, ValueError), (2.0, TypeError), ("3", TypeError)])
def test_genuine_link_fidelity_refuses_bad_user_counts(bad, error):
    with pytest.raises(error, match="n_users"):
        genuine_link_fidelity(bad)
