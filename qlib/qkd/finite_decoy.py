r"""Decoy BB84 with a finite number of pulses (Lim et al. 2014): secret bits per pulse sent.

:func:`finite_decoy_key_rate` applies the finite-size bounds of Lim, Curty,
Walenta, Xu and Zbinden, PRA 89, 022307 (2014), to the weak-pulse link of
:mod:`qlib.qkd.decoy`.

Conventions
-----------
The rate is the key length divided by the number N of pulses Alice sends
(bits per pulse sent, with the basis sifting included), the unit of
:mod:`qlib.qkd.decoy`; ``n_pulses=numpy.inf`` gives the asymptotic limit of
the same three-intensity protocol. Distances in km. Introduced in the chapter
*QKD over distance, and its attacks*.
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    check_probability,
    check_real,
)
from ._pulses import (
    _check_mu,
    _check_nu,
    _check_nu_below_grid,
    _h,
    _h_half,
    _maximise,
    _out,
    _signal,
)
from .decoy import _setup

__all__ = ["finite_decoy_key_rate"]


def finite_decoy_key_rate(
    distance_km,
    n_pulses,
    mu=None,
    nu=0.1,
    *,
    p_mu=0.7,
    p_nu=0.2,
    basis_bias=2**-0.5,
    eps_sec=1e-10,
    eps_cor=1e-15,
    experiment=None,
    **overrides,
):
    r"""Decoy BB84 key rate for a finite number of pulses (Lim et al. 2014 bounds).

    Alice sends ``n_pulses`` pulses of intensities μ (probability
    :math:`p_\mu`), ν (:math:`p_\nu`) and the vacuum (the rest), in the key
    basis X with probability :math:`q_x` (``basis_bias``) and in Z otherwise.
    The key comes from the X events of all intensities, the phase error from
    the Z errors. With the expected counts of the channel model as the
    observed ones, the key length is

    .. math::

        \ell = s_{X,0} + s_{X,1}\left[1 - h(\phi_X)\right] - \lambda_{\rm EC}
               - 6\log_2\frac{21}{\epsilon_{\rm sec}} - \log_2\frac{2}{\epsilon_{\rm cor}},

    where the vacuum and single-photon counts :math:`s_{X,0}, s_{X,1}`, the
    single-photon bit errors :math:`v_{Z,1}` and the phase error rate

    .. math::

        \phi_X \le \frac{v_{Z,1}}{s_{Z,1}}
              + \gamma\!\left(\epsilon_{\rm sec}, \frac{v_{Z,1}}{s_{Z,1}}, s_{Z,1}, s_{X,1}\right),
        \quad
        \gamma(a,b,c,d) = \sqrt{\frac{(c+d)(1-b)b}{cd\ln 2}
              \log_2\!\left(\frac{c+d}{cd(1-b)b}\frac{21^2}{a^2}\right)}

    are Lim et al.'s Eqs. (2)–(5), with Hoeffding deviations
    :math:`\sqrt{(n/2)\ln(21/\epsilon_{\rm sec})}` on every count, and
    :math:`\lambda_{\rm EC} = f\,n_X\,h(E_X)`. The rate is :math:`\ell/N`.

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    n_pulses : float
        Number N of pulses Alice sends, ``> 0`` (e.g. ``1e10``); ``numpy.inf``
        gives the asymptotic limit of the same protocol.
    mu : float, optional
        Signal intensity, ``> nu``; ``None`` optimises it at each distance.
    nu : float, default 0.1
        Weak decoy intensity, ``> 0``.
    p_mu, p_nu : float, defaults 0.7, 0.2
        Probabilities of the signal and weak decoy, in (0, 1), with
        :math:`p_\mu + p_\nu < 1` (the vacuum takes the rest).
    basis_bias : float, default 1/√2
        Probability :math:`q_x` in (0, 1) of the key basis for Alice and
        Bob alike; the default makes the key-basis sifting factor
        :math:`q_x^2 = 1/2`, the q of the asymptotic functions.
    eps_sec, eps_cor : float, defaults 1e-10, 1e-15
        Secrecy and correctness parameters, in (0, 1).
    experiment : QKDExperiment, optional
        The link; default :data:`qlib.GYS_2004`.
    **overrides
        Any :class:`qlib.QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per pulse sent, ``>= 0``.

    Raises
    ------
    ValueError
        Negative distance, non-positive ``n_pulses`` (``-inf`` included), intensities
        that break :math:`\mu > \nu > 0`, ``nu >= 2`` with μ optimised,
        probabilities outside their ranges.

    Notes
    -----
    Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307 (2014), Eqs. (1)–(5),
    with the third intensity :math:`\mu_3 = 0` (the vacuum), so that
    :math:`\mu_1 > \mu_2 + \mu_3` and :math:`\mu_2 > \mu_3` hold whenever
    μ > ν > 0. Model choices made here, not in the paper: the observed
    counts are the expectations of the Lo–Ma–Chen channel model (no
    fluctuation is simulated), only μ is optimised (the paper optimises
    :math:`q_x`, the probabilities and both intensities too), and no abort
    threshold is applied. The finite-size cost shrinks roughly as
    :math:`1/\sqrt{N}`. Introduced in the chapter *QKD over distance, and
    its attacks*.

    Examples
    --------
    >>> from qlib import finite_decoy_key_rate
    >>> f"{finite_decoy_key_rate(50.0, 1e10):.2e}"
    '5.82e-05'
    >>> finite_decoy_key_rate(50.0, 1e6)    # a million pulses: no key
    0.0
    """
    exp, eta, scalar = _setup(distance_km, experiment, overrides)
    if isinstance(n_pulses, (float, np.floating)) and n_pulses == np.inf:
        n = np.inf
    else:
        n = check_real("n_pulses", n_pulses)
        if not n > 0:
            raise ValueError(f"n_pulses must be > 0 (or numpy.inf for the asymptotic limit), got {n!r}")
    nu = _check_nu(nu)
    if mu is None:
        _check_nu_below_grid(nu)
    p_mu = check_probability("p_mu", p_mu)
    p_nu = check_probability("p_nu", p_nu)
    if not (0 < p_mu < 1 and 0 < p_nu < 1 and p_mu + p_nu < 1):
        raise ValueError(
            f"p_mu and p_nu must be in (0, 1) with p_mu + p_nu < 1 (the vacuum takes the rest), "
            f"got p_mu={p_mu!r}, p_nu={p_nu!r}"
        )
    q_x = check_probability("basis_bias", basis_bias)
    if not 0 < q_x < 1:
        raise ValueError(f"basis_bias must be in (0, 1), got {q_x!r}")
    for name, eps in (("eps_sec", eps_sec), ("eps_cor", eps_cor)):
        eps = check_probability(name, eps)
        if not 0 < eps < 1:
            raise ValueError(f"{name} must be in (0, 1), got {eps!r}")
    probs = (p_mu, p_nu, 1.0 - p_mu - p_nu)

    def raw(e, m):
        return _lim_rate(e, m, nu, probs, q_x, n, eps_sec, eps_cor, exp)

    if mu is None:
        value, _ = _maximise(raw, eta, lo=nu)
    else:
        m = _check_mu("mu", mu)
        if np.any(m <= nu):
            raise ValueError(f"mu must be > nu = {nu!r}, got {float(m[m <= nu].flat[0])!r}")
        value = raw(eta, m)
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)


def _lim_rate(eta, mu, nu, probs, q_x, n, eps_sec, eps_cor, exp):
    """Lim et al. (2014) Eqs. (1)-(5) with intensities (mu, nu, 0); rate per pulse."""
    t = _lim_terms(eta, mu, nu, probs, q_x, n, eps_sec, eps_cor, exp)
    return t["length"] / t["n_eff"]


def _lim_terms(eta, mu, nu, probs, q_x, n, eps_sec, eps_cor, exp):
    """The terms of Lim et al.'s key length (counts, or per pulse if n is infinite)."""
    eta, mu = np.broadcast_arrays(np.asarray(eta, float), np.asarray(mu, float))
    p1, p2, p3 = probs
    ks = (mu, np.full_like(mu, nu), np.zeros_like(mu))
    ps = (p1, p2, p3)
    gains, errs = [], []
    for k in ks:
        g, e = _signal(eta, k, exp)
        gains.append(g)
        errs.append(e * g)
    finite = np.isfinite(n)
    n_eff = n if finite else 1.0
    # expected counts per basis and intensity (asymptotically: per pulse)
    x_counts = [n_eff * q_x**2 * p * g for p, g in zip(ps, gains)]
    z_counts = [n_eff * (1 - q_x) ** 2 * p * g for p, g in zip(ps, gains)]
    z_errors = [n_eff * (1 - q_x) ** 2 * p * r for p, r in zip(ps, errs)]
    x_errors = [n_eff * q_x**2 * p * r for p, r in zip(ps, errs)]
    log_term = np.log(21.0 / eps_sec)

    def dev(total):
        return np.sqrt(total / 2.0 * log_term) if finite else 0.0

    def bounds(counts):
        d = dev(sum(counts))
        lower = [np.exp(k) / p * (c - d) for k, p, c in zip(ks, ps, counts)]
        upper = [np.exp(k) / p * (c + d) for k, p, c in zip(ks, ps, counts)]
        return lower, upper

    tau0 = sum(p * np.exp(-k) for k, p in zip(ks, ps))
    tau1 = sum(p * np.exp(-k) * k for k, p in zip(ks, ps))
    m1, m2, m3 = ks

    def vacuum_and_single(counts):
        lo, up = bounds(counts)
        s0 = np.maximum(tau0 * (m2 * lo[2] - m3 * up[1]) / (m2 - m3), 0.0)
        s1 = tau1 * m1 * (lo[1] - up[2] - (m2**2 - m3**2) / m1**2 * (up[0] - s0 / tau0)) / (
            m1 * (m2 - m3) - m2**2 + m3**2
        )
        return s0, np.maximum(s1, 0.0)

    s_x0, s_x1 = vacuum_and_single(x_counts)
    _, s_z1 = vacuum_and_single(z_counts)
    lo_e, up_e = bounds(z_errors)
    v_z1 = np.maximum(tau1 * (up_e[1] - lo_e[2]) / (m2 - m3), 0.0)
    ok = (s_z1 > 0) & (s_x1 > 0)
    b = np.where(ok, v_z1 / np.where(ok, s_z1, 1.0), 0.5)
    b = np.clip(b, 1e-300, 0.5)
    if finite:
        c, d = np.where(ok, s_z1, 1.0), np.where(ok, s_x1, 1.0)
        arg = (c + d) / (c * d * (1 - b) * b) * 21.0**2 / eps_sec**2
        gamma = np.sqrt(np.maximum((c + d) * (1 - b) * b / (c * d * np.log(2.0)) * np.log2(arg), 0.0))
    else:
        gamma = 0.0
    phi = np.where(ok, np.minimum(b + gamma, 0.5), 0.5)
    n_x = sum(x_counts)
    e_x = sum(x_errors) / n_x
    leak = exp.ec_efficiency * n_x * _h(e_x)
    cost = (6.0 * np.log2(21.0 / eps_sec) + np.log2(2.0 / eps_cor)) if finite else 0.0
    length = s_x0 + s_x1 * (1.0 - _h_half(phi)) - leak - cost
    return dict(s_x0=s_x0, s_x1=s_x1, s_z1=s_z1, v_z1=v_z1, phi=phi, n_x=n_x, e_x=e_x,
                leak=leak, cost=cost, length=length, n_eff=n_eff)
