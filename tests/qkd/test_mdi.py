"""qlib.qkd.mdi: decoy-state MDI-QKD (bits per pulse pair) against the papers' closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import i0

from qlib import (
    LO_CURTY_QI_2012,
    YIN_2016_ASSUMED,
    MDIExperiment,
    decoy_bb84_key_rate,
    mdi_key_rate,
    mdi_max_distance_km,
    mdi_single_photon_yield,
    plob_bound,
    QKDExperiment,
)

# References:
#   [LCQ] Lo, Curty, Qi, PRL 108, 130503 (2012): Eq. (1), the key rate; their figure
#         with eta_d 14.5 %, e_d 1.5 %, Y0 6.02e-6, f 1.16, 0.2 dB/km, positive
#         "over say 200 km".
#   [XCQL] Xu, Curty, Qi, Lo, NJP 15, 113007 (2013), appendix: Q_C, Q_E, Q^X, Y11, e11
#          for polarisation encoding (also Ma, Razavi, PRA 86, 062319, 2012).
#   [PLOB] Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017).


def _h(x):
    return 0.0 if x <= 0 or x >= 1 else -x * math.log2(x) - (1 - x) * math.log2(1 - x)


def _reference_rate(distance, mu, exp=LO_CURTY_QI_2012):
    """[LCQ] Eq. (1) with [XCQL]'s formulas, written out term by term (scalar)."""
    y0, e_d, f = exp.dark_count_probability, exp.error_floor, exp.ec_efficiency
    eta_a = eta_b = exp.detector_efficiency * 10 ** (-exp.attenuation_db_per_km * distance / 20)
    mu_a = mu_b = mu
    mu_p = eta_a * mu_a + eta_b * mu_b
    x = math.sqrt(eta_a * mu_a * eta_b * mu_b) / 2
    q_c = 2 * (1 - y0) ** 2 * math.exp(-mu_p / 2) * (1 - (1 - y0) * math.exp(-eta_a * mu_a / 2)) * (
        1 - (1 - y0) * math.exp(-eta_b * mu_b / 2))
    q_e = 2 * y0 * (1 - y0) ** 2 * math.exp(-mu_p / 2) * (i0(2 * x) - (1 - y0) * math.exp(-mu_p / 2))
    q = q_c + q_e
    e = (e_d * q_c + (1 - e_d) * q_e) / q
    y11 = (1 - y0) ** 2 * (eta_a * eta_b / 2 + (2 * eta_a + 2 * eta_b - 3 * eta_a * eta_b) * y0
                           + 4 * (1 - eta_a) * (1 - eta_b) * y0 ** 2)
    e11 = (0.5 * y11 - (0.5 - e_d) * (1 - y0) ** 2 * eta_a * eta_b / 2) / y11
    q11 = mu_a * mu_b * math.exp(-mu_a - mu_b) * y11
    return max(0.0, q11 * (1 - _h(min(e11, 0.5))) - q * f * _h(e))


def test_preset_is_lo_curty_qi_figure():
    e = LO_CURTY_QI_2012
    assert (e.detector_efficiency, e.error_floor, e.dark_count_probability, e.ec_efficiency,
            e.attenuation_db_per_km) == (0.145, 0.015, 6.02e-6, 1.16, 0.2)
    # Charlie in the middle: each arm has half the fibre
    assert_allclose(e.arm_transmittance(100.0), 0.145 * 10 ** (-1.0), rtol=1e-14)


@pytest.mark.parametrize("distance", [0.0, 60.0, 150.0, 195.0])
@pytest.mark.parametrize("mu", [0.1, 0.4, 0.8])
def test_rate_is_lo_curty_qi_equation_1(distance, mu):
    assert_allclose(mdi_key_rate(distance, mu), _reference_rate(distance, mu), rtol=1e-9, atol=1e-300)


def test_y11_without_dark_counts_is_half_eta_a_eta_b():
    # [XCQL]: Y11 = eta_a eta_b / 2 when Y0 = 0 (both photons arrive, and the linear
    # Bell measurement identifies 2 of the 4 Bell states); e11 = e_d then
    d = np.array([0.0, 50.0, 200.0, 400.0])
    eta = LO_CURTY_QI_2012.arm_transmittance(d)
    y11, e11 = mdi_single_photon_yield(d, dark_count_probability=0.0)
    assert_allclose(y11, eta * eta / 2, rtol=1e-14)
    assert_allclose(e11, 0.015, rtol=1e-12)


