"""Quantum teleportation of one qubit through a (possibly noisy) shared pair.

Conventions (fixed for the whole book, see docs/architecture.md):

- three qubits: qubit 0 is the input state (held by Alice), qubits 1 and 2
  are the resource pair, qubit 1 Alice's half and qubit 2 Bob's half; qubit 0
  is the left factor of ``qutip.tensor``; the ideal resource is Φ+;
- states are density matrices (``qutip.Qobj``); a ket is accepted as input
  and converted;
- fidelity is the squared one, :math:`F = \\langle\\psi|\\rho|\\psi\\rangle`;
- depolarizing with probability p is :math:`\\rho \\to (1-p)\\rho + p\\,I/2`.

The protocol is that of C. H. Bennett, G. Brassard, C. Crépeau, R. Jozsa,
A. Peres and W. K. Wootters, Phys. Rev. Lett. 70, 1895 (1993). Introduced in
the chapter *Teleportation*.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import qutip

from .._validation import (
    ATOL,
    check_choice,
    check_density_matrix,
    check_probability,
    check_real_array,
    density_matrix_array,
)
from .._linalg import BELL_KETS, clip_unit, qubit_qobj
from .._linalg import I2 as _I2
from .._linalg import X as _X
from .._linalg import Y as _Y
from .._linalg import Z as _Z
from .metrics import _MAGIC
from .states import BELL_NAMES

__all__ = [
    "CLASSICAL_FIDELITY_LIMIT",
    "TeleportationOutcome",
    "TeleportationResult",
    "teleport",
    "teleportation_fidelity",
    "standard_teleportation_fidelity",
    "measure_and_prepare",
    "bloch_vector",
]

#: Best average fidelity of a classical (measure-and-prepare) strategy for an
#: unknown pure qubit state: 2/3 (S. Massar and S. Popescu, PRL 74, 1259 (1995)).
CLASSICAL_FIDELITY_LIMIT: float = 2.0 / 3.0

_PAULI_VEC = np.array([_X, _Y, _Z])

# Bell kets as 2x2 amplitude arrays B[k, a, b] = <ab|B_k>, k in BELL_NAMES order.
_BELL = BELL_KETS.T.reshape(4, 2, 2)
# Alice's two bits (m1, m2) for each Bell outcome: the Bell measurement done as
# CNOT(0 -> 1), Hadamard on 0, then qubit 0 read as m1 and qubit 1 as m2
# (Nielsen & Chuang, Fig. 1.13), which maps Φ+ → 00, Φ− → 10, Ψ+ → 01, Ψ− → 11.
_BITS = ((0, 0), (1, 0), (0, 1), (1, 1))
# Bob's correction Z^m1 X^m2 for each outcome.
_CORRECTIONS = np.array([_I2, _Z, _X, _Z @ _X])

# Outcomes with probability below this have no well-defined conditional state.
_ZERO_PROBABILITY = 1e-12

_HALF_I2 = _I2 / 2.0
_PHI_PLUS = np.outer(_BELL[0].ravel(), _BELL[0].ravel().conj())

# The whole protocol as one precomputed linear map of the resource. With
# U[k, a, x, c, z, (b, c', y, z')] = conj(B_k[a, b]) B_k[x, y] delta(c, c') delta(z, z'),
# M_k[c, z] = sum_{a, x} rho_in[a, x] (U rho_r)[k, a, x, c, z]  (b, y traced with the projector);
# _TELEPORT_W stacks U, the corrected C_k U C_k^dag and the two sums over k (rows of teleport).
_U = np.einsum("kab,kxy,cd,ze->kaxczbdye", _BELL.conj(), _BELL, _I2, _I2).reshape(4, 2, 2, 2, 2, 16)
_UC = np.einsum("kec,kaxczr,kfz->kaxefr", _CORRECTIONS, _U, _CORRECTIONS.conj())
_TELEPORT_W = np.concatenate([_U, _UC, _UC.sum(axis=0)[None], _U.sum(axis=0)[None]]).reshape(160, 16)


def _qobj(mat: np.ndarray) -> qutip.Qobj:
    """One-qubit density matrix (already Hermitian, a C-contiguous 2x2 block) as a Qobj."""
    return qubit_qobj(mat)


@dataclass(frozen=True)
class TeleportationOutcome:
    r"""One of the four outcomes of Alice's Bell measurement.

    Attributes
    ----------
    bits : tuple of (int, int)
        The two classical bits :math:`(m_1, m_2)` Alice sends: Φ+ → (0, 0),
        Φ− → (1, 0), Ψ+ → (0, 1), Ψ− → (1, 1). Bob applies
        :math:`Z^{m_1} X^{m_2}`.
    bell_name : str
        Alice's Bell outcome, one of :data:`~qlib.quantum.states.BELL_NAMES`.
    probability : float
        Probability of this outcome.
    bob_uncorrected : qutip.Qobj
        Bob's qubit given this outcome, before the correction.
    bob_corrected : qutip.Qobj
        Bob's qubit given this outcome, after the Pauli correction (and after
        the correction noise, if any).

    Notes
    -----
    An outcome of probability below 1e-12 has no well-defined conditional
    state; both ``bob_uncorrected`` and ``bob_corrected`` are then reported
    as :math:`I/2`, so that every field is a valid density matrix. Such an
    outcome contributes nothing to :attr:`TeleportationResult.output`.
    """

    bits: tuple[int, int]
    bell_name: str
    probability: float
    bob_uncorrected: qutip.Qobj
    bob_corrected: qutip.Qobj


@dataclass(frozen=True)
class TeleportationResult:
    r"""Everything :func:`teleport` computes.

    Attributes
    ----------
    output : qutip.Qobj
        Bob's qubit after the correction, averaged over the four outcomes:
        :math:`\sum_k p_k\,\rho_k^{\mathrm{corr}}`.
    outcomes : tuple of TeleportationOutcome
        The four outcomes in the order of :data:`~qlib.quantum.states.BELL_NAMES`.
    bob_before_message : qutip.Qobj
        Bob's qubit averaged over the outcomes with *no* correction: what Bob
        holds before the classical bits arrive. It equals the reduced state
        of Bob's half of the resource, whatever the input — :math:`I/2` for a
        maximally entangled resource. This is why teleportation sends no
        information faster than light.
    """

    output: qutip.Qobj
    outcomes: tuple[TeleportationOutcome, ...]
    bob_before_message: qutip.Qobj

    @property
    def probabilities(self) -> np.ndarray:
        """The four outcome probabilities, shape ``(4,)``, BELL_NAMES order."""
        return np.array([o.probability for o in self.outcomes])


def teleport(
    state,
    resource: qutip.Qobj | None = None,
    *,
    measurement_noise: float = 0.0,
    correction_noise: float = 0.0,
) -> TeleportationResult:
    r"""Teleport one qubit through a shared two-qubit resource.

    Alice holds the input (qubit 0) and half of the resource (qubit 1); Bob
    holds qubit 2. Alice measures qubits 0 and 1 in the Bell basis, outcome
    :math:`k` with projector :math:`P_k = |B_k\rangle\langle B_k| \otimes I`,
    sends two bits, and Bob applies the Pauli correction :math:`C_k`:

    .. math::

        p_k = \mathrm{tr}\,[P_k\,(\rho_{\mathrm{in}} \otimes \rho_R)], \qquad
        \rho_k = \frac{\mathrm{tr}_{01}[P_k\,(\rho_{\mathrm{in}} \otimes \rho_R)]}{p_k},
        \qquad
        \rho_{\mathrm{out}} = \sum_k p_k\, C_k \rho_k C_k^\dagger,

    with :math:`C = I, Z, X, ZX` for :math:`B = \Phi^+, \Phi^-, \Psi^+, \Psi^-`.
    For the resource Φ+ the output equals the input.

    Parameters
    ----------
    state : qutip.Qobj
        One-qubit input, ket or density matrix.
    resource : qutip.Qobj, optional
        Two-qubit density matrix (or ket) shared by Alice (qubit 0 of the
        pair) and Bob (qubit 1 of the pair). ``None`` (default) means Φ+.
    measurement_noise : float
        Probability p in [0, 1] with which each of qubits 0 and 1 is
        depolarized, independently, just before the Bell measurement
        (a noisy Bell-state analyser).
    correction_noise : float
        Probability q in [0, 1] with which Bob's qubit is depolarized just
        after the correction (a noisy Pauli gate).

    Returns
    -------
    TeleportationResult
        ``output`` (Bob's corrected state averaged over outcomes),
        ``outcomes`` (the four :class:`TeleportationOutcome`), and
        ``bob_before_message``; ``.probabilities`` gives the four
        :math:`p_k`.

    Raises
    ------
    TypeError
        ``state`` or ``resource`` is not a ``qutip.Qobj``; a noise parameter
        is not a real number.
    ValueError
        ``state`` is not a valid one-qubit state, ``resource`` not a valid
        two-qubit state, or a noise parameter is outside [0, 1] or NaN.

    See Also
    --------
    teleportation_fidelity : the optimal average fidelity of a resource.
    standard_teleportation_fidelity : the average fidelity of this protocol.

    Notes
    -----
    Bennett et al., PRL 70, 1895 (1993). The bits :math:`(m_1, m_2)` are those
    of the circuit form of the Bell measurement (CNOT from qubit 0 to 1,
    Hadamard on 0, read qubit 0 as :math:`m_1` and qubit 1 as :math:`m_2`):
    Φ+ → 00, Φ− → 10, Ψ+ → 01, Ψ− → 11, and Bob applies
    :math:`Z^{m_1} X^{m_2}` (Nielsen & Chuang, *Quantum Computation and
    Quantum Information*, Sec. 1.3.7). These corrections are the right ones
    for a Φ+ resource; with another resource they are applied unchanged.

    Noise model. Both noise channels are the book's depolarizing channel
    :math:`\rho \to (1-p)\rho + p\,I/2`. Because depolarizing qubit 0 or 1
    sends that qubit to :math:`I/2`, after which Bob's corrected qubit is
    :math:`I/2` whatever the resource, the output becomes

    .. math::

        \rho_{\mathrm{out}} \to (1-q)\left[(1-p)^2 \rho_{\mathrm{out}}
        + \left(1-(1-p)^2\right) \frac{I}{2}\right] + q\,\frac{I}{2},

    so every average fidelity :math:`F` becomes
    :math:`\tfrac12 + (1-q)(1-p)^2 (F - \tfrac12)`. The correction noise is
    included in each outcome's ``bob_corrected``; ``bob_before_message`` is
    unaffected by either kind of noise.

    Computed with numpy: the inputs are checked once on their arrays, Bob's
    ten matrices (four outcomes before and after the correction, the output,
    the state before the message) are two products with a precomputed linear
    map of the resource (the 8 × 8 state is never built), and each is one
    ``Qobj``; tested against the same steps done with QuTiP to 1e-12.
    Introduced in the chapter *Teleportation*.

    Examples
    --------
    >>> import qutip
    >>> from qlib import teleport, werner_state, fidelity
    >>> psi = (qutip.basis(2, 0) + 1j * qutip.basis(2, 1)).unit()
    >>> result = teleport(psi)
    >>> round(fidelity(result.output, psi), 6)
    1.0
    >>> result.probabilities.round(6).tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> [(o.bell_name, o.bits) for o in result.outcomes]
    [('phi+', (0, 0)), ('phi-', (1, 0)), ('psi+', (0, 1)), ('psi-', (1, 1))]
    >>> result.bob_before_message.full().real.round(6).tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    >>> round(fidelity(teleport(psi, werner_state(0.85)).output, psi), 6)
    0.9
    """
    rho_in = density_matrix_array("state", state, 1)
    if resource is None:
        rho_r = _PHI_PLUS
    else:
        rho_r = density_matrix_array("resource", resource, 2)
    p = check_probability("measurement_noise", measurement_noise)
    q = check_probability("correction_noise", correction_noise)

    if p > 0.0:
        # Depolarize qubit 0 (the input) and qubit 1 (Alice's half of the pair).
        rho_in = (1.0 - p) * rho_in + p * np.trace(rho_in) * _I2 / 2.0
        bob = np.einsum("abac->bc", rho_r.reshape(2, 2, 2, 2))
        rho_r = (1.0 - p) * rho_r + p * np.kron(_I2 / 2.0, bob)

    # Rows 0-3: Bob's unnormalised states M_k = tr_01[P_k (rho_in x rho_r)]; rows 4-7:
    # C_k M_k C_k^dag; row 8: their sum (the output); row 9: sum of M_k (before the
    # message). All ten are linear in rho_in x rho_r: two products with a precomputed map.
    g = (_TELEPORT_W @ rho_r.reshape(16)).reshape(10, 4, 4)  # [row, (a x), (c z)]
    mats = (rho_in.reshape(4) @ g).reshape(10, 2, 2)
    if q > 0.0:
        # depolarize Bob's corrected qubit: trace-preserving, so each row keeps its trace
        traces = (mats[4:9, 0, 0] + mats[4:9, 1, 1])[:, None, None]
        mats[4:9] = (1.0 - q) * mats[4:9] + q * traces * _HALF_I2
    probs = (mats[:4, 0, 0] + mats[:4, 1, 1]).real.tolist()
    half_scale = [0.5 / pk if pk > _ZERO_PROBABILITY else 0.0 for pk in probs]
    # normalise, and keep the Hermitian part (round-off): (M + M^dag) / 2
    mats = mats * np.array(half_scale + half_scale + [0.5, 0.5])[:, None, None]
    mats = mats + mats.conj().transpose(0, 2, 1)
    for k, pk in enumerate(probs):
        if pk <= _ZERO_PROBABILITY:  # no conditional state: reported as I/2
            mats[k] = mats[4 + k] = _HALF_I2
    outcomes = tuple(
        TeleportationOutcome(
            bits=_BITS[k],
            bell_name=name,
            probability=probs[k],
            bob_uncorrected=_qobj(mats[k]),
            bob_corrected=_qobj(mats[4 + k]),
        )
        for k, name in enumerate(BELL_NAMES)
    )
    return TeleportationResult(output=_qobj(mats[8]), outcomes=outcomes, bob_before_message=_qobj(mats[9]))


# ---------------------------------------------------------------------------
# Average fidelities of a resource
# ---------------------------------------------------------------------------


def _resource_matrices(resource) -> tuple[np.ndarray, bool]:
    """Validated resource(s) as a complex array of shape (..., 4, 4).

    Returns the array and whether the input was a single state (→ float out).
    """
    if isinstance(resource, qutip.Qobj):
        return check_density_matrix("resource", resource, n_qubits=2).full(), True
    if isinstance(resource, (list, tuple)) and resource and all(
        isinstance(r, qutip.Qobj) for r in resource
    ):
        mats = [
            check_density_matrix(f"resource[{i}]", r, n_qubits=2).full()
            for i, r in enumerate(resource)
        ]
        return np.array(mats), False
    if not isinstance(resource, np.ndarray):
        raise TypeError(
            "resource must be a two-qubit qutip.Qobj, a list of them, or a numpy "
            f"array of shape (N, 4, 4), got {type(resource).__name__}"
        )
    arr = resource
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.number) and not np.issubdtype(arr.dtype, np.timedelta64)
    ):
        raise TypeError(f"resource must hold numbers, got an array of dtype {arr.dtype}")
    if arr.ndim < 2 or arr.shape[-2:] != (4, 4):
        raise ValueError(
            f"resource must be an array of two-qubit density matrices, shape (N, 4, 4), "
            f"got shape {arr.shape}"
        )
    arr = arr.astype(complex)
    finite = np.isfinite(arr).all(axis=(-2, -1))
    if not finite.all():
        idx = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"resource must contain only finite numbers, got a non-finite entry in resource{list(idx)}"
        )
    herm_err = np.max(np.abs(arr - np.conj(np.swapaxes(arr, -1, -2))), axis=(-2, -1))
    if np.any(herm_err > ATOL):
        idx = tuple(int(i) for i in np.argwhere(herm_err > ATOL)[0])
        raise ValueError(
            f"resource must hold Hermitian matrices, got max |rho - rho.dag()| = "
            f"{float(herm_err[idx]):.3g} for resource{list(idx)}"
        )
    trace = np.real(np.trace(arr, axis1=-2, axis2=-1))
    if np.any(np.abs(trace - 1.0) > ATOL):
        idx = tuple(int(i) for i in np.argwhere(np.abs(trace - 1.0) > ATOL)[0])
        raise ValueError(
            f"resource must hold matrices of trace 1, got trace {float(trace[idx]):.10g} "
            f"for resource{list(idx)}"
        )
    min_eig = np.linalg.eigvalsh((arr + np.conj(np.swapaxes(arr, -1, -2))) / 2)[..., 0]
    if np.any(min_eig < -ATOL):
        idx = tuple(int(i) for i in np.argwhere(min_eig < -ATOL)[0])
        raise ValueError(
            f"resource must hold positive semidefinite matrices, got minimum eigenvalue "
            f"{float(min_eig[idx]):.6g} for resource{list(idx)}"
        )
    return arr, arr.ndim == 2


def _as_output(values: np.ndarray, single: bool):
    values = np.asarray(clip_unit(values, "a fidelity"))
    return float(values) if single else values


def teleportation_fidelity(resource):
    r"""Optimal average teleportation fidelity of a two-qubit resource.

    .. math::

        \bar F_{\max}(\rho) = \frac{2 f(\rho) + 1}{3}, \qquad
        f(\rho) = \max_{|\phi\rangle\ \text{max. entangled}}
                  \langle\phi|\rho|\phi\rangle,

    the average over all pure inputs (uniform on the Bloch sphere) of
    :math:`\langle\psi|\rho_{\mathrm{out}}|\psi\rangle`, with Bob's local
    corrections chosen optimally; :math:`f` is the fully entangled fraction
    (:func:`~qlib.quantum.metrics.fully_entangled_fraction`).

    Parameters
    ----------
    resource : qutip.Qobj, list of qutip.Qobj, or numpy.ndarray
        A two-qubit density matrix (or ket); a list of them; or an array of
        shape ``(N, 4, 4)`` (any leading shape ``(..., 4, 4)``) of density
        matrices in the basis :math:`|00\rangle, |01\rangle, |10\rangle, |11\rangle`
        (vectorised, for noise sweeps).

    Returns
    -------
    float or numpy.ndarray
        A float for one ``Qobj`` (or a single ``(4, 4)`` array); otherwise an
        array of the leading shape. Values in [1/2, 1].

    Raises
    ------
    TypeError
        ``resource`` is of another type, or an array of non-numbers.
    ValueError
        A state is not a valid two-qubit density matrix (wrong shape, NaN,
        not Hermitian, trace not 1, not positive semidefinite); the message
        names the offending index.

    See Also
    --------
    standard_teleportation_fidelity : the fidelity with the fixed corrections
        :func:`teleport` applies.

    Notes
    -----
    M. Horodecki, P. Horodecki and R. Horodecki, PRA 60, 1888 (1999): a
    teleportation scheme built from a Bell measurement and unitary
    corrections gives an average fidelity :math:`(2F_e+1)/3` in terms of
    the overlap :math:`F_e` of the resource with the maximally entangled
    state the scheme is built around; choosing that state optimally
    (equivalently, a unitary :math:`U` on Bob's qubit before the standard
    protocol) gives :math:`(2f+1)/3`. For :math:`f \le 1/2` this is at most
    2/3, the classical limit :data:`CLASSICAL_FIDELITY_LIMIT`, which a
    measure-and-prepare strategy reaches without any resource; such a
    resource is useless for teleportation as it stands (local operations and
    classical communication can raise :math:`f` above 1/2 for some entangled
    states: Badziąg, Horodecki, Horodecki and Horodecki, PRA 62, 012311
    (2000)). For a
    Werner state of fidelity :math:`F \ge 1/4` this is :math:`(2F+1)/3`;
    the maximally mixed resource gives 1/2.

    The array form computes :math:`f` as the top eigenvalue of the real part
    of ρ in the magic basis (Grondalski, Etlinger and James, Phys. Lett. A
    300, 573 (2002)), batched; 1,000 states take about 2 ms, checks included.
    Introduced in the chapter *Teleportation*.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib import teleportation_fidelity, werner_state, bell_state
    >>> round(teleportation_fidelity(werner_state(0.85)), 6)
    0.9
    >>> round(teleportation_fidelity(bell_state("psi-")), 6)
    1.0
    >>> sweep = np.array([werner_state(f).full() for f in (0.25, 0.5, 1.0)])
    >>> teleportation_fidelity(sweep).round(6).tolist()
    [0.5, 0.666667, 1.0]
    """
    mats, single = _resource_matrices(resource)
    magic = np.conj(_MAGIC.T) @ mats @ _MAGIC
    re = np.real(magic)
    fef = np.linalg.eigvalsh((re + np.swapaxes(re, -1, -2)) / 2)[..., -1]
    return _as_output((2.0 * fef + 1.0) / 3.0, single)


def standard_teleportation_fidelity(resource):
    r"""Average fidelity of the standard protocol (:func:`teleport`) with a resource.

    .. math::

        \bar F_{\mathrm{std}}(\rho) = \frac{2F + 1}{3}, \qquad
        F = \langle\Phi^+|\rho|\Phi^+\rangle,

    the average over all pure inputs of
    :math:`\langle\psi|\rho_{\mathrm{out}}|\psi\rangle` when Bob applies the
    corrections :math:`I, Z, X, ZX` meant for a Φ+ resource.

    Parameters
    ----------
    resource : qutip.Qobj, list of qutip.Qobj, or numpy.ndarray
        As in :func:`teleportation_fidelity`.

    Returns
    -------
    float or numpy.ndarray
        As in :func:`teleportation_fidelity`; values in [1/3, 1].

    Raises
    ------
    TypeError, ValueError
        As in :func:`teleportation_fidelity`.

    Notes
    -----
    With any resource ρ, the standard protocol is a Pauli channel whose
    weights are the Bell fidelities of ρ (S. Bowen and S. Bose, PRL 87,
    267901 (2001)): :math:`\rho_{\mathrm{in}} \mapsto \lambda_{\Phi^+}\rho_{\mathrm{in}}
    + \lambda_{\Phi^-} Z\rho_{\mathrm{in}} Z + \lambda_{\Psi^+} X\rho_{\mathrm{in}} X
    + \lambda_{\Psi^-} Y\rho_{\mathrm{in}} Y`, whose average fidelity is
    :math:`(2\lambda_{\Phi^+}+1)/3` (Horodecki, PRA 60, 1888 (1999)); the
    book's tests check this against :func:`teleport` for random resources.

    This falls short of the optimum :func:`teleportation_fidelity` whenever
    the resource is closer to another maximally entangled state than to Φ+.
    For the singlet Ψ− the standard corrections leave Bob with
    :math:`Y\rho_{\mathrm{in}}Y`, average fidelity 1/3 — worse than guessing —
    although Ψ− is a perfect resource: since
    :math:`(I\otimes Y)|\Psi^-\rangle = -i|\Phi^+\rangle`, Bob applying
    :math:`Y` to his half first (or composing it into his corrections)
    recovers fidelity 1. The two functions agree exactly when Φ+ is the
    maximally entangled state closest to ρ, e.g. for Werner states and
    Bell-diagonal states with :math:`\lambda_{\Phi^+}` the largest weight.
    Introduced in the chapter *Teleportation*.

    Examples
    --------
    >>> from qlib import standard_teleportation_fidelity, bell_state, werner_state
    >>> round(standard_teleportation_fidelity(bell_state("psi-")), 6)
    0.333333
    >>> round(standard_teleportation_fidelity(werner_state(0.85)), 6)
    0.9
    """
    mats, single = _resource_matrices(resource)
    overlap = np.real(
        mats[..., 0, 0] + mats[..., 0, 3] + mats[..., 3, 0] + mats[..., 3, 3]
    ) / 2.0
    return _as_output((2.0 * overlap + 1.0) / 3.0, single)


# ---------------------------------------------------------------------------
# The classical benchmark and the Bloch picture
# ---------------------------------------------------------------------------

_AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}


def _check_axis(axis) -> np.ndarray:
    if isinstance(axis, str):
        return np.array(_AXES[check_choice("axis", axis, tuple(_AXES))])
    if isinstance(axis, numbers.Number) and not isinstance(axis, bool):
        raise TypeError(f"axis must be 'x', 'y', 'z' or a 3-vector, got {axis!r}")
    vec = check_real_array("axis", axis)
    vec = np.atleast_1d(vec)
    if vec.shape != (3,):
        raise ValueError(f"axis must be 'x', 'y', 'z' or a 3-vector, got shape {vec.shape}")
    norm = float(np.linalg.norm(vec))
    if norm < 1e-12:
        raise ValueError(f"axis must be a non-zero 3-vector, got {vec.tolist()}")
    return vec / norm


def measure_and_prepare(state, axis) -> qutip.Qobj:
    r"""The classical strategy: measure a qubit along an axis, prepare what was found.

    Measuring the spin along the unit vector :math:`\hat n` gives ±1 with
    probabilities :math:`(1 \pm \hat n\cdot\vec r)/2`; preparing the
    corresponding eigenstate :math:`(I \pm \hat n\cdot\vec\sigma)/2` gives,
    averaged over the outcomes,

    .. math::

        \rho_{\mathrm{out}} = \frac{I + (\hat n\cdot\vec r)\,\hat n\cdot\vec\sigma}{2},
        \qquad
        F = \langle\psi|\rho_{\mathrm{out}}|\psi\rangle
          = \frac{1 + (\hat n\cdot\vec r)^2}{2}

    for a pure input of Bloch vector :math:`\vec r`; averaged over the Bloch
    sphere, :math:`\langle(\hat n\cdot\vec r)^2\rangle = 1/3` and
    :math:`\bar F = 2/3`.

    Parameters
    ----------
    state : qutip.Qobj
        One-qubit input, ket or density matrix.
    axis : {"x", "y", "z"} or array_like of 3 floats
        Measurement direction; a non-zero vector is normalised.

    Returns
    -------
    qutip.Qobj
        The prepared one-qubit density matrix, averaged over the outcomes.

    Raises
    ------
    TypeError, ValueError
        Invalid ``state``, or ``axis`` not one of the names nor a finite
        non-zero 3-vector.

    Notes
    -----
    No quantum resource is used: only the measurement result (one bit)
    travels. The average 2/3 is the best any classical strategy can achieve
    on an unknown pure qubit (S. Massar and S. Popescu, PRL 74, 1259 (1995));
    see :data:`CLASSICAL_FIDELITY_LIMIT`. A teleportation experiment must beat
    it to show that entanglement was used. Introduced in the chapter
    *Teleportation*.

    Examples
    --------
    >>> import qutip
    >>> from qlib import measure_and_prepare, fidelity
    >>> plus = (qutip.basis(2, 0) + qutip.basis(2, 1)).unit()
    >>> round(fidelity(measure_and_prepare(plus, "x"), plus), 6)
    1.0
    >>> round(fidelity(measure_and_prepare(plus, "z"), plus), 6)
    0.5
    """
    r = bloch_vector(state)
    n = _check_axis(axis)
    n_sigma = np.tensordot(n, _PAULI_VEC, axes=1)
    return _qobj((_I2 + float(n @ r) * n_sigma) / 2.0)


def bloch_vector(state) -> np.ndarray:
    r"""Bloch vector of one qubit: :math:`r_i = \mathrm{tr}(\rho\,\sigma_i)`.

    .. math::

        \rho = \frac{I + r_x X + r_y Y + r_z Z}{2}.

    Parameters
    ----------
    state : qutip.Qobj
        One-qubit ket or density matrix.

    Returns
    -------
    numpy.ndarray
        Shape ``(3,)``, real, :math:`(r_x, r_y, r_z)`, with
        :math:`|\vec r| \le 1` (equality for pure states).

    Raises
    ------
    TypeError, ValueError
        If ``state`` is not a valid one-qubit state.

    Notes
    -----
    :math:`|0\rangle` is the north pole (:math:`r_z = 1`), as in
    ``qutip.Bloch``. Used for the Bloch-sphere figure of the chapter
    *Teleportation*.

    Examples
    --------
    >>> import qutip
    >>> from qlib import bloch_vector
    >>> bloch_vector(qutip.basis(2, 0)).round(6).tolist()
    [0.0, 0.0, 1.0]
    >>> bloch_vector((qutip.basis(2, 0) + 1j * qutip.basis(2, 1)).unit()).round(6).tolist()
    [0.0, 1.0, 0.0]
    """
    rho = check_density_matrix("state", state, n_qubits=1).full()
    return np.real(np.einsum("ij,kji->k", rho, _PAULI_VEC))
