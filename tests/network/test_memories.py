"""Tests for qlib.network.memories: dephasing probability, stored qubits and stored pairs."""

import math

import numpy as np
import pytest
import qutip

from _bell_diagonal import TOL, assert_valid_state, werner_c
from qlib import (
    bell_diagonal_state,
    dephase,
    memory_decoherence,
    memory_decoherence_bell_diagonal,
    memory_dephasing_probability,
    werner_state,
)


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    from qlib.network import memories as module

    assert sorted(module.__all__) == sorted([
        "memory_dephasing_probability",
        "memory_decoherence",
        "memory_decoherence_bell_diagonal",
    ])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(module, name)
        assert getattr(qlib.network, name) is getattr(module, name)


def test_memory_dephasing_composes_with_dephase():
    plus = qutip.ket2dm((qutip.basis(2, 0) + qutip.basis(2, 1)).unit())
    for t, t2 in [(0.0, 1.0), (1e-3, 1e-3), (5e-3, 2e-3), (1.0, 1e-3)]:
        p = memory_dephasing_probability(t, t2)
        out = dephase(plus, p).full()
        assert 2 * abs(out[0, 1]) == pytest.approx(math.exp(-t / t2), abs=1e-12)
        assert out[0, 0].real == pytest.approx(0.5)
    assert memory_dephasing_probability(0.0, 1.0) == 0.0
    assert memory_dephasing_probability(1e-3, 1e-3) == pytest.approx((1 - math.exp(-1)) / 2)
    out = memory_dephasing_probability(np.array([0.0, 1.0, 100.0]), 1.0)
    assert isinstance(out, np.ndarray) and np.all(np.diff(out) > 0) and np.all(out <= 0.5)


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


# ------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "func, args, kwargs, match",
    [
        (memory_dephasing_probability, (-1.0, 1.0), {}, r"wait_s must be >= 0, got -1\.0"),
        (memory_dephasing_probability, (1.0, 0.0), {}, r"coherence_time_s must be > 0, got 0\.0"),
    ],
)
def test_bad_input_names_parameter_value_and_range(func, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(*args, **kwargs)


def test_bad_types():
    with pytest.raises(ValueError, match="wait_s must be a finite real number, got nan"):
        memory_dephasing_probability(float("nan"), 1.0)


def test_memory_decoherence_bad_input():
    with pytest.raises(ValueError, match="t2_s must be > 0"):
        memory_decoherence_bell_diagonal(werner_c(0.9), 1.0, -1.0)
    with pytest.raises(ValueError, match="t2_s must be > 0"):
        memory_decoherence(werner_state(0.9), 1.0, t2_s=-1.0)
    with pytest.raises(ValueError, match="wait_s must be >= 0"):
        memory_decoherence(werner_state(0.9), -1.0, t2_s=1.0)
    with pytest.raises(ValueError, match=r"t2_s must be <= 2 \* t1_s"):
        memory_decoherence(werner_state(0.9), 1.0, t2_s=3.0, t1_s=1.0)
