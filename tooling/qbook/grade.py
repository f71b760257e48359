"""Grade the collected submissions of one assignment with nbgrader, confined.

    python -m qbook.grade ASSIGNMENT [--course DIR] [--timeout SECONDS]
                          [--submission-timeout SECONDS] [--jobs N]

Run after ``nbgrader collect`` (or ``nbgrader zip_collect``) has put the
submissions in ``DIR/submitted/<student>/ASSIGNMENT/``. This

1. checks every submitted notebook is valid notebook JSON; an invalid one scores
   zero on every part (nbgrader is told to skip it);
2. runs one ``nbgrader autograde ASSIGNMENT --student=<id>`` per submission (``--jobs``
   side by side), each in namespaces of its own: a network namespace with only a
   loopback interface and a PID namespace (``unshare --net --pid --fork
   --kill-child``; with ``--map-root-user`` for a user who is not root). Each
   submission runs in a fresh confined kernel (:mod:`qbook.sandbox_kernel`: it sees
   only its own folder, as a size-limited copy of its own, has no privilege and no
   other process) and nbgrader's ``Execute`` is :class:`qbook.bounded.BoundedExecute`
   (outputs bounded; a kernel that dies or does not stop keeps the cells before it);
   each cell is interrupted after ``--timeout`` seconds (nbgrader's
   ``Execute.timeout``), and the whole submission is stopped after
   ``--submission-timeout`` seconds: its process group is killed, and with it the
   PID namespace, kernel included;
3. judges the answers outside the kernels (below) and writes the scores into
   nbgrader's gradebook;
4. reads nbgrader's gradebook and writes ``DIR/grades/ASSIGNMENT.csv``: one row
   per student, one column per exercise (its label), the autograded total, the
   autograded maximum (``auto_max``), the maximum with the hand-graded parts
   (``max_total``), a status (``graded``, ``invalid notebook``, ``grading
   failed``, ``grading failed (time limit ...)``, ``graded up to <cell> of
   <notebook>: <reason>; ...`` when the kernel died or did not stop) and ``flags``
   (``; ``-separated: files in the submission besides its notebooks, such as a
   ``qlib.py`` meant to stand in for the real one; the kernel's disk limit reached;
   what the kernel made that was not copied back (links, FIFOs, big files); cut
   outputs; forged answer records; what was removed from the autograded folder).
   A submission nbgrader could not finish (it ran past its time limit) scores zero
   on the parts it did not record, and never stops the others; one that hit its
   time limit is not run again.
5. leaves in each ``autograded/<student>/ASSIGNMENT/`` folder only plain files
   (:func:`sanitise`): the graded notebook and the plain files the kernel wrote.
   Feedback is then made by :mod:`qbook.feedback` from the graded notebooks alone.

``--allow-network`` skips the namespaces (only where none can be made, and say so
to the students). Exit status 0 when grades were written.

Judging outside the kernel
--------------------------
The grading kernel holds no expected value: the answers (``qbook.answers``) are
hidden from it (:mod:`qbook.sandbox_kernel`), and a test cell only *records* the
answer (:func:`qlib.checks.record_answer`: an output of MIME type
:data:`qlib.checks.ANSWER_MIME` with the answer's values). After nbgrader's run,
:func:`judge_submission` reads the autograded notebook, takes for each exercise
the one locked test cell nbgrader restored (its grade id the exercise's label,
its source the gradebook's), the *last* record among that cell's own outputs,
parses it defensively (:func:`qlib.checks.parse_answer_record`: a malformed,
oversized or mislabelled last record counts as none) and judges its values with
:func:`qlib.checks.judge` against the expected values, here in the grader. The
cell's ``auto_score`` in the gradebook becomes its points if the answer is
right and 0 otherwise (no record: 0), so the CSV and ``nbgrader
generate_feedback`` show the same score.

How that combines with nbgrader's own score of the cell (full points unless
the cell's output holds an error or stderr; a numeric result as partial
credit): it *replaces* it. nbgrader's verdict is made in the student's kernel,
which the student controls: any cell before the test can redefine
``record_answer`` or silence an error, so a pass there proves nothing, and an
honest answer should not lose its point to a stray warning printed after its
record. A record, equally, is only a report from that kernel: a student who
forges one (a patched ``record_answer``, a thread printing into the test cell)
chooses the values judged, which is no more than assigning them to the answer
variable; without the expected values, which never enter the kernel, that earns
only what those values earn. A record printed by any other cell does not count.
Test cells whose grade id is not an exercise of ``qbook.answers`` (ones an
instructor added) keep nbgrader's score.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from .paths import ROOT
DEFAULT_COURSE = ROOT / "_build" / "course"
KERNEL_NAME = "qlib-sandbox"
INNER = "--inside-network-namespace"


# --------------------------------------------------------------------------- #
# Inside the network namespace: loopback up, nothing else, then nbgrader
# --------------------------------------------------------------------------- #
def _loopback_up() -> None:
    """Bring ``lo`` up (a new network namespace starts with it down)."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, siocgifflags, request)[:18])[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH", b"lo", flags | iff_up))


