"""Detection: clicks of a threshold detector behind a lossy channel, and how many are noise.

The light is a coherent (Poissonian) pulse, the detector a threshold (on/off)
detector with independent dark counts. Every function accepts scalars or numpy
arrays (broadcast together) and returns a ``float`` when all inputs are
scalars, a ``numpy.ndarray`` otherwise.

Introduced in the chapter *Quantum links: fibre and satellite*.
"""

from __future__ import annotations

import numpy as np

from .._linalg import float_or_array as _out
from .._validation import (
    check_broadcastable,
    check_nonnegative_array,
    check_probability_array,
)

__all__ = [
    "click_probability",
    "noise_click_fraction",
]


def _detection_inputs(transmittance, detector_efficiency, dark_count_probability, mean_photon_number):
    eta = check_probability_array("transmittance", transmittance)
    eta_det = check_probability_array("detector_efficiency", detector_efficiency)
    p_dark = check_probability_array("dark_count_probability", dark_count_probability)
    mu = check_nonnegative_array("mean_photon_number", mean_photon_number)
    check_broadcastable(
        transmittance=eta,
        detector_efficiency=eta_det,
        dark_count_probability=p_dark,
        mean_photon_number=mu,
    )
    signal = np.asarray(mu) * np.asarray(eta) * np.asarray(eta_det)
    p_dark = np.asarray(p_dark)
    # P(click) = p_dark + (1 - p_dark)(1 - e^{-signal}), written so that it is exactly
    # p_dark without light and never below the noise term p_dark e^{-signal}
    click = p_dark - (1.0 - p_dark) * np.expm1(-signal)
    noise = p_dark * np.exp(-signal)
    return click, noise


def click_probability(
    transmittance,
    detector_efficiency=1.0,
    dark_count_probability=0.0,
    mean_photon_number=1.0,
):
    r"""Probability that a threshold detector clicks in one pulse (detection window).

    .. math::

        P_{\rm click} = 1 - (1 - p_{\rm dark})\,e^{-\mu\,\eta\,\eta_{\rm det}} .

    Parameters
    ----------
    transmittance : float or array_like
        Channel transmittance :math:`\eta` in [0, 1] (e.g. from
        :func:`qlib.fiber_transmittance`).
    detector_efficiency : float or array_like, default 1.0
        Detector efficiency :math:`\eta_{\rm det}` in [0, 1].
    dark_count_probability : float or array_like, default 0.0
        Probability :math:`p_{\rm dark}` in [0, 1] of a dark count (or any
        background click) in one detection window.
    mean_photon_number : float or array_like, default 1.0
        Mean photon number :math:`\mu \ge 0` per pulse at the source.

    Returns
    -------
    float or numpy.ndarray
        Click probability per pulse, in [0, 1].

    Raises
    ------
    ValueError
        A probability or transmittance outside [0, 1], a negative mean photon
        number, NaN or infinite input, or shapes that do not broadcast.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    The light is a coherent (Poissonian) pulse: loss thins a Poisson
    distribution of mean μ into one of mean :math:`\mu\eta\eta_{\rm det}`,
    so no photon is detected with probability :math:`e^{-\mu\eta\eta_{\rm det}}`.
    The detector is a threshold (on/off) detector: it cannot count photons, and
    it stays silent only if no photon is detected *and* no dark count occurs,
    the two being independent. For a true single photon
    (not a coherent pulse) replace :math:`e^{-\mu\eta\eta_{\rm det}}` by
    :math:`1-\eta\eta_{\rm det}`; for :math:`\mu\eta\eta_{\rm det} \ll 1` the two
    agree. Introduced in the chapter *Quantum links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import click_probability, fiber_transmittance
    >>> round(click_probability(fiber_transmittance(100.0), 0.5, 1e-6), 8)
    0.00498853
    >>> click_probability(0.0, dark_count_probability=1e-5)   # only dark counts
    1e-05
    """
    click, _ = _detection_inputs(
        transmittance, detector_efficiency, dark_count_probability, mean_photon_number
    )
    return _out(click)


def noise_click_fraction(
    transmittance,
    detector_efficiency=1.0,
    dark_count_probability=0.0,
    mean_photon_number=1.0,
):
    r"""Probability that a click is noise: a dark count with no photon detected.

    .. math::

        f_{\rm noise} = \frac{p_{\rm dark}\,e^{-\mu\eta\eta_{\rm det}}}
                             {1 - (1 - p_{\rm dark})\,e^{-\mu\eta\eta_{\rm det}}} .

    Parameters
    ----------
    transmittance, detector_efficiency, dark_count_probability, mean_photon_number
        As in :func:`click_probability`.

    Returns
    -------
    float or numpy.ndarray
        The fraction of clicks carrying no signal photon, in [0, 1]. It is 0
        when ``dark_count_probability == 0`` (including the case of no light
        at all, where nothing clicks) and 1 when there is no light but there
        are dark counts.

    Raises
    ------
    ValueError
        As :func:`click_probability`.
    TypeError
        As :func:`click_probability`.

    Notes
    -----
    Same model as :func:`click_probability` (Poissonian pulse, threshold
    detector, independent dark counts). A click in which a photon is detected
    *and* a dark count occurs is counted as signal: the detector cannot tell
    them apart and the photon is there. The noise fraction grows as the
    signal :math:`\mu\eta\eta_{\rm det}` falls towards :math:`p_{\rm dark}`:
    this, not loss alone, ends a link (for instance, the error rate of a
    key-distribution link rises as noise clicks, which give random outcomes,
    take over). Introduced in the chapter *Quantum links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import noise_click_fraction, fiber_transmittance
    >>> round(noise_click_fraction(fiber_transmittance(100.0), 0.5, 1e-6), 6)  # 20 dB
    0.0002
    >>> round(noise_click_fraction(fiber_transmittance(300.0), 0.5, 1e-6), 3)  # 60 dB
    0.667
    """
    click, noise = _detection_inputs(
        transmittance, detector_efficiency, dark_count_probability, mean_photon_number
    )
    safe = np.where(click > 0.0, click, 1.0)
    return _out(np.where(noise > 0.0, noise / safe, 0.0))
