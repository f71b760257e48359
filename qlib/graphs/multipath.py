r"""Keys over node-disjoint paths: XOR shares against compromised trusted relays.

A trusted relay holds in clear every key it relays (:mod:`qlib.graphs.relay`).
An eavesdropper who controls one relay of a path therefore reads every key on
that path. The mitigation: split the key into :math:`k` one-time-pad shares,
:math:`k = x_1 \oplus x_2 \oplus \cdots \oplus x_k` with
:math:`x_1, \ldots, x_{k-1}` uniformly random, and relay each share over its
own path, the :math:`k` paths sharing no relay (node-disjoint). A relay now
holds one share, which alone is uniformly random and independent of the key;
the eavesdropper reads the key only if it holds at least one relay on *every*
path (Salvail, Peev, Diamanti, Alléaume, Lütkenhaus and Länger, J. Comput.
Secur. 18, 61 (2010), analyse such trusted-repeater networks).

- :func:`xor_shares` and :func:`combine_shares`: the splitting, on bits.
- :func:`relay_over_disjoint_paths`: choose the paths, relay every share hop
  by hop with one-time pads (:func:`qlib.graphs.otp_relay`), reconstruct and
  check; the rate, the key cost, and :meth:`MultipathRelay.exposed_to`.
- :func:`minimum_relay_cut`: the fewest trusted relays an eavesdropper must
  hold to read every key between two users, which by Menger's theorem is the
  largest number of node-disjoint paths between them.

Conventions
-----------
Rates in secret bits per second, key material in bits, bit arrays 1-d
``numpy.uint8`` of 0/1, as in :mod:`qlib.graphs.relay`. Keys pass only through
nodes of :data:`qlib.graphs.TRUSTED_KINDS` (the two ends may be of any kind)
and over links with a positive key rate. The link keys of the simulated relay
are drawn uniformly at random: they stand for the QKD keys the links made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .._validation import check_bit_array, check_generator, check_int
from .network import _check_ends, _check_network
from .relay import OTPRelay, _relay_graph, _relay_no_path_reason, otp_relay

__all__ = [
    "MultipathRelay",
    "RelayCut",
    "xor_shares",
    "combine_shares",
    "relay_over_disjoint_paths",
    "minimum_relay_cut",
]


def xor_shares(key, n, *, seed=None, rng=None) -> tuple:
    r"""Split ``key`` into ``n`` one-time-pad shares whose XOR is the key.

    Parameters
    ----------
    key : array_like of bits
        The key, a 1-d array of 0/1.
    n : int
        Number of shares, ``>= 1``.
    seed : int, optional
        Seed of the random shares (or give ``rng``).
    rng : numpy.random.Generator, optional

    Returns
    -------
    tuple of numpy.ndarray
        ``n`` arrays of the key's length; shares ``0 .. n-2`` uniformly random,
        the last ``key`` XOR all of them.

    Raises
    ------
    ValueError
        ``key`` not 1-d bits, ``n < 1``, both ``seed`` and ``rng``.
    TypeError
        ``n`` not an integer, ``key`` of a non-integer type.

    Notes
    -----
    Any :math:`n-1` of the shares are independent uniform bits, whatever the
    key: for a fixed set of :math:`n-1` shares missing share :math:`j`, the
    map from the random draws to those shares is a bijection for every key
    (the missing share absorbs the key). Only all :math:`n` together determine
    it. With ``n = 1`` the one share is the key itself. Chapter *Attacks on a
    quantum network, and resilience*.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib.graphs import combine_shares, xor_shares
    >>> key = np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=np.uint8)
    >>> shares = xor_shares(key, 3, seed=1)
    >>> len(shares), np.array_equal(combine_shares(shares), key)
    (3, True)
    """
    k = check_bit_array("key", key)
    n = check_int("n", n, minimum=1)
    gen = check_generator(seed, rng)
    shares = [gen.integers(0, 2, k.size, dtype=np.uint8) for _ in range(n - 1)]
    last = k.copy()
    for s in shares:
        last ^= s
    return (*shares, last)


def combine_shares(shares) -> np.ndarray:
    """The XOR of all ``shares`` (1-d bit arrays of one length): the key they split.

    Parameters
    ----------
    shares : sequence of array_like of bits
        At least one share.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        No share, shares of different lengths, arrays that are not bits.

    Examples
    --------
    >>> from qlib.graphs import combine_shares
    >>> combine_shares([[1, 1, 0], [0, 1, 1]])
    array([1, 0, 1], dtype=uint8)
    """
    if isinstance(shares, (str, bytes)) or not isinstance(shares, Iterable):
        raise TypeError(f"shares must be a sequence of bit arrays, got {type(shares).__name__}")
    checked = [check_bit_array(f"share {i}", s) for i, s in enumerate(shares)]
    if not checked:
        raise ValueError("shares must hold at least one share, got none")
    lengths = {s.size for s in checked}
    if len(lengths) != 1:
        raise ValueError(f"shares must all have the same length, got lengths {sorted(lengths)}")
    out = checked[0].copy()
    for s in checked[1:]:
        out ^= s
    return out


@dataclass(frozen=True)
class MultipathRelay:
    """A key split into XOR shares, one per node-disjoint path (see :func:`relay_over_disjoint_paths`).

    Attributes
    ----------
    source, target : str
    paths : tuple of tuple of str
        The node-disjoint paths, one share each (empty when there is none).
    path_rates_bps : tuple of float
        Each path's rate alone, its slowest link (bits/s).
    rate_bps : float
        End-to-end key rate in bits/s: every share is as long as the key and
        the key needs all of them, so the slowest path's rate, ``min(path_rates_bps)``.
    key_cost_bps : float
        Link key spent per second at ``rate_bps``: every hop of every path
        spends one link-key bit per key bit, ``rate_bps * sum(hops)``.
    relays : tuple of tuple of str
        Each path's relays, which hold that path's share in clear.
    key, shares, delivered_key : numpy.ndarray
        The simulated run on bits: the key, its shares (in path order) and
        what the target reconstructed.
    runs : tuple of OTPRelay
        Each share's hop-by-hop one-time-pad relay.
    reason : str
        Empty when a path was found; else why there is none.
    """

    source: str
    target: str
    paths: tuple
    path_rates_bps: tuple
    rate_bps: float
    key_cost_bps: float
    relays: tuple
    key: np.ndarray = field(repr=False)
    shares: tuple = field(repr=False)
    delivered_key: np.ndarray = field(repr=False)
    runs: tuple = field(repr=False)
    reason: str = ""
    _nodes: frozenset = field(default=frozenset(), repr=False)

    @property
    def found(self) -> bool:
        """Whether any path carries key."""
        return bool(self.paths)

    @property
    def delivered(self) -> bool:
        """Whether the target reconstructed exactly the source's key."""
        return self.found and bool(np.array_equal(self.key, self.delivered_key))

    def exposed_paths(self, compromised_nodes) -> tuple:
        """The indices of the paths with at least one relay in ``compromised_nodes``."""
        held = self._check_compromised(compromised_nodes)
        return tuple(i for i, relays in enumerate(self.relays) if held & set(relays))

    def exposed_to(self, compromised_nodes) -> bool:
        """Whether an eavesdropper holding ``compromised_nodes`` reads the key.

        Parameters
        ----------
        compromised_nodes : iterable of str
            Nodes of the network the eavesdropper controls (it reads all they hold).

        Returns
        -------
        bool
            True exactly when every path has a relay in ``compromised_nodes``:
            then it holds every share. A path without relays (a direct link)
            is never exposed, nor is a key that found no path.

        Raises
        ------
        ValueError
            A node not in the network; ``source`` or ``target`` (they hold the
            key by definition: the question is about relays).
        TypeError
            ``compromised_nodes`` a single string, not iterable, or holding a non-string.
        """
        return self.found and len(self.exposed_paths(compromised_nodes)) == len(self.paths)

    def _check_compromised(self, compromised_nodes) -> set:
        if isinstance(compromised_nodes, (str, bytes)) or not isinstance(compromised_nodes, Iterable):
            raise TypeError(f"compromised_nodes must be an iterable of node names, got "
                            f"{compromised_nodes!r} of type {type(compromised_nodes).__name__}")
        held = set()
        for node in compromised_nodes:
            if not isinstance(node, str):
                raise TypeError(f"compromised_nodes must hold node names (str), got {node!r} of type "
                                f"{type(node).__name__}")
            held.add(node)
        for node in held:
            if node not in self._nodes:
                raise ValueError(f"compromised_nodes names unknown node {node!r}; nodes: {sorted(self._nodes)}")
            if node in (self.source, self.target):
                raise ValueError(f"compromised_nodes holds {node!r}, an end of the key, which holds the key "
                                 f"by definition: name relays only")
        return held


