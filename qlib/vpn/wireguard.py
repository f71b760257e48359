"""One WireGuard interface in user space: ``wireguard-go`` driven with ``wg``.

:class:`WireGuardInterface` starts ``wireguard-go`` in the foreground (inside a
network namespace if asked), so this process owns it and stops it; configures it
with ``wg set`` (private key, listen port, peer, preshared key) and ``ip``
(address, up); reads its counters with ``wg show <if> dump``; and tears it down on
leaving the ``with`` block, on error, or at interpreter exit.

Keys never appear on a command line (where ``ps`` would show them): ``wg`` reads
them from files made 0600 in a private 0700 directory and removed right after
use, or from standard input (``wg pubkey``).

``wireguard-go`` puts its control socket in ``/var/run/wireguard/<name>.sock``,
a directory shared by all network namespaces (they share the file system): the
``wg`` tool reaches an interface from any namespace, and two interfaces must
never share a name, even in different namespaces.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "RUN_DIR",
    "PSK_BYTES",
    "WireGuardError",
    "check_interface_name",
    "check_public_key",
    "check_preshared_key",
    "generate_private_key",
    "public_key_of",
    "PeerStatus",
    "InterfaceStatus",
    "parse_dump",
    "WireGuardInterface",
]

#: where wireguard-go keeps its control sockets (shared by every namespace)
RUN_DIR = Path("/var/run/wireguard")
#: a WireGuard preshared key is 32 bytes (the Noise IKpsk2 ``psk``)
PSK_BYTES = 32

# wg-quick's rule for interface names (and Linux's IFNAMSIZ - 1 = 15)
_NAME = re.compile(r"[a-zA-Z0-9_=+.-]{1,15}")


class WireGuardError(RuntimeError):
    """``wireguard-go`` or ``wg`` failed; the message holds what it printed."""


def check_interface_name(name) -> str:
    """``name`` if it is a valid interface name (1 to 15 of ``[a-zA-Z0-9_=+.-]``).

    Examples
    --------
    >>> check_interface_name("qvsrv0")
    'qvsrv0'
    >>> check_interface_name("a name with spaces")
    Traceback (most recent call last):
    ...
    ValueError: name must be 1 to 15 characters of [a-zA-Z0-9_=+.-], got 'a name with spaces'
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"name must be 1 to 15 characters of [a-zA-Z0-9_=+.-], got {name!r}")
    return name


