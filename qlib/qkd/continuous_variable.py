r"""Continuous-variable QKD (GG02): Gaussian-modulated coherent states, homodyne detection.

Introduced in the chapter *QKD beyond the repeaterless bound*:

- the experiment: :class:`CVExperiment`, presets :data:`LODEWYCK_2007` (the
  25-km experiment of Lodewyck et al.) and :data:`ZHANG_2020_ASSUMED` (a link of
  the kind of the 202.81-km record, partly assumed values);
- the rate and its reach: :func:`gg02_key_rate`, :func:`cv_max_distance_km`.

Alice sends coherent states whose two quadratures are drawn from a Gaussian of
variance :math:`V_A`; Bob measures one quadrature with a homodyne detector (a
strong local oscillator and two photodiodes, no single-photon counters). The key
comes from the continuous outcomes, corrected in *reverse reconciliation* (Alice
guesses Bob's values), which escapes the 3-dB loss limit of direct
reconciliation.

Conventions
-----------
Rates are *secret bits per channel use* (per pulse), asymptotic, against
collective attacks (Gaussian attacks are optimal), with Bob's detector noise
*trusted* (calibrated and out of Eve's reach). Variances are in shot-noise
units (the vacuum has variance 1); :math:`V = V_A + 1`; the excess noise ξ is
referred to the channel input; distances in km (Alice to Bob, no relay);
scalar in, ``float`` out, array in, array out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import (
    check_nonnegative,
    check_nonnegative_array,
    check_positive,
    check_probability,
)
from ..network.fibre import fiber_transmittance
from ._pulses import _out
from ._reach import _last_positive_km
from ._experiments import check_efficiency as _check_efficiency, check_name as _check_name
from ._experiments import replace_experiment as _replace

__all__ = [
    "CVExperiment",
    "LODEWYCK_2007",
    "ZHANG_2020_ASSUMED",
    "gg02_key_rate",
    "cv_max_distance_km",
]


@dataclass(frozen=True)
class CVExperiment:
    r"""The parameters of a GG02 (coherent states, homodyne, reverse reconciliation) link.

    Parameters
    ----------
    attenuation_db_per_km : float, default 0.2
        Fibre attenuation α in dB/km, ``>= 0``.
    detector_efficiency : float, default 0.606
        η in (0, 1]: the homodyne detector's efficiency (trusted).
    electronic_noise : float, default 0.041
        :math:`v_{\rm el} \ge 0`: the detector's electronic noise, shot-noise units (trusted).
    excess_noise : float, default 0.005
        ξ ``>= 0``: noise above shot noise added by the channel, referred to its
        input, shot-noise units.
    reconciliation_efficiency : float, default 0.898
        β in (0, 1]: the fraction of the mutual information that reconciliation
        extracts (1 is the Shannon limit).
    modulation_variance : float, default 18.5
        :math:`V_A > 0`: Alice's modulation variance, shot-noise units.
    name : str
        A label for figures.

    Notes
    -----
    The defaults are the values of Lodewyck et al., PRA 76, 042305 (2007),
    for their 25-km experiment (η = 0.606, :math:`v_{\rm el} = 0.041`,
    ξ = 0.005, β = 0.898, :math:`V_A = 18.5`), with α = 0.2 dB/km.
    Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import LODEWYCK_2007
    >>> LODEWYCK_2007.reconciliation_efficiency, LODEWYCK_2007.modulation_variance
    (0.898, 18.5)
    """

    attenuation_db_per_km: float = 0.2
    detector_efficiency: float = 0.606
    electronic_noise: float = 0.041
    excess_noise: float = 0.005
    reconciliation_efficiency: float = 0.898
    modulation_variance: float = 18.5
    name: str = "Lodewyck et al. 2007"

    def __post_init__(self):
        check_nonnegative("attenuation_db_per_km", self.attenuation_db_per_km)
        _check_efficiency("detector_efficiency", self.detector_efficiency)
        check_nonnegative("electronic_noise", self.electronic_noise)
        check_nonnegative("excess_noise", self.excess_noise)
        beta = check_probability("reconciliation_efficiency", self.reconciliation_efficiency)
        if beta == 0:
            raise ValueError("reconciliation_efficiency must be in (0, 1], got 0.0")
        check_positive("modulation_variance", self.modulation_variance)
        _check_name(self.name)

    def replace(self, **changes) -> "CVExperiment":
        """A copy with some parameters changed (validated again)."""
        return _replace(self, CVExperiment, changes)

    def transmittance(self, distance_km):
        r"""Channel transmittance :math:`T = 10^{-\alpha L/10}` (fibre only; η is Bob's)."""
        length = check_nonnegative_array("distance_km", distance_km)
        return fiber_transmittance(length, self.attenuation_db_per_km)


#: Lodewyck et al., PRA 76, 042305 (2007): their 25-km experiment's values.
LODEWYCK_2007 = CVExperiment()

#: A link of the kind of the 202.81-km record (Zhang et al., PRL 125, 010502,
#: 2020): ultra-low-loss fibre (0.16 dB/km, 32.45 dB over 202.81 km) and
#: reconciliation efficiency 98 %, as reported; the detector, excess noise and
#: modulation values are *assumed* round values of that kind, not the paper's.
ZHANG_2020_ASSUMED = CVExperiment(
    attenuation_db_per_km=0.16,
    detector_efficiency=0.6,
    electronic_noise=0.02,
    excess_noise=0.002,
    reconciliation_efficiency=0.98,
    modulation_variance=4.0,
    name="202.81-km-like link (partly assumed)",
)


def _g(nu):
    """Von Neumann entropy (bits) of a thermal mode with symplectic eigenvalue nu >= 1."""
    x = np.maximum((nu - 1.0) / 2.0, 0.0)
    safe = np.where(x > 0, x, 1.0)
    return np.where(x > 0, (x + 1.0) * np.log2(x + 1.0) - x * np.log2(safe), 0.0)


def _exact(t, exp, v):
    """The closed form of the GG02 rate (loses its digits once K ~ 1e-15, T below ~1e-12)."""
    eta, v_el, xi = exp.detector_efficiency, exp.electronic_noise, exp.excess_noise
    chi_line = 1.0 / t - 1.0 + xi
    chi_hom = (1.0 - eta) / eta + v_el / eta
    chi_tot = chi_line + chi_hom / t
    i_ab = 0.5 * np.log2((v + chi_tot) / (1.0 + chi_tot))
    a = v * v * (1.0 - 2.0 * t) + 2.0 * t + t * t * (v + chi_line) ** 2
    b = t * t * (v * chi_line + 1.0) ** 2
    sqrt_b = np.sqrt(b)
    root = np.sqrt(np.maximum(a * a - 4.0 * b, 0.0))
    l1 = np.sqrt(0.5 * (a + root))
    l2 = np.sqrt(np.maximum(b / (0.5 * (a + root)), 1.0))  # l1^2 l2^2 = B, stable
    c = (v * sqrt_b + t * (v + chi_line) + a * chi_hom) / (t * (v + chi_tot))
    d = sqrt_b * (v + sqrt_b * chi_hom) / (t * (v + chi_tot))
    root2 = np.sqrt(np.maximum(c * c - 4.0 * d, 0.0))
    l3 = np.sqrt(0.5 * (c + root2))
    l4 = np.sqrt(np.maximum(d / (0.5 * (c + root2)), 1.0))
    chi_be = _g(l1) + _g(l2) - _g(l3) - _g(l4)  # lambda_5 = 1: g(1) = 0
    return exp.reconciliation_efficiency * i_ab - chi_be


def _raw(t, exp):
    """Unclipped GG02 rate per channel use for an array of channel transmittances ``t``.

    The closed form is a difference of entropies of order one; below
    ``t_lin`` its leading terms K = T (a + b ln T) (the ln T from the
    entropies of the near-vacuum modes) are used instead, fitted at ``t_lin``
    and ``t_lin / 10``, so that the rate keeps its digits at any distance.
    """
    t = np.asarray(t, dtype=float)
    v = exp.modulation_variance + 1.0
    t_lin = min(_T_LINEAR, 1e-2 / (v * v))
    small = t < t_lin
    out = _exact(np.where(small, t_lin, t), exp, v)
    if np.any(small):
        k1 = float(_exact(t_lin, exp, v)) / t_lin
        k2 = float(_exact(t_lin / 10.0, exp, v)) / (t_lin / 10.0)
        b = (k1 - k2) / np.log(10.0)
        a = k1 - b * np.log(t_lin)
        ts = np.where(small, t, 1.0)
        out = np.where(small, ts * (a + b * np.log(ts)), out)
    return out


#: Below this channel transmittance (60 dB) the rate is evaluated by its leading terms.
_T_LINEAR = 1e-6


def _setup(distance_km, experiment, overrides):
    exp = _replace(LODEWYCK_2007 if experiment is None else experiment, CVExperiment, overrides)
    length = check_nonnegative_array("distance_km", distance_km)
    return exp, np.asarray(exp.transmittance(length), dtype=float), np.ndim(length) == 0


def gg02_key_rate(distance_km, *, experiment=None, **overrides):
    r"""GG02 with homodyne detection and reverse reconciliation, secret bits per channel use.

    .. math::

        K = \beta I_{AB} - \chi_{BE},\qquad
        I_{AB} = \tfrac12\log_2\frac{V + \chi_{\rm tot}}{1 + \chi_{\rm tot}},

    with :math:`V = V_A + 1`, :math:`\chi_{\rm line} = 1/T - 1 + \xi`,
    :math:`\chi_{\rm hom} = (1-\eta)/\eta + v_{\rm el}/\eta` and
    :math:`\chi_{\rm tot} = \chi_{\rm line} + \chi_{\rm hom}/T`. Eve's Holevo
    information on Bob's values is

    .. math::

        \chi_{BE} = G\!\left(\tfrac{\lambda_1-1}{2}\right) + G\!\left(\tfrac{\lambda_2-1}{2}\right)
          - G\!\left(\tfrac{\lambda_3-1}{2}\right) - G\!\left(\tfrac{\lambda_4-1}{2}\right)
          - G\!\left(\tfrac{\lambda_5-1}{2}\right),

    :math:`G(x) = (x+1)\log_2(x+1) - x\log_2 x`, with
    :math:`\lambda_{1,2}^2 = \tfrac12[A \pm \sqrt{A^2 - 4B}]`,
    :math:`\lambda_{3,4}^2 = \tfrac12[C \pm \sqrt{C^2 - 4D}]`, :math:`\lambda_5 = 1`,

    .. math::

        A = V^2(1-2T) + 2T + T^2(V+\chi_{\rm line})^2,\qquad
        B = T^2(V\chi_{\rm line} + 1)^2,

        C = \frac{V\sqrt{B} + T(V+\chi_{\rm line}) + A\chi_{\rm hom}}{T(V+\chi_{\rm tot})},\qquad
        D = \sqrt{B}\,\frac{V + \sqrt{B}\chi_{\rm hom}}{T(V+\chi_{\rm tot})}.

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    experiment : CVExperiment, optional
        The link; default :data:`LODEWYCK_2007`.
    **overrides
        Any :class:`CVExperiment` field, e.g. ``excess_noise=0.01``.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per channel use, ``>= 0``.

    Raises
    ------
    ValueError
        Negative distance; an efficiency or β outside (0, 1]; negative excess or
        electronic noise; :math:`V_A \le 0`.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    Lodewyck et al., PRA 76, 042305 (2007), the security analysis of their
    Sec. IV (collective attacks, reverse reconciliation, trusted detector
    noise; the entangling-cloner purification of Grosshans et al.). In the
    pure-loss, ideal-detector limit (ξ = 0, η = 1, :math:`v_{\rm el} = 0`,
    β = 1) with :math:`V_A \to \infty` the rate tends to
    :math:`\tfrac12\log_2\frac{1}{1-T}`: half the PLOB bound. The rate is
    linear in T at long distance and limited there by β and ξ: with β < 1
    the term :math:`(1-\beta)I_{AB}` grows relative to the key, so CV-QKD
    reaches far only with near-perfect reconciliation and a small
    :math:`V_A`. Below :math:`T = \min(10^{-6}, 10^{-2}/V^2)` the closed form
    (a difference of entropies of order one) would lose its digits, and its
    leading terms :math:`K = T(a + b\ln T)` are used, fitted at that
    transmittance and a tenth of it (relative error of order
    :math:`T V^2`). Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import gg02_key_rate
    >>> f"{gg02_key_rate(25.0):.3f}"
    '0.041'
    """
    exp, t, scalar = _setup(distance_km, experiment, overrides)
    return _out(np.maximum(_raw(t, exp), 0.0), scalar)


def cv_max_distance_km(*, experiment=None, upper_km=1000.0, **overrides):
    r"""The longest fibre over which GG02 (homodyne, reverse reconciliation) still yields a key.

    Parameters
    ----------
    experiment : CVExperiment, optional
        The link; default :data:`LODEWYCK_2007`.
    upper_km : float, default 1000.0
        Upper end of the search, ``> 0``.
    **overrides
        Any :class:`CVExperiment` field.

    Returns
    -------
    float
        The distance in km where :func:`gg02_key_rate` reaches zero; 0 if no key
        at zero distance; ``inf`` if still positive at ``upper_km``.

    Raises
    ------
    ValueError
        ``upper_km <= 0``, a parameter out of range.

    Notes
    -----
    The unclipped rate divided by T is bracketed as in :func:`qlib.max_distance_km`.
    Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import cv_max_distance_km
    >>> round(cv_max_distance_km())
    36
    """
    exp = _replace(LODEWYCK_2007 if experiment is None else experiment, CVExperiment, overrides)
    upper = check_positive("upper_km", upper_km)

    def g(lengths):
        t = np.asarray(exp.transmittance(np.asarray(lengths, dtype=float)))
        return _raw(t, exp) / t

    return _last_positive_km(g, upper)
