"""Checks for the exercises of chapter ``teleportation`` (prefix ``tp-``)."""

from __future__ import annotations

import numpy as np
import qutip
from scipy.optimize import brentq

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "teleportation"


def _six_states():
    k0, k1 = qutip.basis(2, 0), qutip.basis(2, 1)
    return [k0, k1] + [(k0 + np.exp(1j * phi) * k1).unit() for phi in (0, np.pi, np.pi / 2, -np.pi / 2)]


def _average_fidelity(resource=None, **noise):
    """Average over the six axis states (a 2-design: the average over all inputs)."""
    return float(np.mean([qlib.fidelity(qlib.teleport(k, resource, **noise).output, k)
                          for k in _six_states()]))


def _werner_for(average):
    return brentq(lambda f: qlib.teleportation_fidelity(qlib.werner_state(f)) - average,
                  0.25, 1.0, xtol=1e-13)


def _noisy_gates():
    k0, plus = _six_states()[0], _six_states()[2]
    f0, fplus = (qlib.fidelity(qlib.teleport(k, correction_noise=0.1).output, k) for k in (k0, plus))
    return f0, fplus, _average_fidelity(correction_noise=0.1), _average_fidelity(measurement_noise=0.1)


def _delay():
    fibre = qlib.signalling_delay_s(1200.0, medium="fiber")
    vacuum = qlib.signalling_delay_s(1200.0, medium="vacuum")
    return fibre, vacuum, fibre - vacuum


def _memory_t2():
    wait = qlib.signalling_delay_s(100.0, medium="fiber")

    def excess(log_t2):
        p = qlib.memory_dephasing_probability(wait, np.exp(log_t2))
        pair = qlib.dephase(qlib.werner_state(0.95), p, qubit=1)
        return qlib.teleportation_fidelity(pair) - 0.9

    return np.exp(brentq(excess, np.log(1e-5), np.log(10.0), xtol=1e-12))


def _psi_minus():
    singlet = qlib.bell_state("psi-")
    return _average_fidelity(singlet), qlib.teleportation_fidelity(singlet)


CHECKS = {
    "tp-ex-werner-threshold": Exercise(
        [Part("F that reaches 2/3"), Part("F that reaches 0.9")],
        lambda: (_werner_for(2 / 3), _werner_for(0.9)),
        hint="Solve (2F + 1)/3 = target for F, or use a root finder on qlib.teleportation_fidelity.",
        topic="teleportation fidelity of Werner pairs; the classical limit 2/3",
    ),
    "tp-ex-noisy-gates": Exercise(
        [Part("fidelity of |0⟩ with correction noise"), Part("fidelity of |+⟩ with correction noise"),
         Part("average with correction noise"), Part("average with measurement noise")],
        _noisy_gates,
        hint="Depolarizing shrinks a Bloch vector by (1 - p); measurement noise hits two qubits.",
        topic="noisy operations in the protocol",
    ),
    "tp-ex-delay": Exercise(
        [Part("fibre delay", "s"), Part("vacuum delay", "s"), Part("time saved", "s")],
        _delay,
        hint="qlib.signalling_delay_s gives seconds; light in fibre is slower by the group index.",
        topic="the classical message's delay",
    ),
    "tp-ex-memory-t2": Exercise(
        [Part("coherence time T2", "s")],
        _memory_t2,
        hint="The wait is the fibre delay over 100 km; find T2 where the average fidelity is 0.9.",
        topic="memories: how long Bob's qubit may wait",
    ),
    "tp-ex-psi-minus": Exercise(
        [Part("average fidelity with the standard corrections"), Part("optimal average fidelity")],
        _psi_minus,
        hint="Average qlib.teleport's output fidelity over inputs spread evenly on the Bloch sphere.",
        topic="a pair in the wrong Bell state",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "tp-ex-faster-than-light": (
        "answered in words: Bob's state is I/2 until the two bits arrive; two classical bits "
        "travel, the pair is used up, the original destroyed"
    ),
}
