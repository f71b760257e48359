"""Tests for qlib.crypto.tunnel over real loopback sockets: messages both ways, both
authentication modes, every refusal (with nothing delivered), the password
database, the transcript and bad input. Every socket has a timeout."""

from __future__ import annotations

import socket
import struct
import threading

import pytest

from qlib import (
    MAX_RECORD_BYTES,
    ConnectionClosedError,
    LoopbackAttacker,
    PasswordDatabase,
    PasswordRejectedError,
    PeerRefusedError,
    ProtocolError,
    ReorderedRecordError,
    ReplayedRecordError,
    ServerAuthenticationError,
    TamperedRecordError,
    TruncatedHandshakeError,
    TunnelError,
    TunnelConnectError,
    TunnelServer,
    TunnelTimeoutError,
    generate_server_key,
    tunnel_connect,
)

TIMEOUT = 3.0
FAST_SCRYPT = dict(n=2**10, r=8, p=1)  # small cost: the tests check logic, not cost


@pytest.fixture(scope="module")
def server_key():
    return generate_server_key()


@pytest.fixture(scope="module")
def pinned(server_key):
    return server_key.public_key().public_bytes_raw()


@pytest.fixture
def db():
    d = PasswordDatabase(**FAST_SCRYPT)
    d.add("alice", "correct horse battery staple")
    d.add("bob", "hunter2")
    return d


def test_every_refusal_is_a_tunnel_error():
    for cls in (PasswordRejectedError, PeerRefusedError, ProtocolError, ReorderedRecordError,
                ReplayedRecordError, ServerAuthenticationError, TamperedRecordError,
                TruncatedHandshakeError, ConnectionClosedError, TunnelTimeoutError, TunnelConnectError):
        assert issubclass(cls, TunnelError)


# --------------------------------------------------------------------------- #
# Working tunnel
# --------------------------------------------------------------------------- #
def test_messages_both_ways_certificate_mode(server_key, pinned):
    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        assert server.address[0] == "127.0.0.1" and server.address[1] > 0
        with tunnel_connect(server.address, pinned, timeout=TIMEOUT) as conn:
            replies = []
            for msg in (b"hello", b"x" * MAX_RECORD_BYTES, bytes(range(256))):
                conn.send(msg)
                replies.append(conn.recv())
        # close() sent a Close record; the server's loop ended cleanly
    assert replies == [b"HELLO", b"X" * MAX_RECORD_BYTES, bytes(range(256)).upper()]
    assert server.received == [b"hello", b"x" * MAX_RECORD_BYTES, bytes(range(256))]
    assert server.errors == []


def test_transcript_sizes(server_key, pinned):
    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with tunnel_connect(server.address, pinned, timeout=TIMEOUT) as conn:
            tr = conn.transcript
    names = [(m.sender, m.name) for m in tr.messages]
    assert names == [("client", "ClientHello"), ("server", "ServerHello"),
                     ("client", "Finished (encrypted)"), ("server", "Finished (encrypted)")]
    sizes = [m.wire_bytes for m in tr.messages]
    # ClientHello: 4 (frame) + 3 + 32 nonce + 1184 (ML-KEM-768 ek) + 32 (X25519)
    # ServerHello: 4 + 1 + 32 + 1088 (ML-KEM-768 ct) + 32 + 1952 (ML-DSA-65 pk) + 3309 (sig)
    # Finished: 4 + 9 (header) + 32 (hash) + 16 (tag)
    assert sizes == [1255, 6418, 61, 61]
    assert tr.total_bytes == sum(sizes)
    for m in tr.messages:
        if m.parts:
            assert sum(n for _, n in m.parts) + 4 == m.wire_bytes
    assert server.transcripts[0].total_bytes == tr.total_bytes


def test_password_mode(server_key, pinned, db):
    with TunnelServer(server_key, password_db=db, timeout=TIMEOUT) as server:
        with tunnel_connect(server.address, pinned, mode="password", username="alice",
                            password="correct horse battery staple", timeout=TIMEOUT) as conn:
            conn.send(b"ping")
            assert conn.recv() == b"PING"
            assert conn.transcript.messages[2].name == "Auth (encrypted)"
    assert server.received == [b"ping"]
    assert server.errors == []


