"""Helpers shared by the chapter, build and browser tests (not a test module)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.server
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qbook.paths import ROOT, chapter_paths, toc_files  # noqa: F401 -- used by the tests


# --- one execution of each chapter, shared by the chapter and exercise tests ---
#
# Each chapter runs once per test session, top to bottom in a fresh kernel (nbclient,
# the chapter's folder as working directory, as Jupyter Book runs it). After the last
# code cell of each solution a hidden probe cell is inserted that displays the value
# of the solution's answer variable (pickled, under a mime type of its own), so the
# exercise tests read the answers from the same run that test_chapters.py checks for
# errors: no chapter code runs in the pytest process.

PROBE_MIME = "application/x-qbook-answer+json"
PROBE_TAG = "qbook-answer-probe"

_PROBE = """\
def __qbook_probe(label, name):
    import base64, pickle
    from IPython.display import display
    record = {{"label": label, "name": name}}
    if name not in globals():
        record["missing"] = True
    else:
        value = globals()[name]
        try:
            record["repr"] = repr(value)[:2000]
            record["pickle"] = base64.b64encode(pickle.dumps(value)).decode("ascii")
        except Exception as exc:
            record["unpicklable"] = f"{{type(exc).__name__}}: {{exc}}"
    display({{{mime!r}: record}}, raw=True)
