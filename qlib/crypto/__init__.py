"""Post-quantum cryptography on the ``cryptography`` package: ML-KEM, ML-DSA, the
X25519+ML-KEM-768 hybrid, cited sizes, Mosca's inequality, and a key service over real TLS 1.3 (an ML-DSA-65 CA, a scrypt password file, a
WireGuard preshared key per period).

Not imported by ``import qlib``: its names load on first use (``qlib.mlkem_keygen``)
or with ``import qlib.crypto``.
"""

from .pqc import (
    KEM_PARAMETER_SETS,
    SIGNATURE_PARAMETER_SETS,
    MEASURED_PRIMITIVES,
    pqc_supported,
    require_pqc,
    mlkem_keygen,
    mlkem_encapsulate,
    mlkem_decapsulate,
    mldsa_keygen,
    mldsa_sign,
    mldsa_verify,
    HybridPrivateKey,
    HYBRID_PUBLIC_KEY_BYTES,
    HYBRID_CIPHERTEXT_BYTES,
    hybrid_keygen,
    hybrid_encapsulate,
    hybrid_decapsulate,
    hybrid_combine,
    PrimitiveMeasurement,
    measure_primitive,
    measure_primitives,
    CitedSize,
    LITERATURE_SIZES,
    mosca_margin,
    mosca_at_risk,
    ResourceEstimate,
    RSA2048_ESTIMATES,
)
from .sizes import (
    KEMSizes,
    SignatureSizes,
    ML_KEM_SIZES,
    ML_DSA_SIZES,
    X25519_BYTES,
)
from .pq_ca import (
    IssuedCertificate,
    CertificateAuthority,
    write_private_pem,
)
from .pq_passwords import (
    PasswordFile,
    USERNAME_PATTERN,
)
from .pq_tls import (
    PQ_TLS_GROUP,
    PQ_TLS_SIGNATURE,
    PSK_EXPORTER_LABEL,
    MAX_MESSAGE_BYTES,
    PSKError,
    PSKHandshakeError,
    PSKServerIdentityError,
    PSKAuthenticationError,
    PSKProtocolError,
    PSKTimeoutError,
    PSKConnectError,
    PresharedKey,
    PSKServerStats,
    PSKServer,
    request_psk,
)

__all__ = [
    # crypto.pqc
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
    # crypto.sizes
    "KEMSizes",
    "SignatureSizes",
    "ML_KEM_SIZES",
    "ML_DSA_SIZES",
    "X25519_BYTES",
    # crypto.pq_ca
    "IssuedCertificate",
    "CertificateAuthority",
    "write_private_pem",
    # crypto.pq_passwords
    "PasswordFile",
    "USERNAME_PATTERN",
    # crypto.pq_tls
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
