"""Shared pieces of the Bell-diagonal tests (tests/quantum/test_bell_diagonal.py and the
swapping, purification and memory tests in tests/network): an independent definition of the
Werner weights, a strategy for random Bell-diagonal weights, validity checks."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

TOL = 1e-12


def werner_c(f):
    q = (1.0 - f) / 3.0
    return np.array([f, q, q, q])


@st.composite
def bell_coeffs(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    c = rng.dirichlet(np.full(4, draw(st.sampled_from([0.2, 1.0, 5.0]))))
    return c / c.sum()


def assert_valid_state(rho):
    m = rho.full()
    assert np.allclose(m, m.conj().T, atol=1e-12)
    assert abs(np.trace(m) - 1) < 1e-12
    assert np.linalg.eigvalsh(m).min() > -1e-12


def assert_valid_coeffs(c):
    assert np.all(c >= -1e-15)
    assert np.allclose(c.sum(axis=-1), 1.0, atol=1e-12)
