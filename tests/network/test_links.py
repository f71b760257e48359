"""Tests for qlib.network.links: fibre, detection, free-space and satellite links, signalling, memories."""

import math

import numpy as np
import pytest
import qutip
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import brentq

from qlib import (
    FIBER_GROUP_INDEX,
    SPEED_OF_LIGHT_KM_S,
    atmospheric_transmittance,
    beam_divergence_rad,
    click_probability,
    dephase,
    diffraction_transmittance,
    fiber_length_for_transmittance,
    fiber_loss_db,
    fiber_reach_km,
    fiber_transmittance,
    free_space_loss_db,
    memory_dephasing_probability,
    noise_click_fraction,
    photon_arrival_rate,
    pointing_transmittance,
    satellite_link_loss_db,
    signalling_delay_s,
    slant_range_km,
)
from qlib.network import links as _links

lengths = st.floats(min_value=0.0, max_value=2000.0)


def test_loss_and_transmittance_defaults():
    # 0.2 dB/km: 100 km -> 20 dB -> eta = 1e-2; 50 km -> 10 dB -> 0.1
    assert fiber_loss_db(100.0) == pytest.approx(20.0)
    assert fiber_transmittance(100.0) == pytest.approx(1e-2, rel=1e-12)
    assert fiber_transmittance(50.0) == pytest.approx(0.1, rel=1e-12)
    assert fiber_transmittance(0.0) == 1.0
    # 1000 km of 0.2 dB/km fibre: 10^-20 (the case for repeaters)
    assert fiber_transmittance(1000.0) == pytest.approx(1e-20, rel=1e-12)


def test_custom_attenuation():
    assert fiber_loss_db(10.0, attenuation_db_per_km=0.35) == pytest.approx(3.5)
    assert fiber_transmittance(10.0, 0.3) == pytest.approx(10 ** -0.3)
    assert fiber_transmittance(123.0, 0.0) == 1.0


def test_return_types():
    assert isinstance(fiber_loss_db(1), float)
    assert isinstance(fiber_transmittance(np.float32(1.0)), float)
    assert isinstance(photon_arrival_rate(1e6, 10), float)
    arr = fiber_transmittance([0.0, 50.0, 100.0])
    assert isinstance(arr, np.ndarray)
    assert_allclose(arr, [1.0, 0.1, 0.01], rtol=1e-12)


def test_vectorised_broadcasting():
    lengths_km = np.array([0.0, 50.0, 100.0])
    alphas = np.array([[0.2], [0.16]])
    out = fiber_transmittance(lengths_km, alphas)
    assert out.shape == (2, 3)
    assert_allclose(out, 10 ** (-alphas * lengths_km / 10), rtol=1e-12)
    rates = photon_arrival_rate(1e9, lengths_km, detector_efficiency=np.array([0.5, 0.8, 1.0]))
    assert_allclose(rates, 1e9 * 10 ** (-0.02 * lengths_km) * np.array([0.5, 0.8, 1.0]), rtol=1e-12)


def test_arrival_rate_formula():
    # 1 GHz source, 100 km, 0.2 dB/km, eta_det = 0.5 -> 1e9 * 1e-2 * 0.5 = 5 MHz
    assert photon_arrival_rate(1e9, 100.0, detector_efficiency=0.5) == pytest.approx(5e6, rel=1e-12)
    assert photon_arrival_rate(0.0, 10.0) == 0.0


@given(lengths, lengths)
@settings(max_examples=40, deadline=None)
def test_transmittance_multiplicative(a, b):
    # concatenated fibres: eta(a + b) = eta(a) eta(b)
    assert math.isclose(fiber_transmittance(a + b), fiber_transmittance(a) * fiber_transmittance(b),
                        rel_tol=1e-9, abs_tol=1e-300)


@given(lengths)
@settings(max_examples=40, deadline=None)
def test_transmittance_in_unit_interval_and_decreasing(L):
    eta = fiber_transmittance(L)
    assert 0.0 <= eta <= 1.0
    assert fiber_transmittance(L + 1.0) <= eta


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("func", [fiber_loss_db, fiber_transmittance])
def test_bad_length(func):
    with pytest.raises(ValueError, match=r"^length_km must be >= 0, got -1.0$"):
        func(-1.0)
    with pytest.raises(ValueError, match=r"length_km must be >= 0 \(all elements\), got -5.0"):
        func([10.0, -5.0])
    with pytest.raises(ValueError, match="length_km must be a finite real number, got nan"):
        func(float("nan"))
    with pytest.raises(ValueError, match="length_km must contain only finite real numbers"):
        func(np.array([1.0, np.inf]))
    with pytest.raises(TypeError, match="length_km must be a real number, got '10'"):
        func("10")
    with pytest.raises(TypeError, match="length_km must be a real number, not a bool"):
        func(True)
    with pytest.raises(TypeError, match="length_km must hold real numbers, not complex"):
        func(np.array([1 + 1j]))


