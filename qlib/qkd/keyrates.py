r"""Secret-key rates of quantum key distribution: how many secret bits per bit.

The entropy bookkeeping shared by the QKD chapters:

- :func:`binary_entropy`, :math:`h(p)` in bits;
- :func:`shor_preskill_rate` and :func:`six_state_rate`, the asymptotic
  secret fractions of BB84 and of the six-state protocol with one-way
  post-processing, as functions of the quantum bit error rate (QBER);
- :func:`finite_key_length`, the length of a key that is secure when only a
  finite block was exchanged (Tomamichel, Lim, Gisin, Renner 2012).

Conventions
-----------
Entropies are in bits. A QBER lies in [0, 0.5]: above one half Bob would
simply flip his bits. Rates are per sifted bit (no sifting factor and no
channel loss here); a negative bound means that no key can be distilled and is
returned as 0, never as a negative rate.

Weak pulses over distance and attacks (introduced in the chapter *QKD over
distance, and its attacks*). These rates are *secret bits per pulse emitted by
Alice*, including the sifting factor :math:`q = 1/2` of BB84, exactly as in Lo,
Ma and Chen, PRL 94, 230504 (2005); distances in km, losses in dB; scalar in,
``float`` out, array in, array out:

- the experiment: :class:`QKDExperiment`, presets :data:`GYS_2004` (Gobby,
  Yuan and Shields 2004, the parameters of Lo–Ma–Chen) and
  :data:`MICIUS_2017` (a Micius-like downlink, assumed receiver values);
- rates vs distance: :func:`single_photon_key_rate`, :func:`gllp_key_rate`,
  :func:`decoy_bb84_key_rate`, :func:`vacuum_weak_decoy_key_rate`,
  :func:`finite_decoy_key_rate`, :func:`optimal_mu`, :func:`max_distance_km`;
- space: :func:`satellite_decoy_key_rate`, :func:`satellite_pass_duration_s`,
  :func:`satellite_pass_key_bits`;
- tampering and denial of service: :func:`tampered_qber`,
  :func:`tampered_key_rate`, :func:`qkd_aborts`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .._linalg import binary_entropy_bits
from ..constants import EARTH_RADIUS_KM, GM_EARTH_KM3_S2
from .._validation import (
    check_broadcastable,
    check_choice,
    check_int,
    check_nonnegative,
    check_nonnegative_array,
    check_positive,
    check_probability,
    check_probability_array,
    check_qber,
    check_qber_array,
    check_real,
    check_real_array,
)
from .protocols import intercept_resend_qber

__all__ = [
    "binary_entropy",
    "shor_preskill_rate",
    "six_state_rate",
    "finite_key_length",
    "SHOR_PRESKILL_THRESHOLD",
    "SIX_STATE_THRESHOLD",
    # weak pulses over distance, satellites and tampering
    "QKDExperiment",
    "GYS_2004",
    "BEST_PARTS_ASSUMED",
    "MICIUS_2017",
    "single_photon_key_rate",
    "gllp_key_rate",
    "decoy_bb84_key_rate",
    "vacuum_weak_decoy_key_rate",
    "finite_decoy_key_rate",
    "optimal_mu",
    "max_distance_km",
    "satellite_decoy_key_rate",
    "satellite_pass_duration_s",
    "satellite_pass_key_bits",
    "tampered_qber",
    "tampered_key_rate",
    "qkd_aborts",
]


def _as_result(values, like):
    out = np.asarray(values, dtype=float)
    return float(out) if np.ndim(like) == 0 else out


def binary_entropy(p):
    r"""Binary entropy :math:`h(p) = -p\log_2 p - (1-p)\log_2(1-p)`, in bits.

    Parameters
    ----------
    p : float or array_like
        Probabilities in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        :math:`h(p)` in [0, 1] bits, with :math:`h(0) = h(1) = 0`.

    Raises
    ------
    ValueError
        If any ``p`` is outside [0, 1] or not finite.

    Notes
    -----
    The entropy of a biased coin: the bits per symbol that error correction
    must reveal about a key with error rate ``p`` (Shannon's limit), and the
    bits per symbol an eavesdropper may know after phase errors ``p``.
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import binary_entropy
    >>> binary_entropy(0.5)
    1.0
    >>> round(binary_entropy(0.11), 4)
    0.4999
    """
    q = check_real_array("p", p)
    arr = np.asarray(q)
    bad = (arr < 0.0) | (arr > 1.0)
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        raise ValueError(f"p must be in [0, 1], got {first!r}")
    return _as_result(binary_entropy_bits(arr), q)


def shor_preskill_rate(qber):
    r"""Asymptotic secret fraction of BB84: :math:`\max(0,\ 1 - 2h(Q))`.

    Parameters
    ----------
    qber : float or array_like
        Quantum bit error rate :math:`Q` in [0, 0.5], equal in both bases.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per sifted bit; 0 at and beyond
        :data:`SHOR_PRESKILL_THRESHOLD` (≈ 11.0 %).

    Raises
    ------
    ValueError
        If any ``qber`` is outside [0, 0.5].

    Notes
    -----
    Shor & Preskill, PRL 85, 441 (2000): one :math:`h(Q)` is paid for error
    correction at the Shannon limit, one for privacy amplification against
    the phase errors, which equal the bit errors in a symmetric channel.
    Sifting (a factor 1/2 for BB84 with equal basis probabilities) and the
    inefficiency of real error correction are not included: see the key-rate
    functions of the chapter *QKD over distance, and its attacks*.
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import shor_preskill_rate
    >>> round(shor_preskill_rate(0.01), 4)
    0.8384
    >>> shor_preskill_rate(0.12)
    0.0
    """
    q = check_qber_array("qber", qber)
    rate = np.maximum(0.0, 1.0 - 2.0 * binary_entropy_bits(q))
    return _as_result(rate, q)


def six_state_rate(qber):
    r"""Asymptotic secret fraction of the six-state protocol, one-way post-processing.

    .. math::
        r(Q) = \max\Bigl(0,\ 1 + \bigl(1 - \tfrac{3Q}{2}\bigr)\log_2\bigl(1 - \tfrac{3Q}{2}\bigr)
               + \tfrac{3Q}{2}\log_2\tfrac{Q}{2}\Bigr)

    Parameters
    ----------
    qber : float or array_like
        Quantum bit error rate :math:`Q` in [0, 0.5].

    Returns
    -------
    float or numpy.ndarray
        Secret bits per sifted bit; 0 at and beyond
        :data:`SIX_STATE_THRESHOLD` (≈ 12.6 %).

    Raises
    ------
    ValueError
        If any ``qber`` is outside [0, 0.5].

    Notes
    -----
    Lo, QIC 1, 81 (2001). Measuring in all three bases tells Alice and Bob the
    whole Bell-diagonal state, :math:`(1 - 3Q/2, Q/2, Q/2, Q/2)`, so the
    phase errors are no longer bounded by the bit errors alone but known, and
    Eve's information is :math:`H(\lambda) - h(Q)`; the rate is
    :math:`1 - H(\lambda)`. Introduced in the chapter *QKD: from photons to a
    secret key*.

    Examples
    --------
    >>> from qlib import six_state_rate
    >>> round(six_state_rate(0.05), 4)
    0.4968
    """
    q = check_qber_array("qber", qber)
    a = 1.0 - 1.5 * np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term_a = np.where(a > 0, a * np.log2(np.where(a > 0, a, 1.0)), 0.0)
        half = np.asarray(q, dtype=float) / 2.0
        term_b = np.where(half > 0, 3.0 * half * np.log2(np.where(half > 0, half, 1.0)), 0.0)
    rate = np.maximum(0.0, 1.0 + term_a + term_b)
    return _as_result(rate, q)


def _threshold(rate) -> float:
    """The QBER where ``rate`` reaches 0, by bisection on [0.05, 0.2]."""
    lo, hi = 0.05, 0.2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if rate(mid) > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


#: QBER at which :func:`shor_preskill_rate` reaches 0 (≈ 0.110028).
SHOR_PRESKILL_THRESHOLD = _threshold(shor_preskill_rate)

#: QBER at which :func:`six_state_rate` reaches 0 (≈ 0.126193).
SIX_STATE_THRESHOLD = _threshold(six_state_rate)


def finite_key_length(n, k, qber, *, leak_ec, eps_sec=1e-10, eps_cor=1e-15):
    r"""Length of an ε-secure key from a finite BB84 block (Tomamichel et al. 2012).

    .. math::
        \ell = n\,\bigl[1 - h(Q + \mu)\bigr] - \mathrm{leak_{EC}}
               - \log_2\frac{2}{\varepsilon_\mathrm{sec}^2\,\varepsilon_\mathrm{cor}},
        \qquad
        \mu = \sqrt{\frac{n + k}{n k}\,\frac{k + 1}{k}\,\ln\frac{2}{\varepsilon_\mathrm{sec}}}

    Parameters
    ----------
    n : int
        Raw key bits kept for the key (after sifting and after the test bits
        were removed), ``n >= 1``.
    k : int
        Bits disclosed to estimate the error rate, ``k >= 1``.
    qber : float
        Error rate :math:`Q` accepted on the test bits, in [0, 0.5] (the
        protocol aborts above it).
    leak_ec : float
        Bits revealed by error correction (and verification), ``>= 0``: for
        Cascade the parities actually disclosed.
    eps_sec : float, optional
        Secrecy parameter in (0, 1): the final key is :math:`\varepsilon_\mathrm{sec}`-close
        to one Eve knows nothing about. Default 1e-10.
    eps_cor : float, optional
        Correctness parameter in (0, 1): the probability that Alice's and
        Bob's final keys differ undetected. Default 1e-15.

    Returns
    -------
    float
        :math:`\max(0, \ell)` in bits (not rounded down: callers that need a
        key take ``floor``). 0 when the statistical margin
        :math:`Q + \mu` reaches 1/2 or the bound is negative.

    Raises
    ------
    ValueError, TypeError
        On a non-integer or too small ``n`` or ``k``, a QBER outside [0, 0.5],
        a negative leakage, or ε outside (0, 1).

    Notes
    -----
    Tomamichel, Lim, Gisin, Renner, "Tight finite-key analysis for quantum
    cryptography", Nat. Commun. 3, 634 (2012), Eq. (2), for BB84 with
    preparation quality :math:`q = 1` (perfectly unbiased bases), valid against
    general (coherent) attacks. The phase-error rate of the key bits is not
    measured; it is bounded by the test bits' error rate plus the
    sampling margin :math:`\mu` (Serfling's inequality), which shrinks as
    :math:`1/\sqrt{k}`: that is why small blocks give no key. As
    :math:`n, k \to \infty` the length per bit tends to
    :func:`shor_preskill_rate` when ``leak_ec`` is :math:`n\,h(Q)`.
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import finite_key_length, binary_entropy
    >>> n, k, q = 10**6, 10**5, 0.02
    >>> round(finite_key_length(n, k, q, leak_ec=1.1 * n * binary_entropy(q)))
    619932
    >>> finite_key_length(1000, 100, q, leak_ec=1.1 * 1000 * binary_entropy(q))
    0.0
    """
    n = check_int("n", n, minimum=1)
    k = check_int("k", k, minimum=1)
    q = check_qber("qber", qber)
    leak = check_nonnegative("leak_ec", leak_ec)
    for name, eps in (("eps_sec", eps_sec), ("eps_cor", eps_cor)):
        value = check_real(name, eps)
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    eps_sec, eps_cor = float(eps_sec), float(eps_cor)
    mu = math.sqrt((n + k) / (n * k) * (k + 1) / k * math.log(2.0 / eps_sec))
    phase = q + mu
    if phase >= 0.5:
        return 0.0
    length = (
        n * (1.0 - float(binary_entropy_bits(phase)))
        - leak
        - math.log2(2.0 / (eps_sec**2 * eps_cor))
    )
    return max(0.0, length)


# ---------------------------------------------------------------------------
# Weak coherent pulses over distance (Lo, Ma, Chen 2005; Ma, Qi, Zhao, Lo 2005)
# ---------------------------------------------------------------------------

#: Error rate of a background (dark) count: a random bit.
_E0 = 0.5


def _h(x):
    """Binary entropy of an array in [0, 1] (no checks: internal, hot path)."""
    x = np.clip(x, 1e-300, 1.0 - 1e-16)
    return -x * np.log2(x) - (1.0 - x) * np.log2(1.0 - x)


def _h_half(x):
    """Binary entropy of min(x, 1/2): a bound above 1/2 certifies nothing."""
    return _h(np.minimum(x, 0.5))


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
        check_nonnegative("attenuation_db_per_km", self.attenuation_db_per_km)
        eta = check_probability("detector_efficiency", self.detector_efficiency)
        if eta == 0:
            raise ValueError("detector_efficiency must be in (0, 1], got 0.0")
        y0 = check_probability("dark_count_probability", self.dark_count_probability)
        if y0 == 1:
            raise ValueError("dark_count_probability must be in [0, 1), got 1.0")
        e_d = check_qber("error_floor", self.error_floor)
        f = check_real("ec_efficiency", self.ec_efficiency)
        if f < 1:
            raise ValueError(f"ec_efficiency must be >= 1 (1 is the Shannon limit), got {f!r}")
        check_nonnegative("extra_loss_db", self.extra_loss_db)
        check_positive("wavelength_nm", self.wavelength_nm)
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, got {type(self.name).__name__}")

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

_FIELDS = tuple(f.name for f in dataclasses.fields(QKDExperiment))


def _experiment(base, changes):
    if not isinstance(base, QKDExperiment):
        raise TypeError(f"experiment must be a QKDExperiment, got {type(base).__name__}")
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise TypeError(
            f"unknown experiment parameter {unknown[0]!r}; allowed: {', '.join(_FIELDS)}"
        )
    return dataclasses.replace(base, **changes) if changes else base


def _setup(distance_km, experiment, overrides):
    exp = _experiment(GYS_2004 if experiment is None else experiment, overrides)
    length = check_nonnegative_array("distance_km", distance_km)
    return exp, np.asarray(exp.transmittance(length), dtype=float), np.ndim(length) == 0


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


def _raw_gllp(eta, mu, exp):
    gain, qber = _signal(eta, mu, exp)
    p_multi = -np.expm1(-mu) - mu * np.exp(-mu)
    untagged = gain - p_multi
    safe = np.where(untagged > 0, untagged, 1.0)
    e1 = np.where(untagged > 0, qber * gain / safe, 0.5)
    secret = np.where(untagged > 0, untagged * (1.0 - _h_half(e1)), 0.0)
    return 0.5 * (secret - exp.ec_efficiency * gain * _h(qber))


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


def _check_nu(nu):
    nu = check_real("nu", nu)
    if nu <= 0:
        raise ValueError(f"nu must be > 0 (the weak decoy's mean photon number), got {nu!r}")
    return nu


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

    # vectorised bracketing: 128 sub-intervals per round down to 1e-3 km, then linear
    # interpolation between the last two samples (the first round also checks the ends)
    lo, hi = 0.0, upper
    while True:
        grid = np.linspace(lo, hi, 129)
        values = g(grid)
        positive = np.flatnonzero(values > 0)  # the rate decreases with distance
        if lo == 0.0 and hi == upper:
            if positive.size == 0 or positive[0] != 0:
                return 0.0
            if positive[-1] == len(grid) - 1:
                return float("inf")
        last = int(positive[-1])
        lo, hi = grid[last], grid[last + 1]
        if hi - lo <= 1e-3:
            g_lo, g_hi = values[last], values[last + 1]
            return float(lo + (hi - lo) * g_lo / (g_lo - g_hi))


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


# ---------------------------------------------------------------------------
# Finite size (Lim, Curty, Walenta, Xu, Zbinden 2014)
# ---------------------------------------------------------------------------


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
        The link; default :data:`GYS_2004`.
    **overrides
        Any :class:`QKDExperiment` field.

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


# ---------------------------------------------------------------------------
# Satellite downlinks
# ---------------------------------------------------------------------------


def satellite_decoy_key_rate(
    elevation_deg,
    altitude_km=500.0,
    mu=None,
    *,
    system_loss_db=25.0,
    experiment=None,
    link=None,
    **overrides,
):
    r"""Decoy-state BB84 key rate of a satellite downlink, bits per pulse, vs elevation.

    The link loss :math:`\mathcal{L}(e)` (dB) of :func:`qlib.satellite_link_loss_db`
    (downlink, at the experiment's wavelength) plus ``system_loss_db`` replaces
    the fibre: :math:`\eta = \eta_{\rm Bob}\,10^{-\mathcal{L}/10}`, then
    :func:`decoy_bb84_key_rate` at zero fibre length.

    Parameters
    ----------
    elevation_deg : float or array_like
        Elevation of the satellite seen from the ground, degrees in (0, 90].
    altitude_km : float, default 500.0
        Orbit altitude in km, ``> 0`` (Micius: about 500 km).
    mu : float, optional
        Signal μ ``> 0``; ``None`` optimises it.
    system_loss_db : float, default 25.0
        Fixed terminal losses in dB, ``>= 0``, beyond the ideal optics (the
        chapter *Quantum links: fibre and satellite* fits about 25 dB per Micius downlink).
    experiment : QKDExperiment, optional
        Default :data:`MICIUS_2017` (an assumed, Micius-like receiver).
    link : dict, optional
        Further keyword arguments for :func:`qlib.satellite_link_loss_db`
        (telescope apertures, pointing error, …).
    **overrides
        Any :class:`QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per emitted pulse, ``>= 0``. Multiply by the pulse rate
        for bits per second.

    Raises
    ------
    ValueError
        As :func:`qlib.satellite_link_loss_db` and :func:`decoy_bb84_key_rate`.

    Notes
    -----
    Loss grows with the slant range only as the square of the distance, not
    exponentially; the atmosphere adds its loss once, near the ground. Liao et
    al., Nature 549, 43 (2017) ran decoy-state BB84 at 850 nm from Micius and
    obtained kilohertz key rates at up to 1,200 km. The receiver numbers of
    :data:`MICIUS_2017` are assumptions, not the paper's values. Introduced in
    the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import satellite_decoy_key_rate
    >>> f"{satellite_decoy_key_rate(90.0):.2e}"
    '6.03e-05'
    """
    from ..network.free_space import satellite_link_loss_db

    exp = _experiment(MICIUS_2017 if experiment is None else experiment, overrides)
    extra = check_nonnegative("system_loss_db", system_loss_db)
    link = {} if link is None else dict(link)
    loss = satellite_link_loss_db(
        altitude_km, elevation_deg, direction="downlink", wavelength_nm=exp.wavelength_nm,
        system_loss_db=extra, **link,
    )
    scalar = np.ndim(loss) == 0
    eta = exp.detector_efficiency * np.power(10.0, -(np.asarray(loss) + exp.extra_loss_db) / 10.0)
    fn = _objective(_raw_decoy, exp, eta)
    if mu is None:
        value, _ = _maximise(fn, eta)
    else:
        value = fn(eta, _check_mu("mu", mu))
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)




def _pass_geometry(altitude_km, min_elevation_deg):
    h = check_positive("altitude_km", altitude_km)
    e_min = check_real("min_elevation_deg", min_elevation_deg)
    if not 0.0 < e_min < 90.0:
        raise ValueError(f"min_elevation_deg must be in (0, 90) degrees, got {e_min!r}")
    r = EARTH_RADIUS_KM
    e = np.radians(e_min)
    theta_max = np.arccos(r * np.cos(e) / (r + h)) - e  # Earth-central angle at e_min
    omega = np.sqrt(GM_EARTH_KM3_S2 / (r + h) ** 3)  # rad/s, circular orbit
    return h, float(theta_max), float(omega)


def satellite_pass_duration_s(altitude_km=500.0, min_elevation_deg=15.0):
    r"""Time a satellite on a circular orbit spends above ``min_elevation_deg`` on an overhead pass.

    .. math::

        T = \frac{2\theta_{\max}}{\omega},\qquad
        \theta_{\max} = \arccos\!\left(\frac{R\cos e_{\min}}{R+h}\right) - e_{\min},\qquad
        \omega = \sqrt{\frac{GM}{(R+h)^3}} .

    Parameters
    ----------
    altitude_km : float, default 500.0
        Orbit altitude h in km, ``> 0``.
    min_elevation_deg : float, default 15.0
        Lowest usable elevation, degrees in (0, 90).

    Returns
    -------
    float
        Duration in s.

    Raises
    ------
    ValueError
        Non-positive altitude, elevation outside (0, 90).

    Notes
    -----
    A pass straight over the station (the longest), a spherical Earth of
    radius 6,371 km, :math:`GM = 398{,}600.4418` km³/s², and the Earth's
    rotation neglected (it changes the duration by a few per cent).
    Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import satellite_pass_duration_s
    >>> round(satellite_pass_duration_s(500.0, 15.0))
    359
    """
    _, theta_max, omega = _pass_geometry(altitude_km, min_elevation_deg)
    return 2.0 * theta_max / omega


def satellite_pass_key_bits(pulse_rate_hz, altitude_km=500.0, min_elevation_deg=15.0, *, samples=2001,
                            **rate_options):
    r"""Secret bits of one overhead pass: :func:`satellite_decoy_key_rate` integrated over time.

    .. math::

        K = f_{\rm rep}\int_{-T/2}^{T/2} R\bigl(e(t)\bigr)\,dt,\qquad
        \tan e = \frac{\cos\theta - R/(R+h)}{\sin|\theta|},\quad \theta = \omega t .

    Parameters
    ----------
    pulse_rate_hz : float
        Pulses sent per second, ``> 0``.
    altitude_km, min_elevation_deg
        As in :func:`satellite_pass_duration_s`.
    samples : int, default 2001
        Points of the trapezoidal rule over the pass, ``>= 3``.
    **rate_options
        Passed to :func:`satellite_decoy_key_rate` (``mu``, ``system_loss_db``,
        ``experiment``, ``link``, experiment fields).

    Returns
    -------
    float
        Secret bits per pass (asymptotic rate; the finite-size cost of a pass
        of this length is not included).

    Raises
    ------
    ValueError
        As :func:`satellite_pass_duration_s` and :func:`satellite_decoy_key_rate`,
        or a non-positive pulse rate.

    Notes
    -----
    Same geometry as :func:`satellite_pass_duration_s`. Liao et al., Nature
    549, 43 (2017) report kilohertz key rates from Micius at up to 1,200 km;
    with the assumed receiver of :data:`MICIUS_2017` this function gives the
    scale of a pass, not the experiment's numbers. Introduced in the chapter
    *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import satellite_pass_key_bits
    >>> f"{satellite_pass_key_bits(100e6):.2e}"
    '9.48e+05'
    """
    rate_hz = check_positive("pulse_rate_hz", pulse_rate_hz)
    n = check_int("samples", samples, minimum=3)
    h, theta_max, omega = _pass_geometry(altitude_km, min_elevation_deg)
    r = EARTH_RADIUS_KM
    theta = np.linspace(-theta_max, theta_max, n)
    elevation = np.degrees(np.arctan2(np.cos(theta) - r / (r + h), np.abs(np.sin(theta))))
    # round-off at the ends may leave e a hair below e_min (or above 90 at the zenith):
    # remove that, and only that
    e_min = float(min_elevation_deg)
    if np.any(elevation < e_min - 1e-9) or np.any(elevation > 90.0 + 1e-9):
        raise ArithmeticError(
            f"pass elevations came out in [{elevation.min()!r}, {elevation.max()!r}] degrees, outside "
            f"[{e_min!r}, 90] beyond round-off: this is a bug in qlib"
        )
    elevation = np.clip(elevation, e_min, 90.0)
    rate = np.asarray(satellite_decoy_key_rate(elevation, h, **rate_options))
    return float(rate_hz * np.trapezoid(rate, theta) / omega)


# ---------------------------------------------------------------------------
# Tampering and denial of service
# ---------------------------------------------------------------------------


def _flip(a, b):
    """Error probability of two independent bit flips: a(1-b) + b(1-a)."""
    return a + b - 2.0 * a * b


def _tamper_inputs(distance_km, intercept_fraction, extra_loss_db, experiment, overrides):
    exp = _experiment(GYS_2004 if experiment is None else experiment, overrides)
    length = check_nonnegative_array("distance_km", distance_km)
    f = check_probability_array("intercept_fraction", intercept_fraction)
    extra = check_nonnegative_array("extra_loss_db", extra_loss_db)
    check_broadcastable(distance_km=length, intercept_fraction=f, extra_loss_db=extra)
    loss = exp.attenuation_db_per_km * np.asarray(length) + exp.extra_loss_db + np.asarray(extra)
    eta = exp.detector_efficiency * np.power(10.0, -loss / 10.0)
    scalar = all(np.ndim(x) == 0 for x in (length, f, extra))
    return exp, np.asarray(eta, float), np.asarray(f, float), scalar


def tampered_qber(distance_km, intercept_fraction=0.0, extra_loss_db=0.0, mu=0.5, *, experiment=None,
                  **overrides):
    r"""QBER of the signal pulses when an adversary tampers with the quantum channel.

    .. math::

        E'_\mu = E_\mu \oplus \frac{f}{4} = E_\mu + \frac{f}{4} - 2E_\mu\frac{f}{4},

    with :math:`E_\mu` the QBER of :func:`gllp_key_rate` at the tampered
    transmittance :math:`\eta\,10^{-\text{extra}/10}` and f the intercepted
    fraction.

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    intercept_fraction : float or array_like, default 0.0
        Fraction f in [0, 1] of the detected pulses on which the adversary
        measured in a random basis and resent what she found.
    extra_loss_db : float or array_like, default 0.0
        Loss in dB, ``>= 0``, the adversary adds (a bend, a splice, a cut: a
        large value).
    mu : float, default 0.5
        Signal mean photon number, ``> 0``.
    experiment : QKDExperiment, optional
        The link; default :data:`GYS_2004`.
    **overrides
        Any :class:`QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        The QBER Bob and Alice measure, in [0, 1/2].

    Raises
    ------
    ValueError
        Negative distance or loss, ``intercept_fraction`` outside [0, 1],
        ``mu <= 0``.

    Notes
    -----
    Intercept–resend in a random basis errs on a quarter of the intercepted
    detections (half the time Eve picks the wrong basis, then Bob's result is
    random; :func:`qlib.intercept_resend_qber`), independently of the link's
    own errors; the two flips combine
    as :math:`a \oplus b`. The model assumes Eve resends so that Bob's click
    rate is unchanged (only the errors betray her); added loss changes only
    the click rate, and raises the QBER through the dark counts, which weigh
    more as the signal fades. Introduced in the chapter *QKD over distance,
    and its attacks*.

    Examples
    --------
    >>> from qlib import tampered_qber
    >>> round(tampered_qber(0.0, intercept_fraction=1.0, error_floor=0.0,
    ...                     dark_count_probability=0.0), 6)
    0.25
    """
    exp, eta, f, scalar = _tamper_inputs(distance_km, intercept_fraction, extra_loss_db, experiment,
                                         overrides)
    m = _check_mu("mu", mu)
    _, qber = _signal(eta, m, exp)
    return _out(_flip(qber, intercept_resend_qber(f)), scalar and np.ndim(mu) == 0)


def tampered_key_rate(distance_km, intercept_fraction=0.0, extra_loss_db=0.0, mu=None, *, experiment=None,
                      **overrides):
    r"""Decoy-state key rate (bits per pulse) when an adversary tampers with the channel.

    As :func:`decoy_bb84_key_rate`, with the transmittance reduced by the
    added loss and every error rate raised by the intercepted fraction f:

    .. math::

        R' = q\left\{-Q'_\mu f(E'_\mu) h(E'_\mu) + Q'_1\left[1 - h(e_1 \oplus f/4)\right]\right\}.

    Parameters
    ----------
    distance_km, intercept_fraction, extra_loss_db
        As in :func:`tampered_qber`.
    mu : float, optional
        Signal μ ``> 0``; ``None`` lets Alice and Bob re-optimise μ for what
        they observe.
    experiment, **overrides
        As in :func:`decoy_bb84_key_rate`.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per emitted pulse, ``>= 0``: zero means the protocol
        aborts (no key, but nothing leaked either).

    Raises
    ------
    ValueError
        As :func:`tampered_qber`.

    Notes
    -----
    The decoy analysis attributes the intercept errors to every photon
    number alike (Eve's resent pulses are indistinguishable from Alice's),
    so :math:`e_1` rises with E. Neither the added loss nor the intercept
    lets the adversary learn the final key: privacy amplification removes
    what the estimated errors allow her to know, and when the rate reaches
    zero the protocol stops. What she *can* do is stop it: denial of service.
    Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import tampered_key_rate
    >>> tampered_key_rate(20.0, intercept_fraction=0.5)   # QBER ~ 16 %: aborted
    0.0
    >>> tampered_key_rate(20.0, extra_loss_db=40.0)        # 40 dB more: too far
    0.0
    """
    exp, eta, f, scalar = _tamper_inputs(distance_km, intercept_fraction, extra_loss_db, experiment,
                                         overrides)
    eta, f = np.broadcast_arrays(eta, np.asarray(intercept_resend_qber(f), dtype=float))

    def raw(e, m, eve):
        gain, qber = _signal(e, m, exp)
        y1, e1 = _single(e, exp)
        q1 = y1 * m * np.exp(-m)
        return 0.5 * (q1 * (1.0 - _h_half(_flip(e1, eve)))
                      - exp.ec_efficiency * gain * _h(_flip(qber, eve)))

    if mu is None:
        flat_f = f.reshape(-1)
        value, _ = _maximise(lambda e, m: raw(e, m, flat_f[None, :] if np.ndim(m) == 2 else flat_f),
                             eta.reshape(-1))
        value = value.reshape(eta.shape)
    else:
        value = raw(eta, _check_mu("mu", mu), f)
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)


def qkd_aborts(qber, qber_threshold=None):
    r"""Whether Alice and Bob abort: the measured QBER is above the threshold.

    Parameters
    ----------
    qber : float or array_like
        Measured QBER in [0, 0.5].
    qber_threshold : float, optional
        The largest QBER at which they continue, in [0, 0.5]; ``None`` (the
        default) uses :data:`SHOR_PRESKILL_THRESHOLD` (1 − 2h(Q) = 0 at
        Q ≈ 11.0 %).

    Returns
    -------
    bool or numpy.ndarray of bool
        ``True`` where the protocol aborts.

    Raises
    ------
    ValueError
        ``qber`` or ``qber_threshold`` outside [0, 0.5].

    Notes
    -----
    An abort is the protocol working as designed: a tampered channel yields
    no key, so the adversary learns nothing, but the parties have no key
    either until they re-establish a clean channel. Introduced in the chapter
    *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import qkd_aborts
    >>> qkd_aborts(0.03), qkd_aborts(0.25)
    (False, True)
    """
    q = check_qber_array("qber", qber)
    if qber_threshold is None:
        t = SHOR_PRESKILL_THRESHOLD
    else:
        t = check_qber("qber_threshold", qber_threshold)
    out = np.asarray(q) > t
    return bool(out) if np.ndim(q) == 0 else out
