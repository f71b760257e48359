r"""Quantum-repeater operations on pairs: swapping, purification, memories, bounds.

Conventions (fixed for the whole book, see DESIGN.md):

- a pair is a two-qubit density matrix (``qutip.Qobj``, dims ``[[2, 2], [2, 2]]``);
  for two pairs the qubit order is (A, B) and (C, D): qubit 0 = A, 1 = B,
  2 = C, 3 = D, and entanglement swapping measures B and C;
- the target pair is Φ+; fidelity is F = ⟨Φ+|ρ|Φ+⟩ (squared convention);
- Bell-diagonal coefficients are arrays of shape ``(..., 4)`` in the order
  Φ+, Φ−, Ψ+, Ψ− (the order of :data:`qlib.BELL_NAMES`). Writing the index as
  two bits ``k = 2x + z``, the Bell state with index ``k`` is
  :math:`(X^x Z^z \otimes I)|\Phi^+\rangle` up to a phase, so x is the
  bit-flip and z the phase-flip label: Φ+ = (0, 0), Φ− = (0, 1),
  Ψ+ = (1, 0), Ψ− = (1, 1).

Two paths give the same numbers: the density-matrix functions (:func:`swap`,
:func:`bbpssw`, :func:`dejmps`, :func:`memory_decoherence`) build the
four-qubit state and apply the gates and measurements; the compact
``*_bell_diagonal`` functions act on the four Bell-diagonal weights only
(Bell-diagonal states are closed under these Pauli-diagonal operations),
vectorised over leading axes, for long chains. The test suite checks the two
paths agree to 1e-12.

Introduced in the chapter *Quantum repeaters*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import qutip

from .._validation import (
    ATOL,
    check_density_matrix,
    check_nonnegative_array,
    check_positive,
    check_positive_array,
    check_probability,
    check_probability_array,
    check_broadcastable,
    check_real_array,
    check_int,
)
from .._linalg import BELL_KETS, shannon_bits
from .._linalg import I2 as _I2
from .._linalg import X as _X
from .._linalg import Y as _Y
from .._linalg import Z as _Z
from ..quantum.channels import amplitude_damp, dephase, depolarize
from .links import memory_dephasing_probability
from ..quantum.metrics import fidelity
from ..quantum.states import BELL_NAMES, bell_state, werner_state

__all__ = [
    "SwapOutcome",
    "SwapResult",
    "swap",
    "bbpssw",
    "dejmps",
    "memory_decoherence",
    "swap_bell_diagonal",
    "bbpssw_bell_diagonal",
    "dejmps_bell_diagonal",
    "depolarize_bell_diagonal",
    "dephase_bell_diagonal",
    "memory_decoherence_bell_diagonal",
    "plob_bound",
    "tgw_bound",
    "hashing_yield",
]

# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------

#: Tolerance for "is this density matrix Bell-diagonal?" (off-diagonal Bell-basis elements).
_BD_ATOL = 1e-8


def _bell_basis_matrix(rho: qutip.Qobj) -> np.ndarray:
    return BELL_KETS.conj().T @ rho.full() @ BELL_KETS


def _coefficients_of_state(name: str, rho: qutip.Qobj) -> np.ndarray:
    """Bell-diagonal weights of a density matrix that must be Bell-diagonal."""
    rho = check_density_matrix(name, rho, n_qubits=2)
    m = _bell_basis_matrix(rho)
    off = float(np.max(np.abs(m - np.diag(np.diag(m)))))
    if off > _BD_ATOL:
        raise ValueError(
            f"{name} must be a Bell-diagonal density matrix (diagonal in the Bell basis "
            f"phi+, phi-, psi+, psi-), got a state with largest off-diagonal Bell-basis "
            f"element {off:.3g}; twirl it first or use the density-matrix functions"
        )
    return np.real(np.diag(m)).copy()


def _check_coefficients(name: str, c) -> np.ndarray:
    """Return Bell-diagonal weights as a float array of shape (..., 4).

    Accepts an array-like of shape (..., 4) (non-negative, each row summing to 1
    within 1e-8) or a two-qubit Bell-diagonal ``qutip.Qobj`` (converted to shape (4,)).
    """
    if isinstance(c, qutip.Qobj):
        return _coefficients_of_state(name, c)
    arr = np.asarray(check_real_array(name, c), dtype=float)
    if arr.ndim == 0 or arr.shape[-1] != 4:
        raise ValueError(
            f"{name} must have shape (..., 4): Bell-diagonal weights in the order "
            f"phi+, phi-, psi+, psi-, got shape {arr.shape}"
        )
    if np.any(arr < -ATOL):
        raise ValueError(f"{name} must be >= 0 (all elements), got {float(arr[arr < -ATOL].flat[0])!r}")
    sums = arr.sum(axis=-1)
    bad = np.abs(sums - 1.0) > ATOL
    if np.any(bad):
        raise ValueError(
            f"{name} must sum to 1 along the last axis, got sum {float(np.asarray(sums)[bad].flat[0])!r}"
        )
    return arr


def _check_qubits(qubits) -> int:
    qubits = check_int("qubits", qubits)
    if qubits not in (0, 1, 2):
        raise ValueError(f"qubits must be 0, 1 or 2 (how many qubits of the pair), got {qubits}")
    return qubits


def _pair_product(c1: np.ndarray, c2: np.ndarray, name1="c1", name2="c2"):
    """Broadcast two coefficient arrays, naming them on failure."""
    try:
        np.broadcast_shapes(c1.shape, c2.shape)
    except ValueError:
        raise ValueError(
            f"{name1}, {name2} must broadcast together (numpy rules), got shapes "
            f"{name1} {c1.shape}, {name2} {c2.shape}"
        ) from None
    return np.broadcast_arrays(c1, c2)


# ---------------------------------------------------------------------------
# Compact Bell-diagonal maps
# ---------------------------------------------------------------------------


#: _XOR[k, i] = i ^ k (Pauli labels multiply as bitwise XOR of the indices).
_XOR = np.bitwise_xor.outer(np.arange(4), np.arange(4))


def swap_bell_diagonal(c1, c2) -> np.ndarray:
    r"""Entanglement swapping of two Bell-diagonal pairs, on their weights.

    .. math::

        c_k = \sum_{i \oplus j = k} c^{(1)}_i\, c^{(2)}_j ,

    with the index read as two bits (bit-flip x, phase-flip z): the Pauli
    errors of the two pairs multiply. For Werner inputs this gives
    :math:`F = F_1F_2 + (1-F_1)(1-F_2)/3`.

    Parameters
    ----------
    c1, c2 : array_like, shape (..., 4), or Bell-diagonal qutip.Qobj
        Weights of pairs (A, B) and (C, D), order Φ+, Φ−, Ψ+, Ψ−; leading
        axes broadcast. A two-qubit ``Qobj`` is accepted if it is Bell-diagonal.

    Returns
    -------
    numpy.ndarray
        Shape (..., 4): weights of the pair (A, D) after a perfect Bell
        measurement on B, C and the Pauli correction on D, averaged over the
        four outcomes (each outcome gives the same state; see :func:`swap`).

    Raises
    ------
    ValueError
        Wrong last-axis length, negative weights, rows not summing to 1,
        shapes that do not broadcast, or a non-Bell-diagonal ``Qobj``.

    Notes
    -----
    Exact, equal to :func:`swap` with ``gate_noise=0`` on
    :func:`qlib.bell_diagonal_state` inputs (tested to 1e-12). Gate noise in
    :func:`swap` depolarizes B and C: apply
    ``depolarize_bell_diagonal(c, p, qubits=1)`` to each input first. See
    Sangouard et al., Rev. Mod. Phys. 83, 33 (2011) and Dür et al.,
    Phys. Rev. A 59, 169 (1999). Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib import swap_bell_diagonal
    >>> w = lambda f: [f, (1 - f) / 3, (1 - f) / 3, (1 - f) / 3]
    >>> c = swap_bell_diagonal(w(0.9), w(0.8))
    >>> round(float(c[0]), 6)            # 0.9*0.8 + 0.1*0.2/3
    0.726667
    >>> swap_bell_diagonal(np.array([w(0.9), w(1.0)]), w(1.0))[:, 0]
    array([0.9, 1. ])
    """
    a = _check_coefficients("c1", c1)
    b = _check_coefficients("c2", c2)
    a, b = _pair_product(a, b)
    # out[k] = sum_i a[i] * b[i ^ k]
    return np.einsum("...i,...ki->...k", a, b[..., _XOR])


def _recurrence(a: np.ndarray, b: np.ndarray):
    """Bilateral CNOT (pair a control, pair b target), keep on equal Z outcomes.

    Pauli labels propagate as: control (x1, z1 ^ z2), target (x1 ^ x2, z2);
    equal outcomes iff the target's bit-flip label x1 ^ x2 = 0.
    """
    out = np.empty(np.broadcast_shapes(a.shape, b.shape), dtype=float)
    out[..., 0] = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1]
    out[..., 1] = a[..., 0] * b[..., 1] + a[..., 1] * b[..., 0]
    out[..., 2] = a[..., 2] * b[..., 2] + a[..., 3] * b[..., 3]
    out[..., 3] = a[..., 2] * b[..., 3] + a[..., 3] * b[..., 2]
    p = out.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        normalised = out / p[..., None]
    return normalised, p


def _werner_coefficients(c: np.ndarray) -> np.ndarray:
    f = c[..., :1]
    rest = (1.0 - f) / 3.0
    return np.concatenate([f, rest, rest, rest], axis=-1)


def bbpssw_bell_diagonal(c1, c2):
    r"""One round of BBPSSW recurrence purification, on Bell-diagonal weights.

    Both inputs are first twirled to Werner form (only their Φ+ weights
    :math:`F_1, F_2` survive), then bilateral CNOTs and a Z measurement of
    pair 2 on both sides keep pair 1 on equal outcomes. With
    :math:`q_i = (1-F_i)/3`:

    .. math::

        p = (F_1 + q_1)(F_2 + q_2) + 4 q_1 q_2, \qquad
        F' = \frac{F_1F_2 + q_1q_2}{p},

    which for equal inputs is Bennett et al.'s recurrence
    :math:`F' = (F^2 + q^2)/(F^2 + 2Fq + 5q^2)`.

    Parameters
    ----------
    c1, c2 : array_like, shape (..., 4), or Bell-diagonal qutip.Qobj
        Weights of the two input pairs (order Φ+, Φ−, Ψ+, Ψ−); only the Φ+
        weight matters after the twirl. Leading axes broadcast.

    Returns
    -------
    c_out : numpy.ndarray, shape (..., 4)
        Weights of the kept pair, *not* re-twirled:
        :math:`(F_1F_2 + q_1q_2,\ F_1q_2 + q_1F_2,\ 2q_1q_2,\ 2q_1q_2)/p`.
    p_success : float or numpy.ndarray, shape (...)
        Probability of equal outcomes.

    Raises
    ------
    ValueError
        As for :func:`swap_bell_diagonal`.

    Notes
    -----
    Bennett, Brassard, Popescu, Schumacher, Smolin, Wootters, Phys. Rev. Lett.
    76, 722 (1996). The paper works with the singlet Ψ− as target and turns
    it into Φ+ by a unilateral Pauli before the bilateral XOR and back after;
    the book's target is Φ+ throughout, so those two conversions are omitted
    (they cancel). Purification helps (F' > F for equal inputs) iff F > 1/2.
    Exact, equal to :func:`bbpssw` (tested to 1e-12). Introduced in the
    chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import bbpssw_bell_diagonal
    >>> c, p = bbpssw_bell_diagonal([0.8, 0.2 / 3, 0.2 / 3, 0.2 / 3], [0.8, 0.2 / 3, 0.2 / 3, 0.2 / 3])
    >>> round(float(c[0]), 6), round(float(p), 6)
    (0.83815, 0.768889)
    """
    a = _werner_coefficients(_check_coefficients("c1", c1))
    b = _werner_coefficients(_check_coefficients("c2", c2))
    a, b = _pair_product(a, b)
    c, p = _recurrence(a, b)
    return c, (float(p) if p.ndim == 0 else p)


# DEJMPS rotation (Alice Rx(pi/2), Bob Rx(-pi/2)): keeps Phi+ and Psi+, exchanges Phi- and Psi-.
_DEJMPS_PERM = [0, 3, 2, 1]


def dejmps_bell_diagonal(c1, c2):
    r"""One round of DEJMPS recurrence purification, on Bell-diagonal weights.

    In the book's order (Φ+, Φ−, Ψ+, Ψ−) = :math:`(\lambda_1, \lambda_2,
    \lambda_3, \lambda_4)`, for two equal inputs

    .. math::

        (\lambda_1, \lambda_2, \lambda_3, \lambda_4) \to
        \frac{\left(\lambda_1^2 + \lambda_4^2,\ 2\lambda_1\lambda_4,\
        \lambda_3^2 + \lambda_2^2,\ 2\lambda_2\lambda_3\right)}{N},
        \qquad N = (\lambda_1 + \lambda_4)^2 + (\lambda_2 + \lambda_3)^2 = p.

    For different inputs, every product :math:`\lambda_i\lambda_j` becomes
    :math:`\lambda^{(1)}_i\lambda^{(2)}_j` with the symmetric sums
    (e.g. :math:`2\lambda_1\lambda_4 \to \lambda^{(1)}_1\lambda^{(2)}_4 +
    \lambda^{(1)}_4\lambda^{(2)}_1`).

    Parameters
    ----------
    c1, c2 : array_like, shape (..., 4), or Bell-diagonal qutip.Qobj
        Weights of the two input pairs (order Φ+, Φ−, Ψ+, Ψ−). Leading axes
        broadcast.

    Returns
    -------
    c_out : numpy.ndarray, shape (..., 4)
        Weights of the kept pair (order Φ+, Φ−, Ψ+, Ψ−), in the frame after
        the local rotations (no rotation back, as in the paper: the next
        round's rotation continues from it).
    p_success : float or numpy.ndarray, shape (...)
        Probability of equal outcomes.

    Raises
    ------
    ValueError
        As for :func:`swap_bell_diagonal`.

    Notes
    -----
    Deutsch, Ekert, Jozsa, Macchiavello, Popescu, Sanpera, Phys. Rev. Lett. 77,
    2818 (1996), Eq. (3) writes the map as
    :math:`(A, B, C, D) \to ((A^2+B^2)/N, 2CD/N, (C^2+D^2)/N, 2AB/N)` with
    :math:`N = (A+B)^2 + (C+D)^2` in the order
    :math:`(A, B, C, D) = (\Phi^+, \Psi^-, \Psi^+, \Phi^-)`, **not** the book's
    order; the formula above is the same map re-labelled, verified against
    the four-qubit computation in :func:`dejmps` (Alice Rx(π/2), Bob
    Rx(−π/2), bilateral CNOTs, Z measurement of pair 2, keep on equal
    outcomes). The rotation exchanges the Φ− and Ψ− weights. Introduced in
    the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import dejmps_bell_diagonal
    >>> c, p = dejmps_bell_diagonal([0.7, 0.1, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1])
    >>> [round(float(x), 6) for x in c], round(float(p), 6)
    ([0.735294, 0.205882, 0.029412, 0.029412], 0.68)
    """
    a = _check_coefficients("c1", c1)[..., _DEJMPS_PERM]
    b = _check_coefficients("c2", c2)[..., _DEJMPS_PERM]
    a, b = _pair_product(a, b)
    c, p = _recurrence(a, b)
    return c, (float(p) if p.ndim == 0 else p)


def _noise_param(name, p, c):
    p = np.asarray(check_probability_array(name, p), dtype=float)
    try:
        np.broadcast_shapes(p.shape, c.shape[:-1])
    except ValueError:
        raise ValueError(
            f"{name} must broadcast with the leading axes of c (numpy rules), got shapes "
            f"{name} {p.shape}, c {c.shape}"
        ) from None
    return p[..., None]


def depolarize_bell_diagonal(c, p, *, qubits: int = 2) -> np.ndarray:
    r"""Depolarize one or both qubits of a Bell-diagonal pair, on its weights.

    One qubit: :math:`c \to (1-p)\,c + p/4` (the book's
    :math:`\rho \to (1-p)\rho + p\,I/2` on that qubit, i.e. a uniformly random
    Pauli with probability p); both qubits: the same map applied twice.

    Parameters
    ----------
    c : array_like, shape (..., 4), or Bell-diagonal qutip.Qobj
        Weights, order Φ+, Φ−, Ψ+, Ψ−.
    p : float or array_like
        Depolarizing probability per qubit, in [0, 1]; broadcasts with the
        leading axes of ``c``.
    qubits : {2, 1, 0}, keyword-only, default 2
        How many qubits of the pair are depolarized (2 = both, like
        ``qlib.depolarize(rho, p)`` with ``qubit=None``). On a Bell-diagonal
        state qubit A and qubit B give the same result.

    Returns
    -------
    numpy.ndarray
        Shape broadcast of (..., 4).

    Notes
    -----
    Equal to :func:`qlib.depolarize` on :func:`qlib.bell_diagonal_state`
    (tested to 1e-12). Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import depolarize_bell_diagonal
    >>> depolarize_bell_diagonal([1.0, 0.0, 0.0, 0.0], 0.2, qubits=1)
    array([0.85, 0.05, 0.05, 0.05])
    """
    c = _check_coefficients("c", c)
    p = _noise_param("p", p, c)
    qubits = _check_qubits(qubits)
    out = np.broadcast_to(c, np.broadcast_shapes(c.shape, p.shape)).astype(float)
    for _ in range(qubits):
        out = (1.0 - p) * out + p / 4.0
    return out


def dephase_bell_diagonal(c, p, *, qubits: int = 2) -> np.ndarray:
    r"""Dephase one or both qubits of a Bell-diagonal pair, on its weights.

    One qubit: Z exchanges Φ+ ↔ Φ− and Ψ+ ↔ Ψ−, so
    :math:`c \to (1-p)\,c + p\,(c_{\Phi^-}, c_{\Phi^+}, c_{\Psi^-}, c_{\Psi^+})`;
    both qubits: the same map applied twice (phase-flip probability
    :math:`2p(1-p)` in total).

    Parameters
    ----------
    c : array_like, shape (..., 4), or Bell-diagonal qutip.Qobj
        Weights, order Φ+, Φ−, Ψ+, Ψ−.
    p : float or array_like
        Phase-flip probability per qubit, in [0, 1] (the book's
        :math:`\rho \to (1-p)\rho + pZ\rho Z`); broadcasts with the leading axes of ``c``.
    qubits : {2, 1, 0}, keyword-only, default 2
        How many qubits of the pair are dephased (2 = both, like
        ``qlib.dephase(rho, p)`` with ``qubit=None``).

    Returns
    -------
    numpy.ndarray
        Shape broadcast of (..., 4).

    Notes
    -----
    Equal to :func:`qlib.dephase` on :func:`qlib.bell_diagonal_state`
    (tested to 1e-12). Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import dephase_bell_diagonal
    >>> dephase_bell_diagonal([1.0, 0.0, 0.0, 0.0], 0.1)
    array([0.82, 0.18, 0.  , 0.  ])
    """
    c = _check_coefficients("c", c)
    p = _noise_param("p", p, c)
    qubits = _check_qubits(qubits)
    out = np.broadcast_to(c, np.broadcast_shapes(c.shape, p.shape)).astype(float)
    for _ in range(qubits):
        out = (1.0 - p) * out + p * out[..., [1, 0, 3, 2]]
    return out


def memory_decoherence_bell_diagonal(c, wait_s, t2_s, qubits: int = 2) -> np.ndarray:
    r"""Pure dephasing of stored qubits of a Bell-diagonal pair, on its weights.

    Each stored qubit is dephased with
    :math:`p = (1 - e^{-t/T_2})/2` (:func:`qlib.memory_dephasing_probability`),
    i.e. :func:`dephase_bell_diagonal`. With both qubits waiting the same time,
    the Φ+ weight becomes
    :math:`\tfrac{1+e^{-2t/T_2}}{2} c_{\Phi^+} + \tfrac{1-e^{-2t/T_2}}{2} c_{\Phi^-}`.

    Parameters
    ----------
    c : array_like, shape (..., 4), or Bell-diagonal qutip.Qobj
        Weights, order Φ+, Φ−, Ψ+, Ψ−.
    wait_s : float or array_like
        Storage time in s, ``>= 0``; broadcasts with the leading axes of ``c``.
    t2_s : float or array_like
        Coherence time :math:`T_2` in s, ``> 0``.
    qubits : {2, 1, 0}, default 2
        How many qubits of the pair wait in memories.

    Returns
    -------
    numpy.ndarray
        Shape broadcast of (..., 4).

    Notes
    -----
    Equal to :func:`memory_decoherence` without ``t1_s`` (tested to 1e-12).
    Waits compose: waiting t then s equals waiting t + s. Introduced in the
    chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import memory_decoherence_bell_diagonal
    >>> c = memory_decoherence_bell_diagonal([1.0, 0.0, 0.0, 0.0], 0.5e-3, 1e-3)
    >>> round(float(c[0]), 6)      # (1 + e^-1) / 2
    0.68394
    """
    c = _check_coefficients("c", c)
    t = check_nonnegative_array("wait_s", wait_s)
    t2 = check_positive_array("t2_s", t2_s)
    check_broadcastable(wait_s=t, t2_s=t2)
    p = memory_dephasing_probability(t, t2)
    return dephase_bell_diagonal(c, p, qubits=qubits)


# ---------------------------------------------------------------------------
# Density-matrix path
# ---------------------------------------------------------------------------

#: Pauli correction on D after outcome B_k on (B, C): (I ⊗ σ_k)|B_k⟩ ∝ |Φ+⟩.
_CORRECTION = {"phi+": _I2, "phi-": _Z, "psi+": _X, "psi-": _Y}
_DIMS4 = [[2, 2, 2, 2], [2, 2, 2, 2]]


def _kron(*ops):
    out = np.array([[1.0 + 0j]])
    for op in ops:
        out = np.kron(out, op)
    return out


def _ptrace(mat: np.ndarray, keep) -> np.ndarray:
    q = qutip.Qobj(mat, dims=_DIMS4).ptrace(list(keep))
    return q.full()


def _pair(mat: np.ndarray) -> qutip.Qobj:
    mat = (mat + mat.conj().T) / 2.0
    return qutip.Qobj(mat, dims=[[2, 2], [2, 2]])


@dataclass(frozen=True)
class SwapOutcome:
    """One outcome of the Bell measurement in :func:`swap`.

    Attributes
    ----------
    bell_name : str
        The Bell state found on (B, C): ``"phi+"``, ``"phi-"``, ``"psi+"`` or ``"psi-"``.
    probability : float
        Its probability, given that the Bell measurement succeeded (the four sum to 1).
    state : qutip.Qobj
        The pair (A, D) after the Pauli correction on D for this outcome
        (the maximally mixed state I/4 as a placeholder if ``probability`` is 0).
    """

    bell_name: str
    probability: float
    state: qutip.Qobj


@dataclass(frozen=True)
class SwapResult:
    """Result of :func:`swap`.

    Attributes
    ----------
    state : qutip.Qobj
        Pair (A, D), averaged over the outcomes of a successful Bell measurement
        (weights = outcome probabilities), after the corrections.
    outcomes : tuple of SwapOutcome
        The four outcomes, in the order Φ+, Φ−, Ψ+, Ψ−.
    success_probability : float
        Probability that the Bell measurement succeeds (``bsm_success_probability``).
    """

    state: qutip.Qobj
    outcomes: tuple
    success_probability: float


def swap(rho_ab, rho_cd, *, bsm_success_probability: float = 1.0, gate_noise: float = 0.0) -> SwapResult:
    r"""Entanglement swapping: Bell measurement on B, C, Pauli correction on D.

    Builds :math:`\rho_{AB}\otimes\rho_{CD}` (qubits A, B, C, D = 0, 1, 2, 3),
    optionally depolarizes B and C, projects (B, C) on each Bell state
    :math:`|B_k\rangle`, traces out B and C and applies the correction
    :math:`\sigma_k` on D (I, Z, X, Y for Φ+, Φ−, Ψ+, Ψ−), which maps the
    perfect result :math:`|B_k\rangle_{AD}` to Φ+.

    Parameters
    ----------
    rho_ab, rho_cd : qutip.Qobj
        The two pairs (any two-qubit states; kets accepted).
    bsm_success_probability : float, keyword-only, default 1
        Probability in [0, 1] that the Bell measurement gives an answer at
        all (1/2 for the linear-optics measurement, which identifies two of
        the four Bell states). A failed measurement destroys both pairs; it is
        only reported in ``success_probability``, the state is that of the
        successful runs.
    gate_noise : float, keyword-only, default 0
        Depolarizing probability p in [0, 1] applied to each of B and C before
        an otherwise ideal Bell measurement (a simple model of the noisy CNOT
        and Hadamard that make it).

    Returns
    -------
    SwapResult
        ``state`` (averaged over outcomes), ``outcomes`` (four
        :class:`SwapOutcome`), ``success_probability``.

    Raises
    ------
    TypeError, ValueError
        Invalid states or probabilities outside [0, 1].

    Notes
    -----
    For Werner inputs :math:`F = F_1F_2 + (1-F_1)(1-F_2)/3`, and for
    Bell-diagonal inputs each outcome has probability 1/4 and gives the same
    corrected state, :func:`swap_bell_diagonal` (Dür et al., Phys. Rev. A 59,
    169 (1999); Sangouard et al., Rev. Mod. Phys. 83, 33 (2011)). Introduced
    in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import swap, werner_state, fidelity
    >>> result = swap(werner_state(0.9), werner_state(0.8))
    >>> round(fidelity(result.state, "phi+"), 6)
    0.726667
    >>> [round(o.probability, 6) for o in result.outcomes]
    [0.25, 0.25, 0.25, 0.25]
    """
    rho_ab = check_density_matrix("rho_ab", rho_ab, n_qubits=2)
    rho_cd = check_density_matrix("rho_cd", rho_cd, n_qubits=2)
    q = check_probability("bsm_success_probability", bsm_success_probability)
    noise = check_probability("gate_noise", gate_noise)
    full = qutip.tensor(rho_ab, rho_cd)
    if noise > 0:
        full = depolarize(full, noise, qubit=[1, 2])
    mat = full.full()
    outcomes = []
    average = np.zeros((4, 4), dtype=complex)
    for name in BELL_NAMES:
        projector = _kron(_I2, bell_state(name).full(), _I2)
        sub = _ptrace(projector @ mat @ projector, [0, 3])
        corr = np.kron(_I2, _CORRECTION[name])
        sub = corr @ sub @ corr.conj().T
        prob = float(np.real(np.trace(sub)))
        average += sub
        state = _pair(sub / prob) if prob > 0 else _pair(np.eye(4) / 4)
        outcomes.append(SwapOutcome(bell_name=name, probability=prob, state=state))
    return SwapResult(state=_pair(average / np.real(np.trace(average))), outcomes=tuple(outcomes),
                      success_probability=q)


def _cnot(control: int, target: int) -> np.ndarray:
    p0 = np.diag([1.0, 0.0]).astype(complex)
    p1 = np.diag([0.0, 1.0]).astype(complex)
    ops0 = [_I2] * 4
    ops1 = [_I2] * 4
    ops0[control] = p0
    ops1[control] = p1
    ops1[target] = _X
    return _kron(*ops0) + _kron(*ops1)


def _rx(theta: float) -> np.ndarray:
    return np.cos(theta / 2) * _I2 - 1j * np.sin(theta / 2) * _X


# Alice holds qubits 0 (pair 1) and 2 (pair 2); Bob holds 1 and 3.
_BILATERAL_CNOT = _cnot(1, 3) @ _cnot(0, 2)
_DEJMPS_ROTATION = _kron(_rx(np.pi / 2), _rx(-np.pi / 2), _rx(np.pi / 2), _rx(-np.pi / 2))


def _recurrence_dm(mat: np.ndarray):
    """Bilateral CNOT, Z measurement of pair 2 (qubits 2, 3), keep on equal outcomes."""
    mat = _BILATERAL_CNOT @ mat @ _BILATERAL_CNOT.conj().T
    out = np.zeros((4, 4), dtype=complex)
    for bit in (0, 1):
        proj = np.zeros((2, 2), dtype=complex)
        proj[bit, bit] = 1.0
        projector = _kron(_I2, _I2, proj, proj)
        out += _ptrace(projector @ mat @ projector, [0, 1])
    p = float(np.real(np.trace(out)))
    return out, p


def _finish(out, p):
    if p <= 0:
        raise ValueError("purification succeeds with probability 0 for these inputs")
    return _pair(out / p), p


def bbpssw(rho1, rho2):
    r"""One round of BBPSSW purification on the four-qubit density matrix.

    Each input is first twirled to the Werner state of the same Φ+ fidelity
    (the average over random bilateral rotations :math:`U\otimes U^*`, which
    keeps exactly F = ⟨Φ+|ρ|Φ+⟩); then bilateral CNOTs (pair 1 control,
    pair 2 target), Z measurement of both qubits of pair 2, and pair 1 is kept
    if the two outcomes agree.

    Parameters
    ----------
    rho1, rho2 : qutip.Qobj
        Two-qubit states (any; kets accepted).

    Returns
    -------
    state : qutip.Qobj
        The kept pair (not re-twirled).
    p_success : float
        Probability of equal outcomes.

    Notes
    -----
    Bennett et al., Phys. Rev. Lett. 76, 722 (1996), with Φ+ as target
    instead of the paper's Ψ− (the paper's unilateral Pauli conversions
    Ψ− ↔ Φ+ before and after cancel). For equal Werner inputs
    :math:`F' = (F^2 + q^2)/(F^2 + 2Fq + 5q^2)`, :math:`q = (1-F)/3`, and
    :math:`p = F^2 + 2Fq + 5q^2`; see :func:`bbpssw_bell_diagonal`.
    Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import bbpssw, werner_state, fidelity
    >>> rho, p = bbpssw(werner_state(0.8), werner_state(0.8))
    >>> round(fidelity(rho, "phi+"), 6), round(p, 6)
    (0.83815, 0.768889)
    """
    rho1 = check_density_matrix("rho1", rho1, n_qubits=2)
    rho2 = check_density_matrix("rho2", rho2, n_qubits=2)
    # the twirl keeps the Φ+ fidelity and makes the pair Werner
    w1 = werner_state(fidelity(rho1, "phi+"))
    w2 = werner_state(fidelity(rho2, "phi+"))
    return _finish(*_recurrence_dm(qutip.tensor(w1, w2).full()))


def dejmps(rho1, rho2):
    r"""One round of DEJMPS purification on the four-qubit density matrix.

    Alice applies :math:`R_x(\pi/2)` and Bob :math:`R_x(-\pi/2)` to each of
    their qubits (:math:`R_x(\theta) = e^{-i\theta X/2}`), then bilateral
    CNOTs (pair 1 control, pair 2 target), Z measurement of both qubits of
    pair 2; pair 1 is kept if the outcomes agree. No twirl: works on any
    input states.

    Parameters
    ----------
    rho1, rho2 : qutip.Qobj
        Two-qubit states (any; kets accepted).

    Returns
    -------
    state : qutip.Qobj
        The kept pair (in the rotated frame, as in the paper).
    p_success : float
        Probability of equal outcomes.

    Notes
    -----
    Deutsch et al., Phys. Rev. Lett. 77, 2818 (1996). For Bell-diagonal
    inputs the result is Bell-diagonal with the weights of
    :func:`dejmps_bell_diagonal` (whose Notes give the paper's map and its
    re-labelling to the book's order). Introduced in the chapter
    *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import dejmps, bell_diagonal_state, fidelity
    >>> rho, p = dejmps(bell_diagonal_state([0.7, 0.1, 0.1, 0.1]), bell_diagonal_state([0.7, 0.1, 0.1, 0.1]))
    >>> round(fidelity(rho, "phi+"), 6), round(p, 6)
    (0.735294, 0.68)
    """
    rho1 = check_density_matrix("rho1", rho1, n_qubits=2)
    rho2 = check_density_matrix("rho2", rho2, n_qubits=2)
    mat = qutip.tensor(rho1, rho2).full()
    mat = _DEJMPS_ROTATION @ mat @ _DEJMPS_ROTATION.conj().T
    return _finish(*_recurrence_dm(mat))


def memory_decoherence(rho, wait_s, *, t2_s, t1_s=None, qubit=None) -> qutip.Qobj:
    r"""Decoherence of qubits stored in memories for ``wait_s``, from qlib channels.

    Without ``t1_s``: pure dephasing, :func:`qlib.dephase` with
    :math:`p = (1 - e^{-t/T_2})/2` (:func:`qlib.memory_dephasing_probability`),
    so coherences decay as :math:`e^{-t/T_2}`.
    With ``t1_s``: :func:`qlib.amplitude_damp` with
    :math:`\gamma = 1 - e^{-t/T_1}` followed by pure dephasing with
    :math:`1/T_\varphi = 1/T_2 - 1/(2T_1)`, so that populations relax as
    :math:`e^{-t/T_1}` and coherences decay as :math:`e^{-t/T_2}` in total.

    Parameters
    ----------
    rho : qutip.Qobj
        n-qubit density matrix (a ket is accepted).
    wait_s : float
        Storage time t in s, ``>= 0``.
    t2_s : float, keyword-only
        Coherence time :math:`T_2` in s, ``> 0``.
    t1_s : float or None, keyword-only
        Energy-relaxation time :math:`T_1` in s, ``> 0``; physical memories
        have :math:`T_2 \le 2T_1` and a larger ``t2_s`` is refused.
    qubit : int, sequence of int, or None
        Which qubits wait; ``None`` (default) = every qubit.

    Returns
    -------
    qutip.Qobj
        Same dims as ``rho``.

    Notes
    -----
    Waits compose (t then s equals t + s), and the channels commute with the
    other qlib channels on other qubits. Without ``t1_s`` on a Bell-diagonal
    pair this equals :func:`memory_decoherence_bell_diagonal`. Introduced in
    the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import memory_decoherence, bell_state, fidelity
    >>> round(fidelity(memory_decoherence(bell_state("phi+"), 0.5e-3, t2_s=1e-3), "phi+"), 6)
    0.68394
    """
    t = check_nonnegative_array("wait_s", wait_s)
    if np.ndim(t) != 0:
        raise ValueError(f"wait_s must be a scalar for a density matrix, got shape {np.shape(t)}")
    t2 = check_positive("t2_s", t2_s)
    rho = check_density_matrix("rho", rho)
    if t1_s is None:
        return dephase(rho, memory_dephasing_probability(t, t2), qubit)
    t1 = check_positive("t1_s", t1_s)
    if t2 > 2 * t1 * (1 + 1e-12):
        raise ValueError(f"t2_s must be <= 2 * t1_s = {2 * t1!r} (physical memories), got {t2!r}")
    gamma = -np.expm1(-t / t1)
    out = amplitude_damp(rho, float(gamma), qubit)
    rate_phi = max(0.0, 1.0 / t2 - 1.0 / (2.0 * t1))
    p = -0.5 * np.expm1(-t * rate_phi)
    return dephase(out, float(p), qubit)


# ---------------------------------------------------------------------------
# Repeaterless bounds
# ---------------------------------------------------------------------------


def _bound_input(transmittance):
    eta = check_probability_array("transmittance", transmittance)
    return np.asarray(eta, dtype=float), np.ndim(eta) == 0


def plob_bound(transmittance):
    r"""PLOB repeaterless bound: :math:`-\log_2(1-\eta)` bits per channel use.

    Parameters
    ----------
    transmittance : float or array_like
        Channel transmittance :math:`\eta` in [0, 1] (e.g.
        :func:`qlib.fiber_transmittance`).

    Returns
    -------
    float or numpy.ndarray
        Secret-key (and entanglement) capacity of the pure-loss channel, in
        bits per channel use; ``inf`` at :math:`\eta = 1` (a lossless channel
        has no finite bound), returned rather than refused so that plots over
        η in [0, 1] work.

    Notes
    -----
    Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017).
    For small η it is :math:`\approx 1.44\,\eta`: linear in the
    transmittance, so exponentially small in distance. Introduced in the
    chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import plob_bound, fiber_transmittance
    >>> round(plob_bound(fiber_transmittance(100.0)), 6)    # eta = 0.01
    0.0145
    """
    eta, scalar = _bound_input(transmittance)
    with np.errstate(divide="ignore"):
        # log1p keeps full precision at small eta (long links), where
        # log2(1 - eta) would round to 0 below eta ~ 1e-16.
        out = -np.log1p(-eta) / np.log(2.0)
    return float(out) if scalar else out


def tgw_bound(transmittance):
    r"""TGW bound: :math:`\log_2\frac{1+\eta}{1-\eta}` bits per channel use.

    Parameters
    ----------
    transmittance : float or array_like
        Channel transmittance :math:`\eta` in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        The squashed-entanglement upper bound of Takeoka, Guha and Wilde for
        the pure-loss channel, bits per channel use; ``inf`` at
        :math:`\eta = 1`. Always :math:`\ge` :func:`plob_bound` (about twice it
        at small η: :math:`\approx 2.89\,\eta`).

    Notes
    -----
    Takeoka, Guha, Wilde, Nat. Commun. 5, 5235 (2014). Introduced in the
    chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import tgw_bound
    >>> round(tgw_bound(0.01), 6)
    0.028855
    """
    eta, scalar = _bound_input(transmittance)
    with np.errstate(divide="ignore"):
        out = (np.log1p(eta) - np.log1p(-eta)) / np.log(2.0)
    return float(out) if scalar else out


def hashing_yield(coefficients):
    r"""Ebits per pair that one-way hashing distils from a Bell-diagonal pair.

    .. math:: D_H = \max\bigl(0,\ 1 - H(\lambda_{\Phi^+}, \lambda_{\Phi^-},
              \lambda_{\Psi^+}, \lambda_{\Psi^-})\bigr),

    with :math:`H` the Shannon entropy (bits) of the Bell weights.

    Parameters
    ----------
    coefficients : array_like of shape (..., 4), or a Bell-diagonal qutip.Qobj
        Bell weights in the order Φ+, Φ−, Ψ+, Ψ− (vectorised over leading axes).

    Returns
    -------
    float or numpy.ndarray
        The hashing yield in ebits per pair, in [0, 1].

    Raises
    ------
    ValueError
        Weights that are negative, do not sum to 1 or are not of shape (..., 4);
        a density matrix that is not Bell-diagonal.

    Notes
    -----
    Bennett, DiVincenzo, Smolin, Wootters, PRA 54, 3824 (1996): the hashing
    protocol's yield, a lower bound on the distillable entanglement. A pair is
    not an ebit: comparing a repeater's pairs per second with the repeaterless
    bounds (:func:`plob_bound`, in ebits per channel use) is fair only after
    such a conversion. Werner pairs yield nothing by hashing below
    :math:`F \approx 0.8107`, though recurrence purification can still help
    there. Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import hashing_yield
    >>> hashing_yield([1.0, 0.0, 0.0, 0.0])
    1.0
    >>> round(hashing_yield([0.9, 0.1 / 3, 0.1 / 3, 0.1 / 3]), 4)   # Werner F = 0.9
    0.3725
    """
    c = _check_coefficients("coefficients", coefficients)
    out = np.maximum(0.0, 1.0 - shannon_bits(c))
    return float(out) if np.ndim(out) == 0 else out
