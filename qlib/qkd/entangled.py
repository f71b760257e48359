r"""Entanglement-based QKD: E91 and BBM92 sampled from a shared two-qubit state.

- E91 (Ekert, PRL 67, 661 (1991)) and BBM92 (Bennett, Brassard & Mermin, PRL
  68, 557 (1992)), sampled from the outcome probabilities of a shared
  two-qubit density matrix: :func:`measurement_probabilities`,
  :func:`simulate_entangled_qkd`, returning an :class:`EntangledRun` with the
  CHSH value estimated from the data; Ekert's measurement angles
  :data:`E91_ALICE_ANGLES` and :data:`E91_BOB_ANGLES`.

Conventions
-----------
States are ``qutip.Qobj`` density matrices with dims ``[[2, 2], [2, 2]]``
(qubit 0 is Alice's); measurement directions are angles in radians in the
x–z plane of the Bloch sphere (0 = Z, π/2 = X), as in :func:`qlib.correlation`;
a ±1 outcome is coded as the bit 0 for +1 and 1 for −1, as in
:mod:`qlib.qkd.prepare_measure`. Error rates are per sifted pair. Introduced
in the chapter *QKD: from photons to a secret key*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._linalg import clip_unit
from .._validation import (
    check_choice,
    check_density_matrix,
    check_generator,
    check_int,
    check_real,
)
from ..quantum.metrics import chsh_expectation, chsh_value
from ..quantum.states import bell_state

__all__ = [
    "E91_ALICE_ANGLES",
    "E91_BOB_ANGLES",
    "EntangledRun",
    "measurement_probabilities",
    "simulate_entangled_qkd",
]

#: E91 measurement angles (radians, x–z plane, 0 = Z, π/2 = X) of Alice and Bob:
#: Ekert's 0°, 45°, 90° and 45°, 90°, 135° (PRL 67, 661 (1991)), as angles of
#: the Bloch vector, in the convention of :func:`qlib.correlation`.
E91_ALICE_ANGLES = (0.0, math.pi / 4, math.pi / 2)
E91_BOB_ANGLES = (math.pi / 4, math.pi / 2, 3 * math.pi / 4)


def measurement_probabilities(rho, angle_a, angle_b) -> np.ndarray:
    r"""Joint outcome probabilities of ±1 measurements on a two-qubit state.

    .. math::

        P(x, y) = \mathrm{tr}\bigl[\rho\,\Pi_a^{x}\otimes\Pi_b^{y}\bigr], \qquad
        \Pi_a^{x} = \tfrac12\bigl(I + (-1)^x(\cos a\,Z + \sin a\,X)\bigr).

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted).
    angle_a, angle_b : float
        Measurement angles (radians, x–z plane: 0 = Z, π/2 = X), as in
        :func:`qlib.correlation`.

    Returns
    -------
    numpy.ndarray
        Shape (2, 2): ``P[x, y]``, x Alice's bit and y Bob's (bit 0 = outcome +1).

    Raises
    ------
    TypeError, ValueError
        Invalid ``rho`` or angles.

    Notes
    -----
    ``P[0,0] + P[1,1] - P[0,1] - P[1,0]`` is :func:`qlib.correlation`. Introduced
    in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import measurement_probabilities, bell_state
    >>> measurement_probabilities(bell_state("phi+"), 0.0, 0.0).round(6).tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    """
    mat = check_density_matrix("rho", rho, n_qubits=2).full()
    a = check_real("angle_a", angle_a)
    b = check_real("angle_b", angle_b)
    return _joint_probabilities(mat, a, b)


_Z = np.array([[1, 0], [0, -1]], dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)


def _projectors(angle):
    obs = math.cos(angle) * _Z + math.sin(angle) * _X
    eye = np.eye(2)
    return ((eye + obs) / 2, (eye - obs) / 2)


def _joint_probabilities(mat, a, b):
    pa, pb = _projectors(a), _projectors(b)
    p = np.array([[np.real(np.trace(mat @ np.kron(pa[x], pb[y]))) for y in (0, 1)] for x in (0, 1)])
    return clip_unit(p, "a joint outcome probability")


@dataclass(frozen=True)
class EntangledRun:
    """One simulated run of E91 or BBM92 (:func:`simulate_entangled_qkd`).

    Attributes
    ----------
    protocol : str
        ``"e91"`` or ``"bbm92"``.
    alice_angles, bob_angles : tuple of float
        The measurement angles each side chooses among (radians).
    alice_settings, bob_settings : numpy.ndarray of uint8
        Index of the angle each side chose, per pair.
    alice_bits, bob_bits : numpy.ndarray of uint8
        Outcomes, bit 0 for +1 and 1 for −1.
    sifted : numpy.ndarray of bool
        Pairs measured along the same direction: they make the key.
    alice_key, bob_key : numpy.ndarray of uint8
        The sifted bits.
    qber : float
        Error fraction of the sifted key (NaN if it is empty).
    chsh : float
        CHSH value S estimated from the E91 test pairs (NaN for BBM92).
    chsh_std : float
        Its standard error, :math:`\\sqrt{\\sum (1-\\hat E^2)/N}` (NaN for BBM92).
    chsh_exact : float
        S of the state at the E91 test angles, from :func:`qlib.chsh_expectation`.
    chsh_max : float
        The state's largest CHSH value over all settings, :func:`qlib.chsh_value`.
    """

    protocol: str
    alice_angles: tuple
    bob_angles: tuple
    alice_settings: np.ndarray
    bob_settings: np.ndarray
    alice_bits: np.ndarray
    bob_bits: np.ndarray
    sifted: np.ndarray
    alice_key: np.ndarray
    bob_key: np.ndarray
    qber: float
    chsh: float
    chsh_std: float
    chsh_exact: float
    chsh_max: float

    @property
    def n_pairs(self) -> int:
        return int(self.alice_bits.size)


def simulate_entangled_qkd(n_pairs, state=None, *, protocol="e91", seed=None, rng=None) -> EntangledRun:
    r"""Sample an E91 or BBM92 run from a shared two-qubit state.

    Parameters
    ----------
    n_pairs : int
        Pairs measured, ``>= 1``.
    state : qutip.Qobj, optional
        The pair's density matrix (a ket is accepted); default the perfect Φ+
        (``qlib.bell_state("phi+")``), e.g. ``qlib.werner_state(F)`` or a pair
        sent through ``qlib.depolarize``.
    protocol : {"e91", "bbm92"}
        E91: Alice measures at 0, π/4 or π/2 and Bob at π/4, π/2 or 3π/4
        (:data:`E91_ALICE_ANGLES`, :data:`E91_BOB_ANGLES`), each uniformly;
        pairs with equal angles make the key, the pairs with Alice in {0, π/2}
        and Bob in {π/4, 3π/4} test CHSH. BBM92: both measure Z or X uniformly;
        equal bases make the key, and the error rate in both bases is the test.
    seed, rng
        Randomness (as in :func:`qlib.simulate_bb84`).

    Returns
    -------
    EntangledRun

    Raises
    ------
    TypeError, ValueError
        Invalid ``n_pairs``, ``state`` or ``protocol``.

    Notes
    -----
    For each pair the settings are drawn, then the two outcomes are sampled
    from :func:`measurement_probabilities` of the state. The estimated
    :math:`S = E(a_0,b_0) - E(a_0,b_1) + E(a_1,b_0) + E(a_1,b_1)` with
    :math:`a_0 = 0, a_1 = \pi/2, b_0 = \pi/4, b_1 = 3\pi/4` is :math:`2\sqrt2`
    for Φ+ and :math:`2\sqrt2(4F-1)/3` for the Werner pair of fidelity F, whose
    key has QBER :math:`2(1-F)/3`. Ekert used the singlet, whose outcomes are
    anticorrelated; with the book's Φ+ they are equal. Ekert, PRL 67, 661
    (1991); Bennett, Brassard & Mermin, PRL 68, 557 (1992). Introduced in the
    chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import simulate_entangled_qkd
    >>> run = simulate_entangled_qkd(90_000, seed=3)
    >>> run.qber, round(run.chsh_exact, 4), abs(run.chsh - run.chsh_exact) < 4 * run.chsh_std
    (0.0, 2.8284, True)
    """
    n = check_int("n_pairs", n_pairs, minimum=1)
    protocol = check_choice("protocol", protocol, ("e91", "bbm92"))
    rho = bell_state("phi+") if state is None else check_density_matrix("state", state, n_qubits=2)
    gen = check_generator(seed, rng)
    mat = rho.full()
    if protocol == "e91":
        a_angles, b_angles = E91_ALICE_ANGLES, E91_BOB_ANGLES
    else:
        a_angles = b_angles = (0.0, math.pi / 2)
    na, nb = len(a_angles), len(b_angles)
    table = np.array([[_joint_probabilities(mat, a, b).ravel() for b in b_angles] for a in a_angles])
    cum = np.cumsum(table.reshape(na * nb, 4), axis=1)
    cum[:, -1] = 1.0
    sa = gen.integers(0, na, size=n, dtype=np.uint8)
    sb = gen.integers(0, nb, size=n, dtype=np.uint8)
    u = gen.random(n)
    outcome = (u[:, None] >= cum[sa.astype(np.int64) * nb + sb][:, :3]).sum(axis=1)
    alice_bits = (outcome // 2).astype(np.uint8)
    bob_bits = (outcome % 2).astype(np.uint8)
    same = np.isclose(np.asarray(a_angles)[sa], np.asarray(b_angles)[sb])
    key_a, key_b = alice_bits[same], bob_bits[same]
    qber = float(np.count_nonzero(key_a != key_b) / key_a.size) if key_a.size else math.nan

    a0, a1, b0, b1 = 0.0, math.pi / 2, math.pi / 4, 3 * math.pi / 4
    exact = float(chsh_expectation(rho, a0, a1, b0, b1))
    s_hat, s_std = math.nan, math.nan
    if protocol == "e91":
        sign = 1.0 - 2.0 * (alice_bits ^ bob_bits)  # product of the ±1 outcomes
        s_hat, var = 0.0, 0.0
        for ia, ib, weight in ((0, 0, 1), (0, 2, -1), (2, 0, 1), (2, 2, 1)):
            mask = (sa == ia) & (sb == ib)
            m = int(np.count_nonzero(mask))
            if m == 0:
                s_hat, var = math.nan, math.nan
                break
            e = float(sign[mask].mean())
            s_hat += weight * e
            var += (1.0 - e * e) / m
        s_std = math.sqrt(var) if np.isfinite(var) else math.nan
    return EntangledRun(
        protocol=protocol,
        alice_angles=tuple(a_angles),
        bob_angles=tuple(b_angles),
        alice_settings=sa,
        bob_settings=sb,
        alice_bits=alice_bits,
        bob_bits=bob_bits,
        sifted=same,
        alice_key=key_a,
        bob_key=key_b,
        qber=qber,
        chsh=float(s_hat),
        chsh_std=float(s_std),
        chsh_exact=exact,
        chsh_max=float(chsh_value(rho)),
    )
