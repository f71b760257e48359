r"""Attacks on a key network: jam a link until it aborts, cut fibres, count the links to cut.

An adversary on a link can intercept and resend a fraction of the pulses, or
add loss (bend, splice or cut the fibre). The book's tampering model
(:func:`qlib.tampered_qber`, :func:`qlib.qkd_aborts`, introduced in the
chapter *QKD over distance, and its attacks*) gives the QBER Alice and Bob
measure; when it passes the abort threshold the link stops producing key and
leaves the graph, and the keys reroute (:func:`qlib.graphs.relay_max_flow` on
the attacked network).

What the attacker **cannot** do: read the key. An intercept that raises the
QBER is paid for in privacy amplification, and past the threshold the link
aborts: it yields no key, so there is nothing to read (the relays, which hold
the key in clear, are the weak point, not the fibre). What the attacker
**can** do: deny it. Every aborted or cut link lowers the max-flow rate, and
cutting every link of a minimum cut (:func:`minimum_link_cut`) stops the
service between two users altogether.

Conventions
-----------
Rates in secret bits per second, as in :class:`qlib.graphs.QuantumNetwork`;
QBERs in [0, 0.5]; the intercepted fraction in [0, 1]; losses in dB. A link
aborts when its QBER is *strictly* above the threshold (:func:`qlib.qkd_aborts`):
at the threshold it still runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from .._validation import check_choice, check_qber
from ..qkd.asymptotic import SHOR_PRESKILL_THRESHOLD
from ..qkd.tampering import qkd_aborts
from .network import QuantumNetwork, _check_ends, _check_network
from .relay import _relay_graph, _relay_no_path_reason, relay_max_flow

__all__ = [
    "ADDED_LINK_OBJECTIVES",
    "LinkAttack",
    "LinkCut",
    "AddedLink",
    "attack_link",
    "minimum_link_cut",
    "best_added_link",
]

#: What :func:`best_added_link` ranks the candidates by first: the links an
#: attacker must cut (``"cut"``) or the max-flow key rate (``"rate"``).
ADDED_LINK_OBJECTIVES = ("cut", "rate")


@dataclass(frozen=True)
class LinkAttack:
    """One attacked link and the network it leaves (see :func:`attack_link`).

    Attributes
    ----------
    link : tuple of str
        The attacked link.
    intercept_fraction, extra_loss_db : float
        The attack: fraction of pulses intercepted and resent, loss added in dB.
    qber : float
        The QBER Alice and Bob measure on the attacked link.
    qber_threshold : float
        Their abort threshold.
    aborted : bool
        ``qber > qber_threshold``: the link is removed from :attr:`network`.
    key_rate_bps : float
        The attacked link's key rate in bits/s (0 when aborted; it can be 0
        without an abort too, when the tampering leaves too little key).
    network : QuantumNetwork
        The attacked network: without the link if it aborted, else with its
        key rate lowered to ``key_rate_bps``.
    """

    link: tuple
    intercept_fraction: float
    extra_loss_db: float
    qber: float
    qber_threshold: float
    aborted: bool
    key_rate_bps: float
    network: QuantumNetwork


def attack_link(network, u, v, intercept_fraction=0.0, extra_loss_db=0.0, *, qber_threshold=None,
                mu=0.5) -> LinkAttack:
    r"""Attack the link (u, v): its QBER, whether it aborts, and the network that remains.

    Parameters
    ----------
    network : QuantumNetwork
    u, v : str
        The ends of an existing link (either order).
    intercept_fraction : float, default 0.0
        Fraction in [0, 1] of the pulses the adversary intercepts (random
        basis) and resends: the jamming strength.
    extra_loss_db : float, default 0.0
        Loss in dB, ``>= 0``, the adversary adds to the link.
    qber_threshold : float, optional
        Abort threshold in [0, 0.5]; default :data:`qlib.SHOR_PRESKILL_THRESHOLD`
        (≈ 11 %).
    mu : float, default 0.5
        Signal mean photon number at which the QBER is measured, ``> 0``.

    Returns
    -------
    LinkAttack

    Raises
    ------
    ValueError
        An unknown node, no link between ``u`` and ``v``, a fraction outside
        [0, 1], a negative loss, a threshold outside [0, 0.5], ``mu <= 0``.
    TypeError
        ``network`` not a :class:`QuantumNetwork`, a non-numeric value.

    Notes
    -----
    QBER :math:`E' = E_\mu \oplus f/4` (:func:`qlib.tampered_qber`; Lo, Ma
    and Chen's channel model with intercept–resend on a fraction f); the
    link is removed exactly when :func:`qlib.qkd_aborts` says so,
    :math:`E' > E_{\max}`. A link that does not abort keeps the key rate of
    :func:`qlib.tampered_key_rate` times its pulse rate (μ re-optimised for
    what Alice and Bob observe). Cutting a fibre outright is
    :meth:`QuantumNetwork.without_links`.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, attack_link
    >>> net = QuantumNetwork({"A": "user", "B": "user"}, [("A", "B", FibreLink(20.0))])
    >>> gentle = attack_link(net, "A", "B", intercept_fraction=0.05)
    >>> gentle.aborted, gentle.network.has_link("A", "B")
    (False, True)
    >>> hard = attack_link(net, "A", "B", intercept_fraction=0.5)
    >>> round(hard.qber, 3), hard.aborted, hard.network.has_link("A", "B")
    (0.15, True, False)
    """
    _check_network(network)
    record = network.link(u, v)
    threshold = SHOR_PRESKILL_THRESHOLD if qber_threshold is None else check_qber("qber_threshold",
                                                                                  qber_threshold)
    qber = record.model.qber(intercept_fraction, extra_loss_db, mu)
    aborted = bool(qkd_aborts(qber, threshold))
    if aborted:
        rate = 0.0
        attacked = network.without_links([(u, v)])
    else:
        rate = record.model.key_rate_bps(intercept_fraction, extra_loss_db)
        attacked = network._with_key_rate(u, v, rate)
    return LinkAttack(link=(u, v), intercept_fraction=float(intercept_fraction),
                      extra_loss_db=float(extra_loss_db), qber=qber, qber_threshold=float(threshold),
                      aborted=aborted, key_rate_bps=rate, network=attacked)


@dataclass(frozen=True)
class LinkCut:
    """The fewest links whose loss stops all key between two nodes (see :func:`minimum_link_cut`).

    Attributes
    ----------
    source, target : str
    links : tuple of (str, str)
        A smallest set of links to cut (empty when already disconnected).
    count : int
        ``len(links)``: how many links an attacker must take down.
    reason : str
        Empty when the nodes are connected; else why no key flows already.
    """

    source: str
    target: str
    links: tuple
    count: int
    reason: str = ""


def minimum_link_cut(network, source, target) -> LinkCut:
    r"""The fewest links an attacker must cut (or jam to abort) to stop key between two nodes.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes.

    Returns
    -------
    LinkCut

    Raises
    ------
    ValueError
        An unknown node, ``source == target``.
    TypeError
        ``network`` not a :class:`QuantumNetwork`.

    Notes
    -----
    The minimum *number* of links, whatever their rates (networkx's
    :func:`~networkx.algorithms.connectivity.cuts.minimum_edge_cut`, unit
    capacities), over the links a relayed key can use (trusted nodes,
    positive rates). By Menger's theorem it equals the largest number of
    link-disjoint paths between the two nodes. It differs from the minimum cut
    *by capacity* of :func:`qlib.graphs.relay_max_flow`, which finds the links
    whose rates add up to the least: an attacker who wants to stop the service
    counts links; one who wants to slow it most per link cut looks at rates.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, minimum_link_cut
    >>> ring = QuantumNetwork({"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
    ...                       [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
    ...                        ("A", "R2", FibreLink(40.0)), ("R2", "B", FibreLink(40.0))])
    >>> minimum_link_cut(ring, "A", "B").count
    2
    """
    _check_network(network)
    _check_ends(network, source, target)
    sub = _relay_graph(network, source, target)
    if not nx.has_path(sub, source, target):
        return LinkCut(source=source, target=target, links=(), count=0,
                       reason=_relay_no_path_reason(network, source, target))
    cut = nx.minimum_edge_cut(sub, source, target)
    order = {frozenset(e): i for i, e in enumerate(network.graph.edges())}
    links = tuple(sorted(cut, key=lambda e: order[frozenset(e)]))
    return LinkCut(source=source, target=target, links=links, count=len(links))


@dataclass(frozen=True)
class AddedLink:
    """The candidate link that makes two users' key service most resilient (see :func:`best_added_link`).

    Attributes
    ----------
    source, target : str
    link : tuple of str
        The chosen candidate's two nodes.
    model : FibreLink or SatelliteLink
        Its physical model.
    network : QuantumNetwork
        The network with that link added.
    cut_before, cut_after : int
        Links an attacker must cut to stop the key, without and with it
        (:func:`minimum_link_cut`).
    rate_before_bps, rate_after_bps : float
        Max-flow key rate in bits/s without and with it (:func:`qlib.graphs.relay_max_flow`).
    ranking : tuple of (tuple of str, int, float)
        Every candidate as ``(link, cut, rate_bps)``, best first.
    objective : str
        ``"cut"`` or ``"rate"``: what was ranked first.
    """

    source: str
    target: str
    link: tuple
    model: object = field(repr=False)
    network: QuantumNetwork = field(repr=False)
    cut_before: int
    cut_after: int
    rate_before_bps: float
    rate_after_bps: float
    ranking: tuple = field(repr=False)
    objective: str


def best_added_link(network, source, target, candidates, *, objective="cut") -> AddedLink:
    r"""Of some candidate new links, the one that best protects the key between two nodes.

    Parameters
    ----------
    network : QuantumNetwork
    source, target : str
        Two different nodes.
    candidates : iterable of (str, str, FibreLink or SatelliteLink)
        The links one could add, each between two nodes not yet linked; at least one.
    objective : {"cut", "rate"}, default "cut"
        Rank by the number of links an attacker must cut (:func:`minimum_link_cut`),
        ties broken by the max-flow key rate; or by the rate, ties broken by the cut.
        Remaining ties keep the candidates' order.

    Returns
    -------
    AddedLink

    Raises
    ------
    ValueError
        No candidate, a candidate naming an unknown node, a self-loop, a link
        that exists, the same pair twice; an unknown ``objective``; an unknown
        node or ``source == target``.
    TypeError
        ``network`` not a :class:`QuantumNetwork`, a candidate not a triple,
        a model neither :class:`FibreLink` nor :class:`SatelliteLink`.

    Notes
    -----
    An exhaustive search: each candidate is added alone
    (:meth:`QuantumNetwork.with_link`) and the two figures recomputed, so the
    cost is one max flow and one minimum cut per candidate. Adding a link never
    lowers either figure (a cut of the larger graph, minus the new link, is a
    cut of the smaller one); a link raises the cut count only if it crosses
    every minimum cut. Chapter *Attacks on a quantum network, and resilience*.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork, best_added_link
    >>> line = QuantumNetwork({"A": "user", "R1": "trusted relay", "R2": "trusted relay", "B": "user"},
    ...                       [("A", "R1", FibreLink(30.0)), ("R1", "B", FibreLink(30.0)),
    ...                        ("A", "R2", FibreLink(40.0))])
    >>> best = best_added_link(line, "A", "B", [("A", "B", FibreLink(90.0)), ("R2", "B", FibreLink(40.0))])
    >>> best.link, best.cut_before, best.cut_after
    (('R2', 'B'), 1, 2)
    """
    _check_network(network)
    _check_ends(network, source, target)
    check_choice("objective", objective, ADDED_LINK_OBJECTIVES)
    if isinstance(candidates, (str, bytes)) or not isinstance(candidates, Iterable):
        raise TypeError(f"candidates must be an iterable of (node, node, link model), "
                        f"got {type(candidates).__name__}")
    candidates = list(candidates)
    if not candidates:
        raise ValueError("candidates must hold at least one (node, node, link model), got none")
    seen, scored = set(), []
    for item in candidates:
        if not isinstance(item, tuple) or len(item) != 3:
            raise TypeError(f"each candidate must be a tuple (node, node, link model), got {item!r}")
        u, v, model = item
        added = network.with_link(u, v, model)
        pair = frozenset((u, v))
        if pair in seen:
            raise ValueError(f"candidate ({u!r}, {v!r}) is listed twice")
        seen.add(pair)
        cut = minimum_link_cut(added, source, target).count
        rate = relay_max_flow(added, source, target).rate_bps
        scored.append(((u, v), model, added, cut, rate))
    first, second = (3, 4) if objective == "cut" else (4, 3)
    order = sorted(range(len(scored)), key=lambda i: (-scored[i][first], -scored[i][second], i))
    best = scored[order[0]]
    return AddedLink(source=source, target=target, link=best[0], model=best[1], network=best[2],
                     cut_before=minimum_link_cut(network, source, target).count, cut_after=best[3],
                     rate_before_bps=relay_max_flow(network, source, target).rate_bps, rate_after_bps=best[4],
                     ranking=tuple((scored[i][0], scored[i][3], scored[i][4]) for i in order),
                     objective=objective)
