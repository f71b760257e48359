"""Where the book's sources are: the repository this package lives in, and the
documents its table of contents lists."""

from __future__ import annotations

from pathlib import Path

import yaml

#: The repository's root folder (``tooling/qbook/paths.py`` -> the repository),
#: which holds ``_toc.yml``, ``_config.yml`` and ``chapters/``.
ROOT = Path(__file__).resolve().parents[2]

if not (ROOT / "_toc.yml").exists():  # qbook installed away from its repository
    raise ImportError(f"qbook works on the book's repository, but {ROOT} has no _toc.yml: "
                      "install it editable from the repository (pip install -e tooling)")


def toc_files(root: Path = ROOT) -> list[str]:
    """Every document listed in ``root/_toc.yml`` (root document first), without suffix."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def chapter_paths(root: Path = ROOT) -> list[Path]:
    """The chapter notebooks (MyST Markdown under ``chapters/``) the table of contents
    lists, in its order."""
    return [root / f"{name}.md" for name in toc_files(root) if name.startswith("chapters/")]
