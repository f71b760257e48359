"""A Python kernel for grading, confined: it sees only its own folder, writable, and
the read-only files Python and qlib need; no privilege, no other process.

The kernelspec :mod:`qbook.grade` installs for nbgrader runs

    python -P -m qbook.sandbox_kernel -f CONNECTION_FILE

in the working directory nbgrader gives it (the submission's folder under
``autograded/``; ``-P`` keeps that folder off the launcher's import path, so a
``qbook/``, ``json.py`` or ``shutil.py`` handed in is not imported by the
launcher, which runs unconfined), with ``"interrupt_mode": "message"`` (nbgrader interrupts a cell
by a message, which the kernel turns into its own SIGINT). The launcher re-runs
itself under

    unshare --mount --pid --fork --kill-child --mount-proc --propagation private

(a private mount namespace and a PID namespace of its own, whose ``/proc`` shows
only the kernel; killing the launcher kills every process of the namespace), then,
inside, as root of the namespace:

1. hides behind empty read-only file systems (tmpfs) the course folder (the
   source notebooks with the solutions, the gradebook, every other submission),
   the home folder (``~/.ssh`` and the like), ``/tmp``, ``/var/tmp``, ``/run``
   and ``/dev/shm``; binds back the submission's own folder (writable) and the
   repository and the Python environment (read-only) when they were under one of
   them;
2. hides, the same way, what holds the exercises' answers or solutions: the
   repository's ``tooling/`` (the book's tooling, ``qbook``, with
   ``qbook.answers``), ``chapters/``, ``tests/`` and ``_build/``
   (:data:`REPOSITORY_HIDDEN`), and the folder of every package that offers
   answers under the entry-point group ``qlib.answers`` wherever the kernel
   would import it from (asked of the kernel's own Python before hiding, and
   checked empty after): so ``import qbook`` fails in the kernel and
   ``qlib.check`` raises :class:`RuntimeError` (``qlib.checks.NO_ANSWERS``);
   the grader judges the recorded answers outside (:mod:`qbook.grade`);
3. remounts every other mount read-only (``/``, ``/sys``, ``/sys/fs/cgroup``,
   ``/proc``, ...), keeping each mount's other flags;
4. mounts over the submission's folder a tmpfs of its own, ``QLIB_SANDBOX_SCRATCH``
   bytes (128 MiB), and copies into it the folder's plain files (never following a
   link): the kernel's scratch. The real folder stays reachable only through a
   descriptor this launcher holds, so nbgrader, which writes the graded notebook
   into the real folder and chmods every file there, never meets a link the
   kernel made, and a write past the limit fails (``ENOSPC``);
5. forks: the child starts a new session and becomes the ordinary IPython kernel
   (with ``exit()`` and ``quit()`` raising ``SystemExit`` instead of ending it,
   :data:`KERNEL_SETUP`, and its history in memory) through

       prlimit --nproc --as --cpu --core=0 setpriv --bounding-set=-all
           --inh-caps=-all --ambient-caps=-all --no-new-privs
           [--reuid=65534 --regid=65534 --clear-groups]

   (no capability at all, so no mount, no ``setns``/``nsenter``, no signal to
   another user's process; as the user ``nobody`` when the grader is real root),
   in a minimal environment: ``PATH``, ``HOME`` and ``TMPDIR`` in its folder,
   ``PYTHONSAFEPATH=1`` (a ``qlib.py`` next to the notebook is not imported
   instead of the real one), ``PYTHONPATH`` naming the folder of the ``qlib``
   the grader imports (when that is not an installed copy in site-packages,
   so the kernel runs the same qlib as the grader), and nothing else of the
   grader's own environment;
6. the parent, PID 1 of the namespace (which its processes cannot signal), not
   dumpable (no ``/proc/1/fd`` for the kernel), waits for the kernel, kills what it
   left running, copies back into the real folder the plain files the kernel
   created (one name each, at most ``QLIB_SANDBOX_MAX_FILE`` bytes, 8 MiB; not its
   home ``.sandbox-tmp`` with the connection file) and writes there a report,
   :data:`REPORT`, read by the grader (:func:`read_report`; it carries the
   grader's ``QLIB_SANDBOX_NONCE``, which the kernel never sees): what was not
   copied back and why, whether the scratch filled up, how the kernel ended.

So a submission that deletes or rewrites files can only harm its own copy; it
cannot read the solutions, the gradebook or other submissions, kill the grader
(its parent is the namespace's PID 1, ``kill(-1, ...)`` reaches only its own
processes), reach the network (the grader's network namespace, see
:mod:`qbook.grade`), leave a process behind, or hand back anything but plain files.

Where no namespace can be made (no ``unshare``, no privilege), the launcher
refuses to start unless ``QLIB_SANDBOX_OPTIONAL=1`` is set, in which case the
kernel runs unconfined (say so to whoever relies on it).

Limits (``prlimit``): ``QLIB_SANDBOX_CPU`` CPU seconds for the whole kernel
(default 600), 4 GiB of address space (``QLIB_SANDBOX_AS``, bytes), and, as
``nobody``, 256 processes and threads (``QLIB_SANDBOX_NPROC``; the count is per
user, shared by kernels running side by side). A grader that is not real root
(user namespaces) cannot change user and so gets no process limit: the PID
namespace and :mod:`qbook.grade`'s wall-time limit still end a fork bomb.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from .paths import ROOT
INSIDE = "--inside-sandbox"
#: Folders of the repository the kernel does not see: the book's tooling (with the
#: answers), the chapters and tests (with the solutions), and the built book.
REPOSITORY_HIDDEN = ("tooling", "chapters", "tests", "_build")
#: ``qlib.checks.ENTRY_POINT_GROUP`` (not imported here: importing qlib takes seconds).
ANSWERS_GROUP = "qlib.answers"
#: Run by the kernel's Python: the folders of the packages offering answers.
_PROBE = f"""\
import importlib.util, json
from importlib.metadata import entry_points
names = {{p.value.split(":")[0].split(".")[0] for p in entry_points(group={ANSWERS_GROUP!r})}} | {{"qbook"}}
found = []
for name in sorted(names):
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        continue
    if spec is not None and spec.submodule_search_locations:
        found += list(spec.submodule_search_locations)
