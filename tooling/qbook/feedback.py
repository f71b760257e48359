"""Feedback for the students, made from their graded notebooks alone.

    python -m qbook.feedback ASSIGNMENT [--course DIR] [--student ID ...]

Run after :mod:`qbook.grade`. For each graded submission of ``ASSIGNMENT`` this

1. removes from ``DIR/autograded/<student>/ASSIGNMENT/`` whatever is not a plain
   file: symbolic links, hard links (a file with more than one name), FIFOs,
   sockets, devices, files over :data:`qbook.grade.MAX_KEPT_FILE` bytes and
   notebooks over :data:`qbook.grade.MAX_NOTEBOOK_BYTES` (the grader already did
   so; this is for a folder touched since), and prints what it removed;
2. copies the graded notebooks only (the assignment's notebooks by name, each a
   plain file, opened without following a link) into a private folder,
   ``DIR/.grading/feedback-source/<student>/ASSIGNMENT/``;
3. runs ``nbgrader generate_feedback ASSIGNMENT`` on that folder
   (``--CourseDirectory.autograded_directory``), so nbgrader copies nothing else
   into ``DIR/feedback/<student>/ASSIGNMENT/``: no file the submission wrote, no
   link's target, no kernel connection file or IPython history (the grading
   kernel kept those in its own scratch folder, :mod:`qbook.sandbox_kernel`,
   which is never copied back);
4. leaves only the HTML feedback pages in each feedback folder.

Then hand out ``DIR/feedback`` with ``nbgrader release_feedback`` or by hand.
Exit status 0 when the feedback was written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import sys
from pathlib import Path

from . import assignments
from .grade import DEFAULT_COURSE, MAX_NOTEBOOK_BYTES, sanitise

STAGING = Path(".grading") / "feedback-source"


def _copy_plain(src: Path, dst: Path, max_size: int) -> bool:
    """Copy ``src`` to a new file ``dst`` if it is a plain file (not a link, one name,
    at most ``max_size`` bytes); True if copied."""
    try:
        fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as f_in:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_size > max_size:
            return False
        out = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        with os.fdopen(out, "wb") as f_out:
            shutil.copyfileobj(f_in, f_out, 2**20)
    return True


def feedback(course: Path, assignment: str, students: list[str] | None = None) -> dict[str, list[str]]:
    """Write the feedback of an assignment from the graded notebooks alone.

    Parameters
    ----------
    course : pathlib.Path
        The nbgrader course directory, graded by :mod:`qbook.grade`.
    assignment : str
        The assignment (the chapter's file stem).
    students : list of str, optional
        Only these students (default: every one with an autograded folder).

    Returns
    -------
    dict
        {student: what was removed from their autograded folder}, as
        :func:`qbook.grade.sanitise` says it.

    Raises
    ------
    SystemExit
        If the assignment has no source notebook, or a student named has no graded
        submission.

    Notes
    -----
    The steps are in the module's notes; the page *For instructors*
    (``instructors.md``, section Feedback) introduces it.
    """
    course = course.resolve()
    notebooks = sorted(p.name for p in (course / "source" / assignment).glob("*.ipynb"))
    if not notebooks:
        raise SystemExit(f"feedback.py: no source notebook in {course / 'source' / assignment}")
    staging = course / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    removed: dict[str, list[str]] = {}
    for folder in sorted((course / "autograded").glob(f"*/{assignment}")):
        student = folder.parent.name
        if students is not None and student not in students:
            continue
        if folder.parent.is_symlink():
            continue  # nbgrader never makes one
        removed[student] = sanitise(folder, notebook_size=MAX_NOTEBOOK_BYTES)
        target = staging / student / assignment
        target.mkdir(parents=True)
        for name in notebooks:
            _copy_plain(folder / name, target / name, MAX_NOTEBOOK_BYTES)
    if students is not None and set(students) - set(removed):
        raise SystemExit(f"feedback.py: no graded submission of {assignment} for "
                         f"{', '.join(sorted(set(students) - set(removed)))}")
    if removed:
        proc = assignments.nbgrader("generate_feedback", assignment, "--force",
                                    f"--CourseDirectory.autograded_directory={STAGING}",
                                    course=course, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_feedback {assignment} failed:\n{proc.stdout}{proc.stderr}")
    for student in removed:
        out = course / "feedback" / student / assignment
        for path in sorted(out.rglob("*"), reverse=True) if out.is_dir() else []:
            if path.is_symlink() or (path.is_file() and path.suffix != ".html"):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    shutil.rmtree(staging, ignore_errors=True)
    return removed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="assignment name (the chapter's file stem)")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="nbgrader course directory")
    parser.add_argument("--student", action="append", default=None,
                        help="only this student (may be repeated; default: every graded one)")
    args = parser.parse_args(argv)
    removed = feedback(args.course, args.assignment, args.student)
    for student, entries in removed.items():
        if entries:
            print(f"{student}: removed {', '.join(entries)}")
    print(f"feedback for {len(removed)} students in {args.course / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
