"""The grading workflow end to end: generate an assignment from a chapter with
:mod:`qbook.assignments` (nbgrader generate_assignment), submit a small class,
grade it with :mod:`qbook.grade` (nbgrader autograde, no network, confined
kernels, a time limit per cell and per submission) and compare the per-student,
per-exercise scores with the expected ones.

The class: a perfect submission; a wrong one (two answers wrong); one whose
answer cell raises; one that loops forever; one that calls ``sys.exit``; one
whose kernel dies (``os._exit``); one that deletes every file it can reach;
one that checks it is offline; one that is not valid JSON; and the attacks on
the sandbox, each of which must fail (the attack asserts its own failure and then
gives the right answer, so a point lost is an attack that worked): remounting
``/`` read-write, ``nsenter`` into the grader's network namespace, killing the
parent and every process, reading the solutions, other submissions, the
gradebook and the home folder, writing ``/dev/shm``, ``/tmp``, ``/run`` and the
cgroup files; a ``qlib.py`` next to the notebook to stand in for the real one;
a loop that ignores SIGINT; and a long C-level computation (the last two run
into the submission's time limit, and the others are graded all the same).
"""

from __future__ import annotations


import csv
import os
import time
from pathlib import Path

import nbformat
import pytest

from _book import ROOT, chapter_paths
from _solutions import found_number, number_needles
from _solutions import needles as _needles
from _solutions import normal as _normal

ASSIGNMENT = "teleportation"  # five checked exercises, a quick set-up


from qbook import assignments  # noqa: E402
from qbook import grade as grading  # noqa: E402

DELETE_EVERYTHING = """\
import glob, os, shutil
for pattern in ("../../../../*", "../../../*", "../../../**/*", os.path.expanduser("~/.sandbox-test-*"), "*"):
    for path in glob.glob(pattern, recursive=True):
        shutil.rmtree(path, ignore_errors=True)
        try:
            os.remove(path)
        except OSError:
            pass
"""

OFFLINE = """\
import socket
assert [name for _, name in socket.if_nameindex()] == ["lo"], socket.if_nameindex()
"""


ESCAPE_MOUNT = """\
import subprocess
status = open("/proc/self/status").read()
assert int(status.split("CapEff:")[1].split()[0], 16) == 0, "the kernel has capabilities"
assert int(status.split("NoNewPrivs:")[1].split()[0]) == 1
for cmd in (["mount", "-o", "remount,bind,rw", "/"], ["mount", "-t", "tmpfs", "x", "."],
            ["unshare", "--mount", "--map-root-user", "true"]):
    assert subprocess.run(cmd, capture_output=True).returncode != 0, cmd
"""

ESCAPE_NSENTER = """\
import os, subprocess
for pid in ({grader}, 1, os.getppid() or 1):
    cmd = ["nsenter", f"--net=/proc/{{pid}}/ns/net", "python", "-c", "import socket; print(socket.if_nameindex())"]
    assert subprocess.run(cmd, capture_output=True).returncode != 0, cmd
"""

ESCAPE_KILL = """\
import os, signal
assert os.getppid() == 0 and len([p for p in os.listdir("/proc") if p.isdigit()]) <= 3, "not alone"
for pid in (os.getppid(), -1, {grader}):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""

ESCAPE_READ = """\
import os
secrets = ["../../../source/teleportation/teleportation.ipynb", "../../../gradebook.db",
           "../../perfect/teleportation/teleportation.ipynb", "../../../submitted/perfect",
           "{course}/source/teleportation/teleportation.ipynb", "{home_file}"]
assert not [path for path in secrets if os.path.exists(path)], [p for p in secrets if os.path.exists(p)]
for path in ("/dev/shm/x", "/tmp/x", "/run/x", "/var/tmp/x", "/sys/fs/cgroup/x", "/x", "../x", "{root}/x"):
    try:
        open(path, "w").close()
    except OSError:
        continue
    raise AssertionError(f"wrote {{path}}")
