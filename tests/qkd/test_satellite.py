"""qlib.qkd.satellite: decoy BB84 from a satellite (bits per pulse, bits per pass)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import qlib
from qlib import (
    GYS_2004,
    MICIUS_2017,
    decoy_bb84_key_rate,
    satellite_decoy_key_rate,
    satellite_pass_duration_s,
    satellite_pass_key_bits,
)


def test_satellite_rate_rises_with_elevation_and_beats_fibre():
    elev = np.array([15.0, 20.0, 30.0, 45.0, 60.0, 90.0])
    r = satellite_decoy_key_rate(elev)
    assert np.all(np.diff(r) > 0) and r[0] > 0
    # at 1,200 km slant range [Liao 2017 obtained kHz keys], fibre gives nothing
    assert decoy_bb84_key_rate(1200.0, experiment=GYS_2004) == 0.0
    assert MICIUS_2017.wavelength_nm == 850.0  # Liao et al. 2017: 850 nm decoy BB84
    # the rate is the decoy rate at the link's transmittance
    loss = qlib.satellite_link_loss_db(500.0, 40.0, wavelength_nm=850.0, system_loss_db=25.0)
    eta = MICIUS_2017.detector_efficiency * 10 ** (-loss / 10)
    expected = decoy_bb84_key_rate(0.0, mu=0.5, experiment=MICIUS_2017, extra_loss_db=loss)
    assert_allclose(satellite_decoy_key_rate(40.0, mu=0.5), expected, rtol=1e-12)
    assert_allclose(MICIUS_2017.replace(extra_loss_db=loss).transmittance(0.0), eta, rtol=1e-12)


def test_satellite_pass_key_bits():
    h, e_min = 500.0, 15.0
    t = satellite_pass_duration_s(h, e_min)  # tests/network/test_orbits.py checks the geometry
    bits = satellite_pass_key_bits(1e8, h, e_min)
    assert_allclose(satellite_pass_key_bits(2e8, h, e_min), 2 * bits, rtol=1e-12)
    assert satellite_pass_key_bits(1e8, h, 10.0) > bits > satellite_pass_key_bits(1e8, h, 30.0)
    # bounded by the duration times the zenith rate
    assert bits < t * 1e8 * satellite_decoy_key_rate(90.0)
    assert bits > t * 1e8 * satellite_decoy_key_rate(e_min)
    with pytest.raises(ValueError, match=r"pulse_rate_hz must be > 0, got 0.0"):
        satellite_pass_key_bits(0.0)


# --- bad input ----------------------------------------------------------------

def test_satellite_bad_input():
    with pytest.raises(ValueError, match=r"elevation_deg must be in \(0, 90\].*95"):
        satellite_decoy_key_rate(95.0)
