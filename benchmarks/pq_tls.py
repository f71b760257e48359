"""Speed of qlib.crypto.pq_tls over loopback, printed (never asserted).

Target from issue 13 (a post-quantum VPN for real):

- a TLS 1.3 handshake on the hybrid group X25519MLKEM768 with ML-DSA-65 mutual
  authentication over loopback: median <= 10 ms.

Printed: the median and 95th percentile of the whole key request
(:func:`qlib.request_psk` in certificate mode: context set up from the PEM files,
TCP connect, handshake, request, reply, exporter), of the handshake alone on a
prepared context, and, without a target, of the password mode with the production
scrypt cost (n = 2**14, deliberately slow); also the handshake bytes each way.

Run ``python benchmarks/pq_tls.py`` (``--repeats N`` to change the number of handshakes).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from pathlib import Path

import qlib
from qlib.crypto import pq_tls

from _timing import median_and_p95

TARGET_HANDSHAKE_MS = 10.0
SERVER_NAME = "vpn.example"


def _bare_handshake(address, ctx) -> None:
    with socket.create_connection(address, timeout=5) as sock:
        channel = pq_tls._Channel(ctx, sock, time.monotonic() + 5, server=False)
        channel.handshake()
        channel.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100, help="timed handshakes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ca = qlib.CertificateAuthority("Benchmark CA")
        files = ca.save(d)
        server_cert, server_key = ca.issue_server(SERVER_NAME).save(d, "server")
        alice_cert, alice_key = ca.issue_client("alice").save(d, "alice")
        db = qlib.PasswordFile()
        db.add("alice", "correct horse battery staple")
        # a generous rate limit: the benchmark is one client asking as fast as it can
        limits = dict(rate=1e6, burst=10**6)
        common = dict(ca_file=files["certificate"], server_name=SERVER_NAME)

        with qlib.PSKServer(ca_file=files["certificate"], crl_file=files["crl"], cert_file=server_cert,
                            key_file=server_key, **limits) as server:
            request = lambda: qlib.request_psk(server.address, 1, cert_file=alice_cert,  # noqa: E731
                                               key_file=alice_key, **common)
            psk = request()
            req_med, req_p95 = median_and_p95(request, args.repeats)
            ctx = pq_tls._pq_context(ca_file=files["certificate"], cert_file=alice_cert,
                                     key_file=alice_key, crl_file=None)
            ctx.set_verify(pq_tls.SSL.VERIFY_PEER)
            hs_med, hs_p95 = median_and_p95(lambda: _bare_handshake(server.address, ctx), args.repeats)

        with qlib.PSKServer(ca_file=files["certificate"], cert_file=server_cert, key_file=server_key,
                            mode="password", passwords=db, **limits) as server:
            pw = lambda: qlib.request_psk(server.address, 1, username="alice",  # noqa: E731
                                          password="correct horse battery staple", **common)
            pw_med, pw_p95 = median_and_p95(pw, max(5, args.repeats // 10))

    ok = "yes" if req_med * 1e3 <= TARGET_HANDSHAKE_MS else "NO"
    print(f"qlib.crypto.pq_tls over loopback: {psk.protocol}, {psk.group}, {psk.signature_algorithm}, "
          f"{psk.cipher} (nothing asserted)")
    print(f"{'measurement':<66} {'median':>8} {'p95':>8} {'target':>7}  ok")
    print(f"{'key request, mutual ML-DSA-65 certificates (ms)':<66} {req_med * 1e3:>8.2f} "
          f"{req_p95 * 1e3:>8.2f} {TARGET_HANDSHAKE_MS:>7.1f}  {ok}")
    print(f"{'  the TLS 1.3 handshake alone, prepared context (ms)':<66} {hs_med * 1e3:>8.2f} "
          f"{hs_p95 * 1e3:>8.2f}")
    print(f"{'key request, password mode, scrypt n=2**14 (ms)':<66} {pw_med * 1e3:>8.2f} "
          f"{pw_p95 * 1e3:>8.2f} {'-':>7}")
    print(f"{'handshake bytes, client sent / received':<66} {psk.handshake_bytes_sent:>8} "
          f"{psk.handshake_bytes_received:>8}")


if __name__ == "__main__":
    main()