@pytest.mark.parametrize("func", [fiber_loss_db, fiber_transmittance])
def test_bad_attenuation(func):
    with pytest.raises(ValueError, match="attenuation_db_per_km must be >= 0, got -0.2"):
        func(10.0, -0.2)
    with pytest.raises(ValueError, match="attenuation_db_per_km must be a finite real number, got nan"):
        func(10.0, float("nan"))


def test_arrival_rate_bad_input():
    with pytest.raises(ValueError, match=r"detector_efficiency must be in \[0, 1\], got 1.3"):
        photon_arrival_rate(1e6, 10.0, detector_efficiency=1.3)
    with pytest.raises(ValueError, match=r"detector_efficiency must be in \[0, 1\], got -0.1"):
        photon_arrival_rate(1e6, 10.0, detector_efficiency=-0.1)
    with pytest.raises(ValueError, match="source_rate_hz must be >= 0, got -1.0"):
        photon_arrival_rate(-1.0, 10.0)
    with pytest.raises(ValueError, match="source_rate_hz must be a finite real number, got nan"):
        photon_arrival_rate(float("nan"), 10.0)
    with pytest.raises(ValueError, match="length_km must be >= 0, got -3.0"):
        photon_arrival_rate(1e6, -3.0)
    with pytest.raises(TypeError, match="source_rate_hz must be a real number"):
        photon_arrival_rate(None, 10.0)


# --- inverses: length for a transmittance, reach for a detection rate ---------


@settings(max_examples=40, deadline=None)
@given(
    L=st.floats(min_value=0.0, max_value=2000.0),
    alpha=st.floats(min_value=0.05, max_value=1.0),
)
def test_length_for_transmittance_inverts_transmittance(L, alpha):
    eta = fiber_transmittance(L, alpha)
    if eta > 0:  # 10**(-400/10) underflows to 0 in float64
        assert_allclose(fiber_length_for_transmittance(eta, alpha), L, rtol=1e-9, atol=1e-9)


def test_length_for_transmittance_closed_form():
    # 30 dB at 0.2 dB/km is 150 km; 3.0103 dB (a half) is 15.05 km
    assert fiber_length_for_transmittance(1e-3) == pytest.approx(150.0)
    assert fiber_length_for_transmittance(0.5) == pytest.approx(10 * math.log10(2) / 0.2)
    assert fiber_length_for_transmittance(1.0) == 0.0


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(min_value=1e3, max_value=1e12),
    r_min=st.floats(min_value=1e-3, max_value=1e2),
    alpha=st.floats(min_value=0.1, max_value=0.5),
    eta_det=st.floats(min_value=0.05, max_value=1.0),
)
def test_reach_is_where_the_arrival_rate_meets_the_minimum(rate, r_min, alpha, eta_det):
    reach = fiber_reach_km(rate, r_min, alpha, eta_det)
    if rate * eta_det <= r_min:  # too weak even at the source: no length reaches r_min
        assert reach == 0.0
        return
    assert_allclose(photon_arrival_rate(rate, reach, alpha, eta_det), r_min, rtol=1e-8)


def test_reach_closed_forms():
    # A 10 GHz source, perfect detectors, 0.2 dB/km: 1 photon per second at 500 km
    # (the example of Sangouard et al., Rev. Mod. Phys. 83, 33 (2011), Sec. I).
    assert fiber_reach_km(10e9) == pytest.approx(500.0)
    # Each factor of ten in source rate buys 10/alpha km.
    assert fiber_reach_km(1e11) - fiber_reach_km(1e10) == pytest.approx(50.0)
    assert fiber_reach_km(1e10, attenuation_db_per_km=0.16) == pytest.approx(625.0)
    # Below the minimum already at the source: no length reaches it.
    assert fiber_reach_km(0.5, 1.0) == 0.0
    assert_allclose(fiber_reach_km(np.array([1e9, 1e10])), [450.0, 500.0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"transmittance": 0.0}, r"transmittance must be > 0, got 0\.0"),
        ({"transmittance": 1.5}, r"transmittance must be in \(0, 1\], got 1\.5"),
        ({"transmittance": float("nan")}, "transmittance"),
        ({"transmittance": 0.5, "attenuation_db_per_km": 0.0}, r"attenuation_db_per_km must be > 0, got 0\.0"),
    ],
)
def test_length_for_transmittance_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fiber_length_for_transmittance(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"source_rate_hz": -1.0}, r"source_rate_hz must be > 0, got -1\.0"),
        ({"source_rate_hz": 1e9, "min_rate_hz": 0.0}, r"min_rate_hz must be > 0, got 0\.0"),
        ({"source_rate_hz": 1e9, "detector_efficiency": 1.2}, r"detector_efficiency must be in \(0, 1\], got 1\.2"),
        ({"source_rate_hz": 1e9, "attenuation_db_per_km": -0.2}, r"attenuation_db_per_km must be > 0"),
    ],
)
def test_reach_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fiber_reach_km(**kwargs)


