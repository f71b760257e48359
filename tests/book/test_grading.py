"""The grading workflow end to end: generate an assignment from a chapter with
:mod:`qbook.assignments` (nbgrader generate_assignment), submit a small class,
grade it with :mod:`qbook.grade` (nbgrader autograde, no network, confined
kernels, a time limit per cell and per submission) and compare the per-student,
per-exercise scores with the expected ones.

The class: a perfect submission; a wrong one (two answers wrong); one whose
answer cell raises; one that loops forever; one that calls ``sys.exit``, one
``exit()`` and ``quit()``; one whose kernel dies (``os._exit``) and one that
segfaults (both keep the marks of the parts before); one that leaves links to
the gradebook and the source notebook, its notebook replaced by a link, a hard
link and a FIFO in its folder (none comes back, nothing is written or chmodded
through them, the feedback holds none of their targets); one that writes 1 GiB
(stopped at its scratch limit) and one that prints 50 MB (cut, with a marker);
one that deletes every file it can reach;
one that checks it is offline; one that is not valid JSON; and the attacks on
the sandbox, each of which must fail (the attack asserts its own failure and then
gives the right answer, so a point lost is an attack that worked): remounting
``/`` read-write, ``nsenter`` into the grader's network namespace, killing the
parent and every process, reading the solutions, other submissions, the
gradebook and the home folder, writing ``/dev/shm``, ``/tmp``, ``/run`` and the
cgroup files; a ``qlib.py`` next to the notebook to stand in for the real one;
a loop that ignores SIGINT; and a long C-level computation (the last two run
into the submission's time limit, and the others are graded all the same).

The answers are judged outside the kernel (:mod:`qbook.grade`): one submission
looks for them from inside (``import qbook.answers``, ``qlib.check``,
``get_exercise(...).expected_values()``, the files of ``tooling/``), one cheats
on the record (a ``qlib.check`` or ``record_answer`` that says yes, a forged
record in its own cell, a record claiming it passed) with wrong answers.
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


import qlib.checks  # noqa: E402
from qbook import assignments  # noqa: E402
from qbook import grade as grading  # noqa: E402
from qbook import sandbox_kernel  # noqa: E402

#: The answers module of the assignment's chapter, a file the kernel must not read.
ANSWERS_FILE = ROOT / "tooling" / "qbook" / "answers" / f"{ASSIGNMENT}.py"


def answers_folders() -> list[Path]:
    """Every folder the grading kernel could import the answers from: the repository's
    tooling and wherever the installed distributions put them (asked as the kernel asks)."""
    import json
    import subprocess
    import sys

    env = {"PATH": os.environ["PATH"], "PYTHONSAFEPATH": "1"}
    out = subprocess.run([sys.executable, "-c", sandbox_kernel._PROBE], env=env, capture_output=True,
                         text=True, check=True).stdout
    return sorted({ROOT / "tooling", *map(Path, json.loads(out))})

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
assert os.getppid() == 1 and len([p for p in os.listdir("/proc") if p.isdigit()]) <= 3, "not alone"
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
for path in ("/dev/shm/qbook-sandbox-probe", "/tmp/qbook-sandbox-probe", "/run/qbook-sandbox-probe", "/var/tmp/qbook-sandbox-probe", "/sys/fs/cgroup/qbook-sandbox-probe", "/qbook-sandbox-probe", "../qbook-sandbox-probe", "{root}/qbook-sandbox-probe"):
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

# Looking for the answers from inside the kernel: each attempt prints what it got;
# the last line raises (nothing to compare with), so the part scores zero.
PEEK_IMPORT = """\
for name in ("qbook", "qbook.answers", "qbook.answers.teleportation"):
    try:
        __import__(name)
        print("PEEK", name, "imported")
    except ImportError as exc:
        print("PEEK", name, type(exc).__name__)
import qlib
try:
    qlib.check("tp-ex-delay", (1.0, 2.0, 3.0))
    print("PEEK check gave feedback")
except RuntimeError as exc:
    print("PEEK check RuntimeError", exc)