print(json.dumps(found))
"""
NOBODY = 65534
STAGE = "/dev/shm"  # a tmpfs of our own is mounted here first, to stage the binds
HIDDEN = ["/tmp", "/var/tmp", "/run", "/dev/shm"]  # besides the course and the home


def _unescape(field: str) -> str:
    return field.encode().decode("unicode_escape")


def _mounts() -> list[tuple[str, list[str]]]:
    """(mount point, per-mount options) of this namespace, in mount order."""
    with open("/proc/self/mountinfo") as f:
        return [(_unescape(line.split()[4]), line.split()[5].split(",")) for line in f]


def _mount(*args: str, check: bool = True) -> bool:
    proc = subprocess.run(["mount", *args], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"mount {' '.join(args)}: {proc.stderr.strip()}")
    return proc.returncode == 0


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _searchable_by_others(path: str) -> bool:
    """Every folder from / to ``path`` can be entered by any user (so ``nobody`` can)."""
    p = Path(path)
    return all(os.stat(q).st_mode & stat.S_IXOTH for q in [p, *p.parents] if q.exists())


def _unmount_tree(folder: str) -> None:
    """Lazily unmount every mount at or below ``folder`` (innermost first)."""
    for point in sorted({p for p, _ in _mounts() if _under(p, folder)}, key=len, reverse=True):
        while subprocess.run(["umount", "-l", point], capture_output=True).returncode == 0:
            pass  # several mounts stacked on one point


def _answers_folders(env: dict[str, str], workdir: str) -> list[str]:
    """The folders the kernel (its Python, its environment) would import the packages
    offering answers from; the repository's hidden folders besides."""
    proc = subprocess.run([sys.executable, "-c", _PROBE], env=env, cwd=workdir,
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"sandbox_kernel: cannot ask where the answers are: {proc.stderr.strip()}")
    found = {os.path.realpath(p) for p in json.loads(proc.stdout)}
    found |= {os.path.realpath(ROOT / name) for name in REPOSITORY_HIDDEN}
    return sorted(f for f in found if os.path.isdir(f))


