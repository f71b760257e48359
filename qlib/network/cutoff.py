r"""Memories that wait: the waiting time of a chain of links, and a memory cutoff.

Conventions (one for the whole module)
--------------------------------------
- **Time is counted in attempts**: one time step is one attempt of every link
  that is not yet stored (in a chain, :math:`\tau_0` of
  :mod:`qlib.network.chains`, the heralding round trip). Waits, cutoffs and
  the memories' coherence time are all in time steps; rates are end-to-end
  pairs per time step. Multiply by :math:`\tau_0` (s) for seconds.
- Links are Werner pairs of fidelity ``link_fidelity`` (squared fidelity to
  Φ+), handled as Bell-diagonal weights in the book's order (Φ+, Φ−, Ψ+, Ψ−).
- A stored pair decoheres in memory with qlib's models, on
  ``memory_qubits`` of its qubits (2: both ends wait, as in
  :mod:`qlib.network.chains`): ``"dephasing"`` is
  :func:`qlib.memory_decoherence_bell_diagonal` (coherences decay as
  :math:`e^{-t/T}`), ``"depolarizing"`` is :func:`qlib.depolarize_bell_diagonal`
  with :math:`p = 1 - e^{-t/T}` per qubit (the Bloch vector shrinks as
  :math:`e^{-t/T}`).

The model
---------
N links (the segments of a chain, or the N spokes of a switch) are attempted
in parallel, each succeeding with probability p per time step, independently.
At each step: (1) a stored link older than the cutoff :math:`t^*` is
discarded; (2) every empty link makes an attempt; (3) when all N links are
stored, the swaps are made at once (deterministic, instantaneous) and an
end-to-end pair is delivered; every memory is then free and the next pair
starts from scratch. A link may thus be used at an age :math:`\le t^*`; with
:math:`t^* = 0` only links made in the same step are joined, and with no
cutoff (``cutoff=None``) nothing is discarded and the delivery time is the
maximum of N geometric variables, :func:`qlib.expected_max_geometric`
(reused, not rewritten).

The cutoff trades rate for fidelity: discarding old pairs regenerates them,
which costs time, but no delivered pair has waited longer than :math:`t^*`.

Introduced in the chapter *Many users and memories that wait*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._validation import (
    check_choice,
    check_generator,
    check_int,
    check_positive,
    check_probability,
)
from ..quantum.bell_diagonal import depolarize_bell_diagonal, werner_coefficients
from .chains import expected_max_geometric, secret_key_fraction
from .memories import memory_decoherence_bell_diagonal
from .swapping import swap_bell_diagonal

__all__ = [
    "MEMORY_NOISE_MODELS",
    "WaitingTimeSimulation",
    "CutoffResult",
    "CutoffSimulation",
    "simulate_waiting_time",
    "two_link_cutoff",
    "simulate_cutoff",
]

#: The memory models of this module: name -> what it does to a stored qubit.
MEMORY_NOISE_MODELS = {
    "dephasing": "rho -> (1-p) rho + p Z rho Z, p = (1 - exp(-t/T))/2 (qlib.memory_decoherence_bell_diagonal)",
    "depolarizing": "rho -> (1-p) rho + p I/2, p = 1 - exp(-t/T) (qlib.depolarize_bell_diagonal)",
}


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def _check_p(p):
    p = check_probability("p", p)
    if p == 0.0:
        raise ValueError("p must be in (0, 1] (a link that never succeeds has no waiting time), got 0.0")
    return p


def _check_cutoff(cutoff):
    if cutoff is None:
        return None
    if isinstance(cutoff, float) and math.isinf(cutoff) and cutoff > 0:
        return None
    try:
        return check_int("cutoff", cutoff, minimum=0)
    except TypeError:
        raise TypeError(
            f"cutoff must be a whole number of time steps >= 0 or None (no cutoff), got {cutoff!r} "
            f"of type {type(cutoff).__name__}") from None


def _memory(link_fidelity, coherence_time, noise, memory_qubits):
    c0 = werner_coefficients(check_probability("link_fidelity", link_fidelity))
    if coherence_time is not None:
        coherence_time = check_positive("coherence_time", coherence_time)
    noise = check_choice("noise", noise, tuple(MEMORY_NOISE_MODELS))
    k = check_int("memory_qubits", memory_qubits, minimum=0)
    if k > 2:
        raise ValueError(f"memory_qubits must be 0, 1 or 2 (qubits of a pair that wait), got {k}")
    return c0, coherence_time, noise, k


def _wait(c, wait, coherence_time, noise, k):
    """Bell-diagonal weights ``c`` after ``wait`` time steps in memory (vectorised over runs)."""
    if coherence_time is None or k == 0:
        return np.broadcast_to(c, np.broadcast_shapes(np.shape(c), np.shape(wait) + (4,)))
    if noise == "dephasing":
        return memory_decoherence_bell_diagonal(c, wait, coherence_time, qubits=k)
    return depolarize_bell_diagonal(c, -np.expm1(-np.asarray(wait, dtype=float) / coherence_time), qubits=k)


def _chain(links):
    """Swap a list of Bell-diagonal weight arrays along the chain, left to right."""
    c = links[0]
    for nxt in links[1:]:
        c = np.asarray(swap_bell_diagonal(c, nxt), dtype=float)
    return np.asarray(c, dtype=float)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingTimeSimulation:
    """Monte Carlo of the time until all of N links exist (:func:`simulate_waiting_time`).

    Attributes
    ----------
    mean, standard_error : float
        Sample mean of the waiting time (time steps) and its standard error.
    runs : int
    samples : numpy.ndarray
        The waiting time of each run (integers, time steps).
    """

    mean: float
    standard_error: float
    runs: int
    samples: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class CutoffResult:
    """Exact figures of two links with a memory cutoff (:func:`two_link_cutoff`).

    Attributes
    ----------
    mean_time : float
        Expected time steps per delivered end-to-end pair.
    rate : float
        ``1 / mean_time``, pairs per time step.
    fidelity : float
        Expected fidelity of the delivered pair to Φ+.
    coefficients : numpy.ndarray
        Bell-diagonal weights of the delivered pair averaged over deliveries.
    mean_wait : float
        Expected storage time (time steps) of the earlier link of a delivered pair.
    cutoff : int or None
        :math:`t^*`, None for no cutoff.
    link_success_probability : float
        p.
    secret_key_fraction : float
        :func:`qlib.secret_key_fraction` of ``coefficients``.
    key_rate : float
        ``rate * secret_key_fraction``, secret bits per time step.
    """

    mean_time: float
    rate: float
    fidelity: float
    coefficients: np.ndarray = field(repr=False)
    mean_wait: float
    cutoff: int | None
    link_success_probability: float
    secret_key_fraction: float
    key_rate: float


@dataclass(frozen=True)
class CutoffSimulation:
    """Monte Carlo of N links with a memory cutoff (:func:`simulate_cutoff`).

    Attributes
    ----------
    mean_time, time_standard_error : float
        Sample mean (time steps) of the time per delivered pair and its standard error.
    mean_fidelity, fidelity_standard_error : float
        Sample mean of the delivered pair's fidelity and its standard error.
    mean_wait, wait_standard_error : float
        Sample mean of the longest storage time in a delivered pair and its standard error.
    runs : int
    times, fidelities, waits : numpy.ndarray
        Per run: time per pair, fidelity, and the waits of every link (shape (runs, N)).
    """

    mean_time: float
    time_standard_error: float
    mean_fidelity: float
    fidelity_standard_error: float
    mean_wait: float
    wait_standard_error: float
    runs: int
    times: np.ndarray = field(repr=False)
    fidelities: np.ndarray = field(repr=False)
    waits: np.ndarray = field(repr=False)


def _se(x):
    return float(np.std(x, ddof=1) / math.sqrt(len(x)))


# ---------------------------------------------------------------------------
# Waiting time without a cutoff
# ---------------------------------------------------------------------------


def simulate_waiting_time(n_links, p, *, runs, seed=None, rng=None) -> WaitingTimeSimulation:
    r"""Monte Carlo of the time until all of ``n_links`` independent links exist.

    Each run draws N independent Geometric(p) attempt counts (support 1, 2, ...)
    and keeps their maximum: the delivery time of the model without cutoff.

    Parameters
    ----------
    n_links : int
        Number of links N, ``>= 1``.
    p : float
        Success probability of one attempt, in (0, 1].
    runs : int, keyword-only
        Number of runs, ``>= 2``.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; give ``seed`` or ``rng``, not both.
    rng : numpy.random.Generator, optional

    Returns
    -------
    WaitingTimeSimulation

    Raises
    ------
    ValueError
        p outside (0, 1], ``n_links < 1``, ``runs < 2``, both seed and rng.
    TypeError
        Non-integer ``n_links``/``runs``/``seed``, an rng that is not a Generator.

    Notes
    -----
    Its expectation is :func:`qlib.expected_max_geometric`,
    :math:`\sum_{k=1}^{N} (-1)^{k+1}\binom Nk/(1-(1-p)^k)`: 1/p for N = 1 and
    :math:`(3-2p)/(p(2-p))` for N = 2 (14.737 time steps at p = 0.1), the
    expected maximum of geometric variables (e.g. Eisenberg, Stat. Probab.
    Lett. 78, 135 (2008); Sangouard et al., Rev. Mod. Phys. 83, 33 (2011)
    for repeaters). Introduced in the
    chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import simulate_waiting_time, expected_max_geometric
    >>> sim = simulate_waiting_time(2, 0.1, runs=20000, seed=1)
    >>> abs(sim.mean - expected_max_geometric(2, 0.1)) < 4 * sim.standard_error
    True
    """
    n = check_int("n_links", n_links, minimum=1)
    p = _check_p(p)
    runs = check_int("runs", runs, minimum=2)
    rng = check_generator(seed, rng)
    samples = rng.geometric(p, (runs, n)).max(axis=1)
    return WaitingTimeSimulation(mean=float(samples.mean()), standard_error=_se(samples),
                                 runs=runs, samples=samples)


# ---------------------------------------------------------------------------
# Two links with a cutoff: exact
# ---------------------------------------------------------------------------


def two_link_cutoff(p, cutoff=None, *, link_fidelity=1.0, coherence_time=None, noise="dephasing",
                    memory_qubits=2) -> CutoffResult:
    r"""Exact delivery time and fidelity of two links with a memory cutoff :math:`t^*`.

    .. math::

        E[T] = \frac{\dfrac{1}{p(2-p)} + (1-a)\dfrac{1-q^{t^*}}{p}}{1 - (1-a)\,q^{t^*}},
        \qquad q = 1-p,\quad a = \frac{p}{2-p}.

    Parameters
    ----------
    p : float
        Success probability of one attempt of each link, in (0, 1].
    cutoff : int or None, default None
        :math:`t^*` in time steps, ``>= 0``; None (or ``math.inf``) for no cutoff.
    link_fidelity : float, keyword-only, default 1.0
        Werner fidelity of a fresh link, in [0, 1].
    coherence_time : float or None, keyword-only, default None
        Memory coherence time T in time steps, ``> 0``; None for perfect memories.
    noise : {"dephasing", "depolarizing"}, keyword-only, default "dephasing"
        The memory model (:data:`MEMORY_NOISE_MODELS`).
    memory_qubits : {2, 1, 0}, keyword-only, default 2
        How many qubits of the waiting pair decohere.

    Returns
    -------
    CutoffResult

    Raises
    ------
    ValueError
        p outside (0, 1]; a negative cutoff; a fidelity outside [0, 1]; a
        non-positive coherence time; an unknown noise model; ``memory_qubits``
        not in {0, 1, 2}.
    TypeError
        A non-integer cutoff (2.5 steps), non-numeric input.

    Notes
    -----
    Derivation (renewal argument, this module's; checked against
    :func:`simulate_cutoff` within 4 standard errors in the tests). From an
    empty start the first success of either link comes after
    :math:`M \sim \mathrm{Geom}(1-q^2)` steps, :math:`E[M] = 1/(p(2-p))`; both
    succeed then with probability :math:`a = p^2/(1-q^2) = p/(2-p)`. Otherwise
    one link waits; the other succeeds within :math:`t^*` more steps with
    probability :math:`1-q^{t^*}`, taking :math:`E[\min(J, t^*)] = (1-q^{t^*})/p`
    steps on average, or the waiting link is discarded after :math:`t^*` steps
    and everything starts afresh. Solving
    :math:`E[T] = E[M] + (1-a)\bigl[(1-q^{t^*})/p + q^{t^*}E[T]\bigr]` gives the
    formula. Limits: no cutoff gives :math:`(3-2p)/(p(2-p))`, the
    :func:`qlib.expected_max_geometric` of two links (tested equal);
    :math:`t^* = 0` gives :math:`1/p^2` (both in the same step).

    Fidelity: the delivered pair is the swap (:func:`qlib.swap_bell_diagonal`)
    of a fresh link with one that waited j steps, where
    :math:`P(j = 0) \propto a` and :math:`P(j) \propto (1-a)q^{j-1}p` for
    :math:`1 \le j \le t^*`. Both memory models act on Bell-diagonal weights as
    an affine function of :math:`u = e^{-kj/T}` (k = ``memory_qubits``), so the
    average delivered state is the one whose link waited the effective time
    with :math:`e^{-kt_\mathrm{eff}/T} = E[e^{-kj/T}]`, a geometric sum, exact.
    Several papers treat cutoffs of this kind with other tools (Markov chains:
    Shchukin, Schmidt & van Loock, PRA 100, 032322 (2019); generating
    functions: Brand, Coopmans & Elkouss, IEEE JSAC 38, 619 (2020)); the
    formula here is derived for this model and checked by its own Monte Carlo.
    The key fraction is that of the *average* delivered state (the users do
    not sort pairs by age). Introduced in the
    chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import two_link_cutoff
    >>> round(two_link_cutoff(0.1).mean_time, 3)     # (3 - 2p)/(p(2 - p))
    14.737
    >>> round(two_link_cutoff(0.1, 0).mean_time, 6)  # 1/p^2
    100.0
    >>> r = two_link_cutoff(0.1, 5, link_fidelity=0.98, coherence_time=50.0)
    >>> round(r.mean_time, 2), round(r.fidelity, 4)
    (20.75, 0.9171)
    """
    p = _check_p(p)
    cutoff = _check_cutoff(cutoff)
    c0, t_mem, noise, k = _memory(link_fidelity, coherence_time, noise, memory_qubits)
    q = 1.0 - p
    a = p / (2.0 - p)
    tail = 0.0 if cutoff is None else q**cutoff  # P(the other link needs more than t* steps)
    mean_time = (1.0 / (p * (2.0 - p)) + (1.0 - a) * (1.0 - tail) / p) / (1.0 - (1.0 - a) * tail)
    if p == 1.0:
        mean_time = 1.0
    # distribution of the earlier link's wait j in a delivered pair
    z = a + (1.0 - a) * (1.0 - tail)
    if cutoff is None:
        mean_wait_sum = 1.0 / p
    else:
        c = cutoff
        mean_wait_sum = (1.0 - (c + 1) * q**c + c * q ** (c + 1)) / p if p < 1.0 else 0.0
    mean_wait = (1.0 - a) * mean_wait_sum / z
    if t_mem is None or k == 0:
        waited = c0
    else:
        x = math.exp(-k / t_mem)
        qx = q * x
        geometric = p * x * ((1.0 - qx**cutoff) if cutoff is not None else 1.0) / (1.0 - qx)
        u_eff = (a + (1.0 - a) * geometric) / z
        t_eff = -t_mem * math.log(u_eff) / k
        waited = _wait(c0, t_eff, t_mem, noise, k)
    coefficients = np.array(swap_bell_diagonal(c0, waited), dtype=float)
    coefficients.setflags(write=False)
    skf = float(secret_key_fraction(coefficients))
    rate = 1.0 / mean_time
    return CutoffResult(
        mean_time=float(mean_time), rate=float(rate), fidelity=float(coefficients[0]),
        coefficients=coefficients, mean_wait=float(mean_wait), cutoff=cutoff,
        link_success_probability=p, secret_key_fraction=skf, key_rate=rate * skf,
    )


# ---------------------------------------------------------------------------
# N links with a cutoff: Monte Carlo
# ---------------------------------------------------------------------------


def simulate_cutoff(n_links, p, cutoff=None, *, runs, seed=None, rng=None, link_fidelity=1.0,
                    coherence_time=None, noise="dephasing", memory_qubits=2) -> CutoffSimulation:
    r"""Monte Carlo of N links with a memory cutoff: time per pair, fidelity, waits.

    Event by event and vectorised over runs: each empty link's next success is
    a geometric draw, each stored link expires :math:`t^* + 1` steps after it
    was made (and attempts again in that step); a run ends at the first step
    at which all N links are stored. Each link's own wait is applied to its
    Bell-diagonal weights, then the N links are swapped along the chain.

    Parameters
    ----------
    n_links : int
        Number of links N, ``>= 1``.
    p, cutoff, link_fidelity, coherence_time, noise, memory_qubits
        As for :func:`two_link_cutoff`.
    runs : int, keyword-only
        Number of delivered pairs to simulate, ``>= 2``.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; give ``seed`` or ``rng``, not both.
    rng : numpy.random.Generator, optional

    Returns
    -------
    CutoffSimulation

    Raises
    ------
    ValueError, TypeError
        As :func:`two_link_cutoff`, and for ``n_links < 1``, ``runs < 2``, a
        bad seed or rng.

    Notes
    -----
    The rules are those of the module docstring. Without cutoff the times are
    the maximum of N geometric variables (:func:`simulate_waiting_time`'s
    model); with :math:`t^* = 0` a pair needs all N links in one step,
    :math:`E[T] = 1/p^N`; for N = 2 the mean time and fidelity are
    :func:`two_link_cutoff`'s (tested within 4 standard errors). For N = 1 the
    link is delivered when made. Introduced in the
    chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import simulate_cutoff, two_link_cutoff
    >>> sim = simulate_cutoff(2, 0.1, 5, runs=20000, seed=2)
    >>> abs(sim.mean_time - two_link_cutoff(0.1, 5).mean_time) < 4 * sim.time_standard_error
    True
    """
    n = check_int("n_links", n_links, minimum=1)
    p = _check_p(p)
    cutoff = _check_cutoff(cutoff)
    c0, t_mem, noise, k = _memory(link_fidelity, coherence_time, noise, memory_qubits)
    runs = check_int("runs", runs, minimum=2)
    rng = check_generator(seed, rng)

    times = np.zeros(runs, dtype=np.int64)
    made = np.zeros((runs, n), dtype=np.int64)
    if cutoff is None:
        made = rng.geometric(p, (runs, n)).astype(np.int64)
        times = made.max(axis=1)
    else:
        gen = np.full((runs, n), -1, dtype=np.int64)  # step a stored link was made; -1 = empty
        nxt = rng.geometric(p, (runs, n)).astype(np.int64)  # next success of an empty link
        active = np.arange(runs)
        while active.size:
            g, nx = gen[active], nxt[active]
            stored = g >= 0
            expiry = np.where(stored, g + cutoff + 1, np.iinfo(np.int64).max)
            event = np.where(stored, expiry, nx).min(axis=1)[:, None]
            expired = stored & (expiry == event)
            if expired.any():  # discarded, and attempting again in this very step
                redraw = event - 1 + rng.geometric(p, g.shape)
                g = np.where(expired, -1, g)
                nx = np.where(expired, redraw, nx)
            g = np.where((g < 0) & (nx == event), event, g)
            complete = (g >= 0).all(axis=1)
            finished = active[complete]
            times[finished] = event[complete, 0]
            made[finished] = g[complete]
            gen[active], nxt[active] = g, nx
            active = active[~complete]
    waits = times[:, None] - made
    links = [_wait(c0, waits[:, j].astype(float), t_mem, noise, k) for j in range(n)]
    fidelities = np.asarray(_chain(links), dtype=float)[..., 0] * np.ones(runs)
    longest = waits.max(axis=1)
    return CutoffSimulation(
        mean_time=float(times.mean()), time_standard_error=_se(times),
        mean_fidelity=float(fidelities.mean()), fidelity_standard_error=_se(fidelities),
        mean_wait=float(longest.mean()), wait_standard_error=_se(longest),
        runs=runs, times=times, fidelities=fidelities, waits=waits,
    )
