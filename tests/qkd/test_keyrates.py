"""qlib.qkd.keyrates against closed forms and published thresholds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import qlib
from qlib import (
    SHOR_PRESKILL_THRESHOLD,
    SIX_STATE_THRESHOLD,
    binary_entropy,
    finite_key_length,
    shor_preskill_rate,
    six_state_rate,
)

qbers = st.floats(min_value=0.0, max_value=0.5, allow_nan=False)


# --- binary entropy ---------------------------------------------------------

def test_binary_entropy_closed_forms():
    assert binary_entropy(0.0) == 0.0
    assert binary_entropy(1.0) == 0.0
    assert binary_entropy(0.5) == 1.0
    # h(1/4) = 2 - (3/4) log2 3
    assert_allclose(binary_entropy(0.25), 2 - 0.75 * math.log2(3), rtol=1e-14)


def test_binary_entropy_is_vectorised_and_symmetric():
    p = np.linspace(0, 1, 11)
    assert_allclose(binary_entropy(p), binary_entropy(1 - p), atol=1e-15)
    assert isinstance(binary_entropy(0.3), float)


# --- Shor-Preskill and six-state ------------------------------------------

def test_shor_preskill_threshold_is_eleven_percent():
    # Shor & Preskill, PRL 85, 441 (2000): key for QBER below about 11 %.
    assert_allclose(SHOR_PRESKILL_THRESHOLD, 0.110028, atol=1e-6)
    assert_allclose(2 * binary_entropy(SHOR_PRESKILL_THRESHOLD), 1.0, atol=1e-12)


def test_shor_preskill_values():
    assert shor_preskill_rate(0.0) == 1.0
    # 1 - 2 h(0.01), h(0.01) = 0.0807931 (closed form)
    assert_allclose(shor_preskill_rate(0.01), 1 - 2 * 0.08079313589591118, rtol=1e-12)
    assert_allclose(shor_preskill_rate(0.05), 1 - 2 * binary_entropy(0.05))
    assert shor_preskill_rate(0.11) > 0.0  # just below the threshold 0.110028
    assert shor_preskill_rate(0.111) == 0.0
    assert shor_preskill_rate(0.5) == 0.0


def test_six_state_threshold():
    # Qubit six-state protocol with one-way post-processing: 12.619 %
    # (Lo, QIC 1, 81 (2001); value as quoted by Kato & Tamaki, Sci. Rep. 6, 30044 (2016)).
    assert_allclose(SIX_STATE_THRESHOLD, 0.12619, atol=5e-6)


def test_six_state_equals_one_minus_bell_entropy():
    # r = 1 - H(1 - 3Q/2, Q/2, Q/2, Q/2) below threshold
    for q in (0.0, 0.01, 0.05, 0.1):
        lam = [1 - 1.5 * q, q / 2, q / 2, q / 2]
        expected = 1 - float(qlib._linalg.shannon_bits(lam))
        assert_allclose(six_state_rate(q), expected, atol=1e-14)


@given(qbers)
def test_six_state_beats_bb84(q):
    assert six_state_rate(q) >= shor_preskill_rate(q) - 1e-15


@given(qbers, qbers)
def test_rates_decrease_with_qber(q1, q2):
    lo, hi = sorted((q1, q2))
    assert shor_preskill_rate(hi) <= shor_preskill_rate(lo) + 1e-15
    assert six_state_rate(hi) <= six_state_rate(lo) + 1e-15


def test_rates_are_vectorised():
    q = np.array([0.0, 0.05, 0.2])
    out = shor_preskill_rate(q)
    assert out.shape == (3,)
    assert out[2] == 0.0
    assert six_state_rate(q).shape == (3,)


# --- finite keys --------------------------------------------------------------

def _leak(n, q, f=1.0):
    return f * n * binary_entropy(q)


def test_finite_key_tends_to_shor_preskill():
    # mu -> 0 as n, k -> infinity (Tomamichel et al., Nat. Commun. 3, 634 (2012))
    n = k = 10**14
    q = 0.03
    rate = finite_key_length(n, k, q, leak_ec=_leak(n, q)) / n
    assert_allclose(rate, shor_preskill_rate(q), rtol=1e-4)


def test_finite_key_formula():
    n, k, q, eps_sec, eps_cor = 10**5, 10**4, 0.01, 1e-9, 1e-12
    leak = _leak(n, q, 1.16)
    mu = math.sqrt((n + k) / (n * k) * (k + 1) / k * math.log(2 / eps_sec))
    expected = n * (1 - binary_entropy(q + mu)) - leak - math.log2(2 / (eps_sec**2 * eps_cor))
    got = finite_key_length(n, k, q, leak_ec=leak, eps_sec=eps_sec, eps_cor=eps_cor)
    assert_allclose(got, expected, rtol=1e-12)
    # the same by hand: mu = sqrt(1.1e-4 * 1.0001 * ln(2e9)) = 0.0485391, h(0.0585391) = 0.321618,
    # so 1e5 * 0.678382 = 67,838.2; leak = 1.16e5 h(0.01) = 9,372.0; security 2 log2(1e9) +
    # log2(2e12) = 100.66; 67,838.2 - 9,372.0 - 100.7 = 58,365.5
    assert_allclose(mu, 0.0485391, atol=1e-7)
    assert_allclose(got, 58_365.5, atol=0.1)


def test_small_blocks_give_no_key():
    # The sampling margin mu ~ 1/sqrt(k) and the log2(2/(eps_sec^2 eps_cor)) ~ 117-bit
    # security cost leave nothing from a few hundred bits (Tomamichel et al. 2012);
    # the fraction approaches the asymptotic one only for large blocks.
    q = 0.01
    assert finite_key_length(300, 300, q, leak_ec=_leak(300, q)) == 0.0
    fractions = [finite_key_length(n, n // 10, q, leak_ec=_leak(n, q)) / n for n in (10**4, 10**5, 10**6, 10**7)]
    assert all(a < b for a, b in zip(fractions, fractions[1:]))
    assert fractions[-1] < shor_preskill_rate(q)


@given(st.integers(1000, 10**7), st.floats(0.0, 0.1))
def test_finite_key_grows_with_test_sample(n, q):
    small = finite_key_length(n, 1000, q, leak_ec=_leak(n, q))
    large = finite_key_length(n, 100_000, q, leak_ec=_leak(n, q))
    assert large >= small
    assert large <= n * (1 - binary_entropy(q)) - _leak(n, q) + 1e-6 or large == 0.0


# --- bad input ---------------------------------------------------------------

@pytest.mark.parametrize("func", [shor_preskill_rate, six_state_rate])
@pytest.mark.parametrize("bad", [-0.01, 0.51, 1.0])
def test_qber_outside_range_is_refused(func, bad):
    with pytest.raises(ValueError, match=r"qber must be in \[0, 0.5\], got"):
        func(bad)


def test_bad_entropy_input():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], got 1.5"):
        binary_entropy(1.5)
    with pytest.raises(TypeError, match="p must"):
        binary_entropy("0.1")
    with pytest.raises(ValueError, match="finite"):
        binary_entropy(float("nan"))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n=0), ValueError, r"n must be an integer >= 1, got 0"),
        (dict(n=10.5), TypeError, r"n must be an integer"),
        (dict(k=0), ValueError, r"k must be an integer >= 1, got 0"),
        (dict(qber=0.6), ValueError, r"qber must be in \[0, 0.5\], got 0.6"),
        (dict(leak_ec=-1.0), ValueError, r"leak_ec must be >= 0, got -1.0"),
        (dict(eps_sec=0.0), ValueError, r"eps_sec must be in \(0, 1\), got 0.0"),
        (dict(eps_cor=1.0), ValueError, r"eps_cor must be in \(0, 1\), got 1.0"),
    ],
)
def test_finite_key_bad_input(kwargs, error, match):
    args = dict(n=1000, k=100, qber=0.01, leak_ec=10.0) | kwargs
    with pytest.raises(error, match=match):
        finite_key_length(args.pop("n"), args.pop("k"), args.pop("qber"), **args)


# --- weak coherent pulses over distance (chapter "QKD over distance") -------
#
# References for the numbers below:
#   [LMC]  Lo, Ma, Chen, PRL 94, 230504 (2005): decoy-state BB84, GYS parameters,
#          maximal distance about 142 km.
#   [GYS]  Gobby, Yuan, Shields, APL 84, 3762 (2004).
#   [MQZL] Ma, Qi, Zhao, Lo, PRA 72, 012326 (2005): vacuum + weak decoy bounds.
#   [GLLP] Gottesman, Lo, Lütkenhaus, Preskill, QIC 4, 325 (2004).
#   [PLOB] Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017).
#   [Lim]  Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307 (2014).

from qlib import (  # noqa: E402
    GYS_2004,
    MICIUS_2017,
    QKDExperiment,
    decoy_bb84_key_rate,
    finite_decoy_key_rate,
    gllp_key_rate,
    max_distance_km,
    optimal_mu,
    plob_bound,
    qkd_aborts,
    satellite_decoy_key_rate,
    single_photon_key_rate,
    tampered_key_rate,
    tampered_qber,
    vacuum_weak_decoy_key_rate,
)

DISTANCES = np.linspace(0.0, 200.0, 401)


def _lmc_reference(distance_km, mu, alpha=0.21, eta_bob=0.045, y0=1.7e-6, e_det=0.033, f=1.22):
    """[LMC] Eq. (1) written out directly from the paper's channel model."""
    eta = eta_bob * 10 ** (-alpha * distance_km / 10)
    q_mu = y0 + 1 - math.exp(-eta * mu)
    e_mu = (0.5 * y0 + e_det * (1 - math.exp(-eta * mu))) / q_mu
    y1 = y0 + eta - y0 * eta
    e1 = (0.5 * y0 + e_det * eta) / y1
    q1 = y1 * mu * math.exp(-mu)
    h = lambda x: -x * math.log2(x) - (1 - x) * math.log2(1 - x)  # noqa: E731
    return 0.5 * (-q_mu * f * h(e_mu) + q1 * (1 - h(e1))), q_mu, e_mu


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


