"""Checks for the exercises of chapter ``entanglement`` (prefix ``ent-``)."""

from __future__ import annotations

import numpy as np
import qutip
from scipy.optimize import brentq, minimize_scalar

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "entanglement"
L0_KM = 200.0


def _phi_plus():
    return qlib.bell_state("phi+")


def _werner_threshold():
    f_star = brentq(lambda f: qlib.chsh_value(qlib.werner_state(f)) - 2.0, 0.5, 1.0, xtol=1e-13)
    p_star = brentq(lambda p: qlib.chsh_value(qlib.depolarize(_phi_plus(), p, qubit=1)) - 2.0,
                    0.0, 0.6, xtol=1e-13)
    return f_star, p_star


def _depolarize_both():
    rho = qlib.depolarize(_phi_plus(), 0.1)
    return qlib.fidelity(rho, "phi+"), qlib.concurrence(rho)


def _dephasing_chsh():
    best = minimize_scalar(lambda p: qlib.chsh_value(qlib.dephase(_phi_plus(), p, qubit=1)),
                           bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-10})
    return best.x


def _multipair():
    multi = qlib.spdc_multipair_probability(0.1, statistics="thermal")
    nonempty = 1 - qlib.spdc_pair_distribution(0.1, 0, statistics="thermal")[0]
    return multi, multi / nonempty


def _memory_distance():
    depolarized = lambda length: qlib.depolarize(_phi_plus(), 1 - np.exp(-length / L0_KM))
    damped = lambda length: qlib.amplitude_damp(_phi_plus(), 1 - np.exp(-2 * length / L0_KM))
    l_chsh = brentq(lambda length: qlib.chsh_value(depolarized(length)) - 2.0, 0.0, 500.0, xtol=1e-10)
    # both-sided depolarizing leaves a Werner pair: entangled while F > 1/2
    l_ent = brentq(lambda length: qlib.fidelity(depolarized(length), "phi+") - 0.5, 0.0, 500.0, xtol=1e-10)
    l_damped = brentq(lambda length: qlib.chsh_value(damped(length)) - 2.0, 0.0, 200.0, xtol=1e-10)
    return l_chsh, l_ent, l_damped, qlib.concurrence(damped(500.0))


def _monogamy():
    ket = {b: qutip.tensor(*(qutip.basis(2, int(c)) for c in b)) for b in ("100", "010", "001")}
    phi = np.radians(30.0)
    w_phi = (ket["100"] + np.cos(phi) * ket["010"] + np.sin(phi) * ket["001"]) / np.sqrt(2)
    t30 = qlib.monogamy_tangles(w_phi)
    tw = qlib.monogamy_tangles((ket["100"] + ket["010"] + ket["001"]).unit())
    return t30["C2_AB"], t30["C2_AC"], t30["residual"], tw["C2_AB"]


CHECKS = {
    "ent-ex-werner-threshold": Exercise(
        [Part("Werner fidelity F*"), Part("one-qubit depolarizing probability p*")],
        _werner_threshold,
        hint="Find where chsh_value(...) - 2 changes sign, with scipy.optimize.brentq.",
        topic="the CHSH threshold of Werner and depolarized pairs",
    ),
    "ent-ex-depolarize-both": Exercise(
        [Part("fidelity"), Part("concurrence")],
        _depolarize_both,
        hint="qlib.depolarize with qubit=None acts on every qubit.",
        topic="two-sided depolarizing gives a Werner pair",
    ),
    "ent-ex-dephasing-chsh": Exercise(
        [Part("dephasing probability p", atol=1e-4, rtol=0.0)],
        _dephasing_chsh,
        hint="The maximal CHSH value only touches 2: look for its minimum over p, not a root.",
        topic="dephasing, CHSH and entanglement",
    ),
    "ent-ex-multipair": Exercise(
        [Part("P(n >= 2)"), Part("fraction of non-empty pulses with more than one pair")],
        _multipair,
        hint="Thermal statistics: P(n) = mu^n / (1 + mu)^(n + 1).",
        topic="multi-pair emission of down-conversion sources",
    ),
    "ent-ex-memory-distance": Exercise(
        [Part("CHSH limit with depolarizing", "km"),
         Part("entanglement limit with depolarizing", "km"),
         Part("CHSH limit with damping", "km"),
         Part("concurrence at 500 km with damping")],
        _memory_distance,
        hint="With noise on both qubits the surviving visibility is exp(-2 L / L0).",
        topic="how far a decohering pair stays useful",
    ),
    "ent-ex-monogamy": Exercise(
        [Part("C²_AB at 30°", atol=1e-6), Part("C²_AC at 30°", atol=1e-6),
         Part("residual tangle at 30°", atol=1e-6), Part("C²_AB of the W state", atol=1e-6)],
        _monogamy,
        hint="qlib.monogamy_tangles returns the squared concurrences and the residual tangle.",
        topic="monogamy of entanglement: W and GHZ",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "ent-ex-why-chsh": (
        "answered in words: S > 2 certifies entanglement from the statistics alone; Werner "
        "pairs are entangled above F = 1/2 but violate CHSH only above about 0.78"
    ),
}
