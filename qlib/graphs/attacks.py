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

from dataclasses import dataclass

import networkx as nx

from .._validation import check_qber
from ..qkd.asymptotic import SHOR_PRESKILL_THRESHOLD
from ..qkd.tampering import qkd_aborts
from .network import QuantumNetwork, _check_ends, _check_network
from .relay import _relay_graph, _relay_no_path_reason

__all__ = [
    "LinkAttack",
    "LinkCut",
    "attack_link",
    "minimum_link_cut",
]


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
