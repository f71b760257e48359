"""qlib.qkd.asymptotic against closed forms and published thresholds (rates per sifted bit)."""

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
