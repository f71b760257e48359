"""Checks for the exercises of chapter ``quantum-links`` (prefix ``ql-``)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "quantum-links"
EARTH_RADIUS_KM = qlib.constants.EARTH_RADIUS_KM  # qlib.slant_range_km's default
DOWNLINK = dict(direction="downlink", wavelength_nm=810.0, transmitter_aperture_m=0.3,
                receiver_aperture_m=1.2, pointing_error_rad=0.5e-6)


def _db(eta):
    return -10.0 * np.log10(eta)


def _slant():
    air_mass = np.log(qlib.atmospheric_transmittance(30.0)) / np.log(qlib.atmospheric_transmittance(90.0))
    return qlib.slant_range_km(500.0, 30.0), air_mass


def _zenith_vs_low():
    zenith = qlib.satellite_link_loss_db(500.0, 90.0, **DOWNLINK)
    low = qlib.satellite_link_loss_db(500.0, 20.0, **DOWNLINK)
    atmosphere = _db(qlib.atmospheric_transmittance(20.0)) - _db(qlib.atmospheric_transmittance(90.0))
    return zenith, low, atmosphere


def _equivalent_fibre():
    loss_20 = qlib.satellite_link_loss_db(500.0, 20.0, **DOWNLINK)
    return qlib.fiber_length_for_transmittance(10 ** (-loss_20 / 10), 0.2)


def _half_dark():
    def excess(length):
        return qlib.noise_click_fraction(qlib.fiber_transmittance(length, 0.2), 0.2, 1e-6, 0.5) - 0.5
    return brentq(excess, 0.0, 1000.0, xtol=1e-9)


def _elevation_deg(ground_km):
    """Elevation of a satellite 500 km up whose ground track point is ground_km away."""
    angle = ground_km / EARTH_RADIUS_KM
    ratio = EARTH_RADIUS_KM / (EARTH_RADIUS_KM + 500.0)
    return np.degrees(np.arctan2(np.cos(angle) - ratio, np.sin(angle)))


def _crossover(wavelength_nm):
    def gap(ground_km):  # fibre loss minus the loss of two downlinks from the midpoint
        one = qlib.satellite_link_loss_db(500.0, _elevation_deg(ground_km / 2), direction="downlink",
                                          wavelength_nm=wavelength_nm, transmitter_aperture_m=0.3,
                                          receiver_aperture_m=1.2)
        return 0.2 * ground_km - 2 * one
    return brentq(gap, 1.0, 2500.0, xtol=1e-6)


CHECKS = {
    "ql-ex-slant-range": Exercise(
        [Part("slant range", "km"), Part("air mass relative to zenith")],
        _slant,
        hint="Law of cosines in the triangle Earth's centre, station, satellite; air mass 1/sin(e).",
        topic="geometry of a satellite pass",
    ),
    "ql-ex-zenith-vs-low": Exercise(
        [Part("loss at zenith", "dB"), Part("loss at 20°", "dB"), Part("atmosphere's share", "dB")],
        _zenith_vs_low,
        hint="qlib.satellite_link_loss_db with the chapter's default downlink; the atmosphere's "
             "loss is -10 log10 of qlib.atmospheric_transmittance.",
        topic="the loss budget of a downlink",
    ),
    "ql-ex-equivalent-fibre": Exercise(
        [Part("equivalent fibre length", "km")],
        _equivalent_fibre,
        hint="A fibre loses 0.2 dB per km.",
        topic="satellite against fibre loss",
    ),
    "ql-ex-half-dark": Exercise(
        [Part("fibre length", "km")],
        _half_dark,
        hint="Solve qlib.noise_click_fraction(...) = 1/2 for the length with a root finder.",
        topic="dark counts limit the reach",
    ),
    "ql-ex-crossover-optics": Exercise(
        [Part("crossover at 810 nm", "km"), Part("crossover at 1550 nm", "km")],
        lambda: (_crossover(810.0), _crossover(1550.0)),
        hint="The crossover is where the fibre's loss equals that of two downlinks from a "
             "satellite above the midpoint.",
        topic="where satellites beat fibre; wavelength and diffraction",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "ql-ex-two-losses": (
        "answered in words: fibre loses a fixed fraction per km (exponential), free space "
        "spreads by diffraction (1/L^2); passes, weather and daylight, pointing"
    ),
}
