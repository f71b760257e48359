"""The files Binder (repo2docker) reads: a Python the pinned stack supports,
and the book's own pinned requirements, including jupytext so that the
chapters (MyST Markdown) open as notebooks."""

from __future__ import annotations

import re
import tomllib

from _book import ROOT


def _requirement_lines(path):
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def test_runtime_is_a_python_the_book_supports():
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, f"binder/runtime.txt must read python-X.Y, got {runtime!r}"
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(x) for x in re.fullmatch(r">=\s*(\d+)\.(\d+)", required).groups())
    assert tuple(int(x) for x in match.groups()) >= minimum


def test_binder_installs_the_pinned_book_environment():
    assert _requirement_lines(ROOT / "binder" / "requirements.txt") == ["-r ../requirements.txt"]
    root = _requirement_lines(ROOT / "requirements.txt")
    assert "-e ." in root and "-c constraints.txt" in root
    pinned = {line.split("==")[0].lower() for line in root if "==" in line}
    assert {"jupyterlab", "jupytext", "ipywidgets", "anywidget", "qutip", "plotly"} <= pinned
    assert all("==" in line for line in root if not line.startswith("-")), "pin every requirement exactly"
