"""Checks for the exercises of chapter ``qkd-beyond-plob`` (prefix ``qkdb-``)."""

from __future__ import annotations

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "qkd-beyond-plob"
LCQ = qlib.LO_CURTY_QI_2012
MZZ = qlib.MA_ZENG_ZHOU_2018
LODEWYCK = qlib.LODEWYCK_2007


def _y11_150():
    y11, _ = qlib.mdi_single_photon_yield(150.0, experiment=LCQ, dark_count_probability=0.0)
    return y11


def _sqrt_ratio():
    return (qlib.phase_matching_key_rate(300.0, experiment=MZZ)
            / qlib.phase_matching_key_rate(200.0, experiment=MZZ))


def _cv_noise():
    lo, hi = 0.0, 0.5  # a key at 25 km with no excess noise, none with half the shot noise
    while hi - lo > 1e-10:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if qlib.gg02_key_rate(25.0, experiment=LODEWYCK, excess_noise=mid) > 0 else (lo, mid)
    return lo


CHECKS = {
    "qkdb-ex-y11": Exercise(
        [Part("single-photon yield Y11 at 150 km", rtol=1e-3)],
        _y11_150,
        hint="qlib.mdi_single_photon_yield(150.0, experiment=qlib.LO_CURTY_QI_2012, "
             "dark_count_probability=0.0) returns (Y11, e11); each arm is 75 km.",
        topic="MDI-QKD: the single-photon yield",
    ),
    "qkdb-ex-tf-cross": Exercise(
        [Part("length beyond which phase matching beats PLOB", "km", rtol=2e-3)],
        lambda: qlib.plob_crossing_km(MZZ),
        hint="qlib.plob_crossing_km(qlib.MA_ZENG_ZHOU_2018) compares with the bound of the "
             "fibre alone.",
        topic="twin-field QKD against the repeaterless bound",
    ),
    "qkdb-ex-sqrt": Exercise(
        [Part("rate ratio R(300 km) / R(200 km)", rtol=2e-3)],
        _sqrt_ratio,
        hint="Divide qlib.phase_matching_key_rate(300.0, experiment=...) by the rate at 200 km.",
        topic="the square-root scaling of twin-field QKD",
    ),
    "qkdb-ex-cv-noise": Exercise(
        [Part("largest excess noise with a key at 25 km", "shot-noise units", rtol=2e-3)],
        _cv_noise,
        hint="Bisect on xi: qlib.gg02_key_rate(25.0, experiment=qlib.LODEWYCK_2007, "
             "excess_noise=xi) > 0 below the answer, 0 above it.",
        topic="CV-QKD: excess noise",
    ),
}

CONCEPTUAL = {
    "qkdb-ex-relay": "answered in words: what Charlie's announcement reveals (a parity, not a "
                     "bit) and what a false announcement does (errors, then abort)",
}
