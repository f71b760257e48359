"""qlib.viz.explorable: declaration rules, live updates, the static payload."""

from __future__ import annotations

import base64
import html.parser
import json
import re
import zlib

import numpy as np
import plotly.graph_objects as go
import pytest

from qlib.viz.explorable import MAX_GRID_POINTS, Choice, Explorable, Slider

X = np.linspace(0.0, 100.0, 200)


def three_curves(p, length, basis="Z"):
    eta = 10 ** (-0.2 * length * X / 1000)
    scale = 1.0 if basis == "Z" else 0.5
    fig = go.Figure()
    fig.add_scatter(x=X, y=scale * ((1 - p) * np.exp(-X / (length + 10)) + p / 4), name="A")
    fig.add_scatter(x=X, y=np.sin(X / 15 + p) * np.exp(-length * X / 3e4), name="B")
    fig.add_scatter(x=X, y=1e3 * eta * (1 - p) + 1e-4, name="C")
    fig.update_layout(title=dict(text=f"p={p:.3f}, L={length} km"), yaxis=dict(range=[0, 1.2]))
    return fig


def small_explorable(**kwargs):
    def f(a, b="x"):
        y = np.linspace(0, 1, 20) * a
        return go.Figure(go.Scatter(x=np.arange(20), y=y if b == "x" else -y))

    return Explorable(
        f, [Slider("a", 0, 1, 0.25, default=0.5), Choice("b", ["x", "y"])], name="small", **kwargs
    )


