"""Checks of the file-system paths the crypto modules take (private).

One wording for every module: ``<name> must be a path (str or os.PathLike), got
...`` for a wrong type, ``<name> must be an existing file|directory, got ...``
for one that is not there.
"""

from __future__ import annotations

import os
from pathlib import Path


def check_path(name: str, value) -> Path:
    """``value`` as a :class:`~pathlib.Path`; TypeError naming ``name`` if it is no path."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {value!r} "
                        f"of type {type(value).__name__}")
    return Path(value)


def check_existing(name: str, value, kind: str) -> Path:
    """``value`` as a Path to an existing ``kind`` ("file" or "directory")."""
    path = check_path(name, value)
    if not (path.is_file() if kind == "file" else path.is_dir()):
        raise ValueError(f"{name} must be an existing {kind}, got {str(path)!r}")
    return path
