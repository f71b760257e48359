"""Tests for qlib.crypto.pqc: known-answer vectors (cryptography-vectors), sizes from the
standards, the hybrid exchange, measurements, cited data, Mosca's inequality and
bad input."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import mlkem
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import qlib
from qlib import (
    HYBRID_CIPHERTEXT_BYTES,
    HYBRID_PUBLIC_KEY_BYTES,
    KEM_PARAMETER_SETS,
    LITERATURE_SIZES,
    MEASURED_PRIMITIVES,
    RSA2048_ESTIMATES,
    SIGNATURE_PARAMETER_SETS,
    hybrid_combine,
    hybrid_decapsulate,
    hybrid_encapsulate,
    hybrid_keygen,
    measure_primitive,
    measure_primitives,
    mldsa_keygen,
    mldsa_sign,
    mldsa_verify,
    mlkem_decapsulate,
    mlkem_encapsulate,
    mlkem_keygen,
    mosca_at_risk,
    mosca_margin,
    pqc_supported,
    require_pqc,
)

vectors = pytest.importorskip("cryptography_vectors")
BIB = Path(__file__).resolve().parents[2] / "references.bib"
VECTOR_DIR = os.path.join(os.path.dirname(vectors.__file__), "asymmetric")


def _parse_rsp(path, limit):
    """The first ``limit`` records of a NIST-style .rsp file, as dicts of hex strings."""
    records, current = [], {}
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition(" = ")
            if key == "count" and current:
                records.append(current)
                if len(records) == limit:
                    return records
                current = {}
            current[key] = value
    records.append(current)
    return records[:limit]


# --------------------------------------------------------------------------- #
# Backend
# --------------------------------------------------------------------------- #
def test_backend_runs_mlkem_and_mldsa():
    assert pqc_supported()
    require_pqc()


def test_require_pqc_raises_clearly_without_support(monkeypatch):
    monkeypatch.setattr(qlib.crypto.pqc, "pqc_supported", lambda: False)
    with pytest.raises(RuntimeError, match="ML-KEM and ML-DSA need a cryptography backend"):
        qlib.crypto.pqc.require_pqc()


def test_parameter_sets_available():
    # cryptography 50 exposes ML-KEM-768 and -1024; ML-KEM-512 is not in its API.
    assert KEM_PARAMETER_SETS == ("ML-KEM-768", "ML-KEM-1024")
    assert not hasattr(mlkem, "MLKEM512PrivateKey")
    assert SIGNATURE_PARAMETER_SETS == ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87")


# --------------------------------------------------------------------------- #
# Known-answer tests: ML-KEM (FIPS 203) key generation from seed d||z and
# decapsulation, including implicit rejection (ct_n -> ss_n). Encapsulation's
# KAT needs the message m chosen by the test, which the public API does not
# accept (it draws m itself), so it is covered by round trips instead.
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("name", ["ML-KEM-768", "ML-KEM-1024"])
def test_mlkem_known_answers(name):
    records = _parse_rsp(os.path.join(VECTOR_DIR, "MLKEM", f"kat_MLKEM_{name[7:]}.rsp"), 5)
    for r in records:
        key = mlkem_keygen(name, seed=bytes.fromhex(r["d"] + r["z"]))
        assert key.public_key().public_bytes_raw().hex() == r["pk"]
        assert mlkem_decapsulate(key, bytes.fromhex(r["ct"])).hex() == r["ss"]
        assert mlkem_decapsulate(key, bytes.fromhex(r["ct_n"])).hex() == r["ss_n"]


def test_mlkem512_vectors_exist_but_cannot_be_run():
    """ML-KEM-512 vectors ship, but the library has no ML-KEM-512 class to run them."""
    assert os.path.exists(os.path.join(VECTOR_DIR, "MLKEM", "kat_MLKEM_512.rsp"))
    with pytest.raises(ValueError, match="parameter_set must be one of ML-KEM-768, ML-KEM-1024; got 'ML-KEM-512'"):
        mlkem_keygen("ML-KEM-512")


# ML-DSA (FIPS 204): key generation from seed xi reproduces pk, and the vectors'
# deterministic signatures verify. Signing in the library is hedged
# (randomised), so the signature bytes themselves cannot be reproduced.
@pytest.mark.parametrize("name", SIGNATURE_PARAMETER_SETS)
def test_mldsa_known_answers(name):
    records = _parse_rsp(os.path.join(VECTOR_DIR, "MLDSA", f"kat_MLDSA_{name[7:]}_det_pure.rsp"), 5)
    for r in records:
        key = mldsa_keygen(name, seed=bytes.fromhex(r["xi"]))
        pk = key.public_key().public_bytes_raw()
        assert pk.hex() == r["pk"]
        msg, sm, ctx = bytes.fromhex(r["msg"]), bytes.fromhex(r["sm"]), bytes.fromhex(r["ctx"])
        assert sm.endswith(msg)
        sig = sm[: len(sm) - len(msg)]
        assert mldsa_verify(pk, sig, msg, name, context=ctx)
        assert not mldsa_verify(pk, sig, msg + b"!", name, context=ctx)
        assert not mldsa_verify(pk, sig, msg, name, context=ctx + b"!")


# Sizes, bytes: FIPS 203 Table 3 (ML-KEM) and FIPS 204 Table 2 (ML-DSA).
KEM_SIZES = {"ML-KEM-768": (1184, 1088), "ML-KEM-1024": (1568, 1568)}
SIG_SIZES = {"ML-DSA-44": (1312, 2420), "ML-DSA-65": (1952, 3309), "ML-DSA-87": (2592, 4627)}


@pytest.mark.parametrize("name", KEM_PARAMETER_SETS)
def test_mlkem_round_trip_and_sizes(name):
    key = mlkem_keygen(name)
    pk = key.public_key().public_bytes_raw()
    secret, ct = mlkem_encapsulate(pk, name)
    assert (len(pk), len(ct), len(secret)) == (*KEM_SIZES[name], 32)
    assert mlkem_decapsulate(key, ct) == secret
    secret2, ct2 = mlkem_encapsulate(pk, name)
    assert secret2 != secret and ct2 != ct  # fresh randomness each time
    tampered = bytes([ct[0] ^ 0x80]) + ct[1:]
    assert mlkem_decapsulate(key, tampered) != secret  # implicit rejection


@pytest.mark.parametrize("name", SIGNATURE_PARAMETER_SETS)
def test_mldsa_round_trip_and_sizes(name):
    key = mldsa_keygen(name)
    pk = key.public_key().public_bytes_raw()
    sig = mldsa_sign(key, b"message", context=b"ctx")
    assert (len(pk), len(sig)) == SIG_SIZES[name]
    assert mldsa_verify(pk, sig, b"message", name, context=b"ctx")
    assert not mldsa_verify(pk, sig, b"messagE", name, context=b"ctx")
    other = mldsa_keygen(name).public_key().public_bytes_raw()
    assert not mldsa_verify(other, sig, b"message", name, context=b"ctx")


# --------------------------------------------------------------------------- #
# Hybrid exchange
# --------------------------------------------------------------------------- #
def test_hybrid_both_sides_agree_and_sizes():
    alice = hybrid_keygen()
    assert len(alice.public_bytes) == HYBRID_PUBLIC_KEY_BYTES == 1184 + 32
    key, ct = hybrid_encapsulate(alice.public_bytes, info=b"t")
    assert len(ct) == HYBRID_CIPHERTEXT_BYTES == 1088 + 32
    assert len(key) == 32
    assert hybrid_decapsulate(alice, ct, info=b"t") == key
    assert hybrid_decapsulate(alice, ct, info=b"u") != key
    assert "bytes>" in repr(alice) and alice.public_bytes.hex()[:16] not in repr(alice)


def test_hybrid_key_changes_when_either_component_differs():
    alice = hybrid_keygen()
    key, ct = hybrid_encapsulate(alice.public_bytes)
    bad_kem = bytes([ct[0] ^ 1]) + ct[1:]  # ML-KEM part (implicit rejection)
    bad_x = ct[:-1] + bytes([ct[-1] ^ 1])  # X25519 part
    assert hybrid_decapsulate(alice, bad_kem) != key
    assert hybrid_decapsulate(alice, bad_x) != key
    # The same with another party's private halves.
    mallory = hybrid_keygen()
    swapped_kem = qlib.HybridPrivateKey(alice.x25519, mallory.mlkem, alice.public_bytes)
    swapped_x = qlib.HybridPrivateKey(mallory.x25519, alice.mlkem, alice.public_bytes)
    assert hybrid_decapsulate(swapped_kem, ct) != key
    assert hybrid_decapsulate(swapped_x, ct) != key


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32),
       st.binary(min_size=32, max_size=32))
def test_hybrid_combine_depends_on_both_secrets(a, b, c):
    k = hybrid_combine(a, b)
    assert k == hybrid_combine(a, b)  # deterministic
    if c != a:
        assert hybrid_combine(c, b) != k
    if c != b:
        assert hybrid_combine(a, c) != k


def test_hybrid_combine_is_hkdf_sha256():
    # RFC 5869: HKDF with salt=None is HKDF-Extract with a zero salt, then Expand.
    import hashlib
    import hmac
    ikm = bytes(range(64))
    info = b"qlib hybrid X25519+ML-KEM-768 v1" + b"ctx"
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    okm = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
    assert hybrid_combine(ikm[:32], ikm[32:], info=b"ctx") == okm


def _components(alice, ct):
    """The two secrets of a hybrid exchange, recomputed from Alice's private halves."""
    from cryptography.hazmat.primitives.asymmetric import x25519

    ss_m = alice.mlkem.decapsulate(ct[:1088])
    ss_x = alice.x25519.exchange(x25519.X25519PublicKey.from_public_bytes(ct[1088:]))
    return ss_m, ss_x


