"""Tests for qlib.network.chains: rate model vs Monte Carlo, closed forms, crossover, bad input,
the ChainParameters object."""

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from qlib.network.bounds import plob_bound
from qlib.network.chains import (
    _expected_max_geometric_unequal,
    ChainParameters,
    _dephase_pair,
    direct_transmission_rate,
    expected_max_geometric,
    repeater_chain,
    secret_key_fraction,
    simulate_repeater_chain,
)
from qlib.network.fibre import fiber_transmittance
from qlib.network.memories import memory_decoherence_bell_diagonal
from qlib.network.signalling import signalling_delay_s


# --- waiting-time analytics -------------------------------------------------------------

@pytest.mark.parametrize("n, p", [(1, 0.3), (2, 0.5), (5, 0.3), (12, 0.05), (20, 0.9)])
def test_expected_max_geometric_matches_alternating_sum(n, p):
    q = 1 - p
    alt = sum((-1) ** (k + 1) * math.comb(n, k) / (1 - q**k) for k in range(1, n + 1))
    assert expected_max_geometric(n, p) == pytest.approx(alt, rel=1e-10)


def test_expected_max_geometric_small_p_uses_harmonic_limit():
    n, p = 8, 1e-7
    harmonic = sum(1 / k for k in range(1, n + 1))
    assert expected_max_geometric(n, p) == pytest.approx(harmonic / p, rel=1e-6)


def test_expected_max_geometric_sampled():
    rng = np.random.default_rng(0)
    draws = rng.geometric(0.2, (200_000, 6)).max(axis=1)
    se = draws.std() / math.sqrt(draws.size)
    assert abs(draws.mean() - expected_max_geometric(6, 0.2)) < 4 * se


# --- analytic rate vs Monte Carlo of the same rules -------------------------------------

@pytest.mark.parametrize("scheme", ["nested", "sequential"])
@pytest.mark.parametrize("segments", [2, 4, 8])
def test_exact_mean_time_matches_monte_carlo(scheme, segments):
    exact = repeater_chain(400.0, segments, scheme=scheme)
    assert exact.rate_is_exact
    sim = simulate_repeater_chain(400.0, segments, runs=20_000, seed=segments, scheme=scheme)
    assert abs(sim.mean_time_s - exact.mean_time_s) < 4 * sim.time_standard_error_s


def test_sequential_probabilistic_swaps_exact_vs_monte_carlo():
    exact = repeater_chain(600.0, 4, scheme="sequential", swap_success_probability=0.5)
    assert exact.rate_is_exact
    sim = simulate_repeater_chain(600.0, 4, runs=20_000, seed=11, scheme="sequential",
                                  swap_success_probability=0.5)
    assert abs(sim.mean_time_s - exact.mean_time_s) < 4 * sim.time_standard_error_s


def test_nested_probabilistic_swaps_sangouard_approximation_within_5_percent():
    # (3/2)^k tau0 / (p0 ps^k): an approximation for p0 << 1 (Sangouard et al. 2011).
    approx = repeater_chain(600.0, 4, swap_success_probability=0.5)
    assert not approx.rate_is_exact
    assert approx.link_success_probability < 1e-3
    sim = simulate_repeater_chain(600.0, 4, runs=20_000, seed=5, swap_success_probability=0.5)
    assert approx.mean_time_s == pytest.approx(sim.mean_time_s, rel=0.05)
    with_memory = repeater_chain(300.0, 4, swap_success_probability=0.5, t2_s=1.0)
    sim = simulate_repeater_chain(300.0, 4, runs=20_000, seed=4, swap_success_probability=0.5, t2_s=1.0)
    assert abs(with_memory.fidelity - sim.mean_fidelity) < 0.01


