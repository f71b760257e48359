"""Tests for qlib.network.sources: SPDC pair-number statistics.

Thermal law P(n) = mu^n/(1+mu)^(n+1) for a single-mode source (two-mode squeezed
vacuum); Poisson for many modes (Mauerer et al., PRA 80, 053815 (2009)).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qlib import spdc_multipair_probability, spdc_pair_distribution, spdc_single_pair_probability

mus = st.floats(min_value=0.0, max_value=5.0)


def test_thermal_closed_form():
    mu = 0.25
    expected = [mu**n / (1 + mu) ** (n + 1) for n in range(6)]
    assert_allclose(spdc_pair_distribution(mu, 5), expected, rtol=1e-12)


def test_thermal_is_two_mode_squeezed_vacuum():
    # TMSV: P(n) = (1 - λ²) λ^(2n), λ = tanh r, mean pair number μ = sinh² r
    r = 0.4
    lam2 = math.tanh(r) ** 2
    mu = math.sinh(r) ** 2
    assert_allclose(spdc_pair_distribution(mu, 8), [(1 - lam2) * lam2**n for n in range(9)], rtol=1e-12)


def test_poisson_closed_form():
    mu = 0.7
    expected = [math.exp(-mu) * mu**n / math.factorial(n) for n in range(6)]
    assert_allclose(spdc_pair_distribution(mu, 5, statistics="poisson"), expected, rtol=1e-12)


@pytest.mark.parametrize("statistics", ["thermal", "poisson"])
@given(mu=mus)
@settings(max_examples=30, deadline=None)
def test_distribution_normalised_and_mean(statistics, mu):
    p = spdc_pair_distribution(mu, 400, statistics=statistics)
    n = np.arange(401)
    assert p.shape == (401,)
    assert np.all(p >= 0)
    assert math.isclose(p.sum(), 1.0, abs_tol=1e-10)
    assert math.isclose(float(n @ p), mu, abs_tol=1e-8)


@pytest.mark.parametrize("statistics", ["thermal", "poisson"])
@given(mu=mus)
@settings(max_examples=30, deadline=None)
def test_single_and_multipair_consistent_with_distribution(statistics, mu):
    p = spdc_pair_distribution(mu, 400, statistics=statistics)
    assert math.isclose(spdc_single_pair_probability(mu, statistics), p[1], rel_tol=1e-10, abs_tol=1e-15)
    assert math.isclose(spdc_multipair_probability(mu, statistics), p[2:].sum(), rel_tol=1e-9, abs_tol=1e-12)


def test_multipair_closed_forms():
    # thermal: (mu/(1+mu))^2 ; Poisson: 1 - e^-mu (1 + mu)
    assert spdc_multipair_probability(0.25) == pytest.approx(0.04, rel=1e-12)
    assert spdc_multipair_probability(0.5, "poisson") == pytest.approx(1 - math.exp(-0.5) * 1.5, rel=1e-12)


def test_small_mu_scaling_thermal_twice_poisson():
    # for mu -> 0: thermal P(n>=2) ≈ mu², Poisson ≈ mu²/2, accurately (no cancellation)
    mu = 1e-6
    assert spdc_multipair_probability(mu) == pytest.approx(mu**2, rel=1e-5)
    assert spdc_multipair_probability(mu, "poisson") == pytest.approx(mu**2 / 2, rel=1e-5)


def test_maximum_single_pair_probability():
    # thermal P(1) peaks at mu = 1 with value 1/4; Poisson at mu = 1 with 1/e
    assert spdc_single_pair_probability(1.0) == pytest.approx(0.25)
    assert spdc_single_pair_probability(1.0, "poisson") == pytest.approx(1 / math.e)
    grid = np.linspace(0, 5, 501)
    assert spdc_single_pair_probability(grid).max() <= 0.25 + 1e-15


def test_zero_mean_is_vacuum():
    assert_allclose(spdc_pair_distribution(0.0, 3), [1, 0, 0, 0])
    assert_allclose(spdc_pair_distribution(0.0, 3, "poisson"), [1, 0, 0, 0])
    assert spdc_multipair_probability(0.0) == 0.0
    assert spdc_single_pair_probability(0.0) == 0.0


def test_vectorised_probabilities():
    mu = np.array([0.01, 0.1, 1.0])
    out = spdc_multipair_probability(mu)
    assert isinstance(out, np.ndarray)
    assert_allclose(out, (mu / (1 + mu)) ** 2, rtol=1e-12)
    assert isinstance(spdc_single_pair_probability(0.1), float)
    assert isinstance(spdc_multipair_probability(0.1, "poisson"), float)


def test_n_max_zero():
    assert_allclose(spdc_pair_distribution(1.0, 0), [0.5])


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("func", [spdc_multipair_probability, spdc_single_pair_probability,
                                  lambda m, statistics="thermal": spdc_pair_distribution(m, 3, statistics)])
def test_bad_mean_pair_number_and_statistics(func):
    with pytest.raises(ValueError, match="mean_pair_number must be >= 0, got -0.1"):
        func(-0.1)
    with pytest.raises(ValueError, match="mean_pair_number must be a finite real number, got nan"):
        func(float("nan"))
    with pytest.raises(TypeError, match="mean_pair_number must be a real number"):
        func("0.1")
    with pytest.raises(ValueError, match=r"statistics must be one of 'thermal', 'poisson', got 'bose'"):
        func(0.1, statistics="bose")


def test_bad_n_max():
    with pytest.raises(ValueError, match="n_max must be an integer >= 0, got -1"):
        spdc_pair_distribution(0.1, -1)
    with pytest.raises(TypeError, match="n_max must be an integer, got 3.0"):
        spdc_pair_distribution(0.1, 3.0)
    with pytest.raises(TypeError, match="n_max must be an integer"):
        spdc_pair_distribution(0.1, True)


def test_poisson_statistics_agree_with_scipy_stats():
    """The Poisson forms are computed with scipy.special (cheap to import); they agree
    with scipy.stats.poisson to round-off, from the weak-pulse regime to mu = 50."""
    from scipy import stats

    for mu in (0.0, 1e-6, 1e-3, 0.1, 0.5, 2.0, 50.0):
        n = np.arange(80)
        np.testing.assert_allclose(spdc_pair_distribution(mu, 79, statistics="poisson"),
                                   stats.poisson.pmf(n, mu), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(spdc_single_pair_probability(mu, statistics="poisson"),
                                   stats.poisson.pmf(1, mu), rtol=1e-13, atol=0)
        np.testing.assert_allclose(spdc_multipair_probability(mu, statistics="poisson"),
                                   stats.poisson.sf(1, mu), rtol=1e-12, atol=0)
