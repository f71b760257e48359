"""Tests for qlib.quantum.metrics against closed forms and published values."""

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from conftest import density_matrices, kets, local_unitaries
from qlib import (
    BELL_NAMES,
    bell_diagonal_state,
    bell_ket,
    bell_state,
    chsh_expectation,
    chsh_value,
    concurrence,
    correlation,
    fidelity,
    fully_entangled_fraction,
    monogamy_tangles,
    negativity,
    werner_state,
)

TSIRELSON = 2 * math.sqrt(2)  # B. S. Cirel'son, Lett. Math. Phys. 4, 93 (1980)
OPTIMAL = (0.0, math.pi / 2, math.pi / 4, 3 * math.pi / 4)  # a0, a1, b0, b1 for Phi+
FIDS = [0.25, 0.4, 0.5, 0.6, 0.75, 0.78, 0.8, 0.9, 1.0]


def _ghz():
    return (qutip.basis([2, 2, 2], [0, 0, 0]) + qutip.basis([2, 2, 2], [1, 1, 1])).unit()


def _w():
    b = lambda *bits: qutip.basis([2, 2, 2], list(bits))  # noqa: E731
    return (b(0, 0, 1) + b(0, 1, 0) + b(1, 0, 0)).unit()


# ------------------------------------------------------------------ fidelity


def test_fidelity_bell_targets():
    for a in BELL_NAMES:
        for b in BELL_NAMES:
            expected = 1.0 if a == b else 0.0
            assert math.isclose(fidelity(bell_state(a), b), expected, abs_tol=1e-12)
            assert math.isclose(fidelity(bell_state(a), bell_ket(b)), expected, abs_tol=1e-12)
            assert math.isclose(fidelity(bell_state(a), bell_state(b)), expected, abs_tol=1e-12)


@given(density_matrices(2, pure=True))
@settings(max_examples=40, deadline=None)
def test_fidelity_pure_with_itself_is_one(rho):
    assert math.isclose(fidelity(rho, rho), 1.0, abs_tol=1e-10)


@given(density_matrices(2, pure=False))
@settings(max_examples=40, deadline=None)
def test_uhlmann_fidelity_mixed_with_itself_is_one(rho):
    assert math.isclose(fidelity(rho, rho), 1.0, abs_tol=1e-10)


@given(density_matrices(2), density_matrices(2))
@settings(max_examples=40, deadline=None)
def test_fidelity_is_squared_qutip_fidelity_and_symmetric(rho, sigma):
    f = fidelity(rho, sigma)
    assert 0.0 <= f <= 1.0
    # qutip.fidelity is the square-root convention sqrt(F)
    assert math.isclose(f, qutip.fidelity(rho, sigma) ** 2, abs_tol=1e-6)
    assert math.isclose(f, fidelity(sigma, rho), abs_tol=1e-8)


@given(kets(2), density_matrices(2))
@settings(max_examples=30, deadline=None)
def test_fidelity_ket_target_is_expectation(psi, rho):
    expected = float(np.real(qutip.expect(rho, psi)))
    assert math.isclose(fidelity(rho, psi), expected, abs_tol=1e-12)
    assert math.isclose(fidelity(rho, qutip.ket2dm(psi)), expected, abs_tol=1e-7)
    assert math.isclose(fidelity(psi, rho), expected, abs_tol=1e-12)


def test_fidelity_three_qubits():
    assert math.isclose(fidelity(_ghz(), _ghz()), 1.0)
    assert math.isclose(fidelity(_ghz(), _w()), 0.0, abs_tol=1e-12)


# ------------------------------------------- concurrence, negativity: Werner


@pytest.mark.parametrize("f", FIDS)
def test_werner_concurrence(f):
    # Wootters, PRL 80, 2245 (1998): Werner state C = max(0, 2F - 1)
    assert math.isclose(concurrence(werner_state(f)), max(0.0, 2 * f - 1), abs_tol=1e-10)


@pytest.mark.parametrize("f", FIDS)
def test_werner_negativity(f):
    # Vidal & Werner, PRA 65, 032314 (2002) normalisation: N = max(0, (2F - 1)/2)
    assert math.isclose(negativity(werner_state(f)), max(0.0, (2 * f - 1) / 2), abs_tol=1e-10)


@pytest.mark.parametrize("name", BELL_NAMES)
def test_bell_states_maximal(name):
    rho = bell_state(name)
    assert math.isclose(concurrence(rho), 1.0, abs_tol=1e-10)
    assert math.isclose(negativity(rho), 0.5, abs_tol=1e-12)
    assert math.isclose(chsh_value(rho), TSIRELSON, abs_tol=1e-12)
    assert math.isclose(fully_entangled_fraction(rho), 1.0, abs_tol=1e-12)


