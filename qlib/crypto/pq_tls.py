r"""A post-quantum key service over real TLS 1.3: a WireGuard preshared key per period.

A :class:`PSKServer` and the client function :func:`request_psk` run a standard
TLS 1.3 handshake (OpenSSL 4, through ``pyOpenSSL`` on the OpenSSL that the
``cryptography`` wheel bundles) restricted to

- the hybrid key-exchange group **X25519MLKEM768** (X25519 and ML-KEM-768
  together; a recorded session stays secret unless both fall), and
- **ML-DSA-65** signatures (``mldsa65``) for the handshake and the certificates
  of :mod:`qlib.crypto.pq_ca`.

Inside the channel the client asks for the key of one *period* (an integer the
caller chooses, e.g. ``int(time.time() // 120)``), and both ends compute it with
the TLS exporter (RFC 8446 section 7.5, the TLS 1.3 form of RFC 5705)::

    psk = TLS-Exporter("EXPORTER-qlib-wireguard-psk-v1", period as 8 bytes big-endian, 32)

32 bytes: a WireGuard preshared key. The key never crosses the wire; a new
handshake, hence a fresh exporter secret, is run for every period.

Authentication
--------------
The server always proves its identity with its certificate: the client checks the
chain to its CA file (and the CRL, if given) and that the certificate names the
``server_name`` it asked for. The client authenticates in one of two modes, the
pair a VPN offers: ``"certificate"`` (mutual TLS: the server requires a client
certificate from its CA, not expired, not revoked in its CRL) or ``"password"``
(a username and password sent only inside the channel, checked against a
:class:`~qlib.crypto.pq_passwords.PasswordFile` of salted scrypt hashes).

Messages inside the channel
---------------------------
``type (1 byte) | length (2 bytes, big-endian) | payload``, payload at most
:data:`MAX_MESSAGE_BYTES` bytes; anything longer, shorter or of an unknown type is
refused::

    REQUEST  0x01  period (8) | username length (1) | username | password length (1) | password
    KEY_OK   0x02  period (8)                        (the server derived and accepted the key)
    REFUSED  0x03  code (1) | reason (UTF-8)          code 1 authentication, 2 period, 3 protocol

In certificate mode the username and password are empty.

Refusals
--------
Every refusal raises a subclass of :class:`PSKError` on the client, and the server
delivers no key (its ``on_key`` callback is not called; :attr:`PSKServer.stats`
counts why):

=================================  ============================================
:class:`PSKHandshakeError`         the TLS handshake failed: no common group (a
                                   classical-only client), garbage, truncation,
                                   or the connection closed by the rate limit
:class:`PSKServerIdentityError`    the server's certificate does not chain to the
                                   CA, is expired or revoked, or names another host
:class:`PSKAuthenticationError`    the server refused the client: certificate (other
                                   CA, expired, revoked, none) or password
:class:`PSKProtocolError`          a malformed message, or the period refused
:class:`PSKTimeoutError`           a peer silent longer than the timeout
:class:`PSKConnectError`           no TCP connection to the server
=================================  ============================================

The server also limits, per source address, the handshake rate (a token bucket)
and the number of connections at once, so a flood of handshakes from one address
cannot stop another client. Every socket operation runs under a deadline.

Introduced in the chapter *Post-quantum vs quantum cryptography*.
"""

from __future__ import annotations

import base64
import os
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.bindings.openssl.binding import Binding
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.x509.oid import NameOID
from OpenSSL import SSL, crypto

from .._validation import check_int, check_positive
from ._paths import check_existing
from .pq_passwords import PasswordFile

__all__ = [
    "PQ_TLS_GROUP",
    "PQ_TLS_SIGNATURE",
    "PSK_EXPORTER_LABEL",
    "MAX_MESSAGE_BYTES",
    "PSKError",
    "PSKHandshakeError",
    "PSKServerIdentityError",
    "PSKAuthenticationError",
    "PSKProtocolError",
    "PSKTimeoutError",
    "PSKConnectError",
    "PresharedKey",
    "PSKServerStats",
    "PSKServer",
    "request_psk",
]

#: The only key-exchange group either side offers or accepts.
PQ_TLS_GROUP = "X25519MLKEM768"
#: The only signature algorithm (handshake and certificates).
PQ_TLS_SIGNATURE = "mldsa65"
#: The exporter label (RFC 5705: labels outside the IANA registry begin "EXPORTER").
PSK_EXPORTER_LABEL = b"EXPORTER-qlib-wireguard-psk-v1"
#: Largest payload of a message inside the channel, in bytes.
MAX_MESSAGE_BYTES = 512

PSK_BYTES = 32
_REQUEST, _KEY_OK, _REFUSED = 0x01, 0x02, 0x03
_REFUSED_AUTH, _REFUSED_PERIOD, _REFUSED_PROTOCOL = 1, 2, 3
_MAX_PERIOD = 2**63 - 1
#: OpenSSL's SSL_MODE_NO_AUTO_CHAIN (ssl.h): send only the leaf, not the root both
#: ends already hold (an ML-DSA-65 root would add about 5.5 kB each way).
_SSL_MODE_NO_AUTO_CHAIN = 0x00000008
_lib = Binding.lib
_ffi = Binding.ffi


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #
class PSKError(Exception):
    """Base class of every refusal by the key service; no key was derived."""


