"""Plain-numpy helpers for the four-qubit density-matrix path of purification (private).

Qubit order (A, B, C, D) = 0, 1, 2, 3, as in :func:`qlib.swap`.
"""

from __future__ import annotations

import numpy as np
import qutip

_DIMS4 = [[2, 2, 2, 2], [2, 2, 2, 2]]


def kron(*ops):
    """Kronecker product of the operators, left factor = qubit 0."""
    out = np.array([[1.0 + 0j]])
    for op in ops:
        out = np.kron(out, op)
    return out


def ptrace(mat: np.ndarray, keep) -> np.ndarray:
    """Partial trace of a four-qubit matrix, keeping the qubits ``keep``."""
    q = qutip.Qobj(mat, dims=_DIMS4).ptrace(list(keep))
    return q.full()


def pair(mat: np.ndarray) -> qutip.Qobj:
    """A 4x4 matrix as a (Hermitian-symmetrised) two-qubit ``Qobj``."""
    mat = (mat + mat.conj().T) / 2.0
    return qutip.Qobj(mat, dims=[[2, 2], [2, 2]])
