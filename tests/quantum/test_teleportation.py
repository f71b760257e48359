"""Tests for qlib.quantum.teleportation against closed forms and published values.

References for the expected numbers:

- [BBCJPW93] C. H. Bennett et al., PRL 70, 1895 (1993): with Φ+ the output
  equals the input; each Bell outcome has probability 1/4 and Bob's qubit
  alone is I/2 whatever the input.
- [HHH99] M. Horodecki, P. Horodecki, R. Horodecki, PRA 60, 1888 (1999): the
  optimal average fidelity is (2f+1)/3, f the fully entangled fraction; for a
  Werner state of fidelity F >= 1/4, f = F.
- [MP95] S. Massar and S. Popescu, PRL 74, 1259 (1995): 2/3 is the best
  classical (measure-and-prepare) average fidelity.
- [BB01] S. Bowen and S. Bose, PRL 87, 267901 (2001): the standard protocol
  with any resource is a Pauli channel with the resource's Bell weights, so
  its average fidelity is (2<Φ+|ρ|Φ+>+1)/3.
- Averages over the six stabilizer states are exact for any qubit channel:
  they form a spherical 2-design and the fidelity <ψ|Λ(ψ)|ψ> is quadratic in
  |ψ><ψ| (e.g. Dankert, Cleve, Emerson, Livine, PRA 80, 012304 (2009)).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from conftest import density_matrices, kets, probabilities
from qlib import (
    BELL_NAMES,
    CLASSICAL_FIDELITY_LIMIT,
    TeleportationOutcome,
    TeleportationResult,
    bell_diagonal_state,
    bell_state,
    bloch_vector,
    depolarize,
    fidelity,
    fully_entangled_fraction,
    measure_and_prepare,
    standard_teleportation_fidelity,
    teleport,
    teleportation_fidelity,
    werner_state,
)

ZERO, ONE = qutip.basis(2, 0), qutip.basis(2, 1)
STABILIZER_STATES = [
    ZERO,
    ONE,
    (ZERO + ONE).unit(),
    (ZERO - ONE).unit(),
    (ZERO + 1j * ONE).unit(),
    (ZERO - 1j * ONE).unit(),
]
WERNER_FIDS = [0.25, 0.4, 0.5, 0.6, 0.75, 0.85, 0.9, 1.0]
PHI_PLUS = bell_state("phi+")
SY = qutip.sigmay()


def average_teleport_fidelity(resource, inputs=STABILIZER_STATES, **noise) -> float:
    """Average of <ψ|teleport(ψ)|ψ> over the given pure inputs."""
    return float(np.mean([fidelity(teleport(k, resource, **noise).output, k) for k in inputs]))


def assert_valid_qubit_dm(rho: qutip.Qobj) -> None:
    assert rho.dims == [[2], [2]]
    mat = rho.full()
    assert_allclose(mat, mat.conj().T, atol=1e-12)
    assert math.isclose(np.trace(mat).real, 1.0, abs_tol=1e-10)
    assert np.linalg.eigvalsh(mat).min() > -1e-10


def random_bell_diagonal_closest_to_phi_plus(rng) -> qutip.Qobj:
    weights = rng.dirichlet(np.ones(4))
    weights = np.sort(weights)[::-1]  # the largest weight on Φ+
    rest = weights[1:].copy()
    rng.shuffle(rest)
    return bell_diagonal_state([weights[0], *rest])


# ------------------------------------------------------------------ the protocol


def test_result_types_and_outcome_order():
    result = teleport(ZERO)
    assert isinstance(result, TeleportationResult)
    assert len(result.outcomes) == 4
    assert all(isinstance(o, TeleportationOutcome) for o in result.outcomes)
    assert tuple(o.bell_name for o in result.outcomes) == BELL_NAMES
    # Circuit Bell measurement (CNOT 0->1, H on 0; Nielsen & Chuang Sec. 1.3.7):
    # Φ+ -> 00, Φ- -> 10, Ψ+ -> 01, Ψ- -> 11.
    assert [o.bits for o in result.outcomes] == [(0, 0), (1, 0), (0, 1), (1, 1)]
    assert result.probabilities.shape == (4,)
    with pytest.raises(AttributeError):
        result.outcomes[0].probability = 0.5  # frozen dataclass


def test_bits_match_the_circuit_form_of_the_bell_measurement():
    # CNOT(0->1) then H on 0 maps each Bell state to the basis state |m1 m2>.
    circuit = qutip.tensor(qutip.gates.hadamard_transform(), qutip.qeye(2)) * qutip.gates.cnot()
    for outcome in teleport(ZERO).outcomes:
        from qlib import bell_ket

        out = circuit * bell_ket(outcome.bell_name)
        assert math.isclose(abs(out.overlap(qutip.basis([2, 2], list(outcome.bits)))), 1.0)


def test_bits_give_bob_the_correction_z_m1_x_m2():
    # Bob's uncorrected state for bits (m1, m2) is (Z^m1 X^m2)^† ψ  [BBCJPW93].
    psi = qutip.rand_ket(2, seed=7)
    x, z = qutip.sigmax(), qutip.sigmaz()
    for o in teleport(psi).outcomes:
        m1, m2 = o.bits
        correction = (z**m1) * (x**m2)
        expected = qutip.ket2dm(correction.dag() * psi)
        assert_allclose(o.bob_uncorrected.full(), expected.full(), atol=1e-12)
        assert_allclose(o.bob_corrected.full(), qutip.ket2dm(psi).full(), atol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_phi_plus_resource_output_equals_input(seed):
    # [BBCJPW93]: with Φ+ every corrected outcome, hence the output, is the input.
    rho = qutip.rand_dm(2, seed=seed)
    result = teleport(rho)
    assert_allclose(result.output.full(), rho.full(), atol=1e-12)
    for o in result.outcomes:
        assert_allclose(o.bob_corrected.full(), rho.full(), atol=1e-12)
    psi = qutip.rand_ket(2, seed=100 + seed)
    assert math.isclose(fidelity(teleport(psi, PHI_PLUS).output, psi), 1.0, abs_tol=1e-12)


def test_default_resource_is_phi_plus():
    psi = qutip.rand_ket(2, seed=3)
    assert_allclose(teleport(psi).output.full(), teleport(psi, PHI_PLUS).output.full(), atol=1e-14)


@pytest.mark.parametrize("name", BELL_NAMES)
@pytest.mark.parametrize("seed", range(4))
def test_outcome_probabilities_quarter_for_bell_resources(name, seed):
    # [BBCJPW93]: a maximally entangled resource makes Alice's outcome uniform.
    rho = qutip.rand_dm(2, seed=seed)
    assert_allclose(teleport(rho, bell_state(name)).probabilities, [0.25] * 4, atol=1e-12)


@pytest.mark.parametrize("name", BELL_NAMES)
@pytest.mark.parametrize("seed", range(4))
def test_no_signalling_bob_holds_i_over_2(name, seed):
    # [BBCJPW93]: before the bits arrive, Bob's qubit is I/2 whatever the input.
    psi = qutip.rand_ket(2, seed=seed)
    before = teleport(psi, bell_state(name), measurement_noise=0.3).bob_before_message
    assert_allclose(before.full(), np.eye(2) / 2, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(density_matrices(n_qubits=1), density_matrices(n_qubits=2))
def test_no_signalling_general_resource(state, resource):
    # Alice's local measurement cannot change Bob's marginal: it stays tr_A(resource).
    before = teleport(state, resource).bob_before_message
    assert_allclose(before.full(), resource.ptrace(1).full(), atol=1e-12)
    # ... and it does not depend on the input at all.
    other = teleport(qutip.basis(2, 1), resource).bob_before_message
    assert_allclose(before.full(), other.full(), atol=1e-12)


def test_zero_probability_outcomes_report_i_over_2():
    # Input |0> and product resource |00>: qubits 0,1 are |00>, so Ψ± never occur.
    resource = qutip.ket2dm(qutip.basis([2, 2], [0, 0]))
    result = teleport(ZERO, resource)
    assert_allclose(result.probabilities, [0.5, 0.5, 0.0, 0.0], atol=1e-12)
    for o in result.outcomes[2:]:
        assert_allclose(o.bob_uncorrected.full(), np.eye(2) / 2)
        assert_allclose(o.bob_corrected.full(), np.eye(2) / 2)
    assert_valid_qubit_dm(result.output)


# ------------------------------------------------------------------ average fidelities


@pytest.mark.parametrize("fid", WERNER_FIDS)
def test_werner_resource_gives_two_f_plus_one_over_three(fid):
    # [HHH99]: Werner state of fidelity F >= 1/4 has f = F, so F_avg = (2F+1)/3.
    expected = (2 * fid + 1) / 3
    rho = werner_state(fid)
    assert math.isclose(teleportation_fidelity(rho), expected, abs_tol=1e-12)
    assert math.isclose(standard_teleportation_fidelity(rho), expected, abs_tol=1e-12)
    assert math.isclose(average_teleport_fidelity(rho), expected, abs_tol=1e-12)


def test_werner_below_quarter_optimum_exceeds_standard():
    # For F < 1/4 the other Bell weights (1-F)/3 exceed F: f = (1-F)/3 [HHH99].
    rho = werner_state(0.1)
    assert math.isclose(teleportation_fidelity(rho), (2 * 0.3 + 1) / 3, abs_tol=1e-12)
    assert math.isclose(standard_teleportation_fidelity(rho), (2 * 0.1 + 1) / 3, abs_tol=1e-12)


def test_maximally_entangled_resource_gives_one_and_fully_mixed_one_half():
    assert math.isclose(teleportation_fidelity(PHI_PLUS), 1.0, abs_tol=1e-12)
    mixed = qutip.Qobj(np.eye(4) / 4, dims=[[2, 2], [2, 2]])
    # f(I/4) = 1/4 -> (2/4 + 1)/3 = 1/2 [HHH99]: a random guess on average.
    assert math.isclose(teleportation_fidelity(mixed), 0.5, abs_tol=1e-12)
    assert math.isclose(average_teleport_fidelity(mixed), 0.5, abs_tol=1e-12)
    result = teleport(qutip.rand_ket(2, seed=1), mixed)
    assert_allclose(result.output.full(), np.eye(2) / 2, atol=1e-12)


def test_psi_minus_standard_corrections_fall_short():
    # Standard corrections with Ψ-: Bob gets YρY, average (1 + 1/3 - 2/3)/2 = 1/3;
    # the optimum (2f+1)/3 with f = 1 is 1 [HHH99].
    psi_minus = bell_state("psi-")
    assert math.isclose(average_teleport_fidelity(psi_minus), 1 / 3, abs_tol=1e-12)
    assert math.isclose(standard_teleportation_fidelity(psi_minus), 1 / 3, abs_tol=1e-12)
    assert math.isclose(teleportation_fidelity(psi_minus), 1.0, abs_tol=1e-12)
    # Y on Bob's half turns Ψ- into Φ+ (up to phase): the optimum is reached.
    rotated = qutip.tensor(qutip.qeye(2), SY) * psi_minus * qutip.tensor(qutip.qeye(2), SY)
    assert math.isclose(average_teleport_fidelity(rotated), 1.0, abs_tol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_standard_fidelity_matches_teleport_for_any_resource(seed):
    # [BB01]: exact for every resource, Bell-diagonal or not.
    resource = qutip.rand_dm([2, 2], seed=seed)
    assert math.isclose(
        average_teleport_fidelity(resource),
        standard_teleportation_fidelity(resource),
        abs_tol=1e-12,
    )
    assert teleportation_fidelity(resource) >= standard_teleportation_fidelity(resource) - 1e-12


@pytest.mark.parametrize("seed", range(6))
def test_optimum_is_reached_by_a_unitary_on_bobs_side(seed):
    # [HHH99]: rotate the closest maximally entangled state onto Φ+ with a
    # unitary on Bob's qubit; the standard protocol then gives (2f+1)/3.
    resource = qutip.rand_dm([2, 2], seed=seed)
    f = fully_entangled_fraction(resource)
    # The closest maximally entangled ket |φ> = (I ⊗ U)|Φ+>, U_ba = √2 φ_ab.
    from qlib.quantum.metrics import _MAGIC

    re = np.real(_MAGIC.conj().T @ resource.full() @ _MAGIC)
    vals, vecs = np.linalg.eigh((re + re.T) / 2)
    phi = _MAGIC @ vecs[:, -1]
    u = qutip.Qobj(math.sqrt(2) * phi.reshape(2, 2).T)
    assert_allclose((u.dag() * u).full(), np.eye(2), atol=1e-10)
    bob_u_dag = qutip.tensor(qutip.qeye(2), u.dag())
    rotated = bob_u_dag * resource * bob_u_dag.dag()
    assert math.isclose(average_teleport_fidelity(rotated), (2 * f + 1) / 3, abs_tol=1e-10)
    assert math.isclose(teleportation_fidelity(resource), (2 * f + 1) / 3, abs_tol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_optimal_fidelity_matches_teleport_for_bell_diagonal_closest_to_phi_plus(seed):
    rng = np.random.default_rng(seed)
    resource = random_bell_diagonal_closest_to_phi_plus(rng)
    exact = teleportation_fidelity(resource)
    # Exact: the six stabilizer states form a 2-design.
    assert math.isclose(average_teleport_fidelity(resource), exact, abs_tol=1e-12)
    # Monte Carlo over Haar-random inputs, within 4 standard errors.
    inputs = [qutip.rand_ket(2, seed=rng) for _ in range(400)]
    samples = np.array([fidelity(teleport(k, resource).output, k) for k in inputs])
    stderr = samples.std(ddof=1) / math.sqrt(samples.size)
    assert abs(samples.mean() - exact) <= 4 * stderr + 1e-12


def test_vectorised_equals_scalar():
    rng = np.random.default_rng(11)
    states = [qutip.rand_dm([2, 2], seed=rng) for _ in range(20)]
    states += [werner_state(f) for f in WERNER_FIDS] + [bell_state(n) for n in BELL_NAMES]
    batch = np.array([s.full() for s in states])
    for func in (teleportation_fidelity, standard_teleportation_fidelity):
        vec = func(batch)
        assert isinstance(vec, np.ndarray) and vec.shape == (len(states),)
        assert_allclose(vec, [func(s) for s in states], atol=1e-12)
        assert_allclose(func(states), vec, atol=1e-14)  # a list of Qobj
        assert_allclose(func(batch.reshape(2, -1, 4, 4)), vec.reshape(2, -1), atol=1e-14)
        single = func(batch[0])
        assert isinstance(single, float) and math.isclose(single, vec[0], abs_tol=1e-14)


def test_scalar_returns_float():
    assert isinstance(teleportation_fidelity(PHI_PLUS), float)
    assert isinstance(standard_teleportation_fidelity(PHI_PLUS), float)


# ------------------------------------------------------------------ noise


@pytest.mark.parametrize("q", [0.0, 0.1, 0.5, 1.0])
def test_correction_noise_closed_form(q):
    # Depolarizing Bob's qubit with q: Λ -> (1-q)Λ + q I/2, so F -> (1-q)F + q/2.
    resource = werner_state(0.8)
    f0 = standard_teleportation_fidelity(resource)
    got = average_teleport_fidelity(resource, correction_noise=q)
    assert math.isclose(got, (1 - q) * f0 + q / 2, abs_tol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 1.0])
def test_measurement_noise_closed_form(p):
    # Depolarizing qubit 0 or 1 sends Bob's corrected qubit to I/2 whatever the
    # resource (Pauli twirl), so with both: F -> (1-p)^2 F + (1 - (1-p)^2)/2.
    resource = qutip.rand_dm([2, 2], seed=4)
    f0 = standard_teleportation_fidelity(resource)
    got = average_teleport_fidelity(resource, measurement_noise=p)
    assert math.isclose(got, 0.5 + (1 - p) ** 2 * (f0 - 0.5), abs_tol=1e-12)


def test_both_noises_combine():
    p, q = 0.2, 0.3
    f0 = standard_teleportation_fidelity(werner_state(0.9))
    got = average_teleport_fidelity(werner_state(0.9), measurement_noise=p, correction_noise=q)
    assert math.isclose(got, 0.5 + (1 - q) * (1 - p) ** 2 * (f0 - 0.5), abs_tol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_measurement_noise_is_depolarizing_qubits_0_and_1(seed):
    # Cross-check the internal shortcut against qlib.quantum.channels.depolarize on the
    # three-qubit state, followed by the Bell measurement on the clean path.
    p = 0.35
    state = qutip.rand_dm(2, seed=seed)
    resource = qutip.rand_dm([2, 2], seed=50 + seed)
    noisy = depolarize(qutip.tensor(state, resource), p, qubit=[0, 1]).full()
    from qlib import bell_ket

    result = teleport(state, resource, measurement_noise=p)
    paulis = [qutip.qeye(2), qutip.sigmaz(), qutip.sigmax(), qutip.sigmaz() * qutip.sigmax()]
    for o, c in zip(result.outcomes, paulis):
        proj = qutip.tensor(qutip.ket2dm(bell_ket(o.bell_name)), qutip.qeye(2)).full()
        joint = qutip.Qobj(proj @ noisy @ proj, dims=[[2, 2, 2], [2, 2, 2]])
        prob = joint.tr().real
        assert math.isclose(o.probability, prob, abs_tol=1e-12)
        bob = joint.ptrace(2) / prob
        assert_allclose(o.bob_uncorrected.full(), bob.full(), atol=1e-12)
        assert_allclose(o.bob_corrected.full(), (c * bob * c.dag()).full(), atol=1e-12)


def test_noise_leaves_bob_before_message_alone():
    resource = qutip.rand_dm([2, 2], seed=9)
    result = teleport(ZERO, resource, measurement_noise=0.4, correction_noise=0.7)
    assert_allclose(result.bob_before_message.full(), resource.ptrace(1).full(), atol=1e-12)


# ------------------------------------------------------------------ classical limit


def test_classical_limit_constant():
    assert CLASSICAL_FIDELITY_LIMIT == pytest.approx(2 / 3)  # [MP95]


@pytest.mark.parametrize("axis", ["x", "y", "z", [1, 1, 0], [0.3, -0.2, 0.9]])
def test_measure_and_prepare_averages_two_thirds(axis):
    # [MP95]: (1 + (n·r)^2)/2 averaged over the sphere = 2/3.
    # Exact over the stabilizer 2-design ...
    exact = np.mean([fidelity(measure_and_prepare(k, axis), k) for k in STABILIZER_STATES])
    assert math.isclose(exact, CLASSICAL_FIDELITY_LIMIT, abs_tol=1e-12)
    # ... and by Monte Carlo over Haar-random inputs (4 standard errors).
    rng = np.random.default_rng(5)
    samples = np.array(
        [fidelity(measure_and_prepare(k, axis), k) for k in (qutip.rand_ket(2, seed=rng) for _ in range(1000))]
    )
    stderr = samples.std(ddof=1) / math.sqrt(samples.size)
    assert abs(samples.mean() - 2 / 3) <= 4 * stderr


def test_measure_and_prepare_output():
    plus = (ZERO + ONE).unit()
    assert_allclose(measure_and_prepare(plus, "x").full(), qutip.ket2dm(plus).full(), atol=1e-12)
    assert_allclose(measure_and_prepare(plus, "z").full(), np.eye(2) / 2, atol=1e-12)
    # Bloch vector shrinks onto the axis: r -> (n·r) n.
    rho = qutip.rand_dm(2, seed=2)
    n = np.array([1.0, 2.0, 2.0]) / 3.0
    r = bloch_vector(rho)
    assert_allclose(bloch_vector(measure_and_prepare(rho, 3 * n)), (n @ r) * n, atol=1e-12)


def test_teleportation_beats_classical_limit_iff_f_above_half():
    for fid in WERNER_FIDS:
        above = teleportation_fidelity(werner_state(fid)) > CLASSICAL_FIDELITY_LIMIT + 1e-12
        assert above == (fid > 0.5)


# ------------------------------------------------------------------ Bloch vector


def test_bloch_vector_of_stabilizer_states():
    expected = [[0, 0, 1], [0, 0, -1], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]]
    for k, e in zip(STABILIZER_STATES, expected):
        assert_allclose(bloch_vector(k), e, atol=1e-12)
        assert_allclose(bloch_vector(qutip.ket2dm(k)), e, atol=1e-12)
    assert_allclose(bloch_vector(qutip.qeye(2) / 2), [0, 0, 0], atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(density_matrices(n_qubits=1))
def test_bloch_vector_reconstructs_state(rho):
    r = bloch_vector(rho)
    assert r.shape == (3,) and np.linalg.norm(r) <= 1 + 1e-10
    rebuilt = (qutip.qeye(2) + r[0] * qutip.sigmax() + r[1] * SY + r[2] * qutip.sigmaz()) / 2
    assert_allclose(rebuilt.full(), rho.full(), atol=1e-12)


# ------------------------------------------------------------------ properties


@settings(max_examples=60, deadline=None)
@given(density_matrices(n_qubits=1), density_matrices(n_qubits=2), probabilities, probabilities)
def test_teleport_outputs_are_valid(state, resource, p, q):
    result = teleport(state, resource, measurement_noise=p, correction_noise=q)
    assert_valid_qubit_dm(result.output)
    assert_valid_qubit_dm(result.bob_before_message)
    probs = result.probabilities
    assert np.all(probs >= -1e-12)
    assert math.isclose(probs.sum(), 1.0, abs_tol=1e-10)
    for o in result.outcomes:
        assert_valid_qubit_dm(o.bob_uncorrected)
        assert_valid_qubit_dm(o.bob_corrected)
    # The output is the probability-weighted mix of the corrected outcomes.
    mix = sum(o.probability * o.bob_corrected.full() for o in result.outcomes)
    assert_allclose(result.output.full(), mix, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(kets(n_qubits=1), density_matrices(n_qubits=2))
def test_fidelities_in_range_and_ordered(psi, resource):
    opt = teleportation_fidelity(resource)
    std = standard_teleportation_fidelity(resource)
    assert 0.5 - 1e-12 <= opt <= 1.0
    assert 1 / 3 - 1e-12 <= std <= opt + 1e-12
    assert 0.0 <= fidelity(teleport(psi, resource).output, psi) <= 1.0


# ------------------------------------------------------------------ bad input


def test_bad_state():
    with pytest.raises(ValueError, match=r"state must be a 1-qubit state, got a 2-qubit state"):
        teleport(PHI_PLUS)
    with pytest.raises(TypeError, match=r"state must be a qutip.Qobj.*got ndarray"):
        teleport(np.eye(2) / 2)
    with pytest.raises(ValueError, match=r"state must have trace 1, got trace 2"):
        teleport(qutip.qeye(2))
    with pytest.raises(ValueError, match=r"state must be a 1-qubit state"):
        bloch_vector(PHI_PLUS)
    with pytest.raises(ValueError, match=r"state must be a normalised ket"):
        measure_and_prepare(ZERO + ONE, "z")
    with pytest.raises(ValueError, match=r"state must be a state of qubits.*got subsystem dimensions \[3\]"):
        teleport(qutip.basis(3, 0))


def test_bad_resource():
    with pytest.raises(ValueError, match=r"resource must be a 2-qubit state, got a 1-qubit state"):
        teleport(ZERO, qutip.ket2dm(ZERO))
    with pytest.raises(ValueError, match=r"resource must be a 2-qubit state, got a 3-qubit"):
        teleport(ZERO, qutip.tensor(PHI_PLUS, qutip.ket2dm(ZERO)))
    with pytest.raises(TypeError, match=r"resource must be a qutip.Qobj.*got str"):
        teleport(ZERO, "phi+")
    with pytest.raises(ValueError, match=r"resource must be positive semidefinite"):
        teleport(ZERO, qutip.Qobj(np.diag([1.5, -0.5, 0, 0]), dims=[[2, 2], [2, 2]]))
    for func in (teleportation_fidelity, standard_teleportation_fidelity):
        with pytest.raises(ValueError, match=r"resource must be a 2-qubit state, got a 1-qubit"):
            func(qutip.ket2dm(ZERO))
        with pytest.raises(TypeError, match=r"resource must be a two-qubit qutip.Qobj.*got str"):
            func("phi+")
        with pytest.raises(ValueError, match=r"shape \(N, 4, 4\), got shape \(3, 2, 2\)"):
            func(np.zeros((3, 2, 2)))
        with pytest.raises(TypeError, match=r"resource must hold numbers, got an array of dtype"):
            func(np.full((1, 4, 4), "a"))


def test_bad_resource_array_names_index():
    batch = np.array([werner_state(f).full() for f in (0.5, 0.7, 0.9)])
    nan = batch.copy()
    nan[1, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"finite numbers, got a non-finite entry in resource\[1\]"):
        teleportation_fidelity(nan)
    bad_trace = batch.copy()
    bad_trace[2] *= 2
    with pytest.raises(ValueError, match=r"trace 1, got trace 2 for resource\[2\]"):
        teleportation_fidelity(bad_trace)
    non_herm = batch.copy()
    non_herm[0, 0, 1] = 0.3
    with pytest.raises(ValueError, match=r"Hermitian.*resource\[0\]"):
        standard_teleportation_fidelity(non_herm)
    negative = batch.copy()
    negative[1] = np.diag([1.5, -0.5, 0, 0])
    with pytest.raises(ValueError, match=r"positive semidefinite.*resource\[1\]"):
        teleportation_fidelity(negative)
    with pytest.raises(ValueError, match=r"resource\[1\] must be a 2-qubit state"):
        teleportation_fidelity([PHI_PLUS, qutip.ket2dm(ZERO)])


@pytest.mark.parametrize("name", ["measurement_noise", "correction_noise"])
def test_bad_noise(name):
    with pytest.raises(ValueError, match=rf"{name} must be in \[0, 1\], got 1.3"):
        teleport(ZERO, **{name: 1.3})
    with pytest.raises(ValueError, match=rf"{name} must be in \[0, 1\], got -0.1"):
        teleport(ZERO, **{name: -0.1})
    with pytest.raises(ValueError, match=rf"{name} must be a finite real number, got nan"):
        teleport(ZERO, **{name: float("nan")})
    with pytest.raises(TypeError, match=rf"{name} must be a real number.*got '0.1'"):
        teleport(ZERO, **{name: "0.1"})
    with pytest.raises(TypeError, match=rf"{name} must be a real number, not a bool"):
        teleport(ZERO, **{name: True})


def test_noise_is_keyword_only():
    with pytest.raises(TypeError):
        teleport(ZERO, PHI_PLUS, 0.1)


def test_bad_axis():
    with pytest.raises(ValueError, match=r"axis must be one of 'x', 'y', 'z', got 'w'"):
        measure_and_prepare(ZERO, "w")
    with pytest.raises(ValueError, match=r"axis must be a non-zero 3-vector, got \[0.0, 0.0, 0.0\]"):
        measure_and_prepare(ZERO, [0, 0, 0])
    with pytest.raises(ValueError, match=r"axis must be 'x', 'y', 'z' or a 3-vector, got shape \(2,\)"):
        measure_and_prepare(ZERO, [1, 0])
    with pytest.raises(ValueError, match=r"axis must contain only finite real numbers, got .*nan"):
        measure_and_prepare(ZERO, [np.nan, 0, 1])
    with pytest.raises(TypeError, match=r"axis must be 'x', 'y', 'z' or a 3-vector, got 1"):
        measure_and_prepare(ZERO, 1)
    with pytest.raises(TypeError, match=r"axis must hold real numbers, not complex"):
        measure_and_prepare(ZERO, [1j, 0, 0])


@settings(max_examples=20, deadline=None)
@given(st.floats(min_value=1.0 + 1e-6, max_value=1e6) | st.floats(max_value=-1e-6, min_value=-1e6))
def test_out_of_range_noise_always_refused(p):
    with pytest.raises(ValueError, match=r"measurement_noise must be in \[0, 1\]"):
        teleport(ZERO, measurement_noise=p)


# --- the numpy fast path of teleport, against an independent QuTiP computation ---

from _qutip_reference import BELL_KETS, as_dm, depolarize_qubit  # noqa: E402
from conftest import density_matrices as _random_dms  # noqa: E402

# Bob's correction Z^m1 X^m2 for phi+, phi-, psi+, psi- (Nielsen & Chuang, Sec. 1.3.7)
_QT_CORR = [qutip.qeye(2), qutip.sigmaz(), qutip.sigmax(), qutip.sigmaz() * qutip.sigmax()]


def _qutip_teleport(state, resource, p, q):
    """Bell measurement on qubits 0, 1 of state ⊗ resource, correction on 2, all with qutip."""
    joint = qutip.tensor(as_dm(state), as_dm(resource))
    if p > 0:
        joint = depolarize_qubit(depolarize_qubit(joint, 0, p), 1, p)
    unnorm, corrected = [], []
    for ket, corr in zip(BELL_KETS, _QT_CORR):
        proj = qutip.tensor(ket * ket.dag(), qutip.qeye(2))
        m = (proj * joint * proj).ptrace([2])
        c = corr * m * corr.dag()
        if q > 0:
            c = depolarize_qubit(c, 0, q)
        unnorm.append(m)
        corrected.append(c)
    return unnorm, corrected


@settings(max_examples=80, deadline=None)
@given(_random_dms(1), _random_dms(2), st.sampled_from([0.0, 0.07, 1.0]), st.sampled_from([0.0, 0.2, 1.0]),
       st.booleans())
def test_teleport_equals_qutip_computation(state, resource, p, q, as_ket):
    # arbitrary (non-Werner, non-Bell-diagonal, mixed or pure) resources and inputs
    if as_ket:  # a pure input given as a ket
        vals, vecs = np.linalg.eigh(state.full())
        state = qutip.Qobj(vecs[:, -1:], dims=[[2], [1]])
    unnorm, corrected = _qutip_teleport(state, resource, p, q)
    result = teleport(state, resource, measurement_noise=p, correction_noise=q)
    assert_allclose(result.output.full(), sum(corrected).full(), atol=1e-12, rtol=0)
    assert_allclose(result.bob_before_message.full(), sum(unnorm).full(), atol=1e-12, rtol=0)
    for o, m, c in zip(result.outcomes, unnorm, corrected):
        prob = float(np.real(m.tr()))
        assert abs(o.probability - prob) < 1e-12
        assert o.bob_corrected.dims == o.bob_uncorrected.dims == [[2], [2]]
        if prob > 1e-12:
            assert_allclose(o.probability * o.bob_uncorrected.full(), m.full(), atol=1e-12, rtol=0)
            assert_allclose(o.probability * o.bob_corrected.full(), c.full(), atol=1e-12, rtol=0)
        else:
            assert_allclose(o.bob_corrected.full(), np.eye(2) / 2, atol=0, rtol=0)


def test_teleport_default_resource_is_phi_plus_built_with_qutip():
    psi = (qutip.basis(2, 0) + (0.3 - 0.4j) * qutip.basis(2, 1)).unit()
    assert_allclose(teleport(psi).output.full(), teleport(psi, BELL_KETS[0]).output.full(), atol=1e-12, rtol=0)
    assert_allclose(teleport(psi).output.full(), qutip.ket2dm(psi).full(), atol=1e-12, rtol=0)


_BAD_QUBITS = [
    ("not a Qobj", np.eye(2) / 2),
    ("non-Hermitian", qutip.Qobj([[0.5, 0.2], [0.0, 0.5]])),
    ("trace 2", qutip.qeye(2)),
    ("negative eigenvalue", qutip.Qobj([[1.1, 0], [0, -0.1]])),
    ("unnormalised ket", 2 * qutip.basis(2, 0)),
    ("bra", qutip.basis(2, 0).dag()),
    ("two qubits", qutip.qeye([2, 2]) / 4),
    ("qutrit", qutip.qeye(3) / 3),
]


@pytest.mark.parametrize("label, bad", _BAD_QUBITS, ids=[b[0] for b in _BAD_QUBITS])
def test_teleport_bad_state_raises_the_checkers_error(label, bad):
    from qlib._validation import check_density_matrix

    with pytest.raises((TypeError, ValueError)) as expected:
        check_density_matrix("state", bad, n_qubits=1)
    with pytest.raises(type(expected.value)) as got:
        teleport(bad, werner_state(0.9))
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("bad", [qutip.Qobj(np.diag([1.2, -0.2, 0, 0]), dims=[[2, 2], [2, 2]]),
                                 qutip.qeye([2, 2]) / 2, 2 * BELL_KETS[1], qutip.qeye(2) / 2])
def test_teleport_bad_resource_raises_the_checkers_error(bad):
    from qlib._validation import check_density_matrix

    with pytest.raises((TypeError, ValueError)) as expected:
        check_density_matrix("resource", bad, n_qubits=2)
    with pytest.raises(type(expected.value)) as got:
        teleport(qutip.basis(2, 0), bad)
    assert str(got.value) == str(expected.value)


@settings(max_examples=60, deadline=None)
@given(_random_dms(1), st.sampled_from([0.0, 5e-9, -5e-9, 2e-8, -2e-8]), st.sampled_from([0.0, 3e-9j, 2e-8j]))
def test_fast_qubit_check_agrees_with_check_density_matrix(rho, shift, skew):
    # teleport's closed-form 2x2 check accepts and refuses exactly what check_density_matrix does
    from qlib._validation import check_density_matrix, density_matrix_array

    vals, vecs = np.linalg.eigh(rho.full())
    vals = vals + np.array([shift, -shift])  # moves the smaller eigenvalue by `shift`, keeps the trace
    mat = vecs @ np.diag(vals) @ vecs.conj().T + np.array([[0, skew], [0, 0]])
    state = qutip.Qobj(mat)
    try:
        expected = check_density_matrix("state", state, n_qubits=1).full()
    except ValueError as err:
        with pytest.raises(ValueError, match=None) as got:
            density_matrix_array("state", state, 1)
        assert str(got.value) == str(err)
    else:
        assert_allclose(density_matrix_array("state", state, 1), expected, atol=0, rtol=0)