def _disjoint_family(sub, source, target, k):
    """The widest family of ``k`` node-disjoint paths: the largest rate w such that the links
    of rate >= w still hold k node-disjoint paths (a bisection over the distinct link rates)."""
    rates = sorted({r for _, _, r in sub.edges(data="key_rate_bps")})

    def paths_at(w):
        g = nx.Graph()
        g.add_nodes_from(sub)
        g.add_edges_from((u, v) for u, v, r in sub.edges(data="key_rate_bps") if r >= w)
        if not nx.has_path(g, source, target):
            return []
        return [tuple(p) for p in nx.node_disjoint_paths(g, source, target, cutoff=k)]

    lo, hi = 0, len(rates) - 1  # paths_at(rates[0]) holds k paths by the choice of k
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(paths_at(rates[mid])) >= k:
            lo = mid
        else:
            hi = mid - 1
    paths = paths_at(rates[lo])[:k]
    return sorted(paths, key=lambda p: (len(p), p))


def _max_disjoint(sub, source, target):
    """The largest number of node-disjoint paths (Menger); a direct link counts as one path."""
    if sub.has_edge(source, target):
        rest = nx.Graph(sub)
        rest.remove_edge(source, target)
        return 1 + (nx.node_connectivity(rest, source, target) if nx.has_path(rest, source, target) else 0)
    return nx.node_connectivity(sub, source, target)


