"""Checks for the exercises of chapter ``networks-users`` (prefix ``netu-``)."""

from __future__ import annotations

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "networks-users"


def _best_cutoff():
    keys = [qlib.two_link_cutoff(0.1, c, link_fidelity=0.99, coherence_time=20.0).key_rate
            for c in range(101)]
    best = max(range(101), key=keys.__getitem__)
    return best, keys[best]


CHECKS = {
    "netu-ex-four-users": Exercise(
        [Part("GHZ fidelity of four users", rtol=1e-3)],
        lambda: qlib.fuse_at_switch([0.97] * 4).fidelity,
        hint="qlib.fuse_at_switch takes one link per user; a number stands for a Werner link "
             "of that fidelity. Read .fidelity of the result.",
        topic="GHZ states: fusion at a switch with noisy links",
    ),
    "netu-ex-genuine": Exercise(
        [Part("smallest link fidelity for genuine four-user entanglement", rtol=1e-3)],
        lambda: qlib.genuine_link_fidelity(4),
        hint="Bisect on F between 0.25 and 1: qlib.switch_ghz_fidelity(F, 4) is below 1/2 on "
             "one side of the answer and above it on the other.",
        topic="GHZ states: the fidelity witness of genuine multipartite entanglement",
    ),
    "netu-ex-three-links": Exercise(
        [Part("expected attempts until three links exist", "attempts", rtol=2e-3)],
        lambda: qlib.expected_max_geometric(3, 0.05),
        hint="The waiting time is the maximum of three geometric variables: "
             "qlib.expected_max_geometric(n, p).",
        topic="memories that wait: the expected maximum of geometric variables",
    ),
    "netu-ex-best-cutoff": Exercise(
        [Part("best cutoff", "attempts", integer=True),
         Part("secret bits per attempt at the best cutoff", rtol=2e-3)],
        _best_cutoff,
        hint="Compute qlib.two_link_cutoff(0.1, c, link_fidelity=0.99, coherence_time=20.0)"
             ".key_rate for every c from 0 to 100 and take the largest.",
        topic="memory cutoffs: the rate-fidelity trade-off",
    ),
}

CONCEPTUAL = {
    "netu-ex-why-ghz": "answered in words: what the fusion gives (one common bit, an X-parity "
                       "test), why the announcement matters (uncorrected: fidelity 1/8) and why "
                       "pairwise keys could also make a conference key",
}
