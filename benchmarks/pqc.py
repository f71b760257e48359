"""Speed of the post-quantum primitives of qlib.crypto.pqc, printed (never asserted).

The median times of key generation, encapsulation / signing and their inverses for
ML-KEM, ML-DSA and the classical schemes the chapter *Post-quantum vs quantum
cryptography* compares them with. The handshake that uses them, real TLS 1.3 with
X25519MLKEM768 and ML-DSA-65, is timed by ``benchmarks/pq_tls.py``; the VPN it keys
by ``benchmarks/vpn.py``.

Run ``python benchmarks/pqc.py`` (``--repeats N`` to change the number of runs).
"""

from __future__ import annotations

import argparse

import qlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50, help="timed runs of each operation")
    args = parser.parse_args()
    print(f"primitives (median of {args.repeats}; RSA key generation of 3), ms")
    print(f"{'name':<14} {'keygen':>10} {'op':>24} {'inverse':>24}")
    for m in qlib.measure_primitives(repeats=args.repeats):
        print(f"{m.name:<14} {m.keygen_s * 1e3:>10.3f} {m.op_names[0]:>14} {m.op_s * 1e3:>9.3f} "
              f"{m.op_names[1]:>14} {m.inverse_op_s * 1e3:>9.3f}")


if __name__ == "__main__":
    main()