__qbook_probe({label!r}, {name!r})
del __qbook_probe
"""


@dataclass
class ChapterRun:
    """One execution of a chapter: the executed notebook (probe cells included, tagged
    ``qbook-answer-probe``), the exception that stopped it (None if it ran to the end),
    and what each probe saw: {label: record} for the solutions whose probe ran."""

    path: Path
    notebook: object
    error: BaseException | None = None
    probes: dict = field(default_factory=dict)
    answer_names: dict = field(default_factory=dict)

    @property
    def error_text(self) -> str:
        """The exception that stopped the run (a CellExecutionError shows the failing
        cell's source and traceback), without terminal colours; empty if none."""
        if self.error is None:
            return ""
        return f"{type(self.error).__name__}: " + re.sub(r"\x1b\[[0-9;]*m", "", str(self.error))

    def error_outputs(self) -> list:
        return [
            output
            for cell in self.notebook.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]

    def answer(self, label: str):
        """The value of ``label``'s answer variable right after its solution ran; the
        test fails, saying why (and with the chapter's exception, if it raised), when
        there is none."""
        name = self.answer_names.get(label)
        record = self.probes.get(label)
        if record is None:
            if self.notebook is not None and label not in self.answer_names:
                pytest.fail(f"{label}: no solution code cell in {self.path.name}", pytrace=False)
            if self.notebook is not None and name is None:
                pytest.fail(f"{label}: the solution's last code cell does not end with `answer = ...`", pytrace=False)
            if self.error is not None:
                pytest.fail(f"{label}: no answer from {self.path.name}, which stopped before the solution's "
                            f"probe ran:\n{self.error_text}", pytrace=False)
            pytest.fail(f"{label}: the probe of `{name}` showed nothing", pytrace=False)
        if record.get("missing"):
            pytest.fail(f"{label}: `{name}` is not defined after the solution's last cell", pytrace=False)
        if "pickle" not in record:
            pytest.fail(f"{label}: `{name}` = {record.get('repr')} cannot be passed out of the kernel "
                        f"({record.get('unpicklable')})", pytrace=False)
        return pickle.loads(base64.b64decode(record["pickle"]))


def _notebook_with_probes(path: Path):
    """The chapter read with jupytext, a probe cell after each solution's last code cell;
    and {label: answer variable name or None} of the solutions with code."""
    import jupytext
    import nbformat

    from qbook.myst import answer_variable, cell_solutions

    notebook = jupytext.read(path)
    owners = cell_solutions(notebook)
    last_cell_of = {owner: i for i, (cell, owner) in enumerate(zip(notebook.cells, owners))
                    if owner and cell.cell_type == "code"}
    names, cells = {}, []
    for i, cell in enumerate(notebook.cells):
        cells.append(cell)
        label = owners[i]
        if label and last_cell_of.get(label) == i:
            names[label] = name = answer_variable(cell.source)
            if name is not None:
                probe = nbformat.v4.new_code_cell(_PROBE.format(mime=PROBE_MIME, label=label, name=name))
                probe.metadata["tags"] = ["remove-cell", PROBE_TAG]
                cells.append(probe)
    notebook.cells = cells
    return notebook, names


async def _execute(path: Path) -> ChapterRun:
    import nbclient

    notebook, names = _notebook_with_probes(path)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    run = ChapterRun(path, notebook, answer_names=names)
    try:
        await client.async_execute()  # raises CellExecutionError naming the failing cell
    except Exception as exc:  # noqa: BLE001 -- recorded, shown by every test that needs the run
        run.error = exc
    for cell in notebook.cells:
        if PROBE_TAG in cell.metadata.get("tags", []):
            for output in cell.get("outputs", []):
                record = output.get("data", {}).get(PROBE_MIME)
                if record:
                    run.probes[record["label"]] = dict(record)
    return run


def _workers() -> int:
    """Chapters executed at once: one kernel per usable core, at most four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


class _ChapterRuns:
    """Each chapter executed once per process, a few at a time in a background thread,
    in the order asked for; ``get`` waits for one chapter's run."""

    def __init__(self):
        self._lock = threading.Lock()
        self._runs: dict[Path, ChapterRun] = {}
        self._done: dict[Path, threading.Event] = {}

    def prefetch(self, paths) -> None:
        with self._lock:
            new = [p for p in dict.fromkeys(paths) if p not in self._done]
            for p in new:
                self._done[p] = threading.Event()
        if new:
            threading.Thread(target=asyncio.run, args=(self._run_all(new),), daemon=True).start()

    async def _run_all(self, paths) -> None:
        slots = asyncio.Semaphore(_workers())

        async def one(path):
            async with slots:
                try:
                    self._runs[path] = await _execute(path)
                except BaseException as exc:  # noqa: BLE001 -- e.g. the kernel would not start
                    self._runs[path] = ChapterRun(path, None, error=exc)
                finally:
                    self._done[path].set()

        await asyncio.gather(*(one(p) for p in paths))

    def get(self, path: Path) -> ChapterRun:
        self.prefetch([path])
        self._done[path].wait()
        return self._runs[path]


CHAPTER_RUNS = _ChapterRuns()


@pytest.fixture
def chapter_run(request):
    """``chapter_run(path)``: the chapter's one execution in this session (a ChapterRun).

    The first use starts executing every chapter that a selected test asks for
    (parametrised by ``path`` and using this fixture), so that the kernels of the
    next chapters run while the tests read the first."""
    wanted = [item.callspec.params["path"] for item in request.session.items
              if "chapter_run" in getattr(item, "fixturenames", ())
              and "path" in getattr(getattr(item, "callspec", None), "params", {})]
    CHAPTER_RUNS.prefetch(wanted)
    return CHAPTER_RUNS.get


# --- the two book builds, started in the background as soon as the tests are collected ---
#
# A build is a subprocess (Sphinx and a kernel): it runs while the other tests run in
# this process, and the book tests, put last by tests/conftest.py, wait for it. Each is
# clean, into a fresh temporary folder, exactly as when it was started by its fixture.

def _jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else shutil.which("jupyter-book")


def _book_argv(out: Path) -> list[str]:
    """The README's clean build, into ``out``: warnings are errors, every chapter executed."""
    return [_jupyter_book(), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]


def _student_argv(out: Path) -> list[str]:
    """``make student``'s build (:mod:`qbook.student_edition`), into ``out``."""
    return [sys.executable, "-m", "qbook.student_edition", "--out", str(out)]


BUILDS = {"book": _book_argv, "student": _student_argv}


@dataclass
class Build:
    """A build running (or run) in a subprocess of its own session, its output in a file."""

    name: str
    out: Path
    proc: subprocess.Popen
    log_path: Path
    started: float

    def wait(self, timeout: float | None = None) -> tuple[int, str]:
        """(exit code, the build's stdout and stderr); ``timeout`` counts from the start."""
        try:
            remaining = None if timeout is None else max(1.0, self.started + timeout - time.monotonic())
            self.proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return self.proc.returncode, self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)  # the build and the kernels it started
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)


_STARTED: dict[str, Build] = {}


def start_build(name: str, tmp_path_factory) -> Build:
    """Start build ``name`` ("book" or "student") unless it is running already."""
    if name not in _STARTED:
        out = tmp_path_factory.mktemp(name)
        log_path = tmp_path_factory.mktemp(f"{name}-log") / "build.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(BUILDS[name](out), stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        _STARTED[name] = Build(name, out, proc, log_path, time.monotonic())
    return _STARTED[name]


def stop_builds() -> None:
    """Stop the builds still running (a session that ended early)."""
    for build in _STARTED.values():
        build.stop()


# --- a local web server and Debian's Chromium, for the browser tests ---------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # without these, Chromium keeps trying to reach Google's hosts
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium():
    """Debian's Chromium, headless, driven by Playwright.

    A missing browser fails the test rather than skipping it: the browser
    tests are part of what "the book works" means.
    """
    if not CHROMIUM.exists():
        pytest.fail("needs Debian's Chromium at /usr/bin/chromium: apt-get install chromium (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
