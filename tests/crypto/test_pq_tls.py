"""Tests for qlib.crypto.pq_tls (with pq_ca and pq_passwords) over real loopback TLS 1.3.

Every attack of issue 13, item 1, is run against a live server, and each must yield
no key on either side: wrong password, unknown user, client certificate from another
CA / expired / revoked / of the wrong kind, a server certificate for another name or
from another CA (a man in the middle), a classical-only client (downgrade),
truncated and garbage handshakes, and a flood of handshakes (rate-limited while the
good client still gets its key). Ports are chosen by the OS; every socket has a timeout.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import socket
import struct
import threading
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from OpenSSL import SSL

from qlib import (
    MAX_MESSAGE_BYTES,
    PQ_TLS_GROUP,
    PSK_EXPORTER_LABEL,
    CertificateAuthority,
    PasswordFile,
    PSKAuthenticationError,
    PSKConnectError,
    PSKError,
    PSKHandshakeError,
    PSKProtocolError,
    PSKServer,
    PSKServerIdentityError,
    PSKTimeoutError,
    request_psk,
)
from qlib.crypto import pq_tls

TIMEOUT = 5.0
FAST_SCRYPT = dict(n=2**10, r=8, p=1)  # small cost: the tests check logic, not cost
SERVER_NAME = "vpn.example"

# Published sizes the handshake must carry (lower bounds on the bytes on the wire):
MLDSA65_PUBLIC_KEY = 1952   # FIPS 204, Table 2 (ML-DSA-65 public key, bytes)
MLDSA65_SIGNATURE = 3309    # FIPS 204, Table 2 (ML-DSA-65 signature, bytes)
HYBRID_CLIENT_SHARE = 1216  # draft-ietf-tls-ecdhe-mlkem, X25519MLKEM768 client share: 1184 + 32
HYBRID_SERVER_SHARE = 1120  # draft-ietf-tls-ecdhe-mlkem, X25519MLKEM768 server share: 1088 + 32


# --------------------------------------------------------------------------- #
# The PKI: one CA with its server and clients, and an attacker's CA
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca = CertificateAuthority("Test VPN CA")
    files = ca.save(d)
    long_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)
    p = {"dir": d, "ca": ca, "ca_file": files["certificate"]}
    p["server"] = ca.issue_server(SERVER_NAME).save(d, "server")
    p["alice"] = ca.issue_client("alice").save(d, "alice")
    revoked = ca.issue_client("mallory")
    p["revoked"] = revoked.save(d, "mallory")
    ca.revoke(revoked.serial)
    p["crl_file"] = ca.save_crl(d / "crl.pem")
    p["expired"] = ca.issue_client("old", not_before=long_ago, valid_days=1).save(d, "old")
    p["server_as_client"] = ca.issue_server("other.example").save(d, "srv2")
    p["wrong_name_server"] = ca.issue_server("evil.example").save(d, "evil")
    p["expired_server"] = ca.issue_server(SERVER_NAME, not_before=long_ago, valid_days=1).save(d, "oldsrv")
    other = CertificateAuthority("Attacker CA")
    od = d / "other"
    od.mkdir()
    p["other_files"] = other.save(od)
    p["other_client"] = other.issue_client("alice").save(od, "alice")
    p["mitm_server"] = other.issue_server(SERVER_NAME).save(od, "server")
    return p


@pytest.fixture(scope="module")
def passwords():
    db = PasswordFile(**FAST_SCRYPT)
    db.add("alice", "correct horse battery staple")
    db.add("bob", "hunter2")
    return db


def _server(pki, *, server="server", ca_file=None, **kw):
    cert, key = pki[server]
    kw.setdefault("timeout", TIMEOUT)
    if kw.get("mode") != "password":
        kw.setdefault("crl_file", pki["crl_file"])
    return PSKServer(("127.0.0.1", 0), ca_file=ca_file or pki["ca_file"], cert_file=cert,
                     key_file=key, **kw)


def _client_cert(pki, who="alice"):
    cert, key = pki[who]
    return dict(cert_file=cert, key_file=key)


def _request(server, pki, period=1, **kw):
    kw.setdefault("ca_file", pki["ca_file"])
    kw.setdefault("server_name", SERVER_NAME)
    kw.setdefault("timeout", TIMEOUT)
    return request_psk(server.address, period, **kw)


def _wait_for(predicate, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


# --------------------------------------------------------------------------- #
# The good path
# --------------------------------------------------------------------------- #
def test_certificate_mode_gives_both_ends_the_same_32_byte_key(pki):
    issued = []
    with _server(pki, on_key=issued.append) as server:
        psk = _request(server, pki, period=42, **_client_cert(pki))
        assert _wait_for(lambda: server.stats.keys_issued == 1)
    assert len(psk.key) == 32 and psk.period == 42
    assert (psk.protocol, psk.group, psk.signature_algorithm) == ("TLSv1.3", PQ_TLS_GROUP, "mldsa65")
    assert psk.cipher.startswith("TLS_AES_") or psk.cipher.startswith("TLS_CHACHA20")
    assert psk.mode == "certificate" and psk.peer == SERVER_NAME
    (server_side,) = issued
    assert server_side.key == psk.key and server_side.peer == "alice" and server_side.period == 42
    assert psk.key.hex() not in repr(psk) and psk.wireguard_base64 not in repr(psk)
    assert len(psk.wireguard_base64) == 44 and psk.wireguard_base64.endswith("=")


def test_handshake_carries_the_published_post_quantum_sizes(pki):
    """Client sends its hybrid share, certificate (key + CA's signature) and CertificateVerify;
    it receives the server's hybrid share, certificate and CertificateVerify."""
    with _server(pki) as server:
        psk = _request(server, pki, **_client_cert(pki))
    assert psk.handshake_bytes_sent > HYBRID_CLIENT_SHARE + MLDSA65_PUBLIC_KEY + 2 * MLDSA65_SIGNATURE
    assert psk.handshake_bytes_received > HYBRID_SERVER_SHARE + MLDSA65_PUBLIC_KEY + 2 * MLDSA65_SIGNATURE
    # only the leaf is sent, not the root both ends hold (SSL_MODE_NO_AUTO_CHAIN): each way is
    # less than it would be with the root's key and signature too
    root = MLDSA65_PUBLIC_KEY + MLDSA65_SIGNATURE
    assert psk.handshake_bytes_sent < HYBRID_CLIENT_SHARE + MLDSA65_PUBLIC_KEY + 2 * MLDSA65_SIGNATURE + root
    assert psk.handshake_bytes_received < HYBRID_SERVER_SHARE + MLDSA65_PUBLIC_KEY + 2 * MLDSA65_SIGNATURE + root
    assert psk.handshake_bytes == psk.handshake_bytes_sent + psk.handshake_bytes_received


def test_handshake_records_show_the_hybrid_key_shares_in_the_hellos(pki):
    """ClientHello and ServerHello travel in the clear and carry the hybrid shares; the
    rest of the handshake (certificates, CertificateVerify, Finished) is encrypted."""
    with _server(pki) as server:
        psk = _request(server, pki, **_client_cert(pki))
    for records, total in ((psk.handshake_records_sent, psk.handshake_bytes_sent),
                           (psk.handshake_records_received, psk.handshake_bytes_received)):
        assert sum(size for _, size in records) == total
        assert records[0][0] == "handshake"
        assert {kind for kind, _ in records[1:]} <= {"change_cipher_spec", "application_data"}
    client_hello = psk.handshake_records_sent[0][1]
    server_hello = psk.handshake_records_received[0][1]
    # record header 5 + handshake header 4 + the share + the Hello's other fields (< 400 bytes)
    assert HYBRID_CLIENT_SHARE + 9 < client_hello < HYBRID_CLIENT_SHARE + 9 + 400
    assert HYBRID_SERVER_SHARE + 9 < server_hello < HYBRID_SERVER_SHARE + 9 + 200
    encrypted = sum(size for kind, size in psk.handshake_records_received if kind == "application_data")
    assert encrypted > MLDSA65_PUBLIC_KEY + 2 * MLDSA65_SIGNATURE  # certificate + CertificateVerify


def test_record_log_splits_a_stream_cut_anywhere():
    stream = b"".join(bytes([t, 3, 3]) + len(body).to_bytes(2, "big") + body
                      for t, body in ((22, b"x" * 300), (20, b"\x01"), (23, b"y" * 4000)))
    for cut in (1, 3, 5, 7, 301, len(stream) - 1):
        log = pq_tls._RecordLog()
        log.feed(stream[:cut])
        log.feed(stream[cut:])
        assert [k for k, _ in log.records] == ["handshake", "change_cipher_spec", "application_data"]
        assert sum(n for _, n in log.records) == len(stream)


def _hkdf_expand_label(hash_cls, secret, label: bytes, context: bytes, length: int) -> bytes:
    """RFC 8446 section 7.1 HKDF-Expand-Label, written out from the RFC."""
    full = b"tls13 " + label
    info = struct.pack("!H", length) + bytes([len(full)]) + full + bytes([len(context)]) + context
    return HKDFExpand(algorithm=hash_cls(), length=length, info=info).derive(secret)


def test_key_is_the_rfc8446_exporter_of_the_session(pki):
    """Recompute the key from the session's exporter_master_secret (the key log) with
    RFC 8446 section 7.5: HKDF-Expand-Label(Derive-Secret(secret, label, ""), "exporter",
    Hash(context), 32), the context being the period as 8 bytes big-endian."""
    issued, keylog = [], []
    with _server(pki, on_key=issued.append) as server:
        cert, key = pki["alice"]
        ctx = pq_tls._pq_context(ca_file=pki["ca_file"], cert_file=cert, key_file=key, crl_file=None)
        ctx.set_verify(SSL.VERIFY_PEER)
        ctx.set_keylog_callback(lambda conn, line: keylog.append(line))
        with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
            ch = pq_tls._Channel(ctx, sock, time.monotonic() + TIMEOUT, server=False)
            ch.handshake()
            ch.send_message(pq_tls._REQUEST, struct.pack("!Q", 9) + b"\0\0")
            assert ch.recv_message() == (pq_tls._KEY_OK, struct.pack("!Q", 9))
            client_key = ch.export(9)
            cipher = ch.conn.get_cipher_name()
            ch.close()
    secret_lines = [ln.split() for ln in keylog if ln.startswith(b"EXPORTER_SECRET ")]
    assert len(secret_lines) == 1
    secret = bytes.fromhex(secret_lines[0][2].decode())
    hash_cls = hashes.SHA384 if cipher.endswith("SHA384") else hashes.SHA256
    digest = lambda data: hashlib.new(hash_cls.name, data).digest()  # noqa: E731
    derived = _hkdf_expand_label(hash_cls, secret, PSK_EXPORTER_LABEL, digest(b""), hash_cls.digest_size)
    expected = _hkdf_expand_label(hash_cls, derived, b"exporter", digest(struct.pack("!Q", 9)), 32)
    assert client_key == expected == issued[0].key


def test_keys_are_fresh_per_period_and_per_session(pki):
    with _server(pki) as server:
        a = _request(server, pki, period=5, **_client_cert(pki))
        b = _request(server, pki, period=5, **_client_cert(pki))
        c = _request(server, pki, period=6, **_client_cert(pki))
    assert len({a.key, b.key, c.key}) == 3


def test_password_mode_gives_a_key_and_stores_no_password(pki, passwords):
    issued = []
    with _server(pki, mode="password", passwords=passwords, on_key=issued.append) as server:
        psk = _request(server, pki, username="alice", password="correct horse battery staple")
        assert _wait_for(lambda: len(issued) == 1)
    assert psk.mode == "password" and issued[0].peer == "alice" and issued[0].key == psk.key
    assert "correct horse" not in passwords.dumps()


# --------------------------------------------------------------------------- #
# Attacks on the client side of the authentication: each yields no key
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("username,password", [("alice", "wrong password"), ("bob", "correct horse battery staple"),
                                               ("eve", "hunter2"), ("a:b", "x")])
def test_wrong_password_or_unknown_user_gets_no_key(pki, passwords, username, password):
    issued = []
    with _server(pki, mode="password", passwords=passwords, on_key=issued.append) as server:
        with pytest.raises(PSKAuthenticationError, match="authentication failed"):
            _request(server, pki, username=username, password=password)
        assert _wait_for(lambda: server.stats.authentication_failures == 1)
        assert server.stats.keys_issued == 0
    assert issued == []


@pytest.mark.parametrize("who,alert", [("other_client", "unknown ca"), ("expired", "certificate expired"),
                                       ("revoked", "certificate revoked"),
                                       ("server_as_client", "unsupported certificate")])
def test_bad_client_certificate_gets_no_key(pki, who, alert):
    issued = []
    with _server(pki, on_key=issued.append) as server:
        with pytest.raises(PSKAuthenticationError, match=f"refused this client: .*alert {alert}"):
            _request(server, pki, **_client_cert(pki, who))
        assert _wait_for(lambda: server.stats.authentication_failures + server.stats.handshake_failures == 1)
        assert server.stats.keys_issued == 0
        reason = server.stats.refusals[-1][1]
    assert issued == []
    expected = {"other_client": "unable to get local issuer certificate",
                "expired": "certificate has expired", "revoked": "certificate revoked",
                "server_as_client": "unsuitable certificate purpose"}[who]
    assert reason.endswith(expected)


def test_password_client_at_a_certificate_server_gets_no_key(pki, passwords):
    issued = []
    with _server(pki, on_key=issued.append) as server:
        with pytest.raises(PSKAuthenticationError, match="certificate required"):
            _request(server, pki, username="alice", password="correct horse battery staple")
        assert _wait_for(lambda: server.stats.authentication_failures == 1)
        assert "did not return a certificate" in server.stats.refusals[-1][1]
    assert issued == []


def test_revocation_after_issue_takes_effect_with_a_new_crl(pki, tmp_path):
    ca = pki["ca"]
    carol = ca.issue_client("carol").save(pki["dir"], "carol")
    with _server(pki) as server:
        assert len(_request(server, pki, cert_file=carol[0], key_file=carol[1]).key) == 32
        from cryptography import x509
        serial = x509.load_pem_x509_certificate(carol[0].read_bytes()).serial_number
        ca.revoke(serial)
        server.update_crl(ca.save_crl(tmp_path / "crl.pem"))
        with pytest.raises(PSKAuthenticationError):
            _request(server, pki, cert_file=carol[0], key_file=carol[1])
        assert len(_request(server, pki, **_client_cert(pki)).key) == 32  # alice unaffected


# --------------------------------------------------------------------------- #
# Attacks on the server's identity (a man in the middle)
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("server_cert,reason", [
    ("mitm_server", "unable to get local issuer certificate"),  # its own CA
    ("wrong_name_server", "hostname mismatch"),                 # our CA, another name
    ("expired_server", "certificate has expired"),
])
def test_client_refuses_an_impostor_server_and_sends_no_password(pki, passwords, server_cert, reason):
    issued = []
    ca_file = pki["other_files"]["certificate"] if server_cert == "mitm_server" else None
    with _server(pki, server=server_cert, ca_file=ca_file, mode="password", passwords=passwords,
                 on_key=issued.append) as server:
        with pytest.raises(PSKServerIdentityError, match=reason):
            _request(server, pki, username="alice", password="correct horse battery staple")
        assert _wait_for(lambda: server.stats.handshake_failures == 1)
    assert issued == [] and server.stats.authentication_failures == 0  # the password never went out


def test_client_with_a_crl_refuses_a_revoked_server(pki, tmp_path):
    ca = pki["ca"]
    issued = ca.issue_server(SERVER_NAME)
    cert, key = issued.save(tmp_path, "revoked-server")
    ca.revoke(issued.serial)
    crl = ca.save_crl(tmp_path / "crl.pem")
    with PSKServer(ca_file=pki["ca_file"], crl_file=crl, cert_file=cert, key_file=key,
                   timeout=TIMEOUT) as server:
        with pytest.raises(PSKServerIdentityError, match="revoked"):
            _request(server, pki, crl_file=crl, **_client_cert(pki))
        assert server.stats.keys_issued == 0


def test_a_failing_server_callback_closes_the_connection_without_a_key(pki):
    def raises(period):
        if period == 1:
            raise RuntimeError("schedule unavailable")
        return True

    with _server(pki, check_period=raises) as server:
        with pytest.raises(PSKProtocolError, match="closed the channel without an answer"):
            _request(server, pki, **_client_cert(pki))
        assert _wait_for(lambda: server.stats.protocol_errors == 1)
        assert server.stats.refusals[-1] == ("internal", "127.0.0.1: RuntimeError: schedule unavailable")
        assert server.stats.keys_issued == 0
        assert len(_request(server, pki, period=2, **_client_cert(pki)).key) == 32  # still serving


# --------------------------------------------------------------------------- #
# Downgrade, truncation, garbage
# --------------------------------------------------------------------------- #
def _raw_client(pki, groups: bytes):
    cert, key = pki["alice"]
    ctx = pq_tls._pq_context(ca_file=pki["ca_file"], cert_file=cert, key_file=key, crl_file=None,
                             groups=groups)
    ctx.set_verify(SSL.VERIFY_PEER)
    return ctx


def test_classical_only_client_is_refused_before_any_key(pki):
    issued = []
    with _server(pki, on_key=issued.append) as server:
        ctx = _raw_client(pki, b"X25519")
        with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
            ch = pq_tls._Channel(ctx, sock, time.monotonic() + TIMEOUT, server=False)
            with pytest.raises(SSL.Error, match="handshake failure"):
                ch.handshake()
            assert ch.conn.get_group_name() is None
        assert _wait_for(lambda: server.stats.handshake_failures == 1)
        assert "no suitable key share" in server.stats.refusals[-1][1]
        assert server.stats.keys_issued == 0
    assert issued == []


def test_client_offering_both_groups_is_moved_to_the_hybrid(pki):
    """A client that offers X25519 first and the hybrid second ends on the hybrid group."""
    with _server(pki) as server:
        ctx = _raw_client(pki, b"X25519:X25519MLKEM768")
        with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
            ch = pq_tls._Channel(ctx, sock, time.monotonic() + TIMEOUT, server=False)
            ch.handshake()
            assert ch.conn.get_group_name() == PQ_TLS_GROUP
            ch.close()


def test_a_non_hybrid_group_after_the_handshake_is_refused_by_both_ends(pki, monkeypatch):
    """The groups are restricted in OpenSSL's configuration; the check of the negotiated
    group right after the handshake is the second line. Make OpenSSL appear to have
    negotiated X25519 and both ends must refuse before deriving anything."""
    issued = []
    monkeypatch.setattr(pq_tls._Channel, "negotiated", lambda self: ("TLSv1.3", "X25519"))
    with _server(pki, on_key=issued.append) as server:
        with pytest.raises(PSKHandshakeError, match="negotiated TLSv1.3 with group X25519, only"):
            _request(server, pki, **_client_cert(pki))
        assert _wait_for(lambda: server.stats.handshake_failures == 1)
        assert server.stats.refusals[-1][1].endswith("TLSv1.3 X25519")
        assert server.stats.keys_issued == 0
    assert issued == []


def _client_hello(pki) -> bytes:
    ctx = _raw_client(pki, PQ_TLS_GROUP.encode())
    conn = SSL.Connection(ctx, None)
    conn.set_connect_state()
    with pytest.raises(SSL.WantReadError):
        conn.do_handshake()
    return conn.bio_read(65536)


@pytest.mark.parametrize("attack", ["truncated", "garbage", "silent"])
def test_truncated_garbage_or_silent_handshake_yields_nothing_and_server_keeps_serving(pki, attack):
    issued = []
    hello = _client_hello(pki)
    assert hello[0] == 0x16 and len(hello) > HYBRID_CLIENT_SHARE  # a TLS handshake record
    with _server(pki, on_key=issued.append, timeout=0.5) as server:
        with socket.create_connection(server.address, timeout=TIMEOUT) as sock:
            if attack == "truncated":
                sock.sendall(hello[: len(hello) // 2])
                sock.shutdown(socket.SHUT_WR)
            elif attack == "garbage":
                sock.sendall(os.urandom(3000))
            sock.settimeout(TIMEOUT)
            try:
                while sock.recv(4096):  # the server answers with at most an alert, then closes
                    pass
            except ConnectionResetError:
                pass
        failures = lambda: server.stats.handshake_failures + server.stats.timeouts  # noqa: E731
        assert _wait_for(lambda: failures() == 1)
        if attack == "silent":
            assert server.stats.timeouts == 1
        assert len(_request(server, pki, **_client_cert(pki)).key) == 32
    assert len(issued) == 1  # only the good client's


class _FakeServer:
    """A plain TCP listener that answers every connection with ``behaviour``."""

    def __init__(self, behaviour):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(TIMEOUT)
        self.address = self.sock.getsockname()
        self.behaviour = behaviour
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(TIMEOUT)
            self.behaviour(conn)

    def close(self):
        self.thread.join(TIMEOUT)
        self.sock.close()


def _garbage(conn):
    conn.recv(65536)
    conn.sendall(os.urandom(2000))


def _hang_up(conn):
    conn.recv(65536)


def _silent(conn):
    conn.recv(65536)
    time.sleep(0.6)


@pytest.mark.parametrize("behaviour,error", [(_garbage, PSKHandshakeError), (_hang_up, PSKHandshakeError),
                                             (_silent, PSKTimeoutError)])
def test_client_refuses_a_server_that_is_not_tls(pki, behaviour, error):
    fake = _FakeServer(behaviour)
    try:
        with pytest.raises(error):
            request_psk(fake.address, 1, ca_file=pki["ca_file"], server_name=SERVER_NAME,
                        timeout=0.4, **_client_cert(pki))
    finally:
        fake.close()


def _has_ipv6_loopback() -> bool:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback (::1) on this machine")
def test_ipv6_loopback_works_like_ipv4(pki):
    cert, key = pki["server"]
    with PSKServer(("::1", 0), ca_file=pki["ca_file"], crl_file=pki["crl_file"], cert_file=cert,
                   key_file=key, timeout=TIMEOUT) as server:
        assert server.address[0] == "::1"
        assert len(_request(server, pki, **_client_cert(pki)).key) == 32


def test_no_server_is_a_connect_error(pki):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    address = s.getsockname()
    s.close()  # nothing listens here now
    with pytest.raises(PSKConnectError, match="cannot connect"):
        request_psk(address, 1, ca_file=pki["ca_file"], server_name=SERVER_NAME, **_client_cert(pki))


# --------------------------------------------------------------------------- #
# Malformed messages inside the channel
# --------------------------------------------------------------------------- #
def _channel_to(server, pki):
    ctx = _raw_client(pki, PQ_TLS_GROUP.encode())
    sock = socket.create_connection(server.address, timeout=TIMEOUT)
    ch = pq_tls._Channel(ctx, sock, time.monotonic() + TIMEOUT, server=False)
    ch.handshake()
    return sock, ch


@pytest.mark.parametrize("frame", [
    struct.pack("!BH", 0x01, MAX_MESSAGE_BYTES + 1) + bytes(MAX_MESSAGE_BYTES + 1),  # oversized
    struct.pack("!BH", 0x7F, 8) + bytes(8),                                            # unknown type
    struct.pack("!BH", 0x02, 8) + bytes(8),                                            # not a REQUEST
    struct.pack("!BH", 0x01, 5) + bytes(5),                                            # too short
    struct.pack("!BH", 0x01, 12) + bytes(8) + b"\x05ab\x00",                           # username past end
    struct.pack("!BH", 0x01, 11) + bytes(8) + b"\x00\x05x",                            # password length
    struct.pack("!BH", 0x01, 11) + bytes(8) + b"\x01a\x00",                            # username in cert mode
])
def test_malformed_request_is_refused_with_no_key(pki, frame):
    issued = []
    with _server(pki, on_key=issued.append) as server:
        sock, ch = _channel_to(server, pki)
        with sock:
            ch.conn.sendall(frame)
            ch.flush()
            kind, payload = ch.recv_message()
        assert kind == pq_tls._REFUSED and payload[0] == 3
        assert _wait_for(lambda: server.stats.protocol_errors == 1)
    assert issued == []


def test_refused_period_and_failing_on_key_give_the_client_no_key(pki):
    def broken(psk):
        raise OSError("wg set failed")

    with _server(pki, check_period=lambda p: p >= 100) as server:
        with pytest.raises(PSKProtocolError, match="period 7 not accepted"):
            _request(server, pki, period=7, **_client_cert(pki))
        assert _request(server, pki, period=100, **_client_cert(pki)).period == 100
    with _server(pki, on_key=broken) as server:
        with pytest.raises(PSKProtocolError, match="could not install"):
            _request(server, pki, **_client_cert(pki))
        assert server.stats.keys_issued == 0


# --------------------------------------------------------------------------- #
# Flood
# --------------------------------------------------------------------------- #
def test_handshake_flood_is_rate_limited_and_the_good_client_still_gets_its_key(pki):
    """An attacker at 127.0.0.2 opens 80 connections as fast as it can, each sending the
    start of a ClientHello and then holding the connection; the good client at
    127.0.0.1 still gets its key while the flood is on."""
    hello = _client_hello(pki)
    held, stop = [], threading.Event()

    def flood(address):
        for _ in range(80):
            if stop.is_set():
                return
            s = socket.socket()
            s.settimeout(TIMEOUT)
            try:
                s.bind(("127.0.0.2", 0))
                s.connect(address)
                s.sendall(hello[:100])
            except OSError:
                s.close()
                continue
            held.append(s)

    with _server(pki, rate=5.0, burst=5, max_concurrent=3, timeout=4.0) as server:
        attacker = threading.Thread(target=flood, args=(server.address,))
        attacker.start()
        try:
            assert _wait_for(lambda: server.stats.rate_limited >= 10)
            t0 = time.monotonic()
            psk = _request(server, pki, **_client_cert(pki))
            elapsed = time.monotonic() - t0
            attacker_slots = server._limiter._active.get("127.0.0.2", 0)
        finally:
            stop.set()
            attacker.join(TIMEOUT)
            for s in held:
                s.close()
        assert len(psk.key) == 32 and psk.peer == SERVER_NAME
        # served while the three attacker connections it admitted were still held open
        # (they last the server's 4 s timeout; the good client did not wait for them)
        assert elapsed < 4.0 and attacker_slots == 3
        assert server.stats.rate_limited >= 10 and server.stats.keys_issued == 1
        sources = {msg for kind, msg in server.stats.refusals if kind == "rate_limited"}
        assert sources == {"127.0.0.2"}


def test_one_source_over_its_rate_is_disconnected_before_tls(pki):
    with _server(pki, rate=0.5, burst=2) as server:
        for _ in range(2):
            _request(server, pki, **_client_cert(pki))
        with pytest.raises(PSKHandshakeError, match="rate-limited"):
            _request(server, pki, **_client_cert(pki))
        assert server.stats.rate_limited == 1 and server.stats.keys_issued == 2


# --------------------------------------------------------------------------- #
# Bad parameters
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("kwargs,error,match", [
    (dict(period=-1), ValueError, "period"),
    (dict(period=2**63), ValueError, "period"),
    (dict(period="3"), TypeError, "period"),
    (dict(period=True), TypeError, "period"),
    (dict(timeout=0), ValueError, "timeout"),
    (dict(server_name=""), ValueError, "server_name"),
    (dict(server_name="a b"), ValueError, "server_name"),
    (dict(server_name=b"vpn.example"), TypeError, "server_name"),
    (dict(ca_file="/nonexistent/ca.pem"), ValueError, "ca_file"),
    (dict(ca_file=3), TypeError, "ca_file"),
    (dict(ca_file=__file__), ValueError, "ca_file .* holds no PEM certificate"),
    (dict(crl_file=__file__), ValueError, "crl_file .* is not a PEM"),
    (dict(username="alice", password="pw"), ValueError, "not both"),
    (dict(cert_file=None, key_file=None), ValueError, "not neither"),
    (dict(address=("127.0.0.1", 70000)), ValueError, "port"),
    (dict(address="127.0.0.1:1"), TypeError, "address"),
])
def test_request_psk_refuses_bad_parameters(pki, kwargs, error, match):
    args = dict(address=("127.0.0.1", 1), period=1, ca_file=pki["ca_file"], server_name=SERVER_NAME,
                **_client_cert(pki))
    args.update(kwargs)
    with pytest.raises(error, match=match):
        request_psk(args.pop("address"), args.pop("period"), **args)


def test_request_psk_refuses_bad_password_mode_values(pki):
    base = dict(ca_file=pki["ca_file"], server_name=SERVER_NAME)
    with pytest.raises(TypeError, match="password must be a str"):
        request_psk(("127.0.0.1", 1), 1, username="alice", password=b"x", **base)
    with pytest.raises(ValueError, match="username must be 1 to 64 bytes"):
        request_psk(("127.0.0.1", 1), 1, username="a" * 65, password="x", **base)


def test_server_refuses_bad_parameters(pki, passwords, tmp_path):
    cert, key = pki["server"]
    base = dict(ca_file=pki["ca_file"], cert_file=cert, key_file=key, crl_file=pki["crl_file"])
    with pytest.raises(ValueError, match="mode must be"):
        PSKServer(mode="psk", **base)
    with pytest.raises(TypeError, match="passwords must be a PasswordFile"):
        PSKServer(mode="password", **base)
    with pytest.raises(ValueError, match="passwords must be None"):
        PSKServer(passwords=passwords, **base)
    with pytest.raises(ValueError, match="crl_file is required"):
        PSKServer(**{**base, "crl_file": None})
    with pytest.raises(TypeError, match="on_key must be callable"):
        PSKServer(on_key=3, **base)
    with pytest.raises(ValueError, match="rate"):
        PSKServer(rate=0, **base)
    with pytest.raises(ValueError, match="burst"):
        PSKServer(burst=0, **base)
    loose = tmp_path / "loose.key"
    loose.write_bytes(key.read_bytes())
    loose.chmod(0o644)
    with pytest.raises(ValueError, match="key_file .* must be readable by its owner only"):
        PSKServer(**{**base, "key_file": loose})
    other_key = pki["alice"][1]
    with pytest.raises(ValueError, match="is not the private key of"):
        PSKServer(**{**base, "key_file": other_key})
    with pytest.raises(ValueError, match="crl_file .* is not a PEM"):
        PSKServer(**{**base, "crl_file": cert})


def test_every_refusal_is_a_psk_error():
    for cls in (PSKAuthenticationError, PSKConnectError, PSKHandshakeError, PSKProtocolError,
                PSKServerIdentityError, PSKTimeoutError):
        assert issubclass(cls, PSKError)
    assert issubclass(PSKServerIdentityError, PSKHandshakeError)
