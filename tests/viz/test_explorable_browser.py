"""The explorables' static rendering in a real browser, independent of the book.

A page holding two explorables' ``static_html()`` (one with two sliders and a
choice acting together) and a plain figure as a chapter's ``fig.show()`` draws it is served from a temporary folder on 127.0.0.1 with
plotly.js taken from the installed plotly package and qlib's assets, and driven
with Playwright in Debian's Chromium. Every request to another host is blocked.
"""

from __future__ import annotations

import shutil
import urllib.parse

import numpy as np
import plotly.graph_objects as go
import pytest

from _book import chromium, serve_directory
from qlib.viz.explorable import Choice, Explorable, Slider
from qlib.viz.static import ASSETS_DIR, plotly_js_path
from qlib.viz.style import BookRenderer, style_figure


X = np.linspace(0.0, 10.0, 60)


def noisy_curves(p, length, basis="Z"):
    """Three traces depending on all three controls together."""
    scale = 1.0 if basis == "Z" else 0.5
    fig = go.Figure()
    fig.add_scatter(x=X, y=scale * (1 - p) * np.exp(-X * length / 50), name="signal")
    fig.add_scatter(x=X, y=np.cos(X * (1 + p)) * scale, name="cos")
    fig.add_scatter(x=X, y=p + 0 * X + length / 100, name="level")
    fig.update_layout(title=dict(text=f"p = {p:.2f}, L = {length} km, basis {basis}"))
    return fig


def single_curve(gamma):
    fig = go.Figure(go.Scatter(x=X, y=np.exp(-gamma * X), name="decay"))
    # a drawing that cannot shrink below 640 px (as finish(..., min_width=640) marks it)
    fig.update_layout(title=dict(text="decay"), meta={"qlib": {"min_width": 640}})
    return fig


ONE = Explorable(
    noisy_curves,
    [
        Slider("p", 0.0, 0.5, 0.05, default=0.1, label="noise p"),
        Slider("length", 0, 100, 20, unit="km", default=40),
        Choice("basis", ["Z", "X"]),
    ],
    name="ex-one",
    caption="Two sliders and a choice acting together.",
)
TWO = Explorable(single_curve, [Slider("gamma", 0.1, 1.0, 0.1, default=0.5)], name="ex-two")


def plain_figure_html():
    """A chapter's plain figure (title carrying a result, one black trace) as the book renders it."""
    fig = style_figure(go.Figure(go.Scatter(x=X, y=np.sqrt(X), name="sqrt", line=dict(color="#000000"))))
    fig.update_layout(title=dict(text="Plain: satellite beats fibre <b>beyond 291 km</b><br>at night"), height=420)
    return BookRenderer().to_mimebundle(fig.to_dict())["text/html"]


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>explorables</title>
<link rel="stylesheet" href="explorable.css">
<script src="plotly.min.js"></script>
<script defer src="explorable.js"></script>
</head><body>
<h1 id="top">Explorables</h1>
{one}
<p>Between the two.</p>
{two}
<div class="plain">{plain}</div>
<p>{filler}</p>
</body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("explorables-site")
    (root / "index.html").write_text(
        PAGE.format(one=ONE.static_html(), two=TWO.static_html(), plain=plain_figure_html(),
                    filler="Text after the figures, so that the page can scroll. " * 200),
        encoding="utf-8",
    )
    shutil.copyfile(plotly_js_path(), root / "plotly.min.js")
    for name in ("explorable.js", "explorable.css"):
        shutil.copyfile(ASSETS_DIR / name, root / name)
    with serve_directory(root) as url:
        yield f"{url}/index.html"


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


class Page:
    """A fresh page with console messages and blocked requests recorded."""

    def __init__(self, browser, **context_options):
        self.context = browser.new_context(**context_options)
        self.messages: list[str] = []
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: self.messages.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None,
        )
        self.page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))

    def _route(self, route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url):
        self.page.goto(url)
        self.page.wait_for_selector(".qlib-explorable[data-qlib-name='ex-one'][data-qlib-ready]")
        self.page.wait_for_selector(".qlib-explorable[data-qlib-name='ex-two'][data-qlib-ready]")
        self.page.wait_for_selector(".plain .js-plotly-plot .main-svg")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser):
    page = Page(browser)
    yield page
    page.close()


def figure_data(page, name):
    return page.evaluate(
        """name => {
            const gd = document.querySelector(
                `.qlib-explorable[data-qlib-name="${name}"] .qlib-explorable-figure`);
            return {
                data: gd.data.map(t => ({x: Array.from(t.x), y: Array.from(t.y), name: t.name})),
                title: gd.layout.title && gd.layout.title.text,
            };
        }""",
        name,
    )


