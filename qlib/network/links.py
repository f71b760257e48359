"""Physical layer of quantum links: fibre, free space, satellites, signalling.

Conventions (fixed for the whole book, see DESIGN.md): lengths in km,
attenuation in dB/km (0.2 dB/km by default, telecom fibre near 1550 nm),
rates in Hz, times in s, transmittance :math:`\\eta = 10^{-\\alpha L/10}`.
Free-space optics use SI-friendly units named in each parameter: wavelengths
in nm, apertures (telescope diameters) in m, angles in rad, elevations in
degrees above the horizon.

Every numerical function accepts scalars or numpy arrays (broadcast together)
and returns a ``float`` when all inputs are scalars, a ``numpy.ndarray``
otherwise.

Contents:

- fibre: :func:`fiber_loss_db`, :func:`fiber_transmittance`,
  :func:`fiber_length_for_transmittance`, :func:`photon_arrival_rate`,
  :func:`fiber_reach_km`;
- detection: :func:`click_probability`, :func:`noise_click_fraction`;
- free space and satellites: :func:`beam_divergence_rad`,
  :func:`diffraction_transmittance`, :func:`pointing_transmittance`,
  :func:`atmospheric_transmittance`, :func:`slant_range_km`,
  :func:`free_space_loss_db`, :func:`satellite_link_loss_db`;
- classical signalling: :data:`SPEED_OF_LIGHT_KM_S`, :data:`FIBER_GROUP_INDEX`,
  :func:`signalling_delay_s`;
- memories: :func:`memory_dephasing_probability`.
"""

from __future__ import annotations

import numpy as np

from ..constants import (
    EARTH_RADIUS_KM,
    FIBER_ATTENUATION_DB_PER_KM,
    FIBER_GROUP_INDEX,
    SPEED_OF_LIGHT_KM_S,
)
from .._validation import (
    check_broadcastable,
    check_nonnegative_array,
    check_positive_array,
    check_probability_array,
    check_choice,
    check_real_array,
)

__all__ = [
    "fiber_transmittance",
    "fiber_loss_db",
    "fiber_length_for_transmittance",
    "photon_arrival_rate",
    "fiber_reach_km",
    "click_probability",
    "noise_click_fraction",
    "beam_divergence_rad",
    "diffraction_transmittance",
    "pointing_transmittance",
    "atmospheric_transmittance",
    "slant_range_km",
    "free_space_loss_db",
    "satellite_link_loss_db",
    "SPEED_OF_LIGHT_KM_S",
    "FIBER_GROUP_INDEX",
    "signalling_delay_s",
    "memory_dephasing_probability",
]

_DEFAULT_ALPHA = FIBER_ATTENUATION_DB_PER_KM


def _out(x):
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)


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


# ---------------------------------------------------------------------------
# Private checks for the free-space and detection functions
# ---------------------------------------------------------------------------


def _first_bad(arr, bad):
    arr = np.asarray(arr)
    return float(arr[bad].flat[0]) if arr.ndim else float(arr)


def _check_elevation(name, value):
    """Elevation above the horizon in degrees, in (0, 90]."""
    value = check_real_array(name, value)
    arr = np.asarray(value)
    bad = (arr <= 0.0) | (arr > 90.0)
    if np.any(bad):
        raise ValueError(
            f"{name} must be in (0, 90] degrees above the horizon, got {_first_bad(arr, bad)!r}"
        )
    return value


def _check_open_closed_unit(name, value):
    """A transmittance in (0, 1]."""
    value = check_real_array(name, value)
    arr = np.asarray(value)
    bad = (arr <= 0.0) | (arr > 1.0)
    if np.any(bad):
        raise ValueError(f"{name} must be in (0, 1], got {_first_bad(arr, bad)!r}")
    return value


def _to_db(eta):
    """Loss in dB of a transmittance (0 -> inf, without a numpy warning)."""
    eta = np.asarray(eta, dtype=float)
    with np.errstate(divide="ignore"):
        return -10.0 * np.log10(eta)


# ---------------------------------------------------------------------------
# Detection: clicks of a threshold detector
# ---------------------------------------------------------------------------


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
        :func:`fiber_transmittance`).
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