class PSKHandshakeError(PSKError):
    """The TLS 1.3 handshake did not complete (no common group, garbage, truncation, closed)."""


class PSKServerIdentityError(PSKHandshakeError):
    """The server's certificate failed the client's checks (chain, validity, revocation, name)."""


class PSKAuthenticationError(PSKError):
    """The server refused the client's certificate or password (not said which part was wrong)."""


class PSKProtocolError(PSKError):
    """A malformed or unexpected message inside the channel, or a refused period."""


class PSKTimeoutError(PSKError):
    """The peer stayed silent past the deadline."""


class PSKConnectError(PSKError):
    """No TCP connection to the server (refused, unreachable)."""


class _PeerClosed(Exception):
    pass


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class PresharedKey:
    """A period's preshared key and how it was obtained.

    Attributes
    ----------
    key : bytes
        32 bytes, the WireGuard preshared key (hidden from ``repr``).
    period : int
        The period it belongs to (the exporter's context).
    group : str
        The negotiated key-exchange group (always ``"X25519MLKEM768"``).
    signature_algorithm : str
        The handshake's signature algorithm (always ``"mldsa65"``).
    cipher : str
        The TLS 1.3 cipher suite, e.g. ``"TLS_AES_256_GCM_SHA384"``.
    protocol : str
        ``"TLSv1.3"``.
    mode : str
        ``"certificate"`` or ``"password"``.
    peer : str
        The other end's identity: the server's DNS name on the client side, the
        client's certificate name or username on the server side.
    handshake_bytes_sent, handshake_bytes_received : int
        TLS bytes this side sent and received until its handshake completed
        (records with their headers, as on the wire). Exact on the client; the
        server may count the client's first message with its last handshake flight
        when both arrive in one read.
    handshake_records_sent, handshake_records_received : tuple of (str, int)
        The same bytes as TLS records, ``(content type, bytes with the 5-byte
        header)`` in order: the first record sent by a client is its ClientHello
        (with the 1216-byte hybrid key share), the first it receives the
        ServerHello (1120-byte share); the certificates and signatures follow
        encrypted, as ``application_data``.

    Notes
    -----
    Returned by :func:`request_psk` on the client and passed to ``on_key`` on the
    server; the two keys of one exchange are equal. ``group`` and
    ``signature_algorithm`` are what OpenSSL negotiated and was restricted to;
    the handshake bytes include both ML-DSA-65 leaf certificates (the root is not
    sent: both ends hold it). Introduced in the chapter *Post-quantum vs quantum
    cryptography*.
    """

    key: bytes = field(repr=False)
    period: int
    group: str
    signature_algorithm: str
    cipher: str
    protocol: str
    mode: str
    peer: str
    handshake_bytes_sent: int
    handshake_bytes_received: int
    handshake_records_sent: tuple = ()
    handshake_records_received: tuple = ()

    @property
    def handshake_bytes(self) -> int:
        """Handshake bytes both ways, as seen by this side."""
        return self.handshake_bytes_sent + self.handshake_bytes_received

    @property
    def wireguard_base64(self) -> str:
        """The key in base64, the form ``wg set ... preshared-key <file>`` reads."""
        return base64.b64encode(self.key).decode("ascii")


@dataclass
class PSKServerStats:
    """What a :class:`PSKServer` did, by outcome (counts since it started).

    Attributes
    ----------
    connections : int
        TCP connections accepted.
    rate_limited : int
        Connections closed at once: over the source's rate or concurrency cap, or
        the server full.
    handshake_failures : int
        TLS handshakes that failed for a reason other than the client's
        certificate (no common group, garbage, truncation, a closed connection).
    authentication_failures : int
        Client certificates refused (other CA, expired, revoked, wrong purpose,
        none) and wrong usernames or passwords.
    protocol_errors : int
        Malformed messages, refused periods and keys ``on_key`` could not use.
    timeouts : int
        Connections whose deadline passed.
    keys_issued : int
        Keys derived and handed to ``on_key`` (then confirmed to the client).
    refusals : collections.deque
        The last 64 refusals as ``(kind, message)``, newest last.

    Notes
    -----
    Introduced in the chapter *Post-quantum vs quantum cryptography*.
    """

    connections: int = 0
    rate_limited: int = 0
    handshake_failures: int = 0
    authentication_failures: int = 0
    protocol_errors: int = 0
    timeouts: int = 0
    keys_issued: int = 0
    #: The last refusals, ``(kind, message)``, newest last (at most 64).
    refusals: deque = field(default_factory=lambda: deque(maxlen=64))


# --------------------------------------------------------------------------- #
# TLS contexts
# --------------------------------------------------------------------------- #
def _check_file(name: str, value, *, required: bool = True) -> Path | None:
    if value is None and not required:
        return None
    return check_existing(name, value, "file")


