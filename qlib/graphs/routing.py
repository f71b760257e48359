r"""Entanglement routing: a path through repeaters is a repeater chain whose segments are its links.

A path between two users whose intermediate nodes are ``"repeater"`` nodes is
evaluated with the chain model of :mod:`qlib.network.chains` (the chapter
*Quantum repeaters*): every link is an elementary link, the repeaters swap,
the memories dephase while they wait.

- :func:`route_chain`: one given path, its pair rate, fidelity and key rate.
- :func:`best_route`: the best path by pair rate, fidelity or key rate.
- :func:`disjoint_routes`: up to k node-disjoint paths, best first.
- :func:`trust_versus_rate`: the same path with its nodes as trusted relays
  (the key rate of :mod:`qlib.graphs.relay`; every relay learns the key) or
  as repeaters (nobody in between learns it; usually far slower today).

The model, and where it leaves :func:`qlib.repeater_chain`
---------------------------------------------------------
*Equal links* (same length, attenuation and hardware): the path **is** a
chain of :func:`qlib.repeater_chain`, called with ``total_length_km = n L``
and ``segments = n``, so the results are that function's, exactly, for the
nested scheme (``n`` a power of two) and the sequential one.

*Unequal links*: only the sequential scheme, generalised honestly. Link
:math:`i` succeeds per attempt with its own
:math:`p_i = \eta_s\eta_d 10^{-\alpha_i L_i/10}` and needs its own attempt time
:math:`\tau_i = \max(1/f_{\rm rep}, n_g L_i/c)`; the nodes attempt **in
lockstep** at the slowest clock :math:`\tau = \max_i \tau_i` (an assumption:
a faster link could retry sooner, which this model gives away). The time per
end-to-end pair is

.. math:: E[T] = \frac{\tau\,E[\max_i G_i]}{p_s^{\,n-1}},\qquad
          E[\max_i G_i] = \sum_{\emptyset \ne S \subseteq \{1..n\}} \frac{(-1)^{|S|+1}}{1 - \prod_{i\in S} q_i},

the expected maximum of independent, *non-identical* geometric variables
(:math:`q_i = 1-p_i`; inclusion–exclusion over the minimum of each subset,
which is geometric with success :math:`1-\prod_S q_i`). For
:math:`n \le 16` this sum is used; for more links the stable form
:math:`\sum_{t\ge0}\bigl(1-\prod_i(1-q_i^t)\bigr)` (or, beyond two million
terms, its integral plus 1/2, an approximation of relative error
:math:`O(p)`, flagged by ``rate_is_exact``). Both reduce to
:func:`qlib.expected_max_geometric` when all :math:`p_i` are equal (tested).
Link :math:`i` waits on average :math:`\tau E[\max G] - \tau/p_i` for the last
one, and dephases for that mean time (the chain's mean-wait approximation);
the pairs are then swapped in path order with :func:`qlib.swap_bell_diagonal`.
The swap success and the memories' :math:`T_2` are properties of the repeaters:
they must agree along a path. Purification is not modelled here.

Conventions
-----------
Pair rates in pairs per second (``*_hz``), key rates in secret bits per second
(``*_bps``: pair rate times :func:`qlib.secret_key_fraction`, asymptotic
entanglement-based BB84), times in s, lengths in km, fidelities to Φ+
(squared convention). An entanglement path may pass only through
``"repeater"`` nodes and over fibre links (its ends may be of any kind).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .._validation import check_choice, check_int
from ..network.chains import (
    ChainResult,
    _elementary_link,
    _expected_max_geometric_unequal,
    repeater_chain,
    secret_key_fraction,
)
from ..network.memories import memory_decoherence_bell_diagonal
from ..network.swapping import swap_bell_diagonal
from ..quantum.bell_diagonal import werner_coefficients
from .network import FibreLink, _check_ends, _check_network, _no_path_reason, _usable_subgraph
from .relay import _check_path

__all__ = [
    "ROUTE_METRICS",
    "EntanglementRoute",
    "TrustComparison",
    "route_chain",
    "best_route",
    "disjoint_routes",
    "trust_versus_rate",
]

#: What :func:`best_route` can maximise.
ROUTE_METRICS = ("rate", "fidelity", "key rate")

_SCHEMES = ("sequential", "nested")


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EntanglementRoute:
    """Entangled pairs delivered along one path of repeaters (see :func:`route_chain`).

    Attributes
    ----------
    source, target : str
    path : tuple of str
        From ``source`` to ``target``; empty when there is no route.
    link_lengths_km : tuple of float
        Each link's fibre length.
    rate_hz : float
        End-to-end pairs per second (0 without a route).
    fidelity : float
        Fidelity of the end-to-end pair to Φ+ (NaN without a route).
    key_rate_bps : float
        ``rate_hz * secret_key_fraction``: secret bits per second from the pairs.
    secret_key_fraction : float
        :func:`qlib.secret_key_fraction` of the end-to-end pair.
    mean_time_s : float
        Expected time per end-to-end pair (inf without a route).
    attempt_time_s : float
        The attempt time τ of the (slowest) link.
    scheme : str
        ``"sequential"`` or ``"nested"``.
    rate_is_exact : bool
        Whether ``mean_time_s`` is the exact expectation of the model.
    equal_links : bool
        True where the path is exactly a chain of :func:`qlib.repeater_chain`.
    chain : ChainResult or None
        That chain's full result when ``equal_links``.
    repeaters : tuple of str
        The intermediate nodes (they swap; none of them learns a key).
    reason : str
        Empty when a route was found; else why there is none.
    """

    source: str
    target: str
    path: tuple
    link_lengths_km: tuple
    rate_hz: float
    fidelity: float
    key_rate_bps: float
    secret_key_fraction: float
    mean_time_s: float
    attempt_time_s: float
    scheme: str
    rate_is_exact: bool
    equal_links: bool
    chain: ChainResult | None = field(default=None, repr=False)
    repeaters: tuple = ()
    reason: str = ""

    @property
    def found(self) -> bool:
        """Whether there is a route."""
        return bool(self.path)


def _no_route(source, target, scheme, reason):
    return EntanglementRoute(source=source, target=target, path=(), link_lengths_km=(), rate_hz=0.0,
                             fidelity=math.nan, key_rate_bps=0.0, secret_key_fraction=0.0,
                             mean_time_s=math.inf, attempt_time_s=math.nan, scheme=scheme,
                             rate_is_exact=True, equal_links=False, reason=reason)


# ---------------------------------------------------------------------------
# One path
# ---------------------------------------------------------------------------


class _UnusablePath(ValueError):
    """A path the chain model cannot run (a link that never succeeds; unequal links for 'nested')."""


def _path_links(network, path, overrides):
    """(lengths, models, chain parameters) of the path's links; each must be a fibre."""
    models, params = [], []
    for u, v in zip(path, path[1:]):
        model = network.graph.edges[u, v]["model"]
        if not isinstance(model, FibreLink):
            raise ValueError(f"link ({u!r}, {v!r}) is a {model.medium} link: the chain model needs fibre "
                             f"(no entanglement model for it)")
        models.append(model)
        params.append(model.chain_parameters(**overrides))
    for attr in ("swap_success_probability", "t2_s"):
        values = {getattr(p, attr) for p in params}
        if len(values) > 1:
            raise ValueError(f"the repeaters along {path!r} disagree on {attr} ({sorted(values, key=str)}): "
                             f"give one value for the path as a keyword override")
    return models, params


