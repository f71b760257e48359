"""qlib.viz.figures: finish, the named colours, first_crossing and html_table."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest
from numpy.testing import assert_allclose

import qlib
from qlib.viz import BOOK_COLORWAY, Explorable, Slider
from qlib.viz.figures import BOOK_COLORS, finish, first_crossing, html_table


# --------------------------------------------------------------------------- #
# finish
# --------------------------------------------------------------------------- #
def _fig():
    return go.Figure(go.Scatter(x=[0, 1], y=[1, 0], name="a line"))


def test_finish_defaults_set_title_margins_and_legend_below():
    fig = _fig()
    template = fig.layout.template.to_plotly_json()
    assert finish(fig, "F = 0.950") is fig
    layout = fig.layout
    title = layout.title
    assert title.text == "F = 0.950"
    assert (title.y, title.yanchor, title.yref) == (1.0, "top", "container")
    assert title.pad.t == 12 and title.automargin is False
    assert title.subtitle.text is None  # no subtitle unless asked for
    assert layout.height == 480
    assert (layout.margin.t, layout.margin.b) == (80, 40)
    assert layout.margin.l is None and layout.margin.r is None  # left to the template
    legend = layout.legend
    assert (legend.orientation, legend.yanchor, legend.y) == ("h", "top", -0.18)
    assert (legend.xanchor, legend.x) == ("left", 0)
    assert fig.layout.template.to_plotly_json() == template  # the style is not applied here


def test_finish_options_are_passed_through_unchanged():
    fig = finish(_fig(), "title<br><sup>second line</sup>", subtitle="live: 3 km", height=620,
                 top=70, bottom=50, legend_y=-0.1, title_y=0.98, title_pad=0)
    layout = fig.layout
    assert layout.title.text == "title<br><sup>second line</sup>"
    assert layout.title.subtitle.text == "live: 3 km"
    assert (layout.title.y, layout.title.pad.t) == (0.98, 0)
    assert (layout.height, layout.margin.t, layout.margin.b, layout.legend.y) == (620, 70, 50, -0.1)
    # ints stay ints in the figure's JSON (the explorable payloads compare leaves)
    plain = fig.to_plotly_json()["layout"]
    assert isinstance(plain["height"], int) and isinstance(plain["margin"]["t"], int)


def test_finish_min_width_is_kept_in_the_layouts_meta_beside_other_entries():
    fig = _fig()
    fig.update_layout(meta={"source": "test", "qlib": {"other": 1}})
    finish(fig, "circuit", min_width=640)
    assert fig.layout.meta == {"source": "test", "qlib": {"other": 1, "min_width": 640}}
    assert finish(_fig(), "t").layout.meta is None  # nothing stored without it


def test_finish_legend_none_keeps_the_templates_legend():
    fig = _fig()
    fig.update_layout(legend=dict(y=1.02, yanchor="bottom"))
    finish(fig, "t", legend_y=None)
    assert (fig.layout.legend.y, fig.layout.legend.yanchor) == (1.02, "bottom")
    assert fig.layout.legend.orientation is None


def test_finish_works_on_a_figure_widget_and_inside_an_explorable():
    widget = go.FigureWidget(_fig())
    assert finish(widget, "w").layout.title.text == "w"

    def line(slope):
        return finish(go.Figure(go.Scatter(x=[0, 1], y=[0, slope])), f"slope {slope}")

    ex = Explorable(line, [Slider("slope", 1, 3, 1, default=2)], name="finish-line")
    fig = ex.figure_for(slope=3)
    assert fig.layout.title.text == "slope 3" and fig.layout.height == 480
    assert list(fig.layout.template.layout.colorway) == list(BOOK_COLORWAY)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(height=0), ValueError, r"height must be > 0, got 0"),
        (dict(height=float("nan")), ValueError, r"height must be a finite real number"),
        (dict(height="480"), TypeError, r"height must be a real number"),
        (dict(top=-1), ValueError, r"top must be >= 0, got -1"),
        (dict(bottom=-5), ValueError, r"bottom must be >= 0, got -5"),
        (dict(title_y=1.5), ValueError, r"title_y must be in \[0, 1\], got 1.5"),
        (dict(title_pad=-2), ValueError, r"title_pad must be >= 0"),
        (dict(legend_y=float("inf")), ValueError, r"legend_y must be a finite real number"),
        (dict(legend_y=True), TypeError, r"legend_y must be a real number, not a bool"),
        (dict(subtitle=3), TypeError, r"subtitle must be a str or None, got 3"),
        (dict(min_width=0), ValueError, r"min_width must be > 0, got 0"),
        (dict(min_width="640"), TypeError, r"min_width must be a real number"),
    ],
)
def test_finish_refuses_bad_options(kwargs, error, match):
    fig = _fig()
    with pytest.raises(error, match=match):
        finish(fig, "t", **kwargs)
    assert fig.layout.title.text is None  # nothing half-applied


def test_finish_refuses_a_non_figure_and_a_non_string_title():
    with pytest.raises(TypeError, match="fig must be a plotly Figure, got dict"):
        finish({"data": []}, "t")
    with pytest.raises(TypeError, match="title must be a str, got 0.5 of type float"):
        finish(_fig(), 0.5)


def test_finish_takes_options_by_keyword_only():
    with pytest.raises(TypeError):
        finish(_fig(), "t", 480)


# --------------------------------------------------------------------------- #
# BOOK_COLORS
# --------------------------------------------------------------------------- #
def test_named_colours_are_the_colourway_in_order():
    names = ["blue", "red", "green", "purple", "orange", "sky blue", "black"]
    assert [BOOK_COLORS[n] for n in names] == list(BOOK_COLORWAY)
    # Okabe & Ito's vermillion and bluish green, under the names the captions use
    assert BOOK_COLORS["red"] == "#D55E00" and BOOK_COLORS["green"] == "#009E73"
    assert BOOK_COLORS["grey"] == "#7F7F7F" and BOOK_COLORS["slate"] == "#6B7280"


def test_named_colours_are_read_only():
    with pytest.raises(TypeError):
        BOOK_COLORS["red"] = "#FF0000"


# --------------------------------------------------------------------------- #
# first_crossing
# --------------------------------------------------------------------------- #
def test_line_crosses_a_level_at_the_closed_form_x():
    # y = 2x - 1 on a coarse grid reaches 0.3 at x = 0.65 exactly
    x = np.linspace(0.0, 1.0, 11)
    assert_allclose(first_crossing(x, 2 * x - 1, 0.3), 0.65, rtol=1e-14)
    # between samples the curve is interpolated linearly: y = x^2 on 0, 1, 2 reaches 2
    # where the chord from (1, 1) to (2, 4) does, x = 1 + 1/3
    assert_allclose(first_crossing([0, 1, 2], [0, 1, 4], 2.0), 4 / 3, rtol=1e-14)


def test_level_defaults_to_zero_and_the_result_is_a_float():
    x = np.linspace(20.0, 700.0, 35)  # 20 km steps
    value = first_crossing(x, np.log(x / 333.0))  # the log of a ratio turns positive at 333
    assert type(value) is float
    # on the chord between the samples 320 and 340
    y0, y1 = np.log(320 / 333), np.log(340 / 333)
    assert_allclose(value, 320 + 20 * (0 - y0) / (y1 - y0), rtol=1e-14)
    assert abs(value - 333.0) < 20.0**2 / (8 * 320)  # a chord of log is off by at most h²/(8x)


def test_no_crossing_is_nan():
    assert math.isnan(first_crossing([0, 1, 2], [0.0, 0.1, 0.2], 0.5))
    assert math.isnan(first_crossing([0, 1, 2], [0.0, 0.1, 0.2], -1.0, direction="down"))


def test_crossing_at_the_end_points():
    # already at (or beyond) the level at the start: x[0]
    assert first_crossing([1.0, 2.0, 3.0], [0.5, 0.6, 0.7], 0.5) == 1.0
    assert first_crossing([1.0, 2.0, 3.0], [0.9, 0.6, 0.7], 0.5) == 1.0
    # reached exactly at the last sample: x[-1]
    assert first_crossing([1.0, 2.0, 3.0], [0.0, 0.2, 0.5], 0.5) == 3.0


def test_decreasing_data_crosses_downwards():
    x = np.linspace(0.0, 10.0, 6)
    y = 10.0 - x  # reaches 3 at x = 7
    assert_allclose(first_crossing(x, y, 3.0, direction="down"), 7.0, rtol=1e-14)
    # going "up", a curve that starts above the level has reached it at the start
    assert first_crossing(x, y, 3.0) == 0.0


def test_first_of_several_crossings_and_infinite_samples():
    x = np.arange(5.0)
    assert_allclose(first_crossing(x, [0, 2, 0, 2, 0], 1.0), 0.5)
    assert_allclose(first_crossing(x, [0, 2, 0, 2, 0], 1.0, direction="down"), 0.0)
    # the log of a zero rate is -inf: allowed, it just never reaches the level
    assert first_crossing(x, [-np.inf, -1, 1, 2, 3], 0.0) == 1.5


def test_refine_finds_the_root_of_the_function_in_the_bracketing_cell():
    def f(t):
        return t**3 - 2.0  # root 2**(1/3), between the samples 1 and 2

    grid = np.array([0.0, 1.0, 2.0, 3.0])
    root = first_crossing(grid, f(grid), 0.0, refine=f, xtol=1e-13)
    assert_allclose(root, 2.0 ** (1 / 3), atol=1e-12)
    interpolated = first_crossing(grid, f(grid), 0.0)
    assert abs(interpolated - 2.0 ** (1 / 3)) > 1e-2  # the chord alone is far off
    # with a level, refine solves f(t) = level
    assert_allclose(first_crossing(grid, f(grid), 6.0, refine=f), 2.0, atol=1e-11)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([0, 1], [0, 1, 2]), {}, ValueError, r"x and y must have the same length, got 2 and 3"),
        (([0], [0]), {}, ValueError, r"x must have at least 2 points, got 1"),
        (([0, 2, 1], [0, 1, 2]), {}, ValueError, r"x must be strictly increasing, got x\[1\] = 2.0"),
        (([0, 0, 1], [0, 1, 2]), {}, ValueError, r"x must be strictly increasing"),
        (([0, np.inf], [0, 1]), {}, ValueError, r"x must contain only finite numbers"),
        (([0, 1, 2], [0, np.nan, 1]), {}, ValueError, r"y must not contain NaN, got NaN at index 1"),
        (([[0, 1]], [[0, 1]]), {}, ValueError, r"x must be 1-d, got an array of shape \(1, 2\)"),
        ((3.0, [0, 1]), {}, TypeError, r"x must be a 1-d sequence of real numbers, got 3.0"),
        (([0, 1], "ab"), {}, TypeError, r"y must be a 1-d sequence of real numbers"),
        (([0, 1], [True, False]), {}, TypeError, r"y must hold real numbers"),
        (([0, 1], [0, 1], np.nan), {}, ValueError, r"level must be a finite real number, got nan"),
        (([0, 1], [0, 1]), {"direction": "sideways"}, ValueError,
         r"direction must be one of 'up', 'down', got 'sideways'"),
        (([0, 1], [0, 1]), {"refine": 3}, TypeError, r"refine must be callable or None, got 3"),
        (([0, 1], [0, 1]), {"xtol": 0}, ValueError, r"xtol must be > 0, got 0"),
    ],
)
def test_first_crossing_refuses_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        first_crossing(*args, **kwargs)


# --------------------------------------------------------------------------- #
# html_table
# --------------------------------------------------------------------------- #
def test_table_structure_and_alignment():
    t = html_table(["a", "b"], [[1, 2.5], ["x", None]], align=["left", "right"])
    assert t.data == (
        '<table class="table"><thead><tr><th style="text-align:left">a</th>'
        '<th style="text-align:right">b</th></tr></thead><tbody>'
        '<tr><td style="text-align:left">1</td><td style="text-align:right">2.5</td></tr>'
        '<tr><td style="text-align:left">x</td><td style="text-align:right">None</td></tr>'
        "</tbody></table>"
    )
    plain = html_table(["a"], [["b"]]).data
    assert plain == '<table class="table"><thead><tr><th>a</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>'
    centred = html_table(["a", "b"], [], align="center").data
    assert centred.count('style="text-align:center"') == 2 and "<tbody></tbody>" in centred


def test_table_escapes_hostile_text_in_every_cell():
    hostile = "<script>alert('x')</script>"
    attr = '" onmouseover="alert(1)'
    t = html_table([hostile, "a & b"], [[attr, "<b>not bold</b>"], ["</td></tr></table>", 1]])
    markup = t.data
    assert "<script>" not in markup and "</script>" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup
    assert "a &amp; b" in markup
    assert "&quot; onmouseover=&quot;alert(1)" in markup
    assert "&lt;b&gt;not bold&lt;/b&gt;" in markup
    assert markup.count("</table>") == 1 and markup.count("<tr>") == 3


def test_bold_and_italic_wrap_the_escaped_text():
    t = html_table(["stage", "bits"], [["a<b", 1], ["c", 2]], bold=[(0, 1)],
                   italic=[(-1, 0), (-1, 1), (0, 0)])
    assert "<td><i>a&lt;b</i></td><td><b>1</b></td>" in t.data
    assert "<td><i>c</i></td><td><i>2</i></td>" in t.data
    both = html_table(["x"], [["y"]], bold=[(0, 0)], italic=[(0, 0)]).data
    assert "<td><i><b>y</b></i></td>" in both


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("ab", []), {}, TypeError, r"header must be a sequence of column headings"),
        (([], []), {}, ValueError, r"header must name at least one column"),
        ((["a", "b"], [[1, 2], [3]]), {}, ValueError, r"rows\[1\] must have 2 cells, one per column of the header, got 1"),
        ((["a"], ["xy"]), {}, TypeError, r"rows\[0\] must be a sequence of cells, got 'xy'"),
        ((["a"], 5), {}, TypeError, r"rows must be an iterable of rows, got 5"),
        ((["a", "b"], [[1, 2]]), {"align": ["left"]}, ValueError,
         r"align must give one alignment per column \(2\), got 1"),
        ((["a"], [[1]]), {"align": "middle"}, ValueError,
         r"align\[0\] must be one of 'left', 'center', 'right', got 'middle'"),
        ((["a"], [[1]]), {"bold": [(1, 0)]}, ValueError,
         r"bold holds the cell \(1, 0\), outside the table of 1 rows and 1 columns"),
        ((["a"], [[1]]), {"italic": [0]}, TypeError, r"italic must hold \(row, column\) pairs of ints, got 0"),
        ((["a"], [[1]]), {"bold": "00"}, TypeError, r"bold must be a collection of \(row, column\) pairs"),
    ],
)
def test_table_refuses_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        html_table(*args, **kwargs)


# --------------------------------------------------------------------------- #
# the flat namespace
# --------------------------------------------------------------------------- #
def test_flat_names_are_the_module_objects():
    assert qlib.finish is finish and qlib.first_crossing is first_crossing
    assert qlib.html_table is html_table and qlib.BOOK_COLORS is BOOK_COLORS
    for name in ("finish", "first_crossing", "html_table", "BOOK_COLORS"):
        assert name in qlib.__all__ and name in qlib.viz.__all__


def test_import_qlib_does_not_import_plotly():
    code = (
        "import sys, qlib; assert 'plotly' not in sys.modules; "
        "qlib.first_crossing; assert 'plotly' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
