"""Tests for qlib.network.repeaters: closed forms (with citations), compact vs density-matrix
paths, valid outputs, memories, bounds and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from hypothesis import strategies as st

from qlib import (
    hashing_yield,
    BELL_NAMES,
    bbpssw,
    bbpssw_bell_diagonal,
    bell_diagonal_coefficients,
    bell_diagonal_state,
    bell_state,
    dejmps,
    dejmps_bell_diagonal,
    dephase,
    dephase_bell_diagonal,
    depolarize,
    depolarize_bell_diagonal,
    fiber_transmittance,
    fidelity,
    memory_decoherence,
    memory_decoherence_bell_diagonal,
    memory_dephasing_probability,
    plob_bound,
    swap,
    swap_bell_diagonal,
    tgw_bound,
    werner_state,
)

TOL = 1e-12


def werner_c(f):
    q = (1.0 - f) / 3.0
    return np.array([f, q, q, q])


@st.composite
def bell_coeffs(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    c = rng.dirichlet(np.full(4, draw(st.sampled_from([0.2, 1.0, 5.0]))))
    return c / c.sum()


def assert_valid_state(rho):
    m = rho.full()
    assert np.allclose(m, m.conj().T, atol=1e-12)
    assert abs(np.trace(m) - 1) < 1e-12
    assert np.linalg.eigvalsh(m).min() > -1e-12


def assert_valid_coeffs(c):
    assert np.all(c >= -1e-15)
    assert np.allclose(c.sum(axis=-1), 1.0, atol=1e-12)


# --------------------------------------------------------------------------- swap


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


# --------------------------------------------------------------------------- purification


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


# --------------------------------------------------------------------------- noise and memories


@settings(max_examples=20, deadline=None)
@given(bell_coeffs(), st.floats(0, 1), st.sampled_from([0, 1, 2]))
def test_noise_compact_equals_density_matrix(c, p, qubits):
    rho = bell_diagonal_state(c)
    which = {0: [], 1: 1, 2: None}[qubits]
    if qubits == 0:
        assert np.allclose(depolarize_bell_diagonal(c, p, qubits=0), c, atol=TOL)
        return
    dep = depolarize(rho, p, qubit=which)
    deph = dephase(rho, p, qubit=which)
    assert np.max(np.abs(dep.full() - bell_diagonal_state(depolarize_bell_diagonal(c, p, qubits=qubits)).full())) < TOL
    assert np.max(np.abs(deph.full() - bell_diagonal_state(dephase_bell_diagonal(c, p, qubits=qubits)).full())) < TOL


def test_memory_decoherence_composes_with_dephase():
    rho = werner_state(0.9)
    t, t2 = 0.3e-3, 1e-3
    p = memory_dephasing_probability(t, t2)
    out = memory_decoherence(rho, t, t2_s=t2)
    assert np.max(np.abs(out.full() - dephase(rho, p).full())) < TOL
    # waits compose: t then s equals t + s
    two = memory_decoherence(memory_decoherence(rho, t, t2_s=t2), 0.2e-3, t2_s=t2)
    assert np.max(np.abs(two.full() - memory_decoherence(rho, 0.5e-3, t2_s=t2).full())) < TOL
    # one qubit only
    one = memory_decoherence(rho, t, t2_s=t2, qubit=0)
    assert np.max(np.abs(one.full() - dephase(rho, p, qubit=0).full())) < TOL
    # compact path
    c = memory_decoherence_bell_diagonal(werner_c(0.9), t, t2)
    assert np.max(np.abs(out.full() - bell_diagonal_state(c).full())) < TOL
    c1 = memory_decoherence_bell_diagonal(werner_c(0.9), t, t2, qubits=1)
    assert np.max(np.abs(one.full() - bell_diagonal_state(c1).full())) < TOL


def test_memory_decoherence_phi_plus_closed_form():
    t = np.array([0.0, 1e-3, 5e-3])
    c = memory_decoherence_bell_diagonal(np.array([1.0, 0, 0, 0]), t, 1e-3)
    assert np.allclose(c[:, 0], (1 + np.exp(-2 * t / 1e-3)) / 2, atol=TOL)


def test_memory_decoherence_t1_t2():
    # |+> : coherence decays as e^{-t/T2}, excited population as e^{-t/T1}.
    t, t1, t2 = 0.4, 1.0, 0.8
    plus = qutip.ket2dm((qutip.basis(2, 0) + qutip.basis(2, 1)).unit())
    out = memory_decoherence(plus, t, t2_s=t2, t1_s=t1).full()
    assert abs(out[0, 1]) == pytest.approx(0.5 * np.exp(-t / t2), abs=TOL)
    one = qutip.ket2dm(qutip.basis(2, 1))
    out = memory_decoherence(one, t, t2_s=t2, t1_s=t1).full()
    assert out[1, 1].real == pytest.approx(np.exp(-t / t1), abs=TOL)
    assert_valid_state(memory_decoherence(werner_state(0.9), t, t2_s=t2, t1_s=t1))


# --------------------------------------------------------------------------- bounds


def test_plob_at_100_and_200_km():
    # Pirandola et al., Nat. Commun. 8, 15043 (2017): -log2(1 - eta).
    eta100 = fiber_transmittance(100.0)  # 20 dB -> 0.01
    eta200 = fiber_transmittance(200.0)  # 40 dB -> 1e-4
    assert eta100 == pytest.approx(0.01, rel=1e-12)
    assert plob_bound(eta100) == pytest.approx(0.0145, abs=5e-5)
    assert plob_bound(eta100) == pytest.approx(-np.log2(0.99), rel=1e-12)
    assert plob_bound(eta200) == pytest.approx(1.4427e-4, rel=1e-4)  # ~ eta / ln 2


def test_tgw_at_least_plob_and_vectorised():
    # Takeoka, Guha, Wilde, Nat. Commun. 5, 5235 (2014): log2((1+eta)/(1-eta)).
    eta = np.linspace(0.0, 0.99, 50)
    assert np.all(tgw_bound(eta) >= plob_bound(eta))
    assert tgw_bound(0.01) == pytest.approx(np.log2(1.01 / 0.99), rel=1e-12)
    assert plob_bound(0.0) == 0.0 and tgw_bound(0.0) == 0.0
    assert plob_bound(1.0) == np.inf and tgw_bound(1.0) == np.inf
    assert isinstance(plob_bound(0.5), float)


# --------------------------------------------------------------------------- bad input


def test_bad_input():
    with pytest.raises(ValueError, match="fidelity must be in"):
        werner_state(1.2)
    with pytest.raises(ValueError, match=r"c1 must have shape \(\.\.\., 4\)"):
        swap_bell_diagonal([0.5, 0.5, 0.0], werner_c(0.9))
    with pytest.raises(ValueError, match="c2 must sum to 1"):
        swap_bell_diagonal(werner_c(0.9), [0.9, 0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="c must be >= 0"):
        dephase_bell_diagonal([1.2, -0.2, 0.0, 0.0], 0.1)
    with pytest.raises(ValueError, match="must broadcast together"):
        swap_bell_diagonal(np.tile(werner_c(0.9), (2, 1)), np.tile(werner_c(0.9), (3, 1)))
    not_bd = qutip.ket2dm(qutip.tensor(qutip.basis(2, 0), qutip.basis(2, 0)))
    with pytest.raises(ValueError, match="c1 must be a Bell-diagonal density matrix"):
        dejmps_bell_diagonal(not_bd, werner_c(0.9))
    # a Bell-diagonal Qobj is accepted
    assert np.allclose(swap_bell_diagonal(werner_state(0.9), werner_c(1.0)), werner_c(0.9), atol=TOL)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        depolarize_bell_diagonal(werner_c(0.9), 1.3)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        dephase_bell_diagonal(werner_c(0.9), -0.1)
    with pytest.raises(ValueError, match="qubits must be 0, 1 or 2"):
        dephase_bell_diagonal(werner_c(0.9), 0.1, qubits=3)
    with pytest.raises(ValueError, match="t2_s must be > 0"):
        memory_decoherence_bell_diagonal(werner_c(0.9), 1.0, -1.0)
    with pytest.raises(ValueError, match="t2_s must be > 0"):
        memory_decoherence(werner_state(0.9), 1.0, t2_s=-1.0)
    with pytest.raises(ValueError, match="wait_s must be >= 0"):
        memory_decoherence(werner_state(0.9), -1.0, t2_s=1.0)
    with pytest.raises(ValueError, match=r"t2_s must be <= 2 \* t1_s"):
        memory_decoherence(werner_state(0.9), 1.0, t2_s=3.0, t1_s=1.0)
    with pytest.raises(ValueError, match=r"bsm_success_probability must be in \[0, 1\]"):
        swap(werner_state(0.9), werner_state(0.9), bsm_success_probability=1.5)
    with pytest.raises(ValueError, match=r"gate_noise must be in \[0, 1\]"):
        swap(werner_state(0.9), werner_state(0.9), gate_noise=-0.1)
    with pytest.raises(ValueError, match="rho_cd must be a 2-qubit state"):
        swap(werner_state(0.9), qutip.ket2dm(qutip.basis(2, 0)))
    with pytest.raises(TypeError, match="rho1 must be a qutip.Qobj"):
        bbpssw(np.eye(4) / 4, werner_state(0.9))
    with pytest.raises(ValueError, match=r"transmittance must be in \[0, 1\]"):
        plob_bound(1.5)
    with pytest.raises(ValueError, match="transmittance must contain only finite"):
        tgw_bound([0.1, np.nan])
    with pytest.raises(ValueError, match="c must contain only finite"):
        depolarize_bell_diagonal([np.nan, 0, 0, 0], 0.1)


def test_bounds_keep_precision_on_long_links():
    # 1000 km of 0.2 dB/km fibre: eta = 1e-20, PLOB ~ eta/ln 2 (Pirandola et al. 2017),
    # TGW ~ 2 eta/ln 2; a naive log2(1 - eta) would give 0.
    eta = 1e-20
    assert plob_bound(eta) == pytest.approx(eta / np.log(2), rel=1e-12)
    assert tgw_bound(eta) == pytest.approx(2 * eta / np.log(2), rel=1e-12)


# --- hashing yield: ebits per pair ---------------------------------------------


def _werner(f):
    return np.array([f, (1 - f) / 3, (1 - f) / 3, (1 - f) / 3])


def test_hashing_yield_closed_forms():
    # Bennett, DiVincenzo, Smolin, Wootters, PRA 54, 3824 (1996): D_H = 1 - S(rho).
    assert hashing_yield([1.0, 0.0, 0.0, 0.0]) == 1.0  # a perfect pair is one ebit
    assert hashing_yield([0.25] * 4) == 0.0  # two bits of entropy: nothing
    assert hashing_yield([0.5, 0.5, 0.0, 0.0]) == 0.0  # separable, S = 1
    f = 0.9
    expected = 1 + f * np.log2(f) + (1 - f) * np.log2((1 - f) / 3)
    assert hashing_yield(_werner(f)) == pytest.approx(expected, rel=1e-12)


def test_hashing_threshold_of_werner_pairs():
    # Hashing distils Werner pairs only above F = 0.8107 (Bennett et al., PRA 54, 3824 (1996)).
    from scipy.optimize import brentq

    entropy_zero = brentq(
        lambda f: 1 + f * np.log2(f) + (1 - f) * np.log2((1 - f) / 3), 0.6, 0.99
    )
    assert entropy_zero == pytest.approx(0.8107, abs=1e-4)
    assert hashing_yield(_werner(0.81)) == 0.0 and hashing_yield(_werner(0.812)) > 0.0


def test_hashing_yield_vectorised_and_from_a_state():
    batch = np.stack([_werner(f) for f in (0.7, 0.9, 1.0)])
    out = hashing_yield(batch)
    assert out.shape == (3,)
    assert out[0] == 0.0 and out[2] == 1.0
    assert hashing_yield(werner_state(0.9)) == pytest.approx(hashing_yield(_werner(0.9)), rel=1e-10)


def test_hashing_yield_bad_input():
    with pytest.raises(ValueError, match="coefficients must sum to 1"):
        hashing_yield([0.5, 0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match=r"coefficients must have shape \(\.\.\., 4\)"):
        hashing_yield([1.0, 0.0])
    with pytest.raises(ValueError, match="Bell-diagonal"):
        hashing_yield(qutip.ket2dm(qutip.tensor(qutip.basis(2, 0), (qutip.basis(2, 0) + qutip.basis(2, 1)).unit())))
