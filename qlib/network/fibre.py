"""Fibre links: loss, transmittance, photon arrival rate and reach.

Conventions (fixed for the whole book, see docs/architecture.md): lengths in km,
attenuation in dB/km (0.2 dB/km by default, telecom fibre near 1550 nm,
:data:`qlib.constants.FIBER_ATTENUATION_DB_PER_KM`), rates in Hz,
transmittance :math:`\\eta = 10^{-\\alpha L/10}`. Every function accepts
scalars or numpy arrays (broadcast together) and returns a ``float`` when all
inputs are scalars, a ``numpy.ndarray`` otherwise.

Introduced in the chapter *Quantum networks*.
"""

from __future__ import annotations

import numpy as np

from .._linalg import float_or_array as _out
from .._validation import (
    check_broadcastable,
    check_nonnegative_array,
    check_positive_array,
    check_probability_array,
)
from ..constants import FIBER_ATTENUATION_DB_PER_KM

__all__ = [
    "fiber_transmittance",
    "fiber_loss_db",
    "fiber_length_for_transmittance",
    "photon_arrival_rate",
    "fiber_reach_km",
]

_DEFAULT_ALPHA = FIBER_ATTENUATION_DB_PER_KM


def fiber_loss_db(length_km, attenuation_db_per_km=_DEFAULT_ALPHA):
    r"""Total loss of a fibre in dB: :math:`\alpha L`.

    Parameters
    ----------
    length_km : float or array_like
        Fibre length in km, ``>= 0``.
    attenuation_db_per_km : float or array_like, default 0.2
        Attenuation coefficient α in dB/km, ``>= 0``.

    Returns
    -------
    float or numpy.ndarray
        Loss in dB.

    Raises
    ------
    ValueError
        Negative, NaN or infinite input (the message names the parameter).
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    0.2 dB/km is typical of standard single-mode fibre at 1550 nm (the
    best ultra-low-loss fibres reach about 0.16 dB/km). Introduced in the
    chapter *Quantum networks*.

    Examples
    --------
    >>> from qlib import fiber_loss_db
    >>> fiber_loss_db(100.0)
    20.0
    """
    length_km = check_nonnegative_array("length_km", length_km)
    alpha = check_nonnegative_array("attenuation_db_per_km", attenuation_db_per_km)
    check_broadcastable(length_km=length_km, attenuation_db_per_km=alpha)
    return _out(np.multiply(alpha, length_km))


def fiber_transmittance(length_km, attenuation_db_per_km=_DEFAULT_ALPHA):
    r"""Probability that a photon survives a fibre: :math:`\eta = 10^{-\alpha L/10}`.

    Parameters
    ----------
    length_km : float or array_like
        Fibre length in km, ``>= 0``.
    attenuation_db_per_km : float or array_like, default 0.2
        Attenuation coefficient α in dB/km, ``>= 0``.

    Returns
    -------
    float or numpy.ndarray
        Transmittance η in [0, 1].

    Raises
    ------
    ValueError
        Negative, NaN or infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    The exponential decay of η with distance is why direct transmission
    stalls at a few hundred km and why repeaters are needed: at 0.2 dB/km,
    100 km transmit 1 % of the photons and 1000 km only :math:`10^{-20}`.
    Introduced in the chapter *Quantum networks*.

    Examples
    --------
    >>> from qlib import fiber_transmittance
    >>> round(fiber_transmittance(50.0), 6)
    0.1
    """
    loss = fiber_loss_db(length_km, attenuation_db_per_km)
    return _out(np.power(10.0, -np.asarray(loss) / 10.0))


def photon_arrival_rate(
    source_rate_hz,
    length_km,
    attenuation_db_per_km=_DEFAULT_ALPHA,
    detector_efficiency=1.0,
):
    r"""Detected photons per second after a fibre: :math:`R\,\eta\,\eta_{\rm det}`.

    Parameters
    ----------
    source_rate_hz : float or array_like
        Photons sent per second (Hz), ``>= 0``.
    length_km : float or array_like
        Fibre length in km, ``>= 0``.
    attenuation_db_per_km : float or array_like, default 0.2
        Attenuation in dB/km, ``>= 0``.
    detector_efficiency : float or array_like, default 1.0
        Detector efficiency :math:`\eta_{\rm det}` in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        Detection rate in Hz.

    Raises
    ------
    ValueError
        Negative, NaN or infinite input, or ``detector_efficiency``
        outside [0, 1].
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Dark counts and detector dead time are ignored. Introduced in the
    chapter *Quantum networks*.

    Examples
    --------
    >>> from qlib import photon_arrival_rate
    >>> round(photon_arrival_rate(1e9, 100.0, detector_efficiency=0.5), 3)
    5000000.0
    """
    rate = check_nonnegative_array("source_rate_hz", source_rate_hz)
    eta_det = check_probability_array("detector_efficiency", detector_efficiency)
    eta = fiber_transmittance(length_km, attenuation_db_per_km)
    check_broadcastable(
        source_rate_hz=rate,
        length_km=length_km,
        attenuation_db_per_km=attenuation_db_per_km,
        detector_efficiency=eta_det,
    )
    return _out(np.asarray(rate) * np.asarray(eta) * np.asarray(eta_det))


