"""Two Linux network namespaces joined by a veth pair: the VPN's test bench.

:class:`NamespacePair` creates two namespaces and one veth link between them,
each with a name of its own (a random tag, so several benches, or several
helpers' benches, can run side by side), runs commands inside either namespace,
and removes every namespace, interface and process it made when it closes: on
leaving the ``with`` block, on an exception, and at interpreter exit (``atexit``)
if it was never closed. Deleting a namespace deletes the interfaces inside it,
including the veth pair and any tunnel device moved or created there.

Everything here needs root (CAP_NET_ADMIN) and ``ip`` (iproute2);
:func:`missing_requirements` says what is missing instead of failing midway.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

__all__ = [
    "TOOLS",
    "has_net_admin",
    "missing_requirements",
    "NamespaceError",
    "NamespacePair",
    "ping",
    "PingResult",
    "wait_for",
    "TransferResult",
    "tcp_transfer",
    "TunnelBench",
]

#: the programs the VPN and its bench run, and the Debian packages that hold them
TOOLS = {
    "ip": "iproute2",
    "ping": "iputils-ping",
    "wg": "wireguard-tools",
    "wireguard-go": "wireguard-go",
}

_CAP_NET_ADMIN = 12  # linux/capability.h


def has_net_admin() -> bool:
    """Whether this process holds CAP_NET_ADMIN (read from ``/proc/self/status``).

    Examples
    --------
    >>> isinstance(has_net_admin(), bool)
    True
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    match = re.search(r"^CapEff:\s*([0-9a-fA-F]+)$", status, re.MULTILINE)
    return bool(match) and bool(int(match.group(1), 16) >> _CAP_NET_ADMIN & 1)


def missing_requirements(tools=tuple(TOOLS)) -> list[str]:
    """What stops the namespace bench from running here, one reason a line.

    Parameters
    ----------
    tools : iterable of str
        Programs that must be on ``PATH`` (keys of :data:`TOOLS`).

    Returns
    -------
    list of str
        Empty when everything is in place; otherwise, e.g. ``"no CAP_NET_ADMIN
        (run as root)"`` or ``"wg not found (apt-get install wireguard-tools)"``.

    Examples
    --------
    >>> all(isinstance(reason, str) for reason in missing_requirements())
    True
    """
    reasons = []
    if not has_net_admin():
        reasons.append("no CAP_NET_ADMIN (run as root)")
    for tool in tools:
        if tool not in TOOLS:
            raise ValueError(f"tools must be among {sorted(TOOLS)}, got {tool!r}")
        if shutil.which(tool) is None:
            reasons.append(f"{tool} not found (apt-get install {TOOLS[tool]})")
    if "wireguard-go" in tools and not os.path.exists("/dev/net/tun"):
        reasons.append("/dev/net/tun is missing (wireguard-go needs a TUN device)")
    return reasons


class NamespaceError(RuntimeError):
    """A command of the namespace bench failed; the message holds its output."""


def _run(args, *, input=None, timeout=10.0, check=True):
    out = subprocess.run(list(args), input=input, capture_output=True, timeout=timeout)
    if check and out.returncode != 0:
        raise NamespaceError(f"{' '.join(map(str, args))} failed ({out.returncode}): "
                             f"{out.stderr.decode(errors='replace').strip()}")
    return out


