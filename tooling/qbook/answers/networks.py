"""Checks for the exercises of chapter ``networks`` (prefix ``net-``)."""

from __future__ import annotations

import math

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "networks"


def _denser():
    path = qlib.relay_path(qlib.beijing_shanghai_backbone(relays=49), "Beijing", "Shanghai")
    return path.rate_bps, path.key_cost_bps


def _flow():
    flow = qlib.relay_max_flow(qlib.tokyo_qkd_network(), "Otemachi", "Hongo")
    return flow.rate_bps, len(flow.min_cut)


def _metric():
    net = qlib.tokyo_qkd_network().as_repeaters()
    return tuple(qlib.best_route(net, "Koganei", "Hongo", metric=m, t2_s=0.05).key_rate_bps
                 for m in ("rate", "fidelity"))


def _modes():
    backbone = qlib.beijing_shanghai_backbone()
    path = qlib.relay_path(backbone, "Beijing", "Shanghai").path
    cmp = qlib.trust_versus_rate(backbone, path, link_fidelity=0.999, t2_s=10.0)
    return math.ceil(cmp.relay_key_rate_bps / cmp.repeater_key_rate_bps)


CHECKS = {
    "net-ex-denser": Exercise(
        [Part("end-to-end key rate", "bit/s", rtol=2e-3), Part("link key spent", "bit/s", rtol=2e-3)],
        _denser,
        hint="qlib.relay_path(qlib.beijing_shanghai_backbone(relays=49), 'Beijing', 'Shanghai') gives "
             ".rate_bps and .key_cost_bps; every hop spends one link-key bit per relayed bit.",
        topic="trusted-node relay: one path's rate is its slowest link; the key cost",
    ),
    "net-ex-flow": Exercise(
        [Part("max-flow key rate", "bit/s", rtol=2e-3), Part("links in the minimum cut", integer=True)],
        _flow,
        hint="qlib.relay_max_flow(qlib.tokyo_qkd_network(), 'Otemachi', 'Hongo') gives .rate_bps and "
             ".min_cut (a tuple of links).",
        topic="trusted-node relay: max flow and min cut",
    ),
    "net-ex-metric": Exercise(
        [Part("key rate of the route chosen by pair rate", "bit/s", rtol=5e-3),
         Part("key rate of the route chosen by fidelity", "bit/s", rtol=5e-3)],
        _metric,
        hint="Make every Tokyo node a 'repeater', then qlib.best_route(net, 'Koganei', 'Hongo', "
             "metric='rate' or 'fidelity', t2_s=0.05) and read .key_rate_bps.",
        topic="entanglement routing: rate against fidelity",
    ),
    "net-ex-modes": Exercise(
        [Part("parallel memory modes", integer=True)],
        _modes,
        hint="qlib.trust_versus_rate(backbone, path, link_fidelity=0.999, t2_s=10.0) gives both key "
             "rates; the modes are independent chains, so their key rates add: round the ratio up.",
        topic="trust against rate: what multiplexing would have to give",
    ),
}

CONCEPTUAL = {
    "net-ex-trust": "answered in words: the public ciphertexts are one-time pads (nothing learned), the "
                    "relay holds the key in clear, a repeater's swap outcomes reveal nothing of the key",
}
