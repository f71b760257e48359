"""Speed and size figures for the book, printed (never asserted).

Targets from the foundation and layout issues, measured here:

- live update of any explorable: p95 <= 50 ms on a 2-core machine;
- each built chapter page <= 1.5 MB without the shared plotly.js;
- cold build of the whole book <= 5 minutes;
- ``import qlib`` (the physics; crypto and viz load on first use) at most
  0.15 s above ``import qutip``, in a fresh interpreter.

Run ``make bench`` (or ``python benchmarks/run.py``; ``--no-build`` skips the
cold build and page sizes). The explorables are taken from the chapters
themselves: each chapter's code cells run in this process, and every
``Explorable`` a cell binds to a name or leaves as its last expression (what a
notebook would display) is measured. An update is what a reader's drag costs in
a live kernel: ``Explorable.update`` recomputes the figure with qlib and
applies it in place to the FigureWidget.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
from qbook.paths import chapter_paths, toc_files  # noqa: E402

import qlib  # noqa: E402

TARGET_UPDATE_P95_MS = 50.0
TARGET_PAGE_BYTES = 1.5e6
TARGET_BUILD_S = 300.0
TARGET_IMPORT_EXTRA_S = 0.15

# Each timed in a fresh interpreter: nothing imported yet (the OS file cache is warm
# after the first run, so the figures are the interpreter's work, not the disk's).
_IMPORT_QUTIP = "import time; t = time.perf_counter(); import qutip; print(time.perf_counter() - t)"
_IMPORT_QLIB_AFTER_QUTIP = (
    "import qutip, sys, time; t = time.perf_counter(); import qlib; dt = time.perf_counter() - t; "
    "print(dt, ' '.join(m for m in ('plotly', 'ipywidgets', 'cryptography', 'qlib.viz', 'qlib.crypto') if m in sys.modules))"
)


def chapter_explorables(path: Path) -> list[qlib.Explorable]:
    """Run a chapter's code cells here and collect its explorables."""
    notebook = jupytext.read(path)
    namespace: dict = {"__name__": "__chapter__"}
    found: list[qlib.Explorable] = []
    with contextlib.chdir(path.parent), contextlib.redirect_stdout(io.StringIO()):
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, str(path), "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), str(path), "eval"), namespace)
                if isinstance(value, qlib.Explorable):
                    found.append(value)
    for value in namespace.values():
        if isinstance(value, qlib.Explorable) and all(value is not f for f in found):
            found.append(value)
    return found


def time_updates(explorable: qlib.Explorable, n: int, rng: np.random.Generator) -> np.ndarray:
    """Seconds taken by n live updates to random settings on the precomputed grid."""
    explorable.widget()  # the FigureWidget every update mutates in place
    grids = {c.name: list(c.values) for c in explorable.controls}
    times = []
    for _ in range(n):
        setting = {name: values[rng.integers(len(values))] for name, values in grids.items()}
        start = time.perf_counter()
        explorable.update(**setting)
        times.append(time.perf_counter() - start)
    return np.array(times)


def bench_explorables(n: int) -> None:
    print(f"Live update of each explorable ({n} random settings; target p95 <= {TARGET_UPDATE_P95_MS:.0f} ms)")
    print(f"{'chapter':<20} {'explorable':<34} {'grid':>5} {'median ms':>10} {'p95 ms':>8} {'static s':>9}  ok")
    rng = np.random.default_rng(2026)
    for path in chapter_paths():
        for ex in chapter_explorables(path):
            times = time_updates(ex, n, rng) * 1e3
            start = time.perf_counter()
            ex.static_html()
            static_s = time.perf_counter() - start
            grid = int(np.prod([len(c.values) for c in ex.controls])) if ex.controls else 1
            p95 = np.percentile(times, 95)
            ok = "yes" if p95 <= TARGET_UPDATE_P95_MS else "NO"
            print(f"{path.stem:<20} {ex.name:<34} {grid:>5} {np.median(times):>10.1f} {p95:>8.1f} {static_s:>9.2f}  {ok}")


def _fresh_python(code: str) -> list[str]:
    """The words ``code`` prints, run in a new interpreter that imports this checkout's qlib."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tooling"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONWARNINGS"] = "ignore"  # qutip's note that matplotlib is missing
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    return out.stdout.split()


def bench_import(repeats: int) -> None:
    """Import times of qutip and of qlib on top of it, each in fresh interpreters."""
    qutip_s, qlib_s, loaded = [], [], set()
    for _ in range(repeats):
        qutip_s.append(float(_fresh_python(_IMPORT_QUTIP)[0]))
        seconds, *modules = _fresh_python(_IMPORT_QLIB_AFTER_QUTIP)
        qlib_s.append(float(seconds))
        loaded.update(modules)
    extra = float(np.median(qlib_s))
    ok = "yes" if extra <= TARGET_IMPORT_EXTRA_S else "NO"
    print(f"Import time, median of {repeats} fresh interpreters (target: qlib <= {TARGET_IMPORT_EXTRA_S:.2f} s above qutip)")
    print(f"  import qutip                      {np.median(qutip_s):>7.3f} s  (min {min(qutip_s):.3f}, max {max(qutip_s):.3f})")
    print(f"  import qlib, after import qutip   {extra:>7.3f} s  (min {min(qlib_s):.3f}, max {max(qlib_s):.3f})  {ok}")
    print(f"  loaded by import qlib: {', '.join(sorted(loaded)) if loaded else 'none of plotly, ipywidgets, cryptography, qlib.viz, qlib.crypto'}\n")


def bench_build() -> None:
    out = Path(tempfile.mkdtemp(prefix="qlib-bench-build-"))
    exe = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    ok = "yes" if proc.returncode == 0 and seconds <= TARGET_BUILD_S else "NO"
    print(f"\nCold build of the whole book: {seconds:.1f} s (target <= {TARGET_BUILD_S:.0f} s; exit {proc.returncode})  {ok}")
    html = out / "_build" / "html"
    plotly_js = html / "_static" / "plotly.min.js"
    if plotly_js.exists():
        print(f"Shared plotly.min.js (loaded once, cached across pages): {plotly_js.stat().st_size / 1e6:.2f} MB")
    print(f"\nBuilt page sizes, HTML only (target <= {TARGET_PAGE_BYTES / 1e6:.1f} MB each)")
    for name in toc_files():
        page = html / f"{name}.html"
        if page.exists():
            size = page.stat().st_size
            ok = "yes" if size <= TARGET_PAGE_BYTES else "NO"
            print(f"  {name + '.html':<40} {size / 1e3:>9.1f} kB  {ok}")
    shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100, help="updates timed per explorable")
    parser.add_argument("--no-build", action="store_true", help="skip the cold build and page sizes")
    parser.add_argument("--imports", type=int, default=7, help="fresh interpreters timed per import figure")
    parser.add_argument("--import-only", action="store_true", help="print the import times only")
    args = parser.parse_args()
    bench_import(args.imports)
    if args.import_only:
        return
    bench_explorables(args.updates)
    if not args.no_build:
        bench_build()


if __name__ == "__main__":
    main()
