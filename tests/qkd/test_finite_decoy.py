"""qlib.qkd.finite_decoy: decoy BB84 with finite pulses (Lim et al. 2014), bits per pulse sent.

References: [Lim] Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307 (2014);
[MQZL] Ma, Qi, Zhao, Lo, PRA 72, 012326 (2005); [LMC] Lo, Ma, Chen, PRL 94, 230504 (2005).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from _qkd_reference import _gys_signal, _h, _mqzl_bounds
from qlib import GYS_2004, decoy_bb84_key_rate, finite_decoy_key_rate, vacuum_weak_decoy_key_rate

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
    from qlib.qkd.finite_decoy import _lim_terms

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


# --- bad input ----------------------------------------------------------------

def test_finite_decoy_bad_input():
    nu_msg = r"nu must be in \(0, 2\) when mu is optimised .*got 2.0"
    with pytest.raises(ValueError, match=r"n_pulses must be > 0 \(or numpy.inf for the asymptotic limit\), got 0.0"):
        finite_decoy_key_rate(10.0, 0)
    with pytest.raises(ValueError, match=r"n_pulses must be a finite real number, got -inf"):
        finite_decoy_key_rate(50.0, -np.inf)
    with pytest.raises(ValueError, match=nu_msg):
        finite_decoy_key_rate(10.0, 1e10, nu=2.0)
    with pytest.raises(ValueError, match=r"p_mu and p_nu must be in \(0, 1\) with p_mu \+ p_nu < 1"):
        finite_decoy_key_rate(10.0, 1e9, p_mu=0.9, p_nu=0.2)
    with pytest.raises(ValueError, match=r"p_mu must be in \[0, 1\].*1.5"):
        finite_decoy_key_rate(10.0, 1e9, p_mu=1.5)
