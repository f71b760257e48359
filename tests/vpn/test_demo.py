"""qlib.vpn.demo (``make vpn-demo``): the whole VPN between two namespaces, once.

Needs root and the WireGuard tools (skips saying so; fails instead when ``CI`` is set).
"""

from __future__ import annotations

import subprocess

import pytest
from _vpnbench import netns_ready  # noqa: F401  (the fixture)

from qlib.vpn.demo import run_demo


def test_the_demo_moves_10_mb_through_a_rotation_and_cleans_up(netns_ready):
    lines = []
    figures = run_demo(10, out=lines.append)
    text = "\n".join(lines)
    assert figures["ping"] == (5, 5)
    assert figures["rotated_during_transfer"], text
    assert 0 < figures["tunnel_mb_s"] and 0 < figures["bare_mb_s"]
    assert 0 < figures["rotation_ms"] < 2000  # a handshake, not WireGuard's 5 s retry
    for needle in ("MB/s", "key age", "ms", "cleaned up", "TLS key request"):
        assert needle in text
    # the key came from the TLS 1.3 key service, on the hybrid group with ML-DSA-65 certificates
    assert (figures["group"], figures["signature_algorithm"]) == ("X25519MLKEM768", "mldsa65")
    # each way the handshake carries at least one ML-DSA-65 certificate (1952-byte public key and
    # 3309-byte signature, FIPS 204 table 2) and a 3309-byte CertificateVerify signature
    assert all(n > 1952 + 2 * 3309 for n in figures["handshake_bytes"]), figures["handshake_bytes"]
    assert figures["key_request_ms"] > 0
    ns_a, ns_b, _ = figures["names"]
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    assert ns_a not in namespaces and ns_b not in namespaces


@pytest.mark.parametrize("megabytes", [0, 1001, 2.5, True])
def test_the_transfer_size_is_checked(megabytes):
    with pytest.raises(ValueError, match=r"megabytes must be an int in \[1, 1000\]"):
        run_demo(megabytes)


def test_a_failing_step_of_the_demo_still_removes_everything(netns_ready, monkeypatch):
    import re

    from qlib.vpn import demo
    from qlib.vpn.netns import NamespaceError
    from qlib.vpn.wireguard import RUN_DIR

    def broken(*args, **kwargs):
        raise NamespaceError("injected: the transfer failed")

    monkeypatch.setattr(demo, "tcp_transfer", broken)
    lines = []
    with pytest.raises(NamespaceError, match="injected"):
        run_demo(1, out=lines.append)
    ns_a, ns_b = re.search(r"namespaces (\S+) .* and (\S+) ", lines[0]).groups()
    tag = ns_a[2:-1]
    assert any("ping through the tunnel: 5/5" in line for line in lines)  # it got as far as the tunnel
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    assert ns_a not in namespaces and ns_b not in namespaces
    assert not [p for p in RUN_DIR.iterdir() if p.name.startswith(f"qv{tag}")]


def test_sigterm_to_the_demo_removes_everything(netns_ready):
    import os
    import re
    import signal
    import sys

    process = subprocess.Popen([sys.executable, "-m", "qlib.vpn.demo", "--megabytes", "1"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    first = process.stdout.readline()
    ns_a, ns_b = re.search(r"namespaces (\S+) .* and (\S+) ", first).groups()
    assert "key service" in process.stdout.readline()  # the first key came through TLS 1.3
    assert "tunnel up" in process.stdout.readline()  # both sides are running
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    assert ns_a not in namespaces and ns_b not in namespaces
    from qlib.vpn.wireguard import RUN_DIR

    assert not [p for p in RUN_DIR.iterdir() if p.name.startswith(ns_a[:-1])]
