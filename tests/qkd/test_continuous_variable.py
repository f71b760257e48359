"""qlib.qkd.continuous_variable: GG02, homodyne, reverse reconciliation (bits per channel use)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qlib import (
    LODEWYCK_2007,
    ZHANG_2020_ASSUMED,
    CVExperiment,
    cv_max_distance_km,
    gg02_key_rate,
    plob_bound,
)

# References:
#   [LOD]  Lodewyck et al., PRA 76, 042305 (2007): K = beta I_AB - chi_BE with trusted
#          homodyne noise (chi_hom = (1 - eta)/eta + v_el/eta); their values
#          eta 0.606, v_el 0.041, xi 0.005, beta 0.898, V_A 18.5.
#   [PLOB] Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017).

IDEAL = CVExperiment(attenuation_db_per_km=1.0, detector_efficiency=1.0, electronic_noise=0.0,
                     excess_noise=0.0, reconciliation_efficiency=1.0, modulation_variance=1e6)


def _g(x):
    return 0.0 if x <= 0 else (x + 1) * math.log2(x + 1) - x * math.log2(x)


def _reference(distance, exp):
    """[LOD]'s formulas, scalar, with the plain quadratic roots."""
    t = 10 ** (-exp.attenuation_db_per_km * distance / 10)
    v = exp.modulation_variance + 1
    eta, v_el, xi, beta = (exp.detector_efficiency, exp.electronic_noise, exp.excess_noise,
                           exp.reconciliation_efficiency)
    chi_line = 1 / t - 1 + xi
    chi_hom = (1 - eta) / eta + v_el / eta
    chi_tot = chi_line + chi_hom / t
    i_ab = 0.5 * math.log2((v + chi_tot) / (1 + chi_tot))
    a = v ** 2 * (1 - 2 * t) + 2 * t + t ** 2 * (v + chi_line) ** 2
    b = t ** 2 * (v * chi_line + 1) ** 2
    c = (v * math.sqrt(b) + t * (v + chi_line) + a * chi_hom) / (t * (v + chi_tot))
    d = math.sqrt(b) * (v + math.sqrt(b) * chi_hom) / (t * (v + chi_tot))
    lam = [math.sqrt((a + s * math.sqrt(a * a - 4 * b)) / 2) for s in (1, -1)]
    lam += [math.sqrt((c + s * math.sqrt(c * c - 4 * d)) / 2) for s in (1, -1)]
    chi = _g((lam[0] - 1) / 2) + _g((lam[1] - 1) / 2) - _g((lam[2] - 1) / 2) - _g((lam[3] - 1) / 2)
    return max(0.0, beta * i_ab - chi)


@pytest.mark.parametrize("distance", [0.0, 5.0, 15.0, 25.0, 33.0])
def test_rate_is_lodewyck_formula(distance):
    assert_allclose(gg02_key_rate(distance), _reference(distance, LODEWYCK_2007), rtol=1e-9)


@pytest.mark.parametrize("distance", [20.0, 100.0, 200.0])
def test_rate_is_lodewyck_formula_long_link(distance):
    assert_allclose(gg02_key_rate(distance, experiment=ZHANG_2020_ASSUMED),
                    _reference(distance, ZHANG_2020_ASSUMED), rtol=1e-7)


@pytest.mark.parametrize("t", [0.9, 0.5, 0.1, 0.01, 1e-3])
def test_pure_loss_ideal_limit_is_half_plob(t):
    # Derivation: pure loss (xi = 0), ideal detector (eta = 1, v_el = 0), beta = 1,
    # V -> infinity. Bob's variance is T V + 1 - T, so I_AB -> 1/2 log2(T V).
    # Eve purifies the channel: S(E) = S(AB) = g(nu) with nu ~ (1 - T) V; given Bob's
    # x quadrature, Alice's conditional mode has variances (1 - T)/T (x) and V (p),
    # and S(E | x_B) = S(A | x_B) = g(sqrt(V (1 - T)/T)). With g(nu) ~ log2(e nu / 2),
    # chi_BE -> 1/2 log2(T (1 - T) V), and K = I_AB - chi_BE -> 1/2 log2(1/(1 - T)):
    # half of the PLOB bound -log2(1 - T).
    distance = -10 * math.log10(t)
    k = gg02_key_rate(distance, experiment=IDEAL)
    assert_allclose(k, 0.5 * math.log2(1 / (1 - t)), rtol=2e-3)
    assert_allclose(k, plob_bound(t) / 2, rtol=2e-3)