def relay_over_disjoint_paths(network, source, target, k=None, *, key=None, key_bits=64, seed=None,
                              rng=None) -> MultipathRelay:
    r"""Relay a key as XOR shares over ``k`` node-disjoint paths, on bits, and say who could read it.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes.
    k : int, optional
        Number of shares and paths, ``>= 1``; default: as many node-disjoint
        paths as there are. ``k = 1`` is the single widest path of
        :func:`qlib.graphs.relay_path` (one share: the key itself).
    key : array_like of bits, optional
        The key to deliver; default ``key_bits`` random bits.
    key_bits : int, default 64
        Length of the random key when ``key`` is not given, ``>= 1``.
    seed : int, optional
        Seed of the key, the shares and the simulated link keys (or ``rng``).
    rng : numpy.random.Generator, optional

    Returns
    -------
    MultipathRelay
        With ``found`` False, rate 0 and a ``reason`` when no path carries key.

    Raises
    ------
    ValueError
        An unknown node, ``source == target``, ``k < 1`` or more node-disjoint
        paths than exist (the message says how many do), ``key`` not bits,
        both ``seed`` and ``rng``.
    TypeError
        ``network`` not a :class:`QuantumNetwork`, ``k`` or ``key_bits`` not
        an integer.

    Notes
    -----
    *The paths.* Among all families of ``k`` node-disjoint paths the one
    whose slowest link is fastest, found by keeping only the links of rate
    :math:`\ge w` for the largest :math:`w` at which ``k`` node-disjoint paths
    remain (networkx's :func:`~networkx.algorithms.connectivity.disjoint_paths.node_disjoint_paths`,
    a unit-capacity flow; Menger's theorem says when ``k`` exist). Node-disjoint
    paths share no link either (a direct link is at most one of them).

    *The rate.* Share :math:`i` is as long as the key and travels at path
    :math:`i`'s rate :math:`R_i = \min_{\ell \in i} R_\ell`; a key is complete
    when all :math:`k` shares are, so the end-to-end rate is
    :math:`R = \min_i R_i`, never more than the single widest path's rate and
    often less. *The cost.* Every hop of every path spends one link-key bit per
    key bit: :math:`R \sum_i h_i` bits/s, against :math:`R_1 h_1` for one path.
    The max flow of :func:`qlib.graphs.relay_max_flow` is the other choice: it
    sums the paths' rates, and every relay learns its part of the key.

    *The security.* A relay on path :math:`i` holds share :math:`x_i`, uniform
    and independent of the key unless all shares are held
    (:func:`xor_shares`); the key is read exactly when the eavesdropper holds a
    relay on every path (:meth:`MultipathRelay.exposed_to`). Introduced in the
    chapter *Attacks on a quantum network, and resilience*.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, relay_over_disjoint_paths
    >>> ring = QuantumNetwork({"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
    ...                       [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
    ...                        ("A", "R2", FibreLink(40.0)), ("R2", "B", FibreLink(40.0))])
    >>> split = relay_over_disjoint_paths(ring, "A", "B", seed=1)
    >>> split.paths, split.delivered
    ((('A', 'R1', 'B'), ('A', 'R2', 'B')), True)
    >>> split.rate_bps == ring.link("A", "R2").key_rate_bps
    True
    >>> split.exposed_to({"R1"}), split.exposed_to({"R1", "R2"})
    (False, True)
    """
    _check_network(network)
    _check_ends(network, source, target)
    if k is not None:
        k = check_int("k", k, minimum=1)
    gen = check_generator(seed, rng)
    if key is None:
        key = gen.integers(0, 2, check_int("key_bits", key_bits, minimum=1), dtype=np.uint8)
    key = check_bit_array("key", key).copy()
    nodes = frozenset(network.nodes)
    sub = _relay_graph(network, source, target)
    if not nx.has_path(sub, source, target):
        return MultipathRelay(source=source, target=target, paths=(), path_rates_bps=(), rate_bps=0.0,
                              key_cost_bps=0.0, relays=(), key=key, shares=(), delivered_key=np.zeros(0, np.uint8),
                              runs=(), reason=_relay_no_path_reason(network, source, target), _nodes=nodes)
    available = _max_disjoint(sub, source, target)
    if k is None:
        k = available
    elif k > available:
        raise ValueError(f"k must be at most {available}, the number of node-disjoint paths from {source!r} to "
                         f"{target!r} through trusted relays over links that make key, got {k}")
    paths = _disjoint_family(sub, source, target, k)
    rates = tuple(min(sub.edges[u, v]["key_rate_bps"] for u, v in zip(p, p[1:])) for p in paths)
    rate = min(rates)
    hops = sum(len(p) - 1 for p in paths)
    shares = xor_shares(key, k, rng=gen)
    runs = []
    for path, share in zip(paths, shares):
        pads = [gen.integers(0, 2, key.size, dtype=np.uint8) for _ in range(len(path) - 1)]
        runs.append(otp_relay(path, share, pads))
    delivered = combine_shares([run.delivered_key for run in runs])
    return MultipathRelay(source=source, target=target, paths=tuple(paths), path_rates_bps=rates, rate_bps=rate,
                          key_cost_bps=rate * hops, relays=tuple(tuple(p[1:-1]) for p in paths), key=key,
                          shares=shares, delivered_key=delivered, runs=tuple(runs), _nodes=nodes)


