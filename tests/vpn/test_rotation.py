"""qlib.vpn.rotation: a new preshared key every period, and not one ping lost.

The key source in these tests is ``os.urandom(32)`` (directly, or through
:class:`SharedFileKeySource`, which draws from it): a real source of keys, the
stand-in for the TLS 1.3 key service. The namespace tests need root and the
WireGuard tools (they skip saying so; they fail instead when ``CI`` is set).
"""

from __future__ import annotations

import os
import stat
import time

import pytest
from _vpnbench import netns_ready  # noqa: F401  (the fixture)

from qlib.vpn.netns import TunnelBench, ping
from qlib.vpn.rotation import KeySourceTimeout, PSKRotator, SharedFileKeySource, install_psk
from qlib.vpn.wireguard import WireGuardError

PEER = "A" * 43 + "="


# ------------------------------------------------------------------ no root
def test_the_shared_file_carries_each_key_from_writer_to_reader(tmp_path):
    path = tmp_path / "psk"
    writer, reader = SharedFileKeySource(path, "writer"), SharedFileKeySource(path, "reader", timeout=0.2)
    keys = []
    for _ in range(3):
        key = writer.next_psk()
        writer.publish()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert reader.next_psk() == key
        keys.append(key)
    assert len(set(keys)) == 3 and all(len(k) == 32 for k in keys)
    with pytest.raises(KeySourceTimeout, match=r"no new key in .* within 0\.2 s \(last sequence 3\)"):
        reader.next_psk()  # a key is handed out once: the reader waits for the next one


def test_a_restarted_writers_keys_are_new_to_the_reader(tmp_path):
    path = tmp_path / "psk"
    reader = SharedFileKeySource(path, "reader", timeout=0.2)
    first = SharedFileKeySource(path, "writer")
    key = first.next_psk()
    first.publish()
    assert reader.next_psk() == key
    again = SharedFileKeySource(path, "writer")  # the server restarted: sequence 1 again
    key = again.next_psk()
    again.publish()
    assert reader.next_psk() == key


def test_a_key_not_yet_published_is_not_visible(tmp_path):
    path = tmp_path / "psk"
    writer, reader = SharedFileKeySource(path, "writer"), SharedFileKeySource(path, "reader", timeout=0.1)
    writer.next_psk()  # drawn, not installed yet: not published
    with pytest.raises(KeySourceTimeout):
        reader.next_psk()
    with pytest.raises(ValueError, match="publish is the writer's"):
        reader.publish()


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "psk"
    path.write_text(f"{'0' * 16} 1 {'ab' * 32}\n")
    os.chmod(path, 0o644)
    with pytest.raises(PermissionError, match=r"must be mode 0600 .* got mode 644"):
        SharedFileKeySource(path, "reader", timeout=0.1).next_psk()


@pytest.mark.parametrize("content", ["1 xyz", f"one {'ab' * 32}", f"{'0' * 16} 1 {'zz' * 32}", "",
                                     f"{'0' * 16} 1 {'ab' * 31}", f"1 {'ab' * 32}", f"{'0' * 16} x {'ab' * 32}"])
def test_a_malformed_key_file_is_refused(tmp_path, content):
    path = tmp_path / "psk"
    path.write_text(content)
    os.chmod(path, 0o600)
    with pytest.raises(ValueError, match=r"key file .* (must hold|holds a key that is not hex)"):
        SharedFileKeySource(path, "reader", timeout=0.1).next_psk()


def test_a_symlinked_key_file_is_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text(f"{'0' * 16} 1 {'ab' * 32}\n")
    os.chmod(target, 0o600)
    (tmp_path / "psk").symlink_to(target)
    with pytest.raises(OSError):
        SharedFileKeySource(tmp_path / "psk", "reader", timeout=0.1).next_psk()