assert "SECRET_OF_THE_GRADER" not in os.environ
"""

SHADOW = """\
import qlib  # the real one: the folder's qlib.py is not on the path
answer = (1.0, 2.0, 3.0)
"""

IGNORES_SIGINT = """\
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    time.sleep(0.5)
"""

C_LEVEL = "answer = 10 ** (10 ** 9)  # minutes in one C call: no interrupt gets in\n"

SUBMISSION_TIMEOUT = 45  # seconds for a whole submission (an honest one takes about 10)
SLOW_CELL = 12  # seconds each answer cell of the slow submission sleeps: 5 x 12 > 45


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    assignments.generate(course, [ASSIGNMENT])
    solution = {
        c.metadata["nbgrader"]["grade_id"].removesuffix("-answer"): c.source
        for c in assignments.filled_submission(course, ASSIGNMENT).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    home_file = Path.home() / f".sandbox-test-keep-{os.getpid()}"
    home_file.write_text("keep")
    class_ = {
        "perfect": {},
        "wrong": {"tp-ex-delay": "answer = (1.0, 2.0, 3.0)", "tp-ex-psi-minus": "answer = (0.5, 0.5)"},
        "raises": {"tp-ex-werner-threshold": "answer = 1 / 0"},
        "loops": {"tp-ex-noisy-gates": "while True:\n    pass"},
        "exits": {"tp-ex-delay": "import sys\nsys.exit(1)"},
        "dies": {"tp-ex-memory-t2": "import os\nos._exit(0)"},
        "deletes": {"tp-ex-werner-threshold": DELETE_EVERYTHING + solution["tp-ex-werner-threshold"]},
        "offline": {"tp-ex-psi-minus": OFFLINE + solution["tp-ex-psi-minus"]},
        "escapes": {  # one attack per answer cell: a point lost is an attack that worked
            "tp-ex-werner-threshold": ESCAPE_MOUNT + solution["tp-ex-werner-threshold"],
            "tp-ex-noisy-gates": ESCAPE_NSENTER.format(grader=os.getpid()) + solution["tp-ex-noisy-gates"],
            "tp-ex-delay": ESCAPE_KILL.format(grader=os.getpid()) + solution["tp-ex-delay"],
            "tp-ex-memory-t2": ESCAPE_READ.format(course=course, home_file=home_file, root=ROOT)
            + solution["tp-ex-memory-t2"],
        },
        "shadow": {"tp-ex-delay": SHADOW},
        "hangs-sigint": {"tp-ex-noisy-gates": IGNORES_SIGINT},
        "hangs-c-level": {"tp-ex-noisy-gates": C_LEVEL},
        "slow": {label: f"import time\ntime.sleep({SLOW_CELL})\n" + solution[label] for label in solution},
    }
    for student, answers in class_.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(assignments.filled_submission(course, ASSIGNMENT, answers), folder / f"{ASSIGNMENT}.ipynb")
    (course / "submitted" / "shadow" / ASSIGNMENT / "qlib.py").write_text(
        "def check(label, answer):\n    return True  # every answer right\n")
    folder = course / "submitted" / "invalid" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [ not json')
    # files outside the course that the deleting submission must not reach
    (course.parent / "keep.txt").write_text("keep")
    try:
        os.environ["SECRET_OF_THE_GRADER"] = "not for the kernels"
        start = time.monotonic()
        csv_path = grading.grade(course, ASSIGNMENT, timeout=15,  # generous: CI machines are shared
                                 submission_timeout=SUBMISSION_TIMEOUT, jobs=3)
        print(f"grading {len(class_) + 1} submissions took {time.monotonic() - start:.0f} s")
        assert home_file.read_text() == "keep"
    finally:
        os.environ.pop("SECRET_OF_THE_GRADER", None)
        home_file.unlink(missing_ok=True)
    with csv_path.open() as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    return course, rows


LABELS = ["tp-ex-werner-threshold", "tp-ex-noisy-gates", "tp-ex-delay", "tp-ex-memory-t2", "tp-ex-psi-minus"]
EXPECTED = {  # student: (scores per exercise in LABELS order, status)
    "perfect": ([1, 1, 1, 1, 1], "graded"),
    "wrong": ([1, 1, 0, 1, 0], "graded"),
    "raises": ([0, 1, 1, 1, 1], "graded"),
    "loops": ([1, 0, 1, 1, 1], "graded"),
    "exits": ([1, 1, 0, 1, 1], "graded"),
    "dies": ([0, 0, 0, 0, 0], "grading failed (see the log)"),
    "deletes": ([1, 1, 1, 1, 1], "graded"),
    "offline": ([1, 1, 1, 1, 1], "graded"),
    "invalid": ([0, 0, 0, 0, 0], "invalid notebook teleportation.ipynb: NotJSONError"),
    "escapes": ([1, 1, 1, 1, 1], "graded"),
    "shadow": ([1, 1, 0, 1, 1], "graded"),
    # the kernel ignores the interrupt: nbclient gives up on the cell and nbgrader on the submission
    "hangs-sigint": ([0, 0, 0, 0, 0], "grading failed (a cell did not stop at its time limit)"),
    "hangs-c-level": ([0, 0, 0, 0, 0], "grading failed (a cell did not stop at its time limit)"),
    # every cell within its limit, the whole past the submission's: killed, not retried
    "slow": ([0, 0, 0, 0, 0], f"grading failed (time limit of {SUBMISSION_TIMEOUT} s)"),
}


def test_every_student_and_exercise_gets_the_expected_score(course):
    _, rows = course
    assert set(rows) == set(EXPECTED)
    for student, (scores, status) in EXPECTED.items():
        row = rows[student]
        assert [float(row[label]) for label in LABELS] == scores, (student, row)
        assert float(row["total"]) == sum(scores) and float(row["auto_max"]) == 5
        assert float(row["max_total"]) == 5  # teleportation has no hand-graded exercise
        assert row["status"] == status, student
        assert row["flags"] == ("extra files: qlib.py" if student == "shadow" else ""), student


def test_a_submission_cannot_harm_the_course_or_others(course):
    course, _ = course
    assert (course / "gradebook.db").exists()
    assert (course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (course / "submitted" / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (course / "autograded" / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (course.parent / "keep.txt").read_text() == "keep"
    assert (ROOT / "qlib" / "checks.py").exists()
    assert not Path("/dev/shm/x").exists() and not Path("/tmp/x").exists()


def test_no_kernel_or_grader_outlives_the_grading(course):
    """The hung submissions' kernels were killed with their PID namespace."""
    import subprocess

    left = subprocess.run(["pgrep", "-f", "sandbox_kernel.py|ipykernel_launcher.*sandbox-tmp"],
                          capture_output=True, text=True).stdout.split()
    assert not left, left