# ---------------------------------------------------------------------------
# Free space: diffraction, pointing, atmosphere, geometry
# ---------------------------------------------------------------------------

#: Default zenith transmittance of a clear atmosphere near 800 nm (see
#: :func:`atmospheric_transmittance`).
_DEFAULT_ZENITH_TRANSMITTANCE = 0.8
_DEFAULT_SAT_WAVELENGTH_NM = 810.0
_SATELLITE_APERTURE_M = 0.3
_GROUND_APERTURE_M = 1.0
_DEFAULT_POINTING_ERROR_RAD = 0.5e-6
_DEFAULT_UPLINK_TURBULENCE_RAD = 5e-6
_EARTH_RADIUS_KM = EARTH_RADIUS_KM


def beam_divergence_rad(wavelength_nm=800.0, transmitter_aperture_m=0.3):
    r"""Far-field divergence of a diffraction-limited Gaussian beam: :math:`\theta_d = \lambda/(\pi w_0)`.

    The beam waist is taken to fill the transmitting telescope,
    :math:`w_0 = D_T/2`, so :math:`\theta_d = 2\lambda/(\pi D_T)`.

    Parameters
    ----------
    wavelength_nm : float or array_like, default 800.0
        Wavelength λ in nm, ``> 0``.
    transmitter_aperture_m : float or array_like, default 0.3
        Transmitting telescope diameter :math:`D_T` in m, ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        Half-angle divergence in rad of the :math:`1/e^2` intensity radius:
        far from the transmitter the beam radius grows as
        :math:`w(L) \approx \theta_d L`.

    Raises
    ------
    ValueError
        Non-positive, NaN or infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Gaussian-beam optics (e.g. Saleh & Teich, *Fundamentals of Photonics*,
    Ch. 3): :math:`\theta_d = \lambda/(\pi w_0) = w_0/z_R` with the Rayleigh
    range :math:`z_R = \pi w_0^2/\lambda`. A real telescope is not perfectly
    diffraction limited; Micius's downlink beams were a few times wider (about
    10 µrad, Yin et al., Science 356, 1140 (2017)). Introduced in the chapter
    *Quantum links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import beam_divergence_rad
    >>> round(beam_divergence_rad(800.0, 0.3) * 1e6, 4)   # µrad
    1.6977
    """
    lam = check_positive_array("wavelength_nm", wavelength_nm)
    d_t = check_positive_array("transmitter_aperture_m", transmitter_aperture_m)
    check_broadcastable(wavelength_nm=lam, transmitter_aperture_m=d_t)
    return _out(2.0 * np.asarray(lam) * 1e-9 / (np.pi * np.asarray(d_t)))


def _beam_radius_m(distance_km, lam_m, d_t, divergence=None, turbulence=0.0):
    """1/e² radius (m) after distance_km: w0² + (θ L)² (+ turbulence spread)."""
    length_m = np.asarray(distance_km) * 1e3
    w0 = np.asarray(d_t) / 2.0
    theta = lam_m / (np.pi * w0) if divergence is None else np.asarray(divergence)
    return np.sqrt(w0**2 + (theta * length_m) ** 2 + (np.asarray(turbulence) * length_m) ** 2)


def _collected_fraction(w, d_r):
    """Fraction of a centred Gaussian beam of radius w inside a circle of diameter d_r."""
    a = np.asarray(d_r) / 2.0
    return -np.expm1(-2.0 * a**2 / np.asarray(w) ** 2)


