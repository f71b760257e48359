"""Tests for qlib.crypto.pq_ca: the ML-DSA-65 certificate authority, its certificates,
its CRL and its files (private keys owner-only)."""

from __future__ import annotations

import datetime
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from qlib import CertificateAuthority, IssuedCertificate, write_private_pem

ID_ML_DSA_65 = "2.16.840.1.101.3.4.3.18"  # NIST CSOR id-ml-dsa-65, used by RFC 9881 section 2
MLDSA65_PUBLIC_KEY = 1952                 # FIPS 204, Table 2 (bytes)
MLDSA65_SIGNATURE = 3309                  # FIPS 204, Table 2 (bytes)


@pytest.fixture(scope="module")
def ca():
    return CertificateAuthority("Test CA")


def test_certificates_say_what_they_are(ca):
    server = ca.issue_server("vpn.example").certificate
    client = ca.issue_client("alice").certificate
    root = ca.certificate
    assert server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value \
        .get_values_for_type(x509.DNSName) == ["vpn.example"]
    assert list(server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) \
        == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert list(client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) \
        == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for cert in (root, server, client):
        assert cert.signature_algorithm_oid.dotted_string == ID_ML_DSA_65
        assert len(cert.signature) == MLDSA65_SIGNATURE
        assert len(cert.public_key().public_bytes_raw()) == MLDSA65_PUBLIC_KEY
    server.verify_directly_issued_by(root)
    client.verify_directly_issued_by(root)
    assert server.serial_number != client.serial_number


def test_validity_windows_follow_the_parameters(ca):
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = ca.issue_client("bob", not_before=start, valid_days=2).certificate
    assert cert.not_valid_before_utc == start
    assert cert.not_valid_after_utc == start + datetime.timedelta(days=2)


def test_revocation_by_serial_appears_in_the_signed_crl(ca):
    issued = ca.issue_client("carol")
    assert ca.crl().get_revoked_certificate_by_serial_number(issued.serial) is None
    ca.revoke(issued.serial)
    crl = ca.crl(valid_hours=1)
    assert crl.get_revoked_certificate_by_serial_number(issued.serial) is not None
    assert crl.is_signature_valid(ca.certificate.public_key())
    assert crl.next_update_utc - crl.last_update_utc == datetime.timedelta(hours=1, minutes=1)
    assert issued.serial in ca.revoked_serials


def test_private_keys_are_written_owner_only(ca, tmp_path):
    issued = ca.issue_server("vpn.example")
    cert_path, key_path = issued.save(tmp_path, "server")
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert x509.load_pem_x509_certificate(cert_path.read_bytes()) == issued.certificate
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert key.public_key() == issued.certificate.public_key()
    loose = tmp_path / "loose.key"
    loose.write_text("old")
    loose.chmod(0o644)
    write_private_pem(loose, issued.private_key)  # an existing file is made owner-only
    assert stat.S_IMODE(os.stat(loose).st_mode) == 0o600
    assert "private_key" not in repr(issued)


def test_saved_ca_loads_back_with_its_revocations(tmp_path):
    ca = CertificateAuthority("Round trip")
    ca.revoke(12345)
    files = ca.save(tmp_path)
    assert stat.S_IMODE(os.stat(files["key"]).st_mode) == 0o600
    back = CertificateAuthority.load(tmp_path)
    assert back.certificate == ca.certificate and back.revoked_serials == {12345}
    back.issue_client("zed").certificate.verify_directly_issued_by(ca.certificate)
    (tmp_path / "ca.key").chmod(0o640)
    with pytest.raises(ValueError, match="owner only"):
        CertificateAuthority.load(tmp_path)


def test_load_refuses_a_mismatched_or_missing_file(tmp_path):
    a, b = CertificateAuthority("A"), CertificateAuthority("B")
    a.save(tmp_path)
    write_private_pem(tmp_path / "ca.key", b._key)
    with pytest.raises(ValueError, match="does not match"):
        CertificateAuthority.load(tmp_path)
    (tmp_path / "crl.pem").unlink()
    with pytest.raises(ValueError, match="no crl.pem"):
        CertificateAuthority.load(tmp_path)


@pytest.mark.parametrize("call,error,match", [
    (lambda ca: ca.issue_server("bad name"), ValueError, "dns_name"),
    (lambda ca: ca.issue_server("-x.example"), ValueError, "dns_name"),
    (lambda ca: ca.issue_server(3), TypeError, "dns_name"),
    (lambda ca: ca.issue_client("a:b"), ValueError, "name"),
    (lambda ca: ca.issue_client("x", valid_days=0), ValueError, "valid_days"),
    (lambda ca: ca.issue_client("x", valid_days=4000), ValueError, "valid_days"),
    (lambda ca: ca.issue_client("x", not_before=datetime.datetime(2026, 1, 1)), ValueError, "not_before"),
    (lambda ca: ca.issue_client("x", not_before="2026-01-01"), TypeError, "not_before"),
    (lambda ca: ca.revoke(0), ValueError, "serial"),
    (lambda ca: ca.revoke(2**160), ValueError, "serial"),
    (lambda ca: ca.revoke("12"), TypeError, "serial"),
    (lambda ca: ca.crl(valid_hours=-1), ValueError, "valid_hours"),
    (lambda ca: ca.save("/nonexistent/dir"), ValueError, "directory"),
    (lambda ca: ca.issue_client("x").save(".", "../up"), ValueError, "stem"),
    (lambda ca: CertificateAuthority(""), ValueError, "name"),
    (lambda ca: CertificateAuthority("a\nb"), ValueError, "name"),
    (lambda ca: write_private_pem("/tmp/x.key", b"key"), TypeError, "key"),
])
def test_ca_refuses_bad_parameters(ca, call, error, match):
    with pytest.raises(error, match=match):
        call(ca)


def test_issued_certificate_is_a_plain_pair(ca):
    issued = ca.issue_client("dave")
    assert isinstance(issued, IssuedCertificate)
    assert isinstance(issued.private_key, mldsa.MLDSA65PrivateKey)
    assert issued.serial == issued.certificate.serial_number
