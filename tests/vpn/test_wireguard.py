"""qlib.vpn.wireguard: a real wireguard-go tunnel between two namespaces.

Sizes of WireGuard's messages, from the protocol's paper (J. A. Donenfeld,
"WireGuard: Next Generation Kernel Network Tunnel", NDSS 2017, section 5.4):
a handshake initiation is 148 bytes, a response 92 bytes, a data message
16 bytes of header + the padded payload + a 16-byte tag (32 bytes for a keepalive).

The namespace tests need root and the WireGuard tools (they skip saying so;
they fail instead when ``CI`` is set).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from _vpnbench import netns_ready  # noqa: F401  (the fixture)

from qlib.vpn import wireguard
from qlib.vpn.netns import NamespacePair, TunnelBench, ping
from qlib.vpn.wireguard import (
    RUN_DIR,
    WireGuardError,
    WireGuardInterface,
    check_preshared_key,
    check_public_key,
    parse_dump,
)

INITIATION_BYTES, RESPONSE_BYTES = 148, 92  # Donenfeld 2017, section 5.4


# ------------------------------------------------------------------ no root
def test_keys_are_checked_with_the_parameter_named():
    with pytest.raises(TypeError, match=r"key must be bytes \(32 of them\), got str"):
        check_preshared_key("00" * 32)
    with pytest.raises(ValueError, match=r"psk must be 32 bytes, got 31 bytes"):
        check_preshared_key(bytes(31), "psk")
    with pytest.raises(ValueError, match=r"peer must be 32 bytes in base64"):
        check_public_key("A" * 42 + "==", "peer")  # 31 bytes
    with pytest.raises(TypeError, match=r"public_key must be a base64 str"):
        check_public_key(b"A" * 44)


@pytest.mark.parametrize("name", ["", "wg0/../x", "sixteen-chars-xx", "wg 0", "wg0\n"])
def test_a_bad_interface_name_is_refused_before_anything_runs(name):
    with pytest.raises(ValueError, match=r"name must be 1 to 15 characters of \[a-zA-Z0-9_=\+\.-\]"):
        WireGuardInterface(name)


def test_a_dump_that_is_not_wgs_is_an_error():
    with pytest.raises(wireguard.WireGuardError, match="unexpected output of wg show dump"):
        parse_dump("garbage")


# ------------------------------------------------------------------ the tunnel
def test_a_ping_crosses_the_tunnel_and_the_counters_show_it(netns_ready):
    with TunnelBench(os.urandom(32)) as bench:
        result = ping(bench.pair, "a", bench.tunnel_b, count=3, interval=0.05)
        assert (result.transmitted, result.received) == (3, 3)
        a, b = bench.a.peer_status(bench.public_b), bench.b.peer_status(bench.public_a)
        assert a.latest_handshake > 0 and b.latest_handshake > 0
        # the control socket's nanosecond time is the same handshake as wg show's seconds
        assert int(bench.a.handshake_time(bench.public_b)) == a.latest_handshake
        with pytest.raises(KeyError, match="is not a peer of"):
            bench.a.handshake_time(bench.public_a)
        assert a.has_preshared_key and b.has_preshared_key
        # three 84-byte echo requests, padded to 96, each in a 16 + 96 + 16 = 128-byte data message,
        # plus the 148-byte initiation: what a sent is at least that
        assert a.tx_bytes >= INITIATION_BYTES + 3 * 128
        assert b.endpoint == f"{bench.pair.address_a}:{bench.port_a}"  # learned from a's handshake
        # the tunnel address answers only through the tunnel: not on the veth link
        assert bench.pair.run("a", ["ip", "route", "get", bench.tunnel_b]).stdout.decode().split()[2] == bench.a.name
        # and nothing of it is in the root namespace: the traffic stays inside the two namespaces
        root_links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
        assert f"qv{bench.pair.tag}" not in root_links


def test_a_peer_with_another_psk_gets_nothing_through(netns_ready):
    with TunnelBench(os.urandom(32), os.urandom(32)) as bench:
        result = ping(bench.pair, "a", bench.tunnel_b, count=3, interval=0.2, wait=1)
        assert result.received == 0
        a, b = bench.a.peer_status(bench.public_b), bench.b.peer_status(bench.public_a)
        # no handshake completed on either side
        assert a.latest_handshake == 0 and b.latest_handshake == 0
        assert bench.a.handshake_time(bench.public_b) == 0.0
        # a sent initiations only and accepted nothing (b's responses fail the PSK's MAC);
        # b received initiations only: not one data message got through
        assert a.tx_bytes > 0 and a.tx_bytes % INITIATION_BYTES == 0
        assert a.rx_bytes == 0
        assert b.rx_bytes % INITIATION_BYTES == 0
        assert b.tx_bytes % RESPONSE_BYTES == 0


def test_keys_never_appear_on_a_command_line(netns_ready, monkeypatch):
    seen = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def run(args, *a, **k):
        seen.append(" ".join(map(str, args)))
        return real_run(args, *a, **k)

    class Popen(real_popen):
        def __init__(self, args, *a, **k):
            seen.append(" ".join(map(str, args)))
            super().__init__(args, *a, **k)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(subprocess, "Popen", Popen)
    psk = os.urandom(32)
    private = wireguard.generate_private_key()
    with TunnelBench(psk) as bench:
        bench.a.set_private_key(private)  # a chosen key, also through a file
        bench.rotate(os.urandom(32))
        keys = [psk.hex(), __import__("base64").b64encode(psk).decode(), private]
    assert seen and any("preshared-key" in line for line in seen)
    assert not [line for line in seen for key in keys if key in line]
    # and the key files were removed: the interfaces' private folders are gone
    assert bench.a._keydir is None and bench.b._keydir is None


def test_closing_removes_the_interface_process_and_socket(netns_ready):
    with NamespacePair() as pair:
        interface = WireGuardInterface(f"qv{pair.tag}w0", netns=pair.a)
        with interface:
            assert interface.socket.exists() and interface.running
            process = interface._process
            assert pair.run("a", ["ip", "link", "show", interface.name]).returncode == 0
        assert process.poll() is not None
        assert not interface.socket.exists()
        assert pair.run("a", ["ip", "link", "show", interface.name], check=False).returncode != 0


def test_a_failing_step_still_tears_everything_down(netns_ready):
    with pytest.raises(WireGuardError, match=r"ip .*address add not-an-address"):
        with TunnelBench(os.urandom(32)) as bench:
            names = [interface.name for interface in bench.interfaces]
            bench.a.add_address("not-an-address")
    assert len(names) == 4
    assert not [n for n in names if (RUN_DIR / f"{n}.sock").exists()]
    assert not any(bench.pair.exists().values())


def test_a_name_already_in_use_is_refused(netns_ready):
    with NamespacePair() as pair:
        with WireGuardInterface(f"qv{pair.tag}w0", netns=pair.a) as first:
            with pytest.raises(WireGuardError, match=r"an interface named .* already exists"):
                WireGuardInterface(first.name, netns=pair.b).create()
            assert first.running and first.socket.exists()  # the refusal did not touch the first


# ------------------------------------------------------------- attacks on the wire
# A UDP relay in namespace b between a and b's WireGuard port: it forwards both
# ways, keeps a's data messages, and on command re-sends them unchanged (replay) or
# with one ciphertext bit flipped (tamper), from the same address as the real ones.
_RELAY = r"""
import select, socket, sys
listen, target = (sys.argv[1], int(sys.argv[2])), ("127.0.0.1", int(sys.argv[3]))
outer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); outer.bind(listen)
inner = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); inner.bind(("127.0.0.1", 0))
client, kept = None, []
print("ready", flush=True)
while True:
    ready, _, _ = select.select([outer, inner, sys.stdin], [], [])
    if outer in ready:
        data, client = outer.recvfrom(65535)
        if data[0] in (1, 4) and len(data) != 32:  # initiations and data messages, not keepalives
            kept.append(data)
        inner.sendto(data, target)
    if inner in ready:
        data, _ = inner.recvfrom(65535)
        if client:
            outer.sendto(data, client)
    if sys.stdin in ready:
        command = sys.stdin.readline().strip()
        if command == "replay":
            for data in kept:
                for _ in range(5):
                    inner.sendto(data, target)
        elif command == "tamper":
            for data in kept:
                if data[0] == 4:
                    bad = bytearray(data); bad[20] ^= 1; inner.sendto(bytes(bad), target)
                    bad = bytearray(data); bad[-1] ^= 0x80; inner.sendto(bytes(bad), target)
        elif command == "quit":
            break
        print(f"done {command} {len(kept)}", flush=True)