def test_reach_bad_type():
    with pytest.raises(TypeError, match="source_rate_hz"):
        fiber_reach_km("fast")


@pytest.mark.parametrize(
    "func, kwargs",
    [
        (fiber_loss_db, {"length_km": [1.0, 2.0], "attenuation_db_per_km": [0.2, 0.3, 0.4]}),
        (fiber_transmittance, {"length_km": [1.0, 2.0], "attenuation_db_per_km": [0.2, 0.3, 0.4]}),
        (photon_arrival_rate, {"source_rate_hz": [1e9, 1e10], "length_km": [1.0, 2.0, 3.0]}),
        (fiber_length_for_transmittance, {"transmittance": [0.5, 0.1], "attenuation_db_per_km": [0.2, 0.3, 0.4]}),
        (fiber_reach_km, {"source_rate_hz": [1e9, 1e10], "min_rate_hz": [1.0, 2.0, 3.0]}),
    ],
)
def test_mismatched_array_shapes_name_the_parameters(func, kwargs):
    names = ", ".join(kwargs)
    with pytest.raises(ValueError, match=f"{names}.* must broadcast together"):
        func(**kwargs)


# =============================================================================
# Issue 3 additions: detection, free space, satellites, signalling, memories
# =============================================================================

R_EARTH = 6371.0
probabilities = st.floats(min_value=0.0, max_value=1.0)
elevations = st.floats(min_value=5.0, max_value=90.0)


def _elevation_for_slant_range(d_km, h_km=500.0, r_km=R_EARTH):
    """Invert (R+h)^2 = R^2 + d^2 + 2 R d sin(e) for e (degrees)."""
    return math.degrees(math.asin(((r_km + h_km) ** 2 - r_km**2 - d_km**2) / (2 * r_km * d_km)))


def test_new_names_are_exported():
    import qlib

    for name in [
        "click_probability", "noise_click_fraction", "beam_divergence_rad",
        "diffraction_transmittance", "pointing_transmittance", "atmospheric_transmittance",
        "slant_range_km", "free_space_loss_db", "satellite_link_loss_db",
        "SPEED_OF_LIGHT_KM_S", "FIBER_GROUP_INDEX", "signalling_delay_s",
        "memory_dephasing_probability",
    ]:
        assert name in _links.__all__
        assert getattr(qlib, name) is getattr(_links, name)


# ------------------------------------------------------------- detection


def test_click_probability_closed_forms():
    # 1 - (1 - p_dark) exp(-mu eta eta_det), coherent pulse on a threshold detector
    eta, eta_det, p_dark, mu = 0.01, 0.5, 1e-6, 0.5
    expected = 1 - (1 - p_dark) * math.exp(-mu * eta * eta_det)
    assert click_probability(eta, eta_det, p_dark, mu) == pytest.approx(expected, rel=1e-12)
    assert click_probability(0.0) == 0.0                                  # no light, no dark counts
    assert click_probability(0.0, dark_count_probability=1e-5) == pytest.approx(1e-5)
    assert click_probability(1.0) == pytest.approx(1 - math.exp(-1.0))   # mu = 1: P(n >= 1)
    assert click_probability(1.0, dark_count_probability=1.0) == 1.0
    # weak signal: P ~ mu eta eta_det + p_dark
    assert click_probability(1e-6, 1.0, 1e-7, 1.0) == pytest.approx(1.1e-6, rel=1e-5)


def test_noise_click_fraction_closed_forms():
    assert noise_click_fraction(0.1, 0.5, 0.0) == 0.0          # no dark counts: no noise
    assert noise_click_fraction(0.0, 0.5, 1e-6) == 1.0         # no light: every click is noise
    assert noise_click_fraction(0.0, 0.5, 0.0) == 0.0          # nothing clicks: defined as 0
    assert noise_click_fraction(0.3, 0.0, 1e-3, 2.0) == 1.0    # blind detector
    eta, eta_det, p_dark, mu = 1e-3, 0.6, 1e-5, 0.8
    q = math.exp(-mu * eta * eta_det)
    expected = p_dark * q / (1 - (1 - p_dark) * q)
    assert noise_click_fraction(eta, eta_det, p_dark, mu) == pytest.approx(expected, rel=1e-12)
    # signal equal to the dark-count probability: about half the clicks are noise
    assert noise_click_fraction(1e-6, 1.0, 1e-6) == pytest.approx(0.5, rel=1e-5)


