"""Helpers shared by the chapter, build and browser tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    """Every document listed in ``_toc.yml`` (root first), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def chapter_paths() -> list[Path]:
    """The chapter notebooks (MyST Markdown) listed in the table of contents."""
    return [ROOT / f"{name}.md" for name in toc_files() if name.startswith("chapters/")]