def _interfaces() -> list[str]:
    """The network interfaces of this process's namespace."""
    return sorted(name for _, name in socket.if_nameindex())


def _inner(argv: list[str]) -> int:
    _loopback_up()
    others = [i for i in _interfaces() if i != "lo"]
    if others:
        print(f"grade.py: the network namespace has interfaces besides lo: {others}", file=sys.stderr)
        return 3
    return subprocess.run(argv).returncode


# --------------------------------------------------------------------------- #
# Outside: validate, run, collect
# --------------------------------------------------------------------------- #
def _submissions(course: Path, assignment: str) -> dict[str, list[Path]]:
    found = {}
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        found[folder.parent.name] = sorted(folder.glob("*.ipynb"))
    return found


def _invalid(notebooks: list[Path]) -> str | None:
    """Why a submission cannot be graded, or None."""
    if not notebooks:
        return "no notebook submitted"
    for path in notebooks:
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # not JSON, not a notebook, wrong schema
            return f"invalid notebook {path.name}: {type(exc).__name__}"
    return None


def _preprocessors() -> list[str]:
    """nbgrader's autograde preprocessors, with :class:`qbook.bounded.BoundedExecute` for
    its ``Execute`` (as ``--Autograde.autograde_preprocessors`` options)."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    names = []
    for cls in Autograde.autograde_preprocessors.default():
        name = "qbook.bounded.BoundedExecute" if cls is Execute else f"{cls.__module__}.{cls.__name__}"
        names.append(f"--Autograde.autograde_preprocessors={name}")
    return names


#: Seconds a kernel has to end after nbgrader asks it to (its files are copied back then).
SHUTDOWN_WAIT = 30

#: Largest plain file kept in an autograded folder besides the graded notebooks (bytes).
MAX_KEPT_FILE = 8 * 2**20


def unsafe_entries(folder: Path, *, max_size: int = MAX_KEPT_FILE,
                   notebook_size: int | None = None) -> list[tuple[str, str]]:
    """What in ``folder`` is not a plain file or folder.

    Parameters
    ----------
    folder : pathlib.Path
        The folder to look through (links to folders are not followed).
    max_size : int
        Largest file kept, in bytes (:data:`MAX_KEPT_FILE`).
    notebook_size : int, optional
        Largest ``.ipynb`` kept, in bytes (default: ``max_size``).

    Returns
    -------
    list of (str, str)
        (path relative to ``folder``, reason) for each symbolic link, hard link (a
        file with more than one name), FIFO, socket, device or file over its limit.

    Notes
    -----
    Used by :func:`sanitise` after grading and by :mod:`qbook.feedback`; see the
    page *For instructors* (``instructors.md``, section Grade).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "a.txt").write_text("plain")
    5
    >>> os.symlink("/etc/passwd", folder / "link")
    >>> unsafe_entries(folder)
    [('link', 'a symbolic link')]
    >>> shutil.rmtree(folder)
    """
    from .sandbox_kernel import _kind

    found = []
    for dirpath, dirnames, filenames in os.walk(folder):  # does not follow links to folders
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                continue
            kind = _kind(st)
            limit = notebook_size if notebook_size is not None and name.endswith(".ipynb") else max_size
            if kind is None and st.st_size > limit:
                kind = f"a file of {st.st_size} bytes, over the limit of {limit}"
            if kind is not None:
                found.append((str(path.relative_to(folder)), kind))
    return found


def sanitise(folder: Path, *, max_size: int = MAX_KEPT_FILE, notebook_size: int | None = None) -> list[str]:
    """Remove from ``folder`` every entry :func:`unsafe_entries` names.

    Parameters
    ----------
    folder : pathlib.Path
        An autograded folder; if it is itself a symbolic link, the link is removed.
    max_size, notebook_size : int
        As for :func:`unsafe_entries`.

    Returns
    -------
    list of str
        ``"<path> (<reason>)"`` for each entry removed (never following a link).

    Notes
    -----
    See the page *For instructors* (``instructors.md``, sections Grade and
    Feedback).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> os.mkfifo(folder / "pipe")
    >>> sanitise(folder), sorted(folder.iterdir())
    (['pipe (a FIFO)'], [])
    >>> folder.rmdir()
    """
    if folder.is_symlink():
        folder.unlink()
        return [f"{folder.name} (a symbolic link)"]
    if not folder.is_dir():
        return []
    found = unsafe_entries(folder, max_size=max_size, notebook_size=notebook_size)
    for name, _ in found:
        os.unlink(folder / name)
    return [f"{name} ({kind})" for name, kind in found]


def _extra_files(folder: Path) -> list[str]:
    """What a submission holds besides notebooks: Python files and folders (a ``qlib.py``
    or ``qlib/`` would shadow the real package in a kernel that imports from its folder)."""
    extra = []
    for path in sorted(folder.rglob("*")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        if path.is_dir() or path.suffix in {".py", ".pyc", ".pth", ".so"}:
            extra.append(str(path.relative_to(folder)) + ("/" if path.is_dir() else ""))
    return extra


def _install_kernel(course: Path) -> Path:
    """A kernelspec for the confined kernel, in a folder only this run uses."""
    base = course / ".grading" / "jupyter"
    spec = base / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        # -P: the submission's folder (the kernel's working directory) is not on the
        # launcher's import path, so a qbook/ or json.py handed in is not run by it
        "argv": [sys.executable, "-P", "-m", "qbook.sandbox_kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (qlib grading sandbox)",
        "language": "python",
        # nbgrader interrupts a cell with a message; the kernel signals itself
        "interrupt_mode": "message",
    }, indent=1))
    return base


def _namespace_wrapper(allow_network: bool) -> list[str]:
    if allow_network:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        sys.exit("grade.py: `unshare` (util-linux) is needed to grade without network; "
                 "install it, or run in a container without network and pass --allow-network")
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    base = [unshare, *user, "--net", "--pid", "--fork", "--kill-child"]
    if subprocess.run([*base, "true"], capture_output=True).returncode != 0:
        sys.exit(f"grade.py: cannot make network and PID namespaces with {' '.join(base)}; run in a "
                 "container without network and pass --allow-network")
    return base


def grade_points(course: Path, assignment: str, *, autograded_only: bool = False) -> dict[str, float]:
    """{label: points} of the assignment's graded cells, from the source notebooks (with
    ``autograded_only``, only the test cells: code cells, not hand-graded answers)."""
    points = {}
    for path in sorted((course / "source" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and (cell.cell_type == "code" or not autograded_only):
                points[meta["grade_id"]] = float(meta.get("points", 0))
    return points


def _scores(course: Path, assignment: str, student: str, labels) -> dict[str, float | None]:
    from nbgrader.api import Gradebook, MissingEntry

    scores = dict.fromkeys(labels, 0.0)
    if not (course / "autograded" / student / assignment).exists():
        return scores  # nbgrader removed a failed submission's output
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return scores
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.name in scores:
                    scores[grade.name] = None if grade.needs_manual_grade else float(grade.score or 0.0)
    return scores


#: Largest autograded notebook the grader reads (bytes); a larger one scores zero.
MAX_NOTEBOOK_BYTES = 64 * 2**20


def _checked_cells(course: Path, assignment: str) -> dict[str, list[str]]:
    """{notebook name: labels of its test cells that qbook.answers checks}."""
    from qlib.checks import exercise_labels

    known = set(exercise_labels())
    cells: dict[str, list[str]] = {}
    for path in sorted((course / "source" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "code" and meta.get("grade_id") in known:
                cells.setdefault(path.stem, []).append(meta["grade_id"])
    return cells


def _last_record(cell, label: str):
    """The values of the last answer record among ``cell``'s outputs, or None."""
    from qlib.checks import ANSWER_MIME, parse_answer_record

    records = [o.get("data", {}).get(ANSWER_MIME) for o in cell.get("outputs", [])
               if isinstance(o, dict) and isinstance(o.get("data"), dict) and ANSWER_MIME in o["data"]
               and o.get("output_type") in {"display_data", "execute_result"}]
    return parse_answer_record(records[-1], label) if records else None


