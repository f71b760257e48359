"""Sizes fixed by the standards, in bytes: ML-KEM (FIPS 203), ML-DSA (FIPS 204), X25519.

One table per standard, written once, for every parameter set (also those the
installed ``cryptography`` cannot run yet, such as ML-KEM-512). :mod:`qlib.crypto.pqc`
checks keys against it and the chapter *Post-quantum vs quantum cryptography* counts handshake bytes with
it. The tests compare it with the keys the library actually makes.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["KEMSizes", "SignatureSizes", "ML_KEM_SIZES", "ML_DSA_SIZES", "X25519_BYTES"]


class KEMSizes(NamedTuple):
    """Byte sizes of one ML-KEM parameter set (FIPS 203, Table 3)."""

    encapsulation_key: int
    decapsulation_key: int
    ciphertext: int
    shared_secret: int


class SignatureSizes(NamedTuple):
    """Byte sizes of one ML-DSA parameter set (FIPS 204, Table 2)."""

    public_key: int
    private_key: int
    signature: int


#: ML-KEM sizes by parameter set: FIPS 203 (NIST, 2024), Table 3.
ML_KEM_SIZES: dict[str, KEMSizes] = {
    "ML-KEM-512": KEMSizes(800, 1632, 768, 32),
    "ML-KEM-768": KEMSizes(1184, 2400, 1088, 32),
    "ML-KEM-1024": KEMSizes(1568, 3168, 1568, 32),
}

#: ML-DSA sizes by parameter set: FIPS 204 (NIST, 2024), Table 2.
ML_DSA_SIZES: dict[str, SignatureSizes] = {
    "ML-DSA-44": SignatureSizes(1312, 2560, 2420),
    "ML-DSA-65": SignatureSizes(1952, 4032, 3309),
    "ML-DSA-87": SignatureSizes(2592, 4896, 4627),
}

#: An X25519 public key or shared secret: 32 bytes (RFC 7748, Section 5).
X25519_BYTES = 32