def _h(x):
    return 0.0 if x <= 0 else -x * math.log2(x) - (1 - x) * math.log2(1 - x)


def _gys_signal(eta, k, y0=1.7e-6, e_det=0.033):
    """Gain Q_k and QBER E_k of intensity k on the [LMC] channel model, written out."""
    q = y0 + 1 - math.exp(-eta * k)
    return q, (0.5 * y0 + e_det * (1 - math.exp(-eta * k))) / q


def _mqzl_bounds(eta, mu, nu, y0=1.7e-6):
    """[MQZL] Eq. (34) (Y1 lower bound) and Eq. (37) (e1 upper bound), vacuum + weak decoy nu."""
    q_mu, _ = _gys_signal(eta, mu)
    q_nu, e_nu = _gys_signal(eta, nu)
    y1_l = mu / (mu * nu - nu**2) * (q_nu * math.exp(nu) - q_mu * math.exp(mu) * nu**2 / mu**2
                                     - (mu**2 - nu**2) / mu**2 * y0)
    e1_u = (e_nu * q_nu * math.exp(nu) - 0.5 * y0) / (y1_l * nu)
    return y1_l, e1_u


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


@pytest.mark.parametrize("distance, f", [(10.0, 0.0), (20.0, 0.1), (40.0, 0.1), (60.0, 0.05)])
def test_tampered_key_rate_written_out(distance, f):
    # intercept-resend on a fraction f adds f/4 errors, combined as a xor b = a + b - 2ab:
    # R = q {Q1 [1 - h(e1 xor f/4)] - f_EC Q h(E xor f/4)} with the [LMC] single-photon values
    mu = 0.5
    eta = 0.045 * 10 ** (-0.21 * distance / 10)
    q_mu, e_mu = _gys_signal(eta, mu)
    y1 = 1.7e-6 + eta - 1.7e-6 * eta
    e1 = (0.5 * 1.7e-6 + 0.033 * eta) / y1
    xor = lambda a, b: a + b - 2 * a * b  # noqa: E731
    expected = 0.5 * (y1 * mu * math.exp(-mu) * (1 - _h(xor(e1, f / 4))) - 1.22 * q_mu * _h(xor(e_mu, f / 4)))
    assert expected > 0
    assert_allclose(tampered_key_rate(distance, f, mu=mu), expected, rtol=1e-10)