def _evaluate(network, path, scheme, overrides):
    """The chain along ``path`` (kinds not checked)."""
    models, params = _path_links(network, path, overrides)
    n = len(models)
    lengths = tuple(float(m.length_km) for m in models)
    source, target = path[0], path[-1]
    links = [_elementary_link(L, pr.attenuation_db_per_km, pr.source_efficiency, pr.detector_efficiency,
                              pr.repetition_rate_hz) for L, pr in zip(lengths, params)]
    p = np.array([p0 for p0, _ in links])
    if np.any(p == 0.0):
        i = int(np.argmax(p == 0.0))
        raise _UnusablePath(f"link ({path[i]!r}, {path[i + 1]!r}) never succeeds (success probability 0): "
                            f"no pair is ever made")
    equal = all(m.length_km == models[0].length_km for m in models) and all(p == params[0] for p in params)
    if equal:
        chain = repeater_chain(n * lengths[0], n, parameters=params[0], scheme=scheme)
        return EntanglementRoute(
            source=source, target=target, path=tuple(path), link_lengths_km=lengths, rate_hz=chain.rate_hz,
            fidelity=chain.fidelity, key_rate_bps=chain.key_rate_hz, secret_key_fraction=chain.secret_key_fraction,
            mean_time_s=chain.mean_time_s, attempt_time_s=chain.attempt_time_s, scheme=scheme,
            rate_is_exact=chain.rate_is_exact, equal_links=True, chain=chain, repeaters=tuple(path[1:-1]))
    if scheme == "nested":
        raise _UnusablePath(f"scheme='nested' needs equal links (and 2**k of them), got lengths {lengths} km "
                            f"along {tuple(path)!r}: use scheme='sequential'")
    tau = max(tau0 for _, tau0 in links)  # all links attempt at the slowest one's pace
    emax, exact = _expected_max_geometric_unequal(p)
    ps, t2 = params[0].swap_success_probability, params[0].t2_s
    mean_time = tau * emax / ps ** (n - 1)
    c = None
    for pi, pr in zip(p, params):
        ci = np.asarray(werner_coefficients(pr.link_fidelity), dtype=float)
        if t2 is not None:
            ci = np.asarray(memory_decoherence_bell_diagonal(ci, tau * emax - tau / pi, t2, qubits=2), dtype=float)
        c = ci if c is None else np.asarray(swap_bell_diagonal(c, ci), dtype=float)
    skf = float(secret_key_fraction(c))
    rate = 1.0 / mean_time
    return EntanglementRoute(
        source=source, target=target, path=tuple(path), link_lengths_km=lengths, rate_hz=rate,
        fidelity=float(c[0]), key_rate_bps=rate * skf, secret_key_fraction=skf, mean_time_s=mean_time,
        attempt_time_s=tau, scheme=scheme, rate_is_exact=exact, equal_links=False, chain=None,
        repeaters=tuple(path[1:-1]))


