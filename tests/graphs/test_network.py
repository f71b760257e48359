"""Tests for qlib.graphs.network: link models from the book's rates, validation, the frozen graph."""

import math

import networkx as nx
import pytest

from qlib.graphs import FibreLink, NetworkLink, QuantumNetwork, SatelliteLink, NODE_KINDS
from qlib.network.chains import ChainParameters, repeater_chain
from qlib.qkd.decoy import BEST_PARTS_ASSUMED, GYS_2004, decoy_bb84_key_rate
from qlib.qkd.satellite import satellite_decoy_key_rate
from qlib.qkd.tampering import tampered_key_rate, tampered_qber


def line():
    return QuantumNetwork({"A": "user", "R": "trusted relay", "B": "user"},
                          [("A", "R", FibreLink(20.0)), ("R", "B", FibreLink(60.0))], name="line")


# --- link models: the book's own functions, never re-derived ---------------------------

@pytest.mark.parametrize("length, alpha", [(0.0, 0.2), (25.0, 0.2), (80.0, 0.16), (45.0, 0.3)])
def test_fibre_key_rate_is_decoy_bb84_times_pulse_rate(length, alpha):
    link = FibreLink(length, attenuation_db_per_km=alpha, experiment=BEST_PARTS_ASSUMED, pulse_rate_hz=2e8)
    per_pulse = decoy_bb84_key_rate(length, experiment=BEST_PARTS_ASSUMED, attenuation_db_per_km=alpha)
    assert link.key_rate_bps() == per_pulse * 2e8
    assert link.loss_db == pytest.approx(alpha * length)


def test_untampered_rate_equals_tampered_rate_at_zero_attack():
    """The attack path (tampered_key_rate) and the clean path (decoy_bb84_key_rate) agree at f = 0."""
    link = FibreLink(40.0)
    assert tampered_key_rate(40.0, 0.0, 0.0, experiment=GYS_2004.replace(attenuation_db_per_km=0.2)) * 1e9 \
        == pytest.approx(link.key_rate_bps(), rel=1e-9)
    sat = SatelliteLink(elevation_deg=60.0)
    assert sat.key_rate_bps(extra_loss_db=1e-12) == pytest.approx(sat.key_rate_bps(), rel=1e-9)


def test_fibre_qber_is_tampered_qber():
    link = FibreLink(30.0, attenuation_db_per_km=0.25)
    assert link.qber(0.2, 1.5) == tampered_qber(30.0, 0.2, 1.5, 0.5, experiment=GYS_2004,
                                                attenuation_db_per_km=0.25)


def test_fibre_entanglement_is_one_elementary_link_of_the_chain():
    chain = ChainParameters(link_fidelity=0.97, t2_s=1.0)
    link = FibreLink(35.0, attenuation_db_per_km=0.18, chain=chain)
    expected = repeater_chain(35.0, 1, parameters=chain, attenuation_db_per_km=0.18)
    got = link.entanglement()
    assert (got.rate_hz, got.fidelity) == (expected.rate_hz, expected.fidelity)
    net = QuantumNetwork({"a": "repeater", "b": "repeater"}, [("a", "b", link)])
    record = net.link("a", "b")
    assert (record.entanglement_rate_hz, record.fidelity) == (expected.rate_hz, expected.fidelity)


def test_satellite_rate_is_satellite_decoy_rate_times_pulse_rate():
    link = SatelliteLink(elevation_deg=40.0, altitude_km=600.0, system_loss_db=22.0, pulse_rate_hz=5e8)
    per_pulse = satellite_decoy_key_rate(40.0, 600.0, system_loss_db=22.0)
    assert link.key_rate_bps() == per_pulse * 5e8
    assert link.entanglement() is None
    net = QuantumNetwork({"s": "satellite", "g": "ground station"}, [("s", "g", link)])
    assert net.link("g", "s").entanglement_rate_hz == 0.0 and math.isnan(net.link("g", "s").fidelity)


def test_satellite_at_zenith_is_at_the_altitude():
    assert SatelliteLink(elevation_deg=90.0, altitude_km=500.0).length_km == pytest.approx(500.0)


# --- the network ---------------------------------------------------------------------

def test_network_records_and_reads_its_links():
    net = line()
    assert net.nodes == ("A", "R", "B")
    assert net.kind("A") == "user" and net.nodes_of_kind("trusted relay") == ("R",)
    record = net.link("B", "R")
    assert isinstance(record, NetworkLink) and record.nodes == ("R", "B") and record.medium == "fibre"
    assert record.key_rate_bps == FibreLink(60.0).key_rate_bps()
    assert [l.nodes for l in net.links] == [("A", "R"), ("R", "B")]
    assert net.graph.edges["A", "R"]["length_km"] == 20.0 and net.graph.nodes["R"]["kind"] == "trusted relay"


def test_graph_is_frozen_and_changes_make_new_networks():
    net = line()
    assert nx.is_frozen(net.graph)
    with pytest.raises(nx.NetworkXError):
        net.graph.add_edge("A", "B")
    cut = net.without_links([("B", "R")])
    assert not cut.has_link("R", "B") and net.has_link("R", "B")
    assert cut.nodes == net.nodes


def test_as_repeaters_keeps_places_and_links():
    net = line()
    rep = net.as_repeaters()
    assert set(rep.nodes_of_kind("repeater")) == set(net.nodes) and net.kind("A") == "user"
    assert [(l.nodes, l.key_rate_bps, l.fidelity) for l in rep.links] == \
        [(l.nodes, l.key_rate_bps, l.fidelity) for l in net.links]
    assert rep.name == f"{net.name} (as repeaters)" and rep.positions == net.positions
    assert nx.is_frozen(rep.graph)


