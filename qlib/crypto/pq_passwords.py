r"""A salted scrypt password file for the key service's username/password mode.

The server of :mod:`qlib.crypto.pq_tls` in password mode checks a username and
password, received inside the TLS 1.3 channel, against this file. No password is
stored: each user has a fresh 16-byte salt and ``scrypt(password, salt, n, r, p)``
(RFC 7914, 32 bytes) computed with ``cryptography``'s ``Scrypt``.

File format
-----------
UTF-8 text, one user per line, ``#`` lines and blank lines ignored; the first line
is the header ``# qlib-scrypt-v1``::

    # qlib-scrypt-v1
    alice:16384:8:1:<salt, base64>:<hash, base64>

Fields are separated by ``:``: the username (1 to 64 of letters, digits and
``._@-``, so never a ``:``), the scrypt cost ``n`` (a power of two, at most 2**20),
``r``, ``p``, the salt (16 bytes) and the hash (32 bytes), both standard base64.
The file is written with mode ``0o600``. A malformed line is refused on loading
with its line number; cost parameters are bounded (``128 * n * r`` at most
1 GiB, ``p`` at most 16) so a hostile file cannot exhaust memory or time.

Introduced in the chapter *Post-quantum vs quantum cryptography*.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import threading
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .._validation import check_int
from ._paths import check_path

__all__ = ["PasswordFile", "USERNAME_PATTERN"]

#: What a username may be: 1 to 64 of letters, digits and ``._@-``.
USERNAME_PATTERN = r"^[A-Za-z0-9._@-]{1,64}$"
_USERNAME = re.compile(USERNAME_PATTERN)
_HEADER = "# qlib-scrypt-v1"
_MAX_N = 2**20
_MAX_MEMORY = 2**30
_MAX_P = 16
_MAX_PASSWORD_BYTES = 255
_SALT_BYTES, _HASH_BYTES = 16, 32


def _check_cost(n, r, p) -> tuple[int, int, int]:
    n = check_int("n", n, minimum=2)
    if n & (n - 1):
        raise ValueError(f"n must be a power of two, got {n}")
    if n > _MAX_N:
        raise ValueError(f"n must be at most 2**20 = {_MAX_N}, got {n}")
    r = check_int("r", r, minimum=1)
    p = check_int("p", p, minimum=1)
    if p > _MAX_P:
        raise ValueError(f"p must be at most {_MAX_P}, got {p}")
    if 128 * n * r > _MAX_MEMORY:
        raise ValueError(f"n and r must keep scrypt's memory 128 * n * r within 1 GiB, got n={n}, r={r}")
    return n, r, p


def _check_username(username) -> str:
    if not isinstance(username, str):
        raise TypeError(f"username must be a str, got {username!r} of type {type(username).__name__}")
    if not _USERNAME.match(username):
        raise ValueError(f"username must be 1 to 64 of letters, digits and ._@-, got {username!r}")
    return username


def _check_password(password) -> bytes:
    if not isinstance(password, str):
        raise TypeError(f"password must be a str, got an object of type {type(password).__name__}")
    data = password.encode("utf-8")
    if not 1 <= len(data) <= _MAX_PASSWORD_BYTES:
        raise ValueError(f"password must be 1 to {_MAX_PASSWORD_BYTES} bytes in UTF-8, got {len(data)}")
    return data


class PasswordFile:
    r"""Usernames with salted scrypt hashes, saved to and loaded from a text file.

    Parameters
    ----------
    n, r, p : int
        scrypt cost for new entries (``n`` a power of two, at most 2**20;
        defaults 2**14, 8, 1, the interactive-login setting of RFC 7914).

    Raises
    ------
    TypeError, ValueError
        On a bad cost parameter, naming it.

    Notes
    -----
    :meth:`verify` of an unknown user still runs scrypt (against a dummy entry of
    the same cost) and compares the hashes with :func:`hmac.compare_digest`, so
    neither timing nor the answer tells which usernames exist. Each entry keeps
    its own cost, so raising the cost applies to users added afterwards. The file
    format is described in the module's docstring. Introduced in the chapter
    *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> db = PasswordFile(n=2**10)
    >>> db.add("alice", "correct horse")
    >>> db.verify("alice", "correct horse"), db.verify("alice", "wrong"), db.verify("eve", "x")
    (True, False, False)
    >>> "correct horse" in db.dumps()
    False
    """

    def __init__(self, *, n: int = 2**14, r: int = 8, p: int = 1):
        self._cost = _check_cost(n, r, p)
        self._entries: dict[str, tuple[int, int, int, bytes, bytes]] = {}
        self._lock = threading.Lock()
        self._dummy_salt = os.urandom(_SALT_BYTES)

    @staticmethod
    def _scrypt(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
        return Scrypt(salt=salt, length=_HASH_BYTES, n=n, r=r, p=p).derive(password)

    def add(self, username: str, password: str) -> None:
        """Store ``username`` with a fresh salt and the scrypt hash of ``password`` (replacing any entry)."""
        username, data = _check_username(username), _check_password(password)
        salt = os.urandom(_SALT_BYTES)
        entry = (*self._cost, salt, self._scrypt(data, salt, *self._cost))
        with self._lock:
            self._entries[username] = entry

    def remove(self, username: str) -> None:
        """Delete ``username``'s entry (``KeyError`` if there is none)."""
        username = _check_username(username)
        with self._lock:
            if username not in self._entries:
                raise KeyError(f"no user {username!r}")
            del self._entries[username]

    def __contains__(self, username) -> bool:
        with self._lock:
            return username in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def verify(self, username: str, password: str) -> bool:
        """Whether ``password`` is ``username``'s (``False`` for an unknown user).

        Values that are strings but not a valid username or password (empty,
        too long, bad characters) are simply not a match: they arrive from the
        network. A value that is not a ``str`` raises ``TypeError``.
        """
        if not isinstance(username, str):
            raise TypeError(f"username must be a str, got an object of type {type(username).__name__}")
        if not isinstance(password, str):
            raise TypeError(f"password must be a str, got an object of type {type(password).__name__}")
        data = password.encode("utf-8", "surrogatepass")
        with self._lock:
            entry = self._entries.get(username) if _USERNAME.match(username) else None
        if entry is None:  # same work as a real check, then refuse
            self._scrypt(data[:_MAX_PASSWORD_BYTES] or b"\0", self._dummy_salt, *self._cost)
            return False
        n, r, p, salt, expected = entry
        ok_length = 1 <= len(data) <= _MAX_PASSWORD_BYTES
        got = self._scrypt(data[:_MAX_PASSWORD_BYTES] or b"\0", salt, n, r, p)
        return hmac.compare_digest(got, expected) and ok_length

    # -------------------------------------------------------------------- files
    def dumps(self) -> str:
        """The file's text (see the module docstring for the format)."""
        b64 = base64.b64encode
        with self._lock:
            items = sorted(self._entries.items())
        lines = [_HEADER] + [f"{u}:{n}:{r}:{p}:{b64(s).decode()}:{b64(h).decode()}"
                             for u, (n, r, p, s, h) in items]
        return "\n".join(lines) + "\n"

    def save(self, path) -> Path:
        """Write :meth:`dumps` to ``path`` with mode ``0o600``; return ``path``."""
        path = check_path("path", path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, self.dumps().encode("utf-8"))
        finally:
            os.close(fd)
        return path

    @classmethod
    def loads(cls, text: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> PasswordFile:
        """Parse the file's text; ``n, r, p`` are the cost of users added later.

        Raises
        ------
        ValueError
            On a missing header, or a malformed line (its number is named): wrong
            field count, bad username, duplicate user, cost out of range, bad
            base64 or wrong salt/hash length.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got an object of type {type(text).__name__}")
        db = cls(n=n, r=r, p=p)
        lines = text.splitlines()
        if not lines or lines[0].strip() != _HEADER:
            raise ValueError(f"text must start with the header {_HEADER!r}, "
                             f"got {lines[0][:40] if lines else ''!r}")
        for number, line in enumerate(lines[1:], start=2):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(":")
            if len(fields) != 6:
                raise ValueError(f"line {number}: expected 6 ':'-separated fields, got {len(fields)}")
            user, n_s, r_s, p_s, salt_s, hash_s = fields
            if not _USERNAME.match(user):
                raise ValueError(f"line {number}: bad username {user[:70]!r}")
            if user in db._entries:
                raise ValueError(f"line {number}: duplicate user {user!r}")
            if not all(re.fullmatch(r"[0-9]{1,8}", f) for f in (n_s, r_s, p_s)):
                raise ValueError(f"line {number}: n, r, p must be decimal integers")
            try:
                cost = _check_cost(int(n_s), int(r_s), int(p_s))
            except ValueError as exc:
                raise ValueError(f"line {number}: {exc}") from None
            try:
                salt = base64.b64decode(salt_s, validate=True)
                digest = base64.b64decode(hash_s, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"line {number}: salt and hash must be base64") from None
            if len(salt) != _SALT_BYTES or len(digest) != _HASH_BYTES:
                raise ValueError(f"line {number}: salt must be {_SALT_BYTES} bytes and hash "
                                 f"{_HASH_BYTES} bytes, got {len(salt)} and {len(digest)}")
            db._entries[user] = (*cost, salt, digest)
        return db

    @classmethod
    def load(cls, path, **cost) -> PasswordFile:
        """Read a file written by :meth:`save` (see :meth:`loads`)."""
        return cls.loads(check_path("path", path).read_text(encoding="utf-8"), **cost)
