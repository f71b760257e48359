"""Photon-pair statistics of spontaneous parametric down-conversion (SPDC).

An SPDC source does not emit exactly one pair per pulse: the number of pairs
``n`` is random. A source filtered to a single spectral–spatial mode emits a
two-mode squeezed vacuum, whose pair number is *thermal*
(Bose–Einstein); a source emitting into many modes tends to *Poisson*
statistics. In both cases raising the mean pair number μ raises the rate of
single pairs but also the rate of multi-pair events, which spoil entanglement
and the security of QKD.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .._validation import (
    check_choice,
    check_int,
    check_nonnegative,
    check_nonnegative_array,
)

__all__ = [
    "spdc_pair_distribution",
    "spdc_multipair_probability",
    "spdc_single_pair_probability",
]

_STATISTICS = ("thermal", "poisson")


def _out(x):
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)


def spdc_pair_distribution(mean_pair_number, n_max, statistics="thermal"):
    r"""Probability :math:`P(n)` of emitting ``n`` pairs, for n = 0 … ``n_max``.

    .. math::

        P_{\rm thermal}(n) = \frac{\mu^n}{(1+\mu)^{n+1}}, \qquad
        P_{\rm poisson}(n) = e^{-\mu}\frac{\mu^n}{n!}.

    Parameters
    ----------
    mean_pair_number : float
        Mean number of pairs per pulse μ, ``>= 0``.
    n_max : int
        Largest pair number listed, ``>= 0``.
    statistics : {"thermal", "poisson"}, default "thermal"
        Single-mode (thermal) or many-mode (Poisson) source.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_max + 1,)``; sums to :math:`1 - P(n > n_{\max})`.

    Raises
    ------
    ValueError
        Negative or NaN ``mean_pair_number``, negative ``n_max``, unknown
        ``statistics`` (the message lists the allowed values).
    TypeError
        Non-integer ``n_max`` or non-numeric ``mean_pair_number``.

    Notes
    -----
    The thermal law is the pair-number distribution of the two-mode squeezed
    vacuum :math:`\sqrt{1-\lambda^2}\sum_n \lambda^n|n,n\rangle` with
    :math:`\lambda^2 = \tanh^2 r = \mu/(1+\mu)`.
    References: Mauerer, Avenhaus, Helwig & Silberhorn, PRA 80, 053815
    (2009); Sangouard et al., Rev. Mod. Phys. 83, 33 (2011). Introduced in the
    chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import spdc_pair_distribution
    >>> [round(float(x), 6) for x in spdc_pair_distribution(0.25, 2)]
    [0.8, 0.16, 0.032]
    """
    mu = check_nonnegative("mean_pair_number", mean_pair_number)
    n_max = check_int("n_max", n_max, minimum=0)
    statistics = check_choice("statistics", statistics, _STATISTICS)
    n = np.arange(n_max + 1)
    if statistics == "poisson":
        # Poisson pmf exp(n ln mu - mu - ln n!), with 0 ln 0 = 0 (scipy.special: importing
        # scipy.stats would cost a third of a second on every `import qlib`)
        return np.exp(special.xlogy(n, mu) - mu - special.gammaln(n + 1.0))
    if mu == 0.0:
        out = np.zeros(n_max + 1)
        out[0] = 1.0
        return out
    log_p = n * np.log(mu) - (n + 1) * np.log1p(mu)
    return np.exp(log_p)


def spdc_single_pair_probability(mean_pair_number, statistics="thermal"):
    r"""Probability :math:`P(n = 1)` that a pulse holds exactly one pair.

    .. math::

        P_{\rm thermal}(1) = \frac{\mu}{(1+\mu)^2}, \qquad
        P_{\rm poisson}(1) = \mu e^{-\mu}.

    Parameters
    ----------
    mean_pair_number : float or array_like
        Mean number of pairs per pulse μ, ``>= 0``.
    statistics : {"thermal", "poisson"}, default "thermal"
        Single-mode (thermal) or many-mode (Poisson) source.

    Returns
    -------
    float or numpy.ndarray
        :math:`P(1)`; at most 1/4 (thermal, at μ = 1) or 1/e (Poisson).

    Raises
    ------
    ValueError, TypeError
        As :func:`spdc_pair_distribution`.

    Notes
    -----
    References: Mauerer et al., PRA 80, 053815 (2009); Sangouard et al.,
    Rev. Mod. Phys. 83, 33 (2011). Introduced in the chapter
    *Entanglement*.

    Examples
    --------
    >>> from qlib import spdc_single_pair_probability
    >>> round(spdc_single_pair_probability(1.0), 6)
    0.25
    """
    mu = check_nonnegative_array("mean_pair_number", mean_pair_number)
    statistics = check_choice("statistics", statistics, _STATISTICS)
    if statistics == "poisson":
        return _out(mu * np.exp(-mu))
    return _out(np.asarray(mu) / (1.0 + np.asarray(mu)) ** 2)


def spdc_multipair_probability(mean_pair_number, statistics="thermal"):
    r"""Probability :math:`P(n \ge 2)` that a pulse holds two or more pairs.

    .. math::

        P_{\rm thermal}(n\ge 2) = \left(\frac{\mu}{1+\mu}\right)^2, \qquad
        P_{\rm poisson}(n\ge 2) = 1 - e^{-\mu}(1+\mu).

    Parameters
    ----------
    mean_pair_number : float or array_like
        Mean number of pairs per pulse μ, ``>= 0``.
    statistics : {"thermal", "poisson"}, default "thermal"
        Single-mode (thermal) or many-mode (Poisson) source.

    Returns
    -------
    float or numpy.ndarray
        :math:`P(n\ge2)`. For small μ it grows as :math:`\mu^2` (thermal) or
        :math:`\mu^2/2` (Poisson): a thermal source has twice the multi-pair
        rate of a Poisson one at the same μ.

    Raises
    ------
    ValueError, TypeError
        As :func:`spdc_pair_distribution`.

    Notes
    -----
    Computed in closed form (Poisson via the survival function), accurate
    for tiny μ. References: Mauerer et al., PRA 80, 053815 (2009);
    Sangouard et al., Rev. Mod. Phys. 83, 33 (2011). Introduced in the
    chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import spdc_multipair_probability
    >>> round(spdc_multipair_probability(0.25), 6)
    0.04
    """
    mu = check_nonnegative_array("mean_pair_number", mean_pair_number)
    statistics = check_choice("statistics", statistics, _STATISTICS)
    if statistics == "poisson":
        return _out(special.gammainc(2.0, mu))  # P(N >= 2): regularised lower incomplete gamma
    mu = np.asarray(mu)
    return _out((mu / (1.0 + mu)) ** 2)
