"""The exercises and solutions of the book's chapters, read from their MyST sources.

Used by the tests (every solution must pass its check), by the student edition
(:mod:`qbook.student_edition` strips the solutions), by the assignments
(:mod:`qbook.assignments`) and by the instructors' page. It needs no physics:
it reads text, and (for the code cells) jupytext.

The chapters write exercises and solutions with sphinx-exercise:

- an exercise is a directive block ``:::{exercise}`` (or with backticks, or
  ``exercise-start``/``exercise-end``) with a ``:label:`` option;
- its solution is either ``solution-start LABEL`` … ``solution-end`` (which may
  hold code cells between them) or one ``{solution} LABEL`` block;
- a computational solution's last code cell ends with a plain variable holding
  the answer: its last statement is ``name = ...`` or a bare ``name``
  (:func:`answer_variable`).

The chapter's last code cell is its ``remove-cell`` checks cell
(:func:`final_checks_span`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ChapterExercise",
    "chapter_exercises",
    "answer_variable",
    "solution_spans",
    "final_checks_span",
    "strip_solutions",
    "solution_code_cells",
    "cell_solutions",
]

_OPEN = re.compile(r"^(`{3,}|:{3,})\s*\{([\w-]+)\}\s*(.*?)\s*$")
_FENCE = re.compile(r"^(`{3,}|:{3,})(.*)$")


@dataclass
class ChapterExercise:
    """One exercise of a chapter, as its source writes it."""

    label: str
    statement: str  # the exercise's body (MyST), without its options
    solution: str = ""  # the solution's source (MyST, with its code cells)
    code: list[str] = field(default_factory=list)  # the solution's code cells, in order
    answer_name: str | None = None  # the variable the last code cell ends with

    @property
    def summary(self) -> str:
        """The statement's first sentence, as plain text (for listings)."""
        text = re.sub(r"\s+", " ", self.statement).strip()
        match = re.match(r"(.+?[.?!])(\s|$)", text)
        return match.group(1) if match else text


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _block_end(lines: list[str], start: int) -> int:
    """Index of the line closing the fenced block opened at ``lines[start]``."""
    stack = [_FENCE.match(lines[start].rstrip("\n")).group(1)]
    for i in range(start + 1, len(lines)):
        line = lines[i].rstrip("\n")
        top = stack[-1]
        if re.fullmatch(re.escape(top[0]) + "{%d,}\\s*" % len(top), line):
            stack.pop()
            if not stack:
                return i
            continue
        m = _FENCE.match(line)
        if m and (m.group(2).strip() or m.group(1)[0] != top[0]):
            if top[0] == "`" and m.group(1)[0] == ":":
                continue  # colons inside a code block are text
            stack.append(m.group(1))
    raise ValueError(f"unclosed block opened at line {start + 1}: {lines[start].strip()!r}")


def _directives(text: str):
    """Yield (name, argument, first line, last line, options+body text) of top-level directives."""
    lines = _lines(text)
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i].rstrip("\n"))
        if m:
            end = _block_end(lines, i)
            yield m.group(2), m.group(3), i, end, "".join(lines[i + 1 : end])
            i = end + 1
        else:
            i += 1


def _options(body: str) -> tuple[dict[str, str], str]:
    """Split a directive body into its ``:key: value`` options and the rest."""
    options, rest = {}, _lines(body)
    while rest and re.match(r"^:[\w-]+:", rest[0]):
        key, _, value = rest.pop(0)[1:].partition(":")
        options[key.strip()] = value.strip()
    if rest and rest[0].strip() == "---":  # YAML options block
        end = next(j for j in range(1, len(rest)) if rest[j].strip() == "---")
        for line in rest[1:end]:
            key, _, value = line.partition(":")
            options[key.strip()] = value.strip()
        rest = rest[end + 1 :]
    return options, "".join(rest).strip("\n")


def solution_spans(text: str) -> list[tuple[str, int, int]]:
    """(label, first line, last line) of every solution, ``solution-start`` … ``solution-end``
    blocks included whole; line numbers index ``text.splitlines()``."""
    spans, open_label, open_line = [], None, None
    for name, arg, first, last, _ in _directives(text):
        if name == "solution-start":
            if open_label is not None:
                raise ValueError(f"solution-start {arg} inside the solution of {open_label}")
            open_label, open_line = arg.split()[0], first
        elif name == "solution-end":
            if open_label is None:
                raise ValueError(f"solution-end at line {first + 1} without a solution-start")
            spans.append((open_label, open_line, last))
            open_label = None
        elif name == "solution":
            spans.append((arg.split()[0], first, last))
    if open_label is not None:
        raise ValueError(f"solution-start {open_label} is never ended")
    return spans