def route_chain(network, path, *, scheme="sequential", **overrides) -> EntanglementRoute:
    r"""Entangled pairs along a given path of repeaters: the chain model on its links.

    Parameters
    ----------
    network : QuantumNetwork
    path : sequence of str
        The nodes, from one user to the other, along fibre links; the
        intermediate nodes must be ``"repeater"`` nodes.
    scheme : {"sequential", "nested"}, default "sequential"
        Swapping schedule; ``"nested"`` needs equal links, :math:`2^k` of them.
    **overrides
        Any :class:`qlib.ChainParameters` field but the attenuation (the
        fibre's own), applied to every link's hardware: e.g. ``t2_s=0.1``.

    Returns
    -------
    EntanglementRoute

    Raises
    ------
    ValueError
        An unknown node, a path that is not a path of links, an intermediate
        node that is not a repeater, a satellite link on the path, repeaters
        that disagree on swap success or :math:`T_2`, ``"nested"`` on unequal
        links, a parameter out of range.
    TypeError
        ``network`` not a :class:`QuantumNetwork`, an unknown parameter name.

    Notes
    -----
    The model (module docstring): equal links are exactly
    :func:`qlib.repeater_chain` (Sangouard et al., Rev. Mod. Phys. 83, 33
    (2011), for its rate model); unequal links the sequential scheme with
    each link's own success probability in lockstep.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, route_chain
    >>> from qlib import repeater_chain
    >>> net = QuantumNetwork({"A": "user", "Q": "repeater", "B": "user"},
    ...                      [("A", "Q", FibreLink(100.0)), ("Q", "B", FibreLink(100.0))])
    >>> r = route_chain(net, ["A", "Q", "B"], t2_s=1.0)
    >>> r.equal_links, r.rate_hz == repeater_chain(200.0, 2, scheme="sequential", t2_s=1.0).rate_hz
    (True, True)
    """
    _check_network(network)
    scheme = check_choice("scheme", scheme, _SCHEMES)
    path = _check_path(network, path)
    bad = [n for n in path[1:-1] if network.kind(n) != "repeater"]
    if bad:
        raise ValueError(f"path passes through {bad[0]!r}, a {network.kind(bad[0])!r}: an entanglement "
                         f"route passes only through 'repeater' nodes")
    return _evaluate(network, path, scheme, overrides)


