r"""Recurrence purification of entangled pairs: BBPSSW and DEJMPS.

Conventions (fixed for the whole book, see docs/architecture.md): pairs are two-qubit
density matrices; for two pairs, Alice holds qubits 0 (pair 1) and 2 (pair 2),
Bob holds 1 and 3. The target pair is Φ+, fidelity F = ⟨Φ+|ρ|Φ+⟩ (squared
convention). Bell-diagonal weights are in the order Φ+, Φ−, Ψ+, Ψ−
(:mod:`qlib.quantum.bell_diagonal`).

Two paths give the same numbers: :func:`bbpssw` and :func:`dejmps` build the
four-qubit state and apply the gates and measurements; the compact
``*_bell_diagonal`` functions act on the four weights only, vectorised over
leading axes. The test suite checks the two paths agree to 1e-12.

Introduced in the chapter *Quantum repeaters*.
"""

from __future__ import annotations

import numpy as np

from .._linalg import I2 as _I2
from .._linalg import X as _X
from .._linalg import clip_unit
from .._linalg import pair_qobj as _pair_qobj
from .._validation import density_matrix_array
from ..quantum.bell_diagonal import (
    _check_coefficients,
    _pair_product,
    _werner_coefficients,
)
from ._pairs import kron as _kron

__all__ = [
    "bbpssw",
    "dejmps",
    "bbpssw_bell_diagonal",
    "dejmps_bell_diagonal",
]

# ---------------------------------------------------------------------------
# Compact Bell-diagonal maps
# ---------------------------------------------------------------------------


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
        As for :func:`qlib.swap_bell_diagonal`.

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
    >>> from qlib import bbpssw_bell_diagonal, werner_coefficients
    >>> c, p = bbpssw_bell_diagonal(werner_coefficients(0.8), werner_coefficients(0.8))
    >>> round(float(c[0]), 6), round(float(p), 6)
    (0.83815, 0.768889)
    """
    # the twirl keeps only the Φ+ weight and makes the pair Werner
    a = _werner_coefficients(_check_coefficients("c1", c1)[..., 0])
    b = _werner_coefficients(_check_coefficients("c2", c2)[..., 0])
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
        As for :func:`qlib.swap_bell_diagonal`.

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


# ---------------------------------------------------------------------------
# Density-matrix path
# ---------------------------------------------------------------------------


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
# The DEJMPS rotation is local, Rx(pi/2) x Rx(-pi/2) on each pair: applied to each 4x4 input.
_DEJMPS_PAIR_ROTATION = _kron(_rx(np.pi / 2), _rx(-np.pi / 2))

# The bilateral CNOT is a permutation matrix, C[i, src(i)] = 1, so on M = rho1 x rho2
# (row index i = 4 i1 + i2) it only moves entries: (C M C^dag)[i, j] = M[src(i), src(j)].
# Keeping pair 1 when qubits 2, 3 agree (pair-2 index s = 00 or 11) and tracing them out,
#   out[ab, a'b'] = sum_s rho1[P1[s, ab, a'b']] rho2[P2[s, ab, a'b']]
# with P1, P2 flat indices into the two 4x4 inputs, precomputed from the CNOT matrix.
_SOURCE = np.argmax(np.abs(_BILATERAL_CNOT), axis=1)  # (C M C^dag)[i, j] = M[_SOURCE[i], _SOURCE[j]]
assert np.array_equal(np.abs(_BILATERAL_CNOT[np.arange(16), _SOURCE]), np.ones(16))
_KEPT = _SOURCE[np.array([[4 * ab + s for ab in range(4)] for s in (0, 3)])]  # (2, 4)
_P1 = (_KEPT // 4)[:, :, None] * 4 + (_KEPT // 4)[:, None, :]
_P2 = (_KEPT % 4)[:, :, None] * 4 + (_KEPT % 4)[:, None, :]
_PHI_PLUS = np.array([1.0, 0.0, 0.0, 1.0]) / np.sqrt(2.0)
_PHI_PLUS_PROJECTOR = np.outer(_PHI_PLUS, _PHI_PLUS).astype(complex)
_I4 = np.eye(4, dtype=complex)


def _recurrence_dm(r1: np.ndarray, r2: np.ndarray):
    """Bilateral CNOT on r1 x r2, Z measurement of pair 2 (qubits 2, 3), keep on equal outcomes."""
    out = (r1.reshape(16)[_P1] * r2.reshape(16)[_P2]).sum(axis=0)
    p = float(out.trace().real)
    return out, p


def _finish(out, p):
    if p <= 0:
        raise ValueError("purification succeeds with probability 0 for these inputs")
    out = out / p
    return _pair_qobj((out + out.conj().T) / 2.0), p


def _twirled(r: np.ndarray) -> np.ndarray:
    """The Werner state with the Phi+ fidelity of r (what the twirl makes of it), as a 4x4 array."""
    f = clip_unit(float((_PHI_PLUS @ r @ _PHI_PLUS).real), "a Phi+ fidelity")
    rest = (1.0 - f) / 3.0
    return (f - rest) * _PHI_PLUS_PROJECTOR + rest * _I4


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
    Computed with numpy on the two 4 × 4 arrays: the bilateral CNOT is a
    permutation of the basis, so the kept, unnormalised pair is a sum of two
    products of gathered entries of the inputs (the 16 × 16 state is never
    built); tested against the same steps done with QuTiP to 1e-12, as is
    :func:`dejmps`. Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import bbpssw, werner_state, fidelity
    >>> rho, p = bbpssw(werner_state(0.8), werner_state(0.8))
    >>> round(fidelity(rho, "phi+"), 6), round(p, 6)
    (0.83815, 0.768889)
    """
    r1 = density_matrix_array("rho1", rho1, 2)
    r2 = density_matrix_array("rho2", rho2, 2)
    # the twirl keeps the Φ+ fidelity and makes the pair Werner
    return _finish(*_recurrence_dm(_twirled(r1), _twirled(r2)))


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
    r1 = density_matrix_array("rho1", rho1, 2)
    r2 = density_matrix_array("rho2", rho2, 2)
    rot, rot_dag = _DEJMPS_PAIR_ROTATION, _DEJMPS_PAIR_ROTATION.conj().T
    return _finish(*_recurrence_dm(rot @ r1 @ rot_dag, rot @ r2 @ rot_dag))