def diffraction_transmittance(
    distance_km,
    wavelength_nm=800.0,
    transmitter_aperture_m=0.3,
    receiver_aperture_m=1.0,
):
    r"""Fraction of a diffraction-spread Gaussian beam collected by a circular telescope.

    .. math::

        \eta_{\rm diff} = 1 - \exp\!\left(-\frac{2a^2}{w(L)^2}\right),\qquad
        w(L) = w_0\sqrt{1 + (L/z_R)^2},\quad z_R = \frac{\pi w_0^2}{\lambda},

    with :math:`w_0 = D_T/2` and :math:`a = D_R/2`.

    Parameters
    ----------
    distance_km : float or array_like
        Propagation distance L in km, ``>= 0``.
    wavelength_nm : float or array_like, default 800.0
        Wavelength λ in nm, ``> 0``.
    transmitter_aperture_m : float or array_like, default 0.3
        Transmitting telescope diameter :math:`D_T` in m, ``> 0``.
    receiver_aperture_m : float or array_like, default 1.0
        Receiving telescope diameter :math:`D_R` in m, ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        Collected fraction in [0, 1].

    Raises
    ------
    ValueError
        Negative distance, non-positive wavelength or aperture, NaN or
        infinite input, shapes that do not broadcast.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Model: a Gaussian beam (:math:`\mathrm{TEM}_{00}`) whose waist fills the
    transmitting telescope, :math:`w_0 = D_T/2`, centred on a circular receiver
    (pointing errors: :func:`pointing_transmittance`; atmosphere:
    :func:`atmospheric_transmittance`). The formula is exact for any distance:
    near the transmitter (:math:`L \ll z_R`) little light is lost, and at
    :math:`L = 0` a receiver as large as the transmitter collects
    :math:`1 - e^{-2} \approx 86.5\,\%`, the power of a Gaussian inside its
    :math:`1/e^2` radius. In the far field (:math:`L \gg z_R`, :math:`a \ll w`)
    it becomes

    .. math::

        \eta_{\rm diff} \approx \frac{2a^2}{w^2}
        = 2\left(\frac{\pi D_T D_R}{4\lambda L}\right)^2 ,

    twice the Friis transmittance :math:`(\pi D_T D_R/4\lambda L)^2` of a
    uniformly lit aperture of the same diameter: the untruncated Gaussian
    puts twice as much intensity on axis. The loss grows as
    :math:`L^2` (20 dB per decade of distance), not exponentially as in fibre:
    this is why satellites beat fibre over long distances. Introduced in the
    chapter *Quantum links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import diffraction_transmittance
    >>> round(diffraction_transmittance(1000.0), 4)   # 30 cm -> 1 m, 800 nm
    0.1581
    >>> round(diffraction_transmittance(0.0, transmitter_aperture_m=1.0), 4)
    0.8647
    """
    length = check_nonnegative_array("distance_km", distance_km)
    lam = check_positive_array("wavelength_nm", wavelength_nm)
    d_t = check_positive_array("transmitter_aperture_m", transmitter_aperture_m)
    d_r = check_positive_array("receiver_aperture_m", receiver_aperture_m)
    check_broadcastable(
        distance_km=length,
        wavelength_nm=lam,
        transmitter_aperture_m=d_t,
        receiver_aperture_m=d_r,
    )
    w = _beam_radius_m(length, np.asarray(lam) * 1e-9, d_t)
    return _out(_collected_fraction(w, d_r))


def pointing_transmittance(pointing_error_rad, divergence_rad):
    r"""Loss from a beam pointed off the receiver: :math:`\exp(-2\theta_p^2/\theta_d^2)`.

    Parameters
    ----------
    pointing_error_rad : float or array_like
        Pointing error :math:`\theta_p` in rad, ``>= 0``: the angle between the
        beam axis and the direction of the receiver.
    divergence_rad : float or array_like
        Beam divergence :math:`\theta_d` in rad, ``> 0``: the :math:`1/e^2`
        half-angle (e.g. :func:`beam_divergence_rad`).

    Returns
    -------
    float or numpy.ndarray
        Transmittance in (0, 1] relative to a perfectly pointed beam.

    Raises
    ------
    ValueError
        Negative pointing error, non-positive divergence, NaN or infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    In the far field the Gaussian beam's intensity at a lateral offset
    :math:`r = \theta_p L` from its axis is :math:`e^{-2r^2/w^2}` of the on-axis
    value, and :math:`w = \theta_d L`, so the distance cancels. This assumes a
    receiver small compared with the beam (the usual case for long links) and a
    fixed offset; for a random jitter of r.m.s. :math:`\sigma` per axis the
    average is :math:`1/(1 + 4\sigma^2/\theta_d^2)` instead. A pointing error
    equal to the divergence costs :math:`e^{-2}` (8.7 dB): narrow beams need
    sub-µrad tracking. Introduced in the chapter *Quantum links: fibre and
    satellite*.

    Examples
    --------
    >>> from qlib import pointing_transmittance
    >>> round(pointing_transmittance(1e-6, 2e-6), 6)
    0.606531
    """
    theta_p = check_nonnegative_array("pointing_error_rad", pointing_error_rad)
    theta_d = check_positive_array("divergence_rad", divergence_rad)
    check_broadcastable(pointing_error_rad=theta_p, divergence_rad=theta_d)
    return _out(np.exp(-2.0 * (np.asarray(theta_p) / np.asarray(theta_d)) ** 2))


