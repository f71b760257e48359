"""qlib.vpn.key_service and ``--psk-source tls``: the VPN keyed by the post-quantum TLS 1.3 key service.

The first tests run the key service on loopback without WireGuard (no root). The
namespace tests run both commands as root and prove the VPN's side of every
attack: the key service refusing is proved in tests/crypto/test_pq_tls.py; here,
no key means no tunnel route, nothing delivered, or the old key kept.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys

import pytest
from _vpnbench import netns_ready  # noqa: F401  (the fixture)
from cryptography import x509

from qlib.crypto.pq_ca import CertificateAuthority
from qlib.crypto.pq_tls import PSKProtocolError, PSKServerIdentityError, request_psk
from qlib.vpn.config import ConfigError, KeyServiceConfig
from qlib.vpn.demo import SERVER_NAME, USERNAME, _config, _Side, _write_private, write_key_service_files
from qlib.vpn.key_service import TLSKeyClient, TLSKeyServer, current_period, read_secret_file
from qlib.vpn.netns import NamespacePair, ping
from qlib.vpn.wireguard import generate_private_key, public_key_of

PUBLIC = "A" * 43 + "="


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("keys")
    folders = {name: root / name for name in ("ca", "server", "client")}
    for folder in folders.values():
        folder.mkdir(mode=0o700)
    ca = write_key_service_files(folders["ca"], folders["server"], folders["client"], password="correct horse")
    return ca, folders


def _service(folders, auth: str, *, address: str = "127.0.0.1:0", period: float = 60.0):
    s, c = folders["server"], folders["client"]
    server = KeyServiceConfig(address, s / "ca.pem", auth, s / "server.pem", s / "server.key", None, None, period,
                              crl_file=s / "crl.pem", password_db=s / "passwords")
    client = KeyServiceConfig(address, c / "ca.pem", auth, c / "client.pem" if auth == "certificate" else None,
                              c / "client.key" if auth == "certificate" else None,
                              USERNAME if auth == "password" else None,
                              c / f"{USERNAME}.pass" if auth == "password" else None, period,
                              server_name=SERVER_NAME)
    return server, client


# ------------------------------------------------------------------ loopback, no root
@pytest.mark.parametrize("auth", ["certificate", "password"])
def test_the_key_the_client_gets_is_the_key_the_server_offered_to_its_interface(files, auth):
    _, folders = files
    server_config, client_config = _service(folders, auth)
    offered, issued, obtained = [], [], []
    service = TLSKeyServer(server_config, offered.append, on_key=issued.append)
    try:
        port = service.server.address[1]
        client = TLSKeyClient(dataclasses.replace(client_config, address=f"127.0.0.1:{port}"),
                              on_key=obtained.append)
        key = client.next_psk()
    finally:
        service.close()
    assert offered == [key] and len(key) == 32  # the server's standby interface got the client's key
    # what is reported carries no key: RFC 8446 7.5 exporter output stays on the two ends
    for facts in (issued[0], obtained[0]):
        assert key not in repr(facts).encode() and key.hex() not in repr(facts) and "key" not in facts
        assert (facts["group"], facts["signature_algorithm"], facts["mode"]) == ("X25519MLKEM768", "mldsa65", auth)
    assert issued[0]["peer"] == USERNAME and obtained[0]["peer"] == SERVER_NAME
    assert issued[0]["period"] == obtained[0]["period"] == current_period(60.0)
    assert obtained[0]["request_seconds"] > 0 and client.request_seconds == [obtained[0]["request_seconds"]]


def test_a_period_far_from_the_servers_is_refused_and_no_key_is_offered(files):
    _, folders = files
    server_config, _ = _service(folders, "certificate")
    offered = []
    service = TLSKeyServer(server_config, offered.append)
    try:
        with pytest.raises(PSKProtocolError, match="not accepted"):
            request_psk(service.server.address, current_period(60.0) + 5, ca_file=folders["client"] / "ca.pem",
                        server_name=SERVER_NAME, cert_file=folders["client"] / "client.pem",
                        key_file=folders["client"] / "client.key")
    finally:
        service.close()
    assert offered == []
    assert service.refusals() == [("period", service.server.stats.refusals[-1][1])]
    assert service.refusals() == []  # each refusal is reported once


def test_a_key_the_server_cannot_put_on_its_interface_reaches_no_client(files):
    _, folders = files
    server_config, client_config = _service(folders, "password")

    def broken(key):
        raise OSError("wg set failed")

    service = TLSKeyServer(server_config, broken)
    try:
        client = TLSKeyClient(dataclasses.replace(client_config, address=f"127.0.0.1:{service.server.address[1]}"))
        with pytest.raises(PSKProtocolError, match="could not install the key"):
            client.next_psk()
    finally:
        service.close()
    assert client.request_seconds == []


def test_a_password_file_others_can_read_is_refused_naming_the_field(tmp_path, files):
    _, folders = files
    _, client_config = _service(folders, "password")
    loose = tmp_path / "loose.pass"
    loose.write_text("correct horse\n")
    os.chmod(loose, 0o644)
    with pytest.raises(ConfigError, match=r"key_service\.password_file .* must be mode 0600 .* got mode 644"):
        TLSKeyClient(dataclasses.replace(client_config, password_file=loose))
    link = tmp_path / "link.pass"
    link.symlink_to(folders["client"] / f"{USERNAME}.pass")
    with pytest.raises(ConfigError, match=r"key_service\.password_file .* cannot be read"):
        read_secret_file(link, "key_service.password_file")  # a symbolic link is not followed


def test_a_password_db_others_can_read_is_refused(tmp_path, files):
    _, folders = files
    server_config, _ = _service(folders, "password")
    loose = tmp_path / "passwords"
    loose.write_bytes((folders["server"] / "passwords").read_bytes())
    os.chmod(loose, 0o640)
    with pytest.raises(ConfigError, match=r"key_service\.password_db .* must be mode 0600"):
        TLSKeyServer(dataclasses.replace(server_config, password_db=loose), lambda key: None)


def test_a_config_without_a_key_service_field_stops_the_command_naming_it(tmp_path):
    config = tmp_path / "client.toml"
    config.write_text(_config("client", "qvx0", "10.99.0.2", PUBLIC, "10.99.0.1", key_service="10.231.0.2:8443",
                              endpoint="10.231.0.2:51820").replace(f'server_name = "{SERVER_NAME}"\n', ""))
    out = subprocess.run([sys.executable, "-m", "qlib.vpn", "client", "--config", str(config), "--psk-source", "tls"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert "key_service.server_name is missing (the name the server's certificate must carry)" in out.stdout


# ------------------------------------------------------------------ the tunnel, as root
def _setup(tmp_path, pair, auth, *, rotation_period=60):
    keys = {role: generate_private_key() for role in ("server", "client")}
    public = {role: public_key_of(key) for role, key in keys.items()}
    folders = {name: tmp_path / name for name in ("ca", "server", "client")}
    for folder in folders.values():
        folder.mkdir(mode=0o700)
    ca = write_key_service_files(folders["ca"], folders["server"], folders["client"])
    configs = {}
    for role, peer, mine, theirs in (("server", "client", "10.99.0.1", "10.99.0.2"),
                                     ("client", "server", "10.99.0.2", "10.99.0.1")):
        _write_private(folders[role] / "private.key", keys[role])
        configs[role] = folders[role] / f"{role}.toml"
        configs[role].write_text(_config(
            role, f"qv{pair.tag}{role[0]}", mine, public[peer], theirs, key_service=f"{pair.address_b}:8443",
            listen_port=51820 if role == "server" else None, auth=auth, rotation_period=rotation_period,
            endpoint=f"{pair.address_b}:51820" if role == "client" else None))
    return ca, folders, configs


def _stop(*sides):
    for side in sides:
        side.process.send_signal(signal.SIGTERM)
    for side in sides:
        side.wait_for("down")
        assert side.process.wait(5) == 0


def test_a_ping_crosses_the_tunnel_keyed_by_tls_client_certificates_and_rotations_lose_none(netns_ready, tmp_path):
    with NamespacePair() as pair:
        _, _, configs = _setup(tmp_path, pair, "certificate", rotation_period=1)
        server = _Side(pair, "b", "server", configs["server"], "tls")
        server.wait_for("up")
        client = _Side(pair, "a", "client", configs["client"], "tls")
        client.wait_for("up")
        key = next(e for e in client.seen if e["event"] == "key")
        assert (key["group"], key["signature_algorithm"], key["mode"]) == ("X25519MLKEM768", "mldsa65", "certificate")
        assert server.wait_for("key_issued")["peer"] == USERNAME  # the client certificate's name
        assert ping(pair, "a", "10.99.0.1", count=3, interval=0.05).received == 3
        # a key request through TLS 1.3 every second, at 10 pings/s (issue 13's target: none lost)
        pings = ping(pair, "a", "10.99.0.1", count=40, interval=0.1, background=True)()
        _stop(client, server)
        rotated = [e for e in client.seen if e["event"] == "rotated"]
        assert len(rotated) >= 4 and all(e["confirmed"] for e in rotated), rotated
        assert pings.received == pings.transmitted == 40, pings.output
        assert not [e for e in client.seen if e["event"] == "key_failed"]


def test_a_ping_crosses_the_tunnel_keyed_by_tls_with_a_password(netns_ready, tmp_path):
    with NamespacePair() as pair:
        _, _, configs = _setup(tmp_path, pair, "password")
        server = _Side(pair, "b", "server", configs["server"], "tls")
        server.wait_for("up")
        client = _Side(pair, "a", "client", configs["client"], "tls")
        client.wait_for("up")
        assert server.wait_for("key_issued")["peer"] == USERNAME and server.wait_for("rotated", index=1)
        assert ping(pair, "a", "10.99.0.1", count=3, interval=0.05).received == 3
        client.process.send_signal(signal.SIGUSR1)  # the client asks for a rotation now
        assert client.wait_for("rotated", index=2)["confirmed"]
        assert server.wait_for("rotated", index=2)["confirmed"]
        assert ping(pair, "a", "10.99.0.1", count=3, interval=0.05).received == 3
        _stop(client, server)


CLASSICAL = [sys.executable, "-c",  # the VPN client on a TLS stack that offers X25519 only (a downgrade)
             "import functools, sys\n"
             "import qlib.crypto.pq_tls as t\n"
             "t._pq_context = functools.partial(t._pq_context, groups=b'X25519')\n"
             "from qlib.vpn.__main__ import main\n"
             "sys.exit(main(sys.argv[1:]))"]


def _attack(name, ca, folders, configs):
    """Change the client's (or server's) files for attack ``name``; (client command, auth expected)."""
    client_toml = configs["client"].read_text()
    if name == "wrong password":
        (folders["client"] / f"{USERNAME}.pass").write_text("not the password\n")
    elif name == "unknown user":
        configs["client"].write_text(client_toml.replace(f'username = "{USERNAME}"', 'username = "mallory"'))
    elif name == "client certificate from another CA":
        rogue = CertificateAuthority("rogue CA", valid_days=1)
        cert, key = rogue.issue_client(USERNAME, valid_days=1).save(folders["ca"], "rogue")
        configs["client"].write_text(client_toml.replace('cert_file = "client.pem"', f'cert_file = "{cert}"')
                                     .replace('key_file = "client.key"', f'key_file = "{key}"'))
    elif name == "revoked client certificate":
        serial = x509.load_pem_x509_certificate((folders["client"] / "client.pem").read_bytes()).serial_number
        ca.revoke(serial)
        ca.save_crl(folders["server"] / "crl.pem")
    elif name == "server certificate for another name":
        ca.issue_server("other.example", valid_days=1).save(folders["server"], "server")  # same CA, other name
    elif name == "classical-only client":
        return CLASSICAL
    return None


ATTACKS = {  # name: (auth mode, what the client reports, what the server counts, None: not checked)
    "wrong password": ("password", "PSKAuthenticationError", "password"),
    "unknown user": ("password", "PSKAuthenticationError", "password"),
    "client certificate from another CA": ("certificate", "PSKAuthenticationError", "certificate"),
    "revoked client certificate": ("certificate", "PSKAuthenticationError", "certificate"),
    "server certificate for another name": ("certificate", "PSKServerIdentityError", None),
    "classical-only client": ("certificate", "PSKHandshakeError", "handshake"),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_no_key_no_tunnel_route_and_nothing_delivered(netns_ready, tmp_path, name):
    auth, client_error, server_kind = ATTACKS[name]
    with NamespacePair() as pair:
        ca, folders, configs = _setup(tmp_path, pair, auth)
        command = _attack(name, ca, folders, configs)
        server = _Side(pair, "b", "server", configs["server"], "tls")
        server.wait_for("up")
        client = _Side(pair, "a", "client", configs["client"], "tls", command=command)
        failures = [client.wait_for("key_failed", timeout=20) for _ in range(2)]  # it tried, and again
        assert {f["type"] for f in failures} == {client_error}, failures
        if server_kind is not None:
            assert server.wait_for("key_refused")["kind"] == server_kind
        # no route into the tunnel on the client ...
        routes = pair.run("a", ["ip", "route", "show"]).stdout.decode()
        assert "10.99.0.1" not in routes, routes
        plain = pair.run("a", ["ping", "-n", "-q", "-c", "1", "-W", "1", "10.99.0.1"], check=False)
        assert plain.returncode != 0 and b"Network is unreachable" in plain.stdout + plain.stderr, plain
        # ... and pushed onto the tunnel interface anyway, nothing gets through: no session
        # exists, since every interface still holds a random PSK nobody else has
        forced = pair.run("a", ["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "1", "-I", f"qv{pair.tag}c",
                                "10.99.0.1"], check=False)
        assert b" 0 received" in forced.stdout, forced.stdout
        for interface in (f"qv{pair.tag}s", f"qv{pair.tag}sb"):
            dump = subprocess.run(["wg", "show", interface, "latest-handshakes"], capture_output=True,
                                  text=True, check=True).stdout.split()
            assert dump[1] == "0", (interface, dump)  # the server never completed a handshake
        _stop(client, server)
        seen = {e["event"] for e in server.seen + client.seen}
        assert not seen & {"key", "key_issued", "rotated"}, seen
        assert "up" not in {e["event"] for e in client.seen}  # the client never reported the tunnel up


def test_a_client_revoked_while_the_tunnel_runs_keeps_its_old_key_and_gets_no_new_one(netns_ready, tmp_path):
    with NamespacePair() as pair:
        ca, folders, configs = _setup(tmp_path, pair, "certificate")
        server = _Side(pair, "b", "server", configs["server"], "tls")
        server.wait_for("up")
        client = _Side(pair, "a", "client", configs["client"], "tls")
        up = client.wait_for("up")
        first = next(e for e in client.seen if e["event"] == "rotated")
        server.wait_for("rotated", index=1)
        serial = x509.load_pem_x509_certificate((folders["client"] / "client.pem").read_bytes()).serial_number
        ca.revoke(serial)
        ca.save_crl(folders["server"] / "crl.pem")
        server.process.send_signal(signal.SIGHUP)  # the server reads its CRL again
        server.wait_for("crl_reloaded")
        background = ping(pair, "a", "10.99.0.1", count=20, interval=0.1, background=True)
        client.process.send_signal(signal.SIGUSR1)  # a rotation now: refused
        failed = client.wait_for("key_failed")
        assert failed["type"] == "PSKAuthenticationError"
        assert server.wait_for("key_refused")["kind"] == "certificate"
        pings = background()
        assert pings.received == pings.transmitted == 20, pings.output  # the old key still carries the tunnel
        _stop(client, server)
        rotated = [e for e in client.seen if e["event"] == "rotated"]
        assert rotated == [first] and up["interfaces"][1] == first["interface"]  # no new key went in
        assert len([e for e in server.seen if e["event"] == "key_issued"]) == 1


def test_a_second_key_request_with_the_same_key_file_gets_a_new_key(files):
    """Each request is a full handshake (no resumption): a recorded request cannot be replayed
    for the same key, and two requests for one period give two keys."""
    _, folders = files
    server_config, client_config = _service(folders, "certificate")
    offered = []
    service = TLSKeyServer(server_config, offered.append)
    try:
        client = TLSKeyClient(dataclasses.replace(client_config, address=f"127.0.0.1:{service.server.address[1]}"))
        keys = [client.next_psk(), client.next_psk()]
    finally:
        service.close()
    assert keys == offered and keys[0] != keys[1]


def test_a_client_that_trusts_another_ca_gets_no_key_from_the_server(files, tmp_path):
    _, folders = files
    server_config, client_config = _service(folders, "certificate")
    other = CertificateAuthority("another CA", valid_days=1).save(tmp_path)
    offered = []
    service = TLSKeyServer(server_config, offered.append)
    try:
        client = TLSKeyClient(dataclasses.replace(client_config, address=f"127.0.0.1:{service.server.address[1]}",
                                                  ca_file=other["certificate"]))
        with pytest.raises(PSKServerIdentityError):
            client.next_psk()
    finally:
        service.close()
    assert offered == []


def test_the_server_restarted_mid_transfer_the_client_continues_with_a_new_key(netns_ready, tmp_path):
    """A restarted server holds no key until the client's next request (a key exists only as
    the exporter of a TLS session): the tunnel resumes within one rotation period, and TCP
    waits that out."""
    from qlib.vpn.netns import tcp_transfer

    with NamespacePair() as pair:
        _, _, configs = _setup(tmp_path, pair, "password", rotation_period=1)
        servers = [_Side(pair, "b", "server", configs["server"], "tls")]
        servers[0].wait_for("up")
        client = _Side(pair, "a", "client", configs["client"], "tls")
        client.wait_for("up")
        client.wait_for("rotated", index=2)

        def restart():
            servers[0].process.send_signal(signal.SIGTERM)
            servers[0].wait_for("down")
            servers.append(_Side(pair, "b", "server", configs["server"], "tls"))
            servers[1].wait_for("up")

        result = tcp_transfer(pair, sender="a", receiver="b", address="10.99.0.1", nbytes=20 * 10**6,
                              port=5311, during=restart)
        assert result.bytes == 20 * 10**6  # every byte arrived, through the old and the new server
        up = next(e for e in servers[1].seen if e["event"] == "up")
        assert result.ended_at > up["time"]  # the transfer was still running when the new server came up
        assert servers[1].wait_for("rotated", index=1)["confirmed"]  # the new server's first key
        assert ping(pair, "a", "10.99.0.1", count=3, interval=0.05).received == 3
        _stop(client, servers[1])


@pytest.mark.parametrize("address, message", [
    ("10.231.0.1", r"key_service\.address must be '<IP address>:<port>', got '10\.231\.0\.1'"),
    ("10.231.0.1:http", r"key_service\.address must have a port in \[0, 65535\], got '10\.231\.0\.1:http'"),
    ("10.231.0.1:70000", r"must have a port in \[0, 65535\], got '10\.231\.0\.1:70000'"),
])
def test_a_bad_key_service_address_is_named(address, message):
    from qlib.vpn.key_service import split_address

    with pytest.raises(ValueError, match=message):
        split_address(address)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), True])
def test_a_bad_request_timeout_is_named(files, timeout):
    _, folders = files
    _, client_config = _service(folders, "password")
    with pytest.raises(ValueError, match=r"timeout must be a positive number of seconds, got "):
        TLSKeyClient(client_config, timeout=timeout)
