"""Checks for the exercises of chapter ``qkd`` (prefix ``qkd-``)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

import qlib
from qlib.checks import Exercise, Part

CHAPTER = "qkd"
# The chapter's link (chapters/qkd.md, LINK): 25 km of fibre, 60 % detectors,
# dark-count probability 1e-6 per detector and gate, single photons.
LINK = dict(transmittance=qlib.fiber_transmittance(25.0), detector_efficiency=0.6,
            dark_count_probability=1e-6)
SAMPLE_FRACTION = 0.1  # the chapter's disclosed sample

# qkd-ex-intercept-qber asks for the QBER and lets the learner check it with a
# Monte Carlo run of 1e5 pulses (about 5e4 sifted bits): the check takes the
# closed form f/4 and accepts a run's estimate within 4 of its standard errors.
_EVE_FRACTION = 0.4
_Q_EVE = qlib.intercept_resend_qber(_EVE_FRACTION)
_MC_SIFTED = 10**5 / 2
_MC_ATOL = 4 * np.sqrt(_Q_EVE * (1 - _Q_EVE) / _MC_SIFTED)

# qkd-ex-cascade does not fix Cascade's own seed: its efficiency varies with it
# (standard deviation 0.004 over seeds on these keys, 0.004 over the seeds of the
# keys), so the check takes the mean over Cascade seeds with a tolerance of 0.015.
_CASCADE_SEEDS = range(16)


def _six_state_fraction():
    return brentq(lambda f: qlib.intercept_resend_qber(f, "six-state") - qlib.SIX_STATE_THRESHOLD,
                  0.0, 1.0, xtol=1e-13)


def _cascade_efficiency():
    rng = np.random.default_rng(0)  # the exercise's keys: 1e4 bits, 5 % differing, seed 0
    alice = rng.integers(0, 2, 10**4, dtype=np.uint8)
    bob = alice ^ (rng.random(10**4) < 0.05).astype(np.uint8)
    return float(np.mean([qlib.cascade(alice, bob, 0.05, seed=s).efficiency for s in _CASCADE_SEEDS]))


def _minimum_pulses():
    """The chapter's expected_budget and minimum_pulses, with its measured Cascade efficiency."""
    run = qlib.simulate_bb84(10**6, depolarizing=0.04, seed=2024, **LINK)  # the chapter's run
    f_ec = qlib.cascade(run.alice_key, run.bob_key, run.qber_estimate, seed=1).efficiency
    p_detect = qlib.expected_detection_probability(**LINK)
    q = float(qlib.expected_qber(depolarizing=0.04, eve_fraction=0.0, **LINK))

    def final_length(log_pulses):
        pulses = 10**log_pulses
        detected = pulses * p_detect
        sifted = detected / 2
        sample = SAMPLE_FRACTION * sifted
        leak = f_ec * (sifted - sample) * qlib.binary_entropy(q)
        return qlib.key_budget(pulses, detected, sifted, sample, q, leak).final_length

    return 10 ** brentq(lambda x: final_length(x) - 0.5, 3.0, 9.0, xtol=1e-9)


def _werner_chsh():
    return brentq(lambda f: qlib.chsh_value(qlib.werner_state(f)) - 2.0, 0.5, 1.0, xtol=1e-13)


CHECKS = {
    "qkd-ex-intercept-qber": Exercise(
        [Part("QBER with Eve on 40 % of the pulses (a fraction)", rtol=0.0, atol=_MC_ATOL)],
        lambda: _Q_EVE,
        hint="Only the sifted pulses Eve measured in the wrong basis can show an error, and "
             "not all of those do.",
        topic="intercept-resend: the QBER it causes and the Shor–Preskill threshold",
    ),
    "qkd-ex-six-state": Exercise(
        [Part("largest intercepted fraction f that leaves a key")],
        _six_state_fraction,
        hint="With three bases Eve's guess is wrong more often; set the QBER she causes on a "
             "fraction f equal to qlib.SIX_STATE_THRESHOLD and solve for f.",
        topic="the six-state protocol against intercept-resend",
    ),
    "qkd-ex-cascade": Exercise(
        [Part("efficiency f of the default schedule", rtol=0.0, atol=0.015)],
        _cascade_efficiency,
        hint="The efficiency is the parity bits disclosed over n h(Q), with Q the keys' actual "
             "error fraction; give it for the default schedule.",
        topic="Cascade: disclosed parity bits against the Shannon limit",
    ),
    "qkd-ex-block-size": Exercise(
        [Part("smallest block", "pulses", rtol=0.01)],
        _minimum_pulses,
        hint="Use the chapter's expected_budget with f = 0 and find where its final_length "
             "first becomes positive (a root finder on log10 of the pulses).",
        topic="finite-key effects: the smallest useful block",
    ),
    "qkd-ex-werner-chsh": Exercise(
        [Part("Werner fidelity F at which S = 2")],
        _werner_chsh,
        hint="The CHSH value of a Werner pair grows linearly with F: solve "
             "qlib.chsh_value(qlib.werner_state(F)) = 2 with a root finder.",
        topic="E91: Bell violation and the QBER of Werner pairs",
    ),
}

CONCEPTUAL: dict[str, str] = {
    "qkd-ex-why-disturb": (
        "answered in words: Eve's wrong-basis measurements randomise Bob's bits (no-cloning);"
        " a sample is sacrificed to estimate the error rate"
    ),
}