# ---------------------------------------------------------------------------
# Searching
# ---------------------------------------------------------------------------


def _route_graph(network, source, target):
    """Repeaters and the two ends, joined by fibre links."""
    return _usable_subgraph(network, source, target, ("repeater",),
                            lambda d: isinstance(d["model"], FibreLink), "length_km")


def _no_route_reason(network, source, target):
    return _no_path_reason(network, source, target, "a node that is not a repeater or over a satellite link")


def _score(route, metric):
    if metric == "rate":
        return (route.rate_hz, route.fidelity)
    if metric == "fidelity":
        return (route.fidelity, route.rate_hz)
    return (route.key_rate_bps, route.rate_hz)


def _best_in(network, sub, source, target, metric, scheme, candidates, overrides):
    if not nx.has_path(sub, source, target):
        return None
    best = None
    for path in itertools.islice(nx.shortest_simple_paths(sub, source, target, weight="length_km"), candidates):
        if scheme == "nested":
            n = len(path) - 1
            lengths = {network.graph.edges[u, v]["length_km"] for u, v in zip(path, path[1:])}
            if n & (n - 1) or len(lengths) > 1:
                continue
        try:
            route = _evaluate(network, path, scheme, overrides)
        except _UnusablePath:  # a candidate the scheme cannot use; the search tries the next
            continue
        if best is None or _score(route, metric) > _score(best, metric):
            best = route
    return best


def _check_search(network, source, target, metric, scheme, candidates):
    _check_network(network)
    _check_ends(network, source, target)
    metric = check_choice("metric", metric, ROUTE_METRICS)
    scheme = check_choice("scheme", scheme, _SCHEMES)
    candidates = check_int("candidates", candidates, minimum=1)
    return metric, scheme, candidates


