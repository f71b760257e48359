"""Tests for qlib.quantum.channels: Kraus sets and their action on multi-qubit states."""

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from conftest import density_matrices, probabilities
from qlib import (
    amplitude_damp,
    amplitude_damping_kraus,
    apply_kraus,
    bell_state,
    concurrence,
    dephase,
    dephasing_kraus,
    depolarize,
    depolarizing_kraus,
    fidelity,
    werner_state,
)

KRAUS_FACTORIES = [depolarizing_kraus, dephasing_kraus, amplitude_damping_kraus]
CHANNELS = [depolarize, dephase, amplitude_damp]


@pytest.mark.parametrize("factory", KRAUS_FACTORIES)
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_kraus_sets_are_complete(factory, p):
    total = sum(k.dag() * k for k in factory(p))
    assert_allclose(total.full(), np.eye(2), atol=1e-12)


@given(density_matrices(1), probabilities)
@settings(max_examples=30, deadline=None)
def test_depolarizing_matches_convention(rho, p):
    # docs/architecture.md: rho -> (1-p) rho + p I/2
    out = depolarize(rho, p)
    assert_allclose(out.full(), (1 - p) * rho.full() + p * np.eye(2) / 2, atol=1e-12)


@given(density_matrices(1), probabilities)
@settings(max_examples=30, deadline=None)
def test_dephasing_matches_convention(rho, p):
    # docs/architecture.md: rho -> (1-p) rho + p Z rho Z
    z = qutip.sigmaz()
    out = dephase(rho, p)
    assert_allclose(out.full(), ((1 - p) * rho + p * z * rho * z).full(), atol=1e-12)


def test_amplitude_damping_populations():
    # |1><1| -> (1-γ)|1><1| + γ|0><0|  (Nielsen & Chuang Sec. 8.3.5)
    out = amplitude_damp(qutip.ket2dm(qutip.basis(2, 1)), 0.3)
    assert_allclose(out.full(), np.diag([0.3, 0.7]), atol=1e-12)
    assert_allclose(amplitude_damp(qutip.basis(2, 1), 1.0).full(), np.diag([1.0, 0.0]), atol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.35, 0.8, 1.0])
def test_depolarize_one_qubit_of_phi_plus(p):
    # F = 1 - 3p/4 (one qubit depolarized: Pauli errors with total probability 3p/4)
    for q in (0, 1):
        assert math.isclose(fidelity(depolarize(bell_state("phi+"), p, qubit=q), "phi+"), 1 - 3 * p / 4, abs_tol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.35, 0.8, 1.0])
def test_depolarize_both_qubits_of_phi_plus(p):
    # F = (1 + 3(1-p)^2)/4 ; the output is the Werner state of that fidelity
    out = depolarize(bell_state("phi+"), p)
    f = (1 + 3 * (1 - p) ** 2) / 4
    assert math.isclose(fidelity(out, "phi+"), f, abs_tol=1e-12)
    assert_allclose(out.full(), werner_state(f).full(), atol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 1.0])
def test_dephase_one_qubit_of_phi_plus(p):
    # F = 1 - p (a Z error maps Phi+ to Phi-)
    assert math.isclose(fidelity(dephase(bell_state("phi+"), p, qubit=1), "phi+"), 1 - p, abs_tol=1e-12)
    assert math.isclose(fidelity(dephase(bell_state("phi+"), p, qubit=1), "phi-"), p, abs_tol=1e-12)


@pytest.mark.parametrize("gamma", [0.0, 0.19, 0.5, 0.9, 1.0])
def test_amplitude_damping_phi_plus_concurrence(gamma):
    # C = sqrt(1 - γ) for one damped qubit of Phi+ (e.g. Yu & Eberly, Science 323, 598 (2009))
    for q in (0, 1):
        c = concurrence(amplitude_damp(bell_state("phi+"), gamma, qubit=q))
        assert math.isclose(c, math.sqrt(1 - gamma), abs_tol=1e-9)


def test_qubit_targets_the_right_factor():
    # |1>|0>, damp qubit 0 fully -> |0>|0>; damping qubit 1 leaves it alone
    ket = qutip.tensor(qutip.basis(2, 1), qutip.basis(2, 0))
    expected_00 = qutip.ket2dm(qutip.tensor(qutip.basis(2, 0), qutip.basis(2, 0))).full()
    assert_allclose(amplitude_damp(ket, 1.0, qubit=0).full(), expected_00, atol=1e-12)
    assert_allclose(amplitude_damp(ket, 1.0, qubit=1).full(), qutip.ket2dm(ket).full(), atol=1e-12)


def test_qubit_list_equals_sequential_application():
    rho = qutip.rand_dm([2, 2, 2], seed=7)
    a = dephase(rho, 0.3, qubit=[0, 2])
    b = dephase(dephase(rho, 0.3, qubit=0), 0.3, qubit=2)
    assert_allclose(a.full(), b.full(), atol=1e-12)