def test_product_states_unentangled():
    prod = qutip.tensor(qutip.rand_dm(2, seed=1), qutip.rand_dm(2, seed=2))
    assert concurrence(prod) == pytest.approx(0.0, abs=1e-10)
    assert negativity(prod) == pytest.approx(0.0, abs=1e-12)
    assert chsh_value(prod) <= 2.0


@given(kets(2))
@settings(max_examples=30, deadline=None)
def test_pure_state_concurrence_closed_form(psi):
    # pure |psi> = a|00>+b|01>+c|10>+d|11>: C = 2|ad - bc| (Wootters 1998);
    # negativity of a pure two-qubit state is C/2
    a, b, c, d = psi.full().ravel()
    assert math.isclose(concurrence(psi), 2 * abs(a * d - b * c), abs_tol=1e-9)
    assert math.isclose(negativity(psi), concurrence(psi) / 2, abs_tol=1e-9)


@given(density_matrices(2, pure=False))
@settings(max_examples=30, deadline=None)
def test_concurrence_matches_qutip(rho):
    # qutip.concurrence computes the same quantity (less precisely at low rank)
    assert math.isclose(concurrence(rho), float(qutip.concurrence(rho)), abs_tol=1e-6)


# ------------------------------------------------------------------- CHSH


@pytest.mark.parametrize("f", FIDS + [0.0, 0.1])
def test_werner_chsh_value(f):
    # Horodecki, Phys. Lett. A 200, 340 (1995): T = diag(t, -t, t) with t = (4F-1)/3,
    # so S_max = 2 sqrt(2) |4F - 1|/3 (for F < 1/4 the pair leans towards the other Bell states)
    assert math.isclose(chsh_value(werner_state(f)), TSIRELSON * abs(4 * f - 1) / 3, abs_tol=1e-10)


def test_werner_chsh_violation_threshold():
    # 2 sqrt2 (4F-1)/3 > 2  <=>  F > (1 + 3/sqrt2)/4 ≈ 0.7803
    f_star = (1 + 3 / math.sqrt(2)) / 4
    assert math.isclose(f_star, 0.7803300858899106)
    assert math.isclose(chsh_value(werner_state(f_star)), 2.0, abs_tol=1e-10)
    assert chsh_value(werner_state(f_star + 1e-3)) > 2.0
    assert chsh_value(werner_state(f_star - 1e-3)) < 2.0


def test_tsirelson_bound_via_chsh_expectation():
    assert math.isclose(chsh_expectation(bell_state("phi+"), *OPTIMAL), TSIRELSON, abs_tol=1e-12)
    # the Werner state at the same settings gives (4F - 1)/3 of it
    assert math.isclose(chsh_expectation(werner_state(0.9), *OPTIMAL), TSIRELSON * (4 * 0.9 - 1) / 3, abs_tol=1e-12)


@given(st.floats(-10, 10), st.floats(-10, 10))
@settings(max_examples=40, deadline=None)
def test_phi_plus_correlation_is_cos_difference(a, b):
    assert math.isclose(correlation(bell_state("phi+"), a, b), math.cos(a - b), abs_tol=1e-12)


def test_correlation_vectorised():
    angles = np.linspace(0, np.pi, 7)
    e = correlation(bell_state("phi+"), 0.0, angles)
    assert isinstance(e, np.ndarray) and e.shape == (7,)
    assert_allclose(e, np.cos(angles), atol=1e-12)
    assert isinstance(correlation(bell_state("phi+"), 0.0, 0.0), float)


def test_singlet_correlation():
    # Psi-: E(a, b) = -cos(a - b) in the x-z plane
    assert math.isclose(correlation(bell_state("psi-"), 0.3, 1.1), -math.cos(0.8), abs_tol=1e-12)


@given(density_matrices(2), st.lists(st.floats(-4, 4), min_size=4, max_size=4))
@settings(max_examples=40, deadline=None)
def test_chsh_expectation_below_chsh_value(rho, angles):
    assert abs(chsh_expectation(rho, *angles)) <= chsh_value(rho) + 1e-9


@given(density_matrices(2), local_unitaries())
@settings(max_examples=40, deadline=None)
def test_local_unitary_invariance(rho, u):
    rotated = u * rho * u.dag()
    assert math.isclose(chsh_value(rotated), chsh_value(rho), abs_tol=1e-9)
    assert math.isclose(concurrence(rotated), concurrence(rho), abs_tol=1e-7)
    assert math.isclose(negativity(rotated), negativity(rho), abs_tol=1e-9)
    assert math.isclose(fully_entangled_fraction(rotated), fully_entangled_fraction(rho), abs_tol=1e-9)


