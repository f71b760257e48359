"""The whole book: a clean build with warnings as errors, then the built site
opened in a real browser (Debian's Chromium, headless, offline).

The build goes into a fresh temporary folder, so no execution cache can hide a
stale output and no earlier ``_build`` is reused. It starts in the background as
soon as the tests are collected (tests/conftest.py, ``_book.start_build``), and
this module runs after the others.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from _book import ROOT, chromium, serve_directory, start_build, toc_files

pytestmark = pytest.mark.book  # `pytest -m "not book"` skips the build for a quick loop
BACKGROUND_BUILD = "book"  # started when the tests are collected (tests/conftest.py)


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The clean build of the book into a temporary folder (``jupyter-book build ROOT
    --path-output OUT -W -n --keep-going``): (html dir, build log, exit code)."""
    build = start_build("book", tmp_path_factory)  # started already, unless run alone
    returncode, log = build.wait(timeout=1200)
    return build.out / "_build" / "html", log, returncode


def test_book_builds_clean_without_warnings(build):
    html, log, returncode = build
    # Sphinx reports "WARNING: ..." / "ERROR: ..."; ipykernel 7 also logs a
    # "[IPKernelApp] WARNING | Kernel is running over TCP" notice that is not a build problem.
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)  # Sphinx colours its output even into a pipe
    problems = [line for line in log.splitlines() if re.search(r"(WARNING|ERROR|CRITICAL):", line)]
    assert returncode == 0 and not problems, "build failed or warned:\n" + "\n".join(problems or log.splitlines()[-40:])
    for name in toc_files():
        assert (html / f"{name}.html").exists(), f"{name}.html was not built"


def _pages(html: Path) -> list[Path]:
    return [html / f"{name}.html" for name in toc_files()]


def test_pages_reference_nothing_off_site(build):
    """Every script, stylesheet, font and image the pages load is served by the site."""
    html, _, _ = build
    for page in _pages(html):
        text = page.read_text()
        for match in re.finditer(r"<(script|link|img|iframe)\b[^>]*?\b(src|href)=\"([^\"]+)\"", text):
            tag, _, url = match.groups()
            if tag == "link" and re.search(r'rel="(canonical|next|prev|index|search)"', match.group(0)):
                continue
            assert not re.match(r"(https?:)?//", url), f"{page.name} loads {url} from the internet"


def test_instructor_edition_shows_every_solution(build):
    """The search that finds no solution in the student edition (test_student_edition.py)
    finds every solution's distinctive content in this, the instructor edition: it can
    see a solution when there is one."""
    from _solutions import needles, page_text

    html, _, _ = build
    for name in toc_files():
        if name.startswith("chapters/"):
            page = page_text((html / f"{name}.html").read_text())
            solution, _ = needles(ROOT / f"{name}.md")
            unseen = [needle for _, needle in solution if needle not in page]
            assert solution and not unseen, f"{name}: {unseen[:3]}"


def test_plotly_js_is_served_once_per_page(build):
    html, _, _ = build
    assert (html / "_static" / "plotly.min.js").stat().st_size > 1_000_000
    for page in _pages(html):
        scripts = re.findall(r"<script[^>]*src=\"[^\"]*plotly[^\"]*\.js[^\"]*\"", page.read_text())
        assert len(scripts) == 1, f"{page.name} loads plotly.js {len(scripts)} times"


# --- the browser --------------------------------------------------------------


@pytest.fixture(scope="module")
def site(build):
    """Serve the built site on 127.0.0.1 for the module."""
    html, log, returncode = build
    if returncode != 0:
        pytest.fail("the book did not build; see test_book_builds_clean_without_warnings")
    with serve_directory(html) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


PHONE = dict(viewport={"width": 400, "height": 800}, has_touch=True, is_mobile=True)


