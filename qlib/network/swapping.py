r"""Entanglement swapping: on density matrices and on Bell-diagonal weights.

Conventions (fixed for the whole book, see docs/architecture.md): a pair is a two-qubit
density matrix (``qutip.Qobj``, dims ``[[2, 2], [2, 2]]``); for two pairs the
qubit order is (A, B) and (C, D): qubit 0 = A, 1 = B, 2 = C, 3 = D, and
swapping measures B and C. The target pair is Φ+, fidelity F = ⟨Φ+|ρ|Φ+⟩
(squared convention). Bell-diagonal weights are in the order Φ+, Φ−, Ψ+, Ψ−
(:mod:`qlib.quantum.bell_diagonal`).

Two paths give the same numbers: :func:`swap` builds the four-qubit state and
applies the Bell measurement and the correction; :func:`swap_bell_diagonal`
acts on the four weights only, vectorised over leading axes, for long chains.
The test suite checks the two paths agree to 1e-12.

Introduced in the chapter *Quantum repeaters*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import qutip

from .._linalg import BELL_KETS as _BELL_KETS
from .._linalg import I2 as _I2
from .._linalg import X as _X
from .._linalg import Y as _Y
from .._linalg import Z as _Z
from .._linalg import pair_qobj as _pair_qobj
from .._validation import check_probability, density_matrix_array
from ..quantum.bell_diagonal import _XOR, _check_coefficients, _pair_product
from ..quantum.states import BELL_NAMES

__all__ = [
    "SwapOutcome",
    "SwapResult",
    "swap",
    "swap_bell_diagonal",
]


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
    >>> from qlib import swap_bell_diagonal, werner_coefficients
    >>> c = swap_bell_diagonal(werner_coefficients(0.9), werner_coefficients(0.8))
    >>> round(float(c[0]), 6)            # 0.9*0.8 + 0.1*0.2/3
    0.726667
    >>> swap_bell_diagonal(werner_coefficients([0.9, 1.0]), werner_coefficients(1.0))[:, 0]
    array([0.9, 1. ])
    """
    a = _check_coefficients("c1", c1)
    b = _check_coefficients("c2", c2)
    a, b = _pair_product(a, b)
    # out[k] = sum_i a[i] * b[i ^ k]
    return np.einsum("...i,...ki->...k", a, b[..., _XOR])


# ---------------------------------------------------------------------------
# Density-matrix path
# ---------------------------------------------------------------------------

#: Pauli correction on D after outcome B_k on (B, C): (I ⊗ σ_k)|B_k⟩ ∝ |Φ+⟩.
_CORRECTION = {"phi+": _I2, "phi-": _Z, "psi+": _X, "psi-": _Y}

# The whole swap as two matrix products. With T[k, b, c, e, d] = conj(<bc|B_k>) (sigma_k)[e, d]
# (project (B, C) on B_k, correct D), the outcome k on (A, D) is
#   sub_k[a, e, a', e'] = sum rho_ab[a, b, a', b'] G[k, b, b', e, e'],
#   G[k, b, b', e, e'] = sum T[k, b, c, e, d] rho_cd[c, d, c', d'] conj(T[k, b', c', e', d']),
# and G is one product of the precomputed (64, 16) matrix _SWAP_W with rho_cd flattened.
_SWAP_T = np.einsum("kbc,ked->kbced", _BELL_KETS.T.reshape(4, 2, 2).conj(),
                    np.array([_CORRECTION[name] for name in BELL_NAMES]))
_SWAP_W = np.einsum("kbced,kyzfw->kbyefcdzw", _SWAP_T, _SWAP_T.conj()).reshape(64, 16)
_MIXED4 = np.eye(4, dtype=complex) / 4.0


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
    169 (1999); Sangouard et al., Rev. Mod. Phys. 83, 33 (2011)).

    Computed with numpy on the two 4 × 4 arrays (the projection, partial
    trace and correction of all four outcomes are two matrix products with a
    precomputed map; the 16 × 16 state is never built); the inputs are
    checked once and each returned state is one ``Qobj``. The test suite
    checks it against the same steps done with QuTiP to 1e-12. Introduced in
    the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import swap, werner_state, fidelity
    >>> result = swap(werner_state(0.9), werner_state(0.8))
    >>> round(fidelity(result.state, "phi+"), 6)
    0.726667
    >>> [round(o.probability, 6) for o in result.outcomes]
    [0.25, 0.25, 0.25, 0.25]
    """
    rho_ab = density_matrix_array("rho_ab", rho_ab, 2)
    rho_cd = density_matrix_array("rho_cd", rho_cd, 2)
    q = check_probability("bsm_success_probability", bsm_success_probability)
    noise = check_probability("gate_noise", gate_noise)
    if noise > 0:
        # depolarize B (qubit 1 of rho_ab) and C (qubit 0 of rho_cd): rho -> (1-p) rho + p I/2 on each
        rho_a = np.einsum("abcb->ac", rho_ab.reshape(2, 2, 2, 2))
        rho_d = np.einsum("abad->bd", rho_cd.reshape(2, 2, 2, 2))
        rho_ab = (1.0 - noise) * rho_ab + noise * np.kron(rho_a, _I2 / 2.0)
        rho_cd = (1.0 - noise) * rho_cd + noise * np.kron(_I2 / 2.0, rho_d)
    # subs[k] = sigma_k tr_BC[P_k (rho_ab x rho_cd) P_k] sigma_k^dag on (A, D), unnormalised
    g = (_SWAP_W @ rho_cd.reshape(16)).reshape(4, 4, 4)  # [k, (b b'), (e e')]
    r1 = rho_ab.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4)  # [(a a'), (b b')]
    subs = (r1 @ g).reshape(4, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(4, 4, 4)
    subs = (subs + np.conj(np.transpose(subs, (0, 2, 1)))) / 2.0
    probs = np.real(np.einsum("kii->k", subs))
    average = subs.sum(axis=0)
    outcomes = tuple(
        SwapOutcome(bell_name=name, probability=float(prob),
                    state=_pair_qobj(subs[k] / prob if prob > 0 else _MIXED4.copy()))
        for k, (name, prob) in enumerate(zip(BELL_NAMES, probs))
    )
    return SwapResult(state=_pair_qobj(average / np.real(np.trace(average))), outcomes=outcomes,
                      success_probability=q)