class NamespacePair:
    """Two network namespaces ``a`` and ``b`` joined by a veth pair.

    Parameters
    ----------
    subnet : str
        The veth link's IPv4 network; ``a`` gets its first host address and ``b``
        its second (default ``"10.231.0.0/24"``: 10.231.0.1 and 10.231.0.2).
    tag : str, optional
        Part of every name (namespaces ``qv<tag>a``/``qv<tag>b``, veths
        ``qv<tag>va``/``qv<tag>vb``); by default 6 random hex digits. At most 8
        characters of ``[a-z0-9]``, so that derived interface names stay within
        Linux's 15.

    Notes
    -----
    Use it as a context manager: ``__enter__`` builds the pair (and undoes what it
    built if a step fails), ``__exit__`` removes it. Processes started with
    :meth:`popen` are stopped first (SIGTERM, then SIGKILL), then the namespaces
    are deleted, which deletes every interface inside them. :meth:`close` is
    idempotent and registered with ``atexit``. Used by the VPN demo, its tests and
    ``benchmarks/vpn.py`` (the chapter *Post-quantum vs quantum cryptography*).
    """

    def __init__(self, subnet: str = "10.231.0.0/24", *, tag: str | None = None):
        try:
            network = ipaddress.IPv4Network(subnet)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"subnet must be an IPv4 network such as '10.231.0.0/24', got {subnet!r}") from exc
        if network.num_addresses < 4:
            raise ValueError(f"subnet must hold two host addresses (prefix <= /30), got {subnet!r}")
        tag = secrets.token_hex(3) if tag is None else tag
        if not isinstance(tag, str) or not re.fullmatch(r"[a-z0-9]{1,8}", tag):
            raise ValueError(f"tag must be 1 to 8 characters of [a-z0-9], got {tag!r}")
        self.tag = tag
        self.network = network
        hosts = list(network.hosts()) if network.num_addresses <= 256 else [network[1], network[2]]
        self.address_a, self.address_b = str(hosts[0]), str(hosts[1])
        self.a, self.b = f"qv{tag}a", f"qv{tag}b"
        self.veth_a, self.veth_b = f"qv{tag}va", f"qv{tag}vb"
        self._made: list[str] = []          # namespaces created, in order
        self._veth_in_root = False
        self._processes: list[subprocess.Popen] = []
        self._closed = False

    # ------------------------------------------------------------------ life
    def __enter__(self) -> "NamespacePair":
        atexit.register(self.close)
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _build(self) -> None:
        for ns in (self.a, self.b):
            _run(["ip", "netns", "add", ns])
            self._made.append(ns)
        _run(["ip", "link", "add", self.veth_a, "type", "veth", "peer", "name", self.veth_b])
        self._veth_in_root = True
        _run(["ip", "link", "set", self.veth_a, "netns", self.a])
        _run(["ip", "link", "set", self.veth_b, "netns", self.b])
        self._veth_in_root = False
        prefix = self.network.prefixlen
        for ns, veth, address in ((self.a, self.veth_a, self.address_a), (self.b, self.veth_b, self.address_b)):
            _run(["ip", "-n", ns, "link", "set", "lo", "up"])
            _run(["ip", "-n", ns, "addr", "add", f"{address}/{prefix}", "dev", veth])
            _run(["ip", "-n", ns, "link", "set", veth, "up"])

    def close(self) -> None:
        """Stop the bench's processes, delete its namespaces (and their interfaces)."""
        if self._closed:
            return
        self._closed = True
        for process in self._processes:
            _stop(process)
        if self._veth_in_root:
            _run(["ip", "link", "del", self.veth_a], check=False)
        for ns in reversed(self._made):
            _run(["ip", "netns", "del", ns], check=False)
        self._made.clear()
        atexit.unregister(self.close)

    # -------------------------------------------------------------- commands
    def _namespace(self, ns: str) -> str:
        if ns in ("a", self.a):
            return self.a
        if ns in ("b", self.b):
            return self.b
        raise ValueError(f"ns must be 'a', 'b', {self.a!r} or {self.b!r}, got {ns!r}")

    def command(self, ns: str, args) -> list[str]:
        """``args`` prefixed with ``ip netns exec <namespace>``."""
        return ["ip", "netns", "exec", self._namespace(ns), *map(str, args)]

    def run(self, ns: str, args, *, input: bytes | None = None, timeout: float = 30.0,
            check: bool = True) -> subprocess.CompletedProcess:
        """Run ``args`` inside namespace ``ns`` (``"a"`` or ``"b"``) and wait for it."""
        return _run(self.command(ns, args), input=input, timeout=timeout, check=check)

    def popen(self, ns: str, args, **kwargs) -> subprocess.Popen:
        """Start ``args`` inside namespace ``ns``; it is stopped when the pair closes."""
        process = subprocess.Popen(self.command(ns, args), **kwargs)
        self._processes.append(process)
        return process

    def exists(self) -> dict[str, bool]:
        """Whether each of the pair's namespaces exists, and each veth end in the root
        namespace (where one is left if a build step failed): all False after close."""
        namespaces = set(_run(["ip", "netns", "list"]).stdout.decode().split())
        links = _run(["ip", "-o", "link", "show"]).stdout.decode()
        found = {ns: ns in namespaces for ns in (self.a, self.b)}
        for veth in (self.veth_a, self.veth_b):
            found[veth] = bool(re.search(rf"\b{veth}\b", links))
        return found


