"""Quantum key distribution, one module per concept and unit.

- :mod:`~qlib.qkd.asymptotic`: binary entropy and asymptotic secret fractions
  (bits per sifted bit);
- :mod:`~qlib.qkd.finite_key`: the finite-key length of one BB84 block (bits);
- :mod:`~qlib.qkd.prepare_measure`: BB84, six-state and B92 simulated, with
  their attacks and closed forms;
- :mod:`~qlib.qkd.entangled`: E91 and BBM92 sampled from a shared state;
- :mod:`~qlib.qkd.decoy`: weak pulses over fibre, with and without decoys
  (bits per emitted pulse);
- :mod:`~qlib.qkd.finite_decoy`: decoy BB84 with a finite number of pulses
  (bits per pulse sent);
- :mod:`~qlib.qkd.mdi`: measurement-device-independent QKD with decoys (bits
  per pulse pair);
- :mod:`~qlib.qkd.twin_field`: twin-field QKD, phase-matching form (bits per
  pulse pair);
- :mod:`~qlib.qkd.continuous_variable`: GG02 CV-QKD, homodyne, reverse
  reconciliation (bits per channel use);
- :mod:`~qlib.qkd.repeaterless`: where a scheme's rate meets the PLOB bound;
- :mod:`~qlib.qkd.satellite`: satellite downlinks (bits per pulse, bits per pass);
- :mod:`~qlib.qkd.tampering`: tampering and denial of service;
- :mod:`~qlib.qkd.postprocessing`: Cascade, verification, privacy amplification.

The orbit mechanics of a satellite pass are network physics,
:mod:`qlib.network.orbits`; its :func:`~qlib.network.orbits.satellite_pass_duration_s`
is re-exported here too, so that the old path ``qlib.keyrates`` (an alias of this
package) still has every name it had.
"""

from .asymptotic import (
    binary_entropy,
    shor_preskill_rate,
    six_state_rate,
    SHOR_PRESKILL_THRESHOLD,
    SIX_STATE_THRESHOLD,
)

from .finite_key import (
    finite_key_length,
)

from .prepare_measure import (
    QKD_PROTOCOLS,
    PrepareMeasureRun,
    simulate_bb84,
    estimate_qber,
    intercept_resend_qber,
    expected_detection_probability,
    expected_qber,
    pns_known_fraction,
)

from .entangled import (
    E91_ALICE_ANGLES,
    E91_BOB_ANGLES,
    EntangledRun,
    measurement_probabilities,
    simulate_entangled_qkd,
)

from .decoy import (
    QKDExperiment,
    GYS_2004,
    BEST_PARTS_ASSUMED,
    MICIUS_2017,
    single_photon_key_rate,
    gllp_key_rate,
    decoy_bb84_key_rate,
    vacuum_weak_decoy_key_rate,
    optimal_mu,
    max_distance_km,
)

from .finite_decoy import (
    finite_decoy_key_rate,
)

from .mdi import (
    MDIExperiment,
    LO_CURTY_QI_2012,
    YIN_2016_ASSUMED,
    mdi_single_photon_yield,
    mdi_key_rate,
    mdi_max_distance_km,
)

from .twin_field import (
    TwinFieldExperiment,
    MA_ZENG_ZHOU_2018,
    LIU_2023_ASSUMED,
    phase_matching_key_rate,
    twin_field_max_distance_km,
)

from .continuous_variable import (
    CVExperiment,
    LODEWYCK_2007,
    ZHANG_2020_ASSUMED,
    gg02_key_rate,
    cv_max_distance_km,
)

from .repeaterless import (
    experiment_key_rate,
    experiment_max_distance_km,
    plob_crossing_km,
)

from .satellite import (
    satellite_decoy_key_rate,
    satellite_pass_key_bits,
)

from .tampering import (
    tampered_qber,
    tampered_key_rate,
    qkd_aborts,
)
from .postprocessing import (
    CASCADE_SCHEDULES,
    cascade_block_sizes,
    CascadeResult,
    cascade,
    Verification,
    verify_keys,
    toeplitz_matrix,
    toeplitz_hash,
    KeyBudget,
    key_budget,
    DistilledKey,
    distill_key,
)
from ..network.orbits import satellite_pass_duration_s  # the old qlib.keyrates had it

__all__ = [
    # qkd.asymptotic
    "binary_entropy",
    "shor_preskill_rate",
    "six_state_rate",
    "SHOR_PRESKILL_THRESHOLD",
    "SIX_STATE_THRESHOLD",
    # qkd.finite_key
    "finite_key_length",
    # qkd.prepare_measure
    "QKD_PROTOCOLS",
    "PrepareMeasureRun",
    "simulate_bb84",
    "estimate_qber",
    "intercept_resend_qber",
    "expected_detection_probability",
    "expected_qber",
    "pns_known_fraction",
    # qkd.entangled
    "E91_ALICE_ANGLES",
    "E91_BOB_ANGLES",
    "EntangledRun",
    "measurement_probabilities",
    "simulate_entangled_qkd",
    # qkd.decoy
    "QKDExperiment",
    "GYS_2004",
    "BEST_PARTS_ASSUMED",
    "MICIUS_2017",
    "single_photon_key_rate",
    "gllp_key_rate",
    "decoy_bb84_key_rate",
    "vacuum_weak_decoy_key_rate",
    "optimal_mu",
    "max_distance_km",
    # qkd.finite_decoy
    "finite_decoy_key_rate",
    # qkd.mdi
    "MDIExperiment",
    "LO_CURTY_QI_2012",
    "YIN_2016_ASSUMED",
    "mdi_single_photon_yield",
    "mdi_key_rate",
    "mdi_max_distance_km",
    # qkd.twin_field
    "TwinFieldExperiment",
    "MA_ZENG_ZHOU_2018",
    "LIU_2023_ASSUMED",
    "phase_matching_key_rate",
    "twin_field_max_distance_km",
    # qkd.continuous_variable
    "CVExperiment",
    "LODEWYCK_2007",
    "ZHANG_2020_ASSUMED",
    "gg02_key_rate",
    "cv_max_distance_km",
    # qkd.repeaterless
    "experiment_key_rate",
    "experiment_max_distance_km",
    "plob_crossing_km",
    # qkd.satellite
    "satellite_decoy_key_rate",
    "satellite_pass_key_bits",
    # qkd.tampering
    "tampered_qber",
    "tampered_key_rate",
    "qkd_aborts",
    # qkd.postprocessing
    "CASCADE_SCHEDULES",
    "cascade_block_sizes",
    "CascadeResult",
    "cascade",
    "Verification",
    "verify_keys",
    "toeplitz_matrix",
    "toeplitz_hash",
    "KeyBudget",
    "key_budget",
    "DistilledKey",
    "distill_key",
    # network.orbits, for the old path qlib.keyrates
    "satellite_pass_duration_s",
]