def _check_key_file(name: str, path: Path) -> None:
    if os.stat(path).st_mode & 0o077:
        raise ValueError(f"{name} {str(path)!r} must be readable by its owner only (mode 0o600)")


def _load_crl(name: str, path: Path) -> x509.CertificateRevocationList:
    try:
        return x509.load_pem_x509_crl(path.read_bytes())
    except ValueError:
        raise ValueError(f"{name} {str(path)!r} is not a PEM certificate revocation list") from None


def _pq_context(*, ca_file: Path, cert_file: Path | None, key_file: Path | None,
                crl_file: Path | None, groups: bytes = PQ_TLS_GROUP.encode()) -> SSL.Context:
    """A TLS 1.3-only context offering and accepting only ``groups`` and ML-DSA-65.

    pyOpenSSL has no ``set_groups``; ``SSL_CTX_set1_curves_list`` (OpenSSL's old
    name of ``SSL_CTX_set1_groups_list``) and ``SSL_CTX_set1_sigalgs_list`` are
    reached through the ``cryptography`` bindings pyOpenSSL itself uses.
    """
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
    ctx.set_max_proto_version(SSL.TLS1_3_VERSION)
    if _lib.SSL_CTX_set1_curves_list(ctx._context, groups) != 1:
        raise RuntimeError(f"this OpenSSL cannot restrict the groups to {groups.decode()!r}")
    if _lib.SSL_CTX_set1_sigalgs_list(ctx._context, PQ_TLS_SIGNATURE.encode()) != 1:
        raise RuntimeError(f"this OpenSSL has no signature algorithm {PQ_TLS_SIGNATURE!r}")
    ctx.set_options(SSL.OP_NO_TICKET | SSL.OP_NO_RENEGOTIATION)
    ctx.set_session_cache_mode(SSL.SESS_CACHE_OFF)
    ctx.set_mode(_SSL_MODE_NO_AUTO_CHAIN)
    try:
        ctx.load_verify_locations(str(ca_file))
    except SSL.Error:
        raise ValueError(f"ca_file {str(ca_file)!r} holds no PEM certificate") from None
    if crl_file is not None:
        store = ctx.get_cert_store()
        store.add_crl(_load_crl("crl_file", crl_file))
        store.set_flags(crypto.X509StoreFlags.CRL_CHECK)
    if cert_file is not None:
        try:
            certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
        except ValueError:
            raise ValueError(f"cert_file {str(cert_file)!r} is not a PEM certificate") from None
        if not isinstance(certificate.public_key(), mldsa.MLDSA65PublicKey):
            raise ValueError(f"cert_file {str(cert_file)!r} must hold an ML-DSA-65 certificate, "
                             f"got a {type(certificate.public_key()).__name__}")
        _check_key_file("key_file", key_file)
        ctx.use_certificate(certificate)
        # pyOpenSSL's use_privatekey refuses an ML-DSA key object ("Unsupported key
        # type"); the PEM file path goes straight to OpenSSL, which reads it.
        try:
            ctx.use_privatekey_file(str(key_file))
            ctx.check_privatekey()
        except SSL.Error:
            raise ValueError(f"key_file {str(key_file)!r} is not the private key of "
                             f"cert_file {str(cert_file)!r}") from None
    return ctx


