"""One side of the VPN: ``python -m qlib.vpn server|client --config F --psk-source S``.

Brings up the side's two WireGuard interfaces (``wireguard-go``; see
:class:`qlib.vpn.rotation.TunnelSide`) from the TOML configuration
(:mod:`qlib.vpn.config`), puts the first preshared key in place (nothing is
routed into the tunnel before), rotates it from the key source, and tears the
interfaces down on SIGINT, SIGTERM or any error.
SIGUSR1 asks for a rotation now. It prints one JSON object a line (``up``,
``rotated``, ``down``, ``error``) so a harness can follow it.

Key sources (``--psk-source``):

``tls``
    The post-quantum TLS 1.3 key service (:mod:`qlib.vpn.key_service`,
    configured by the ``[key_service]`` table). The server runs the key service
    on ``key_service.address``; each key a client obtains goes to the server's
    standby interface before the client is told it is ready. The client requests
    the key of each period (hybrid X25519MLKEM768 handshake, ML-DSA-65
    certificates, the key from the TLS exporter) and starts the WireGuard
    handshake with it. Events: ``key`` (client) and ``key_issued`` (server) with
    the group, signature algorithm and handshake bytes, never the key;
    ``key_failed`` (client) and ``key_refused`` (server) when no key came: the
    tunnel keeps its old key, or before the first one routes nothing, and the
    client tries again. SIGUSR1 to the client asks for a rotation now; SIGHUP to
    the server reads the CRL file again. A restarted server holds no key until
    the client's next request (a key exists only as the exporter of a TLS
    session), so the tunnel resumes within one ``rotation_period``.

``shared-file:PATH``
    :class:`qlib.vpn.rotation.SharedFileKeySource`: the server draws each key
    from ``os.urandom``, installs it, then writes it to PATH (mode 0600); the
    client waits for each new key there and starts the handshake with it. Only
    for two namespaces of one machine (tests of the rotation without TLS).
    SIGUSR1 to the server asks for a rotation now.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from .config import ConfigError, VPNConfig, load_config
from .key_service import TLSKeyClient, TLSKeyServer, read_secret_file
from .rotation import PSKRotator, SharedFileKeySource, TunnelSide
from .wireguard import WireGuardError, WireGuardInterface


_OUTPUT = threading.RLock()  # events come from the main thread, the rotator's and the key service's


def _emit(event: str, **fields) -> None:
    line = json.dumps({"event": event, "time": time.time(), **fields}) + "\n"
    with _OUTPUT:
        sys.stdout.write(line)
        sys.stdout.flush()


def _shifted(endpoint: str | None, k: int) -> str | None:
    """The endpoint of the peer's interface ``k`` (its port + k)."""
    if endpoint is None:
        return None
    host, _, port = endpoint.rpartition(":")
    return f"{host}:{int(port) + k}"


def _key_source(spec: str, role: str, period: float):
    """Check ``--psk-source``; a :class:`SharedFileKeySource`, or ``"tls"``."""
    if spec == "tls":
        return "tls"
    kind, sep, rest = spec.partition(":")
    if kind == "shared-file" and sep and rest:
        # a client waits for the server's next key: one period and some slack
        return SharedFileKeySource(rest, "writer" if role == "server" else "reader", timeout=2 * period + 10)
    raise ValueError(f"--psk-source must be 'tls' or 'shared-file:PATH', got {spec!r}")


def _reload_crl(server: TLSKeyServer) -> None:
    try:
        server.reload_crl()
    except (OSError, ValueError) as exc:  # the old CRL stays in force
        _emit("crl_not_reloaded", message=str(exc), type=type(exc).__name__)
    else:
        _emit("crl_reloaded", crl_file=str(server.config.crl_file))


def _failed(exc: BaseException) -> None:
    _emit("key_failed", message=str(exc), type=type(exc).__name__)


