"""Networks as graphs, on networkx: nodes and links with their physical models
(:mod:`~qlib.graphs.network`), presets with cited geometry
(:mod:`~qlib.graphs.presets`), trusted-node key relay (:mod:`~qlib.graphs.relay`),
entanglement routing (:mod:`~qlib.graphs.routing`) and attacks on links
(:mod:`~qlib.graphs.attacks`).

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
    LinkAttack,
    LinkCut,
    attack_link,
    minimum_link_cut,
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
    "LinkAttack",
    "LinkCut",
    "attack_link",
    "minimum_link_cut",
]
