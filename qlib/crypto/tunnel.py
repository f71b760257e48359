r"""A small post-quantum tunnel over a real loopback socket.

A server and a client, each in its own thread, run a handshake with the hybrid
key exchange of :mod:`qlib.crypto.pqc` (X25519 + ML-KEM-768), authenticate it, and
then exchange encrypted, authenticated, sequence-numbered records (AES-256-GCM).
All cryptography comes from the ``cryptography`` package; this module only
frames bytes and checks them.

Wire format
-----------
Every message is a *frame*: a 4-byte big-endian length, then that many bytes.

Handshake (plain frames, first byte the message type)::

    ClientHello  0x01 | version 0x01 | mode (0x01 certificate, 0x02 password)
                 | client nonce (32) | hybrid public key (1216)
    ServerHello  0x02 | server nonce (32) | hybrid ciphertext (1120)
                 | ML-DSA-65 public key (1952) | signature (3309)
    Alert        0x15 | UTF-8 reason           (refusal before keys exist)

The server signs ``SHA-256(ClientHello || ServerHello without its signature)``
with ML-DSA-65 (context ``b"qlib-tunnel-v1"``); the client checks the presented
key against its *pinned* key and then the signature. Both sides then derive,
with HKDF-SHA256 from the hybrid key and that transcript hash, one
AES-256-GCM key and one 12-byte IV per direction.

Records (after the handshake)::

    type (1) | sequence number (8, big-endian) | AES-256-GCM ciphertext + 16-byte tag

with nonce = IV XOR sequence number and associated data = type || sequence
number, so a record cannot be moved to another position or retyped without
failing authentication. Record types: ``FINISHED`` (key confirmation: the
transcript hash), ``AUTH`` (username and password, password mode only),
``DATA``, ``ALERT`` and ``CLOSE``. Each direction numbers its records from 0.

Modes
-----
``"certificate"``: the server proves its identity with its ML-DSA-65 key; the
client is anonymous. ``"password"``: the same, and in addition the client sends
a username and password, only inside the encrypted channel, which the server
checks against a :class:`PasswordDatabase` of scrypt hashes. (As with a VPN's
username/password setting, the client still pins the server's key: sending a
password to an unauthenticated server would hand it to any impostor.)

Refusals
--------
Every refusal raises a subclass of :class:`TunnelError` and closes the
connection; a record is delivered only whole and only after its tag verified,
and nothing after a refusal is delivered.

=============================  =============================================
:class:`ServerAuthenticationError`  presented key not the pinned one, or bad signature
:class:`PasswordRejectedError`  wrong username or password (password mode)
:class:`TamperedRecordError`    a record's authentication tag does not verify
:class:`ReplayedRecordError`    a record with an already-used sequence number
:class:`ReorderedRecordError`   a record ahead of the expected sequence number
:class:`TruncatedHandshakeError`  the stream ends (or is cut) inside the handshake
:class:`ConnectionClosedError`  the stream ends without a CLOSE record
:class:`ProtocolError`          a malformed or unexpected message
:class:`TunnelTimeoutError`     the peer went silent longer than the timeout
:class:`PeerRefusedError`       the peer refused what this side sent (its Alert)
:class:`TunnelConnectError`     no TCP connection to the server (refused, unreachable)
=============================  =============================================

Everything binds to 127.0.0.1 on a free port, with socket timeouts, so nothing
can hang. Introduced in the chapter *Post-quantum vs quantum cryptography*.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .._validation import check_int, check_positive
from .sizes import ML_DSA_SIZES, ML_KEM_SIZES, X25519_BYTES
from .pqc import (
    HYBRID_CIPHERTEXT_BYTES,
    HYBRID_PUBLIC_KEY_BYTES,
    HybridPrivateKey,
    hybrid_decapsulate,
    hybrid_encapsulate,
    hybrid_keygen,
    require_pqc,
)

__all__ = [
    "TunnelError",
    "ProtocolError",
    "TruncatedHandshakeError",
    "ServerAuthenticationError",
    "PasswordRejectedError",
    "TamperedRecordError",
    "RecordSequenceError",
    "ReplayedRecordError",
    "ReorderedRecordError",
    "ConnectionClosedError",
    "TunnelTimeoutError",
    "PeerRefusedError",
    "TunnelConnectError",
    "MAX_RECORD_BYTES",
    "PasswordDatabase",
    "HandshakeMessage",
    "Transcript",
    "TunnelConnection",
    "TunnelServer",
    "tunnel_connect",
    "generate_server_key",
    "LoopbackAttacker",
]


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #
class TunnelError(Exception):
    """Base class of every refusal by the tunnel; the connection is closed."""


class ProtocolError(TunnelError):
    """A malformed, oversized or unexpected message."""


class TruncatedHandshakeError(TunnelError):
    """The stream ended, or was cut, before the handshake completed."""


class ServerAuthenticationError(TunnelError):
    """The server's key is not the pinned one, or its handshake signature is invalid."""