def test_lodewyck_reach_is_tens_of_km():
    # [LOD] ran at 25 km with beta 0.898: key there, none at twice the distance
    assert gg02_key_rate(25.0) > 0 and gg02_key_rate(50.0) == 0
    reach = cv_max_distance_km()
    assert 25.0 < reach < 50.0
    assert gg02_key_rate(reach - 0.1) > 0 and gg02_key_rate(reach + 0.1) == 0


def test_better_reconciliation_reaches_further():
    assert cv_max_distance_km(reconciliation_efficiency=0.95) > cv_max_distance_km()


def test_excess_noise_shortens_the_reach():
    reaches = [cv_max_distance_km(experiment=ZHANG_2020_ASSUMED, excess_noise=xi, upper_km=3000.0)
               for xi in (0.01, 0.02, 0.05)]
    assert reaches[0] > reaches[1] > reaches[2] > 0


def test_long_distance_form_continues_the_closed_form():
    # below T = 1e-6 the rate is T (a + b ln T): continuous with the closed form
    exp = ZHANG_2020_ASSUMED
    d0 = 60.0 / exp.attenuation_db_per_km * 1.0  # T = 1e-6
    r = gg02_key_rate(np.array([d0 - 1e-6, d0 + 1e-6]), experiment=exp)
    assert_allclose(r[0], r[1], rtol=1e-5)
    assert_allclose(gg02_key_rate(d0 - 5.0, experiment=exp), _reference(d0 - 5.0, exp), rtol=1e-6)


@settings(max_examples=80, deadline=None)
@given(distance=st.floats(0.0, 400.0), eta=st.floats(0.05, 1.0), v_el=st.floats(0.0, 0.3),
       xi=st.floats(0.0, 0.1), beta=st.floats(0.5, 1.0), v_a=st.floats(0.5, 100.0))
def test_cv_never_beats_plob(distance, eta, v_el, xi, beta, v_a):
    # [PLOB] holds for any point-to-point protocol over the fibre of transmittance T
    exp = CVExperiment(detector_efficiency=eta, electronic_noise=v_el, excess_noise=xi,
                       reconciliation_efficiency=beta, modulation_variance=v_a)
    assert gg02_key_rate(distance, experiment=exp) <= plob_bound(10 ** (-0.02 * distance))


@pytest.mark.parametrize("field, value, message", [
    ("detector_efficiency", 0.0, "detector_efficiency must be in (0, 1]"),
    ("detector_efficiency", 1.01, "detector_efficiency must be in [0, 1]"),
    ("excess_noise", -0.001, "excess_noise must be >= 0"),
    ("electronic_noise", -0.1, "electronic_noise must be >= 0"),
    ("reconciliation_efficiency", 0.0, "reconciliation_efficiency must be in (0, 1]"),
    ("reconciliation_efficiency", 1.1, "reconciliation_efficiency must be in [0, 1]"),
    ("modulation_variance", 0.0, "modulation_variance must be > 0"),
])
def test_bad_parameters_name_themselves(field, value, message):
    with pytest.raises(ValueError) as err:
        CVExperiment(**{field: value})
    assert message in str(err.value)
    with pytest.raises(ValueError, match=field):
        gg02_key_rate(10.0, **{field: value})


def test_bad_inputs():
    with pytest.raises(ValueError, match="distance_km must be >= 0"):
        gg02_key_rate(-3.0)
    with pytest.raises(TypeError, match="unknown experiment parameter"):
        gg02_key_rate(3.0, beta=0.9)
