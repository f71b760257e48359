r"""A quantum network as a graph: nodes of a few kinds, links with a physical model each.

A :class:`QuantumNetwork` is built once from a table of nodes and a list of
links; every link's figures (its QKD key rate, its entanglement rate and
fidelity) are computed at construction from the book's own models and stored
on a read-only :class:`networkx.Graph`, which the relay, routing and attack
functions of :mod:`qlib.graphs` read.

- Nodes: a name (a non-empty ``str``) and a kind from :data:`NODE_KINDS`:
  ``"user"`` (an end point that relays nothing), ``"trusted relay"`` (a node
  that runs QKD with its neighbours and forwards keys, learning them),
  ``"repeater"`` (a node with quantum memories that swaps entanglement and
  learns nothing of a key), ``"ground station"`` (a trusted node with a
  telescope) and ``"satellite"`` (a trusted node in orbit, as Micius was for
  Liao et al., PRL 120, 030501 (2018)). :data:`TRUSTED_KINDS` are the kinds a
  relayed key may pass through.
- Links: :class:`FibreLink` (length, attenuation, a QKD detector from the
  presets of :mod:`qlib.qkd.decoy`, a pulse rate, and the repeater hardware of
  :class:`qlib.ChainParameters`) or :class:`SatelliteLink` (a downlink at one
  elevation, the loss of :func:`qlib.satellite_link_loss_db`).

Conventions
-----------
Lengths in km, losses in dB, attenuations in dB/km, elevations in degrees.
Key rates in **secret bits per second** (``*_bps``): the decoy-state BB84 rate
per emitted pulse of :func:`qlib.decoy_bb84_key_rate` (or
:func:`qlib.satellite_decoy_key_rate`) times the link's pulse rate in Hz.
Entanglement rates in **pairs per second** (``*_hz``) and fidelities to Φ+
(squared convention) of a single elementary link of :func:`qlib.repeater_chain`
(``segments=1``). Positions, when given, are (longitude, latitude) in degrees
for drawing only: no figure depends on them.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from .._validation import check_nonnegative, check_positive, check_probability, check_real
from ..network.chains import ChainParameters, repeater_chain
from ..network.free_space import satellite_link_loss_db, slant_range_km
from ..qkd.decoy import GYS_2004, MICIUS_2017, QKDExperiment, decoy_bb84_key_rate
from ..qkd.satellite import satellite_decoy_key_rate
from ..qkd.tampering import tampered_key_rate, tampered_qber

__all__ = [
    "NODE_KINDS",
    "TRUSTED_KINDS",
    "FibreLink",
    "SatelliteLink",
    "NetworkLink",
    "QuantumNetwork",
]

#: The kinds a node may have.
NODE_KINDS = ("user", "trusted relay", "repeater", "ground station", "satellite")

#: The kinds of node a relayed key may pass through (each learns the key).
TRUSTED_KINDS = frozenset({"trusted relay", "ground station", "satellite"})

_DEFAULT_CHAIN = ChainParameters()


def _check_experiment(value):
    if not isinstance(value, QKDExperiment):
        raise TypeError(f"experiment must be a qlib.QKDExperiment, got {type(value).__name__}")
    return value


def _check_intercept(intercept_fraction, extra_loss_db):
    return (check_probability("intercept_fraction", intercept_fraction),
            check_nonnegative("extra_loss_db", extra_loss_db))


@dataclass(frozen=True)
class FibreLink:
    r"""A fibre link: its length, its loss, the QKD system and the repeater hardware on it.

    Parameters
    ----------
    length_km : float
        Fibre length in km, ``>= 0``.
    attenuation_db_per_km : float, default 0.2
        Fibre loss α in dB/km, ``>= 0``. It is *the* loss of this fibre: it
        replaces the attenuation of ``experiment`` and of ``chain``.
    experiment : QKDExperiment, default qlib.GYS_2004
        The QKD system (detector efficiency, dark counts, error floor, error
        correction) of :mod:`qlib.qkd.decoy`.
    pulse_rate_hz : float, default 1e9
        Pulses Alice sends per second, ``> 0`` (1 GHz: the clock of the
        Tokyo network's systems, Sasaki et al. 2011; an assumption elsewhere).
    chain : ChainParameters, default qlib.ChainParameters()
        The entanglement hardware on this fibre (sources, detectors, link
        fidelity, memories), as in :func:`qlib.repeater_chain`.

    Raises
    ------
    ValueError
        A negative length or attenuation, a non-positive pulse rate.
    TypeError
        ``experiment`` not a :class:`qlib.QKDExperiment`, ``chain`` not a
        :class:`qlib.ChainParameters`, a non-numeric value.

    Notes
    -----
    :meth:`key_rate_bps` is :func:`qlib.decoy_bb84_key_rate` (Lo, Ma and Chen,
    PRL 94, 230504 (2005), Eq. (1), μ optimised) times ``pulse_rate_hz``;
    :meth:`entanglement` is :func:`qlib.repeater_chain` with one segment (the
    midpoint-heralded elementary link of the chapter *Quantum repeaters*).

    Examples
    --------
    >>> from qlib.graphs import FibreLink
    >>> link = FibreLink(50.0)
    >>> round(link.loss_db, 6)
    10.0
    >>> f"{link.key_rate_bps():.3e}"
    '2.501e+05'
    """

    length_km: float
    attenuation_db_per_km: float = 0.2
    experiment: QKDExperiment = GYS_2004
    pulse_rate_hz: float = 1e9
    chain: ChainParameters = _DEFAULT_CHAIN

    def __post_init__(self):
        check_nonnegative("length_km", self.length_km)
        check_nonnegative("attenuation_db_per_km", self.attenuation_db_per_km)
        _check_experiment(self.experiment)
        check_positive("pulse_rate_hz", self.pulse_rate_hz)
        if not isinstance(self.chain, ChainParameters):
            raise TypeError(f"chain must be a qlib.ChainParameters, got {type(self.chain).__name__}")

    medium = "fibre"

    @property
    def loss_db(self) -> float:
        """Loss of the fibre in dB, α·L."""
        return float(self.attenuation_db_per_km * self.length_km)

    def _qkd(self) -> QKDExperiment:
        return self.experiment.replace(attenuation_db_per_km=float(self.attenuation_db_per_km))

    def key_rate_bps(self, intercept_fraction=0.0, extra_loss_db=0.0) -> float:
        """Secret bits per second; with an intercept or added loss, :func:`qlib.tampered_key_rate`.

        Parameters
        ----------
        intercept_fraction : float, default 0.0
            Fraction in [0, 1] of pulses an adversary intercepts and resends.
        extra_loss_db : float, default 0.0
            Loss in dB, ``>= 0``, an adversary adds.
        """
        f, extra = _check_intercept(intercept_fraction, extra_loss_db)
        if f == 0.0 and extra == 0.0:
            per_pulse = decoy_bb84_key_rate(float(self.length_km), experiment=self._qkd())
        else:
            per_pulse = tampered_key_rate(float(self.length_km), f, extra, experiment=self._qkd())
        return float(per_pulse) * float(self.pulse_rate_hz)

    def qber(self, intercept_fraction=0.0, extra_loss_db=0.0, mu=0.5) -> float:
        """QBER of the signal pulses, :func:`qlib.tampered_qber` (μ = ``mu``)."""
        f, extra = _check_intercept(intercept_fraction, extra_loss_db)
        return float(tampered_qber(float(self.length_km), f, extra, mu, experiment=self._qkd()))

    def chain_parameters(self, **overrides) -> ChainParameters:
        """The link's :class:`qlib.ChainParameters` with the fibre's attenuation (and ``overrides``)."""
        if "attenuation_db_per_km" in overrides:
            raise TypeError("attenuation_db_per_km is the fibre's own (FibreLink.attenuation_db_per_km), "
                            "not a chain override")
        return self.chain.replace(attenuation_db_per_km=float(self.attenuation_db_per_km), **overrides)

    def entanglement(self, **overrides):
        """One elementary link of :func:`qlib.repeater_chain` (``segments=1``): a ChainResult."""
        return repeater_chain(float(self.length_km), 1, parameters=self.chain_parameters(**overrides))


@dataclass(frozen=True)
class SatelliteLink:
    r"""A satellite-to-ground downlink, seen at one elevation.

    Parameters
    ----------
    elevation_deg : float, default 50.0
        Elevation of the satellite seen from the ground station, degrees in (0, 90].
    altitude_km : float, default 500.0
        Orbit altitude in km, ``> 0`` (Micius: about 500 km).
    system_loss_db : float, default 25.0
        Terminal losses in dB, ``>= 0``, as in :func:`qlib.satellite_decoy_key_rate`.
    experiment : QKDExperiment, default qlib.MICIUS_2017
        The receiver (an assumed, Micius-like one by default).
    pulse_rate_hz : float, default 1e8
        Pulses per second, ``> 0`` (100 MHz, the source of Liao et al., Nature
        549, 43 (2017)).

    Raises
    ------
    ValueError
        An elevation outside (0, 90], a non-positive altitude or pulse rate, a
        negative system loss.
    TypeError
        ``experiment`` not a :class:`qlib.QKDExperiment`, a non-numeric value.

    Notes
    -----
    The key rate is the rate *while the satellite is at this elevation*:
    :func:`qlib.satellite_decoy_key_rate` times ``pulse_rate_hz``. A satellite
    is in view of a station for minutes a pass and serves its stations in turn,
    storing keys on board (the satellite is a trusted node); a day's average
    is this rate times the fraction of time in view, which the caller chooses
    (:func:`qlib.satellite_pass_key_bits` integrates one pass). Under attack
    the link loss is put into the experiment's fixed loss and
    :func:`qlib.tampered_key_rate` is evaluated at zero fibre length: the same
    rate when nothing is tampered with (tested). No entanglement model:
    :meth:`entanglement` returns None (the repeater chain is a fibre model).

    Examples
    --------
    >>> from qlib.graphs import SatelliteLink
    >>> link = SatelliteLink(elevation_deg=90.0)
    >>> round(link.length_km, 1)
    500.0
    >>> f"{link.key_rate_bps():.2e}"
    '6.03e+03'
    """

    elevation_deg: float = 50.0
    altitude_km: float = 500.0
    system_loss_db: float = 25.0
    experiment: QKDExperiment = MICIUS_2017
    pulse_rate_hz: float = 1e8

    def __post_init__(self):
        e = check_real("elevation_deg", self.elevation_deg)
        if not 0.0 < e <= 90.0:
            raise ValueError(f"elevation_deg must be in (0, 90], got {e!r}")
        check_positive("altitude_km", self.altitude_km)
        check_nonnegative("system_loss_db", self.system_loss_db)
        _check_experiment(self.experiment)
        check_positive("pulse_rate_hz", self.pulse_rate_hz)

    medium = "satellite"

    @property
    def length_km(self) -> float:
        """Slant range from the station to the satellite in km (:func:`qlib.slant_range_km`)."""
        return float(slant_range_km(float(self.altitude_km), float(self.elevation_deg)))

    @property
    def loss_db(self) -> float:
        """Downlink loss in dB, terminals included (:func:`qlib.satellite_link_loss_db`)."""
        return float(satellite_link_loss_db(
            float(self.altitude_km), float(self.elevation_deg), direction="downlink",
            wavelength_nm=self.experiment.wavelength_nm, system_loss_db=float(self.system_loss_db)))

    def _qkd(self) -> QKDExperiment:
        return self.experiment.replace(extra_loss_db=self.experiment.extra_loss_db + self.loss_db)

    def key_rate_bps(self, intercept_fraction=0.0, extra_loss_db=0.0) -> float:
        """Secret bits per second at this elevation (tampered: :func:`qlib.tampered_key_rate`)."""
        f, extra = _check_intercept(intercept_fraction, extra_loss_db)
        if f == 0.0 and extra == 0.0:
            per_pulse = satellite_decoy_key_rate(float(self.elevation_deg), float(self.altitude_km),
                                                 system_loss_db=float(self.system_loss_db),
                                                 experiment=self.experiment)
        else:
            per_pulse = tampered_key_rate(0.0, f, extra, experiment=self._qkd())
        return float(per_pulse) * float(self.pulse_rate_hz)

    def qber(self, intercept_fraction=0.0, extra_loss_db=0.0, mu=0.5) -> float:
        """QBER of the signal pulses, :func:`qlib.tampered_qber` at zero fibre length."""
        f, extra = _check_intercept(intercept_fraction, extra_loss_db)
        return float(tampered_qber(0.0, f, extra, mu, experiment=self._qkd()))

    def entanglement(self, **overrides):
        """None: no entanglement model for a satellite link (see Notes)."""
        return None


_LINK_TYPES = (FibreLink, SatelliteLink)


@functools.lru_cache(maxsize=4096)
def _link_figures(model):
    """(key rate bps, entanglement rate Hz, fidelity) of a link model, computed once per model."""
    key = model.key_rate_bps()
    chain = model.entanglement()
    if chain is None:
        return key, 0.0, math.nan
    return key, float(chain.rate_hz), float(chain.fidelity)


@dataclass(frozen=True)
class NetworkLink:
    """One link of a :class:`QuantumNetwork`, with its computed figures.

    Attributes
    ----------
    nodes : tuple of str
        The two end nodes, in the order the link was given.
    model : FibreLink or SatelliteLink
        The physical model.
    key_rate_bps : float
        Secret-key rate of the link's QKD in bits/s (0: the link yields no key).
    entanglement_rate_hz : float
        Elementary-link entangled pairs per second (0 for a satellite link).
    fidelity : float
        Fidelity of those pairs to Φ+ (NaN for a satellite link).
    length_km : float
        Fibre length, or the satellite's slant range, in km.
    """

    nodes: tuple
    model: object = field(repr=False)
    key_rate_bps: float
    entanglement_rate_hz: float
    fidelity: float
    length_km: float

    @property
    def medium(self) -> str:
        """``"fibre"`` or ``"satellite"``."""
        return self.model.medium


def _check_name(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {value!r} of type {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} must be a non-empty str, got ''")
    return value


class QuantumNetwork:
    r"""A validated, read-only network of nodes and links, with every link's figures computed once.

    Parameters
    ----------
    nodes : Mapping[str, str]
        Node name -> kind, one of :data:`NODE_KINDS`.
    links : iterable of (str, str, FibreLink or SatelliteLink)
        The links: two node names and a physical model. At most one link per
        pair of nodes (in either order), never a node to itself.
    name : str, default ""
        A label for figures.
    positions : Mapping[str, (float, float)], optional
        (longitude, latitude) in degrees of every node, for drawing a map.

    Raises
    ------
    ValueError
        An unknown node kind, an empty node name, a link to an unknown node,
        a self-loop, a duplicate link, positions missing a node or naming an
        unknown one.
    TypeError
        ``nodes`` not a mapping, a node name or kind not a ``str``, a link not
        a triple, a link model that is neither :class:`FibreLink` nor
        :class:`SatelliteLink`, a position not two real numbers.

    Notes
    -----
    *Why a wrapper, not a bare* :class:`networkx.Graph`: the rates are
    computed once, at construction, from the link models. A mutable graph could
    gain a link or lose a node afterwards without anything recomputing or
    validating it; here :attr:`graph` is frozen (:func:`networkx.freeze`), and a
    changed network (a cut fibre, an attacked link) is a new
    :class:`QuantumNetwork` (:meth:`without_links`). The graph is still a
    plain :class:`networkx.Graph` for reading and drawing: node attribute
    ``kind``; edge attributes ``model``, ``key_rate_bps``,
    ``entanglement_rate_hz``, ``fidelity``, ``length_km``.

    Examples
    --------
    >>> from qlib.graphs import FibreLink, QuantumNetwork
    >>> net = QuantumNetwork({"A": "user", "R": "trusted relay", "B": "user"},
    ...                      [("A", "R", FibreLink(20.0)), ("R", "B", FibreLink(60.0))])
    >>> net.kind("R"), len(net.links)
    ('trusted relay', 2)
    >>> net.link("B", "R").length_km
    60.0
    >>> QuantumNetwork({"A": "user"}, [("A", "A", FibreLink(1.0))])
    Traceback (most recent call last):
    ...
    ValueError: link ('A', 'A') is a self-loop: a link joins two different nodes
    """

    def __init__(self, nodes, links, *, name="", positions=None):
        if not isinstance(nodes, Mapping):
            raise TypeError(f"nodes must be a mapping of node name -> kind, got {type(nodes).__name__}")
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        graph = nx.Graph(name=name)
        for node, kind in nodes.items():
            _check_name(node, "a node name")
            if not isinstance(kind, str):
                raise TypeError(f"the kind of node {node!r} must be a str, got {type(kind).__name__}")
            if kind not in NODE_KINDS:
                allowed = ", ".join(repr(k) for k in NODE_KINDS)
                raise ValueError(f"node {node!r} has unknown kind {kind!r}; allowed: {allowed}")
            graph.add_node(node, kind=kind)
        if isinstance(links, (str, bytes)) or not isinstance(links, Iterable):
            raise TypeError(f"links must be an iterable of (node, node, link model), got {type(links).__name__}")
        for item in links:
            if not isinstance(item, tuple) or len(item) != 3:
                raise TypeError(f"each link must be a tuple (node, node, link model), got {item!r}")
            u, v, model = item
            for end in (u, v):
                if not isinstance(end, str) or end not in graph:
                    raise ValueError(f"link ({u!r}, {v!r}) names unknown node {end!r}; "
                                     f"nodes: {sorted(graph)}")
            if u == v:
                raise ValueError(f"link ({u!r}, {v!r}) is a self-loop: a link joins two different nodes")
            if graph.has_edge(u, v):
                raise ValueError(f"duplicate link ({u!r}, {v!r}): there is already a link between "
                                 f"{u!r} and {v!r} (one link per pair of nodes)")
            if not isinstance(model, _LINK_TYPES):
                raise TypeError(f"the model of link ({u!r}, {v!r}) must be a FibreLink or a SatelliteLink, "
                                f"got {type(model).__name__}")
            key, ent, fid = _link_figures(model)
            graph.add_edge(u, v, model=model, key_rate_bps=key, entanglement_rate_hz=ent, fidelity=fid,
                           length_km=float(model.length_km), order=(u, v))
        self._positions = self._check_positions(positions, graph)
        self._graph = nx.freeze(graph)

    @staticmethod
    def _check_positions(positions, graph):
        if positions is None:
            return None
        if not isinstance(positions, Mapping):
            raise TypeError(f"positions must be a mapping node -> (longitude, latitude), "
                            f"got {type(positions).__name__}")
        unknown = sorted(set(positions) - set(graph))
        if unknown:
            raise ValueError(f"positions name unknown node {unknown[0]!r}; nodes: {sorted(graph)}")
        missing = sorted(set(graph) - set(positions))
        if missing:
            raise ValueError(f"positions miss node {missing[0]!r}: give every node a position, or none")
        out = {}
        for node, xy in positions.items():
            if (not isinstance(xy, (tuple, list)) or len(xy) != 2
                    or not all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in xy)):
                raise TypeError(f"the position of node {node!r} must be (longitude, latitude), got {xy!r}")
            out[node] = (check_real(f"longitude of {node!r}", xy[0]), check_real(f"latitude of {node!r}", xy[1]))
        return out

    @classmethod
    def _from_graph(cls, graph, positions):
        net = cls.__new__(cls)
        net._graph = nx.freeze(graph)
        net._positions = positions
        return net

    # ------------------------------------------------------------------ reading
    @property
    def graph(self) -> nx.Graph:
        """The frozen :class:`networkx.Graph` (node attribute ``kind``, edge attributes as above)."""
        return self._graph

    @property
    def name(self) -> str:
        """The network's label."""
        return self._graph.graph.get("name", "")

    @property
    def nodes(self) -> tuple:
        """Node names, in the order given."""
        return tuple(self._graph.nodes)

    @property
    def links(self) -> tuple:
        """Every link as a :class:`NetworkLink`, in the order given."""
        return tuple(self._record(*data["order"]) for _, _, data in self._graph.edges(data=True))

    @property
    def positions(self):
        """(longitude, latitude) of each node, or None when the network was built without them."""
        return None if self._positions is None else dict(self._positions)

    def check_node(self, node) -> str:
        """Return ``node`` if it is a node of this network, else raise ValueError naming the nodes."""
        if not isinstance(node, str) or node not in self._graph:
            raise ValueError(f"unknown node {node!r}; nodes of {self.name or 'this network'}: "
                             f"{sorted(self._graph)}")
        return node

    def kind(self, node) -> str:
        """The kind of ``node`` (one of :data:`NODE_KINDS`)."""
        return self._graph.nodes[self.check_node(node)]["kind"]

    def nodes_of_kind(self, *kinds) -> tuple:
        """The nodes whose kind is one of ``kinds``, in order."""
        for k in kinds:
            if k not in NODE_KINDS:
                raise ValueError(f"unknown node kind {k!r}; allowed: {', '.join(map(repr, NODE_KINDS))}")
        return tuple(n for n, k in self._graph.nodes(data="kind") if k in kinds)

    def has_link(self, u, v) -> bool:
        """Whether there is a link between the nodes ``u`` and ``v`` (both must exist)."""
        return self._graph.has_edge(self.check_node(u), self.check_node(v))

    def link(self, u, v) -> NetworkLink:
        """The link between ``u`` and ``v`` (ValueError if there is none)."""
        if not self.has_link(u, v):
            raise ValueError(f"there is no link between {u!r} and {v!r}")
        return self._record(u, v)

    def _record(self, u, v) -> NetworkLink:
        d = self._graph.edges[u, v]
        return NetworkLink(nodes=d["order"], model=d["model"], key_rate_bps=d["key_rate_bps"],
                           entanglement_rate_hz=d["entanglement_rate_hz"], fidelity=d["fidelity"],
                           length_km=d["length_km"])

    # ------------------------------------------------------------------ changing
    def _checked_pairs(self, links):
        pairs = []
        for item in links:
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise TypeError(f"each link must be a pair (node, node), got {item!r}")
            u, v = item
            if not self.has_link(u, v):
                raise ValueError(f"there is no link between {u!r} and {v!r}")
            pairs.append((u, v))
        return pairs

    def without_links(self, links) -> "QuantumNetwork":
        """A copy of the network with the given links removed (a cut fibre, an aborted link).

        Parameters
        ----------
        links : iterable of (str, str)
            Links to remove, each an existing link in either order.

        Returns
        -------
        QuantumNetwork
            The same nodes, positions and other links (their figures are not recomputed).
        """
        graph = nx.Graph(self._graph)
        graph.remove_edges_from(self._checked_pairs(links))
        return QuantumNetwork._from_graph(graph, self._positions)

    def with_link(self, u, v, link) -> "QuantumNetwork":
        """A copy of the network with one more link (a new fibre laid, a satellite link added).

        Parameters
        ----------
        u, v : str
            Two different nodes of the network with no link between them yet.
        link : FibreLink or SatelliteLink
            The new link's physical model; its figures are computed as at construction.

        Returns
        -------
        QuantumNetwork
            The same nodes, positions and links, plus ``(u, v)`` (listed last).

        Raises
        ------
        ValueError
            An unknown node, ``u == v`` (a self-loop), a link that already exists.
        TypeError
            ``link`` neither a :class:`FibreLink` nor a :class:`SatelliteLink`.

        Notes
        -----
        The dual of :meth:`without_links`, for asking which new fibre makes a
        network most resilient (:func:`qlib.graphs.best_added_link`, chapter
        *Attacks on a quantum network, and resilience*).

        Examples
        --------
        >>> from qlib.graphs import FibreLink, QuantumNetwork
        >>> net = QuantumNetwork({"A": "user", "B": "user"}, [])
        >>> net.with_link("A", "B", FibreLink(10.0)).link("B", "A").length_km
        10.0
        >>> net.with_link("A", "A", FibreLink(10.0))
        Traceback (most recent call last):
        ...
        ValueError: link ('A', 'A') is a self-loop: a link joins two different nodes
        """
        self.check_node(u)
        self.check_node(v)
        if u == v:
            raise ValueError(f"link ({u!r}, {v!r}) is a self-loop: a link joins two different nodes")
        if self._graph.has_edge(u, v):
            raise ValueError(f"there is already a link between {u!r} and {v!r} (one link per pair of nodes): "
                             f"remove it first with without_links to replace it")
        if not isinstance(link, _LINK_TYPES):
            raise TypeError(f"link must be a FibreLink or a SatelliteLink, got {type(link).__name__}")
        key, ent, fid = _link_figures(link)
        graph = nx.Graph(self._graph)
        graph.add_edge(u, v, model=link, key_rate_bps=key, entanglement_rate_hz=ent, fidelity=fid,
                       length_km=float(link.length_km), order=(u, v))
        return QuantumNetwork._from_graph(graph, self._positions)

    def as_repeaters(self) -> "QuantumNetwork":
        """The same places and links with every node a repeater (which forwards no key and learns none).

        Returns
        -------
        QuantumNetwork
            Named ``"<name> (as repeaters)"``; the links' figures are kept (they do not
            depend on what the nodes are), so nothing is recomputed.

        Examples
        --------
        >>> from qlib.graphs import tokyo_qkd_network
        >>> set(tokyo_qkd_network().as_repeaters().nodes_of_kind("repeater")) == set(tokyo_qkd_network().nodes)
        True
        """
        graph = nx.Graph(self._graph)
        nx.set_node_attributes(graph, "repeater", "kind")
        graph.graph["name"] = f"{self.name} (as repeaters)"
        return QuantumNetwork._from_graph(graph, self._positions)

    def _with_key_rate(self, u, v, key_rate_bps) -> "QuantumNetwork":
        """A copy with one link's key rate replaced (a tampered link that did not abort)."""
        graph = nx.Graph(self._graph)
        graph.edges[u, v]["key_rate_bps"] = float(key_rate_bps)
        return QuantumNetwork._from_graph(graph, self._positions)

    def __repr__(self) -> str:
        return (f"QuantumNetwork({self.name!r}, {self._graph.number_of_nodes()} nodes, "
                f"{self._graph.number_of_edges()} links)")


# ---------------------------------------------------------------------------
# Shared by relay, routing and attacks (private)
# ---------------------------------------------------------------------------


def _check_network(network):
    if not isinstance(network, QuantumNetwork):
        raise TypeError(f"network must be a qlib.graphs.QuantumNetwork, got {type(network).__name__}")
    return network


def _check_ends(network, source, target):
    network.check_node(source)
    network.check_node(target)
    if source == target:
        raise ValueError(f"source and target must be different nodes, got {source!r} twice")


def _usable_subgraph(network, source, target, through, link_ok, attribute) -> nx.Graph:
    """The subgraph a route from ``source`` to ``target`` may use: the two ends and the nodes
    whose kind is in ``through``, joined by the links whose data pass ``link_ok``; each link
    keeps only ``attribute``."""
    graph = network.graph
    allowed = [n for n, kind in graph.nodes(data="kind") if kind in through or n in (source, target)]
    sub = nx.Graph()
    sub.add_nodes_from(allowed)
    sub.add_edges_from((u, v, {attribute: d[attribute]})
                       for u, v, d in graph.subgraph(allowed).edges(data=True) if link_ok(d))
    return sub


def _no_path_reason(network, source, target, blocked):
    """Why no route joins the two nodes: no link at all, or every route crosses ``blocked``."""
    if not nx.has_path(network.graph, source, target):
        return f"no path: {source!r} and {target!r} are not connected by any link"
    return f"no path: every route from {source!r} to {target!r} passes through {blocked}"
