"""qlib.network.orbits: the geometry of an overhead satellite pass (km, s, degrees)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import qlib
from qlib import satellite_pass_duration_s


def test_satellite_pass_geometry():
    r, h, e_min = 6371.0, 500.0, 15.0
    t = satellite_pass_duration_s(h, e_min)
    omega = math.sqrt(398600.4418 / (r + h) ** 3)
    assert_allclose(2 * math.pi / omega / 60, 94.5, atol=0.1)  # a 500 km orbit: about 94.5 min
    # at the end of the pass the satellite is seen exactly at e_min (vector geometry)
    theta = t * omega / 2
    sat = np.array([(r + h) * math.sin(theta), (r + h) * math.cos(theta)])
    los = sat - np.array([0.0, r])
    assert_allclose(math.degrees(math.atan2(los[1], los[0])), e_min, atol=1e-9)
    # and its distance is the slant range of qlib.network.links at that elevation
    assert_allclose(np.linalg.norm(los), qlib.slant_range_km(h, e_min), rtol=1e-12)
    with pytest.raises(ValueError, match=r"min_elevation_deg must be in \(0, 90\) degrees, got 90.0"):
        satellite_pass_duration_s(500.0, 90.0)
    with pytest.raises(ValueError, match=r"altitude_km must be > 0, got -1.0"):
        satellite_pass_duration_s(-1.0)
