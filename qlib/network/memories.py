r"""Quantum memories: decoherence of stored qubits and stored pairs.

Pure dephasing with coherence time :math:`T_2` (optionally energy relaxation
with :math:`T_1`), on the book's channels :func:`qlib.dephase` and
:func:`qlib.amplitude_damp` for density matrices, and on the four
Bell-diagonal weights (order Φ+, Φ−, Ψ+, Ψ−, :mod:`qlib.quantum.bell_diagonal`)
for repeater chains. Times in s.

Introduced in the chapters *Teleportation* (Bob's memory waits for Alice's two
bits) and *Quantum repeaters*.
"""

from __future__ import annotations

import numpy as np
import qutip

from .._linalg import float_or_array as _out
from .._validation import (
    check_broadcastable,
    check_density_matrix,
    check_nonnegative_array,
    check_positive,
    check_positive_array,
)
from ..quantum.bell_diagonal import _check_coefficients, dephase_bell_diagonal
from ..quantum.channels import amplitude_damp, dephase

__all__ = [
    "memory_dephasing_probability",
    "memory_decoherence",
    "memory_decoherence_bell_diagonal",
]


def memory_dephasing_probability(wait_s, coherence_time_s):
    r"""Dephasing probability of a qubit stored for ``wait_s``: :math:`p = (1 - e^{-t/T_2})/2`.

    Parameters
    ----------
    wait_s : float or array_like
        Storage time t in s, ``>= 0``.
    coherence_time_s : float or array_like
        Coherence time :math:`T_2` of the memory in s, ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        Probability p in [0, 1/2] for the book's dephasing channel
        :math:`\rho \to (1-p)\rho + p Z\rho Z` (:func:`qlib.dephase`).

    Raises
    ------
    ValueError
        Negative wait, non-positive coherence time, NaN or infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Pure dephasing with exponential decay: the channel leaves populations alone
    and multiplies the coherences :math:`\rho_{01}, \rho_{10}` by
    :math:`1 - 2p`; choosing :math:`p = (1 - e^{-t/T_2})/2` makes that factor
    :math:`e^{-t/T_2}`, the definition of :math:`T_2`. After long storage
    :math:`p \to 1/2`: the qubit is fully dephased, never "more than fully".
    Energy relaxation (:math:`T_1`) is a separate process
    (:func:`qlib.amplitude_damp`). Introduced in the chapter *Teleportation*
    (Bob's memory waits for Alice's two bits, at least
    :func:`qlib.signalling_delay_s`).

    Examples
    --------
    >>> from qlib import memory_dephasing_probability
    >>> memory_dephasing_probability(0.0, 1e-3)
    0.0
    >>> round(memory_dephasing_probability(1e-3, 1e-3), 6)   # t = T2
    0.31606
    """
    t = check_nonnegative_array("wait_s", wait_s)
    t2 = check_positive_array("coherence_time_s", coherence_time_s)
    check_broadcastable(wait_s=t, coherence_time_s=t2)
    return _out(-0.5 * np.expm1(-np.asarray(t) / np.asarray(t2)))


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
