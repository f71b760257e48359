"""Checks for the exercises of chapter ``networks-attacks`` (prefix ``neta-``)."""

from __future__ import annotations

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "networks-attacks"


def _candidates():
    """The chapter's candidate fibres out of Koganei (assumed lengths, Koganei's 0.3 dB/km)."""
    return [("Koganei", "Hakusan", qlib.FibreLink(43.0, attenuation_db_per_km=0.3)),
            ("Koganei", "Hongo", qlib.FibreLink(44.0, attenuation_db_per_km=0.3))]


def _jam_fraction():
    model = qlib.tokyo_qkd_network().link("Otemachi", "Hongo").model
    lo, hi = 0.0, 1.0
    while hi - lo > 1e-9:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if model.qber(mid) <= qlib.SHOR_PRESKILL_THRESHOLD else (lo, mid)
    return hi


def _fibre_length():
    tokyo = qlib.tokyo_qkd_network()

    def flow(length_km):
        fibre = qlib.FibreLink(length_km, attenuation_db_per_km=0.3)
        return qlib.relay_max_flow(tokyo.with_link("Koganei", "Hakusan", fibre), "Koganei", "Hongo").rate_bps

    lo, hi = 0.0, 150.0
    while hi - lo > 1e-6:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if flow(mid) >= 2e5 else (lo, mid)
    return lo


def _shares():
    net = qlib.tokyo_qkd_network()
    for candidate in _candidates():
        net = net.with_link(*candidate)
    two = qlib.relay_over_disjoint_paths(net, "Koganei", "Hongo", k=2, seed=0)
    return two.rate_bps, two.key_cost_bps


CHECKS = {
    "neta-ex-jam-threshold": Exercise(
        [Part("intercepted fraction at which the link aborts", rtol=1e-3)],
        _jam_fraction,
        hint="The link's model.qber(f) rises with the intercepted fraction f; bisect on f in [0, 1] for "
             "the point where it passes qlib.SHOR_PRESKILL_THRESHOLD.",
        topic="denial: jamming a link past its abort threshold",
    ),
    "neta-ex-fibre-length": Exercise(
        [Part("longest Koganei–Hakusan fibre", "km", rtol=2e-3)],
        _fibre_length,
        hint="Add the fibre with tokyo.with_link('Koganei', 'Hakusan', qlib.FibreLink(L, "
             "attenuation_db_per_km=0.3)); the max flow falls as L grows: bisect on L for 200 kbit/s.",
        topic="resilience: how good a new fibre must be",
    ),
    "neta-ex-shares": Exercise(
        [Part("key rate of two XOR shares", "bit/s", rtol=2e-3),
         Part("link key spent", "bit/s", rtol=2e-3)],
        _shares,
        hint="With both fibres added, qlib.relay_over_disjoint_paths(net, 'Koganei', 'Hongo', k=2, seed=0) "
             "gives .rate_bps (the slower path's rate) and .key_cost_bps (that rate times every hop).",
        topic="compromised relays: XOR shares over node-disjoint paths, their rate and cost",
    ),
}

CONCEPTUAL = {
    "neta-ex-deny-or-read": "answered in words: jamming Koganei's only fibre denies the key (the users see "
                            "it) but reveals nothing; holding Otemachi reads every key unnoticed",
}