def test_detection_vectorised():
    L = np.array([0.0, 100.0, 300.0])
    eta = fiber_transmittance(L)
    p = click_probability(eta, 0.5, 1e-6)
    f = noise_click_fraction(eta, 0.5, 1e-6)
    assert isinstance(p, np.ndarray) and p.shape == (3,)
    assert isinstance(click_probability(0.5), float)
    assert isinstance(noise_click_fraction(0.5, 0.5, 1e-6), float)
    assert np.all(np.diff(f) > 0)                      # longer fibre: more of the clicks are noise
    out = click_probability(eta[:, None], 0.5, np.array([0.0, 1e-6]))
    assert out.shape == (3, 2)


@settings(max_examples=40, deadline=None)
@given(eta=probabilities, eta_det=probabilities, p_dark=probabilities,
       mu=st.floats(min_value=0.0, max_value=20.0))
def test_detection_in_unit_interval(eta, eta_det, p_dark, mu):
    p = click_probability(eta, eta_det, p_dark, mu)
    f = noise_click_fraction(eta, eta_det, p_dark, mu)
    assert 0.0 <= p <= 1.0
    assert 0.0 <= f <= 1.0
    assert p >= p_dark - 1e-15                         # light can only add clicks
    assert click_probability(eta / 2, eta_det, p_dark, mu) <= p + 1e-15


# ------------------------------------------------------------- diffraction


def test_beam_divergence_closed_form():
    # theta = lambda / (pi w0), w0 = D/2
    assert beam_divergence_rad(800.0, 0.3) == pytest.approx(2 * 800e-9 / (math.pi * 0.3), rel=1e-12)
    assert beam_divergence_rad(1600.0, 0.3) == pytest.approx(2 * beam_divergence_rad(800.0, 0.3))
    out = beam_divergence_rad(800.0, np.array([0.1, 0.3]))
    assert isinstance(out, np.ndarray) and out.shape == (2,)


def test_diffraction_gaussian_beam_textbook_values():
    # Gaussian beam (Saleh & Teich, Fundamentals of Photonics, Ch. 3):
    # 86.5 % of the power lies inside the 1/e^2 radius; at the Rayleigh range
    # z_R = pi w0^2 / lambda the radius is sqrt(2) w0.
    # Worked example: 800 nm, 30 cm telescope, w0 = 0.15 m -> z_R = 88.357 km.
    w0, lam = 0.15, 800e-9
    z_r_km = math.pi * w0**2 / lam / 1e3
    assert z_r_km == pytest.approx(88.357, abs=1e-3)
    assert diffraction_transmittance(0.0, 800.0, 0.3, 0.3) == pytest.approx(1 - math.exp(-2), rel=1e-12)
    assert diffraction_transmittance(z_r_km, 800.0, 0.3, 0.3) == pytest.approx(1 - math.exp(-1), rel=1e-12)
    # a receiver much larger than the beam collects everything
    assert diffraction_transmittance(1.0, 800.0, 0.3, 10.0) == pytest.approx(1.0)


def test_diffraction_far_field_matches_friis_up_to_the_gaussian_factor_two():
    # Far field: eta -> 2 a^2 / w^2 = 2 (pi D_T D_R / (4 lambda L))^2, i.e. twice the
    # Friis transmittance of uniformly lit apertures (pi D_T D_R / (4 lambda L))^2.
    # Worked value: 800 nm, 0.3 m -> 1.0 m over 1000 km: Friis 0.08674 (10.62 dB).
    friis = (math.pi * 0.3 * 1.0 / (4 * 800e-9 * 1000e3)) ** 2
    assert friis == pytest.approx(0.086736, rel=1e-4)
    ratios = [
        diffraction_transmittance(L) / (math.pi * 0.3 * 1.0 / (4 * 800e-9 * L * 1e3)) ** 2
        for L in (1e3, 1e4, 1e5)
    ]
    assert ratios[0] == pytest.approx(2 * 0.912, rel=1e-2)   # not yet far: a/w ~ 0.3
    assert ratios[-1] == pytest.approx(2.0, rel=1e-3)        # far field
    assert ratios[0] < ratios[1] < ratios[2]
    # in the far field the loss grows 20 dB per decade of distance
    assert free_space_loss_db(1e5) - free_space_loss_db(1e4) == pytest.approx(20.0, abs=0.01)


