r"""Quantum repeater chains: rate and end-to-end fidelity of nested and sequential schemes.

The model (every simplification stated)
---------------------------------------
A chain of total length :math:`L` is cut into ``segments`` = :math:`n` elementary
links of length :math:`L_0 = L/n`.

* **Elementary links** are *heralded at the segment midpoint*: the two end
  nodes of a segment each send one photon :math:`L_0/2` through fibre to a
  Bell-state analyser in the middle, which heralds success. The success
  probability of one attempt is

  .. math:: p_0 = \eta_\mathrm{source}\,\eta_\mathrm{det}\,10^{-\alpha L_0/10},

  where :math:`10^{-\alpha L_0/10}` is the product of the two arms'
  transmittances and ``source_efficiency``, ``detector_efficiency`` are the
  *per-link totals* of every other loss (not squared per arm). The herald
  returns to the nodes after the photons' flight, so one attempt takes
  :math:`\tau_0 = \max(1/f_\mathrm{rep},\ n_g L_0 / c)` (the round trip
  :math:`2\times L_0/2`, :func:`qlib.signalling_delay_s`), with
  :math:`f_\mathrm{rep}` = ``repetition_rate_hz``. A node memory is re-used only
  after the herald: the number of attempts is geometric with parameter
  :math:`p_0`. Each link is created in the Werner state of fidelity
  ``link_fidelity``.
* **Swaps** succeed with probability :math:`p_s` (``swap_success_probability``);
  they are the exact Bell-diagonal entanglement swap
  (:func:`qlib.swap_bell_diagonal`). A failed swap destroys both input pairs.
  Classical communication time of the swap outcomes is *neglected* in the rate.
* **Nested** (``segments`` = :math:`2^k`): at nesting level :math:`i` two
  neighbouring pairs spanning :math:`2^{i-1}` segments each are swapped as
  soon as both exist; on failure both halves are regenerated from scratch.
* **Sequential** (any :math:`n \ge 1`): all links are generated in parallel;
  when all :math:`n` exist the :math:`n-1` swaps are made one after another
  along the chain; if any fails, everything restarts.
* **Memories** dephase with coherence time :math:`T_2` (both qubits of a
  stored pair; :func:`qlib.memory_decoherence_bell_diagonal`). Nested: at each
  level the earlier of the two pairs waits :math:`|T_A - T_B|` for the later one.
  Sequential: each link waits from its creation until the last link exists.
  The final end-to-end pair is not stored further.
* **Purification** (``purification_rounds`` = :math:`r`): each elementary link
  is distilled from :math:`2^r` raw links by :math:`r` rounds of recurrence
  purification (DEJMPS or BBPSSW; each round consumes 2 pairs, succeeds with
  the map's probability). Decoherence during purification is neglected.

Rate: exact and approximate parts
---------------------------------
With deterministic swaps (:math:`p_s = 1`) and no purification the end-to-end
pair exists when the last of the :math:`n` links exists, for both schemes, and

.. math:: E[T] = \tau_0\,E[\max_{j\le n} G_j] = \tau_0 \sum_{t\ge 0}\bigl(1 - (1-(1-p_0)^t)^n\bigr),

exact (the alternating-binomial form loses all precision for large :math:`n`).
Sequential with :math:`p_s < 1`: :math:`E[T] = \tau_0 E[\max_n G]/p_s^{n-1}`,
exact. Nested with :math:`p_s < 1`: the approximation of Sangouard et al.,
Rev. Mod. Phys. 83, 33 (2011), :math:`E[T] \approx (3/2)^k \tau_0/(p_0 p_s^k)`,
which treats each level's waiting time as exponential (the expected maximum of
two is 3/2 the mean); it holds for :math:`p_0 \ll 1` and is checked against
:func:`simulate_repeater_chain` (the Monte Carlo of the same rules) in tests.
With purification the mean link time is approximated recursively by
:math:`E_j = \tfrac32 E_{j-1}/P_j` (two pairs in parallel, success
:math:`P_j`), and the chain treats links as exponential: :math:`H_n E_r`
(:math:`p_s = 1`) or the Sangouard form above.

The fidelity path applies the *mean* waits to the Bell-diagonal coefficients
(an approximation: the Monte Carlo applies each run's own waits, and tests
compare). Introduced in the chapter *Quantum repeaters*.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import quad

from .._validation import (
    check_choice,
    check_generator,
    check_int,
    check_nonnegative,
    check_positive,
    check_probability,
    check_real,
)
from .._linalg import binary_entropy_bits
from ..quantum.bell_diagonal import werner_coefficients
from .fibre import fiber_transmittance
from .memories import memory_decoherence_bell_diagonal
from .purification import bbpssw_bell_diagonal, dejmps_bell_diagonal
from .signalling import signalling_delay_s
from .swapping import swap_bell_diagonal

__all__ = [
    "ChainParameters",
    "ChainResult",
    "SimulationResult",
    "repeater_chain",
    "simulate_repeater_chain",
    "direct_transmission_rate",
    "secret_key_fraction",
    "expected_max_geometric",
]

_SCHEMES = ("nested", "sequential")
_PURIFICATIONS = ("dejmps", "bbpssw")
_MAX_TERMS = 2_000_000
_ALTERNATING_MAX_N = 16


# ---------------------------------------------------------------------------
# Waiting times
# ---------------------------------------------------------------------------


def expected_max_geometric(n, p):
    r"""Expected maximum of ``n`` independent Geometric(``p``) variables (support 1, 2, ...).

    .. math:: E[\max_{j \le n} G_j] = \sum_{t \ge 0} \bigl(1 - (1 - q^t)^n\bigr), \quad q = 1-p,

    equal to :math:`\sum_{k=1}^{n} (-1)^{k+1}\binom{n}{k}/(1-q^k)`, which is used
    for :math:`n \le 16` (its cancellation then costs at most four digits); larger
    ``n`` are summed in the first, numerically stable form. When more than two million terms would be
    needed (:math:`p \lesssim 10^{-5}`) the Euler–Maclaurin form
    :math:`H_n/(-\ln q) + 1/2` is used (relative error :math:`O(p)`).

    Parameters
    ----------
    n : int
        Number of variables, ``>= 1``.
    p : float
        Success probability per trial, in (0, 1].

    Returns
    -------
    float
        The expected number of trials until all ``n`` have succeeded.

    Examples
    --------
    >>> expected_max_geometric(1, 0.25)
    4.0
    >>> round(expected_max_geometric(2, 0.5), 6)   # (3 - 2p)/(p(2 - p))
    2.666667
    """
    n = check_int("n", n, minimum=1)
    p = check_probability("p", p)
    if p == 0.0:
        raise ValueError("p must be in (0, 1] (a link that never succeeds has no waiting time), got 0.0")
    if p == 1.0:
        return 1.0
    if n == 1:
        return 1.0 / p
    lam = -math.log1p(-p)
    if n <= _ALTERNATING_MAX_N:
        # The alternating sum has n terms; its cancellation costs at most
        # log10(C(n, n/2)) < 4.1 digits for n <= 16, so it stays exact to ~1e-12
        # and is far cheaper than the tail sum when p is small.
        k = np.arange(1, n + 1)
        signs = np.where(k % 2 == 1, 1.0, -1.0)
        binomials = np.array([math.comb(n, int(j)) for j in k], dtype=float)
        return float(np.sum(signs * binomials / -np.expm1(-lam * k)))
    # q^t * n < 1e-18  ->  t > (ln n + 18 ln 10) / lam
    t_max = int(math.ceil((math.log(n) + 18 * math.log(10)) / lam)) + 1
    if t_max > _MAX_TERMS:
        harmonic = float(np.sum(1.0 / np.arange(1, n + 1)))
        return harmonic / lam + 0.5
    t = np.arange(t_max, dtype=float)
    qt = np.exp(-lam * t)
    terms = -np.expm1(n * np.log1p(-qt[1:]))  # t = 0 term is exactly 1
    return 1.0 + float(np.sum(terms))


def _expected_max_geometric_unequal(p, subset_max_n=_ALTERNATING_MAX_N):
    """E[max_i G_i] for independent Geometric(p_i) (support 1, 2, ...), and whether it is exact:
    :func:`expected_max_geometric` for links of unequal success probabilities
    (:func:`qlib.graphs.route_chain` on unequal links).

    ``subset_max_n``: the largest n summed by inclusion-exclusion (tests lower it to
    check the tail form against it).
    """
    p = np.asarray(p, dtype=float)
    p = p[p < 1.0]  # a link that always succeeds (G = 1) never sets the maximum
    n = p.size
    if n == 0:
        return 1.0, True
    logq = np.log1p(-p)
    if n <= subset_max_n:
        masks = np.arange(1, 2**n)
        bits = (masks[:, None] >> np.arange(n)) & 1
        log_prod = np.where(bits == 1, logq, 0.0).sum(axis=1)
        signs = np.where(bits.sum(axis=1) % 2 == 1, 1.0, -1.0)
        return float(np.sum(signs / -np.expm1(log_prod))), True
    lam_min = float(-logq.max())
    t_max = int(math.ceil((math.log(n) + 18 * math.log(10)) / lam_min)) + 1

    def tail(t):
        return -np.expm1(np.sum(np.log1p(-np.exp(np.outer(t, logq))), axis=1))

    if t_max > _MAX_TERMS:
        # Euler-Maclaurin: the sum is the integral plus f(0)/2 = 1/2 (relative error O(p)); the
        # integrand is ~1 up to ~H_n/lambda and negligible beyond t_max
        scale = 1.0 / lam_min
        value, _ = quad(lambda t: float(tail(np.array([t]))[0]), 0.0, float(t_max),
                        points=[scale, 5 * scale], limit=500)
        return value + 0.5, False
    total, chunk = 1.0, 65_536  # the t = 0 term is exactly 1
    for start in range(1, t_max, chunk):
        t = np.arange(start, min(start + chunk, t_max), dtype=float)
        total += float(np.sum(tail(t)))
    return total, True


def _dephase_pair(c, wait_s, t2_s):
    """Both memories of a Bell-diagonal pair dephase for ``wait_s`` (vectorised over runs).

    A Z on either qubit maps Φ± ↔ Φ∓ and Ψ± ↔ Ψ∓; two independent dephasings with
    coherence factor e^{-t/T2} each make a pair flip with probability (1 - e^{-2t/T2})/2.
    Equal to ``qlib.memory_decoherence_bell_diagonal(c, t, t2, qubits=2)`` (tested).
    """
    if t2_s is None:
        return c
    return memory_decoherence_bell_diagonal(c, wait_s, t2_s, qubits=2)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainResult:
    """End-to-end figures of a repeater chain (see :func:`repeater_chain`).

    Attributes
    ----------
    fidelity : float
        Fidelity of the end-to-end pair to Φ+ (squared convention).
    coefficients : numpy.ndarray
        Bell-diagonal coefficients (Φ+, Φ−, Ψ+, Ψ−) of the end-to-end pair.
    rate_hz : float
        Expected end-to-end pairs per second, 1/``mean_time_s``.
    mean_time_s : float
        Expected time per end-to-end pair in s.
    segments, segment_length_km, link_success_probability, attempt_time_s
        The elementary-link model: :math:`n`, :math:`L_0`, :math:`p_0`, :math:`\\tau_0`.
    scheme : str
        ``"nested"`` or ``"sequential"``.
    rate_is_exact : bool
        True where ``mean_time_s`` is the exact expectation of the model,
        False where it is the stated approximation.
    mean_waits_s : tuple of float
        Nested: mean wait of the earlier pair at each level 1..k. Sequential:
        one entry, the mean wait of a link for the last one.
    secret_key_fraction : float
        :func:`secret_key_fraction` of ``coefficients``.
    key_rate_hz : float
        ``rate_hz * secret_key_fraction`` (asymptotic, entanglement-based BB84).
    """

    fidelity: float
    coefficients: np.ndarray = field(repr=False)
    rate_hz: float
    mean_time_s: float
    segments: int
    segment_length_km: float
    link_success_probability: float
    attempt_time_s: float
    scheme: str
    rate_is_exact: bool
    mean_waits_s: tuple = ()
    secret_key_fraction: float = 0.0
    key_rate_hz: float = 0.0


@dataclass(frozen=True)
class SimulationResult:
    """Monte Carlo estimates of :func:`simulate_repeater_chain`.

    Attributes
    ----------
    mean_time_s, time_standard_error_s : float
        Sample mean of the time per end-to-end pair and its standard error.
    mean_fidelity, fidelity_standard_error : float
        Sample mean (and standard error) of the end-to-end fidelity to Φ+.
    runs : int
        Number of simulated end-to-end pairs.
    times_s, fidelities : numpy.ndarray
        The per-run samples.
    """

    mean_time_s: float
    time_standard_error_s: float
    mean_fidelity: float
    fidelity_standard_error: float
    runs: int
    times_s: np.ndarray = field(repr=False)
    fidelities: np.ndarray = field(repr=False)


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainParameters:
    r"""The physical settings of a repeater chain, shared by :func:`repeater_chain` and
    :func:`simulate_repeater_chain`.

    Parameters
    ----------
    attenuation_db_per_km : float, default 0.2
        Fibre loss α in dB/km, ``>= 0``.
    detector_efficiency, source_efficiency : float, default 0.9, 0.9
        Per-link total efficiencies in [0, 1] (the module docstring of
        :mod:`qlib.network.chains` says what they cover).
    link_fidelity : float, default 0.99
        Werner fidelity of each fresh elementary link, in [0, 1].
    swap_success_probability : float, default 1.0
        Bell-measurement success :math:`p_s` in (0, 1] (1/2 for linear optics).
    t2_s : float or None, default None
        Memory coherence time in s, ``> 0``; None = perfect memories.
    repetition_rate_hz : float, default 1e9
        Attempt-rate ceiling :math:`f_\mathrm{rep}` of the sources in Hz, ``> 0``.

    Raises
    ------
    ValueError
        A value out of range (the message names the parameter, the value and
        the allowed range).
    TypeError
        A non-numeric or boolean value.

    Notes
    -----
    The hardware, not the protocol: the swapping schedule (``scheme``) and the
    purification (``purification_rounds``, ``purification``) stay arguments of
    the functions, since :func:`simulate_repeater_chain` does not simulate
    purification. The object is frozen and validated on construction, like
    :class:`qlib.QKDExperiment`, and used the same way: pass it as
    ``parameters=`` and override single fields by keyword
    (``repeater_chain(500.0, 8, parameters=p, t2_s=0.1)``), or derive a copy
    with :meth:`replace`. Calling with the keywords alone is the same as
    passing ``ChainParameters(**keywords)``. Introduced in the chapter
    *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import ChainParameters, repeater_chain
    >>> p = ChainParameters(link_fidelity=0.98, t2_s=1.0)
    >>> p.replace(t2_s=0.1).t2_s, p.detector_efficiency
    (0.1, 0.9)
    >>> a = repeater_chain(400.0, 4, parameters=p)
    >>> b = repeater_chain(400.0, 4, link_fidelity=0.98, t2_s=1.0)
    >>> (a.rate_hz, a.fidelity) == (b.rate_hz, b.fidelity)
    True
    """

    attenuation_db_per_km: float = 0.2
    detector_efficiency: float = 0.9
    source_efficiency: float = 0.9
    link_fidelity: float = 0.99
    swap_success_probability: float = 1.0
    t2_s: float | None = None
    repetition_rate_hz: float = 1e9

    def __post_init__(self):
        check_nonnegative("attenuation_db_per_km", self.attenuation_db_per_km)
        check_probability("detector_efficiency", self.detector_efficiency)
        check_probability("source_efficiency", self.source_efficiency)
        check_probability("link_fidelity", self.link_fidelity)
        ps = check_probability("swap_success_probability", self.swap_success_probability)
        if ps == 0.0:
            raise ValueError("swap_success_probability must be in (0, 1], got 0.0")
        if self.t2_s is not None:
            t2_s = check_real("t2_s", self.t2_s)
            if t2_s <= 0:
                raise ValueError(f"t2_s must be > 0 (or None for a perfect memory), got {t2_s!r}")
        check_positive("repetition_rate_hz", self.repetition_rate_hz)

    def replace(self, **changes) -> "ChainParameters":
        """A copy with some parameters changed (validated again)."""
        return _parameters(self, changes)


_FIELDS = tuple(f.name for f in dataclasses.fields(ChainParameters))
_DEFAULT_PARAMETERS = ChainParameters()


def _parameters(base, changes):
    """``base`` (default :class:`ChainParameters`) with the keyword overrides ``changes``."""
    base = _DEFAULT_PARAMETERS if base is None else base
    if not isinstance(base, ChainParameters):
        raise TypeError(f"parameters must be a ChainParameters, got {type(base).__name__}")
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise TypeError(
            f"unknown chain parameter {unknown[0]!r}; allowed: {', '.join(_FIELDS)}"
        )
    return dataclasses.replace(base, **changes) if changes else base


def _elementary_link(length_km, attenuation_db_per_km, source_efficiency, detector_efficiency,
                     repetition_rate_hz):
    """(p0, tau0) of one midpoint-heralded link (the model of this module's docstring)."""
    p0 = source_efficiency * detector_efficiency * float(fiber_transmittance(length_km, attenuation_db_per_km))
    tau0 = max(1.0 / repetition_rate_hz, float(signalling_delay_s(length_km)))
    return p0, tau0


def _link_model(total_length_km, segments, scheme, parameters):
    scheme = check_choice("scheme", scheme, _SCHEMES)
    length = check_nonnegative("total_length_km", total_length_km)
    n = check_int("segments", segments, minimum=1)
    if scheme == "nested" and n & (n - 1):
        raise ValueError(f"segments must be a power of two (2**k) for scheme='nested', got {n}")
    alpha = check_nonnegative("attenuation_db_per_km", parameters.attenuation_db_per_km)
    eta_d = check_probability("detector_efficiency", parameters.detector_efficiency)
    eta_s = check_probability("source_efficiency", parameters.source_efficiency)
    f0 = check_probability("link_fidelity", parameters.link_fidelity)
    ps = check_probability("swap_success_probability", parameters.swap_success_probability)
    t2_s = parameters.t2_s if parameters.t2_s is None else check_real("t2_s", parameters.t2_s)
    f_rep = check_positive("repetition_rate_hz", parameters.repetition_rate_hz)
    l0 = length / n
    p0, tau0 = _elementary_link(l0, alpha, eta_s, eta_d, f_rep)
    if p0 == 0.0:
        raise ValueError(
            "the link success probability is 0 (detector_efficiency, source_efficiency or the "
            f"fibre transmittance is 0): no pair is ever made, got p0 = {p0}"
        )
    c0 = werner_coefficients(f0)
    return scheme, length, n, l0, p0, tau0, c0, ps, t2_s


def _purified_link(c0, rounds, method):
    """Coefficients and success probabilities of r rounds of recurrence purification."""
    rounds = check_int("purification_rounds", rounds, minimum=0)
    method = check_choice("purification", method, _PURIFICATIONS)
    fn = dejmps_bell_diagonal if method == "dejmps" else bbpssw_bell_diagonal
    c, probs = c0, []
    for _ in range(rounds):
        c, p = fn(c, c)
        c = np.asarray(c, dtype=float)
        probs.append(float(p))
    return c, probs


# ---------------------------------------------------------------------------
# Analytic chain
# ---------------------------------------------------------------------------


def repeater_chain(
    total_length_km,
    segments,
    *,
    parameters=None,
    scheme="nested",
    purification_rounds=0,
    purification="dejmps",
    **overrides,
):
    r"""Expected rate and end-to-end fidelity of a repeater chain (compact Bell-diagonal model).

    Parameters
    ----------
    total_length_km : float
        Distance L between the end nodes in km, ``>= 0``.
    segments : int
        Number of elementary links n ``>= 1``; a power of two for ``"nested"``.
    parameters : ChainParameters, optional
        The physical settings (fibre loss, efficiencies, link fidelity, swap
        success, memory :math:`T_2`, repetition rate); default
        ``ChainParameters()`` (0.2 dB/km, efficiencies 0.9, links of fidelity
        0.99, deterministic swaps, perfect memories, 1 GHz).
    scheme : {"nested", "sequential"}
        Swapping schedule (module docstring).
    purification_rounds : int
        Recurrence rounds r on each elementary link (``>= 0``).
    purification : {"dejmps", "bbpssw"}
        Recurrence protocol for those rounds.
    **overrides
        Any :class:`ChainParameters` field, e.g. ``t2_s=0.1``: replaces that
        field of ``parameters``.

    Returns
    -------
    ChainResult

    Raises
    ------
    ValueError
        Zero segments, a non-power-of-two for ``"nested"``, probabilities outside
        [0, 1], non-positive ``t2_s`` or rate, negative length, unknown scheme.
    TypeError
        An unknown parameter name, ``parameters`` not a :class:`ChainParameters`,
        or a non-numeric value.

    Notes
    -----
    The model, what is exact and what is approximated are stated in the module
    docstring of :mod:`qlib.network.chains`. Rate model after Sangouard et al.,
    Rev. Mod. Phys. 83, 33 (2011); swap and purification maps from
    :mod:`qlib.network.swapping` and :mod:`qlib.network.purification`.
    Introduced in the chapter *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import repeater_chain
    >>> r = repeater_chain(400.0, 8, link_fidelity=1.0)
    >>> r.fidelity
    1.0
    >>> r.rate_is_exact, round(r.segment_length_km, 1)
    (True, 50.0)
    >>> repeater_chain(400.0, 1).rate_hz > 0
    True
    """
    scheme, length, n, l0, p0, tau0, c0, ps, t2 = _link_model(
        total_length_km, segments, scheme, _parameters(parameters, overrides))
    c_link, pur_probs = _purified_link(c0, purification_rounds, purification)
    if any(p == 0.0 for p in pur_probs):
        raise ValueError("purification never succeeds for these links (success probability 0)")
    swap = swap_bell_diagonal
    k = n.bit_length() - 1
    exact = not pur_probs

    if exact:
        emax = lambda m: tau0 * expected_max_geometric(m, p0)  # noqa: E731
        t_link = tau0 / p0
    else:
        t_link = tau0 / p0
        for pj in pur_probs:
            t_link = 1.5 * t_link / pj
        harmonic = lambda m: float(np.sum(1.0 / np.arange(1, m + 1)))  # noqa: E731
        emax = lambda m: harmonic(m) * t_link  # noqa: E731

    waits = []
    if scheme == "nested":
        if ps == 1.0:
            mean_time = emax(n)
            for i in range(1, k + 1):  # E|A - B| = E[max] + E[max] - E[A] - E[B]
                waits.append(2.0 * emax(2**i) - 2.0 * emax(2 ** (i - 1)))
        else:
            exact = exact and k == 0
            mean_time = (1.5**k) * t_link / ps**k
            for i in range(1, k + 1):
                waits.append((1.5 ** (i - 1)) * t_link / ps ** (i - 1))  # E|A-B| = E[T] (exponential)
        c = c_link
        for w in waits:
            c = swap(_dephase_pair(c, w, t2), c)
            c = np.asarray(c, dtype=float)
    else:
        mean_time = emax(n) / ps ** (n - 1)
        w = emax(n) - t_link
        waits.append(w)
        cw = _dephase_pair(c_link, w, t2)
        c = cw
        for _ in range(n - 1):
            c = np.asarray(swap(c, cw), dtype=float)

    c = np.array(c, dtype=float)
    c.setflags(write=False)
    skf = secret_key_fraction(c)
    rate = 1.0 / mean_time
    return ChainResult(
        fidelity=float(c[0]), coefficients=c, rate_hz=rate, mean_time_s=mean_time,
        segments=n, segment_length_km=l0, link_success_probability=p0, attempt_time_s=tau0,
        scheme=scheme, rate_is_exact=exact, mean_waits_s=tuple(float(x) for x in waits),
        secret_key_fraction=skf, key_rate_hz=rate * skf,
    )


# ---------------------------------------------------------------------------
# Monte Carlo of the same model
# ---------------------------------------------------------------------------


def _nested_sample(level, size, rng, p0, tau0, ps, c0, t2, swap):
    if level == 0:
        t = tau0 * rng.geometric(p0, size).astype(float)
        return t, np.broadcast_to(c0, (size, 4))
    g = rng.geometric(ps, size) if ps < 1.0 else np.ones(size, dtype=np.int64)
    total = int(g.sum())
    ta, ca = _nested_sample(level - 1, total, rng, p0, tau0, ps, c0, t2, swap)
    tb, cb = _nested_sample(level - 1, total, rng, p0, tau0, ps, c0, t2, swap)
    wait = np.abs(ta - tb)
    ca = np.where((ta < tb)[:, None], _dephase_pair(ca, wait, t2), ca)
    cb = np.where((tb < ta)[:, None], _dephase_pair(cb, wait, t2), cb)
    m = np.maximum(ta, tb)
    if ps < 1.0:
        ends = np.cumsum(g)
        starts = ends - g
        t = np.add.reduceat(m, starts)
        last = ends - 1
        c = np.asarray(swap(ca[last], cb[last]), dtype=float)
    else:
        t = m
        c = np.asarray(swap(ca, cb), dtype=float)
    return t, c


def simulate_repeater_chain(
    total_length_km,
    segments,
    *,
    runs,
    seed=None,
    rng=None,
    parameters=None,
    scheme="nested",
    **overrides,
):
    r"""Monte Carlo of the model of :func:`repeater_chain` (without purification).

    Attempts are geometric draws, swaps succeed with ``swap_success_probability``
    (a failure regenerates the halves, nested, or everything, sequential), and
    each run's own memory waits are applied to its Bell-diagonal coefficients.
    Vectorised over runs with numpy.

    Parameters
    ----------
    total_length_km, segments, parameters, scheme, **overrides
        As for :func:`repeater_chain` (a :class:`ChainParameters` and keyword
        overrides of its fields).
    runs : int
        Number of end-to-end pairs to simulate, ``>= 2``.
    seed : int, optional
        Seed for ``numpy.random.default_rng``; give ``seed`` or ``rng``, not both.
    rng : numpy.random.Generator, optional

    Returns
    -------
    SimulationResult

    Notes
    -----
    Purification is not simulated (the analytic purified rate is an
    approximation, see :mod:`qlib.network.chains`). Introduced in the chapter
    *Quantum repeaters*.

    Examples
    --------
    >>> from qlib import simulate_repeater_chain, repeater_chain
    >>> sim = simulate_repeater_chain(400.0, 4, runs=4000, seed=1)
    >>> exact = repeater_chain(400.0, 4).mean_time_s
    >>> abs(sim.mean_time_s - exact) < 4 * sim.time_standard_error_s
    True
    """
    scheme, length, n, l0, p0, tau0, c0, ps, t2 = _link_model(
        total_length_km, segments, scheme, _parameters(parameters, overrides))
    runs = check_int("runs", runs, minimum=2)
    rng = check_generator(seed, rng)
    swap = swap_bell_diagonal
    if scheme == "nested":
        k = n.bit_length() - 1
        t, c = _nested_sample(k, runs, rng, p0, tau0, ps, c0, t2, swap)
    else:
        g = rng.geometric(ps ** (n - 1), runs) if ps < 1.0 else np.ones(runs, dtype=np.int64)
        total = int(g.sum())
        link_t = tau0 * rng.geometric(p0, (total, n)).astype(float)
        m = link_t.max(axis=1)
        ends = np.cumsum(g)
        t = np.add.reduceat(m, ends - g)
        last = link_t[ends - 1]
        cl = _dephase_pair(np.broadcast_to(c0, (runs, n, 4)), m[ends - 1][:, None] - last, t2)
        c = cl[:, 0]
        for j in range(1, n):
            c = np.asarray(swap(c, cl[:, j]), dtype=float)
    f = np.asarray(c, dtype=float)[:, 0] * np.ones(runs)
    return SimulationResult(
        mean_time_s=float(t.mean()),
        time_standard_error_s=float(t.std(ddof=1) / math.sqrt(runs)),
        mean_fidelity=float(f.mean()),
        fidelity_standard_error=float(f.std(ddof=1) / math.sqrt(runs)),
        runs=runs, times_s=t, fidelities=f,
    )


# ---------------------------------------------------------------------------
# Direct transmission and keys
# ---------------------------------------------------------------------------


def direct_transmission_rate(total_length_km, *, attenuation_db_per_km=0.2,
                             repetition_rate_hz=1e9, detector_efficiency=0.9):
    r"""Pairs per second sent straight through the fibre: :math:`f_\mathrm{rep}\,\eta_\mathrm{det}\,10^{-\alpha L/10}`.

    One photon of each pair travels the whole distance; no memories, no repeater.
    Always below the repeaterless bound :math:`f_\mathrm{rep}\cdot(-\log_2(1-\eta))`
    (:func:`qlib.plob_bound`), since :math:`\eta \le -\log_2(1-\eta)`.

    Parameters
    ----------
    total_length_km : float or array_like
        Distance in km, ``>= 0``.
    attenuation_db_per_km : float
        Default 0.2 dB/km.
    repetition_rate_hz : float
        Source repetition rate, ``> 0`` (default 1 GHz).
    detector_efficiency : float
        In [0, 1] (default 0.9).

    Returns
    -------
    float or numpy.ndarray
        Rate in Hz.

    Examples
    --------
    >>> round(direct_transmission_rate(100.0, detector_efficiency=1.0) / 1e9, 6)
    0.01
    """
    f_rep = check_positive("repetition_rate_hz", repetition_rate_hz)
    eta_d = check_probability("detector_efficiency", detector_efficiency)
    return f_rep * eta_d * fiber_transmittance(total_length_km, attenuation_db_per_km)


def secret_key_fraction(coefficients):
    r"""Asymptotic secret-key fraction of entanglement-based BB84 from a Bell-diagonal pair.

    .. math:: r = \max\bigl(0,\ 1 - h(e_x) - h(e_z)\bigr), \quad
              e_z = c_{\Psi^+} + c_{\Psi^-}, \quad e_x = c_{\Phi^-} + c_{\Psi^-},

    with :math:`h` the binary entropy (Shor & Preskill, PRL 85, 441 (2000);
    Ekert, PRL 67, 661 (1991)); sifting is not counted (efficient BB84).
    A negative bound means no key: 0 is returned.

    Parameters
    ----------
    coefficients : array_like, shape (..., 4)
        Bell-diagonal coefficients (Φ+, Φ−, Ψ+, Ψ−), non-negative, summing to 1.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> secret_key_fraction([1.0, 0.0, 0.0, 0.0])
    1.0
    >>> secret_key_fraction([0.25, 0.25, 0.25, 0.25])
    0.0
    """
    c = np.asarray(coefficients, dtype=float)
    if c.shape[-1:] != (4,):
        raise ValueError(f"coefficients must have shape (..., 4), got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < -1e-12) or np.any(np.abs(c.sum(-1) - 1) > 1e-9):
        raise ValueError(f"coefficients must be non-negative and sum to 1, got {c}")
    ez = c[..., 2] + c[..., 3]
    ex = c[..., 1] + c[..., 3]
    r = np.maximum(0.0, 1.0 - binary_entropy_bits(ex) - binary_entropy_bits(ez))
    return float(r) if r.ndim == 0 else r
