"""The four Bell states, the basis of every pair in the book.

Conventions (fixed for the whole book, see docs/architecture.md):

- states are density matrices, ``qutip.Qobj`` with dims ``[[2, 2], [2, 2]]``
  for a pair; qubit 0 is the left factor of ``qutip.tensor``;
- Bell states are named ``"phi+"``, ``"phi-"``, ``"psi+"``, ``"psi-"`` and are
  always listed in that order; the target pair of a network is Φ+.

Mixtures of Bell states (Werner and Bell-diagonal states, and their weights)
are in :mod:`qlib.quantum.bell_diagonal`.
"""

from __future__ import annotations

import qutip

from .._validation import check_choice

__all__ = [
    "BELL_NAMES",
    "bell_ket",
    "bell_state",
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