def test_hybrid_kem_binds_ciphertexts_and_x25519_public_key():
    """As X-Wing's combiner (ss_M, ss_X, ct_X, pk_X; Barbosa et al. 2024, draft-connolly-cfrg-
    xwing-kem section 5.3), plus the ML-KEM ciphertext: the key is HKDF-SHA256 of
    ss_M || ss_X || ct_X || pk_X || ct_M, not of the two secrets alone."""
    import hashlib
    import hmac

    alice = hybrid_keygen()
    key, ct = hybrid_encapsulate(alice.public_bytes, info=b"t")
    ss_m, ss_x = _components(alice, ct)
    ct_x, pk_x, ct_m = ct[1088:], alice.public_bytes[1184:], ct[:1088]
    bound = dict(x25519_ciphertext=ct_x, x25519_public_key=pk_x, mlkem_ciphertext=ct_m)
    assert key == hybrid_combine(ss_m, ss_x, info=b"t", **bound)
    assert key != hybrid_combine(ss_m, ss_x, info=b"t")  # the bare secrets give another key
    prk = hmac.new(b"\0" * 32, ss_m + ss_x + ct_x + pk_x + ct_m, hashlib.sha256).digest()
    okm = hmac.new(prk, b"qlib hybrid X25519+ML-KEM-768 v1" + b"t" + b"\x01", hashlib.sha256).digest()
    assert key == okm
    # Each public value matters on its own.
    for name, value in bound.items():
        changed = dict(bound, **{name: bytes([value[0] ^ 1]) + value[1:]})
        assert hybrid_combine(ss_m, ss_x, info=b"t", **changed) != key, name