def fiber_length_for_transmittance(transmittance, attenuation_db_per_km=_DEFAULT_ALPHA):
    r"""Fibre length (km) whose transmittance is ``transmittance``: the inverse of
    :func:`fiber_transmittance`, :math:`L = -10\log_{10}(\eta)/\alpha`.

    Parameters
    ----------
    transmittance : float or array_like
        Target transmittance :math:`\eta`, in (0, 1].
    attenuation_db_per_km : float or array_like, default 0.2
        Attenuation in dB/km, ``> 0`` (a lossless fibre reaches no finite loss).

    Returns
    -------
    float or numpy.ndarray
        Length in km.

    Raises
    ------
    ValueError
        ``transmittance`` outside (0, 1], ``attenuation_db_per_km <= 0``, NaN or
        infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Introduced in the chapter *Quantum networks* (every 15 km of 0.2 dB/km fibre
    halves the light).

    Examples
    --------
    >>> from qlib import fiber_length_for_transmittance
    >>> round(fiber_length_for_transmittance(1e-3), 9)
    150.0
    >>> round(fiber_length_for_transmittance(0.5), 3)
    15.051
    """
    eta = check_positive_array("transmittance", transmittance)
    if np.any(np.asarray(eta) > 1):
        bad = float(np.asarray(eta)[np.asarray(eta) > 1].flat[0])
        raise ValueError(f"transmittance must be in (0, 1], got {bad!r}")
    alpha = check_positive_array("attenuation_db_per_km", attenuation_db_per_km)
    check_broadcastable(transmittance=eta, attenuation_db_per_km=alpha)
    return _out(-10.0 * np.log10(eta) / np.asarray(alpha))


def fiber_reach_km(
    source_rate_hz,
    min_rate_hz=1.0,
    attenuation_db_per_km=_DEFAULT_ALPHA,
    detector_efficiency=1.0,
):
    r"""Longest fibre over which photons are still detected at ``min_rate_hz``.

    Solves :func:`photon_arrival_rate` :math:`= R_{\min}` for the length:

    .. math::

        L^* = \frac{10}{\alpha}\,\log_{10}\frac{R\,\eta_{\rm det}}{R_{\min}} .

    Parameters
    ----------
    source_rate_hz : float or array_like
        Photons sent per second (Hz), ``> 0``.
    min_rate_hz : float or array_like, default 1.0
        The smallest useful detection rate (Hz), ``> 0``.
    attenuation_db_per_km : float or array_like, default 0.2
        Attenuation in dB/km, ``> 0``.
    detector_efficiency : float or array_like, default 1.0
        Detector efficiency in (0, 1].

    Returns
    -------
    float or numpy.ndarray
        Reach in km. It is 0 where even a zero-length link detects fewer than
        ``min_rate_hz`` (:math:`R\eta_{\rm det} \le R_{\min}`): no fibre
        length reaches the rate.

    Raises
    ------
    ValueError
        Non-positive rates or attenuation, ``detector_efficiency`` outside
        (0, 1], NaN or infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Dark counts are ignored, as in :func:`photon_arrival_rate`. A ten times
    faster source adds :math:`10/\alpha` km (50 km at 0.2 dB/km): loss, not
    the source, sets the reach. Introduced in the chapter *Quantum networks*.

    Examples
    --------
    >>> from qlib import fiber_reach_km
    >>> round(fiber_reach_km(10e9), 9)    # 10 GHz, 1 photon per second
    500.0
    >>> round(fiber_reach_km(1e11) - fiber_reach_km(1e10), 9)
    50.0
    """
    rate = check_positive_array("source_rate_hz", source_rate_hz)
    r_min = check_positive_array("min_rate_hz", min_rate_hz)
    alpha = check_positive_array("attenuation_db_per_km", attenuation_db_per_km)
    eta_det = check_positive_array("detector_efficiency", detector_efficiency)
    if np.any(np.asarray(eta_det) > 1):
        bad = float(np.asarray(eta_det)[np.asarray(eta_det) > 1].flat[0])
        raise ValueError(f"detector_efficiency must be in (0, 1], got {bad!r}")
    check_broadcastable(
        source_rate_hz=rate,
        min_rate_hz=r_min,
        attenuation_db_per_km=alpha,
        detector_efficiency=eta_det,
    )
    decades = np.log10(np.asarray(rate) * np.asarray(eta_det) / np.asarray(r_min))
    return _out(10.0 / np.asarray(alpha) * np.maximum(decades, 0.0))
