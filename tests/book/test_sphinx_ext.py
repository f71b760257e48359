"""qbook.sphinx_ext: the Sphinx extension's checks on a page (the whole extension is
exercised by the book build, tests/book/test_book.py)."""

from __future__ import annotations


def test_duplicate_explorable_names_on_a_page_are_found():
    """The Sphinx extension warns (an error under -W) about a page whose
    explorables share a name; this is the detector it uses, on real HTML."""
    import plotly.graph_objects as go

    from qbook.sphinx_ext import duplicate_explorable_names
    from qlib import Explorable

    def make(name):
        return Explorable(lambda: go.Figure(go.Scatter(x=[0, 1], y=[0, 1])), [], name=name)

    a, b = make("fig-a").static_html(), make("fig-b").static_html()
    assert duplicate_explorable_names(a + b) == []
    assert duplicate_explorable_names(a + b + a) == ["fig-a"]