def judge_submission(course: Path, assignment: str, student: str, gradebook,
                     unreadable: list[str] | None = None) -> dict[tuple[str, str], float]:
    """Judge one autograded submission outside its kernel; {(notebook, label): fraction
    of the cell's points earned (1 or 0)}. The labels whose test cell holds answer
    records of which the last is not well formed (a forged one) are appended to
    ``unreadable``. See the module's notes."""
    from qlib.checks import ANSWER_MIME

    from nbgrader.api import MissingEntry
    from qlib.checks import get_exercise, judge

    scores = {}
    for notebook, labels in _checked_cells(course, assignment).items():
        path = course / "autograded" / student / assignment / f"{notebook}.ipynb"
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                raise ValueError("too large")
            cells = nbformat.read(path, as_version=4).cells
        except Exception:  # missing, too large, not a notebook: nothing recorded
            cells = []
        for label in labels:
            scores[notebook, label] = 0.0
            try:
                source = gradebook.find_source_cell(label, notebook, assignment).source
            except MissingEntry:
                continue
            mine = [c for c in cells if c.get("cell_type") == "code"
                    and isinstance(c.get("metadata", {}).get("nbgrader"), dict)
                    and c.metadata.nbgrader.get("grade_id") == label]
            if len(mine) != 1 or mine[0].get("source") != source:
                continue
            values = _last_record(mine[0], label)
            if values is None and unreadable is not None and any(
                    isinstance(o, dict) and isinstance(o.get("data"), dict) and ANSWER_MIME in o["data"]
                    for o in mine[0].get("outputs", [])):
                unreadable.append(label)
            if values is not None and judge(get_exercise(label), values, label=label).passed:
                scores[notebook, label] = 1.0
    return scores


