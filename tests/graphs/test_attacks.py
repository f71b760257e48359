"""Tests for qlib.graphs.attacks: the abort boundary, rerouting, the fewest links to cut."""

import numpy as np
import pytest

from qlib.graphs import (
    FibreLink,
    QuantumNetwork,
    SatelliteLink,
    attack_link,
    best_added_link,
    minimum_link_cut,
    relay_max_flow,
    relay_path,
)
from qlib.qkd.asymptotic import SHOR_PRESKILL_THRESHOLD
from qlib.qkd.decoy import GYS_2004
from qlib.qkd.tampering import tampered_key_rate, tampered_qber


def ring():
    return QuantumNetwork(
        {"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
        [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
         ("A", "R2", FibreLink(40.0)), ("R2", "B", FibreLink(40.0))])


def test_attack_qber_is_the_tampering_model():
    a = attack_link(ring(), "A", "R1", intercept_fraction=0.3, extra_loss_db=2.0)
    assert a.qber == tampered_qber(30.0, 0.3, 2.0, 0.5, experiment=GYS_2004, attenuation_db_per_km=0.2)
    assert a.qber_threshold == SHOR_PRESKILL_THRESHOLD


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.2, 0.3, 0.6])
def test_link_is_removed_exactly_when_its_qber_passes_the_threshold(fraction):
    """At a threshold equal to the measured QBER the link runs; one ulp below, it aborts."""
    net = ring()
    q = net.link("A", "R1").model.qber(fraction)
    kept = attack_link(net, "A", "R1", intercept_fraction=fraction, qber_threshold=q)
    assert not kept.aborted and kept.network.has_link("A", "R1")
    below = float(np.nextafter(q, 0.0))
    removed = attack_link(net, "A", "R1", intercept_fraction=fraction, qber_threshold=below)
    assert removed.aborted and not removed.network.has_link("A", "R1") and removed.key_rate_bps == 0.0


def test_default_threshold_boundary_in_the_intercept_fraction():
    """Bisect the intercept fraction at which the QBER crosses 11 %: just below it the link stays."""
    net = ring()
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        (lo, hi) = (mid, hi) if net.link("A", "R1").model.qber(mid) <= SHOR_PRESKILL_THRESHOLD else (lo, mid)
    assert not attack_link(net, "A", "R1", intercept_fraction=lo).aborted
    assert attack_link(net, "A", "R1", intercept_fraction=hi).aborted


def test_a_link_that_stays_keeps_the_tampered_rate_and_keys_reroute():
    net = ring()
    before = relay_max_flow(net, "A", "B")
    gentle = attack_link(net, "A", "R1", intercept_fraction=0.02)
    assert not gentle.aborted
    assert gentle.key_rate_bps == tampered_key_rate(30.0, 0.02, experiment=GYS_2004,
                                                    attenuation_db_per_km=0.2) * 1e9
    assert gentle.network.link("A", "R1").key_rate_bps == gentle.key_rate_bps
    assert net.link("A", "R1").key_rate_bps > gentle.key_rate_bps  # the original is untouched
    hard = attack_link(net, "A", "R1", intercept_fraction=0.5)
    after = relay_max_flow(hard.network, "A", "B")
    assert 0 < after.rate_bps < before.rate_bps
    assert relay_path(hard.network, "A", "B").path == ("A", "R2", "B")  # rerouted


def test_satellite_link_attack():
    net = QuantumNetwork({"S": "satellite", "G": "ground station"}, [("S", "G", SatelliteLink(elevation_deg=60))])
    assert attack_link(net, "S", "G", intercept_fraction=0.6).aborted
    assert not attack_link(net, "G", "S").aborted


def test_minimum_link_cut_counts_links():
    net = ring()
    cut = minimum_link_cut(net, "A", "B")
    assert cut.count == 2 and len(cut.links) == 2
    assert relay_max_flow(net.without_links(cut.links), "A", "B").rate_bps == 0.0
    # cutting one link of a ring leaves the other path
    one = net.without_links([cut.links[0]])
    assert minimum_link_cut(one, "A", "B").count == 1 and relay_max_flow(one, "A", "B").rate_bps > 0


def test_minimum_link_cut_of_disconnected_users():
    net = QuantumNetwork({"A": "user", "B": "user"}, [])
    cut = minimum_link_cut(net, "A", "B")
    assert (cut.count, cut.links) == (0, ()) and cut.reason.startswith("no path")