def test_handler_error_is_recorded_and_server_keeps_serving(server_key, pinned):
    def handler(conn, server):
        msg = conn.recv()
        if msg == b"crash":
            raise RuntimeError("handler bug")
        conn.send(msg)

    with TunnelServer(server_key, handler=handler, timeout=TIMEOUT) as server:
        with tunnel_connect(server.address, pinned, timeout=TIMEOUT) as conn:
            conn.send(b"crash")
            with pytest.raises(PeerRefusedError, match="the peer refused: internal server error"):
                conn.recv()
        with tunnel_connect(server.address, pinned, timeout=TIMEOUT) as conn:
            conn.send(b"fine")
            assert conn.recv() == b"fine"
    assert [type(e) for e in server.errors] == [RuntimeError]


def test_two_clients_get_different_keys(server_key, pinned):
    """Each connection has fresh keys: the same plaintext encrypts differently, and a record of
    connection a, injected into connection b in place of b's own, is refused by b's server end."""
    frames = {}

    def record(tag):
        def meddle(direction, index, frame):
            if direction == "c2s" and index == 2:
                frames[tag] = frame
            return [frame]
        return meddle

    def inject(direction, index, frame):
        if direction == "c2s" and index == 2:
            frames["b"] = frame
            return [frames["a"]]  # same type, same sequence number (1), a's keys
        return [frame]

    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, record("a"), timeout=TIMEOUT) as mitm:
            with tunnel_connect(mitm.address, pinned, timeout=TIMEOUT) as conn:
                conn.send(b"same text")
                assert conn.recv() == b"SAME TEXT"
        with LoopbackAttacker(server.address, inject, timeout=TIMEOUT) as mitm:
            conn = tunnel_connect(mitm.address, pinned, timeout=TIMEOUT)
            conn.send(b"same text")
            with pytest.raises(PeerRefusedError, match="record 1 failed authentication"):
                conn.recv()
            conn.close()
    assert frames["a"][:13] == frames["b"][:13]  # same length, type and sequence number
    assert frames["a"] != frames["b"]            # same plaintext, different ciphertexts
    assert server.received == [b"same text"]     # from connection a only
    # b's server end refused the injected record. (Connection a may add a ConnectionClosedError
    # when its relay is cut before the server has read a's Close record: a race of the test.)
    kinds = [type(e) for e in server.errors]
    assert kinds.count(TamperedRecordError) == 1 and set(kinds) <= {TamperedRecordError, ConnectionClosedError}
    assert "record 1 failed authentication" in str(next(e for e in server.errors
                                                        if isinstance(e, TamperedRecordError)))


def test_same_plaintext_twice_in_one_connection_differs(server_key, pinned):
    """The nonce changes with every record (IV XOR sequence number): one plaintext sent twice
    gives two different ciphertexts and tags."""
    frames = {}

    def record(direction, index, frame):
        if direction == "c2s" and index in (2, 3):
            frames[index] = frame
        return [frame]

    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, record, timeout=TIMEOUT) as mitm:
            with tunnel_connect(mitm.address, pinned, timeout=TIMEOUT) as conn:
                for _ in range(2):
                    conn.send(b"same text")
                    assert conn.recv() == b"SAME TEXT"
    first, second = frames[2], frames[3]
    assert len(first) == len(second) and first[4] == second[4] == 0x17
    assert int.from_bytes(first[5:13], "big") + 1 == int.from_bytes(second[5:13], "big")
    assert first[13:-16] != second[13:-16]  # ciphertext
    assert first[-16:] != second[-16:]      # tag
    assert server.received == [b"same text", b"same text"]


def test_reflected_finished_refused(server_key, pinned):
    """Sending the client's own Finished back as the server's (s2c frame 1 := c2s frame 1) fails:
    each direction has its own key and IV, so the client cannot decrypt its own record."""
    held = {}

    def reflect(direction, index, frame):
        if direction == "c2s" and index == 1:
            held["finished"] = frame
        if direction == "s2c" and index == 1:
            return [held["finished"]]
        return [frame]

    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, reflect, timeout=TIMEOUT) as mitm:
            with pytest.raises(TamperedRecordError, match="record 0 failed authentication"):
                tunnel_connect(mitm.address, pinned, timeout=TIMEOUT)
    assert server.received == []