def test_hybrid_decapsulate_binds_the_recipient_x25519_key():
    """A private key presented with another X25519 public key (pk_X) derives another key,
    although both secrets are the same: pk_X is in the KDF input, as in X-Wing."""
    alice = hybrid_keygen()
    key, ct = hybrid_encapsulate(alice.public_bytes)
    relabelled = qlib.HybridPrivateKey(alice.x25519, alice.mlkem,
                                       alice.public_bytes[:1184] + hybrid_keygen().public_bytes[1184:])
    assert hybrid_decapsulate(alice, ct) == key
    assert hybrid_decapsulate(relabelled, ct) != key


def test_hybrid_combine_bad_public_values():
    with pytest.raises(ValueError, match="must be given together or not at all, got x25519_ciphertext "
                                         "without x25519_public_key, mlkem_ciphertext"):
        hybrid_combine(bytes(32), bytes(32), x25519_ciphertext=bytes(32))
    with pytest.raises(ValueError, match="mlkem_ciphertext must be 1088 bytes, got 1120 bytes"):
        hybrid_combine(bytes(32), bytes(32), x25519_ciphertext=bytes(32), x25519_public_key=bytes(32),
                       mlkem_ciphertext=bytes(1120))
    with pytest.raises(TypeError, match="x25519_public_key must be bytes, got str"):
        hybrid_combine(bytes(32), bytes(32), x25519_ciphertext=bytes(32), x25519_public_key="pk",
                       mlkem_ciphertext=bytes(1088))


