"""Quantum states and operations on qubits: Bell, Werner and Bell-diagonal states, noise
channels, entanglement measures, cloning and teleportation.
"""

from .states import (
    BELL_NAMES,
    bell_ket,
    bell_state,
    werner_state,
    bell_diagonal_state,
    bell_diagonal_coefficients,
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

__all__ = [
    # quantum.states
    "BELL_NAMES",
    "bell_ket",
    "bell_state",
    "werner_state",
    "bell_diagonal_state",
    "bell_diagonal_coefficients",
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
]
