"""Tests for qlib.graphs.presets: the published geometry (citation beside each number)."""

import math

import pytest

from qlib.graphs import (
    BACKBONE_LENGTH_KM,
    BACKBONE_TRUSTED_RELAYS,
    TOKYO_LINKS_KM,
    beijing_shanghai_backbone,
    integrated_space_ground_network,
    relay_max_flow,
    relay_path,
    tokyo_qkd_network,
)
from qlib.graphs.network import FibreLink


def _great_circle_km(a, b, radius_km=6371.0):
    (l1, p1), (l2, p2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(l1 - l2)
    return radius_km * math.acos(min(1.0, c))


def test_tokyo_geometry():
    net = tokyo_qkd_network()
    # Sasaki et al., Opt. Express 19, 10387 (2011): Ko-Ot 45 km (~0.3 dB/km), Ot-Ha 12 km, Ot-Ho 13 km (~0.5 dB/km)
    assert net.link("Koganei", "Otemachi").length_km == 45.0
    assert net.link("Koganei", "Otemachi").model.attenuation_db_per_km == 0.3
    assert net.link("Otemachi", "Hakusan").length_km == 12.0
    assert net.link("Otemachi", "Hongo").length_km == 13.0
    assert net.link("Hongo", "Otemachi").model.attenuation_db_per_km == 0.5
    assert len(net.nodes) == 4 and set(net.nodes_of_kind("trusted relay")) == set(net.nodes)
    assert set(map(frozenset, TOKYO_LINKS_KM)) == {frozenset(l.nodes) for l in net.links}
    # the assumed Hakusan-Hongo link closes a triangle: a key can reroute around Otemachi-Hongo
    cut = net.without_links([("Otemachi", "Hongo")])
    assert relay_path(cut, "Koganei", "Hongo").path == ("Koganei", "Otemachi", "Hakusan", "Hongo")


def test_backbone_published_totals():
    net = beijing_shanghai_backbone()
    # Chen et al., Nature 589, 214 (2021): over 2,000 km of backbone fibre, 32 trusted relays
    assert BACKBONE_LENGTH_KM == 2000.0 and BACKBONE_TRUSTED_RELAYS == 32
    assert sum(l.length_km for l in net.links) == pytest.approx(2000.0)
    assert len(net.nodes) - 2 == 32 and len(net.links) == 33
    # evenly spaced (stated assumption): every segment 2000/33 km
    assert {round(l.length_km, 9) for l in net.links} == {round(2000.0 / 33, 9)}
    # a line: the max flow is the (equal) link rate, the path holds all 32 relays
    p = relay_path(net, "Beijing", "Shanghai")
    assert p.rate_bps == FibreLink(2000.0 / 33).key_rate_bps() and len(p.relays) == 32
    assert relay_max_flow(net, "Beijing", "Shanghai").found


def test_integrated_network_geometry():
    net = integrated_space_ground_network()
    pos = net.positions
    # Chen et al. (2021): Nanshan is about 2,600 km from Xinglong; Liao et al., PRL 120, 030501 (2018):
    # Xinglong and Graz 7,600 km apart. The drawn positions are checked against both (5 %).
    assert _great_circle_km(pos["Xinglong"], pos["Nanshan"]) == pytest.approx(2600.0, rel=0.05)
    assert _great_circle_km(pos["Xinglong"], pos["Graz"]) == pytest.approx(7600.0, rel=0.05)
    assert net.kind("Micius") == "satellite"
    assert {l.medium for l in net.links if "Micius" in l.nodes} == {"satellite"}
    # Shanghai to Nanshan: over the backbone and the satellite, every trusted node learning the key
    p = relay_path(net, "Shanghai", "Nanshan")
    assert p.found and p.relays[-2:] == ("Xinglong", "Micius") and "Beijing" in p.relays
    assert p.rate_bps == min(p.link_rates_bps)


def test_preset_bad_input():
    with pytest.raises(ValueError, match="pulse_rate_hz must be > 0"):
        tokyo_qkd_network(pulse_rate_hz=0.0)
    with pytest.raises(ValueError, match="relays must be an integer >= 0"):
        beijing_shanghai_backbone(relays=-1)
    with pytest.raises(ValueError, match=r"elevation_deg must be in \(0, 90\]"):
        integrated_space_ground_network(elevation_deg=95.0)
