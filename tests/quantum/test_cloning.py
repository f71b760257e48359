"""Tests for qlib.quantum.cloning: the Bužek–Hillery universal cloner (PRA 54, 1844 (1996))."""

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from numpy.testing import assert_allclose

from conftest import density_matrices, kets
from qlib import fidelity, universal_clone
from qlib.quantum.cloning import _U

SWAP = qutip.Qobj(np.eye(4)[[0, 2, 1, 3]], dims=[[2, 2], [2, 2]])


def test_cloning_unitary_is_unitary():
    assert_allclose(_U.conj().T @ _U, np.eye(8), atol=1e-12)


def test_basis_inputs_match_the_paper():
    # |0> -> sqrt(2/3)|00>|up> + sqrt(1/6)(|01>+|10>)|down>: tracing the machine gives
    # 2/3 |00><00| + 1/6 (|01>+|10>)(<01|+<10|)
    out0 = universal_clone(qutip.basis(2, 0)).full()
    sym = np.array([0, 1, 1, 0]) / math.sqrt(2)
    expected0 = 2 / 3 * np.diag([1, 0, 0, 0]) + 1 / 3 * np.outer(sym, sym)
    assert_allclose(out0, expected0, atol=1e-12)
    out1 = universal_clone(qutip.basis(2, 1)).full()
    expected1 = 2 / 3 * np.diag([0, 0, 0, 1]) + 1 / 3 * np.outer(sym, sym)
    assert_allclose(out1, expected1, atol=1e-12)


@given(kets(1))
@settings(max_examples=40, deadline=None)
def test_each_copy_has_fidelity_five_sixths(psi):
    # Bužek & Hillery 1996; optimal by Gisin & Massar, PRL 79, 2153 (1997)
    copies = universal_clone(psi)
    assert copies.dims == [[2, 2], [2, 2]]
    for k in (0, 1):
        assert math.isclose(fidelity(copies.ptrace(k), psi), 5 / 6, abs_tol=1e-12)


@given(density_matrices(1))
@settings(max_examples=40, deadline=None)
def test_each_copy_is_shrunk_input(rho):
    # each copy = (2/3) rho + (1/3) I/2 : Bloch vector shrinks by 2/3, for any input
    copies = universal_clone(rho)
    expected = 2 / 3 * rho.full() + np.eye(2) / 6
    for k in (0, 1):
        assert_allclose(copies.ptrace(k).full(), expected, atol=1e-12)
    m = copies.full()
    assert math.isclose(np.trace(m).real, 1.0, abs_tol=1e-12)
    assert np.linalg.eigvalsh(m).min() > -1e-12


@given(kets(1))
@settings(max_examples=20, deadline=None)
def test_copies_are_symmetric(psi):
    copies = universal_clone(psi)
    assert_allclose((SWAP * copies * SWAP).full(), copies.full(), atol=1e-12)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "bad, exc, pattern",
    [
        (np.array([1.0, 0.0]), TypeError, "state must be a qutip.Qobj"),
        (qutip.basis([2, 2], [0, 0]), ValueError, "state must be a 1-qubit state, got a 2-qubit state"),
        (qutip.basis(3, 0), ValueError, r"state must be a state of qubits .* \[3\]"),
        (2 * qutip.basis(2, 0), ValueError, "state must be a normalised ket"),
        (qutip.Qobj(np.array([[0.5, 0.4], [0.0, 0.5]])), ValueError, "state must be Hermitian"),
        (qutip.Qobj(np.diag([0.5, 0.6])), ValueError, "state must have trace 1"),
        (qutip.Qobj(np.diag([1.5, -0.5])), ValueError, "state must be positive semidefinite"),
    ],
)
def test_bad_input(bad, exc, pattern):
    with pytest.raises(exc, match=pattern):
        universal_clone(bad)
