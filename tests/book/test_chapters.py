"""Each chapter runs top to bottom in a fresh kernel, as a learner would run it.

The chapters are MyST Markdown notebooks; ``pytest --nbmake`` ignores ``.md``
files, so they are read with jupytext and executed with nbclient, with the
chapter's own folder as working directory (as Jupyter Book does). Every chapter
ends in a ``remove-cell`` cell of asserts, so a wrong number fails here too.

The execution is the session's one run of the chapter (``_book.chapter_run``),
which test_exercises.py reads the solutions' answers from.
"""

from __future__ import annotations

import re

import jupytext
import pytest

from _book import ROOT, chapter_paths, chapter_run  # noqa: F401 -- chapter_run is a fixture

CHAPTERS = chapter_paths()
IDS = [p.stem for p in CHAPTERS]


def test_toc_lists_existing_chapters():
    assert CHAPTERS, "_toc.yml lists no chapter"
    for path in CHAPTERS:
        assert path.exists(), f"_toc.yml lists {path.relative_to(ROOT)}, which does not exist"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_executes_in_fresh_kernel(path, chapter_run):
    run = chapter_run(path)
    if run.error is not None:  # a CellExecutionError shows the failing cell and its traceback
        pytest.fail(f"{path.name} failed in a fresh kernel:\n{run.error_text}", pytrace=False)
    assert not run.error_outputs()


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_follows_the_template(path):
    """Front matter, exercises with labels and solutions, final checks, references."""
    text = path.read_text()
    notebook = jupytext.read(path)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert re.search(r"^# \S", text, re.M), "no '# Title'"
    assert re.search(r"^## Exercises\s*$", text, re.M), "no '## Exercises' section"
    assert re.search(r"^## References\s*$", text, re.M), "no '## References' section"
    exercises = re.findall(r"^:{3,}\{exercise\}[^\n]*\n:label: (\S+)", text, re.M)
    assert exercises, "no labelled exercise"
    for label in exercises:
        assert re.search(
            rf"\{{solution(?:-start)?\}}\s+{re.escape(label)}\b", text
        ), f"exercise {label} has no solution"
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    last = code_cells[-1]
    assert "remove-cell" in last.metadata.get("tags", []), "last code cell is not the remove-cell checks"
    assert "assert" in last.source, "the final checks cell asserts nothing"
    assert not re.search(r"^\s*[!%]pip install|sys\.path\.(insert|append)", text, re.M)
    # numpy's assert_* return None: "assert_allclose(a, b) and <check>" never runs the check
    assert not re.search(r"^\s*(?:np\.testing\.)?assert_\w+\(.*\) (?:and|or) ", text, re.M), (
        "a line 'assert_...(...) and ...' checks only its first half")
    # a glue role's key and format have no space: one means its closing backtick is missing
    unclosed = re.findall(r"\{glue(?::\w+)?\}`[^`\s]*\s[^`]{0,30}", text)
    assert not unclosed, f"glue role without its closing backtick: {unclosed[0]!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_citations_are_local_and_known(path):
    """Each chapter keeps its own bibliography: ``:keyprefix: <prefix>-`` on its
    ``{bibliography}`` and every ``{cite}`` key written with that prefix, so a
    paper cited by two chapters is listed in both without a duplicate-citation
    warning (the sphinxcontrib-bibtex recipe for local bibliographies)."""
    text = path.read_text()
    prefixes = re.findall(r"^:keyprefix: (\S+)$", text, re.M)
    assert len(prefixes) == 1, "one {bibliography} with a :keyprefix: per chapter"
    prefix = prefixes[0]
    bib_keys = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(), re.M))
    cited = [k.strip() for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text) for k in group.split(",")]
    assert cited, "a chapter without citations"
    for key in cited:
        assert key.startswith(prefix), f"{key} lacks the chapter's key prefix {prefix!r}"
        assert key[len(prefix):] in bib_keys, f"{key[len(prefix):]} is not in references.bib"