"""

# in namespace b: print every datagram that reaches the tunnel address's port
_LISTENER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2])))
print("ready", flush=True)
while True:
    data, _ = s.recvfrom(65535)
    print(data.decode(), flush=True)
"""

_SEND = ("import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
         ".sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))")

_GARBAGE = r"""
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for kind in (1, 2, 3, 4):
    for size in (4, 32, 92, 148, 200, 1400):
        s.sendto(bytes([kind, 0, 0, 0]) + os.urandom(size - 4), (sys.argv[1], int(sys.argv[2])))
"""


def _command(process, text):
    process.stdin.write(text + "\n")
    process.stdin.flush()
    return process.stdout.readline().strip()


def test_replayed_and_tampered_packets_are_dropped(netns_ready):
    relay_port, app_port = 51999, 9999
    with TunnelBench(os.urandom(32)) as bench:
        pair = bench.pair
        relay = pair.popen("b", [sys.executable, "-c", _RELAY, pair.address_b, relay_port, bench.port_b],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert relay.stdout.readline().strip() == "ready"
        # a now reaches b through the relay
        bench.a.set_peer(bench.public_b, allowed_ips=[f"{bench.tunnel_b}/32"],
                         endpoint=f"{pair.address_b}:{relay_port}")
        listener = pair.popen("b", [sys.executable, "-c", _LISTENER, bench.tunnel_b, app_port],
                              stdout=subprocess.PIPE, text=True)
        assert listener.stdout.readline().strip() == "ready"
        pair.run("a", [sys.executable, "-c", _SEND, bench.tunnel_b, app_port, "transfer-1"])
        assert listener.stdout.readline().strip() == "transfer-1"  # the real one arrives
        before = bench.b.peer_status(bench.public_a)

        replayed = _command(relay, "replay").split()  # the initiation and the data message, 5 times each
        assert replayed[:2] == ["done", "replay"] and int(replayed[2]) >= 2  # it kept both to replay
        assert _command(relay, "tamper").startswith("done tamper")
        time.sleep(0.5)
        after = bench.b.peer_status(bench.public_a)
        # WireGuard counts received bytes only after the message's tag and its counter
        # (the replay window) pass: nothing of the replayed or tampered copies counted
        assert after.rx_bytes == before.rx_bytes
        assert after.latest_handshake == before.latest_handshake  # the replayed initiation started nothing

        # and nothing reached the application: the next line is the next real datagram
        pair.run("a", [sys.executable, "-c", _SEND, bench.tunnel_b, app_port, "transfer-2"])
        assert listener.stdout.readline().strip() == "transfer-2"
        assert ping(pair, "a", bench.tunnel_b, count=2, interval=0.05).received == 2
        _command(relay, "quit")


def test_garbage_datagrams_to_the_listen_port_change_nothing(netns_ready):
    with TunnelBench(os.urandom(32)) as bench:
        pair = bench.pair
        assert ping(pair, "a", bench.tunnel_b, count=1).received == 1
        before = bench.b.peer_status(bench.public_a)
        pair.run("a", [sys.executable, "-c", _GARBAGE, pair.address_b, bench.port_b])
        time.sleep(0.3)
        after = bench.b.peer_status(bench.public_a)
        assert after.rx_bytes == before.rx_bytes
        assert after.endpoint == before.endpoint  # no forged packet moved the peer's endpoint
        assert ping(pair, "a", bench.tunnel_b, count=3, interval=0.05).received == 3
