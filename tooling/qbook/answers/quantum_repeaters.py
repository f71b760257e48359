"""Checks for the exercises of chapter ``quantum-repeaters`` (prefix ``rep-``)."""

from __future__ import annotations

from scipy.optimize import brentq

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "quantum-repeaters"
#: The chapter's chain hardware (its cell ``CHAIN = ChainParameters(...)``).
CHAIN = qlib.ChainParameters(link_fidelity=0.98, t2_s=1.0, detector_efficiency=0.9, source_efficiency=0.9)


def _three_pairs():
    pair = qlib.werner_state(0.9)
    return qlib.fidelity(qlib.swap(qlib.swap(pair, pair).state, pair).state, "phi+")


def _bbpssw_rounds():
    c, pairs, rounds = qlib.werner_coefficients(0.6), 1.0, 0
    while c[0] <= 0.9:
        c, p = qlib.bbpssw_bell_diagonal(c, c)
        pairs, rounds = 2 * pairs / p, rounds + 1
    return rounds, pairs


def _plob():
    return tuple(qlib.plob_bound(qlib.fiber_transmittance(length)) for length in (100.0, 200.0))


def _memory_wait():
    def gap(wait_s):
        stored = qlib.memory_decoherence(qlib.bell_state("phi+"), wait_s, t2_s=1.0)
        return qlib.fidelity(stored, "phi+") - 0.9
    wait = brentq(gap, 0.0, 1.0, xtol=1e-12)
    return wait, wait / qlib.signalling_delay_s(1.0)


def _best_segments():
    results = {n: qlib.repeater_chain(600.0, n, parameters=CHAIN) for n in (4, 8, 16)}
    return (max(results, key=lambda n: results[n].rate_hz),
            max(results, key=lambda n: results[n].fidelity))


CHECKS = {
    "rep-ex-three-pairs": Exercise(
        [Part("fidelity of the A–F pair")],
        _three_pairs,
        hint="Each swap of Werner pairs multiplies their Werner parameters w = (4F - 1)/3.",
        topic="entanglement swapping of Werner pairs",
    ),
    "rep-ex-bbpssw-rounds": Exercise(
        [Part("rounds", integer=True), Part("input pairs per output pair")],
        _bbpssw_rounds,
        hint="Each round takes two pairs and succeeds with probability p: divide by p each time.",
        topic="purification: BBPSSW rounds and their cost",
    ),
    "rep-ex-plob": Exercise(
        [Part("PLOB bound at 100 km per channel use"), Part("PLOB bound at 200 km per channel use")],
        _plob,
        hint="The bound is -log2(1 - eta) ebits per use of a channel of transmittance eta.",
        topic="the repeaterless (PLOB) bound",
    ),
    "rep-ex-memory-wait": Exercise(
        [Part("longest wait", "s"), Part("fibre a signal crosses meanwhile", "km")],
        _memory_wait,
        hint="A pair in two dephasing memories keeps F = (1 + exp(-2t/T2))/2.",
        topic="memory coherence and waiting time",
    ),
    "rep-ex-best-segments": Exercise(
        [Part("segments with the highest rate", integer=True),
         Part("segments with the highest fidelity", integer=True)],
        _best_segments,
        hint="Run qlib.repeater_chain for each number of segments with the chapter's parameters.",
        topic="choosing the number of repeater segments",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "rep-ex-why-wait": (
        "answered in words: memories let links succeed at different times instead of all at "
        "once; stored qubits decohere, so waiting costs fidelity"
    ),
}
