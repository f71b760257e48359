"""The VPN's configuration file, one per side, in TOML (read with ``tomllib``).

A server's file::

    [interface]
    name = "qvsrv0"                    # unique on the machine, 1 to 14 characters
    addresses = ["10.99.0.1/24"]       # the tunnel's addresses of this side
    listen_port = 51820                # required for the server
    private_key_file = "server.key"    # relative paths: to the config file's folder

    [peer]
    public_key = "...44 characters of base64..."
    allowed_ips = ["10.99.0.2/32"]
    # endpoint = "10.231.0.2:51821"    # required for the client

    [key_service]
    address = "10.231.0.1:8443"        # where the PQ key service listens (outside the tunnel)
    ca_file = "ca.pem"                 # the CA of both sides' certificates
    auth = "certificate"               # how clients authenticate: or "password"
    cert_file = "server.pem"           # the server's certificate (its identity, both modes)
    key_file = "server-key.pem"        #   and its key (mode 0600)
    crl_file = "ca-crl.pem"            # the CA's CRL (server: required in certificate mode)
    # password_db = "passwords"        # server, password mode: the scrypt password file (0600)
    rotation_period = 120.0            # seconds between preshared keys

A client's ``[key_service]`` names the server it expects
(``server_name = "vpn.example"``, the DNS name its certificate must carry) and
either its own ``cert_file`` and ``key_file`` (certificate mode) or ``username``
and ``password_file`` (password mode: a 0600 file holding the password);
``crl_file`` is optional there (it refuses a revoked server certificate).

Each side runs two WireGuard interfaces, so that a new key is put in place
before the old one is dropped (:class:`qlib.vpn.rotation.TunnelSide`): ``<name>``
and ``<name>b``, listening on ``listen_port`` and ``listen_port + 1``; the
client's second interface talks to the endpoint's port + 1.

Every error names the field (``interface.listen_port``), the value and what is
allowed: a missing field, an unknown key, a bad address (checked with
``ipaddress``), a port outside [1, 65535].
"""

from __future__ import annotations

import ipaddress
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .wireguard import check_interface_name, check_public_key

__all__ = ["ConfigError", "InterfaceConfig", "PeerConfig", "KeyServiceConfig", "VPNConfig",
           "parse_config", "load_config", "parse_endpoint"]

