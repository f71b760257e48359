"""qlib.crypto.sizes: the FIPS 203 / FIPS 204 tables against the keys the library makes."""

from __future__ import annotations

from qlib import (
    HYBRID_CIPHERTEXT_BYTES,
    HYBRID_PUBLIC_KEY_BYTES,
    KEM_PARAMETER_SETS,
    SIGNATURE_PARAMETER_SETS,
    mldsa_keygen,
    mldsa_sign,
    mlkem_encapsulate,
    mlkem_keygen,
)
from qlib.crypto.sizes import ML_DSA_SIZES, ML_KEM_SIZES, X25519_BYTES


def test_size_tables_match_the_keys_the_library_makes():
    """qlib.crypto.sizes (FIPS 203 Table 3, FIPS 204 Table 2) against real keys, ciphertexts
    and signatures for every parameter set the installed library runs."""
    for name in KEM_PARAMETER_SETS:
        key = mlkem_keygen(name)
        ek = key.public_key().public_bytes_raw()
        secret, ct = mlkem_encapsulate(ek, name)
        assert (len(ek), len(ct), len(secret)) == (
            ML_KEM_SIZES[name].encapsulation_key, ML_KEM_SIZES[name].ciphertext, ML_KEM_SIZES[name].shared_secret)
    for name in SIGNATURE_PARAMETER_SETS:
        key = mldsa_keygen(name)
        assert len(key.public_key().public_bytes_raw()) == ML_DSA_SIZES[name].public_key
        assert len(mldsa_sign(key, b"m")) == ML_DSA_SIZES[name].signature
    assert HYBRID_PUBLIC_KEY_BYTES == ML_KEM_SIZES["ML-KEM-768"].encapsulation_key + X25519_BYTES
    assert HYBRID_CIPHERTEXT_BYTES == ML_KEM_SIZES["ML-KEM-768"].ciphertext + X25519_BYTES


def test_tables_cover_every_parameter_set_with_the_standards_numbers():
    """FIPS 203 Table 3 and FIPS 204 Table 2, ML-KEM-512 included (not run by the library)."""
    assert ML_KEM_SIZES["ML-KEM-512"] == (800, 1632, 768, 32)
    assert ML_KEM_SIZES["ML-KEM-1024"] == (1568, 3168, 1568, 32)
    assert ML_DSA_SIZES["ML-DSA-87"] == (2592, 4896, 4627)
    assert set(KEM_PARAMETER_SETS) <= set(ML_KEM_SIZES) and set(SIGNATURE_PARAMETER_SETS) <= set(ML_DSA_SIZES)
