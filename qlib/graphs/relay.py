r"""Trusted-node key relay: one-time-pad hop by hop, the rate of a path and of a max flow.

Two users without a direct QKD link get a key through a chain of trusted
nodes: the first node draws the key (or receives it from the user), and each
node passes it to the next encrypted with a one-time pad from the QKD key it
shares with that neighbour, :math:`c_i = k \oplus s_i`; the next node decrypts
it, :math:`k = c_i \oplus s_i`, and encrypts it again for the following link.
This is how SECOQC (Peev et al., New J. Phys. 11, 075001 (2009)), Tokyo
(Sasaki et al., Opt. Express 19, 10387 (2011)) and the Beijing–Shanghai
backbone (Chen et al., Nature 589, 214 (2021)) forward keys, and how Micius
joined Xinglong and Graz (Liao et al., PRL 120, 030501 (2018)).

- :func:`relay_path`: one path, its rate (its slowest link), its relays and
  the key it consumes; without a ``path`` the widest path (the largest
  bottleneck).
- :func:`relay_max_flow`: every path together (max flow), the minimum cut.
- :func:`otp_relay`: the relay done on bits (numpy), to see it work.

The trust assumption, said plainly: **every relay holds the whole key in
clear** (:attr:`RelayPath.relays`, :attr:`OTPRelay.seen_in_clear`). The
security of a relayed key is that of the least trustworthy relay on its path.

Conventions
-----------
Rates in secret bits per second (the links' ``key_rate_bps`` of
:class:`qlib.graphs.QuantumNetwork`); key material in bits; bit arrays are
1-d ``numpy.uint8`` arrays of 0/1. A relayed key may pass only through nodes
of :data:`qlib.graphs.TRUSTED_KINDS` (its two ends may be of any kind), and
only over links whose key rate is positive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from networkx.algorithms.flow import preflow_push

from .._validation import check_bit_array
from .network import (
    TRUSTED_KINDS,
    _check_ends,
    _check_network,
    _no_path_reason,
    _usable_subgraph,
)

__all__ = [
    "FLOW_RESOLUTION_BPS",
    "RelayPath",
    "RelayFlow",
    "OTPRelay",
    "relay_path",
    "relay_max_flow",
    "otp_relay",
]

#: Max-flow capacities are whole multiples of this rate (bits/s): networkx's flow
#: algorithms are exact on integers, while float capacities can suffer round-off.
FLOW_RESOLUTION_BPS = 1e-3


def _relay_graph(network, source, target) -> nx.Graph:
    """The subgraph a key from ``source`` to ``target`` may use: trusted nodes, positive-rate links."""
    return _usable_subgraph(network, source, target, TRUSTED_KINDS,
                            lambda d: d["key_rate_bps"] > 0.0, "key_rate_bps")


def _relay_no_path_reason(network, source, target):
    return _no_path_reason(network, source, target,
                           f"a node that is not a trusted relay ({', '.join(sorted(TRUSTED_KINDS))}) "
                           f"or over a link with no key")


@dataclass(frozen=True)
class RelayPath:
    """A key relayed hop by hop along one path (see :func:`relay_path`).

    Attributes
    ----------
    source, target : str
        The two ends.
    path : tuple of str
        The nodes from ``source`` to ``target``; empty when there is no path.
    rate_bps : float
        End-to-end key rate in bits/s: the slowest link's rate (0 without a path).
    link_rates_bps : tuple of float
        Each hop's QKD key rate in bits/s, in path order.
    bottleneck : tuple of str or None
        The slowest link (the first one if several tie).
    relays : tuple of str
        The intermediate nodes. **Each learns the whole key.**
    hops : int
        Number of links.
    key_cost_bps : float
        Link key consumed in bits/s when relaying at ``rate_bps``: every hop
        spends one bit of its own QKD key per relayed bit, so ``hops * rate_bps``.
    reason : str
        Empty when a path was found; else why there is none.
    """

    source: str
    target: str
    path: tuple
    rate_bps: float
    link_rates_bps: tuple
    bottleneck: tuple | None
    relays: tuple
    hops: int
    key_cost_bps: float
    reason: str = ""

    @property
    def found(self) -> bool:
        """Whether there is a path."""
        return bool(self.path)


def _path_result(network, source, target, path):
    rates = tuple(network.graph.edges[u, v]["key_rate_bps"] for u, v in zip(path, path[1:]))
    rate = min(rates)
    i = rates.index(rate)
    hops = len(rates)
    reason = "" if rate > 0 else f"link ({path[i]!r}, {path[i + 1]!r}) yields no key: the path carries none"
    return RelayPath(source=source, target=target, path=tuple(path), rate_bps=rate, link_rates_bps=rates,
                     bottleneck=(path[i], path[i + 1]), relays=tuple(path[1:-1]), hops=hops,
                     key_cost_bps=hops * rate, reason=reason)


def _no_path(source, target, reason):
    return RelayPath(source=source, target=target, path=(), rate_bps=0.0, link_rates_bps=(),
                     bottleneck=None, relays=(), hops=0, key_cost_bps=0.0, reason=reason)


def _check_path(network, path):
    if isinstance(path, (str, bytes)) or not isinstance(path, Sequence):
        raise TypeError(f"path must be a sequence of node names, got {type(path).__name__}")
    path = tuple(path)
    if len(path) < 2:
        raise ValueError(f"path must hold at least two nodes, got {path!r}")
    for node in path:
        network.check_node(node)
    if len(set(path)) != len(path):
        raise ValueError(f"path must not visit a node twice, got {path!r}")
    for u, v in zip(path, path[1:]):
        if not network.graph.has_edge(u, v):
            raise ValueError(f"path {path!r} is not a path of the network: no link between {u!r} and {v!r}")
    return path


def relay_path(network, source, target, path=None) -> RelayPath:
    r"""Relay a key along one path: its rate is its slowest link's.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes of ``network``.
    path : sequence of str, optional
        The nodes of the path, from ``source`` to ``target``. ``None`` (the
        default) chooses the widest path: the largest bottleneck rate over the
        trusted nodes, and among those the fewest hops.

    Returns
    -------
    RelayPath
        With ``found`` False, ``rate_bps`` 0, an empty path and a ``reason``
        when no path carries key (disconnected users, no trusted route).

    Raises
    ------
    ValueError
        An unknown node, ``source == target``; a given ``path`` that does not
        run from ``source`` to ``target`` along links, visits a node twice or
        passes through a node that is not trusted.
    TypeError
        ``network`` not a :class:`QuantumNetwork`, ``path`` not a sequence.

    Notes
    -----
    Each relay decrypts the key from one link and encrypts it for the next, so
    the end-to-end rate is :math:`\min_i R_i` over the path's links, and each
    hop consumes :math:`R` bits/s of its own link's key (one-time pad: one key
    bit per relayed bit). The widest path is the path between the two nodes in
    a maximum spanning tree of the trusted subgraph (the minimax-path property
    of spanning trees, Hu, Oper. Res. 9, 898 (1961)); a breadth-first search
    over the links at least that fast then gives the fewest hops.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, relay_path
    >>> net = QuantumNetwork({"A": "user", "R": "trusted relay", "B": "user"},
    ...                      [("A", "R", FibreLink(20.0)), ("R", "B", FibreLink(60.0))])
    >>> p = relay_path(net, "A", "B")
    >>> p.path, p.relays, p.bottleneck
    (('A', 'R', 'B'), ('R',), ('R', 'B'))
    >>> p.rate_bps == net.link("R", "B").key_rate_bps
    True
    """
    _check_network(network)
    _check_ends(network, source, target)
    if path is not None:
        path = _check_path(network, path)
        if path[0] != source or path[-1] != target:
            raise ValueError(f"path must run from {source!r} to {target!r}, got {path!r}")
        untrusted = [n for n in path[1:-1] if network.kind(n) not in TRUSTED_KINDS]
        if untrusted:
            raise ValueError(f"path passes through {untrusted[0]!r}, a {network.kind(untrusted[0])!r}: a "
                             f"relayed key passes only through {', '.join(sorted(TRUSTED_KINDS))} nodes")
        return _path_result(network, source, target, path)
    sub = _relay_graph(network, source, target)
    if not nx.has_path(sub, source, target):
        return _no_path(source, target, _relay_no_path_reason(network, source, target))
    tree = nx.maximum_spanning_tree(sub, weight="key_rate_bps")
    tree_path = nx.shortest_path(tree, source, target)
    width = min(sub.edges[u, v]["key_rate_bps"] for u, v in zip(tree_path, tree_path[1:]))
    wide = nx.Graph()
    wide.add_edges_from((u, v) for u, v, r in sub.edges(data="key_rate_bps") if r >= width)
    return _path_result(network, source, target, nx.shortest_path(wide, source, target))


@dataclass(frozen=True)
class RelayFlow:
    """Keys relayed over many paths at once: the max flow (see :func:`relay_max_flow`).

    Attributes
    ----------
    source, target : str
    rate_bps : float
        The maximum end-to-end key rate in bits/s (a multiple of
        :data:`FLOW_RESOLUTION_BPS`; 0 without a path).
    link_flows_bps : dict
        ``(u, v) -> bits/s`` relayed from ``u`` to ``v`` over that link, for
        every link that carries key (net flow, one direction per link).
    min_cut : tuple of (str, str)
        The links of a minimum cut: removing them separates the users, and
        their key rates add up to ``rate_bps``.
    min_cut_capacity_bps : float
        Sum of the cut links' capacities, equal to ``rate_bps`` (max-flow
        min-cut theorem).
    relays : tuple of str
        Trusted nodes that carry part of the key. **Each learns in clear every
        key bit routed through it.**
    key_cost_bps : float
        Link key consumed in bits/s: the sum of ``link_flows_bps``.
    reason : str
        Empty when the users are connected; else why not.
    """

    source: str
    target: str
    rate_bps: float
    link_flows_bps: dict = field(repr=False)
    min_cut: tuple
    min_cut_capacity_bps: float
    relays: tuple
    key_cost_bps: float
    reason: str = ""

    @property
    def found(self) -> bool:
        """Whether any key reaches the target."""
        return self.rate_bps > 0.0


def relay_max_flow(network, source, target) -> RelayFlow:
    r"""The most key two nodes can share through trusted relays, over all paths at once.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes of ``network``.

    Returns
    -------
    RelayFlow
        Rate, per-link flows, a minimum cut, the relays that learn key, the key
        cost. Disconnected users: rate 0, empty flows and cut, and a ``reason``.

    Raises
    ------
    ValueError
        An unknown node, ``source == target``.
    TypeError
        ``network`` not a :class:`QuantumNetwork`.

    Notes
    -----
    *The model.* Each link's QKD key rate is its capacity. A link's key is
    one shared secret that either end may spend to send to the other, so the
    undirected link becomes two arcs of that capacity, and the flow returned
    is the net flow (opposite flows cancel; a maximum flow never needs both
    directions), which never exceeds the capacity. Nodes that are not trusted
    carry no flow (they are left out, except the two ends). Capacities are
    rounded *down* to whole multiples of :data:`FLOW_RESOLUTION_BPS` and the
    flow computed on integers with networkx's preflow-push (Goldberg and
    Tarjan, J. ACM 35, 921 (1988)), so the max flow equals the min-cut
    capacity exactly (Ford and Fulkerson, Can. J. Math. 8, 399 (1956)).
    The rate is what the links can deliver *together* if the relays split the
    key over the paths; each relay still learns the bits it forwards.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, relay_max_flow
    >>> net = QuantumNetwork(
    ...     {"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
    ...     [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
    ...      ("A", "R2", FibreLink(40.0)), ("R2", "B", FibreLink(40.0))])
    >>> flow = relay_max_flow(net, "A", "B")
    >>> one = net.link("A", "R1").key_rate_bps + net.link("A", "R2").key_rate_bps
    >>> abs(flow.rate_bps - one) < 2e-3, flow.relays
    (True, ('R1', 'R2'))
    >>> flow.rate_bps == flow.min_cut_capacity_bps
    True
    """
    _check_network(network)
    _check_ends(network, source, target)
    sub = _relay_graph(network, source, target)
    if not nx.has_path(sub, source, target):
        return RelayFlow(source=source, target=target, rate_bps=0.0, link_flows_bps={}, min_cut=(),
                         min_cut_capacity_bps=0.0, relays=(), key_cost_bps=0.0,
                         reason=_relay_no_path_reason(network, source, target))
    arcs = nx.DiGraph()
    arcs.add_nodes_from(sub)
    for u, v, rate in sub.edges(data="key_rate_bps"):
        cap = int(math.floor(rate / FLOW_RESOLUTION_BPS))
        arcs.add_edge(u, v, capacity=cap)
        arcs.add_edge(v, u, capacity=cap)
    residual = preflow_push(arcs, source, target)
    value = residual.graph["flow_value"]
    flows, carried = {}, set()
    for u, v in sub.edges():
        net_flow = residual[u][v]["flow"]  # antisymmetric in the residual network: f(v, u) = -f(u, v)
        if net_flow > 0:
            flows[(u, v)] = net_flow * FLOW_RESOLUTION_BPS
        elif net_flow < 0:
            flows[(v, u)] = -net_flow * FLOW_RESOLUTION_BPS
        if net_flow:
            carried.update((u, v))
    # source side of a minimum cut: the nodes reachable from the source in the residual network
    reach = {source}
    stack = [source]
    while stack:
        u = stack.pop()
        for v, attr in residual[u].items():
            if v not in reach and attr["flow"] < attr["capacity"]:
                reach.add(v)
                stack.append(v)
    cut = tuple((u, v) if u in reach else (v, u) for u, v in sub.edges() if (u in reach) != (v in reach))
    cut_capacity = sum(arcs[u][v]["capacity"] for u, v in cut)
    relays = tuple(n for n in network.nodes if n in carried and n not in (source, target))
    return RelayFlow(source=source, target=target, rate_bps=value * FLOW_RESOLUTION_BPS,
                     link_flows_bps=flows, min_cut=cut, min_cut_capacity_bps=cut_capacity * FLOW_RESOLUTION_BPS,
                     relays=relays, key_cost_bps=sum(flows.values()), reason="")


@dataclass(frozen=True)
class OTPRelay:
    """A key relayed hop by hop with one-time pads, on bits (see :func:`otp_relay`).

    Attributes
    ----------
    path : tuple
        The nodes, from the sender to the receiver.
    key : numpy.ndarray
        The key the sender relayed.
    delivered_key : numpy.ndarray
        What the receiver decrypted from the last hop.
    ciphertexts : tuple of numpy.ndarray
        What travelled in public over each hop, :math:`k \\oplus s_i`.
    seen_in_clear : dict
        Relay -> the key it decrypted and re-encrypted (each relay's copy).
    key_bits_consumed : tuple of int
        Link-key bits each hop spent: the key's length, on every hop.
    """

    path: tuple
    key: np.ndarray = field(repr=False)
    delivered_key: np.ndarray = field(repr=False)
    ciphertexts: tuple = field(repr=False)
    seen_in_clear: dict = field(repr=False)
    key_bits_consumed: tuple

    @property
    def delivered(self) -> bool:
        """Whether the receiver holds exactly the sender's key."""
        return bool(np.array_equal(self.key, self.delivered_key))


def otp_relay(path, key, link_keys) -> OTPRelay:
    r"""Relay ``key`` along ``path``, each hop one-time-padded with that link's QKD key.

    Parameters
    ----------
    path : sequence of str
        At least two distinct node names, sender first.
    key : array_like of bits
        The key to deliver, a 1-d array of 0/1.
    link_keys : sequence of array_like of bits, or Mapping
        The QKD key each hop's two nodes share, at least as long as ``key``
        (only its first ``len(key)`` bits are spent): one per hop, in path
        order, or a mapping ``(u, v) -> bits`` (either order).

    Returns
    -------
    OTPRelay

    Raises
    ------
    ValueError
        A path shorter than two nodes or with a repeated node, a link key
        missing or shorter than the key, the wrong number of link keys, arrays
        that are not bits.
    TypeError
        Arrays of non-integer type.

    Notes
    -----
    Hop :math:`i` sends :math:`c_i = k \oplus s_i` in public; node
    :math:`i+1` computes :math:`c_i \oplus s_i = k`. Each :math:`c_i` alone is
    uniformly random to an eavesdropper who lacks :math:`s_i` (Shannon, Bell
    Syst. Tech. J. 28, 656 (1949)), but every relay holds :math:`k` itself:
    the price of the trusted node. The pads are spent: re-using :math:`s_i`
    for a second key would leak the XOR of the two keys.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib.graphs import otp_relay
    >>> rng = np.random.default_rng(7)
    >>> key = rng.integers(0, 2, 16, dtype=np.uint8)
    >>> pads = [rng.integers(0, 2, 16, dtype=np.uint8) for _ in range(3)]
    >>> run = otp_relay(["Alice", "R1", "R2", "Bob"], key, pads)
    >>> run.delivered, sorted(run.seen_in_clear), run.key_bits_consumed
    (True, ['R1', 'R2'], (16, 16, 16))
    >>> all(np.array_equal(k, key) for k in run.seen_in_clear.values())
    True
    """
    if isinstance(path, (str, bytes)) or not isinstance(path, Sequence):
        raise TypeError(f"path must be a sequence of node names, got {type(path).__name__}")
    path = tuple(path)
    if len(path) < 2:
        raise ValueError(f"path must hold at least two nodes, got {path!r}")
    if len(set(path)) != len(path):
        raise ValueError(f"path must not visit a node twice, got {path!r}")
    k = check_bit_array("key", key)
    hops = list(zip(path, path[1:]))
    if isinstance(link_keys, Mapping):
        pads = []
        for u, v in hops:
            pad = link_keys.get((u, v), link_keys.get((v, u)))
            if pad is None:
                raise ValueError(f"link_keys has no key for the hop ({u!r}, {v!r})")
            pads.append(pad)
    else:
        pads = list(link_keys)
        if len(pads) != len(hops):
            raise ValueError(f"link_keys must hold one key per hop ({len(hops)}), got {len(pads)}")
    checked = []
    for (u, v), pad in zip(hops, pads):
        s = check_bit_array(f"link key of ({u!r}, {v!r})", pad)
        if s.size < k.size:
            raise ValueError(f"link key of ({u!r}, {v!r}) has {s.size} bits, fewer than the key's {k.size}: "
                             f"a one-time pad needs one key bit per relayed bit")
        checked.append(s[: k.size])
    held = k.copy()
    ciphertexts, seen = [], {}
    for i, s in enumerate(checked):
        c = np.bitwise_xor(held, s)
        ciphertexts.append(c)
        held = np.bitwise_xor(c, s)  # the next node decrypts
        if i + 1 < len(checked):
            seen[path[i + 1]] = held.copy()
    return OTPRelay(path=path, key=k.copy(), delivered_key=held, ciphertexts=tuple(ciphertexts),
                    seen_in_clear=seen, key_bits_consumed=tuple(k.size for _ in checked))
