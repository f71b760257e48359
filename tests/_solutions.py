"""The distinctive content of each solution, and the text of a built page: shared by the
student-edition leak search (test_student_edition.py) and the instructor-edition check
that the same search finds every solution (test_book.py). Not a test module."""

from __future__ import annotations

import html
import re

from qlib.exercises.myst import chapter_exercises, solution_code_cells, strip_solutions

_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


def normal(text: str) -> str:
    """Whitespace collapsed, and the typography Sphinx adds (curly quotes, dashes) undone."""
    text = text.replace("---", "-").replace("--", "-").translate(_TYPOGRAPHY)
    return re.sub(r"\s+", " ", text).strip()


def page_text(raw: str) -> str:
    """A page's text: without tags (not even a space for them, so highlighted code reads
    as written), entities decoded, whitespace collapsed."""
    return normal(html.unescape(re.sub(r"<[^>]+>", "", raw)))


def fragments(myst: str, min_words: int = 6) -> list[str]:
    """Runs of plain words in MyST prose (no math, code, roles, directives, markup)."""
    text = re.sub(r"^(`{3,}|:{3,}).*$|^:[\w-]+:.*$", "\n", myst, flags=re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[\w:-]+\}|[*_]", "\n", text, flags=re.S)
    pieces = re.split(r"[\n.;:()\[\]!?,]+", text)
    return [p for p in (normal(p) for p in pieces) if len(p.split()) >= min_words]


def needles(path):
    """(solution needles, statement needles) of a chapter: text that occurs only in its
    solutions, and text of its exercise statements."""
    stripped = normal(strip_solutions(path.read_text()))
    solution, statement = [], []
    for ex in chapter_exercises(path):
        prose = re.sub(r"```\{code-cell\}.*?\n```", "\n", ex.solution, flags=re.S)
        lines = [normal(line) for code in solution_code_cells(ex.solution) for line in code.splitlines()]
        found = [line for line in lines if len(line) >= 25] + fragments(prose)
        solution += [(ex.label, n) for n in found if n not in stripped]
        statement += [(ex.label, n) for n in fragments(ex.statement)]
    return solution, statement
