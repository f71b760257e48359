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
    for needle in ("MB/s", "key age", "ms", "cleaned up"):
        assert needle in text
    ns_a, ns_b, _ = figures["names"]
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    assert ns_a not in namespaces and ns_b not in namespaces


@pytest.mark.parametrize("megabytes", [0, 1001, 2.5, True])
def test_the_transfer_size_is_checked(megabytes):
    with pytest.raises(ValueError, match=r"megabytes must be an int in \[1, 1000\]"):
        run_demo(megabytes)