def atmospheric_transmittance(elevation_deg, zenith_transmittance=_DEFAULT_ZENITH_TRANSMITTANCE):
    r"""Transmittance of the atmosphere along a slant path: :math:`T_0^{1/\sin e}`.

    Parameters
    ----------
    elevation_deg : float or array_like
        Elevation e of the line of sight above the horizon, in degrees,
        in (0, 90] (90 = zenith).
    zenith_transmittance : float or array_like, default 0.8
        Transmittance :math:`T_0` straight up (air mass 1), in (0, 1].

    Returns
    -------
    float or numpy.ndarray
        Transmittance in (0, 1].

    Raises
    ------
    ValueError
        Elevation outside (0, 90], zenith transmittance outside (0, 1], NaN or
        infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Beer–Lambert extinction through a plane-parallel atmosphere: the optical
    depth is proportional to the path length through the air, the *air mass*
    :math:`1/\sin e`, so :math:`T = T_0^{1/\sin e}` and the loss in dB is the
    zenith loss times the air mass. The plane-parallel air mass overestimates
    the path below about 10° elevation (the Earth's curvature and refraction
    cap it near 38 at the horizon), where links are not operated anyway.

    The default :math:`T_0 = 0.8` (1.0 dB) is an assumed clear-sky value near
    800 nm at a low-altitude site: Rayleigh scattering alone has an optical
    depth of about 0.02 at 810 nm, and aerosols typically add 0.1–0.2
    (:math:`e^{-0.22} \approx 0.80`); high mountain sites such as the Micius
    ground stations do better, haze and cloud much worse. Downlink and uplink
    see the same :math:`T`: absorption and scattering are reciprocal.
    Introduced in the chapter *Quantum links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import atmospheric_transmittance
    >>> atmospheric_transmittance(90.0)
    0.8
    >>> round(atmospheric_transmittance(30.0), 6)    # air mass 2
    0.64
    """
    elev = _check_elevation("elevation_deg", elevation_deg)
    t0 = _check_open_closed_unit("zenith_transmittance", zenith_transmittance)
    check_broadcastable(elevation_deg=elev, zenith_transmittance=t0)
    air_mass = 1.0 / np.sin(np.radians(elev))
    return _out(np.power(t0, air_mass))


def slant_range_km(altitude_km, elevation_deg, earth_radius_km=_EARTH_RADIUS_KM):
    r"""Distance from a ground station to a satellite seen at a given elevation.

    .. math::

        d = \sqrt{(R + h)^2 - R^2\cos^2 e} - R\sin e .

    Parameters
    ----------
    altitude_km : float or array_like
        Satellite altitude h above the ground in km, ``>= 0``.
    elevation_deg : float or array_like
        Elevation e of the satellite above the horizon, in degrees, in (0, 90].
    earth_radius_km : float or array_like, default 6371.0
        Earth radius R in km (the mean radius), ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        Slant range d in km: h at the zenith, growing towards
        :math:`\sqrt{(R+h)^2 - R^2}` (the distance to the horizon) as
        :math:`e \to 0`.

    Raises
    ------
    ValueError
        Negative altitude, elevation outside (0, 90], non-positive radius,
        NaN or infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    The law of cosines in the triangle Earth centre – station – satellite,
    where the angle at the station is :math:`90° + e`:
    :math:`(R+h)^2 = R^2 + d^2 + 2Rd\sin e`, solved for the positive root.
    A spherical Earth, no refraction. For Micius at 500 km the range runs from
    500 km overhead to about 1,200 km at 20° elevation. Introduced in the
    chapter *Quantum links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import slant_range_km
    >>> slant_range_km(500.0, 90.0)
    500.0
    >>> round(slant_range_km(500.0, 30.0), 3)
    909.425
    """
    h = check_nonnegative_array("altitude_km", altitude_km)
    elev = _check_elevation("elevation_deg", elevation_deg)
    radius = check_positive_array("earth_radius_km", earth_radius_km)
    check_broadcastable(altitude_km=h, elevation_deg=elev, earth_radius_km=radius)
    r = np.asarray(radius)
    e = np.radians(elev)
    d = np.sqrt((r + h) ** 2 - (r * np.cos(e)) ** 2) - r * np.sin(e)
    # exact at the zenith (the formula reads sqrt((R+h)^2) - R there)
    d = np.where(np.asarray(elev) == 90.0, np.asarray(h, dtype=float) + 0.0 * r, d)
    return _out(d)


