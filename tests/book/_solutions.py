"""The distinctive content of each solution, and the text of a built page: shared by the
student-edition leak search (test_student_edition.py) and the instructor-edition check
that the same search finds every solution (test_book.py). Not a test module."""

from __future__ import annotations

import html
import re

from qbook.myst import chapter_exercises, solution_code_cells, strip_solutions

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


# --- numbers: the checked exercises' expected values ----------------------------

def number_forms(value: float, unit: str, *, integer: bool = False) -> set[str]:
    """How an expected value would be written: 3 significant digits (with and without
    trailing zeros; plain digits for thousands), in its unit and in each unit a
    learner slips into (``qlib.checks.UNIT_SLIPS``). A count, exactly."""
    import math

    from qlib.checks import UNIT_SLIPS

    if integer:
        n = int(round(value))
        return {str(n), f"{n:,}"}
    forms = set()
    for factor in (1.0, *UNIT_SLIPS.get(unit, {}).values()):
        v = value * factor
        if not math.isfinite(v) or v == 0:
            continue
        for text in (f"{v:.3g}", f"{v:#.3g}"):
            forms.add(text.rstrip(".") if "e" not in text else text)
            rounded = float(text)
            if "e" in text and 1e3 <= abs(rounded) < 1e12:
                forms |= {f"{rounded:.0f}", f"{rounded:,.0f}"}
            elif "e" in text and 1e-7 <= abs(rounded) < 1e-3:
                forms.add(f"{rounded:.10f}".rstrip("0"))
    return forms


def _significant_digits(text: str) -> int:
    mantissa = text.split("e")[0]
    return len(mantissa.replace(",", "").replace("-", "").replace(".", "").lstrip("0"))


def found_number(needle: str, text: str) -> bool:
    """``needle`` in ``text`` as a whole number: not inside a longer one (5.88 is not
    in 15.88, 5.881 or 0.5.88)."""
    return re.search(rf"(?<![\w.]){re.escape(needle)}(?![\w]|\.\d)", text) is not None


def body_sources() -> str:
    """What every student sees of the book's own text: each page's source with its
    solutions removed (prose and code; a number stated there is no leak)."""
    from _book import ROOT, toc_files

    texts = []
    for name in toc_files():
        path = ROOT / f"{name}.md"
        if path.exists() and name.startswith(("chapters/", "index")):
            texts.append(strip_solutions(path.read_text()))
    return "\n".join(texts)


def number_needles(path, *, body: str | None = None) -> list[tuple[str, str]]:
    """(label, number) for each checked exercise of a chapter: its expected values as
    they would be written (``number_forms``), with at least three significant digits,
    and not stated anywhere in the student-visible sources (``body_sources``)."""
    from qlib.checks import exercise_labels, get_exercise

    body = body_sources() if body is None else body
    checked = set(exercise_labels())
    found = []
    for ex in chapter_exercises(path):
        if ex.label not in checked:
            continue
        exercise = get_exercise(ex.label)
        for part, value in zip(exercise.parts, exercise.expected_values()):
            for form in sorted(number_forms(float(value), part.unit, integer=part.integer)):
                if _significant_digits(form) >= 3 and not found_number(form, body):
                    found.append((ex.label, form))
    return found


def prose_and_code(raw: str, suffix: str) -> str:
    """A student file's text without the outputs of the pages' own cells (figures'
    data, printed values: the body's, which no solution produces in the student
    edition): HTML without scripts and cell outputs; a notebook's cell sources."""
    if suffix == ".ipynb":
        import json

        try:
            return "\n".join("".join(c.get("source", "")) for c in json.loads(raw).get("cells", []))
        except ValueError:
            return raw
    if suffix == ".html":
        raw = re.sub(r"<script\b.*?</script>", " ", raw, flags=re.S | re.I)
        raw = _drop_divs(_drop_divs(raw, "cell_output"), "citation-list")  # the body's outputs; the references
        return page_text(raw)
    return raw


def _drop_divs(raw: str, cls: str) -> str:
    """``raw`` without the <div>s whose class includes ``cls`` (nested divs counted)."""
    out, pos = [], 0
    for start, end in _div_spans(raw, cls):
        out.append(raw[pos:start])
        pos = end
    out.append(raw[pos:])
    return "".join(out)


def glued_values(raw: str) -> list[str]:
    """The values a page pastes into its prose with ``{glue:text}`` (computed by the
    page's own cells: part of the body, though not in its source)."""
    spans = re.findall(r'<span class="pasted-(?:text|inline)[^"]*">(.*?)</span>', raw, flags=re.S)
    return [page_text(s) for s in spans]


def cell_outputs(raw: str) -> str:
    """The text of a page's cell outputs (what its own cells print or draw, without
    scripts): body, in a student edition that runs no solution."""
    raw = re.sub(r"<script\b.*?</script>", " ", raw, flags=re.S | re.I)
    return " ".join(page_text(raw[s:e]) for s, e in _div_spans(raw, "cell_output"))


def references(raw: str) -> str:
    """The text of a page's bibliography entries (journal volumes, pages, years): body,
    which the search index holds too, and no place for an answer."""
    return " ".join(page_text(raw[s:e]) for s, e in _div_spans(raw, "citation"))


def _div_spans(raw: str, cls: str) -> list[tuple[int, int]]:
    """(start, end) of the <div>s whose class includes ``cls``, outermost only."""
    spans, pos = [], 0
    opening = re.compile(rf'<div\b[^>]*class="[^"]*\b{cls}\b[^"]*"[^>]*>')
    tag = re.compile(r"<div\b|</div>")
    while (m := opening.search(raw, pos)):
        depth, i = 1, m.end()
        while depth and (t := tag.search(raw, i)):
            depth += 1 if t.group() == "<div" else -1
            i = t.end()
        spans.append((m.start(), i if depth == 0 else len(raw)))
        pos = spans[-1][1]
    return spans