def test_bad_arguments_name_the_parameter(tmp_path):
    with pytest.raises(ValueError, match=r"role must be 'writer' or 'reader', got 'both'"):
        SharedFileKeySource(tmp_path / "psk", "both")
    with pytest.raises(ValueError, match=r"timeout must be a positive number of seconds, got 0"):
        SharedFileKeySource(tmp_path / "psk", "reader", timeout=0)
    with pytest.raises(ValueError, match=r"period must be a positive number of seconds or None, got -1"):
        PSKRotator(None, os.urandom, period=-1)
    with pytest.raises(TypeError, match=r"next_psk must be callable, got bytes"):
        PSKRotator(None, b"key", period=1)
    with pytest.raises(TypeError, match=r"side must be a TunnelSide, got NoneType"):
        PSKRotator(None, os.urandom, period=1)
    with pytest.raises(ValueError, match=r"psk must be 32 bytes, got 16 bytes"):
        install_psk(None, PEER, bytes(16), initiate=True)
    with pytest.raises(ValueError, match=r"retry must be a positive number of seconds, got 0"):
        install_psk(None, PEER, bytes(32), initiate=True, retry=0)


# ------------------------------------------------------------------ the tunnel
def test_rotating_at_10_pings_per_second_loses_no_ping(netns_ready):
    with TunnelBench(os.urandom(32)) as bench:
        assert ping(bench.pair, "a", bench.tunnel_b, count=1).received == 1
        result = ping(bench.pair, "a", bench.tunnel_b, count=40, interval=0.1, background=True)
        rotations = []
        for _ in range(10):
            time.sleep(0.3)
            rotations.append(bench.rotate(os.urandom(32)))
        pings = result()
        assert all(confirmed for _, confirmed in rotations), rotations
        assert (pings.transmitted, pings.received) == (40, 40), pings.output


def test_a_key_the_peer_does_not_hold_completes_no_handshake_and_moves_nothing(netns_ready):
    with TunnelBench(os.urandom(32)) as bench:
        assert bench.rotate(os.urandom(32))[1]  # the same new key on both sides: confirmed
        routed = (bench.a.name, bench.b.name)
        bench.side_b.prepare(os.urandom(32))
        seconds, confirmed = bench.side_a.prepare(os.urandom(32), timeout=0.5)  # another key
        assert not confirmed and seconds >= 0.5
        assert bench.side_a.standby.peer_status(bench.public_b).latest_handshake == 0
        assert not bench.side_b.peer_confirmed()
        # nothing switched, and the tunnel still carries traffic on the key it had
        assert (bench.a.name, bench.b.name) == routed
        assert ping(bench.pair, "a", bench.tunnel_b, count=3, interval=0.05).received == 3


def test_a_key_the_responder_installs_late_is_still_confirmed(netns_ready):
    """The initiator starts a new handshake every ``retry`` s: a responder 0.4 s late
    is caught up with well before WireGuard's own 5 s retry."""
    import threading

    with TunnelBench(os.urandom(32)) as bench:
        psk = os.urandom(32)
        late = threading.Timer(0.4, lambda: bench.side_b.prepare(psk))
        late.start()
        seconds, confirmed = bench.side_a.prepare(psk, timeout=3.0)
        late.join()
        assert confirmed and 0.4 <= seconds < 1.5
        assert bench.side_b.wait_confirmed(1.0)


def test_a_single_interface_with_another_key_gets_nothing_through(netns_ready):
    with TunnelBench(os.urandom(32)) as bench:
        install_psk(bench.b, bench.public_a, os.urandom(32), initiate=False)
        seconds, confirmed = install_psk(bench.a, bench.public_b, os.urandom(32), initiate=True, timeout=0.5)
        assert not confirmed and seconds >= 0.5
        assert bench.a.peer_status(bench.public_b).latest_handshake == 0
        assert ping(bench.pair, "a", bench.tunnel_b, count=2, interval=0.1, wait=0.5).received == 0


def test_two_rotators_follow_the_writers_period_through_the_shared_file(netns_ready, tmp_path):
    """The server side (writer) installs, then publishes; the client side (reader)
    fetches and starts the handshake: the order of the module docstring."""
    path = tmp_path / "psk"
    writer, reader = SharedFileKeySource(path, "writer"), SharedFileKeySource(path, "reader", timeout=5)
    with TunnelBench(os.urandom(32)) as bench:
        server = PSKRotator(bench.side_b, writer.next_psk, period=0.25, published=writer.publish)
        client = PSKRotator(bench.side_a, reader.next_psk, period=None)
        assert server.rotate_now() is None  # installed and published; switches once the client comes
        first = client.rotate_now()
        assert first.handshake_confirmed and client.key_age < 1
        assert bench.side_b.wait_confirmed(1.0) and server.poll().index == 1
        result = ping(bench.pair, "a", bench.tunnel_b, count=20, interval=0.1, background=True)
        with server, client:
            time.sleep(1.6)
        pings = result()
        assert server.error is None and client.error is None
        assert len(client.records) >= 5, client.records  # the first and >= 4 periods of 0.25 s
        assert all(r.handshake_confirmed for r in client.records)
        assert len(server.records) >= len(client.records) - 1
        assert [r.index for r in client.records] == list(range(1, len(client.records) + 1))
        assert pings.received == pings.transmitted == 20, pings.output


