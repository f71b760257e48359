"""Generate nbgrader assignments from the chapters' exercises.

    python -m qbook.assignments [--course DIR] [CHAPTER ...]

For each chapter in ``_toc.yml`` (or the ones named, by file stem) this writes
the nbgrader *source* notebook ``DIR/source/<chapter>/<chapter>.ipynb`` and runs
``nbgrader generate_assignment``, which writes the student version (solutions
removed) to ``DIR/release/<chapter>/<chapter>.ipynb``. An existing source notebook
is kept (and released again) unless ``--force`` is given. ``DIR`` defaults to
``_build/course`` and gets an ``nbgrader_config.py`` if it has none.

A source notebook holds

1. the chapter's own code from before ``## Exercises`` (imports and the helpers
   its exercises use), in read-only cells, with figures not drawn;
2. per exercise: its statement; for a computational exercise an answer cell
   (the chapter's solution code between ``### BEGIN SOLUTION`` and
   ``### END SOLUTION``; the student must end it with the answer variable the
   test names) and a read-only test cell, worth one point, that calls
   ``qlib.checks.record_answer(label, answer, parts=N, form=...)``: it checks the
   answer's form only and records its values, which :mod:`qbook.grade` judges
   after nbgrader's run, outside the student's kernel (no expected value is in
   the notebook or the kernel); for a conceptual exercise a manually graded
   Markdown answer cell.

Everything comes from the chapter sources and the answers modules
(``tooling/qbook/answers/<chapter>.py``): nothing here names a chapter or an exercise.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat

from .paths import ROOT, chapter_paths
DEFAULT_COURSE = ROOT / "_build" / "course"

from qlib.checks import exercise_labels, get_exercise
from .myst import chapter_exercises

#: Seconds a cell of a submission may run before it is interrupted (nbgrader's
#: ``Execute.timeout``, written into the course's config; :mod:`qbook.grade`'s default).
CELL_TIMEOUT = 30

CONFIG = f'''\
# nbgrader configuration for the book's assignments (written by qbook.assignments).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "quantum-networks-book"
# Each cell of a submission may run this long (seconds) before it is interrupted.
c.Execute.timeout = {CELL_TIMEOUT}
c.Execute.interrupt_on_timeout = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
'''


def toc_chapters() -> list[str]:
    """File stems of the chapters listed in ``_toc.yml``, in order."""
    return [path.stem for path in chapter_paths()]


_GLUE = re.compile(r"^from myst_nb import glue[ \t]*$", re.M)


def _quiet(source: str) -> str:
    """Code that draws nothing when run: a trailing expression's value is not displayed,
    and the book's ``glue`` (for its pages; importing it costs a second) does nothing."""
    source = _GLUE.sub("glue = lambda *args, **kwargs: None  # the book's glue is for its pages", source)
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return source
    if body and isinstance(body[-1], ast.Expr):
        return source.rstrip("\n") + "\npass  # (the figure is drawn in the book, not here)"
    return source


def _markdown(text: str) -> str:
    """MyST roles that Jupyter does not know, as plain text: {cite}`a-b` -> [a-b]."""
    text = re.sub(r"\{cite(?::\w+)?\}`([^`]+)`", r"[\1]", text)
    text = re.sub(r"\{(?:ref|numref|doc|eq)\}`(?:([^`<]+?)\s*<[^`]+>|([^`]+))`",
                  lambda m: (m.group(1) or m.group(2)).strip(), text)
    return re.sub(r"\{glue:\w+\}`([^`:]+)[^`]*`", r"(\1)", text)


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=0) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked,
            "schema_version": 3}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def record_cell(label: str, answer: str = "answer") -> str:
    """The source of the test cell of the computational exercise ``label``, whose
    answer cell assigns the variable ``answer``: it records the answer for the
    grader (:func:`qlib.checks.record_answer`) and compares nothing."""
    exercise = get_exercise(label)
    return (
        "# Records your answer for the grader, which judges it after you submit.\n"
        f"_answer = {answer}\n"
        f"del {answer}  # every exercise's answer cell sets its own\n"
        "import qlib.checks\n"
        f"qlib.checks.record_answer({label!r}, _answer, parts={len(exercise.parts)}, form={exercise.form!r})"
    )