# --------------------------------------------------------------------- rules
@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("a", 1, 1, 0.1), {}, "empty or inverted"),
        (("a", 2, 1, 0.1), {}, "empty or inverted"),
        (("a", 0, 1, 0), {}, "step must be > 0"),
        (("a", 0, 1, -0.1), {}, "step must be > 0"),
        (("a", 0, 1, 0.3), {}, "does not divide"),
        (("a", 0, 1, 2), {}, "does not divide"),
        (("a", 0, 1, 0.25), {"default": 0.3}, "default must be on the grid"),
        (("a", 0, 1, 0.25), {"default": 2}, "default must be on the grid"),
        (("a", 0, 1, 0.25), {"default": float("nan")}, "default must be a finite number"),
        (("a", 0, float("inf"), 0.25), {}, "stop must be finite"),
        (("a b", 0, 1, 0.25), {}, "Python identifier"),
        (("class", 0, 1, 0.25), {}, "Python identifier"),
        (("a", 0, 1, 0.25), {"fmt": ".2q"}, "fmt must be a valid format spec"),
    ],
)
def test_slider_rules(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Slider(*args, **kwargs)


def test_slider_types():
    with pytest.raises(TypeError, match="start must be a real number"):
        Slider("a", "0", 1, 0.5)
    with pytest.raises(TypeError, match="control name must be a str"):
        Slider(3, 0, 1, 0.5)


def test_slider_grid_tolerates_float_steps():
    s = Slider("p", 0, 1, 0.1, default=0.3, unit="dB")
    assert s.values == tuple(round(0.1 * i, 10) for i in range(11))
    assert s.default == 0.3 and s.default_index == 3
    assert s.index_of(0.30000000000000004) == 3
    assert s.format(0.3) == "0.3 dB"
    assert Slider("n", 2, 10, 2).values == (2, 4, 6, 8, 10)
    assert all(isinstance(v, int) for v in Slider("n", 2, 10, 2).values)
    assert Slider("q", 0.05, 0.25, 0.05).format(0.1) == "0.10"


@pytest.mark.parametrize(
    ("options", "kwargs", "match"),
    [
        ([], {}, "must not be empty"),
        ({}, {}, "must not be empty"),
        (["a", "b"], {"default": "c"}, "default must be one of"),
        ([1, "1"], {}, "labels must be distinct"),
    ],
)
def test_choice_rules(options, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Choice("c", options, **kwargs)


def test_choice_types_and_labels():
    with pytest.raises(TypeError, match="options must be a sequence"):
        Choice("c", "ab")
    c = Choice("c", {"Depolarizing": 0, "Dephasing": 1}, default="Dephasing")
    assert c.default == 1 and c.texts == ("Depolarizing", "Dephasing")
    assert Choice("c", [0.1, 0.2], default=0.2).default_index == 1


def _f(a, b=1):
    return go.Figure(go.Scatter(x=[0, 1], y=[a, b]))


@pytest.mark.parametrize(
    ("figure", "controls", "name", "exc", "match"),
    [
        (_f, [Slider("a", 0, 1, 0.5)], "Bad", ValueError, "slug"),
        (_f, [Slider("a", 0, 1, 0.5)], "1abc", ValueError, "slug"),
        (_f, [Slider("a", 0, 1, 0.5)], "a_b", ValueError, "slug"),
        (_f, [Slider("a", 0, 1, 0.5)], "a b", ValueError, "slug"),
        (_f, [Slider("a", 0, 1, 0.5), Slider("a", 0, 2, 1)], "ok", ValueError, "duplicate control"),
        (_f, [Slider("a", 0, 1, 0.5), Slider("c", 0, 1, 0.5)], "ok", ValueError, r"\['c'\] are not keyword"),
        (_f, [Slider("b", 0, 1, 0.5)], "ok", ValueError, r"\['a'\] .* have no default"),
        (
            lambda a, b: None,
            [Slider("a", 0, 1, 0.001), Slider("b", 0, 1, 0.01)],
            "ok",
            ValueError,
            r"grid too large: 101101 points \(a: 1001 x b: 101\).*Coarsen a step",
        ),
        ("notcallable", [], "ok", TypeError, "callable"),
        (_f, [object()], "ok", TypeError, "Slider or a Choice"),
        (_f, Slider("a", 0, 1, 0.5), "ok", TypeError, "list of Slider"),
    ],
)
def test_explorable_rules(figure, controls, name, exc, match):
    with pytest.raises(exc, match=match):
        Explorable(figure, controls, name=name)


def test_positional_only_parameter_is_refused():
    def f(a, /):
        return go.Figure()

    with pytest.raises(ValueError, match="not keyword parameters"):
        Explorable(f, [Slider("a", 0, 1, 0.5)], name="pos")


def test_var_keyword_accepts_any_control():
    ex = Explorable(lambda **kw: _f(kw["a"]), [Slider("a", 0, 1, 0.5)], name="kw")
    assert ex.figure_for(a=1).data[0].y == (1, 1)


def test_grid_cap_is_inclusive():
    ex = Explorable(lambda a, b: None, [Slider("a", 1, 40, 1), Slider("b", 1, 50, 1)], name="cap")
    assert ex.grid_size == MAX_GRID_POINTS


def test_grid_order_and_defaults():
    ex = small_explorable()
    assert ex.grid_shape == (5, 2) and ex.grid_size == 10
    points = list(ex.grid())
    assert points[0] == {"a": 0.0, "b": "x"} and points[1] == {"a": 0.0, "b": "y"}
    assert points[-1] == {"a": 1.0, "b": "y"}
    assert ex.defaults == {"a": 0.5, "b": "x"}


def test_figure_for_validates():
    ex = small_explorable()
    assert np.allclose(ex.figure_for().data[0].y[-1], 0.5)
    assert np.allclose(ex.figure_for(a=1, b="y").data[0].y[-1], -1)
    with pytest.raises(ValueError, match="must be on the grid"):
        ex.figure_for(a=0.3)
    with pytest.raises(ValueError, match="must be one of"):
        ex.figure_for(b="z")
    with pytest.raises(TypeError, match=r"unknown control name\(s\) \['c'\]"):
        ex.figure_for(c=1)
    bad = Explorable(lambda a: "not a figure", [Slider("a", 0, 1, 0.5)], name="bad")
    with pytest.raises(TypeError, match="must return a plotly Figure, got str"):
        bad.figure_for(a=0)


def test_trace_structure_must_not_change():
    def f(a):
        fig = go.Figure(go.Scatter(x=[0, 1], y=[0, a]))
        if a > 0.5:
            fig.add_bar(x=[0], y=[1])
        return fig

    ex = Explorable(f, [Slider("a", 0, 1, 0.25)], name="shape")
    with pytest.raises(ValueError, match=r"same number and types of traces.*\{'a': 0.75\}.*'bar'"):
        ex.static_html()

    def g(kind):
        return go.Figure(go.Scatter(y=[1, 2]) if kind == "line" else go.Bar(y=[1, 2]))

    ex = Explorable(g, [Choice("kind", ["line", "bar"])], name="types")
    with pytest.raises(ValueError, match="kind': 'bar'"):
        ex.static_html()


# --------------------------------------------------------------------- live
def test_update_mutates_the_same_figure_widget_in_place():
    ex = Explorable(
        three_curves,
        [Slider("p", 0, 0.5, 0.05), Slider("length", 0, 100, 10, unit="km"), Choice("basis", ["Z", "X"])],
        name="live",
    )
    box = ex.widget()
    assert ex.widget() is box
    fw = ex.figure_widget
    assert isinstance(fw, go.FigureWidget) and fw in box.children
    traces = list(fw.data)
    y0 = np.array(fw.data[0].y)
    returned = ex.update(p=0.3, length=50)
    assert returned is fw and ex.figure_widget is fw
    assert all(a is b for a, b in zip(fw.data, traces))
    expected = ex.figure_for(p=0.3, length=50)
    assert not np.allclose(np.array(fw.data[0].y), y0)
    for live, exp in zip(fw.data, expected.data):
        np.testing.assert_allclose(np.array(live.y), np.array(exp.y))
    assert fw.layout.title.text == expected.layout.title.text
    # the ipywidgets controls follow programmatic updates, and drive updates
    sliders = {w.description: w for row in box.children[0].children for w in getattr(row, "children", [row])}
    assert sliders["p"].value == pytest.approx(0.3)
    sliders["basis"].value = 1
    np.testing.assert_allclose(np.array(fw.data[0].y), ex.figure_for(p=0.3, length=50, basis="X").data[0].y)
    sliders["length"].value = 70
    assert fw.layout.title.text == "p=0.300, L=70 km"
    with pytest.raises(ValueError, match="on the grid"):
        ex.update(p=0.33)


def test_live_controls_keep_a_gap_between_a_readout_and_the_next_label():
    ex = Explorable(three_curves, [Slider("p", 0, 0.5, 0.05), Slider("length", 0, 100, 10, unit="km"),
                                   Choice("basis", ["Z", "X"])], name="gaps")
    slider_row, _, choice = ex.widget().children[0].children
    readout = slider_row.children[1]
    assert readout.value == "0.00" and readout.layout.min_width == "4.5rem"
    assert readout.layout.margin.startswith("0 0 0 ")  # apart from its slider
    # a right margin after every control: the next control's label never touches a value
    for control in (slider_row, choice):
        top, right, *_ = control.layout.margin.split()
        assert float(right.removesuffix("rem")) >= 1.5


def test_mimebundle_has_widget_html_and_text():
    ex = small_explorable(caption="A <caption> & more")
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {
        "application/vnd.jupyter.widget-view+json",
        "text/html",
        "text/plain",
    }
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget().model_id
    assert bundle["text/html"] == ex.static_html()
    assert "A &lt;caption&gt; &amp; more" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Explorable(name='small'")


def test_mimebundle_in_an_executed_notebook():
    """A kernel really emits the three mimetypes (what the book and JupyterLab read)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    source = (
        "import numpy as np, plotly.graph_objects as go\n"
        "from qlib import Explorable, Slider\n"
        "def f(a):\n"
        "    return go.Figure(go.Scatter(x=np.arange(9), y=a * np.arange(9)))\n"
        "Explorable(f, [Slider('a', 0, 1, 0.5)], name='nb-test')"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    results = [o for o in nb.cells[0].outputs if o["output_type"] != "stream"]
    assert [o["output_type"] for o in results] == ["execute_result"]
    data = results[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data
    assert 'data-qlib-name="nb-test"' in data["text/html"]
    assert data["text/plain"].startswith("Explorable(")
    # the widget state is saved with the notebook, so JupyterLab can show it
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] in state.get("state", {})


# --------------------------------------------------------------------- static
class _Payloads(html.parser.HTMLParser):
    """Collect the JSON payload scripts of a static_html() string."""

    def __init__(self):
        super().__init__()
        self.payloads: list[str] = []
        self.scripts: list[dict] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))
            self._in = dict(attrs).get("class") == "qlib-explorable-data"
            if self._in:
                self.payloads.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.payloads[-1] += data


def payload_of(static_html):
    parser = _Payloads()
    parser.feed(static_html)
    assert len(parser.payloads) == 1
    return json.loads(parser.payloads[0])


def _undelta(d, order):
    n = np.array(d, dtype=np.int64)
    for _ in range(order):
        n = np.cumsum(n)
    return n


def decode_tree(x):
    """The tiny decoder: mirrors decodeTree in qlib/viz/assets/explorable.js."""
    if isinstance(x, list):
        return [decode_tree(v) for v in x]
    if isinstance(x, dict):
        if "$qa" in x:
            n = _undelta(x["d"], x.get("k", 0))
            if x["$qa"] == "g":
                a = x.get("sg", 1) * 10.0 ** (n / 100000)
            else:
                e = x.get("e", 0)
                a = n / 10.0 ** (-e) if e < 0 else n * 10.0**e
            return a.reshape(x["s"]).tolist() if "s" in x else a.tolist()
        return {k: decode_tree(v) for k, v in x.items()}
    return x


def reconstruct(payload, flat):
    import copy

    fig = copy.deepcopy(decode_tree(payload["base"]))
    packed = json.loads(zlib.decompress(base64.b64decode(payload["z"])))
    patch = packed["patches"][flat]
    for path_i, leaf_i in zip(patch[::2], patch[1::2]):
        path = packed["paths"][path_i]
        node = fig
        for key in path[:-1]:
            node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
        if leaf_i < 0:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = decode_tree(packed["leaves"][leaf_i])
    return fig


def close_enough(got, expected):
    """Within the documented rounding: 5 significant digits of the array's max."""
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    scale = np.abs(expected).max() if expected.size else 0.0
    return np.all(np.abs(got - expected) <= 5e-5 * np.abs(expected) + 5e-5 * scale + 1e-300)


REPRESENTATIVE = Explorable(
    three_curves,
    [Slider("p", 0, 0.5, 0.025), Slider("length", 0, 100, 10, unit="km")],
    name="representative",
)


def test_static_payload_reconstructs_every_grid_point():
    payload = payload_of(REPRESENTATIVE.static_html())
    assert payload["shape"] == [21, 11]
    assert [c["name"] for c in payload["controls"]] == ["p", "length"]
    assert payload["controls"][1]["text"][3] == "30 km"
    for flat, values in enumerate(REPRESENTATIVE.grid()):
        fig = reconstruct(payload, flat)
        expected = REPRESENTATIVE.figure_for(**values)
        assert len(fig["data"]) == len(expected.data)
        for got, exp in zip(fig["data"], expected.data):
            assert got["type"] == exp.type
            assert close_enough(got["x"], exp.x), (values, "x")
            assert close_enough(got["y"], exp.y), (values, exp.name)
        assert fig["layout"]["title"]["text"] == expected.layout.title.text


def test_static_payload_handles_log_data_heatmaps_and_removed_keys():
    def f(k, mode):
        z = np.outer(np.linspace(0, 1, 6), np.linspace(1, 2, 5)) * k
        fig = go.Figure([
            go.Scatter(x=np.arange(30), y=10.0 ** (-np.arange(30) * k / 3), mode=mode),
            go.Heatmap(z=z),
            go.Scatter(x=[1, 2, None, 4, 5, 6, 7, 8, 9], y=[np.nan] + [1.0] * 8, name="gaps"),
        ])
        if k > 1:
            fig.add_annotation(text="big k", x=1, y=1)
        else:
            fig.update_layout(xaxis=dict(title=dict(text="n")))
        return fig

    ex = Explorable(f, [Slider("k", 1, 3, 1), Choice("mode", ["lines", "markers"])], name="mixed")
    payload = payload_of(ex.static_html())
    for flat, values in enumerate(ex.grid()):
        fig = reconstruct(payload, flat)
        exp = ex.figure_for(**values).to_plotly_json()
        got_log = np.array(fig["data"][0]["y"])
        exp_log = ex.figure_for(**values).data[0].y
        assert np.all(np.abs(got_log / exp_log - 1) < 2e-5)
        assert close_enough(fig["data"][1]["z"], ex.figure_for(**values).data[1].z)
        assert fig["data"][0]["mode"] == values["mode"]
        assert fig["data"][2]["y"][0] is None and fig["data"][2]["x"][2] is None
        assert ("annotations" in fig["layout"]) == (values["k"] > 1)
        assert ("title" in fig["layout"].get("xaxis", {})) == (values["k"] == 1)
        assert exp["layout"].get("annotations", [{}])[0].get("text") == fig["layout"].get(
            "annotations", [{}]
        )[0].get("text")


def test_identical_arrays_are_stored_once():
    def f(a, b):  # trace 0 depends on a only, trace 1 on nothing, the title on b only
        fig = go.Figure([go.Scatter(y=np.linspace(0, 1, 50) * a), go.Scatter(y=np.cos(np.arange(50)))])
        return fig.update_layout(title=dict(text=f"b = {b}"))

    ex = Explorable(f, [Slider("a", 1, 5, 1), Slider("b", 1, 10, 1)], name="interned")
    payload = payload_of(ex.static_html())
    packed = json.loads(zlib.decompress(base64.b64decode(payload["z"])))
    arrays = [leaf for leaf in packed["leaves"] if not isinstance(leaf, str)]
    assert len(arrays) == 4  # y for a = 2, 3, 4, 5 (a = 1 is the base), once each over 50 points
    assert len(packed["leaves"]) == 4 + 9  # and the 9 titles other than the base's
    assert sorted(packed["paths"]) == [["data", 0, "y"], ["layout", "title", "text"]]


def test_payload_cannot_break_out_of_its_script_tag():
    evil = "</script><script>alert(1)</script><!-- & -->"

    def f(a):
        fig = go.Figure(go.Scatter(x=np.arange(10), y=np.arange(10) * a, name=evil))
        fig.update_layout(title=dict(text=evil + str(a)))
        return fig

    ex = Explorable(f, [Slider("a", 0, 1, 0.5)], name="evil", caption=evil)
    page = ex.static_html()
    parser = _Payloads()
    parser.feed(page)
    assert [s.get("type") for s in parser.scripts] == ["application/json"]
    assert page.count("</script>") == 1 and page.count("<script") == 1
    raw = parser.payloads[0]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    payload = json.loads(raw)
    assert reconstruct(payload, 0)["layout"]["title"]["text"] == evil + "0.0"
    assert reconstruct(payload, 2)["layout"]["title"]["text"] == evil + "1.0"
    assert "&lt;/script&gt;" in page  # the caption, escaped as text


def test_representative_payload_size():
    """3 traces x 200 points on a 21 x 11 grid stays well under 300 kB."""
    size = len(REPRESENTATIVE.static_html().encode("utf-8"))
    assert size < 200_000, size


def test_static_html_structure():
    ex = small_explorable()
    page = ex.static_html()
    assert re.search(r'<div class="qlib-explorable" id="qlib-explorable-small" data-qlib-name="small">', page)
    assert '<div class="qlib-explorable-controls" role="group"' in page and " hidden>" in page
    assert re.search(
        r'<label class="qlib-control-label" for="qlib-small-a">a</label>'
        r'<input class="qlib-control-input" type="range" id="qlib-small-a" name="a" '
        r'data-qlib-control="a" min="0" max="4" step="1" value="2"',
        page,
    )
    assert '<output class="qlib-control-value" for="qlib-small-a">0.50</output>' in page
    assert '<select class="qlib-control-input" id="qlib-small-b" name="b" data-qlib-control="b">' in page
    assert '<option value="0" selected>x</option><option value="1">y</option>' in page
    assert "plotly.min.js" not in page and "cdn" not in page.lower()


def test_explorable_without_controls_is_a_plain_figure():
    ex = Explorable(lambda: go.Figure(go.Bar(y=[1, 2, 3])), [], name="plain")
    page = ex.static_html()
    assert "qlib-explorable-controls" not in page
    payload = payload_of(page)
    assert payload["shape"] == [] and reconstruct(payload, 0)["data"][0]["y"] == [1, 2, 3]
    assert set(ex._repr_mimebundle_()) >= {"text/html", "text/plain"}


def test_slider_with_too_many_values_is_refused_before_building_them():
    # 10**9 values would exhaust memory; the cap applies to one slider alone.
    with pytest.raises(ValueError, match=r"Slider 'x': 1000000001 grid values .* Coarsen the step"):
        Slider("x", 0, 1, 1e-9)


@pytest.mark.parametrize("options", [[1.0, 1], {"a": 1, "b": 1}])
def test_choice_values_must_be_distinct(options):
    with pytest.raises(ValueError, match="Choice 'x': option values must be distinct"):
        Choice("x", options)


def test_readout_spacing_follows_typographic_convention():
    assert Slider("d", 0, 100, 20, unit="km").format(60) == "60 km"
    assert Slider("a", 0.0, 90.0, 22.5, unit="°").format(22.5) == "22.5°"


def test_a_control_that_never_changes_the_figure_is_refused():
    # A control the figure ignores would look frozen on the page: refused when
    # the static page is made (that is, at every book build).
    def fig(slope, unused="a"):
        x = np.linspace(0, 1, 11)
        return go.Figure(go.Scatter(x=x, y=slope * x))

    ex = Explorable(fig, [Slider("slope", 0, 2, 0.5), Choice("unused", ["a", "b"])], name="dead")
    with pytest.raises(ValueError, match="control 'unused' never changes the figure"):
        ex.static_html()


def test_a_control_acting_only_in_part_of_the_grid_is_accepted():
    def fig(slope, shift):
        x = np.linspace(0, 1, 11)
        return go.Figure(go.Scatter(x=x, y=slope * x + (shift if slope > 1 else 0)))

    ex = Explorable(fig, [Slider("slope", 0, 2, 1), Slider("shift", 0, 1, 1)], name="partial")
    assert 'class="qlib-explorable"' in ex.static_html()
