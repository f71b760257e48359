r"""Bell-diagonal states and their algebra: Werner and Bell-diagonal states, their weights,
and Pauli noise acting on the weights.

Conventions (fixed for the whole book, see docs/architecture.md):

- Bell-diagonal coefficients (weights) are arrays of shape ``(..., 4)`` in the
  order Φ+, Φ−, Ψ+, Ψ− (the order of :data:`qlib.BELL_NAMES`), non-negative and
  summing to 1. Writing the index as two bits ``k = 2x + z``, the Bell state
  with index ``k`` is :math:`(X^x Z^z \otimes I)|\Phi^+\rangle` up to a phase,
  so x is the bit-flip and z the phase-flip label: Φ+ = (0, 0), Φ− = (0, 1),
  Ψ+ = (1, 0), Ψ− = (1, 1); Pauli errors multiply as the bitwise XOR of the
  indices;
- the Werner state of fidelity F is
  :math:`\rho = F|\Phi^+\rangle\langle\Phi^+| + \tfrac{1-F}{3}(I - |\Phi^+\rangle\langle\Phi^+|)`,
  weights :func:`werner_coefficients`; fidelity is F = ⟨Φ+|ρ|Φ+⟩ (squared
  convention).

Contents: the states :func:`werner_state` and :func:`bell_diagonal_state`, the
weights :func:`werner_coefficients` and :func:`bell_diagonal_coefficients`,
and noise on the weights, :func:`depolarize_bell_diagonal` and
:func:`dephase_bell_diagonal`. Bell-diagonal states are closed under
Pauli-diagonal operations, so entanglement swapping
(:mod:`qlib.network.swapping`), purification (:mod:`qlib.network.purification`)
and memories (:mod:`qlib.network.memories`) act on the four weights only; the
private checks of coefficient vectors here (``_check_coefficients``,
``_pair_product``, ``_XOR``) are shared with those modules.

Introduced in the chapter *Entanglement*; the algebra in *Quantum repeaters*.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import qutip

from .._linalg import BELL_KETS, pair_qobj
from .._validation import (
    ATOL,
    check_density_matrix,
    check_int,
    check_probability,
    check_probability_array,
    check_real_array,
)
from .states import BELL_NAMES, bell_ket

__all__ = [
    "werner_state",
    "werner_coefficients",
    "bell_diagonal_state",
    "bell_diagonal_coefficients",
    "depolarize_bell_diagonal",
    "dephase_bell_diagonal",
]

# ---------------------------------------------------------------------------
# States and their weights
# ---------------------------------------------------------------------------

#: The four Bell projectors |B_k><B_k| as rows of 16 numbers (k in BELL_NAMES
#: order), so that a Bell-diagonal state is one product of its weights with them.
_BELL_PROJECTORS = np.einsum("ik,jk->kij", BELL_KETS, BELL_KETS.conj()).reshape(4, 16)
_PHI_PLUS_PROJECTOR = _BELL_PROJECTORS[0].reshape(4, 4)
_I4 = np.eye(4, dtype=complex)


def werner_state(fidelity: float) -> qutip.Qobj:
    r"""Return the Werner state of fidelity ``fidelity`` to Φ+.

    .. math::

        \rho_W(F) = F\,|\Phi^+\rangle\langle\Phi^+|
                    + \frac{1-F}{3}\left(I - |\Phi^+\rangle\langle\Phi^+|\right).

    Parameters
    ----------
    fidelity : float
        :math:`F = \langle\Phi^+|\rho|\Phi^+\rangle`, in [0, 1].

    Returns
    -------
    qutip.Qobj
        Two-qubit density matrix, dims ``[[2, 2], [2, 2]]``.

    Raises
    ------
    ValueError
        If ``fidelity`` is outside [0, 1] or NaN.

    Notes
    -----
    This is the "isotropic" form centred on Φ+ (as in Bennett et al.,
    PRA 54, 3824 (1996), rotated from the singlet to Φ+): the three other Bell
    states share the weight :math:`1-F` equally. It is entangled iff
    :math:`F > 1/2`; :math:`F = 1/4` is the maximally mixed state. The
    fidelity follows the squared convention :math:`F = \langle\psi|\rho|\psi\rangle`.
    Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import werner_state, fidelity
    >>> round(fidelity(werner_state(0.9), "phi+"), 6)
    0.9
    """
    fidelity = check_probability("fidelity", fidelity)
    rest = (1.0 - fidelity) / 3.0
    return pair_qobj((fidelity - rest) * _PHI_PLUS_PROJECTOR + rest * _I4)


def _werner_coefficients(fidelity) -> np.ndarray:
    """Werner weights (F, q, q, q), q = (1 - F)/3, of already-checked fidelities (shape (..., 4))."""
    f = np.asarray(fidelity, dtype=float)
    rest = (1.0 - f) / 3.0
    return np.stack([f, rest, rest, rest], axis=-1)


def werner_coefficients(fidelity) -> np.ndarray:
    r"""Bell-diagonal weights of the Werner state of fidelity ``fidelity`` to Φ+.

    .. math::

        \rho_W(F) = F\,|\Phi^+\rangle\langle\Phi^+|
                    + \frac{1-F}{3}\left(I - |\Phi^+\rangle\langle\Phi^+|\right)
        \quad\Longrightarrow\quad
        (\lambda_{\Phi^+}, \lambda_{\Phi^-}, \lambda_{\Psi^+}, \lambda_{\Psi^-})
        = \left(F, \tfrac{1-F}{3}, \tfrac{1-F}{3}, \tfrac{1-F}{3}\right).

    Parameters
    ----------
    fidelity : float or array_like
        :math:`F = \langle\Phi^+|\rho|\Phi^+\rangle`, in [0, 1]; an array gives
        one row of weights per fidelity.

    Returns
    -------
    numpy.ndarray
        Shape ``np.shape(fidelity) + (4,)``: shape (4,) for a scalar, (n, 4)
        for n fidelities; ready for the ``*_bell_diagonal`` maps
        (:func:`qlib.swap_bell_diagonal`, :func:`qlib.bbpssw_bell_diagonal`, ...).

    Raises
    ------
    ValueError
        ``fidelity`` outside [0, 1], NaN or infinite (the message names
        ``fidelity`` and the value).
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    The order of the weights is the book's fixed order Φ+, Φ−, Ψ+, Ψ−
    (:data:`qlib.BELL_NAMES`), the order of every coefficient vector in qlib;
    it is *not* the order (Φ+, Ψ−, Ψ+, Φ−) of Deutsch et al. (1996). For a
    Werner state the order of the last three does not matter (they are
    equal), but the maps that act on the result assume the book's order. The
    convention is the book's (docs/architecture.md): the Werner state is centred on Φ+, the target
    pair, with the other three Bell states sharing :math:`1-F` equally
    (Bennett et al., PRA 54, 3824 (1996), rotated from the singlet to Φ+);
    fidelity in the squared convention. The weights are those of
    :func:`werner_state`: ``bell_diagonal_state(werner_coefficients(F))``
    equals ``werner_state(F)``. Introduced in the chapter *Entanglement*,
    used throughout *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import werner_coefficients
    >>> werner_coefficients(0.85)
    array([0.85, 0.05, 0.05, 0.05])
    >>> werner_coefficients([1.0, 0.25])
    array([[1.  , 0.  , 0.  , 0.  ],
           [0.25, 0.25, 0.25, 0.25]])
    """
    return _werner_coefficients(check_probability_array("fidelity", fidelity))


def bell_diagonal_state(coefficients: Sequence[float]) -> qutip.Qobj:
    r"""Return the Bell-diagonal state with the given weights.

    .. math::

        \rho = \lambda_1 |\Phi^+\rangle\langle\Phi^+|
             + \lambda_2 |\Phi^-\rangle\langle\Phi^-|
             + \lambda_3 |\Psi^+\rangle\langle\Psi^+|
             + \lambda_4 |\Psi^-\rangle\langle\Psi^-|.

    Parameters
    ----------
    coefficients : sequence of 4 floats
        :math:`(\lambda_1, \lambda_2, \lambda_3, \lambda_4)` in the order
        Φ+, Φ−, Ψ+, Ψ−; each in [0, 1], summing to 1 (tolerance 1e-8).

    Returns
    -------
    qutip.Qobj
        Two-qubit density matrix, dims ``[[2, 2], [2, 2]]``.

    Raises
    ------
    ValueError
        Wrong length, NaN/inf, a negative weight, or a sum different from 1.
    TypeError
        Non-numeric, complex or boolean entries.

    Notes
    -----
    Bell-diagonal states are the natural currency of entanglement
    purification and swapping: both act on the four weights only. Inverse of
    :func:`bell_diagonal_coefficients` for Bell-diagonal input. Introduced in
    the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import bell_diagonal_state, bell_diagonal_coefficients
    >>> rho = bell_diagonal_state([0.7, 0.1, 0.1, 0.1])
    >>> [round(float(c), 6) for c in bell_diagonal_coefficients(rho)]
    [0.7, 0.1, 0.1, 0.1]
    """
    coeffs = check_real_array("coefficients", coefficients)
    coeffs = np.atleast_1d(coeffs)
    if coeffs.shape != (4,):
        raise ValueError(
            "coefficients must be 4 weights in the order phi+, phi-, psi+, psi-, "
            f"got shape {coeffs.shape}"
        )
    if np.any(coeffs < 0):
        raise ValueError(f"coefficients must all be >= 0, got {coeffs.tolist()}")
    total = float(coeffs.sum())
    if abs(total - 1.0) > ATOL:
        raise ValueError(f"coefficients must sum to 1, got sum {total!r} for {coeffs.tolist()}")
    return pair_qobj((coeffs @ _BELL_PROJECTORS).reshape(4, 4))


def bell_diagonal_coefficients(rho: qutip.Qobj) -> np.ndarray:
    r"""Return the four Bell fidelities of a two-qubit state.

    .. math::

        \lambda_k = \langle B_k|\rho|B_k\rangle, \qquad
        B_k \in (\Phi^+, \Phi^-, \Psi^+, \Psi^-).

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted and converted).

    Returns
    -------
    numpy.ndarray
        Shape ``(4,)``, real, non-negative, summing to 1. For a
        Bell-diagonal state these are its weights; for any other state they
        are the diagonal of ρ in the Bell basis (the state after "twirling"
        into Bell-diagonal form has exactly these weights).

    Raises
    ------
    TypeError, ValueError
        If ``rho`` is not a valid two-qubit state (the message says which
        rule failed).

    Notes
    -----
    Squared-fidelity convention. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import bell_diagonal_coefficients, werner_state
    >>> [round(float(c), 6) for c in bell_diagonal_coefficients(werner_state(0.85))]
    [0.85, 0.05, 0.05, 0.05]
    """
    rho = check_density_matrix("rho", rho, n_qubits=2)
    vals = [float(np.real(qutip.expect(rho, bell_ket(n)))) for n in BELL_NAMES]
    return np.array(vals)


# ---------------------------------------------------------------------------
# Checks of coefficient vectors (shared with qlib.network)
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


#: _XOR[k, i] = i ^ k (Pauli labels multiply as bitwise XOR of the indices).
_XOR = np.bitwise_xor.outer(np.arange(4), np.arange(4))


# ---------------------------------------------------------------------------
# Pauli noise on the weights
# ---------------------------------------------------------------------------


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