def test_record_keys_per_direction():
    """_Keys: HKDF gives each direction its own AES-256-GCM key and IV; the client's sending
    pair is the server's receiving pair; the nonce differs for every sequence number."""
    from cryptography.exceptions import InvalidTag

    from qlib.crypto.tunnel import _Keys

    shared, th = bytes(range(32)), bytes(range(32, 64))
    client, server = _Keys(shared, th, is_client=True), _Keys(shared, th, is_client=False)
    assert client.send_iv != client.recv_iv and len(client.send_iv) == 12
    assert (client.send_iv, client.recv_iv) == (server.recv_iv, server.send_iv)
    nonce = _Keys.nonce(client.send_iv, 0)
    ct = client.send_aead.encrypt(nonce, b"record", b"aad")
    assert server.recv_aead.decrypt(nonce, ct, b"aad") == b"record"
    for wrong in (client.recv_aead, server.send_aead):  # the other direction's key
        with pytest.raises(InvalidTag):
            wrong.decrypt(nonce, ct, b"aad")
    nonces = {_Keys.nonce(client.send_iv, seq) for seq in (0, 1, 2, 2**32, 2**64 - 1)}
    assert len(nonces) == 5 and _Keys.nonce(client.send_iv, 0) == client.send_iv
    assert _Keys.nonce(client.send_iv, 1) == client.send_iv[:-1] + bytes([client.send_iv[-1] ^ 1])
    other = _Keys(shared, bytes(32), is_client=True)  # another transcript: other keys
    assert other.send_iv != client.send_iv


# --------------------------------------------------------------------------- #
# Refusals: each raises its own error, closes, and delivers nothing
# --------------------------------------------------------------------------- #
def test_wrong_password_refused(server_key, pinned, db):
    with TunnelServer(server_key, password_db=db, timeout=TIMEOUT) as server:
        with pytest.raises(PasswordRejectedError, match="the server refused: authentication failed"):
            tunnel_connect(server.address, pinned, mode="password", username="alice",
                           password="wrong", timeout=TIMEOUT)
        with pytest.raises(PasswordRejectedError, match="authentication failed"):
            tunnel_connect(server.address, pinned, mode="password", username="mallory",
                           password="hunter2", timeout=TIMEOUT)
    assert server.received == [] and server.transcripts == []
    assert [type(e) for e in server.errors] == [PasswordRejectedError, PasswordRejectedError]
    assert "wrong username or password" in str(server.errors[0])


def test_certificate_client_refused_by_password_server(server_key, pinned, db):
    with TunnelServer(server_key, password_db=db, timeout=TIMEOUT) as server:
        with pytest.raises(PeerRefusedError, match="this server requires password mode"):
            tunnel_connect(server.address, pinned, timeout=TIMEOUT)
    assert server.received == []


def test_wrong_server_key_refused(server_key):
    other = generate_server_key().public_key().public_bytes_raw()
    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with pytest.raises(ServerAuthenticationError, match="not the pinned key"):
            tunnel_connect(server.address, other, timeout=TIMEOUT)
    assert server.received == [] and server.transcripts == []
    assert len(server.errors) == 1  # the server saw the client go away mid-handshake


def test_impostor_server_with_stolen_public_key_refused(server_key, pinned):
    """An attacker replaces the signature: the pinned key matches, the signature does not."""
    def forge(direction, index, frame):
        if direction == "s2c" and index == 0:
            frame = frame[:-10] + bytes(10)
        return [frame]

    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, forge, timeout=TIMEOUT) as mitm:
            with pytest.raises(ServerAuthenticationError, match="handshake signature is invalid"):
                tunnel_connect(mitm.address, pinned, timeout=TIMEOUT)
    assert server.received == []


