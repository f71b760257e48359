"""Shared reference formulas of the QKD tests, written out from the papers (not a test module).

The weak-pulse channel model of Lo, Ma and Chen, PRL 94, 230504 (2005) with the
GYS parameters, the vacuum + weak decoy bounds of Ma, Qi, Zhao and Lo, PRA 72,
012326 (2005), and the Monte Carlo tolerance of the protocol simulations;
imported by test_decoy, test_finite_decoy, test_tampering, test_prepare_measure
and test_entangled (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

import math


def within(mc, expected, n, sigmas=4.0):
    """|mc - expected| within `sigmas` binomial standard errors of a fraction over n trials."""
    se = math.sqrt(max(expected * (1 - expected), 1e-12) / n)
    return abs(mc - expected) <= sigmas * se


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
