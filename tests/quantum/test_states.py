"""Tests for qlib.quantum.states: the four Bell states."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qlib import (
    BELL_NAMES,
    bell_ket,
    bell_state,
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


# ---------------------------------------------------------------- bad input


def test_unknown_bell_name_lists_allowed():
    with pytest.raises(ValueError, match=r"name must be one of 'phi\+', 'phi-', 'psi\+', 'psi-', got 'phi'"):
        bell_ket("phi")
    with pytest.raises(ValueError, match="name must be one of"):
        bell_state("00")  # qutip's label is not accepted


def test_bell_name_wrong_type():
    with pytest.raises(TypeError, match="name must be one of"):
        bell_state(0)
