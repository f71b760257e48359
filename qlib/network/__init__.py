"""The physical network: fibre, free-space and satellite links, detectors, photon-pair
sources, memories, entanglement swapping and purification, repeater chains and the
repeaterless bounds, and the orbits of satellite passes.
"""

from .links import (
    fiber_transmittance,
    fiber_loss_db,
    fiber_length_for_transmittance,
    photon_arrival_rate,
    fiber_reach_km,
    click_probability,
    noise_click_fraction,
    beam_divergence_rad,
    diffraction_transmittance,
    pointing_transmittance,
    atmospheric_transmittance,
    slant_range_km,
    free_space_loss_db,
    satellite_link_loss_db,
    SPEED_OF_LIGHT_KM_S,
    FIBER_GROUP_INDEX,
    signalling_delay_s,
    memory_dephasing_probability,
)
from .sources import (
    spdc_pair_distribution,
    spdc_multipair_probability,
    spdc_single_pair_probability,
)
from .repeaters import (
    SwapOutcome,
    SwapResult,
    swap,
    bbpssw,
    dejmps,
    memory_decoherence,
    swap_bell_diagonal,
    bbpssw_bell_diagonal,
    dejmps_bell_diagonal,
    depolarize_bell_diagonal,
    dephase_bell_diagonal,
    memory_decoherence_bell_diagonal,
    plob_bound,
    tgw_bound,
    hashing_yield,
)
from .chains import (
    ChainResult,
    SimulationResult,
    repeater_chain,
    simulate_repeater_chain,
    direct_transmission_rate,
    secret_key_fraction,
    expected_max_geometric,
)
from .orbits import (
    satellite_pass_duration_s,
)

__all__ = [
    # network.links
    "fiber_transmittance",
    "fiber_loss_db",
    "fiber_length_for_transmittance",
    "photon_arrival_rate",
    "fiber_reach_km",
    "click_probability",
    "noise_click_fraction",
    "beam_divergence_rad",
    "diffraction_transmittance",
    "pointing_transmittance",
    "atmospheric_transmittance",
    "slant_range_km",
    "free_space_loss_db",
    "satellite_link_loss_db",
    "SPEED_OF_LIGHT_KM_S",
    "FIBER_GROUP_INDEX",
    "signalling_delay_s",
    "memory_dephasing_probability",
    # network.sources
    "spdc_pair_distribution",
    "spdc_multipair_probability",
    "spdc_single_pair_probability",
    # network.repeaters
    "SwapOutcome",
    "SwapResult",
    "swap",
    "bbpssw",
    "dejmps",
    "memory_decoherence",
    "swap_bell_diagonal",
    "bbpssw_bell_diagonal",
    "dejmps_bell_diagonal",
    "depolarize_bell_diagonal",
    "dephase_bell_diagonal",
    "memory_decoherence_bell_diagonal",
    "plob_bound",
    "tgw_bound",
    "hashing_yield",
    # network.chains
    "ChainResult",
    "SimulationResult",
    "repeater_chain",
    "simulate_repeater_chain",
    "direct_transmission_rate",
    "secret_key_fraction",
    "expected_max_geometric",
    # network.orbits
    "satellite_pass_duration_s",
]
