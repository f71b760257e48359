"""A Python kernel for grading: the file systems read-only except its own folder.

The kernelspec ``tools/grade.py`` installs for nbgrader runs

    python tools/sandbox_kernel.py -f CONNECTION_FILE

in the working directory nbgrader gives it (the submission's folder under
``autograded/``). The launcher re-runs itself under ``unshare --mount`` (a
private mount namespace; the grading process is already in a network namespace
of its own, see ``tools/grade.py``), then

1. remounts read-only the file systems that hold the course, the repository,
   the Python environment, the home folder and ``/tmp``;
2. makes the submission's own folder writable again (a bind mount of it), and
   points ``TMPDIR`` into it;
3. replaces itself with the ordinary IPython kernel.

So a submission that deletes or rewrites files can only harm its own copy:
not the gradebook, other students' submissions, qlib, the book, or anyone's
temporary files. Where no
mount namespace can be made (no ``unshare``, no privilege), the launcher
refuses to start unless ``QLIB_SANDBOX_OPTIONAL=1`` is set, in which case the
kernel runs unconfined (say so to whoever relies on it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSIDE = "--inside-sandbox"


def _mount_points() -> list[str]:
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4].encode().decode("unicode_escape") for line in f]
    return sorted(set(points), key=len, reverse=True)


def _holding_mount(path: str, points: list[str]) -> str:
    return next(p for p in points if path == p or path.startswith(p.rstrip("/") + "/"))


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def _confine(workdir: str) -> None:
    points = _mount_points()
    course = os.environ.get("QLIB_SANDBOX_READONLY", "")
    protected = [str(ROOT), sys.prefix, os.path.expanduser("~"), "/tmp", *filter(None, course.split(os.pathsep))]
    for point in sorted({_holding_mount(os.path.realpath(p), points) for p in protected}):
        _mount("-o", "remount,bind,ro", point)
    _mount("--bind", workdir, workdir)
    _mount("-o", "remount,bind,rw", workdir)


def main(argv: list[str]) -> None:
    if argv and argv[0] == INSIDE:
        _confine(os.getcwd())
        os.chdir(os.getcwd())  # re-enter the folder through the new mount
        # the only writable folder is the submission's own: temporary files go there too
        os.environ["TMPDIR"] = os.path.join(os.getcwd(), ".sandbox-tmp")
        os.makedirs(os.environ["TMPDIR"], exist_ok=True)
        os.environ["IPYTHONDIR"] = tempfile.mkdtemp(prefix="ipython-")  # the home is read-only
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv[1:]])
    unshare = shutil.which("unshare")
    probe = unshare and subprocess.run([unshare, "--mount", "true"], capture_output=True).returncode == 0
    if probe:
        os.execv(unshare, [unshare, "--mount", "--propagation", "private",
                           sys.executable, __file__, INSIDE, *argv])
    if os.environ.get("QLIB_SANDBOX_OPTIONAL") == "1":
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    sys.exit("sandbox_kernel: cannot make a mount namespace (needs unshare and root or user "
             "namespaces); set QLIB_SANDBOX_OPTIONAL=1 to grade without the file-system guard")


if __name__ == "__main__":
    main(sys.argv[1:])