def free_space_loss_db(
    distance_km,
    wavelength_nm=800.0,
    transmitter_aperture_m=0.3,
    receiver_aperture_m=1.0,
    attenuation_db_per_km=0.0,
):
    r"""Loss in dB of a straight free-space link: diffraction plus uniform extinction.

    .. math::

        \text{loss} = -10\log_{10}\eta_{\rm diff}(L) + \alpha_{\rm air} L .

    Parameters
    ----------
    distance_km : float or array_like
        Link length L in km, ``>= 0``.
    wavelength_nm, transmitter_aperture_m, receiver_aperture_m : float or array_like
        As in :func:`diffraction_transmittance` (defaults 800 nm, 0.3 m, 1.0 m).
    attenuation_db_per_km : float or array_like, default 0.0
        Extinction :math:`\alpha_{\rm air}` of the medium in dB/km, ``>= 0``:
        0 in vacuum (between satellites), a few tenths of a dB/km for clear air
        near the ground at 800 nm, far more in haze or fog.

    Returns
    -------
    float or numpy.ndarray
        Loss in dB.

    Raises
    ------
    ValueError
        As :func:`diffraction_transmittance`, or a negative attenuation.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    For a horizontal ground link (e.g. between two mountain tops) the whole path
    is in the air, so the extinction grows linearly with distance, like fibre,
    and turbulence (ignored here) spreads the beam further. Pointing and
    turbulence are left to the caller. Introduced in the chapter *Quantum
    links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import free_space_loss_db
    >>> round(free_space_loss_db(1000.0), 2)      # in vacuum
    8.01
    >>> round(free_space_loss_db(100.0, attenuation_db_per_km=0.3), 2)
    30.0
    """
    length = check_nonnegative_array("distance_km", distance_km)
    alpha = check_nonnegative_array("attenuation_db_per_km", attenuation_db_per_km)
    check_broadcastable(
        distance_km=length,
        wavelength_nm=wavelength_nm,
        transmitter_aperture_m=transmitter_aperture_m,
        receiver_aperture_m=receiver_aperture_m,
        attenuation_db_per_km=alpha,
    )
    eta = diffraction_transmittance(length, wavelength_nm, transmitter_aperture_m, receiver_aperture_m)
    return _out(_to_db(eta) + np.asarray(alpha) * np.asarray(length))


_DIRECTIONS = ("downlink", "uplink")