def test_a_rotator_that_cannot_confirm_keeps_the_error(netns_ready):
    with TunnelBench(os.urandom(32)) as bench:
        rotator = PSKRotator(bench.side_a, lambda: os.urandom(32), period=0.05,
                             handshake_timeout=0.3)  # b never gets these keys
        with rotator:
            time.sleep(0.6)
        assert isinstance(rotator.error, WireGuardError)
        assert "the peer holds another key" in str(rotator.error)
        assert rotator.records == []
        assert ping(bench.pair, "a", bench.tunnel_b, count=2, interval=0.05).received == 2  # the old key still works


def test_a_file_planted_where_the_writer_writes_is_not_reused(tmp_path):
    path = tmp_path / "psk"
    planted = tmp_path / f".psk.{os.getpid()}"
    planted.write_text("planted")
    os.chmod(planted, 0o666)
    writer = SharedFileKeySource(path, "writer")
    key = writer.next_psk()
    writer.publish()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == f"{writer.epoch} 1 {key.hex()}\n"
    assert not planted.exists()


def test_pushed_keys_are_the_responders_and_fetched_keys_the_initiators():
    from qlib.vpn.rotation import TunnelSide
    from qlib.vpn.wireguard import WireGuardInterface

    pair = [WireGuardInterface("qvunit0"), WireGuardInterface("qvunit0b")]  # never created: no root needed
    initiator = TunnelSide(pair, PEER, ["10.99.0.1/32"], initiate=True)
    with pytest.raises(ValueError, match=r"next_psk=None \(keys pushed with offer\) is for the responder"):
        PSKRotator(initiator, None, period=1)
    with pytest.raises(ValueError, match="offer is the responder's"):
        PSKRotator(initiator, os.urandom, period=1).offer(bytes(32))
    responder = PSKRotator(TunnelSide(pair, PEER, ["10.99.0.2/32"], initiate=False), None, period=None)
    with pytest.raises(ValueError, match="this rotator has no next_psk"):
        responder.rotate_now()
    with pytest.raises(ValueError, match=r"psk must be 32 bytes, got 31 bytes"):
        responder.offer(bytes(31))
    with pytest.raises(ValueError, match=r"retry must be a positive number of seconds, got 0"):
        PSKRotator(initiator, os.urandom, period=1, retry=0)


def test_a_key_pushed_to_the_responder_and_a_failing_key_source_on_the_initiator(netns_ready):
    """The TLS key service's order with the rotators alone: the responder gets the key by
    offer() (its key service's on_key), the initiator by next_psk; then a key source that
    fails is reported to on_error, retried, and the tunnel keeps the key it has."""
    keys, errors = [], []

    def next_psk():
        if len(keys) >= 1:
            raise ConnectionRefusedError("the key service is down")
        keys.append(os.urandom(32))
        server.offer(keys[-1])  # what PSKServer's on_key does before the client hears of the key
        return keys[-1]

    with TunnelBench(os.urandom(32)) as bench:
        server = PSKRotator(bench.side_b, None, period=None)
        client = PSKRotator(bench.side_a, next_psk, period=0.2, on_error=errors.append, retry=0.1)
        assert client.attempt() and client.records[0].handshake_confirmed
        with server, client:
            deadline = time.monotonic() + 2.0
            while not server.records and time.monotonic() < deadline:  # the server switches to the key
                time.sleep(0.01)
            result = ping(bench.pair, "a", bench.tunnel_b, count=10, interval=0.1, background=True)
            time.sleep(1.0)
            pings = result()
        assert server.error is None and client.error is None
        assert len(server.records) == 1 and len(client.records) == 1  # no new key went in
        assert len(errors) >= 3 and all(isinstance(e, ConnectionRefusedError) for e in errors)
        assert pings.received == pings.transmitted == 10, pings.output  # the old key carries the tunnel
