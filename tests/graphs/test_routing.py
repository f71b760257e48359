"""Tests for qlib.graphs.routing: a line is the repeaters chapter's chain exactly; unequal links;
search, disjoint routes, trust against rate, bad input."""

import dataclasses
import math

import numpy as np
import pytest

from qlib.graphs import (
    FibreLink,
    QuantumNetwork,
    SatelliteLink,
    best_route,
    disjoint_routes,
    relay_path,
    route_chain,
    trust_versus_rate,
)
from qlib.network.chains import ChainParameters, _expected_max_geometric_unequal, repeater_chain
from qlib.network.fibre import fiber_transmittance
from qlib.network.signalling import signalling_delay_s

#: The chain of the chapter *Quantum repeaters* (chapters/quantum-repeaters.md: CHAIN, L_EXAMPLE = 500 km).
CHAIN = ChainParameters(link_fidelity=0.98, t2_s=1.0, detector_efficiency=0.9, source_efficiency=0.9)
L_EXAMPLE = 500.0


def repeater_line(total_km, n, chain=CHAIN, lengths=None):
    names = ["Alice", *(f"Q{i}" for i in range(1, n)), "Bob"]
    lengths = lengths or [total_km / n] * n
    kinds = {name: "repeater" for name in names}
    kinds["Alice"] = kinds["Bob"] = "user"
    links = [(u, v, FibreLink(L, chain=chain)) for u, v, L in zip(names, names[1:], lengths)]
    return QuantumNetwork(kinds, links), names


# --- a line of equal links is the chapter's chain, exactly ----------------------------------

@pytest.mark.parametrize("scheme", ["nested", "sequential"])
@pytest.mark.parametrize("n", [1, 2, 4, 8, 16])
def test_line_reproduces_repeater_chain_exactly(n, scheme):
    net, names = repeater_line(L_EXAMPLE, n)
    expected = repeater_chain(L_EXAMPLE, n, parameters=CHAIN, scheme=scheme)
    for route in (route_chain(net, names, scheme=scheme), best_route(net, "Alice", "Bob", scheme=scheme)):
        assert route.equal_links and route.path == tuple(names)
        assert (route.rate_hz, route.fidelity, route.key_rate_bps, route.mean_time_s) == \
            (expected.rate_hz, expected.fidelity, expected.key_rate_hz, expected.mean_time_s)
        for f in dataclasses.fields(expected):  # every field of the chain's result, coefficients included
            assert np.array_equal(getattr(route.chain, f.name), getattr(expected, f.name)), f.name
        assert route.rate_is_exact == expected.rate_is_exact


def test_overrides_reach_the_chain():
    net, names = repeater_line(400.0, 4)
    got = route_chain(net, names, scheme="nested", t2_s=0.1, swap_success_probability=0.5)
    expected = repeater_chain(400.0, 4, parameters=CHAIN, t2_s=0.1, swap_success_probability=0.5)
    assert (got.rate_hz, got.fidelity) == (expected.rate_hz, expected.fidelity)


# --- unequal links -----------------------------------------------------------------------------

def test_unequal_links_sequential_model():
    lengths = [30.0, 80.0, 50.0]
    net, names = repeater_line(None, 3, lengths=lengths)
    r = route_chain(net, names)
    assert not r.equal_links and r.scheme == "sequential"
    p = [0.81 * fiber_transmittance(L, 0.2) for L in lengths]
    tau = max(max(1e-9, signalling_delay_s(L)) for L in lengths)
    emax = _expected_max_geometric_unequal(p)[0]
    assert r.attempt_time_s == tau and r.mean_time_s == pytest.approx(tau * emax, rel=1e-12)
    # the slowest link sets the pace: the route is slower than a line of its longest link alone
    assert r.rate_hz < net.link("Q1", "Q2").entanglement_rate_hz
    # with perfect memories and swaps the fidelity is that of three Werner links swapped
    perfect = route_chain(net, names, t2_s=None)
    equal = repeater_chain(160.0, 3, parameters=CHAIN, scheme="sequential", t2_s=None)
    assert perfect.fidelity == pytest.approx(equal.fidelity, abs=1e-14)
    with pytest.raises(ValueError, match="scheme='nested' needs equal links"):
        route_chain(net, names, scheme="nested")


def test_unequal_route_tends_to_the_equal_chain():
    """Lengths within 1e-9 km of equal give the equal chain's rate and fidelity (the two models meet)."""
    lengths = [100.0, 100.0 + 1e-9, 100.0 - 1e-9, 100.0]
    net, names = repeater_line(None, 4, lengths=lengths)
    r = route_chain(net, names)
    equal = repeater_chain(400.0, 4, parameters=CHAIN, scheme="sequential")
    assert not r.equal_links
    assert r.rate_hz == pytest.approx(equal.rate_hz, rel=1e-8)
    assert r.fidelity == pytest.approx(equal.fidelity, rel=1e-8)


# --- search ---------------------------------------------------------------------------------------

def diamond():
    return QuantumNetwork(
        {"A": "user", "Q1": "repeater", "Q2": "repeater", "Q3": "repeater", "B": "user"},
        [("A", "Q1", FibreLink(150.0)), ("Q1", "B", FibreLink(150.0)),
         ("A", "Q2", FibreLink(110.0)), ("Q2", "Q3", FibreLink(100.0)), ("Q3", "B", FibreLink(110.0))])