# --- finite size [Lim] ------------------------------------------------------

_LIM_PROBS = (0.7, 0.2, 0.1)  # p_mu, p_nu, p_vacuum: finite_decoy_key_rate's defaults


def _lim_expected_counts(eta, mu, nu, n, q_x=2**-0.5):
    """Expected X-basis counts n_{X,k} and the Z-basis ones, intensities (mu, nu, 0)."""
    ks = (mu, nu, 0.0)
    x = [n * q_x**2 * p * _gys_signal(eta, k)[0] for k, p in zip(ks, _LIM_PROBS)]
    z = [n * (1 - q_x) ** 2 * p * _gys_signal(eta, k)[0] for k, p in zip(ks, _LIM_PROBS)]
    return ks, x, z


def test_lim_rate_at_infinite_n_is_the_closed_form():
    # N = inf: s_X0/N = q_x^2 tau0 Y0, s_X1/N = q_x^2 tau1 Y1^L, phase error e1^U ([MQZL] Eqs. 34
    # and 37), tau_n = sum_k p_k e^-k k^n / n!; leak f n_X h(E_X), n_X = sum p_k Q_k,
    # E_X = sum p_k E_k Q_k / n_X (key from every intensity) [Lim]
    d, mu, nu, y0, q2 = 50.0, 0.5, 0.1, 1.7e-6, 0.5
    eta = 0.045 * 10 ** (-0.21 * d / 10)
    ks = (mu, nu, 0.0)
    tau0 = sum(p * math.exp(-k) for k, p in zip(ks, _LIM_PROBS))
    tau1 = sum(p * math.exp(-k) * k for k, p in zip(ks, _LIM_PROBS))
    y1_l, e1_u = _mqzl_bounds(eta, mu, nu)
    n_x = sum(p * _gys_signal(eta, k)[0] for k, p in zip(ks, _LIM_PROBS))
    e_x = sum(p * _gys_signal(eta, k)[0] * _gys_signal(eta, k)[1] for k, p in zip(ks, _LIM_PROBS)) / n_x
    expected = q2 * (tau0 * y0 + tau1 * y1_l * (1 - _h(e1_u)) - 1.22 * n_x * _h(e_x))
    assert expected > 0
    assert_allclose(finite_decoy_key_rate(d, np.inf, mu=mu, nu=nu), expected, rtol=1e-10)


