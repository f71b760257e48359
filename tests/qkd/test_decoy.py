"""qlib.qkd.decoy: weak pulses over fibre (rates per emitted pulse) against the papers' formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import qlib
from _qkd_reference import _gys_signal, _h, _lmc_reference, _mqzl_bounds
from qlib import (
    GYS_2004,
    QKDExperiment,
    decoy_bb84_key_rate,
    gllp_key_rate,
    max_distance_km,
    optimal_mu,
    plob_bound,
    single_photon_key_rate,
    vacuum_weak_decoy_key_rate,
)

# References for the numbers below:
#   [LMC]  Lo, Ma, Chen, PRL 94, 230504 (2005): decoy-state BB84, GYS parameters,
#          maximal distance about 142 km.
#   [GYS]  Gobby, Yuan, Shields, APL 84, 3762 (2004).
#   [MQZL] Ma, Qi, Zhao, Lo, PRA 72, 012326 (2005): vacuum + weak decoy bounds.
#   [GLLP] Gottesman, Lo, Lütkenhaus, Preskill, QIC 4, 325 (2004).
#   [PLOB] Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017).

DISTANCES = np.linspace(0.0, 200.0, 401)


def test_gys_preset_matches_lo_ma_chen():
    # [LMC] use [GYS]'s 1550 nm experiment: alpha 0.21 dB/km, e_detector 3.3 %,
    # Y0 1.7e-6, eta_Bob 4.5 %, f(E) 1.22
    assert (GYS_2004.attenuation_db_per_km, GYS_2004.error_floor, GYS_2004.dark_count_probability,
            GYS_2004.detector_efficiency, GYS_2004.ec_efficiency, GYS_2004.wavelength_nm) == (
        0.21, 0.033, 1.7e-6, 0.045, 1.22, 1550.0)
    assert_allclose(GYS_2004.transmittance(100.0), 0.045 * 10 ** (-2.1), rtol=1e-14)


@pytest.mark.parametrize("distance", [0.0, 25.0, 80.0, 130.0])
@pytest.mark.parametrize("mu", [0.2, 0.48, 0.8])
def test_decoy_rate_is_lo_ma_chen_equation_1(distance, mu):
    expected, _, _ = _lmc_reference(distance, mu)
    assert_allclose(decoy_bb84_key_rate(distance, mu=mu), max(expected, 0.0), rtol=1e-10)


def test_decoy_rate_positive_beyond_140_km_max_near_142():
    # [LMC]: with the GYS parameters the decoy method reaches about 142 km
    assert decoy_bb84_key_rate(140.0) > 0
    assert 140.0 < max_distance_km("decoy") < 145.0
    assert_allclose(max_distance_km("decoy"), 142.0, atol=1.0)
    assert decoy_bb84_key_rate(max_distance_km("decoy") + 0.5) == 0.0


def test_gllp_reaches_far_less_than_decoy():
    # [LMC]/[GLLP]: without decoys mu must scale like eta and the reach is far shorter.
    # qlib gives 40.2 km with the GYS parameters, against 142 km with decoys. (The GLLP
    # number of LMC's figure could not be read here; only their 142 km is checked above.)
    gllp, decoy = max_distance_km("gllp"), max_distance_km("decoy")
    assert 30.0 < gllp < 50.0
    assert gllp < decoy / 3
    assert gllp_key_rate(gllp + 1.0) == 0.0 and gllp_key_rate(gllp - 1.0) > 0


def test_gllp_and_single_photon_closed_forms_without_noise():
    # no dark counts, no misalignment: single photons give q*eta; GLLP gives
    # q*(Q_mu - P_multi) with Q_mu = 1 - exp(-eta mu) [GLLP]
    ideal = dict(dark_count_probability=0.0, error_floor=0.0)
    eta = GYS_2004.transmittance(30.0)
    assert_allclose(single_photon_key_rate(30.0, **ideal), 0.5 * eta, rtol=1e-12)
    mu = 0.01
    p_multi = 1 - (1 + mu) * math.exp(-mu)
    expected = 0.5 * max(1 - math.exp(-eta * mu) - p_multi, 0.0)
    assert_allclose(gllp_key_rate(30.0, mu=mu, **ideal), expected, rtol=1e-9)


def test_plob_at_100_km():
    # [PLOB]: -log2(1 - eta) with eta = 10^-2 (100 km at 0.2 dB/km) is 0.0145 bits per use
    assert_allclose(plob_bound(qlib.fiber_transmittance(100.0)), 0.0145, atol=5e-5)
    assert_allclose(plob_bound(1e-2), -math.log2(0.99), rtol=1e-12)


@pytest.mark.parametrize("rate", [single_photon_key_rate, decoy_bb84_key_rate, gllp_key_rate,
                                  vacuum_weak_decoy_key_rate])
def test_rates_below_plob_of_the_whole_channel(rate):
    # Bob's inefficiency is part of the lossy channel: R <= PLOB(eta_total) <= PLOB(eta_fibre);
    # with the sifting factor q = 1/2 even R <= PLOB/2 holds for these one-way protocols
    r = rate(DISTANCES)
    eta_total = GYS_2004.transmittance(DISTANCES)
    assert np.all(r <= plob_bound(eta_total) / 2)
    assert np.all(r <= plob_bound(qlib.fiber_transmittance(DISTANCES, 0.21)))


@pytest.mark.parametrize("rate", [single_photon_key_rate, decoy_bb84_key_rate, gllp_key_rate,
                                  vacuum_weak_decoy_key_rate])
def test_rates_decrease_with_distance(rate):
    r = rate(DISTANCES)
    assert r[0] > 0
    assert np.all(np.diff(r) <= 1e-15 * r[0])


def test_protocol_ordering():
    # single photons >= infinite decoys >= vacuum+weak >= ... and decoys >= GLLP
    sp, dec = single_photon_key_rate(DISTANCES), decoy_bb84_key_rate(DISTANCES)
    vw, gl = vacuum_weak_decoy_key_rate(DISTANCES), gllp_key_rate(DISTANCES)
    assert np.all(dec <= sp) and np.all(vw <= dec * (1 + 1e-12)) and np.all(gl <= dec)
    order = [max_distance_km(p) for p in ("gllp", "vacuum-weak", "decoy", "single-photon")]
    assert order == sorted(order)


def test_vacuum_weak_close_to_infinite_decoys():
    # [MQZL]: two decoys (vacuum + weak) approach the infinite-decoy rate as nu -> 0
    mid = DISTANCES[(DISTANCES >= 20) & (DISTANCES <= 120)]
    ratio = vacuum_weak_decoy_key_rate(mid, nu=0.05) / decoy_bb84_key_rate(mid)
    assert np.all((ratio > 0.9) & (ratio <= 1.0 + 1e-12))
    fine = vacuum_weak_decoy_key_rate(mid, nu=1e-3) / decoy_bb84_key_rate(mid)
    assert np.all(fine > 0.995)
    assert abs(max_distance_km("vacuum-weak", nu=0.05) - max_distance_km("decoy")) < 2.0


def test_optimal_mu_beats_every_fixed_mu():
    for d in (10.0, 60.0, 120.0):
        best = decoy_bb84_key_rate(d)
        for mu in np.linspace(0.05, 1.2, 47):
            assert best >= decoy_bb84_key_rate(d, mu=mu) * (1 - 1e-9)
        assert_allclose(best, decoy_bb84_key_rate(d, mu=optimal_mu(d)), rtol=1e-9)
    # [LMC]: for GYS the optimal mu is of order 0.5 at every distance
    mus = optimal_mu(np.array([0.0, 50.0, 100.0]))
    assert np.all((mus > 0.4) & (mus < 0.55))
    # GLLP: mu must shrink with the transmittance
    g = optimal_mu(np.array([0.0, 20.0, 40.0]), "gllp")
    assert np.all(np.diff(g) < 0) and g[0] < 0.1
    # beyond the maximum distance no mu gives a key: nan, not a meaningless number
    assert math.isnan(optimal_mu(500.0))
    both = optimal_mu(np.array([50.0, max_distance_km("decoy") + 1.0]))
    assert 0.4 < both[0] < 0.55 and math.isnan(both[1])


def test_rates_vectorise_like_their_input():
    assert isinstance(decoy_bb84_key_rate(50.0), float)
    out = decoy_bb84_key_rate(np.array([[10.0, 20.0], [30.0, 40.0]]))
    assert out.shape == (2, 2)
    assert_allclose(out[1, 0], decoy_bb84_key_rate(30.0), rtol=1e-12)
    assert_allclose(decoy_bb84_key_rate([10.0, 20.0], mu=[0.3, 0.6]),
                    [decoy_bb84_key_rate(10.0, mu=0.3), decoy_bb84_key_rate(20.0, mu=0.6)], rtol=1e-12)


def test_overrides_and_experiment_object_agree():
    exp = QKDExperiment(attenuation_db_per_km=0.2, detector_efficiency=0.1, error_floor=0.01)
    assert_allclose(decoy_bb84_key_rate(80.0, experiment=exp),
                    decoy_bb84_key_rate(80.0, attenuation_db_per_km=0.2, detector_efficiency=0.1,
                                        error_floor=0.01), rtol=1e-12)
    # better detectors reach further
    assert max_distance_km("decoy", experiment=exp) > max_distance_km("decoy")
    # 10 dB of extra loss costs 10/alpha km of reach at the cutoff (loss, not length, matters)
    shifted = max_distance_km("decoy", extra_loss_db=10.0)
    assert_allclose(max_distance_km("decoy") - shifted, 10.0 / 0.21, rtol=1e-6)


@pytest.mark.parametrize("distance, mu, nu", [(20.0, 0.48, 0.05), (80.0, 0.5, 0.1), (120.0, 0.45, 0.02)])
def test_vacuum_weak_rate_is_mqzl_written_out(distance, mu, nu):
    # [MQZL] Eq. (42): R = q {-Q_mu f h(E_mu) + Q1^L [1 - h(e1^U)]}, Q1^L = Y1^L mu e^-mu
    eta = 0.045 * 10 ** (-0.21 * distance / 10)
    q_mu, e_mu = _gys_signal(eta, mu)
    y1_l, e1_u = _mqzl_bounds(eta, mu, nu)
    expected = 0.5 * (-q_mu * 1.22 * _h(e_mu) + y1_l * mu * math.exp(-mu) * (1 - _h(min(e1_u, 0.5))))
    assert expected > 0
    assert_allclose(vacuum_weak_decoy_key_rate(distance, mu=mu, nu=nu), expected, rtol=1e-10)
    # and the bounds really bound the true single-photon values of the model
    y1, e1 = 1.7e-6 + eta - 1.7e-6 * eta, (0.5 * 1.7e-6 + 0.033 * eta) / (1.7e-6 + eta - 1.7e-6 * eta)
    assert y1_l <= y1 and e1_u >= e1


@pytest.mark.parametrize("distance, mu", [(5.0, 0.02), (20.0, 0.01), (30.0, 0.005)])
def test_gllp_rate_with_noise_written_out(distance, mu):
    # [GLLP] as in [LMC]: all multi-photon pulses tagged, Q1 >= Q_mu - P_multi and
    # e1 <= E_mu Q_mu / (Q_mu - P_multi), R = q {-Q_mu f h(E_mu) + Q1 [1 - h(e1)]}
    eta = 0.045 * 10 ** (-0.21 * distance / 10)
    q_mu, e_mu = _gys_signal(eta, mu)
    p_multi = 1 - math.exp(-mu) - mu * math.exp(-mu)
    q1 = q_mu - p_multi
    e1 = e_mu * q_mu / q1
    expected = 0.5 * (-q_mu * 1.22 * _h(e_mu) + q1 * (1 - _h(min(e1, 0.5))))
    assert expected > 0
    assert_allclose(gllp_key_rate(distance, mu=mu), expected, rtol=1e-10)


# --- bad input ----------------------------------------------------------------

def test_decoy_bad_input():
    with pytest.raises(ValueError, match=r"distance_km must be >= 0.*-1"):
        decoy_bb84_key_rate(-1.0)
    with pytest.raises(ValueError, match=r"mu must be > 0.*0.0"):
        decoy_bb84_key_rate(10.0, mu=0.0)
    with pytest.raises(ValueError, match=r"mu must be > 0.*-0.5"):
        gllp_key_rate(10.0, mu=-0.5)
    with pytest.raises(ValueError, match=r"detector_efficiency must be in \[0, 1\].*1.2"):
        decoy_bb84_key_rate(10.0, detector_efficiency=1.2)
    with pytest.raises(ValueError, match=r"dark_count_probability must be in \[0, 1\].*-1e-06"):
        QKDExperiment(dark_count_probability=-1e-6)
    with pytest.raises(ValueError, match=r"error_floor must be in \[0, 0.5\].*0.7"):
        GYS_2004.replace(error_floor=0.7)
    with pytest.raises(ValueError, match=r"ec_efficiency must be >= 1.*0.9"):
        decoy_bb84_key_rate(10.0, ec_efficiency=0.9)
    with pytest.raises(TypeError, match=r"unknown experiment parameter 'alpha'"):
        decoy_bb84_key_rate(10.0, alpha=0.2)
    with pytest.raises(ValueError, match=r"protocol must be one of .*'decoy'.*got 'bb84'"):
        max_distance_km("bb84")
    with pytest.raises(ValueError, match=r"mu must be > nu = 0.05, got 0.05"):
        vacuum_weak_decoy_key_rate(10.0, mu=0.05)
    with pytest.raises(ValueError, match=r"nu must be > 0.*0.0"):
        vacuum_weak_decoy_key_rate(10.0, nu=0.0)
    nu_msg = r"nu must be in \(0, 2\) when mu is optimised .*got 2.0"
    with pytest.raises(ValueError, match=nu_msg):
        vacuum_weak_decoy_key_rate(10.0, nu=2.0)
    with pytest.raises(ValueError, match=nu_msg):
        optimal_mu(10.0, "vacuum-weak", nu=2.0)
    with pytest.raises(ValueError, match=nu_msg):
        max_distance_km("vacuum-weak", nu=2.0)
    assert vacuum_weak_decoy_key_rate(10.0, mu=3.0, nu=2.0) >= 0.0  # a fixed mu needs no search
    with pytest.raises(ValueError, match=r"mu must be None for protocol 'single-photon'.*got 0.5"):
        max_distance_km("single-photon", mu=0.5)
    with pytest.raises(TypeError, match=r"experiment must be a QKDExperiment"):
        decoy_bb84_key_rate(10.0, experiment={"error_floor": 0.01})


@settings(max_examples=40, deadline=None)
@given(
    distance=st.floats(min_value=0.0, max_value=300.0),
    efficiency=st.floats(min_value=0.01, max_value=1.0),
    dark=st.floats(min_value=0.0, max_value=1e-4),
    floor=st.floats(min_value=0.0, max_value=0.1),
    attenuation=st.floats(min_value=0.15, max_value=0.3),
)
def test_rate_ordering_and_plob_for_any_link(distance, efficiency, dark, floor, attenuation):
    link = dict(detector_efficiency=efficiency, dark_count_probability=dark, error_floor=floor,
                attenuation_db_per_km=attenuation)
    sp = single_photon_key_rate(distance, **link)
    dec = decoy_bb84_key_rate(distance, **link)
    vw = vacuum_weak_decoy_key_rate(distance, **link)
    gl = gllp_key_rate(distance, **link)
    eta = GYS_2004.replace(**link).transmittance(distance)
    assert 0.0 <= gl <= dec * (1 + 1e-9) + 1e-300
    assert 0.0 <= vw <= dec * (1 + 1e-9) + 1e-300
    assert dec <= sp * (1 + 1e-12) + 1e-300
    assert sp <= plob_bound(eta) / 2 + 1e-300


def test_best_parts_preset_is_the_stated_modern_link():
    # The assumed modern link of the QKD-over-distance and post-quantum chapters:
    # 0.16 dB/km, 80 % detection, 1e-7 background, 0.5 % error floor, GYS otherwise.
    best = qlib.BEST_PARTS_ASSUMED
    assert (best.attenuation_db_per_km, best.detector_efficiency, best.dark_count_probability,
            best.error_floor) == (0.16, 0.8, 1e-7, 0.005)
    assert best.ec_efficiency == qlib.GYS_2004.ec_efficiency
    # better parts reach much further than GYS's 142 km (Lo, Ma, Chen 2005)
    assert qlib.max_distance_km("decoy", experiment=best) > 2 * qlib.max_distance_km("decoy")