def test_tampered_handshake_refused(server_key, pinned):
    """Changing the client's hybrid share changes the transcript: the signature check fails.

    The bit flipped is in the X25519 half, where any 32 bytes are a valid share: a flip in
    the ML-KEM key can push a coefficient past q, and the server then refuses the key
    outright (FIPS 203's modulus check), which made this test fail now and then."""
    def flip(direction, index, frame):
        if direction == "c2s" and index == 0:
            frame = frame[:-5] + bytes([frame[-5] ^ 1]) + frame[-4:]
        return [frame]

    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, flip, timeout=TIMEOUT) as mitm:
            with pytest.raises(ServerAuthenticationError, match="signature is invalid"):
                tunnel_connect(mitm.address, pinned, timeout=TIMEOUT)
    assert server.received == []


def _run_attack(server_key, pinned, meddle, messages, expected_server_error):
    """Client sends ``messages`` through the attacker; returns what the server delivered."""
    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, meddle, timeout=TIMEOUT) as mitm:
            conn = tunnel_connect(mitm.address, pinned, timeout=TIMEOUT)
            replies, client_error = [], None
            try:
                for msg in messages:
                    conn.send(msg)
                for _ in messages:
                    replies.append(conn.recv())
            except TunnelError as exc:
                client_error = exc
            conn.close()
    assert [type(e) for e in server.errors] == [expected_server_error]
    return server, replies, client_error


def test_tampered_record_refused(server_key, pinned):
    def flip(direction, index, frame):
        if direction == "c2s" and index == 3:  # second data record
            frame = frame[:20] + bytes([frame[20] ^ 0x40]) + frame[21:]
        return [frame]

    server, replies, err = _run_attack(server_key, pinned, flip, [b"one", b"two", b"three"],
                                       TamperedRecordError)
    assert server.received == [b"one"]  # nothing from the tampered record on
    assert replies == [b"ONE"]
    assert isinstance(err, PeerRefusedError) and "record 2 failed authentication" in str(err)
    with pytest.raises(TamperedRecordError, match="record 2 failed authentication"):
        raise server.errors[0]


def test_tampered_sequence_number_refused(server_key, pinned):
    """Rewriting the sequence number in the header is caught by the tag (it is associated data)."""
    def renumber(direction, index, frame):
        if direction == "c2s" and index == 2:
            header = struct.pack(">BQ", frame[4], 7)
            frame = frame[:4] + header + frame[4 + 9:]
        return [frame]

    server, _, _ = _run_attack(server_key, pinned, renumber, [b"one"], TamperedRecordError)
    assert server.received == []


def test_replayed_record_refused(server_key, pinned):
    def replay(direction, index, frame):
        return [frame, frame] if direction == "c2s" and index == 2 else [frame]

    server, _, err = _run_attack(server_key, pinned, replay, [b"pay 100", b"pay 5"], ReplayedRecordError)
    assert server.received == [b"pay 100"]  # the copy is refused, and so is all after it
    with pytest.raises(ReplayedRecordError, match=r"record 1 was already received \(expected 2\)"):
        raise server.errors[0]
    assert "replay refused" in str(err)


def test_reordered_record_refused(server_key, pinned):
    held = []

    def swap(direction, index, frame):
        if direction == "c2s" and index == 2:
            held.append(frame)
            return []
        if direction == "c2s" and index == 3:
            return [frame, held.pop()]
        return [frame]

    server, _, _ = _run_attack(server_key, pinned, swap, [b"first", b"second"], ReorderedRecordError)
    assert server.received == []
    with pytest.raises(ReorderedRecordError, match="record 2 arrived before record 1"):
        raise server.errors[0]


def test_dropped_record_refused(server_key, pinned):
    def drop(direction, index, frame):
        return [] if direction == "c2s" and index == 2 else [frame]

    server, _, _ = _run_attack(server_key, pinned, drop, [b"a", b"b"], ReorderedRecordError)
    assert server.received == []


def test_cut_stream_is_not_a_clean_close(server_key, pinned):
    """An attacker cutting the connection after the handshake: ConnectionClosedError, not end-of-data."""
    def cut(direction, index, frame):
        return None if direction == "c2s" and index == 2 else [frame]

    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, cut, timeout=TIMEOUT) as mitm:
            conn = tunnel_connect(mitm.address, pinned, timeout=TIMEOUT)
            conn.send(b"a")
            with pytest.raises(ConnectionClosedError, match="without the peer's Close record"):
                conn.recv()
    assert server.received == []
    assert [type(e) for e in server.errors] == [ConnectionClosedError]


