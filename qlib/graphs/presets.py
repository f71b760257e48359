r"""Real-looking networks with cited geometry: Tokyo 2010, Beijing–Shanghai, and Micius joining them up.

- :func:`tokyo_qkd_network`: the metropolitan Tokyo QKD Network of 2010
  (Sasaki et al., Opt. Express 19, 10387 (2011)), four trusted nodes.
- :func:`beijing_shanghai_backbone`: the trusted-relay fibre backbone of
  Chen et al., Nature 589, 214 (2021): over 2,000 km, 32 trusted relays.
- :func:`integrated_space_ground_network`: that backbone joined through the
  Xinglong ground station and the satellite Micius (a trusted relay in orbit)
  to the Nanshan station (Chen et al. 2021) and to Graz (Liao et al., PRL
  120, 030501 (2018)).

What is published and what is assumed is said in each docstring. Every link's
QKD system, pulse rate and repeater hardware are the book's models (a choice
of the caller, with stated defaults), not the experiments' devices: the
presets reproduce the *geometry*, and the rates are what the book's models
give on it.

Conventions
-----------
Lengths in km, attenuations in dB/km, rates in bits/s (the conventions of
:mod:`qlib.graphs.network`). Positions are (longitude, latitude) in degrees,
approximate, for drawing a map: no rate depends on them.
"""

from __future__ import annotations

from .._validation import check_int, check_nonnegative, check_positive
from ..network.chains import ChainParameters
from ..qkd.decoy import GYS_2004, MICIUS_2017
from .network import FibreLink, QuantumNetwork, SatelliteLink

__all__ = [
    "TOKYO_LINKS_KM",
    "BACKBONE_LENGTH_KM",
    "BACKBONE_TRUSTED_RELAYS",
    "tokyo_qkd_network",
    "beijing_shanghai_backbone",
    "integrated_space_ground_network",
]

#: Fibre lengths (km) and average losses (dB/km) of the Tokyo QKD Network, Sasaki
#: et al. (2011): Koganei–Otemachi 45 km at about 0.3 dB/km; Otemachi–Hakusan 12 km
#: and Otemachi–Hongo 13 km at about 0.5 dB/km. The 1 km Hakusan–Hongo link is
#: an ASSUMPTION (see :func:`tokyo_qkd_network`).
TOKYO_LINKS_KM = {
    ("Koganei", "Otemachi"): (45.0, 0.3),
    ("Otemachi", "Hakusan"): (12.0, 0.5),
    ("Otemachi", "Hongo"): (13.0, 0.5),
    ("Hakusan", "Hongo"): (1.0, 0.5),
}

#: Fibre length of the Beijing–Shanghai backbone, km ("over 2,000 km", Chen et al. 2021).
BACKBONE_LENGTH_KM = 2000.0

#: Trusted relays between Beijing and Shanghai (32, Chen et al. 2021).
BACKBONE_TRUSTED_RELAYS = 32

_TOKYO_POSITIONS = {
    "Koganei": (139.488, 35.710),
    "Otemachi": (139.766, 35.686),
    "Hakusan": (139.752, 35.721),
    "Hongo": (139.760, 35.713),
}
_BEIJING = (116.40, 39.90)
_SHANGHAI = (121.47, 31.23)
_XINGLONG = (117.577, 40.396)
_NANSHAN = (87.177, 43.475)
_GRAZ = (15.493, 47.067)
#: The satellite is drawn above the middle of its stations (it is never there).
_MICIUS = (66.0, 52.0)

#: Fibre from the Xinglong station to Beijing, km: an ASSUMPTION (the station is
#: about 115 km from Beijing as the crow flies; the fibre length is not published
#: in the papers used here).
_XINGLONG_FIBRE_KM = 120.0


def _fibre_options(experiment, pulse_rate_hz, chain):
    check_positive("pulse_rate_hz", pulse_rate_hz)
    chain = ChainParameters() if chain is None else chain
    return {"experiment": experiment, "pulse_rate_hz": pulse_rate_hz, "chain": chain}