def _confine(workdir: str, env: dict[str, str]) -> None:
    course = {os.path.realpath(p) for p in os.environ.get("QLIB_SANDBOX_READONLY", "").split(os.pathsep) if p}
    outer = {os.path.realpath(os.path.expanduser("~")), *map(os.path.realpath, HIDDEN)} - {"/", STAGE}

    def outermost(folders):
        chosen = []
        for folder in sorted(folders, key=len):  # skip what an outer one already hides
            if os.path.isdir(folder) and not any(_under(folder, c) for c in chosen):
                chosen.append(folder)
        return chosen

    def hide(folder):
        _unmount_tree(folder)
        _mount("-t", "tmpfs", "-o", "size=1m,mode=755,nosuid,nodev", "sandbox-hidden", folder)

    answers_found = _answers_folders(env, workdir)  # before anything is hidden
    outer = outermost(outer)
    keep_ro = sorted({os.path.realpath(p) for p in (ROOT, sys.prefix, sys.base_prefix)})
    keep_ro = [k for k in keep_ro if any(_under(k, h) for h in outer)]
    # 1. stage (on a tmpfs of our own) the folders to bind back
    _unmount_tree(STAGE)
    _mount("-t", "tmpfs", "-o", "size=1m,mode=755", "sandbox-stage", STAGE)
    staged = []
    for i, path in enumerate([workdir, *keep_ro]):
        target = f"{STAGE}/{i}"
        os.mkdir(target)
        _mount("--bind", path, target)
        staged.append((target, path))
    # 2. hide the home, /tmp, /run...; bind back Python and the repository found there
    for folder in outer:
        hide(folder)
    for target, path in staged[1:]:
        os.makedirs(path, exist_ok=True)
        _mount("--bind", target, path)
    # 2b. hide the answers and solutions (the repository is seen again by now)
    answers = outermost(answers_found)
    for folder in answers:
        hide(folder)
    left = [f for f in answers_found if os.path.isdir(f) and os.listdir(f)]
    if left:
        raise RuntimeError(f"sandbox_kernel: could not hide the answers in {left}")
    # 2c. hide the course wherever it is still seen (the repository may hold it:
    #    _build/course), then bind back the submission's own folder
    for folder in outermost(course):
        hide(folder)
    os.makedirs(workdir, exist_ok=True)
    _mount("--bind", staged[0][0], workdir)
    _unmount_tree(STAGE)
    _mount("-t", "tmpfs", "-o", "size=1m,mode=755,nosuid,nodev", "sandbox-hidden", STAGE)  # an empty /dev/shm
    # 3. everything read-only but the submission's folder
    for point, options in _mounts():
        if point == workdir:
            continue
        flags = ",".join(o for o in options if o in {"nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime"})
        _mount("-o", f"remount,bind,ro{',' + flags if flags else ''}", point, check=False)
    top = dict(_mounts())  # the last mount on a point is the one seen (others are covered)
    bad = [p for p, options in top.items() if "rw" in options and p != workdir]
    if bad:
        raise RuntimeError(f"sandbox_kernel: could not make read-only: {bad}")


def _environment(workdir: str) -> dict[str, str]:
    tmp = os.path.join(workdir, ".sandbox-tmp")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": tmp,
        "TMPDIR": tmp,
        "IPYTHONDIR": os.path.join(tmp, "ipython"),
        "MPLCONFIGDIR": os.path.join(tmp, "matplotlib"),
        "JUPYTER_RUNTIME_DIR": tmp,
        "PYTHONSAFEPATH": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "LANG": "C.UTF-8",
    }
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = os.environ.get(name, "1")
    library = _library_folder()
    if library:
        env["PYTHONPATH"] = library
    return env