def best_route(network, source, target, *, metric="rate", scheme="sequential", candidates=16,
               **overrides) -> EntanglementRoute:
    r"""The best entanglement route between two nodes, by pair rate, fidelity or key rate.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes.
    metric : {"rate", "fidelity", "key rate"}, default "rate"
        What to maximise (ties broken by the rate, or for ``"rate"`` by the
        fidelity).
    scheme : {"sequential", "nested"}, default "sequential"
        As in :func:`route_chain`; with ``"nested"`` only the paths it allows
        (equal links, :math:`2^k` of them) are candidates.
    candidates : int, default 16
        How many paths to evaluate, ``>= 1``: the shortest simple paths by
        fibre length (:func:`networkx.shortest_simple_paths`, Yen's algorithm).
    **overrides
        As in :func:`route_chain`.

    Returns
    -------
    EntanglementRoute
        With ``found`` False, rate 0, fidelity NaN, an empty path and a
        ``reason`` when no route exists.

    Raises
    ------
    ValueError
        An unknown node, ``source == target``, an unknown metric or scheme,
        ``candidates < 1``, parameters as in :func:`route_chain`.
    TypeError
        ``network`` not a :class:`QuantumNetwork`.

    Notes
    -----
    Neither the rate nor the fidelity of a chain is a sum over its links (the
    rate depends on the maximum of the links' waiting times, the fidelity on
    the waits and on every swap), so no shortest-path algorithm finds the best
    route; the search evaluates the ``candidates`` shortest paths with the full
    model and keeps the best. It is exhaustive when the network has no more
    simple paths than that, a heuristic otherwise.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, best_route
    >>> net = QuantumNetwork(
    ...     {"A": "user", "Q1": "repeater", "Q2": "repeater", "Q3": "repeater", "B": "user"},
    ...     [("A", "Q1", FibreLink(150.0)), ("Q1", "B", FibreLink(150.0)),
    ...      ("A", "Q2", FibreLink(110.0)), ("Q2", "Q3", FibreLink(100.0)), ("Q3", "B", FibreLink(110.0))])
    >>> best_route(net, "A", "B").path      # more, shorter links win on rate
    ('A', 'Q2', 'Q3', 'B')
    >>> best_route(net, "A", "B", metric="fidelity", t2_s=0.01).path   # fewer swaps and waits
    ('A', 'Q1', 'B')
    """
    metric, scheme, candidates = _check_search(network, source, target, metric, scheme, candidates)
    sub = _route_graph(network, source, target)
    best = _best_in(network, sub, source, target, metric, scheme, candidates, overrides)
    if best is None:
        if not nx.has_path(sub, source, target):
            reason = _no_route_reason(network, source, target)
        elif scheme == "nested":
            reason = "no path of equal links, 2**k of them, among the candidates: scheme='nested' allows none"
        else:
            reason = ("no path: on every candidate route a link never succeeds (success probability 0 "
                      "with these parameters)")
        return _no_route(source, target, scheme, reason)
    return best


def disjoint_routes(network, source, target, k=2, *, metric="rate", scheme="sequential", candidates=16,
                    **overrides) -> tuple:
    r"""Up to ``k`` node-disjoint entanglement routes, chosen greedily, best first.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes.
    k : int, default 2
        The most routes wanted, ``>= 1``.
    metric, scheme, candidates, **overrides
        As in :func:`best_route`.

    Returns
    -------
    tuple of EntanglementRoute
        Between 0 and ``k`` routes, no two sharing a repeater or a link; their
        pair rates add (the routes run in parallel on separate memories).

    Raises
    ------
    ValueError, TypeError
        As :func:`best_route`, or ``k < 1``.

    Notes
    -----
    Greedy: the best route, then the best route avoiding its repeaters and
    links, and so on. Repeaters' memories are not shared between routes, so
    the routes are node-disjoint (which implies link-disjoint). Greedy is not
    always optimal for the sum of the rates (a first route may block two
    good ones); the number of routes is at most the number of node-disjoint
    paths (Menger's theorem).

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, disjoint_routes
    >>> net = QuantumNetwork(
    ...     {"A": "user", "Q1": "repeater", "Q2": "repeater", "B": "user"},
    ...     [("A", "Q1", FibreLink(50.0)), ("Q1", "B", FibreLink(50.0)),
    ...      ("A", "Q2", FibreLink(60.0)), ("Q2", "B", FibreLink(60.0))])
    >>> [r.path for r in disjoint_routes(net, "A", "B", k=3)]
    [('A', 'Q1', 'B'), ('A', 'Q2', 'B')]
    """
    metric, scheme, candidates = _check_search(network, source, target, metric, scheme, candidates)
    k = check_int("k", k, minimum=1)
    sub = _route_graph(network, source, target)
    routes = []
    while len(routes) < k:
        route = _best_in(network, sub, source, target, metric, scheme, candidates, overrides)
        if route is None:
            break
        routes.append(route)
        sub.remove_nodes_from(route.repeaters)
        sub.remove_edges_from(zip(route.path, route.path[1:]))
    return tuple(routes)