@pytest.mark.parametrize("n, vacuum_bound_positive", [(1e10, False), (1e14, True)])
def test_lim_single_photon_count_at_finite_n_is_equation_3(n, vacuum_bound_positive):
    # [Lim] Eq. (3) with mu3 = 0 and the Hoeffding deviation delta = sqrt(n_X/2 ln(21/eps_sec)):
    # n^pm_{X,k} = e^k / p_k (n_{X,k} pm delta),
    # s_X0 >= max(tau0 n^-_{X,0}, 0) (Eq. 2 with mu3 = 0; a count is >= 0: at N = 1e10 the
    # deviation delta ~ 9,800 exceeds the ~850 expected vacuum clicks and the bound is 0; at
    # N = 1e14, 8.5e6 vacuum clicks against delta ~ 9.8e5),
    # s_X1 >= tau1 mu [n^-_{X,nu} - n^+_{X,0} - nu^2/mu^2 (n^+_{X,mu} - s_X0/tau0)] / (mu nu - nu^2)
    from qlib.qkd.keyrates import _lim_terms

    d, mu, nu, eps = 50.0, 0.5, 0.1, 1e-10
    eta = 0.045 * 10 ** (-0.21 * d / 10)
    ks, x, _ = _lim_expected_counts(eta, mu, nu, n)
    delta = math.sqrt(sum(x) / 2 * math.log(21 / eps))
    lo = [math.exp(k) / p * (c - delta) for k, p, c in zip(ks, _LIM_PROBS, x)]
    up = [math.exp(k) / p * (c + delta) for k, p, c in zip(ks, _LIM_PROBS, x)]
    tau0 = sum(p * math.exp(-k) for k, p in zip(ks, _LIM_PROBS))
    tau1 = sum(p * math.exp(-k) * k for k, p in zip(ks, _LIM_PROBS))
    assert (tau0 * lo[2] > 0) == vacuum_bound_positive
    s_x0 = max(tau0 * lo[2], 0.0)
    s_x1 = tau1 * mu * (lo[1] - up[2] - nu**2 / mu**2 * (up[0] - s_x0 / tau0)) / (mu * nu - nu**2)
    terms = _lim_terms(GYS_2004.transmittance(d), mu, nu, _LIM_PROBS, 2**-0.5, n, eps, 1e-15, GYS_2004)
    assert_allclose(terms["s_x0"], s_x0, rtol=1e-10)
    assert_allclose(terms["s_x1"], s_x1, rtol=1e-10)
    # the deviations cost something: below the N = inf value q_x^2 tau1 Y1^L N
    y1_l, _ = _mqzl_bounds(eta, mu, nu)
    assert 0.9 * 0.5 * tau1 * y1_l * n < s_x1 < 0.5 * tau1 * y1_l * n
    # and the rate is the key length over N, 6 log2(21/eps_sec) + log2(2/eps_cor) the cost
    assert_allclose(terms["cost"], 6 * math.log2(21 / eps) + math.log2(2 / 1e-15), rtol=1e-12)
    assert_allclose(finite_decoy_key_rate(d, n, mu=mu, nu=nu), terms["length"] / n, rtol=1e-12)


