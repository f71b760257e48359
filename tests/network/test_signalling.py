"""Tests for qlib.network.signalling: the travel time of light over fibre and free space."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qlib import (
    FIBER_GROUP_INDEX,
    SPEED_OF_LIGHT_KM_S,
    signalling_delay_s,
)


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.constants
    import qlib.network
    from qlib.network import signalling as module

    assert module.__all__ == ["signalling_delay_s"]
    assert qlib.signalling_delay_s is qlib.network.signalling_delay_s is module.signalling_delay_s
    # the constants live in qlib.constants and stay flat names (they were names of qlib.links)
    for name in ("SPEED_OF_LIGHT_KM_S", "FIBER_GROUP_INDEX"):
        assert name in qlib.__all__ and name in qlib.network.__all__
        assert getattr(qlib, name) == getattr(qlib.network, name) == getattr(qlib.constants, name)


def test_signalling_delay():
    assert SPEED_OF_LIGHT_KM_S == 299792.458
    assert FIBER_GROUP_INDEX == pytest.approx(1.468, abs=1e-3)   # SMF-28 at 1550 nm
    assert signalling_delay_s(1000.0) == pytest.approx(4.897e-3, abs=1e-6)        # ~4.9 ms
    assert signalling_delay_s(1000.0, "vacuum") == pytest.approx(3.336e-3, abs=1e-6)  # ~3.3 ms
    assert signalling_delay_s(0.0) == 0.0
    out = signalling_delay_s(np.array([1.0, 10.0]), medium="vacuum")
    assert isinstance(out, np.ndarray)
    assert_allclose(out, np.array([1.0, 10.0]) / SPEED_OF_LIGHT_KM_S)


@pytest.mark.parametrize(
    "func, args, kwargs, match",
    [
        (signalling_delay_s, (-2.0,), {}, r"distance_km must be >= 0, got -2\.0"),
    ],
)
def test_bad_input_names_parameter_value_and_range(func, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(*args, **kwargs)


def test_unknown_medium_lists_the_allowed_values():
    with pytest.raises(ValueError, match=r"^medium must be one of 'fiber', 'vacuum', got 'copper'$"):
        signalling_delay_s(10.0, medium="copper")
    with pytest.raises(TypeError, match="medium must be one of"):
        signalling_delay_s(10.0, medium=None)