def state(page, name):
    return page.evaluate(
        """name => {
            const el = document.querySelector(`.qlib-explorable[data-qlib-name="${name}"]`);
            const out = {};
            el.querySelectorAll('[data-qlib-control]').forEach(n => {
                if (n.tagName === 'INPUT' || n.tagName === 'SELECT') {
                    const row = n.closest('.qlib-control');
                    const o = row.querySelector('output');
                    out[n.name] = {value: n.value, readout: o ? o.textContent : null};
                }
            });
            out.index = el.getAttribute('data-qlib-index');
            return out;
        }""",
        name,
    )


def assert_matches(drawn, fig):
    assert len(drawn["data"]) == len(fig.data)
    for trace, expected in zip(drawn["data"], fig.data):
        np.testing.assert_allclose(trace["x"], expected.x, rtol=0, atol=1e-4 * np.abs(expected.x).max())
        np.testing.assert_allclose(trace["y"], expected.y, rtol=0, atol=1e-4 * max(np.abs(expected.y).max(), 1e-300))
    assert drawn["title"] == fig.layout.title.text


def wait_index_change(page, name, old):
    page.wait_for_function(
        """([name, old]) => document.querySelector(
            `.qlib-explorable[data-qlib-name="${name}"]`).getAttribute('data-qlib-index') !== old""",
        arg=[name, old],
    )


def test_both_render_without_console_errors(site, tab):
    page = tab.open(site)
    for ex in (ONE, TWO):
        drawn = figure_data(page, ex.name)
        assert_matches(drawn, ex.figure_for())
        assert page.is_visible(f".qlib-explorable[data-qlib-name='{ex.name}'] .qlib-explorable-controls")
        plot = page.locator(f".qlib-explorable[data-qlib-name='{ex.name}'] .js-plotly-plot")
        assert plot.count() == 1
        assert plot.bounding_box()["height"] >= 400  # the responsive plot has room to draw
    assert state(page, "ex-one")["p"] == {"value": "2", "readout": "0.10"}
    assert state(page, "ex-one")["length"]["readout"] == "40 km"
    page.wait_for_timeout(300)
    assert tab.messages == []
    assert tab.blocked == []


def test_every_control_changes_figure_readout_and_hash(site, tab):
    page = tab.open(site)
    root = ".qlib-explorable[data-qlib-name='ex-one']"
    moves = [
        ("p", lambda: page.focus(f"{root} input[name=p]") or page.keyboard.press("ArrowRight")),
        ("length", lambda: page.focus(f"{root} input[name=length]") or page.keyboard.press("ArrowLeft")),
        ("basis", lambda: page.select_option(f"{root} select[name=basis]", "1")),
    ]
    for control, move in moves:
        before_data = figure_data(page, "ex-one")
        before_state = state(page, "ex-one")
        move()
        wait_index_change(page, "ex-one", before_state["index"])
        after_data = figure_data(page, "ex-one")
        after_state = state(page, "ex-one")
        assert after_data != before_data, control
        assert after_state[control]["value"] != before_state[control]["value"]
        if control != "basis":
            assert after_state[control]["readout"] != before_state[control]["readout"]
    # all three controls act together on the one figure
    assert_matches(figure_data(page, "ex-one"), ONE.figure_for(p=0.15, length=20, basis="X"))
    assert state(page, "ex-one")["p"]["readout"] == "0.15"
    assert state(page, "ex-one")["length"]["readout"] == "20 km"
    page.wait_for_function("location.hash.length > 1")
    assert page.evaluate("location.hash") == "#ex-one.p=0.15&ex-one.length=20&ex-one.basis=X"
    # the other explorable joins the hash when it moves
    old = state(page, "ex-two")["index"]
    page.focus(".qlib-explorable[data-qlib-name='ex-two'] input[name=gamma]")
    page.keyboard.press("End")
    wait_index_change(page, "ex-two", old)
    assert_matches(figure_data(page, "ex-two"), TWO.figure_for(gamma=1.0))
    page.wait_for_function("location.hash.includes('ex-two')")
    assert page.evaluate("location.hash").endswith("&ex-two.gamma=1")
    assert tab.messages == []


