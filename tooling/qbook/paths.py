"""Where the book's sources are: the repository this package lives in."""

from __future__ import annotations

from pathlib import Path

#: The repository's root folder (``tooling/qbook/paths.py`` -> the repository),
#: which holds ``_toc.yml``, ``_config.yml`` and ``chapters/``.
ROOT = Path(__file__).resolve().parents[2]

if not (ROOT / "_toc.yml").exists():  # qbook installed away from its repository
    raise ImportError(f"qbook works on the book's repository, but {ROOT} has no _toc.yml: "
                      "install it editable from the repository (pip install -e tooling)")