def test_hybrid_bad_input():
    alice = hybrid_keygen()
    with pytest.raises(ValueError, match="public_bytes must be 1216 bytes, got 1184 bytes"):
        hybrid_encapsulate(alice.public_bytes[:1184])
    with pytest.raises(TypeError, match="public_bytes must be bytes, got str"):
        hybrid_encapsulate("abc")
    with pytest.raises(ValueError, match="ciphertext must be 1120 bytes, got 1119 bytes"):
        hybrid_decapsulate(alice, bytes(1119))
    with pytest.raises(TypeError, match="private_key must be a HybridPrivateKey"):
        hybrid_decapsulate(b"key", bytes(1120))
    with pytest.raises(ValueError, match="invalid X25519 share"):
        hybrid_encapsulate(alice.public_bytes[:1184] + bytes(32))
    with pytest.raises(ValueError, match="mlkem_secret must be 32 bytes, got 31 bytes"):
        hybrid_combine(bytes(31), bytes(32))
    with pytest.raises(ValueError, match="length must be at most 8160 bytes"):
        hybrid_combine(bytes(32), bytes(32), length=9000)
    with pytest.raises(ValueError, match="length must be an integer >= 16, got 8"):
        hybrid_combine(bytes(32), bytes(32), length=8)


def test_mlkem_mldsa_bad_input():
    with pytest.raises(ValueError, match="parameter_set must be one of"):
        mldsa_keygen("ML-DSA-99")
    with pytest.raises(TypeError, match="parameter_set must be a str"):
        mlkem_keygen(768)
    with pytest.raises(ValueError, match="seed must be 64 bytes, got 32 bytes"):
        mlkem_keygen("ML-KEM-768", seed=bytes(32))
    with pytest.raises(ValueError, match="seed must be 32 bytes, got 64 bytes"):
        mldsa_keygen("ML-DSA-65", seed=bytes(64))
    with pytest.raises(ValueError, match="public_key must be 1184 bytes for ML-KEM-768, got 1568 bytes"):
        mlkem_encapsulate(bytes(1568), "ML-KEM-768")
    with pytest.raises(ValueError, match="public_key must be 1952 bytes for ML-DSA-65, got 1312 bytes"):
        mldsa_verify(bytes(1312), b"s", b"m", "ML-DSA-65")
    key = mlkem_keygen()
    with pytest.raises(ValueError, match="ciphertext is not valid for this key"):
        mlkem_decapsulate(key, bytes(10))
    with pytest.raises(ValueError, match="context must be at most 255 bytes, got 256 bytes"):
        mldsa_sign(mldsa_keygen("ML-DSA-44"), b"m", context=bytes(256))
    dsa = mldsa_keygen("ML-DSA-44")
    pk = dsa.public_key().public_bytes_raw()
    sig = mldsa_sign(dsa, b"m", context=bytes(255))  # 255 bytes is allowed
    assert mldsa_verify(pk, sig, b"m", "ML-DSA-44", context=bytes(255))
    with pytest.raises(ValueError, match="context must be at most 255 bytes, got 256 bytes"):
        mldsa_verify(pk, sig, b"m", "ML-DSA-44", context=bytes(256))
    with pytest.raises(TypeError, match="context must be bytes, got str"):
        mldsa_verify(pk, sig, b"m", "ML-DSA-44", context="ctx")


@pytest.mark.parametrize("wrong", [b"key", None, "ML-KEM-768"])
def test_mlkem_decapsulate_refuses_a_non_key(wrong):
    with pytest.raises(TypeError, match=r"private_key must be an ML-KEM private key \(MLKEM768PrivateKey, "
                                        r"MLKEM1024PrivateKey\), got " + type(wrong).__name__):
        mlkem_decapsulate(wrong, bytes(1088))


def test_mlkem_decapsulate_and_mldsa_sign_refuse_each_others_keys():
    with pytest.raises(TypeError, match="private_key must be an ML-KEM private key .*got MLDSA65PrivateKey"):
        mlkem_decapsulate(mldsa_keygen("ML-DSA-65"), bytes(1088))
    with pytest.raises(TypeError, match="private_key must be an ML-DSA private key .*got MLKEM768PrivateKey"):
        mldsa_sign(mlkem_keygen("ML-KEM-768"), b"m")
    with pytest.raises(TypeError, match=r"private_key must be an ML-DSA private key \(MLDSA44PrivateKey, "
                                        r"MLDSA65PrivateKey, MLDSA87PrivateKey\), got bytes"):
        mldsa_sign(b"key", b"m")


