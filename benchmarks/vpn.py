"""The WireGuard VPN of qlib.vpn between two network namespaces, printed (never asserted).

Targets from issue 13 (a post-quantum VPN for real):

- key rotation: the new preshared key in place <= 50 ms (from the first
  ``wg set`` until both sides route through interfaces whose handshake used it);
- no lost ping during rotation at 10 pings/s;
- throughput through the tunnel, reported beside the bare veth link in the same run.

Also the rotation as ``python -m qlib.vpn --psk-source tls`` runs it: per
rotation, the client's TLS 1.3 key request over the veth link (hybrid handshake,
ML-DSA-65 certificates, in certificate and in password mode) and then the key
put in place, median and p95 (the commands' own ``key`` and ``rotated`` events).

Needs root and wireguard-go/wireguard-tools (``make vpn-tools``). Run
``python benchmarks/vpn.py`` (``--rotations N``, ``--tls-rotations N``, ``--megabytes M``).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from qlib.vpn.demo import _config, _Side, _write_private, write_key_service_files
from qlib.vpn.netns import NamespacePair, TunnelBench, missing_requirements, ping, tcp_transfer
from qlib.vpn.wireguard import generate_private_key, public_key_of

TARGET_ROTATION_MS = 50.0
TARGET_LOST_PINGS = 0


def _median_p95(values):
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def tls_rotations(auth: str, rotations: int) -> tuple[list[float], list[float]]:
    """Run both commands with ``--psk-source tls``; (key request s, rotation s) of ``rotations`` rotations."""
    with tempfile.TemporaryDirectory(prefix="qvpn-bench-") as tmp, NamespacePair() as pair:
        folders = {name: Path(tmp) / name for name in ("ca", "server", "client")}
        for folder in folders.values():
            folder.mkdir(mode=0o700)
        write_key_service_files(folders["ca"], folders["server"], folders["client"])
        keys = {role: generate_private_key() for role in ("server", "client")}
        sides = []
        try:
            for role, ns, peer, mine, theirs in (("server", "b", "client", "10.99.0.1", "10.99.0.2"),
                                                 ("client", "a", "server", "10.99.0.2", "10.99.0.1")):
                _write_private(folders[role] / "private.key", keys[role])
                config = folders[role] / f"{role}.toml"
                config.write_text(_config(role, f"qv{pair.tag}{role[0]}", mine, public_key_of(keys[peer]), theirs,
                                          key_service=f"{pair.address_b}:8443", auth=auth,
                                          listen_port=51820 if role == "server" else None,
                                          endpoint=f"{pair.address_b}:51820" if role == "client" else None))
                sides.append(_Side(pair, ns, role, config, "tls"))
                sides[-1].wait_for("up")
            client = sides[1]
            for index in range(2, rotations + 2):
                client.process.send_signal(signal.SIGUSR1)
                client.wait_for("rotated", index=index)
                time.sleep(0.1)
        finally:
            for side in reversed(sides):
                side.stop()
        requests = [e["request_seconds"] for e in client.seen if e["event"] == "key"][1:]
        installs = [e["seconds"] for e in client.seen if e["event"] == "rotated"][1:]
        return requests, installs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rotations", type=int, default=20, help="rotations during the 10 pings/s run")
    parser.add_argument("--megabytes", type=int, default=10, help="size of each TCP transfer")
    parser.add_argument("--tls-rotations", type=int, default=10,
                        help="rotations through the TLS key service, per mode")
    args = parser.parse_args()
    reasons = missing_requirements()
    if reasons:
        print("benchmarks/vpn.py cannot run here: " + "; ".join(reasons), file=sys.stderr)
        return 1

    with TunnelBench(os.urandom(32)) as bench:
        ping(bench.pair, "a", bench.tunnel_b, count=1)  # the first handshake
        interval = 0.1
        count = int(args.rotations * 0.25 / interval) + 10
        result = ping(bench.pair, "a", bench.tunnel_b, count=count, interval=interval, background=True)
        time.sleep(0.5)
        rotations = []
        for _ in range(args.rotations):
            rotations.append(bench.rotate(os.urandom(32)))
            time.sleep(0.25)
        pings = result()
        times_ms = sorted(1000 * seconds for seconds, _ in rotations)
        confirmed = sum(ok for _, ok in rotations)

        nbytes = args.megabytes * 10**6
        bare = [tcp_transfer(bench.pair, sender="a", receiver="b", address=bench.pair.address_b, nbytes=nbytes,
                             port=5201 + i) for i in range(3)]
        tunnel = [tcp_transfer(bench.pair, sender="a", receiver="b", address=bench.tunnel_b, nbytes=nbytes,
                               port=5301 + i) for i in range(3)]
        during = {}
        rotated = tcp_transfer(bench.pair, sender="a", receiver="b", address=bench.tunnel_b, nbytes=nbytes,
                               port=5401, during=lambda: during.setdefault("r", bench.rotate(os.urandom(32))))

    median = statistics.median(times_ms)
    p95 = times_ms[min(len(times_ms) - 1, round(0.95 * (len(times_ms) - 1)))]
    bare_mb = statistics.median(t.megabytes_per_second for t in bare)
    tunnel_mb = statistics.median(t.megabytes_per_second for t in tunnel)
    print("qlib.vpn: wireguard-go between two namespaces over a veth link (nothing asserted)")
    print(f"  PSK rotation, make before break ({args.rotations} rotations, {confirmed} confirmed by a handshake):")
    print(f"    median {median:.1f} ms, p95 {p95:.1f} ms, max {times_ms[-1]:.1f} ms   "
          f"(target <= {TARGET_ROTATION_MS:.0f} ms: {'met' if median <= TARGET_ROTATION_MS else 'MISSED'} "
          f"at the median)")
    print(f"  pings at 10/s during the rotations: {pings.transmitted} sent, {pings.lost} lost   "
          f"(target {TARGET_LOST_PINGS}: {'met' if pings.lost <= TARGET_LOST_PINGS else 'MISSED'})")
    print(f"  TCP {args.megabytes} MB, median of 3: bare veth {bare_mb:.0f} MB/s, "
          f"through the tunnel {tunnel_mb:.0f} MB/s ({tunnel_mb / bare_mb:.1%} of the bare link)")
    seconds, ok = during.get("r", (float("nan"), False))
    print(f"  TCP {args.megabytes} MB with a rotation during it: {rotated.megabytes_per_second:.0f} MB/s, "
          f"{rotated.bytes} bytes delivered, rotation {1000 * seconds:.1f} ms ({'confirmed' if ok else 'NOT confirmed'})")
    print(f"  python -m qlib.vpn --psk-source tls, {args.tls_rotations} rotations per mode (SIGUSR1 to the client):")
    for auth in ("certificate", "password"):
        requests, installs = tls_rotations(auth, args.tls_rotations)
        (rq, rq95), (ins, ins95) = _median_p95(requests), _median_p95(installs)
        print(f"    {auth:11s}: TLS 1.3 key request median {1000 * rq:.1f} ms, p95 {1000 * rq95:.1f} ms; "
              f"then the key in place median {1000 * ins:.1f} ms, p95 {1000 * ins95:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