def test_free_space_loss_adds_extinction():
    assert free_space_loss_db(0.0, 800.0, 0.3, 10.0) == pytest.approx(0.0, abs=1e-9)
    assert free_space_loss_db(50.0, attenuation_db_per_km=0.4) == pytest.approx(
        -10 * math.log10(diffraction_transmittance(50.0)) + 20.0
    )
    out = free_space_loss_db(np.array([10.0, 100.0]))
    assert isinstance(out, np.ndarray) and np.all(np.diff(out) > 0)


@settings(max_examples=40, deadline=None)
@given(L=st.floats(min_value=0.0, max_value=1e5), dt=st.floats(min_value=0.01, max_value=2.0),
       dr=st.floats(min_value=0.01, max_value=2.0), lam=st.floats(min_value=300.0, max_value=2000.0))
def test_diffraction_in_unit_interval_and_decreasing(L, dt, dr, lam):
    eta = diffraction_transmittance(L, lam, dt, dr)
    assert 0.0 <= eta <= 1.0
    assert diffraction_transmittance(L * 1.5 + 1.0, lam, dt, dr) <= eta


def test_pointing_closed_form():
    assert pointing_transmittance(0.0, 1e-6) == 1.0
    assert pointing_transmittance(1e-6, 1e-6) == pytest.approx(math.exp(-2))
    assert pointing_transmittance(0.5e-6, 2e-6) == pytest.approx(math.exp(-2 / 16))
    out = pointing_transmittance(np.array([0.0, 1e-6, 2e-6]), 2e-6)
    assert np.all(np.diff(out) < 0) and np.all((out > 0) & (out <= 1))


# ------------------------------------------------------------- atmosphere, geometry


def test_atmospheric_transmittance_air_mass():
    assert atmospheric_transmittance(90.0, 0.7) == pytest.approx(0.7)
    assert atmospheric_transmittance(90.0) == pytest.approx(0.8)
    assert atmospheric_transmittance(30.0, 0.7) == pytest.approx(0.49)          # air mass 2
    assert atmospheric_transmittance(90.0, 1.0) == 1.0
    e = np.array([10.0, 30.0, 60.0, 90.0])
    out = atmospheric_transmittance(e)
    assert isinstance(out, np.ndarray) and np.all(np.diff(out) > 0)


@settings(max_examples=40, deadline=None)
@given(e=st.floats(min_value=1.0, max_value=90.0), t0=st.floats(min_value=0.05, max_value=1.0))
def test_atmospheric_loss_scales_with_air_mass(e, t0):
    loss = -10 * math.log10(atmospheric_transmittance(e, t0))
    zenith = -10 * math.log10(t0)
    assert loss == pytest.approx(zenith / math.sin(math.radians(e)), rel=1e-9, abs=1e-12)
    assert loss >= zenith - 1e-12


def test_slant_range_geometry():
    assert slant_range_km(500.0, 90.0) == 500.0                       # zenith: d = h
    horizon = math.sqrt((R_EARTH + 500.0) ** 2 - R_EARTH**2)          # 2573.13 km
    assert slant_range_km(500.0, 1e-9) == pytest.approx(horizon, rel=1e-9)
    # 500 km altitude, 30 degrees elevation, worked independently: the law of
    # cosines with the angle 90 + e at the ground station, solved numerically.
    e = math.radians(30.0)

    def mismatch(d):
        return R_EARTH**2 + d**2 - 2 * R_EARTH * d * math.cos(math.pi / 2 + e) - (R_EARTH + 500.0) ** 2

    d_cosines = brentq(mismatch, 500.0, 3000.0, xtol=1e-12)
    assert d_cosines == pytest.approx(909.425, abs=1e-3)
    assert slant_range_km(500.0, 30.0) == pytest.approx(d_cosines, rel=1e-12)
    assert slant_range_km(0.0, 45.0) == pytest.approx(0.0, abs=1e-9)
    out = slant_range_km(500.0, np.array([20.0, 45.0, 90.0]))
    assert isinstance(out, np.ndarray) and np.all(np.diff(out) < 0)


@settings(max_examples=40, deadline=None)
@given(h=st.floats(min_value=0.0, max_value=40000.0), e=st.floats(min_value=0.01, max_value=90.0))
def test_slant_range_bounds(h, e):
    d = slant_range_km(h, e)
    assert h - 1e-6 <= d <= math.sqrt((R_EARTH + h) ** 2 - R_EARTH**2) + 1e-6


# ------------------------------------------------------------- satellite links


@settings(max_examples=40, deadline=None)
@given(h=st.floats(min_value=200.0, max_value=2000.0), e=elevations)
def test_uplink_loses_more_than_downlink(h, e):
    # turbulence near the ground spreads an uplink beam over the whole path
    # (Bourgoin et al., New J. Phys. 15, 023006 (2013))
    down = satellite_link_loss_db(h, e)
    up = satellite_link_loss_db(h, e, direction="uplink")
    assert up > down + 5.0
    assert down > 0.0


