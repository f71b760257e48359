"""Kronecker products of qubit operators for the four-qubit gates of purification (private).

Qubit order (A, B, C, D) = 0, 1, 2, 3, as in :func:`qlib.swap`.
"""

from __future__ import annotations

import numpy as np


def kron(*ops):
    """Kronecker product of the operators, left factor = qubit 0."""
    out = np.array([[1.0 + 0j]])
    for op in ops:
        out = np.kron(out, op)
    return out
