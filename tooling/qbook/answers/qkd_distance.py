"""Checks for the exercises of chapter ``qkd-distance`` (prefix ``qkdd-``)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "qkd-distance"
GYS = qlib.GYS_2004  # the chapter's system (Gobby, Yuan, Shields 2004)
PULSE_RATE_HZ = 100e6  # the chapter's assumed 100 MHz source
BEST_PARTS = {"attenuation_db_per_km": 0.16, "detector_efficiency": 0.8,
              "dark_count_probability": 1e-7, "error_floor": 0.005}


def _pns_length():
    mu = 0.5
    multi = qlib.spdc_multipair_probability(mu, statistics="poisson")  # P(n >= 2), Poisson
    perfect_bob = GYS.replace(detector_efficiency=1.0)

    def gain_minus_multi(length):
        eta = perfect_bob.transmittance(length)
        return perfect_bob.dark_count_probability + 1 - np.exp(-eta * mu) - multi

    return brentq(gain_minus_multi, 0.0, 200.0, xtol=1e-12)


def _best_gain():
    base = qlib.max_distance_km("decoy")
    return max(qlib.max_distance_km("decoy", **{name: value}) - base for name, value in BEST_PARTS.items())


def _tamper_abort():
    return brentq(lambda f: qlib.tampered_qber(20.0, f) - qlib.SHOR_PRESKILL_THRESHOLD,
                  0.0, 1.0, xtol=1e-13)


def _block_needed():
    lo, hi = 8.0, 14.0  # log10 N: no key at 1e8 pulses, a key at 1e14
    while hi - lo > 1e-9:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if qlib.finite_decoy_key_rate(100.0, 10**mid) > 0 else (mid, hi)
    return 10**hi


CHECKS = {
    "qkdd-ex-pns-loss": Exercise(
        [Part("fibre length from which the attack works", "km")],
        _pns_length,
        hint="With η_Bob = 1 the transmittance is that of the fibre alone; solve "
             "Y0 + 1 - exp(-η μ) = P(n ≥ 2) for the length with a root finder.",
        topic="the photon-number-splitting attack and GLLP's worst case",
    ),
    # The answer is the gain of the best change, so choosing the wrong change fails: the two
    # best differ by under a kilometre, hence an absolute tolerance (one decimal passes).
    "qkdd-ex-best-parts": Exercise(
        [Part("reach gained by the best single change", "km", rtol=0.0, atol=0.06)],
        _best_gain,
        hint="Change one parameter at a time in qlib.max_distance_km('decoy', ...) and subtract "
             "the GYS reach; two of the changes are close, so compare them carefully.",
        topic="which part of a QKD system limits its reach",
    ),
    "qkdd-ex-satellite-pass": Exercise(
        [Part("secret key of one pass above 15°", "bits", rtol=0.01)],
        lambda: qlib.satellite_pass_key_bits(PULSE_RATE_HZ, 500.0, 15.0),
        hint="Integrate the chapter's key rate per pulse along the pass: elevation from the "
             "angle ωt, times the 100 MHz pulse rate, over the time above 15°.",
        topic="a satellite pass: duration and key",
    ),
    "qkdd-ex-tamper": Exercise(
        [Part("intercepted fraction f at which they abort")],
        _tamper_abort,
        hint="Solve qlib.tampered_qber(20, f) = 11 % (qlib.SHOR_PRESKILL_THRESHOLD) for f.",
        topic="tampering: interception and added loss",
    ),
    "qkdd-ex-block": Exercise(
        [Part("block N for a key at 100 km", "pulses", rtol=0.025)],
        _block_needed,
        hint="Bisect on log10 N with qlib.finite_decoy_key_rate(100, N) until log10 N is known "
             "to better than 0.01.",
        topic="finite-size decoy-state keys: the block a long link needs",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "qkdd-ex-why-decoys": (
        "answered in words: multi-photon pulses let Eve split off a photon without errors; "
        "decoys make her blocking visible in the yields"
    ),
}