def test_key_sizes_cover_every_parameter_set():
    """The size tables are explicit, ML-KEM-512 included (FIPS 203 Table 3: 800-byte
    encapsulation key; FIPS 204 Table 2: 1312 / 1952 / 2592-byte ML-DSA public keys)."""
    kem = qlib.crypto.pqc._MLKEM_PUBLIC_KEY_BYTES
    assert kem == {"ML-KEM-512": 800, "ML-KEM-768": 1184, "ML-KEM-1024": 1568}
    assert set(KEM_PARAMETER_SETS) <= set(kem)
    assert qlib.crypto.pqc._MLDSA_PUBLIC_KEY_BYTES == {"ML-DSA-44": 1312, "ML-DSA-65": 1952, "ML-DSA-87": 2592}


def test_mlkem512_would_work_once_the_library_exposes_it(monkeypatch):
    """Simulate a cryptography release with ML-KEM-512: no KeyError, the 800-byte rule applies."""
    class FakePublic:
        @staticmethod
        def from_public_bytes(data):
            assert len(data) == 800
            return FakePublic()

        def encapsulate(self):
            return bytes(32), bytes(768)

    monkeypatch.setattr(qlib.crypto.pqc, "KEM_PARAMETER_SETS", ("ML-KEM-512", *KEM_PARAMETER_SETS))
    monkeypatch.setitem(qlib.crypto.pqc._KEM_PUBLIC_CLASSES, "ML-KEM-512", FakePublic)
    with pytest.raises(ValueError, match="public_key must be 800 bytes for ML-KEM-512, got 1184 bytes"):
        mlkem_encapsulate(bytes(1184), "ML-KEM-512")
    assert mlkem_encapsulate(bytes(800), "ML-KEM-512") == (bytes(32), bytes(768))


def test_mldsa_signing_is_hedged():
    """FIPS 204's default (hedged) signing mixes in fresh randomness: two signatures of one
    message differ, and both verify."""
    key = mldsa_keygen("ML-DSA-65")
    pk = key.public_key().public_bytes_raw()
    first, second = mldsa_sign(key, b"one message"), mldsa_sign(key, b"one message")
    assert first != second
    assert mldsa_verify(pk, first, b"one message") and mldsa_verify(pk, second, b"one message")


# --------------------------------------------------------------------------- #
# Measurements
# --------------------------------------------------------------------------- #
def test_measured_sizes_match_the_standards():
    ms = {m.name: m for m in measure_primitives(repeats=2)}
    assert list(ms) == list(MEASURED_PRIMITIVES)
    for name, (pk, ct) in KEM_SIZES.items():
        assert (ms[name].public_key_bytes, ms[name].message_bytes) == (pk, ct)
    for name, (pk, sig) in SIG_SIZES.items():
        assert (ms[name].public_key_bytes, ms[name].message_bytes) == (pk, sig)
    # RFC 7748 (X25519: 32-byte keys), RFC 8032 (Ed25519: 32-byte keys, 64-byte
    # signatures), RSA-3072: 384-byte modulus, ciphertext and signature.
    assert (ms["X25519"].public_key_bytes, ms["X25519"].message_bytes) == (32, 32)
    assert (ms["Ed25519"].public_key_bytes, ms["Ed25519"].message_bytes) == (32, 64)
    assert (ms["RSA-3072"].message_bytes, ms["RSA-3072-PSS"].message_bytes) == (384, 384)
    assert [m.quantum_safe for m in ms.values()] == [n.startswith("ML-") for n in ms]
    for m in ms.values():
        assert m.keygen_s > 0 and m.op_s > 0 and m.inverse_op_s > 0
    # A robust ordering: RSA-3072 key generation is far slower than ML-KEM's.
    assert ms["RSA-3072"].keygen_s > 20 * ms["ML-KEM-768"].keygen_s


def test_measure_bad_input():
    with pytest.raises(ValueError, match="name must be one of"):
        measure_primitive("ML-KEM-512")
    with pytest.raises(ValueError, match="repeats must be an integer >= 1, got 0"):
        measure_primitive("X25519", repeats=0)
    with pytest.raises(TypeError, match="names must be a sequence of names"):
        measure_primitives("X25519")


