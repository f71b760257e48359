"""Tests for qlib.graphs.relay: slowest link, max flow = min cut, what relays learn, OTP on bits."""

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from qlib.graphs import (
    FLOW_RESOLUTION_BPS,
    FibreLink,
    QuantumNetwork,
    otp_relay,
    relay_max_flow,
    relay_path,
)

LENGTHS = st.floats(min_value=0.0, max_value=160.0, allow_nan=False)


def _line(lengths, kinds=None):
    names = [f"n{i}" for i in range(len(lengths) + 1)]
    kinds = kinds or ["user"] + ["trusted relay"] * (len(lengths) - 1) + ["user"]
    return QuantumNetwork(dict(zip(names, kinds)),
                          [(u, v, FibreLink(L)) for u, v, L in zip(names, names[1:], lengths)]), names


@st.composite
def random_networks(draw):
    n = draw(st.integers(min_value=2, max_value=9))
    names = [f"v{i}" for i in range(n)]
    pairs = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    links = [(u, v, FibreLink(draw(LENGTHS))) for u, v in chosen]
    kinds = {name: draw(st.sampled_from(["trusted relay", "trusted relay", "user", "repeater"])) for name in names}
    return QuantumNetwork(kinds, links)


# --- one path: its slowest link ---------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(LENGTHS, min_size=1, max_size=8))
def test_single_path_rate_is_its_slowest_link(lengths):
    net, names = _line(lengths)
    rates = [FibreLink(L).key_rate_bps() for L in lengths]
    p = relay_path(net, names[0], names[-1])
    if min(rates) > 0:
        assert p.found and p.path == tuple(names)
        assert p.rate_bps == min(rates)
        assert p.relays == tuple(names[1:-1]) and p.hops == len(lengths)
        assert p.key_cost_bps == len(lengths) * min(rates)
        # the max flow of a line is its slowest link too (to the flow resolution, rounded down)
        flow = relay_max_flow(net, names[0], names[-1])
        assert flow.rate_bps == math.floor(min(rates) / FLOW_RESOLUTION_BPS) * FLOW_RESOLUTION_BPS
    else:  # a link beyond the decoy reach (about 140 km with GYS) carries no key
        assert not p.found and p.rate_bps == 0.0 and "no" in p.reason


def test_explicit_path_and_widest_path():
    net = QuantumNetwork(
        {"A": "user", "R1": "trusted relay", "R2": "trusted relay", "R3": "trusted relay", "B": "user"},
        [("A", "R1", FibreLink(10.0)), ("R1", "B", FibreLink(90.0)),
         ("A", "R2", FibreLink(40.0)), ("R2", "R3", FibreLink(40.0)), ("R3", "B", FibreLink(40.0))])
    widest = relay_path(net, "A", "B")
    assert widest.path == ("A", "R2", "R3", "B")  # 40 km hops beat a 90 km hop
    direct = relay_path(net, "A", "B", path=["A", "R1", "B"])
    assert direct.rate_bps == net.link("R1", "B").key_rate_bps < widest.rate_bps
    assert direct.bottleneck == ("R1", "B") and direct.relays == ("R1",)


def test_widest_path_prefers_fewest_hops_among_equal_widths():
    net = QuantumNetwork(
        {"A": "user", "R1": "trusted relay", "R2": "trusted relay", "R3": "trusted relay", "B": "user"},
        [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
         ("A", "R2", FibreLink(30.0)), ("R2", "R3", FibreLink(30.0)), ("R3", "B", FibreLink(30.0))])
    assert relay_path(net, "A", "B").path == ("A", "R1", "B")


# --- many paths: max flow = min cut --------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(random_networks(), st.data())
def test_max_flow_equals_min_cut_capacity(net, data):
    s, t = data.draw(st.lists(st.sampled_from(net.nodes), min_size=2, max_size=2, unique=True))
    flow = relay_max_flow(net, s, t)
    assert flow.rate_bps == flow.min_cut_capacity_bps
    caps = {frozenset((u, v)): math.floor(d["key_rate_bps"] / FLOW_RESOLUTION_BPS) * FLOW_RESOLUTION_BPS
            for u, v, d in net.graph.edges(data=True)}
    # the cut's capacity, recomputed from the links it names
    assert sum(caps[frozenset(e)] for e in flow.min_cut) == pytest.approx(flow.rate_bps, abs=1e-9)
    # removing the cut separates the two ends for a relayed key
    after = relay_max_flow(net.without_links(flow.min_cut), s, t)
    assert after.rate_bps == 0.0 and not after.found
    # flows: capacity respected, conserved at every relay, only through trusted nodes
    balance = dict.fromkeys(net.nodes, 0.0)
    for (u, v), f in flow.link_flows_bps.items():
        assert 0 < f <= caps[frozenset((u, v))] + 1e-9
        balance[u] -= f
        balance[v] += f
        for node in (u, v):
            assert node in (s, t) or net.kind(node) in ("trusted relay", "ground station", "satellite")
    for node, b in balance.items():
        if node not in (s, t):
            assert b == pytest.approx(0.0, abs=1e-6)
    assert balance[t] == pytest.approx(flow.rate_bps, rel=1e-12, abs=1e-9)
    assert flow.key_cost_bps == pytest.approx(sum(flow.link_flows_bps.values()))
    # the value agrees with networkx's max flow on the float capacities of the trusted subgraph
    allowed = [n for n in net.nodes if n in (s, t) or net.kind(n) == "trusted relay"]
    g = nx.Graph()
    g.add_nodes_from(allowed)
    g.add_edges_from((u, v, {"capacity": d["key_rate_bps"]})
                     for u, v, d in net.graph.subgraph(allowed).edges(data=True))
    reference = nx.maximum_flow_value(g, s, t)
    assert flow.rate_bps == pytest.approx(reference, abs=FLOW_RESOLUTION_BPS * (g.number_of_edges() + 1))
    # every relay that carries flow learns the key routed through it
    assert set(flow.relays) == {n for e in flow.link_flows_bps for n in e} - {s, t}