def _library_folder() -> str | None:
    """The folder holding the ``qlib`` package the grader imports, if it is not an
    installed copy in site-packages (an editable install, a checkout on the path)."""
    import importlib.util
    import site

    spec = importlib.util.find_spec("qlib")
    if spec is None or not spec.origin:
        return None
    folder = os.path.realpath(Path(spec.origin).parents[1])
    installed = {os.path.realpath(p) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    return None if folder in installed else folder


def _limits(as_nobody: bool) -> list[str]:
    prlimit = shutil.which("prlimit")
    if not prlimit:
        return []
    cpu = os.environ.get("QLIB_SANDBOX_CPU", "600")
    memory = os.environ.get("QLIB_SANDBOX_AS", str(4 * 2**30))
    args = [prlimit, f"--cpu={cpu}", f"--as={memory}", "--core=0"]
    if as_nobody:
        args.append(f"--nproc={os.environ.get('QLIB_SANDBOX_NPROC', '256')}")
    return [*args, "--"]


def _inside(argv: list[str]) -> None:
    workdir = os.path.realpath(os.getcwd())
    connection = argv[argv.index("-f") + 1] if "-f" in argv else None
    info = Path(connection).read_text() if connection else None  # may be hidden below
    env = _environment(workdir)
    _confine(workdir, env)
    # as nobody only if nobody can reach Python, qlib and the folder (seen after the hiding)
    as_nobody = os.getuid() == 0 and _real_root() and all(_searchable_by_others(os.path.realpath(p)) for p in (
        sys.executable, sys.base_prefix, str(ROOT), sys.prefix, workdir))
    # the kernel's scratch: a size-limited tmpfs over the folder, holding a copy of its
    # plain files; the real folder stays reachable only through this descriptor
    real = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    limit = scratch_bytes()
    _mount("-t", "tmpfs", "-o", f"size={limit},mode=755,nosuid,nodev", "sandbox-scratch", workdir)
    os.chdir(workdir)  # re-enter the folder through the new mount
    initial = _copy_tree(os.dup(real), os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC),
                         owner=NOBODY if as_nobody else None)
    if as_nobody:
        os.chown(workdir, NOBODY, NOBODY)
    for folder in (env["TMPDIR"], env["IPYTHONDIR"], env["MPLCONFIGDIR"]):
        os.makedirs(folder, exist_ok=True)
        if as_nobody:
            os.chown(folder, NOBODY, NOBODY)
    if info is not None:
        connection_path = os.path.join(env["TMPDIR"], "connection.json")
        Path(connection_path).write_text(info)
        os.chmod(connection_path, 0o600)
        if as_nobody:
            os.chown(connection_path, NOBODY, NOBODY)
        argv = [connection_path if a == connection else a for a in argv]
    setpriv = [shutil.which("setpriv") or "setpriv", "--bounding-set=-all", "--inh-caps=-all",
               "--ambient-caps=-all", "--no-new-privs"]
    if as_nobody:
        setpriv += [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    startup = os.path.join(env["IPYTHONDIR"], "profile_default", "startup")
    os.makedirs(startup, exist_ok=True)
    Path(startup, "00-qbook-grading.py").write_text(KERNEL_SETUP)
    if as_nobody:
        for path in (os.path.dirname(startup), startup, os.path.join(startup, "00-qbook-grading.py")):
            os.chown(path, NOBODY, NOBODY)
    cmd = [*_limits(as_nobody), *setpriv, "--", sys.executable, "-m", "ipykernel_launcher", *argv,
           "--HistoryManager.hist_file=:memory:"]
    pid = os.fork()
    if pid == 0:
        os.setsid()  # kill(0, ...) reaches no process outside the kernel
        os.execve(cmd[0], cmd, env)
    _supervise(pid, workdir, real, initial, limit)


#: Run in the grading kernel before any cell: ``exit()`` and ``quit()`` raise (as
#: ``sys.exit`` does) instead of ending the kernel and with it the rest of the grading.
KERNEL_SETUP = (
    "def exit(*args, **kwargs):\n"
    "    raise SystemExit('exit() and quit() do not end the grading kernel')\n"
    "quit = exit\n"
)
#: Name of the report the supervisor leaves in the real folder (:func:`read_report`).
REPORT = ".qbook-sandbox.json"
#: Most entries copied in or back (files and folders); the rest is reported.
MAX_ENTRIES = 1000


def scratch_bytes() -> int:
    """Size of the kernel's writable folder (``QLIB_SANDBOX_SCRATCH``, bytes; 128 MiB)."""
    return int(os.environ.get("QLIB_SANDBOX_SCRATCH", str(128 * 2**20)))


def max_file_bytes() -> int:
    """Largest file the kernel wrote that is copied back (``QLIB_SANDBOX_MAX_FILE``; 8 MiB)."""
    return int(os.environ.get("QLIB_SANDBOX_MAX_FILE", str(8 * 2**20)))


def _copy_tree(src: int, dst: int, skip: frozenset[str] = frozenset(), existing: frozenset[str] = frozenset(),
               *, owner: int | None = None, prefix: str = "", problems: list[str] | None = None,
               max_size: int | None = None) -> set[str]:
    """Copy the plain files and folders under the directory ``src`` (a descriptor) into
    ``dst``, never following a link. Relative paths in ``skip`` are left out whatever
    they are; plain files in ``existing`` (the copy made at the start) are left out,
    folders in it (``name/``) entered. What is not copied (a link, a hard link, a FIFO,
    a device, a socket, a file over ``max_size``, past :data:`MAX_ENTRIES`, a name that
    exists in ``dst``) is listed in ``problems``. Returns the relative paths copied
    (folders with a trailing ``/``). Both descriptors are closed."""
    problems = [] if problems is None else problems
    copied: set[str] = set()
    try:
        for name in sorted(os.listdir(src)):
            rel = prefix + name
            if rel in skip:
                continue
            if len(copied) >= MAX_ENTRIES:
                problems.append(f"{rel} (more than {MAX_ENTRIES} files)")
                continue
            st = os.stat(name, dir_fd=src, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                try:
                    os.mkdir(name, 0o755, dir_fd=dst)
                except FileExistsError:
                    if rel + "/" not in existing:
                        problems.append(f"{rel}/ (exists)")
                        continue
                if owner is not None:
                    os.chown(name, owner, owner, dir_fd=dst, follow_symlinks=False)
                sub_src = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=src)
                sub_dst = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dst)
                copied.add(rel + "/")
                copied |= _copy_tree(sub_src, sub_dst, skip, existing, owner=owner, prefix=rel + "/",
                                     problems=problems, max_size=max_size)
                continue
            kind = _kind(st)
            if kind is None and rel in existing:
                continue
            if kind is None and max_size is not None and st.st_size > max_size:
                kind = f"a file of {st.st_size} bytes, over the limit of {max_size}"
            if kind is not None:
                problems.append(f"{rel} ({kind})")
                continue
            try:
                fd_in = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=src)
            except OSError as exc:
                problems.append(f"{rel} (unreadable: {exc.strerror})")
                continue
            with os.fdopen(fd_in, "rb") as f_in:
                again = _kind(os.fstat(fd_in))
                if again is not None:  # changed since the stat
                    problems.append(f"{rel} ({again})")
                    continue
                try:
                    fd_out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                                     0o644, dir_fd=dst)
                except FileExistsError:
                    problems.append(f"{rel} (exists)")
                    continue
                with os.fdopen(fd_out, "wb") as f_out:
                    shutil.copyfileobj(f_in, f_out, 2**20)
                    if owner is not None:
                        os.fchown(f_out.fileno(), owner, owner)
            copied.add(rel)
    finally:
        os.close(src)
        os.close(dst)
    return copied


