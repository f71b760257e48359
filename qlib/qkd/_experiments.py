"""Validation shared by the frozen experiment classes of :mod:`qlib.qkd` (private).

:class:`~qlib.qkd.decoy.QKDExperiment`, :class:`~qlib.qkd.mdi.MDIExperiment`,
:class:`~qlib.qkd.twin_field.TwinFieldExperiment` and
:class:`~qlib.qkd.continuous_variable.CVExperiment` check their fields and make
validated copies with the same rules and the same messages.
"""

from __future__ import annotations

import dataclasses

from .._validation import check_nonnegative, check_probability, check_qber, check_real


def check_efficiency(name, value):
    """A (detector) efficiency in (0, 1]."""
    eta = check_probability(name, value)
    if eta == 0:
        raise ValueError(f"{name} must be in (0, 1], got 0.0")
    return eta


def check_dark(name, value):
    """A background click probability per pulse in [0, 1)."""
    y0 = check_probability(name, value)
    if y0 == 1:
        raise ValueError(f"{name} must be in [0, 1), got 1.0")
    return y0


def check_ec(name, value):
    """An error-correction efficiency f >= 1 (the leak is f h(E) per bit)."""
    f = check_real(name, value)
    if f < 1:
        raise ValueError(f"{name} must be >= 1 (1 is the Shannon limit), got {f!r}")
    return f


def check_name(value):
    if not isinstance(value, str):
        raise TypeError(f"name must be a str, got {type(value).__name__}")


def check_photon_counting_link(exp):
    """The fields every photon-counting fibre experiment has: fibre attenuation,
    detector efficiency, dark counts, misalignment error floor, EC efficiency, name."""
    check_nonnegative("attenuation_db_per_km", exp.attenuation_db_per_km)
    check_efficiency("detector_efficiency", exp.detector_efficiency)
    check_dark("dark_count_probability", exp.dark_count_probability)
    check_qber("error_floor", exp.error_floor)
    check_ec("ec_efficiency", exp.ec_efficiency)
    check_name(exp.name)


def replace_experiment(base, cls, changes):
    """A validated copy of the frozen experiment ``base`` (of class ``cls``) with ``changes``."""
    if not isinstance(base, cls):
        raise TypeError(f"experiment must be a {cls.__name__}, got {type(base).__name__}")
    fields = tuple(f.name for f in dataclasses.fields(cls))
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise TypeError(
            f"unknown experiment parameter {unknown[0]!r}; allowed: {', '.join(fields)}"
        )
    return dataclasses.replace(base, **changes) if changes else base
