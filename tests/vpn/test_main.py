"""``python -m qlib.vpn server|client``: up from a config, rotate, tear down on a signal or an error.

The namespace tests need root and the WireGuard tools (they skip saying so;
they fail instead when ``CI`` is set).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from _vpnbench import netns_ready  # noqa: F401  (the fixture)

from qlib.vpn.demo import _config, _Side, _write_private
from qlib.vpn.netns import NamespacePair, ping
from qlib.vpn.wireguard import RUN_DIR, WireGuardInterface, generate_private_key, public_key_of

PUBLIC = "A" * 43 + "="


def _vpn(*args, timeout=30):
    return subprocess.run([sys.executable, "-m", "qlib.vpn", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def _events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


# ------------------------------------------------------------------ no root
def test_a_config_error_exits_2_naming_the_field(tmp_path):
    config = tmp_path / "server.toml"
    config.write_text(_config("server", "qvx0", "10.99.0.1", PUBLIC, "10.99.0.2", key_service="10.231.0.2:8443",
                              listen_port=51820).replace("listen_port = 51820", "listen_port = 70000"))
    out = _vpn("server", "--config", config, "--psk-source", f"shared-file:{tmp_path / 'psk'}")
    assert out.returncode == 2
    (event,) = _events(out.stdout)
    assert event["event"] == "error" and event["type"] == "ConfigError"
    assert "interface.listen_port must be an integer in [1, 65534]" in event["message"]
    assert "got 70000" in event["message"]


def test_an_unknown_key_source_is_refused(tmp_path):
    config = tmp_path / "client.toml"
    config.write_text(_config("client", "qvx0", "10.99.0.2", PUBLIC, "10.99.0.1", key_service="10.231.0.2:8443",
                              endpoint="10.231.0.2:51820"))
    out = _vpn("client", "--config", config, "--psk-source", "random")
    assert out.returncode == 2
    assert "--psk-source must be 'tls' or 'shared-file:PATH', got 'random'" in _events(out.stdout)[0]["message"]


# ------------------------------------------------------------------ the tunnel
def _setup(tmp_path, pair):
    keys = {role: generate_private_key() for role in ("server", "client")}
    public = {role: public_key_of(key) for role, key in keys.items()}
    configs = {}
    for role, peer, mine, theirs in (("server", "client", "10.99.0.1", "10.99.0.2"),
                                     ("client", "server", "10.99.0.2", "10.99.0.1")):
        folder = tmp_path / role
        folder.mkdir(mode=0o700)
        _write_private(folder / "private.key", keys[role])
        configs[role] = folder / f"{role}.toml"
        configs[role].write_text(_config(
            role, f"qv{pair.tag}{role[0]}", mine, public[peer], theirs, key_service=f"{pair.address_b}:8443",
            listen_port=51820 if role == "server" else None,
            endpoint=f"{pair.address_b}:51820" if role == "client" else None))
    return configs


def test_server_and_client_bring_the_tunnel_up_rotate_and_leave_nothing(netns_ready, tmp_path):
    with NamespacePair() as pair:
        configs = _setup(tmp_path, pair)
        psk = tmp_path / "psk"
        server = _Side(pair, "b", "server", configs["server"], psk)
        server.wait_for("up")
        # before any client: both server interfaces hold a PSK (none would accept X25519 alone)
        for name in (f"qv{pair.tag}s", f"qv{pair.tag}sb"):
            dump = subprocess.run(["wg", "show", name, "preshared-keys"], capture_output=True, text=True).stdout
            assert dump.split()[1] != "(none)"
        client = _Side(pair, "a", "client", configs["client"], psk)
        up = client.wait_for("up")
        assert up["interfaces"] == [f"qv{pair.tag}c", f"qv{pair.tag}cb"]
        assert ping(pair, "a", "10.99.0.1", count=3, interval=0.05).received == 3
        assert oct(psk.stat().st_mode & 0o777) == "0o600"

        background = ping(pair, "a", "10.99.0.1", count=15, interval=0.1, background=True)
        for index in (2, 3):
            server.process.send_signal(signal.SIGUSR1)
            rotated = client.wait_for("rotated", index=index)
            assert rotated["confirmed"]
        pings = background()
        assert pings.received == pings.transmitted == 15, pings.output  # no ping lost to the rotations

        server.process.send_signal(signal.SIGTERM)
        client.process.send_signal(signal.SIGTERM)
        assert server.wait_for("down")["rotations"] >= 3
        assert client.wait_for("down")["rotations"] == 3
        assert server.process.wait(5) == 0 and client.process.wait(5) == 0
        names = [f"qv{pair.tag}{r}{s}" for r in "sc" for s in ("", "b")]
        assert not [n for n in names if (RUN_DIR / f"{n}.sock").exists()]
        assert not psk.exists()  # the server removed the key file it wrote
        for ns, name in (("b", names[0]), ("a", names[2])):
            assert pair.run(ns, ["ip", "link", "show", name], check=False).returncode != 0


def test_the_server_restarted_mid_transfer_the_client_continues_with_a_new_key(netns_ready, tmp_path):
    from qlib.vpn.netns import tcp_transfer

    with NamespacePair() as pair:
        configs = _setup(tmp_path, pair)
        psk = tmp_path / "psk"
        servers = [_Side(pair, "b", "server", configs["server"], psk)]
        servers[0].wait_for("up")
        client = _Side(pair, "a", "client", configs["client"], psk)
        client.wait_for("up")
        server_rotated = servers[0].wait_for("rotated", index=1)
        for index in (2, 3):  # three keys: the client routes through its interface 1, its standby is 0,
            servers[0].process.send_signal(signal.SIGUSR1)  # not the interface a fresh server would pick
            client.wait_for("rotated", index=index)
        assert server_rotated["confirmed"]

        def restart():
            servers[0].process.send_signal(signal.SIGTERM)
            servers[0].wait_for("down")
            servers.append(_Side(pair, "b", "server", configs["server"], psk))
            servers[1].wait_for("up")

        result = tcp_transfer(pair, sender="a", receiver="b", address="10.99.0.1", nbytes=20 * 10**6,
                              port=5301, during=restart)
        assert result.bytes == 20 * 10**6  # TCP waited out the restart; every byte arrived
        after = [e for e in client.seen if e["event"] == "rotated"]
        rotated = client.wait_for("rotated") if len(after) < 4 else after[-1]
        assert rotated["confirmed"] and rotated["index"] == 4  # the restarted server's first key
        assert rotated["interface"] == f"qv{pair.tag}c"  # on the client's interface 0
        assert servers[1].wait_for("rotated", index=1)["confirmed"]
        assert ping(pair, "a", "10.99.0.1", count=3, interval=0.05).received == 3
        for side in (client, servers[1]):
            side.process.send_signal(signal.SIGTERM)
            assert side.wait_for("down")


def test_an_error_while_coming_up_tears_down_what_was_made(netns_ready, tmp_path):
    with NamespacePair() as pair:
        configs = _setup(tmp_path, pair)
        name = f"qv{pair.tag}s"
        # the standby interface's name is taken: the second interface cannot be made
        with WireGuardInterface(name + "b", netns=pair.a):
            out = subprocess.run(pair.command("b", [sys.executable, "-m", "qlib.vpn", "server", "--config",
                                                    configs["server"], "--psk-source",
                                                    f"shared-file:{tmp_path / 'psk'}"]),
                                 capture_output=True, text=True, timeout=30)
        assert out.returncode == 1
        events = _events(out.stdout)
        assert events[0]["event"] == "error" and f"an interface named {name}b already exists" in events[0]["message"]
        assert events[-1]["event"] == "down"
        assert not (RUN_DIR / f"{name}.sock").exists()  # the first interface was removed again
        assert pair.run("b", ["ip", "link", "show", name], check=False).returncode != 0


def test_a_private_key_file_others_can_read_is_refused(netns_ready, tmp_path):
    with NamespacePair() as pair:
        configs = _setup(tmp_path, pair)
        os.chmod(tmp_path / "server" / "private.key", 0o644)
        out = subprocess.run(pair.command("b", [sys.executable, "-m", "qlib.vpn", "server", "--config",
                                                configs["server"], "--psk-source", f"shared-file:{tmp_path / 'k'}"]),
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 1
        assert "interface.private_key_file" in out.stdout and "must be mode 0600" in out.stdout
        assert not (RUN_DIR / f"qv{pair.tag}s.sock").exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_waiting_for_the_first_key_still_tears_down(netns_ready, tmp_path, signum):
    with NamespacePair() as pair:
        configs = _setup(tmp_path, pair)
        client = _Side(pair, "a", "client", configs["client"], tmp_path / "never-written")
        import time

        name = f"qv{pair.tag}c"
        deadline = time.monotonic() + 10
        while not (RUN_DIR / f"{name}b.sock").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (RUN_DIR / f"{name}b.sock").exists()  # both interfaces are up, the client waits for its key
        client.process.send_signal(signum)
        assert client.wait_for("down", timeout=10)["rotations"] == 0
        assert client.process.wait(5) == 0
        assert not (RUN_DIR / f"{name}.sock").exists() and not (RUN_DIR / f"{name}b.sock").exists()


@pytest.mark.parametrize("role", ["server", "client"])
def test_help_names_the_options(role):
    out = _vpn(role, "--help")
    assert out.returncode == 0 and "--config" in out.stdout and "--psk-source" in out.stdout


def test_a_signal_at_any_moment_of_the_start_up_leaves_no_wireguard_go(netns_ready, tmp_path):
    """A signal while the interfaces are being made only asks to stop (no KeyboardInterrupt
    inside the start of wireguard-go, which would orphan it): at every moment, nothing stays."""
    import time

    with NamespacePair() as pair:
        configs = _setup(tmp_path, pair)
        for delay in (0.3, 0.45, 0.6, 0.75, 0.9, 1.2):
            client = _Side(pair, "a", "client", configs["client"], tmp_path / "never-written")
            time.sleep(delay)
            client.process.send_signal(signal.SIGTERM)
            assert client.process.wait(15) in (0, -signal.SIGTERM)  # -SIGTERM: before its handlers existed
            while client.events.get(timeout=10)["event"] != "exit":  # its output read to the end
                pass
            client.process.stdout.close()
            client.process.stderr.close()
            leftovers = [p.name for p in RUN_DIR.iterdir() if p.name.startswith(f"qv{pair.tag}")]
            assert not leftovers, (delay, leftovers)
