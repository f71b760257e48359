"""Tests for qlib.network.swapping: closed forms (with citations), compact vs density-matrix
paths, valid outputs and bad input."""

import numpy as np
import pytest
import qutip
from hypothesis import given, settings

from _bell_diagonal import TOL, assert_valid_coeffs, assert_valid_state, bell_coeffs, werner_c
from qlib import (
    BELL_NAMES,
    bell_diagonal_coefficients,
    bell_diagonal_state,
    bell_state,
    depolarize_bell_diagonal,
    fidelity,
    swap,
    swap_bell_diagonal,
    werner_state,
)


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    from qlib.network import swapping as module

    assert sorted(module.__all__) == sorted([
        "SwapOutcome",
        "SwapResult",
        "swap",
        "swap_bell_diagonal",
    ])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(module, name)
        assert getattr(qlib.network, name) is getattr(module, name)


@pytest.mark.parametrize("f1,f2", [(1.0, 1.0), (0.9, 0.8), (0.75, 0.6), (0.5, 0.5), (0.25, 1.0)])
def test_werner_swap_closed_form(f1, f2):
    # F = F1 F2 + (1-F1)(1-F2)/3: Dür et al., PRA 59, 169 (1999);
    # Sangouard et al., RMP 83, 33 (2011).
    expected = f1 * f2 + (1 - f1) * (1 - f2) / 3
    result = swap(werner_state(f1), werner_state(f2))
    assert fidelity(result.state, "phi+") == pytest.approx(expected, abs=TOL)
    assert swap_bell_diagonal(werner_c(f1), werner_c(f2))[0] == pytest.approx(expected, abs=TOL)
    # the output of two Werner pairs is again Werner
    assert np.allclose(bell_diagonal_coefficients(result.state), werner_c(expected), atol=TOL)


def test_perfect_swap_is_perfect_for_every_outcome():
    result = swap(bell_state("phi+"), bell_state("phi+"))
    assert fidelity(result.state, "phi+") == pytest.approx(1.0, abs=TOL)
    assert [o.bell_name for o in result.outcomes] == list(BELL_NAMES)
    for o in result.outcomes:
        assert o.probability == pytest.approx(0.25, abs=TOL)
        assert fidelity(o.state, "phi+") == pytest.approx(1.0, abs=TOL)
    assert result.success_probability == 1.0


@settings(max_examples=25, deadline=None)
@given(bell_coeffs(), bell_coeffs())
def test_swap_outcomes_quarter_and_compact_equals_density_matrix(c1, c2):
    # Bell-diagonal inputs: each Bell outcome 1/4 and, after correction, the same state.
    result = swap(bell_diagonal_state(c1), bell_diagonal_state(c2))
    compact = swap_bell_diagonal(c1, c2)
    assert np.max(np.abs(result.state.full() - bell_diagonal_state(compact).full())) < TOL
    for o in result.outcomes:
        assert o.probability == pytest.approx(0.25, abs=TOL)
        assert np.max(np.abs(o.state.full() - result.state.full())) < TOL
    assert_valid_state(result.state)
    assert_valid_coeffs(compact)


def test_swap_imperfect_bsm_and_gate_noise():
    result = swap(werner_state(0.9), werner_state(0.9), bsm_success_probability=0.5)
    assert result.success_probability == 0.5
    # gate noise p on B and C == depolarizing each input on one qubit first
    p = 0.1
    noisy = swap(werner_state(0.9), werner_state(0.8), gate_noise=p)
    c = swap_bell_diagonal(
        depolarize_bell_diagonal(werner_c(0.9), p, qubits=1),
        depolarize_bell_diagonal(werner_c(0.8), p, qubits=1),
    )
    assert np.max(np.abs(noisy.state.full() - bell_diagonal_state(c).full())) < TOL
    assert fidelity(noisy.state, "phi+") < fidelity(swap(werner_state(0.9), werner_state(0.8)).state, "phi+")


def test_swap_bell_diagonal_vectorised():
    f = np.linspace(0.3, 1.0, 5)
    c = swap_bell_diagonal(np.stack([werner_c(x) for x in f]), werner_c(0.9))
    assert c.shape == (5, 4)
    assert np.allclose(c[:, 0], f * 0.9 + (1 - f) * 0.1 / 3, atol=TOL)


