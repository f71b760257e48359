"""qlib.viz.style: the book's template and its notebook renderer."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from qlib.viz.style import BOOK_COLORWAY, BOOK_TEMPLATE, style_figure, use_book_renderer


@pytest.fixture
def restore_plotly_defaults():
    renderer, template = pio.renderers.default, pio.templates.default
    yield
    pio.renderers.default, pio.templates.default = renderer, template


def test_template_is_registered_and_applied():
    assert BOOK_TEMPLATE in pio.templates
    fig = style_figure(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    layout = fig.layout.template.layout
    assert list(layout.colorway) == list(BOOK_COLORWAY)
    assert layout.paper_bgcolor == "white" and layout.plot_bgcolor == "white"
    assert layout.font.size >= 12 and "sans-serif" in layout.font.family
    assert layout.margin.t <= 60 and layout.margin.r <= 30
    assert layout.autosize is True


def test_style_figure_keeps_explicit_layout_and_refuses_non_figures():
    fig = go.Figure(layout=dict(title=dict(text="kept"), height=300))
    assert style_figure(fig) is fig
    assert fig.layout.title.text == "kept" and fig.layout.height == 300
    with pytest.raises(TypeError, match="fig must be a plotly Figure, got dict"):
        style_figure({"data": []})


def test_renderer_emits_html_without_plotlyjs_and_the_plotly_mimetype(restore_plotly_defaults):
    assert use_book_renderer() == "qlib"
    assert pio.renderers.default == "qlib"
    assert pio.templates.default == BOOK_TEMPLATE
    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[2, 1, 3]))
    bundle = fig._repr_mimebundle_()
    assert set(bundle) == {"text/html", "application/vnd.plotly.v1+json"}
    page = bundle["text/html"]
    assert "Plotly.newPlot" in page and '"responsive": true' in page
    # no copy of plotly.js (a few MB) and no CDN reference
    assert len(page) < 20_000
    assert "<script src" not in page and "cdn.plot.ly" not in page
    assert "plotly.js v" not in page
    spec = bundle["application/vnd.plotly.v1+json"]
    assert spec["data"][0]["type"] == "scatter"
    # the book template reached the figure
    assert spec["layout"]["template"]["layout"]["colorway"][0] == BOOK_COLORWAY[0]


def test_renderer_without_template(restore_plotly_defaults):
    pio.templates.default = "plotly"
    use_book_renderer(set_template=False)
    assert pio.templates.default == "plotly"


def test_use_book_renderer_refuses_a_non_bool_set_template():
    with pytest.raises(TypeError, match="set_template must be True or False, got 'no'"):
        use_book_renderer(set_template="no")
