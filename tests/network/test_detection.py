"""Tests for qlib.network.detection: clicks of a threshold detector and the noise fraction."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qlib import (
    click_probability,
    fiber_transmittance,
    noise_click_fraction,
)


probabilities = st.floats(min_value=0.0, max_value=1.0)


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    from qlib.network import detection as module

    assert sorted(module.__all__) == sorted([
        "click_probability",
        "noise_click_fraction",
    ])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(module, name)
        assert getattr(qlib.network, name) is getattr(module, name)


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


# ------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "func, args, kwargs, match",
    [
        (click_probability, (1.2,), {}, r"transmittance must be in \[0, 1\], got 1\.2"),
        (click_probability, (0.5, 1.5), {}, r"detector_efficiency must be in \[0, 1\], got 1\.5"),
        (noise_click_fraction, (0.5, 0.5, -1e-6), {}, r"dark_count_probability must be in \[0, 1\]"),
        (noise_click_fraction, (0.5, 0.5, 0.0, -1.0), {}, r"mean_photon_number must be >= 0, got -1\.0"),
    ],
)
def test_bad_input_names_parameter_value_and_range(func, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(*args, **kwargs)


def test_bad_types_and_shapes():
    with pytest.raises(TypeError, match="transmittance must be a real number, not a bool"):
        click_probability(True)
    with pytest.raises(ValueError, match="transmittance, detector_efficiency.* must broadcast together"):
        click_probability([0.1, 0.2], [0.5, 0.6, 0.7])
