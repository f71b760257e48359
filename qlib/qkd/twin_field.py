r"""Twin-field QKD in its phase-matching form: key rate per pulse pair, √η scaling.

Introduced in the chapter *QKD beyond the repeaterless bound*:

- the experiment: :class:`TwinFieldExperiment`, presets :data:`MA_ZENG_ZHOU_2018`
  (the simulation parameters of the phase-matching paper) and
  :data:`LIU_2023_ASSUMED` (a link of the kind of the 1,002-km record, assumed
  values);
- the rate and its reach: :func:`phase_matching_key_rate`,
  :func:`twin_field_max_distance_km`.

Alice and Bob each send a weak coherent pulse whose *phase* carries the key bit
(0 or π on top of a random phase drawn from one of :math:`M` slices) to an
untrusted relay (Charlie) in the middle. Charlie interferes the two on a beam
splitter and announces which of his two detectors clicked: the relative phase,
hence the parity of the two bits. One photon, from *either* side, suffices: the
rate is proportional to the transmittance of one arm, :math:`\sqrt{\eta}` of the
whole line, which is why twin-field QKD can pass the PLOB bound without a
repeater.

Which twin-field protocol, and why: this module implements *phase-matching*
QKD (PM-QKD; Ma, Zeng and Zhou, PRX 8, 031043, 2018) with infinitely many
decoys. Its rate has a short closed form (the phase error is bounded by the
fraction of detections caused by even photon numbers), and it keeps the
structure of the original twin-field proposal of Lucamarini et al. (Nature 557,
400, 2018): phase slices, post-selection of matching slices, and the cost
:math:`2/M` of that post-selection. The 1,002-km record (Liu et al., PRL 130,
210801, 2023) used another variant, sending-or-not-sending (SNS; Wang, Yu and Hu,
PRA 98, 062323, 2018), which needs no phase post-selection; the chapter compares
the two honestly.

Conventions
-----------
Rates are *secret bits per pair of pulses* (one from Alice and one from Bob),
asymptotic (infinitely many decoys, infinitely long keys). ``distance_km`` is the
total Alice–Bob length, Charlie in the middle; the dark-count probability is
*per detector and per pulse*; scalar in, ``float`` out, array in, array out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import (
    check_broadcastable,
    check_int,
    check_nonnegative_array,
    check_positive,
)
from ..network.fibre import fiber_transmittance
from ._pulses import _check_mu, _h, _h_half, _maximise, _out
from ._reach import _last_positive_km
from ._experiments import check_photon_counting_link, replace_experiment as _replace

__all__ = [
    "TwinFieldExperiment",
    "MA_ZENG_ZHOU_2018",
    "LIU_2023_ASSUMED",
    "phase_matching_key_rate",
    "twin_field_max_distance_km",
]


@dataclass(frozen=True)
class TwinFieldExperiment:
    r"""The parameters of a phase-matching (twin-field) QKD link over fibre.

    Parameters
    ----------
    attenuation_db_per_km : float, default 0.2
        Fibre attenuation α in dB/km, ``>= 0``.
    detector_efficiency : float, default 0.145
        :math:`\eta_d` in (0, 1]: the efficiency of each of Charlie's two detectors.
    dark_count_probability : float, default 8e-8
        :math:`p_d` in [0, 1): background click probability per pulse, *per
        detector*.
    error_floor : float, default 0.015
        :math:`e_d` in [0, 0.5]: the probability that interference sends the
        light to the wrong detector (phase drift, imperfect visibility), on top
        of the error the phase slices cause.
    ec_efficiency : float, default 1.15
        :math:`f \ge 1`: error correction leaks :math:`f\,h(E)` bits per bit.
    phase_slices : int, default 16
        :math:`M \ge 1`: how many slices the random phase is drawn from; a
        pair is kept only if Alice's and Bob's slices match (or differ by π),
        with probability :math:`2/M`.
    name : str
        A label for figures.

    Notes
    -----
    Each arm has the transmittance :math:`\eta = \eta_d\,10^{-\alpha L/20}` for
    the total length :math:`L`. The defaults are the simulation parameters of
    Ma, Zeng and Zhou, PRX 8, 031043 (2018): :math:`\eta_d = 14.5\,\%`,
    :math:`p_d = 8\times10^{-8}`, :math:`e_d = 1.5\,\%`, :math:`f = 1.15`,
    :math:`M = 16`, α = 0.2 dB/km. Introduced in the chapter *QKD beyond the
    repeaterless bound*.

    Examples
    --------
    >>> from qlib import MA_ZENG_ZHOU_2018
    >>> MA_ZENG_ZHOU_2018.phase_slices, MA_ZENG_ZHOU_2018.dark_count_probability
    (16, 8e-08)
    """

    attenuation_db_per_km: float = 0.2
    detector_efficiency: float = 0.145
    dark_count_probability: float = 8e-8
    error_floor: float = 0.015
    ec_efficiency: float = 1.15
    phase_slices: int = 16
    name: str = "Ma-Zeng-Zhou 2018"

    def __post_init__(self):
        check_photon_counting_link(self)
        check_int("phase_slices", self.phase_slices, minimum=1)

    def replace(self, **changes) -> "TwinFieldExperiment":
        """A copy with some parameters changed (validated again)."""
        return _replace(self, TwinFieldExperiment, changes)

    def arm_transmittance(self, distance_km):
        r"""Transmittance :math:`\eta` of one arm (fibre and detector) for a total length."""
        length = check_nonnegative_array("distance_km", distance_km)
        return self.detector_efficiency * fiber_transmittance(
            np.asarray(length) / 2.0, self.attenuation_db_per_km)

    def slice_error(self) -> float:
        r"""The wrong-detector probability that the phase slices alone cause.

        The phase difference left after matching slices of width
        :math:`w = 2\pi/M` is triangular on :math:`[-w, w]`; light reaches the
        wrong port with probability :math:`\langle\sin^2(\delta/2)\rangle =
        \tfrac12\left[1 - 2(1-\cos w)/w^2\right]` (≈ 0.64 % for M = 16).
        """
        w = 2.0 * np.pi / self.phase_slices
        return float(0.5 * (1.0 - 2.0 * (1.0 - np.cos(w)) / (w * w)))


#: Ma, Zeng, Zhou, PRX 8, 031043 (2018): their simulation parameters.
MA_ZENG_ZHOU_2018 = TwinFieldExperiment()

#: A link of the kind of the 1,002-km record (Liu et al., PRL 130, 210801, 2023):
#: ultra-low-loss fibre (0.157 dB/km), superconducting detectors with very low
#: dark counts. The numbers are *assumed* round values of that kind (60 %
#: detectors, 1e-10 dark counts per pulse, 3 % interference error), not the
#: paper's table; and the record used SNS with paired post-processing, not PM.
LIU_2023_ASSUMED = TwinFieldExperiment(
    attenuation_db_per_km=0.157,
    detector_efficiency=0.6,
    dark_count_probability=1e-10,
    error_floor=0.03,
    ec_efficiency=1.1,
    phase_slices=16,
    name="1,002-km-like link (assumed)",
)


def _setup(distance_km, experiment, overrides):
    exp = _replace(MA_ZENG_ZHOU_2018 if experiment is None else experiment,
                   TwinFieldExperiment, overrides)
    length = check_nonnegative_array("distance_km", distance_km)
    return exp, np.asarray(exp.arm_transmittance(length), dtype=float), np.ndim(length) == 0


def _wrong_fraction(exp):
    e_m = exp.slice_error()
    e_d = exp.error_floor
    return e_d + e_m - 2.0 * e_d * e_m  # two independent flips


def _gain_errors(eta, mu, exp):
    """Gain Q (exactly one click), bit error E_Z and phase-error bound E_X (even photons)."""
    p = exp.dark_count_probability
    e = _wrong_fraction(exp)
    x = eta * mu  # mean photon number reaching Charlie's detectors (both arms, mu/2 each)
    # Q = (1-p)[e^{-xe} + e^{-x(1-e)} - 2(1-p) e^{-x}], written with expm1 (no cancellation)
    right = -np.expm1(-x * (1.0 - e)) + p * np.exp(-x * (1.0 - e))  # 1-(1-p)e^{-x(1-e)}
    wrong = -np.expm1(-x * e) + p * np.exp(-x * e)
    p_right = right * (1.0 - p) * np.exp(-x * e)
    p_wrong = wrong * (1.0 - p) * np.exp(-x * (1.0 - e))
    gain = p_right + p_wrong
    e_z = p_wrong / gain
    # even photon numbers: sum_k even P_k Y_k = Q/2 + (1-p)/2 e^{-2mu} B
    b = (np.expm1(x * e) + np.expm1(x * (1.0 - e)) - 2.0 * np.expm1(x)
         + 2.0 * p * np.exp(x))
    e_x = 0.5 + 0.5 * (1.0 - p) * np.exp(-2.0 * mu) * b / gain
    return gain, e_z, e_x


def _raw(eta, mu, exp):
    gain, e_z, e_x = _gain_errors(eta, mu, exp)
    sift = 2.0 / exp.phase_slices
    return sift * gain * (1.0 - exp.ec_efficiency * _h(e_z) - _h_half(e_x))


def phase_matching_key_rate(distance_km, mu=None, *, experiment=None, **overrides):
    r"""Phase-matching twin-field QKD with infinitely many decoys, secret bits per pulse pair.

    .. math::

        R_{\rm PM} = \frac{2}{M}\,Q_\mu\left[1 - f\,h(E^Z_\mu) - h(E^X_\mu)\right],

    where μ is the *total* mean photon number (μ/2 from Alice and from Bob),
    :math:`x = \eta\mu` reaches Charlie (η one arm's transmittance), a fraction
    :math:`e` of it at the wrong detector (:math:`e_d` combined with the
    slices' error, :meth:`TwinFieldExperiment.slice_error`), and, with
    :math:`p_d` per detector,

    .. math::

        Q_\mu = (1-p_d)\left[e^{-xe} + e^{-x(1-e)} - 2(1-p_d)e^{-x}\right],\qquad
        E^Z_\mu Q_\mu = (1-p_d)e^{-x(1-e)}\left[1 - (1-p_d)e^{-xe}\right],

    and the phase error is bounded by the fraction of detections caused by
    even photon numbers (their phase carries no key),

    .. math::

        E^X_\mu \le q_{\rm even} = \frac{1}{Q_\mu}\sum_{k\ {\rm even}}
            e^{-\mu}\frac{\mu^k}{k!}\,Y_k,

    with :math:`Y_k` the channel's yield of k photons (known exactly with
    infinitely many decoys). Without dark counts or errors,
    :math:`q_{\rm even} \to (1 - e^{-2\mu})/2` at long distance.

    Parameters
    ----------
    distance_km : float or array_like
        Total Alice–Bob fibre length in km, ``>= 0``.
    mu : float or array_like, optional
        Total signal mean photon number, ``> 0``; ``None`` (default) maximises
        the rate over μ in [1e-7, 2] at each distance.
    experiment : TwinFieldExperiment, optional
        The link; default :data:`MA_ZENG_ZHOU_2018`.
    **overrides
        Any :class:`TwinFieldExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per pair of pulses sent, ``>= 0``.

    Raises
    ------
    ValueError
        Negative distance, ``mu <= 0``, a parameter out of range.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    Ma, Zeng, Zhou, PRX 8, 031043 (2018): the key-rate formula of their main
    text (rate with the :math:`2/M` phase-matching cost and the even-photon
    bound on the phase error) in their simulation model, here with the gains
    written out exactly for two threshold detectors. The optimal μ does not
    depend on distance at long range, so :math:`R \propto \eta = \eta_d
    \sqrt{\eta_{\rm fibre}}`: :math:`R/\sqrt{\eta_{\rm fibre}}` is constant
    until dark counts take over, and the curve crosses the PLOB bound
    (:func:`qlib.plob_crossing_km`). Where this simple model and the papers'
    figures differ, the chapter says so. Introduced in the chapter *QKD beyond
    the repeaterless bound*.

    Examples
    --------
    >>> from qlib import phase_matching_key_rate
    >>> f"{phase_matching_key_rate(300.0):.2e}"
    '6.51e-07'
    """
    exp, eta, scalar = _setup(distance_km, experiment, overrides)
    if mu is None:
        value, _ = _maximise(lambda e, m: _raw(e, m, exp), eta)
    else:
        m = _check_mu("mu", mu)
        check_broadcastable(distance_km=distance_km, mu=m)
        value = _raw(eta, m, exp)
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)


def twin_field_max_distance_km(mu=None, *, experiment=None, upper_km=2000.0, **overrides):
    r"""The longest total fibre length over which phase-matching QKD still yields a key.

    Parameters
    ----------
    mu : float, optional
        A fixed total signal μ ``> 0``; ``None`` optimises μ.
    experiment : TwinFieldExperiment, optional
        The link; default :data:`MA_ZENG_ZHOU_2018`.
    upper_km : float, default 2000.0
        Upper end of the search, ``> 0``.
    **overrides
        Any :class:`TwinFieldExperiment` field.

    Returns
    -------
    float
        The total distance in km where :func:`phase_matching_key_rate` reaches
        zero; 0 if no key at zero distance; ``inf`` if still positive at
        ``upper_km``.

    Raises
    ------
    ValueError
        ``mu <= 0``, ``upper_km <= 0``, a parameter out of range.

    Notes
    -----
    The unclipped rate divided by one arm's transmittance is bracketed as in
    :func:`qlib.max_distance_km`. Introduced in the chapter *QKD beyond the
    repeaterless bound*.

    Examples
    --------
    >>> from qlib import twin_field_max_distance_km
    >>> round(twin_field_max_distance_km())
    395
    """
    exp = _replace(MA_ZENG_ZHOU_2018 if experiment is None else experiment,
                   TwinFieldExperiment, overrides)
    upper = check_positive("upper_km", upper_km)
    fixed = None if mu is None else float(_check_mu("mu", mu))

    def g(lengths):
        eta = np.asarray(exp.arm_transmittance(np.asarray(lengths, dtype=float)))
        if fixed is None:
            value, _ = _maximise(lambda e, m: _raw(e, m, exp), eta)
        else:
            value = _raw(eta, fixed, exp)
        return value / eta

    return _last_positive_km(g, upper)