def test_vacuum_part_is_reciprocal():
    # without turbulence or pointing error, swapping the telescopes changes nothing
    # in the far field: both directions see 2 (pi D_T D_R / 4 lambda d)^2
    kw = dict(pointing_error_rad=0.0, turbulence_divergence_rad=0.0)
    down = satellite_link_loss_db(2000.0, 45.0, transmitter_aperture_m=0.2, receiver_aperture_m=0.5, **kw)
    up = satellite_link_loss_db(2000.0, 45.0, direction="uplink", transmitter_aperture_m=0.5,
                                receiver_aperture_m=0.2, **kw)
    assert up == pytest.approx(down, abs=0.05)


def test_satellite_link_decomposes_into_its_factors():
    h, e = 500.0, 40.0
    d = slant_range_km(h, e)
    kw = dict(pointing_error_rad=0.0, zenith_transmittance=1.0)
    assert satellite_link_loss_db(h, e, **kw) == pytest.approx(
        -10 * math.log10(diffraction_transmittance(d, 810.0, 0.3, 1.0)), rel=1e-12)
    no_atm = satellite_link_loss_db(h, e, zenith_transmittance=1.0)
    with_atm = satellite_link_loss_db(h, e, zenith_transmittance=0.8)
    assert with_atm - no_atm == pytest.approx(-10 * math.log10(0.8) / math.sin(math.radians(e)))
    assert satellite_link_loss_db(h, e, system_loss_db=10.0) == pytest.approx(
        satellite_link_loss_db(h, e) + 10.0)


@settings(max_examples=30, deadline=None)
@given(h=st.floats(min_value=300.0, max_value=1500.0), e=st.floats(min_value=10.0, max_value=85.0))
def test_satellite_loss_grows_towards_the_horizon(h, e):
    for direction in ("downlink", "uplink"):
        assert satellite_link_loss_db(h, e, direction=direction) < satellite_link_loss_db(
            h, e - 5.0, direction=direction)


def test_satellite_link_vectorised():
    e = np.array([20.0, 30.0, 60.0, 90.0])
    out = satellite_link_loss_db(500.0, e)
    assert isinstance(out, np.ndarray) and out.shape == (4,)
    assert np.all(np.diff(out) < 0)
    assert isinstance(satellite_link_loss_db(500.0, 45.0), float)
    grid = satellite_link_loss_db(np.array([[400.0], [600.0]]), e, direction="uplink")
    assert grid.shape == (2, 4)
    assert_allclose(grid[0], [satellite_link_loss_db(400.0, x, direction="uplink") for x in e])


# Micius. Reported losses include the terminals (telescope optics, detectors) and a
# transmitted beam wider than the diffraction limit; the channel model must lie below
# them, and must reproduce how they change with distance.
#   Downlink to Delingha (1.2 m telescope): 29 dB at 530 km, 36 dB at 1000 km
#     (Yin et al., PRL 119, 200501 (2017)).
#   Two downlinks (Delingha 1.2 m + Lijiang 1.8 m), summed 1600-2400 km: 64-82 dB
#     (Yin et al., Science 356, 1140 (2017)), i.e. 32-41 dB per downlink on average.
#   Uplink for ground-to-satellite teleportation: 41-52 dB over 500-1400 km
#     (Ren et al., Nature 549, 70 (2017); Han et al., arXiv:1912.06317).
MICIUS_BEAM_RAD = 5e-6   # ~10 µrad full-angle divergence of Micius's transmitters (Yin 2017)


def test_micius_downlink_channel_is_a_lower_bound_on_reported_losses():
    for e in np.linspace(25.0, 40.0, 7):
        for d_r in (1.2, 1.8):
            ideal = satellite_link_loss_db(500.0, e, receiver_aperture_m=d_r)
            real_beam = satellite_link_loss_db(500.0, e, receiver_aperture_m=d_r,
                                               transmitter_divergence_rad=MICIUS_BEAM_RAD)
            assert ideal < real_beam < 29.0


