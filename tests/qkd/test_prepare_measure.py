"""Tests for qlib.qkd.prepare_measure: BB84 / six-state / B92 Monte Carlo, eavesdroppers, closed forms.

Monte Carlo results are compared with the closed forms within a stated number
of standard errors (4σ: a false alarm once in ~16,000 runs), all with fixed seeds.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from _qkd_reference import within
from qlib import (
    estimate_qber,
    expected_detection_probability,
    expected_qber,
    fiber_transmittance,
    intercept_resend_qber,
    pns_known_fraction,
    simulate_bb84,
)


# --------------------------------------------------------------------------- #
# BB84 without Eve
# --------------------------------------------------------------------------- #
def test_perfect_channel_gives_identical_keys_and_half_sifting():
    run = simulate_bb84(100_000, seed=11)
    c = run.counts
    assert c["detected"] == 100_000 and c["key_errors"] == 0 and run.qber_estimate == 0.0
    assert within(c["sifted"] / c["pulses"], 0.5, c["pulses"])
    assert c["sample"] == round(0.1 * c["sifted"]) and c["key"] == c["sifted"] - c["sample"]
    assert run.alice_key.dtype == np.uint8 and run.bob_key.dtype == np.uint8
    # the sifted bits are exactly the pulses with matching bases
    assert np.array_equal(run.sifted, run.alice_bases == run.bob_bases)
    assert np.array_equal(run.alice_sifted, run.alice_bits[run.sifted])


def test_same_seed_same_run_and_rng_accepted():
    a = simulate_bb84(5000, depolarizing=0.1, seed=3)
    b = simulate_bb84(5000, depolarizing=0.1, rng=np.random.default_rng(3))
    assert np.array_equal(a.alice_key, b.alice_key) and np.array_equal(a.bob_key, b.bob_key)
    c = simulate_bb84(5000, depolarizing=0.1, seed=4)
    assert not np.array_equal(a.alice_bits, c.alice_bits)


@pytest.mark.parametrize("protocol, sift", [("bb84", 1 / 2), ("six-state", 1 / 3), ("b92", 1 / 4)])
def test_sifting_fraction(protocol, sift):
    # BB84: bases agree with probability 1/2; six-state 1/3; B92 conclusive 1/4
    # (Bennett, PRL 68, 3121 (1992)).
    run = simulate_bb84(200_000, protocol=protocol, seed=5)
    assert within(run.counts["sifted"] / 200_000, sift, 200_000)
    assert run.counts["key_errors"] == 0


@pytest.mark.parametrize("p", [0.02, 0.1])
@pytest.mark.parametrize("protocol", ["bb84", "six-state", "b92"])
def test_depolarizing_gives_qber_p_over_two(protocol, p):
    # rho -> (1-p) rho + p I/2: a random bit with probability p, error p/2 in every basis.
    # B92: a random outcome is conclusive half the time (p/2 of the pulses, half of them
    # wrong) against (1-p)/4 conclusive and right otherwise, so Q = (p/4)/((1+p)/4) = p/(1+p).
    run = simulate_bb84(300_000, protocol=protocol, depolarizing=p, seed=6)
    expected = p / (1 + p) if protocol == "b92" else p / 2
    assert within(run.sifted_qber, expected, run.alice_sifted.size)


def test_loss_dark_counts_and_noise_match_expected_qber_and_detection():
    kw = dict(transmittance=fiber_transmittance(65.0), detector_efficiency=0.5,
              dark_count_probability=2e-4, depolarizing=0.02, misalignment=0.01)
    for mu in (None, 0.5):
        run = simulate_bb84(2_000_000, mean_photon_number=mu, eavesdropper="intercept-resend",
                            eve_fraction=0.3, seed=7, **kw)
        p_det = expected_detection_probability(kw["transmittance"], 0.5, 2e-4, mu)
        assert within(run.counts["detected"] / 2_000_000, p_det, 2_000_000)
        q = expected_qber(mean_photon_number=mu, eve_fraction=0.3, **kw)
        assert within(run.sifted_qber, q, run.alice_sifted.size)
        assert run.counts["double_clicks"] > 0


def test_dark_counts_alone_give_random_bits_and_double_clicks():
    # no light: every click is a dark count; double clicks (p^2 of pulses) get a random bit
    run = simulate_bb84(400_000, transmittance=0.0, dark_count_probability=0.05, seed=8)
    p_det = 1 - (1 - 0.05) ** 2
    assert within(run.counts["detected"] / 400_000, p_det, 400_000)
    assert within(run.counts["double_clicks"] / 400_000, 0.05**2, 400_000)
    assert within(run.sifted_qber, 0.5, run.alice_sifted.size)
    assert expected_qber(transmittance=0.0, dark_count_probability=0.05) == 0.5


def test_expected_detection_uses_click_probability_for_pulses():
    from qlib import click_probability

    p = expected_detection_probability(0.1, 0.5, 1e-3, 0.4)
    assert_allclose(p, click_probability(0.1, 0.5, 1 - (1 - 1e-3) ** 2, 0.4), rtol=1e-14)
    assert_allclose(expected_detection_probability(0.1, 0.5), 0.05, rtol=1e-14)


# --------------------------------------------------------------------------- #
# Intercept-resend
# --------------------------------------------------------------------------- #
def test_intercept_resend_closed_forms():
    # f/4 for BB84 (Bennett et al., J. Cryptology 5, 3 (1992)); f/3 six-state (Bruss, PRL 81,
    # 3018 (1998)); f/(2+f) for B92 (derived in the docstring; 1/3 at f = 1).
    f = np.linspace(0, 1, 11)
    assert_allclose(intercept_resend_qber(f), f / 4, atol=1e-15)
    assert_allclose(intercept_resend_qber(f, "six-state"), f / 3, atol=1e-15)
    assert_allclose(intercept_resend_qber(f, "b92"), f / (2 + f), atol=1e-15)
    assert intercept_resend_qber(1.0) == 0.25
    assert intercept_resend_qber(1.0, "b92", "Z") == pytest.approx(1 / 3)
    assert_allclose(expected_qber(eve_fraction=f), f / 4, atol=1e-15)
    assert_allclose(expected_qber("six-state", eve_fraction=f), f / 3, atol=1e-15)


@pytest.mark.parametrize("fraction", [1.0, 0.5, 0.2])
@pytest.mark.parametrize(
    "protocol, basis",
    [("bb84", "random"), ("bb84", "Z"), ("bb84", "X"), ("six-state", "random"),
     ("six-state", "Y"), ("b92", "random"), ("b92", "Z")],
)
def test_intercept_resend_monte_carlo_matches_closed_form(protocol, basis, fraction):
    run = simulate_bb84(300_000, protocol=protocol, eavesdropper="intercept-resend",
                        eve_fraction=fraction, eve_basis=basis, seed=21)
    assert within(run.sifted_qber, intercept_resend_qber(fraction, protocol, basis), run.alice_sifted.size)
    # the sample estimate too (a tenth of the bits)
    assert within(run.qber_estimate, intercept_resend_qber(fraction, protocol, basis), run.sample_size)
    assert within(run.counts["intercepted"] / 300_000, fraction, 300_000)


def test_bb84_full_intercept_is_25_percent():
    run = simulate_bb84(1_000_000, eavesdropper="intercept-resend", seed=1)
    n = run.alice_sifted.size
    assert abs(run.sifted_qber - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)


# --------------------------------------------------------------------------- #
# Photon-number splitting
# --------------------------------------------------------------------------- #
def test_pns_closed_form_limits():
    # lossless, no dark counts: P(n>=2)/P(n>=1) of a Poisson distribution
    for mu in (0.05, 0.1, 0.5, 1.0):
        p1 = mu * math.exp(-mu)
        expected = (1 - math.exp(-mu) - p1) / (1 - math.exp(-mu))
        assert_allclose(pns_known_fraction(mu), expected, rtol=1e-12)
    assert pns_known_fraction(0.0) == 0.0
    # direct series sum against the closed form, with loss and dark counts
    mu, t, d = 0.6, 0.05 * 0.4, 1 - (1 - 1e-4) ** 2
    n = np.arange(0, 80)
    pn = np.exp(-mu) * mu**n / np.array([math.factorial(int(k)) for k in n], dtype=float)
    m = np.where(n >= 2, n - 1, n)
    click = pn * (1 - (1 - d) * (1 - t) ** m)
    assert_allclose(pns_known_fraction(mu, 0.05, 0.4, 1e-4), click[2:].sum() / click.sum(), rtol=1e-10)


def test_pns_monte_carlo_matches_closed_form_and_causes_no_errors():
    for mu in (0.2, 0.8):
        run = simulate_bb84(2_000_000, mean_photon_number=mu, eavesdropper="pns",
                            transmittance=0.2, detector_efficiency=0.5, seed=31)
        n = run.alice_sifted.size
        assert within(run.eve_knows.mean(), pns_known_fraction(mu, 0.2, 0.5), n)
        assert run.counts["key_errors"] == 0 and run.sample_errors == 0


def test_pns_needs_a_coherent_source():
    with pytest.raises(ValueError, match="mean_photon_number"):
        simulate_bb84(10, eavesdropper="pns")


# --------------------------------------------------------------------------- #
# Error estimation
# --------------------------------------------------------------------------- #
def test_estimate_qber():
    a = np.zeros(1000, dtype=np.uint8)
    b = a.copy()
    b[:100] = 1
    q, sample = estimate_qber(a, b, 1000, seed=0)
    assert q == 0.1 and sample.all()
    q, sample = estimate_qber(a, b, 200, seed=1)
    assert sample.sum() == 200 and q == np.count_nonzero(a[sample] != b[sample]) / 200


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_pulses=-5), ValueError, r"n_pulses must be an integer >= 1, got -5"),
        (dict(n_pulses=0), ValueError, r"n_pulses must be an integer >= 1, got 0"),
        (dict(n_pulses=10.5), TypeError, r"n_pulses must be an integer, got 10.5"),
        (dict(n_pulses=10, transmittance=1.2), ValueError, r"transmittance must be in \[0, 1\], got 1.2"),
        (dict(n_pulses=10, dark_count_probability=-0.1), ValueError, r"dark_count_probability must be in \[0, 1\]"),
        (dict(n_pulses=10, depolarizing=2.0), ValueError, r"depolarizing must be in \[0, 1\], got 2.0"),
        (dict(n_pulses=10, eve_fraction=1.5), ValueError, r"eve_fraction must be in \[0, 1\], got 1.5"),
        (dict(n_pulses=10, sample_fraction=-0.5), ValueError, r"sample_fraction must be in \[0, 1\]"),
        (dict(n_pulses=10, mean_photon_number=-0.1), ValueError, r"mean_photon_number must be >= 0"),
        (dict(n_pulses=10, protocol="e91"), ValueError, r"protocol must be one of 'bb84', 'six-state', 'b92', got 'e91'"),
        (dict(n_pulses=10, eve_basis="Y"), ValueError, r"eve_basis must be one of 'random', 'Z', 'X', got 'Y'"),
        (dict(n_pulses=10, eavesdropper="eve"), ValueError, r"eavesdropper must be one of"),
        (dict(n_pulses=10, seed=1, rng=np.random.default_rng()), ValueError, r"seed or rng, not both"),
    ],
)
def test_simulate_bb84_refuses_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_bb84(**kwargs)


def test_other_functions_refuse_bad_input():
    with pytest.raises(ValueError, match=r"fraction must be in \[0, 1\], got 1.1"):
        intercept_resend_qber(1.1)
    with pytest.raises(ValueError, match=r"protocol must be one of 'bb84', 'six-state'"):
        expected_qber("b92")
    with pytest.raises(ValueError, match=r"alice_bits and bob_bits must have the same length, got 3 and 2"):
        estimate_qber([0, 1, 0], [0, 1], 1)
    with pytest.raises(ValueError, match=r"sample_size must be in \[1, 0\].*too short to estimate"):
        estimate_qber([], [], 1)
    with pytest.raises(ValueError, match=r"sample_size must be in \[1, 3\] \(the key length\), got 4"):
        estimate_qber([0, 1, 0], [0, 1, 1], 4)
    with pytest.raises(ValueError, match=r"alice_bits must hold only bits 0 and 1, got 2"):
        estimate_qber([0, 2], [0, 1], 1)
    with pytest.raises(ValueError, match=r"mean_photon_number must be >= 0"):
        pns_known_fraction(-1.0)
    with pytest.raises(ValueError, match=r"transmittance must be in \[0, 1\]"):
        pns_known_fraction(0.1, transmittance=-0.2)


@settings(max_examples=25, deadline=None)
@given(f=st.floats(0, 1), p=st.floats(0, 1), e_d=st.floats(0, 1), dark=st.floats(0, 1),
       eta=st.floats(0, 1))
def test_expected_qber_is_a_probability_at_most_one_half_for_small_errors(f, p, e_d, dark, eta):
    q = expected_qber(transmittance=eta, dark_count_probability=dark, depolarizing=p,
                      misalignment=min(e_d, 0.5), eve_fraction=f)
    if not math.isnan(q):
        assert -1e-12 <= q <= 0.5 + 1e-12
