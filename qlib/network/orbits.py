r"""Orbit mechanics of a satellite link: how long, and how high, an overhead pass is.

:func:`satellite_pass_duration_s` is the time a satellite on a circular orbit
spends above a minimum elevation on a pass straight over the ground station;
the elevation along such a pass is what :func:`qlib.satellite_pass_key_bits`
integrates the downlink key rate over.

Conventions
-----------
Altitudes in km, times in s, angles in degrees at the interface (radians
inside); a spherical Earth of radius :data:`qlib.constants.EARTH_RADIUS_KM`,
Kepler's circular orbit with :data:`qlib.constants.GM_EARTH_KM3_S2`, and the
Earth's rotation neglected. Introduced in the chapter *QKD over distance, and
its attacks*.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive, check_real
from ..constants import EARTH_RADIUS_KM, GM_EARTH_KM3_S2

__all__ = ["satellite_pass_duration_s"]


def _pass_geometry(altitude_km, min_elevation_deg):
    h = check_positive("altitude_km", altitude_km)
    e_min = check_real("min_elevation_deg", min_elevation_deg)
    if not 0.0 < e_min < 90.0:
        raise ValueError(f"min_elevation_deg must be in (0, 90) degrees, got {e_min!r}")
    r = EARTH_RADIUS_KM
    e = np.radians(e_min)
    theta_max = np.arccos(r * np.cos(e) / (r + h)) - e  # Earth-central angle at e_min
    omega = np.sqrt(GM_EARTH_KM3_S2 / (r + h) ** 3)  # rad/s, circular orbit
    return h, float(theta_max), float(omega)


def satellite_pass_duration_s(altitude_km=500.0, min_elevation_deg=15.0):
    r"""Time a satellite on a circular orbit spends above ``min_elevation_deg`` on an overhead pass.

    .. math::

        T = \frac{2\theta_{\max}}{\omega},\qquad
        \theta_{\max} = \arccos\!\left(\frac{R\cos e_{\min}}{R+h}\right) - e_{\min},\qquad
        \omega = \sqrt{\frac{GM}{(R+h)^3}} .

    Parameters
    ----------
    altitude_km : float, default 500.0
        Orbit altitude h in km, ``> 0``.
    min_elevation_deg : float, default 15.0
        Lowest usable elevation, degrees in (0, 90).

    Returns
    -------
    float
        Duration in s.

    Raises
    ------
    ValueError
        Non-positive altitude, elevation outside (0, 90).

    Notes
    -----
    A pass straight over the station (the longest), a spherical Earth of
    radius 6,371 km, :math:`GM = 398{,}600.4418` km³/s², and the Earth's
    rotation neglected (it changes the duration by a few per cent).
    Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import satellite_pass_duration_s
    >>> round(satellite_pass_duration_s(500.0, 15.0))
    359
    """
    _, theta_max, omega = _pass_geometry(altitude_km, min_elevation_deg)
    return 2.0 * theta_max / omega


def _overhead_pass(altitude_km, min_elevation_deg, n):
    """Altitude h, Earth-central angles θ, elevations (degrees) and ω of an overhead pass.

    ``n`` angles evenly spaced over the part of the pass above
    ``min_elevation_deg`` (validated as in :func:`satellite_pass_duration_s`);
    the time of angle θ is θ/ω s from the zenith.
    """
    h, theta_max, omega = _pass_geometry(altitude_km, min_elevation_deg)
    r = EARTH_RADIUS_KM
    theta = np.linspace(-theta_max, theta_max, n)
    elevation = np.degrees(np.arctan2(np.cos(theta) - r / (r + h), np.abs(np.sin(theta))))
    # round-off at the ends may leave e a hair below e_min (or above 90 at the zenith):
    # remove that, and only that
    e_min = float(min_elevation_deg)
    if np.any(elevation < e_min - 1e-9) or np.any(elevation > 90.0 + 1e-9):
        raise ArithmeticError(
            f"pass elevations came out in [{elevation.min()!r}, {elevation.max()!r}] degrees, outside "
            f"[{e_min!r}, 90] beyond round-off: this is a bug in qlib"
        )
    elevation = np.clip(elevation, e_min, 90.0)
    return h, theta, elevation, omega