def _kind(st: os.stat_result) -> str | None:
    """Why a file is not a plain file to copy (None: it is one)."""
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link"
    if stat.S_ISFIFO(st.st_mode):
        return "a FIFO"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "a device"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if st.st_nlink > 1:
        return f"a hard link ({st.st_nlink} names)"
    return None


def _supervise(pid: int, workdir: str, real: int, initial: set[str], limit: int) -> None:
    """Wait for the kernel (``pid``), end every process left in the namespace, copy the
    plain files the kernel made back into the real folder and write the report there
    (:data:`REPORT`); exit with the kernel's status."""
    import ctypes
    import signal

    try:  # no /proc/1/fd for the kernel (same user when the grader is not real root)
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    except (OSError, AttributeError):
        pass
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    status = 0
    while True:
        try:
            done, status_ = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if done == pid:
            status = status_
            break
    try:
        os.kill(-1, signal.SIGKILL)  # whatever the kernel left running in the namespace
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    usage = os.statvfs(workdir)
    used = (usage.f_blocks - usage.f_bfree) * usage.f_frsize
    problems: list[str] = []
    try:
        os.unlink(REPORT, dir_fd=real)  # one the submission brought
    except FileNotFoundError:
        pass
    back = _copy_tree(os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), os.dup(real),
                      frozenset({".sandbox-tmp", REPORT}), frozenset(initial),
                      problems=problems, max_size=max_file_bytes())
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        ended = f"killed by signal {number} ({signal.Signals(number).name})"
    else:
        ended = f"exit status {os.WEXITSTATUS(status)}"
    report = {
        "nonce": os.environ.get("QLIB_SANDBOX_NONCE", ""),
        "scratch_bytes": limit,
        "scratch_used": used,
        "scratch_full": usage.f_bavail * usage.f_frsize < 2**20,
        "copied_back": sorted(back),
        "not_copied": problems,
        "kernel": ended,
    }
    fd = os.open(REPORT, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=real)
    with os.fdopen(fd, "w") as f:
        json.dump(report, f)
    os.close(real)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def read_report(folder: Path, nonce: str) -> dict | None:
    """The sandbox's report on a kernel's scratch, left in the real folder.

    Parameters
    ----------
    folder : pathlib.Path
        The submission's autograded folder.
    nonce : str
        The grader's ``QLIB_SANDBOX_NONCE`` (never in the kernel's environment).

    Returns
    -------
    dict or None
        Keys ``scratch_bytes``, ``scratch_used``, ``scratch_full``, ``copied_back``,
        ``not_copied`` (``"<path> (<reason>)"``) and ``kernel`` (how it ended); None
        when there is no report, it is not a small plain file, not JSON, or does not
        carry ``nonce`` (one the submission wrote itself). The file is removed.

    Notes
    -----
    See the page *For instructors* (``instructors.md``, section Grade).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / REPORT).write_text('{"nonce": "a guess"}')
    >>> read_report(folder, "the grader's nonce") is None, (folder / REPORT).exists()
    (True, False)
    >>> folder.rmdir()
    """
    path = Path(folder) / REPORT
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 2**20:
            raise ValueError(path)
        report = json.loads(path.read_text())
    except (OSError, ValueError):
        report = None
    try:
        os.unlink(path)
    except OSError:
        pass
    if not isinstance(report, dict) or report.get("nonce") != nonce or not nonce:
        return None
    return report