# --------------------------------------------------------------------------- #
# One TLS connection driven through memory BIOs (so bytes can be counted and
# every read has a deadline)
# --------------------------------------------------------------------------- #
_RECORD_TYPES = {20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data"}
_MAX_RECORDS = 256


class _RecordLog:
    """Splits one direction's byte stream into TLS records, keeping (content type, bytes)."""

    def __init__(self):
        self.header = b""
        self.skip = 0
        self.records: list[tuple[str, int]] = []

    def feed(self, data: bytes) -> None:
        i = 0
        while i < len(data) and len(self.records) < _MAX_RECORDS:
            if self.skip:
                n = min(self.skip, len(data) - i)
                self.skip -= n
                i += n
                continue
            take = data[i:i + 5 - len(self.header)]
            self.header += take
            i += len(take)
            if len(self.header) == 5:
                length = int.from_bytes(self.header[3:5], "big")
                kind = _RECORD_TYPES.get(self.header[0], f"type {self.header[0]}")
                self.records.append((kind, 5 + length))
                self.skip, self.header = length, b""


class _Channel:
    def __init__(self, ctx: SSL.Context, sock: socket.socket, deadline: float, *, server: bool):
        self.sock, self.deadline = sock, deadline
        self.conn = SSL.Connection(ctx, None)
        if server:
            self.conn.set_accept_state()
        else:
            self.conn.set_connect_state()
        self.sent = self.received = 0
        self.handshake_sent = self.handshake_received = 0
        self._logs: dict[str, _RecordLog] | None = {"sent": _RecordLog(), "received": _RecordLog()}
        self.records_sent: tuple[tuple[str, int], ...] = ()
        self.records_received: tuple[tuple[str, int], ...] = ()

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left

    def flush(self) -> None:
        while True:
            try:
                data = self.conn.bio_read(65536)
            except SSL.WantReadError:
                return
            if not data:
                return
            self.sock.settimeout(self._remaining())
            self.sock.sendall(data)
            self.sent += len(data)
            if self._logs is not None:
                self._logs["sent"].feed(data)

    def feed(self) -> None:
        self.sock.settimeout(self._remaining())
        data = self.sock.recv(65536)
        if not data:
            raise _PeerClosed("the peer closed the connection")
        self.received += len(data)
        if self._logs is not None:
            self._logs["received"].feed(data)
        self.conn.bio_write(data)

    def handshake(self) -> None:
        while True:
            try:
                self.conn.do_handshake()
            except SSL.WantReadError:
                self.flush()
                self.feed()
                continue
            except SSL.Error:
                self._flush_quietly()  # the alert, so the peer learns why
                raise
            self.flush()
            self.handshake_sent, self.handshake_received = self.sent, self.received
            self.records_sent = tuple(self._logs["sent"].records)
            self.records_received = tuple(self._logs["received"].records)
            self._logs = None
            return

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except (OSError, TimeoutError):
            pass

    def send_message(self, kind: int, payload: bytes) -> None:
        self.conn.sendall(struct.pack("!BH", kind, len(payload)) + payload)
        self.flush()

    def _recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.conn.recv(n - len(buf))
            except SSL.WantReadError:
                self.flush()
                self.feed()
                continue
            except SSL.ZeroReturnError:
                raise _PeerClosed("the peer closed the channel") from None
            except SSL.Error:
                self._flush_quietly()
                raise
            buf += chunk
        return buf

    def recv_message(self) -> tuple[int, bytes]:
        kind, length = struct.unpack("!BH", self._recv_exact(3))
        if kind not in (_REQUEST, _KEY_OK, _REFUSED):
            raise PSKProtocolError(f"unknown message type 0x{kind:02x}")
        if length > MAX_MESSAGE_BYTES:
            raise PSKProtocolError(f"message of {length} bytes exceeds MAX_MESSAGE_BYTES = {MAX_MESSAGE_BYTES}")
        return kind, self._recv_exact(length)

    def close(self) -> None:
        try:
            self.conn.shutdown()  # close_notify
            self.flush()
        except (SSL.Error, OSError, TimeoutError):
            pass

    def negotiated(self) -> tuple[str | None, str | None]:
        return self.conn.get_protocol_version_name(), self.conn.get_group_name()

    def export(self, period: int) -> bytes:
        return self.conn.export_keying_material(PSK_EXPORTER_LABEL, PSK_BYTES, struct.pack("!Q", period))

    def verify_error(self) -> str:
        code = _lib.SSL_get_verify_result(self.conn._ssl)
        return _ffi.string(_lib.X509_verify_cert_error_string(code)).decode("ascii", "replace")


def _ssl_reason(exc: SSL.Error) -> str:
    """OpenSSL's reason strings in ``exc`` (its args are a list of (library, function, reason))."""
    entries = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    reasons = [str(e[2]) for e in entries if isinstance(e, tuple) and len(e) == 3 and e[2]]
    return "; ".join(reasons) or str(exc)


def _check_negotiated(channel: _Channel) -> None:
    """Defence in depth after the handshake: TLS 1.3 on the hybrid group, else refuse."""
    protocol, group = channel.negotiated()
    if protocol != "TLSv1.3" or group != PQ_TLS_GROUP:
        channel.close()
        raise PSKHandshakeError(f"negotiated {protocol} with group {group}, only TLSv1.3 with "
                                f"{PQ_TLS_GROUP} is accepted")


def _check_address(address) -> tuple[str, int]:
    if not (isinstance(address, tuple) and len(address) == 2):
        raise TypeError(f"address must be a (host, port) tuple, got {address!r}")
    host, port = address
    if not isinstance(host, str) or not host:
        raise TypeError(f"address's host must be a non-empty str, got {host!r}")
    port = check_int("address's port", port, minimum=0)
    if port > 65535:
        raise ValueError(f"address's port must be in [0, 65535], got {port}")
    return host, port


def _check_timeout(timeout) -> float:
    timeout = check_positive("timeout", timeout)
    if timeout > 600:
        raise ValueError(f"timeout must be at most 600 s, got {timeout}")
    return timeout


def _check_period(period) -> int:
    period = check_int("period", period, minimum=0)
    if period > _MAX_PERIOD:
        raise ValueError(f"period must be at most 2**63 - 1, got {period}")
    return period


# --------------------------------------------------------------------------- #
# Rate limit per source address
# --------------------------------------------------------------------------- #
class _SourceLimiter:
    """Token bucket (``rate`` per second, ``burst`` deep) and a concurrency cap per address."""

    def __init__(self, rate: float, burst: int, max_concurrent: int, max_sources: int = 4096):
        self.rate, self.burst, self.max_concurrent = rate, burst, max_concurrent
        self.max_sources = max_sources
        self._buckets: dict[str, list[float]] = {}  # address -> [tokens, last time]
        self._active: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, source: str) -> bool:
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(source)
            if bucket is None:
                if len(self._buckets) >= self.max_sources:
                    self._prune(now)
                    if len(self._buckets) >= self.max_sources:
                        return False
                bucket = self._buckets[source] = [float(self.burst), now]
            bucket[0] = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
            if bucket[0] < 1.0 or self._active.get(source, 0) >= self.max_concurrent:
                return False
            bucket[0] -= 1.0
            self._active[source] = self._active.get(source, 0) + 1
            return True

    def release(self, source: str) -> None:
        with self._lock:
            left = self._active.get(source, 1) - 1
            if left > 0:
                self._active[source] = left
            else:
                self._active.pop(source, None)

    def _prune(self, now: float) -> None:
        full = [s for s, (tokens, last) in self._buckets.items()
                if s not in self._active and tokens + (now - last) * self.rate >= self.burst]
        for s in full:
            del self._buckets[s]


