"""Tests for qlib.network.cutoff: the waiting time of N links and a memory cutoff.

References for the expected values:

- Expected maximum of N Geometric(p) variables, sum_k (-1)^(k+1) C(N,k) / (1 - (1-p)^k)
  (e.g. Eisenberg, Stat. Probab. Lett. 78, 135 (2008)); N = 1: 1/p; N = 2:
  (3 - 2p)/(p(2 - p)), 14.737 time steps at p = 0.1 (the issue's figure,
  (3 - 0.2)/(0.1 * 1.9) = 14.7368...).
- Cutoff t* = 0: all N links must succeed in one step, probability p^N per step,
  so E[T] = 1/p^N (a geometric variable).
- The two-link formula of qlib.two_link_cutoff is derived in its Notes (renewal);
  it is checked here against its limits (no cutoff: (3 - 2p)/(p(2 - p)); t* = 0:
  1/p^2), against the explicit sum over the waits, and against the module's own
  Monte Carlo within 4 standard errors.
- Memory models: qlib.memory_decoherence_bell_diagonal (dephasing) and
  qlib.depolarize_bell_diagonal with p = 1 - exp(-t/T) (depolarizing), tested in
  their own modules.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qlib import (
    MEMORY_NOISE_MODELS,
    CutoffResult,
    CutoffSimulation,
    WaitingTimeSimulation,
    depolarize_bell_diagonal,
    expected_max_geometric,
    memory_decoherence_bell_diagonal,
    secret_key_fraction,
    simulate_cutoff,
    simulate_waiting_time,
    swap_bell_diagonal,
    two_link_cutoff,
    werner_coefficients,
)

Z = 4.0  # standard errors


def _within(sim_mean, se, expected):
    assert abs(sim_mean - expected) < Z * se + 1e-12, (sim_mean, se, expected)


# --------------------------------------------------------------------------- #
# Waiting time of N links
# --------------------------------------------------------------------------- #
def test_two_links_at_p_0_1_wait_14_737_steps():
    p = 0.1
    assert_allclose(expected_max_geometric(2, p), (3 - 2 * p) / (p * (2 - p)), rtol=1e-12)
    assert round(expected_max_geometric(2, p), 3) == 14.737
    assert_allclose(two_link_cutoff(p).mean_time, (3 - 2 * p) / (p * (2 - p)), rtol=1e-12)


@pytest.mark.parametrize("n, p", [(1, 0.1), (1, 0.5), (2, 0.1), (2, 0.7), (3, 0.2), (5, 0.05), (8, 0.3)])
def test_waiting_time_monte_carlo_matches_the_closed_form(n, p):
    sim = simulate_waiting_time(n, p, runs=20000, seed=11)
    assert isinstance(sim, WaitingTimeSimulation) and sim.runs == 20000
    q = 1 - p
    closed = sum((-1) ** (k + 1) * math.comb(n, k) / (1 - q**k) for k in range(1, n + 1))
    assert_allclose(expected_max_geometric(n, p), closed, rtol=1e-10)
    _within(sim.mean, sim.standard_error, closed)
    if n == 1:
        assert_allclose(closed, 1 / p, rtol=1e-12)
    assert sim.samples.min() >= 1 and np.issubdtype(sim.samples.dtype, np.integer)


def test_waiting_time_is_reproducible_and_uses_the_given_generator():
    a = simulate_waiting_time(3, 0.2, runs=100, seed=5).samples
    b = simulate_waiting_time(3, 0.2, runs=100, rng=np.random.default_rng(5)).samples
    assert np.array_equal(a, b)
    assert not np.array_equal(a, simulate_waiting_time(3, 0.2, runs=100, seed=6).samples)


# --------------------------------------------------------------------------- #
# The two-link cutoff: closed form, limits, its Monte Carlo
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("p", [0.05, 0.1, 0.3, 0.9])
def test_cutoff_limits(p):
    assert_allclose(two_link_cutoff(p, 0).mean_time, 1 / p**2, rtol=1e-12)
    big = two_link_cutoff(p, 10_000, link_fidelity=0.95, coherence_time=40.0)
    none = two_link_cutoff(p, None, link_fidelity=0.95, coherence_time=40.0)
    assert_allclose(big.mean_time, none.mean_time, rtol=1e-12)  # cutoff -> infinity is no cutoff
    assert_allclose(big.fidelity, none.fidelity, rtol=1e-12)
    assert two_link_cutoff(p, math.inf).cutoff is None
    times = [two_link_cutoff(p, c).mean_time for c in range(0, 30)]
    assert np.all(np.diff(times) <= 1e-12)  # a longer cutoff never slows delivery


def test_perfect_memories_deliver_the_swapped_fresh_links():
    c0 = werner_coefficients(0.97)
    expected = swap_bell_diagonal(c0, c0)[0]
    for cutoff in (None, 0, 3):
        assert_allclose(two_link_cutoff(0.2, cutoff, link_fidelity=0.97).fidelity, expected, rtol=1e-12)
        assert_allclose(two_link_cutoff(0.2, cutoff, link_fidelity=0.97, coherence_time=10.0,
                                        memory_qubits=0).fidelity, expected, rtol=1e-12)


@pytest.mark.parametrize("noise", sorted(MEMORY_NOISE_MODELS))
@pytest.mark.parametrize("cutoff", [0, 1, 4, 12])
def test_fidelity_equals_the_explicit_average_over_waits(noise, cutoff):
    """The effective-wait shortcut against the sum over j of P(j) * swap(fresh, waited j)."""
    p, f, t_mem = 0.15, 0.96, 20.0
    q, a = 1 - p, p / (2 - p)
    weights = np.array([a] + [(1 - a) * q ** (j - 1) * p for j in range(1, cutoff + 1)])
    weights /= weights.sum()
    c0 = werner_coefficients(f)
    j = np.arange(cutoff + 1, dtype=float)
    if noise == "dephasing":
        waited = memory_decoherence_bell_diagonal(c0, j, t_mem)
    else:
        waited = depolarize_bell_diagonal(c0, 1 - np.exp(-j / t_mem))
    average = weights @ np.asarray(swap_bell_diagonal(np.broadcast_to(c0, waited.shape), waited))
    result = two_link_cutoff(p, cutoff, link_fidelity=f, coherence_time=t_mem, noise=noise)
    assert isinstance(result, CutoffResult)
    assert_allclose(result.coefficients, average, atol=1e-12)
    assert_allclose(result.mean_wait, weights @ j, rtol=1e-10)
    assert_allclose(result.secret_key_fraction, secret_key_fraction(average), atol=1e-10)
    assert_allclose(result.key_rate, result.rate * result.secret_key_fraction, rtol=1e-12)


@pytest.mark.parametrize("noise", sorted(MEMORY_NOISE_MODELS))
@pytest.mark.parametrize("p, cutoff", [(0.1, None), (0.1, 0), (0.1, 3), (0.1, 15), (0.3, 2), (0.05, 25)])
def test_two_link_closed_form_matches_its_monte_carlo(p, cutoff, noise):
    kwargs = dict(link_fidelity=0.97, coherence_time=30.0, noise=noise)
    exact = two_link_cutoff(p, cutoff, **kwargs)
    sim = simulate_cutoff(2, p, cutoff, runs=20000, seed=7, **kwargs)
    assert isinstance(sim, CutoffSimulation)
    _within(sim.mean_time, sim.time_standard_error, exact.mean_time)
    _within(sim.mean_fidelity, sim.fidelity_standard_error, exact.fidelity)
    if cutoff != 0:
        _within(sim.mean_wait, sim.wait_standard_error, exact.mean_wait)
    if cutoff is not None:
        assert sim.waits.max() <= cutoff  # no delivered link is older than the cutoff


def test_rate_fidelity_trade_off():
    """A shorter cutoff: fewer pairs per step, better pairs."""
    results = [two_link_cutoff(0.1, c, link_fidelity=0.99, coherence_time=20.0) for c in (0, 2, 5, 10, 40, None)]
    rates = [r.rate for r in results]
    fidelities = [r.fidelity for r in results]
    assert np.all(np.diff(rates) > 0) and np.all(np.diff(fidelities) < 0)
    # with a poor memory an intermediate cutoff gives the most key per step
    keys = [two_link_cutoff(0.1, c, link_fidelity=0.99, coherence_time=20.0).key_rate for c in range(0, 60)]
    best = int(np.argmax(keys))
    assert 0 < best < 59 and keys[best] > two_link_cutoff(0.1, None, link_fidelity=0.99,
                                                          coherence_time=20.0).key_rate


# --------------------------------------------------------------------------- #
# N links with a cutoff
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n, p", [(3, 0.3), (4, 0.5)])
def test_zero_cutoff_needs_all_links_in_one_step(n, p):
    sim = simulate_cutoff(n, p, 0, runs=20000, seed=3)
    _within(sim.mean_time, sim.time_standard_error, 1 / p**n)
    assert np.all(sim.waits == 0)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_an_unreachable_cutoff_is_no_cutoff(n):
    sim = simulate_cutoff(n, 0.2, 100_000, runs=20000, seed=4)
    _within(sim.mean_time, sim.time_standard_error, expected_max_geometric(n, 0.2))
    none = simulate_cutoff(n, 0.2, None, runs=20000, seed=4)
    _within(none.mean_time, none.time_standard_error, expected_max_geometric(n, 0.2))


def test_one_link_is_delivered_when_made():
    sim = simulate_cutoff(1, 0.25, 2, runs=5000, seed=1, link_fidelity=0.9, coherence_time=1.0)
    assert np.all(sim.waits == 0)
    assert_allclose(sim.fidelities, 0.9, rtol=1e-12)
    _within(sim.mean_time, sim.time_standard_error, 4.0)


def test_monte_carlo_is_reproducible():
    a = simulate_cutoff(3, 0.2, 4, runs=500, seed=9, link_fidelity=0.95, coherence_time=10.0)
    b = simulate_cutoff(3, 0.2, 4, runs=500, rng=np.random.default_rng(9), link_fidelity=0.95, coherence_time=10.0)
    assert np.array_equal(a.times, b.times) and np.array_equal(a.fidelities, b.fidelities)


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: two_link_cutoff(0.0), ValueError, r"p must be in \(0, 1\] .*got 0.0"),
        (lambda: two_link_cutoff(1.5), ValueError, r"p must be in \[0, 1\], got 1.5"),
        (lambda: two_link_cutoff(0.1, -1), ValueError, r"cutoff must be an integer >= 0, got -1"),
        (lambda: two_link_cutoff(0.1, 2.5), TypeError, r"cutoff must be a whole number of time steps >= 0 or None .*2.5"),
        (lambda: two_link_cutoff(0.1, 3, link_fidelity=1.2), ValueError, r"link_fidelity must be in \[0, 1\], got 1.2"),
        (lambda: two_link_cutoff(0.1, 3, coherence_time=0.0), ValueError, r"coherence_time must be > 0, got 0.0"),
        (lambda: two_link_cutoff(0.1, 3, noise="amplitude"), ValueError, r"noise"),
        (lambda: two_link_cutoff(0.1, 3, memory_qubits=3), ValueError, r"memory_qubits must be 0, 1 or 2 .*got 3"),
        (lambda: simulate_cutoff(0, 0.1, runs=10), ValueError, r"n_links must be an integer >= 1, got 0"),
        (lambda: simulate_cutoff(2, 0.1, runs=1), ValueError, r"runs must be an integer >= 2, got 1"),
        (lambda: simulate_cutoff(2, 0.1, runs=10, seed=1, rng=np.random.default_rng()), ValueError, r"give seed or rng"),
        (lambda: simulate_waiting_time(2.0, 0.1, runs=10), TypeError, r"n_links must be an integer"),
        (lambda: simulate_waiting_time(2, float("nan"), runs=10), ValueError, r"p must be a finite real number"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, error, match):
    with pytest.raises(error, match=match):
        call()