def test_best_route_by_metric():
    net = diamond()
    by_rate = best_route(net, "A", "B")
    short = route_chain(net, ["A", "Q1", "B"])
    long_ = route_chain(net, ["A", "Q2", "Q3", "B"])
    assert by_rate.path == max((short, long_), key=lambda r: r.rate_hz).path
    by_fid = best_route(net, "A", "B", metric="fidelity", t2_s=0.01)
    candidates = [route_chain(net, p, t2_s=0.01) for p in (["A", "Q1", "B"], ["A", "Q2", "Q3", "B"])]
    assert by_fid.fidelity == max(r.fidelity for r in candidates)
    by_key = best_route(net, "A", "B", metric="key rate")
    assert by_key.key_rate_bps == max(r.key_rate_bps for r in (short, long_))


def test_disjoint_routes_share_no_repeater():
    net = diamond()
    routes = disjoint_routes(net, "A", "B", k=5)
    assert len(routes) == 2
    assert not set(routes[0].repeaters) & set(routes[1].repeaters)
    assert routes[0].rate_hz >= routes[1].rate_hz
    assert disjoint_routes(net, "A", "B", k=1) == routes[:1]


def test_routes_avoid_trusted_relays_and_satellites():
    net = QuantumNetwork({"A": "user", "T": "trusted relay", "S": "satellite", "B": "user"},
                         [("A", "T", FibreLink(10.0)), ("T", "B", FibreLink(10.0)),
                          ("A", "S", SatelliteLink()), ("S", "B", SatelliteLink())])
    r = best_route(net, "A", "B")
    assert not r.found and r.rate_hz == 0.0 and math.isnan(r.fidelity) and "not a repeater" in r.reason
    assert disjoint_routes(net, "A", "B") == ()
    with pytest.raises(ValueError, match="a 'trusted relay': an entanglement route passes only through"):
        route_chain(net, ["A", "T", "B"])


def test_disconnected_users_no_route():
    net = QuantumNetwork({"A": "user", "B": "user"}, [])
    r = best_route(net, "A", "B")
    assert (r.found, r.path, r.rate_hz) == (False, (), 0.0)
    assert r.reason == "no path: 'A' and 'B' are not connected by any link"


# --- trust against rate ---------------------------------------------------------------------------

def test_trust_versus_rate_on_the_same_path():
    net, names = repeater_line(200.0, 4)
    cmp = trust_versus_rate(net, names)
    assert cmp.relay_key_rate_bps == min(l.key_rate_bps for l in net.links)
    assert cmp.relays_learning_key == tuple(names[1:-1])
    route = route_chain(net, names)
    assert (cmp.repeater_key_rate_bps, cmp.repeater_fidelity) == (route.key_rate_bps, route.fidelity)
    assert cmp.rate_ratio == cmp.relay_key_rate_bps / cmp.repeater_key_rate_bps > 1  # trust buys rate today
    # the relay figure is relay_path's on the same nodes, were they trusted
    trusted = QuantumNetwork({n: ("trusted relay" if k == "repeater" else k) for n, k in
                              net.graph.nodes(data="kind")}, [(*l.nodes, l.model) for l in net.links])
    assert relay_path(trusted, "Alice", "Bob").rate_bps == cmp.relay_key_rate_bps


# --- bad input --------------------------------------------------------------------------------------

def test_routing_bad_input():
    net = diamond()
    with pytest.raises(ValueError, match="unknown node 'Z'"):
        best_route(net, "A", "Z")
    with pytest.raises(ValueError, match="metric must be one of 'rate', 'fidelity', 'key rate'"):
        best_route(net, "A", "B", metric="speed")
    with pytest.raises(ValueError, match="scheme must be one of"):
        route_chain(net, ["A", "Q1", "B"], scheme="greedy")
    with pytest.raises(ValueError, match="candidates must be an integer >= 1"):
        best_route(net, "A", "B", candidates=0)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        disjoint_routes(net, "A", "B", k=0)
    with pytest.raises(TypeError, match="unknown chain parameter 'colour'"):
        route_chain(net, ["A", "Q1", "B"], colour=1)
    with pytest.raises(TypeError, match="attenuation_db_per_km is the fibre's own"):
        route_chain(net, ["A", "Q1", "B"], attenuation_db_per_km=0.3)
    mixed = QuantumNetwork({"A": "user", "Q": "repeater", "B": "user"},
                           [("A", "Q", FibreLink(10.0, chain=ChainParameters(t2_s=1.0))),
                            ("Q", "B", FibreLink(10.0, chain=ChainParameters(t2_s=2.0)))])
    with pytest.raises(ValueError, match="disagree on t2_s"):
        route_chain(mixed, ["A", "Q", "B"])
    assert route_chain(mixed, ["A", "Q", "B"], t2_s=1.5).found  # one value for the path resolves it


def test_links_that_never_succeed_give_no_route_with_the_reason():
    """Overrides that make every link fail: the search says so (equal or unequal links alike),
    and one path evaluated directly names the link."""
    net = QuantumNetwork({"A": "user", "Q1": "repeater", "Q2": "repeater", "B": "user"},
                         [("A", "Q1", FibreLink(50.0)), ("Q1", "B", FibreLink(50.0)),
                          ("A", "Q2", FibreLink(80.0)), ("Q2", "B", FibreLink(60.0))])
    route = best_route(net, "A", "B", detector_efficiency=0.0)
    assert not route.found and "never succeeds" in route.reason
    with pytest.raises(ValueError, match=r"link \('A', 'Q1'\) never succeeds"):
        route_chain(net, ["A", "Q1", "B"], detector_efficiency=0.0)
    assert best_route(net, "A", "B").found  # the same network with working detectors