def _judge_outside(course: Path, assignment: str, students: list[str]) -> dict[str, list[str]]:
    """Write the outside judgement of each student's test cells into the gradebook;
    {student: labels whose answer record was not well formed}."""
    from nbgrader.api import Gradebook, MissingEntry

    unreadable: dict[str, list[str]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            unreadable[student] = []
            judged = judge_submission(course, assignment, student, gb, unreadable[student])
            for (notebook, label), fraction in judged.items():
                try:
                    grade = gb.find_grade(label, notebook, assignment, student)
                except MissingEntry:
                    continue
                grade.auto_score = fraction * float(grade.max_score)
            gb.db.commit()
    return unreadable


def _sandbox_flags(report: dict | None) -> list[str]:
    """The flags of a kernel's scratch report (:func:`qbook.sandbox_kernel.read_report`)."""
    if report is None:
        return ["the sandbox left no report (its kernel was killed): nothing it wrote was copied back"]
    flags = []
    if report.get("scratch_full"):
        flags.append(f"disk limit reached ({report.get('scratch_bytes', 0) / 2**20:g} MiB)")
    if report.get("not_copied"):
        flags.append("not copied back: " + ", ".join(map(str, report["not_copied"])))
    return flags


def default_submission_timeout(timeout: float) -> float:
    """Seconds one submission may take in all (nbgrader's start, the kernel's, every
    cell): generous for an honest one, and what a hung one costs."""
    return max(120.0, 8.0 * timeout)


def grade(course: Path, assignment: str, *, timeout: int = 30, allow_network: bool = False,
          jobs: int = 2, submission_timeout: float | None = None) -> Path:
    """Autograde every submission of ``assignment``; write and return the scores CSV."""
    course = course.resolve()
    submissions = _submissions(course, assignment)
    labels = list(grade_points(course, assignment))
    if not labels:
        raise SystemExit(f"grade.py: no source notebook with graded cells in {course / 'source' / assignment}")
    from .bounded import REPORTS_ENV, read_report
    from .sandbox_kernel import read_report as read_sandbox_report
    from .sandbox_kernel import scratch_bytes

    status = {s: _invalid(nbs) or "graded" for s, nbs in submissions.items()}
    flags = {s: [] for s in submissions}
    for student in submissions:
        folder = course / "submitted" / student / assignment
        extra = _extra_files(folder)
        if extra:
            flags[student].append(f"extra files: {' '.join(extra)}")
        unsafe = unsafe_entries(folder, max_size=scratch_bytes())
        if unsafe and status[student] == "graded":  # nbgrader would copy what a link points to
            status[student] = "not graded (links or special files in the submission)"
            flags[student].append("unsafe files: " + ", ".join(f"{n} ({k})" for n, k in unsafe))
    reports = course / ".grading" / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    nonce = secrets.token_hex(16)
    out = course / "grades"
    out.mkdir(exist_ok=True)
    log_path = out / f"{assignment}.log"
    limit = float(submission_timeout or default_submission_timeout(timeout))
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",  # nbgrader calls `alembic`
        "JUPYTER_PATH": f"{_install_kernel(course)}{os.pathsep}{os.environ.get('JUPYTER_PATH', '')}",
        "QLIB_SANDBOX_READONLY": str(course),
        "QLIB_SANDBOX_NONCE": nonce,  # the kernel's own environment does not have it
        REPORTS_ENV: str(reports),
        "QLIB_SANDBOX_CPU": str(int(limit) + 10),  # CPU seconds of one kernel: a backstop
        "PYTHONUNBUFFERED": "1",
    }
    to_grade = [s for s in submissions if status[s] == "graded"]
    wrapper = _namespace_wrapper(allow_network)
    preprocessors = _preprocessors()
    logs: list[Path] = []

    def start(student: str, log_path: Path) -> subprocess.Popen:
        nbgrader = [str(bin_dir / "nbgrader"), "autograde", assignment, f"--student={student}", "--force",
                    f"--Execute.kernel_name={KERNEL_NAME}", f"--Execute.timeout={int(timeout)}",
                    # time for a loaded machine to end the kernel and copy its files back
                    # before jupyter_client kills it (it waits 5 s by default)
                    f"--KernelManager.shutdown_wait_time={SHUTDOWN_WAIT}", *preprocessors]
        cmd = [*wrapper, sys.executable, "-m", "qbook.grade", INNER, *nbgrader] if wrapper else nbgrader
        with log_path.open("w") as log:  # a session of its own: killpg reaches all of it
            return subprocess.Popen(cmd, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def run_all(students: list[str], tag: str, width: int) -> dict[str, int | None]:
        """Grade ``students``, ``jobs`` at a time; {student: exit code, None if killed}."""
        queue, running, codes = list(students), {}, {}
        while queue or running:
            while queue and len(running) < width:
                student = queue.pop(0)
                logs.append(out / f"{assignment}.{tag}.{student}.log")
                running[student] = (start(student, logs[-1]), time.monotonic())
            time.sleep(0.2)
            for student, (proc, started) in list(running.items()):
                if proc.poll() is not None:
                    codes[student] = proc.returncode
                elif time.monotonic() - started > limit:
                    os.killpg(proc.pid, signal.SIGKILL)  # the PID namespace (and kernel) with it
                    proc.wait()
                    codes[student] = None
                else:
                    continue
                del running[student]
                with (out / f"{assignment}.{tag}.{student}.log").open("a") as log:
                    stopped = " (killed: its time limit)" if codes[student] is None else ""
                    log.write(f"grade.py: {student} took {time.monotonic() - started:.1f} s{stopped}\n")
        return codes

    def done(student: str) -> bool:
        return (course / "autograded" / student / assignment).exists()

    codes = run_all(to_grade, "run", jobs)
    if 3 in codes.values():
        raise SystemExit((out / f"{assignment}.run.{next(s for s, c in codes.items() if c == 3)}.log").read_text())
    timed_out = {s for s, code in codes.items() if code is None}
    failed = set()
    for path in logs:
        failed |= set(re.findall(r"error processing assignment '[^']*' for student '([^']+)'", path.read_text()))
    # a run that stopped early for another reason (a locked database): once more, alone
    rest = [s for s in to_grade if not done(s) and s not in failed | timed_out]
    if rest:
        codes.update(run_all(rest, "retry", 1))
        timed_out |= {s for s in rest if codes[s] is None}
    for student in timed_out:  # what nbgrader had begun is no grade: zero, and a clean slate
        shutil.rmtree(course / "autograded" / student / assignment, ignore_errors=True)
    for student in to_grade:
        log = "".join(p.read_text() for p in logs if p.name.endswith(f".{student}.log"))
        if student in timed_out:
            status[student] = f"grading failed (time limit of {limit:g} s)"
        elif not done(student) and "CellTimeoutError" in log:
            status[student] = "grading failed (a cell did not stop at its time limit)"
        elif not done(student):
            status[student] = "grading failed (see the log)"
    graded = [s for s in to_grade if done(s) and s not in timed_out]
    sandboxes = {s: read_sandbox_report(course / "autograded" / s / assignment, nonce) for s in graded}
    # No report, when the grader did not shut a stuck kernel down itself, means the
    # sandbox's first process was killed from outside (the kernel's processes cannot
    # signal it): the grading machine's fault, not the submission's. Such a submission
    # is graded once more, alone, before that is flagged.
    again = [s for s in graded if sandboxes[s] is None
             and not any(r.get("stopped") for r in read_report(reports, s).values())]
    if again:
        for student in again:
            shutil.rmtree(course / "autograded" / student / assignment, ignore_errors=True)
        codes.update(run_all(again, "again", 1))
        for student in again:
            if codes[student] is None:
                timed_out.add(student)
                shutil.rmtree(course / "autograded" / student / assignment, ignore_errors=True)
                status[student] = f"grading failed (time limit of {limit:g} s)"
            elif not done(student):
                status[student] = "grading failed (see the log)"
            else:
                sandboxes[student] = read_sandbox_report(course / "autograded" / student / assignment, nonce)
    for student in to_grade:
        if not done(student) or student in timed_out:
            continue
        folder = course / "autograded" / student / assignment
        sandbox = sandboxes.get(student)
        flags[student] += _sandbox_flags(sandbox)
        for notebook, report in read_report(reports, student).items():
            if report.get("truncated"):
                flags[student].append(f"output truncated in {notebook}: {', '.join(map(str, report['truncated']))}")
            stopped = report.get("stopped")
            if stopped:
                how = f" ({sandbox['kernel']})" if sandbox and "died" in stopped["reason"] else ""
                status[student] = (f"graded up to {stopped['grade_id']} of {notebook}: {stopped['reason']}"
                                   f"{how}; the cells after it scored zero")
        removed = sanitise(folder, notebook_size=MAX_NOTEBOOK_BYTES)
        if removed:
            flags[student].append("removed from the autograded folder: " + ", ".join(removed))
    unreadable = _judge_outside(course, assignment, [s for s in to_grade if done(s) and s not in timed_out])
    for student, forged in unreadable.items():
        if forged:
            flags[student].append(f"answer record not well formed (forged?): {' '.join(forged)}")
    log_path.write_text("".join(f"==> {p.name} <==\n{p.read_text()}" for p in logs))
    for path in logs:
        path.unlink()
    points = grade_points(course, assignment)
    auto = grade_points(course, assignment, autograded_only=True)
    csv_path = out / f"{assignment}.csv"
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", *labels, "total", "auto_max", "max_total", "status", "flags"])
        for student in submissions:
            if status[student].startswith(("graded", "grading failed")):
                scores = _scores(course, assignment, student, labels)
            else:
                scores = dict.fromkeys(labels, 0.0)
            total = sum(v for v in scores.values() if v is not None)
            cells = ["" if scores[k] is None else f"{scores[k]:g}" for k in labels]
            flag = "; ".join(flags[student])
            writer.writerow([student, *cells, f"{total:g}", f"{sum(auto.values()):g}",
                             f"{sum(points.values()):g}", status[student], flag])
    return csv_path


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == INNER:
        return _inner(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="assignment name (the chapter's file stem)")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="nbgrader course directory")
    parser.add_argument("--timeout", type=int, default=30, help="seconds a cell may run (default 30)")
    parser.add_argument("--submission-timeout", type=float, default=None,
                        help="seconds one submission may take in all (default max(120, 8 x timeout))")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="nbgrader processes grading side by side (default 2)")
    parser.add_argument("--allow-network", action="store_true", help="do not cut the network (not recommended)")
    args = parser.parse_args(argv)
    csv_path = grade(args.course, args.assignment, timeout=args.timeout, allow_network=args.allow_network,
                     jobs=max(1, args.jobs), submission_timeout=args.submission_timeout)
    print(csv_path.read_text(), end="")
    print(f"scores: {csv_path}   nbgrader's log: {csv_path.with_suffix('.log')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