def test_optimised_rate_is_the_best_fixed_mu():
    mus = np.linspace(0.01, 1.5, 300)
    for d in (20.0, 120.0):
        best = max(_reference_rate(d, m) for m in mus)
        assert mdi_key_rate(d) >= best * (1 - 1e-6)
        assert mdi_key_rate(d) <= best * 1.01


def test_rate_positive_beyond_200_km_with_the_preset():
    # [LCQ]'s figure: the key survives beyond 200 km with these parameters
    assert mdi_key_rate(200.0) > 0
    reach = mdi_max_distance_km()
    assert 200.0 < reach < 230.0
    assert mdi_key_rate(reach - 0.5) > 0 and mdi_key_rate(reach + 0.5) == 0


def test_mdi_reaches_further_than_decoy_bb84_with_the_same_parts():
    # [LCQ]'s claim ("doubles the secure distance"): decoy BB84 with the same detector
    # (two detectors' dark counts, 2 Y0) stops earlier
    bb84 = QKDExperiment(attenuation_db_per_km=0.2, detector_efficiency=0.145,
                         dark_count_probability=2 * 6.02e-6, error_floor=0.015, ec_efficiency=1.16)
    assert decoy_bb84_key_rate(170.0, experiment=bb84) == 0
    assert mdi_key_rate(170.0) > 0


def test_rate_scales_like_the_whole_line():
    # linear in eta_a eta_b = eta_d^2 10^{-alpha L / 10}: 20 dB more fibre, 100x less key
    # (exactly so as eta -> 0; at 200 km the next order is below 1e-3)
    r = mdi_key_rate(np.array([200.0, 300.0]), 0.3, dark_count_probability=0.0)
    assert_allclose(r[0] / r[1], 100.0, rtol=1e-3)
    assert mdi_max_distance_km(dark_count_probability=0.0) == math.inf


@settings(max_examples=60, deadline=None)
@given(distance=st.floats(0.1, 600.0), eta_d=st.floats(0.01, 1.0),
       y0=st.floats(0.0, 1e-4), e_d=st.floats(0.0, 0.1))
def test_mdi_never_beats_plob(distance, eta_d, y0, e_d):
    # [PLOB]: no repeaterless scheme beats -log2(1 - eta) of the fibre, and MDI is one
    r = mdi_key_rate(distance, detector_efficiency=eta_d, dark_count_probability=y0, error_floor=e_d)
    assert r <= plob_bound(10 ** (-0.02 * distance))


def test_vectorised_and_scalar_agree():
    d = np.linspace(0.0, 250.0, 11)
    assert_allclose(mdi_key_rate(d), [mdi_key_rate(float(x)) for x in d], rtol=1e-12)


def test_yin_preset_reaches_past_404_km():
    assert mdi_max_distance_km(experiment=YIN_2016_ASSUMED) > 404.0


@pytest.mark.parametrize("field, value, message", [
    ("detector_efficiency", 0.0, "detector_efficiency must be in (0, 1]"),
    ("detector_efficiency", 1.2, "detector_efficiency must be in [0, 1]"),
    ("dark_count_probability", 1.0, "dark_count_probability must be in [0, 1)"),
    ("error_floor", 0.6, "error_floor must be in [0, 0.5]"),
    ("ec_efficiency", 0.9, "ec_efficiency must be >= 1"),
    ("attenuation_db_per_km", -0.1, "attenuation_db_per_km must be >= 0"),
])
def test_bad_parameters_name_themselves(field, value, message):
    with pytest.raises(ValueError) as err:
        MDIExperiment(**{field: value})
    assert message in str(err.value)
    with pytest.raises(ValueError, match=field):
        mdi_key_rate(10.0, **{field: value})


def test_bad_inputs():
    with pytest.raises(ValueError, match="distance_km must be >= 0"):
        mdi_key_rate(-1.0)
    with pytest.raises(ValueError, match="mu must be > 0"):
        mdi_key_rate(10.0, mu=0.0)
    with pytest.raises(TypeError, match="unknown experiment parameter 'eta'"):
        mdi_key_rate(10.0, eta=0.5)
    with pytest.raises(TypeError, match="experiment must be a MDIExperiment"):
        mdi_key_rate(10.0, experiment=QKDExperiment())
    with pytest.raises(ValueError, match="upper_km must be > 0"):
        mdi_max_distance_km(upper_km=0.0)
