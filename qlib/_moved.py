"""Old module paths of qlib, from before the library was split into floors.

``import qlib.chains`` still works: it is the module now at
``qlib.network.chains``, with a :class:`DeprecationWarning` naming the new place.
An old module whose names were later split over several modules aliases to the
subpackage that re-exports them all: ``qlib.links`` and ``qlib.repeaters`` are
:mod:`qlib.network`, ``qlib.states`` is :mod:`qlib.quantum`.
What left the library (the exercises' answers, the MyST reader, the Sphinx
extension, the hand-made tunnel) fails with an :class:`ImportError` that names
where it went.
``docs/architecture.md`` lists the layout.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings

#: old module -> the module it now is
MOVED_MODULES = {
    "states": "qlib.quantum",  # split: states, bell_diagonal
    "channels": "qlib.quantum.channels",
    "metrics": "qlib.quantum.metrics",
    "cloning": "qlib.quantum.cloning",
    "teleportation": "qlib.quantum.teleportation",
    "links": "qlib.network",  # split: fibre, detection, free_space, signalling, memories
    "sources": "qlib.network.sources",
    "repeaters": "qlib.network",  # split: swapping, purification, memories, bounds
    "chains": "qlib.network.chains",
    "keyrates": "qlib.qkd",  # split by concept; qlib.qkd re-exports all of it
    "postprocessing": "qlib.qkd.postprocessing",
    "pqc": "qlib.crypto.pqc",
    "plots": "qlib.viz.style",
    "explore": "qlib.viz.explorable",
}

#: old module -> why it cannot be imported from the library any more
LEFT_THE_LIBRARY = {
    "exercises": (
        "the exercises' answers left the library: they are the book's tooling, "
        "qbook.answers (tooling/qbook/answers/), and the MyST exercise reader is qbook.myst"
    ),
    "sphinx_ext": "the Sphinx extension is the book's tooling now: qbook.sphinx_ext (tooling/qbook/)",
    "tunnel": (
        "the book's hand-made tunnel protocol left the library: its post-quantum tunnel is real "
        "TLS 1.3 (qlib.crypto.pq_tls) keying a WireGuard VPN (qlib.vpn)"
    ),
}


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self._own = (module.__spec__, module.__loader__)
        return module

    def exec_module(self, module):
        # the target module is already executed; the import system has just written
        # the old name's spec into it, so give it back its own
        module.__spec__, module.__loader__ = self._own


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("qlib."):
            return None
        parts = fullname.split(".")
        old = parts[1]
        if old in LEFT_THE_LIBRARY:
            raise ImportError(f"{fullname} is no longer part of qlib: {LEFT_THE_LIBRARY[old]}", name=fullname)
        if len(parts) == 2 and old in MOVED_MODULES:
            new = MOVED_MODULES[old]
            warnings.warn(f"{fullname} moved to {new}; import it from there (or use the flat qlib namespace)",
                          DeprecationWarning, stacklevel=3)
            return importlib.machinery.ModuleSpec(fullname, _Alias(new))
        return None


def install() -> None:
    """Put the finder of old paths on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