def test_the_loop_was_interrupted_by_the_time_limit(course):
    course, _ = course
    log = (course / "grades" / f"{ASSIGNMENT}.log").read_text()
    assert "Timeout waiting for execute reply (15s)" in log
    assert "Kernel died" in log  # the os._exit submission, reported and skipped


def test_released_notebook_has_no_solution_and_locked_tests(course):
    course, _ = course
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    solution, statement = _needles(ROOT / "chapters" / f"{ASSIGNMENT}.md")
    normal = _normal(text)
    assert len(solution) >= len(LABELS)
    assert not [n for _, n in solution if n in normal], "solution text in the released notebook"
    assert all(n in normal for _, n in statement)
    numbers = number_needles(ROOT / "chapters" / f"{ASSIGNMENT}.md")
    assert numbers, "no expected value to search for"
    assert not [(label, n) for label, n in numbers if found_number(n, text)], "an answer in the released notebook"
    tests = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata["nbgrader"]["grade_id"] for c in tests] == LABELS
    assert all(c.metadata["nbgrader"]["locked"] for c in tests)


@pytest.mark.parametrize("path", chapter_paths(), ids=[p.stem for p in chapter_paths()])
def test_every_chapter_makes_a_valid_source_assignment(path):
    notebook = assignments.source_notebook(path.stem)
    nbformat.validate(notebook)
    import qlib

    graded = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells if c.metadata["nbgrader"].get("grade")]
    checked = [label for label in graded if label in qlib.exercise_labels()]
    assert checked, "no autograded exercise"
    for cell in notebook.cells:
        if cell.metadata["nbgrader"].get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source


def test_assignments_keep_an_edited_source_unless_forced(tmp_path):
    folder = tmp_path / "source" / ASSIGNMENT
    folder.mkdir(parents=True)
    edited = assignments.source_notebook(ASSIGNMENT)
    edited.cells[0].source += "\n\nAn instructor's note."
    nbformat.write(edited, folder / f"{ASSIGNMENT}.ipynb")
    released = assignments.generate(tmp_path, [ASSIGNMENT])[0]
    assert "An instructor's note." in nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4).cells[0].source
    assert "An instructor's note." in nbformat.read(released, as_version=4).cells[0].source
    assignments.generate(tmp_path, [ASSIGNMENT], force=True)
    assert "An instructor's note." not in nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4).cells[0].source


def test_grading_refuses_an_assignment_without_source(tmp_path):
    with pytest.raises(SystemExit, match="no source notebook with graded cells"):
        grading.grade(tmp_path, "nothing")


def test_the_sandbox_refuses_to_run_unconfined_unless_told(monkeypatch):
    from qbook import sandbox_kernel as sandbox
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    monkeypatch.delenv("QLIB_SANDBOX_OPTIONAL", raising=False)
    with pytest.raises(SystemExit, match="cannot make a mount and PID namespace"):
        sandbox.main(["-f", os.devnull])


@pytest.mark.parametrize("path", chapter_paths(), ids=[p.stem for p in chapter_paths()])
def test_every_source_assignment_passes_its_own_tests(path, tmp_path):
    """Run a chapter's source notebook (its solutions in place) in a fresh kernel, as
    ``nbgrader validate`` would: every test cell must pass, so the set-up taken from the
    chapter is enough for its exercises."""
    import nbclient

    notebook = assignments.source_notebook(path.stem)
    nbclient.NotebookClient(notebook, timeout=assignments.CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    tests = [c for c in notebook.cells if c.metadata["nbgrader"].get("grade") and c.cell_type == "code"]
    assert tests
    for cell in tests:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.metadata["nbgrader"]["grade_id"]
        assert any("✓" in o.get("text", "") for o in cell.outputs), cell.source
