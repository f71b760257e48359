"""Grade the collected submissions of one assignment with nbgrader, confined.

    python tools/grade.py ASSIGNMENT [--course DIR] [--timeout SECONDS]

Run after ``nbgrader collect`` (or ``nbgrader zip_collect``) has put the
submissions in ``DIR/submitted/<student>/ASSIGNMENT/``. This

1. checks every submitted notebook is valid notebook JSON; an invalid one scores
   zero on every part (nbgrader is told to skip it);
2. runs ``nbgrader autograde ASSIGNMENT`` with no network: the whole run is
   put in a network namespace of its own that has only a loopback interface
   (``unshare --net``; ``unshare --map-root-user --net`` for a user who is not
   root); each submission runs in a fresh kernel (``tools/sandbox_kernel.py``)
   that can write only its own folder, and each cell is interrupted after
   ``--timeout`` seconds (nbgrader's ``Execute.timeout``);
3. reads nbgrader's gradebook and writes ``DIR/grades/ASSIGNMENT.csv``: one row
   per student, one column per exercise (its label), the total, and a status
   (``graded``, ``invalid notebook``, ``grading failed``). A submission nbgrader
   could not finish (its kernel died, a loop that ignored the interrupt) scores
   zero on the parts it did not record, and never stops the others.

``--allow-network`` skips the network namespace (only where none can be made,
and say so to the students). Exit status 0 when grades were written.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
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
    timeout, cmd = float(argv[0]), argv[1:]
    try:
        return subprocess.run(cmd, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"grade.py: nbgrader did not finish within {timeout:.0f} s; stopped", file=sys.stderr)
        return 124


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


def _install_kernel(course: Path) -> Path:
    """A kernelspec for the confined kernel, in a folder only this run uses."""
    base = course / ".grading" / "jupyter"
    spec = base / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(ROOT / "tools" / "sandbox_kernel.py"), "-f", "{connection_file}"],
        "display_name": "Python 3 (qlib grading sandbox)",
        "language": "python",
    }, indent=1))
    return base


def _network_wrapper(allow_network: bool) -> list[str]:
    if allow_network:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        sys.exit("grade.py: `unshare` (util-linux) is needed to grade without network; "
                 "install it, or run in a container without network and pass --allow-network")
    base = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--map-root-user", "--net"]
    if subprocess.run([*base, "true"], capture_output=True).returncode != 0:
        sys.exit(f"grade.py: cannot make a network namespace with {' '.join(base)}; run in a "
                 "container without network and pass --allow-network")
    return base


def grade_points(course: Path, assignment: str) -> dict[str, float]:
    """{label: points} of the assignment's graded cells, from the source notebooks."""
    points = {}
    for path in sorted((course / "source" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
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


def grade(course: Path, assignment: str, *, timeout: int = 30, allow_network: bool = False,
          jobs: int = 2, total_timeout: float | None = None) -> Path:
    """Autograde every submission of ``assignment``; write and return the scores CSV."""
    course = course.resolve()
    submissions = _submissions(course, assignment)
    labels = list(grade_points(course, assignment))
    if not labels:
        raise SystemExit(f"grade.py: no source notebook with graded cells in {course / 'source' / assignment}")
    status = {s: _invalid(nbs) or "graded" for s, nbs in submissions.items()}
    skip = sorted(s for s, why in status.items() if why != "graded")
    out = course / "grades"
    out.mkdir(exist_ok=True)
    log_path = out / f"{assignment}.log"
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",  # nbgrader calls `alembic`
        "JUPYTER_PATH": f"{_install_kernel(course)}{os.pathsep}{os.environ.get('JUPYTER_PATH', '')}",
        "QLIB_SANDBOX_READONLY": str(course),
        "PYTHONUNBUFFERED": "1",
    }
    to_grade = [s for s in submissions if s not in skip]

    def autograde(students: list[str], log_path: Path) -> subprocess.Popen:
        others = [s for s in submissions if s not in students]
        nbgrader = [str(bin_dir / "nbgrader"), "autograde", assignment, "--force",
                    f"--Execute.kernel_name={KERNEL_NAME}", f"--Execute.timeout={int(timeout)}"]
        if others:
            nbgrader.append(f"--CourseDirectory.student_id_exclude={','.join(others)}")
        limit = total_timeout or 120 + len(students) * (30 + 3 * timeout)
        cmd = [*wrapper, sys.executable, str(Path(__file__).resolve()), INNER, str(limit), *nbgrader]
        with log_path.open("w") as log:
            return subprocess.Popen(cmd, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)

    def done(student: str) -> bool:
        return (course / "autograded" / student / assignment).exists()

    wrapper = _network_wrapper(allow_network)
    logs = []
    if to_grade:
        groups = [to_grade[k::jobs] for k in range(max(1, min(jobs, len(to_grade))))]
        runs = []
        for k, group in enumerate(groups):
            logs.append(out / f"{assignment}.worker{k}.log")
            runs.append(autograde(group, logs[-1]))
        codes = [run.wait() for run in runs]
        if 3 in codes:
            raise SystemExit(logs[codes.index(3)].read_text())
        failed = set()
        for path in logs:
            failed |= set(re.findall(r"error processing assignment '[^']*' for student '([^']+)'", path.read_text()))
        # a worker stopped early (a locked database, its time limit): grade its rest alone
        rest = [s for s in to_grade if not done(s) and s not in failed]
        if rest:
            logs.append(out / f"{assignment}.retry.log")
            autograde(rest, logs[-1]).wait()
        text = "".join(path.read_text() for path in logs)
        whole = " (the run hit its time limit)" if "did not finish within" in text else ""
        for student in to_grade:
            if not done(student):
                status[student] = f"grading failed{whole or ' (see the log)'}"
    log_path.write_text("".join(f"==> {p.name} <==\n{p.read_text()}" for p in logs))
    for path in logs:
        path.unlink()
    points = grade_points(course, assignment)
    csv_path = out / f"{assignment}.csv"
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", *labels, "total", "max_total", "status"])
        for student in submissions:
            if status[student] == "graded" or status[student].startswith("grading failed"):
                scores = _scores(course, assignment, student, labels)
            else:
                scores = dict.fromkeys(labels, 0.0)
            total = sum(v for v in scores.values() if v is not None)
            cells = ["" if scores[k] is None else f"{scores[k]:g}" for k in labels]
            writer.writerow([student, *cells, f"{total:g}", f"{sum(points.values()):g}", status[student]])
    return csv_path


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == INNER:
        return _inner(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="assignment name (the chapter's file stem)")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="nbgrader course directory")
    parser.add_argument("--timeout", type=int, default=30, help="seconds a cell may run (default 30)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="nbgrader processes grading side by side (default 2)")
    parser.add_argument("--allow-network", action="store_true", help="do not cut the network (not recommended)")
    args = parser.parse_args(argv)
    csv_path = grade(args.course, args.assignment, timeout=args.timeout, allow_network=args.allow_network,
                     jobs=max(1, args.jobs))
    print(csv_path.read_text(), end="")
    print(f"scores: {csv_path}   nbgrader's log: {csv_path.with_suffix('.log')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
