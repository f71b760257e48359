"""qlib: the physics behind the textbook *Quantum Networks and Their Security*.

The library has three floors (``docs/architecture.md`` draws the whole house):

- physics, pure functions over ``qutip.Qobj`` and numpy arrays, never plotting:
  :mod:`qlib.quantum` (states, Bell-diagonal algebra, channels, metrics, cloning,
  teleportation),
  :mod:`qlib.network` (links, sources, repeaters, chains, bounds, orbits) and
  :mod:`qlib.qkd` (asymptotic and finite-key rates, prepare-and-measure and
  entanglement-based protocols, weak pulses and decoys, finite size, satellites,
  MDI, twin-field and continuous-variable QKD against the repeaterless bound,
  tampering, post-processing), with the physical constants in
  :mod:`qlib.constants`;
- networks as graphs, :mod:`qlib.graphs` (physics on ``networkx``: key relay,
  entanglement routing, attacks on a network of links and keys split over
  node-disjoint paths);
- cryptography, :mod:`qlib.crypto` (post-quantum primitives on ``cryptography``);
- presentation, :mod:`qlib.viz` (the book's Plotly style, explorables, figure helpers).

``import qlib`` loads the physics only. The names of :mod:`qlib.graphs`,
:mod:`qlib.crypto` and :mod:`qlib.viz` are in the same flat namespace but load
on first use, so ``qlib.QuantumNetwork`` imports networkx, ``qlib.Explorable``
imports Plotly and ``qlib.mlkem_keygen`` imports ``cryptography`` only when a
chapter asks for them. Every public name is
re-exported here from the module that defines it (``from qlib import
werner_state`` works; ``qlib.quantum.bell_diagonal.werner_state`` is where it lives).

:func:`qlib.check` gives feedback on an exercise's answer where the book's
answer checks are installed (they are not part of this library).
"""

import warnings

with warnings.catch_warnings():
    # QuTiP warns at import that matplotlib, its plotting back end, is missing;
    # the book draws with Plotly, so the warning would only clutter every page.
    warnings.filterwarnings("ignore", message="matplotlib not found", category=UserWarning)
    import qutip  # noqa: F401