def satellite_link_loss_db(
    altitude_km,
    elevation_deg,
    *,
    direction="downlink",
    wavelength_nm=_DEFAULT_SAT_WAVELENGTH_NM,
    transmitter_aperture_m=None,
    receiver_aperture_m=None,
    pointing_error_rad=_DEFAULT_POINTING_ERROR_RAD,
    zenith_transmittance=_DEFAULT_ZENITH_TRANSMITTANCE,
    turbulence_divergence_rad=None,
    transmitter_divergence_rad=None,
    system_loss_db=0.0,
    earth_radius_km=_EARTH_RADIUS_KM,
):
    r"""Loss in dB of a ground–satellite optical link (downlink or uplink).

    .. math::

        \text{loss} = -10\log_{10}\left[\eta_{\rm diff}\,\eta_{\rm point}\,
        T_0^{1/\sin e}\right] + \text{system loss},

    evaluated at the slant range :math:`d` (:func:`slant_range_km`), with a
    Gaussian beam of radius

    .. math::

        w(d)^2 = w_0^2 + (\theta_T d)^2 + (\theta_{\rm turb} d)^2,
        \qquad w_0 = D_T/2,

    collected by the receiving telescope: :math:`\eta_{\rm diff} =
    1 - e^{-2a^2/w^2}` with :math:`a = D_R/2`, and pointing loss
    :math:`\eta_{\rm point} = e^{-2\theta_p^2/\theta_{\rm eff}^2}` with
    :math:`\theta_{\rm eff} = w(d)/d`.

    Parameters
    ----------
    altitude_km : float or array_like
        Satellite altitude in km, ``> 0`` (Micius: about 500 km).
    elevation_deg : float or array_like
        Elevation of the satellite seen from the ground station, degrees,
        in (0, 90].
    direction : {"downlink", "uplink"}, default "downlink"
        ``"downlink"``: satellite transmits, ground receives; ``"uplink"``: the
        reverse.
    wavelength_nm : float or array_like, default 810.0
        Wavelength in nm, ``> 0`` (810 nm: Micius's entangled photons, Yin et
        al. 2017).
    transmitter_aperture_m, receiver_aperture_m : float or array_like, optional
        Telescope diameters in m, ``> 0``. ``None`` uses the satellite's 0.3 m
        telescope and a 1.0 m ground telescope, whichever transmits.
    pointing_error_rad : float or array_like, default 0.5e-6
        Pointing error of the transmitter in rad, ``>= 0``.
    zenith_transmittance : float or array_like, default 0.8
        Atmospheric transmittance at the zenith, in (0, 1]
        (:func:`atmospheric_transmittance`).
    turbulence_divergence_rad : float or array_like, optional
        Extra beam spread from atmospheric turbulence near the transmitter,
        rad, ``>= 0``. ``None`` means 0 for a downlink and 5e-6 for an uplink.
    transmitter_divergence_rad : float or array_like, optional
        Measured far-field divergence :math:`\theta_T` (1/e² half-angle, rad,
        ``> 0``) of a transmitter that is not diffraction limited. ``None`` uses
        the diffraction limit :func:`beam_divergence_rad`.
    system_loss_db : float or array_like, default 0.0
        Fixed losses of the terminals (telescope optics, filters, coupling,
        detector efficiency) in dB, ``>= 0``. The default 0 gives the loss of
        the channel alone.
    earth_radius_km : float or array_like, default 6371.0
        Earth radius in km, ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        Link loss in dB.

    Raises
    ------
    ValueError
        Non-positive altitude, elevation outside (0, 90], non-positive
        wavelength, aperture or divergence, negative pointing error,
        turbulence or system loss, zenith transmittance outside (0, 1], an
        unknown ``direction`` (the message lists the allowed values), NaN or
        infinite input, shapes that do not broadcast.
    TypeError
        Non-numeric, complex or boolean input, or a non-string ``direction``.

    Notes
    -----
    *Why uplinks lose more.* In vacuum the diffraction loss is reciprocal:
    swapping the telescopes leaves the far-field value
    :math:`2(\pi D_T D_R/4\lambda d)^2` unchanged. The asymmetry comes from the
    turbulent atmosphere, which sits within ~20 km of the ground. On an uplink
    it deflects and spreads the beam at the *start* of its path, and the small
    extra angle (a few µrad, about :math:`\lambda/r_0` for a Fried parameter
    :math:`r_0`) is multiplied by the whole slant range; on a downlink the beam
    meets the turbulence only in its last kilometres, where the spread adds
    almost nothing. Bourgoin et al., New J. Phys. 15, 023006 (2013) make this
    point in their LEO link budgets; here turbulence is a single long-term
    spreading angle added in quadrature (no scintillation or beam-wander
    statistics). The uplink default 5 µrad is :math:`\lambda/r_0` at 810 nm
    for :math:`r_0 \approx 16` cm, i.e. about one arcsecond of seeing (an
    assumed good site).

    *Defaults.* 810 nm and a 0.3 m satellite telescope follow Micius
    (Yin et al., Science 356, 1140 (2017); Liao et al., Nature 549, 43
    (2017)); its ground stations had 1.0–1.8 m telescopes (1.2 m at
    Delingha, 1.8 m at Lijiang). The 0.5 µrad pointing error is an assumed
    sub-µrad tracking accuracy of the kind Micius's acquiring, pointing and
    tracking system achieved.

    *Comparison with experiment.* The model predicts how the loss changes with
    distance; reported link losses also include terminal efficiencies and a
    transmitted beam wider than the diffraction limit. Micius's downlink to
    Delingha (1.2 m) lost 29 dB at 530 km and 36 dB at 1000 km (Yin et al.,
    PRL 119, 200501 (2017)); its two-downlink entanglement distribution lost
    64–82 dB over summed ranges of 1600–2400 km (Yin et al. 2017); the
    ground-to-satellite teleportation uplink lost 41–52 dB over 500–1400 km
    (Ren et al., Nature 549, 70 (2017)). With a ~10 µrad beam the model
    reproduces the 7 dB rise of the downlink loss between 530 and 1000 km;
    the remaining offset is terminal loss (``system_loss_db``). Introduced in
    the chapter *Quantum links: fibre and satellite*.

    Examples
    --------
    >>> from qlib import satellite_link_loss_db
    >>> down = satellite_link_loss_db(500.0, 30.0)
    >>> up = satellite_link_loss_db(500.0, 30.0, direction="uplink")
    >>> round(down, 2), round(up, 2)
    (10.03, 28.75)
    """
    check_choice("direction", direction, _DIRECTIONS)
    h = check_positive_array("altitude_km", altitude_km)
    elev = _check_elevation("elevation_deg", elevation_deg)
    lam = check_positive_array("wavelength_nm", wavelength_nm)
    sat, ground = _SATELLITE_APERTURE_M, _GROUND_APERTURE_M
    if transmitter_aperture_m is None:
        transmitter_aperture_m = sat if direction == "downlink" else ground
    if receiver_aperture_m is None:
        receiver_aperture_m = ground if direction == "downlink" else sat
    d_t = check_positive_array("transmitter_aperture_m", transmitter_aperture_m)
    d_r = check_positive_array("receiver_aperture_m", receiver_aperture_m)
    theta_p = check_nonnegative_array("pointing_error_rad", pointing_error_rad)
    t0 = _check_open_closed_unit("zenith_transmittance", zenith_transmittance)
    if turbulence_divergence_rad is None:
        turbulence_divergence_rad = 0.0 if direction == "downlink" else _DEFAULT_UPLINK_TURBULENCE_RAD
    turb = check_nonnegative_array("turbulence_divergence_rad", turbulence_divergence_rad)
    theta_t = None
    if transmitter_divergence_rad is not None:
        theta_t = check_positive_array("transmitter_divergence_rad", transmitter_divergence_rad)
    extra = check_nonnegative_array("system_loss_db", system_loss_db)
    radius = check_positive_array("earth_radius_km", earth_radius_km)
    arrays = dict(
        altitude_km=h,
        elevation_deg=elev,
        wavelength_nm=lam,
        transmitter_aperture_m=d_t,
        receiver_aperture_m=d_r,
        pointing_error_rad=theta_p,
        zenith_transmittance=t0,
        turbulence_divergence_rad=turb,
        system_loss_db=extra,
        earth_radius_km=radius,
    )
    if theta_t is not None:
        arrays["transmitter_divergence_rad"] = theta_t
    check_broadcastable(**arrays)

    d_km = np.asarray(slant_range_km(h, elev, radius))
    w = _beam_radius_m(d_km, np.asarray(lam) * 1e-9, d_t, theta_t, turb)
    eta_diff = _collected_fraction(w, d_r)
    theta_eff = w / (d_km * 1e3)
    eta_point = np.exp(-2.0 * (np.asarray(theta_p) / theta_eff) ** 2)
    eta_atm = np.power(t0, 1.0 / np.sin(np.radians(elev)))
    return _out(_to_db(eta_diff * eta_point * eta_atm) + np.asarray(extra))