@pytest.mark.parametrize("scheme", ["nested", "sequential"])
def test_mean_wait_fidelity_close_to_monte_carlo(scheme):
    # Applying the mean waits is an approximation; the Monte Carlo applies each run's own.
    a = repeater_chain(300.0, 4, scheme=scheme, t2_s=0.5)
    s = simulate_repeater_chain(300.0, 4, runs=20_000, seed=3, scheme=scheme, t2_s=0.5)
    assert a.fidelity < repeater_chain(300.0, 4, scheme=scheme).fidelity  # memories cost fidelity
    assert abs(a.fidelity - s.mean_fidelity) < 0.01


def test_seed_reproducible_and_rng_accepted():
    a = simulate_repeater_chain(200.0, 4, runs=100, seed=7)
    b = simulate_repeater_chain(200.0, 4, runs=100, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.times_s, b.times_s)


# --- closed forms -----------------------------------------------------------------------

def test_one_segment_is_direct_heralded_generation():
    r = repeater_chain(50.0, 1, link_fidelity=0.95, t2_s=0.01)
    p0 = 0.9 * 0.9 * fiber_transmittance(50.0)
    tau0 = signalling_delay_s(50.0)
    assert r.link_success_probability == pytest.approx(p0, rel=1e-12)
    assert r.attempt_time_s == pytest.approx(tau0, rel=1e-12)
    assert r.mean_time_s == pytest.approx(tau0 / p0, rel=1e-12)
    assert r.fidelity == pytest.approx(0.95, abs=1e-12)
    assert r.rate_is_exact


@pytest.mark.parametrize("scheme", ["nested", "sequential"])
@pytest.mark.parametrize("segments", [1, 2, 4, 8, 16])
def test_fidelity_falls_as_repeated_werner_swaps(scheme, segments):
    # n Werner links of fidelity F0 swapped together: F_n = 1/4 + 3/4 ((4 F0 - 1)/3)^n.
    f0 = 0.97
    r = repeater_chain(500.0, segments, scheme=scheme, link_fidelity=f0)
    expected = 0.25 + 0.75 * ((4 * f0 - 1) / 3) ** segments
    assert r.fidelity == pytest.approx(expected, abs=1e-12)


def test_perfect_links_perfect_memories_give_perfect_pairs():
    r = repeater_chain(1000.0, 16, link_fidelity=1.0)
    assert r.fidelity == pytest.approx(1.0, abs=1e-12)
    assert r.secret_key_fraction == pytest.approx(1.0)


def test_dephase_pair_matches_repeaters_module():
    c = np.array([0.7, 0.1, 0.15, 0.05])
    np.testing.assert_allclose(
        _dephase_pair(c, 0.3, 1.2),
        np.asarray(memory_decoherence_bell_diagonal(c, 0.3, 1.2, qubits=2)),
        atol=1e-12,
    )


def test_purification_raises_fidelity_and_lowers_rate():
    plain = repeater_chain(300.0, 4, link_fidelity=0.9)
    pur = repeater_chain(300.0, 4, link_fidelity=0.9, purification_rounds=1)
    assert pur.fidelity > plain.fidelity
    assert pur.rate_hz < plain.rate_hz
    assert not pur.rate_is_exact


# --- against direct transmission and the repeaterless bound ------------------------------

def test_direct_transmission_never_exceeds_plob_times_repetition_rate():
    # up to 600 km (eta = 1e-12): beyond ~750 km, -log2(1 - eta) evaluated as written
    # rounds 1 - eta to 1 in double precision.
    lengths = np.linspace(1.0, 600.0, 200)
    direct = direct_transmission_rate(lengths, repetition_rate_hz=1e9, detector_efficiency=1.0)
    bound = 1e9 * plob_bound(fiber_transmittance(lengths))
    assert np.all(direct <= bound)


