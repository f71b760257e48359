"""qlib.qkd.repeaterless: where each scheme's rate meets the PLOB bound."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qlib import (
    BEST_PARTS_ASSUMED,
    GYS_2004,
    LIU_2023_ASSUMED,
    LO_CURTY_QI_2012,
    LODEWYCK_2007,
    MA_ZENG_ZHOU_2018,
    YIN_2016_ASSUMED,
    ZHANG_2020_ASSUMED,
    QKDExperiment,
    cv_max_distance_km,
    decoy_bb84_key_rate,
    experiment_key_rate,
    experiment_max_distance_km,
    gg02_key_rate,
    max_distance_km,
    mdi_key_rate,
    mdi_max_distance_km,
    phase_matching_key_rate,
    plob_bound,
    plob_crossing_km,
    twin_field_max_distance_km,
)

# [PLOB] Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017):
#        -log2(1 - eta) bits per channel use bounds every repeaterless scheme.
# [LLDY] Lucamarini et al., Nature 557, 400 (2018): twin-field QKD passes it.


@pytest.mark.parametrize("exp", [MA_ZENG_ZHOU_2018, LIU_2023_ASSUMED])
@pytest.mark.parametrize("detectors", ["ideal", "same"])
def test_twin_field_crosses_plob(exp, detectors):
    crossing = plob_crossing_km(exp, detectors=detectors)
    assert 100.0 < crossing < 600.0
    scale = 1.0 if detectors == "ideal" else exp.detector_efficiency

    def bound(d):
        return plob_bound(scale * 10 ** (-exp.attenuation_db_per_km * d / 10))

    before, after = crossing - 0.5, crossing + 0.5
    assert phase_matching_key_rate(before, experiment=exp) < bound(before)
    assert phase_matching_key_rate(after, experiment=exp) > bound(after)


def test_relative_bound_is_crossed_earlier():
    # a point-to-point link with the same (inefficient) detectors is a lower bar
    assert plob_crossing_km(MA_ZENG_ZHOU_2018, detectors="same") < plob_crossing_km(MA_ZENG_ZHOU_2018)


@pytest.mark.parametrize("exp", [GYS_2004, BEST_PARTS_ASSUMED, LO_CURTY_QI_2012, YIN_2016_ASSUMED,
                                 LODEWYCK_2007, ZHANG_2020_ASSUMED])
def test_repeaterless_schemes_never_cross(exp):
    assert math.isnan(plob_crossing_km(exp))


@settings(max_examples=60, deadline=None)
@given(distance=st.floats(0.1, 400.0), eta_d=st.floats(0.01, 1.0), y0=st.floats(0.0, 1e-4),
       e_d=st.floats(0.0, 0.1), alpha=st.floats(0.15, 0.25))
def test_decoy_bb84_never_beats_plob(distance, eta_d, y0, e_d, alpha):
    exp = QKDExperiment(attenuation_db_per_km=alpha, detector_efficiency=eta_d,
                        dark_count_probability=y0, error_floor=e_d)
    assert decoy_bb84_key_rate(distance, experiment=exp) <= plob_bound(10 ** (-alpha * distance / 10))


@pytest.mark.parametrize("exp, rate, reach", [
    (GYS_2004, decoy_bb84_key_rate, lambda e: max_distance_km("decoy", experiment=e)),
    (LO_CURTY_QI_2012, mdi_key_rate, lambda e: mdi_max_distance_km(experiment=e)),
    (MA_ZENG_ZHOU_2018, phase_matching_key_rate, lambda e: twin_field_max_distance_km(experiment=e)),
    (LODEWYCK_2007, gg02_key_rate, lambda e: cv_max_distance_km(experiment=e)),
])
def test_experiment_type_selects_the_rate_and_the_reach(exp, rate, reach):
    lengths = np.array([0.0, 25.0, 100.0, 300.0])
    np.testing.assert_array_equal(experiment_key_rate(lengths, exp), rate(lengths, experiment=exp))
    assert experiment_key_rate(25.0, exp) == rate(25.0, experiment=exp)
    assert experiment_max_distance_km(exp) == reach(exp)


def test_bad_inputs():
    with pytest.raises(TypeError, match="experiment must be one of QKDExperiment"):
        plob_crossing_km("mdi")
    with pytest.raises(TypeError, match="experiment must be one of QKDExperiment.*got str"):
        experiment_key_rate(10.0, "mdi")
    with pytest.raises(TypeError, match="experiment must be one of QKDExperiment.*got dict"):
        experiment_max_distance_km({})
    with pytest.raises(ValueError, match="distance_km must be >= 0"):
        experiment_key_rate(-1.0, LO_CURTY_QI_2012)
    with pytest.raises(ValueError, match="detectors must be one of"):
        plob_crossing_km(MA_ZENG_ZHOU_2018, detectors="perfect")
    with pytest.raises(ValueError, match="upper_km must be > 0"):
        plob_crossing_km(MA_ZENG_ZHOU_2018, upper_km=-1.0)