# --------------------------------------------------------------------------- #
# Server
# --------------------------------------------------------------------------- #
class PSKServer:
    r"""The key service: a threaded TLS 1.3 server handing out one preshared key per period.

    Parameters
    ----------
    address : (str, int)
        Where to listen; port 0 lets the system choose (see :attr:`address`).
    ca_file : path
        PEM file of the CA whose client certificates are accepted (certificate mode).
    cert_file, key_file : path
        The server's ML-DSA-65 certificate (PEM) and private key (PEM, mode 0o600).
    mode : {"certificate", "password"}
        How clients authenticate: mutual TLS, or username and password.
    passwords : PasswordFile, optional
        Required in password mode (and refused in certificate mode).
    crl_file : path, optional
        PEM CRL of ``ca_file``'s CA. Required in certificate mode: a client
        certificate is accepted only if the CRL is valid and does not list it.
        :meth:`update_crl` loads a newer one.
    on_key : callable, optional
        Called as ``on_key(psk)`` with each :class:`PresharedKey` before the client
        is told the key is ready (e.g. to install it in WireGuard); if it raises,
        the client is refused and gets no key.
    check_period : callable, optional
        ``check_period(period) -> bool``; a period it rejects is refused.
    timeout : float
        Deadline in seconds for a whole connection (handshake, request, reply).
    rate, burst : float, int
        Handshakes per second allowed per source address, and the bucket depth.
    max_concurrent : int
        Connections at once per source address.
    max_connections : int
        Connections at once in total (each has a thread).

    Raises
    ------
    TypeError, ValueError
        On a bad parameter, naming it.
    OSError
        If the address cannot be bound.

    Notes
    -----
    The groups and signature algorithms are restricted in OpenSSL's context, so a
    client offering only classical groups (say X25519) gets a ``handshake_failure``
    alert and no key is derived; the negotiated group is checked again after
    every handshake. Sessions are neither cached nor resumed (each period's key
    comes from a full handshake). A source address over its rate or its
    concurrency cap is disconnected before any TLS byte is read. Introduced in the
    chapter *Post-quantum vs quantum cryptography*.

    Examples
    --------
    See :func:`request_psk`.
    """

    def __init__(self, address=("127.0.0.1", 0), *, ca_file, cert_file, key_file,
                 mode: str = "certificate", passwords: PasswordFile | None = None,
                 crl_file=None, on_key: Callable[[PresharedKey], None] | None = None,
                 check_period: Callable[[int], bool] | None = None, timeout: float = 5.0,
                 rate: float = 5.0, burst: int = 10, max_concurrent: int = 4,
                 max_connections: int = 64):
        host, port = _check_address(address)
        if mode not in ("certificate", "password"):
            raise ValueError(f"mode must be 'certificate' or 'password', got {mode!r}")
        self.mode = mode
        if mode == "password":
            if not isinstance(passwords, PasswordFile):
                raise TypeError(f"passwords must be a PasswordFile in password mode, got "
                                f"{type(passwords).__name__}")
        elif passwords is not None:
            raise ValueError("passwords must be None in certificate mode (clients present certificates)")
        if mode == "certificate" and crl_file is None:
            raise ValueError("crl_file is required in certificate mode (revocation is checked)")
        for name, fn in (("on_key", on_key), ("check_period", check_period)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be callable or None, got {fn!r}")
        self.timeout = _check_timeout(timeout)
        rate = check_positive("rate", rate)
        burst = check_int("burst", burst, minimum=1)
        max_concurrent = check_int("max_concurrent", max_concurrent, minimum=1)
        max_connections = check_int("max_connections", max_connections, minimum=1)
        self._files = dict(ca_file=_check_file("ca_file", ca_file),
                           cert_file=_check_file("cert_file", cert_file),
                           key_file=_check_file("key_file", key_file))
        self._passwords, self._on_key, self._check_period = passwords, on_key, check_period
        self._ctx = self._make_context(_check_file("crl_file", crl_file, required=False))
        self._limiter = _SourceLimiter(rate, burst, max_concurrent)
        self._slots = threading.BoundedSemaphore(max_connections)
        self.stats = PSKServerStats()
        self._stats_lock = threading.Lock()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.create_server((host, port), family=family, backlog=128)
        self._listener.settimeout(0.2)
        self.address: tuple[str, int] = self._listener.getsockname()[:2]
        self._closing = threading.Event()
        self._workers: set[threading.Thread] = set()
        self._thread = threading.Thread(target=self._serve, name="psk-server", daemon=True)
        self._thread.start()

    def _make_context(self, crl_file: Path | None) -> SSL.Context:
        ctx = _pq_context(crl_file=crl_file, **self._files)
        if self.mode == "certificate":
            ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT)
        else:
            ctx.set_verify(SSL.VERIFY_NONE)
        return ctx

    def update_crl(self, crl_file) -> None:
        """Use the CRL in ``crl_file`` for every later handshake (e.g. after a revocation).

        Handshakes in progress finish with the CRL they started with. Raises
        ``ValueError`` (naming ``crl_file``) if the file is missing or not a PEM CRL.
        """
        self._ctx = self._make_context(_check_file("crl_file", crl_file))

    # ------------------------------------------------------------------ plumbing
    def _count(self, what: str, kind: str | None = None, message: str = "") -> None:
        with self._stats_lock:
            setattr(self.stats, what, getattr(self.stats, what) + 1)
            if kind is not None:
                self.stats.refusals.append((kind, message))

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                sock, peer = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._count("connections")
            source = peer[0]
            if not self._limiter.acquire(source):
                self._count("rate_limited", "rate_limited", source)
                sock.close()
                continue
            if not self._slots.acquire(blocking=False):
                self._limiter.release(source)
                self._count("rate_limited", "server_full", source)
                sock.close()
                continue
            worker = threading.Thread(target=self._handle, args=(sock, source),
                                      name=f"psk-{source}", daemon=True)
            self._workers.add(worker)
            worker.start()
            self._workers = {w for w in self._workers if w.is_alive()}

    def _handle(self, sock: socket.socket, source: str) -> None:
        try:
            with sock:
                self._exchange(sock, source)
        except Exception as exc:  # a server thread must not die noisily on a peer's input
            self._count("protocol_errors", "internal", f"{source}: {type(exc).__name__}: {exc}")
        finally:
            self._limiter.release(source)
            self._slots.release()

    def _exchange(self, sock: socket.socket, source: str) -> None:
        channel = _Channel(self._ctx, sock, time.monotonic() + self.timeout, server=True)
        try:
            channel.handshake()
            protocol, group = channel.negotiated()
            if protocol != "TLSv1.3" or group != PQ_TLS_GROUP:
                channel.close()
                self._count("handshake_failures", "handshake", f"{source}: {protocol} {group}")
                return
            kind, payload = channel.recv_message()
            if kind != _REQUEST:
                raise PSKProtocolError(f"expected REQUEST, got message type 0x{kind:02x}")
            period, username, password = _parse_request(payload)
            if self.mode == "certificate":
                if username or password:
                    raise PSKProtocolError("certificate mode takes no username or password")
                peer = _common_name(channel.conn.get_peer_certificate(as_cryptography=True))
            else:
                if not self._passwords.verify(username, password):
                    self._refuse(channel, _REFUSED_AUTH, "authentication failed")
                    self._count("authentication_failures", "password", f"{source}: {username[:64]!r}")
                    return
                peer = username
            if self._check_period is not None and not self._check_period(period):
                self._refuse(channel, _REFUSED_PERIOD, f"period {period} not accepted")
                self._count("protocol_errors", "period", f"{source}: {period}")
                return
            psk = PresharedKey(
                key=channel.export(period), period=period, group=group,
                signature_algorithm=PQ_TLS_SIGNATURE, cipher=channel.conn.get_cipher_name(),
                protocol=protocol, mode=self.mode, peer=peer,
                handshake_bytes_sent=channel.handshake_sent,
                handshake_bytes_received=channel.handshake_received,
                handshake_records_sent=channel.records_sent,
                handshake_records_received=channel.records_received)
            if self._on_key is not None:
                try:
                    self._on_key(psk)
                except Exception as exc:  # the key could not be used: the client gets none
                    self._refuse(channel, _REFUSED_PROTOCOL, "the server could not install the key")
                    self._count("protocol_errors", "on_key", f"{source}: {type(exc).__name__}")
                    return
            self._count("keys_issued")  # before the client can hear of it
            channel.send_message(_KEY_OK, struct.pack("!Q", period))
            channel.close()
        except SSL.Error as exc:
            reason = _ssl_reason(exc)
            if "certificate verify failed" in reason:
                self._count("authentication_failures", "certificate",
                            f"{source}: {reason}: {channel.verify_error()}")
            elif self.mode == "certificate" and "did not return a certificate" in reason:
                self._count("authentication_failures", "certificate", f"{source}: {reason}")
            else:
                self._count("handshake_failures", "handshake", f"{source}: {reason}")
        except _PeerClosed as exc:
            self._count("handshake_failures", "closed", f"{source}: {exc}")
        except PSKProtocolError as exc:
            self._refuse(channel, _REFUSED_PROTOCOL, str(exc))
            self._count("protocol_errors", "protocol", f"{source}: {exc}")
        except (TimeoutError, socket.timeout):
            self._count("timeouts", "timeout", source)
        except OSError as exc:
            self._count("handshake_failures", "socket", f"{source}: {exc}")

    @staticmethod
    def _refuse(channel: _Channel, code: int, reason: str) -> None:
        try:
            channel.send_message(_REFUSED, bytes([code]) + reason.encode()[:200])
            channel.close()
        except (SSL.Error, OSError, TimeoutError):
            pass

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Stop accepting, wait for the connections in progress (at most ``timeout``), close."""
        self._closing.set()
        self._listener.close()
        self._thread.join(timeout=self.timeout + 1)
        for worker in list(self._workers):
            worker.join(timeout=self.timeout + 1)

    def __enter__(self) -> PSKServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _parse_request(payload: bytes) -> tuple[int, str, str]:
    if len(payload) < 10:
        raise PSKProtocolError(f"REQUEST of {len(payload)} bytes is shorter than its 10 fixed bytes")
    (period,) = struct.unpack("!Q", payload[:8])
    if period > _MAX_PERIOD:
        raise PSKProtocolError(f"period {period} exceeds 2**63 - 1")
    ulen = payload[8]
    if 9 + ulen + 1 > len(payload):
        raise PSKProtocolError("REQUEST's username length runs past its end")
    username = payload[9:9 + ulen]
    plen = payload[9 + ulen]
    password = payload[10 + ulen:]
    if len(password) != plen:
        raise PSKProtocolError(f"REQUEST's password length {plen} does not match its {len(password)} bytes")
    try:
        return period, username.decode("utf-8"), password.decode("utf-8")
    except UnicodeDecodeError:
        raise PSKProtocolError("REQUEST's username or password is not UTF-8") from None


# --------------------------------------------------------------------------- #
# Client
# --------------------------------------------------------------------------- #
def request_psk(address, period: int, *, ca_file, server_name: str, cert_file=None, key_file=None,
                username: str | None = None, password: str | None = None, crl_file=None,
                timeout: float = 5.0) -> PresharedKey:
    r"""Run a hybrid TLS 1.3 handshake with a :class:`PSKServer` and get ``period``'s key.

    Parameters
    ----------
    address : (str, int)
        The server's address.
    period : int
        The period whose key to derive (0 <= period <= 2**63 - 1).
    ca_file : path
        PEM file of the CA the server's certificate must chain to.
    server_name : str
        The DNS name the server's certificate must carry (also sent as SNI).
    cert_file, key_file : path, optional
        Certificate mode: this client's certificate and key (mode 0o600).
    username, password : str, optional
        Password mode: sent only inside the TLS channel, after the server's
        certificate has been checked.
    crl_file : path, optional
        A CRL of ``ca_file``'s CA; if given, a revoked server certificate is refused.
    timeout : float
        Deadline in seconds for the whole exchange.

    Returns
    -------
    PresharedKey
        The 32-byte key and what was negotiated.

    Raises
    ------
    TypeError, ValueError
        On a bad parameter (exactly one of the pairs ``cert_file``/``key_file`` and
        ``username``/``password`` must be given).
    PSKError
        On every refusal (see the module's table); no key is returned.

    Notes
    -----
    The key is the TLS 1.3 exporter of RFC 8446 section 7.5 (RFC 5705's keying
    material exporter, as TLS 1.3 defines it)::

        HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
                          "exporter", Hash(period as 8 bytes big-endian), 32)

    with label :data:`PSK_EXPORTER_LABEL`: both ends compute it, it depends on the
    whole handshake (both key shares, so X25519 *and* ML-KEM-768 would have to be
    broken to find it), and it is derived only after the server has accepted the
    client and said so. Introduced in the chapter *Post-quantum vs quantum
    cryptography*.

    Examples
    --------
    >>> import tempfile
    >>> from qlib.crypto.pq_ca import CertificateAuthority
    >>> d = tempfile.mkdtemp()
    >>> ca = CertificateAuthority("Doc CA"); files = ca.save(d)
    >>> server_cert, server_key = ca.issue_server("vpn.example").save(d, "server")
    >>> alice_cert, alice_key = ca.issue_client("alice").save(d, "alice")
    >>> issued = []
    >>> with PSKServer(ca_file=files["certificate"], crl_file=files["crl"], cert_file=server_cert,
    ...                key_file=server_key, on_key=issued.append) as server:
    ...     psk = request_psk(server.address, 7, ca_file=files["certificate"],
    ...                       server_name="vpn.example", cert_file=alice_cert, key_file=alice_key)
    >>> len(psk.key), psk.period, psk.group, psk.signature_algorithm
    (32, 7, 'X25519MLKEM768', 'mldsa65')
    >>> issued[0].key == psk.key, issued[0].peer
    (True, 'alice')
    """
    host, port = _check_address(address)
    period = _check_period(period)
    timeout = _check_timeout(timeout)
    if not isinstance(server_name, str):
        raise TypeError(f"server_name must be a str, got {server_name!r} of type {type(server_name).__name__}")
    if not server_name or len(server_name) > 253 or not all(c.isalnum() or c in ".-" for c in server_name) \
            or not server_name.isascii():
        raise ValueError(f"server_name must be a DNS host name, got {server_name!r}")
    cert_mode = cert_file is not None or key_file is not None
    password_mode = username is not None or password is not None
    if cert_mode == password_mode:
        raise ValueError("give either cert_file and key_file (certificate mode) or username and "
                         "password (password mode), not "
                         + ("both" if cert_mode else "neither"))
    if cert_mode:
        cert_path = _check_file("cert_file", cert_file)
        key_path = _check_file("key_file", key_file)
        user_bytes = pass_bytes = b""
        mode = "certificate"
    else:
        for name, value in (("username", username), ("password", password)):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str in password mode, got {type(value).__name__}")
        user_bytes, pass_bytes = username.encode("utf-8"), password.encode("utf-8")
        if not 1 <= len(user_bytes) <= 64:
            raise ValueError(f"username must be 1 to 64 bytes in UTF-8, got {len(user_bytes)}")
        if not 1 <= len(pass_bytes) <= 255:
            raise ValueError(f"password must be 1 to 255 bytes in UTF-8, got {len(pass_bytes)}")
        cert_path = key_path = None
        mode = "password"
    ctx = _pq_context(ca_file=_check_file("ca_file", ca_file), cert_file=cert_path, key_file=key_path,
                      crl_file=_check_file("crl_file", crl_file, required=False))
    ctx.set_verify(SSL.VERIFY_PEER)
    request = struct.pack("!Q", period) + bytes([len(user_bytes)]) + user_bytes \
        + bytes([len(pass_bytes)]) + pass_bytes
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except (TimeoutError, socket.timeout):
        raise PSKTimeoutError(f"no connection to {host}:{port} within {timeout} s") from None
    except OSError as exc:
        raise PSKConnectError(f"cannot connect to {host}:{port}: {exc}") from None
    with sock:
        channel = _Channel(ctx, sock, deadline, server=False)
        channel.conn.set_tlsext_host_name(server_name.encode("ascii"))
        param = _lib.SSL_get0_param(channel.conn._ssl)
        if _lib.X509_VERIFY_PARAM_set1_host(param, server_name.encode("ascii"), 0) != 1:
            raise RuntimeError("OpenSSL refused to set the expected host name")
        return _client_exchange(channel, host, port, period, request, mode, server_name, timeout)


def _client_exchange(channel: _Channel, host, port, period, request, mode, server_name, timeout):
    where = f"{host}:{port}"
    try:
        try:
            channel.handshake()
        except SSL.Error as exc:
            reason = _ssl_reason(exc)
            if "certificate verify failed" in reason:
                raise PSKServerIdentityError(f"{where}: the server's certificate was refused: "
                                             f"{channel.verify_error()}") from None
            raise PSKHandshakeError(f"{where}: TLS handshake failed: {reason}") from None
        except (_PeerClosed, ConnectionResetError, BrokenPipeError):
            raise PSKHandshakeError(f"{where}: the connection closed during the handshake "
                                    f"(the server refused it, or it was rate-limited)") from None
        _check_negotiated(channel)
        try:
            channel.send_message(_REQUEST, request)
            kind, payload = channel.recv_message()
        except SSL.Error as exc:
            # In TLS 1.3 the client's handshake completes before the server has
            # checked the client's certificate: its refusal arrives as an alert now.
            raise PSKAuthenticationError(f"{where}: the server refused this client: "
                                         f"{_ssl_reason(exc)}") from None
        except _PeerClosed:
            raise PSKProtocolError(f"{where}: the server closed the channel without an answer") from None
        if kind == _REFUSED:
            code = payload[0] if payload else 0
            reason = payload[1:].decode("utf-8", "replace")
            channel.close()
            if code == _REFUSED_AUTH:
                raise PSKAuthenticationError(f"{where}: the server refused this client: {reason}")
            raise PSKProtocolError(f"{where}: the server refused the request: {reason}")
        if kind != _KEY_OK or len(payload) != 8 or struct.unpack("!Q", payload)[0] != period:
            channel.close()
            raise PSKProtocolError(f"{where}: expected KEY_OK for period {period}, got message type "
                                   f"0x{kind:02x} of {len(payload)} bytes")
        protocol, group = channel.negotiated()
        psk = PresharedKey(
            key=channel.export(period), period=period, group=group,
            signature_algorithm=PQ_TLS_SIGNATURE, cipher=channel.conn.get_cipher_name(),
            protocol=protocol, mode=mode, peer=server_name,
            handshake_bytes_sent=channel.handshake_sent,
            handshake_bytes_received=channel.handshake_received,
            handshake_records_sent=channel.records_sent,
            handshake_records_received=channel.records_received)
        channel.close()
        return psk
    except (TimeoutError, socket.timeout):
        raise PSKTimeoutError(f"{where}: no answer within {timeout} s") from None
    except OSError as exc:
        raise PSKHandshakeError(f"{where}: connection failed: {exc}") from None
