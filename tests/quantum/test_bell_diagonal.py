"""Tests for qlib.quantum.bell_diagonal: Werner and Bell-diagonal states, their weights,
Pauli noise on the weights, checks of coefficient vectors."""

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from conftest import density_matrices, probabilities
from _bell_diagonal import TOL, bell_coeffs, werner_c
from qlib import (
    BELL_NAMES,
    bell_diagonal_coefficients,
    bell_diagonal_state,
    bell_ket,
    bell_state,
    dephase,
    dephase_bell_diagonal,
    depolarize,
    depolarize_bell_diagonal,
    fidelity,
    werner_coefficients,
    werner_state,
)


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    import qlib.quantum
    from qlib.quantum import bell_diagonal as module

    assert sorted(module.__all__) == sorted(["werner_state", "werner_coefficients", "bell_diagonal_state",
                                             "bell_diagonal_coefficients", "depolarize_bell_diagonal",
                                             "dephase_bell_diagonal"])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(qlib.quantum, name) is getattr(module, name)
    # the noise maps were names of qlib.network.repeaters: qlib.network still has them
    assert qlib.network.depolarize_bell_diagonal is module.depolarize_bell_diagonal
    assert qlib.network.dephase_bell_diagonal is module.dephase_bell_diagonal


# ---------------------------------------------------------------- Werner and Bell-diagonal states


@pytest.mark.parametrize("fid", [0.0, 0.25, 0.5, 0.75, 0.9, 1.0])
def test_werner_state_definition(fid):
    # rho = F|Phi+><Phi+| + (1-F)/3 (I - |Phi+><Phi+|)  (docs/architecture.md convention)
    p = bell_state("phi+").full()
    expected = fid * p + (1 - fid) / 3 * (np.eye(4) - p)
    rho = werner_state(fid)
    assert rho.dims == [[2, 2], [2, 2]]
    assert_allclose(rho.full(), expected, atol=1e-12)
    assert math.isclose(fidelity(rho, "phi+"), fid, abs_tol=1e-12)


def test_werner_quarter_is_maximally_mixed():
    assert_allclose(werner_state(0.25).full(), np.eye(4) / 4, atol=1e-12)


@given(probabilities)
@settings(max_examples=40, deadline=None)
def test_werner_coefficients_roundtrip(fid):
    rest = (1 - fid) / 3
    assert_allclose(bell_diagonal_coefficients(werner_state(fid)), [fid, rest, rest, rest], atol=1e-12)


def test_bell_diagonal_state_roundtrip():
    c = [0.4, 0.3, 0.2, 0.1]
    rho = bell_diagonal_state(c)
    assert_allclose(bell_diagonal_coefficients(rho), c, atol=1e-12)
    assert_allclose(np.linalg.eigvalsh(rho.full()), sorted(c), atol=1e-12)


@pytest.mark.parametrize("k, name", list(enumerate(BELL_NAMES)))
def test_bell_diagonal_unit_vector_gives_bell_state(k, name):
    c = [0.0] * 4
    c[k] = 1.0
    assert_allclose(bell_diagonal_state(c).full(), bell_state(name).full(), atol=1e-12)


@given(density_matrices(2))
@settings(max_examples=40, deadline=None)
def test_bell_coefficients_are_probabilities(rho):
    c = bell_diagonal_coefficients(rho)
    assert c.shape == (4,)
    assert np.all(c >= -1e-12)
    assert math.isclose(c.sum(), 1.0, abs_tol=1e-10)


def test_bell_coefficients_accept_ket():
    assert_allclose(bell_diagonal_coefficients(bell_ket("psi+")), [0, 0, 1, 0], atol=1e-12)


@pytest.mark.parametrize("fid", [0.0, 0.25, 0.5, 0.75, 0.9, 1.0])
def test_werner_coefficients_definition(fid):
    # (F, (1-F)/3, (1-F)/3, (1-F)/3) in the order phi+, phi-, psi+, psi- (docs/architecture.md convention)
    rest = (1 - fid) / 3
    c = werner_coefficients(fid)
    assert c.shape == (4,)
    assert_allclose(c, [fid, rest, rest, rest], atol=1e-15)
    assert_allclose(bell_diagonal_state(c).full(), werner_state(fid).full(), atol=1e-15)


def test_werner_coefficients_vectorised():
    f = np.array([[0.25, 0.5], [0.9, 1.0]])
    c = werner_coefficients(f)
    assert c.shape == (2, 2, 4)
    assert_allclose(c[..., 0], f, atol=0)
    assert_allclose(c.sum(axis=-1), 1.0, atol=1e-15)
    assert_allclose(c[1, 0], werner_coefficients(0.9), atol=0)
    assert werner_coefficients([0.8]).shape == (1, 4)


@given(probabilities)
@settings(max_examples=40, deadline=None)
def test_werner_coefficients_are_those_of_the_werner_state(fid):
    assert_allclose(bell_diagonal_coefficients(werner_state(fid)), werner_coefficients(fid), atol=1e-12)


@pytest.mark.parametrize("bad", [1.3, -0.1, [0.5, 1.2]])
def test_werner_coefficients_fidelity_out_of_range(bad):
    with pytest.raises(ValueError, match=r"fidelity must be in \[0, 1\]( \(all elements\))?, got (1.3|-0.1|1.2)$"):
        werner_coefficients(bad)


def test_werner_coefficients_nan_and_types():
    with pytest.raises(ValueError, match="fidelity must be a finite real number, got nan"):
        werner_coefficients(float("nan"))
    with pytest.raises(TypeError, match="fidelity must be a real number, not a bool"):
        werner_coefficients(True)
    with pytest.raises(TypeError, match="fidelity must be a real number, not complex"):
        werner_coefficients(0.5 + 0j)
    with pytest.raises(TypeError, match="fidelity must be a real number"):
        werner_coefficients("0.9")


