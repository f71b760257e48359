"""Checks for the exercises of chapter ``quantum-networks`` (prefix ``qn-``)."""

from __future__ import annotations

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "quantum-networks"
YEAR_S = 365.25 * 24 * 3600


def _micius():
    half_km = 1203.0 / 2
    loss_db = 2 * qlib.fiber_loss_db(half_km, 0.16)
    rate = 1e10 * qlib.fiber_transmittance(half_km, 0.16) ** 2
    return loss_db, 1 / rate / YEAR_S


def _reach():
    standard = qlib.fiber_reach_km(1e10, 1.0, 0.20)
    ull = qlib.fiber_reach_km(1e10, 1.0, 0.16)
    return standard, ull, ull - standard


CHECKS = {
    "qn-ex-one-in-a-thousand": Exercise(
        [Part("fibre length", "km")],
        lambda: qlib.fiber_length_for_transmittance(1e-3, 0.2),
        hint="The loss in dB is -10 log10(eta); divide it by the attenuation per km.",
        topic="fibre loss in dB, inverting the transmittance",
    ),
    "qn-ex-rate-300km": Exercise(
        [Part("detected rate", "Hz")],
        lambda: qlib.photon_arrival_rate(1e9, 300.0, attenuation_db_per_km=0.2, detector_efficiency=0.8),
        hint="Multiply the source rate by the fibre's transmittance and by the detector efficiency.",
        topic="detected photon rate through fibre",
    ),
    "qn-ex-ultra-low-loss": Exercise(
        [Part("reach of standard fibre", "km"), Part("reach of ultra-low-loss fibre", "km"),
         Part("gain", "km")],
        _reach,
        hint="At the reach, source rate x transmittance = 1 photon per second.",
        topic="the reach of fibre links; ultra-low-loss fibre",
    ),
    "qn-ex-micius": Exercise(
        [Part("pair loss", "dB"), Part("mean wait for one pair", "years")],
        _micius,
        hint="Both photons must arrive: the pair's transmittance is the product of the two halves'.",
        topic="why fibre cannot do what Micius did",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "qn-ex-no-amplifier": (
        "answered in words: no amplifier may copy or boost a quantum state, fibre loss is "
        "exponential, satellites and repeaters (trusted relays today)"
    ),
}