def test_positions_are_checked():
    nodes = {"A": "user", "B": "user"}
    links = [("A", "B", FibreLink(1.0))]
    net = QuantumNetwork(nodes, links, positions={"A": (16.0, 48.0), "B": (16.1, 48.1)})
    assert net.positions["B"] == (16.1, 48.1)
    with pytest.raises(ValueError, match="positions miss node 'B'"):
        QuantumNetwork(nodes, links, positions={"A": (0.0, 0.0)})
    with pytest.raises(ValueError, match="unknown node 'C'"):
        QuantumNetwork(nodes, links, positions={"A": (0, 0), "B": (0, 0), "C": (0, 0)})
    with pytest.raises(TypeError, match="position of node 'A'"):
        QuantumNetwork(nodes, links, positions={"A": "here", "B": (0, 0)})


# --- bad input -------------------------------------------------------------------------

def test_unknown_node_kind_is_named():
    with pytest.raises(ValueError, match=r"node 'X' has unknown kind 'router'; allowed: 'user'"):
        QuantumNetwork({"X": "router"}, [])
    assert "repeater" in NODE_KINDS


def test_negative_length_is_refused():
    with pytest.raises(ValueError, match=r"length_km must be >= 0, got -3.0"):
        FibreLink(-3.0)
    with pytest.raises(ValueError, match="attenuation_db_per_km must be >= 0"):
        FibreLink(3.0, attenuation_db_per_km=-0.1)
    with pytest.raises(ValueError, match=r"elevation_deg must be in \(0, 90\]"):
        SatelliteLink(elevation_deg=0.0)


def test_self_loop_is_refused():
    with pytest.raises(ValueError, match=r"link \('A', 'A'\) is a self-loop"):
        QuantumNetwork({"A": "user"}, [("A", "A", FibreLink(1.0))])


def test_duplicate_link_is_refused_in_either_order():
    with pytest.raises(ValueError, match=r"duplicate link \('B', 'A'\)"):
        QuantumNetwork({"A": "user", "B": "user"}, [("A", "B", FibreLink(1.0)), ("B", "A", FibreLink(2.0))])


def test_link_to_unknown_node_is_named():
    with pytest.raises(ValueError, match=r"names unknown node 'C'; nodes: \['A', 'B'\]"):
        QuantumNetwork({"A": "user", "B": "user"}, [("A", "C", FibreLink(1.0))])


def test_unknown_node_in_a_query_is_named():
    net = line()
    with pytest.raises(ValueError, match=r"unknown node 'Z'; nodes of line: \['A', 'B', 'R'\]"):
        net.kind("Z")
    with pytest.raises(ValueError, match="there is no link between 'A' and 'B'"):
        net.link("A", "B")
    with pytest.raises(ValueError, match="unknown node kind 'router'"):
        net.nodes_of_kind("router")


def test_wrong_types_are_refused():
    with pytest.raises(TypeError, match="nodes must be a mapping"):
        QuantumNetwork([("A", "user")], [])
    with pytest.raises(TypeError, match="a node name must be a str"):
        QuantumNetwork({1: "user"}, [])
    with pytest.raises(TypeError, match="must be a FibreLink or a SatelliteLink"):
        QuantumNetwork({"A": "user", "B": "user"}, [("A", "B", 10.0)])
    with pytest.raises(TypeError, match=r"each link must be a tuple \(node, node, link model\)"):
        QuantumNetwork({"A": "user", "B": "user"}, [("A", "B")])
    with pytest.raises(TypeError, match="experiment must be a qlib.QKDExperiment"):
        FibreLink(1.0, experiment="GYS")
    with pytest.raises(TypeError, match="chain must be a qlib.ChainParameters"):
        FibreLink(1.0, chain={})
    with pytest.raises(TypeError, match="attenuation_db_per_km is the fibre's own"):
        FibreLink(1.0).chain_parameters(attenuation_db_per_km=0.3)


def test_with_link_adds_one_link_with_its_figures():
    base = QuantumNetwork({"A": "user", "R": "trusted relay", "B": "user"}, [("A", "R", FibreLink(20.0))],
                          positions={"A": (0.0, 0.0), "R": (1.0, 0.0), "B": (2.0, 0.0)})
    grown = base.with_link("R", "B", FibreLink(60.0))
    direct = QuantumNetwork({"A": "user", "R": "trusted relay", "B": "user"},
                            [("A", "R", FibreLink(20.0)), ("R", "B", FibreLink(60.0))])
    assert grown.link("B", "R") == direct.link("R", "B")  # the same figures as built at once
    assert not base.has_link("R", "B") and grown.positions == base.positions
    assert grown.without_links([("R", "B")]).links == base.links


def test_with_link_bad_input():
    net = QuantumNetwork({"A": "user", "B": "user"}, [("A", "B", FibreLink(5.0))])
    with pytest.raises(ValueError, match="unknown node 'C'"):
        net.with_link("A", "C", FibreLink(1.0))
    with pytest.raises(ValueError, match=r"link \('A', 'A'\) is a self-loop"):
        net.with_link("A", "A", FibreLink(1.0))
    with pytest.raises(ValueError, match="there is already a link between 'B' and 'A'"):
        net.with_link("B", "A", FibreLink(1.0))
    other = QuantumNetwork({"A": "user", "B": "user"}, [])
    with pytest.raises(TypeError, match="link must be a FibreLink or a SatelliteLink, got float"):
        other.with_link("A", "B", 5.0)