def tokyo_qkd_network(*, experiment=GYS_2004, pulse_rate_hz=1e9, chain=None) -> QuantumNetwork:
    r"""The Tokyo QKD Network (2010): four trusted nodes, its fibres' lengths and losses.

    Parameters
    ----------
    experiment : QKDExperiment, default qlib.GYS_2004
        The QKD system on every link (its attenuation is replaced by each
        fibre's own).
    pulse_rate_hz : float, default 1e9
        Pulse rate of every link, ``> 0`` (the network's systems ran at GHz clocks).
    chain : ChainParameters, optional
        Repeater hardware for the links' entanglement figures; default
        ``qlib.ChainParameters()``.

    Returns
    -------
    QuantumNetwork
        Nodes Koganei, Otemachi, Hakusan, Hongo, all ``"trusted relay"``.

    Notes
    -----
    Sasaki et al., Opt. Express 19, 10387 (2011), Sec. 2 and Fig. 1: a mesh
    of four access points on the JGN2plus testbed, Koganei (NICT), Otemachi,
    Hakusan and Hongo; Koganei–Otemachi 45 km of fibre at about 0.3 dB/km,
    Otemachi–Hakusan 12 km and Otemachi–Hongo 13 km at about 0.5 dB/km
    (:data:`TOKYO_LINKS_KM`). Several systems shared a pair of nodes (three on
    Koganei–Otemachi; the 24 km and 90 km links were loop-backs of 12 km
    and 45 km fibres); a :class:`QuantumNetwork` holds one link per pair.
    **Assumption**: the 1 km entanglement-based link of the paper is placed
    between Hakusan and Hongo, closing a triangle with Otemachi (the summary
    read for this preset gives its length, not its ends); without it the
    network is a star around Otemachi and no key can reroute.

    Examples
    --------
    >>> from qlib.graphs import tokyo_qkd_network
    >>> net = tokyo_qkd_network()
    >>> net.nodes
    ('Koganei', 'Otemachi', 'Hakusan', 'Hongo')
    >>> net.link("Koganei", "Otemachi").length_km
    45.0
    """
    options = _fibre_options(experiment, pulse_rate_hz, chain)
    nodes = {name: "trusted relay" for name in _TOKYO_POSITIONS}
    links = [(u, v, FibreLink(length, attenuation_db_per_km=alpha, **options))
             for (u, v), (length, alpha) in TOKYO_LINKS_KM.items()]
    return QuantumNetwork(nodes, links, name="Tokyo QKD Network (2010)", positions=_TOKYO_POSITIONS)


def _backbone(total_length_km, relays, attenuation_db_per_km, options):
    total = check_positive("total_length_km", total_length_km)
    n = check_int("relays", relays, minimum=0)
    alpha = check_nonnegative("attenuation_db_per_km", attenuation_db_per_km)
    names = ["Beijing", *(f"relay {i}" for i in range(1, n + 1)), "Shanghai"]
    segment = total / (n + 1)
    links = [(u, v, FibreLink(segment, attenuation_db_per_km=alpha, **options)) for u, v in zip(names, names[1:])]
    positions = {}
    for i, name in enumerate(names):
        t = i / (n + 1)
        positions[name] = (_BEIJING[0] + t * (_SHANGHAI[0] - _BEIJING[0]),
                           _BEIJING[1] + t * (_SHANGHAI[1] - _BEIJING[1]))
    return {name: "trusted relay" for name in names}, links, positions


def beijing_shanghai_backbone(*, total_length_km=BACKBONE_LENGTH_KM, relays=BACKBONE_TRUSTED_RELAYS,
                              attenuation_db_per_km=0.2, experiment=GYS_2004, pulse_rate_hz=1e9,
                              chain=None) -> QuantumNetwork:
    r"""The Beijing–Shanghai trusted-relay backbone: a line of fibre links through 32 relays.

    Parameters
    ----------
    total_length_km : float, default 2000.0
        Total fibre length in km, ``> 0``.
    relays : int, default 32
        Number of trusted relays between Beijing and Shanghai, ``>= 0``.
    attenuation_db_per_km : float, default 0.2
        Fibre loss, ``>= 0`` (an assumption: the standard value of the book).
    experiment, pulse_rate_hz, chain
        As in :func:`tokyo_qkd_network`.

    Returns
    -------
    QuantumNetwork
        Nodes ``"Beijing"``, ``"relay 1"`` … ``"relay 32"``, ``"Shanghai"``,
        all ``"trusted relay"``, in a line.

    Notes
    -----
    Chen et al., Nature 589, 214 (2021), abstract and Fig. 1: a fibre backbone
    of over 2,000 km from Beijing through Jinan and Hefei to Shanghai, with 32
    trusted relays, part of a network of more than 700 fibre QKD links and
    150 users. **Assumption**: the segment lengths are not taken from the
    paper (they are not in the text read for this preset); the relays are
    *evenly spaced*, ``total_length_km / (relays + 1)`` each (60.6 km with the
    defaults), and Jinan and Hefei are not singled out. The positions are a
    straight line from Beijing to Shanghai, for drawing.

    Examples
    --------
    >>> from qlib.graphs import beijing_shanghai_backbone
    >>> net = beijing_shanghai_backbone()
    >>> len(net.nodes_of_kind("trusted relay")) - 2, len(net.links)
    (32, 33)
    >>> round(sum(link.length_km for link in net.links), 6)
    2000.0
    """
    options = _fibre_options(experiment, pulse_rate_hz, chain)
    nodes, links, positions = _backbone(total_length_km, relays, attenuation_db_per_km, options)
    return QuantumNetwork(nodes, links, name="Beijing–Shanghai backbone", positions=positions)