def test_attack_bad_input():
    net = ring()
    with pytest.raises(ValueError, match="there is no link between 'A' and 'B'"):
        attack_link(net, "A", "B")
    with pytest.raises(ValueError, match="unknown node 'Z'"):
        attack_link(net, "A", "Z")
    with pytest.raises(ValueError, match=r"intercept_fraction must be in \[0, 1\], got 1.5"):
        attack_link(net, "A", "R1", intercept_fraction=1.5)
    with pytest.raises(ValueError, match="extra_loss_db must be >= 0"):
        attack_link(net, "A", "R1", extra_loss_db=-1.0)
    with pytest.raises(ValueError, match=r"qber_threshold must be in \[0, 0.5\]"):
        attack_link(net, "A", "R1", qber_threshold=0.7)
    with pytest.raises(ValueError, match="source and target must be different"):
        minimum_link_cut(net, "A", "A")


# --- resilience: which new fibre helps most ----------------------------------------------

def test_best_added_link_raises_the_cut_and_ranks_every_candidate():
    net = ring().without_links([("R2", "B")])  # A-R1-B and a dead end at R2: one link cut stops it
    candidates = [("A", "B", FibreLink(170.0)),  # beyond the decoy reach (about 140 km): no key
                  ("R2", "B", FibreLink(40.0)),
                  ("R1", "R2", FibreLink(5.0))]  # reaches R2, but R1-B still cuts alone
    best = best_added_link(net, "A", "B", candidates)
    assert best.link == ("R2", "B") and (best.cut_before, best.cut_after) == (1, 2)
    assert best.network.has_link("R2", "B") and not net.has_link("R2", "B")
    # each candidate's figures are those of the network with it added, recomputed here
    for (u, v, model) in candidates:
        added = net.with_link(u, v, model)
        row = next(r for r in best.ranking if set(r[0]) == {u, v})
        assert row[1:] == (minimum_link_cut(added, "A", "B").count, relay_max_flow(added, "A", "B").rate_bps)
    assert [r[:2] for r in best.ranking][1:] == [(("A", "B"), 1), (("R1", "R2"), 1)]  # a tie keeps their order
    assert best.ranking[2][2] == best.ranking[1][2] == relay_max_flow(net, "A", "B").rate_bps
    assert best.rate_before_bps == relay_max_flow(net, "A", "B").rate_bps < best.rate_after_bps


def test_best_added_link_by_rate_can_differ_from_by_cut():
    """A second, disjoint but slow way in (R4-B, 120 km) doubles the links to cut; a 5 km bypass of
    the slow R1-B fibre (R1-R3) shares the link A-R1, so one cut still stops it, but it is far faster."""
    net = QuantumNetwork({"A": "user", "R1": "trusted relay", "R3": "trusted relay", "R4": "trusted relay",
                          "B": "user"},
                         [("A", "R1", FibreLink(5.0)), ("R1", "B", FibreLink(100.0)), ("R3", "B", FibreLink(5.0)),
                          ("A", "R4", FibreLink(5.0))])
    candidates = [("R4", "B", FibreLink(120.0)), ("R1", "R3", FibreLink(5.0))]
    by_cut = best_added_link(net, "A", "B", candidates)
    by_rate = best_added_link(net, "A", "B", candidates, objective="rate")
    assert (by_cut.link, by_cut.cut_after) == (("R4", "B"), 2)
    assert (by_rate.link, by_rate.cut_after) == (("R1", "R3"), 1)
    assert by_rate.rate_after_bps > 10 * by_cut.rate_after_bps
    # the closed forms of the two flows: two disjoint paths add; the bypass is limited by A-R1 or by R1-B + R3-B
    rate = {length: FibreLink(length).key_rate_bps() for length in (5.0, 100.0, 120.0)}
    assert abs(by_cut.rate_after_bps - (rate[100.0] + rate[120.0])) < 3e-3
    assert abs(by_rate.rate_after_bps - min(rate[5.0], rate[100.0] + rate[5.0])) < 3e-3
    assert by_rate.ranking[1][0] == by_cut.link and by_cut.ranking[1][0] == by_rate.link


def test_best_added_link_bad_input():
    net = ring()
    with pytest.raises(ValueError, match="candidates must hold at least one"):
        best_added_link(net, "A", "B", [])
    with pytest.raises(ValueError, match="there is already a link between 'A' and 'R1'"):
        best_added_link(net, "A", "B", [("A", "R1", FibreLink(1.0))])
    with pytest.raises(ValueError, match="self-loop"):
        best_added_link(net, "A", "B", [("A", "A", FibreLink(1.0))])
    with pytest.raises(ValueError, match=r"candidate \('B', 'A'\) is listed twice"):
        best_added_link(net, "A", "B", [("A", "B", FibreLink(1.0)), ("B", "A", FibreLink(2.0))])
    with pytest.raises(ValueError, match=r"objective must be one of 'cut', 'rate', got 'speed'"):
        best_added_link(net, "A", "B", [("A", "B", FibreLink(1.0))], objective="speed")
    with pytest.raises(TypeError, match="each candidate must be a tuple"):
        best_added_link(net, "A", "B", [("A", "B")])
