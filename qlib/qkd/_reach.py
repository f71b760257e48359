r"""Where a key-rate curve ends, and where it crosses a bound: root finding over distance (private).

What :func:`qlib.qkd.decoy.max_distance_km`, the reach functions of
:mod:`qlib.qkd.mdi`, :mod:`qlib.qkd.twin_field` and
:mod:`qlib.qkd.continuous_variable`, and :func:`qlib.qkd.repeaterless.plob_crossing_km`
search with.

Conventions
-----------
Distances in km. The functions passed in are vectorised over an array of
distances and do no validation; the public functions validate.
"""

from __future__ import annotations

import numpy as np

_SUBINTERVALS = 128
_TOLERANCE_KM = 1e-3


def _last_positive_km(g, upper):
    """The distance in [0, upper] where ``g`` (positive, then not) first changes sign.

    ``g`` is the unclipped rate, scaled so that its values stay of order one (the
    callers divide by a transmittance). Vectorised rounds of 128 sub-intervals
    down to 1 m, then linear interpolation between the two samples around the
    sign change. The *first* non-positive sample is followed, so that round-off
    far beyond the reach (a rate of 1e-16 computed as a difference of order-one
    numbers) cannot pass for a key. Returns 0 if ``g(0) <= 0`` and ``inf`` if
    ``g`` is positive on the whole first grid.
    """
    lo, hi = 0.0, float(upper)
    first_round = True
    while True:
        grid = np.linspace(lo, hi, _SUBINTERVALS + 1)
        values = g(grid)
        bad = np.flatnonzero(~(values > 0))
        if first_round:
            if bad.size and bad[0] == 0:
                return 0.0
            if bad.size == 0:
                return float("inf")
            first_round = False
        stop = int(bad[0])
        lo, hi = grid[stop - 1], grid[stop]
        if hi - lo <= _TOLERANCE_KM:
            g_lo, g_hi = values[stop - 1], values[stop]
            return float(lo + (hi - lo) * g_lo / (g_lo - g_hi))


def _first_crossing_km(d, upper, samples=1024):
    """The first distance in [0, upper] where ``d`` turns from ``<= 0`` to ``> 0``.

    ``d`` is a vectorised margin (e.g. log rate minus log bound), ``-inf`` where
    the rate is zero. A scan with ``samples`` intervals finds the first positive
    sample; rounds of 128 sub-intervals then refine the bracket before it down
    to 1 m. Returns ``nan`` if no sample is positive, 0 if ``d(0) > 0``.
    """
    grid = np.linspace(0.0, float(upper), samples + 1)
    values = d(grid)
    positive = np.flatnonzero(values > 0)
    if positive.size == 0:
        return float("nan")
    first = int(positive[0])
    if first == 0:
        return 0.0
    lo, hi = grid[first - 1], grid[first]
    while hi - lo > _TOLERANCE_KM:
        sub = np.linspace(lo, hi, _SUBINTERVALS + 1)
        vals = d(sub)
        k = int(np.flatnonzero(vals > 0)[0])
        lo, hi = sub[k - 1], sub[k]
    g_lo, g_hi = d(np.array([lo, hi]))
    if np.isfinite(g_lo) and np.isfinite(g_hi) and g_hi != g_lo:
        return float(lo + (hi - lo) * (-g_lo) / (g_hi - g_lo))
    return float(hi)
