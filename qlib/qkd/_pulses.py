r"""The weak-coherent-pulse channel model and the search over μ, shared (private).

What :mod:`qlib.qkd.decoy`, :mod:`qlib.qkd.finite_decoy`, :mod:`qlib.qkd.satellite`
and :mod:`qlib.qkd.tampering` compute with: the gain :math:`Q_\mu` and QBER
:math:`E_\mu` of coherent pulses and the yield :math:`Y_1` and error rate
:math:`e_1` of single photons in the channel model of Lo, Ma and Chen, PRL 94,
230504 (2005); the asymptotic decoy rate; the vectorised maximisation over the
signal's mean photon number μ; and the checks of μ and ν.

Conventions
-----------
Everything is per emitted pulse, with the sifting factor :math:`q = 1/2` of
BB84 included, as in :mod:`qlib.qkd.decoy`. ``exp`` is a
:class:`qlib.qkd.decoy.QKDExperiment` (only its fields are read). The helpers
take arrays of transmittance η and do no validation (the public functions
validate); ``_check_mu``, ``_check_nu`` and ``_check_nu_below_grid`` raise the
errors the public functions document.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real, check_real_array

#: Error rate of a background (dark) count: a random bit.
_E0 = 0.5


def _h(x):
    """Binary entropy of an array in [0, 1] (no checks: internal, hot path)."""
    x = np.clip(x, 1e-300, 1.0 - 1e-16)
    return -x * np.log2(x) - (1.0 - x) * np.log2(1.0 - x)


def _h_half(x):
    """Binary entropy of min(x, 1/2): a bound above 1/2 certifies nothing."""
    return _h(np.minimum(x, 0.5))


def _check_mu(name, mu):
    mu = check_real_array(name, mu)
    arr = np.asarray(mu)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 (a mean photon number), got {float(arr[arr <= 0].flat[0])!r}")
    return arr


def _out(x, scalar):
    return float(x) if scalar else np.asarray(x, dtype=float)


def _signal(eta, mu, exp):
    """Gain Q_mu and QBER E_mu of coherent pulses (Lo-Ma-Chen's channel model)."""
    y0, e_d = exp.dark_count_probability, exp.error_floor
    detected = -np.expm1(-eta * mu)
    gain = y0 + detected
    errors = _E0 * y0 + e_d * detected
    return gain, errors / gain


def _single(eta, exp):
    """Yield Y1 and error rate e1 of single photons."""
    y0, e_d = exp.dark_count_probability, exp.error_floor
    y1 = y0 + eta - y0 * eta
    return y1, (_E0 * y0 + e_d * eta) / y1


def _raw_decoy(eta, mu, exp, single=None):
    """Unclipped decoy rate; ``single`` = Y1 (1 - h(e1)) may be passed precomputed."""
    gain, qber = _signal(eta, mu, exp)
    if single is None:
        y1, e1 = _single(eta, exp)
        single = y1 * (1.0 - _h_half(e1))
    return 0.5 * (single * mu * np.exp(-mu) - exp.ec_efficiency * gain * _h(qber))


def _decoy_single_part(eta, exp):
    y1, e1 = _single(eta, exp)
    return y1 * (1.0 - _h_half(e1))


def _objective(raw, exp, eta):
    """raw(e, m) for one experiment; the decoy's mu-independent single-photon term is
    computed once for the transmittances ``eta`` (the calls pass eta in any shape)."""
    if raw is _raw_decoy:
        single = _decoy_single_part(np.asarray(eta, dtype=float), exp).reshape(-1)
        return lambda e, m: _raw_decoy(e, m, exp, single.reshape(np.shape(e)))
    return lambda e, m: raw(e, m, exp)


def _check_nu(nu):
    nu = check_real("nu", nu)
    if nu <= 0:
        raise ValueError(f"nu must be > 0 (the weak decoy's mean photon number), got {nu!r}")
    return nu


# log-spaced search grid for mu: the GLLP optimum scales like eta (tiny at long
# distance), the decoy optimum is O(1)
_MU_GRID = np.geomspace(1e-7, 2.0, 48)
_MU_MAX = float(_MU_GRID[-1])


def _check_nu_below_grid(nu):
    """With mu optimised over (nu, 2], the weak decoy must leave room below the grid's top."""
    if nu >= _MU_MAX:
        raise ValueError(
            f"nu must be in (0, {_MU_MAX:g}) when mu is optimised (mu is searched over "
            f"(nu, {_MU_MAX:g}]), got {nu!r}"
        )
    return nu


_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _maximise(raw, eta, lo=None, grid=_MU_GRID, iterations=16):
    """Vectorised max over mu of raw(eta, mu): a log grid, then golden section in log mu."""
    eta = np.asarray(eta, dtype=float)
    flat = eta.reshape(-1)
    mus = grid if lo is None else grid[grid > lo * (1.0 + 1e-9)]
    values = raw(flat[None, :], mus[:, None])
    best = np.argmax(values, axis=0)
    log_mu = np.log(mus)
    a = log_mu[np.maximum(best - 1, 0)]
    b = log_mu[np.minimum(best + 1, len(mus) - 1)]
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = raw(flat, np.exp(c)), raw(flat, np.exp(d))
    for _ in range(iterations):
        left = fc >= fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = b - _GOLDEN * (b - a)
        new_d = a + _GOLDEN * (b - a)
        c_next = np.where(left, new_c, d)
        d_next = np.where(left, c, new_d)
        f_new = raw(flat, np.exp(np.where(left, new_c, new_d)))
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = c_next, d_next
    mu_best = np.exp(np.where(fc >= fd, c, d))
    value = np.maximum(fc, fd)
    # keep the grid's best if the refinement did not improve on it (flat regions)
    grid_best = values[best, np.arange(flat.size)]
    mu_best = np.where(grid_best > value, mus[best], mu_best)
    value = np.maximum(value, grid_best)
    return value.reshape(eta.shape), mu_best.reshape(eta.shape)
