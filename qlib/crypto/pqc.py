r"""Post-quantum cryptography: ML-KEM, ML-DSA, the hybrid key exchange, sizes and timings.

Every primitive here comes from the ``cryptography`` package (its wheel bundles
OpenSSL, which implements ML-KEM of FIPS 203 and ML-DSA of FIPS 204 beside
X25519, Ed25519, RSA, HKDF and AES-GCM). Nothing is home-made: this module only
chooses, combines and measures.

- :func:`pqc_supported` / :func:`require_pqc` ask the backend whether it can run
  ML-KEM and ML-DSA (the classes exist even where it cannot).
- :func:`mlkem_keygen`, :func:`mlkem_encapsulate`, :func:`mlkem_decapsulate`,
  :func:`mldsa_keygen`, :func:`mldsa_sign`, :func:`mldsa_verify`: thin wrappers
  that accept a parameter-set name (``"ML-KEM-768"``, ``"ML-DSA-65"``...).
- :func:`hybrid_keygen`, :func:`hybrid_encapsulate`, :func:`hybrid_decapsulate`
  and :func:`hybrid_combine`: X25519 + ML-KEM-768 combined by HKDF-SHA256 into
  one AES-256-GCM key, as in the ``X25519MLKEM768`` group of TLS 1.3; the
  hybrid KEM binds the ciphertexts and the X25519 public key, as X-Wing does.
- :func:`measure_primitive`, :func:`measure_primitives`: sizes and median
  operation times of RSA-3072, X25519, ML-KEM-768/1024, Ed25519 and
  ML-DSA-44/65/87, measured at run time on this machine.
- :data:`LITERATURE_SIZES`: cited sizes of ML-KEM-512, Picnic and SLH-DSA
  (SPHINCS+), which ``cryptography`` 50 does not provide.
- :func:`mosca_margin`, :func:`mosca_at_risk`: Mosca's inequality.
- :data:`RSA2048_ESTIMATES`: published resource estimates for factoring
  RSA-2048 with Shor's algorithm, cited.

Introduced in the chapter *Post-quantum vs quantum cryptography*.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa, mlkem, padding, rsa, x25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .._validation import check_broadcastable, check_int, check_real_array
from .sizes import ML_DSA_SIZES, ML_KEM_SIZES, X25519_BYTES

__all__ = [
    "KEM_PARAMETER_SETS",
    "SIGNATURE_PARAMETER_SETS",
    "MEASURED_PRIMITIVES",
    "pqc_supported",
    "require_pqc",
    "mlkem_keygen",
    "mlkem_encapsulate",
    "mlkem_decapsulate",
    "mldsa_keygen",
    "mldsa_sign",
    "mldsa_verify",
    "HybridPrivateKey",
    "HYBRID_PUBLIC_KEY_BYTES",
    "HYBRID_CIPHERTEXT_BYTES",
    "hybrid_keygen",
    "hybrid_encapsulate",
    "hybrid_decapsulate",
    "hybrid_combine",
    "PrimitiveMeasurement",
    "measure_primitive",
    "measure_primitives",
    "CitedSize",
    "LITERATURE_SIZES",
    "mosca_margin",
    "mosca_at_risk",
    "ResourceEstimate",
    "RSA2048_ESTIMATES",
]

# --------------------------------------------------------------------------- #
# Parameter sets and the backend
# --------------------------------------------------------------------------- #
# cryptography 50 exposes ML-KEM-768 and ML-KEM-1024 only (not ML-KEM-512):
# ML-KEM-512 appears below as cited sizes from FIPS 203, not measured.
_KEM_CLASSES = {
    name: getattr(mlkem, f"MLKEM{name[7:]}PrivateKey")
    for name in ("ML-KEM-512", "ML-KEM-768", "ML-KEM-1024")
    if hasattr(mlkem, f"MLKEM{name[7:]}PrivateKey")
}
_SIG_CLASSES = {
    "ML-DSA-44": mldsa.MLDSA44PrivateKey,
    "ML-DSA-65": mldsa.MLDSA65PrivateKey,
    "ML-DSA-87": mldsa.MLDSA87PrivateKey,
}
_KEM_PUBLIC_CLASSES = {name: getattr(mlkem, f"MLKEM{name[7:]}PublicKey") for name in _KEM_CLASSES}
_SIG_PUBLIC_CLASSES = {
    "ML-DSA-44": mldsa.MLDSA44PublicKey,
    "ML-DSA-65": mldsa.MLDSA65PublicKey,
    "ML-DSA-87": mldsa.MLDSA87PublicKey,
}

# Sizes fixed by the standards, for every parameter set (also those the library does not
# expose yet): qlib.crypto.sizes (FIPS 203 Table 3, FIPS 204 Table 2).
_MLKEM_PUBLIC_KEY_BYTES = {name: s.encapsulation_key for name, s in ML_KEM_SIZES.items()}
_MLDSA_PUBLIC_KEY_BYTES = {name: s.public_key for name, s in ML_DSA_SIZES.items()}

#: ML-KEM parameter sets (FIPS 203) that the installed library can run, by name.
KEM_PARAMETER_SETS = tuple(_KEM_CLASSES)
#: ML-DSA parameter sets (FIPS 204), by name.
SIGNATURE_PARAMETER_SETS = tuple(_SIG_CLASSES)
#: Names accepted by :func:`measure_primitive`, in the order the chapter shows them.
MEASURED_PRIMITIVES = (
    "RSA-3072",
    "X25519",
    *KEM_PARAMETER_SETS,
    "RSA-3072-PSS",
    "Ed25519",
    "ML-DSA-44",
    "ML-DSA-65",
    "ML-DSA-87",
)


def _backend():
    from cryptography.hazmat.backends.openssl.backend import backend

    return backend


def pqc_supported() -> bool:
    """Whether the installed ``cryptography`` backend can run ML-KEM and ML-DSA.

    Returns
    -------
    bool
        ``True`` if both ``mlkem_supported()`` and ``mldsa_supported()`` of the
        OpenSSL backend say so.

    Notes
    -----
    The key classes are importable even where the backend cannot run them
    (an older system OpenSSL, for instance); ask first. Introduced in the
    chapter *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> pqc_supported()
    True
    """
    b = _backend()
    mlkem_ok = bool(getattr(b, "mlkem_supported", lambda: False)())
    mldsa_ok = bool(getattr(b, "mldsa_supported", lambda: False)())
    return mlkem_ok and mldsa_ok


def require_pqc() -> None:
    """Raise a clear error unless :func:`pqc_supported`.

    Raises
    ------
    RuntimeError
        If the backend cannot run ML-KEM or ML-DSA, naming the OpenSSL
        version found and what is needed.

    Examples
    --------
    >>> require_pqc()   # silent where supported
    """
    if not pqc_supported():
        raise RuntimeError(
            "ML-KEM and ML-DSA need a cryptography backend that supports them "
            f"(cryptography >= 50 with its bundled OpenSSL); this one is "
            f"{_backend().openssl_version_text()!r}"
        )


def _check_name(name, allowed: Sequence[str], what: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, got {name!r} of type {type(name).__name__}")
    if name not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {name!r}")
    return name


def _check_bytes(name: str, value, *, length: int | None = None) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
    value = bytes(value)
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must be {length} bytes, got {len(value)} bytes")
    return value


def _check_context(context) -> bytes:
    context = _check_bytes("context", context)
    if len(context) > 255:
        raise ValueError(f"context must be at most 255 bytes, got {len(context)} bytes")
    return context


def _check_private_key(private_key, classes: dict, what: str) -> None:
    if not isinstance(private_key, tuple(classes.values())):
        allowed = ", ".join(cls.__name__ for cls in classes.values())
        raise TypeError(f"private_key must be an {what} private key ({allowed}), "
                        f"got {type(private_key).__name__}")


# --------------------------------------------------------------------------- #
# ML-KEM and ML-DSA
# --------------------------------------------------------------------------- #
def mlkem_keygen(parameter_set: str = "ML-KEM-768", *, seed: bytes | None = None):
    """A fresh ML-KEM private key (or the one a 64-byte seed determines).

    Parameters
    ----------
    parameter_set : {"ML-KEM-768", "ML-KEM-1024"}
        FIPS 203 parameter set (see :data:`KEM_PARAMETER_SETS`; ML-KEM-512 is
        not exposed by ``cryptography`` 50).
    seed : bytes, optional
        The 64-byte seed ``d || z`` of FIPS 203 (for known-answer tests); by
        default the key is drawn from the operating system's randomness.

    Returns
    -------
    cryptography private key
        Its ``public_key().public_bytes_raw()`` is the encapsulation key.

    Raises
    ------
    ValueError, TypeError
        On an unknown parameter set or a seed that is not 64 bytes.
    RuntimeError
        If the backend cannot run ML-KEM.

    Notes
    -----
    Introduced in the chapter *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> key = mlkem_keygen("ML-KEM-768")
    >>> len(key.public_key().public_bytes_raw())
    1184
    """
    _check_name(parameter_set, KEM_PARAMETER_SETS, "parameter_set")
    require_pqc()
    cls = _KEM_CLASSES[parameter_set]
    if seed is None:
        return cls.generate()
    return cls.from_seed_bytes(_check_bytes("seed", seed, length=64))


def mlkem_encapsulate(public_key: bytes, parameter_set: str = "ML-KEM-768") -> tuple[bytes, bytes]:
    """Encapsulate a fresh 32-byte secret to an ML-KEM public key.

    Parameters
    ----------
    public_key : bytes
        The raw encapsulation key (1184 or 1568 bytes).
    parameter_set : str
        Its parameter set.

    Returns
    -------
    (shared_secret, ciphertext) : tuple of bytes

    Raises
    ------
    ValueError
        If the key has the wrong length for the parameter set, or is malformed.

    Examples
    --------
    >>> key = mlkem_keygen("ML-KEM-1024")
    >>> secret, ct = mlkem_encapsulate(key.public_key().public_bytes_raw(), "ML-KEM-1024")
    >>> mlkem_decapsulate(key, ct) == secret, len(ct)
    (True, 1568)
    """
    _check_name(parameter_set, KEM_PARAMETER_SETS, "parameter_set")
    require_pqc()
    public_key = _check_bytes("public_key", public_key)
    expected = _MLKEM_PUBLIC_KEY_BYTES[parameter_set]
    if len(public_key) != expected:
        raise ValueError(
            f"public_key must be {expected} bytes for {parameter_set}, got {len(public_key)} bytes"
        )
    pub = _KEM_PUBLIC_CLASSES[parameter_set].from_public_bytes(public_key)
    return pub.encapsulate()


def mlkem_decapsulate(private_key, ciphertext: bytes) -> bytes:
    """The 32-byte shared secret of an ML-KEM ciphertext.

    A wrong (tampered) ciphertext of the right length does not raise: ML-KEM's
    implicit rejection returns an unrelated pseudorandom secret instead, so the
    two sides simply end up with different keys.

    Parameters
    ----------
    private_key
        From :func:`mlkem_keygen` (an ML-KEM private key of ``cryptography``).
    ciphertext : bytes

    Raises
    ------
    TypeError
        If ``private_key`` is not an ML-KEM private key, or ``ciphertext`` not bytes.
    ValueError
        If the ciphertext has the wrong length.

    Examples
    --------
    >>> key = mlkem_keygen()
    >>> s, ct = mlkem_encapsulate(key.public_key().public_bytes_raw())
    >>> bad = bytes([ct[0] ^ 1]) + ct[1:]
    >>> mlkem_decapsulate(key, bad) == s
    False
    """
    _check_private_key(private_key, _KEM_CLASSES, "ML-KEM")
    ciphertext = _check_bytes("ciphertext", ciphertext)
    try:
        return private_key.decapsulate(ciphertext)
    except ValueError as exc:
        raise ValueError(f"ciphertext is not valid for this key ({len(ciphertext)} bytes): {exc}") from None


def mldsa_keygen(parameter_set: str = "ML-DSA-65", *, seed: bytes | None = None):
    """A fresh ML-DSA private key (or the one a 32-byte seed ξ determines).

    Parameters
    ----------
    parameter_set : {"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}
        FIPS 204 parameter set.
    seed : bytes, optional
        The 32-byte seed ξ of FIPS 204 key generation.

    Examples
    --------
    >>> key = mldsa_keygen("ML-DSA-65")
    >>> len(key.public_key().public_bytes_raw())
    1952
    """
    _check_name(parameter_set, SIGNATURE_PARAMETER_SETS, "parameter_set")
    require_pqc()
    cls = _SIG_CLASSES[parameter_set]
    if seed is None:
        return cls.generate()
    return cls.from_seed_bytes(_check_bytes("seed", seed, length=32))


def mldsa_sign(private_key, message: bytes, *, context: bytes = b"") -> bytes:
    """Sign ``message`` with ML-DSA (hedged: two signatures of one message differ).

    Parameters
    ----------
    private_key
        From :func:`mldsa_keygen`.
    message : bytes
    context : bytes
        FIPS 204 context string (at most 255 bytes), binding the signature to
        one use.

    Raises
    ------
    TypeError
        If ``private_key`` is not an ML-DSA private key, or ``message`` or
        ``context`` not bytes.
    ValueError
        If ``context`` is longer than 255 bytes.

    Examples
    --------
    >>> key = mldsa_keygen("ML-DSA-44")
    >>> sig = mldsa_sign(key, b"hello")
    >>> len(sig), mldsa_verify(key.public_key().public_bytes_raw(), sig, b"hello", "ML-DSA-44")
    (2420, True)
    """
    _check_private_key(private_key, _SIG_CLASSES, "ML-DSA")
    message = _check_bytes("message", message)
    context = _check_context(context)
    return private_key.sign(message, context or None)


def mldsa_verify(public_key: bytes, signature: bytes, message: bytes, parameter_set: str = "ML-DSA-65",
                 *, context: bytes = b"") -> bool:
    """Whether ``signature`` is a valid ML-DSA signature of ``message`` under ``public_key``.

    Returns ``False`` for a wrong signature; raises only for malformed input
    (a key of the wrong length, an unknown parameter set, a context longer
    than 255 bytes).

    Examples
    --------
    >>> key = mldsa_keygen()
    >>> pk = key.public_key().public_bytes_raw()
    >>> mldsa_verify(pk, mldsa_sign(key, b"m"), b"M")
    False
    """
    _check_name(parameter_set, SIGNATURE_PARAMETER_SETS, "parameter_set")
    require_pqc()
    public_key = _check_bytes("public_key", public_key)
    expected = _MLDSA_PUBLIC_KEY_BYTES[parameter_set]
    if len(public_key) != expected:
        raise ValueError(
            f"public_key must be {expected} bytes for {parameter_set}, got {len(public_key)} bytes"
        )
    signature = _check_bytes("signature", signature)
    message = _check_bytes("message", message)
    context = _check_context(context)
    pub = _SIG_PUBLIC_CLASSES[parameter_set].from_public_bytes(public_key)
    try:
        pub.verify(signature, message, context or None)
    except InvalidSignature:
        return False
    return True


# --------------------------------------------------------------------------- #
# The hybrid key exchange X25519 + ML-KEM-768
# --------------------------------------------------------------------------- #
_X25519_BYTES = X25519_BYTES
_MLKEM768_PK = ML_KEM_SIZES["ML-KEM-768"].encapsulation_key
_MLKEM768_CT = ML_KEM_SIZES["ML-KEM-768"].ciphertext
#: Bytes of a hybrid public key: ML-KEM-768 encapsulation key || X25519 share.
HYBRID_PUBLIC_KEY_BYTES = _MLKEM768_PK + _X25519_BYTES
#: Bytes of a hybrid ciphertext: ML-KEM-768 ciphertext || X25519 share.
HYBRID_CIPHERTEXT_BYTES = _MLKEM768_CT + _X25519_BYTES
_HYBRID_LABEL = b"qlib hybrid X25519+ML-KEM-768 v1"


@dataclass(frozen=True)
class HybridPrivateKey:
    """The two private halves of a hybrid key pair, and its public bytes.

    Attributes
    ----------
    x25519 : cryptography X25519PrivateKey
    mlkem : cryptography MLKEM768PrivateKey
    public_bytes : bytes
        ML-KEM-768 encapsulation key (1184 bytes) followed by the X25519
        public key (32 bytes), the order of TLS 1.3's ``X25519MLKEM768``.
    """

    x25519: object
    mlkem: object
    public_bytes: bytes

    def __repr__(self) -> str:  # never print key material
        return f"HybridPrivateKey(public_bytes=<{len(self.public_bytes)} bytes>)"


def hybrid_combine(mlkem_secret: bytes, x25519_secret: bytes, *, info: bytes = b"", length: int = 32,
                   x25519_ciphertext: bytes | None = None, x25519_public_key: bytes | None = None,
                   mlkem_ciphertext: bytes | None = None) -> bytes:
    r"""Combine the two shared secrets into one key with HKDF-SHA256.

    .. math:: K = \mathrm{HKDF\text{-}SHA256}(\text{ikm} = s_\text{ML-KEM} \,\|\, s_\text{X25519}
              \,[\,\|\, c_\text{X} \,\|\, p_\text{X} \,\|\, c_\text{ML-KEM}\,],\;
              \text{info} = \text{label} \,\|\, \text{info})

    Parameters
    ----------
    mlkem_secret, x25519_secret : bytes
        32 bytes each.
    info : bytes
        Context bound into the key (for example a handshake transcript hash).
    length : int
        Output bytes, 16 to 255·32; 32 gives an AES-256-GCM key.
    x25519_ciphertext, x25519_public_key, mlkem_ciphertext : bytes, optional
        The encapsulator's ephemeral X25519 public key (32 bytes, X-Wing's
        ``ct_X``), the recipient's X25519 public key (32 bytes, ``pk_X``) and
        the ML-KEM-768 ciphertext (1088 bytes). Give all three or none; given,
        they are bound into the key after the two secrets, as
        :func:`hybrid_encapsulate` and :func:`hybrid_decapsulate` always do.

    Returns
    -------
    bytes

    Raises
    ------
    TypeError, ValueError
        On inputs that are not bytes or have the wrong length, or when only
        some of the three public values are given.

    Notes
    -----
    Bare secrets (no public values) give a key that stays secret as long as
    *either* secret does, which is all a protocol needs when it binds the
    public values itself, as TLS 1.3 does through its signed transcript hash
    (:mod:`qlib.crypto.pq_tls`). For a hybrid *KEM* that stays IND-CCA secure when
    either component holds, the combiner must also bind the X25519 ciphertext
    and public key: X-Wing hashes ``ss_M || ss_X || ct_X || pk_X || label``
    with SHA3-256 (Barbosa et al., IACR CiC 1(1), 2024; draft-connolly-cfrg-
    xwing-kem, section 5.3), and RFC 9180's DHKEM puts both X25519 public keys
    into its ``kem_context``. X-Wing may leave out the ML-KEM ciphertext only
    because of ML-KEM's Fujisaki–Okamoto transform and SHA3-256; this
    HKDF-SHA256 combiner is not the proven X-Wing, so it binds the ML-KEM
    ciphertext too, as generic combiners do. The order (ML-KEM first) follows
    ``X25519MLKEM768`` in TLS 1.3. Introduced in the chapter *Post-quantum vs
    quantum cryptography*.

    Examples
    --------
    >>> k = hybrid_combine(bytes(32), bytes(32))
    >>> len(k), k == hybrid_combine(bytes(32), bytes(31) + b"\x01")
    (32, False)
    >>> bound = dict(x25519_ciphertext=bytes(32), x25519_public_key=bytes(32), mlkem_ciphertext=bytes(1088))
    >>> hybrid_combine(bytes(32), bytes(32), **bound) == k
    False
    """
    mlkem_secret = _check_bytes("mlkem_secret", mlkem_secret, length=32)
    x25519_secret = _check_bytes("x25519_secret", x25519_secret, length=32)
    info = _check_bytes("info", info)
    length = check_int("length", length, minimum=16)
    if length > 255 * 32:
        raise ValueError(f"length must be at most {255 * 32} bytes for HKDF-SHA256, got {length}")
    public = {"x25519_ciphertext": x25519_ciphertext, "x25519_public_key": x25519_public_key,
              "mlkem_ciphertext": mlkem_ciphertext}
    given = [name for name, value in public.items() if value is not None]
    if given and len(given) != 3:
        missing = [name for name in public if name not in given]
        raise ValueError(f"x25519_ciphertext, x25519_public_key and mlkem_ciphertext must be given "
                         f"together or not at all, got {', '.join(given)} without {', '.join(missing)}")
    ikm = mlkem_secret + x25519_secret
    if given:
        ikm += (_check_bytes("x25519_ciphertext", x25519_ciphertext, length=_X25519_BYTES)
                + _check_bytes("x25519_public_key", x25519_public_key, length=_X25519_BYTES)
                + _check_bytes("mlkem_ciphertext", mlkem_ciphertext, length=_MLKEM768_CT))
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=_HYBRID_LABEL + info)
    return hkdf.derive(ikm)


def hybrid_keygen() -> HybridPrivateKey:
    """A fresh hybrid key pair (X25519 and ML-KEM-768), as a client sends in its hello.

    Examples
    --------
    >>> len(hybrid_keygen().public_bytes) == HYBRID_PUBLIC_KEY_BYTES == 1216
    True
    """
    require_pqc()
    xk = x25519.X25519PrivateKey.generate()
    mk = mlkem.MLKEM768PrivateKey.generate()
    public = mk.public_key().public_bytes_raw() + xk.public_key().public_bytes_raw()
    return HybridPrivateKey(xk, mk, public)


def hybrid_encapsulate(public_bytes: bytes, *, info: bytes = b"") -> tuple[bytes, bytes]:
    """The responder's side: a 32-byte AES-256-GCM key and the ciphertext to send back.

    Parameters
    ----------
    public_bytes : bytes
        The peer's :attr:`HybridPrivateKey.public_bytes` (1216 bytes).
    info : bytes
        Context bound into the key; both sides must pass the same.

    Returns
    -------
    (key, ciphertext) : tuple of bytes
        ``ciphertext`` is the ML-KEM-768 ciphertext followed by a fresh X25519
        public key (1120 bytes).

    Raises
    ------
    ValueError
        If ``public_bytes`` is not 1216 bytes or holds an invalid key.

    Examples
    --------
    >>> alice = hybrid_keygen()
    >>> key, ct = hybrid_encapsulate(alice.public_bytes, info=b"demo")
    >>> hybrid_decapsulate(alice, ct, info=b"demo") == key, len(ct)
    (True, 1120)
    """
    require_pqc()
    public_bytes = _check_bytes("public_bytes", public_bytes, length=HYBRID_PUBLIC_KEY_BYTES)
    info = _check_bytes("info", info)
    mlkem_pk = mlkem.MLKEM768PublicKey.from_public_bytes(public_bytes[:_MLKEM768_PK])
    x_peer = x25519.X25519PublicKey.from_public_bytes(public_bytes[_MLKEM768_PK:])
    mlkem_secret, mlkem_ct = mlkem_pk.encapsulate()
    x_own = x25519.X25519PrivateKey.generate()
    try:
        x_secret = x_own.exchange(x_peer)
    except ValueError:
        raise ValueError("public_bytes holds an invalid X25519 share (all-zero shared secret)") from None
    x_ct = x_own.public_key().public_bytes_raw()
    key = hybrid_combine(mlkem_secret, x_secret, info=info, x25519_ciphertext=x_ct,
                         x25519_public_key=public_bytes[_MLKEM768_PK:], mlkem_ciphertext=mlkem_ct)
    return key, mlkem_ct + x_ct


def hybrid_decapsulate(private_key: HybridPrivateKey, ciphertext: bytes, *, info: bytes = b"") -> bytes:
    """The initiator's side: the same 32-byte key from the responder's ciphertext.

    Raises
    ------
    TypeError
        If ``private_key`` is not a :class:`HybridPrivateKey`.
    ValueError
        If ``ciphertext`` is not 1120 bytes or holds an invalid X25519 share.

    Examples
    --------
    >>> alice = hybrid_keygen()
    >>> key, ct = hybrid_encapsulate(alice.public_bytes)
    >>> hybrid_decapsulate(alice, ct, info=b"other context") == key
    False
    """
    if not isinstance(private_key, HybridPrivateKey):
        raise TypeError(f"private_key must be a HybridPrivateKey, got {type(private_key).__name__}")
    ciphertext = _check_bytes("ciphertext", ciphertext, length=HYBRID_CIPHERTEXT_BYTES)
    info = _check_bytes("info", info)
    mlkem_secret = private_key.mlkem.decapsulate(ciphertext[:_MLKEM768_CT])
    x_peer = x25519.X25519PublicKey.from_public_bytes(ciphertext[_MLKEM768_CT:])
    try:
        x_secret = private_key.x25519.exchange(x_peer)
    except ValueError:
        raise ValueError("ciphertext holds an invalid X25519 share (all-zero shared secret)") from None
    return hybrid_combine(mlkem_secret, x_secret, info=info, x25519_ciphertext=ciphertext[_MLKEM768_CT:],
                          x25519_public_key=private_key.public_bytes[_MLKEM768_PK:],
                          mlkem_ciphertext=ciphertext[:_MLKEM768_CT])


# --------------------------------------------------------------------------- #
# Measurements
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class PrimitiveMeasurement:
    """Sizes and median timings of one public-key primitive, measured here.

    Attributes
    ----------
    name : str
    kind : {"key exchange", "signature"}
    quantum_safe : bool
        Whether it resists Shor's algorithm (ML-KEM, ML-DSA: yes; RSA,
        X25519, Ed25519: no).
    public_key_bytes : int
    message_bytes : int
        What travels per use besides the public key: the ciphertext (KEM; the
        peer's 32-byte share for X25519) or the signature.
    keygen_s, op_s, inverse_op_s : float
        Median seconds of key generation, of encapsulation / key exchange /
        signing, and of decapsulation / verification.
    op_names : tuple of str
        What ``op_s`` and ``inverse_op_s`` measured.
    repeats : int
    """

    name: str
    kind: str
    quantum_safe: bool
    public_key_bytes: int
    message_bytes: int
    keygen_s: float
    op_s: float
    inverse_op_s: float
    op_names: tuple[str, str]
    repeats: int


def _median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_primitive(name: str, *, repeats: int = 20, keygen_repeats: int | None = None) -> PrimitiveMeasurement:
    """Measure one primitive's sizes (exact) and operation times (this machine, now).

    Parameters
    ----------
    name : str
        One of :data:`MEASURED_PRIMITIVES`. ``"RSA-3072"`` is RSA-OAEP
        (SHA-256) transporting a 32-byte key, ``"RSA-3072-PSS"`` the RSA
        signature (PSS, SHA-256), ``"X25519"`` an ephemeral Diffie–Hellman.
    repeats : int
        Timed repetitions of each operation (>= 1); the median is reported.
    keygen_repeats : int, optional
        Repetitions of key generation; defaults to ``repeats``, but at most 3
        for RSA, whose key generation takes a large fraction of a second.

    Returns
    -------
    PrimitiveMeasurement

    Raises
    ------
    ValueError
        On an unknown name or ``repeats < 1``.

    Notes
    -----
    Sizes are fixed by the standards and reproducible; times depend on the
    machine and its load, so the chapter shows them as measured and asserts
    only orderings by large factors. Introduced in the chapter
    *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> m = measure_primitive("ML-KEM-768", repeats=3)
    >>> m.public_key_bytes, m.message_bytes, m.quantum_safe
    (1184, 1088, True)
    """
    _check_name(name, MEASURED_PRIMITIVES, "name")
    repeats = check_int("repeats", repeats, minimum=1)
    if keygen_repeats is None:
        keygen_repeats = min(repeats, 3) if name.startswith("RSA") else repeats
    keygen_repeats = check_int("keygen_repeats", keygen_repeats, minimum=1)
    message = b"x" * 32

    if name.startswith("ML-"):
        require_pqc()

    if name in KEM_PARAMETER_SETS:
        cls = _KEM_CLASSES[name]
        key = cls.generate()
        pub = key.public_key()
        secret, ct = pub.encapsulate()
        return PrimitiveMeasurement(
            name, "key exchange", True, len(pub.public_bytes_raw()), len(ct),
            _median_time(cls.generate, keygen_repeats),
            _median_time(pub.encapsulate, repeats),
            _median_time(lambda: key.decapsulate(ct), repeats),
            ("encapsulate", "decapsulate"), repeats,
        )
    if name == "X25519":
        key = x25519.X25519PrivateKey.generate()
        peer = x25519.X25519PrivateKey.generate().public_key()
        return PrimitiveMeasurement(
            name, "key exchange", False, 32, 32,
            _median_time(x25519.X25519PrivateKey.generate, keygen_repeats),
            _median_time(lambda: key.exchange(peer), repeats),
            _median_time(lambda: key.exchange(peer), repeats),
            ("exchange", "exchange"), repeats,
        )
    if name == "RSA-3072":
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        pub = key.public_key()
        oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        ct = pub.encrypt(message, oaep)
        return PrimitiveMeasurement(
            name, "key exchange", False, 3072 // 8, len(ct),
            _median_time(lambda: rsa.generate_private_key(public_exponent=65537, key_size=3072), keygen_repeats),
            _median_time(lambda: pub.encrypt(message, oaep), repeats),
            _median_time(lambda: key.decrypt(ct, oaep), repeats),
            ("encrypt (OAEP)", "decrypt (OAEP)"), repeats,
        )
    if name in SIGNATURE_PARAMETER_SETS:
        cls = _SIG_CLASSES[name]
        key = cls.generate()
        pub = key.public_key()
        sig = key.sign(message)
        return PrimitiveMeasurement(
            name, "signature", True, len(pub.public_bytes_raw()), len(sig),
            _median_time(cls.generate, keygen_repeats),
            _median_time(lambda: key.sign(message), repeats),
            _median_time(lambda: pub.verify(sig, message), repeats),
            ("sign", "verify"), repeats,
        )
    if name == "Ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        pub = key.public_key()
        sig = key.sign(message)
        return PrimitiveMeasurement(
            name, "signature", False, len(pub.public_bytes_raw()), len(sig),
            _median_time(ed25519.Ed25519PrivateKey.generate, keygen_repeats),
            _median_time(lambda: key.sign(message), repeats),
            _median_time(lambda: pub.verify(sig, message), repeats),
            ("sign", "verify"), repeats,
        )
    # RSA-3072-PSS
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pub = key.public_key()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    sig = key.sign(message, pss, hashes.SHA256())
    return PrimitiveMeasurement(
        name, "signature", False, 3072 // 8, len(sig),
        _median_time(lambda: rsa.generate_private_key(public_exponent=65537, key_size=3072), keygen_repeats),
        _median_time(lambda: key.sign(message, pss, hashes.SHA256()), repeats),
        _median_time(lambda: pub.verify(sig, message, pss, hashes.SHA256()), repeats),
        ("sign (PSS)", "verify (PSS)"), repeats,
    )


def measure_primitives(names: Sequence[str] | None = None, *, repeats: int = 20) -> list[PrimitiveMeasurement]:
    """:func:`measure_primitive` for each name (all of :data:`MEASURED_PRIMITIVES` by default).

    Examples
    --------
    >>> [m.name for m in measure_primitives(["X25519", "Ed25519"], repeats=2)]
    ['X25519', 'Ed25519']
    """
    names = MEASURED_PRIMITIVES if names is None else names
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of names, not a single str, got {names!r}")
    return [measure_primitive(n, repeats=repeats) for n in names]


# --------------------------------------------------------------------------- #
# Cited data: signature sizes of schemes cryptography does not provide
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class CitedSize:
    """Sizes of a scheme taken from its specification (not measured here).

    Attributes
    ----------
    name : str
    kind : {"key exchange", "signature"}
    public_key_bytes : int
    message_bytes : int
        Ciphertext (key exchange) or signature bytes.
    nist_level : int
        Claimed NIST security category (1: like AES-128, 3: AES-192, 5: AES-256).
    source : str
        Where the numbers come from.
    bibkey : str
        Key in the book's ``references.bib``.
    """

    name: str
    kind: str
    public_key_bytes: int
    message_bytes: int
    nist_level: int
    source: str
    bibkey: str


_PICNIC = "Picnic specification v3.0 (Zaverucha et al., 2020), parameter-set table"
_FIPS205 = "FIPS 205 (NIST, 2024), Table 2"
_FIPS203 = "FIPS 203 (NIST, 2024), Table 3"

#: Sizes of schemes ``cryptography`` does not run, from their specifications:
#: ML-KEM-512 (FIPS 203), Picnic (used by the early post-quantum OpenVPN fork)
#: and SLH-DSA (SPHINCS+, FIPS 205). Picnic signature sizes are the maximum
#: (its signatures vary in length).
LITERATURE_SIZES: tuple[CitedSize, ...] = (
    CitedSize("ML-KEM-512", "key exchange", ML_KEM_SIZES["ML-KEM-512"].encapsulation_key,
              ML_KEM_SIZES["ML-KEM-512"].ciphertext, 1, _FIPS203, "fips203"),
    CitedSize("Picnic-L1-FS", "signature", 33, 34036, 1, _PICNIC, "zaverucha2020picnic"),
    CitedSize("Picnic3-L1", "signature", 35, 14612, 1, _PICNIC, "zaverucha2020picnic"),
    CitedSize("Picnic3-L5", "signature", 65, 61028, 5, _PICNIC, "zaverucha2020picnic"),
    CitedSize("SLH-DSA-SHA2-128s", "signature", 32, 7856, 1, _FIPS205, "fips205"),
    CitedSize("SLH-DSA-SHA2-128f", "signature", 32, 17088, 1, _FIPS205, "fips205"),
    CitedSize("SLH-DSA-SHA2-192s", "signature", 48, 16224, 3, _FIPS205, "fips205"),
    CitedSize("SLH-DSA-SHA2-256s", "signature", 64, 29792, 5, _FIPS205, "fips205"),
    CitedSize("SLH-DSA-SHA2-256f", "signature", 64, 49856, 5, _FIPS205, "fips205"),
)


# --------------------------------------------------------------------------- #
# Mosca's inequality and the resource estimates
# --------------------------------------------------------------------------- #
def mosca_margin(shelf_life_years, migration_years, quantum_years):
    r"""Years of safety left by Mosca's inequality: :math:`z - (x + y)`.

    Parameters
    ----------
    shelf_life_years : float or array_like
        :math:`x`, how long the data must stay secret (>= 0).
    migration_years : float or array_like
        :math:`y`, how long moving the systems to quantum-safe cryptography
        takes (>= 0).
    quantum_years : float or array_like
        :math:`z`, years from now until a cryptographically relevant quantum
        computer exists (>= 0).

    Returns
    -------
    float or numpy.ndarray
        :math:`z - x - y`. Negative: the data is at risk (Mosca's
        :math:`x + y > z`), and its magnitude is how many years of the data's
        shelf life fall after the quantum computer arrives. Broadcasts.

    Raises
    ------
    ValueError, TypeError
        On negative, non-finite or non-numeric input, or on arrays whose
        shapes do not broadcast together.

    Notes
    -----
    M. Mosca, IEEE Security & Privacy 16(5), 38 (2018). Data recorded today
    and encrypted with RSA or elliptic curves can be decrypted once the
    quantum computer exists ("harvest now, decrypt later"), so the clock for
    :math:`x` starts when the data is sent, not when it is attacked.
    Introduced in the chapter *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> mosca_margin(10, 5, 12)      # 10-year secrets, 5-year migration, CRQC in 12
    -3.0
    >>> mosca_margin([1, 5], 2, 10).tolist()
    [7.0, 3.0]
    """
    x = check_real_array("shelf_life_years", shelf_life_years)
    y = check_real_array("migration_years", migration_years)
    z = check_real_array("quantum_years", quantum_years)
    check_broadcastable(shelf_life_years=x, migration_years=y, quantum_years=z)
    for name, v in (("shelf_life_years", x), ("migration_years", y), ("quantum_years", z)):
        if np.any(np.asarray(v) < 0):
            raise ValueError(f"{name} must be >= 0, got {v!r}")
    out = np.asarray(z) - np.asarray(x) - np.asarray(y)
    return float(out) if out.ndim == 0 else out


def mosca_at_risk(shelf_life_years, migration_years, quantum_years):
    """Mosca's inequality :math:`x + y > z`: is the data at risk?

    Same parameters as :func:`mosca_margin`; returns ``bool`` (or a boolean
    array): ``True`` exactly where :func:`mosca_margin` is negative.

    Examples
    --------
    >>> mosca_at_risk(10, 5, 12), mosca_at_risk(2, 3, 12)
    (True, False)
    """
    # From the margin itself, so the two never disagree in floating point
    # (x + y > z and z - x - y < 0 can differ when y is far below x's rounding).
    out = np.asarray(mosca_margin(shelf_life_years, migration_years, quantum_years)) < 0
    return bool(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class ResourceEstimate:
    """One published estimate of the quantum computer that factors RSA-2048.

    Attributes
    ----------
    year : int
        Publication year (journal or preprint).
    physical_qubits : float
        Noisy physical qubits (surface code, gate error 1e-3).
    runtime_hours : float or None
        Expected run time; ``None`` where the source states none to cite here.
    runtime_is_upper_bound : bool
        True where the source says "less than".
    qubits_is_upper_bound : bool
    reference : str
        A short citation.
    bibkey : str
        Key in the book's ``references.bib``.
    """

    year: int
    physical_qubits: float
    runtime_hours: float | None
    runtime_is_upper_bound: bool
    qubits_is_upper_bound: bool
    reference: str
    bibkey: str


#: Published estimates for factoring RSA-2048 with Shor's algorithm on a
#: surface-code quantum computer (gate error 1e-3), oldest first.
RSA2048_ESTIMATES: tuple[ResourceEstimate, ...] = (
    ResourceEstimate(2012, 1e9, None, False, False,
                     "Fowler, Mariantoni, Martinis, Cleland, Phys. Rev. A 86, 032324 (2012)",
                     "fowler2012surface"),
    ResourceEstimate(2021, 2e7, 8.0, False, False,
                     "Gidney & Ekerå, Quantum 5, 433 (2021); arXiv:1905.09749",
                     "gidney2021factor"),
    ResourceEstimate(2025, 1e6, 7 * 24.0, True, True,
                     "Gidney, arXiv:2505.15917 (2025)",
                     "gidney2025factor"),
)