# --------------------------------------------------------------------------- #
# Cited data
# --------------------------------------------------------------------------- #
def test_literature_sizes():
    sizes = {c.name: c for c in LITERATURE_SIZES}
    # FIPS 203 Table 3: ML-KEM-512 encapsulation key 800 B, ciphertext 768 B.
    assert (sizes["ML-KEM-512"].public_key_bytes, sizes["ML-KEM-512"].message_bytes) == (800, 768)
    # FIPS 205 Table 2: SLH-DSA-128s pk 32 B, sig 7,856 B; 256f pk 64 B, sig 49,856 B.
    assert (sizes["SLH-DSA-SHA2-128s"].public_key_bytes, sizes["SLH-DSA-SHA2-128s"].message_bytes) == (32, 7856)
    assert sizes["SLH-DSA-SHA2-256f"].message_bytes == 49856
    # Picnic specification v3.0: Picnic3-L1 pk 35 B, max signature 14,612 B.
    assert (sizes["Picnic3-L1"].public_key_bytes, sizes["Picnic3-L1"].message_bytes) == (35, 14612)
    # Every hash-based or Picnic signature is larger than ML-DSA-44's 2,420 B.
    assert all(c.message_bytes > 2420 for c in LITERATURE_SIZES if c.kind == "signature")
    bib = BIB.read_text()
    for c in LITERATURE_SIZES:
        assert "{" + c.bibkey + "," in bib


def test_rsa2048_estimates():
    years = [e.year for e in RSA2048_ESTIMATES]
    assert years == sorted(years)
    q = {e.year: e.physical_qubits for e in RSA2048_ESTIMATES}
    # Fowler et al. 2012: ~1e9; Gidney & Ekerå 2021: 2e7 qubits, 8 h;
    # Gidney 2025: < 1e6 qubits, < 1 week.
    assert_allclose([q[2012], q[2021], q[2025]], [1e9, 2e7, 1e6])
    ge = RSA2048_ESTIMATES[1]
    assert ge.runtime_hours == 8.0 and not ge.runtime_is_upper_bound
    g25 = RSA2048_ESTIMATES[2]
    assert g25.runtime_hours == 168.0 and g25.runtime_is_upper_bound and g25.qubits_is_upper_bound
    bib = BIB.read_text()
    for e in RSA2048_ESTIMATES:
        assert "{" + e.bibkey + "," in bib


# --------------------------------------------------------------------------- #
# Mosca
# --------------------------------------------------------------------------- #
def test_mosca_closed_form():
    assert mosca_margin(10, 5, 12) == -3.0
    assert mosca_at_risk(10, 5, 12) is True
    assert mosca_at_risk(5, 5, 10) is False  # x + y = z is not > z
    assert_allclose(mosca_margin(np.array([0, 10, 20]), 5, 15), [10, 0, -10])
    assert mosca_at_risk(np.array([0, 10, 20]), 5, 15).tolist() == [False, False, True]


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0, 100))
def test_mosca_at_risk_agrees_with_the_margin(x, y, z):
    """At risk exactly when the margin z - x - y is negative (Mosca 2018); the margin moves
    one for one against shelf life and migration time, and with the quantum horizon."""
    margin = mosca_margin(x, y, z)
    assert mosca_at_risk(x, y, z) == (margin < 0)
    assert_allclose(mosca_margin(x + 1, y, z), margin - 1, atol=1e-9)
    assert_allclose(mosca_margin(x, y + 1, z), margin - 1, atol=1e-9)
    assert_allclose(mosca_margin(x, y, z + 1), margin + 1, atol=1e-9)


def test_mosca_worked_examples():
    # Mosca (2018): "if x + y > z, then worry". Worked cases: 10-year secrets, a 5-year
    # migration and a quantum computer in 12 years leave the last 3 years exposed; the
    # boundary x + y = z is in time.
    assert mosca_margin(10, 5, 12) == -3.0 and mosca_at_risk(10, 5, 12)
    assert mosca_margin(5, 5, 10) == 0.0 and not mosca_at_risk(5, 5, 10)


def test_mosca_bad_input():
    with pytest.raises(ValueError, match="shelf_life_years must be >= 0, got -1.0"):
        mosca_margin(-1, 5, 10)
    with pytest.raises(ValueError, match="quantum_years must be a finite real number"):
        mosca_margin(1, 5, float("nan"))
    with pytest.raises(TypeError, match="migration_years must be a real number"):
        mosca_at_risk(1, "five", 10)
    with pytest.raises(ValueError, match=r"shelf_life_years, migration_years, quantum_years must broadcast "
                                         r"together \(numpy rules\), got shapes shelf_life_years \(2,\), "
                                         r"migration_years \(\), quantum_years \(3,\)"):
        mosca_margin([1, 2], 5, [10, 20, 30])
    with pytest.raises(ValueError, match="must broadcast together"):
        mosca_at_risk([1, 2], [1, 2, 3], 10)

