"""The VPN's keys from the post-quantum TLS 1.3 key service (``--psk-source tls``).

The glue between :mod:`qlib.crypto.pq_tls` and :class:`qlib.vpn.rotation.PSKRotator`,
configured by a side's ``[key_service]`` table (:mod:`qlib.vpn.config`):

- the server runs a :class:`~qlib.crypto.pq_tls.PSKServer` on
  ``key_service.address`` (outside the tunnel, on the link between the hosts).
  Its ``on_key`` puts each key a client obtained on the server's *standby*
  WireGuard interface (:meth:`PSKRotator.offer`) before the client hears the key
  is ready; the server's rotator switches once the client's handshake with it
  arrives (make before break, :mod:`qlib.vpn.rotation`);
- the client, each period, calls :func:`~qlib.crypto.pq_tls.request_psk` for the
  period that begins (:func:`current_period`): a hybrid TLS 1.3 handshake
  (X25519MLKEM768, ML-DSA-65 certificates) whose exporter gives both ends the same
  32 bytes, which never cross the wire. :class:`TLSKeyClient` is the client
  rotator's ``next_psk``.

A failure to get a key (refused, timed out, a downgrade) raises in ``next_psk``;
the rotator reports it and keeps the running tunnel on its old key (before the
first key, nothing is routed into the tunnel). No key is ever logged: what the
events carry is :func:`key_facts`.

Introduced in the chapter *Post-quantum vs quantum cryptography*.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from qlib.crypto.pq_passwords import PasswordFile
from qlib.crypto.pq_tls import PresharedKey, PSKServer, request_psk

from .config import ConfigError, KeyServiceConfig

__all__ = ["current_period", "split_address", "read_secret_file", "key_facts", "TLSKeyClient", "TLSKeyServer"]


def current_period(period_seconds: float, now: float | None = None) -> int:
    """The number of the rotation period that contains ``now`` (default: the current time).

    Parameters
    ----------
    period_seconds : float
        The rotation period (``key_service.rotation_period``), > 0.
    now : float, optional
        Seconds since the epoch.

    Notes
    -----
    ``floor(now / period_seconds)``: both sides compute it from their clocks; the
    server accepts a request for its own period or either neighbour (clocks a
    period apart). The number is the exporter's context, so each period's key is
    bound to it. Introduced in the chapter *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> current_period(120.0, now=1_000_000.0)
    8333
    >>> current_period(0, now=1.0)
    Traceback (most recent call last):
    ...
    ValueError: period_seconds must be a positive number of seconds, got 0
    """
    if isinstance(period_seconds, bool) or not isinstance(period_seconds, (int, float)) \
            or not period_seconds > 0 or period_seconds == float("inf"):
        raise ValueError(f"period_seconds must be a positive number of seconds, got {period_seconds!r}")
    return int((time.time() if now is None else now) // period_seconds)


def split_address(address: str, field: str = "key_service.address") -> tuple[str, int]:
    """Split ``"<IP address>:<port>"`` (IPv6 in brackets) into (host, port).

    Parameters
    ----------
    address : str
        As :func:`qlib.vpn.config.parse_endpoint` accepts it.
    field : str
        The config key named in an error.

    Returns
    -------
    (str, int)
        The host without brackets and the port.

    Raises
    ------
    ValueError
        If ``address`` has no port or a port that is not a number in [0, 65535].

    Notes
    -----
    Port 0 (the system chooses) is let through for tests on loopback; a config
    file cannot hold it. Introduced in the chapter *Post-quantum vs quantum
    cryptography*.

    Examples
    --------
    >>> split_address("10.231.0.1:8443"), split_address("[fd00::1]:8443")
    (('10.231.0.1', 8443), ('fd00::1', 8443))
    """
    if not isinstance(address, str) or ":" not in address:
        raise ValueError(f"{field} must be '<IP address>:<port>', got {address!r}")
    host, _, port = address.rpartition(":")
    if not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{field} must have a port in [0, 65535], got {address!r}")
    return host.strip("[]"), int(port)


def read_secret_file(path: Path, field: str) -> str:
    """The text of a secret file (a password, a password database), refused if others can read it.

    Parameters
    ----------
    path : path
        The file.
    field : str
        Its config key (``key_service.password_file``), named in every error.

    Returns
    -------
    str
        Its text (UTF-8, at most 1 MiB).

    Raises
    ------
    qlib.vpn.config.ConfigError
        If it cannot be opened (a symbolic link is not followed), grants anything
        to group or others, belongs to another user, is larger than 1 MiB or is not
        UTF-8.

    Notes
    -----
    Checked on the open descriptor (``fstat``), so the file cannot be swapped
    between the check and the read. Introduced in the chapter *Post-quantum vs
    quantum cryptography*.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise ConfigError(f"{field} {path} cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if info.st_mode & 0o077 or info.st_uid != os.getuid():
            raise ConfigError(f"{field} {path} must be mode 0600 and owned by uid {os.getuid()}, "
                              f"got mode {info.st_mode & 0o777:o} and uid {info.st_uid}")
        data = b""
        while chunk := os.read(fd, 65536):
            data += chunk
            if len(data) > 2**20:
                raise ConfigError(f"{field} {path} is larger than 1 MiB")
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{field} {path} is not UTF-8 text") from None


def key_facts(psk: PresharedKey) -> dict:
    """What may be reported about a key: everything but the key.

    Parameters
    ----------
    psk : qlib.crypto.pq_tls.PresharedKey

    Returns
    -------
    dict
        ``period``, ``group``, ``signature_algorithm``, ``cipher``, ``protocol``,
        ``mode``, ``peer``, ``handshake_bytes_sent``, ``handshake_bytes_received``
        (as this side counted them), JSON-ready.

    Notes
    -----
    The command's events are built from it, so no key is ever printed.
    Introduced in the chapter *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> psk = PresharedKey(b"k" * 32, 5, "X25519MLKEM768", "mldsa65", "TLS_AES_256_GCM_SHA384",
    ...                    "TLSv1.3", "password", "alice", 9000, 11000)
    >>> facts = key_facts(psk)
    >>> facts["group"], facts["handshake_bytes_sent"], "key" in facts
    ('X25519MLKEM768', 9000, False)
    """
    return {"period": psk.period, "group": psk.group, "signature_algorithm": psk.signature_algorithm,
            "cipher": psk.cipher, "protocol": psk.protocol, "mode": psk.mode, "peer": psk.peer,
            "handshake_bytes_sent": psk.handshake_bytes_sent,
            "handshake_bytes_received": psk.handshake_bytes_received}


def _check_config(config) -> KeyServiceConfig:
    if not isinstance(config, KeyServiceConfig):
        raise TypeError(f"config must be a KeyServiceConfig, got {type(config).__name__}")
    return config


class TLSKeyClient:
    """The client's key source: one TLS 1.3 key request per rotation.

    Parameters
    ----------
    config : KeyServiceConfig
        The client's ``[key_service]`` table (``server_name``, the CA, and the
        certificate or the username and 0600 password file).
    on_key : callable, optional
        Called with :func:`key_facts` of each key obtained, plus
        ``request_seconds`` (the whole TLS exchange, connection included).
    timeout : float
        Deadline in seconds of one request.

    Notes
    -----
    :meth:`next_psk` requests the key of :func:`current_period` and returns its
    32 bytes; any refusal raises a :class:`qlib.crypto.pq_tls.PSKError` (the
    rotator keeps the old key). The password is read once, at construction.
    Introduced in the chapter *Post-quantum vs quantum cryptography*.
    """

    def __init__(self, config: KeyServiceConfig, *, on_key=None, timeout: float = 5.0):
        self.config = _check_config(config)
        if on_key is not None and not callable(on_key):
            raise TypeError(f"on_key must be callable or None, got {type(on_key).__name__}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < float("inf"):
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.on_key, self.timeout = on_key, timeout
        self.address = split_address(config.address)
        if config.auth == "password":
            password = read_secret_file(config.password_file, "key_service.password_file").rstrip("\r\n")
            if not password:
                raise ConfigError(f"key_service.password_file {config.password_file} is empty")
            self._credentials = {"username": config.username, "password": password}
        else:
            self._credentials = {"cert_file": config.cert_file, "key_file": config.key_file}
        #: seconds each successful request took, in order
        self.request_seconds: list[float] = []

    def __call__(self) -> bytes:
        return self.next_psk()

    def next_psk(self) -> bytes:
        """Run the TLS 1.3 exchange for the current period; its 32-byte key."""
        start = time.perf_counter()
        psk = request_psk(self.address, current_period(self.config.rotation_period),
                          ca_file=self.config.ca_file, server_name=self.config.server_name,
                          crl_file=self.config.crl_file, timeout=self.timeout, **self._credentials)
        seconds = time.perf_counter() - start
        self.request_seconds.append(seconds)
        if self.on_key is not None:
            self.on_key({**key_facts(psk), "request_seconds": seconds})
        return psk.key


class TLSKeyServer:
    """The server's key service: a :class:`~qlib.crypto.pq_tls.PSKServer` feeding a rotator.

    Parameters
    ----------
    config : KeyServiceConfig
        The server's ``[key_service]`` table: where to listen, its certificate and
        key, the CA and CRL (certificate mode) or the scrypt password file
        (password mode, 0600).
    offer : callable
        ``offer(key)``: puts the 32-byte key on the standby interface
        (:meth:`qlib.vpn.rotation.PSKRotator.offer`); if it raises, the client is
        refused and gets no key.
    on_key : callable, optional
        Called with :func:`key_facts` of each key issued (after ``offer``).

    Notes
    -----
    A request is accepted for the server's :func:`current_period` or either
    neighbour. :meth:`refusals` returns the refusals since the last call, as
    ``(kind, message)`` (from :attr:`PSKServer.stats`), for the command's events;
    :meth:`reload_crl` reads the CRL file again (a revocation takes effect without
    a restart). Introduced in the chapter *Post-quantum vs quantum cryptography*.
    """

    def __init__(self, config: KeyServiceConfig, offer, *, on_key=None):
        self.config = _check_config(config)
        if not callable(offer):
            raise TypeError(f"offer must be callable, got {type(offer).__name__}")
        if on_key is not None and not callable(on_key):
            raise TypeError(f"on_key must be callable or None, got {type(on_key).__name__}")
        self._offer, self._on_key = offer, on_key
        passwords = None
        if config.auth == "password":
            text = read_secret_file(config.password_db, "key_service.password_db")
            try:
                passwords = PasswordFile.loads(text)
            except ValueError as exc:
                raise ConfigError(f"key_service.password_db {config.password_db}: {exc}") from None
        self._seen = 0
        self._lock = threading.Lock()
        self.server = PSKServer(split_address(config.address), ca_file=config.ca_file, cert_file=config.cert_file,
                                key_file=config.key_file, mode=config.auth, passwords=passwords,
                                crl_file=config.crl_file, on_key=self._install, check_period=self._check_period)

    def _check_period(self, period: int) -> bool:
        return abs(period - current_period(self.config.rotation_period)) <= 1

    def _install(self, psk: PresharedKey) -> None:
        self._offer(psk.key)
        if self._on_key is not None:
            self._on_key(key_facts(psk))

    def refusals(self) -> list[tuple[str, str]]:
        """The refusals (kind, message) since the last call (at most the last 64)."""
        stats = self.server.stats
        with self._lock:
            total = (stats.rate_limited + stats.handshake_failures + stats.authentication_failures
                     + stats.protocol_errors + stats.timeouts)
            new, self._seen = total - self._seen, total
        return list(stats.refusals)[-new:] if new > 0 else []

    def reload_crl(self) -> None:
        """Read ``key_service.crl_file`` again (certificate mode; does nothing in password mode)."""
        if self.config.crl_file is not None:
            self.server.update_crl(self.config.crl_file)

    def close(self) -> None:
        """Stop the key service."""
        self.server.close()