def test_repeater_beats_direct_transmission_beyond_crossover():
    # Default parameters, 8-segment nested chain, 1 GHz sources: crossover at 329.55 km.
    gap = lambda length: repeater_chain(length, 8).rate_hz - direct_transmission_rate(length)  # noqa: E731
    crossover = brentq(gap, 50.0, 600.0, xtol=1e-9)
    assert crossover == pytest.approx(329.55, abs=0.01)
    assert gap(200.0) < 0 < gap(500.0)
    # and beyond it beats the repeaterless bound at the same repetition rate
    assert repeater_chain(600.0, 16).rate_hz > 1e9 * plob_bound(fiber_transmittance(600.0)) > 0


def test_secret_key_fraction_werner():
    f = 0.95
    e = 2 * (1 - f) / 3
    h = -e * math.log2(e) - (1 - e) * math.log2(1 - e)
    assert secret_key_fraction([f, (1 - f) / 3, (1 - f) / 3, (1 - f) / 3]) == pytest.approx(1 - 2 * h)


# --- bad input -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"segments": 0}, r"segments must be an integer >= 1, got 0"),
        ({"segments": 6}, r"segments must be a power of two .*got 6"),
        ({"segments": 4, "t2_s": -1.0}, r"t2_s must be > 0.*got -1.0"),
        ({"segments": 4, "t2_s": 0.0}, r"t2_s must be > 0"),
        ({"segments": 4, "link_fidelity": 1.2}, r"link_fidelity must be in \[0, 1\], got 1.2"),
        ({"segments": 4, "detector_efficiency": -0.1}, r"detector_efficiency must be in \[0, 1\]"),
        ({"segments": 4, "swap_success_probability": 1.5}, r"swap_success_probability must be in \[0, 1\]"),
        ({"segments": 4, "swap_success_probability": 0.0}, r"swap_success_probability must be in \(0, 1\]"),
        ({"segments": 4, "scheme": "star"}, r"scheme must be one of"),
        ({"segments": 4, "purification_rounds": -1}, r"purification_rounds must be an integer >= 0"),
        ({"segments": 4, "link_fidelity": float("nan")}, r"link_fidelity must be a finite"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        repeater_chain(100.0, **kwargs)


def test_sequential_accepts_any_segment_count_and_bad_runs():
    assert repeater_chain(300.0, 6, scheme="sequential").segments == 6
    with pytest.raises(ValueError, match=r"runs must be an integer >= 2, got 1"):
        simulate_repeater_chain(100.0, 2, runs=1, seed=0)
    with pytest.raises(ValueError, match=r"total_length_km must be >= 0, got -5.0"):
        repeater_chain(-5.0, 2)


# --- compact path vs the full density-matrix path -----------------------------------------

@pytest.mark.parametrize("segments", [2, 4])
def test_compact_chain_matches_density_matrix_path(segments):
    from qlib import bell_diagonal_coefficients, memory_decoherence, swap, werner_state

    f0, t2 = 0.96, 0.05
    r = repeater_chain(200.0, segments, link_fidelity=f0, t2_s=t2)
    rho = werner_state(f0)
    for wait in r.mean_waits_s:  # the earlier pair waits, then the two are swapped
        rho = swap(memory_decoherence(rho, wait, t2_s=t2), rho).state
    np.testing.assert_allclose(bell_diagonal_coefficients(rho), r.coefficients, atol=1e-12)


def test_sequential_compact_matches_density_matrix_path():
    from qlib import bell_diagonal_coefficients, memory_decoherence, swap, werner_state

    f0, t2 = 0.95, 0.05
    r = repeater_chain(150.0, 3, scheme="sequential", link_fidelity=f0, t2_s=t2)
    link = memory_decoherence(werner_state(f0), r.mean_waits_s[0], t2_s=t2)
    rho = link
    for _ in range(2):
        rho = swap(rho, link).state
    np.testing.assert_allclose(bell_diagonal_coefficients(rho), r.coefficients, atol=1e-12)


# --- ChainParameters: one validated object for the settings both functions share -----------

def test_chain_parameters_defaults_are_the_functions_defaults():
    p = ChainParameters()
    assert (p.attenuation_db_per_km, p.detector_efficiency, p.source_efficiency, p.link_fidelity,
            p.swap_success_probability, p.t2_s, p.repetition_rate_hz) == (0.2, 0.9, 0.9, 0.99, 1.0, None, 1e9)
    a, b = repeater_chain(400.0, 4), repeater_chain(400.0, 4, parameters=p)
    assert (a.rate_hz, a.fidelity, a.mean_waits_s) == (b.rate_hz, b.fidelity, b.mean_waits_s)


SETTINGS = dict(attenuation_db_per_km=0.18, detector_efficiency=0.8, source_efficiency=0.7,
                link_fidelity=0.97, swap_success_probability=0.5, t2_s=0.3, repetition_rate_hz=5e8)


@pytest.mark.parametrize("scheme, segments", [("nested", 4), ("sequential", 3)])
def test_keywords_and_parameter_object_give_the_same_results(scheme, segments):
    p = ChainParameters(**SETTINGS)
    by_keywords = repeater_chain(300.0, segments, scheme=scheme, **SETTINGS)
    by_object = repeater_chain(300.0, segments, scheme=scheme, parameters=p)
    for field in ("fidelity", "rate_hz", "mean_time_s", "link_success_probability", "attempt_time_s",
                  "mean_waits_s", "rate_is_exact", "key_rate_hz"):
        assert getattr(by_keywords, field) == getattr(by_object, field), field
    np.testing.assert_array_equal(by_keywords.coefficients, by_object.coefficients)
    sim_k = simulate_repeater_chain(300.0, segments, runs=200, seed=3, scheme=scheme, **SETTINGS)
    sim_o = simulate_repeater_chain(300.0, segments, runs=200, seed=3, scheme=scheme, parameters=p)
    np.testing.assert_array_equal(sim_k.times_s, sim_o.times_s)
    np.testing.assert_array_equal(sim_k.fidelities, sim_o.fidelities)
    # purification stays an argument of repeater_chain
    pur_k = repeater_chain(300.0, segments, scheme=scheme, purification_rounds=1, **SETTINGS)
    pur_o = repeater_chain(300.0, segments, scheme=scheme, purification_rounds=1, parameters=p)
    assert (pur_k.rate_hz, pur_k.fidelity) == (pur_o.rate_hz, pur_o.fidelity)


def test_keyword_overrides_replace_fields_of_the_parameter_object():
    p = ChainParameters(**SETTINGS)
    overridden = repeater_chain(300.0, 4, parameters=p, t2_s=0.01, link_fidelity=0.99)
    expected = repeater_chain(300.0, 4, parameters=p.replace(t2_s=0.01, link_fidelity=0.99))
    assert (overridden.rate_hz, overridden.fidelity) == (expected.rate_hz, expected.fidelity)
    assert p.t2_s == 0.3  # the object itself is unchanged
    assert p.replace() is p and p.replace(t2_s=0.3) == p


def test_chain_parameters_are_frozen_hashable_and_compare_by_value():
    import dataclasses

    p = ChainParameters(link_fidelity=0.98, t2_s=1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.t2_s = 2.0
    assert p == ChainParameters(t2_s=1.0, link_fidelity=0.98) and p != ChainParameters()
    assert len({p, ChainParameters(link_fidelity=0.98, t2_s=1.0)}) == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"attenuation_db_per_km": -0.1}, r"^attenuation_db_per_km must be >= 0, got -0\.1$"),
        ({"detector_efficiency": 1.5}, r"^detector_efficiency must be in \[0, 1\], got 1\.5$"),
        ({"source_efficiency": -0.1}, r"^source_efficiency must be in \[0, 1\], got -0\.1$"),
        ({"link_fidelity": 1.2}, r"^link_fidelity must be in \[0, 1\], got 1\.2$"),
        ({"link_fidelity": float("nan")}, r"^link_fidelity must be a finite"),
        ({"swap_success_probability": 1.5}, r"^swap_success_probability must be in \[0, 1\], got 1\.5$"),
        ({"swap_success_probability": 0.0}, r"^swap_success_probability must be in \(0, 1\], got 0\.0$"),
        ({"t2_s": 0.0}, r"^t2_s must be > 0 \(or None for a perfect memory\), got 0\.0$"),
        ({"t2_s": -1.0}, r"^t2_s must be > 0 \(or None for a perfect memory\), got -1\.0$"),
        ({"repetition_rate_hz": 0.0}, r"^repetition_rate_hz must be > 0, got 0\.0$"),
    ],
)
def test_chain_parameters_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ChainParameters(**kwargs)
    with pytest.raises(ValueError, match=match):  # the same message through replace and overrides
        ChainParameters().replace(**kwargs)
    with pytest.raises(ValueError, match=match):
        simulate_repeater_chain(100.0, 2, runs=10, seed=0, parameters=ChainParameters(), **kwargs)