def integrated_space_ground_network(*, elevation_deg=50.0, experiment=GYS_2004, pulse_rate_hz=1e9,
                                    satellite_experiment=MICIUS_2017, satellite_pulse_rate_hz=1e8,
                                    chain=None) -> QuantumNetwork:
    r"""The backbone, joined by the satellite Micius to Nanshan and to Graz.

    Parameters
    ----------
    elevation_deg : float, default 50.0
        Elevation in degrees at which every satellite link is evaluated, in (0, 90].
    experiment, pulse_rate_hz, chain
        The fibre links' QKD system, pulse rate and repeater hardware, as in
        :func:`beijing_shanghai_backbone`.
    satellite_experiment : QKDExperiment, default qlib.MICIUS_2017
        The ground receivers of the satellite links (assumed, Micius-like).
    satellite_pulse_rate_hz : float, default 1e8
        The satellite's pulse rate, ``> 0`` (100 MHz, Liao et al. 2017).

    Returns
    -------
    QuantumNetwork
        The backbone of :func:`beijing_shanghai_backbone`, plus the ground
        stations ``"Xinglong"``, ``"Nanshan"``, ``"Graz"`` and the satellite
        ``"Micius"``, with a :class:`SatelliteLink` to each station.

    Notes
    -----
    Chen et al., Nature 589, 214 (2021): two satellite–ground links join the
    fibre network at the Xinglong station (near Beijing) to the Nanshan station
    near Urumqi, some 2,600 km away, so that users up to 4,600 km apart share
    keys; their satellite–ground QKD averaged 47.8 kbit/s over a typical pass.
    Liao et al., PRL 120, 030501 (2018): Micius, a trusted relay, XORed the
    keys it shared with Xinglong and with Graz (7,600 km apart) and sent the
    result to one of them. **Assumptions**: the Xinglong–Beijing fibre is
    120 km (not published in the texts used); every satellite link is seen at
    the same elevation, with the book's downlink model (its rate is the rate
    while in view, not a day's average, and not the 47.8 kbit/s of the
    experiment's improved terminal); the satellite's links are treated as if
    they ran at the same time, which a real satellite replaces by storing keys
    between passes.

    Examples
    --------
    >>> from qlib.graphs import integrated_space_ground_network
    >>> net = integrated_space_ground_network()
    >>> net.kind("Micius"), net.nodes_of_kind("ground station")
    ('satellite', ('Xinglong', 'Nanshan', 'Graz'))
    >>> net.link("Micius", "Graz").medium
    'satellite'
    """
    options = _fibre_options(experiment, pulse_rate_hz, chain)
    nodes, links, positions = _backbone(BACKBONE_LENGTH_KM, BACKBONE_TRUSTED_RELAYS, 0.2, options)
    stations = {"Xinglong": _XINGLONG, "Nanshan": _NANSHAN, "Graz": _GRAZ}
    nodes.update({name: "ground station" for name in stations})
    nodes["Micius"] = "satellite"
    positions.update(stations)
    positions["Micius"] = _MICIUS
    links.append(("Xinglong", "Beijing", FibreLink(_XINGLONG_FIBRE_KM, **options)))
    downlink = SatelliteLink(elevation_deg=elevation_deg, experiment=satellite_experiment,
                             pulse_rate_hz=satellite_pulse_rate_hz)
    links += [("Micius", station, downlink) for station in stations]
    return QuantumNetwork(nodes, links, name="Integrated space-to-ground network", positions=positions)