def _check_key(value, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a base64 str of 32 bytes, got {type(value).__name__}")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError(f"{what} must be 32 bytes in base64 (44 characters), got {value!r}")
    return value


def check_public_key(value, what: str = "public_key") -> str:
    """``value`` if it is a WireGuard key: 32 bytes in base64.

    Examples
    --------
    >>> check_public_key("A" * 43 + "=")
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
    >>> check_public_key("short")
    Traceback (most recent call last):
    ...
    ValueError: public_key must be 32 bytes in base64 (44 characters), got 'short'
    """
    return _check_key(value, what)


def check_preshared_key(key, what: str = "key") -> bytes:
    """``key`` if it is a preshared key: exactly 32 bytes.

    Examples
    --------
    >>> len(check_preshared_key(bytes(32)))
    32
    >>> check_preshared_key(b"too short")
    Traceback (most recent call last):
    ...
    ValueError: key must be 32 bytes, got 9 bytes
    """
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError(f"{what} must be bytes (32 of them), got {type(key).__name__}")
    if len(key) != PSK_BYTES:
        raise ValueError(f"{what} must be {PSK_BYTES} bytes, got {len(key)} bytes")
    return bytes(key)


def _tool(args, *, input: bytes | None = None, timeout: float = 10.0) -> str:
    try:
        out = subprocess.run(list(args), input=input, capture_output=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise WireGuardError(f"{args[0]} not found: install wireguard-tools and wireguard-go") from exc
    if out.returncode != 0:
        raise WireGuardError(f"{' '.join(map(str, args))} failed ({out.returncode}): "
                             f"{out.stderr.decode(errors='replace').strip()}")
    return out.stdout.decode()


def generate_private_key() -> str:
    """A fresh WireGuard private key (``wg genkey``: 32 random bytes, clamped, base64)."""
    return _tool(["wg", "genkey"]).strip()


def public_key_of(private_key: str) -> str:
    """The public key of ``private_key`` (``wg pubkey``, the key given on standard input)."""
    _check_key(private_key, "private_key")
    return _tool(["wg", "pubkey"], input=(private_key + "\n").encode()).strip()


@dataclass(frozen=True)
class PeerStatus:
    """One peer's line of ``wg show <if> dump``.

    ``latest_handshake`` is in seconds since the epoch (0: never); ``rx_bytes`` and
    ``tx_bytes`` count authenticated WireGuard traffic to and from this peer since
    the peer was (re)added.
    """

    public_key: str
    has_preshared_key: bool
    endpoint: str | None
    allowed_ips: tuple[str, ...]
    latest_handshake: int
    rx_bytes: int
    tx_bytes: int
    persistent_keepalive: int | None


@dataclass(frozen=True)
class InterfaceStatus:
    """The interface line of ``wg show <if> dump`` and its peers by public key."""

    public_key: str
    listen_port: int
    peers: dict[str, PeerStatus] = field(default_factory=dict)


def parse_dump(text: str) -> InterfaceStatus:
    """Parse ``wg show <if> dump`` (tab-separated; keys other than public ones skipped).

    Examples
    --------
    >>> pub, peer = "A" * 43 + "=", "B" * 43 + "="
    >>> dump = (f"(hidden)\\t{pub}\\t51820\\toff\\n"
    ...         f"{peer}\\t(hidden)\\t10.0.0.2:51821\\t10.9.0.2/32\\t1700000000\\t92\\t180\\t25\\n")
    >>> status = parse_dump(dump)
    >>> status.listen_port, status.peers[peer].rx_bytes, status.peers[peer].endpoint
    (51820, 92, '10.0.0.2:51821')
    """
    lines = [line.split("\t") for line in text.strip().splitlines()]
    if not lines or len(lines[0]) != 4:
        raise WireGuardError(f"unexpected output of wg show dump: {text!r}")
    _, public, port, _ = lines[0]
    peers = {}
    for fields in lines[1:]:
        if len(fields) != 8:
            raise WireGuardError(f"unexpected peer line of wg show dump: {fields!r}")
        pub, psk, endpoint, allowed, handshake, rx, tx, keepalive = fields
        peers[pub] = PeerStatus(
            public_key=pub,
            has_preshared_key=psk != "(none)",
            endpoint=None if endpoint == "(none)" else endpoint,
            allowed_ips=tuple(a for a in allowed.split(",") if a and a != "(none)"),
            latest_handshake=int(handshake),
            rx_bytes=int(rx),
            tx_bytes=int(tx),
            persistent_keepalive=None if keepalive == "off" else int(keepalive),
        )
    return InterfaceStatus(public_key=public, listen_port=int(port), peers=peers)


@dataclass
class _Peer:
    endpoint: str | None
    allowed_ips: tuple[str, ...]
    persistent_keepalive: int | None


class WireGuardInterface:
    """A ``wireguard-go`` interface this process created and will remove.

    Parameters
    ----------
    name : str
        Interface name, unique on the machine (its control socket is
        ``/var/run/wireguard/<name>.sock`` whatever the namespace).
    netns : str, optional
        Network namespace to create it in (``ip netns exec``); the current one if None.
    startup_timeout : float
        Seconds to wait for the control socket to appear.

    Notes
    -----
    A preshared key changed with :meth:`set_preshared_key` takes part in the next
    handshake; the running session keeps its keys meanwhile, so nothing is
    dropped. :meth:`rekey` also forces that handshake at once: it removes the peer
    and adds it back with the new key in one ``wg set`` (one configuration
    transaction of wireguard-go), with a persistent keepalive so that the new
    handshake starts immediately; packets sent meanwhile wait in WireGuard's
    queue. Call it on one side only, after the other side holds the same key
    (:mod:`qlib.vpn.rotation` orders this). Introduced for the chapter
    *Post-quantum vs quantum cryptography*.
    """

    def __init__(self, name: str, *, netns: str | None = None, startup_timeout: float = 5.0):
        self.name = check_interface_name(name)
        if netns is not None and not (isinstance(netns, str) and re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", netns)):
            raise ValueError(f"netns must be a namespace name of [A-Za-z0-9_.-], got {netns!r}")
        self.netns = netns
        self.startup_timeout = startup_timeout
        self.socket = RUN_DIR / f"{name}.sock"
        self._process: subprocess.Popen | None = None
        self._log = None
        self._keydir: str | None = None
        self._peers: dict[str, _Peer] = {}
        self.public_key: str | None = None

    # ------------------------------------------------------------------ life
    def __enter__(self) -> "WireGuardInterface":
        self.create()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _in_netns(self, args) -> list[str]:
        return (["ip", "netns", "exec", self.netns] if self.netns else []) + [str(a) for a in args]

    def create(self) -> None:
        """Start ``wireguard-go -f <name>`` and wait for its control socket."""
        if self._process is not None:
            raise WireGuardError(f"interface {self.name} was already created")
        if shutil.which("wireguard-go") is None:
            raise WireGuardError("wireguard-go not found (apt-get install wireguard-go)")
        if self.socket.exists():
            raise WireGuardError(f"an interface named {self.name} already exists ({self.socket}); "
                                 "names must be unique on the machine")
        atexit.register(self.close)
        self._keydir = tempfile.mkdtemp(prefix=f"wg-{self.name}-")  # mode 0700
        self._log = tempfile.TemporaryFile()
        env = dict(os.environ, LOG_LEVEL="error", WG_PROCESS_FOREGROUND="1")
        self._process = subprocess.Popen(self._in_netns(["wireguard-go", "-f", self.name]),
                                         stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + self.startup_timeout
        # the socket file appears at bind(), before wireguard-go listens: wait until it answers
        while not self._socket_answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                message = self._output()
                self.close()
                raise WireGuardError(f"wireguard-go {self.name} did not start: {message}")
            time.sleep(0.005)

    def _socket_answers(self) -> bool:
        if not self.socket.exists():
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(self.socket))
            except OSError:
                return False
        return True

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace").strip()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def close(self) -> None:
        """Stop wireguard-go (which removes the interface and its socket); idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=3)
        if process is not None:
            # a socket left by a killed wireguard-go of ours (never another's: create
            # refused to start when the name's socket existed)
            self.socket.unlink(missing_ok=True)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._keydir is not None:
            shutil.rmtree(self._keydir, ignore_errors=True)
            self._keydir = None
        atexit.unregister(self.close)

    # ---------------------------------------------------------- key material
    @contextmanager
    def _key_file(self, text: str):
        if self._keydir is None:
            raise WireGuardError(f"interface {self.name} is not running")
        fd, path = tempfile.mkstemp(dir=self._keydir)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, (text + "\n").encode())
            os.close(fd)
            fd = -1
            yield path
        finally:
            if fd >= 0:
                os.close(fd)
            os.unlink(path)

    def _wg(self, *args) -> str:
        if not self.running:
            raise WireGuardError(f"interface {self.name} is not running: {self._output()}")
        return _tool(["wg", *map(str, args)])

    def _ip(self, *args) -> None:
        _tool(["ip", *(["-n", self.netns] if self.netns else []), *map(str, args)])

    def set_private_key(self, private_key: str | None = None) -> str:
        """Install ``private_key`` (a new one from ``wg genkey`` if None); return the public key."""
        private_key = generate_private_key() if private_key is None else _check_key(private_key, "private_key")
        with self._key_file(private_key) as path:
            self._wg("set", self.name, "private-key", path)
        self.public_key = public_key_of(private_key)
        return self.public_key

    def set_listen_port(self, port: int) -> None:
        """Listen for WireGuard's UDP datagrams on ``port`` (1 to 65535)."""
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise ValueError(f"port must be an int in [1, 65535], got {port!r}")
        self._wg("set", self.name, "listen-port", port)

    def _peer_args(self, public_key: str, peer: _Peer) -> list[str]:
        args = ["peer", public_key, "allowed-ips", ",".join(peer.allowed_ips)]
        if peer.endpoint:
            args += ["endpoint", peer.endpoint]
        if peer.persistent_keepalive:
            args += ["persistent-keepalive", peer.persistent_keepalive]
        return args

    def set_peer(self, public_key: str, *, allowed_ips, endpoint: str | None = None,
                 preshared_key: bytes | None = None, persistent_keepalive: int | None = None) -> None:
        """Add or update the peer ``public_key``: its tunnel addresses, endpoint, key."""
        check_public_key(public_key)
        if isinstance(allowed_ips, str):
            raise TypeError(f"allowed_ips must be a list of networks, got the str {allowed_ips!r}")
        peer = _Peer(endpoint, tuple(allowed_ips), persistent_keepalive)
        args = self._peer_args(public_key, peer)
        if preshared_key is None:
            self._wg("set", self.name, *args)
        else:
            key = base64.b64encode(check_preshared_key(preshared_key, "preshared_key")).decode()
            with self._key_file(key) as path:
                self._wg("set", self.name, *args, "preshared-key", path)
        self._peers[public_key] = peer

    def set_preshared_key(self, peer: str, key: bytes) -> None:
        """Install ``key`` (32 bytes) as the preshared key shared with ``peer``.

        ``wg set <if> peer <pub> preshared-key <file>``: used at the next handshake;
        the running session is untouched.
        """
        check_public_key(peer, "peer")
        text = base64.b64encode(check_preshared_key(key)).decode()
        with self._key_file(text) as path:
            self._wg("set", self.name, "peer", peer, "preshared-key", path)

    def rekey(self, peer: str, key: bytes, *, handshake: bool = True, keepalive: int = 25) -> None:
        """Put ``peer`` back afresh with ``key``: no session, counters and
        ``latest_handshake`` at 0; with ``handshake=True`` also start a handshake
        with it now (see Notes). The endpoint WireGuard learned is kept."""
        check_public_key(peer, "peer")
        if peer not in self._peers:
            raise ValueError(f"peer must be a peer set on {self.name} with set_peer, got {peer!r}")
        if not isinstance(keepalive, int) or isinstance(keepalive, bool) or not 1 <= keepalive <= 65535:
            raise ValueError(f"keepalive must be an int in [1, 65535] s, got {keepalive!r}")
        settings = self._peers[peer]
        endpoint = settings.endpoint
        if endpoint is None:  # keep the endpoint WireGuard learned from the peer
            learned = self.status().peers.get(peer)
            endpoint = learned.endpoint if learned else None
        if handshake and endpoint is None:
            raise WireGuardError(f"cannot start a handshake with {peer}: no endpoint known")
        alive = (settings.persistent_keepalive or keepalive) if handshake else settings.persistent_keepalive
        text = base64.b64encode(check_preshared_key(key)).decode()
        with self._key_file(text) as path:
            self._wg("set", self.name, "peer", peer, "remove",
                     *self._peer_args(peer, _Peer(endpoint, settings.allowed_ips, alive)), "preshared-key", path)

    # ---------------------------------------------------------------- links
    def add_address(self, address: str, *, prefix_route: bool = True) -> None:
        """Give the interface ``address`` (CIDR, e.g. ``10.99.0.1/24``).

        ``prefix_route=False`` adds no route for the address's network
        (``noprefixroute``): the routes are then set with :meth:`route`, as the
        two interfaces of a :class:`qlib.vpn.rotation.TunnelSide` share addresses.
        """
        self._ip("address", "add", address, "dev", self.name, *([] if prefix_route else ["noprefixroute"]))

    def route(self, network: str) -> None:
        """Send traffic for ``network`` through this interface (``ip route replace``)."""
        self._ip("route", "replace", network, "dev", self.name)

    def loose_reverse_path(self) -> None:
        """Accept packets whose source is routed through another interface (rp_filter = 2).

        Needed while two interfaces carry one tunnel: for a moment packets arrive on
        the interface that no longer carries the route back.
        """
        _tool(self._in_netns(["sysctl", "-q", "-w", f"net.ipv4.conf.{self.name}.rp_filter=2"]))

    def up(self) -> None:
        """Bring the interface up."""
        self._ip("link", "set", self.name, "up")

    # ------------------------------------------------------------- counters
    def status(self) -> InterfaceStatus:
        """The interface and its peers as ``wg show <if> dump`` reports them."""
        return parse_dump(self._wg("show", self.name, "dump"))

    def handshake_time(self, peer: str) -> float:
        """Seconds since the epoch of ``peer``'s latest handshake (0.0: none), to the nanosecond.

        Read from wireguard-go's control socket (the cross-platform interface's
        ``get=1``, the protocol ``wg`` itself speaks) without starting a process:
        the rotation polls it every millisecond. ``wg show`` gives whole seconds.
        """
        check_public_key(peer, "peer")
        wanted = base64.b64decode(peer).hex()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(2.0)
            conn.connect(str(self.socket))
            conn.sendall(b"get=1\n\n")
            reply = b""
            while not reply.endswith(b"\n\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
        current, seconds, nanoseconds = None, {}, {}
        for line in reply.decode(errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key == "public_key":
                current = value
            elif key == "last_handshake_time_sec" and current is not None:
                seconds[current] = int(value)
            elif key == "last_handshake_time_nsec" and current is not None:
                nanoseconds[current] = int(value)
            elif key == "errno" and value != "0":
                raise WireGuardError(f"{self.name}: wireguard-go answered errno {value}")
        if wanted not in seconds:
            raise KeyError(f"{peer} is not a peer of {self.name}")
        return seconds[wanted] + nanoseconds.get(wanted, 0) * 1e-9

    def peer_status(self, peer: str) -> PeerStatus:
        """One peer's counters; ``KeyError`` naming it if it is not configured."""
        peers = self.status().peers
        if peer not in peers:
            raise KeyError(f"{peer} is not a peer of {self.name}")
        return peers[peer]