@given(density_matrices(2))
@settings(max_examples=50, deadline=None)
def test_metrics_in_range(rho):
    c, n, s, f = concurrence(rho), negativity(rho), chsh_value(rho), fully_entangled_fraction(rho)
    assert 0.0 <= c <= 1.0
    assert 0.0 <= n <= 0.5
    assert 0.0 <= s <= TSIRELSON + 1e-12
    # FEF >= 1/4: the four Bell fidelities sum to 1, so the largest is >= 1/4
    assert 0.25 - 1e-12 <= f <= 1.0
    assert f >= fidelity(rho, "phi+") - 1e-12
    # Verstraete & Verschelde, PRA 66, 022307 (2002): f <= (1 + C)/2
    assert f <= (1 + c) / 2 + 1e-9
    # Verstraete, Audenaert, Dehaene & De Moor, J. Phys. A 34, 10327 (2001):
    # ||rho^TB||_1 - 1 <= C for two qubits, i.e. N <= C/2 in this normalisation
    assert n <= c / 2 + 1e-9
    # separable (C = 0) states have FEF <= 1/2 (Horodecki, PRA 60, 1888 (1999))
    if c == 0.0:
        assert f <= 0.5 + 1e-9


# --------------------------------------------------- fully entangled fraction


def _fef_brute_force(rho, seed):
    """max over U in SU(2) of <Phi+|(I⊗U)^† rho (I⊗U)|Phi+>, multistart BFGS."""
    phi = bell_ket("phi+").full().ravel()
    m = rho.full()

    def neg_fid(x):
        theta, p1, p2 = x
        u = np.array(
            [[np.cos(theta) * np.exp(1j * p1), -np.sin(theta) * np.exp(-1j * p2)],
             [np.sin(theta) * np.exp(1j * p2), np.cos(theta) * np.exp(-1j * p1)]]
        )
        v = np.kron(np.eye(2), u) @ phi
        return -float(np.real(v.conj() @ m @ v))

    rng = np.random.default_rng(seed)
    best = max(-minimize(neg_fid, rng.uniform(0, 2 * np.pi, 3), method="BFGS").fun for _ in range(12))
    return best


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_fef_magic_basis_matches_brute_force(seed):
    # Grondalski, Etlinger & James, Phys. Lett. A 300, 573 (2002) vs direct numerical maximisation
    rho = qutip.rand_dm([2, 2], seed=seed)
    u = qutip.tensor(qutip.rand_unitary(2, seed=seed), qutip.rand_unitary(2, seed=seed + 100))
    rho = u * rho * u.dag()  # make Phi+ not the best target
    assert math.isclose(fully_entangled_fraction(rho), _fef_brute_force(rho, seed), abs_tol=1e-7)


def test_fef_bell_diagonal_is_largest_weight():
    assert math.isclose(fully_entangled_fraction(bell_diagonal_state([0.1, 0.2, 0.6, 0.1])), 0.6, abs_tol=1e-12)
    assert math.isclose(fully_entangled_fraction(werner_state(0.25)), 0.25, abs_tol=1e-12)


def test_fef_separable_bound_reached():
    # |00>: FEF = 1/2 (the separable maximum)
    assert math.isclose(fully_entangled_fraction(qutip.basis([2, 2], [0, 0])), 0.5, abs_tol=1e-12)


# ------------------------------------------------------------ monogamy (CKW)


def test_ghz_tangles():
    # Coffman, Kundu & Wootters, PRA 61, 052306 (2000): GHZ residual tangle 1
    t = monogamy_tangles(_ghz())
    assert t["C2_AB"] == pytest.approx(0.0, abs=1e-10)
    assert t["C2_AC"] == pytest.approx(0.0, abs=1e-10)
    assert t["tau_A_BC"] == pytest.approx(1.0, abs=1e-12)
    assert t["residual"] == pytest.approx(1.0, abs=1e-10)


def test_w_tangles():
    # CKW 2000: W state C2_AB = C2_AC = 4/9, tau_A|BC = 8/9, residual 0
    t = monogamy_tangles(qutip.ket2dm(_w()))
    assert set(t) == {"C2_AB", "C2_AC", "tau_A_BC", "residual"}
    assert t["C2_AB"] == pytest.approx(4 / 9, abs=1e-10)
    assert t["C2_AC"] == pytest.approx(4 / 9, abs=1e-10)
    assert t["tau_A_BC"] == pytest.approx(8 / 9, abs=1e-12)
    assert t["residual"] == pytest.approx(0.0, abs=1e-10)


@given(kets(3))
@settings(max_examples=30, deadline=None)
def test_ckw_inequality_random_pure(psi):
    t = monogamy_tangles(psi)
    assert t["residual"] >= -1e-9
    assert t["tau_A_BC"] <= 1.0
    assert math.isclose(t["residual"], t["tau_A_BC"] - t["C2_AB"] - t["C2_AC"], abs_tol=1e-12)