# ---------------------------------------------------------------- noise on the weights


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


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [1.3, -0.1])
def test_werner_fidelity_out_of_range(bad):
    with pytest.raises(ValueError, match=rf"fidelity must be in \[0, 1\], got {bad}"):
        werner_state(bad)


def test_werner_fidelity_nan_and_types():
    with pytest.raises(ValueError, match="fidelity must be a finite real number, got nan"):
        werner_state(float("nan"))
    with pytest.raises(TypeError, match="fidelity must be a real number, not a bool"):
        werner_state(True)
    with pytest.raises(TypeError, match="fidelity must be a real number, not complex"):
        werner_state(0.5 + 0j)
    with pytest.raises(TypeError, match="fidelity must be a real number"):
        werner_state("0.9")


@pytest.mark.parametrize(
    "coeffs, exc, pattern",
    [
        ([0.5, 0.5, 0.0], ValueError, r"coefficients must be 4 weights .* got shape \(3,\)"),
        ([0.5, 0.5, 0.1, 0.1], ValueError, r"coefficients must sum to 1, got sum 1.2"),
        ([1.2, -0.2, 0.0, 0.0], ValueError, r"coefficients must all be >= 0"),
        ([float("nan"), 0.5, 0.25, 0.25], ValueError, r"coefficients must contain only finite"),
        ([1j, 0, 0, 0], TypeError, r"coefficients must hold real numbers, not complex"),
        ("abcd", TypeError, r"coefficients must be a real number"),
    ],
)
def test_bell_diagonal_state_bad_input(coeffs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        bell_diagonal_state(coeffs)


def test_bell_diagonal_coefficients_bad_input():
    with pytest.raises(TypeError, match="rho must be a qutip.Qobj"):
        bell_diagonal_coefficients(np.eye(4) / 4)
    with pytest.raises(ValueError, match="rho must be a 2-qubit state, got a 1-qubit state"):
        bell_diagonal_coefficients(qutip.qeye(2) / 2)
    with pytest.raises(ValueError, match="rho must have trace 1, got trace 2.0"):
        bell_diagonal_coefficients(2 * bell_state("phi+"))


def test_coefficient_checks_and_noise_bad_input():
    with pytest.raises(ValueError, match="fidelity must be in"):
        werner_state(1.2)
    with pytest.raises(ValueError, match="c must be >= 0"):
        dephase_bell_diagonal([1.2, -0.2, 0.0, 0.0], 0.1)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        depolarize_bell_diagonal(werner_c(0.9), 1.3)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        dephase_bell_diagonal(werner_c(0.9), -0.1)
    with pytest.raises(ValueError, match="qubits must be 0, 1 or 2"):
        dephase_bell_diagonal(werner_c(0.9), 0.1, qubits=3)
    with pytest.raises(ValueError, match="c must contain only finite"):
        depolarize_bell_diagonal([np.nan, 0, 0, 0], 0.1)


# --- the numpy fast path of werner_state / bell_diagonal_state, against QuTiP primitives ---

def _qutip_bell_projectors():
    """|B_k><B_k| from qutip.basis and qutip.tensor, order phi+, phi-, psi+, psi- (docs/architecture.md)."""
    b0, b1 = qutip.basis(2, 0), qutip.basis(2, 1)
    kets = [
        (qutip.tensor(b0, b0) + qutip.tensor(b1, b1)).unit(),
        (qutip.tensor(b0, b0) - qutip.tensor(b1, b1)).unit(),
        (qutip.tensor(b0, b1) + qutip.tensor(b1, b0)).unit(),
        (qutip.tensor(b0, b1) - qutip.tensor(b1, b0)).unit(),
    ]
    return [k * k.dag() for k in kets]


_PROJ = _qutip_bell_projectors()


@settings(max_examples=60, deadline=None)
@given(probabilities)
def test_werner_state_equals_qutip_construction(fid):
    # rho_W(F) = F P+ + (1-F)/3 (I - P+) (Bennett et al., PRA 54, 3824 (1996), rotated to phi+)
    expected = fid * _PROJ[0] + (1 - fid) / 3 * (qutip.qeye([2, 2]) - _PROJ[0])
    rho = werner_state(fid)
    assert rho.dims == [[2, 2], [2, 2]] and rho.isoper and rho.isherm
    assert_allclose(rho.full(), expected.full(), atol=1e-12, rtol=0)


@settings(max_examples=60, deadline=None)
@given(bell_coeffs())
def test_bell_diagonal_state_equals_qutip_construction(c):
    expected = sum(ck * p for ck, p in zip(c, _PROJ))
    rho = bell_diagonal_state(c)
    assert rho.dims == [[2, 2], [2, 2]] and rho.isoper and rho.isherm
    assert_allclose(rho.full(), expected.full(), atol=1e-12, rtol=0)
    # a plain Qobj: QuTiP's own operations work on it and give the expected numbers
    assert_allclose(rho.ptrace(0).full(), np.eye(2) / 2, atol=1e-12, rtol=0)
    assert_allclose((rho * rho).tr(), sum(ck**2 for ck in c), atol=1e-12, rtol=0)


def test_fast_states_are_independent_objects():
    a, b = werner_state(0.9), werner_state(0.9)
    a_mat = a.full()
    b.data.as_ndarray()[0, 0] = 7.0  # write into b's buffer: a must not see it
    assert_allclose(a.full(), a_mat, atol=0, rtol=0)
    assert_allclose(werner_state(0.9).full(), a_mat, atol=0, rtol=0)
