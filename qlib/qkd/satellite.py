r"""Decoy BB84 from a satellite: bits per emitted pulse vs elevation, and bits per pass.

Introduced in the chapter *QKD over distance, and its attacks*:
:func:`satellite_decoy_key_rate` puts the downlink loss of
:func:`qlib.satellite_link_loss_db` in place of the fibre of
:func:`qlib.decoy_bb84_key_rate`; :func:`satellite_pass_key_bits` integrates it
over an overhead pass, whose geometry is :mod:`qlib.network.orbits`.

Conventions
-----------
:func:`satellite_decoy_key_rate` is in secret bits per emitted pulse (sifting
factor 1/2 included), the unit of :mod:`qlib.qkd.decoy`, as a function of the
elevation in degrees; :func:`satellite_pass_key_bits` is in secret bits per
pass (the rate times the pulse rate in Hz, integrated over the pass in s).
Altitudes in km, losses in dB.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int, check_nonnegative, check_positive
from ..network.orbits import _overhead_pass
from ._pulses import _check_mu, _maximise, _objective, _out, _raw_decoy
from .decoy import MICIUS_2017, _experiment

__all__ = ["satellite_decoy_key_rate", "satellite_pass_key_bits"]


def satellite_decoy_key_rate(
    elevation_deg,
    altitude_km=500.0,
    mu=None,
    *,
    system_loss_db=25.0,
    experiment=None,
    link=None,
    **overrides,
):
    r"""Decoy-state BB84 key rate of a satellite downlink, bits per pulse, vs elevation.

    The link loss :math:`\mathcal{L}(e)` (dB) of :func:`qlib.satellite_link_loss_db`
    (downlink, at the experiment's wavelength) plus ``system_loss_db`` replaces
    the fibre: :math:`\eta = \eta_{\rm Bob}\,10^{-\mathcal{L}/10}`, then
    :func:`qlib.decoy_bb84_key_rate` at zero fibre length.

    Parameters
    ----------
    elevation_deg : float or array_like
        Elevation of the satellite seen from the ground, degrees in (0, 90].
    altitude_km : float, default 500.0
        Orbit altitude in km, ``> 0`` (Micius: about 500 km).
    mu : float, optional
        Signal μ ``> 0``; ``None`` optimises it.
    system_loss_db : float, default 25.0
        Fixed terminal losses in dB, ``>= 0``, beyond the ideal optics (the
        chapter *Quantum links: fibre and satellite* fits about 25 dB per Micius downlink).
    experiment : QKDExperiment, optional
        Default :data:`qlib.MICIUS_2017` (an assumed, Micius-like receiver).
    link : dict, optional
        Further keyword arguments for :func:`qlib.satellite_link_loss_db`
        (telescope apertures, pointing error, …).
    **overrides
        Any :class:`qlib.QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per emitted pulse, ``>= 0``. Multiply by the pulse rate
        for bits per second.

    Raises
    ------
    ValueError
        As :func:`qlib.satellite_link_loss_db` and :func:`qlib.decoy_bb84_key_rate`.

    Notes
    -----
    Loss grows with the slant range only as the square of the distance, not
    exponentially; the atmosphere adds its loss once, near the ground. Liao et
    al., Nature 549, 43 (2017) ran decoy-state BB84 at 850 nm from Micius and
    obtained kilohertz key rates at up to 1,200 km. The receiver numbers of
    :data:`qlib.MICIUS_2017` are assumptions, not the paper's values. Introduced in
    the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import satellite_decoy_key_rate
    >>> f"{satellite_decoy_key_rate(90.0):.2e}"
    '6.03e-05'
    """
    from ..network.free_space import satellite_link_loss_db

    exp = _experiment(MICIUS_2017 if experiment is None else experiment, overrides)
    extra = check_nonnegative("system_loss_db", system_loss_db)
    link = {} if link is None else dict(link)
    loss = satellite_link_loss_db(
        altitude_km, elevation_deg, direction="downlink", wavelength_nm=exp.wavelength_nm,
        system_loss_db=extra, **link,
    )
    scalar = np.ndim(loss) == 0
    eta = exp.detector_efficiency * np.power(10.0, -(np.asarray(loss) + exp.extra_loss_db) / 10.0)
    fn = _objective(_raw_decoy, exp, eta)
    if mu is None:
        value, _ = _maximise(fn, eta)
    else:
        value = fn(eta, _check_mu("mu", mu))
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)


def satellite_pass_key_bits(pulse_rate_hz, altitude_km=500.0, min_elevation_deg=15.0, *, samples=2001,
                            **rate_options):
    r"""Secret bits of one overhead pass: :func:`satellite_decoy_key_rate` integrated over time.

    .. math::

        K = f_{\rm rep}\int_{-T/2}^{T/2} R\bigl(e(t)\bigr)\,dt,\qquad
        \tan e = \frac{\cos\theta - R/(R+h)}{\sin|\theta|},\quad \theta = \omega t .

    Parameters
    ----------
    pulse_rate_hz : float
        Pulses sent per second, ``> 0``.
    altitude_km, min_elevation_deg
        As in :func:`qlib.satellite_pass_duration_s`.
    samples : int, default 2001
        Points of the trapezoidal rule over the pass, ``>= 3``.
    **rate_options
        Passed to :func:`satellite_decoy_key_rate` (``mu``, ``system_loss_db``,
        ``experiment``, ``link``, experiment fields).

    Returns
    -------
    float
        Secret bits per pass (asymptotic rate; the finite-size cost of a pass
        of this length is not included).

    Raises
    ------
    ValueError
        As :func:`qlib.satellite_pass_duration_s` and :func:`satellite_decoy_key_rate`,
        or a non-positive pulse rate.

    Notes
    -----
    Same geometry as :func:`qlib.satellite_pass_duration_s`. Liao et al., Nature
    549, 43 (2017) report kilohertz key rates from Micius at up to 1,200 km;
    with the assumed receiver of :data:`qlib.MICIUS_2017` this function gives the
    scale of a pass, not the experiment's numbers. Introduced in the chapter
    *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import satellite_pass_key_bits
    >>> f"{satellite_pass_key_bits(100e6):.2e}"
    '9.48e+05'
    """
    rate_hz = check_positive("pulse_rate_hz", pulse_rate_hz)
    n = check_int("samples", samples, minimum=3)
    h, theta, elevation, omega = _overhead_pass(altitude_km, min_elevation_deg, n)
    rate = np.asarray(satellite_decoy_key_rate(elevation, h, **rate_options))
    return float(rate_hz * np.trapezoid(rate, theta) / omega)
