"""Tests for qlib.crypto.pq_passwords: the salted scrypt password file (format, file mode,
an independent scrypt, hostile file contents, and no password ever stored)."""

from __future__ import annotations

import base64
import hashlib
import os
import stat

import pytest

from qlib import USERNAME_PATTERN, PasswordFile

FAST_SCRYPT = dict(n=2**10, r=8, p=1)  # small cost: the tests check logic, not cost


def test_hash_is_scrypt_of_rfc7914(tmp_path):
    """The stored hash is scrypt (RFC 7914) of the password and the stored salt, checked
    against OpenSSL's scrypt through hashlib, an implementation independent of cryptography's."""
    db = PasswordFile(**FAST_SCRYPT)
    db.add("alice", "s3cret")
    path = db.save(tmp_path / "passwd")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    header, line = path.read_text().splitlines()
    assert header == "# qlib-scrypt-v1"
    user, n, r, p, salt, digest = line.split(":")
    assert (user, int(n), int(r), int(p)) == ("alice", 2**10, 8, 1)
    expected = hashlib.scrypt(b"s3cret", salt=base64.b64decode(salt), n=1024, r=8, p=1, dklen=32)
    assert base64.b64decode(digest) == expected
    back = PasswordFile.load(path, **FAST_SCRYPT)
    assert back.verify("alice", "s3cret") and not back.verify("alice", "s3cret ")


@pytest.mark.parametrize("text,match", [
    ("alice:1024:8:1:AAAA:AAAA\n", "header"),
    ("# qlib-scrypt-v1\nalice:1024:8:1:AAAA\n", "line 2: expected 6"),
    ("# qlib-scrypt-v1\nal ice:1024:8:1:AAAA:AAAA\n", "line 2: bad username"),
    ("# qlib-scrypt-v1\nalice:1000:8:1:AAAA:AAAA\n", "line 2: n must be a power of two"),
    ("# qlib-scrypt-v1\nalice:4194304:8:1:AAAA:AAAA\n", "line 2: n must be at most"),
    ("# qlib-scrypt-v1\nalice:1024:8:99:AAAA:AAAA\n", "line 2: p must be at most"),
    ("# qlib-scrypt-v1\nalice:1024:8:1:!!!!:AAAA\n", "line 2: salt and hash must be base64"),
    ("# qlib-scrypt-v1\nalice:1024:8:1:AAAA:AAAA\n", "line 2: salt must be 16 bytes"),
    ("# qlib-scrypt-v1\nalice:-1:8:1:AAAA:AAAA\n", "line 2: n, r, p must be decimal"),
])
def test_malformed_text_is_refused_with_its_line(text, match):
    with pytest.raises(ValueError, match=match):
        PasswordFile.loads(text)


def test_bad_values_are_refused():
    db = PasswordFile(**FAST_SCRYPT)
    with pytest.raises(ValueError, match="username"):
        db.add("", "x")
    with pytest.raises(ValueError, match="password must be 1 to 255 bytes"):
        db.add("alice", "")
    with pytest.raises(TypeError, match="password must be a str"):
        db.verify("alice", b"x")
    with pytest.raises(ValueError, match="n must be a power of two"):
        PasswordFile(n=1000)
    assert db.verify("", "") is False and db.verify("x" * 1000, "y" * 1000) is False




def test_each_user_has_its_own_salt_and_no_password_is_stored():
    db = PasswordFile(**FAST_SCRYPT)
    db.add("alice", "same password")
    db.add("bob", "same password")
    text = db.dumps()
    assert "same password" not in text and base64.b64encode(b"same password").decode() not in text
    a, b = (line.split(":") for line in text.splitlines()[1:])
    assert a[4] != b[4] and a[5] != b[5]  # different salts, so different hashes
    assert len(db) == 2 and "alice" in db
    db.remove("alice")
    assert "alice" not in db and not db.verify("alice", "same password")
    with pytest.raises(KeyError):
        db.remove("alice")


def test_entries_keep_their_own_cost():
    old = PasswordFile(n=2**10)
    old.add("alice", "pw")
    new = PasswordFile.loads(old.dumps(), n=2**11)
    new.add("bob", "pw2")
    costs = {line.split(":")[0]: int(line.split(":")[1]) for line in new.dumps().splitlines()[1:]}
    assert costs == {"alice": 2**10, "bob": 2**11}
    assert new.verify("alice", "pw") and new.verify("bob", "pw2")


def test_username_pattern_excludes_the_separator():
    import re
    assert re.match(USERNAME_PATTERN, "alice@example.org")
    assert not re.match(USERNAME_PATTERN, "a:b") and not re.match(USERNAME_PATTERN, "a" * 65)