def test_micius_downlink_distance_dependence_matches_yin_2017():
    e530, e1000 = _elevation_for_slant_range(530.0), _elevation_for_slant_range(1000.0)
    assert slant_range_km(500.0, e530) == pytest.approx(530.0)
    assert slant_range_km(500.0, e1000) == pytest.approx(1000.0)
    kw = dict(receiver_aperture_m=1.2, transmitter_divergence_rad=MICIUS_BEAM_RAD)
    rise = satellite_link_loss_db(500.0, e1000, **kw) - satellite_link_loss_db(500.0, e530, **kw)
    assert rise == pytest.approx(36.0 - 29.0, abs=1.0)
    # calibrate the terminal loss on the 530 km point: every elevation of a Micius-like
    # pass between 530 and 1000 km of range (26-70 degrees) then falls in 29-36 dB.
    terminal = 29.0 - satellite_link_loss_db(500.0, e530, **kw)
    assert 10.0 < terminal < 25.0     # i.e. 0.3-10 % end-to-end terminal efficiency
    losses = satellite_link_loss_db(500.0, np.linspace(e1000, e530, 20), system_loss_db=terminal, **kw)
    assert np.all((losses >= 29.0 - 1e-9) & (losses <= 36.0 + 1.0))


def test_micius_uplink_distance_dependence_matches_ren_2017():
    e500, e1400 = 90.0, _elevation_for_slant_range(1400.0)
    up = [satellite_link_loss_db(500.0, e, direction="uplink") for e in (e500, e1400)]
    assert up[0] < 41.0 and up[1] < 52.0                   # the channel alone: a lower bound
    assert up[1] - up[0] == pytest.approx(52.0 - 41.0, abs=1.5)


# ------------------------------------------------------------- signalling, memory


def test_signalling_delay():
    assert SPEED_OF_LIGHT_KM_S == 299792.458
    assert FIBER_GROUP_INDEX == pytest.approx(1.468, abs=1e-3)   # SMF-28 at 1550 nm
    assert signalling_delay_s(1000.0) == pytest.approx(4.897e-3, abs=1e-6)        # ~4.9 ms
    assert signalling_delay_s(1000.0, "vacuum") == pytest.approx(3.336e-3, abs=1e-6)  # ~3.3 ms
    assert signalling_delay_s(0.0) == 0.0
    out = signalling_delay_s(np.array([1.0, 10.0]), medium="vacuum")
    assert isinstance(out, np.ndarray)
    assert_allclose(out, np.array([1.0, 10.0]) / SPEED_OF_LIGHT_KM_S)


def test_memory_dephasing_composes_with_dephase():
    plus = qutip.ket2dm((qutip.basis(2, 0) + qutip.basis(2, 1)).unit())
    for t, t2 in [(0.0, 1.0), (1e-3, 1e-3), (5e-3, 2e-3), (1.0, 1e-3)]:
        p = memory_dephasing_probability(t, t2)
        out = dephase(plus, p).full()
        assert 2 * abs(out[0, 1]) == pytest.approx(math.exp(-t / t2), abs=1e-12)
        assert out[0, 0].real == pytest.approx(0.5)
    assert memory_dephasing_probability(0.0, 1.0) == 0.0
    assert memory_dephasing_probability(1e-3, 1e-3) == pytest.approx((1 - math.exp(-1)) / 2)
    out = memory_dephasing_probability(np.array([0.0, 1.0, 100.0]), 1.0)
    assert isinstance(out, np.ndarray) and np.all(np.diff(out) > 0) and np.all(out <= 0.5)


