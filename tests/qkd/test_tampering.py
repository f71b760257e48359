"""qlib.qkd.tampering: QBER, key rate (bits per emitted pulse) and aborts under attack."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from _qkd_reference import _gys_signal, _h, _lmc_reference
from qlib import (
    SHOR_PRESKILL_THRESHOLD,
    decoy_bb84_key_rate,
    qkd_aborts,
    tampered_key_rate,
    tampered_qber,
)

DISTANCES = np.linspace(0.0, 200.0, 401)


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

def test_tampering_bad_input():
    with pytest.raises(ValueError, match=r"intercept_fraction must be in \[0, 1\].*1.5"):
        tampered_qber(10.0, 1.5)
    with pytest.raises(ValueError, match=r"extra_loss_db must be >= 0.*-3"):
        tampered_key_rate(10.0, 0.0, -3.0)
    with pytest.raises(ValueError, match=r"qber must be in \[0, 0.5\], got 0.7"):
        qkd_aborts(0.7)
    with pytest.raises(ValueError, match=r"qber_threshold must be in \[0, 0.5\], got -0.1"):
        qkd_aborts(0.1, qber_threshold=-0.1)