def source_notebook(chapter: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one chapter's exercises."""
    path = ROOT / "chapters" / f"{chapter}.md"
    book = jupytext.read(path)
    title = next((line[2:].strip() for line in path.read_text().splitlines() if line.startswith("# ")), chapter)
    cells = [nbformat.v4.new_markdown_cell(
        f"# Exercises: {title}\n\nRun the set-up cells first. In each answer cell, compute the "
        "answer and assign it to the variable the cell names. The test cell after it records "
        "your answer and checks only its form (one number, or several in the order asked); "
        "the grader judges it after you submit. Where the book's tooling is installed (a "
        "practice environment, not this assignment's grading), `qlib.check(label, answer)` "
        "gives feedback on the canonical values.",
        metadata=_meta("intro", locked=True))]
    setup = []
    for cell in book.cells:
        if cell.cell_type == "markdown" and re.search(r"^## Exercises\s*$", cell.source, re.M):
            break
        if cell.cell_type == "code":
            setup.append(_quiet(cell.source))
    cells.append(nbformat.v4.new_markdown_cell(
        "## Set-up\n\nThe chapter's own definitions (read-only).", metadata=_meta("setup-intro", locked=True)))
    for i, source in enumerate(setup):
        cells.append(nbformat.v4.new_code_cell(source, metadata=_meta(f"setup-{i}", locked=True)))
    checked = set(exercise_labels())
    for ex in chapter_exercises(path):
        cells.append(nbformat.v4.new_markdown_cell(
            f"## Exercise `{ex.label}`\n\n{_markdown(ex.statement)}", metadata=_meta(f"{ex.label}-statement", locked=True)))
        if ex.label in checked:
            form = get_exercise(ex.label).form
            code = "\n\n".join(ex.code).strip("\n")
            answer = ex.answer_name or "answer"
            cells.append(nbformat.v4.new_code_cell(
                f"# Assign to `{answer}` {form}.\n### BEGIN SOLUTION\n{code}\n### END SOLUTION",
                metadata=_meta(f"{ex.label}-answer", solution=True)))
            cells.append(nbformat.v4.new_code_cell(record_cell(ex.label, answer), metadata=_meta(
                ex.label, grade=True, locked=True, points=1)))
        else:  # a conceptual exercise: graded by hand in nbgrader's formgrader
            cells.append(nbformat.v4.new_markdown_cell(
                _markdown(re.sub(r"^```\{solution[^\n]*\n(:[^\n]*\n)*```?\n?|^```\{solution-end\}\n```", "",
                                 ex.solution, flags=re.M)).strip() or "YOUR ANSWER HERE",
                metadata=_meta(ex.label, solution=True, grade=True, points=1)))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def nbgrader(*args: str, course: Path, check=True) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course directory (the venv's nbgrader)."""
    bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    exe = bin_dir / "nbgrader"
    cmd = [str(exe) if exe.exists() else "nbgrader", *args]
    return subprocess.run(cmd, cwd=course, check=check, capture_output=True, text=True, env=env)


def generate(course: Path, chapters: list[str], *, force: bool = False) -> list[Path]:
    """Write the source notebooks and run ``nbgrader generate_assignment``; return the
    released student notebooks. A chapter whose ``source/<chapter>`` folder exists keeps
    it (an instructor may have edited it: points, statements) and is only released again,
    with a warning; ``force=True`` regenerates it from the chapter."""
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG)
    released = []
    for chapter in chapters:
        folder = course / "source" / chapter
        if folder.exists() and not force:
            print(f"assignments.py: {folder} exists and is kept (your edits stay); "
                  "pass --force to regenerate it from the chapter", file=sys.stderr)
        else:
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            nbformat.write(source_notebook(chapter), folder / f"{chapter}.ipynb")
        proc = nbgrader("generate_assignment", chapter, "--force", course=course, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {chapter} failed:\n{proc.stdout}{proc.stderr}")
        released.append(course / "release" / chapter / f"{chapter}.ipynb")
    return released


def filled_submission(course: Path, assignment: str, answers: dict[str, str] | None = None):
    """The released notebook with every answer cell filled in: with the solution from
    the source notebook, or with ``answers[label]`` (code) where given. For testing
    the grading workflow (and ``nbgrader validate``)."""
    answers = answers or {}
    name = f"{assignment}.ipynb"
    source = nbformat.read(course / "source" / assignment / name, as_version=4)
    release = nbformat.read(course / "release" / assignment / name, as_version=4)
    solution = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells if "nbgrader" in c.metadata}
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            label = meta["grade_id"].removesuffix("-answer")
            cell.source = answers.get(label, re.sub(r"^### (BEGIN|END) SOLUTION\n?", "", solution[meta["grade_id"]], flags=re.M))
    return release


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter file stems (default: every chapter in _toc.yml)")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="nbgrader course directory")
    parser.add_argument("--force", action="store_true",
                        help="regenerate source/<chapter> even if it exists (discards edits made to it)")
    args = parser.parse_args(argv)
    known = toc_chapters()
    unknown = [c for c in args.chapters if c not in known]
    if unknown:
        parser.error(f"not chapters in _toc.yml: {unknown}; known: {known}")
    for path in generate(args.course.resolve(), args.chapters or known, force=args.force):
        print(f"released {path.relative_to(args.course.resolve())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