def _real_root() -> bool:
    """Root of the first user namespace (not root by ``unshare --map-root-user``)."""
    try:
        with open("/proc/self/uid_map") as f:
            return f.read().split()[:3] == ["0", "0", "4294967295"]
    except OSError:
        return False


def _die_with_parent() -> None:
    """Be killed when the process that started the kernel (nbgrader) dies, so that no
    kernel outlives a grading run that was stopped (``unshare --kill-child`` then
    takes the whole PID namespace with it)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main(argv: list[str]) -> None:
    if argv and argv[0] == INSIDE:
        _inside(argv[1:])
    unshare = shutil.which("unshare")
    wrap = [unshare, "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private"]
    probe = unshare and subprocess.run([*wrap, "true"], capture_output=True).returncode == 0
    if probe:
        _die_with_parent()
        os.execv(unshare, [*wrap, sys.executable, "-P", "-m", "qbook.sandbox_kernel", INSIDE, *argv])
    if os.environ.get("QLIB_SANDBOX_OPTIONAL") == "1":
        os.execv(sys.executable, [sys.executable, "-P", "-m", "ipykernel_launcher", *argv])
    sys.exit("sandbox_kernel: cannot make a mount and PID namespace (needs unshare and root or user "
             "namespaces); set QLIB_SANDBOX_OPTIONAL=1 to grade without the sandbox")


if __name__ == "__main__":
    main(sys.argv[1:])
