"""Shared test helpers: hypothesis strategies for random qubit states.

Random states come from QuTiP's generators with a seed drawn by hypothesis,
so every failing example is reproducible from the seed hypothesis prints.
Import them in a test module with ``from conftest import ...``.
"""

from __future__ import annotations

import numpy as np
import qutip
from hypothesis import strategies as st

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def density_matrices(draw, n_qubits: int = 2, pure: bool | None = None):
    """Random ``n_qubits`` density matrix (mixed, pure, or either if ``pure`` is None).

    Mixed states use Ginibre-distributed ``qutip.rand_dm`` with a random rank,
    so rank-deficient states (edges of the state space) are covered too.
    """
    seed = draw(SEEDS)
    dims = [2] * n_qubits
    if pure is None:
        pure = draw(st.booleans())
    if pure:
        return qutip.ket2dm(qutip.rand_ket(dims, seed=seed))
    rank = draw(st.integers(min_value=1, max_value=2**n_qubits))
    return qutip.rand_dm(dims, distribution="ginibre", rank=rank, seed=seed)


@st.composite
def kets(draw, n_qubits: int = 2):
    """Random Haar ``n_qubits`` ket."""
    return qutip.rand_ket([2] * n_qubits, seed=draw(SEEDS))


@st.composite
def local_unitaries(draw):
    """Random U_A ⊗ U_B (Haar on each qubit)."""
    seed = draw(SEEDS)
    rng = np.random.default_rng(seed)
    ua = qutip.rand_unitary(2, seed=rng)
    ub = qutip.rand_unitary(2, seed=rng)
    return qutip.tensor(ua, ub)


probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


# --- the book builds run in the background; their tests run last ---------------
#
# test_book.py and test_student_edition.py each build the book (minutes, in a
# subprocess): the builds start as soon as the tests are collected, so they run
# while the other tests do, and those two modules run last, then test_grading.py
# (whose time limits are kept away from the builds' load).
import pytest  # noqa: E402


def _background_build(item) -> str | None:
    return getattr(getattr(item, "module", None), "BACKGROUND_BUILD", None)


@pytest.hookimpl(trylast=True)  # after -m / -k deselection
def pytest_collection_modifyitems(session, config, items):
    builds = [item for item in items if _background_build(item)]
    grading = [item for item in items if item.path.name == "test_grading.py" and item not in builds]
    rest = [item for item in items if item not in builds and item not in grading]
    items[:] = rest + builds + grading


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    from _book import start_build

    for name in dict.fromkeys(filter(None, map(_background_build, session.items))):
        start_build(name, session.config._tmp_path_factory)


def pytest_sessionfinish(session):
    import sys

    if "_book" in sys.modules:
        sys.modules["_book"].stop_builds()
