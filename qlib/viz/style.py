"""The book's Plotly look and its notebook renderer.

Importing this module registers a Plotly template named :data:`BOOK_TEMPLATE`
(``"qlib"``): a light background, the system sans-serif font of the book's
theme, a colour-blind-safe colourway (Okabe & Ito) and tight margins.
:func:`style_figure` applies it to one figure; :func:`use_book_renderer` makes
it the default and selects a renderer whose output appears both in JupyterLab
and in the built book.
"""

from __future__ import annotations

import copy

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

__all__ = ["BOOK_TEMPLATE", "BOOK_COLORWAY", "style_figure", "use_book_renderer"]

#: Name under which the book's template is registered in ``plotly.io.templates``.
BOOK_TEMPLATE = "qlib"

#: Okabe & Ito's colour-blind-safe palette (yellow left out: it is unreadable on
#: white), in the order traces take them.
BOOK_COLORWAY = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
)

#: The renderer name registered by :func:`use_book_renderer`.
BOOK_RENDERER = "qlib"

#: plotly.js configuration used for every figure of the book.
PLOTLY_CONFIG = {"responsive": True, "displaylogo": False, "displayModeBar": "hover"}

_FONT = (
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", '
    "Arial, sans-serif"
)
_INK = "#222222"
_GRID = "#E5E8EB"
_AXIS = "#6B7280"


def _make_template() -> go.layout.Template:
    template = copy.deepcopy(pio.templates["plotly_white"])
    axis = dict(
        showline=True,
        linecolor=_AXIS,
        linewidth=1,
        mirror=False,
        ticks="outside",
        tickcolor=_AXIS,
        ticklen=5,
        gridcolor=_GRID,
        zerolinecolor="#C8CDD2",
        zerolinewidth=1,
        automargin=True,
        title=dict(standoff=8, font=dict(size=14)),
    )
    template.layout.update(
        font=dict(family=_FONT, size=14, color=_INK),
        title=dict(font=dict(size=16), x=0, xanchor="left", xref="paper", automargin=True),
        colorway=list(BOOK_COLORWAY),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=60, r=20, t=50, b=50, pad=0),
        autosize=True,
        xaxis=axis,
        yaxis=axis,
        legend=dict(
            orientation="h",
            yanchor="bottom",
            y=1.02,
            xanchor="left",
            x=0,
            bgcolor="rgba(255,255,255,0.8)",
            font=dict(size=13),
        ),
        hoverlabel=dict(font=dict(family=_FONT, size=13)),
        hovermode="closest",
        colorscale=dict(
            sequential="Viridis", sequentialminus="Viridis", diverging="RdBu"
        ),
    )
    template.data.scatter = [
        go.Scatter(line=dict(width=2.5), marker=dict(size=7))
    ]
    return template


pio.templates[BOOK_TEMPLATE] = _make_template()


def style_figure(fig: go.Figure) -> go.Figure:
    """Give a figure the book's look (in place) and return it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to style; a ``FigureWidget`` works too.

    Returns
    -------
    plotly.graph_objects.Figure
        The same object, with ``layout.template`` set to :data:`BOOK_TEMPLATE`.

    Raises
    ------
    TypeError
        If ``fig`` is not a Plotly figure.

    Notes
    -----
    Explicit layout settings of the figure win over the template's. Used in
    every chapter; introduced in the chapter *Quantum networks*.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = style_figure(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])))
    >>> fig.layout.template.layout.colorway[0]
    '#0072B2'
    """
    if not isinstance(fig, BaseFigure):
        raise TypeError(f"fig must be a plotly Figure, got {type(fig).__name__}")
    fig.update_layout(template=pio.templates[BOOK_TEMPLATE])
    return fig


class BookRenderer(MimetypeRenderer):
    """Emit ``text/html`` (without plotly.js) and the Plotly mimetype together.

    JupyterLab prefers ``application/vnd.plotly.v1+json`` (its own renderer);
    the built book, which drops that mimetype, shows the ``text/html`` part,
    drawn by the one ``plotly.min.js`` the site loads (see
    :mod:`qbook.sphinx_ext`).
    """

    def __init__(self, config=None):
        self.config = dict(PLOTLY_CONFIG if config is None else config)

    def to_mimebundle(self, fig_dict):
        html = pio.to_html(
            fig_dict,
            include_plotlyjs=False,
            full_html=False,
            config=self.config,
            validate=False,
        )
        bundle = pio.renderers["plotly_mimetype"].to_mimebundle(dict(fig_dict))
        bundle["text/html"] = html
        return bundle


def use_book_renderer(*, set_template: bool = True) -> str:
    """Make ``fig.show()`` and plain display of figures work in the built book.

    Registers :class:`BookRenderer` as ``plotly.io.renderers["qlib"]`` and makes
    it the default; with ``set_template`` (the default) also makes
    :data:`BOOK_TEMPLATE` the default template. Call it once at the top of a
    chapter.

    Parameters
    ----------
    set_template : bool, optional
        Also set ``plotly.io.templates.default`` to :data:`BOOK_TEMPLATE`.

    Returns
    -------
    str
        The name of the renderer now selected (``"qlib"``).

    Notes
    -----
    Plotly's default renderer in a kernel emits only the mimetype
    ``application/vnd.plotly.v1+json``, which myst-nb (Jupyter Book 1) does not
    know and silently drops: the figure would be missing from the built page.
    This renderer adds ``text/html`` made by ``plotly.io.to_html(fig,
    include_plotlyjs=False, full_html=False)`` with a responsive config, so the
    page draws it with the single local ``plotly.min.js`` served by
    :mod:`qbook.sphinx_ext` (never a CDN, never a second copy), while JupyterLab
    still uses its native Plotly renderer for the mimetype. Introduced in the
    chapter *Quantum networks*.

    Examples
    --------
    >>> use_book_renderer()
    'qlib'
    >>> import plotly.io as pio
    >>> pio.renderers.default
    'qlib'
    """
    if not isinstance(set_template, bool):
        raise TypeError(f"set_template must be True or False, got {set_template!r}")
    pio.renderers[BOOK_RENDERER] = BookRenderer()
    pio.renderers.default = BOOK_RENDERER
    if set_template:
        pio.templates.default = BOOK_TEMPLATE
    return BOOK_RENDERER