def test_three_tangle_permutation_invariant():
    # the residual tangle does not depend on which qubit is the focus (CKW 2000)
    psi = qutip.rand_ket([2, 2, 2], seed=42)
    base = monogamy_tangles(psi)["residual"]
    for order in ([1, 0, 2], [2, 1, 0]):
        assert math.isclose(monogamy_tangles(psi.permute(order))["residual"], base, abs_tol=1e-7)


# ------------------------------------------------------------------ bad input

TWO_QUBIT_FUNCS = [concurrence, negativity, chsh_value, fully_entangled_fraction,
                   lambda r: correlation(r, 0.0, 0.0), lambda r: chsh_expectation(r, *OPTIMAL),
                   lambda r: fidelity(r, "phi+")]


@pytest.mark.parametrize("func", TWO_QUBIT_FUNCS)
@pytest.mark.parametrize(
    "bad, exc, pattern",
    [
        ("phi+", TypeError, "rho must be a qutip.Qobj"),
        (np.eye(4) / 4, TypeError, "rho must be a qutip.Qobj"),
        (qutip.qeye(2) / 2, ValueError, "rho must be a 2-qubit state, got a 1-qubit state|needs a two-qubit rho"),
        (qutip.Qobj(np.eye(4) / 4), ValueError, r"rho must be a state of qubits .* \[4\]"),
        (qutip.Qobj(np.triu(np.ones((4, 4))) / 4, dims=[[2, 2], [2, 2]]), ValueError, "rho must be Hermitian"),
        (qutip.Qobj(np.eye(4) / 2, dims=[[2, 2], [2, 2]]), ValueError, "rho must have trace 1, got trace 2.0"),
        (qutip.Qobj(np.diag([1.5, -0.5, 0, 0]), dims=[[2, 2], [2, 2]]), ValueError, "rho must be positive semidefinite, got minimum eigenvalue -0.5"),
    ],
)
def test_two_qubit_metrics_bad_rho(func, bad, exc, pattern):
    with pytest.raises(exc, match=pattern):
        func(bad)


def test_fidelity_bad_target():
    rho = bell_state("phi+")
    with pytest.raises(ValueError, match=r"target must be one of 'phi\+', 'phi-', 'psi\+', 'psi-', got 'bell'"):
        fidelity(rho, "bell")
    with pytest.raises(TypeError, match="target must be a Bell name, a ket or a density matrix"):
        fidelity(rho, np.eye(4) / 4)
    with pytest.raises(ValueError, match="target must have the same dims as rho"):
        fidelity(rho, qutip.basis(2, 0))
    with pytest.raises(ValueError, match="target must have the same dims as rho"):
        fidelity(rho, qutip.qeye(2) / 2)
    with pytest.raises(ValueError, match="target must be a normalised ket"):
        fidelity(rho, 2 * bell_ket("phi+"))
    with pytest.raises(ValueError, match="target must have trace 1"):
        fidelity(rho, 2 * bell_state("phi+"))


@pytest.mark.parametrize("name", ["angle_a", "angle_b"])
def test_correlation_bad_angles(name):
    kwargs = {"angle_a": 0.0, "angle_b": 0.0}
    kwargs[name] = float("nan")
    with pytest.raises(ValueError, match=f"{name} must be a finite real number, got nan"):
        correlation(bell_state("phi+"), **kwargs)
    kwargs[name] = 1j
    with pytest.raises(TypeError, match=f"{name} must be a real number, not complex"):
        correlation(bell_state("phi+"), **kwargs)


def test_chsh_expectation_bad_angle_names_parameter():
    with pytest.raises(ValueError, match="b1 must be a finite real number, got inf"):
        chsh_expectation(bell_state("phi+"), 0, 1, 2, float("inf"))
    with pytest.raises(TypeError, match="a0 must be a real number, not a bool"):
        chsh_expectation(bell_state("phi+"), True, 1, 2, 3)


def test_mismatched_angle_shapes_name_the_parameters():
    with pytest.raises(ValueError, match=r"angle_a, angle_b must broadcast together.*\(2,\).*\(3,\)"):
        correlation(bell_state("phi+"), [0.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="a0, a1, b0, b1 must broadcast together"):
        chsh_expectation(bell_state("phi+"), [0.0, 1.0], 0.0, [0.0, 1.0, 2.0], 0.0)


def test_monogamy_bad_input():
    with pytest.raises(ValueError, match="state must be a 3-qubit state, got a 2-qubit state"):
        monogamy_tangles(bell_state("phi+"))
    with pytest.raises(ValueError, match=r"state must be pure \(purity tr\(rho\^2\) = 1\), got purity 0.125"):
        monogamy_tangles(qutip.Qobj(np.eye(8) / 8, dims=[[2, 2, 2], [2, 2, 2]]))
    with pytest.raises(TypeError, match="state must be a qutip.Qobj"):
        monogamy_tangles([1, 0, 0, 0, 0, 0, 0, 0])