def run(role: str, config: VPNConfig, psk_source: str, *, stop: threading.Event | None = None,
        started: threading.Event | None = None, waiting: threading.Event | None = None) -> int:
    """Bring the side up, rotate until ``stop`` is set or an error, tear down; exit status.

    ``started`` is set once the first key is in place; ``waiting`` while the
    start-up waits for it (a signal then interrupts the start-up with
    ``KeyboardInterrupt``, see :func:`main`; one that comes while the interfaces
    are made only sets ``stop``, so no ``wireguard-go`` is left half-started).
    """
    stop = stop or threading.Event()
    started = started or threading.Event()
    waiting = waiting or threading.Event()
    peer = config.peer.public_key
    names = (config.interface.name, config.interface.name + "b")
    interfaces = [WireGuardInterface(name) for name in names]
    rotator = source = None
    status = 0
    try:
        source = _key_source(psk_source, role, config.key_service.rotation_period)
        # owner-only, not a link, checked on the open file (as every secret file of the VPN)
        private_key = read_secret_file(config.interface.private_key_file, "interface.private_key_file").strip()
        for k, interface in enumerate(interfaces):
            interface.create()
            public = interface.set_private_key(private_key)
            if config.interface.listen_port is not None:
                interface.set_listen_port(config.interface.listen_port + k)
            # until the key source's key arrives, a random PSK nobody holds: no handshake
            # without a key from the key source is ever possible (X25519 alone is not enough)
            interface.set_peer(peer, allowed_ips=config.peer.allowed_ips,
                               endpoint=_shifted(config.peer.endpoint, k),
                               persistent_keepalive=config.peer.persistent_keepalive,
                               preshared_key=os.urandom(32))
            for address in config.interface.addresses:
                interface.add_address(address, prefix_route=False)
            interface.loose_reverse_path()
            interface.up()
        # nothing is routed into the tunnel until the first key is in place
        side = TunnelSide(interfaces, peer, config.peer.allowed_ips, initiate=role == "client")

        def rotated(record):
            _emit("rotated", index=record.index, seconds=record.seconds, confirmed=record.handshake_confirmed,
                  interface=side.active.name)

        period = config.key_service.rotation_period
        waiting.set()  # from here a signal interrupts the wait for the first key
        if stop.is_set():
            raise KeyboardInterrupt
        if source == "tls" and role == "server":
            rotator = PSKRotator(side, None, period=None, on_rotate=rotated)
            source = TLSKeyServer(config.key_service, rotator.offer,
                                  on_key=lambda facts: _emit("key_issued", **facts))
            signal.signal(signal.SIGHUP, lambda *_: _reload_crl(source))
        elif source == "tls":
            source = TLSKeyClient(config.key_service, on_key=lambda facts: _emit("key", **facts))
            rotator = PSKRotator(side, source.next_psk, period=period, on_rotate=rotated, on_error=_failed,
                                 retry=min(period, 1.0))
            # the first key: until one comes, nothing is routed into the tunnel
            while not rotator.attempt():
                if stop.wait(rotator.retry):
                    raise KeyboardInterrupt
        elif role == "server":
            rotator = PSKRotator(side, source.next_psk, period=period, published=source.publish,
                                 on_rotate=rotated)
            rotator.rotate_now()  # the first key, installed and published
        else:
            rotator = PSKRotator(side, source.next_psk, period=None, on_rotate=rotated)
            rotator.rotate_now()  # the first key: the client handshakes with it
        # before "up": a harness may ask for a rotation as soon as it reads it
        signal.signal(signal.SIGUSR1, lambda *_: rotator.request())
        _emit("up", role=role, interfaces=list(names), public_key=public,
              addresses=list(config.interface.addresses))
        rotator.start()
        started.set()
        while not stop.wait(0.05):
            if isinstance(source, TLSKeyServer):
                for kind, message in source.refusals():
                    _emit("key_refused", kind=kind, message=message)
            if rotator.error is not None:
                raise rotator.error
            if not all(interface.running for interface in interfaces):
                raise WireGuardError(f"wireguard-go of {names} exited")
    except Exception as exc:  # the command's top level: say what failed, then tear down
        _emit("error", message=str(exc), type=type(exc).__name__)
        status = 1
    except KeyboardInterrupt:  # SIGINT/SIGTERM during start-up
        _emit("stopped", message="signal during start-up")
    finally:
        if rotator is not None:
            rotator.stop(timeout=0.5)
        if isinstance(source, TLSKeyServer):
            source.close()
        for interface in interfaces:
            interface.close()
        if role == "server" and isinstance(source, SharedFileKeySource):
            source.path.unlink(missing_ok=True)
        _emit("down", role=role, interfaces=list(names),
              rotations=len(rotator.records) if rotator is not None else 0)
    return status


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qlib.vpn", description=__doc__.split("\n\n")[0])
    parser.add_argument("role", choices=("server", "client"))
    parser.add_argument("--config", required=True, type=Path, help="the side's TOML configuration")
    parser.add_argument("--psk-source", required=True,
                        help="where the preshared keys come from: tls (the [key_service] table) or shared-file:PATH")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, args.role)
        _key_source(args.psk_source, args.role, config.key_service.rotation_period)
    except (ConfigError, ValueError) as exc:
        _emit("error", message=str(exc), type=type(exc).__name__)
        return 2
    stop, started, waiting = threading.Event(), threading.Event(), threading.Event()

    def on_signal(*_):
        stop.set()
        if waiting.is_set() and not started.is_set():  # waiting for the first key: interrupt it
            raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    return run(args.role, config, args.psk_source, stop=stop, started=started, waiting=waiting)


if __name__ == "__main__":
    sys.exit(main())