answer = qlib.checks.get_exercise("tp-ex-delay").expected_values()
"""

PEEK_FILES = """\
import glob, os
for folder in {folders!r}:
    print("PEEK files", folder, sorted(glob.glob(os.path.join(folder, "**"), recursive=True))[1:])
answer = open({answers_file!r}).read()
"""

# Cheating on the record, each with a wrong answer: a point gained is a cheat that worked.
CHEAT_CHECK = """\
import qlib
qlib.check = lambda label, answer: True  # "every answer right"
answer = (1.0, 2.0, 3.0)
"""

CHEAT_RECORD_SAYS_YES = """\
import qlib.checks
qlib.checks.record_answer = lambda *args, **kwargs: True
answer = (0.5, 0.5)
"""

# (stays in place for the cells after it: their records claim a pass too)
CHEAT_RECORD_PASSED = """\
import qlib.checks
from IPython.display import display
def record_answer(label, answer, **kwargs):  # a record that claims it passed
    display({qlib.checks.ANSWER_MIME: {"label": label, "values": [float(a) for a in answer], "passed": True,
             "status": "correct"}, "text/plain": "passed"}, raw=True)
    print("✓ right")
qlib.checks.record_answer = record_answer
answer = (0.5, 0.5, 0.5, 0.5)
"""

CHEAT_FORGED = """\
import json, qlib.checks
from IPython.display import display
record = {{"label": "tp-ex-memory-t2", "values": {right!r}}}
display({{qlib.checks.ANSWER_MIME: record, "text/plain": "recorded"}}, raw=True)  # in its own cell
print(json.dumps(record))
answer = -1.0
"""

# Leaving things behind for nbgrader and the feedback step (in the kernel's own folder):
# links to the gradebook and the source notebook, the notebook itself replaced by a link
# (nbgrader writes the graded notebook and chmods through it), a hard link, a FIFO, a
# forged sandbox report; one plain file it may get back. Then the honest answer.
LINKS = """\
import os
os.symlink({gradebook!r}, "gradebook.db")
os.symlink({source!r}, "solutions.ipynb")
os.remove("teleportation.ipynb")
os.symlink({gradebook!r}, "teleportation.ipynb")
try:
    os.link({outside!r}, "outside-hard")  # another file system: refused
    raise AssertionError("hard link to an outside file")
except OSError:
    pass
open("hard-a", "w").write("x")
os.link("hard-a", "hard-b")
os.mkfifo("fifo")
open("result.txt", "w").write("my result")
"""

FILLS_DISK = """\
written = 0
try:
    with open("big.bin", "wb") as f:
        for _ in range(1024):  # 1 GiB
            f.write(b"0" * 2**20)
            written += 1
except OSError as exc:
    print("DISK", exc.errno, written, "MiB")