def test_chain_parameters_bad_types_and_unknown_names():
    with pytest.raises(TypeError, match="link_fidelity must be a real number, not a bool"):
        ChainParameters(link_fidelity=True)
    with pytest.raises(TypeError, match="t2_s must be a real number"):
        ChainParameters(t2_s="1 s")
    with pytest.raises(TypeError, match=r"^unknown chain parameter 'fidelity'; allowed: attenuation_db_per_km, "):
        repeater_chain(100.0, 2, fidelity=0.9)
    with pytest.raises(TypeError, match="unknown chain parameter 'purification_rounds'"):
        simulate_repeater_chain(100.0, 2, runs=10, seed=0, purification_rounds=1)  # not simulated
    with pytest.raises(TypeError, match="parameters must be a ChainParameters, got dict"):
        repeater_chain(100.0, 2, parameters={"link_fidelity": 0.9})


# --- the expected maximum of unequal geometrics (routes of unequal links, qlib.graphs) ---

@pytest.mark.parametrize("n, p", [(1, 0.2), (2, 0.1), (6, 0.03), (16, 0.002), (24, 0.05)])
def test_expected_max_of_equal_geometrics_is_the_chain_formula(n, p):
    value, exact = _expected_max_geometric_unequal([p] * n)
    assert exact and value == pytest.approx(expected_max_geometric(n, p), rel=1e-10)


