"""Tests for qlib.network.fibre: loss, transmittance, arrival rate, inverses and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qlib import (
    fiber_length_for_transmittance,
    fiber_loss_db,
    fiber_reach_km,
    fiber_transmittance,
    photon_arrival_rate,
)


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


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    from qlib.network import fibre as module

    assert sorted(module.__all__) == sorted([
        "fiber_transmittance",
        "fiber_loss_db",
        "fiber_length_for_transmittance",
        "photon_arrival_rate",
        "fiber_reach_km",
    ])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(module, name)
        assert getattr(qlib.network, name) is getattr(module, name)
