"""qlib.vpn.netns: two namespaces and a veth link, and nothing left behind.

Needs root and iproute2 (skips saying so; fails instead when ``CI`` is set).
"""

from __future__ import annotations

import subprocess

import pytest
from _vpnbench import netns_ready  # noqa: F401  (the fixture)

from qlib.vpn import netns
from qlib.vpn.netns import NamespaceError, NamespacePair, missing_requirements, ping


def _namespaces() -> set[str]:
    return set(subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split())


def test_the_requirements_are_reported_as_reasons():
    reasons = missing_requirements()
    assert all(isinstance(r, str) and r for r in reasons)
    with pytest.raises(ValueError, match=r"tools must be among .*got 'nc'"):
        missing_requirements(["nc"])


@pytest.mark.parametrize("kwargs, message", [
    ({"subnet": "10.231.0.0/31"}, r"subnet must hold two host addresses"),
    ({"subnet": "10.231.0.1/24"}, r"subnet must be an IPv4 network"),  # host bits set
    ({"subnet": "fd00::/64"}, r"subnet must be an IPv4 network"),
    ({"tag": "UPPER"}, r"tag must be 1 to 8 characters of \[a-z0-9\], got 'UPPER'"),
    ({"tag": "toolongtag"}, r"tag must be 1 to 8 characters"),
])
def test_bad_arguments_are_refused_before_anything_is_made(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NamespacePair(**kwargs)


def test_the_two_namespaces_reach_each_other_over_the_veth_link(netns_ready):
    with NamespacePair() as pair:
        assert {pair.a, pair.b} <= _namespaces()
        result = ping(pair, "a", pair.address_b, count=2, interval=0.05)
        assert (result.transmitted, result.received) == (2, 2)
        # the veth ends live inside the namespaces, not in the root namespace
        assert pair.run("b", ["ip", "-o", "link", "show", pair.veth_b]).returncode == 0
    assert not any(pair.exists().values())
    assert not {pair.a, pair.b} & _namespaces()


def test_everything_is_removed_when_the_block_raises(netns_ready):
    with pytest.raises(RuntimeError, match="a step failed"):
        with NamespacePair() as pair:
            sleeper = pair.popen("a", ["sleep", "30"])
            raise RuntimeError("a step failed")
    assert sleeper.poll() is not None  # the pair's process was stopped
    assert not any(pair.exists().values())


def test_everything_is_removed_when_building_fails_midway(netns_ready, monkeypatch):
    real = netns._run

    def failing(args, **kwargs):
        if "addr" in args:  # after both namespaces and the veth pair exist
            raise NamespaceError("injected failure")
        return real(args, **kwargs)

    monkeypatch.setattr(netns, "_run", failing)
    pair = NamespacePair()
    with pytest.raises(NamespaceError, match="injected failure"):
        pair.__enter__()
    monkeypatch.setattr(netns, "_run", real)
    assert not any(pair.exists().values())


def test_a_veth_left_in_the_root_namespace_is_removed_too(netns_ready, monkeypatch):
    real = netns._run

    def failing(args, **kwargs):
        if args[:3] == ["ip", "link", "set"] and "netns" in args:  # the veth exists, not yet moved
            raise NamespaceError("injected failure")
        return real(args, **kwargs)

    monkeypatch.setattr(netns, "_run", failing)
    pair = NamespacePair()
    with pytest.raises(NamespaceError):
        pair.__enter__()
    monkeypatch.setattr(netns, "_run", real)
    assert not any(pair.exists().values())


def test_two_pairs_side_by_side_have_their_own_names(netns_ready):
    with NamespacePair() as one, NamespacePair() as two:
        assert {one.a, one.b, one.veth_a, one.veth_b}.isdisjoint({two.a, two.b, two.veth_a, two.veth_b})
        assert ping(one, "a", one.address_b, count=1).received == 1
        assert ping(two, "b", two.address_a, count=1).received == 1


def test_close_is_idempotent_and_unregisters_from_atexit(netns_ready, monkeypatch):
    registered = []
    monkeypatch.setattr(netns.atexit, "register", registered.append)
    monkeypatch.setattr(netns.atexit, "unregister", registered.remove)
    pair = NamespacePair().__enter__()
    assert registered == [pair.close]
    pair.close()
    pair.close()
    assert registered == []
    assert not any(pair.exists().values())


def test_a_command_in_an_unknown_namespace_is_refused(netns_ready):
    with NamespacePair() as pair:
        with pytest.raises(ValueError, match=r"ns must be 'a', 'b'"):
            pair.run("c", ["true"])


def test_without_the_tools_a_test_skips_but_fails_under_ci(monkeypatch):
    import _vpnbench

    monkeypatch.setattr(_vpnbench, "missing_requirements", lambda: ["wg not found (apt-get install wireguard-tools)"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"the VPN namespace tests cannot run here: wg not found"):
        _vpnbench.require_netns()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI is set, so this is not skipped: .*wg not found"):
        _vpnbench.require_netns()
    monkeypatch.setattr(_vpnbench, "missing_requirements", lambda: [])
    assert _vpnbench.require_netns() is None  # nothing missing: the test runs


def test_net_admin_is_read_from_the_process_status():
    import re
    from pathlib import Path

    caps = int(re.search(r"^CapEff:\s*([0-9a-f]+)$", Path("/proc/self/status").read_text(), re.M).group(1), 16)
    assert netns.has_net_admin() == bool(caps >> 12 & 1)  # CAP_NET_ADMIN is bit 12 (linux/capability.h)