# ------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "func, args, kwargs, match",
    [
        (diffraction_transmittance, (-1.0,), {}, r"^distance_km must be >= 0, got -1\.0$"),
        (free_space_loss_db, (-5.0,), {}, r"distance_km must be >= 0, got -5\.0"),
        (signalling_delay_s, (-2.0,), {}, r"distance_km must be >= 0, got -2\.0"),
        (diffraction_transmittance, (10.0,), {"wavelength_nm": 0.0}, r"wavelength_nm must be > 0, got 0\.0"),
        (diffraction_transmittance, (10.0,), {"wavelength_nm": -800.0}, r"wavelength_nm must be > 0"),
        (beam_divergence_rad, (), {"wavelength_nm": 0.0}, r"wavelength_nm must be > 0"),
        (diffraction_transmittance, (10.0,), {"transmitter_aperture_m": 0.0},
         r"transmitter_aperture_m must be > 0, got 0\.0"),
        (diffraction_transmittance, (10.0,), {"receiver_aperture_m": -1.0},
         r"receiver_aperture_m must be > 0, got -1\.0"),
        (beam_divergence_rad, (800.0, 0.0), {}, r"transmitter_aperture_m must be > 0"),
        (satellite_link_loss_db, (500.0, 30.0), {"receiver_aperture_m": 0.0}, r"receiver_aperture_m must be > 0"),
        (satellite_link_loss_db, (500.0, 30.0), {"transmitter_aperture_m": -0.3},
         r"transmitter_aperture_m must be > 0"),
        (satellite_link_loss_db, (500.0, 30.0), {"wavelength_nm": 0.0}, r"wavelength_nm must be > 0"),
        (satellite_link_loss_db, (-500.0, 30.0), {}, r"altitude_km must be > 0, got -500\.0"),
        (slant_range_km, (-1.0, 30.0), {}, r"altitude_km must be >= 0, got -1\.0"),
        (slant_range_km, (500.0, 30.0, 0.0), {}, r"earth_radius_km must be > 0"),
        (atmospheric_transmittance, (45.0, 0.0), {}, r"zenith_transmittance must be in \(0, 1\], got 0\.0"),
        (atmospheric_transmittance, (45.0, 1.2), {}, r"zenith_transmittance must be in \(0, 1\], got 1\.2"),
        (pointing_transmittance, (-1e-6, 1e-6), {}, r"pointing_error_rad must be >= 0"),
        (pointing_transmittance, (1e-6, 0.0), {}, r"divergence_rad must be > 0, got 0\.0"),
        (satellite_link_loss_db, (500.0, 30.0), {"turbulence_divergence_rad": -1e-6},
         r"turbulence_divergence_rad must be >= 0"),
        (satellite_link_loss_db, (500.0, 30.0), {"transmitter_divergence_rad": 0.0},
         r"transmitter_divergence_rad must be > 0"),
        (satellite_link_loss_db, (500.0, 30.0), {"system_loss_db": -3.0}, r"system_loss_db must be >= 0"),
        (click_probability, (1.2,), {}, r"transmittance must be in \[0, 1\], got 1\.2"),
        (click_probability, (0.5, 1.5), {}, r"detector_efficiency must be in \[0, 1\], got 1\.5"),
        (noise_click_fraction, (0.5, 0.5, -1e-6), {}, r"dark_count_probability must be in \[0, 1\]"),
        (noise_click_fraction, (0.5, 0.5, 0.0, -1.0), {}, r"mean_photon_number must be >= 0, got -1\.0"),
        (memory_dephasing_probability, (-1.0, 1.0), {}, r"wait_s must be >= 0, got -1\.0"),
        (memory_dephasing_probability, (1.0, 0.0), {}, r"coherence_time_s must be > 0, got 0\.0"),
    ],
)
def test_new_functions_bad_input(func, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(*args, **kwargs)


@pytest.mark.parametrize("elevation", [0.0, 95.0, -10.0, float("nan"), [30.0, 0.0]])
@pytest.mark.parametrize(
    "func",
    [
        atmospheric_transmittance,
        lambda e: slant_range_km(500.0, e),
        lambda e: satellite_link_loss_db(500.0, e),
        lambda e: satellite_link_loss_db(500.0, e, direction="uplink"),
    ],
)
def test_elevation_outside_range(func, elevation):
    match = "elevation_deg must be (a finite real number|contain only finite|in \\(0, 90\\])"
    with pytest.raises(ValueError, match=match):
        func(elevation)


def test_elevation_message_names_range_and_value():
    with pytest.raises(ValueError, match=r"^elevation_deg must be in \(0, 90\] degrees above the horizon, got 95\.0$"):
        satellite_link_loss_db(500.0, 95.0)
    with pytest.raises(ValueError, match=r"got 0\.0$"):
        atmospheric_transmittance(0.0)


def test_unknown_direction_and_medium_list_the_allowed_values():
    with pytest.raises(ValueError, match=r"^direction must be one of 'downlink', 'uplink', got 'sideways'$"):
        satellite_link_loss_db(500.0, 30.0, direction="sideways")
    with pytest.raises(ValueError, match=r"^medium must be one of 'fiber', 'vacuum', got 'copper'$"):
        signalling_delay_s(10.0, medium="copper")
    with pytest.raises(TypeError, match="direction must be one of 'downlink', 'uplink'"):
        satellite_link_loss_db(500.0, 30.0, direction=1)
    with pytest.raises(TypeError, match="medium must be one of"):
        signalling_delay_s(10.0, medium=None)


def test_new_functions_bad_types_and_shapes():
    with pytest.raises(TypeError, match="distance_km must be a real number"):
        diffraction_transmittance("far")
    with pytest.raises(TypeError, match="transmittance must be a real number, not a bool"):
        click_probability(True)
    with pytest.raises(ValueError, match="wait_s must be a finite real number, got nan"):
        memory_dephasing_probability(float("nan"), 1.0)
    with pytest.raises(ValueError, match="altitude_km, elevation_deg.* must broadcast together"):
        satellite_link_loss_db(np.array([400.0, 500.0]), np.array([30.0, 40.0, 50.0]))
    with pytest.raises(ValueError, match="transmittance, detector_efficiency.* must broadcast together"):
        click_probability([0.1, 0.2], [0.5, 0.6, 0.7])
