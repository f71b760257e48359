"""Tests for qlib.quantum.states: Bell, Werner and Bell-diagonal states."""

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from numpy.testing import assert_allclose

from conftest import density_matrices, probabilities
from qlib import (
    BELL_NAMES,
    bell_diagonal_coefficients,
    bell_diagonal_state,
    bell_ket,
    bell_state,
    fidelity,
    werner_state,
)

S2 = 1 / math.sqrt(2)
# Textbook definitions, e.g. Nielsen & Chuang Eq. (1.98) (|00>±|11>)/√2, (|01>±|10>)/√2.
EXPECTED_KETS = {
    "phi+": [S2, 0, 0, S2],
    "phi-": [S2, 0, 0, -S2],
    "psi+": [0, S2, S2, 0],
    "psi-": [0, S2, -S2, 0],
}


def test_bell_names_order():
    assert BELL_NAMES == ("phi+", "phi-", "psi+", "psi-")


@pytest.mark.parametrize("name", BELL_NAMES)
def test_bell_ket_amplitudes(name):
    ket = bell_ket(name)
    assert ket.isket and ket.dims[0] == [2, 2]
    assert_allclose(ket.full().ravel(), EXPECTED_KETS[name], atol=1e-12)


@pytest.mark.parametrize("name", BELL_NAMES)
def test_bell_state_is_projector(name):
    rho = bell_state(name)
    assert rho.dims == [[2, 2], [2, 2]]
    assert_allclose((rho * rho).full(), rho.full(), atol=1e-12)
    assert math.isclose(rho.tr(), 1.0)


def test_bell_states_orthonormal():
    gram = np.array([[bell_ket(a).overlap(bell_ket(b)) for b in BELL_NAMES] for a in BELL_NAMES])
    assert_allclose(gram, np.eye(4), atol=1e-12)


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


# ---------------------------------------------------------------- bad input


def test_unknown_bell_name_lists_allowed():
    with pytest.raises(ValueError, match=r"name must be one of 'phi\+', 'phi-', 'psi\+', 'psi-', got 'phi'"):
        bell_ket("phi")
    with pytest.raises(ValueError, match="name must be one of"):
        bell_state("00")  # qutip's label is not accepted


def test_bell_name_wrong_type():
    with pytest.raises(TypeError, match="name must be one of"):
        bell_state(0)


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