def test_apply_kraus_accepts_arrays_and_matches_kraus_to_super():
    rho = qutip.rand_dm([2, 2], seed=11)
    ks = amplitude_damping_kraus(0.4)
    out = apply_kraus(rho, [k.full() for k in ks], qubit=0)
    sup = qutip.kraus_to_super([qutip.tensor(k, qutip.qeye(2)) for k in ks])
    ref = qutip.vector_to_operator(sup * qutip.operator_to_vector(rho))
    assert_allclose(out.full(), ref.full(), atol=1e-12)
    assert out.dims == rho.dims


@given(density_matrices(2), probabilities, st.sampled_from([0, 1, None]))
@settings(max_examples=40, deadline=None)
def test_channels_preserve_trace_hermiticity_positivity(rho, p, qubit):
    for channel in CHANNELS:
        out = channel(rho, p, qubit=qubit)
        m = out.full()
        assert out.dims == [[2, 2], [2, 2]]
        assert math.isclose(np.trace(m).real, 1.0, abs_tol=1e-10)
        assert_allclose(m, m.conj().T, atol=1e-12)
        assert np.linalg.eigvalsh(m).min() > -1e-10


@given(density_matrices(3), probabilities)
@settings(max_examples=20, deadline=None)
def test_channels_on_three_qubits_stay_states(rho, p):
    for channel in CHANNELS:
        m = channel(rho, p).full()
        assert math.isclose(np.trace(m).real, 1.0, abs_tol=1e-10)
        assert np.linalg.eigvalsh(m).min() > -1e-10


@given(density_matrices(2))
@settings(max_examples=30, deadline=None)
def test_zero_noise_is_identity(rho):
    for channel in CHANNELS:
        assert_allclose(channel(rho, 0.0).full(), rho.full(), atol=1e-12)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("factory, pname", [(depolarizing_kraus, "p"), (dephasing_kraus, "p"), (amplitude_damping_kraus, "gamma")])
@pytest.mark.parametrize("bad", [1.3, -0.1])
def test_kraus_probability_out_of_range(factory, pname, bad):
    with pytest.raises(ValueError, match=rf"^{pname} must be in \[0, 1\], got {bad}$"):
        factory(bad)


@pytest.mark.parametrize("channel, pname", [(depolarize, "p"), (dephase, "p"), (amplitude_damp, "gamma")])
def test_channel_bad_parameters(channel, pname):
    rho = bell_state("phi+")
    with pytest.raises(ValueError, match=rf"{pname} must be in \[0, 1\], got 1.3"):
        channel(rho, 1.3)
    with pytest.raises(ValueError, match=rf"{pname} must be in \[0, 1\], got -0.1"):
        channel(rho, -0.1)
    with pytest.raises(ValueError, match=rf"{pname} must be a finite real number, got nan"):
        channel(rho, float("nan"))
    with pytest.raises(TypeError, match=rf"{pname} must be a real number"):
        channel(rho, "0.1")
    with pytest.raises(ValueError, match=r"qubit must be a qubit index in \[0, 1\] for a 2-qubit state, got 2"):
        channel(rho, 0.1, qubit=2)
    with pytest.raises(ValueError, match=r"qubit must be a qubit index in \[0, 1\] .* got -1"):
        channel(rho, 0.1, qubit=-1)
    with pytest.raises(TypeError, match="qubit must be an integer qubit index or None"):
        channel(rho, 0.1, qubit=0.5)


@pytest.mark.parametrize(
    "bad, exc, pattern",
    [
        (np.eye(4) / 4, TypeError, "rho must be a qutip.Qobj"),
        (qutip.Qobj(np.eye(3) / 3), ValueError, r"rho must be a state of qubits .* got subsystem dimensions \[3\]"),
        (qutip.Qobj(np.array([[0.5, 0.5], [0.0, 0.5]])), ValueError, "rho must be Hermitian"),
        (qutip.Qobj(np.diag([0.7, 0.7])), ValueError, "rho must have trace 1, got trace 1.4"),
        (qutip.Qobj(np.diag([1.2, -0.2])), ValueError, "rho must be positive semidefinite, got minimum eigenvalue -0.2"),
        (qutip.basis(2, 0) * 2, ValueError, "rho must be a normalised ket"),
    ],
)
def test_apply_kraus_bad_rho(bad, exc, pattern):
    with pytest.raises(exc, match=pattern):
        apply_kraus(bad, dephasing_kraus(0.1))


def test_apply_kraus_bad_kraus_sets():
    rho = bell_state("phi+")
    with pytest.raises(ValueError, match=r"kraus_operators must be trace preserving"):
        apply_kraus(rho, [qutip.sigmax(), qutip.sigmaz()])
    with pytest.raises(ValueError, match=r"kraus_operators\[0\] must be a 2x2 single-qubit operator"):
        apply_kraus(rho, [qutip.qeye(4)])
    with pytest.raises(TypeError, match="kraus_operators must be a sequence"):
        apply_kraus(rho, qutip.qeye(2))
    with pytest.raises(ValueError, match="kraus_operators must contain at least one operator"):
        apply_kraus(rho, [])


def test_empty_qubit_list_is_refused():
    # An empty list would silently leave the state unchanged.
    with pytest.raises(ValueError, match=r"qubit must name at least one qubit index in \[0, 1\].*got \[\]"):
        depolarize(bell_state("phi+"), 0.1, qubit=[])
