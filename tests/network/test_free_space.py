"""Tests for qlib.network.free_space: diffraction, pointing, atmosphere, geometry, satellite links."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import brentq

from qlib import (
    atmospheric_transmittance,
    beam_divergence_rad,
    diffraction_transmittance,
    free_space_loss_db,
    pointing_transmittance,
    satellite_link_loss_db,
    slant_range_km,
)


R_EARTH = 6371.0


elevations = st.floats(min_value=5.0, max_value=90.0)


def _elevation_for_slant_range(d_km, h_km=500.0, r_km=R_EARTH):
    """Invert (R+h)^2 = R^2 + d^2 + 2 R d sin(e) for e (degrees)."""
    return math.degrees(math.asin(((r_km + h_km) ** 2 - r_km**2 - d_km**2) / (2 * r_km * d_km)))


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    from qlib.network import free_space as module

    assert sorted(module.__all__) == sorted([
        "beam_divergence_rad",
        "diffraction_transmittance",
        "pointing_transmittance",
        "atmospheric_transmittance",
        "slant_range_km",
        "free_space_loss_db",
        "satellite_link_loss_db",
    ])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(module, name)
        assert getattr(qlib.network, name) is getattr(module, name)


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


# ------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "func, args, kwargs, match",
    [
        (diffraction_transmittance, (-1.0,), {}, r"^distance_km must be >= 0, got -1\.0$"),
        (free_space_loss_db, (-5.0,), {}, r"distance_km must be >= 0, got -5\.0"),
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
    ],
)
def test_bad_input_names_parameter_value_and_range(func, args, kwargs, match):
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


def test_unknown_direction_lists_the_allowed_values():
    with pytest.raises(ValueError, match=r"^direction must be one of 'downlink', 'uplink', got 'sideways'$"):
        satellite_link_loss_db(500.0, 30.0, direction="sideways")
    with pytest.raises(TypeError, match="direction must be one of 'downlink', 'uplink'"):
        satellite_link_loss_db(500.0, 30.0, direction=1)


def test_bad_types_and_shapes():
    with pytest.raises(TypeError, match="distance_km must be a real number"):
        diffraction_transmittance("far")
    with pytest.raises(ValueError, match="altitude_km, elevation_deg.* must broadcast together"):
        satellite_link_loss_db(np.array([400.0, 500.0]), np.array([30.0, 40.0, 50.0]))