def test_finite_key_grows_with_block_and_approaches_its_asymptote():
    blocks = [1e10, 1e11, 1e12, 1e14]
    rates = [finite_decoy_key_rate(50.0, n) for n in blocks]
    asym = finite_decoy_key_rate(50.0, np.inf)
    assert np.all(np.diff(rates) > 0)
    assert all(r < asym for r in rates)
    assert_allclose(rates[-1], asym, rtol=0.02)
    # 1e8 pulses at 50 km give ~1e5 key-basis detections: the Hoeffding margins on the
    # vacuum and weak-decoy counts leave nothing (with the GYS error floor of 3.3 %)
    assert finite_decoy_key_rate(50.0, 1e8) == 0.0
    assert finite_decoy_key_rate(50.0, 1e6) == 0.0


def test_finite_key_asymptote_is_the_two_decoy_rate_of_the_same_protocol():
    # N -> inf: no deviations, vacuum term s_X0 and key from every intensity, so it lies
    # between the signal-only two-decoy rate weighted by p_mu and the infinite-decoy rate
    asym = finite_decoy_key_rate(50.0, np.inf, mu=0.5)
    assert 0.7 * vacuum_weak_decoy_key_rate(50.0, mu=0.5, nu=0.1) < asym
    assert asym < decoy_bb84_key_rate(50.0)
    # the reach shrinks with the block: 1e10 pulses reach less far than 1e12
    assert finite_decoy_key_rate(110.0, 1e12) > finite_decoy_key_rate(110.0, 1e10)


# --- satellite ----------------------------------------------------------------

def test_satellite_rate_rises_with_elevation_and_beats_fibre():
    elev = np.array([15.0, 20.0, 30.0, 45.0, 60.0, 90.0])
    r = satellite_decoy_key_rate(elev)
    assert np.all(np.diff(r) > 0) and r[0] > 0
    # at 1,200 km slant range [Liao 2017 obtained kHz keys], fibre gives nothing
    assert decoy_bb84_key_rate(1200.0, experiment=GYS_2004) == 0.0
    assert MICIUS_2017.wavelength_nm == 850.0  # Liao et al. 2017: 850 nm decoy BB84
    # the rate is the decoy rate at the link's transmittance
    loss = qlib.satellite_link_loss_db(500.0, 40.0, wavelength_nm=850.0, system_loss_db=25.0)
    eta = MICIUS_2017.detector_efficiency * 10 ** (-loss / 10)
    expected = decoy_bb84_key_rate(0.0, mu=0.5, experiment=MICIUS_2017, extra_loss_db=loss)
    assert_allclose(satellite_decoy_key_rate(40.0, mu=0.5), expected, rtol=1e-12)
    assert_allclose(MICIUS_2017.replace(extra_loss_db=loss).transmittance(0.0), eta, rtol=1e-12)


# --- tampering and denial of service -----------------------------------------

