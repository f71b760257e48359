"""What the namespace tests of qlib.vpn share: the rule that CI cannot skip them.

A test that needs root and the WireGuard tools skips, saying what is missing, on
a machine without them; but when the environment variable ``CI`` is set (as
``.ci/run`` and most CI services set it) the same situation is a failure, so CI
cannot pass by silently skipping the tunnel.
"""

from __future__ import annotations

import os

import pytest

from qlib.vpn.netns import missing_requirements


def require_netns() -> None:
    """Skip (or, under CI, fail) unless namespaces and WireGuard can run here."""
    reasons = missing_requirements()
    if not reasons:
        return
    message = "the VPN namespace tests cannot run here: " + "; ".join(reasons)
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, so this is not skipped: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def netns_ready():
    require_netns()
