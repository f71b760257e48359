r"""Measurement-device-independent QKD with decoys: key rate per pulse pair over fibre.

Introduced in the chapter *QKD beyond the repeaterless bound*:

- the experiment: :class:`MDIExperiment`, presets :data:`LO_CURTY_QI_2012`
  (the parameters of Lo, Curty and Qi's figure) and :data:`YIN_2016_ASSUMED`
  (a link of the kind of the 404-km record, assumed values);
- the single-photon pair: :func:`mdi_single_photon_yield` (:math:`Y_{11}`,
  :math:`e_{11}`);
- the rate and its reach: :func:`mdi_key_rate`, :func:`mdi_max_distance_km`.

Alice and Bob each send phase-randomised weak coherent pulses, BB84-encoded in
polarisation, to an untrusted relay (Charlie) half-way between them, who makes a
linear-optics Bell-state measurement (four threshold detectors) and announces
which Bell state (ψ− or ψ+) he found. No detector is in a trusted laboratory: the
detector attacks of the chapter *QKD over distance, and its attacks* (blinding)
give Charlie nothing, because he never learns the bits, only their parity.

Conventions
-----------
Rates are *secret bits per pair of pulses* (one pulse from Alice and one from
Bob), in the asymptotic limit of infinitely many decoy intensities and with the
rectilinear (Z) basis used for the key almost always, so no sifting factor, as
in Eq. (1) of Lo, Curty and Qi, PRL 108, 130503 (2012). This differs by the
factor :math:`q = 1/2` from :mod:`qlib.qkd.decoy`, whose rates include BB84's
sifting. ``distance_km`` is the *total* Alice–Bob fibre length, with Charlie in
the middle (each arm ``distance_km / 2``); the dark-count probability is *per
detector and per pulse*; scalar in, ``float`` out, array in, array out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import i0e

from .._validation import (
    check_broadcastable,
    check_nonnegative_array,
    check_positive,
)
from ..network.fibre import fiber_transmittance
from ._experiments import check_photon_counting_link, replace_experiment as _replace
from ._pulses import _E0, _check_mu, _h, _h_half, _maximise, _out
from ._reach import _last_positive_km

__all__ = [
    "MDIExperiment",
    "LO_CURTY_QI_2012",
    "YIN_2016_ASSUMED",
    "mdi_single_photon_yield",
    "mdi_key_rate",
    "mdi_max_distance_km",
]


@dataclass(frozen=True)
class MDIExperiment:
    r"""The parameters of a decoy-state MDI-QKD link over fibre, as in Lo, Curty and Qi (2012).

    Parameters
    ----------
    attenuation_db_per_km : float, default 0.2
        Fibre attenuation α in dB/km, ``>= 0``.
    detector_efficiency : float, default 0.145
        :math:`\eta_d` in (0, 1]: the efficiency of each of Charlie's detectors.
    dark_count_probability : float, default 6.02e-6
        :math:`Y_0` in [0, 1): background click probability per pulse, *per
        detector*.
    error_floor : float, default 0.015
        :math:`e_d` in [0, 0.5]: misalignment error (a photon's polarisation
        arrives flipped).
    ec_efficiency : float, default 1.16
        :math:`f \ge 1`: error correction leaks :math:`f\,h(E)` bits per bit.
    name : str
        A label for figures.

    Notes
    -----
    Each arm (Alice–Charlie, Bob–Charlie) has the transmittance
    :math:`\eta_a = \eta_b = \eta_d\,10^{-\alpha L/20}` for a total length
    :math:`L`. The defaults are those of Lo, Curty and Qi's figure (PRL 108,
    130503, 2012), taken there from the 144-km free-space experiment of Ursin et
    al.: :math:`\eta_d = 14.5\,\%`, :math:`e_d = 1.5\,\%`,
    :math:`Y_0 = 6.02\times10^{-6}`, :math:`f = 1.16`, α = 0.2 dB/km.
    Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import LO_CURTY_QI_2012
    >>> LO_CURTY_QI_2012.detector_efficiency, LO_CURTY_QI_2012.dark_count_probability
    (0.145, 6.02e-06)
    >>> LO_CURTY_QI_2012.replace(error_floor=0.0).error_floor
    0.0
    """

    attenuation_db_per_km: float = 0.2
    detector_efficiency: float = 0.145
    dark_count_probability: float = 6.02e-6
    error_floor: float = 0.015
    ec_efficiency: float = 1.16
    name: str = "Lo-Curty-Qi 2012"

    def __post_init__(self):
        check_photon_counting_link(self)

    def replace(self, **changes) -> "MDIExperiment":
        """A copy with some parameters changed (validated again)."""
        return _replace(self, MDIExperiment, changes)

    def arm_transmittance(self, distance_km):
        r"""Transmittance :math:`\eta_a = \eta_b` of one arm (fibre and detector) for a total length."""
        length = check_nonnegative_array("distance_km", distance_km)
        return self.detector_efficiency * fiber_transmittance(
            np.asarray(length) / 2.0, self.attenuation_db_per_km)


#: Lo, Curty, Qi, PRL 108, 130503 (2012): the parameters of their key-rate figure.
LO_CURTY_QI_2012 = MDIExperiment()

#: A link of the kind of the 404-km MDI-QKD record (Yin et al., PRL 117, 190501,
#: 2016): ultra-low-loss fibre and superconducting detectors. The numbers are
#: *assumed* round values of that kind (0.16 dB/km, 65 % detectors, 1e-8 dark
#: counts per pulse, 1 % misalignment), not the paper's table.
YIN_2016_ASSUMED = MDIExperiment(
    attenuation_db_per_km=0.16,
    detector_efficiency=0.65,
    dark_count_probability=1e-8,
    error_floor=0.01,
    ec_efficiency=1.16,
    name="404-km-like link (assumed)",
)


def _setup(distance_km, experiment, overrides):
    exp = _replace(LO_CURTY_QI_2012 if experiment is None else experiment, MDIExperiment, overrides)
    length = check_nonnegative_array("distance_km", distance_km)
    return exp, np.asarray(exp.arm_transmittance(length), dtype=float), np.ndim(length) == 0


def _y11(eta, exp):
    """Y11 and e11 of a single-photon pair in the Z and X bases (symmetric arms)."""
    y0, e_d = exp.dark_count_probability, exp.error_floor
    survive = (1.0 - y0) ** 2
    y11 = survive * (
        eta * eta / 2.0 + (4.0 * eta - 3.0 * eta * eta) * y0 + 4.0 * (1.0 - eta) ** 2 * y0 * y0
    )
    e11 = (_E0 * y11 - (_E0 - e_d) * survive * eta * eta / 2.0) / y11
    return y11, e11


def _gain_z(eta, mu, exp):
    """Gain and QBER of the Z (rectilinear) basis for coherent pulses mu_a = mu_b = mu."""
    y0, e_d = exp.dark_count_probability, exp.error_floor
    m = eta * mu  # eta_a mu_a = eta_b mu_b
    half = np.exp(-m)  # exp(-mu'/2), mu' = eta_a mu_a + eta_b mu_b = 2m
    one = -np.expm1(-m / 2.0) + y0 * np.exp(-m / 2.0)  # 1 - (1 - Y0) e^{-m/2}, no cancellation
    q_c = 2.0 * (1.0 - y0) ** 2 * half * one * one
    x = m / 2.0  # sqrt(eta_a mu_a eta_b mu_b) / 2
    # I0(2x) exp(-mu'/2) = i0e(2x) exp(2x - 2x): the exponentially scaled Bessel function
    q_e = 2.0 * y0 * (1.0 - y0) ** 2 * (i0e(2.0 * x) - (1.0 - y0) * half * half)
    gain = q_c + q_e
    return gain, (e_d * q_c + (1.0 - e_d) * q_e) / gain


def _raw(eta, mu, exp, single=None):
    """Unclipped MDI rate for mu_a = mu_b = mu; ``single`` = Y11 (1 - h(e11)) may be passed."""
    if single is None:
        y11, e11 = _y11(eta, exp)
        single = y11 * (1.0 - _h_half(e11))
    gain, qber = _gain_z(eta, mu, exp)
    return mu * mu * np.exp(-2.0 * mu) * single - exp.ec_efficiency * gain * _h(qber)


def _objective(exp, eta):
    y11, e11 = _y11(np.asarray(eta, dtype=float), exp)
    single = (y11 * (1.0 - _h_half(e11))).reshape(-1)
    # _maximise calls with e of shape (1, n) and (n,): the same n transmittances
    return lambda e, m: _raw(e, m, exp, single.reshape(np.shape(e)))


def mdi_single_photon_yield(distance_km, *, experiment=None, **overrides):
    r"""Yield :math:`Y_{11}` and phase error :math:`e_{11}` of single-photon pairs in MDI-QKD.

    .. math::

        Y_{11} = (1-Y_0)^2\left[\frac{\eta_a\eta_b}{2}
            + (2\eta_a + 2\eta_b - 3\eta_a\eta_b)Y_0
            + 4(1-\eta_a)(1-\eta_b)Y_0^2\right],

        e_{11}Y_{11} = e_0 Y_{11} - (e_0 - e_d)(1-Y_0)^2\,\frac{\eta_a\eta_b}{2},

    with :math:`e_0 = 1/2` and :math:`\eta_a = \eta_b` the arm transmittances
    (:meth:`MDIExperiment.arm_transmittance`). :math:`Y_{11}` is the same in both
    bases; :math:`e_{11}` is the X-basis (diagonal) error rate that bounds the
    phase error of the Z-basis key.

    Parameters
    ----------
    distance_km : float or array_like
        Total Alice–Bob fibre length in km, ``>= 0`` (Charlie in the middle).
    experiment : MDIExperiment, optional
        The link; default :data:`LO_CURTY_QI_2012`.
    **overrides
        Any :class:`MDIExperiment` field.

    Returns
    -------
    (float, float) or (numpy.ndarray, numpy.ndarray)
        :math:`Y_{11}` (probability per pair of single photons that Charlie
        announces success) and :math:`e_{11}` in [0, 1/2].

    Raises
    ------
    ValueError
        Negative distance, or an experiment parameter out of range.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    The closed forms for polarisation encoding of Xu, Curty, Qi and Lo, NJP 15,
    113007 (2013), their appendix on the simulation model (equivalently Ma and
    Razavi, PRA 86, 062319, 2012, appendix for the polarisation scheme). With no
    dark counts, :math:`Y_{11} = \eta_a\eta_b/2`: the two photons must both
    arrive, and a linear-optics Bell measurement identifies only two of the four
    Bell states. Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import mdi_single_photon_yield
    >>> y11, e11 = mdi_single_photon_yield(0.0, dark_count_probability=0.0)
    >>> round(y11, 6), round(e11, 3)     # 0.145**2 / 2, and e11 = e_d
    (0.010513, 0.015)
    """
    exp, eta, scalar = _setup(distance_km, experiment, overrides)
    y11, e11 = _y11(eta, exp)
    return _out(y11, scalar), _out(e11, scalar)


def mdi_key_rate(distance_km, mu=None, *, experiment=None, **overrides):
    r"""Decoy-state MDI-QKD with infinitely many decoys, secret bits per pulse pair.

    .. math::

        R = Q_{11}^Z\left[1 - h(e_{11}^X)\right] - Q^Z_{\rm rect}\,f\,h(E^Z_{\rm rect}),
        \qquad Q_{11}^Z = \mu_a\mu_b e^{-\mu_a-\mu_b}\,Y_{11},

    with :math:`Y_{11}, e_{11}` from :func:`mdi_single_photon_yield` and the
    signal's Z-basis gain and error rate (:math:`\mu_a = \mu_b = \mu`)

    .. math::

        Q^Z = Q_C + Q_E,\qquad E^Z Q^Z = e_d Q_C + (1-e_d) Q_E,

        Q_C = 2(1-Y_0)^2 e^{-\mu'/2}\left[1-(1-Y_0)e^{-\eta_a\mu_a/2}\right]
              \left[1-(1-Y_0)e^{-\eta_b\mu_b/2}\right],

        Q_E = 2Y_0(1-Y_0)^2 e^{-\mu'/2}\left[I_0(2x) - (1-Y_0)e^{-\mu'/2}\right],

    where :math:`\mu' = \eta_a\mu_a + \eta_b\mu_b`,
    :math:`x = \sqrt{\eta_a\mu_a\eta_b\mu_b}/2` and :math:`I_0` is the modified
    Bessel function of the first kind.

    Parameters
    ----------
    distance_km : float or array_like
        Total Alice–Bob fibre length in km, ``>= 0``.
    mu : float or array_like, optional
        The signal mean photon number of Alice and of Bob (equal), ``> 0``;
        ``None`` (default) maximises the rate over μ in [1e-7, 2] at each distance.
    experiment : MDIExperiment, optional
        The link; default :data:`LO_CURTY_QI_2012`.
    **overrides
        Any :class:`MDIExperiment` field, e.g. ``error_floor=0.0``.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per pair of pulses sent, ``>= 0`` (zero where no key).

    Raises
    ------
    ValueError
        Negative distance, ``mu <= 0``, or an experiment parameter out of range.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    The key-rate formula is Eq. (1) of Lo, Curty and Qi, PRL 108, 130503 (2012);
    the gains and error rates are the closed forms of Xu, Curty, Qi and Lo, NJP
    15, 113007 (2013), appendix (Ma and Razavi, PRA 86, 062319, 2012, give the
    same for polarisation encoding). With infinitely many decoys :math:`Y_{11}`
    and :math:`e_{11}` are known exactly. Only pairs in which *both* sent one
    photon are trusted, so the rate scales like :math:`\eta_a\eta_b`, the
    transmittance of the whole Alice–Bob line: MDI-QKD is linear in η, like
    BB84, and cannot pass the PLOB bound; what it gains is that the detectors
    need no trust. With the default (Lo–Curty–Qi) parameters the rate stays
    positive beyond 200 km, as in their figure. Introduced in the chapter *QKD
    beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import mdi_key_rate
    >>> f"{mdi_key_rate(100.0):.2e}"
    '4.58e-06'
    """
    exp, eta, scalar = _setup(distance_km, experiment, overrides)
    if mu is None:
        value, _ = _maximise(_objective(exp, eta), eta)
    else:
        m = _check_mu("mu", mu)
        check_broadcastable(distance_km=distance_km, mu=m)
        value = _raw(eta, m, exp)
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)


def mdi_max_distance_km(mu=None, *, experiment=None, upper_km=1000.0, **overrides):
    r"""The longest total fibre length over which MDI-QKD still yields a key.

    Parameters
    ----------
    mu : float, optional
        A fixed signal μ ``> 0`` for Alice and Bob; ``None`` optimises μ.
    experiment : MDIExperiment, optional
        The link; default :data:`LO_CURTY_QI_2012`.
    upper_km : float, default 1000.0
        Upper end of the search, ``> 0``.
    **overrides
        Any :class:`MDIExperiment` field.

    Returns
    -------
    float
        The total distance in km where :func:`mdi_key_rate` reaches zero; 0 if
        there is no key at zero distance, ``inf`` if the rate is still positive
        at ``upper_km``.

    Raises
    ------
    ValueError
        ``mu <= 0``, ``upper_km <= 0``, a parameter out of range.

    Notes
    -----
    The unclipped rate divided by :math:`\eta_a\eta_b` is bracketed as in
    :func:`qlib.max_distance_km` (rounds of 128 sub-intervals down to 1 m).
    Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import mdi_max_distance_km
    >>> round(mdi_max_distance_km())
    202
    """
    exp = _replace(LO_CURTY_QI_2012 if experiment is None else experiment, MDIExperiment, overrides)
    upper = check_positive("upper_km", upper_km)
    fixed = None if mu is None else float(_check_mu("mu", mu))

    def g(lengths):
        eta = np.asarray(exp.arm_transmittance(np.asarray(lengths, dtype=float)))
        if fixed is None:
            value, _ = _maximise(_objective(exp, eta), eta)
        else:
            value = _raw(eta, fixed, exp)
        return value / (eta * eta)

    return _last_positive_km(g, upper)

