"""Small numeric pieces shared by the physics modules (private).

Plain numpy arrays for the hot paths that avoid QuTiP's per-object overhead
(teleportation, repeaters), the Shannon entropy used by key and entanglement
yields, and the round-off guard for quantities that must lie in [0, 1].
"""

from __future__ import annotations

import numpy as np
import qutip

from .quantum.states import BELL_NAMES, bell_ket

#: Identity and Pauli matrices, complex 2x2.
I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)

#: Bell kets as the columns of a 4x4 matrix, in BELL_NAMES order (Φ+, Φ−, Ψ+, Ψ−).
BELL_KETS = np.column_stack([bell_ket(name).full().ravel() for name in BELL_NAMES])

#: QuTiP dimensions of one- and two-qubit density matrices, built once: parsing a
#: ``dims`` list costs more than the rest of a small ``Qobj``.
_QUBIT_DIMS = qutip.Qobj(np.eye(2), dims=[[2], [2]])._dims
_PAIR_DIMS = qutip.Qobj(np.eye(4), dims=[[2, 2], [2, 2]])._dims


def qubit_qobj(mat: np.ndarray) -> qutip.Qobj:
    """A Hermitian 2x2 array (already checked) as a one-qubit density-matrix ``Qobj``, no copy."""
    return qutip.Qobj(qutip.data.Dense(mat, copy=False), dims=_QUBIT_DIMS, copy=False, isherm=True)


def pair_qobj(mat: np.ndarray) -> qutip.Qobj:
    """A Hermitian 4x4 array (already checked) as a two-qubit density-matrix ``Qobj``, no copy.

    The cheapest QuTiP 5 constructor: a ``Dense`` wrapping the array, the
    prebuilt dimensions, ``copy=False`` and ``isherm=True`` (no Hermiticity test).
    """
    return qutip.Qobj(qutip.data.Dense(mat, copy=False), dims=_PAIR_DIMS, copy=False, isherm=True)


def float_or_array(x):
    """A ``float`` for a 0-d result, a float ``numpy.ndarray`` otherwise (scalar in, scalar out).

    >>> float_or_array(np.float64(2.0)), float_or_array([1, 2])
    (2.0, array([1., 2.]))
    """
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)


#: Largest excursion outside [0, 1] accepted as round-off.
ROUNDOFF = 1e-8


def clip_unit(values, what: str = "a quantity in [0, 1]"):
    """Remove round-off (at most 1e-8) outside [0, 1]; a larger excursion is a bug.

    Scalars come back as ``float``, arrays as arrays. Raises ``ArithmeticError``
    rather than hiding a wrong result by clamping.

    >>> clip_unit(1.0 + 1e-12)
    1.0
    """
    arr = np.asarray(values, dtype=float)
    if np.any(arr < -ROUNDOFF) or np.any(arr > 1.0 + ROUNDOFF):
        raise ArithmeticError(f"{what} came out as {values!r}: this is a bug in qlib")
    out = np.clip(arr, 0.0, 1.0)
    return float(out) if out.ndim == 0 else out


def shannon_bits(probabilities, axis: int = -1):
    """Shannon entropy in bits along ``axis`` (terms with p = 0 count as 0).

    >>> float(shannon_bits([0.5, 0.5]))
    1.0
    """
    p = np.asarray(probabilities, dtype=float)
    safe = np.where(p > 0, p, 1.0)
    return -np.sum(np.where(p > 0, p * np.log2(safe), 0.0), axis=axis)


def binary_entropy_bits(p):
    """Binary entropy h(p) = -p log2 p - (1-p) log2(1-p), in bits (no input checks).

    >>> float(binary_entropy_bits(0.5))
    1.0
    """
    x = np.asarray(p, dtype=float)
    return shannon_bits(np.stack([x, 1.0 - x], axis=-1))