assert written < 1024, "wrote 1 GiB"
"""

FLOODS = "print('x' * 50_000_000)  # 50 MB of output\n"
SEGFAULT = "import ctypes\nctypes.string_at(0)\n"

SUBMISSION_TIMEOUT = 60  # seconds for a whole submission (an honest one takes 10, 35 on a loaded machine)
SLOW_CELL = 12  # seconds each answer cell of the slow submission sleeps: 5 x 12 + the set-up > 60


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
        "quits": {"tp-ex-delay": "exit()", "tp-ex-psi-minus": "quit()"},
        "segfault": {"tp-ex-memory-t2": SEGFAULT},
        "links": {"tp-ex-delay": LINKS.format(
            gradebook=str(course / "gradebook.db"), outside=str(ROOT / "qlib" / "checks.py"),
            source=str(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")) + solution["tp-ex-delay"]},
        "fills-disk": {"tp-ex-noisy-gates": FILLS_DISK + solution["tp-ex-noisy-gates"]},
        "floods": {"tp-ex-werner-threshold": FLOODS + solution["tp-ex-werner-threshold"]},
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
        "peeks": {
            "tp-ex-delay": PEEK_IMPORT,
            "tp-ex-memory-t2": PEEK_FILES.format(folders=[str(f) for f in answers_folders()],
                                                 answers_file=str(ANSWERS_FILE)),
        },
        "cheats": {  # in the order of the exercises; tp-ex-werner-threshold answered honestly
            "tp-ex-noisy-gates": CHEAT_RECORD_PASSED,
            "tp-ex-delay": CHEAT_CHECK,
            "tp-ex-psi-minus": CHEAT_RECORD_SAYS_YES,
            "tp-ex-memory-t2": CHEAT_FORGED.format(
                right=[float(v) for v in qlib.checks.get_exercise("tp-ex-memory-t2").expected_values()]),
        },
    }
    for student, answers in class_.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(assignments.filled_submission(course, ASSIGNMENT, answers), folder / f"{ASSIGNMENT}.ipynb")
    (course / "submitted" / "shadow" / ASSIGNMENT / "qlib.py").write_text(
        "def check(label, answer):\n    return True  # every answer right\n")
    # modules the (unconfined) kernel launcher imports, if its working directory were on its path
    for module in ("json.py", "shutil.py"):
        (course / "submitted" / "shadow" / ASSIGNMENT / module).write_text(
            f"open({str(course.parent / 'launcher-ran-the-submission')!r}, 'w').close()\n"
            "raise SystemExit('the launcher imported a module of the submission')\n")
    (course / "submitted" / "links" / ASSIGNMENT / sandbox_kernel.REPORT).write_text(
        '{"nonce": "a guess", "not_copied": [], "scratch_full": false}')  # a forged sandbox report
    modes = {path: os.stat(path).st_mode for path in (course / "gradebook.db",
                                                       course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")}
    source_text = (course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
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
        # nothing was written or chmodded through the links the submissions left
        assert {path: os.stat(path).st_mode for path in modes} == modes
        assert (course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text() == source_text
    finally:
        os.environ.pop("SECRET_OF_THE_GRADER", None)
        home_file.unlink(missing_ok=True)
    with csv_path.open() as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    return course, rows


DIED = "the kernel died while this cell ran (exit, os._exit, a crash or a memory limit)"
AFTER = "the cells after it scored zero"
STUCK = ("this cell ran past its time limit of 15 s and did not stop when interrupted; the kernel was "
         "shut down; " + AFTER)
NO_REPORT = "the sandbox left no report (its kernel was killed): nothing it wrote was copied back"
FLAGS = {  # student: the flags column (the others: empty)
    "shadow": "extra files: json.py qlib.py shutil.py",
    "hangs-sigint": NO_REPORT,
    "hangs-c-level": NO_REPORT,
    "links": "not copied back: fifo (a FIFO), gradebook.db (a symbolic link), hard-a (a hard link (2 names)), "
             "hard-b (a hard link (2 names)), solutions.ipynb (a symbolic link), teleportation.ipynb (a symbolic link)",
    "fills-disk": "disk limit reached (128 MiB); not copied back: big.bin (a file of {size} bytes, over the limit "
                  "of 8388608)",
    "floods": "output truncated in teleportation: tp-ex-werner-threshold-answer",
    # the records that claim a pass (its own record_answer, in place for the next cell too)
    "cheats": "answer record not well formed (forged?): tp-ex-noisy-gates tp-ex-delay",
}

LABELS = ["tp-ex-werner-threshold", "tp-ex-noisy-gates", "tp-ex-delay", "tp-ex-memory-t2", "tp-ex-psi-minus"]
EXPECTED = {  # student: (scores per exercise in LABELS order, status)
    "perfect": ([1, 1, 1, 1, 1], "graded"),
    "wrong": ([1, 1, 0, 1, 0], "graded"),
    "raises": ([0, 1, 1, 1, 1], "graded"),
    "loops": ([1, 0, 1, 1, 1], "graded"),
    "exits": ([1, 1, 0, 1, 1], "graded"),
    # the kernel dies in tp-ex-memory-t2: the parts before it keep their marks
    "dies": ([1, 1, 1, 0, 0], "graded up to tp-ex-memory-t2-answer of teleportation: " + DIED
             + " (exit status 0); " + AFTER),
    "quits": ([1, 1, 0, 1, 0], "graded"),  # exit() and quit() raise, as sys.exit does
    "segfault": ([1, 1, 1, 0, 0], "graded up to tp-ex-memory-t2-answer of teleportation: " + DIED
                 + " (killed by signal 11 (SIGSEGV)); " + AFTER),
    "links": ([1, 1, 1, 1, 1], "graded"),
    "fills-disk": ([1, 1, 1, 1, 1], "graded"),
    "floods": ([1, 1, 1, 1, 1], "graded"),
    "deletes": ([1, 1, 1, 1, 1], "graded"),
    "offline": ([1, 1, 1, 1, 1], "graded"),
    "invalid": ([0, 0, 0, 0, 0], "invalid notebook teleportation.ipynb: NotJSONError"),
    "escapes": ([1, 1, 1, 1, 1], "graded"),
    "shadow": ([1, 1, 0, 1, 1], "graded"),
    # the kernel ignores the interrupt: it is shut down, the part before it keeps its mark
    "hangs-sigint": ([1, 0, 0, 0, 0], "graded up to tp-ex-noisy-gates-answer of teleportation: " + STUCK),
    "hangs-c-level": ([1, 0, 0, 0, 0], "graded up to tp-ex-noisy-gates-answer of teleportation: " + STUCK),
    # every cell within its limit, the whole past the submission's: killed, not retried
    "slow": ([0, 0, 0, 0, 0], f"grading failed (time limit of {SUBMISSION_TIMEOUT} s)"),
    # looked for the answers in the kernel (found none) on two parts, solved the rest
    "peeks": ([1, 1, 0, 0, 1], "graded"),
    # cheated on the record with wrong answers on four parts
    "cheats": ([1, 0, 0, 0, 0], "graded"),
}


def test_every_student_and_exercise_gets_the_expected_score(course):
    _, rows = course
    assert set(rows) == set(EXPECTED)
    for student, (scores, status) in EXPECTED.items():
        row = rows[student]
        assert [float(row[label]) for label in LABELS] == scores, (student, row)
        assert float(row["total"]) == sum(scores) and float(row["auto_max"]) == 5
        # and one exercise answered in words (tp-ex-faster-than-light), graded by hand in the formgrader
        assert float(row["max_total"]) == 6
        assert row["status"] == status, student
        flags = FLAGS.get(student, "")
        if student == "fills-disk":
            flags = flags.format(size=row["flags"].split("a file of ")[-1].split()[0])
        assert row["flags"] == flags, (student, row["flags"])


def _autograded(course, student):
    return nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def _outputs(notebook, grade_id) -> str:
    """The text of a cell's outputs (streams, displays, errors), by its grade id."""
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                     + f"{o.get('ename', '')}: {o.get('evalue', '')}" for o in cell.outputs)