def test_hash_on_load_sets_controls_and_figure(site, tab):
    page = tab.open(site + "#ex-one.p=0.3&ex-one.basis=X&ex-two.gamma=0.2")
    assert_matches(figure_data(page, "ex-one"), ONE.figure_for(p=0.3, basis="X"))
    assert_matches(figure_data(page, "ex-two"), TWO.figure_for(gamma=0.2))
    s = state(page, "ex-one")
    assert s["p"] == {"value": "6", "readout": "0.30"}
    assert s["basis"]["value"] == "1"
    assert s["length"]["readout"] == "40 km"
    # a later change of the hash (back/forward, edited link) is followed too
    old = state(page, "ex-one")["index"]
    page.evaluate("location.hash = '#ex-one.length=100'")
    wait_index_change(page, "ex-one", old)
    assert_matches(figure_data(page, "ex-one"), ONE.figure_for(length=100))
    assert tab.messages == []


HOSTILE = (
    "#nope.p=0.2&ex-one.nope=1&ex-one.p=0.33&ex-one.length=1e999&ex-one.basis=%3Cimg%20src%3Dx"
    "%20onerror%3Dwindow.__pwned%3D1%3E&ex-two.gamma=%3Cimg src=x onerror=window.__pwned=1%3E"
    "&%E0%A4%A=1&ex-one.p&=&ex-one.__proto__=1&__proto__.p=1&ex-two.gamma=0.55"
)


def test_hostile_hash_changes_nothing_and_injects_nothing(site, tab):
    page = tab.open(site + HOSTILE)
    assert_matches(figure_data(page, "ex-one"), ONE.figure_for())
    assert_matches(figure_data(page, "ex-two"), TWO.figure_for())
    assert state(page, "ex-one")["p"]["value"] == "2"
    # and the same after load, through hashchange
    page.evaluate("location.hash = '#ex-one.basis=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E'")
    page.wait_for_timeout(200)
    assert_matches(figure_data(page, "ex-one"), ONE.figure_for())
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0
    assert page.evaluate("({}).p") is None
    assert tab.messages == []


def test_a_burst_of_input_is_drawn_at_once_then_once_more_with_the_last_setting(site, tab):
    """Coalescing: the first change of a frame is drawn inside its event; the rest of
    the burst waits for the next frame and is drawn once, at the latest setting; a
    ``change`` that repeats the drawn setting draws nothing."""
    page = tab.open(site)
    out = page.evaluate(
        """async () => {
            const el = document.querySelector('.qlib-explorable[data-qlib-name="ex-one"]');
            const input = el.querySelector('input[name=p]');
            const gd = el.querySelector('.qlib-explorable-figure');
            let draws = 0, framePassed = false, inEvent = null;
            gd.on('plotly_afterplot', () => {
                draws += 1;
                if (inEvent === null) inEvent = {framePassed, title: gd.layout.title.text};
            });
            const frame = () => new Promise(r => requestAnimationFrame(() => r()));
            await frame(); await frame();
            draws = 0;
            inEvent = null;
            const before = el.dataset.qlibIndex;
            for (const v of [3, 4, 5, 6, 7]) {
                input.value = String(v);
                input.dispatchEvent(new Event('input', {bubbles: true}));
            }
            requestAnimationFrame(() => { framePassed = true; });
            await frame(); await frame(); await frame();
            const afterBurst = {draws, index: el.dataset.qlibIndex};
            input.dispatchEvent(new Event('change', {bubbles: true}));
            await frame(); await frame(); await frame();
            return {before, inEvent, afterBurst, afterChange: {draws, index: el.dataset.qlibIndex}};
        }"""
    )
    # grid index of (p, length, basis) = (p * 6 + length) * 2 + basis; length 40 km is 2, basis Z is 0
    index = lambda p: str((p * 6 + 2) * 2)  # noqa: E731
    assert out["before"] == index(2)
    # the first change is drawn before the next frame: its figure is on screen in this one
    assert out["inEvent"]["framePassed"] is False
    assert out["inEvent"]["title"] == "p = 0.15, L = 40 km, basis Z"  # p = 3 x 0.05, the first change
    assert out["afterBurst"] == {"draws": 2, "index": index(7)}  # one more drawing, the latest setting
    assert out["afterChange"] == out["afterBurst"]  # nothing new to draw
    assert state(page, "ex-one")["p"] == {"value": "7", "readout": "0.35"}
    assert tab.messages == []


# ---------------------------------------------------------------- the reader's screen

PHONE = dict(viewport={"width": 400, "height": 800}, has_touch=True, is_mobile=True)

