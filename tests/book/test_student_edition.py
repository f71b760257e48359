"""The student edition (:mod:`qbook.student_edition`, ``make student``) leaks no solution.

One student build for the whole module (about as long as the instructor build),
``python -m qbook.student_edition`` in a subprocess started as soon as the tests are
collected (tests/conftest.py): it runs while the other tests do, and this module runs
after them.
For every exercise of every chapter in the toc, the solution's distinctive
content (its code lines and its sentences that appear nowhere else in the
chapter) is searched for in every text file of the built site (tags removed,
entities decoded) and in the student notebooks. The same search must find the
exercise statements, so that an absent solution is a real absence and not a
search that cannot see the page.

Numbers too: each checked exercise's expected values (computed by the answers
modules), written to 3 significant digits in the answer's unit and in each unit a
learner slips into, are searched as whole numbers in every student file (pages
without their own cells' outputs, the search index, ``_sources``, the notebooks),
except those the student-visible sources state themselves. And the site links
neither to the repository (which holds the solutions) nor to Binder or a hub.
"""

from __future__ import annotations


import re

import nbformat
import pytest

from _book import ROOT, chapter_paths, start_build
from _solutions import needles as _needles
from _solutions import page_text as _page_text
from _solutions import body_sources, cell_outputs, found_number, glued_values, number_needles, prose_and_code, references
from _solutions import normal as _normal
from qbook.myst import chapter_exercises

pytestmark = pytest.mark.book  # builds the book: skipped by `pytest -m "not book"`
BACKGROUND_BUILD = "student"  # `python -m qbook.student_edition`, started at collection (tests/conftest.py)

CHAPTERS = chapter_paths()


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    build = start_build("student", tmp_path_factory)  # started already, unless run alone
    returncode, log = build.wait()
    if returncode != 0:
        pytest.fail(f"the student edition did not build (exit {returncode}):\n" + "\n".join(log.splitlines()[-40:]), pytrace=False)
    out = build.out
    texts = {}
    for path in (out / "html").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".md", ".json", ".ipynb", ".css"}:
            texts[path] = _page_text(path.read_text(errors="replace"))
    notebooks = {p.stem: nbformat.read(p, as_version=4) for p in (out / "notebooks").glob("*.ipynb")}
    return out, texts, notebooks


@pytest.fixture(scope="module")
def student_numbers(edition):
    """{file: its text as a reader sees it, for the number search}: pages (outside
    ``_static``) without scripts and their own cells' outputs, the search index, the
    ``_sources`` and the student notebooks."""
    out, _, _ = edition
    files = [p for p in (out / "html").rglob("*") if p.is_file() and (
        (p.suffix == ".html" and "_static" not in p.parts) or p.name == "searchindex.js" or "_sources" in p.parts)]
    files += sorted((out / "notebooks").glob("*.ipynb"))
    return {p: prose_and_code(p.read_text(errors="replace"), p.suffix) for p in files}


@pytest.fixture(scope="module")
def body(edition):
    """The student-visible body: the pages' sources without solutions, the values the
    pages paste into their prose (glue) and their cells' outputs (the search index
    holds those too)."""
    out, _, _ = edition
    pages = [p.read_text(errors="replace") for p in (out / "html").rglob("*.html") if "_static" not in p.parts]
    glued = [v for raw in pages for v in glued_values(raw)]
    return "\n".join([body_sources(), *glued, *map(cell_outputs, pages)])


@pytest.fixture(scope="module")
def reference_terms(edition):
    """The search-index terms of the pages' bibliography entries (journal volumes, pages,
    years): in the index, not in the body, and no leak when one equals an answer."""
    out, _, _ = edition
    return _tokens(" ".join(references(p.read_text(errors="replace"))
                            for p in (out / "html").rglob("*.html") if "_static" not in p.parts))


def test_number_needles_see_a_leaked_answer(body):
    """The search would have caught the leaks it was made for: the instructors' page's
    demo of tp-ex-delay in ms, and the qlib.check docstring's answer to
    qn-ex-one-in-a-thousand (150 km)."""
    for chapter, label, leak in [("teleportation", "tp-ex-delay", "delay_ms = (5.88, 4.00, 1.87)"),
                                 ("quantum-networks", "qn-ex-one-in-a-thousand", 'check("x", 150_000.0) 150000 m')]:
        needles = [n for lab, n in number_needles(ROOT / "chapters" / f"{chapter}.md", body=body) if lab == label]
        assert any(found_number(n, leak) for n in needles), (label, needles)


def _tokens(text: str) -> set[str]:
    """Words as Sphinx's search index splits them (5.88 is the two terms 5 and 88)."""
    return set(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_expected_value_anywhere_in_the_student_site(student_numbers, body, reference_terms, path):
    needles = number_needles(path, body=body)
    assert needles, "no expected value to search for"
    leaks = [(label, n, str(p.name)) for label, n in needles for p, text in student_numbers.items()
             if p.name != "searchindex.js" and found_number(n, text)]
    assert not leaks, leaks[:10]
    # the search index holds terms, split at every non-word character: a number is one
    # term only when written without a point or comma (5880), and leaks there if the
    # index has it but the body (which the index was made from) does not
    index = next(text for p, text in student_numbers.items() if p.name == "searchindex.js")
    terms, body_terms = set(re.findall(r'"(\w+)"\s*:', index)), _tokens(body) | reference_terms
    leaks = [(label, n) for label, n in needles if re.fullmatch(r"\d+", n) and n in terms and n not in body_terms]
    assert not leaks, leaks[:10]


def test_student_site_links_to_no_repository_binder_or_hub(edition):
    import yaml

    out, _, _ = edition
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].rstrip("/")
    forbidden = [repo, repo.split("://", 1)[1], "mybinder", "binder", "jupyterhub", "git-pull", "nbgitpuller"]
    forbidden += [u for u in (config["launch_buttons"].get("binderhub_url"), config["launch_buttons"].get("jupyterhub_url")) if u]
    bad = []
    for page in (out / "html").rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(errors="replace")):
            if any(f.lower() in href.lower() for f in forbidden):
                bad.append((str(page.relative_to(out)), href))
    assert not bad, bad[:5]
    assert not (out / "html" / "instructors.html").exists()
    assert not list((out / "html").rglob("instructors*")), "the instructors' page is in the student site"


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