# ---------------------------------------------------------------------------
# Classical signalling and memories
# ---------------------------------------------------------------------------

_MEDIA = ("fiber", "vacuum")


def signalling_delay_s(distance_km, medium="fiber"):
    r"""One-way travel time of a light signal (e.g. the classical bits of teleportation).

    .. math::

        t = \frac{n_g L}{c}, \qquad n_g = 1.4682 \text{ (fibre)},\ 1 \text{ (vacuum)}.

    Parameters
    ----------
    distance_km : float or array_like
        Path length L in km, ``>= 0``.
    medium : {"fiber", "vacuum"}, default "fiber"
        ``"fiber"``: standard single-mode fibre at 1550 nm; ``"vacuum"``: free
        space (air is within 0.03 % of vacuum).

    Returns
    -------
    float or numpy.ndarray
        Delay in s.

    Raises
    ------
    ValueError
        Negative, NaN or infinite distance, or an unknown ``medium`` (the
        message lists the allowed values).
    TypeError
        Non-numeric, complex or boolean distance, or a non-string ``medium``.

    Notes
    -----
    Information travels at the *group* velocity :math:`c/n_g`. The fibre value
    :data:`FIBER_GROUP_INDEX` = 1.4682 is the effective group index Corning
    specifies for SMF-28 single-mode fibre at 1550 nm (1.4676 at 1310 nm), so
    a fibre link adds about 4.9 ms per 1000 km against 3.3 ms in vacuum.
    :data:`SPEED_OF_LIGHT_KM_S` is exact. A real fibre route is also longer
    than the straight line between its ends. Introduced in the chapter
    *Teleportation* (the classical message cannot outrun light).

    Examples
    --------
    >>> from qlib import signalling_delay_s
    >>> round(signalling_delay_s(1000.0) * 1e3, 3)            # ms
    4.897
    >>> round(signalling_delay_s(1000.0, "vacuum") * 1e3, 3)
    3.336
    """
    check_choice("medium", medium, _MEDIA)
    length = check_nonnegative_array("distance_km", distance_km)
    index = FIBER_GROUP_INDEX if medium == "fiber" else 1.0
    return _out(np.asarray(length) * index / SPEED_OF_LIGHT_KM_S)


