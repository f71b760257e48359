"""Rotating WireGuard's preshared key every period, without dropping traffic.

WireGuard mixes a 32-byte preshared key (PSK) into every handshake (Noise
IKpsk2). Post-quantum designs such as Rosenpass fill that slot with a key from a
post-quantum key exchange run on a schedule: a recorded session then stays
confidential even if X25519 is broken later. Here the key comes from any
callable ``next_psk() -> bytes`` (a *key source*): :class:`SharedFileKeySource`
for the demo and tests, and the TLS 1.3 key service of ``qlib.crypto`` plugs in
the same way (its client's "fetch the key of this period" is a ``next_psk``).

The order that loses nothing:

1. the *responder* side installs the new PSK (``wg set ... preshared-key``):
   the running session keeps its keys, traffic flows on;
2. only when the responder holds it, the *initiator* side installs it and starts a
   handshake at once (:meth:`qlib.vpn.wireguard.WireGuardInterface.rekey`); the
   few packets sent while it runs wait in WireGuard's queue;
3. the handshake succeeds only if both PSKs are equal: a completed handshake
   (``latest-handshake`` no longer 0) is the proof that the new key is in place.

A key source that is served (the server writes the key, the client fetches it)
gives step 1 to the serving side: it installs the key before it publishes it, so
whoever fetches it can start the handshake at once.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .wireguard import WireGuardError, WireGuardInterface, check_preshared_key, check_public_key

__all__ = [
    "RotationRecord",
    "install_psk",
    "rotate_pair",
    "SharedFileKeySource",
    "KeySourceTimeout",
    "PSKRotator",
]


@dataclass(frozen=True)
class RotationRecord:
    """One rotation: its number, when it finished (``time.time()``), how long
    putting the key in place took (s), and whether a handshake with it completed."""

    index: int
    finished_at: float
    seconds: float
    handshake_confirmed: bool


def install_psk(interface: WireGuardInterface, peer: str, psk: bytes, *, initiate: bool,
                timeout: float = 2.0) -> tuple[float, bool]:
    """Put ``psk`` in place on ``interface`` for ``peer``; (seconds taken, confirmed).

    With ``initiate=False`` the key is set for the next handshake (step 1 of the
    module's order) and the result is unconfirmed. With ``initiate=True`` a
    handshake starts at once and the call waits up to ``timeout`` seconds for it
    to complete; ``confirmed`` is whether it did (it cannot if the peer holds
    another key).
    """
    check_public_key(peer, "peer")
    check_preshared_key(psk, "psk")
    if not (isinstance(timeout, (int, float)) and timeout > 0 and math.isfinite(timeout)):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    start = time.perf_counter()
    if not initiate:
        interface.set_preshared_key(peer, psk)
        return time.perf_counter() - start, False
    interface.rekey(peer, psk)
    deadline = time.monotonic() + timeout
    while interface.peer_status(peer).latest_handshake == 0:
        if time.monotonic() > deadline:
            return time.perf_counter() - start, False
        time.sleep(0.001)
    return time.perf_counter() - start, True


def rotate_pair(psk: bytes, *, responder: tuple[WireGuardInterface, str],
                initiator: tuple[WireGuardInterface, str], timeout: float = 2.0) -> tuple[float, bool]:
    """Both ends of one tunnel, driven from one process: new PSK on both, in order.

    ``responder`` and ``initiator`` are (interface, the other side's public key).
    Returns (seconds from the first ``wg set`` to the completed handshake,
    confirmed). Used by the tests, the demo and ``benchmarks/vpn.py``.
    """
    start = time.perf_counter()
    install_psk(*responder, psk, initiate=False)
    _, confirmed = install_psk(*initiator, psk, initiate=True, timeout=timeout)
    return time.perf_counter() - start, confirmed


class KeySourceTimeout(TimeoutError):
    """No new key arrived from the key source in time."""


class SharedFileKeySource:
    """A key source through a file both sides can read: the demo's and tests' channel.

    Parameters
    ----------
    path : str or Path
        The key file: one line ``<sequence number> <key as 64 hex digits>``, mode
        0600, replaced atomically (written beside it, then renamed).
    role : {"writer", "reader"}
        ``"writer"`` (the server): each call draws a fresh key from
        ``os.urandom(32)``; :meth:`publish` writes it to the file once the server's
        interface holds it (step 1 of the module's order). ``"reader"`` (the client): each call waits for a sequence number it has
        not seen and returns that key.
    timeout : float
        Seconds a reader waits for a new key before :class:`KeySourceTimeout`.

    Notes
    -----
    This is a stand-in for a network key service, usable only between processes
    that share a file system (two namespaces of one machine): the TLS 1.3 key
    service of ``qlib.crypto`` replaces it with an object whose ``next_psk`` runs
    the authenticated key exchange. The file is a secret: it is created 0600 and a
    reader refuses a file that others can read or that another user owns.
    """

    def __init__(self, path, role: str, *, timeout: float = 30.0):
        if role not in ("writer", "reader"):
            raise ValueError(f"role must be 'writer' or 'reader', got {role!r}")
        if not (isinstance(timeout, (int, float)) and timeout > 0 and math.isfinite(timeout)):
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.path = Path(path)
        self.role = role
        self.timeout = timeout
        self.sequence = 0
        self._pending: bytes | None = None

    def __call__(self) -> bytes:
        return self.next_psk()

    def next_psk(self) -> bytes:
        """The next 32-byte key (see the class's ``role``)."""
        if self.role == "writer":
            self._pending = os.urandom(32)
            return self._pending
        return self._fetch()

    def publish(self) -> None:
        """Writer: publish the key the last ``next_psk`` drew (call it once it is installed)."""
        if self.role != "writer":
            raise ValueError(f"publish is the writer's, this source's role is {self.role!r}")
        if self._pending is None:
            raise ValueError("publish needs a key: call next_psk first")
        key, self._pending = self._pending, None
        self.sequence += 1
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, f"{self.sequence} {key.hex()}\n".encode())
        finally:
            os.close(fd)
        os.replace(tmp, self.path)

    def _read(self) -> tuple[int, bytes] | None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None
        try:
            info = os.fstat(fd)
            if info.st_mode & 0o077 or info.st_uid != os.getuid():
                raise PermissionError(f"key file {self.path} must be mode 0600 and owned by uid {os.getuid()}, "
                                      f"got mode {info.st_mode & 0o777:o} and uid {info.st_uid}")
            text = os.read(fd, 256).decode("ascii", errors="replace")
        finally:
            os.close(fd)
        parts = text.split()
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise ValueError(f"key file {self.path} must hold '<sequence> <64 hex digits>', got {text[:80]!r}")
        try:
            key = bytes.fromhex(parts[1])
        except ValueError as exc:
            raise ValueError(f"key file {self.path} holds a key that is not hex") from exc
        return int(parts[0]), key

    def _fetch(self) -> bytes:
        deadline = time.monotonic() + self.timeout
        while True:
            entry = self._read()
            if entry is not None and entry[0] != self.sequence:
                self.sequence = entry[0]
                return entry[1]
            if time.monotonic() > deadline:
                raise KeySourceTimeout(f"no new key in {self.path} within {self.timeout} s "
                                       f"(last sequence {self.sequence})")
            time.sleep(0.005)


class PSKRotator:
    """Rotate one peer's PSK from ``next_psk`` every ``period`` seconds, in a thread.

    Parameters
    ----------
    interface : WireGuardInterface
    peer : str
        The other side's public key.
    next_psk : callable
        Returns the next 32-byte key. A reader's ``next_psk`` blocks until the
        other side publishes; the rotator then follows the other side's schedule.
    period : float or None
        Seconds between rotations; None: rotate as soon as ``next_psk`` returns
        (a reader driven by the writer's schedule).
    initiate : bool
        Whether this side starts the handshake (see :func:`install_psk`).

    Notes
    -----
    :attr:`records` keeps every rotation, :attr:`key_age` the seconds since the
    current key was put in place. :meth:`rotate_now` rotates at once (from another
    thread too: ``SIGUSR1`` in ``python -m qlib.vpn``). An exception in the thread
    (a key source that timed out, a failing ``wg``) is kept in :attr:`error` and
    stops the rotator; the caller decides to tear down.
    """

    def __init__(self, interface: WireGuardInterface, peer: str, next_psk, *, period: float | None,
                 initiate: bool, on_rotate=None, handshake_timeout: float = 2.0):
        check_public_key(peer, "peer")
        if not callable(next_psk):
            raise TypeError(f"next_psk must be callable, got {type(next_psk).__name__}")
        if period is not None and not (isinstance(period, (int, float)) and not isinstance(period, bool)
                                       and period > 0 and math.isfinite(period)):
            raise ValueError(f"period must be a positive number of seconds or None, got {period!r}")
        self.interface, self.peer, self.next_psk = interface, peer, next_psk
        self.period, self.initiate, self.on_rotate = period, initiate, on_rotate
        self.handshake_timeout = handshake_timeout
        self.records: list[RotationRecord] = []
        self.error: BaseException | None = None
        self._installed_at: float | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def key_age(self) -> float | None:
        """Seconds since the current key was put in place (None before the first)."""
        return None if self._installed_at is None else time.monotonic() - self._installed_at

    def rotate_now(self) -> RotationRecord:
        """Fetch the next key and put it in place now; the record of it."""
        with self._lock:
            psk = check_preshared_key(self.next_psk(), "next_psk()")
            seconds, confirmed = install_psk(self.interface, self.peer, psk, initiate=self.initiate,
                                             timeout=self.handshake_timeout)
            if self.initiate and not confirmed:
                raise WireGuardError(f"no handshake with the new key within {self.handshake_timeout} s: "
                                     "the peer holds another key")
            self._installed_at = time.monotonic()
            record = RotationRecord(len(self.records) + 1, time.time(), seconds, confirmed)
            self.records.append(record)
        if self.on_rotate is not None:
            self.on_rotate(record)
        return record

    def request(self) -> None:
        """Ask the thread to rotate now (safe from a signal handler)."""
        self._wake.set()

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                if self.period is not None:
                    self._wake.wait(self.period)
                    self._wake.clear()
                    if self._stop.is_set():
                        break
                self.rotate_now()
        except BaseException as exc:  # kept for the caller, who tears down
            self.error = exc

    def start(self) -> "PSKRotator":
        """Start the rotation thread (the first key must already be in place)."""
        self._thread = threading.Thread(target=self._loop, name=f"psk-{self.interface.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (a reader's pending ``next_psk`` ends at its own timeout)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> "PSKRotator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def mark_installed(self) -> None:
        """Record that the first key was put in place (by the caller) now."""
        self._installed_at = time.monotonic()