_LOOKS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
    paper: gd._fullLayout.paper_bgcolor, plot: gd._fullLayout.plot_bgcolor,
    ink: gd._fullLayout.font.color, grid: gd._fullLayout.xaxis.gridcolor,
    lines: gd._fullData.map(t => t.line && t.line.color),
    title: gd._fullLayout.title.text, dragmode: gd._fullLayout.dragmode,
}))"""


def set_theme(page, theme):
    page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)


def test_dark_mode_follows_the_theme_toggle_live_and_back(site, tab):
    page = tab.open(site)
    light = page.evaluate(_LOOKS)
    assert len(light) == 3 and all(f["paper"] == "white" and f["ink"] == "#222222" for f in light)
    set_theme(page, "dark")
    page.wait_for_function(f"() => ({_LOOKS})().every(f => f.paper === 'rgba(0,0,0,0)')")
    dark = page.evaluate(_LOOKS)
    for before, after in zip(light, dark):
        assert after["plot"] == "rgba(0,0,0,0)"
        # the theme's text colour (the page defines none here: the script's fallback, the theme's value)
        assert after["ink"] == "#ced6dd" and after["grid"] != before["grid"]
        assert after["title"] == before["title"]  # what the figure says is unchanged
    # the plain figure's black trace would vanish on a dark page: drawn in the text colour
    assert light[2]["lines"] == ["#000000"] and dark[2]["lines"] == ["#ced6dd"]
    assert dark[0]["lines"] == light[0]["lines"]  # coloured traces keep their colours
    set_theme(page, "light")
    page.wait_for_function(f"() => ({_LOOKS})().every(f => f.paper === 'white')")
    assert page.evaluate(_LOOKS) == light
    assert not tab.messages, tab.messages


def test_a_control_moved_in_dark_mode_draws_dark(site, tab):
    page = tab.open(site)
    set_theme(page, "dark")
    page.wait_for_function(f"() => ({_LOOKS})()[0].paper === 'rgba(0,0,0,0)'")
    old = state(page, "ex-one")["index"]
    page.focus(".qlib-explorable[data-qlib-name='ex-one'] input[name=p]")
    page.keyboard.press("ArrowRight")
    wait_index_change(page, "ex-one", old)
    assert page.evaluate(_LOOKS)[0]["paper"] == "rgba(0,0,0,0)"


def _axis_ranges(page, i):
    return page.evaluate(
        """i => { const l = document.querySelectorAll('.js-plotly-plot')[i]._fullLayout;
                  return [l.xaxis.range.slice(), l.yaxis.range.slice()]; }""", i)


def _swipe_up(tab, x, y, distance=250, steps=10):
    """A finger's vertical swipe, as the browser's touch input (not synthetic DOM events)."""
    cdp = tab.context.new_cdp_session(tab.page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchMove", "touchPoints": [{"x": x, "y": y - distance * k / steps}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_on_a_phone_a_vertical_swipe_over_a_figure_scrolls_the_page(browser, site):
    tab = Page(browser, **PHONE)
    try:
        page = tab.open(site)
        n = page.evaluate("() => document.querySelectorAll('.js-plotly-plot').length")
        for i in range(n):
            page.evaluate("i => document.querySelectorAll('.js-plotly-plot')[i].scrollIntoView({block: 'start'})", i)
            page.wait_for_timeout(100)
            box = page.locator(".js-plotly-plot").nth(i).bounding_box()
            ranges = _axis_ranges(page, i)
            before = page.evaluate("() => window.scrollY")
            _swipe_up(tab, box["x"] + box["width"] / 2, min(box["y"] + box["height"] * 0.6, 700))
            page.wait_for_timeout(300)
            assert page.evaluate("() => window.scrollY") > before + 50, f"figure {i} kept the swipe"
            assert _axis_ranges(page, i) == ranges, f"figure {i} zoomed instead of scrolling"
        assert not tab.messages, tab.messages
    finally:
        tab.close()


def test_on_a_phone_everything_fits_and_the_result_wraps_above_the_plot(browser, site):
    tab = Page(browser, **PHONE)
    try:
        page = tab.open(site)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 400
        outside = page.evaluate(
            """() => [...document.querySelectorAll('.qlib-explorable')].flatMap(ex => {
                const box = ex.getBoundingClientRect();
                return [...ex.querySelectorAll('.qlib-control, .qlib-control-input, output, label')]
                  .filter(c => { const r = c.getBoundingClientRect();
                                 return r.left < box.left - 0.5 || r.right > box.right + 0.5; })
                  .map(c => c.outerHTML.slice(0, 80)); })""")
        assert outside == []
        small = page.evaluate(
            """() => [...document.querySelectorAll('.qlib-control-input')]
                 .filter(c => c.getBoundingClientRect().height < 44).map(c => c.id)""")
        assert small == [], f"touch targets under 44 px: {small}"
        visible_toolbars = page.evaluate(
            """() => [...document.querySelectorAll('.modebar-container')]
                 .filter(m => getComputedStyle(m).display !== 'none').length""")
        assert visible_toolbars == 0
        looks = page.evaluate(_LOOKS)
        assert all(f["title"] == "" and f["dragmode"] is False for f in looks)
        results = page.evaluate(
            """() => [...document.querySelectorAll('.qlib-explorable-result, .qlib-figure-result')].map(r => ({
                 lines: [...r.children].map(c => c.textContent),
                 height: r.getBoundingClientRect().height,
                 right: r.getBoundingClientRect().right}))""")
        assert [r["lines"] for r in results] == [
            ["p = 0.10, L = 40 km, basis Z"], ["decay"], ["Plain: satellite beats fibre beyond 291 km", "at night"]]
        assert all(r["height"] > 10 and r["right"] <= 400 for r in results)
        # the figure that cannot shrink scrolls sideways in its own box, with a cue; the other does not
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.qlib-explorable')].map(ex => {
                 const box = ex.querySelector('.qlib-explorable-scroll');
                 return {scrolls: box.classList.contains('qlib-scrolls'),
                         plot: box.querySelector('.js-plotly-plot').getBoundingClientRect().width,
                         cue: getComputedStyle(ex.querySelector('.qlib-scroll-cue')).display}; })""")
        assert boxes == [{"scrolls": False, "plot": boxes[0]["plot"], "cue": "none"},
                         {"scrolls": True, "plot": 640, "cue": "block"}]
        assert boxes[0]["plot"] < 400
        assert not tab.messages, tab.messages
    finally:
        tab.close()