class PasswordRejectedError(TunnelError):
    """Password mode: the username or password is wrong (not said which)."""


class TamperedRecordError(TunnelError):
    """A record failed AES-GCM authentication (modified, or under another key)."""


class RecordSequenceError(TunnelError):
    """A record arrived out of sequence."""


class ReplayedRecordError(RecordSequenceError):
    """A record carries a sequence number already received."""


class ReorderedRecordError(RecordSequenceError):
    """A record carries a sequence number ahead of the expected one."""


class ConnectionClosedError(TunnelError):
    """The stream ended without the peer's CLOSE record (possibly cut by an attacker)."""


class TunnelTimeoutError(TunnelError):
    """The peer sent nothing for longer than the timeout."""


class PeerRefusedError(TunnelError):
    """The peer refused something this side sent, and said why in an Alert."""


class TunnelConnectError(TunnelError):
    """No TCP connection to the server could be made (refused, unreachable)."""


# --------------------------------------------------------------------------- #
# Constants of the format
# --------------------------------------------------------------------------- #
#: Largest plaintext of one record, bytes (as TLS: 2**14).
MAX_RECORD_BYTES = 2**14
_MAX_FRAME = MAX_RECORD_BYTES + 64  # a full record (2**14 + 25 bytes); handshake frames ~6.4 kB
_VERSION = 1
_MODES = {"certificate": 1, "password": 2}
_CLIENT_HELLO, _SERVER_HELLO, _PLAIN_ALERT = 0x01, 0x02, 0x15
_R_FINISHED, _R_AUTH, _R_DATA, _R_ALERT, _R_CLOSE = 0x14, 0x16, 0x17, 0x15, 0x00
_RECORD_NAMES = {_R_FINISHED: "Finished", _R_AUTH: "Auth", _R_DATA: "Data",
                 _R_ALERT: "Alert", _R_CLOSE: "Close"}
_NONCE = 32
_SIG_CONTEXT = b"qlib-tunnel-v1"
_MLDSA65_PK, _MLDSA65_SIG = ML_DSA_SIZES["ML-DSA-65"].public_key, ML_DSA_SIZES["ML-DSA-65"].signature
_HEADER = struct.Struct(">BQ")
_TAG = 16
_SCRYPT_MAX_N = 2**20          # RFC 7914's authors' setting for file encryption
_SCRYPT_MAX_MEMORY = 2**30     # bytes: 128 * n * r


def _frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


def generate_server_key():
    """A fresh ML-DSA-65 signing key for a :class:`TunnelServer`.

    Its ``public_key().public_bytes_raw()`` (1952 bytes) is what clients pin.

    Examples
    --------
    >>> len(generate_server_key().public_key().public_bytes_raw())
    1952
    """
    require_pqc()
    return mldsa.MLDSA65PrivateKey.generate()


