r"""Weak coherent pulses over fibre: BB84 key rates per emitted pulse, with and without decoys.

Introduced in the chapter *QKD over distance, and its attacks*:

- the experiment: :class:`QKDExperiment`, presets :data:`GYS_2004` (Gobby,
  Yuan and Shields 2004, the parameters of Lo–Ma–Chen),
  :data:`BEST_PARTS_ASSUMED` (an assumed modern link) and :data:`MICIUS_2017`
  (a Micius-like downlink, assumed receiver values);
- rates vs distance: :func:`single_photon_key_rate`, :func:`gllp_key_rate`,
  :func:`decoy_bb84_key_rate`, :func:`vacuum_weak_decoy_key_rate`;
  :func:`optimal_mu`, :func:`max_distance_km`.

Conventions
-----------
These rates are *secret bits per pulse emitted by Alice*, including the
sifting factor :math:`q = 1/2` of BB84, exactly as in Lo, Ma and Chen, PRL 94,
230504 (2005) (not per sifted bit, the unit of :mod:`qlib.qkd.asymptotic`);
distances in km, losses in dB; scalar in, ``float`` out, array in, array out.
The same experiment and channel model serve the finite-size
(:mod:`qlib.qkd.finite_decoy`), satellite (:mod:`qlib.qkd.satellite`) and
tampering (:mod:`qlib.qkd.tampering`) rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import (
    check_broadcastable,
    check_choice,
    check_nonnegative,
    check_nonnegative_array,
    check_positive,
)
from ._experiments import check_photon_counting_link, replace_experiment
from ._pulses import (
    _E0,
    _check_mu,
    _check_nu,
    _check_nu_below_grid,
    _h,
    _h_half,
    _maximise,
    _objective,
    _out,
    _raw_decoy,
    _signal,
    _single,
)
from ._reach import _last_positive_km

__all__ = [
    "QKDExperiment",
    "GYS_2004",
    "BEST_PARTS_ASSUMED",
    "MICIUS_2017",
    "single_photon_key_rate",
    "gllp_key_rate",
    "decoy_bb84_key_rate",
    "vacuum_weak_decoy_key_rate",
    "optimal_mu",
    "max_distance_km",
]


@dataclass(frozen=True)
class QKDExperiment:
    r"""The parameters of a weak-coherent-pulse BB84 link, as in Lo, Ma and Chen (2005).

    Parameters
    ----------
    attenuation_db_per_km : float, default 0.21
        Fibre attenuation α in dB/km, ``>= 0``.
    detector_efficiency : float, default 0.045
        :math:`\eta_{\rm Bob}` in (0, 1]: Bob's internal transmittance times his
        detector efficiency.
    dark_count_probability : float, default 1.7e-6
        :math:`Y_0` in [0, 1): the probability of a click per pulse with no
        signal (dark counts and stray light), both detectors together.
    error_floor : float, default 0.033
        :math:`e_{\rm detector}` in [0, 0.5]: the probability that a signal
        photon hits the wrong detector (optical misalignment, interferometer
        visibility).
    ec_efficiency : float, default 1.22
        :math:`f(E) \ge 1`: error correction leaks :math:`f\,h(E)` bits per
        sifted bit (1 is the Shannon limit).
    extra_loss_db : float, default 0.0
        A fixed loss in dB, ``>= 0``, added to the fibre (connectors, or a
        tampering adversary; the satellite functions put the link loss here).
    wavelength_nm : float, default 1550.0
        Wavelength in nm (recorded, not used by the fibre formulas).
    name : str
        A label for figures.

    Notes
    -----
    The overall transmittance of a link of length :math:`L` is
    :math:`\eta = \eta_{\rm Bob}\,10^{-(\alpha L + \text{extra})/10}`.
    Defaults: the experiment of Gobby, Yuan and Shields, APL 84, 3762 (2004),
    in the form Lo, Ma and Chen use it (their "GYS" column): 1550 nm,
    α = 0.21 dB/km, :math:`e_{\rm detector} = 3.3\,\%`,
    :math:`Y_0 = 1.7\times10^{-6}`, :math:`\eta_{\rm Bob} = 4.5\,\%`, and
    :math:`f(E) = 1.22`. Introduced in the chapter *QKD over distance, and its
    attacks*.

    Examples
    --------
    >>> from qlib import GYS_2004
    >>> GYS_2004.attenuation_db_per_km, GYS_2004.detector_efficiency
    (0.21, 0.045)
    >>> GYS_2004.replace(error_floor=0.01).error_floor
    0.01
    """

    attenuation_db_per_km: float = 0.21
    detector_efficiency: float = 0.045
    dark_count_probability: float = 1.7e-6
    error_floor: float = 0.033
    ec_efficiency: float = 1.22
    extra_loss_db: float = 0.0
    wavelength_nm: float = 1550.0
    name: str = "GYS 2004"

    def __post_init__(self):
        check_photon_counting_link(self)
        check_nonnegative("extra_loss_db", self.extra_loss_db)
        check_positive("wavelength_nm", self.wavelength_nm)

    def replace(self, **changes) -> "QKDExperiment":
        """A copy with some parameters changed (validated again)."""
        return _experiment(self, changes)

    def transmittance(self, distance_km):
        r"""Overall transmittance :math:`\eta` (channel and Bob) at ``distance_km``."""
        length = check_nonnegative_array("distance_km", distance_km)
        loss = self.attenuation_db_per_km * np.asarray(length) + self.extra_loss_db
        eta = self.detector_efficiency * np.power(10.0, -loss / 10.0)
        return float(eta) if np.ndim(length) == 0 else eta


#: Gobby, Yuan, Shields, APL 84, 3762 (2004), as used by Lo, Ma, Chen (2005).
GYS_2004 = QKDExperiment()

#: "Today's best parts", an *assumed* modern fibre link: ultra-low-loss fibre
#: (0.16 dB/km), superconducting detectors (80 % efficiency, 1e-7 background
#: clicks per pulse) and a 0.5 % error floor, with GYS's other values. Round
#: numbers of the kind recent records use (e.g. Boaron et al., PRL 121, 190502
#: (2018)), not any one experiment's; the chapters *QKD over distance, and its
#: attacks* and *Post-quantum vs quantum cryptography* compare it with GYS_2004.
BEST_PARTS_ASSUMED = QKDExperiment(
    attenuation_db_per_km=0.16,
    detector_efficiency=0.8,
    dark_count_probability=1e-7,
    error_floor=0.005,
    name="today's best parts (assumed)",
)

#: A Micius-like satellite downlink (850 nm decoy BB84, Liao et al. 2017). The
#: receiver numbers are *assumed* round values, not the paper's: the fibre
#: attenuation is unused (the link loss comes from qlib.satellite_link_loss_db).
MICIUS_2017 = QKDExperiment(
    attenuation_db_per_km=0.0,
    detector_efficiency=0.5,
    dark_count_probability=1e-6,
    error_floor=0.01,
    ec_efficiency=1.16,
    wavelength_nm=850.0,
    name="Micius-like downlink (assumed receiver)",
)


def _experiment(base, changes):
    return replace_experiment(base, QKDExperiment, changes)


def _setup(distance_km, experiment, overrides):
    exp = _experiment(GYS_2004 if experiment is None else experiment, overrides)
    length = check_nonnegative_array("distance_km", distance_km)
    return exp, np.asarray(exp.transmittance(length), dtype=float), np.ndim(length) == 0


def _raw_gllp(eta, mu, exp):
    gain, qber = _signal(eta, mu, exp)
    p_multi = -np.expm1(-mu) - mu * np.exp(-mu)
    untagged = gain - p_multi
    safe = np.where(untagged > 0, untagged, 1.0)
    e1 = np.where(untagged > 0, qber * gain / safe, 0.5)
    secret = np.where(untagged > 0, untagged * (1.0 - _h_half(e1)), 0.0)
    return 0.5 * (secret - exp.ec_efficiency * gain * _h(qber))


def _vw_bounds(eta, mu, nu, exp):
    """Lower bound on Y1 and upper bound on e1 from the vacuum and a weak decoy nu."""
    y0 = exp.dark_count_probability
    q_mu, e_mu = _signal(eta, mu, exp)
    q_nu, e_nu = _signal(eta, nu, exp)
    y1_low = mu / (mu * nu - nu**2) * (
        q_nu * np.exp(nu) - q_mu * np.exp(mu) * nu**2 / mu**2 - (mu**2 - nu**2) / mu**2 * y0
    )
    y1_low = np.maximum(y1_low, 0.0)
    safe = np.where(y1_low > 0, y1_low, 1.0)
    # the numerator is >= 0 in this channel model: E_nu Q_nu e^nu >= e0 Y0 e^nu >= e0 Y0
    e1_up = np.where(y1_low > 0, (e_nu * q_nu * np.exp(nu) - _E0 * y0) / (safe * nu), 0.5)
    # an upper bound above 1/2 certifies nothing: capping it at 1/2 is the standard
    # convention (h(1/2) = 1), not a loss of information
    return q_mu, e_mu, y1_low, np.minimum(e1_up, 0.5)


def _raw_vacuum_weak(eta, mu, exp, nu):
    q_mu, e_mu, y1_low, e1_up = _vw_bounds(eta, mu, nu, exp)
    q1 = y1_low * mu * np.exp(-mu)
    return 0.5 * (q1 * (1.0 - _h_half(e1_up)) - exp.ec_efficiency * q_mu * _h(e_mu))


def _rate(raw, distance_km, mu, experiment, overrides, lo=None):
    exp, eta, scalar = _setup(distance_km, experiment, overrides)
    fn = _objective(raw, exp, eta)
    if mu is None:
        value, _ = _maximise(fn, eta, lo)
    else:
        m = _check_mu("mu", mu)
        check_broadcastable(distance_km=distance_km, mu=m)
        value = fn(eta, m)
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)


def single_photon_key_rate(distance_km, *, experiment=None, **overrides):
    r"""BB84 key rate with an ideal single-photon source, in bits per pulse.

    .. math::

        R_{\rm SP} = q\,Y_1\left[1 - f(e_1)\,h(e_1) - h(e_1)\right],\qquad
        Y_1 = Y_0 + \eta - Y_0\eta,\quad
        e_1 = \frac{e_0 Y_0 + e_{\rm detector}\,\eta}{Y_1},

    with :math:`q = 1/2`, :math:`e_0 = 1/2`, :math:`h` the binary entropy and
    :math:`\eta` the overall transmittance (:meth:`QKDExperiment.transmittance`).

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    experiment : QKDExperiment, optional
        The link; default :data:`GYS_2004`.
    **overrides
        Any :class:`QKDExperiment` field, e.g. ``error_floor=0.01``.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per emitted pulse, ``>= 0`` (zero where no key is possible).

    Raises
    ------
    ValueError
        Negative distance, or an experiment parameter out of range.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    The Shor–Preskill rate :math:`1 - 2h(Q)` generalised to one-way error
    correction of efficiency :math:`f \ge 1`, for a source that always emits
    exactly one photon: the benchmark that weak pulses with decoys approach.
    Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import single_photon_key_rate
    >>> f"{single_photon_key_rate(100.0):.3e}"
    '9.192e-05'
    """
    exp, eta, scalar = _setup(distance_km, experiment, overrides)
    y1, e1 = _single(eta, exp)
    rate = 0.5 * y1 * (1.0 - _h_half(e1) - exp.ec_efficiency * _h(e1))
    return _out(np.maximum(rate, 0.0), scalar)


def gllp_key_rate(distance_km, mu=None, *, experiment=None, **overrides):
    r"""Weak-coherent BB84 without decoy states (GLLP), in bits per emitted pulse.

    .. math::

        R_{\rm GLLP} = q\left\{-Q_\mu f(E_\mu) h(E_\mu)
            + Q_\mu(1-\Delta)\left[1 - h\!\left(\frac{E_\mu}{1-\Delta}\right)\right]\right\},
        \qquad \Delta = \frac{P_{\rm multi}}{Q_\mu},

    with :math:`P_{\rm multi} = 1 - (1+\mu)e^{-\mu}` the probability that a
    pulse holds two or more photons and

    .. math::

        Q_\mu = Y_0 + 1 - e^{-\eta\mu},\qquad
        E_\mu Q_\mu = e_0 Y_0 + e_{\rm detector}\left(1 - e^{-\eta\mu}\right).

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    mu : float or array_like, optional
        Mean photon number of the signal pulses, ``> 0``; ``None`` (default)
        maximises the rate over μ at each distance.
    experiment : QKDExperiment, optional
        The link; default :data:`GYS_2004`.
    **overrides
        Any :class:`QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per emitted pulse, ``>= 0``.

    Raises
    ------
    ValueError
        Negative distance, ``mu <= 0``, a parameter out of range.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    Gottesman, Lo, Lütkenhaus, Preskill, Quantum Inf. Comput. 4, 325 (2004),
    in the form of Lo, Ma and Chen, PRL 94, 230504 (2005). Without decoys
    Alice and Bob must assume the worst: every multi-photon pulse reached Bob
    (a photon-number-splitting adversary keeps a copy of each), all of them
    are insecure (tagged), and all errors sit on the untagged detections. The
    untagged fraction :math:`1-\Delta` must stay positive, so μ must be of the
    order of η: the rate falls as :math:`\eta^2` and the reach is short.
    Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import gllp_key_rate
    >>> f"{gllp_key_rate(10.0):.2e}"
    '5.55e-05'
    """
    return _rate(_raw_gllp, distance_km, mu, experiment, overrides)


def decoy_bb84_key_rate(distance_km, mu=None, *, experiment=None, **overrides):
    r"""Decoy-state BB84 with infinitely many decoys (Lo–Ma–Chen), bits per emitted pulse.

    .. math::

        R = q\left\{-Q_\mu f(E_\mu) h(E_\mu) + Q_1\left[1 - h(e_1)\right]\right\},
        \qquad Q_1 = Y_1\,\mu e^{-\mu},

    with :math:`Q_\mu, E_\mu` as in :func:`gllp_key_rate` and :math:`Y_1, e_1`
    as in :func:`single_photon_key_rate`; :math:`q = 1/2`.

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    mu : float or array_like, optional
        Signal mean photon number, ``> 0``; ``None`` maximises over μ.
    experiment : QKDExperiment, optional
        The link; default :data:`GYS_2004`.
    **overrides
        Any :class:`QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per emitted pulse, ``>= 0``.

    Raises
    ------
    ValueError
        Negative distance, ``mu <= 0``, a parameter out of range.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    Lo, Ma, Chen, PRL 94, 230504 (2005), their Eq. (1) with the GLLP formula.
    With infinitely many decoy intensities Alice and Bob learn the
    single-photon yield :math:`Y_1` and error rate :math:`e_1` exactly, so only
    the multi-photon pulses are discarded, not assumed all detected; the
    optimal μ is of order one (≈ 0.5 for GYS) and the rate falls like η.
    Lo, Ma and Chen report a maximal distance of about 142 km for the GYS
    parameters. Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import decoy_bb84_key_rate
    >>> f"{decoy_bb84_key_rate(100.0):.3e}"
    '1.719e-05'
    >>> f"{decoy_bb84_key_rate(100.0, mu=0.5):.3e}"
    '1.715e-05'
    """
    return _rate(_raw_decoy, distance_km, mu, experiment, overrides)


def vacuum_weak_decoy_key_rate(distance_km, mu=None, nu=0.05, *, experiment=None, **overrides):
    r"""Decoy BB84 with two decoys, the vacuum and a weak pulse ν (Ma, Qi, Zhao, Lo).

    The vacuum decoy measures :math:`Y_0`; with the weak decoy ν < μ the
    single-photon yield and error rate are bounded by

    .. math::

        Y_1 \ge Y_1^L = \frac{\mu}{\mu\nu - \nu^2}\left(Q_\nu e^{\nu}
            - Q_\mu e^{\mu}\frac{\nu^2}{\mu^2} - \frac{\mu^2-\nu^2}{\mu^2} Y_0\right),
        \qquad
        e_1 \le e_1^U = \frac{E_\nu Q_\nu e^{\nu} - e_0 Y_0}{Y_1^L\,\nu},

    and :math:`R = q\{-Q_\mu f h(E_\mu) + Q_1^L[1 - h(e_1^U)]\}` with
    :math:`Q_1^L = Y_1^L \mu e^{-\mu}`.

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    mu : float or array_like, optional
        Signal mean photon number, ``> nu``; ``None`` maximises over μ > ν.
    nu : float, default 0.05
        Mean photon number of the weak decoy, ``> 0``.
    experiment : QKDExperiment, optional
        The link; default :data:`GYS_2004`.
    **overrides
        Any :class:`QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per signal pulse, ``>= 0`` (the decoys are a vanishing
        fraction of the pulses, as in the paper's asymptotic analysis).

    Raises
    ------
    ValueError
        Negative distance, ``nu <= 0``, ``mu <= nu``, ``nu >= 2`` with μ
        optimised (the top of the search), a parameter out of range.
    TypeError
        An unknown parameter name, or a non-numeric value.

    Notes
    -----
    Ma, Qi, Zhao, Lo, PRA 72, 012326 (2005): as ν → 0 the bounds become
    tight and the rate tends to :func:`decoy_bb84_key_rate`; already ν ≈ 0.05
    reaches almost the same distance. Introduced in the chapter *QKD over
    distance, and its attacks*.

    Examples
    --------
    >>> from qlib import vacuum_weak_decoy_key_rate, decoy_bb84_key_rate
    >>> round(vacuum_weak_decoy_key_rate(100.0) / decoy_bb84_key_rate(100.0), 3)
    0.935
    """
    nu = _check_nu(nu)
    if mu is not None:
        m = _check_mu("mu", mu)
        if np.any(m <= nu):
            raise ValueError(f"mu must be > nu = {nu!r}, got {float(m[m <= nu].flat[0])!r}")
    else:
        _check_nu_below_grid(nu)
    raw = lambda e, m, exp: _raw_vacuum_weak(e, m, exp, nu)  # noqa: E731
    return _rate(raw, distance_km, mu, experiment, overrides, lo=nu)


def optimal_mu(distance_km, protocol="decoy", *, nu=0.05, experiment=None, **overrides):
    r"""The signal mean photon number μ that maximises the key rate at each distance.

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    protocol : {"decoy", "gllp", "vacuum-weak"}, default "decoy"
        :func:`decoy_bb84_key_rate`, :func:`gllp_key_rate` or
        :func:`vacuum_weak_decoy_key_rate`.
    nu : float, default 0.05
        The weak decoy (``"vacuum-weak"`` only).
    experiment, **overrides
        As in :func:`decoy_bb84_key_rate`.

    Returns
    -------
    float or numpy.ndarray
        The optimal μ (searched over [1e-7, 2]); ``nan`` where no μ gives a
        key (beyond the protocol's maximum distance).

    Notes
    -----
    A log-spaced grid, refined by golden-section search in :math:`\log\mu`,
    all vectorised over distance. For GYS the decoy optimum is ≈ 0.5 at any
    distance (Lo, Ma, Chen 2005); the GLLP optimum shrinks with η.
    Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import optimal_mu
    >>> round(optimal_mu(50.0), 2)
    0.48
    >>> optimal_mu(500.0)    # beyond the maximum distance: no key for any mu
    nan
    """
    check_choice("protocol", protocol, _OPTIMISED)
    exp, eta, scalar = _setup(distance_km, experiment, overrides)
    nu = _check_nu(nu)
    if protocol == "vacuum-weak":
        _check_nu_below_grid(nu)
    raw = {
        "decoy": _raw_decoy,
        "gllp": _raw_gllp,
        "vacuum-weak": lambda e, m, x: _raw_vacuum_weak(e, m, x, nu),
    }[protocol]
    value, mu = _maximise(_objective(raw, exp, eta), eta, nu if protocol == "vacuum-weak" else None)
    return _out(np.where(value > 0, mu, np.nan), scalar)


_OPTIMISED = ("decoy", "gllp", "vacuum-weak")
_PROTOCOLS = ("single-photon", "gllp", "decoy", "vacuum-weak")


def max_distance_km(protocol="decoy", mu=None, *, nu=0.05, experiment=None, upper_km=1000.0, **overrides):
    r"""The longest fibre over which a protocol still yields a key (root finding).

    Parameters
    ----------
    protocol : {"decoy", "gllp", "vacuum-weak", "single-photon"}, default "decoy"
        Which rate function: :func:`decoy_bb84_key_rate`,
        :func:`gllp_key_rate`, :func:`vacuum_weak_decoy_key_rate` or
        :func:`single_photon_key_rate`.
    mu : float, optional
        A fixed signal μ ``> 0``; ``None`` optimises μ at each distance. Not
        allowed with ``"single-photon"`` (no μ there).
    nu : float, default 0.05
        The weak decoy (``"vacuum-weak"`` only).
    experiment : QKDExperiment, optional
        The link; default :data:`GYS_2004`.
    upper_km : float, default 1000.0
        Upper end of the search, ``> 0``.
    **overrides
        Any :class:`QKDExperiment` field.

    Returns
    -------
    float
        The distance in km where the (optimised) rate reaches zero; 0 if no
        key is possible even at zero distance, ``inf`` if the rate is still
        positive at ``upper_km``.

    Raises
    ------
    ValueError
        An unknown ``protocol`` (the message lists them), ``mu <= 0``, a
        ``mu`` given for ``"single-photon"``, ``nu >= 2`` with μ optimised for
        ``"vacuum-weak"``, a parameter out of range.

    Notes
    -----
    The rate before it is clipped at zero (continuous and decreasing in
    distance) is bracketed by vectorised rounds of 128 sub-intervals down to
    1 m, then interpolated linearly between the two samples (the curvature
    of the rate over 1 m leaves an error below 1e-6 km). Introduced in the chapter
    *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import max_distance_km
    >>> round(max_distance_km("decoy"), 1)
    142.2
    """
    check_choice("protocol", protocol, _PROTOCOLS)
    exp = _experiment(GYS_2004 if experiment is None else experiment, overrides)
    upper = check_positive("upper_km", upper_km)
    nu = _check_nu(nu)
    if mu is not None:
        if protocol == "single-photon":
            raise ValueError(f"mu must be None for protocol 'single-photon' (an ideal single-photon "
                             f"source has no mean photon number), got {mu!r}")
        mu = float(_check_mu("mu", mu))
    elif protocol == "vacuum-weak":
        _check_nu_below_grid(nu)
    raw = _optimised_raw(protocol, exp, mu, nu)
    eta_of = exp.transmittance

    def g(lengths):
        # scaled by eta so the search sees O(1) numbers over many decades of rate
        eta = eta_of(np.asarray(lengths, dtype=float))
        return raw(eta) / eta

    return _last_positive_km(g, upper)


def _optimised_raw(protocol, exp, mu, nu):
    """The unclipped rate of ``protocol`` as a vectorised function of eta (mu optimised if None)."""
    if protocol == "single-photon":
        def raw(e):
            y1, e1 = _single(e, exp)
            return 0.5 * y1 * (1.0 - _h_half(e1) - exp.ec_efficiency * _h(e1))
        return raw
    base = {
        "decoy": _raw_decoy,
        "gllp": _raw_gllp,
        "vacuum-weak": lambda e, m, x: _raw_vacuum_weak(e, m, x, nu),
    }[protocol]
    lo = nu if protocol == "vacuum-weak" else None
    if mu is not None and lo is not None and mu <= lo:
        raise ValueError(f"mu must be > nu = {nu!r}, got {mu!r}")
    if mu is None:
        return lambda e: _maximise(_objective(base, exp, e), e, lo)[0]
    return lambda e: base(e, mu, exp)
