"""Build the student edition: the site without any solution, and one notebook of
exercises per chapter.

    python -m qbook.student_edition [--out DIR] [--notebooks-only]

(``make student`` runs it.) The book's sources are copied to a temporary folder;
in the copy every chapter in ``_toc.yml`` loses its solutions (the
``solution-start`` … ``solution-end`` regions and ``{solution}`` blocks, code
cells included) and its final ``remove-cell`` checks cell, which asserts the
solutions' numbers, and gains after each exercise a note on checking an
answer: ``qlib.check`` gives feedback on the canonical values where the book's
tooling is installed (a practice environment: it brings the answers, which
qlib does not), and a graded assignment is checked by the grader after
submission. Then

- ``DIR/html``: the copy built with Jupyter Book, clean, warnings as errors
  (``DIR`` defaults to ``_build/student``); the solution text is not in the
  pages at all, not merely collapsed;
- ``DIR/notebooks/<chapter>.ipynb``: each chapter as a notebook without
  solutions, with an answer cell and a check cell after each exercise.

The copy also differs from the instructor edition in what it links to and lists:

- its ``_toc.yml`` has no instructors' part and ``instructors.md`` is deleted: that page
  is about the solutions and the grading, and runs ``qlib.check``;
- its ``_config.yml`` has no ``repository`` (so no repository button) and no
  ``launch_buttons``: the public repository, which Binder and nbgitpuller would
  open, holds every solution. To let students open the chapters live, publish
  ``DIR/notebooks`` in a repository of their own and add launch buttons for it
  to a copy of this tool's config (``student_config``), never for the book's.

The instructor edition is the normal build (``make book``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat
import yaml

from qlib.checks import exercise_labels, get_exercise
from .myst import strip_solutions

from .paths import ROOT, chapter_paths
DEFAULT_OUT = ROOT / "_build" / "student"
IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", "*.ipynb", ".pytest_cache", ".hypothesis",
                                "__pycache__", ".jupyter_cache", "*.egg-info", "tests", "benchmarks", "course")


def toc_chapters(root: Path = ROOT) -> list[Path]:
    """The chapters ``root/_toc.yml`` lists (:func:`qbook.paths.chapter_paths`)."""
    return chapter_paths(root)


#: How an answer is checked, after each computational exercise.
_CHECK_NOTE = ("Where the book's tooling is installed (a practice environment), "
               '`qlib.check("{label}", answer)` in a notebook gives feedback on the canonical '
               "values; elsewhere it says no answer checks are installed. In a graded assignment "
               "the grader checks your answer after you submit.")


def _site_note(label: str | None) -> str:
    if not label:
        return ""
    if label in exercise_labels():
        form = get_exercise(label).form
        return (":::{tip}\nYour answer is " f"{form}. " + _CHECK_NOTE.format(label=label) + "\n:::\n")
    return ""


def _notebook_cells(label: str | None) -> str:
    if not label or label not in exercise_labels():
        return ""
    form = get_exercise(label).form
    return (
        _CHECK_NOTE.format(label=label) + "\n\n"
        "```{code-cell} ipython3\n"
        f"answer = None  # your answer: {form}\n"
        "```\n\n"
        "```{code-cell} ipython3\n"
        "import qlib\n\n"
        f'qlib.check("{label}", answer) if answer is not None else "not answered yet"\n'
        "```\n"
    )


def student_text(path: Path, *, notebook: bool = False) -> str:
    """A chapter's MyST source without solutions, for the site or for a notebook."""
    return strip_solutions(path.read_text(encoding="utf-8"),
                           after_exercise=_notebook_cells if notebook else _site_note)


def student_toc(toc: dict) -> dict:
    """The table of contents without any part or chapter that is not a chapter of the
    book (the instructors' page)."""
    parts = []
    for part in toc.get("parts", []):
        chapters = [c for c in part.get("chapters", []) if c["file"].startswith("chapters/")]
        if chapters:
            parts.append({**part, "chapters": chapters})
    return {**toc, "parts": parts}


def student_config(config: dict) -> dict:
    """The book's ``_config.yml`` for the student edition: no link to the repository
    (which holds the solutions) and no launch button (which would open it)."""
    config = {key: value for key, value in config.items() if key not in {"repository", "launch_buttons"}}
    config["html"] = {**config.get("html", {}), "use_repository_button": False,
                      "use_issues_button": False, "use_edit_page_button": False}
    return config


def _jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else "jupyter-book"


def build(out: Path, *, notebooks_only: bool = False) -> Path:
    """Write the student notebooks and (unless ``notebooks_only``) the site into ``out``."""
    out = out.resolve()
    chapters = toc_chapters()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for path in chapters:
        nb = jupytext.reads(student_text(path, notebook=True), fmt="md:myst")
        nbformat.write(nb, out / "notebooks" / f"{path.stem}.ipynb")
    if notebooks_only:
        return out
    with tempfile.TemporaryDirectory(prefix="student-edition-") as tmp:
        src = Path(tmp) / "book"
        shutil.copytree(ROOT, src, ignore=IGNORE)
        for path in chapters:
            (src / path.relative_to(ROOT)).write_text(student_text(path), encoding="utf-8")
        toc = student_toc(yaml.safe_load((ROOT / "_toc.yml").read_text()))
        (src / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
        (src / "_config.yml").write_text(
            yaml.safe_dump(student_config(yaml.safe_load((ROOT / "_config.yml").read_text())), sort_keys=False))
        listed = {src / f"{c['file']}.md" for part in toc["parts"] for c in part["chapters"]} | {src / f"{toc['root']}.md"}
        for page in src.glob("*.md"):
            if page not in listed and page.name != "README.md":
                page.unlink()  # instructors.md: not built, not copied to _sources
        proc = subprocess.run([_jupyter_book(), "build", str(src), "--path-output", tmp, "-W", "-n", "--keep-going"],
                              capture_output=True, text=True)
        (out / "build.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise SystemExit(f"the student edition did not build; see {out / 'build.log'}")
        if (out / "html").exists():
            shutil.rmtree(out / "html")
        shutil.copytree(Path(tmp) / "_build" / "html", out / "html")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default _build/student)")
    parser.add_argument("--notebooks-only", action="store_true", help="write the notebooks, skip the site")
    args = parser.parse_args(argv)
    out = build(args.out, notebooks_only=args.notebooks_only)
    print(f"student notebooks: {out / 'notebooks'}")
    if not args.notebooks_only:
        print(f"student site:      {out / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