# --------------------------------------------------------------------------- #
# Passwords
# --------------------------------------------------------------------------- #
class PasswordDatabase:
    r"""Server-side usernames with salted scrypt hashes; no password is stored.

    Parameters
    ----------
    n, r, p : int
        scrypt cost parameters (``n`` a power of two in [2, 2**20]; defaults
        2**14, 8, 1, the interactive-login setting of RFC 7914's authors).
        scrypt needs ``128 * n * r`` bytes of memory per hash, which must not
        exceed 1 GiB.

    Raises
    ------
    TypeError, ValueError
        On cost parameters that are not integers, out of range, or too costly.

    Notes
    -----
    Each entry is ``(salt, scrypt(password, salt))`` with a fresh 16-byte salt,
    so two users with one password have unrelated entries. Verification of an
    unknown user still runs scrypt, so timing does not reveal which usernames
    exist; the hash comparison is constant-time. Introduced in the chapter
    *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> db = PasswordDatabase(n=2**10)
    >>> db.add("alice", "correct horse")
    >>> db.verify("alice", "correct horse"), db.verify("alice", "wrong")
    (True, False)
    """

    def __init__(self, *, n: int = 2**14, r: int = 8, p: int = 1):
        n = check_int("n", n, minimum=2)
        if n & (n - 1):
            raise ValueError(f"n must be a power of two, got {n}")
        if n > _SCRYPT_MAX_N:
            raise ValueError(f"n must be at most 2**20 = {_SCRYPT_MAX_N}, got {n}")
        r, p = check_int("r", r, minimum=1), check_int("p", p, minimum=1)
        if 128 * n * r > _SCRYPT_MAX_MEMORY:
            raise ValueError(f"n and r must keep scrypt's memory 128 * n * r within 1 GiB, "
                             f"got n={n}, r={r} ({128 * n * r} bytes)")
        self._n, self._r, self._p = n, r, p
        self._entries: dict[str, tuple[bytes, bytes]] = {}
        self._lock = threading.Lock()

    def _hash(self, password: bytes, salt: bytes) -> bytes:
        return Scrypt(salt=salt, length=32, n=self._n, r=self._r, p=self._p).derive(password)

    @staticmethod
    def _check(username, password):
        if not isinstance(username, str):
            raise TypeError(f"username must be a str, got {username!r} of type {type(username).__name__}")
        if not username:
            raise ValueError(f"username must be a non-empty str, got {username!r}")
        if len(username.encode()) > 255:
            raise ValueError(f"username must be at most 255 bytes in UTF-8, got {len(username.encode())}")
        if not isinstance(password, str):
            raise TypeError(f"password must be a str, got an object of type {type(password).__name__}")
        if not password:
            raise ValueError("password must be a non-empty str")
        if len(password.encode()) > 1024:
            raise ValueError(f"password must be at most 1024 bytes in UTF-8, got {len(password.encode())}")

    def add(self, username: str, password: str) -> None:
        """Store ``username`` with a salted scrypt hash of ``password`` (replacing any entry)."""
        self._check(username, password)
        salt = os.urandom(16)
        entry = (salt, self._hash(password.encode(), salt))
        with self._lock:
            self._entries[username] = entry

    def verify(self, username: str, password: str) -> bool:
        """Whether ``password`` is ``username``'s (``False`` for unknown users).

        An empty or over-long username or password is simply not a match
        (``False``); a value that is not a ``str`` raises ``TypeError``.
        """
        try:
            self._check(username, password)
        except ValueError:
            return False
        with self._lock:
            entry = self._entries.get(username)
        salt, stored = entry if entry is not None else (b"\0" * 16, b"\0" * 32)
        candidate = self._hash(password.encode(), salt)
        return entry is not None and hmac.compare_digest(candidate, stored)

    def entries(self) -> dict[str, tuple[bytes, bytes]]:
        """A copy of what is stored: ``{username: (salt, hash)}``."""
        with self._lock:
            return dict(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        users = "1 user" if len(self) == 1 else f"{len(self)} users"
        return f"PasswordDatabase({users}, scrypt n={self._n}, r={self._r}, p={self._p})"


# --------------------------------------------------------------------------- #
# Transcript
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class HandshakeMessage:
    """One handshake message as it crossed the wire.

    Attributes
    ----------
    sender : {"client", "server"}
    name : str
        ``"ClientHello"``, ``"ServerHello"``, ``"Finished"``, ``"Auth"``...
    wire_bytes : int
        Bytes on the wire, the 4-byte frame length included.
    parts : tuple of (str, int)
        What the message carries, with sizes in bytes.
    """

    sender: str
    name: str
    wire_bytes: int
    parts: tuple[tuple[str, int], ...] = ()


@dataclass
class Transcript:
    """The handshake of one connection, message by message.

    Attributes
    ----------
    mode : str
    messages : list of HandshakeMessage
    """

    mode: str
    messages: list[HandshakeMessage] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """Bytes the whole handshake put on the wire (both directions)."""
        return sum(m.wire_bytes for m in self.messages)

    def rows(self) -> list[tuple[str, str, int]]:
        """``(sender, name, wire_bytes)`` per message, for a table."""
        return [(m.sender, m.name, m.wire_bytes) for m in self.messages]


# --------------------------------------------------------------------------- #
# One connection (either side)
# --------------------------------------------------------------------------- #
def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        try:
            chunk = sock.recv(n - len(buf))
        except TimeoutError:
            raise TunnelTimeoutError(f"no data from the peer for {sock.gettimeout()} s") from None
        except OSError as exc:
            raise ConnectionClosedError(f"socket error: {exc}") from None
        if not chunk:
            raise EOFError(len(buf))
        buf += chunk
    return bytes(buf)


def _read_frame(sock: socket.socket) -> bytes:
    """One frame body; EOFError if the stream ends inside or before it."""
    (length,) = struct.unpack(">I", _recv_exact(sock, 4))
    if length > _MAX_FRAME or length == 0:
        raise ProtocolError(f"frame length must be 1 to {_MAX_FRAME} bytes, got {length}")
    return _recv_exact(sock, length)


class _Keys:
    def __init__(self, shared: bytes, transcript_hash: bytes, is_client: bool):
        okm = HKDF(algorithm=hashes.SHA256(), length=2 * (32 + 12), salt=transcript_hash,
                   info=b"qlib-tunnel-v1 record keys").derive(shared)
        c_key, c_iv, s_key, s_iv = okm[:32], okm[32:44], okm[44:76], okm[76:88]
        send_key, send_iv, recv_key, recv_iv = (
            (c_key, c_iv, s_key, s_iv) if is_client else (s_key, s_iv, c_key, c_iv))
        self.send_aead, self.send_iv = AESGCM(send_key), send_iv
        self.recv_aead, self.recv_iv = AESGCM(recv_key), recv_iv

    @staticmethod
    def nonce(iv: bytes, seq: int) -> bytes:
        return bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))