# ---------------------------------------------------------------------------
# Trust against rate
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustComparison:
    """One path, its intermediate nodes as trusted relays or as repeaters (see :func:`trust_versus_rate`).

    Attributes
    ----------
    path : tuple of str
    relay_key_rate_bps : float
        Key rate with trusted relays: the slowest link's QKD rate.
    relays_learning_key : tuple of str
        With trusted relays: every intermediate node, each holding the whole key.
    repeater_key_rate_bps : float
        Key rate with repeaters: pair rate times secret-key fraction.
    repeater_pair_rate_hz, repeater_fidelity : float
        The repeater chain's pairs per second and their fidelity.
    repeater_route : EntanglementRoute
        The full repeater result.
    """

    path: tuple
    relay_key_rate_bps: float
    relays_learning_key: tuple
    repeater_key_rate_bps: float
    repeater_pair_rate_hz: float
    repeater_fidelity: float
    repeater_route: EntanglementRoute = field(repr=False)

    @property
    def rate_ratio(self) -> float:
        """``relay_key_rate_bps / repeater_key_rate_bps`` (inf when the repeaters give no key)."""
        if self.repeater_key_rate_bps == 0.0:
            return math.inf
        return self.relay_key_rate_bps / self.repeater_key_rate_bps


def trust_versus_rate(network, path, *, scheme="sequential", **overrides) -> TrustComparison:
    r"""The price of not trusting the nodes: one path as trusted relays, or as repeaters.

    Parameters
    ----------
    network : QuantumNetwork
    path : sequence of str
        A path of fibre links. The kinds of its nodes are ignored: the same
        places are imagined first as trusted relays, then as repeaters.
    scheme : {"sequential", "nested"}, default "sequential"
        The repeaters' swapping schedule, as in :func:`route_chain`.
    **overrides
        Repeater hardware, as in :func:`route_chain`.

    Returns
    -------
    TrustComparison

    Raises
    ------
    ValueError, TypeError
        As :func:`route_chain` (except for the kinds of the nodes).

    Notes
    -----
    Trusted relays forward a key at the slowest link's QKD rate (decoy BB84
    on each link, :func:`qlib.graphs.relay_path`) but every relay learns the
    key; repeaters deliver entangled pairs from which the users distil a key
    that no node in between knows (Wehner, Elkouss and Hanson, Science 362,
    eaam9288 (2018): the step from a trusted-repeater network to an
    entanglement-distribution network), at the rate of the chain model, which
    today's memories and heralding times keep far below the relays' rate on
    short links.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, trust_versus_rate
    >>> net = QuantumNetwork({"A": "user", "M": "trusted relay", "B": "user"},
    ...                      [("A", "M", FibreLink(50.0)), ("M", "B", FibreLink(50.0))])
    >>> cmp = trust_versus_rate(net, ["A", "M", "B"])
    >>> cmp.relays_learning_key, cmp.relay_key_rate_bps > cmp.repeater_key_rate_bps > 0
    (('M',), True)
    """
    _check_network(network)
    scheme = check_choice("scheme", scheme, _SCHEMES)
    if isinstance(path, Sequence) and not isinstance(path, (str, bytes)):
        path = tuple(path)
    path = _check_path(network, path)
    relay_rate = min(network.graph.edges[u, v]["key_rate_bps"] for u, v in zip(path, path[1:]))
    route = _evaluate(network, path, scheme, overrides)
    return TrustComparison(path=path, relay_key_rate_bps=relay_rate, relays_learning_key=tuple(path[1:-1]),
                           repeater_key_rate_bps=route.key_rate_bps, repeater_pair_rate_hz=route.rate_hz,
                           repeater_fidelity=route.fidelity, repeater_route=route)