def test_intercept_resend_adds_a_quarter_of_the_fraction():
    ideal = dict(error_floor=0.0, dark_count_probability=0.0)
    f = np.linspace(0, 1, 11)
    assert_allclose(tampered_qber(10.0, f, **ideal), f / 4, atol=1e-15)  # intercept-resend: f/4
    assert_allclose(tampered_qber(10.0, 1.0, **ideal), 0.25, atol=1e-15)
    # with the link's own errors E: E xor f/4
    _, _, e_mu = _lmc_reference(10.0, 0.5)
    assert_allclose(tampered_qber(10.0, 0.4), e_mu + 0.1 - 2 * e_mu * 0.1, rtol=1e-12)


def test_untampered_channel_gives_the_decoy_rate():
    assert_allclose(tampered_key_rate(DISTANCES), decoy_bb84_key_rate(DISTANCES), rtol=1e-12)
    assert_allclose(tampered_key_rate(70.0, extra_loss_db=7.0),
                    decoy_bb84_key_rate(70.0 + 7.0 / 0.21), rtol=1e-9)


def test_tampering_stops_the_key_and_the_protocol_aborts():
    f = np.linspace(0, 1, 21)
    r = tampered_key_rate(20.0, f)
    assert r[0] > 0 and np.all(np.diff(r) <= 0)
    stop = f[np.argmax(r == 0)]
    assert r[np.argmax(r == 0) - 1] > 0
    # the key stops well before the QBER reaches the Shor-Preskill threshold 11 %: error
    # correction at f = 1.22 and the multi-photon pulses cost the rest (about 9 % here)
    assert 0.08 < tampered_qber(20.0, stop) < SHOR_PRESKILL_THRESHOLD - 0.015
    assert qkd_aborts(tampered_qber(20.0, 1.0))  # 25 % and more: abort
    assert not qkd_aborts(tampered_qber(20.0, 0.0))
    loss = np.linspace(0, 60, 61)
    rl = tampered_key_rate(20.0, 0.0, loss)
    assert np.all(np.diff(rl) <= 0) and rl[-1] == 0.0
    assert tampered_key_rate(20.0, extra_loss_db=200.0) == 0.0  # a cut fibre


def test_qkd_aborts_threshold():
    assert_allclose(SHOR_PRESKILL_THRESHOLD, 0.110028, atol=1e-6)
    assert qkd_aborts(np.array([0.0, 0.05, 0.12, 0.5])).tolist() == [False, False, True, True]
    assert qkd_aborts(0.05, qber_threshold=0.04)


# --- bad input ----------------------------------------------------------------

def test_keyrate_bad_input():
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
    with pytest.raises(ValueError, match=r"intercept_fraction must be in \[0, 1\].*1.5"):
        tampered_qber(10.0, 1.5)
    with pytest.raises(ValueError, match=r"extra_loss_db must be >= 0.*-3"):
        tampered_key_rate(10.0, 0.0, -3.0)
    with pytest.raises(ValueError, match=r"qber must be in \[0, 0.5\], got 0.7"):
        qkd_aborts(0.7)
    with pytest.raises(ValueError, match=r"qber_threshold must be in \[0, 0.5\], got -0.1"):
        qkd_aborts(0.1, qber_threshold=-0.1)
    with pytest.raises(ValueError, match=r"protocol must be one of .*'decoy'.*got 'bb84'"):
        max_distance_km("bb84")
    with pytest.raises(ValueError, match=r"mu must be > nu = 0.05, got 0.05"):
        vacuum_weak_decoy_key_rate(10.0, mu=0.05)
    with pytest.raises(ValueError, match=r"nu must be > 0.*0.0"):
        vacuum_weak_decoy_key_rate(10.0, nu=0.0)
    with pytest.raises(ValueError, match=r"n_pulses must be > 0 \(or numpy.inf for the asymptotic limit\), got 0.0"):
        finite_decoy_key_rate(10.0, 0)
    with pytest.raises(ValueError, match=r"n_pulses must be a finite real number, got -inf"):
        finite_decoy_key_rate(50.0, -np.inf)
    nu_msg = r"nu must be in \(0, 2\) when mu is optimised .*got 2.0"
    with pytest.raises(ValueError, match=nu_msg):
        vacuum_weak_decoy_key_rate(10.0, nu=2.0)
    with pytest.raises(ValueError, match=nu_msg):
        optimal_mu(10.0, "vacuum-weak", nu=2.0)
    with pytest.raises(ValueError, match=nu_msg):
        max_distance_km("vacuum-weak", nu=2.0)
    with pytest.raises(ValueError, match=nu_msg):
        finite_decoy_key_rate(10.0, 1e10, nu=2.0)
    assert vacuum_weak_decoy_key_rate(10.0, mu=3.0, nu=2.0) >= 0.0  # a fixed mu needs no search
    with pytest.raises(ValueError, match=r"mu must be None for protocol 'single-photon'.*got 0.5"):
        max_distance_km("single-photon", mu=0.5)
    with pytest.raises(ValueError, match=r"p_mu and p_nu must be in \(0, 1\) with p_mu \+ p_nu < 1"):
        finite_decoy_key_rate(10.0, 1e9, p_mu=0.9, p_nu=0.2)
    with pytest.raises(ValueError, match=r"p_mu must be in \[0, 1\].*1.5"):
        finite_decoy_key_rate(10.0, 1e9, p_mu=1.5)
    with pytest.raises(ValueError, match=r"elevation_deg must be in \(0, 90\].*95"):
        satellite_decoy_key_rate(95.0)
    with pytest.raises(TypeError, match=r"experiment must be a QKDExperiment"):
        decoy_bb84_key_rate(10.0, experiment={"error_floor": 0.01})