def _open(browser, url, *, theme=None, **context_options):
    """Open url offline: every request not to 127.0.0.1 is blocked and recorded.

    ``theme`` ("light" or "dark") is the reader's stored choice of the theme's
    toggle; ``context_options`` (a viewport, touch) go to Playwright's context."""
    context = browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | context_options))
    if theme is not None:
        # what the theme's toggle stores; the theme reads it before the page is drawn
        context.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}')")
    blocked, errors = [], []

    def route(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a file the site itself lacks (a 404) counts as a console error too
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.wait_for_function("() => document.readyState === 'complete'")
    return context, page, blocked, errors


# Reads the plotted data of a figure (gd.data as JSON) by its index in the page.
_FIGURE_DATA = """(i) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[i];
  return JSON.stringify([gd.data, (gd.layout.title || {}).text || '']);
}"""

_FIGURES_STATE = """() => {
  const pending = [...document.querySelectorAll('.plotly-graph-div, .qlib-explorable')]
    .filter(el => !(el.matches('.js-plotly-plot') || el.querySelector('.js-plotly-plot')));
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  return {
    pending: pending.length,
    plots: plots.length,
    empty: plots.filter(gd => !gd.data || gd.data.length === 0 || !gd.querySelector('.main-svg')).length,
    explorables: document.querySelectorAll('.qlib-explorable').length,
  };
}"""

# Moves control j of explorable i to another value (as a reader would), firing
# the events a reader's drag or pick fires. Returns a description, or null when
# the control has a single value.
_MOVE_CONTROL = """([i, j]) => {
  const ex = document.querySelectorAll('.qlib-explorable')[i];
  const controls = [...ex.querySelectorAll('input[type=range], select, fieldset, [role=radiogroup]')];
  const c = controls[j];
  if (c.matches('input[type=range]')) {
    const min = +c.min, max = +c.max, step = +(c.step || 1), v = +c.value;
    const next = v + step <= max ? v + step : v - step;
    if (next < min) return null;
    c.value = String(next);
    c.dispatchEvent(new Event('input', {bubbles: true}));
    c.dispatchEvent(new Event('change', {bubbles: true}));
    return c.name || c.id || 'range';
  }
  if (c.matches('select')) {
    if (c.options.length < 2) return null;
    c.selectedIndex = (c.selectedIndex + 1) % c.options.length;
    c.dispatchEvent(new Event('input', {bubbles: true}));
    c.dispatchEvent(new Event('change', {bubbles: true}));
    return c.name || c.id || 'select';
  }
  const radios = [...c.querySelectorAll('input[type=radio]')];
  if (radios.length < 2) return null;
  const k = radios.findIndex(r => r.checked);
  radios[(k + 1) % radios.length].click();
  return radios[0].name || 'radio';
}"""

# The flat grid index an explorable last drew (explorable.js sets data-qlib-index).
_DRAWN_INDEX = """(i) => document.querySelectorAll('.qlib-explorable')[i].dataset.qlibIndex"""

_CONTROL_COUNT = """(i) => document.querySelectorAll('.qlib-explorable')[i]
  .querySelectorAll('input[type=range], select, fieldset, [role=radiogroup]').length"""

_FIGURE_INDEX = """(i) => {
  const ex = document.querySelectorAll('.qlib-explorable')[i];
  return [...document.querySelectorAll('.js-plotly-plot')].indexOf(ex.querySelector('.js-plotly-plot'));
}"""


@pytest.mark.parametrize("name", toc_files())
def test_page_loads_offline_and_every_figure_renders(browser, site, name):
    context, page, blocked, errors = _open(browser, f"{site}/{name}.html")
    try:
        page.wait_for_function("() => window.Plotly !== undefined", timeout=10_000)
        page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
        state = page.evaluate(_FIGURES_STATE)
        assert state["empty"] == 0, f"{state['empty']} figure(s) without data or without a drawing"
        if name.startswith("chapters/"):
            assert state["explorables"] >= 1, "a chapter without any explorable"
        page.wait_for_timeout(300)  # let late errors (fonts, MathJax) surface
        assert not blocked, f"requests off the site: {blocked}"
        assert not errors, f"console errors: {errors}"
    finally:
        context.close()


@pytest.mark.parametrize("name", [n for n in toc_files() if n.startswith("chapters/")])
def test_every_static_control_changes_its_figure(browser, site, name):
    context, page, blocked, errors = _open(browser, f"{site}/{name}.html")
    try:
        page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
        n_explorables = page.evaluate("() => document.querySelectorAll('.qlib-explorable').length")
        moved = 0
        for i in range(n_explorables):
            figure = page.evaluate(_FIGURE_INDEX, i)
            assert figure >= 0, f"explorable {i} has no rendered figure"
            hash_before = page.evaluate("() => location.hash")
            for j in range(page.evaluate(_CONTROL_COUNT, i)):
                before = page.evaluate(_FIGURE_DATA, figure)
                drawn = page.evaluate(_DRAWN_INDEX, i)
                control = page.evaluate(_MOVE_CONTROL, [i, j])
                if control is None:
                    continue
                page.wait_for_function(f"() => ({_DRAWN_INDEX})({i}) !== {drawn!r}", timeout=5_000)
                after = page.evaluate(_FIGURE_DATA, figure)
                assert after != before, f"explorable {i}: moving control {control!r} did not change the figure"
                moved += 1
            if page.evaluate(_CONTROL_COUNT, i):
                page.wait_for_timeout(400)  # the hash is written after a short debounce
                assert page.evaluate("() => location.hash") != hash_before, f"explorable {i}: URL hash not updated"
        assert moved >= 1, "no control to move on a chapter page"
        assert not errors, f"console errors: {errors}"
    finally:
        context.close()


def test_setting_in_url_is_restored(browser, site):
    """A link carrying a setting reproduces the same figure in a new page."""
    name = next(n for n in toc_files() if n.startswith("chapters/"))
    context, page, _, _ = _open(browser, f"{site}/{name}.html")
    try:
        page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
        figure = page.evaluate(_FIGURE_INDEX, 0)
        default = page.evaluate(_FIGURE_DATA, figure)
        drawn = page.evaluate(_DRAWN_INDEX, 0)
        assert page.evaluate(_MOVE_CONTROL, [0, 0]) is not None
        page.wait_for_function(f"() => ({_DRAWN_INDEX})(0) !== {drawn!r}", timeout=5_000)
        page.wait_for_timeout(400)  # the hash is written after a short debounce
        moved = page.evaluate(_FIGURE_DATA, figure)
        shared_url = page.url
        assert "#" in shared_url and moved != default
    finally:
        context.close()
    context, page, _, errors = _open(browser, shared_url)
    try:
        page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
        page.wait_for_timeout(150)
        assert page.evaluate(_FIGURE_DATA, page.evaluate(_FIGURE_INDEX, 0)) == moved
        assert not errors
    finally:
        context.close()


# --- every reader's screen: phones, dark mode, screen readers -------------------

# Elements of the article that run past the viewport's right edge without a
# box that scrolls them sideways (code blocks, tables, wide figures have one).
_OVERFLOWING = """() => {
  const W = document.documentElement.clientWidth;
  const contained = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden') && a.getBoundingClientRect().right <= W + 1) return true;
    }
    return false;
  };
  return [...document.querySelectorAll('.bd-article *')]
    .filter(el => el.getBoundingClientRect().right > W + 1 && el.getClientRects().length && !contained(el))
    .map(el => el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40) + ': ' +
               (el.textContent || '').trim().slice(0, 50));
}"""

_CONTROLS_OUTSIDE = """() => [...document.querySelectorAll('.qlib-explorable')].flatMap(ex => {
  const box = ex.getBoundingClientRect();
  return [...ex.querySelectorAll('.qlib-control, .qlib-control-input, output, label')]
    .filter(c => { const r = c.getBoundingClientRect(); return r.left < box.left - 0.5 || r.right > box.right + 0.5; })
    .map(c => ex.dataset.qlibName + ': ' + (c.id || c.className)); })"""

_SMALL_TARGETS = """() => [...document.querySelectorAll('.qlib-explorable .qlib-control-input')]
  .filter(c => c.getBoundingClientRect().height < 44).map(c => c.id)"""

_AXES = """(i) => { const l = document.querySelectorAll('.js-plotly-plot')[i]._fullLayout;
  return Object.keys(l).filter(k => /^[xy]axis\\d*$/.test(k)).map(k => [k, (l[k].range || []).slice()]); }"""


def _swipe(context, page, x, y, dy, steps=10):
    """A finger's vertical swipe by dy pixels (negative: up), as the browser's touch input."""
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y + dy * k / steps}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


