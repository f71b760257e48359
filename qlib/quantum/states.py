"""Two-qubit states used throughout the book: Bell, Werner and Bell-diagonal.

Conventions (fixed for the whole book, see DESIGN.md):

- states are density matrices, ``qutip.Qobj`` with dims ``[[2, 2], [2, 2]]``
  for a pair; qubit 0 is the left factor of ``qutip.tensor``;
- Bell states are named ``"phi+"``, ``"phi-"``, ``"psi+"``, ``"psi-"`` and are
  always listed in that order; the target pair of a network is Φ+.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import qutip

from .._validation import (
    ATOL,
    check_choice,
    check_density_matrix,
    check_probability,
    check_real_array,
)

__all__ = [
    "BELL_NAMES",
    "bell_ket",
    "bell_state",
    "werner_state",
    "bell_diagonal_state",
    "bell_diagonal_coefficients",
]

#: The four Bell-state names, in the book's fixed order Φ+, Φ−, Ψ+, Ψ−.
BELL_NAMES: tuple[str, ...] = ("phi+", "phi-", "psi+", "psi-")

# qutip.bell_state labels the same four states "00", "01", "10", "11".
_QUTIP_LABEL = {"phi+": "00", "phi-": "01", "psi+": "10", "psi-": "11"}


def bell_ket(name: str) -> qutip.Qobj:
    r"""Return a Bell state as a ket.

    .. math::

        |\Phi^\pm\rangle = \frac{|00\rangle \pm |11\rangle}{\sqrt 2}, \qquad
        |\Psi^\pm\rangle = \frac{|01\rangle \pm |10\rangle}{\sqrt 2}.

    Parameters
    ----------
    name : {"phi+", "phi-", "psi+", "psi-"}
        Which Bell state.

    Returns
    -------
    qutip.Qobj
        Ket with dims ``[[2, 2], [1]]`` (QuTiP 5 ket dims).

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`BELL_NAMES` (the message lists them).
    TypeError
        If ``name`` is not a string.

    Notes
    -----
    Built with ``qutip.bell_state``, which labels the same states ``"00"``
    (Φ+), ``"01"`` (Φ−), ``"10"`` (Ψ+) and ``"11"`` (Ψ−); qlib uses the
    readable names instead. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import bell_ket
    >>> [round(float(x), 6) for x in bell_ket("phi+").full().real.ravel()]
    [0.707107, 0.0, 0.0, 0.707107]
    """
    name = check_choice("name", name, BELL_NAMES)
    return qutip.bell_state(_QUTIP_LABEL[name])


def bell_state(name: str) -> qutip.Qobj:
    r"""Return a Bell state as a density matrix :math:`|B\rangle\langle B|`.

    Parameters
    ----------
    name : {"phi+", "phi-", "psi+", "psi-"}
        Which Bell state.

    Returns
    -------
    qutip.Qobj
        Density matrix with dims ``[[2, 2], [2, 2]]``.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`BELL_NAMES` (the message lists them).

    Notes
    -----
    Unlike ``qutip.bell_state`` (which returns a ket labelled ``"00"`` …
    ``"11"``), this returns the density matrix, following the book's
    convention that states are density matrices. Use :func:`bell_ket` for the
    ket. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import bell_state
    >>> rho = bell_state("psi-")
    >>> rho.dims
    [[2, 2], [2, 2]]
    >>> round(float(rho.tr()), 6)
    1.0
    """
    return qutip.ket2dm(bell_ket(name))


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
    return bell_diagonal_state([fidelity, rest, rest, rest])


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
    rho = sum(c * bell_state(n) for c, n in zip(coeffs, BELL_NAMES))
    return qutip.Qobj(rho.full(), dims=[[2, 2], [2, 2]])


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
