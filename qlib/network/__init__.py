"""The physical network: fibre, free-space and satellite links, detectors, classical
signalling, photon-pair sources, memories, entanglement swapping and purification,
repeaterless bounds, repeater chains, memory cutoffs and the orbits of satellite passes.

One module per concept: :mod:`~qlib.network.fibre`, :mod:`~qlib.network.detection`,
:mod:`~qlib.network.free_space`, :mod:`~qlib.network.signalling`,
:mod:`~qlib.network.sources`, :mod:`~qlib.network.memories`,
:mod:`~qlib.network.swapping`, :mod:`~qlib.network.purification`,
:mod:`~qlib.network.bounds`, :mod:`~qlib.network.chains`,
:mod:`~qlib.network.cutoff` (memories that wait, and a cutoff) and
:mod:`~qlib.network.orbits` (satellite passes). The old modules
``links`` and ``repeaters`` were split over them; this package re-exports every
name they had (the Bell-diagonal noise maps and the signalling constants from
where they now live, :mod:`qlib.quantum.bell_diagonal` and :mod:`qlib.constants`),
and the old paths ``qlib.links`` and ``qlib.repeaters`` alias to it.
"""

from ..constants import (
    SPEED_OF_LIGHT_KM_S,
    FIBER_GROUP_INDEX,
)
from ..quantum.bell_diagonal import (
    depolarize_bell_diagonal,
    dephase_bell_diagonal,
)
from .fibre import (
    fiber_transmittance,
    fiber_loss_db,
    fiber_length_for_transmittance,
    photon_arrival_rate,
    fiber_reach_km,
)
from .detection import (
    click_probability,
    noise_click_fraction,
)
from .free_space import (
    beam_divergence_rad,
    diffraction_transmittance,
    pointing_transmittance,
    atmospheric_transmittance,
    slant_range_km,
    free_space_loss_db,
    satellite_link_loss_db,
)
from .signalling import (
    signalling_delay_s,
)
from .sources import (
    spdc_pair_distribution,
    spdc_multipair_probability,
    spdc_single_pair_probability,
)
from .memories import (
    memory_dephasing_probability,
    memory_decoherence,
    memory_decoherence_bell_diagonal,
)
from .swapping import (
    SwapOutcome,
    SwapResult,
    swap,
    swap_bell_diagonal,
)
from .purification import (
    bbpssw,
    dejmps,
    bbpssw_bell_diagonal,
    dejmps_bell_diagonal,
)
from .bounds import (
    plob_bound,
    tgw_bound,
    hashing_yield,
)
from .chains import (
    ChainParameters,
    ChainResult,
    SimulationResult,
    repeater_chain,
    simulate_repeater_chain,
    direct_transmission_rate,
    secret_key_fraction,
    expected_max_geometric,
)
from .cutoff import (
    MEMORY_NOISE_MODELS,
    WaitingTimeSimulation,
    CutoffResult,
    CutoffSimulation,
    simulate_waiting_time,
    two_link_cutoff,
    simulate_cutoff,
)
from .orbits import (
    satellite_pass_duration_s,
)

__all__ = [
    # qlib.constants (re-exported: they were names of the old network.links)
    "SPEED_OF_LIGHT_KM_S",
    "FIBER_GROUP_INDEX",
    # qlib.quantum.bell_diagonal (re-exported: they were names of the old network.repeaters)
    "depolarize_bell_diagonal",
    "dephase_bell_diagonal",
    # network.fibre
    "fiber_transmittance",
    "fiber_loss_db",
    "fiber_length_for_transmittance",
    "photon_arrival_rate",
    "fiber_reach_km",
    # network.detection
    "click_probability",
    "noise_click_fraction",
    # network.free_space
    "beam_divergence_rad",
    "diffraction_transmittance",
    "pointing_transmittance",
    "atmospheric_transmittance",
    "slant_range_km",
    "free_space_loss_db",
    "satellite_link_loss_db",
    # network.signalling
    "signalling_delay_s",
    # network.sources
    "spdc_pair_distribution",
    "spdc_multipair_probability",
    "spdc_single_pair_probability",
    # network.memories
    "memory_dephasing_probability",
    "memory_decoherence",
    "memory_decoherence_bell_diagonal",
    # network.swapping
    "SwapOutcome",
    "SwapResult",
    "swap",
    "swap_bell_diagonal",
    # network.purification
    "bbpssw",
    "dejmps",
    "bbpssw_bell_diagonal",
    "dejmps_bell_diagonal",
    # network.bounds
    "plob_bound",
    "tgw_bound",
    "hashing_yield",
    # network.chains
    "ChainParameters",
    "ChainResult",
    "SimulationResult",
    "repeater_chain",
    "simulate_repeater_chain",
    "direct_transmission_rate",
    "secret_key_fraction",
    "expected_max_geometric",
    # network.cutoff
    "MEMORY_NOISE_MODELS",
    "WaitingTimeSimulation",
    "CutoffResult",
    "CutoffSimulation",
    "simulate_waiting_time",
    "two_link_cutoff",
    "simulate_cutoff",
    # network.orbits
    "satellite_pass_duration_s",
]
