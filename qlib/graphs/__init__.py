"""Networks as graphs, on networkx: nodes and links with their physical models
(:mod:`~qlib.graphs.network`), presets with cited geometry
(:mod:`~qlib.graphs.presets`), trusted-node key relay (:mod:`~qlib.graphs.relay`),
entanglement routing (:mod:`~qlib.graphs.routing`), attacks on links and resilience
(:mod:`~qlib.graphs.attacks`) and keys split over node-disjoint paths against
compromised relays (:mod:`~qlib.graphs.multipath`).

Not imported by ``import qlib``: its names load on first use
(``qlib.QuantumNetwork``, which imports networkx) or with ``import qlib.graphs``.
"""

from .network import (
    NODE_KINDS,
    TRUSTED_KINDS,
    FibreLink,
    SatelliteLink,
    NetworkLink,
    QuantumNetwork,
)
from .presets import (
    TOKYO_LINKS_KM,
    BACKBONE_LENGTH_KM,
    BACKBONE_TRUSTED_RELAYS,
    tokyo_qkd_network,
    beijing_shanghai_backbone,
    integrated_space_ground_network,
)
from .relay import (
    FLOW_RESOLUTION_BPS,
    RelayPath,
    RelayFlow,
    OTPRelay,
    relay_path,
    relay_max_flow,
    otp_relay,
)
from .routing import (
    ROUTE_METRICS,
    EntanglementRoute,
    TrustComparison,
    route_chain,
    best_route,
    disjoint_routes,
    trust_versus_rate,
)
from .attacks import (
    ADDED_LINK_OBJECTIVES,
    LinkAttack,
    LinkCut,
    AddedLink,
    attack_link,
    minimum_link_cut,
    best_added_link,
)
from .multipath import (
    MultipathRelay,
    RelayCut,
    xor_shares,
    combine_shares,
    relay_over_disjoint_paths,
    minimum_relay_cut,
)

__all__ = [
    # graphs.network
    "NODE_KINDS",
    "TRUSTED_KINDS",
    "FibreLink",
    "SatelliteLink",
    "NetworkLink",
    "QuantumNetwork",
    # graphs.presets
    "TOKYO_LINKS_KM",
    "BACKBONE_LENGTH_KM",
    "BACKBONE_TRUSTED_RELAYS",
    "tokyo_qkd_network",
    "beijing_shanghai_backbone",
    "integrated_space_ground_network",
    # graphs.relay
    "FLOW_RESOLUTION_BPS",
    "RelayPath",
    "RelayFlow",
    "OTPRelay",
    "relay_path",
    "relay_max_flow",
    "otp_relay",
    # graphs.routing
    "ROUTE_METRICS",
    "EntanglementRoute",
    "TrustComparison",
    "route_chain",
    "best_route",
    "disjoint_routes",
    "trust_versus_rate",
    # graphs.attacks
    "ADDED_LINK_OBJECTIVES",
    "LinkAttack",
    "LinkCut",
    "AddedLink",
    "attack_link",
    "minimum_link_cut",
    "best_added_link",
    # graphs.multipath
    "MultipathRelay",
    "RelayCut",
    "xor_shares",
    "combine_shares",
    "relay_over_disjoint_paths",
    "minimum_relay_cut",
]