from .quantum.states import (  # noqa: E402
    BELL_NAMES,
    bell_ket,
    bell_state,
)
from .quantum.bell_diagonal import (  # noqa: E402
    werner_state,
    werner_coefficients,
    bell_diagonal_state,
    bell_diagonal_coefficients,
    depolarize_bell_diagonal,
    dephase_bell_diagonal,
)
from .quantum.channels import (  # noqa: E402
    depolarizing_kraus,
    dephasing_kraus,
    amplitude_damping_kraus,
    apply_kraus,
    depolarize,
    dephase,
    amplitude_damp,
)
from .quantum.metrics import (  # noqa: E402
    fidelity,
    concurrence,
    negativity,
    chsh_value,
    fully_entangled_fraction,
    correlation,
    chsh_expectation,
    monogamy_tangles,
)
from .quantum.cloning import (  # noqa: E402
    universal_clone,
)
from .quantum.teleportation import (  # noqa: E402
    CLASSICAL_FIDELITY_LIMIT,
    TeleportationOutcome,
    TeleportationResult,
    teleport,
    teleportation_fidelity,
    standard_teleportation_fidelity,
    measure_and_prepare,
    bloch_vector,
)
from .quantum.ghz import (  # noqa: E402
    GHZ_GENUINE_THRESHOLD,
    FusionResult,
    ghz_ket,
    ghz_state,
    fuse_at_switch,
    switch_ghz_fidelity,
    genuine_link_fidelity,
    fusion_success_probability,
    conference_key_fraction,
)
from .constants import (  # noqa: E402
    SPEED_OF_LIGHT_KM_S,
    FIBER_GROUP_INDEX,
)
from .network.fibre import (  # noqa: E402
    fiber_transmittance,
    fiber_loss_db,
    fiber_length_for_transmittance,
    photon_arrival_rate,
    fiber_reach_km,
)
from .network.detection import (  # noqa: E402
    click_probability,
    noise_click_fraction,
)
from .network.free_space import (  # noqa: E402
    beam_divergence_rad,
    diffraction_transmittance,
    pointing_transmittance,
    atmospheric_transmittance,
    slant_range_km,
    free_space_loss_db,
    satellite_link_loss_db,
)
from .network.signalling import (  # noqa: E402
    signalling_delay_s,
)
from .network.sources import (  # noqa: E402
    spdc_pair_distribution,
    spdc_multipair_probability,
    spdc_single_pair_probability,
)
from .network.memories import (  # noqa: E402
    memory_dephasing_probability,
    memory_decoherence,
    memory_decoherence_bell_diagonal,
)
from .network.swapping import (  # noqa: E402
    SwapOutcome,
    SwapResult,
    swap,
    swap_bell_diagonal,
)
from .network.purification import (  # noqa: E402
    bbpssw,
    dejmps,
    bbpssw_bell_diagonal,
    dejmps_bell_diagonal,
)
from .network.bounds import (  # noqa: E402
    plob_bound,
    tgw_bound,
    hashing_yield,
)
from .network.chains import (  # noqa: E402
    ChainParameters,
    ChainResult,
    SimulationResult,
    repeater_chain,
    simulate_repeater_chain,
    direct_transmission_rate,
    secret_key_fraction,
    expected_max_geometric,
)
from .network.cutoff import (  # noqa: E402
    MEMORY_NOISE_MODELS,
    WaitingTimeSimulation,
    CutoffResult,
    CutoffSimulation,
    simulate_waiting_time,
    two_link_cutoff,
    simulate_cutoff,
)
from .network.orbits import (  # noqa: E402
    satellite_pass_duration_s,
)
from .qkd.asymptotic import (  # noqa: E402
    binary_entropy,
    shor_preskill_rate,
    six_state_rate,
    SHOR_PRESKILL_THRESHOLD,
    SIX_STATE_THRESHOLD,
)
from .qkd.finite_key import (  # noqa: E402
    finite_key_length,
)
from .qkd.prepare_measure import (  # noqa: E402
    QKD_PROTOCOLS,
    PrepareMeasureRun,
    simulate_bb84,
    estimate_qber,
    intercept_resend_qber,
    expected_detection_probability,
    expected_qber,
    pns_known_fraction,
)
from .qkd.entangled import (  # noqa: E402
    E91_ALICE_ANGLES,
    E91_BOB_ANGLES,
    EntangledRun,
    measurement_probabilities,
    simulate_entangled_qkd,
)
from .qkd.decoy import (  # noqa: E402
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
from .qkd.finite_decoy import (  # noqa: E402
    finite_decoy_key_rate,
)
from .qkd.mdi import (  # noqa: E402
    MDIExperiment,
    LO_CURTY_QI_2012,
    YIN_2016_ASSUMED,
    mdi_single_photon_yield,
    mdi_key_rate,
    mdi_max_distance_km,
)
from .qkd.twin_field import (  # noqa: E402
    TwinFieldExperiment,
    MA_ZENG_ZHOU_2018,
    LIU_2023_ASSUMED,
    phase_matching_key_rate,
    twin_field_max_distance_km,
)
from .qkd.continuous_variable import (  # noqa: E402
    CVExperiment,
    LODEWYCK_2007,
    ZHANG_2020_ASSUMED,
    gg02_key_rate,
    cv_max_distance_km,
)
from .qkd.repeaterless import (  # noqa: E402
    experiment_key_rate,
    experiment_max_distance_km,
    plob_crossing_km,
)
from .qkd.satellite import (  # noqa: E402
    satellite_decoy_key_rate,
    satellite_pass_key_bits,
)
from .qkd.tampering import (  # noqa: E402
    tampered_qber,
    tampered_key_rate,
    qkd_aborts,
)
from .qkd.postprocessing import (  # noqa: E402
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
from .checks import Feedback, check, exercise_labels  # noqa: E402
from . import constants  # noqa: E402,F401

__version__ = "0.1.0"

#: Names of the floors that load on first use: name -> defining module.
_LAZY = {
    "KEM_PARAMETER_SETS": "qlib.crypto.pqc",
    "SIGNATURE_PARAMETER_SETS": "qlib.crypto.pqc",
    "MEASURED_PRIMITIVES": "qlib.crypto.pqc",
    "pqc_supported": "qlib.crypto.pqc",
    "require_pqc": "qlib.crypto.pqc",
    "mlkem_keygen": "qlib.crypto.pqc",
    "mlkem_encapsulate": "qlib.crypto.pqc",
    "mlkem_decapsulate": "qlib.crypto.pqc",
    "mldsa_keygen": "qlib.crypto.pqc",
    "mldsa_sign": "qlib.crypto.pqc",
    "mldsa_verify": "qlib.crypto.pqc",
    "HybridPrivateKey": "qlib.crypto.pqc",
    "HYBRID_PUBLIC_KEY_BYTES": "qlib.crypto.pqc",
    "HYBRID_CIPHERTEXT_BYTES": "qlib.crypto.pqc",
    "hybrid_keygen": "qlib.crypto.pqc",
    "hybrid_encapsulate": "qlib.crypto.pqc",
    "hybrid_decapsulate": "qlib.crypto.pqc",
    "hybrid_combine": "qlib.crypto.pqc",
    "PrimitiveMeasurement": "qlib.crypto.pqc",
    "measure_primitive": "qlib.crypto.pqc",
    "measure_primitives": "qlib.crypto.pqc",
    "CitedSize": "qlib.crypto.pqc",
    "LITERATURE_SIZES": "qlib.crypto.pqc",
    "mosca_margin": "qlib.crypto.pqc",
    "mosca_at_risk": "qlib.crypto.pqc",
    "ResourceEstimate": "qlib.crypto.pqc",
    "RSA2048_ESTIMATES": "qlib.crypto.pqc",
    "KEMSizes": "qlib.crypto.sizes",
    "SignatureSizes": "qlib.crypto.sizes",
    "ML_KEM_SIZES": "qlib.crypto.sizes",
    "ML_DSA_SIZES": "qlib.crypto.sizes",
    "X25519_BYTES": "qlib.crypto.sizes",
    "IssuedCertificate": "qlib.crypto.pq_ca",
    "CertificateAuthority": "qlib.crypto.pq_ca",
    "write_private_pem": "qlib.crypto.pq_ca",
    "PasswordFile": "qlib.crypto.pq_passwords",
    "USERNAME_PATTERN": "qlib.crypto.pq_passwords",
    "PQ_TLS_GROUP": "qlib.crypto.pq_tls",
    "PQ_TLS_SIGNATURE": "qlib.crypto.pq_tls",
    "PSK_EXPORTER_LABEL": "qlib.crypto.pq_tls",
    "MAX_MESSAGE_BYTES": "qlib.crypto.pq_tls",
    "PSKError": "qlib.crypto.pq_tls",
    "PSKHandshakeError": "qlib.crypto.pq_tls",
    "PSKServerIdentityError": "qlib.crypto.pq_tls",
    "PSKAuthenticationError": "qlib.crypto.pq_tls",
    "PSKProtocolError": "qlib.crypto.pq_tls",
    "PSKTimeoutError": "qlib.crypto.pq_tls",
    "PSKConnectError": "qlib.crypto.pq_tls",
    "PresharedKey": "qlib.crypto.pq_tls",
    "PSKServerStats": "qlib.crypto.pq_tls",
    "PSKServer": "qlib.crypto.pq_tls",
    "request_psk": "qlib.crypto.pq_tls",
    "NODE_KINDS": "qlib.graphs.network",
    "TRUSTED_KINDS": "qlib.graphs.network",
    "FibreLink": "qlib.graphs.network",
    "SatelliteLink": "qlib.graphs.network",
    "NetworkLink": "qlib.graphs.network",
    "QuantumNetwork": "qlib.graphs.network",
    "TOKYO_LINKS_KM": "qlib.graphs.presets",
    "BACKBONE_LENGTH_KM": "qlib.graphs.presets",
    "BACKBONE_TRUSTED_RELAYS": "qlib.graphs.presets",
    "tokyo_qkd_network": "qlib.graphs.presets",
    "beijing_shanghai_backbone": "qlib.graphs.presets",
    "integrated_space_ground_network": "qlib.graphs.presets",
    "FLOW_RESOLUTION_BPS": "qlib.graphs.relay",
    "RelayPath": "qlib.graphs.relay",
    "RelayFlow": "qlib.graphs.relay",
    "OTPRelay": "qlib.graphs.relay",
    "relay_path": "qlib.graphs.relay",
    "relay_max_flow": "qlib.graphs.relay",
    "otp_relay": "qlib.graphs.relay",
    "ROUTE_METRICS": "qlib.graphs.routing",
    "EntanglementRoute": "qlib.graphs.routing",
    "TrustComparison": "qlib.graphs.routing",
    "route_chain": "qlib.graphs.routing",
    "best_route": "qlib.graphs.routing",
    "disjoint_routes": "qlib.graphs.routing",
    "trust_versus_rate": "qlib.graphs.routing",
    "ADDED_LINK_OBJECTIVES": "qlib.graphs.attacks",
    "LinkAttack": "qlib.graphs.attacks",
    "LinkCut": "qlib.graphs.attacks",
    "AddedLink": "qlib.graphs.attacks",
    "attack_link": "qlib.graphs.attacks",
    "minimum_link_cut": "qlib.graphs.attacks",
    "best_added_link": "qlib.graphs.attacks",
    "MultipathRelay": "qlib.graphs.multipath",
    "RelayCut": "qlib.graphs.multipath",
    "xor_shares": "qlib.graphs.multipath",
    "combine_shares": "qlib.graphs.multipath",
    "relay_over_disjoint_paths": "qlib.graphs.multipath",
    "minimum_relay_cut": "qlib.graphs.multipath",
    "BOOK_TEMPLATE": "qlib.viz.style",
    "BOOK_COLORWAY": "qlib.viz.style",
    "style_figure": "qlib.viz.style",
    "use_book_renderer": "qlib.viz.style",
    "Slider": "qlib.viz.explorable",
    "Choice": "qlib.viz.explorable",
    "Explorable": "qlib.viz.explorable",
    "MAX_GRID_POINTS": "qlib.viz.explorable",
    "BOOK_COLORS": "qlib.viz.figures",
    "finish": "qlib.viz.figures",
    "first_crossing": "qlib.viz.figures",
    "html_table": "qlib.viz.figures",
}

__all__ = [
    # qlib.quantum.states
    "BELL_NAMES",
    "bell_ket",
    "bell_state",
    # qlib.quantum.bell_diagonal
    "werner_state",
    "werner_coefficients",
    "bell_diagonal_state",
    "bell_diagonal_coefficients",
    "depolarize_bell_diagonal",
    "dephase_bell_diagonal",
    # qlib.quantum.channels
    "depolarizing_kraus",
    "dephasing_kraus",
    "amplitude_damping_kraus",
    "apply_kraus",
    "depolarize",
    "dephase",
    "amplitude_damp",
    # qlib.quantum.metrics
    "fidelity",
    "concurrence",
    "negativity",
    "chsh_value",
    "fully_entangled_fraction",
    "correlation",
    "chsh_expectation",
    "monogamy_tangles",
    # qlib.quantum.cloning
    "universal_clone",
    # qlib.quantum.teleportation
    "CLASSICAL_FIDELITY_LIMIT",
    "TeleportationOutcome",
    "TeleportationResult",
    "teleport",
    "teleportation_fidelity",
    "standard_teleportation_fidelity",
    "measure_and_prepare",
    "bloch_vector",
    # qlib.quantum.ghz
    "GHZ_GENUINE_THRESHOLD",
    "FusionResult",
    "ghz_ket",
    "ghz_state",
    "fuse_at_switch",
    "switch_ghz_fidelity",
    "genuine_link_fidelity",
    "fusion_success_probability",
    "conference_key_fraction",
    # qlib.constants
    "SPEED_OF_LIGHT_KM_S",
    "FIBER_GROUP_INDEX",
    # qlib.network.fibre
    "fiber_transmittance",
    "fiber_loss_db",
    "fiber_length_for_transmittance",
    "photon_arrival_rate",
    "fiber_reach_km",
    # qlib.network.detection
    "click_probability",
    "noise_click_fraction",
    # qlib.network.free_space
    "beam_divergence_rad",
    "diffraction_transmittance",
    "pointing_transmittance",
    "atmospheric_transmittance",
    "slant_range_km",
    "free_space_loss_db",
    "satellite_link_loss_db",
    # qlib.network.signalling
    "signalling_delay_s",
    # qlib.network.sources
    "spdc_pair_distribution",
    "spdc_multipair_probability",
    "spdc_single_pair_probability",
    # qlib.network.memories
    "memory_dephasing_probability",
    "memory_decoherence",
    "memory_decoherence_bell_diagonal",
    # qlib.network.swapping
    "SwapOutcome",
    "SwapResult",
    "swap",
    "swap_bell_diagonal",
    # qlib.network.purification
    "bbpssw",
    "dejmps",
    "bbpssw_bell_diagonal",
    "dejmps_bell_diagonal",
    # qlib.network.bounds
    "plob_bound",
    "tgw_bound",
    "hashing_yield",
    # qlib.network.chains
    "ChainParameters",
    "ChainResult",
    "SimulationResult",
    "repeater_chain",
    "simulate_repeater_chain",
    "direct_transmission_rate",
    "secret_key_fraction",
    "expected_max_geometric",
    # qlib.network.cutoff
    "MEMORY_NOISE_MODELS",
    "WaitingTimeSimulation",
    "CutoffResult",
    "CutoffSimulation",
    "simulate_waiting_time",
    "two_link_cutoff",
    "simulate_cutoff",
    # qlib.network.orbits
    "satellite_pass_duration_s",
    # qlib.qkd.asymptotic
    "binary_entropy",
    "shor_preskill_rate",
    "six_state_rate",
    "SHOR_PRESKILL_THRESHOLD",
    "SIX_STATE_THRESHOLD",
    # qlib.qkd.finite_key
    "finite_key_length",
    # qlib.qkd.prepare_measure
    "QKD_PROTOCOLS",
    "PrepareMeasureRun",
    "simulate_bb84",
    "estimate_qber",
    "intercept_resend_qber",
    "expected_detection_probability",
    "expected_qber",
    "pns_known_fraction",
    # qlib.qkd.entangled
    "E91_ALICE_ANGLES",
    "E91_BOB_ANGLES",
    "EntangledRun",
    "measurement_probabilities",
    "simulate_entangled_qkd",
    # qlib.qkd.decoy
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
    # qlib.qkd.finite_decoy
    "finite_decoy_key_rate",
    # qlib.qkd.mdi
    "MDIExperiment",
    "LO_CURTY_QI_2012",
    "YIN_2016_ASSUMED",
    "mdi_single_photon_yield",
    "mdi_key_rate",
    "mdi_max_distance_km",
    # qlib.qkd.twin_field
    "TwinFieldExperiment",
    "MA_ZENG_ZHOU_2018",
    "LIU_2023_ASSUMED",
    "phase_matching_key_rate",
    "twin_field_max_distance_km",
    # qlib.qkd.continuous_variable
    "CVExperiment",
    "LODEWYCK_2007",
    "ZHANG_2020_ASSUMED",
    "gg02_key_rate",
    "cv_max_distance_km",
    # qlib.qkd.repeaterless
    "experiment_key_rate",
    "experiment_max_distance_km",
    "plob_crossing_km",
    # qlib.qkd.satellite
    "satellite_decoy_key_rate",
    "satellite_pass_key_bits",
    # qlib.qkd.tampering
    "tampered_qber",
    "tampered_key_rate",
    "qkd_aborts",
    # qlib.qkd.postprocessing
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
    # qlib.checks
    "Feedback",
    "check",
    "exercise_labels",
    *_LAZY,
]


def __getattr__(name: str):
    """Load a name of :mod:`qlib.graphs`, :mod:`qlib.crypto` or :mod:`qlib.viz` on first use (PEP 562)."""
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # the next access is an ordinary attribute
        return value
    moved = importlib.import_module("qlib._moved")
    if name in moved.MOVED_MODULES:
        return importlib.import_module(f"qlib.{name}")
    raise AttributeError(f"module 'qlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


from . import _moved  # noqa: E402

_moved.install()