def test_expected_max_of_two_unequal_geometrics_closed_form():
    # E[max(G1, G2)] = 1/p1 + 1/p2 - 1/(1 - q1 q2): E[min] of two geometrics is geometric(1 - q1 q2)
    p1, p2 = 0.3, 0.05
    assert _expected_max_geometric_unequal([p1, p2])[0] == pytest.approx(1 / p1 + 1 / p2 - 1 / (1 - 0.7 * 0.95), rel=1e-12)


def test_expected_max_of_unequal_geometrics_monte_carlo():
    rng = np.random.default_rng(3)
    p = np.array([0.02, 0.05, 0.1, 0.3, 0.04])
    draws = rng.geometric(p, size=(200_000, p.size)).max(axis=1)
    se = draws.std(ddof=1) / math.sqrt(draws.size)
    assert abs(_expected_max_geometric_unequal(p)[0] - draws.mean()) < 4 * se


def test_subset_and_tail_forms_agree_across_the_switch():
    p = np.random.default_rng(5).uniform(0.01, 0.3, 17)
    sub16 = _expected_max_geometric_unequal(p[:16])[0]
    tail17 = _expected_max_geometric_unequal(p)[0]
    assert tail17 > sub16  # one more link can only lengthen the wait
    # the stable tail form, forced on the same 16 links, equals the inclusion-exclusion sum
    assert _expected_max_geometric_unequal(p[:16], subset_max_n=0) == (pytest.approx(sub16, rel=1e-10), True)
    # a link that always succeeds changes nothing
    assert _expected_max_geometric_unequal(np.append(p[:16], 1.0))[0] == sub16