def test_bad_input():
    with pytest.raises(ValueError, match=r"c1 must have shape \(\.\.\., 4\)"):
        swap_bell_diagonal([0.5, 0.5, 0.0], werner_c(0.9))
    with pytest.raises(ValueError, match="c2 must sum to 1"):
        swap_bell_diagonal(werner_c(0.9), [0.9, 0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="must broadcast together"):
        swap_bell_diagonal(np.tile(werner_c(0.9), (2, 1)), np.tile(werner_c(0.9), (3, 1)))
    # a Bell-diagonal Qobj is accepted
    assert np.allclose(swap_bell_diagonal(werner_state(0.9), werner_c(1.0)), werner_c(0.9), atol=TOL)
    with pytest.raises(ValueError, match=r"bsm_success_probability must be in \[0, 1\]"):
        swap(werner_state(0.9), werner_state(0.9), bsm_success_probability=1.5)
    with pytest.raises(ValueError, match=r"gate_noise must be in \[0, 1\]"):
        swap(werner_state(0.9), werner_state(0.9), gate_noise=-0.1)
    with pytest.raises(ValueError, match="rho_cd must be a 2-qubit state"):
        swap(werner_state(0.9), qutip.ket2dm(qutip.basis(2, 0)))


# --- the numpy fast path of swap, against an independent QuTiP computation ---

from hypothesis import strategies as st  # noqa: E402

from _qutip_reference import BELL_KETS, as_dm, depolarize_qubit  # noqa: E402
from conftest import density_matrices, probabilities  # noqa: E402

_SIGMA = [qutip.qeye(2), qutip.sigmaz(), qutip.sigmax(), qutip.sigmay()]


def _qutip_swap(rho_ab, rho_cd, gate_noise):
    """Bell measurement on B, C of rho_ab ⊗ rho_cd, correction sigma_k on D, all with qutip."""
    full = qutip.tensor(as_dm(rho_ab), as_dm(rho_cd))
    if gate_noise > 0:
        full = depolarize_qubit(depolarize_qubit(full, 1, gate_noise), 2, gate_noise)
    subs = []
    for ket, sigma in zip(BELL_KETS, _SIGMA):
        proj = qutip.tensor(qutip.qeye(2), ket * ket.dag(), qutip.qeye(2))
        sub = (proj * full * proj).ptrace([0, 3])
        corr = qutip.tensor(qutip.qeye(2), sigma)
        subs.append(corr * sub * corr.dag())
    return subs


@settings(max_examples=80, deadline=None)
@given(density_matrices(2), density_matrices(2), st.sampled_from([0.0, 0.03, 0.5, 1.0]), probabilities)
def test_swap_equals_qutip_computation(rho_ab, rho_cd, gate_noise, q):
    # arbitrary (non-Werner, non-Bell-diagonal, mixed or pure) inputs
    subs = _qutip_swap(rho_ab, rho_cd, gate_noise)
    result = swap(rho_ab, rho_cd, bsm_success_probability=q, gate_noise=gate_noise)
    total = sum(subs)
    np.testing.assert_allclose(result.state.full(), (total / total.tr()).full(), atol=1e-12, rtol=0)
    assert result.state.dims == [[2, 2], [2, 2]] and result.success_probability == q
    assert [o.bell_name for o in result.outcomes] == list(BELL_NAMES)
    for o, sub in zip(result.outcomes, subs):
        prob = float(np.real(sub.tr()))
        assert abs(o.probability - prob) < 1e-12
        assert o.state.dims == [[2, 2], [2, 2]]
        # unnormalised conditional state: well defined even for a vanishing outcome
        np.testing.assert_allclose(o.probability * o.state.full(), sub.full(), atol=1e-12, rtol=0)
        if prob > 1e-6:
            np.testing.assert_allclose(o.state.full(), (sub / prob).full(), atol=1e-9, rtol=0)


@settings(max_examples=30, deadline=None)
@given(density_matrices(1, pure=True), density_matrices(1, pure=True))
def test_swap_accepts_kets(a, b):
    ket_ab = qutip.tensor(qutip.Qobj(np.linalg.eigh(a.full())[1][:, -1:], dims=[[2], [1]]),
                          qutip.Qobj(np.linalg.eigh(b.full())[1][:, -1:], dims=[[2], [1]]))
    ket_cd = BELL_KETS[2]
    expected = swap(as_dm(ket_ab), as_dm(ket_cd)).state
    np.testing.assert_allclose(swap(ket_ab, ket_cd).state.full(), expected.full(), atol=1e-12, rtol=0)


_BAD_STATES = [
    ("not a Qobj", np.eye(4) / 4),
    ("non-Hermitian", qutip.Qobj(np.eye(4) / 4 + np.triu(np.ones((4, 4)), 1) * 0.1, dims=[[2, 2], [2, 2]])),
    ("trace 2", qutip.Qobj(np.eye(4) / 2, dims=[[2, 2], [2, 2]])),
    ("negative eigenvalue", qutip.Qobj(np.diag([1.2, -0.2, 0, 0]), dims=[[2, 2], [2, 2]])),
    ("unnormalised ket", 2 * BELL_KETS[0]),
    ("bra", BELL_KETS[0].dag()),
    ("one qubit", qutip.qeye(2) / 2),
    ("three qubits", qutip.qeye([2, 2, 2]) / 8),
    ("qutrit pair", qutip.qeye([3, 3]) / 9),
    ("flat dims", qutip.Qobj(np.eye(4) / 4)),
]


@pytest.mark.parametrize("label, bad", _BAD_STATES, ids=[b[0] for b in _BAD_STATES])
def test_swap_bad_states_raise_the_checkers_error(label, bad):
    from qlib._validation import check_density_matrix

    with pytest.raises((TypeError, ValueError)) as expected:
        check_density_matrix("rho_cd", bad, n_qubits=2)
    with pytest.raises(type(expected.value), match=None) as got:
        swap(werner_state(0.9), bad)
    assert str(got.value) == str(expected.value)