@pytest.mark.parametrize("where, server_error", [
    ("client hello", TruncatedHandshakeError),     # half a ClientHello, then cut
    ("server hello", TruncatedHandshakeError),     # half a ServerHello, then cut
    ("server finished", ConnectionClosedError),    # the server's Finished never arrives
])
def test_truncated_handshake_refused(server_key, pinned, where, server_error):
    def truncate(direction, index, frame):
        if where == "client hello" and (direction, index) == ("c2s", 0):
            return [frame[: len(frame) // 2], None]
        if where == "server hello" and (direction, index) == ("s2c", 0):
            return [frame[: len(frame) // 2], None]
        if where == "server finished" and (direction, index) == ("s2c", 1):
            return None
        return [frame]

    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with LoopbackAttacker(server.address, truncate, timeout=TIMEOUT) as mitm:
            with pytest.raises(TruncatedHandshakeError, match="inside the handshake|before a complete"):
                tunnel_connect(mitm.address, pinned, timeout=TIMEOUT)
    assert server.received == []
    assert [type(e) for e in server.errors] == [server_error]


def test_silent_peer_times_out(server_key, pinned):
    """A 'server' that accepts and says nothing: the client gives up after its timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    t = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    t.start()
    try:
        with pytest.raises(TunnelTimeoutError, match="no data from the peer for 0.2 s"):
            tunnel_connect(listener.getsockname(), pinned, timeout=0.2)
    finally:
        t.join(TIMEOUT)
        for s in accepted:
            s.close()
        listener.close()


def test_send_after_refusal_is_refused(server_key, pinned):
    other = generate_server_key().public_key().public_bytes_raw()
    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        conn = tunnel_connect(server.address, pinned, timeout=TIMEOUT)
        conn.close()
        with pytest.raises(ConnectionClosedError, match="the tunnel is closed"):
            conn.send(b"late")
        with pytest.raises(ServerAuthenticationError):
            tunnel_connect(server.address, other, timeout=TIMEOUT)
    assert server.received == []


# --------------------------------------------------------------------------- #
# Password database
# --------------------------------------------------------------------------- #
def test_password_database_stores_no_plain_password():
    db = PasswordDatabase(**FAST_SCRYPT)
    db.add("alice", "same password")
    db.add("bob", "same password")
    entries = db.entries()
    assert set(entries) == {"alice", "bob"}
    (salt_a, hash_a), (salt_b, hash_b) = entries["alice"], entries["bob"]
    assert len(salt_a) == 16 and len(hash_a) == 32
    assert salt_a != salt_b and hash_a != hash_b  # salted: equal passwords, unrelated entries
    blob = b"".join(s + h for s, h in entries.values()) + repr(db).encode() + repr(vars(db)).encode()
    assert b"same password" not in blob
    assert db.verify("alice", "same password") and db.verify("bob", "same password")
    assert not db.verify("alice", "Same password") and not db.verify("carol", "same password")
    assert not db.verify("alice", "")


def test_password_database_uses_scrypt():
    """The stored hash is scrypt(password, salt) with the stated parameters (RFC 7914)."""
    import hashlib

    db = PasswordDatabase(n=2**10, r=8, p=1)
    db.add("alice", "pw")
    salt, stored = db.entries()["alice"]
    assert stored == hashlib.scrypt(b"pw", salt=salt, n=2**10, r=8, p=1, dklen=32)


def test_password_database_bad_input():
    with pytest.raises(ValueError, match="n must be a power of two, got 1000"):
        PasswordDatabase(n=1000)
    db = PasswordDatabase(**FAST_SCRYPT)
    with pytest.raises(ValueError, match="username must be a non-empty str, got ''"):
        db.add("", "pw")
    with pytest.raises(ValueError, match="password must be a non-empty str"):
        db.add("alice", "")
    with pytest.raises(ValueError, match="password must be at most 1024 bytes"):
        db.add("alice", "x" * 2000)
    with pytest.raises(TypeError, match="username must be a str, got b'alice' of type bytes"):
        db.add(b"alice", "pw")
    with pytest.raises(TypeError, match="password must be a str, got an object of type int"):
        db.add("alice", 1234)
    with pytest.raises(TypeError, match="username must be a str, got None of type NoneType"):
        db.verify(None, "pw")
    assert not db.verify("", "pw") and not db.verify("alice", "")  # empty: no match, no error
    with pytest.raises(ValueError, match=r"n must be at most 2\*\*20 = 1048576, got 1099511627776"):
        PasswordDatabase(n=2**40)
    with pytest.raises(ValueError, match=r"memory 128 \* n \* r within 1 GiB, got n=1048576, r=16"):
        PasswordDatabase(n=2**20, r=16)
    with pytest.raises(TypeError, match="n must be an integer, got 16384.0"):
        PasswordDatabase(n=2.0**14)
    PasswordDatabase(n=2**20, r=8)  # the largest accepted cost: 1 GiB per hash


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #
def test_bad_records(server_key, pinned):
    with TunnelServer(server_key, timeout=TIMEOUT) as server:
        with tunnel_connect(server.address, pinned, timeout=TIMEOUT) as conn:
            with pytest.raises(ValueError, match=r"data must be 1 to 16384 bytes, got 0 bytes"):
                conn.send(b"")
            with pytest.raises(ValueError, match=r"data must be 1 to 16384 bytes, got 16385 bytes"):
                conn.send(bytes(MAX_RECORD_BYTES + 1))
            with pytest.raises(TypeError, match="data must be bytes, got str"):
                conn.send("text")
            conn.send(b"still fine")  # refused input did not break the tunnel
            assert conn.recv() == b"STILL FINE"
    assert server.received == [b"still fine"]


def test_oversized_frame_refused(server_key, pinned):
    def inflate(direction, index, frame):
        if direction == "c2s" and index == 2:
            return [struct.pack(">I", 10**7) + frame[4:]]
        return [frame]

    server, _, _ = _run_attack(server_key, pinned, inflate, [b"x"], ProtocolError)
    assert server.received == []
    assert "frame length must be 1 to" in str(server.errors[0])


def test_connect_bad_arguments(server_key, pinned):
    addr = ("127.0.0.1", 9)
    with pytest.raises(ValueError, match="server_public_key must be 1952 bytes \\(ML-DSA-65\\), got 1312 bytes"):
        tunnel_connect(addr, bytes(1312))
    with pytest.raises(TypeError, match="server_public_key must be bytes, got str"):
        tunnel_connect(addr, "key")
    with pytest.raises(ValueError, match="mode must be one of certificate, password; got 'psk'"):
        tunnel_connect(addr, pinned, mode="psk")
    with pytest.raises(TypeError, match="username must be a str, got None"):
        tunnel_connect(addr, pinned, mode="password")
    with pytest.raises(ValueError, match="only used in password mode"):
        tunnel_connect(addr, pinned, username="alice", password="pw")
    with pytest.raises(ValueError, match="address host must be '127.0.0.1' \\(loopback only\\), got '10.0.0.1'"):
        tunnel_connect(("10.0.0.1", 443), pinned)
    with pytest.raises(ValueError, match="timeout must be"):
        tunnel_connect(addr, pinned, timeout=0)
    with pytest.raises(TypeError, match="signing_key must be an ML-DSA-65 private key"):
        TunnelServer(b"key")
    with pytest.raises(TypeError, match="password_db must be a PasswordDatabase"):
        TunnelServer(server_key, password_db={"alice": "pw"})
    with pytest.raises(TypeError, match=r"handler must be callable as handler\(conn, server\) or None, got str"):
        TunnelServer(server_key, handler="echo")
    with pytest.raises(TypeError, match=r"meddle must be callable as meddle\(direction, index, frame\) or None, "
                                        r"got list"):
        LoopbackAttacker(addr, meddle=[])


def test_connect_to_nothing_is_a_tunnel_error(pinned):
    """Nothing listens on the port: a TunnelConnectError (a TunnelError), not ConnectionRefusedError."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # the port was free a moment ago and nothing listens on it now
    with pytest.raises(TunnelConnectError, match=f"cannot connect to 127.0.0.1:{port}"):
        tunnel_connect(("127.0.0.1", port), pinned, timeout=TIMEOUT)
