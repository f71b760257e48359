r"""A small certificate authority with ML-DSA-65 keys, on ``cryptography.x509``.

The post-quantum key service (:mod:`qlib.crypto.pq_tls`) authenticates its
server, and in certificate mode its clients, with X.509 certificates whose keys
and signatures are ML-DSA-65 (FIPS 204). This module makes them: a self-signed
root, server certificates (the DNS name in the subject alternative name, extended
key usage ``serverAuth``), client certificates (the name in the common name,
``clientAuth``), each with its own validity window, and revocation by serial
number through a certificate revocation list (CRL, RFC 5280 section 5) signed by
the root.

Files
-----
Everything is PEM. Certificates and CRLs are public (mode ``0o644``); private keys
are unencrypted PKCS#8 written with mode ``0o600`` (owner read/write only), the
permission checked again after writing. :meth:`CertificateAuthority.save` writes
``ca.pem``, ``ca.key`` and ``crl.pem`` in one directory; :meth:`IssuedCertificate.save`
writes ``<stem>.pem`` and ``<stem>.key``.

Introduced in the chapter *Post-quantum vs quantum cryptography*.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .._validation import check_int, check_positive
from ._paths import check_existing, check_path

__all__ = [
    "IssuedCertificate",
    "CertificateAuthority",
    "write_private_pem",
]

#: DNS names a server certificate may carry (RFC 1123 labels, at most 253 characters).
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
#: Client names: letters, digits and ``._@-``, 1 to 64 characters.
_CLIENT_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_MAX_VALIDITY_DAYS = 3650


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _check_time(name: str, value) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        raise TypeError(f"{name} must be a datetime.datetime or None, got {value!r} "
                        f"of type {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.timezone.utc), got {value!r}")
    return value


def _check_days(name: str, value) -> float:
    value = check_positive(name, value)
    if value > _MAX_VALIDITY_DAYS:
        raise ValueError(f"{name} must be at most {_MAX_VALIDITY_DAYS} days, got {value}")
    return value


def _check_dir(name: str, value) -> Path:
    return check_existing(name, value, "directory")


def _check_stem(stem) -> str:
    if not isinstance(stem, str):
        raise TypeError(f"stem must be a str, got {stem!r} of type {type(stem).__name__}")
    if not _CLIENT_NAME.match(stem) or stem.startswith("."):
        raise ValueError(f"stem must be 1 to 64 of letters, digits and ._@- not starting with '.', "
                         f"got {stem!r}")
    return stem


def write_private_pem(path, key: mldsa.MLDSA65PrivateKey) -> Path:
    """Write ``key`` as unencrypted PKCS#8 PEM to ``path`` with mode ``0o600``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (created, or truncated if it exists).
    key : cryptography.hazmat.primitives.asymmetric.mldsa.MLDSA65PrivateKey
        The private key.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``path`` is not a path or ``key`` not an ML-DSA-65 private key.
    PermissionError
        If the file cannot be made owner-only.

    Notes
    -----
    The file is opened with ``os.open(..., 0o600)`` so the key is never readable
    by others, even for an instant, and an existing file's mode is reset with
    ``fchmod`` before the key is written. Introduced in the chapter
    *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> import tempfile, os, stat
    >>> from cryptography.hazmat.primitives.asymmetric import mldsa
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_private_pem(os.path.join(d, "k.key"), mldsa.MLDSA65PrivateKey.generate())
    ...     oct(stat.S_IMODE(os.stat(p).st_mode))
    '0o600'
    """
    check_path("path", path)
    if not isinstance(key, mldsa.MLDSA65PrivateKey):
        raise TypeError(f"key must be an MLDSA65PrivateKey, got an object of type {type(key).__name__}")
    path = Path(path)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem)
    finally:
        os.close(fd)
    if stat.S_IMODE(os.stat(path).st_mode) != 0o600:
        raise PermissionError(f"could not make {str(path)!r} readable by its owner only")
    return path


def _write_public_pem(path: Path, data: bytes) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return path


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate and its private key, as issued by :class:`CertificateAuthority`.

    Attributes
    ----------
    certificate : cryptography.x509.Certificate
        The certificate (ML-DSA-65 public key, signed by the issuing CA).
    private_key : MLDSA65PrivateKey
        Its private key (not shown in ``repr``).
    """

    certificate: x509.Certificate
    private_key: mldsa.MLDSA65PrivateKey = field(repr=False)

    @property
    def serial(self) -> int:
        """The certificate's serial number."""
        return self.certificate.serial_number

    def save(self, directory, stem: str) -> tuple[Path, Path]:
        """Write ``<stem>.pem`` (the certificate) and ``<stem>.key`` (``0o600``) in ``directory``.

        Returns
        -------
        (pathlib.Path, pathlib.Path)
            The certificate's and the key's paths.
        """
        directory, stem = _check_dir("directory", directory), _check_stem(stem)
        cert_path = _write_public_pem(directory / f"{stem}.pem",
                                      self.certificate.public_bytes(serialization.Encoding.PEM))
        key_path = write_private_pem(directory / f"{stem}.key", self.private_key)
        return cert_path, key_path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class CertificateAuthority:
    r"""An ML-DSA-65 root that issues server and client certificates and revokes them.

    Parameters
    ----------
    name : str
        The root's common name (1 to 64 characters, no control characters).
    valid_days : float
        The root's validity from now, in days (0 < days <= 3650).
    not_before : datetime.datetime, optional
        Start of the root's validity (timezone-aware); default one minute ago,
        so that peers with slightly different clocks accept it.

    Attributes
    ----------
    certificate : cryptography.x509.Certificate
        The self-signed root (basic constraints CA, path length 0; key usage
        certificate and CRL signing).

    Raises
    ------
    TypeError, ValueError
        On a bad parameter, naming it.

    Notes
    -----
    Serial numbers are random 159-bit integers (RFC 5280 section 4.1.2.2 allows
    20 octets), so a revoked serial cannot be guessed onto a new certificate.
    Leaf certificates carry basic constraints ``CA:FALSE``, a critical key usage
    (digital signature only) and the extended key usage of their role; OpenSSL
    refuses a client certificate presented as a server's and vice versa.
    Revocation is by serial number: :meth:`revoke` adds it to the set behind
    :meth:`crl`, a CRL signed by the root. The signature algorithm is ML-DSA-65
    throughout (FIPS 204; X.509 profile in RFC 9881). Introduced in the chapter
    *Post-quantum vs quantum cryptography*.

    Examples
    --------
    >>> ca = CertificateAuthority("Example VPN CA")
    >>> server = ca.issue_server("vpn.example")
    >>> server.certificate.issuer == ca.certificate.subject
    True
    >>> ca.revoke(server.serial)
    >>> ca.crl().get_revoked_certificate_by_serial_number(server.serial) is not None
    True
    """

    def __init__(self, name: str = "qlib VPN CA", *, valid_days: float = 365.0,
                 not_before: datetime.datetime | None = None):
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {name!r} of type {type(name).__name__}")
        if not 1 <= len(name) <= 64 or any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise ValueError(f"name must be 1 to 64 printable characters, got {name!r}")
        valid_days = _check_days("valid_days", valid_days)
        not_before = _check_time("not_before", not_before)
        self._lock = threading.Lock()
        self._revoked: dict[int, datetime.datetime] = {}
        self._key = mldsa.MLDSA65PrivateKey.generate()
        start = not_before or _utcnow() - datetime.timedelta(minutes=1)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(name)).issuer_name(_name(name))
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()),
                           critical=False)
            .sign(self._key, None)
        )

    # ------------------------------------------------------------------ issuing
    def _issue(self, subject: x509.Name, usage, san, valid_days, not_before) -> IssuedCertificate:
        valid_days = _check_days("valid_days", valid_days)
        not_before = _check_time("not_before", not_before)
        key = mldsa.MLDSA65PrivateKey.generate()
        start = not_before or _utcnow() - datetime.timedelta(minutes=1)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                           critical=False)
        )
        if san is not None:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return IssuedCertificate(builder.sign(self._key, None), key)

    def issue_server(self, dns_name: str, *, valid_days: float = 90.0,
                     not_before: datetime.datetime | None = None) -> IssuedCertificate:
        """A server certificate for ``dns_name`` (subject alternative name and common name).

        Parameters
        ----------
        dns_name : str
            The name clients connect to (RFC 1123 host name, e.g. ``"vpn.example"``).
        valid_days : float
            Validity in days from ``not_before`` (0 < days <= 3650).
        not_before : datetime.datetime, optional
            Start of validity (timezone-aware; default one minute ago). A start in
            the past with a short validity makes an expired certificate (for tests).
        """
        if not isinstance(dns_name, str):
            raise TypeError(f"dns_name must be a str, got {dns_name!r} of type {type(dns_name).__name__}")
        if not _DNS_NAME.match(dns_name):
            raise ValueError(f"dns_name must be a DNS host name (letters, digits, hyphens, dots), "
                             f"got {dns_name!r}")
        return self._issue(_name(dns_name), ExtendedKeyUsageOID.SERVER_AUTH,
                           [x509.DNSName(dns_name)], valid_days, not_before)

    def issue_client(self, name: str, *, valid_days: float = 90.0,
                     not_before: datetime.datetime | None = None) -> IssuedCertificate:
        """A client certificate whose common name is ``name`` (the client's identity).

        Parameters
        ----------
        name : str
            1 to 64 of letters, digits and ``._@-``.
        valid_days, not_before
            As for :meth:`issue_server`.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {name!r} of type {type(name).__name__}")
        if not _CLIENT_NAME.match(name):
            raise ValueError(f"name must be 1 to 64 of letters, digits and ._@-, got {name!r}")
        return self._issue(_name(name), ExtendedKeyUsageOID.CLIENT_AUTH, None, valid_days, not_before)

    # --------------------------------------------------------------- revocation
    def revoke(self, serial: int) -> None:
        """Revoke the certificate with serial number ``serial`` (it appears in every later :meth:`crl`)."""
        serial = check_int("serial", serial, minimum=1)
        if serial.bit_length() > 159:
            raise ValueError(f"serial must fit in 20 octets (RFC 5280 4.1.2.2), got {serial}")
        with self._lock:
            self._revoked.setdefault(serial, _utcnow())

    @property
    def revoked_serials(self) -> frozenset[int]:
        """The serial numbers revoked so far."""
        with self._lock:
            return frozenset(self._revoked)

    def crl(self, *, valid_hours: float = 24.0) -> x509.CertificateRevocationList:
        """The CRL of every revoked serial, signed by the root, valid for ``valid_hours``.

        A peer that checks CRLs refuses every certificate once this CRL's
        ``next_update`` has passed, so publish a fresh one before then.
        """
        valid_hours = check_positive("valid_hours", valid_hours)
        if valid_hours > 24 * _MAX_VALIDITY_DAYS:
            raise ValueError(f"valid_hours must be at most {24 * _MAX_VALIDITY_DAYS}, got {valid_hours}")
        now = _utcnow()
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(self.certificate.subject)
                   .last_update(now - datetime.timedelta(minutes=1))
                   .next_update(now + datetime.timedelta(hours=valid_hours)))
        with self._lock:
            revoked = sorted(self._revoked.items())
        for serial, when in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        return builder.sign(self._key, None)

    # -------------------------------------------------------------------- files
    def save(self, directory) -> dict[str, Path]:
        """Write ``ca.pem``, ``ca.key`` (mode ``0o600``) and ``crl.pem`` in ``directory``.

        Returns
        -------
        dict
            ``{"certificate": ..., "key": ..., "crl": ...}`` paths.
        """
        directory = _check_dir("directory", directory)
        return {
            "certificate": _write_public_pem(directory / "ca.pem",
                                             self.certificate.public_bytes(serialization.Encoding.PEM)),
            "key": write_private_pem(directory / "ca.key", self._key),
            "crl": self.save_crl(directory / "crl.pem"),
        }

    def save_crl(self, path, *, valid_hours: float = 24.0) -> Path:
        """Write :meth:`crl` as PEM to ``path``; return ``path``."""
        return _write_public_pem(check_path("path", path),
                                 self.crl(valid_hours=valid_hours).public_bytes(serialization.Encoding.PEM))

    @classmethod
    def load(cls, directory) -> CertificateAuthority:
        """Read back a CA written by :meth:`save` (its revoked serials from ``crl.pem``).

        Raises
        ------
        ValueError
            If a file is missing, is not PEM of the expected kind, the key is not
            ML-DSA-65, the key does not match the certificate, or ``ca.key`` is
            readable by group or others.
        """
        directory = _check_dir("directory", directory)
        paths = {k: directory / f for k, f in (("certificate", "ca.pem"), ("key", "ca.key"),
                                                ("crl", "crl.pem"))}
        for what, p in paths.items():
            if not p.is_file():
                raise ValueError(f"directory {str(directory)!r} has no {p.name} (the CA's {what})")
        if stat.S_IMODE(os.stat(paths["key"]).st_mode) & 0o077:
            raise ValueError(f"{str(paths['key'])!r} must be readable by its owner only (mode 0o600)")
        try:
            cert = x509.load_pem_x509_certificate(paths["certificate"].read_bytes())
            key = serialization.load_pem_private_key(paths["key"].read_bytes(), password=None)
            crl = x509.load_pem_x509_crl(paths["crl"].read_bytes())
        except ValueError as exc:
            raise ValueError(f"directory {str(directory)!r}: unreadable CA file ({exc})") from None
        if not isinstance(key, mldsa.MLDSA65PrivateKey):
            raise ValueError(f"ca.key must hold an ML-DSA-65 key, got {type(key).__name__}")
        if key.public_key() != cert.public_key():
            raise ValueError("ca.key does not match ca.pem's public key")
        if not crl.is_signature_valid(cert.public_key()):
            raise ValueError("crl.pem is not signed by this CA")
        ca = cls.__new__(cls)
        ca._lock, ca._revoked, ca._key, ca.certificate = threading.Lock(), {}, key, cert
        for revoked in crl:
            ca._revoked[revoked.serial_number] = revoked.revocation_date_utc
        return ca