def test_a_figure_that_cannot_shrink_does_not_scroll_on_a_wide_screen(site, tab):
    page = tab.open(site)
    box = page.locator(".qlib-explorable[data-qlib-name='ex-two'] .qlib-explorable-scroll")
    assert "qlib-scrolls" not in box.get_attribute("class")
    assert page.locator(".qlib-explorable[data-qlib-name='ex-two'] .qlib-scroll-cue").is_hidden()


def test_every_figure_is_named_by_its_result_and_caption(site, tab):
    page = tab.open(site)
    one = page.get_by_role("img", name="p = 0.10, L = 40 km, basis Z Two sliders and a choice acting together.")
    assert one.count() == 1
    assert page.get_by_role("img", name="decay").count() == 1
    assert page.get_by_role("img", name="Plain: satellite beats fibre beyond 291 km at night").count() == 1
    result = page.locator("#qlib-ex-one-result")
    assert result.get_attribute("aria-live") == "polite"
    old = state(page, "ex-one")["index"]
    page.focus(".qlib-explorable[data-qlib-name='ex-one'] input[name=p]")
    page.keyboard.press("ArrowRight")
    wait_index_change(page, "ex-one", old)
    assert result.text_content() == "p = 0.15, L = 40 km, basis Z"
    assert page.get_by_role("img", name="p = 0.15, L = 40 km, basis Z", exact=False).count() == 1
    # every control is labelled (its accessible name is its label)
    for label in ("noise p", "length", "basis", "gamma"):
        assert page.get_by_label(label, exact=True).count() == 1


def test_a_title_is_shown_as_text_never_as_markup(browser, tmp_path):
    """The result line is written with textContent: a title holding markup shows it as text."""
    fig = style_figure(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    fig.update_layout(title=dict(text='x <img src=x onerror="window.__owned=1"> &lt;b&gt;'))
    root = tmp_path
    (root / "index.html").write_text(
        PAGE.format(one=ONE.static_html(), two=TWO.static_html(),
                    plain=BookRenderer().to_mimebundle(fig.to_dict())["text/html"], filler=""),
        encoding="utf-8")
    shutil.copyfile(plotly_js_path(), root / "plotly.min.js")
    for name in ("explorable.js", "explorable.css"):
        shutil.copyfile(ASSETS_DIR / name, root / name)
    with serve_directory(root) as url:
        tab = Page(browser, **PHONE)
        try:
            page = tab.open(f"{url}/index.html")
            assert page.locator(".qlib-figure-result").text_content() == "x <b>"
            assert page.locator(".qlib-figure-result img").count() == 0
            assert page.evaluate("() => window.__owned") is None
        finally:
            tab.close()