from hypothesis import settings  # noqa: E402


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


def test_satellite_pass_geometry_and_key():
    from qlib import satellite_pass_duration_s, satellite_pass_key_bits

    r, h, e_min = 6371.0, 500.0, 15.0
    t = satellite_pass_duration_s(h, e_min)
    omega = math.sqrt(398600.4418 / (r + h) ** 3)
    assert_allclose(2 * math.pi / omega / 60, 94.5, atol=0.1)  # a 500 km orbit: about 94.5 min
    # at the end of the pass the satellite is seen exactly at e_min (vector geometry)
    theta = t * omega / 2
    sat = np.array([(r + h) * math.sin(theta), (r + h) * math.cos(theta)])
    los = sat - np.array([0.0, r])
    assert_allclose(math.degrees(math.atan2(los[1], los[0])), e_min, atol=1e-9)
    # and its distance is the slant range of qlib.network.links at that elevation
    assert_allclose(np.linalg.norm(los), qlib.slant_range_km(h, e_min), rtol=1e-12)
    bits = satellite_pass_key_bits(1e8, h, e_min)
    assert_allclose(satellite_pass_key_bits(2e8, h, e_min), 2 * bits, rtol=1e-12)
    assert satellite_pass_key_bits(1e8, h, 10.0) > bits > satellite_pass_key_bits(1e8, h, 30.0)
    # bounded by the duration times the zenith rate
    assert bits < t * 1e8 * satellite_decoy_key_rate(90.0)
    assert bits > t * 1e8 * satellite_decoy_key_rate(e_min)
    with pytest.raises(ValueError, match=r"min_elevation_deg must be in \(0, 90\) degrees, got 90.0"):
        satellite_pass_duration_s(500.0, 90.0)
    with pytest.raises(ValueError, match=r"pulse_rate_hz must be > 0, got 0.0"):
        satellite_pass_key_bits(0.0)
    with pytest.raises(ValueError, match=r"altitude_km must be > 0, got -1.0"):
        satellite_pass_duration_s(-1.0)


def test_best_parts_preset_is_the_stated_modern_link():
    # The assumed modern link of the QKD-over-distance and post-quantum chapters:
    # 0.16 dB/km, 80 % detection, 1e-7 background, 0.5 % error floor, GYS otherwise.
    best = qlib.BEST_PARTS_ASSUMED
    assert (best.attenuation_db_per_km, best.detector_efficiency, best.dark_count_probability,
            best.error_floor) == (0.16, 0.8, 1e-7, 0.005)
    assert best.ec_efficiency == qlib.GYS_2004.ec_efficiency
    # better parts reach much further than GYS's 142 km (Lo, Ma, Chen 2005)
    assert qlib.max_distance_km("decoy", experiment=best) > 2 * qlib.max_distance_km("decoy")