def _stop(process: subprocess.Popen, grace: float = 3.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


class PingResult:
    """Packets sent and received by one ``ping`` run."""

    def __init__(self, transmitted: int, received: int, output: str):
        self.transmitted, self.received, self.output = transmitted, received, output

    @property
    def lost(self) -> int:
        return self.transmitted - self.received

    def __repr__(self) -> str:
        return f"PingResult(transmitted={self.transmitted}, received={self.received})"


def ping(pair: NamespacePair, ns: str, address: str, *, count: int = 3, interval: float = 0.2,
         wait: float = 1.0, background: bool = False):
    """``ping`` ``address`` from namespace ``ns``: a :class:`PingResult`.

    Parameters
    ----------
    pair : NamespacePair
    ns : {"a", "b"}
        The namespace that pings.
    address : str
        An IP address (checked with ``ipaddress``).
    count : int
        Echo requests to send.
    interval : float
        Seconds between them (ping's ``-i``; at least 0.002 s).
    wait : float
        Seconds to wait for each reply (``-W``).
    background : bool
        If True, start the ping and return a function that waits for it and
        gives the :class:`PingResult` (so something can happen meanwhile).
    """
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be a positive int, got {count!r}")
    if not interval >= 0.002:
        raise ValueError(f"interval must be >= 0.002 s (ping's limit), got {interval!r}")
    ipaddress.ip_address(address)
    process = pair.popen(ns, ["ping", "-n", "-q", "-c", count, "-i", interval, "-W", wait, address],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def result(timeout: float = count * interval + wait + 10.0) -> PingResult:
        output = process.communicate(timeout=timeout)[0].decode(errors="replace")
        match = re.search(r"(\d+) packets transmitted, (\d+) received", output)
        if not match:
            raise NamespaceError(f"ping gave no statistics: {output.strip()}")
        return PingResult(int(match.group(1)), int(match.group(2)), output)

    if background:
        return result
    return result()


def wait_for(predicate, timeout: float, interval: float = 0.002) -> bool:
    """Poll ``predicate()`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


_RECEIVER = r"""
import json, socket, sys, time
address, port, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
server = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((address, port)); server.listen(1)
print("ready", flush=True)
server.settimeout(30); conn, _ = server.accept(); conn.settimeout(30)
got, start, told = 0, None, False
while True:
    chunk = conn.recv(1 << 16)
    if not chunk:
        break
    if start is None:
        start = time.perf_counter()
    got += len(chunk)
    if not told and got >= min(nbytes // 10, 1 << 20):
        print("progress", flush=True); told = True
seconds = time.perf_counter() - start if start is not None else 0.0
print(json.dumps({"bytes": got, "seconds": seconds, "end": time.time()}), flush=True)
"""

_SENDER = r"""
import socket, sys
address, port, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conn = socket.create_connection((address, port), timeout=30)
block = bytes(1 << 16)
left = nbytes
while left > 0:
    conn.sendall(block[:min(left, len(block))]); left -= min(left, len(block))
conn.shutdown(socket.SHUT_WR); conn.recv(1); conn.close()
"""


class TransferResult:
    """Bytes one TCP transfer delivered, in how many seconds (first byte to the end)."""

    def __init__(self, nbytes: int, seconds: float, ended_at: float):
        self.bytes, self.seconds, self.ended_at = nbytes, seconds, ended_at

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes / self.seconds / 1e6 if self.seconds > 0 else float("inf")

    def __repr__(self) -> str:
        return f"TransferResult(bytes={self.bytes}, seconds={self.seconds:.3f})"


def tcp_transfer(pair: NamespacePair, *, sender: str, receiver: str, address: str, nbytes: int,
                 port: int = 5201, during=None, timeout: float = 60.0) -> TransferResult:
    """Send ``nbytes`` over TCP from namespace ``sender`` to ``address`` in ``receiver``.

    Parameters
    ----------
    pair : NamespacePair
    sender, receiver : {"a", "b"}
        The namespaces of the two ends.
    address : str
        Where the receiver listens (in ``receiver``): the veth address for the bare
        link, the tunnel address for the tunnel.
    nbytes : int
        Bytes to send.
    port : int
        The receiver's TCP port.
    during : callable, optional
        Called once about a tenth of the bytes (at most 1 MiB) have arrived, while
        the rest flows (the demo rotates the key there).
    timeout : float
        Seconds the transfer may take.

    Returns
    -------
    TransferResult
        Bytes delivered and the seconds from the first byte to the end, measured
        by the receiver. Plain Python sockets in each namespace (``sys.executable``).
    """
    import json
    import sys

    if not isinstance(nbytes, int) or isinstance(nbytes, bool) or nbytes < 1:
        raise ValueError(f"nbytes must be a positive int, got {nbytes!r}")
    ipaddress.ip_address(address)
    rx = pair.popen(receiver, [sys.executable, "-c", _RECEIVER, address, port, nbytes],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if rx.stdout.readline().strip() != "ready":
        raise NamespaceError(f"the TCP receiver did not start: {rx.stderr.read()}")
    tx = pair.popen(sender, [sys.executable, "-c", _SENDER, address, port, nbytes],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = rx.stdout.readline().strip()
    if line == "progress":
        if during is not None:
            during()
        line = rx.stdout.readline().strip()
    try:
        tx.wait(timeout=timeout)
        rx.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise NamespaceError(f"the TCP transfer of {nbytes} bytes did not finish in {timeout} s") from None
    if tx.returncode != 0 or not line.startswith("{"):
        raise NamespaceError(f"the TCP transfer failed: {tx.stderr.read()} {rx.stderr.read()}")
    result = json.loads(line)
    return TransferResult(result["bytes"], result["seconds"], result["end"])


class TunnelBench:
    """Two namespaces, a veth link, and a WireGuard tunnel between them.

    Parameters
    ----------
    psk_a, psk_b : bytes
        The preshared key each side starts with (equal for a working tunnel).
    tunnel : str
        The tunnel's network (``a`` gets the first host address, ``b`` the second).
    subnet, tag
        As for :class:`NamespacePair`.

    Notes
    -----
    ``a`` is the side that starts handshakes (the client), ``b`` the responder
    (the server). Each side is a :class:`qlib.vpn.rotation.TunnelSide`: two
    interfaces (``qv<tag>wa0``/``wa1`` listening on ``port_a`` and ``port_a + 2``,
    ``qv<tag>wb0``/``wb1`` on ``port_b`` and ``port_b + 2``), interface 0 routed
    first. Attributes: ``pair``, ``side_a``, ``side_b``, ``a`` and ``b`` (each
    side's routed interface), ``public_a``, ``public_b``, ``tunnel_a``,
    ``tunnel_b`` (addresses), ``port_a``, ``port_b``. Everything is removed on
    leaving the ``with`` block, also when a step of building it fails.
    """

    def __init__(self, psk_a: bytes, psk_b: bytes | None = None, *, tunnel: str = "10.99.0.0/24",
                 subnet: str = "10.231.0.0/24", tag: str | None = None, port_a: int = 51820, port_b: int = 51821):
        from .wireguard import check_preshared_key

        self.psk_a = check_preshared_key(psk_a, "psk_a")
        self.psk_b = self.psk_a if psk_b is None else check_preshared_key(psk_b, "psk_b")
        network = ipaddress.IPv4Network(tunnel)
        self.prefix = network.prefixlen
        self.tunnel_a, self.tunnel_b = str(network[1]), str(network[2])
        self.port_a, self.port_b = port_a, port_b
        self.pair = NamespacePair(subnet, tag=tag)
        self.interfaces: list = []
        self.side_a = self.side_b = None

    @property
    def a(self):
        return self.side_a.active

    @property
    def b(self):
        return self.side_b.active

    def __enter__(self) -> "TunnelBench":
        from .rotation import TunnelSide
        from .wireguard import WireGuardInterface, generate_private_key, public_key_of

        self.pair.__enter__()
        try:
            tag = self.pair.tag
            key_a, key_b = generate_private_key(), generate_private_key()
            self.public_a, self.public_b = public_key_of(key_a), public_key_of(key_b)
            sides = []
            for me, ns, key, port, psk, peer, peer_addr, peer_port, mine, theirs in (
                    ("a", self.pair.a, key_a, self.port_a, self.psk_a, self.public_b, self.pair.address_b,
                     self.port_b, self.tunnel_a, self.tunnel_b),
                    ("b", self.pair.b, key_b, self.port_b, self.psk_b, self.public_a, None, None,
                     self.tunnel_b, self.tunnel_a)):
                pair_of = []
                for k in (0, 1):
                    interface = WireGuardInterface(f"qv{tag}w{me}{k}", netns=ns)
                    self.interfaces.append(interface)
                    interface.create()
                    interface.set_private_key(key)
                    interface.set_listen_port(port + 2 * k)
                    interface.set_peer(peer, allowed_ips=[f"{theirs}/32"], preshared_key=psk,
                                       endpoint=f"{peer_addr}:{peer_port + 2 * k}" if peer_addr else None)
                    interface.add_address(f"{mine}/{self.prefix}", prefix_route=False)
                    interface.loose_reverse_path()
                    interface.up()
                    pair_of.append(interface)
                side = TunnelSide(pair_of, peer, [f"{theirs}/32"], initiate=me == "a")
                side.activate(0)
                sides.append(side)
            self.side_a, self.side_b = sides
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for interface in self.interfaces:
            interface.close()
        self.pair.close()

    def rotate(self, psk: bytes, timeout: float = 2.0) -> tuple[float, bool]:
        """A new PSK on both sides, make before break; (seconds, handshake confirmed)."""
        from .rotation import rotate_pair

        return rotate_pair(psk, responder=self.side_b, initiator=self.side_a, timeout=timeout)
