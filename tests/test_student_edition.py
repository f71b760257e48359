"""The student edition (``tools/student_edition.py``, ``make student``) leaks no solution.

One student build for the whole module (about as long as the instructor build).
For every exercise of every chapter in the toc, the solution's distinctive
content (its code lines and its sentences that appear nowhere else in the
chapter) is searched for in every text file of the built site (tags removed,
entities decoded) and in the student notebooks. The same search must find the
exercise statements, so that an absent solution is a real absence and not a
search that cannot see the page.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import nbformat
import pytest

from _book import ROOT, chapter_paths
from _solutions import needles as _needles
from _solutions import page_text as _page_text
from _solutions import normal as _normal
from qlib.exercises.myst import chapter_exercises

pytestmark = pytest.mark.book  # builds the book: skipped by `pytest -m "not book"`

CHAPTERS = chapter_paths()


def _tool(name):
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


student_edition = _tool("student_edition")


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    student_edition.build(out)
    texts = {}
    for path in (out / "html").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".md", ".json", ".ipynb", ".css"}:
            texts[path] = _page_text(path.read_text(errors="replace"))
    notebooks = {p.stem: nbformat.read(p, as_version=4) for p in (out / "notebooks").glob("*.ipynb")}
    return out, texts, notebooks


def test_student_site_builds_every_page_without_warnings(edition):
    out, _, _ = edition
    log = re.sub(r"\x1b\[[0-9;]*m", "", (out / "build.log").read_text())
    problems = [line for line in log.splitlines() if re.search(r"(WARNING|ERROR|CRITICAL):", line)]
    assert not problems, problems
    for path in CHAPTERS:
        assert (out / "html" / "chapters" / f"{path.stem}.html").exists()


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_solution_text_anywhere_in_the_student_site(edition, path):
    out, texts, _ = edition
    solution, statement = _needles(path)
    assert len(solution) >= len(chapter_exercises(path)), "too few distinctive solution fragments to search"
    page = texts[out / "html" / "chapters" / f"{path.stem}.html"]
    missing = [n for _, n in statement if n not in page]
    assert not missing, f"the search does not see the exercise statements: {missing[:3]}"
    for label, needle in solution:
        leaks = [str(p.relative_to(out)) for p, text in texts.items() if needle in text]
        assert not leaks, f"{label}: {needle!r} in {leaks}"
    raw = (out / "html" / "chapters" / f"{path.stem}.html").read_text()
    assert not re.search(r'class="[^"]*\bsolution\b', raw), "a solution admonition in the page"
    assert "qlib.check(" in page  # the note on checking an answer


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_notebooks_have_exercises_and_checks_but_no_solution(edition, path):
    _, _, notebooks = edition
    nb = notebooks[path.stem]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    text = _normal("\n".join(c.source for c in nb.cells))
    solution, statement = _needles(path)
    for label, needle in solution:
        assert needle not in text, f"{label}: {needle!r} in the student notebook"
    assert all(n in text for _, n in statement)
    for ex in chapter_exercises(path):
        assert f":label: {ex.label}" in text
    checks = [c for c in nb.cells if c.cell_type == "code" and "qlib.check(" in c.source]
    import qlib

    checked = [ex for ex in chapter_exercises(path) if ex.label in qlib.exercise_labels()]
    assert len(checks) == len(checked)
