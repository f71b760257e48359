"""The VPN demo (``make vpn-demo``, root): two namespaces, the tunnel, a rotation.

``python -m qlib.vpn.demo [--megabytes 10]`` creates two network namespaces
joined by a veth link, runs ``python -m qlib.vpn server`` in one and ``client``
in the other (each from its own TOML file, keys in 0600 files), pings through the
tunnel, sends the same TCP transfer over the bare veth link and through the
tunnel, asks the server for a key rotation (SIGUSR1) while the tunnel transfer
runs, prints key age, time to rotate and both throughputs, and removes every
namespace, interface and file it made, even on failure. Traffic stays inside the
two namespaces.

The key source is the post-quantum TLS 1.3 key service (``--psk-source tls``,
:mod:`qlib.vpn.key_service`): an ML-DSA-65 CA, the server's and the client's
certificates, its CRL and an scrypt password file are made with
:mod:`qlib.crypto.pq_ca` and :mod:`qlib.crypto.pq_passwords` in a private
temporary folder (:func:`write_key_service_files`); the demo prints the
negotiated TLS group, signature algorithm and handshake bytes each way.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from qlib.crypto.pq_ca import CertificateAuthority
from qlib.crypto.pq_passwords import PasswordFile

from .netns import NamespacePair, missing_requirements, ping, tcp_transfer
from .wireguard import generate_private_key, public_key_of

__all__ = ["run_demo", "DemoError", "write_key_service_files"]

SERVER_NAME = "vpn.qlib.example"
USERNAME = "alice"

TUNNEL_SERVER, TUNNEL_CLIENT = "10.99.0.1", "10.99.0.2"
LISTEN_PORT = 51820


class DemoError(RuntimeError):
    """A step of the demo failed; everything it made has been removed."""


class _Side:
    """A ``python -m qlib.vpn`` process and the JSON events it prints."""

    def __init__(self, pair: NamespacePair, ns: str, role: str, config: Path, psk_source="tls", *,
                 command=None):
        # psk_source: "tls", or the path of a shared key file
        self.role = role
        spec = psk_source if psk_source == "tls" else f"shared-file:{psk_source}"
        command = command or [sys.executable, "-m", "qlib.vpn"]
        self.process = pair.popen(ns, [*command, role, "--config", config, "--psk-source", spec],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.events: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                self.events.put(json.loads(line))
            except json.JSONDecodeError:
                self.events.put({"event": "output", "line": line.rstrip()})
        self.events.put({"event": "exit"})

    def wait_for(self, event: str, timeout: float = 20.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                item = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise DemoError(f"the {self.role} did not report {event!r} within {timeout} s") from None
            self.seen.append(item)
            if item["event"] == event and all(item.get(k) == v for k, v in match.items()):
                return item
            if item["event"] in ("error", "exit"):
                stderr = self.process.stderr.read() if item["event"] == "exit" else ""
                raise DemoError(f"the {self.role} stopped: {item.get('message', '')} {stderr}".strip())

    def stop(self) -> dict | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.wait_for("down", timeout=10)
        except DemoError:
            return None


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")


def _config(role: str, name: str, address: str, peer_public: str, peer_allowed: str, *, key_service: str,
            endpoint: str | None = None, listen_port: int | None = None, auth: str = "certificate",
            rotation_period: float = 60) -> str:
    lines = ["[interface]", f'name = "{name}"', f'addresses = ["{address}/24"]', 'private_key_file = "private.key"']
    if listen_port is not None:
        lines.append(f"listen_port = {listen_port}")
    lines += ["", "[peer]", f'public_key = "{peer_public}"', f'allowed_ips = ["{peer_allowed}/32"]']
    if endpoint is not None:
        lines.append(f'endpoint = "{endpoint}"')
    lines += ["", "[key_service]", f'address = "{key_service}"', 'ca_file = "ca.pem"', f'auth = "{auth}"']
    if role == "server":
        lines += ['cert_file = "server.pem"', 'key_file = "server.key"',
                  'crl_file = "crl.pem"' if auth == "certificate" else 'password_db = "passwords"']
    else:
        lines += [f'server_name = "{SERVER_NAME}"']
        lines += (['cert_file = "client.pem"', 'key_file = "client.key"'] if auth == "certificate" else
                  [f'username = "{USERNAME}"', f'password_file = "{USERNAME}.pass"'])
    lines += [f"rotation_period = {rotation_period}", ""]
    return "\n".join(lines)


def write_key_service_files(ca_dir: Path, server_dir: Path, client_dir: Path, *,
                            password: str | None = None) -> CertificateAuthority:
    """Make the key service's files for :func:`_config`'s names; the CA (to revoke with).

    ``ca_dir`` gets the CA (its key stays there); ``server_dir`` the CA's
    certificate, its CRL, the server's certificate for :data:`SERVER_NAME` and key
    and an scrypt password file with :data:`USERNAME`; ``client_dir`` the CA's
    certificate, the client's certificate and key, and the password (0600).
    Without ``password`` a random one is drawn. Every private file is 0600.
    """
    ca = CertificateAuthority("qlib VPN demo CA", valid_days=1)
    files = ca.save(ca_dir)
    for folder in (server_dir, client_dir):
        shutil.copyfile(files["certificate"], folder / "ca.pem")
    ca.save_crl(server_dir / "crl.pem")
    ca.issue_server(SERVER_NAME, valid_days=1).save(server_dir, "server")
    ca.issue_client(USERNAME, valid_days=1).save(client_dir, "client")
    password = password or os.urandom(18).hex()
    passwords = PasswordFile()
    passwords.add(USERNAME, password)
    passwords.save(server_dir / "passwords")
    _write_private(client_dir / f"{USERNAME}.pass", password)
    return ca


def _leftovers(names) -> list[str]:
    """Namespaces and WireGuard sockets of this run that still exist."""
    ns_a, ns_b, tag = names
    found = [n for n in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
             if n in (ns_a, ns_b)]
    run_dir = Path("/var/run/wireguard")
    if run_dir.is_dir():
        found += [str(p) for p in run_dir.iterdir() if p.name.startswith(f"qv{tag}")]
    return found


def _say(text: str) -> None:
    print(text, flush=True)


def run_demo(megabytes: int = 10, *, out=_say) -> dict:
    """Run the demo; the figures it printed, as a dict. Needs root and the tools."""
    if not isinstance(megabytes, int) or isinstance(megabytes, bool) or not 1 <= megabytes <= 1000:
        raise ValueError(f"megabytes must be an int in [1, 1000], got {megabytes!r}")
    reasons = missing_requirements()
    if reasons:
        raise DemoError("the demo cannot run here: " + "; ".join(reasons))
    nbytes = megabytes * 10**6
    workdir = Path(tempfile.mkdtemp(prefix="qvpn-demo-"))  # 0700
    sides: list[_Side] = []
    figures: dict = {}
    try:
        with NamespacePair() as pair:
            tag = pair.tag
            out(f"namespaces {pair.a} (client, {pair.address_a}) and {pair.b} (server, {pair.address_b}), "
                f"veth {pair.veth_a} <-> {pair.veth_b}")
            keys = {role: generate_private_key() for role in ("server", "client")}
            public = {role: public_key_of(key) for role, key in keys.items()}
            for role in keys:
                (workdir / role).mkdir(mode=0o700)
                _write_private(workdir / role / "private.key", keys[role])
            (workdir / "ca").mkdir(mode=0o700)
            write_key_service_files(workdir / "ca", workdir / "server", workdir / "client")
            (workdir / "server" / "server.toml").write_text(_config(
                "server", f"qv{tag}s", TUNNEL_SERVER, public["client"], TUNNEL_CLIENT,
                key_service=f"{pair.address_b}:8443", listen_port=LISTEN_PORT))
            (workdir / "client" / "client.toml").write_text(_config(
                "client", f"qv{tag}c", TUNNEL_CLIENT, public["server"], TUNNEL_SERVER,
                key_service=f"{pair.address_b}:8443", endpoint=f"{pair.address_b}:{LISTEN_PORT}"))
            server = _Side(pair, "b", "server", workdir / "server" / "server.toml", "tls")
            sides.append(server)
            server.wait_for("up")
            client = _Side(pair, "a", "client", workdir / "client" / "client.toml", "tls")
            sides.append(client)
            client.wait_for("up")
            key = next(e for e in client.seen if e["event"] == "key")
            first = next(e for e in client.seen if e["event"] == "rotated")
            out(f"key service {pair.address_b}:8443: TLS 1.3 ({key['cipher']}), group {key['group']}, "
                f"signatures {key['signature_algorithm']}, client certificate; handshake bytes "
                f"{key['handshake_bytes_sent']} sent, {key['handshake_bytes_received']} received "
                f"(by the client), key request {1000 * key['request_seconds']:.1f} ms")
            out(f"tunnel up: {TUNNEL_CLIENT} -> {TUNNEL_SERVER}; first key in place in "
                f"{1000 * first['seconds']:.1f} ms")
            figures.update(group=key["group"], signature_algorithm=key["signature_algorithm"],
                           handshake_bytes=(key["handshake_bytes_sent"], key["handshake_bytes_received"]))

            result = ping(pair, "a", TUNNEL_SERVER, count=5, interval=0.1)
            out(f"ping through the tunnel: {result.received}/{result.transmitted} replies")
            if result.received != result.transmitted:
                raise DemoError(f"pings were lost through the tunnel: {result.output}")
            figures["ping"] = (result.received, result.transmitted)

            bare = tcp_transfer(pair, sender="a", receiver="b", address=pair.address_b, nbytes=nbytes, port=5201)
            out(f"TCP {megabytes} MB over the bare veth link: {bare.megabytes_per_second:.0f} MB/s")

            requested = {}

            def rotate_now():
                requested["at"] = time.time()
                client.process.send_signal(signal.SIGUSR1)  # the client drives: a key request now

            tunnel = tcp_transfer(pair, sender="a", receiver="b", address=TUNNEL_SERVER, nbytes=nbytes,
                                  port=5202, during=rotate_now)
            if tunnel.bytes != nbytes:
                raise DemoError(f"the tunnel transfer delivered {tunnel.bytes} of {nbytes} bytes")
            rotation = client.wait_for("rotated", index=2)
            server_rotation = server.wait_for("rotated", index=2)
            during = "at" in requested and rotation["time"] <= tunnel.ended_at
            out(f"TCP {megabytes} MB through the tunnel: {tunnel.megabytes_per_second:.0f} MB/s "
                f"({tunnel.megabytes_per_second / bare.megabytes_per_second:.0%} of the bare link), "
                f"all {tunnel.bytes} bytes delivered")
            second = [e for e in client.seen if e["event"] == "key"][-1]
            out(f"key rotation {'during' if during else 'after'} the transfer: TLS key request "
                f"{1000 * second['request_seconds']:.1f} ms (period {second['period']}), "
                f"the client's handshake with the "
                f"new key took {1000 * rotation['seconds']:.1f} ms, the server had it in place after "
                f"{1000 * server_rotation['seconds']:.1f} ms (from installing it to routing through it)")
            result = ping(pair, "a", TUNNEL_SERVER, count=3, interval=0.1)
            out(f"ping after the rotation: {result.received}/{result.transmitted} replies; "
                f"key age {time.time() - rotation['time']:.2f} s")
            figures.update(bare_mb_s=bare.megabytes_per_second, tunnel_mb_s=tunnel.megabytes_per_second,
                           rotation_ms=1000 * rotation["seconds"], rotated_during_transfer=during,
                           key_request_ms=1000 * second["request_seconds"],
                           key_age_s=time.time() - rotation["time"], names=(pair.a, pair.b, tag))
            if result.received != result.transmitted:
                raise DemoError(f"pings were lost after the rotation: {result.output}")
            for side in reversed(sides):
                side.stop()
            sides.clear()
    finally:
        for side in reversed(sides):
            side.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    leftovers = _leftovers(figures["names"])
    if leftovers:
        raise DemoError(f"left behind: {leftovers}")
    out("cleaned up: namespaces, veth link, WireGuard interfaces, certificates and key files removed")
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qlib.vpn.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=10, help="size of each TCP transfer (MB)")
    args = parser.parse_args(argv)
    # SIGTERM unwinds like an exception, so every cleanup step runs (SIGINT already does)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        run_demo(args.megabytes)
    except DemoError as exc:
        print(f"vpn-demo failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
