"""Tests for qlib.network.purification: BBPSSW and DEJMPS against the papers, compact vs
density-matrix paths, the F > 1/2 threshold and bad input."""

import numpy as np
import pytest
import qutip
from hypothesis import given, settings

from _bell_diagonal import TOL, assert_valid_coeffs, assert_valid_state, bell_coeffs, werner_c
from qlib import (
    BELL_NAMES,
    bbpssw,
    bbpssw_bell_diagonal,
    bell_diagonal_state,
    dejmps,
    dejmps_bell_diagonal,
    fidelity,
    werner_state,
)


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    from qlib.network import purification as module

    assert sorted(module.__all__) == sorted([
        "bbpssw",
        "dejmps",
        "bbpssw_bell_diagonal",
        "dejmps_bell_diagonal",
    ])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(module, name)
        assert getattr(qlib.network, name) is getattr(module, name)


@pytest.mark.parametrize("f", [0.55, 0.7, 0.8, 0.95, 1.0])
def test_bbpssw_recurrence(f):
    # Bennett et al., PRL 76, 722 (1996): F' = (F^2 + q^2)/(F^2 + 2Fq + 5q^2), q = (1-F)/3,
    # success probability p = F^2 + 2Fq + 5q^2.
    q = (1 - f) / 3
    p_expected = f**2 + 2 * f * q + 5 * q**2
    f_expected = (f**2 + q**2) / p_expected
    rho, p = bbpssw(werner_state(f), werner_state(f))
    assert p == pytest.approx(p_expected, abs=TOL)
    assert fidelity(rho, "phi+") == pytest.approx(f_expected, abs=TOL)
    c, pc = bbpssw_bell_diagonal(werner_c(f), werner_c(f))
    assert pc == pytest.approx(p_expected, abs=TOL)
    assert c[0] == pytest.approx(f_expected, abs=TOL)


def test_bbpssw_twirls_non_werner_inputs():
    # Only the Phi+ weight survives the twirl: same result as the Werner state of that F.
    a = [0.8, 0.2, 0.0, 0.0]
    rho, p = bbpssw(bell_diagonal_state(a), bell_diagonal_state(a))
    rho_w, p_w = bbpssw(werner_state(0.8), werner_state(0.8))
    assert p == pytest.approx(p_w, abs=TOL)
    assert np.max(np.abs(rho.full() - rho_w.full())) < TOL


def test_dejmps_published_map():
    # Deutsch et al., PRL 77, 2818 (1996), Eq. (3), in the paper's order
    # (A, B, C, D) = (Phi+, Psi-, Psi+, Phi-):
    # A' = (A^2+B^2)/N, B' = 2CD/N, C' = (C^2+D^2)/N, D' = 2AB/N, N = (A+B)^2 + (C+D)^2.
    book = np.array([0.6, 0.15, 0.1, 0.15])  # Phi+, Phi-, Psi+, Psi-
    A, D, C, B = book
    N = (A + B) ** 2 + (C + D) ** 2
    paper_out = {"phi+": (A**2 + B**2) / N, "psi-": 2 * C * D / N, "psi+": (C**2 + D**2) / N, "phi-": 2 * A * B / N}
    expected = np.array([paper_out[n] for n in BELL_NAMES])
    c, p = dejmps_bell_diagonal(book, book)
    assert p == pytest.approx(N, abs=TOL)
    assert np.allclose(c, expected, atol=TOL)
    rho, p_dm = dejmps(bell_diagonal_state(book), bell_diagonal_state(book))
    assert p_dm == pytest.approx(N, abs=TOL)
    assert np.max(np.abs(rho.full() - bell_diagonal_state(expected).full())) < TOL


def test_dejmps_beats_bbpssw_on_werner_input():
    f = 0.7
    assert dejmps_bell_diagonal(werner_c(f), werner_c(f))[0][0] >= bbpssw_bell_diagonal(werner_c(f), werner_c(f))[0][0]


@settings(max_examples=25, deadline=None)
@given(bell_coeffs(), bell_coeffs())
def test_purification_compact_equals_density_matrix(c1, c2):
    for dm_fn, compact_fn in ((dejmps, dejmps_bell_diagonal), (bbpssw, bbpssw_bell_diagonal)):
        rho, p = dm_fn(bell_diagonal_state(c1), bell_diagonal_state(c2))
        c, pc = compact_fn(c1, c2)
        assert abs(p - pc) < TOL
        assert np.max(np.abs(rho.full() - bell_diagonal_state(c).full())) < TOL
        assert_valid_state(rho)
        assert_valid_coeffs(c)
        assert 0.0 < p <= 1.0


@pytest.mark.parametrize("f", np.linspace(0.25, 0.5, 6))
def test_purification_never_helps_below_one_half(f):
    # Werner states with F <= 1/2 are separable (Werner, PRA 40, 4277 (1989)): LOCC cannot
    # raise their fidelity above 1/2; the BBPSSW recurrence has F' <= max(F, 1/2) there.
    c, _ = bbpssw_bell_diagonal(werner_c(f), werner_c(f))
    assert c[0] <= 0.5 + TOL
    c, _ = dejmps_bell_diagonal(werner_c(f), werner_c(f))
    assert c[0] <= 0.5 + TOL


@pytest.mark.parametrize("f", [0.51, 0.6, 0.8, 0.99])
def test_purification_helps_above_one_half(f):
    c, _ = bbpssw_bell_diagonal(werner_c(f), werner_c(f))
    assert c[0] > f


