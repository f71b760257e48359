r"""Repeaterless bounds (PLOB, TGW) and the hashing yield: what a repeater must beat.

The bounds are in bits (ebits or secret bits) per use of a pure-loss channel
of transmittance :math:`\eta`; the hashing yield converts Bell-diagonal pairs
(weights in the order Φ+, Φ−, Ψ+, Ψ−) into ebits, so that a repeater's pairs
can be compared with them fairly.

Introduced in the chapter *Quantum repeaters*.
"""

from __future__ import annotations

import numpy as np

from .._linalg import shannon_bits
from .._validation import check_probability_array
from ..quantum.bell_diagonal import _check_coefficients

__all__ = [
    "plob_bound",
    "tgw_bound",
    "hashing_yield",
]


def _bound_input(transmittance):
    eta = check_probability_array("transmittance", transmittance)
    return np.asarray(eta, dtype=float), np.ndim(eta) == 0


def plob_bound(transmittance):
    r"""PLOB repeaterless bound: :math:`-\log_2(1-\eta)` bits per channel use.

    Parameters
    ----------
    transmittance : float or array_like
        Channel transmittance :math:`\eta` in [0, 1] (e.g.
        :func:`qlib.fiber_transmittance`).

    Returns
    -------
    float or numpy.ndarray
        Secret-key (and entanglement) capacity of the pure-loss channel, in
        bits per channel use; ``inf`` at :math:`\eta = 1` (a lossless channel
        has no finite bound), returned rather than refused so that plots over
        η in [0, 1] work.

    Notes
    -----
    Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017).
    For small η it is :math:`\approx 1.44\,\eta`: linear in the
    transmittance, so exponentially small in distance. Introduced in the
    chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import plob_bound, fiber_transmittance
    >>> round(plob_bound(fiber_transmittance(100.0)), 6)    # eta = 0.01
    0.0145
    """
    eta, scalar = _bound_input(transmittance)
    with np.errstate(divide="ignore"):
        # log1p keeps full precision at small eta (long links), where
        # log2(1 - eta) would round to 0 below eta ~ 1e-16.
        out = -np.log1p(-eta) / np.log(2.0)
    return float(out) if scalar else out


def tgw_bound(transmittance):
    r"""TGW bound: :math:`\log_2\frac{1+\eta}{1-\eta}` bits per channel use.

    Parameters
    ----------
    transmittance : float or array_like
        Channel transmittance :math:`\eta` in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        The squashed-entanglement upper bound of Takeoka, Guha and Wilde for
        the pure-loss channel, bits per channel use; ``inf`` at
        :math:`\eta = 1`. Always :math:`\ge` :func:`plob_bound` (about twice it
        at small η: :math:`\approx 2.89\,\eta`).

    Notes
    -----
    Takeoka, Guha, Wilde, Nat. Commun. 5, 5235 (2014). Introduced in the
    chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import tgw_bound
    >>> round(tgw_bound(0.01), 6)
    0.028855
    """
    eta, scalar = _bound_input(transmittance)
    with np.errstate(divide="ignore"):
        out = (np.log1p(eta) - np.log1p(-eta)) / np.log(2.0)
    return float(out) if scalar else out


def hashing_yield(coefficients):
    r"""Ebits per pair that one-way hashing distils from a Bell-diagonal pair.

    .. math:: D_H = \max\bigl(0,\ 1 - H(\lambda_{\Phi^+}, \lambda_{\Phi^-},
              \lambda_{\Psi^+}, \lambda_{\Psi^-})\bigr),

    with :math:`H` the Shannon entropy (bits) of the Bell weights.

    Parameters
    ----------
    coefficients : array_like of shape (..., 4), or a Bell-diagonal qutip.Qobj
        Bell weights in the order Φ+, Φ−, Ψ+, Ψ− (vectorised over leading axes).

    Returns
    -------
    float or numpy.ndarray
        The hashing yield in ebits per pair, in [0, 1].

    Raises
    ------
    ValueError
        Weights that are negative, do not sum to 1 or are not of shape (..., 4);
        a density matrix that is not Bell-diagonal.

    Notes
    -----
    Bennett, DiVincenzo, Smolin, Wootters, PRA 54, 3824 (1996): the hashing
    protocol's yield, a lower bound on the distillable entanglement. A pair is
    not an ebit: comparing a repeater's pairs per second with the repeaterless
    bounds (:func:`plob_bound`, in ebits per channel use) is fair only after
    such a conversion. Werner pairs yield nothing by hashing below
    :math:`F \approx 0.8107`, though recurrence purification can still help
    there. Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import hashing_yield, werner_coefficients
    >>> hashing_yield([1.0, 0.0, 0.0, 0.0])
    1.0
    >>> round(hashing_yield(werner_coefficients(0.9)), 4)   # Werner F = 0.9
    0.3725
    """
    c = _check_coefficients("coefficients", coefficients)
    out = np.maximum(0.0, 1.0 - shannon_bits(c))
    return float(out) if np.ndim(out) == 0 else out
