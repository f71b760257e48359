"""Checks for the exercises of chapter ``pqc`` (prefix ``pqc-``).

The chapter's timings depend on the machine; no exercise asks for one.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "pqc"
YEAR_S = 365.25 * 24 * 3600


def _grover_years():
    evaluations = np.pi / 4 * 2 ** (128 / 2)  # the exercise's (π/4) 2^(k/2), AES-128
    return evaluations / 1e9 / YEAR_S


def _handshake_extra():
    """Bytes the post-quantum parts add to the chapter's mutual-TLS 1.3 handshake: ML-KEM-768's
    key and ciphertext go (the X25519 halves of the hybrid shares stay); the two leaf
    certificates' ML-DSA-65 keys become Ed25519 keys, and the four ML-DSA-65 signatures (the
    CA's in each certificate, each side's CertificateVerify) Ed25519 signatures. Sizes as
    measured by qlib."""
    kem, dsa, ed = (qlib.measure_primitive(name, repeats=1) for name in ("ML-KEM-768", "ML-DSA-65", "Ed25519"))
    return (kem.public_key_bytes + kem.message_bytes
            + 2 * (dsa.public_key_bytes - ed.public_key_bytes)
            + 4 * (dsa.message_bytes - ed.message_bytes))


def _otp_reach():
    # As the chapter: decoy-state BB84 (qlib.decoy_bb84_key_rate) at 1 GHz with the
    # "today's best parts" link; the rate falls to exactly 0 at qlib.max_distance_km.
    modern = qlib.BEST_PARTS_ASSUMED

    def excess(length_km):
        return 1e9 * qlib.decoy_bb84_key_rate(length_km, experiment=modern) - 1e7

    return brentq(excess, 0.0, qlib.max_distance_km("decoy", experiment=modern), xtol=1e-9)


CHECKS = {
    "pqc-ex-mosca": Exercise(
        [Part("exposed part of the shelf life", "years")],
        lambda: -qlib.mosca_margin(25, 7, 15),
        hint="Mosca: the data are at risk when x + y > z; the excess is the exposed time.",
        topic="Mosca's inequality: when to migrate",
    ),
    "pqc-ex-grover": Exercise(
        [Part("duration of the AES-128 search", "years")],
        _grover_years,
        hint="Divide the number of evaluations for k = 128 by the rate, then by the seconds "
             "in a year.",
        topic="Grover's search against AES",
    ),
    "pqc-ex-handshake": Exercise(
        [Part("extra size of the hybrid handshake", "bytes", integer=True)],
        _handshake_extra,
        hint="The hybrid shares carry X25519 keys as well as ML-KEM's key and ciphertext; only "
             "the post-quantum parts go. Count every ML-DSA object: a key in each of the two "
             "certificates, a signature in each certificate and in each CertificateVerify.",
        topic="the size of a post-quantum handshake",
    ),
    "pqc-ex-otp-distance": Exercise(
        [Part("longest fibre for a 10 Mbit/s one-time pad", "km")],
        _otp_reach,
        hint="Solve qkd_key_rate_bps(L, 1e9, MODERN) = 1e7 for L (reach_km does it); the rate "
             "is zero beyond the end of the key.",
        topic="QKD-fed one-time pads against distance",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "pqc-ex-harvest": (
        "answered in words: Shor breaks the recorded X25519 exchanges (harvest now, decrypt later), "
        "not AES-256; only a post-quantum or hybrid exchange deployed now protects new recordings"
    ),
    "pqc-ex-replay": "answered by naming what the server observes (no key issued, one handshake "
                     "failure, the failed record authentication) and why the replay cannot "
                     "complete, not with a number",
}