class TunnelConnection:
    """One end of an established tunnel: ``send``, ``recv``, ``close``.

    Not created directly: :func:`tunnel_connect` returns the client's end and
    a :class:`TunnelServer` hands the server's end to its handler.

    Attributes
    ----------
    transcript : Transcript
        The handshake as seen by this end.
    role : {"client", "server"}
    username : str or None
        Password mode, server side: the authenticated user.
    closed : bool
    """

    def __init__(self, sock: socket.socket, role: str, transcript: Transcript):
        self._sock = sock
        self.role = role
        self.transcript = transcript
        self.username: str | None = None
        self._keys: _Keys | None = None
        self._send_seq = 0
        self._recv_seq = 0
        self._send_lock = threading.Lock()
        self.closed = False
        self._peer_closed = False

    # -- low level ---------------------------------------------------------
    def _fail(self, exc: TunnelError, alert: str | None = None):
        """Tell the peer why (encrypted, once keys exist), close, and raise ``exc``."""
        if self._keys is not None and not self.closed and not isinstance(exc, PeerRefusedError):
            try:
                self._send_record(_R_ALERT, (alert or str(exc)).encode()[:512])
            except TunnelError:
                pass
        self._shutdown()
        raise exc

    def _shutdown(self):
        if not self.closed:
            self.closed = True
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()

    def _send_record(self, rtype: int, payload: bytes) -> int:
        with self._send_lock:
            if self.closed:
                raise ConnectionClosedError("the tunnel is closed")
            header = _HEADER.pack(rtype, self._send_seq)
            ct = self._keys.send_aead.encrypt(_Keys.nonce(self._keys.send_iv, self._send_seq), payload, header)
            frame = _frame(header + ct)
            try:
                self._sock.sendall(frame)
            except OSError as exc:
                self._shutdown()
                raise ConnectionClosedError(f"cannot send: {exc}") from None
            self._send_seq += 1
            return len(frame)

    def _recv_record(self, *, handshake: bool = False) -> tuple[int, bytes]:
        if self.closed:
            raise ConnectionClosedError("the tunnel is closed")
        try:
            body = _read_frame(self._sock)
        except EOFError:
            cls = TruncatedHandshakeError if handshake else ConnectionClosedError
            self._fail(cls("the stream ended " + ("inside the handshake" if handshake
                                                  else "without the peer's Close record")))
        except TunnelError as exc:
            self._fail(exc)
        if len(body) < _HEADER.size + _TAG:
            self._fail(ProtocolError(f"record of {len(body)} bytes is shorter than header and tag"))
        header, ct = body[:_HEADER.size], body[_HEADER.size:]
        rtype, seq = _HEADER.unpack(header)
        try:
            payload = self._keys.recv_aead.decrypt(_Keys.nonce(self._keys.recv_iv, seq), ct, header)
        except InvalidTag:
            self._fail(TamperedRecordError(
                f"record {seq} failed authentication (modified in transit, or not from this peer)"))
        if seq < self._recv_seq:
            self._fail(ReplayedRecordError(
                f"record {seq} was already received (expected {self._recv_seq}): replay refused"))
        if seq > self._recv_seq:
            self._fail(ReorderedRecordError(
                f"record {seq} arrived before record {self._recv_seq}: reordering refused"))
        self._recv_seq += 1
        return rtype, payload

    # -- public ------------------------------------------------------------
    def send(self, data: bytes) -> int:
        """Encrypt and send one record; returns the bytes put on the wire.

        Raises
        ------
        TypeError, ValueError
            If ``data`` is not bytes, or is empty or longer than
            :data:`MAX_RECORD_BYTES`.
        ConnectionClosedError
            If the tunnel is closed.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data must be bytes, got {type(data).__name__}")
        data = bytes(data)
        if not 1 <= len(data) <= MAX_RECORD_BYTES:
            raise ValueError(f"data must be 1 to {MAX_RECORD_BYTES} bytes, got {len(data)} bytes")
        return self._send_record(_R_DATA, data)

    def recv(self) -> bytes | None:
        """The next record's plaintext, whole and authenticated; ``None`` after the peer's Close.

        Raises
        ------
        TunnelError
            A subclass naming the refusal (tampered, replayed, reordered, cut
            stream, timeout); the connection is then closed.
        """
        if self._peer_closed:
            return None
        rtype, payload = self._recv_record()
        if rtype == _R_DATA:
            return payload
        if rtype == _R_CLOSE:
            self._peer_closed = True
            self._shutdown()
            return None
        if rtype == _R_ALERT:
            self._fail(PeerRefusedError(f"the peer refused: {payload.decode(errors='replace')}"))
        self._fail(ProtocolError(f"unexpected record type {rtype:#04x} after the handshake"))

    def __iter__(self):
        while (msg := self.recv()) is not None:
            yield msg

    def close(self) -> None:
        """Send a Close record (if still open) and close the socket."""
        if not self.closed:
            try:
                self._send_record(_R_CLOSE, b"close")
            except TunnelError:
                pass
            self._shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- #
# Handshake
# --------------------------------------------------------------------------- #
def _transcript_hash(client_hello: bytes, server_hello_unsigned: bytes) -> bytes:
    return hashlib.sha256(client_hello + server_hello_unsigned).digest()


def _client_handshake(sock, server_public_key: bytes, mode: str, username, password) -> TunnelConnection:
    tr = Transcript(mode)
    conn = TunnelConnection(sock, "client", tr)
    hybrid: HybridPrivateKey = hybrid_keygen()
    nonce = os.urandom(_NONCE)
    hello = bytes([_CLIENT_HELLO, _VERSION, _MODES[mode]]) + nonce + hybrid.public_bytes
    try:
        sock.sendall(_frame(hello))
    except OSError as exc:
        conn._fail(TruncatedHandshakeError(f"cannot send ClientHello: {exc}"))
    tr.messages.append(HandshakeMessage("client", "ClientHello", 4 + len(hello), (
        ("type, version, mode", 3), ("client nonce", _NONCE),
        ("ML-KEM-768 encapsulation key", ML_KEM_SIZES["ML-KEM-768"].encapsulation_key),
        ("X25519 share", X25519_BYTES))))
    try:
        sh = _read_frame(sock)
    except EOFError:
        conn._fail(TruncatedHandshakeError("the stream ended before a complete ServerHello"))
    except TunnelError as exc:
        conn._fail(exc)
    if sh[0] == _PLAIN_ALERT:
        conn._fail(PeerRefusedError(f"the server refused: {sh[1:].decode(errors='replace')}"))
    expected = 1 + _NONCE + HYBRID_CIPHERTEXT_BYTES + _MLDSA65_PK + _MLDSA65_SIG
    if sh[0] != _SERVER_HELLO or len(sh) != expected:
        conn._fail(ProtocolError(f"expected a ServerHello of {expected} bytes, got type {sh[0]:#04x}, "
                                 f"{len(sh)} bytes"))
    tr.messages.append(HandshakeMessage("server", "ServerHello", 4 + len(sh), (
        ("type", 1), ("server nonce", _NONCE), ("ML-KEM-768 ciphertext", ML_KEM_SIZES["ML-KEM-768"].ciphertext),
        ("X25519 share", X25519_BYTES),
        ("ML-DSA-65 public key", _MLDSA65_PK), ("ML-DSA-65 signature", _MLDSA65_SIG))))
    unsigned, signature = sh[:-_MLDSA65_SIG], sh[-_MLDSA65_SIG:]
    ct = unsigned[1 + _NONCE:1 + _NONCE + HYBRID_CIPHERTEXT_BYTES]
    presented = unsigned[1 + _NONCE + HYBRID_CIPHERTEXT_BYTES:]
    if not hmac.compare_digest(presented, server_public_key):
        conn._fail(ServerAuthenticationError(
            "the server presented an ML-DSA-65 key that is not the pinned key"))
    th = _transcript_hash(hello, unsigned)
    pub = mldsa.MLDSA65PublicKey.from_public_bytes(server_public_key)
    try:
        pub.verify(signature, th, _SIG_CONTEXT)
    except InvalidSignature:
        conn._fail(ServerAuthenticationError("the server's handshake signature is invalid"))
    try:
        shared = hybrid_decapsulate(hybrid, ct, info=hashlib.sha256(hello).digest())
    except ValueError as exc:
        conn._fail(ProtocolError(f"bad hybrid ciphertext: {exc}"))
    conn._keys = _Keys(shared, th, is_client=True)
    if mode == "password":
        u, p = username.encode(), password.encode()
        payload = bytes([len(u)]) + u + struct.pack(">H", len(p)) + p
        n = conn._send_record(_R_AUTH, payload)
        tr.messages.append(HandshakeMessage("client", "Auth (encrypted)", n, (
            ("record header", _HEADER.size), ("username and password", len(payload)), ("tag", _TAG))))
    else:
        n = conn._send_record(_R_FINISHED, th)
        tr.messages.append(HandshakeMessage("client", "Finished (encrypted)", n, (
            ("record header", _HEADER.size), ("transcript hash", 32), ("tag", _TAG))))
    rtype, payload = conn._recv_record(handshake=True)
    if rtype == _R_ALERT:
        reason = payload.decode(errors="replace")
        cls = PasswordRejectedError if mode == "password" else PeerRefusedError
        conn._fail(cls(f"the server refused: {reason}"))
    if rtype != _R_FINISHED or not hmac.compare_digest(payload, th):
        conn._fail(ProtocolError("expected the server's Finished record with the transcript hash"))
    tr.messages.append(HandshakeMessage("server", "Finished (encrypted)", 4 + _HEADER.size + 32 + _TAG, (
        ("record header", _HEADER.size), ("transcript hash", 32), ("tag", _TAG))))
    return conn


def _server_handshake(sock, signing_key, password_db) -> TunnelConnection:
    tr = Transcript("password" if password_db is not None else "certificate")
    conn = TunnelConnection(sock, "server", tr)

    def alert(reason):
        try:
            sock.sendall(_frame(bytes([_PLAIN_ALERT]) + reason.encode()))
        except OSError:
            pass

    try:
        hello = _read_frame(sock)
    except EOFError:
        conn._fail(TruncatedHandshakeError("the stream ended before a complete ClientHello"))
    except TunnelError as exc:
        conn._fail(exc)
    expected = 3 + _NONCE + HYBRID_PUBLIC_KEY_BYTES
    if hello[0] != _CLIENT_HELLO or len(hello) != expected or hello[1] != _VERSION:
        alert("malformed ClientHello")
        conn._fail(ProtocolError(f"expected a ClientHello of {expected} bytes, got type {hello[0]:#04x}, "
                                 f"{len(hello)} bytes"))
    mode = {v: k for k, v in _MODES.items()}.get(hello[2])
    if mode != tr.mode:
        alert(f"this server requires {tr.mode} mode")
        conn._fail(ProtocolError(f"the client asked for mode byte {hello[2]}; this server requires {tr.mode}"))
    tr.messages.append(HandshakeMessage("client", "ClientHello", 4 + len(hello)))
    server_nonce = os.urandom(_NONCE)
    pk = signing_key.public_key().public_bytes_raw()
    try:
        # The hybrid key is bound to the ClientHello here, and to the whole
        # transcript by the record-key derivation (_Keys) below.
        shared, ct = hybrid_encapsulate(hello[3 + _NONCE:], info=hashlib.sha256(hello).digest())
    except ValueError as exc:
        alert("bad hybrid public key")
        conn._fail(ProtocolError(f"bad hybrid public key: {exc}"))
    unsigned = bytes([_SERVER_HELLO]) + server_nonce + ct + pk
    th = _transcript_hash(hello, unsigned)
    signature = signing_key.sign(th, _SIG_CONTEXT)
    sh = unsigned + signature
    try:
        sock.sendall(_frame(sh))
    except OSError as exc:
        conn._fail(TruncatedHandshakeError(f"cannot send ServerHello: {exc}"))
    tr.messages.append(HandshakeMessage("server", "ServerHello", 4 + len(sh)))
    conn._keys = _Keys(shared, th, is_client=False)
    rtype, payload = conn._recv_record(handshake=True)
    if tr.mode == "password":
        if rtype != _R_AUTH:
            conn._fail(ProtocolError(f"expected the client's Auth record, got type {rtype:#04x}"))
        try:
            ulen = payload[0]
            username = payload[1:1 + ulen].decode()
            (plen,) = struct.unpack(">H", payload[1 + ulen:3 + ulen])
            password = payload[3 + ulen:3 + ulen + plen].decode()
            if len(payload) != 3 + ulen + plen:
                raise ValueError("trailing bytes")
        except (IndexError, struct.error, UnicodeDecodeError, ValueError):
            conn._fail(ProtocolError("malformed Auth record"))
        tr.messages.append(HandshakeMessage("client", "Auth (encrypted)", 4 + _HEADER.size + len(payload) + _TAG))
        if not password_db.verify(username, password):
            conn._fail(PasswordRejectedError(f"wrong username or password (user {username!r})"),
                       alert="authentication failed")
        conn.username = username
    else:
        if rtype != _R_FINISHED or not hmac.compare_digest(payload, th):
            conn._fail(ProtocolError("expected the client's Finished record with the transcript hash"))
        tr.messages.append(HandshakeMessage("client", "Finished (encrypted)", 4 + _HEADER.size + 32 + _TAG))
    n = conn._send_record(_R_FINISHED, th)
    tr.messages.append(HandshakeMessage("server", "Finished (encrypted)", n))
    return conn


def tunnel_connect(address: tuple[str, int], server_public_key: bytes, *, mode: str = "certificate",
                   username: str | None = None, password: str | None = None,
                   timeout: float = 5.0) -> TunnelConnection:
    """Connect to a :class:`TunnelServer` and run the handshake (the client's side).

    Parameters
    ----------
    address : (str, int)
        ``server.address``; the host must be ``"127.0.0.1"`` (loopback only).
    server_public_key : bytes
        The pinned ML-DSA-65 public key of the server (1952 bytes).
    mode : {"certificate", "password"}
    username, password : str
        Required in password mode, refused otherwise.
    timeout : float
        Seconds any socket operation may wait (> 0).

    Returns
    -------
    TunnelConnection
        With ``transcript`` filled in.

    Raises
    ------
    ValueError, TypeError
        On bad arguments (wrong key size, unknown mode, missing password...).
    TunnelError
        A subclass naming the refusal: :class:`ServerAuthenticationError`,
        :class:`PasswordRejectedError`, :class:`TruncatedHandshakeError`...;
        :class:`TunnelConnectError` if no TCP connection can be made (nothing
        listens there), :class:`TunnelTimeoutError` if it takes too long.

    Examples
    --------
    >>> key = generate_server_key()
    >>> with TunnelServer(key) as server:
    ...     with tunnel_connect(server.address, key.public_key().public_bytes_raw()) as conn:
    ...         _ = conn.send(b"hello")
    ...         reply = conn.recv()
    >>> reply
    b'HELLO'
    """
    require_pqc()
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"mode must be one of {', '.join(_MODES)}; got {mode!r}")
    if not isinstance(server_public_key, bytes | bytearray):
        raise TypeError(f"server_public_key must be bytes, got {type(server_public_key).__name__}")
    server_public_key = bytes(server_public_key)
    if len(server_public_key) != _MLDSA65_PK:
        raise ValueError(f"server_public_key must be {_MLDSA65_PK} bytes (ML-DSA-65), "
                         f"got {len(server_public_key)} bytes")
    if mode == "password":
        PasswordDatabase._check(username, password)
    elif username is not None or password is not None:
        raise ValueError("username and password are only used in password mode, got mode='certificate'")
    timeout = check_positive("timeout", timeout)
    host, port = _check_address(address)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise TunnelTimeoutError(f"no TCP connection to {host}:{port} within {timeout} s") from None
    except OSError as exc:
        raise TunnelConnectError(f"cannot connect to {host}:{port}: {exc.strerror or exc}") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return _client_handshake(sock, server_public_key, mode, username, password)


def _check_address(address) -> tuple[str, int]:
    if not (isinstance(address, tuple) and len(address) == 2):
        raise TypeError(f"address must be a (host, port) tuple, got {address!r}")
    host, port = address
    if host != "127.0.0.1":
        raise ValueError(f"address host must be '127.0.0.1' (loopback only), got {host!r}")
    port = check_int("port", port, minimum=1)
    if port > 65535:
        raise ValueError(f"port must be in [1, 65535], got {port}")
    return host, port


def _echo_upper(conn: TunnelConnection, server: "TunnelServer") -> None:
    for msg in conn:
        server.received.append(msg)
        conn.send(msg.upper())


# --------------------------------------------------------------------------- #
# Server
# --------------------------------------------------------------------------- #
class TunnelServer:
    """A tunnel server on 127.0.0.1 (a free port), one thread per connection.

    Parameters
    ----------
    signing_key
        Its ML-DSA-65 private key (:func:`generate_server_key`).
    password_db : PasswordDatabase, optional
        Given: the server runs in password mode and requires every client to
        log in. Omitted: certificate mode.
    handler : callable, optional
        ``handler(conn, server)`` run for each established connection; by
        default it appends each record to :attr:`received` and answers with
        the record in upper case.
    timeout : float
        Socket timeout in seconds (> 0).

    Attributes
    ----------
    address : (str, int)
    received : list of bytes
        Records the default handler was given (whole, authenticated ones only).
    errors : list of Exception
        Each refused connection's error, server side (a :class:`TunnelError`;
        any other exception is one the handler raised).
    transcripts : list of Transcript
        One per completed handshake.

    Notes
    -----
    Use as a context manager (or call :meth:`close`), which stops the accept
    thread and waits for the connection threads.
    """

    def __init__(self, signing_key, *, password_db: PasswordDatabase | None = None,
                 handler: Callable[[TunnelConnection, "TunnelServer"], None] | None = None,
                 timeout: float = 5.0):
        require_pqc()
        if not isinstance(signing_key, mldsa.MLDSA65PrivateKey):
            raise TypeError(f"signing_key must be an ML-DSA-65 private key, got {type(signing_key).__name__}")
        if password_db is not None and not isinstance(password_db, PasswordDatabase):
            raise TypeError(f"password_db must be a PasswordDatabase, got {type(password_db).__name__}")
        if handler is not None and not callable(handler):
            raise TypeError(f"handler must be callable as handler(conn, server) or None, "
                            f"got {type(handler).__name__}")
        self._key = signing_key
        self._db = password_db
        self._handler = handler or _echo_upper
        self._timeout = check_positive("timeout", timeout)
        self.received: list[bytes] = []
        self.errors: list[TunnelError] = []
        self.transcripts: list[Transcript] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.05)
        self.address: tuple[str, int] = self._listener.getsockname()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._accept_thread = threading.Thread(target=self._accept_loop, name="tunnel-accept", daemon=True)
        self._accept_thread.start()

    @property
    def public_key_bytes(self) -> bytes:
        """The server's ML-DSA-65 public key, to pin in clients (1952 bytes)."""
        return self._key.public_key().public_bytes_raw()

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            sock.settimeout(self._timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            t = threading.Thread(target=self._serve, args=(sock,), name="tunnel-conn", daemon=True)
            with self._lock:
                self._threads.append(t)
            t.start()

    def _serve(self, sock):
        conn = None
        try:
            conn = _server_handshake(sock, self._key, self._db)
            with self._lock:
                self.transcripts.append(conn.transcript)
            self._handler(conn, self)
        except TunnelError as exc:
            with self._lock:
                self.errors.append(exc)
        except Exception as exc:  # a bug in a handler: record it, keep the server alive
            with self._lock:
                self.errors.append(exc)
            if conn is not None and not conn.closed:  # tell the client; no clean Close
                try:
                    conn._send_record(_R_ALERT, b"internal server error")
                except TunnelError:
                    pass
                conn._shutdown()
        finally:
            if conn is not None:
                conn.close()
            else:
                sock.close()

    def close(self) -> None:
        """Stop accepting, and wait (up to the timeout) for running connections."""
        self._stop.set()
        self._accept_thread.join(self._timeout)
        self._listener.close()
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(self._timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- #
# An attacker in the middle, for demonstrations and tests
# --------------------------------------------------------------------------- #
class LoopbackAttacker:
    """A man in the middle on loopback that forwards frames, or meddles with them.

    The client connects to :attr:`address`; the attacker connects on to the
    server and relays every frame in both directions through ``meddle``.

    Parameters
    ----------
    server_address : (str, int)
        The real server (127.0.0.1).
    meddle : callable, optional
        ``meddle(direction, index, frame) -> list of bytes or None``, called
        with ``direction`` ``"c2s"`` or ``"s2c"``, the frame's index in that
        direction (0 is the hello) and the whole frame (length prefix
        included). It returns the raw bytes to forward, in order (``[frame]``
        forwards unchanged, ``[]`` drops it, two entries insert one; a
        ``None`` entry cuts both connections after what precedes it, so
        ``[frame[:10], None]`` truncates), or ``None`` to cut at once.
        Default: forward everything.
    timeout : float
        Socket timeout in seconds.

    Attributes
    ----------
    frames : list of (str, int, int)
        ``(direction, index, length)`` of every frame seen.

    Examples
    --------
    Flip one bit of the client's first data record (frame 2 from the client):

    >>> def flip(direction, index, frame):
    ...     if direction == "c2s" and index == 2:
    ...         frame = frame[:-1] + bytes([frame[-1] ^ 1])
    ...     return [frame]
    >>> key = generate_server_key()
    >>> with TunnelServer(key) as server, LoopbackAttacker(server.address, flip) as mitm:
    ...     conn = tunnel_connect(mitm.address, key.public_key().public_bytes_raw())
    ...     _ = conn.send(b"pay 100 to Bob")
    ...     conn.recv()
    Traceback (most recent call last):
    ...
    qlib.crypto.tunnel.PeerRefusedError: the peer refused: record 1 failed authentication (modified in transit, or not from this peer)
    >>> type(server.errors[0]).__name__, server.received
    ('TamperedRecordError', [])
    """

    def __init__(self, server_address, meddle=None, *, timeout: float = 5.0):
        self._server = _check_address(server_address)
        if meddle is not None and not callable(meddle):
            raise TypeError(f"meddle must be callable as meddle(direction, index, frame) or None, "
                            f"got {type(meddle).__name__}")
        self._meddle = meddle or (lambda d, i, f: [f])
        self._timeout = check_positive("timeout", timeout)
        self.frames: list[tuple[str, int, int]] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(4)
        self._listener.settimeout(self._timeout)
        self.address: tuple[str, int] = self._listener.getsockname()
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._cut = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tunnel-mitm", daemon=True)
        self._thread.start()

    def _run(self):
        try:
            client, _ = self._listener.accept()
        except OSError:
            return
        try:
            server = socket.create_connection(self._server, timeout=self._timeout)
        except OSError:
            client.close()
            return
        for s in (client, server):
            s.settimeout(self._timeout)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socks = [client, server]
        self._threads = [
            threading.Thread(target=self._pump, args=(client, server, "c2s"), daemon=True),
            threading.Thread(target=self._pump, args=(server, client, "s2c"), daemon=True),
        ]
        for t in self._threads:
            t.start()

    def _cut_all(self):
        self._cut.set()
        for s in self._socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _pump(self, src, dst, direction):
        index = 0
        try:
            while not self._cut.is_set():
                try:
                    head = _recv_exact(src, 4)
                    (n,) = struct.unpack(">I", head)
                    frame = head + _recv_exact(src, n)
                except (EOFError, TunnelError):
                    break
                self.frames.append((direction, index, len(frame)))
                out = self._meddle(direction, index, frame)
                index += 1
                if out is None:
                    self._cut_all()
                    return
                for chunk in out:
                    if chunk is None:  # forward what came before, then cut
                        self._cut_all()
                        return
                    dst.sendall(chunk)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        """Cut everything and wait for the relay threads."""
        self._cut_all()
        self._listener.close()
        self._thread.join(self._timeout)
        for t in self._threads:
            t.join(self._timeout)
        for s in self._socks:
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
