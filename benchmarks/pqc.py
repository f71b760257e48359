"""Speed of qlib.crypto.pqc and qlib.crypto.tunnel over loopback, printed (never asserted).

Targets from issue 6 (post-quantum vs quantum cryptography):

- a full hybrid handshake (X25519 + ML-KEM-768, server authenticated with
  ML-DSA-65) over a loopback socket: <= 20 ms median;
- 1,000 records of 1 KiB through the tunnel: <= 0.5 s.

Also printed, without a target: the password-mode handshake (dominated by the
deliberately slow scrypt, n = 2**14) and the primitives' median times.

Run ``python benchmarks/pqc.py`` (``--repeats N`` to change the number of
handshakes).
"""

from __future__ import annotations

import argparse
import statistics
import time

import qlib

TARGET_HANDSHAKE_MS = 20.0
TARGET_BULK_S = 0.5
N_RECORDS, RECORD_BYTES = 1000, 1024


def _count_then_ack(conn, server):
    """Handler: receive N_RECORDS records, then answer once."""
    n = 0
    for _ in conn:
        n += 1
        if n == N_RECORDS:
            conn.send(b"ack")


def handshake_times(server, pinned, repeats, **kwargs):
    times = []
    for _ in range(repeats + 1):  # first one is a warm-up
        t0 = time.perf_counter()
        conn = qlib.tunnel_connect(server.address, pinned, **kwargs)
        times.append(time.perf_counter() - t0)
        conn.close()
    return times[1:]


def bulk_time(key, pinned, repeats=5):
    record = bytes(RECORD_BYTES)
    out = []
    with qlib.TunnelServer(key, handler=_count_then_ack) as server:
        for _ in range(repeats):
            with qlib.tunnel_connect(server.address, pinned) as conn:
                t0 = time.perf_counter()
                for _ in range(N_RECORDS):
                    conn.send(record)
                assert conn.recv() == b"ack"
                out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50, help="timed handshakes")
    args = parser.parse_args()

    key = qlib.generate_server_key()
    pinned = key.public_key().public_bytes_raw()

    with qlib.TunnelServer(key) as server:
        hs = handshake_times(server, pinned, args.repeats)
    db = qlib.PasswordDatabase()
    db.add("alice", "correct horse battery staple")
    with qlib.TunnelServer(key, password_db=db) as server:
        hs_pw = handshake_times(server, pinned, max(5, args.repeats // 10), mode="password",
                                username="alice", password="correct horse battery staple")
    bulk = bulk_time(key, pinned)

    med = statistics.median(hs) * 1e3
    print("qlib.crypto.tunnel over loopback (nothing asserted)")
    print(f"{'measurement':<62} {'median':>10} {'target':>8}  ok")
    print(f"{'hybrid handshake, ML-DSA-65 server authentication (ms)':<62} {med:>10.2f} "
          f"{TARGET_HANDSHAKE_MS:>8.1f}  {'yes' if med <= TARGET_HANDSHAKE_MS else 'NO'}")
    print(f"{'  same, p95 (ms)':<62} {sorted(hs)[int(0.95 * (len(hs) - 1))] * 1e3:>10.2f}")
    print(f"{'handshake in password mode, scrypt n=2**14 (ms)':<62} "
          f"{statistics.median(hs_pw) * 1e3:>10.2f} {'-':>8}")
    b = statistics.median(bulk)
    print(f"{f'{N_RECORDS} records of {RECORD_BYTES} B through the tunnel (s)':<62} {b:>10.3f} "
          f"{TARGET_BULK_S:>8.2f}  {'yes' if b <= TARGET_BULK_S else 'NO'}")
    print(f"{'  throughput (MB/s)':<62} {N_RECORDS * RECORD_BYTES / b / 1e6:>10.1f}")

    print()
    print("primitives (median of 50; RSA key generation of 3), ms")
    print(f"{'name':<14} {'keygen':>10} {'op':>24} {'inverse':>24}")
    for m in qlib.measure_primitives(repeats=50):
        print(f"{m.name:<14} {m.keygen_s * 1e3:>10.3f} {m.op_names[0]:>14} {m.op_s * 1e3:>9.3f} "
              f"{m.op_names[1]:>14} {m.inverse_op_s * 1e3:>9.3f}")


if __name__ == "__main__":
    main()