def test_purification_vectorised():
    f = np.array([0.6, 0.7, 0.8])
    c, p = dejmps_bell_diagonal(np.stack([werner_c(x) for x in f]), werner_c(0.9))
    assert c.shape == (3, 4) and p.shape == (3,)
    for i, x in enumerate(f):
        ci, pi = dejmps_bell_diagonal(werner_c(x), werner_c(0.9))
        assert np.allclose(c[i], ci, atol=TOL) and p[i] == pytest.approx(pi, abs=TOL)


def test_bad_input():
    not_bd = qutip.ket2dm(qutip.tensor(qutip.basis(2, 0), qutip.basis(2, 0)))
    with pytest.raises(ValueError, match="c1 must be a Bell-diagonal density matrix"):
        dejmps_bell_diagonal(not_bd, werner_c(0.9))
    with pytest.raises(TypeError, match="rho1 must be a qutip.Qobj"):
        bbpssw(np.eye(4) / 4, werner_state(0.9))


# --- the numpy fast path of bbpssw / dejmps, against an independent QuTiP computation ---

from hypothesis import strategies as st  # noqa: E402

from _qutip_reference import BELL_KETS, werner  # noqa: E402
from conftest import density_matrices as _random_dms  # noqa: E402


def _qutip_cnot(control, target):
    p0, p1 = qutip.basis(2, 0).proj(), qutip.basis(2, 1).proj()
    ops0, ops1 = [qutip.qeye(2)] * 4, [qutip.qeye(2)] * 4
    ops0[control], ops1[control], ops1[target] = p0, p1, qutip.sigmax()
    return qutip.tensor(*ops0) + qutip.tensor(*ops1)


_QT_BCNOT = _qutip_cnot(1, 3) * _qutip_cnot(0, 2)  # Alice: qubits 0, 2; Bob: 1, 3


def _qutip_recurrence(full):
    """Bilateral CNOT, keep pair (0, 1) when qubits 2, 3 agree in Z, with qutip; (state, p)."""
    full = _QT_BCNOT * full * _QT_BCNOT.dag()
    out = 0
    for bit in (0, 1):
        proj = qutip.tensor(qutip.qeye(2), qutip.qeye(2), qutip.basis(2, bit).proj(), qutip.basis(2, bit).proj())
        out = out + (proj * full * proj).ptrace([0, 1])
    p = float(np.real(out.tr()))
    return out / p, p


def _as_dm(s):
    return qutip.ket2dm(s) if s.isket else s


@settings(max_examples=60, deadline=None)
@given(_random_dms(2), _random_dms(2))
def test_bbpssw_equals_qutip_computation(rho1, rho2):
    # twirl = Werner state of the same phi+ fidelity (Bennett et al., PRL 76, 722 (1996))
    f1 = float(np.real(qutip.expect(rho1, BELL_KETS[0])))
    f2 = float(np.real(qutip.expect(rho2, BELL_KETS[0])))
    expected, p_expected = _qutip_recurrence(qutip.tensor(werner(f1), werner(f2)))
    state, p = bbpssw(rho1, rho2)
    assert state.dims == [[2, 2], [2, 2]]
    assert abs(p - p_expected) < 1e-12
    np.testing.assert_allclose(state.full(), expected.full(), atol=1e-12, rtol=0)


@settings(max_examples=60, deadline=None)
@given(_random_dms(2), _random_dms(2), st.booleans())
def test_dejmps_equals_qutip_computation(rho1, rho2, as_ket):
    # arbitrary (non-Bell-diagonal, mixed or pure) inputs, no twirl (Deutsch et al., PRL 77, 2818 (1996))
    if as_ket:
        vecs = np.linalg.eigh(rho1.full())[1]
        rho1 = qutip.Qobj(vecs[:, -1:], dims=[[2, 2], [1, 1]])
    rx = [(-1j * t / 2 * qutip.sigmax()).expm() for t in (np.pi / 2, -np.pi / 2)]
    rot = qutip.tensor(rx[0], rx[1], rx[0], rx[1])
    full = rot * qutip.tensor(_as_dm(rho1), _as_dm(rho2)) * rot.dag()
    expected, p_expected = _qutip_recurrence(full)
    state, p = dejmps(rho1, rho2)
    assert state.dims == [[2, 2], [2, 2]]
    assert abs(p - p_expected) < 1e-12
    np.testing.assert_allclose(state.full(), expected.full(), atol=1e-12, rtol=0)


@pytest.mark.parametrize("func", [bbpssw, dejmps])
@pytest.mark.parametrize("bad", [np.eye(4) / 4, qutip.qeye(2) / 2, qutip.qeye([2, 2]) / 2,
                                 qutip.Qobj(np.diag([1.2, -0.2, 0, 0]), dims=[[2, 2], [2, 2]]),
                                 2 * BELL_KETS[0], BELL_KETS[0].dag()])
def test_purification_bad_states_raise_the_checkers_error(func, bad):
    from qlib._validation import check_density_matrix

    with pytest.raises((TypeError, ValueError)) as expected:
        check_density_matrix("rho2", bad, n_qubits=2)
    with pytest.raises(type(expected.value)) as got:
        func(BELL_KETS[0], bad)
    assert str(got.value) == str(expected.value)