@dataclass(frozen=True)
class RelayCut:
    """The fewest trusted relays whose capture exposes every key between two nodes (see :func:`minimum_relay_cut`).

    Attributes
    ----------
    source, target : str
    relays : tuple of str
        A smallest set of relays that meets every path (empty with a direct
        link or without any path).
    count : int or None
        ``len(relays)``; ``None`` when the users share a direct link (no set of
        relays meets that path), 0 when no key flows at all.
    disjoint_paths : int
        The largest number of node-disjoint paths (a direct link counts as one).
    direct_link : bool
        Whether ``source`` and ``target`` share a link that makes key.
    reason : str
        Why there is no cut: a direct link, or no path; empty otherwise.
    """

    source: str
    target: str
    relays: tuple
    count: int | None
    disjoint_paths: int
    direct_link: bool
    reason: str = ""


def minimum_relay_cut(network, source, target) -> RelayCut:
    r"""The fewest trusted relays an eavesdropper must hold to read every key between two nodes.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes.

    Returns
    -------
    RelayCut
        ``count`` None and ``direct_link`` True when the two share a direct
        link (a key sent over it passes through no relay); ``count`` 0 and a
        ``reason`` when no key can flow at all.

    Raises
    ------
    ValueError
        An unknown node, ``source == target``.
    TypeError
        ``network`` not a :class:`QuantumNetwork`.

    Notes
    -----
    A minimum :math:`s`–:math:`t` node cut of the trusted subgraph
    (networkx's :func:`~networkx.algorithms.connectivity.cuts.minimum_node_cut`).
    By Menger's theorem (Menger, Fund. Math. 10, 96 (1927)) its size equals the
    largest number of node-disjoint paths, so splitting a key into that many
    XOR shares (:func:`relay_over_disjoint_paths`) forces an eavesdropper to
    capture exactly this many relays, and no scheme of relays alone can demand
    more: those relays together hold everything that crosses between the users.
    Chapter *Attacks on a quantum network, and resilience*.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, minimum_relay_cut
    >>> ring = QuantumNetwork({"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
    ...                       [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
    ...                        ("A", "R2", FibreLink(40.0)), ("R2", "B", FibreLink(40.0))])
    >>> cut = minimum_relay_cut(ring, "A", "B")
    >>> cut.count, cut.relays
    (2, ('R1', 'R2'))
    >>> minimum_relay_cut(ring, "A", "R1").direct_link
    True
    """
    _check_network(network)
    _check_ends(network, source, target)
    sub = _relay_graph(network, source, target)
    if not nx.has_path(sub, source, target):
        return RelayCut(source=source, target=target, relays=(), count=0, disjoint_paths=0, direct_link=False,
                        reason=_relay_no_path_reason(network, source, target))
    paths = _max_disjoint(sub, source, target)
    if sub.has_edge(source, target):
        return RelayCut(source=source, target=target, relays=(), count=None, disjoint_paths=paths,
                        direct_link=True,
                        reason=f"{source!r} and {target!r} share a direct link: a key sent over it passes "
                               f"through no relay, so no set of relays exposes it")
    cut = nx.minimum_node_cut(sub, source, target)
    order = {n: i for i, n in enumerate(network.nodes)}
    relays = tuple(sorted(cut, key=order.__getitem__))
    return RelayCut(source=source, target=target, relays=relays, count=len(relays), disjoint_paths=paths,
                    direct_link=False)