def test_the_grading_kernel_has_no_answers(course):
    """Inside the kernel qbook does not import, qlib.check and get_exercise raise, and the
    folders of the answers are empty; the parts that relied on them score zero."""
    course, rows = course
    notebook = _autograded(course, "peeks")
    imports = _outputs(notebook, "tp-ex-delay-answer")
    for name in ("qbook", "qbook.answers", "qbook.answers.teleportation"):
        assert f"PEEK {name} ModuleNotFoundError" in imports, imports
    assert f"PEEK check RuntimeError {qlib.checks.NO_ANSWERS}" in imports
    assert f"RuntimeError: {qlib.checks.NO_ANSWERS}" in imports  # get_exercise(...).expected_values()
    files = _outputs(notebook, "tp-ex-memory-t2-answer")
    for folder in answers_folders():
        assert f"PEEK files {folder} []" in files, files
    assert "FileNotFoundError" in files
    assert float(rows["peeks"]["tp-ex-delay"]) == 0 and float(rows["peeks"]["tp-ex-memory-t2"]) == 0


def test_a_cheat_on_the_record_earns_nothing(course):
    """The cheats ran (their outputs are there) and earned nothing: a qlib.check or
    record_answer that says yes, a record claiming it passed, a forged record (with the
    right value) in the student's own cell."""
    course, rows = course
    notebook = _autograded(course, "cheats")
    assert "tp-ex-memory-t2" in _outputs(notebook, "tp-ex-memory-t2-answer")  # the forged record
    forged = [o for c in notebook.cells for o in c.get("outputs", [])
              if c.metadata.get("nbgrader", {}).get("grade_id") == "tp-ex-memory-t2-answer"
              and qlib.checks.ANSWER_MIME in o.get("data", {})]
    assert forged, "the forged record is not in the submission's own cell"
    assert "passed" in _outputs(notebook, "tp-ex-noisy-gates")  # the record that claims a pass
    assert [float(rows["cheats"][label]) for label in LABELS] == [1, 0, 0, 0, 0]


