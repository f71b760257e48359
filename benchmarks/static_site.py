"""The static site's explorables in headless Chromium: input to painted, per explorable.

Target (speed issue): every explorable's p95 from the input event to its figure's
new data painted within one frame, 16.7 ms, on this machine's headless Chromium.
Printed, never asserted.

The built book (``make book``, ``_build/html``) is served on 127.0.0.1 and every
chapter opened in Debian's Chromium (headless, no GPU, every request off the site
refused). For each control of each explorable the harness, inside the page, moves
the control through its values and back, one step per frame, as a drag does: at
the start of a frame (a requestAnimationFrame callback, where Chromium delivers a
drag's input) it sets the control's value and dispatches ``input``; the time runs
from just before the dispatch until the explorable reports the new setting drawn
(``data-qlib-index``, set as the drawing completes, inside the frame's rendering)
*and* that frame has been painted (a message posted then runs only after the
frame's paint). A drawing that waits for the next frame therefore counts that
frame. A control's first move pays for decoding its settings and is reported
apart ("first", the slowest first move of the explorable's controls).

Run ``python benchmarks/static_site.py`` after ``make book`` (``make bench`` does
both); ``--moves N`` sets the moves per control, ``--page NAME`` limits the pages.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
from qbook.paths import toc_files  # noqa: E402

HTML = ROOT / "_build" / "html"
TARGET_P95_MS = 1000.0 / 60.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]

# Runs in the page: the moves of control j of explorable i, timed.
_MEASURE = """async ([i, j, moves]) => {
  const ex = document.querySelectorAll('.qlib-explorable')[i];
  const controls = [...ex.querySelectorAll('input[type=range], select')];
  const c = controls[j];
  const n = c.matches('select') ? c.options.length : Math.round((+c.max - +c.min) / +(c.step || 1)) + 1;
  if (n < 2) return null;
  const frame = () => new Promise(r => requestAnimationFrame(r));
  // posted while the frame is being rendered, a message runs once it is painted
  const afterPaint = () => new Promise(r => {
    const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0);
  });
  const drawn = (before) => new Promise(r => {
    if (ex.dataset.qlibIndex !== before) return r();
    const mo = new MutationObserver(() => { if (ex.dataset.qlibIndex !== before) { mo.disconnect(); r(); } });
    mo.observe(ex, {attributes: true, attributeFilter: ['data-qlib-index']});
  });
  const setValue = (k) => {
    if (c.matches('select')) c.selectedIndex = k; else c.value = String(+c.min + k * +(c.step || 1));
  };
  const start = c.matches('select') ? c.selectedIndex : Math.round((+c.value - +c.min) / +(c.step || 1));
  const times = [];
  let k = start, dir = start + 1 < n ? 1 : -1;
  for (let m = 0; m < moves; m++) {
    if (k + dir < 0 || k + dir >= n) dir = -dir;
    k += dir;
    await frame();
    const before = ex.dataset.qlibIndex;
    const t0 = performance.now();
    setValue(k);
    c.dispatchEvent(new Event('input', {bubbles: true}));
    await drawn(before);
    await afterPaint();
    times.push(performance.now() - t0);
  }
  setValue(start);
  c.dispatchEvent(new Event('input', {bubbles: true}));
  await frame(); await frame();
  return {name: ex.dataset.qlibName || String(i), control: c.dataset.qlibControl || String(j), times};
}"""

_READY = """() => [...document.querySelectorAll('.qlib-explorable')]
  .every(el => el.dataset.qlibReady === 'true')"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def measure(pages: list[str], moves: int) -> dict[str, np.ndarray]:
    from playwright.sync_api import sync_playwright

    results: dict[str, np.ndarray] = {}
    with serve(HTML) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        host = url.split("//", 1)[1]
        for name in pages:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_() if host in route.request.url else route.abort())
            page.goto(f"{url}/{name}.html")
            page.wait_for_function(_READY, timeout=60_000)
            count = page.evaluate("() => document.querySelectorAll('.qlib-explorable').length")
            for i in range(count):
                n_controls = page.evaluate(
                    "(i) => document.querySelectorAll('.qlib-explorable')[i]"
                    ".querySelectorAll('input[type=range], select').length", i)
                per_explorable: list[float] = []
                first: list[float] = []
                label = None
                for j in range(n_controls):
                    page.evaluate("(i) => document.querySelectorAll('.qlib-explorable')[i].scrollIntoView({block: 'center'})", i)
                    out = page.evaluate(_MEASURE, [i, j, moves + 1])
                    if out is None:
                        continue
                    label = out["name"]
                    first.append(out["times"][0])
                    per_explorable.extend(out["times"][1:])
                if label is not None and per_explorable:
                    results[f"{Path(name).name}/{label}"] = (np.array(per_explorable), np.array(first))
            context.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30, help="timed moves per control (default 30)")
    parser.add_argument("--page", action="append", help="a page of the toc, e.g. chapters/qkd (repeatable)")
    args = parser.parse_args()
    if not (HTML / "index.html").exists():
        sys.exit("no built book in _build/html: run `make book` first")
    pages = args.page or [n for n in toc_files() if n.startswith("chapters/")]
    results = measure(pages, args.moves)
    print(f"Static explorables, headless Chromium, input to painted (target p95 <= {TARGET_P95_MS:.1f} ms)")
    print(f"{'page/explorable':<46} {'moves':>5} {'median ms':>9} {'p95 ms':>7} {'first ms':>8}  ok")
    all_times = []
    for key, (times, first) in results.items():
        p95 = float(np.percentile(times, 95))
        all_times.append(times)
        ok = "yes" if p95 <= TARGET_P95_MS else "NO"
        print(f"{key:<46} {times.size:>5} {np.median(times):>9.1f} {p95:>7.1f} {np.max(first):>8.1f}  {ok}")
    if all_times:
        every = np.concatenate(all_times)
        print(f"{'all explorables':<46} {every.size:>5} {np.median(every):>9.1f} "
              f"{np.percentile(every, 95):>7.1f}")


if __name__ == "__main__":
    main()
