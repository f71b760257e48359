"""Speed of grading a class, printed (never asserted).

Target from issue 7 (instructors): grading 30 submissions of one chapter's
assignment takes at most 2 minutes on the 2-core machine.

The class: 30 submissions of the teleportation assignment (five exercises),
every third one with a wrong answer, graded with :mod:`qbook.grade` (nbgrader
autograde with its bounded ``Execute``, each submission in a fresh confined kernel
with a size-limited scratch folder of its own, no network), then the feedback
made from the graded notebooks (:mod:`qbook.feedback`), timed apart. Run
``python benchmarks/grading.py`` (``--students N``, ``--jobs N``,
``--chapter NAME``).
"""

from __future__ import annotations


import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

TARGET_S = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--chapter", default="teleportation")
    args = parser.parse_args()
    from qbook import assignments
    from qbook import grade as grading
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        course = Path(tmp) / "course"
        start = time.perf_counter()
        assignments.generate(course, [args.chapter])
        generate_s = time.perf_counter() - start
        perfect = assignments.filled_submission(course, args.chapter)
        graded = [c.metadata["nbgrader"]["grade_id"] for c in perfect.cells
                  if c.metadata.get("nbgrader", {}).get("grade")]
        wrong = assignments.filled_submission(course, args.chapter, {graded[0]: "answer = -1.0"})
        for i in range(args.students):
            folder = course / "submitted" / f"student{i:02d}" / args.chapter
            folder.mkdir(parents=True)
            nbformat.write(wrong if i % 3 == 2 else perfect, folder / f"{args.chapter}.ipynb")
        start = time.perf_counter()
        csv_path = grading.grade(course, args.chapter, jobs=args.jobs)
        grade_s = time.perf_counter() - start
        with csv_path.open() as f:
            rows = list(csv.DictReader(f))
        from qbook import feedback
        start = time.perf_counter()
        feedback.feedback(course, args.chapter)
        feedback_s = time.perf_counter() - start
    totals = sorted(float(r["total"]) for r in rows)
    n_ex = len(graded)
    print(f"grading {args.chapter}: {len(rows)} submissions x {n_ex} exercises, {args.jobs} nbgrader processes")
    print(f"  generate the assignment:  {generate_s:6.1f} s")
    print(f"  grade the class:          {grade_s:6.1f} s  ({grade_s / len(rows):.2f} s a submission; "
          f"target <= {TARGET_S:.0f} s: {'met' if grade_s <= TARGET_S else 'NOT met'})")
    print(f"  feedback for the class:   {feedback_s:6.1f} s")
    flagged = [r["student_id"] for r in rows if r["flags"] or r["status"] != "graded"]
    print(f"  flagged or not 'graded':  {len(flagged)} (honest submissions: expected 0)")
    for row in rows:
        if row["student_id"] in flagged:
            print(f"    {row['student_id']}: {row['status']}; {row['flags']}")
    print(f"  totals: {totals.count(n_ex)} full marks, {totals.count(n_ex - 1)} with one part wrong, "
          f"{len(totals) - totals.count(n_ex) - totals.count(n_ex - 1)} other")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
