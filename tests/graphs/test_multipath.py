"""Tests for qlib.graphs.multipath: XOR shares, node-disjoint paths, compromised relays, Menger."""

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import chisquare

from qlib.graphs import (
    TRUSTED_KINDS,
    FibreLink,
    QuantumNetwork,
    combine_shares,
    minimum_relay_cut,
    relay_over_disjoint_paths,
    relay_path,
    tokyo_qkd_network,
    xor_shares,
)

# a few lengths only, so that the links' decoy rates are computed once (200 km makes no key)
LENGTHS = st.sampled_from([5.0, 20.0, 50.0, 80.0, 200.0])


def ring():
    return QuantumNetwork(
        {"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
        [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
         ("A", "R2", FibreLink(40.0)), ("R2", "B", FibreLink(40.0))])


@st.composite
def random_networks(draw):
    n = draw(st.integers(min_value=3, max_value=7))
    names = [f"v{i}" for i in range(n)]
    pairs = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    links = [(u, v, FibreLink(draw(LENGTHS))) for u, v in chosen]
    kinds = {name: draw(st.sampled_from(["trusted relay", "trusted relay", "trusted relay", "repeater"]))
             for name in names}
    kinds["v0"] = kinds[names[-1]] = "user"
    return QuantumNetwork(kinds, links), "v0", names[-1]


def _usable(net, source, target):
    """The graph a relayed key may use, built here from the definition (trusted nodes, positive rates)."""
    g = nx.Graph()
    keep = [n for n in net.nodes if n in (source, target) or net.kind(n) in TRUSTED_KINDS]
    g.add_nodes_from(keep)
    g.add_edges_from(l.nodes for l in net.links if l.key_rate_bps > 0 and set(l.nodes) <= set(keep))
    return g


def _brute_force_cut(g, source, target):
    """The smallest set of intermediate nodes whose removal disconnects source and target (exhaustive)."""
    inner = [n for n in g if n not in (source, target)]
    for size in range(len(inner) + 1):
        for removed in itertools.combinations(inner, size):
            h = g.copy()
            h.remove_nodes_from(removed)
            if not nx.has_path(h, source, target):
                return size
    return None  # adjacent: no set of nodes separates them


# --- Menger: the fewest relays to capture is the most node-disjoint paths ------------------

@settings(max_examples=60, deadline=None)
@given(random_networks())
def test_minimum_relay_cut_equals_the_most_node_disjoint_paths(case):
    """Menger (1927): min s-t node cut = max number of node-disjoint s-t paths; checked by brute force."""
    net, s, t = case
    g = _usable(net, s, t)
    cut = minimum_relay_cut(net, s, t)
    if not nx.has_path(g, s, t):
        assert cut.count == 0 and cut.relays == () and cut.reason.startswith("no path")
        assert not relay_over_disjoint_paths(net, s, t, seed=0).found
        return
    split = relay_over_disjoint_paths(net, s, t, seed=0)
    assert split.delivered
    assert relay_over_disjoint_paths(net, s, t, k=1, seed=0).rate_bps == relay_path(net, s, t).rate_bps  # widest
    assert len(split.paths) == cut.disjoint_paths
    inner = [set(p[1:-1]) for p in split.paths]
    for a, b in itertools.combinations(inner, 2):
        assert not a & b  # node-disjoint
    for p in split.paths:
        assert p[0] == s and p[-1] == t
        assert all(g.has_edge(u, v) for u, v in zip(p, p[1:]))
    if g.has_edge(s, t):
        assert cut.direct_link and cut.count is None and cut.relays == ()
        assert (s, t) in split.paths and not split.exposed_to(set(g) - {s, t})
        return
    assert cut.count == _brute_force_cut(g, s, t) == len(split.paths)
    h = g.copy()
    h.remove_nodes_from(cut.relays)
    assert not nx.has_path(h, s, t)
    assert split.exposed_to(cut.relays)
    inner_nodes = sorted(set(g) - {s, t})
    for held in itertools.combinations(inner_nodes, cut.count - 1):  # one relay fewer never suffices
        assert not split.exposed_to(held)


@settings(max_examples=40, deadline=None)
@given(random_networks(), st.data())
def test_exposed_exactly_when_every_path_holds_a_compromised_relay(case, data):
    net, s, t = case
    split = relay_over_disjoint_paths(net, s, t, seed=1)
    relays = [n for n in net.nodes if n not in (s, t)]
    held = set(data.draw(st.lists(st.sampled_from(relays), unique=True)) if relays else [])
    expected = split.found and all(held & set(p[1:-1]) for p in split.paths)
    assert split.exposed_to(held) == expected
    assert split.exposed_paths(held) == tuple(i for i, p in enumerate(split.paths) if held & set(p[1:-1]))


# --- the relay on bits ------------------------------------------------------------------

def test_shares_travel_disjoint_paths_and_the_key_is_rebuilt():
    net = ring()
    split = relay_over_disjoint_paths(net, "A", "B", key_bits=128, seed=5)
    assert split.paths == (("A", "R1", "B"), ("A", "R2", "B")) and split.delivered
    assert np.array_equal(combine_shares(split.shares), split.key)
    for run, share, relays in zip(split.runs, split.shares, split.relays):
        assert run.delivered and np.array_equal(run.key, share)
        for relay in relays:  # each relay holds its path's share, which is not the key
            assert np.array_equal(run.seen_in_clear[relay], share)
            assert not np.array_equal(run.seen_in_clear[relay], split.key)


def test_rate_is_the_slowest_path_and_the_cost_every_hop():
    net = ring()
    split = relay_over_disjoint_paths(net, "A", "B", seed=0)
    slow = net.link("A", "R2").key_rate_bps  # 40 km: the slower path
    assert split.path_rates_bps == (net.link("A", "R1").key_rate_bps, slow)
    assert split.rate_bps == slow and split.key_cost_bps == 4 * slow
    one = relay_over_disjoint_paths(net, "A", "B", k=1, seed=0)
    widest = relay_path(net, "A", "B")
    assert one.paths == (widest.path,) and one.rate_bps == widest.rate_bps
    assert one.key_cost_bps == widest.key_cost_bps
    assert np.array_equal(one.shares[0], one.key)  # one share is the key itself
    assert one.exposed_to({"R1"}) and not split.exposed_to({"R1"})


def test_the_widest_family_of_disjoint_paths_is_chosen():
    """Two families of two disjoint paths; the one avoiding the 120 km link is kept."""
    net = QuantumNetwork(
        {"A": "user", "R1": "trusted relay", "R2": "trusted relay", "R3": "trusted relay", "B": "user"},
        [("A", "R1", FibreLink(10.0)), ("R1", "B", FibreLink(10.0)), ("A", "R2", FibreLink(20.0)),
         ("R2", "B", FibreLink(120.0)), ("R2", "R3", FibreLink(20.0)), ("R3", "B", FibreLink(20.0))])
    split = relay_over_disjoint_paths(net, "A", "B", seed=0)
    assert split.paths == (("A", "R1", "B"), ("A", "R2", "R3", "B"))
    assert split.rate_bps == net.link("A", "R2").key_rate_bps


def test_given_key_and_reproducible_seed():
    key = np.array([1, 0, 0, 1, 1, 1, 0, 1], dtype=np.uint8)
    a = relay_over_disjoint_paths(ring(), "A", "B", key=key, seed=3)
    b = relay_over_disjoint_paths(ring(), "A", "B", key=key, seed=3)
    assert np.array_equal(a.key, key) and a.delivered
    assert all(np.array_equal(x, y) for x, y in zip(a.shares, b.shares))


def test_direct_link_needs_no_relay():
    net = tokyo_qkd_network()
    cut = minimum_relay_cut(net, "Otemachi", "Hongo")
    assert cut.direct_link and cut.count is None and cut.disjoint_paths == 2 and "direct link" in cut.reason
    split = relay_over_disjoint_paths(net, "Otemachi", "Hongo", seed=0)
    assert ("Otemachi", "Hongo") in split.paths and split.relays[split.paths.index(("Otemachi", "Hongo"))] == ()
    assert not split.exposed_to({"Hakusan", "Koganei"})
    # Koganei's one fibre: Otemachi alone reads every key to Hongo
    k = minimum_relay_cut(net, "Koganei", "Hongo")
    assert (k.count, k.relays, k.direct_link) == (1, ("Otemachi",), False)


def test_disconnected_users_are_a_result_not_an_error():
    net = QuantumNetwork({"A": "user", "B": "user", "R": "repeater"}, [("A", "R", FibreLink(5.0)),
                                                                       ("R", "B", FibreLink(5.0))])
    split = relay_over_disjoint_paths(net, "A", "B", seed=0)
    assert not split.found and split.rate_bps == 0.0 and "not a trusted relay" in split.reason
    assert not split.delivered and not split.exposed_to(set())


# --- XOR shares -------------------------------------------------------------------------

def test_shares_rebuild_every_key_exhaustively():
    for bits in itertools.product([0, 1], repeat=4):
        key = np.array(bits, dtype=np.uint8)
        for n in (1, 2, 3, 5):
            shares = xor_shares(key, n, seed=sum(bits) + n)
            assert len(shares) == n and np.array_equal(combine_shares(shares), key)


def test_any_proper_subset_of_shares_is_uniform_and_independent_of_the_key():
    """Three shares of a 2-bit key: every pair of shares (4 bits, 16 outcomes) is uniform,
    for each of the four keys (chi-square, 3,200 draws each: 200 expected per outcome)."""
    rng = np.random.default_rng(2024)
    draws = 3200
    tables = {}
    for bits in itertools.product([0, 1], repeat=2):
        key = np.array(bits, dtype=np.uint8)
        samples = [xor_shares(key, 3, rng=rng) for _ in range(draws)]
        for kept in itertools.combinations(range(3), 2):
            codes = [int("".join(str(b) for j in kept for b in s[j]), 2) for s in samples]
            counts = np.bincount(codes, minlength=16)
            tables[bits, kept] = counts
            assert chisquare(counts).pvalue > 1e-4, (bits, kept, counts)
        # all three together determine the key: their XOR is constant
        assert all(np.array_equal(combine_shares(s), key) for s in samples)
    for kept in itertools.combinations(range(3), 2):  # the same distribution whatever the key
        table = np.array([tables[bits, kept] for bits in itertools.product([0, 1], repeat=2)])
        expected = table.sum(axis=0, keepdims=True) * table.sum(axis=1, keepdims=True) / table.sum()
        stat = ((table - expected) ** 2 / expected).sum()
        assert stat < 90, (kept, stat)  # chi-square, 45 degrees of freedom: p ~ 1e-4 at 90


def test_the_whole_set_of_shares_is_not_independent_of_the_key():
    """The check above can fail: the last share alone (n = 1) is the key."""
    key = np.array([1, 1, 0], dtype=np.uint8)
    assert np.array_equal(xor_shares(key, 1, seed=0)[0], key)


# --- bad input --------------------------------------------------------------------------

def test_bad_input():
    net = ring()
    split = relay_over_disjoint_paths(net, "A", "B", seed=0)
    with pytest.raises(ValueError, match=r"k must be at most 2, the number of node-disjoint paths"):
        relay_over_disjoint_paths(net, "A", "B", k=3)
    with pytest.raises(ValueError, match="k must be an integer >= 1, got 0"):
        relay_over_disjoint_paths(net, "A", "B", k=0)
    with pytest.raises(TypeError, match="k must be an integer"):
        relay_over_disjoint_paths(net, "A", "B", k=1.5)
    with pytest.raises(ValueError, match="key must hold only bits 0 and 1, got 2"):
        relay_over_disjoint_paths(net, "A", "B", key=[0, 2])
    with pytest.raises(ValueError, match="unknown node 'Z'"):
        relay_over_disjoint_paths(net, "A", "Z")
    with pytest.raises(ValueError, match="source and target must be different"):
        minimum_relay_cut(net, "A", "A")
    with pytest.raises(TypeError, match="network must be a qlib.graphs.QuantumNetwork"):
        minimum_relay_cut(nx.Graph(), "A", "B")
    with pytest.raises(TypeError, match="compromised_nodes must be an iterable of node names, got 'R1'"):
        split.exposed_to("R1")
    with pytest.raises(TypeError, match=r"compromised_nodes must hold node names \(str\), got \['R1'\] of type list"):
        split.exposed_to([["R1"]])  # unhashable: refused by name, not by set()
    with pytest.raises(TypeError, match="compromised_nodes must be an iterable of node names, got 3"):
        split.exposed_to(3)
    with pytest.raises(ValueError, match="compromised_nodes names unknown node 'R9'"):
        split.exposed_to({"R9"})
    with pytest.raises(ValueError, match="compromised_nodes holds 'A', an end of the key"):
        split.exposed_to({"A", "R1"})
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        xor_shares([0, 1], 0)
    with pytest.raises(ValueError, match="give seed or rng, not both"):
        xor_shares([0, 1], 2, seed=1, rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match="shares must all have the same length, got lengths \\[2, 3\\]"):
        combine_shares([[0, 1], [1, 1, 0]])
    with pytest.raises(ValueError, match="at least one share"):
        combine_shares([])


@settings(max_examples=40, deadline=None)
@given(random_networks())
def test_two_shares_take_the_widest_pair_of_disjoint_paths(case):
    """The chosen pair's rate is the best over every pair of node-disjoint paths (exhaustive)."""
    net, s, t = case
    g = _usable(net, s, t)
    if not nx.has_path(g, s, t) or minimum_relay_cut(net, s, t).disjoint_paths < 2:
        return
    rate = {frozenset(l.nodes): l.key_rate_bps for l in net.links}

    def width(path):
        return min(rate[frozenset(e)] for e in zip(path, path[1:]))

    paths = [tuple(p) for p in nx.all_simple_paths(g, s, t)]
    best = max(min(width(a), width(b)) for a, b in itertools.combinations(paths, 2)
               if not set(a[1:-1]) & set(b[1:-1]))
    assert relay_over_disjoint_paths(net, s, t, k=2, seed=0).rate_bps == best