def final_checks_span(text: str) -> tuple[int, int] | None:
    """(first, last) line of the chapter's final ``remove-cell`` code cell after
    ``## Exercises``, or None."""
    lines = _lines(text)
    exercises = next((i for i, l in enumerate(lines) if re.match(r"^## Exercises\s*$", l)), None)
    last = None
    for name, _, first, end, body in _directives(text):
        if name == "code-cell":
            last = (first, end, body)
    if last is None or exercises is None or last[0] < exercises:
        return None
    options, _ = _options(last[2])
    tags = options.get("tags", "")
    return (last[0], last[1]) if "remove-cell" in tags else None


def answer_variable(code: str) -> str | None:
    """The variable a solution's last code cell ends with, or None.

    >>> answer_variable("x = 2\\nanswer = x + 1")
    'answer'
    >>> answer_variable("print(3)") is None
    True
    """
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return None
    if not body:
        return None
    last = body[-1]
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Name):
        return last.value.id
    if isinstance(last, (ast.Assign, ast.AnnAssign)):
        targets = last.targets if isinstance(last, ast.Assign) else [last.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return targets[0].id
    return None


def solution_code_cells(solution: str) -> list[str]:
    """The sources of the code cells in a solution's MyST text."""
    cells = []
    for name, _, _, _, body in _directives(solution):
        if name == "code-cell":
            cells.append(_options(body)[1])
    return cells


def chapter_exercises(path: str | Path) -> list[ChapterExercise]:
    """The exercises of a chapter, in order, each with its solution and answer variable."""
    text = Path(path).read_text(encoding="utf-8")
    lines = _lines(text)
    exercises: dict[str, ChapterExercise] = {}
    open_label, open_first = None, None
    for name, _, first, last, body in _directives(text):
        if name == "exercise":
            options, statement = _options(body)
            label = options.get("label")
            if not label:
                raise ValueError(f"{path}: exercise at line {first + 1} has no :label:")
            exercises[label] = ChapterExercise(label, statement)
        elif name == "exercise-start":
            options, _ = _options(body)
            open_label, open_first = options.get("label"), last + 1
        elif name == "exercise-end" and open_label:
            exercises[open_label] = ChapterExercise(open_label, "".join(lines[open_first:first]).strip())
            open_label = None
    for label, first, last in solution_spans(text):
        if label not in exercises:
            raise ValueError(f"{path}: a solution for {label!r}, which is no exercise")
        ex = exercises[label]
        ex.solution = "".join(lines[first : last + 1])
        ex.code = solution_code_cells(ex.solution)
        ex.answer_name = answer_variable(ex.code[-1]) if ex.code else None
    return list(exercises.values())


def strip_solutions(text: str, *, after_exercise=None) -> str:
    """The chapter without its solutions and without its final checks cell.

    Parameters
    ----------
    text : str
        The chapter's MyST source.
    after_exercise : callable, optional
        ``after_exercise(label) -> str``: text inserted after each exercise block
        (e.g. how to check the answer). Not for ``exercise-start`` blocks.
    """
    lines = _lines(text)
    drop = set()
    for _, first, last in solution_spans(text):
        drop.update(range(first, last + 1))
    checks = final_checks_span(text)
    if checks:
        drop.update(range(checks[0], checks[1] + 1))
    insert = {}
    if after_exercise is not None:
        for name, _, first, last, body in _directives(text):
            if name == "exercise":
                label = _options(body)[0].get("label")
                extra = after_exercise(label)
                if extra:
                    insert[last] = "\n" + extra.rstrip("\n") + "\n"
    out = []
    for i, line in enumerate(lines):
        if i not in drop:
            out.append(line)
        if i in insert:
            out.append(insert[i])
    return re.sub(r"\n{3,}", "\n\n", "".join(out))


def cell_solutions(notebook) -> list[str | None]:
    """For each cell of a chapter read with jupytext: the label of the solution it
    belongs to (code cells between ``solution-start LABEL`` and ``solution-end``), or None."""
    labels, current = [], None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            labels.append(None)
            for match in re.finditer(r"\{(solution-start|solution-end)\}[ \t]*(\S*)", cell.source):
                current = match.group(2) if match.group(1) == "solution-start" else None
        else:
            labels.append(current)
    return labels
