"""Rotating WireGuard's preshared key every period, without dropping traffic.

WireGuard mixes a 32-byte preshared key (PSK) into every handshake (Noise
IKpsk2). Post-quantum designs such as Rosenpass fill that slot with a key from a
post-quantum key exchange run on a schedule: a recorded session then stays
confidential even if X25519 is broken later. Here the key comes from any
callable ``next_psk() -> bytes`` (a *key source*): the TLS 1.3 key service's
client (:class:`qlib.vpn.key_service.TLSKeyClient`, "fetch the key of this
period"), or :class:`SharedFileKeySource` for tests without TLS.

The order that loses nothing (make before break, :class:`TunnelSide`): each
side carries the tunnel on two WireGuard interfaces, one routed at a time.

1. the *responder* (the server) installs the new PSK on its standby interface
   (``wg set ... preshared-key``); traffic flows on through the active one;
2. only when the responder holds it, the *initiator* (the client) installs it on
   its standby interface and starts a handshake there at once
   (:meth:`qlib.vpn.wireguard.WireGuardInterface.rekey`);
3. the handshake succeeds only if both PSKs are equal: a completed handshake is
   the proof that the new key is in place. Then each side moves its routes to
   the standby interface; packets still in flight on the old one arrive, since
   its session is intact. If the handshake fails, nothing moves.

A key source that is served (the server writes the key, the client fetches it)
gives step 1 to the serving side: it installs the key before it publishes it, so
whoever fetches it can start the handshake at once. The TLS 1.3 key service
(:mod:`qlib.vpn.key_service`) works so: the key is the TLS exporter of the
client's request, so it exists on the server only when the client asks; the
server's ``on_key`` hands it to :meth:`PSKRotator.offer`, which puts it on the
standby interface before the client is told it is ready. Should the answer come
a moment early, the initiator starts a new handshake every 0.25 s
(:func:`install_psk`'s ``retry``) until its timeout. A key that does not come
(the key service refused, timed out) or no handshake with it leaves the tunnel
on its old key (``on_error``).
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
    "TunnelSide",
    "rotate_pair",
    "SharedFileKeySource",
    "KeySourceTimeout",
    "HandshakeNotConfirmed",
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
                timeout: float = 2.0, retry: float = 0.25) -> tuple[float, bool]:
    """Put ``psk`` in place on ``interface`` for ``peer``; (seconds taken, confirmed).

    With ``initiate=False`` the key is set for the next handshake (step 1 of the
    module's order) and the result is unconfirmed. With ``initiate=True`` a
    handshake starts at once and the call waits up to ``timeout`` seconds for it
    to complete, starting a new one every ``retry`` seconds (WireGuard itself
    would wait 5 s, REKEY_TIMEOUT), in case the peer installed the key a moment
    late; ``confirmed`` is whether one completed (none can if the peer holds
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
    if not (isinstance(retry, (int, float)) and retry > 0 and math.isfinite(retry)):
        raise ValueError(f"retry must be a positive number of seconds, got {retry!r}")
    deadline = time.monotonic() + timeout
    while True:
        interface.rekey(peer, psk)
        again = min(deadline, time.monotonic() + retry)
        while interface.handshake_time(peer) == 0:
            if time.monotonic() > again:
                break
            time.sleep(0.001)
        else:
            return time.perf_counter() - start, True
        if time.monotonic() > deadline:
            return time.perf_counter() - start, False


class TunnelSide:
    """One end of a tunnel carried by two WireGuard interfaces, one routed at a time.

    Parameters
    ----------
    interfaces : pair of WireGuardInterface
        Both hold the same private key and the same peer (on its two ports) and the
        same tunnel addresses (added with ``prefix_route=False``).
    peer : str
        The other side's public key.
    allowed_ips : sequence of str
        The networks routed into the tunnel (the peer's allowed IPs).
    initiate : bool
        Whether this side starts the handshakes (the client).

    Notes
    -----
    Make before break: a new preshared key goes to the *standby* interface, a
    handshake with it completes there while traffic flows through the *active*
    one, and only then the routes move to the standby (``ip route replace``).
    Packets already in flight on the old interface still arrive (its session is
    intact), so a rotation drops nothing; if the handshake with the new key fails
    (the peer holds another key) nothing moves and the tunnel keeps its old key.
    With a single interface the handshake would have to throw away the running
    session: wireguard-go's configuration interface cannot start a handshake and
    keep it, and the replies in flight at that moment would be lost.
    """

    def __init__(self, interfaces, peer: str, allowed_ips, *, initiate: bool):
        interfaces = tuple(interfaces)
        if len(interfaces) != 2 or not all(isinstance(i, WireGuardInterface) for i in interfaces):
            raise TypeError(f"interfaces must be two WireGuardInterface, got {interfaces!r}")
        if isinstance(allowed_ips, str) or not allowed_ips:
            raise ValueError(f"allowed_ips must be a non-empty list of networks, got {allowed_ips!r}")
        self.interfaces = interfaces
        self.peer = check_public_key(peer, "peer")
        self.allowed_ips = tuple(allowed_ips)
        self.initiate = initiate
        self.active_index: int | None = None  # None: nothing routed into the tunnel yet
        self._prepared: tuple[int, ...] = ()
        self._confirmed: int | None = None

    @property
    def active(self) -> WireGuardInterface | None:
        """The interface the routes point to (None before the first key is in place)."""
        return None if self.active_index is None else self.interfaces[self.active_index]

    @property
    def standby(self) -> WireGuardInterface:
        """The interface the next key goes to."""
        return self.interfaces[1 if self.active_index in (None, 0) else 0]

    def activate(self, index: int) -> None:
        """Route the allowed IPs through interface ``index`` (0 or 1)."""
        if index not in (0, 1):
            raise ValueError(f"index must be 0 or 1, got {index!r}")
        for network in self.allowed_ips:
            self.interfaces[index].route(network)
        self.active_index = index

    def switch(self) -> None:
        """Move the routes to the standby interface (a responder: to the interface
        the initiator's handshake with the prepared key arrived on)."""
        index = self._confirmed if self._confirmed is not None else self.interfaces.index(self.standby)
        self.activate(index)
        self._prepared, self._confirmed = (), None

    def prepare(self, psk: bytes, *, timeout: float = 2.0) -> tuple[float, bool]:
        """Put ``psk`` on the standby interface; (seconds, handshake confirmed).

        The initiator starts the handshake and waits for it. The responder puts
        the peer back afresh with the key on its standby interface (no traffic
        uses it), so its ``latest_handshake`` is 0 until the initiator's
        handshake with this key completes: :meth:`peer_confirmed`. A responder
        with nothing routed yet (just started, perhaps restarted while its peer
        kept running) prepares both interfaces, since it cannot know which one
        the initiator will use next.
        """
        check_preshared_key(psk, "psk")
        standby = self.standby
        if self.initiate:
            return install_psk(standby, self.peer, psk, initiate=True, timeout=timeout)
        start = time.perf_counter()
        indices = (0, 1) if self.active_index is None else (self.interfaces.index(standby),)
        for index in indices:
            self.interfaces[index].rekey(self.peer, psk, handshake=False)
        self._prepared, self._confirmed = indices, None
        return time.perf_counter() - start, False

    def peer_confirmed(self) -> bool:
        """Responder: whether the initiator's handshake with the prepared key completed.

        A responder's WireGuard records a handshake only when the first data
        message under the new session arrives and passes its tag; a failed
        handshake (another key) leaves it at 0.
        """
        for index in self._prepared:
            if self.interfaces[index].handshake_time(self.peer) != 0:
                self._confirmed = index
                return True
        return False

    def wait_confirmed(self, timeout: float = 2.0) -> bool:
        """Responder: wait up to ``timeout`` s for :meth:`peer_confirmed`."""
        deadline = time.monotonic() + timeout
        while not self.peer_confirmed():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        return True


def rotate_pair(psk: bytes, *, responder: TunnelSide, initiator: TunnelSide,
                timeout: float = 2.0) -> tuple[float, bool]:
    """Both ends of one tunnel, driven from one process: a new PSK, make before break.

    Returns (seconds from the first ``wg set`` until both sides route through the
    interfaces keyed with ``psk``, confirmed). If the handshake with ``psk`` does
    not complete, nothing is switched: the tunnel stays on its old key. Used by
    the tests, the demo and ``benchmarks/vpn.py``.
    """
    start = time.perf_counter()
    responder.prepare(psk)
    _, confirmed = initiator.prepare(psk, timeout=timeout)
    if not confirmed:
        return time.perf_counter() - start, False
    initiator.switch()
    confirmed = responder.wait_confirmed(timeout)
    if confirmed:
        responder.switch()
    return time.perf_counter() - start, confirmed


class KeySourceTimeout(TimeoutError):
    """No new key arrived from the key source in time."""


class HandshakeNotConfirmed(WireGuardError):
    """No handshake completed with a new key: the peer holds another (the tunnel keeps the old one)."""


class SharedFileKeySource:
    """A key source through a file both sides can read: the demo's and tests' channel.

    Parameters
    ----------
    path : str or Path
        The key file: one line ``<writer's epoch> <sequence number> <key as 64 hex
        digits>``, mode 0600, replaced atomically (written beside it, then
        renamed). The epoch, 16 random hex digits per writer, tells a restarted
        server's keys from the ones already seen.
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
    that share a file system (two namespaces of one machine), kept for the tests
    of the rotation without TLS: the VPN's key source is the TLS 1.3 key service
    (:mod:`qlib.vpn.key_service`). The file is a secret: it is created 0600 and a
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
        self.epoch = os.urandom(8).hex() if role == "writer" else None
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
        tmp.unlink(missing_ok=True)  # a stale one (or a planted one) is never reused
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, f"{self.epoch} {self.sequence} {key.hex()}\n".encode())
        finally:
            os.close(fd)
        os.replace(tmp, self.path)

    def _read(self) -> tuple[tuple[str, int], bytes] | None:
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
        if len(parts) != 3 or len(parts[0]) != 16 or not parts[1].isdigit() or len(parts[2]) != 64:
            raise ValueError(f"key file {self.path} must hold '<epoch> <sequence> <64 hex digits>', "
                             f"got {text[:100]!r}")
        try:
            key = bytes.fromhex(parts[2])
        except ValueError as exc:
            raise ValueError(f"key file {self.path} holds a key that is not hex") from exc
        return (parts[0], int(parts[1])), key

    def _fetch(self) -> bytes:
        deadline = time.monotonic() + self.timeout
        while True:
            entry = self._read()
            if entry is not None and entry[0] != (self.epoch, self.sequence):
                (self.epoch, self.sequence), key = entry
                return key
            if time.monotonic() > deadline:
                raise KeySourceTimeout(f"no new key in {self.path} within {self.timeout} s "
                                       f"(last sequence {self.sequence})")
            time.sleep(0.005)


class PSKRotator:
    """Rotate a :class:`TunnelSide`'s PSK from ``next_psk`` every ``period`` s, in a thread.

    Parameters
    ----------
    side : TunnelSide
    next_psk : callable
        Returns the next 32-byte key. A reader's ``next_psk`` blocks until the
        other side publishes; the rotator then follows the other side's schedule.
        None for a responder whose keys arrive from the initiator's request
        (:meth:`offer`, called by the TLS key service's ``on_key``).
    period : float or None
        Seconds between rotations; None: rotate as soon as ``next_psk`` returns
        (the initiator driven by the responder's schedule).
    published : callable, optional
        Responder: called once the key is on the standby interface, before the
        initiator can use it (a writer's ``publish``).
    on_rotate : callable, optional
        Called with each :class:`RotationRecord`.
    handshake_timeout : float
        Initiator: seconds to wait for the handshake with a new key.
    on_error : callable, optional
        Called with the exception when a rotation fails for want of a key: the key
        source raised, or no handshake completed with the new key
        (:class:`HandshakeNotConfirmed`). The tunnel keeps its old key (before the
        first, nothing is routed) and the rotator tries again after ``retry`` s.
        Without it such a failure stops the rotator (:attr:`error`).
    retry : float
        Seconds between attempts after a failure reported to ``on_error``.

    Notes
    -----
    The initiator fetches a key, completes a handshake with it on the standby
    interface and switches; the responder installs a key, publishes it, and
    switches as soon as the initiator's handshake has arrived (polled from the
    thread). :attr:`records` keeps every rotation and :attr:`key_age` the seconds
    since the routed key was put in place. :meth:`request` asks for a rotation now
    (safe from a signal handler: ``SIGUSR1`` in ``python -m qlib.vpn``). An
    exception in the thread (a key source that timed out, a failing ``wg``) is kept
    in :attr:`error` and stops the rotator; the caller decides to tear down.
    """

    def __init__(self, side: TunnelSide, next_psk, *, period: float | None, published=None, on_rotate=None,
                 handshake_timeout: float = 2.0, on_error=None, retry: float = 1.0):
        if next_psk is not None and not callable(next_psk):
            raise TypeError(f"next_psk must be callable, got {type(next_psk).__name__} "
                            "(or None for a responder whose keys come through offer)")
        if on_error is not None and not callable(on_error):
            raise TypeError(f"on_error must be callable or None, got {type(on_error).__name__}")
        if not (isinstance(retry, (int, float)) and not isinstance(retry, bool) and retry > 0
                and math.isfinite(retry)):
            raise ValueError(f"retry must be a positive number of seconds, got {retry!r}")
        if period is not None and not (isinstance(period, (int, float)) and not isinstance(period, bool)
                                       and period > 0 and math.isfinite(period)):
            raise ValueError(f"period must be a positive number of seconds or None, got {period!r}")
        if not isinstance(side, TunnelSide):
            raise TypeError(f"side must be a TunnelSide, got {type(side).__name__}")
        if next_psk is None and side.initiate:
            raise ValueError("next_psk=None (keys pushed with offer) is for the responder; "
                             "the initiator must fetch its keys")
        self.side, self.next_psk, self.period = side, next_psk, period
        self.published, self.on_rotate = published, on_rotate
        self.on_error, self.retry = on_error, retry
        self._lock = threading.Lock()  # offer() runs in the key service's threads
        self.handshake_timeout = handshake_timeout
        self.records: list[RotationRecord] = []
        self.error: BaseException | None = None
        self._installed_at: float | None = None
        self._awaiting: float | None = None  # responder: perf_counter when the pending key was prepared
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def key_age(self) -> float | None:
        """Seconds since the routed key was put in place (None before the first)."""
        return None if self._installed_at is None else time.monotonic() - self._installed_at

    def _record(self, seconds: float, confirmed: bool) -> RotationRecord:
        self._installed_at = time.monotonic()
        record = RotationRecord(len(self.records) + 1, time.time(), seconds, confirmed)
        self.records.append(record)
        if self.on_rotate is not None:
            self.on_rotate(record)
        return record

    def rotate_now(self) -> RotationRecord | None:
        """Fetch the next key and start putting it in place.

        The initiator finishes here (its record is returned); the responder
        publishes and returns None, and :meth:`poll` switches once the initiator's
        handshake arrives. Raises what the key source raised, or
        :class:`HandshakeNotConfirmed`.
        """
        if self.next_psk is None:
            raise ValueError("this rotator has no next_psk: its keys arrive through offer()")
        return self._put_in_place(check_preshared_key(self.next_psk(), "next_psk()"))

    def attempt(self) -> bool:
        """:meth:`rotate_now`, with a failure for want of a key reported to ``on_error``.

        Returns whether the key is in place (the responder: prepared). A key
        source that raised, or :class:`HandshakeNotConfirmed`, goes to
        ``on_error`` (re-raised if there is none); the tunnel keeps its old key.
        Any other error (a failing ``wg``) is raised.
        """
        try:
            psk = check_preshared_key(self.next_psk(), "next_psk()")
        except Exception as exc:
            if self.on_error is None:
                raise
            self.on_error(exc)
            return False
        try:
            self._put_in_place(psk)
        except HandshakeNotConfirmed as exc:
            if self.on_error is None:
                raise
            self.on_error(exc)
            return False
        return True

    def _put_in_place(self, psk: bytes) -> RotationRecord | None:
        with self._lock:
            start = time.perf_counter()
            _, confirmed = self.side.prepare(psk, timeout=self.handshake_timeout)
            if self.side.initiate:
                if not confirmed:
                    raise HandshakeNotConfirmed(
                        f"no handshake with the new key within {self.handshake_timeout} s: "
                        "the peer holds another key (the tunnel keeps the old one)")
                self.side.switch()
                return self._record(time.perf_counter() - start, True)
            if self.published is not None:
                self.published()
            self._awaiting = start
            return None

    def offer(self, psk: bytes) -> None:
        """Responder: put ``psk`` (from the initiator's key request) on the standby interface now.

        Called from the key service's thread before it tells the initiator the
        key is ready; :meth:`poll` (the rotator's thread) switches once the
        initiator's handshake with it arrives. A newer offer replaces a pending one.
        """
        if self.side.initiate:
            raise ValueError("offer is the responder's; the initiator fetches its keys with next_psk")
        self._put_in_place(check_preshared_key(psk, "psk"))

    def poll(self) -> RotationRecord | None:
        """Responder: switch if the initiator's handshake with the pending key arrived."""
        with self._lock:
            if self._awaiting is None or not self.side.peer_confirmed():
                return None
            self.side.switch()
            start, self._awaiting = self._awaiting, None
            return self._record(time.perf_counter() - start, True)

    def request(self) -> None:
        """Ask the thread to rotate now."""
        self._wake.set()

    def _loop(self) -> None:
        try:
            if self.side.initiate:
                wait = self.period
                while not self._stop.is_set():
                    if wait is not None:
                        self._wake.wait(wait)
                        self._wake.clear()
                        if self._stop.is_set():
                            break
                    wait = self.period if self.attempt() else self.retry
                return
            due = time.monotonic() + (self.period if self.period is not None else math.inf)
            while not self._stop.is_set():
                self.poll()
                if self.next_psk is not None and (self._wake.is_set() or time.monotonic() >= due):
                    self._wake.clear()
                    ok = self.attempt()
                    due = time.monotonic() + (self.retry if not ok else
                                              self.period if self.period is not None else math.inf)
                self._stop.wait(0.002)
        except BaseException as exc:  # kept for the caller, who tears down
            self.error = exc

    def start(self) -> "PSKRotator":
        """Start the rotation thread."""
        self._thread = threading.Thread(target=self._loop, name="psk-rotation", daemon=True)
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
