"""Single-qubit noise channels applied to qubits of a multi-qubit state.

Conventions (fixed for the whole book, see docs/architecture.md):

- depolarizing with probability p:  ρ → (1 − p) ρ + p · I/2;
- dephasing with probability p:     ρ → (1 − p) ρ + p · Z ρ Z;
- amplitude damping with γ: the standard Kraus pair
  K0 = [[1, 0], [0, √(1−γ)]], K1 = [[0, √γ], [0, 0]] (|1⟩ decays to |0⟩).

A channel acts on one qubit (``qubit=k``) or independently on every qubit
(``qubit=None``); qubit 0 is the left factor of ``qutip.tensor``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import qutip

from .._validation import (
    check_density_matrix,
    check_probability,
    check_qubit_index,
    n_qubits_of,
)

__all__ = [
    "depolarizing_kraus",
    "dephasing_kraus",
    "amplitude_damping_kraus",
    "apply_kraus",
    "depolarize",
    "dephase",
    "amplitude_damp",
]


def depolarizing_kraus(p: float) -> list[qutip.Qobj]:
    r"""Kraus operators of the single-qubit depolarizing channel.

    .. math::

        \mathcal{D}_p(\rho) = (1-p)\rho + p\,\frac{I}{2}
        = \left(1-\tfrac{3p}{4}\right)\rho
          + \tfrac{p}{4}\left(X\rho X + Y\rho Y + Z\rho Z\right).

    Parameters
    ----------
    p : float
        Depolarizing probability in [0, 1] (the chance the qubit is replaced
        by the maximally mixed state).

    Returns
    -------
    list of qutip.Qobj
        :math:`\sqrt{1-3p/4}\,I,\ \sqrt{p/4}\,X,\ \sqrt{p/4}\,Y,\ \sqrt{p/4}\,Z`.

    Raises
    ------
    ValueError
        If ``p`` is outside [0, 1] or NaN.

    Notes
    -----
    This is the form of Nielsen & Chuang, Eq. (8.100): ``p`` multiplies
    :math:`I/2`, so the total Pauli-error probability is :math:`3p/4`. Their
    alternative form (8.102), common in the error-correction literature, uses
    the total Pauli-error probability instead. Introduced in the chapter
    *Entanglement*.

    Examples
    --------
    >>> from qlib import depolarizing_kraus
    >>> len(depolarizing_kraus(0.1))
    4
    """
    p = check_probability("p", p)
    return [
        np.sqrt(1.0 - 3.0 * p / 4.0) * qutip.qeye(2),
        np.sqrt(p / 4.0) * qutip.sigmax(),
        np.sqrt(p / 4.0) * qutip.sigmay(),
        np.sqrt(p / 4.0) * qutip.sigmaz(),
    ]


def dephasing_kraus(p: float) -> list[qutip.Qobj]:
    r"""Kraus operators of the single-qubit dephasing (phase-flip) channel.

    .. math::

        \mathcal{Z}_p(\rho) = (1-p)\rho + p\,Z\rho Z.

    Parameters
    ----------
    p : float
        Phase-flip probability in [0, 1].

    Returns
    -------
    list of qutip.Qobj
        :math:`\sqrt{1-p}\,I,\ \sqrt{p}\,Z`.

    Raises
    ------
    ValueError
        If ``p`` is outside [0, 1] or NaN.

    Notes
    -----
    With this convention coherences shrink by :math:`1-2p`; ``p = 1/2``
    destroys them completely. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import dephasing_kraus
    >>> [round(float(k.norm("fro")) ** 2, 6) for k in dephasing_kraus(0.2)]
    [1.6, 0.4]
    """
    p = check_probability("p", p)
    return [np.sqrt(1.0 - p) * qutip.qeye(2), np.sqrt(p) * qutip.sigmaz()]


def amplitude_damping_kraus(gamma: float) -> list[qutip.Qobj]:
    r"""Kraus operators of the single-qubit amplitude-damping channel.

    .. math::

        K_0 = \begin{pmatrix}1 & 0\\ 0 & \sqrt{1-\gamma}\end{pmatrix},\qquad
        K_1 = \begin{pmatrix}0 & \sqrt{\gamma}\\ 0 & 0\end{pmatrix}.

    Parameters
    ----------
    gamma : float
        Decay probability of :math:`|1\rangle \to |0\rangle`, in [0, 1].

    Returns
    -------
    list of qutip.Qobj
        :math:`[K_0, K_1]`.

    Raises
    ------
    ValueError
        If ``gamma`` is outside [0, 1] or NaN.

    Notes
    -----
    :math:`|0\rangle` is the ground state (the state the qubit relaxes to),
    following Nielsen & Chuang, Sec. 8.3.5. For a memory with relaxation time
    :math:`T_1` waiting a time :math:`t`, :math:`\gamma = 1-e^{-t/T_1}`.
    Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import amplitude_damping_kraus
    >>> k0, k1 = amplitude_damping_kraus(0.36)
    >>> round(float(k0.full()[1, 1].real), 6), round(float(k1.full()[0, 1].real), 6)
    (0.8, 0.6)
    """
    gamma = check_probability("gamma", gamma)
    k0 = qutip.Qobj(np.array([[1.0, 0.0], [0.0, np.sqrt(1.0 - gamma)]]))
    k1 = qutip.Qobj(np.array([[0.0, np.sqrt(gamma)], [0.0, 0.0]]))
    return [k0, k1]


def _check_kraus(kraus_operators) -> list[np.ndarray]:
    """Validate a single-qubit Kraus set; return the 2x2 complex matrices."""
    if isinstance(kraus_operators, (qutip.Qobj, np.ndarray)) or not isinstance(
        kraus_operators, Iterable
    ):
        raise TypeError(
            "kraus_operators must be a sequence of 2x2 operators (qutip.Qobj or "
            f"array), got {type(kraus_operators).__name__}"
        )
    mats = []
    for i, k in enumerate(kraus_operators):
        if isinstance(k, qutip.Qobj):
            if not k.isoper or k.shape != (2, 2):
                raise ValueError(
                    f"kraus_operators[{i}] must be a 2x2 single-qubit operator, "
                    f"got a Qobj of type {k.type!r} and shape {k.shape}"
                )
            m = k.full()
        else:
            try:
                m = np.asarray(k, dtype=complex)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"kraus_operators[{i}] must be a 2x2 operator, got {type(k).__name__}"
                ) from exc
            if m.shape != (2, 2):
                raise ValueError(
                    f"kraus_operators[{i}] must be a 2x2 single-qubit operator, got shape {m.shape}"
                )
        if not np.all(np.isfinite(m)):
            raise ValueError(f"kraus_operators[{i}] must contain only finite numbers")
        mats.append(m)
    if not mats:
        raise ValueError("kraus_operators must contain at least one operator, got none")
    completeness = sum(m.conj().T @ m for m in mats)
    err = float(np.max(np.abs(completeness - np.eye(2))))
    if err > 1e-8:
        raise ValueError(
            "kraus_operators must be trace preserving (sum of K^dagger K = I), "
            f"got max deviation {err:.3g}"
        )
    return mats


def _resolve_qubits(qubit, n: int) -> list[int]:
    if qubit is None:
        return list(range(n))
    if isinstance(qubit, numbers.Integral) and not isinstance(qubit, (bool, np.bool_)):
        return [check_qubit_index("qubit", qubit, n)]
    if isinstance(qubit, Sequence) and not isinstance(qubit, str):
        if len(qubit) == 0:
            raise ValueError(
                f"qubit must name at least one qubit index in [0, {n - 1}] (or be None "
                f"for every qubit), got {list(qubit)}"
            )
        qubits = [check_qubit_index("qubit", q, n) for q in qubit]
        if len(set(qubits)) != len(qubits):
            raise ValueError(f"qubit must not repeat an index, got {list(qubit)}")
        return qubits
    return [check_qubit_index("qubit", qubit, n)]  # raises a TypeError


def apply_kraus(
    rho: qutip.Qobj,
    kraus_operators: Sequence[qutip.Qobj],
    qubit: int | Sequence[int] | None = None,
) -> qutip.Qobj:
    r"""Apply a single-qubit channel, given by Kraus operators, to qubits of a state.

    .. math::

        \rho \mapsto \sum_k (I\otimes\cdots\otimes K_k\otimes\cdots\otimes I)\,
        \rho\,(I\otimes\cdots\otimes K_k\otimes\cdots\otimes I)^\dagger .

    Parameters
    ----------
    rho : qutip.Qobj
        n-qubit density matrix (a normalised ket is accepted and converted).
    kraus_operators : sequence of qutip.Qobj or 2x2 arrays
        A trace-preserving single-qubit Kraus set
        (:math:`\sum_k K_k^\dagger K_k = I` within 1e-8).
    qubit : int, sequence of int, or None
        Qubit(s) the channel acts on; ``None`` (default) applies it
        independently to every qubit.

    Returns
    -------
    qutip.Qobj
        The output density matrix, same dims as the input.

    Raises
    ------
    TypeError, ValueError
        Invalid ``rho`` (the message names the failed rule), invalid Kraus
        set, or ``qubit`` out of range.

    Notes
    -----
    Qubit 0 is the left factor of ``qutip.tensor``. Equivalent to
    ``qutip.kraus_to_super`` lifted to the chosen qubit, but applied directly
    to the state. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import apply_kraus, bell_state, dephasing_kraus, fidelity
    >>> rho = apply_kraus(bell_state("phi+"), dephasing_kraus(0.1), qubit=1)
    >>> round(fidelity(rho, "phi+"), 6)
    0.9
    """
    rho = check_density_matrix("rho", rho)
    mats = _check_kraus(kraus_operators)
    n = n_qubits_of(rho)
    qubits = _resolve_qubits(qubit, n)
    out = rho.full()
    for q in qubits:
        left = int(2**q)
        right = int(2 ** (n - q - 1))
        new = np.zeros_like(out)
        for m in mats:
            full = np.kron(np.kron(np.eye(left), m), np.eye(right))
            new += full @ out @ full.conj().T
        out = new
    out = (out + out.conj().T) / 2.0  # remove round-off anti-Hermitian part
    return qutip.Qobj(out, dims=rho.dims)


def depolarize(rho: qutip.Qobj, p: float, qubit: int | Sequence[int] | None = None) -> qutip.Qobj:
    r"""Depolarize qubit(s) of a state: :math:`\rho \to (1-p)\rho + p\,I/2` on each.

    Parameters
    ----------
    rho : qutip.Qobj
        n-qubit density matrix (a ket is accepted).
    p : float
        Depolarizing probability in [0, 1].
    qubit : int, sequence of int, or None
        Qubit(s) to depolarize; ``None`` (default) = every qubit.

    Returns
    -------
    qutip.Qobj
        Output density matrix, same dims.

    Notes
    -----
    On one qubit of Φ+ the fidelity becomes :math:`1-3p/4`; on both,
    :math:`(1+3(1-p)^2)/4` (the result is a Werner state). See
    :func:`depolarizing_kraus`. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import depolarize, bell_state, fidelity
    >>> round(fidelity(depolarize(bell_state("phi+"), 0.2), "phi+"), 6)
    0.73
    """
    return apply_kraus(rho, depolarizing_kraus(p), qubit)


def dephase(rho: qutip.Qobj, p: float, qubit: int | Sequence[int] | None = None) -> qutip.Qobj:
    r"""Dephase qubit(s) of a state: :math:`\rho \to (1-p)\rho + p\,Z\rho Z` on each.

    Parameters
    ----------
    rho : qutip.Qobj
        n-qubit density matrix (a ket is accepted).
    p : float
        Phase-flip probability in [0, 1].
    qubit : int, sequence of int, or None
        Qubit(s) to dephase; ``None`` (default) = every qubit.

    Returns
    -------
    qutip.Qobj
        Output density matrix, same dims.

    Notes
    -----
    On one qubit of Φ+ the fidelity becomes :math:`1-p` (the error turns Φ+
    into Φ−). See :func:`dephasing_kraus`. Introduced in the chapter
    *Entanglement*.

    Examples
    --------
    >>> from qlib import dephase, bell_state, fidelity
    >>> round(fidelity(dephase(bell_state("phi+"), 0.25, qubit=0), "phi+"), 6)
    0.75
    """
    return apply_kraus(rho, dephasing_kraus(p), qubit)


def amplitude_damp(
    rho: qutip.Qobj, gamma: float, qubit: int | Sequence[int] | None = None
) -> qutip.Qobj:
    r"""Amplitude-damp qubit(s) of a state with decay probability ``gamma``.

    Parameters
    ----------
    rho : qutip.Qobj
        n-qubit density matrix (a ket is accepted).
    gamma : float
        Decay probability :math:`|1\rangle\to|0\rangle`, in [0, 1].
    qubit : int, sequence of int, or None
        Qubit(s) to damp; ``None`` (default) = every qubit.

    Returns
    -------
    qutip.Qobj
        Output density matrix, same dims.

    Notes
    -----
    Damping one qubit of Φ+ leaves concurrence :math:`\sqrt{1-\gamma}`. See
    :func:`amplitude_damping_kraus`. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import amplitude_damp, bell_state, concurrence
    >>> round(concurrence(amplitude_damp(bell_state("phi+"), 0.19, qubit=1)), 6)
    0.9
    """
    return apply_kraus(rho, amplitude_damping_kraus(gamma), qubit)