def test_the_csv_and_the_gradebook_agree(course):
    """The outside judgement is what nbgrader's gradebook holds (so nbgrader export and
    generate_feedback show it), and the CSV is read from it."""
    from nbgrader.api import Gradebook

    course, rows = course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, row in rows.items():
            if not (course / "autograded" / student / ASSIGNMENT).exists():
                continue
            grades = {g.name: g for nb in gb.find_submission(ASSIGNMENT, student).notebooks for g in nb.grades}
            assert {label: float(grades[label].score) for label in LABELS} == \
                {label: float(row[label]) for label in LABELS}, student
            assert float(gb.find_submission(ASSIGNMENT, student).score) == float(row["total"]), student


@pytest.fixture(scope="module")
def feedback(course):
    """``python -m qbook.feedback`` for the whole class, once."""
    from qbook import feedback as feedback_step

    course, rows = course
    removed = feedback_step.feedback(course, ASSIGNMENT)
    return course, rows, removed


def test_the_feedback_shows_the_outside_judgement(feedback):
    course, rows, _ = feedback
    for student in ("cheats", "dies", "hangs-sigint"):
        html = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert f"Score: {float(rows[student]['total']):.1f} / 6.0" in html, (student, html[:2000])


def test_the_feedback_holds_the_graded_notebook_only(feedback):
    """One HTML page per graded student and nothing else: no file a submission wrote
    (not even a plain one), no link's target (the gradebook, the source notebook with
    the solutions), no kernel connection file or IPython history."""
    course, rows, removed = feedback
    graded = {s for s in rows if (course / "autograded" / s / ASSIGNMENT).exists()}
    assert set(removed) == graded and {"links", "fills-disk", "floods", "dies", "hangs-sigint"} <= graded
    files = sorted(p.relative_to(course / "feedback") for p in (course / "feedback").rglob("*") if not p.is_dir())
    assert files == sorted(Path(s) / ASSIGNMENT / f"{ASSIGNMENT}.html" for s in graded)
    gradebook = (course / "gradebook.db").read_bytes()[:16]
    assert gradebook == b"SQLite format 3\x00"
    for path in (course / "feedback").rglob("*.html"):
        html = path.read_text()
        assert "SQLite format 3" not in html and "### BEGIN SOLUTION" not in html, path
        assert '"signature_scheme"' not in html and "hmac-sha256" not in html, path  # a connection file
    assert len((course / "feedback" / "floods" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_bytes()) < 4 * 2**20
    assert not (course / feedback_staging()).exists()


def feedback_staging():
    from qbook import feedback as feedback_step

    return feedback_step.STAGING


def test_the_autograded_folders_hold_plain_files_only(course):
    """What the kernels made is in their own scratch: an autograded folder holds the
    graded notebook and the plain files the kernel wrote (each with one name), no link,
    FIFO, big file, connection file or history; the sandbox's report is gone."""
    import stat

    course, rows = course
    for folder in (course / "autograded").glob(f"*/{ASSIGNMENT}"):
        handed_in = {p.name for p in (course / "submitted" / folder.parent.name / ASSIGNMENT).iterdir()}
        for path in folder.rglob("*"):
            st = os.lstat(path)
            assert stat.S_ISREG(st.st_mode) and st.st_nlink == 1, path
            assert path.name in {f"{ASSIGNMENT}.ipynb", "result.txt"} | handed_in - {sandbox_kernel.REPORT}, path
    links = course / "autograded" / "links" / ASSIGNMENT
    assert (links / "result.txt").read_text() == "my result"  # a plain file it wrote comes back
    assert nbformat.read(links / f"{ASSIGNMENT}.ipynb", as_version=4).cells  # the graded notebook, not a link
    assert not (course / "autograded" / "fills-disk" / ASSIGNMENT / "big.bin").exists()


def test_a_disk_write_stops_at_the_scratch_limit(course):
    course, rows = course
    limit = sandbox_kernel.scratch_bytes()
    assert limit == 128 * 2**20
    size = int(rows["fills-disk"]["flags"].split("a file of ")[-1].split()[0])
    assert 0.9 * limit < size <= limit  # the write ran until the tmpfs was full, not to 1 GiB
    out = _outputs(_autograded(course, "fills-disk"), "tp-ex-noisy-gates-answer")
    assert "DISK 28 " in out, out  # ENOSPC


def test_a_flood_of_output_is_cut_with_a_marker(course):
    from qbook import bounded

    course, _ = course
    path = course / "autograded" / "floods" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 2 * 2**20  # not 50 MB
    out = _outputs(_autograded(course, "floods"), "tp-ex-werner-threshold-answer")
    assert bounded.TRUNCATED.format(limit=2**20) in out
    assert 2**20 <= len(out) < 2**20 + 1000


def test_a_timeout_states_the_real_limit(course):
    course, _ = course
    loops = _outputs(_autograded(course, "loops"), "tp-ex-noisy-gates-answer")
    assert "CellTimeoutError: this cell ran past its time limit of 15 s and was interrupted" in loops, loops
    stuck = _outputs(_autograded(course, "hangs-sigint"), "tp-ex-noisy-gates-answer")
    assert "time limit of 15 s and did not stop when interrupted" in stuck, stuck
    assert "4 seconds" not in loops + stuck


def test_exit_and_quit_raise_instead_of_ending_the_kernel(course):
    course, _ = course
    notebook = _autograded(course, "quits")
    for label in ("tp-ex-delay-answer", "tp-ex-psi-minus-answer"):
        assert "SystemExit: exit() and quit() do not end the grading kernel" in _outputs(notebook, label)


def test_a_forged_sandbox_report_is_ignored(tmp_path):
    (tmp_path / sandbox_kernel.REPORT).write_text('{"nonce": "a guess", "not_copied": []}')
    assert sandbox_kernel.read_report(tmp_path, "the grader's nonce") is None
    assert not (tmp_path / sandbox_kernel.REPORT).exists()
    (tmp_path / sandbox_kernel.REPORT).write_text('{"nonce": "", "not_copied": []}')
    assert sandbox_kernel.read_report(tmp_path, "") is None


def test_sanitise_removes_what_is_not_a_plain_file(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    folder = tmp_path / "autograded"
    (folder / "sub").mkdir(parents=True)
    (folder / "kept.txt").write_text("kept")
    (folder / "big.bin").write_bytes(b"0" * 101)
    (folder / "link").symlink_to(outside)
    (folder / "sub" / "dirlink").symlink_to(tmp_path)
    os.link(outside, folder / "hard")
    os.mkfifo(folder / "fifo")
    removed = grading.sanitise(folder, max_size=100)
    assert sorted(removed) == ["big.bin (a file of 101 bytes, over the limit of 100)", "fifo (a FIFO)",
                               "hard (a hard link (2 names))", "link (a symbolic link)",
                               "sub/dirlink (a symbolic link)"]
    assert sorted(p.name for p in folder.rglob("*")) == ["kept.txt", "sub"]
    assert outside.read_text() == "secret" and tmp_path.is_dir()


def test_a_record_is_read_defensively():
    """Only well-formed records for the cell's label count, and the last one decides."""
    mime = qlib.checks.ANSWER_MIME

    def cell(*datas, stream=""):
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=stream)] if stream else []
        outputs += [nbformat.v4.new_output("display_data", data={mime: d, "text/plain": "x"}) for d in datas]
        return nbformat.v4.new_code_cell("", outputs=outputs)

    good = {"label": "tp-ex-memory-t2", "values": [0.002]}
    assert list(grading._last_record(cell(good), "tp-ex-memory-t2")) == [0.002]
    assert grading._last_record(cell(good, {"label": "tp-ex-memory-t2", "values": [1.0]}),
                                "tp-ex-memory-t2")[0] == 1.0  # the last record decides
    hostile = [
        "not a dict", {"label": "tp-ex-memory-t2"}, {"label": "tp-ex-delay", "values": [0.002]},
        {"label": "tp-ex-memory-t2", "values": [0.002], "passed": True},
        {"label": "tp-ex-memory-t2", "values": "0.002"}, {"label": "tp-ex-memory-t2", "values": []},
        {"label": "tp-ex-memory-t2", "values": [True]}, {"label": "tp-ex-memory-t2", "values": ["0.002"]},
        {"label": "tp-ex-memory-t2", "values": [{"x": 1}]}, {"label": "tp-ex-memory-t2", "values": [10**400]},
        {"label": "tp-ex-memory-t2", "values": [0.002] * (qlib.checks.MAX_RECORD_VALUES + 1)},
        {"label": ["tp-ex-memory-t2"], "values": [0.002]},
    ]
    for data in hostile:
        assert grading._last_record(cell(good, data), "tp-ex-memory-t2") is None, data
    assert grading._last_record(cell(stream=json_line(good)), "tp-ex-memory-t2") is None  # printed text
    nan = grading._last_record(cell({"label": "tp-ex-memory-t2", "values": ["nan"]}), "tp-ex-memory-t2")
    exercise = qlib.checks.get_exercise("tp-ex-memory-t2")
    assert qlib.checks.judge(exercise, nan, label="tp-ex-memory-t2").status == "not-finite"


