"""qlib.qkd.finite_key (Tomamichel et al. 2012) against its formula and its asymptote."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qlib import binary_entropy, finite_key_length, shor_preskill_rate


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
    # Tomamichel, Lim, Gisin, Renner, Nat. Commun. 3, 634 (2012), Eq. (2), q = 1:
    # l = n [1 - h(Q + mu)] - leak_EC - log2(2 / (eps_sec^2 eps_cor)),
    # mu = sqrt((n + k)/(n k) (k + 1)/k ln(4 / eps_sec))
    n, k, q, eps_sec, eps_cor = 10**5, 10**4, 0.01, 1e-9, 1e-12
    leak = _leak(n, q, 1.16)
    mu = math.sqrt((n + k) / (n * k) * (k + 1) / k * math.log(4 / eps_sec))
    expected = n * (1 - binary_entropy(q + mu)) - leak - math.log2(2 / (eps_sec**2 * eps_cor))
    got = finite_key_length(n, k, q, leak_ec=leak, eps_sec=eps_sec, eps_cor=eps_cor)
    assert_allclose(got, expected, rtol=1e-12)
    # the same by hand: mu = sqrt(1.1e-4 * 1.0001 * ln(4e9)) = 0.0493183, h(0.0593183) = 0.324733,
    # so 1e5 * 0.675267 = 67,526.7; leak = 1.16e5 h(0.01) = 9,372.0; security 2 log2(1e9) +
    # log2(2e12) = 100.66; 67,526.7 - 9,372.0 - 100.7 = 58,054.1
    assert_allclose(mu, 0.0493183, atol=1e-7)
    assert_allclose(got, 58_054.1, atol=0.1)


def test_finite_key_eq2_by_hand_on_the_issue_block():
    # The block of the independent check that found ln(2/eps) where Eq. (2) of Tomamichel
    # et al. 2012 has ln(4/eps): n = 2e5, k = 4e4, Q = 2.5 %, leak 1.1 n h(Q),
    # eps_sec = 1e-10, eps_cor = 1e-15. By hand:
    #   mu = sqrt(2.4e5 / 8e9 * 40001 / 40000 * ln(4e10)) = sqrt(3.00008e-5 * 24.4123)
    #      = 0.0270626;  h(0.0520626) = 0.295095;  n (1 - h) = 140,981.0
    #   leak = 2.2e5 * h(0.025) = 2.2e5 * 0.168661 = 37,105.4
    #   log2(2 / (1e-20 * 1e-15)) = 1 + 35 log2(10) = 117.27
    #   l = 140,981.0 - 37,105.4 - 117.3 = 103,758.4  (the ln(2/eps) form gave 104,082.8)
    n, k, q = 200_000, 40_000, 0.025
    got = finite_key_length(n, k, q, leak_ec=1.1 * n * binary_entropy(q), eps_sec=1e-10, eps_cor=1e-15)
    assert_allclose(got, 103_758.4, atol=0.05)
    assert abs(got - 104_082.8) > 300


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
