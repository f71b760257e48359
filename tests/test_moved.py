"""Tests for qlib._moved: the old module paths still import, with a DeprecationWarning,
and keep every name they had before the split (checked for the modules whose names were
split over several new modules)."""

import importlib
import sys

import pytest

# The public names of the old modules, as their __all__ read before the split.
OLD_NAMES = {
    "links": [
        "fiber_transmittance", "fiber_loss_db", "fiber_length_for_transmittance", "photon_arrival_rate",
        "fiber_reach_km", "click_probability", "noise_click_fraction", "beam_divergence_rad",
        "diffraction_transmittance", "pointing_transmittance", "atmospheric_transmittance",
        "slant_range_km", "free_space_loss_db", "satellite_link_loss_db", "SPEED_OF_LIGHT_KM_S",
        "FIBER_GROUP_INDEX", "signalling_delay_s", "memory_dephasing_probability",
    ],
    "repeaters": [
        "SwapOutcome", "SwapResult", "swap", "bbpssw", "dejmps", "memory_decoherence",
        "swap_bell_diagonal", "bbpssw_bell_diagonal", "dejmps_bell_diagonal",
        "depolarize_bell_diagonal", "dephase_bell_diagonal", "memory_decoherence_bell_diagonal",
        "plob_bound", "tgw_bound", "hashing_yield",
    ],
    "states": [
        "BELL_NAMES", "bell_ket", "bell_state", "werner_state", "bell_diagonal_state",
        "bell_diagonal_coefficients",
    ],
}
TARGETS = {"links": "qlib.network", "repeaters": "qlib.network", "states": "qlib.quantum",
           "chains": "qlib.network.chains", "sources": "qlib.network.sources"}


@pytest.mark.parametrize("old", sorted(TARGETS))
def test_old_path_warns_and_is_the_new_module(old, monkeypatch):
    import qlib

    monkeypatch.delitem(sys.modules, f"qlib.{old}", raising=False)
    monkeypatch.delitem(vars(qlib), old, raising=False)  # delattr would import it via __getattr__
    with pytest.warns(DeprecationWarning, match=rf"qlib\.{old} moved to {TARGETS[old]}"):
        module = importlib.import_module(f"qlib.{old}")
    assert module is importlib.import_module(TARGETS[old])
    for name in OLD_NAMES.get(old, []):
        assert getattr(module, name) is getattr(qlib, name), name