def test_two_disjoint_paths_add_up():
    net = QuantumNetwork(
        {"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
        [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
         ("A", "R2", FibreLink(40.0)), ("R2", "B", FibreLink(40.0))])
    flow = relay_max_flow(net, "A", "B")
    expected = sum(math.floor(FibreLink(L).key_rate_bps() / FLOW_RESOLUTION_BPS) for L in (30.0, 40.0))
    assert flow.rate_bps == expected * FLOW_RESOLUTION_BPS
    assert flow.relays == ("R1", "R2") and len(flow.min_cut) == 2


def test_keys_do_not_pass_through_users_or_repeaters():
    net = QuantumNetwork({"A": "user", "M": "user", "Q": "repeater", "B": "user"},
                         [("A", "M", FibreLink(5.0)), ("M", "B", FibreLink(5.0)),
                          ("A", "Q", FibreLink(5.0)), ("Q", "B", FibreLink(5.0))])
    p = relay_path(net, "A", "B")
    assert not p.found and "not a trusted relay" in p.reason
    assert relay_max_flow(net, "A", "B").rate_bps == 0.0
    with pytest.raises(ValueError, match=r"passes through 'Q', a 'repeater'"):
        relay_path(net, "A", "B", path=["A", "Q", "B"])


# --- disconnected users and bad input -------------------------------------------------------

def test_disconnected_users_get_a_clear_no_path_result():
    net = QuantumNetwork({"A": "user", "R": "trusted relay", "B": "user", "C": "user"},
                         [("A", "R", FibreLink(10.0)), ("R", "B", FibreLink(10.0))])
    p = relay_path(net, "A", "C")
    assert (p.found, p.path, p.rate_bps, p.relays) == (False, (), 0.0, ())
    assert p.reason == "no path: 'A' and 'C' are not connected by any link"
    flow = relay_max_flow(net, "A", "C")
    assert (flow.found, flow.rate_bps, flow.min_cut, flow.link_flows_bps) == (False, 0.0, (), {})
    assert flow.reason == p.reason


def test_bad_queries_are_named():
    net, names = _line([10.0, 10.0])
    with pytest.raises(ValueError, match="unknown node 'Z'"):
        relay_path(net, "n0", "Z")
    with pytest.raises(ValueError, match="unknown node 'Z'"):
        relay_max_flow(net, "Z", "n0")
    with pytest.raises(ValueError, match="source and target must be different nodes"):
        relay_max_flow(net, "n0", "n0")
    with pytest.raises(ValueError, match="no link between 'n0' and 'n2'"):
        relay_path(net, "n0", "n2", path=["n0", "n2"])
    with pytest.raises(ValueError, match="must run from 'n0' to 'n2'"):
        relay_path(net, "n0", "n2", path=["n0", "n1"])
    with pytest.raises(TypeError, match="network must be a qlib.graphs.QuantumNetwork"):
        relay_path(net.graph, "n0", "n2")


# --- the one-time pad on bits -----------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=6), st.integers(min_value=0, max_value=200), st.integers(0, 2**32 - 1))
def test_otp_relay_delivers_the_key_and_every_relay_sees_it(hops, n_bits, seed):
    rng = np.random.default_rng(seed)
    path = [f"node {i}" for i in range(hops + 1)]
    key = rng.integers(0, 2, n_bits, dtype=np.uint8)
    pads = [rng.integers(0, 2, n_bits + 5, dtype=np.uint8) for _ in range(hops)]
    run = otp_relay(path, key, pads)
    assert run.delivered and np.array_equal(run.delivered_key, key)
    assert sorted(run.seen_in_clear) == sorted(path[1:-1])
    assert all(np.array_equal(k, key) for k in run.seen_in_clear.values())
    assert run.key_bits_consumed == (n_bits,) * hops
    for c, pad in zip(run.ciphertexts, pads):  # what travels in public is key XOR pad
        assert np.array_equal(c, key ^ pad[:n_bits])


def test_otp_relay_with_a_mapping_of_link_keys():
    key = np.array([1, 0, 1, 1], dtype=np.uint8)
    pads = {("B", "A"): np.array([1, 1, 0, 0]), ("B", "C"): np.array([0, 1, 0, 1])}
    run = otp_relay(["A", "B", "C"], key, pads)
    assert run.delivered and np.array_equal(run.ciphertexts[0], [0, 1, 1, 1])


def test_otp_relay_bad_input():
    key = np.zeros(8, dtype=np.uint8)
    with pytest.raises(ValueError, match="fewer than the key's 8"):
        otp_relay(["A", "B"], key, [np.zeros(4, dtype=np.uint8)])
    with pytest.raises(ValueError, match="one key per hop"):
        otp_relay(["A", "B", "C"], key, [key])
    with pytest.raises(ValueError, match="no key for the hop"):
        otp_relay(["A", "B"], key, {("A", "C"): key})
    with pytest.raises(ValueError, match="only bits 0 and 1"):
        otp_relay(["A", "B"], np.full(8, 2), [key])
    with pytest.raises(ValueError, match="must not visit a node twice"):
        otp_relay(["A", "B", "A"], key, [key, key])
