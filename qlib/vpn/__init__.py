"""A WireGuard VPN whose preshared key rotates on a schedule (issue 13).

- :mod:`qlib.vpn.wireguard`: one ``wireguard-go`` interface driven with ``wg``;
- :mod:`qlib.vpn.rotation`: putting a new preshared key in place without
  dropping traffic, key sources, the rotation thread;
- :mod:`qlib.vpn.key_service`: the keys from the post-quantum TLS 1.3 key service
  of :mod:`qlib.crypto.pq_tls` (imported by name: it loads OpenSSL);
- :mod:`qlib.vpn.config`: the TOML configuration of each side;
- :mod:`qlib.vpn.netns`: two network namespaces and a veth link, the bench of the
  demo and the tests;
- ``python -m qlib.vpn server|client --config F --psk-source tls``: one side of the VPN.

Not imported by ``import qlib``, and not in its flat namespace: ``import qlib.vpn``.
It drives programs of the machine (``wireguard-go``, ``wg``, ``ip``), most of them
as root.
"""

from .config import ConfigError, VPNConfig, load_config, parse_config
from .netns import NamespacePair, missing_requirements
from .rotation import PSKRotator, SharedFileKeySource, install_psk, rotate_pair
from .wireguard import WireGuardError, WireGuardInterface

__all__ = [
    "ConfigError",
    "VPNConfig",
    "load_config",
    "parse_config",
    "NamespacePair",
    "missing_requirements",
    "PSKRotator",
    "SharedFileKeySource",
    "install_psk",
    "rotate_pair",
    "WireGuardError",
    "WireGuardInterface",
]