def json_line(data) -> str:
    import json

    return json.dumps(data) + "\n"


def test_record_answer_checks_the_form_only(capsys):
    qlib.checks.record_answer("tp-ex-delay", (1.0, 2.0, 3.0), parts=3)
    assert "recorded" in capsys.readouterr().out
    for bad, match in (("1.0", "not a string"), (None, "None"), (1j, "complex"), (True, "bool"),
                       ({"a": 1.0}, "dict")):
        with pytest.raises(TypeError, match=match):
            qlib.checks.record_answer("tp-ex-memory-t2", bad)
    with pytest.raises(ValueError, match="must be 3 numbers; got 2 values"):
        qlib.checks.record_answer("tp-ex-delay", (1.0, 2.0), parts=3)
    with pytest.raises(ValueError, match="parts must be an integer >= 1, got 0"):
        qlib.checks.record_answer("tp-ex-delay", 1.0, parts=0)


def test_the_sandbox_hides_the_group_qlib_offers_answers_under():
    assert sandbox_kernel.ANSWERS_GROUP == qlib.checks.ENTRY_POINT_GROUP


def test_a_submission_cannot_harm_the_course_or_others(course):
    course, _ = course
    assert (course / "gradebook.db").exists()
    assert (course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (course / "submitted" / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (course / "autograded" / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert (course.parent / "keep.txt").read_text() == "keep"
    assert not (course.parent / "launcher-ran-the-submission").exists()
    assert (ROOT / "qlib" / "checks.py").exists()
    assert not Path("/dev/shm/qbook-sandbox-probe").exists() and not Path("/tmp/qbook-sandbox-probe").exists()


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
    assert "Kernel died" in log  # the os._exit submission, reported


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
    graded = [c.metadata["nbgrader"] for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")]
    # the answer in words is the student's own cell, graded by hand; the checked ones are locked tests
    assert [(m["grade_id"], m.get("solution", False)) for m in graded if m.get("solution")] == [
        ("tp-ex-faster-than-light", True)]
    tests = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")]
    assert [c.metadata["nbgrader"]["grade_id"] for c in tests] == LABELS
    assert all(c.metadata["nbgrader"]["locked"] for c in tests)
    assert all("record_answer" in c.source and "qlib.check(" not in c.source for c in tests)


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
        label = cell.metadata["nbgrader"]["grade_id"]
        assert not [o for o in cell.outputs if o.output_type == "error"], label
        values = grading._last_record(cell, label)  # judged as the grader judges it
        assert values is not None, cell.outputs
        assert qlib.checks.judge(qlib.checks.get_exercise(label), values, label=label).passed, label