def memory_dephasing_probability(wait_s, coherence_time_s):
    r"""Dephasing probability of a qubit stored for ``wait_s``: :math:`p = (1 - e^{-t/T_2})/2`.

    Parameters
    ----------
    wait_s : float or array_like
        Storage time t in s, ``>= 0``.
    coherence_time_s : float or array_like
        Coherence time :math:`T_2` of the memory in s, ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        Probability p in [0, 1/2] for the book's dephasing channel
        :math:`\rho \to (1-p)\rho + p Z\rho Z` (:func:`qlib.dephase`).

    Raises
    ------
    ValueError
        Negative wait, non-positive coherence time, NaN or infinite input.
    TypeError
        Non-numeric, complex or boolean input.

    Notes
    -----
    Pure dephasing with exponential decay: the channel leaves populations alone
    and multiplies the coherences :math:`\rho_{01}, \rho_{10}` by
    :math:`1 - 2p`; choosing :math:`p = (1 - e^{-t/T_2})/2` makes that factor
    :math:`e^{-t/T_2}`, the definition of :math:`T_2`. After long storage
    :math:`p \to 1/2`: the qubit is fully dephased, never "more than fully".
    Energy relaxation (:math:`T_1`) is a separate process
    (:func:`qlib.amplitude_damp`). Introduced in the chapter *Teleportation*
    (Bob's memory waits for Alice's two bits, at least
    :func:`signalling_delay_s`).

    Examples
    --------
    >>> from qlib import memory_dephasing_probability
    >>> memory_dephasing_probability(0.0, 1e-3)
    0.0
    >>> round(memory_dephasing_probability(1e-3, 1e-3), 6)   # t = T2
    0.31606
    """
    t = check_nonnegative_array("wait_s", wait_s)
    t2 = check_positive_array("coherence_time_s", coherence_time_s)
    check_broadcastable(wait_s=t, coherence_time_s=t2)
    return _out(-0.5 * np.expm1(-np.asarray(t) / np.asarray(t2)))
