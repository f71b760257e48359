"""The explorables' static rendering in a real browser, independent of the book.

A page holding two explorables' ``static_html()`` (one with two sliders and a
choice acting together) is served from a temporary folder on 127.0.0.1 with
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
    fig.update_layout(title=dict(text="decay"))
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

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>explorables</title>
<link rel="stylesheet" href="explorable.css">
<script src="plotly.min.js"></script>
<script defer src="explorable.js"></script>
</head><body>
<h1 id="top">Explorables</h1>
{one}
<p>Between the two.</p>
{two}
</body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("explorables-site")
    (root / "index.html").write_text(
        PAGE.format(one=ONE.static_html(), two=TWO.static_html()), encoding="utf-8"
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

    def __init__(self, browser):
        self.context = browser.new_context()
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