ROLES = ("server", "client")
AUTH_MODES = ("certificate", "password")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the field."""


@dataclass(frozen=True)
class InterfaceConfig:
    name: str
    addresses: tuple[str, ...]
    listen_port: int | None
    private_key_file: Path


@dataclass(frozen=True)
class PeerConfig:
    public_key: str
    allowed_ips: tuple[str, ...]
    endpoint: str | None
    persistent_keepalive: int | None


@dataclass(frozen=True)
class KeyServiceConfig:
    address: str
    ca_file: Path
    auth: str
    cert_file: Path | None
    key_file: Path | None
    username: str | None
    password_file: Path | None
    rotation_period: float
    server_name: str | None = None
    crl_file: Path | None = None
    password_db: Path | None = None


@dataclass(frozen=True)
class VPNConfig:
    """One side's validated configuration (see the module's example)."""

    role: str
    interface: InterfaceConfig
    peer: PeerConfig
    key_service: KeyServiceConfig


_FIELDS = {
    "interface": {"name", "addresses", "listen_port", "private_key_file"},
    "peer": {"public_key", "allowed_ips", "endpoint", "persistent_keepalive"},
    "key_service": {"address", "ca_file", "auth", "cert_file", "key_file", "username",
                    "password_file", "rotation_period", "server_name", "crl_file", "password_db"},
}


def parse_endpoint(value, field: str = "endpoint") -> str:
    """``value`` if it is ``<IP address>:<port>`` (IPv6 in brackets); names ``field`` if not.

    Examples
    --------
    >>> parse_endpoint("10.231.0.2:51821")
    '10.231.0.2:51821'
    >>> parse_endpoint("[fd00::2]:51821")
    '[fd00::2]:51821'
    >>> parse_endpoint("10.231.0.999:51821", "peer.endpoint")
    Traceback (most recent call last):
    ...
    qlib.vpn.config.ConfigError: peer.endpoint must be '<IP address>:<port>', got '10.231.0.999:51821' (bad address '10.231.0.999')
    """
    if not isinstance(value, str):
        raise ConfigError(f"{field} must be a string '<IP address>:<port>', got {value!r}")
    host, sep, port = value.rpartition(":")
    if not sep:
        raise ConfigError(f"{field} must be '<IP address>:<port>', got {value!r} (no port)")
    bracketed = host.startswith("[") and host.endswith("]")
    try:
        address = ipaddress.ip_address(host[1:-1] if bracketed else host)
    except ValueError:
        raise ConfigError(f"{field} must be '<IP address>:<port>', got {value!r} (bad address {host!r})") from None
    if address.version == 6 and not bracketed:
        raise ConfigError(f"{field}: an IPv6 address goes in brackets, '[{host}]:{port}', got {value!r}")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"{field} must have a port in [1, 65535], got {value!r}")
    return value


def _section(data: dict, name: str) -> dict:
    if name not in data:
        raise ConfigError(f"[{name}] is missing")
    section = data[name]
    if not isinstance(section, dict):
        raise ConfigError(f"{name} must be a table [{name}], got {section!r}")
    unknown = sorted(set(section) - _FIELDS[name])
    if unknown:
        raise ConfigError(f"{name}.{unknown[0]} is not a known key (known: {', '.join(sorted(_FIELDS[name]))})")
    return section


def _required(section: dict, section_name: str, key: str, why: str = ""):
    if key not in section:
        raise ConfigError(f"{section_name}.{key} is missing{why}")
    return section[key]


def _string(value, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{field} must be a non-empty string, got {value!r}")
    return value


def _path(value, field: str, base: Path) -> Path:
    return base / _string(value, field)


def _port(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65534:
        raise ConfigError(f"{field} must be an integer in [1, 65534] (the standby interface uses "
                          f"{field.rpartition('.')[2]} + 1), got {value!r}")
    return value


def _list(value, field: str) -> list:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{field} must be a non-empty list, got {value!r}")
    return value


def _interface_address(value, field: str) -> str:
    try:
        return str(ipaddress.ip_interface(_string(value, field)))
    except ValueError:
        raise ConfigError(f"{field} must be an address with prefix such as '10.99.0.1/24', got {value!r}") from None


def _network(value, field: str) -> str:
    try:
        return str(ipaddress.ip_network(_string(value, field), strict=True))
    except ValueError as exc:
        raise ConfigError(f"{field} must be a network such as '10.99.0.2/32', got {value!r} ({exc})") from None


def parse_config(data: dict, role: str, *, base: Path | str = ".") -> VPNConfig:
    """Validate a parsed TOML document (a dict) as ``role``'s configuration.

    Parameters
    ----------
    data : dict
        What ``tomllib.loads`` returned.
    role : {"server", "client"}
        The server must have ``interface.listen_port``, the client ``peer.endpoint``.
    base : path
        Folder that relative file names are relative to (the config file's).

    Examples
    --------
    >>> doc = tomllib.loads('''
    ... [interface]
    ... name = "qvcli0"
    ... addresses = ["10.99.0.2/24"]
    ... private_key_file = "client.key"
    ... [peer]
    ... public_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    ... allowed_ips = ["10.99.0.1/32"]
    ... endpoint = "10.231.0.1:51820"
    ... [key_service]
    ... address = "10.231.0.1:8443"
    ... ca_file = "ca.pem"
    ... server_name = "vpn.example"
    ... auth = "password"
    ... username = "alice"
    ... password_file = "alice.pass"
    ... rotation_period = 120
    ... ''')
    >>> config = parse_config(doc, "client", base="/etc/qvpn")
    >>> config.peer.endpoint, config.key_service.rotation_period, str(config.key_service.ca_file)
    ('10.231.0.1:51820', 120.0, '/etc/qvpn/ca.pem')
    >>> del doc["peer"]["endpoint"]
    >>> parse_config(doc, "client")
    Traceback (most recent call last):
    ...
    qlib.vpn.config.ConfigError: peer.endpoint is missing (the client must know where the server listens)
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    if not isinstance(data, dict):
        raise TypeError(f"data must be a dict (parsed TOML), got {type(data).__name__}")
    base = Path(base)
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"{unknown[0]} is not a known section (known: {', '.join(sorted(_FIELDS))})")

    section = _section(data, "interface")
    name = _required(section, "interface", "name")
    try:
        name = check_interface_name(name)
        check_interface_name(name + "b")
    except ValueError:
        raise ConfigError(f"interface.name must be 1 to 14 characters of [a-zA-Z0-9_=+.-] (the standby "
                          f"interface is <name>b), got {name!r}") from None
    addresses = tuple(_interface_address(a, f"interface.addresses[{i}]")
                      for i, a in enumerate(_list(_required(section, "interface", "addresses"), "interface.addresses")))
    if role == "server":
        listen_port = _port(_required(section, "interface", "listen_port",
                                      " (the server must listen for the client)"), "interface.listen_port")
    else:
        listen_port = _port(section["listen_port"], "interface.listen_port") if "listen_port" in section else None
    private_key_file = _path(_required(section, "interface", "private_key_file"), "interface.private_key_file", base)
    interface = InterfaceConfig(name, addresses, listen_port, private_key_file)

    section = _section(data, "peer")
    public_key = _required(section, "peer", "public_key")
    try:
        public_key = check_public_key(public_key, "peer.public_key")
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    allowed_ips = tuple(_network(a, f"peer.allowed_ips[{i}]")
                        for i, a in enumerate(_list(_required(section, "peer", "allowed_ips"), "peer.allowed_ips")))
    if role == "client":
        endpoint = parse_endpoint(_required(section, "peer", "endpoint",
                                            " (the client must know where the server listens)"), "peer.endpoint")
    else:
        endpoint = parse_endpoint(section["endpoint"], "peer.endpoint") if "endpoint" in section else None
    if endpoint is not None and endpoint.endswith(":65535"):
        raise ConfigError(f"peer.endpoint must have a port in [1, 65534] (the standby interface uses "
                          f"port + 1), got {endpoint!r}")
    keepalive = section.get("persistent_keepalive")
    if keepalive is not None and (not isinstance(keepalive, int) or isinstance(keepalive, bool)
                                  or not 1 <= keepalive <= 65535):
        raise ConfigError(f"peer.persistent_keepalive must be an integer in [1, 65535] s, got {keepalive!r}")
    peer = PeerConfig(public_key, allowed_ips, endpoint, keepalive)

    section = _section(data, "key_service")
    address = parse_endpoint(_required(section, "key_service", "address"), "key_service.address")
    ca_file = _path(_required(section, "key_service", "ca_file"), "key_service.ca_file", base)
    auth = _required(section, "key_service", "auth")
    if auth not in AUTH_MODES:
        raise ConfigError(f"key_service.auth must be one of {AUTH_MODES}, got {auth!r}")
    files = {}
    for key in ("cert_file", "key_file", "username", "password_file", "server_name", "crl_file", "password_db"):
        if key in section:
            files[key] = (_string(section[key], f"key_service.{key}") if key in ("username", "server_name")
                          else _path(section[key], f"key_service.{key}", base))
    # the server's own certificate is always needed; a client's depends on the mode
    if role == "server":
        for key in ("cert_file", "key_file"):
            _required(section, "key_service", key, " (the server's identity is its certificate)")
        _required(section, "key_service", *{"certificate": ("crl_file", " (auth = 'certificate': revocation "
                                                                         "is checked)"),
                                            "password": ("password_db", " (auth = 'password': the scrypt "
                                                                        "password file)")}[auth])
    else:
        _required(section, "key_service", "server_name", " (the name the server's certificate must carry)")
        for key in {"certificate": ("cert_file", "key_file"), "password": ("username", "password_file")}[auth]:
            _required(section, "key_service", key, f" (auth = {auth!r} needs it)")
    period = _required(section, "key_service", "rotation_period")
    if not isinstance(period, (int, float)) or isinstance(period, bool) or not math.isfinite(period) or period <= 0:
        raise ConfigError(f"key_service.rotation_period must be a positive number of seconds, got {period!r}")
    key_service = KeyServiceConfig(address, ca_file, auth, files.get("cert_file"), files.get("key_file"),
                                   files.get("username"), files.get("password_file"), float(period),
                                   files.get("server_name"), files.get("crl_file"), files.get("password_db"))
    return VPNConfig(role, interface, peer, key_service)


def load_config(path, role: str) -> VPNConfig:
    """Read and validate the TOML file ``path`` as ``role``'s configuration.

    A file that is not TOML raises :class:`ConfigError` with the parser's line and
    column; relative file names in it are taken relative to its folder.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    try:
        return parse_config(data, role, base=path.parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
