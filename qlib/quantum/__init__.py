"""Quantum states and operations on qubits: Bell states (:mod:`~qlib.quantum.states`),
Werner and Bell-diagonal states and their algebra (:mod:`~qlib.quantum.bell_diagonal`),
noise channels, entanglement measures, cloning, teleportation and GHZ states
shared through a switch (:mod:`~qlib.quantum.ghz`).

The old path ``qlib.states`` aliases to this package, which re-exports every name
the old module had.
"""

from .states import (
    BELL_NAMES,
    bell_ket,
    bell_state,
)
from .bell_diagonal import (
    werner_state,
    werner_coefficients,
    bell_diagonal_state,
    bell_diagonal_coefficients,
    depolarize_bell_diagonal,
    dephase_bell_diagonal,
)
from .channels import (
    depolarizing_kraus,
    dephasing_kraus,
    amplitude_damping_kraus,
    apply_kraus,
    depolarize,
    dephase,
    amplitude_damp,
)
from .metrics import (
    fidelity,
    concurrence,
    negativity,
    chsh_value,
    fully_entangled_fraction,
    correlation,
    chsh_expectation,
    monogamy_tangles,
)
from .cloning import (
    universal_clone,
)
from .teleportation import (
    CLASSICAL_FIDELITY_LIMIT,
    TeleportationOutcome,
    TeleportationResult,
    teleport,
    teleportation_fidelity,
    standard_teleportation_fidelity,
    measure_and_prepare,
    bloch_vector,
)
from .ghz import (
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

__all__ = [
    # quantum.states
    "BELL_NAMES",
    "bell_ket",
    "bell_state",
    # quantum.bell_diagonal
    "werner_state",
    "werner_coefficients",
    "bell_diagonal_state",
    "bell_diagonal_coefficients",
    "depolarize_bell_diagonal",
    "dephase_bell_diagonal",
    # quantum.channels
    "depolarizing_kraus",
    "dephasing_kraus",
    "amplitude_damping_kraus",
    "apply_kraus",
    "depolarize",
    "dephase",
    "amplitude_damp",
    # quantum.metrics
    "fidelity",
    "concurrence",
    "negativity",
    "chsh_value",
    "fully_entangled_fraction",
    "correlation",
    "chsh_expectation",
    "monogamy_tangles",
    # quantum.cloning
    "universal_clone",
    # quantum.teleportation
    "CLASSICAL_FIDELITY_LIMIT",
    "TeleportationOutcome",
    "TeleportationResult",
    "teleport",
    "teleportation_fidelity",
    "standard_teleportation_fidelity",
    "measure_and_prepare",
    "bloch_vector",
    # quantum.ghz
    "GHZ_GENUINE_THRESHOLD",
    "FusionResult",
    "ghz_ket",
    "ghz_state",
    "fuse_at_switch",
    "switch_ghz_fidelity",
    "genuine_link_fidelity",
    "fusion_success_probability",
    "conference_key_fraction",
]