@pytest.mark.parametrize("name", toc_files())
def test_on_a_phone_a_page_fits_and_a_swipe_over_a_figure_scrolls_it(browser, site, name):
    """At 400 px with touch: nothing runs off the screen, controls stay in their box
    with touch targets of 44 px, no toolbar, and a vertical swipe over each figure
    scrolls the page and leaves the figure's axes as they were."""
    context, page, blocked, errors = _open(browser, f"{site}/{name}.html", **PHONE)
    try:
        page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
        page.wait_for_timeout(500)
        assert page.evaluate(_OVERFLOWING) == []
        assert page.evaluate(_CONTROLS_OUTSIDE) == []
        assert page.evaluate(_SMALL_TARGETS) == []
        assert page.evaluate("""() => [...document.querySelectorAll('.modebar-container')]
            .filter(m => getComputedStyle(m).display !== 'none').length""") == 0
        # side-by-side panels are stacked (unless the figure scrolls sideways in its own box)
        side_by_side = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .filter(gd => !gd.closest('.qlib-scrolls'))
            .filter(gd => Object.keys(gd._fullLayout).some(k => /^xaxis\\d*$/.test(k) &&
                           gd._fullLayout[k].domain[1] - gd._fullLayout[k].domain[0] < 0.9))
            .map(gd => (gd.closest('.qlib-explorable') || {dataset: {}}).dataset.qlibName || gd.id)""")
        assert side_by_side == [], f"panels side by side on a phone: {side_by_side}"
        for i in range(page.evaluate("() => document.querySelectorAll('.js-plotly-plot').length")):
            page.evaluate("i => document.querySelectorAll('.js-plotly-plot')[i].scrollIntoView({block: 'start'})", i)
            page.wait_for_timeout(150)
            box = page.locator(".js-plotly-plot").nth(i).bounding_box()
            room = page.evaluate("() => document.documentElement.scrollHeight - innerHeight - scrollY")
            dy = -250 if room > 150 else 250  # towards the end of the page, or back at its end
            y = max(min(box["y"] + box["height"] / 2, 800 - 40 + min(dy, 0)) , 40 + max(dy, 0))
            axes, before = page.evaluate(_AXES, i), page.evaluate("() => scrollY")
            _swipe(context, page, box["x"] + box["width"] / 2, y, dy)
            page.wait_for_timeout(300)
            assert abs(page.evaluate("() => scrollY") - before) > 50, f"figure {i} kept the swipe"
            assert page.evaluate(_AXES, i) == axes, f"figure {i} zoomed or panned instead of scrolling"
        assert not blocked and not errors, (blocked, errors)
    finally:
        context.close()


@pytest.mark.parametrize("name", toc_files())
def test_in_dark_mode_no_figure_is_painted_on_white(browser, site, name):
    context, page, blocked, errors = _open(browser, f"{site}/{name}.html", theme="dark")
    try:
        page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .every(gd => gd._fullLayout.paper_bgcolor === 'rgba(0,0,0,0)')""", timeout=5_000)
        painted = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
            const out = [];
            for (let a = gd; a && a !== document.body; a = a.parentElement) {
              const bg = getComputedStyle(a).backgroundColor;
              const m = bg.match(/rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?/);
              if (m && (m[4] === undefined || +m[4] > 0.1) && (+m[1] + +m[2] + +m[3]) / 3 > 128)
                out.push(a.tagName + '.' + String(a.className).slice(0, 30) + ' ' + bg);
            }
            return out; })""")
        assert painted == [], f"light backgrounds behind figures: {painted[:3]}"
        assert not blocked and not errors, (blocked, errors)
    finally:
        context.close()


@pytest.mark.parametrize("name", toc_files())
def test_every_figure_and_control_has_an_accessible_name(browser, site, name):
    context, page, _, errors = _open(browser, f"{site}/{name}.html")
    try:
        page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
        page.wait_for_timeout(300)
        unnamed = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => {
            if (gd.getAttribute('role') !== 'img') return true;
            const ids = (gd.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
            const text = ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
            return text.length < 3; }).length""")
        assert unnamed == 0, f"{unnamed} figure(s) without an accessible name"
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('.qlib-explorable .qlib-control-input')]
            .filter(c => !(c.labels && c.labels.length && c.labels[0].textContent.trim())).map(c => c.id)""")
        assert unlabelled == []
        assert not errors
    finally:
        context.close()


# WCAG 2.1 contrast of a text element's colour against the first opaque background
# behind it (ancestors' background colours composited over the page's).
_LOW_CONTRAST = """() => {
  const rgba = c => { const m = c.match(/rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?/);
                      return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => {
    const layers = [];
    for (let a = el; a; a = a.parentElement) {
      const c = rgba(getComputedStyle(a).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    for (const [r, g, b, al] of layers.reverse()) out = [r * al + out[0] * (1 - al), g * al + out[1] * (1 - al), b * al + out[2] * (1 - al)];
    return out;
  };
  const sel = '.qlib-explorable label, .qlib-explorable output, .qlib-explorable select, .qlib-explorable-caption, ' +
              '.qlib-explorable-result, .qlib-figure-result, .qlib-scroll-cue, .bd-article p, .bd-article li';
  return [...document.querySelectorAll(sel)].filter(el => el.getClientRects().length && el.textContent.trim() &&
      getComputedStyle(el).visibility !== 'hidden' && !el.closest('.qlib-explorable-result:not(:only-child)'))
    .map(el => { const fg = rgba(getComputedStyle(el).color), bg = background(el);
                 const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
                 return [(a + 0.05) / (b + 0.05), el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 30) + ': ' + el.textContent.trim().slice(0, 40)]; })
    .filter(([ratio]) => ratio < 4.5).map(([ratio, what]) => ratio.toFixed(2) + ' ' + what).slice(0, 10);
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_meets_wcag_aa_contrast_in_both_themes(browser, site, theme):
    """Prose, captions, controls and result lines: contrast >= 4.5:1 (WCAG 2.1 AA) on
    every chapter page, light and dark (the figures' own text is Plotly's)."""
    low = {}
    for name in toc_files():
        context, page, _, _ = _open(browser, f"{site}/{name}.html", theme=theme)
        try:
            page.wait_for_function(f"() => ({_FIGURES_STATE})().pending === 0", timeout=20_000)
            page.wait_for_timeout(300)
            found = page.evaluate(_LOW_CONTRAST)
            if found:
                low[name] = found
        finally:
            context.close()
    assert low == {}, f"text under 4.5:1 contrast ({theme}): {low}"
