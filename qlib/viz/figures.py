"""Figure helpers shared by the chapters: the title-and-legend frame, named colours,
a threshold finder on sampled curves, and small HTML tables.

Each chapter keeps its own figure functions (in hidden cells); what they had in
common lives here:

- :func:`finish` puts a title carrying the live numbers at the top of a figure,
  the legend below the plot, and fixes the height and the top and bottom margins;
- :data:`BOOK_COLORS` names the colours of :data:`~qlib.viz.style.BOOK_COLORWAY`
  with the words the captions use ("the entanglement (red)");
- :func:`first_crossing` finds where a sampled curve first reaches a level
  (linear interpolation, or a root finder on the cell that brackets it);
- :func:`html_table` builds a small table that renders alike in the built book
  and in JupyterLab, every cell escaped.

None of them displays anything: they return what the cell shows.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from plotly.basedatatypes import BaseFigure

from .._validation import (
    _fmt,
    check_choice,
    check_nonnegative,
    check_positive,
    check_real,
)
from .style import BOOK_COLORWAY

__all__ = ["BOOK_COLORS", "finish", "first_crossing", "html_table"]

#: The book's colours by the names the captions use. The first seven are
#: :data:`~qlib.viz.style.BOOK_COLORWAY` (Okabe & Ito), in its order; Okabe & Ito's
#: "bluish green" is called green; their "vermillion" keeps the key "red" in code, but captions
#: call it vermillion (it reads as an orange-red, not a red).
#: ``"grey"`` is a neutral mid grey for classical or reference curves; ``"slate"``
#: is the grey of the axes (``#6B7280``), for thin reference lines drawn like them.
BOOK_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "blue": BOOK_COLORWAY[0],
        "red": BOOK_COLORWAY[1],
        "green": BOOK_COLORWAY[2],
        "purple": BOOK_COLORWAY[3],
        "orange": BOOK_COLORWAY[4],
        "sky blue": BOOK_COLORWAY[5],
        "black": BOOK_COLORWAY[6],
        "grey": "#7F7F7F",
        "slate": "#6B7280",
    }
)


# --------------------------------------------------------------------------- #
# finish
# --------------------------------------------------------------------------- #
def finish(
    fig: BaseFigure,
    title: str,
    *,
    subtitle: str | None = None,
    height: float = 480,
    top: float = 80,
    bottom: float = 40,
    legend_y: float | None = -0.18,
    title_y: float = 1.0,
    title_pad: float = 12,
    min_width: float | None = None,
) -> BaseFigure:
    """Give a chapter's figure its title, height, margins and legend (in place).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to finish; a ``FigureWidget`` works too.
    title : str
        The title, usually carrying the figure's live numbers. Plotly's small
        HTML subset works (``<br>``, ``<sup>``): it is the chart's own text.
    subtitle : str, optional
        A second, smaller line under the title (Plotly's ``title.subtitle``).
        Omitted by default.
    height : float, optional
        Figure height in pixels (> 0). Default 480.
    top : float, optional
        Top margin in pixels (>= 0): the room for the title. Default 80.
    bottom : float, optional
        Bottom margin in pixels (>= 0). Default 40; the book's template has 50.
    legend_y : float or None, optional
        Height of the legend's top edge in the plot's coordinates (0 is the
        bottom of the plotting area; negative values put the legend below it, under
        the axis title). A horizontal legend, left-aligned. Default ``-0.18``.
        ``None`` leaves the legend where the book's template puts it, above the plot.
    title_y : float, optional
        Height of the title's top edge as a fraction of the whole figure, in
        [0, 1]. Default 1 (the top edge of the figure).
    title_pad : float, optional
        Gap in pixels (>= 0) between ``title_y`` and the title's top. Default 12.
    min_width : float or None, optional
        The narrowest width in pixels (> 0) at which the figure still reads, for a
        drawing that cannot shrink (a circuit, a labelled diagram). On a narrower
        screen the static page draws it at this width in a box that scrolls
        sideways, with a cue, instead of squeezing it. Stored as
        ``layout.meta["qlib"]["min_width"]``. Default ``None``: the figure
        shrinks with the screen.

    Returns
    -------
    plotly.graph_objects.Figure
        The same object, with its layout updated.

    Raises
    ------
    TypeError
        If ``fig`` is not a Plotly figure, ``title`` or ``subtitle`` is not a
        ``str``, or a size is not a real number.
    ValueError
        If ``height`` or ``min_width`` is not > 0, ``top``, ``bottom`` or
        ``title_pad`` is negative, ``title_y`` is outside [0, 1], or a number is
        not finite.

    Notes
    -----
    The title is placed in the figure's own coordinates (``yref="container"``)
    with ``automargin=False``: the ``top`` margin is the room kept for it, so a
    long title never moves the plot, and every grid point of an explorable keeps
    the same frame. The book's style (font, colourway, axes) is not applied here:
    :class:`~qlib.viz.explorable.Explorable` applies it to what it renders, and
    :func:`~qlib.viz.style.use_book_renderer` makes it the default for plain figures.
    ``finish`` never displays anything. Used by the figures of every chapter from
    *Entanglement* on.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = finish(go.Figure(go.Scatter(x=[0, 1], y=[1, 0], name="falls")),
    ...              "F = 0.950", height=500, legend_y=-0.2)
    >>> fig.layout.title.text, fig.layout.height, fig.layout.legend.y
    ('F = 0.950', 500, -0.2)
    >>> fig.layout.margin.t, fig.layout.margin.b
    (80, 40)
    """
    if not isinstance(fig, BaseFigure):
        raise TypeError(f"fig must be a plotly Figure, got {type(fig).__name__}")
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {_fmt(title)} of type {type(title).__name__}")
    if subtitle is not None and not isinstance(subtitle, str):
        raise TypeError(
            f"subtitle must be a str or None, got {_fmt(subtitle)} of type "
            f"{type(subtitle).__name__}"
        )
    # checked, then used as given (an int height stays an int in the figure's JSON)
    check_positive("height", height)
    check_nonnegative("top", top)
    check_nonnegative("bottom", bottom)
    if not 0.0 <= check_real("title_y", title_y) <= 1.0:
        raise ValueError(f"title_y must be in [0, 1], got {title_y!r}")
    check_nonnegative("title_pad", title_pad)
    if legend_y is not None:
        check_real("legend_y", legend_y)
    if min_width is not None:
        check_positive("min_width", min_width)
    title_layout: dict[str, Any] = dict(
        text=title,
        y=title_y,
        yanchor="top",
        yref="container",
        pad=dict(t=title_pad),
        automargin=False,
    )
    if subtitle is not None:
        title_layout["subtitle"] = dict(text=subtitle)
    update: dict[str, Any] = dict(
        title=title_layout,
        height=height,
        margin=dict(t=top, b=bottom),
    )
    if legend_y is not None:
        update["legend"] = dict(
            orientation="h",
            yanchor="top",
            y=legend_y,
            xanchor="left",
            x=0,
        )
    if min_width is not None:
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        update["meta"] = {**meta, "qlib": {**meta.get("qlib", {}), "min_width": min_width}}
    fig.update_layout(update)
    return fig


# --------------------------------------------------------------------------- #
# first_crossing
# --------------------------------------------------------------------------- #
def _check_curve(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, (str, bytes)) or np.isscalar(value):
            raise TypeError(f"{name} must be a 1-d sequence of real numbers, got {_fmt(value)}")
        arr = np.asarray(value)
        if arr.dtype == bool or not (
            np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
        ):
            raise TypeError(f"{name} must hold real numbers, got {_fmt(value)}")
        if arr.ndim != 1:
            raise ValueError(f"{name} must be 1-d, got an array of shape {arr.shape}")
        arrays.append(arr.astype(float))
    x, y = arrays
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError(f"x must have at least 2 points, got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x must contain only finite numbers, got {_fmt(x)}")
    if not np.all(np.diff(x) > 0):
        i = int(np.flatnonzero(np.diff(x) <= 0)[0])
        raise ValueError(
            f"x must be strictly increasing, got x[{i}] = {float(x[i])!r} and "
            f"x[{i + 1}] = {float(x[i + 1])!r}"
        )
    if np.any(np.isnan(y)):
        raise ValueError(
            f"y must not contain NaN, got NaN at index {int(np.flatnonzero(np.isnan(y))[0])}"
        )
    return x, y


def first_crossing(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    level: float = 0.0,
    *,
    direction: Literal["up", "down"] = "up",
    refine: Callable[[float], float] | None = None,
    xtol: float = 2e-12,
) -> float:
    """The first x at which a sampled curve reaches ``level``.

    With ``direction="up"`` this is the smallest x at which the curve through the
    points ``(x[i], y[i])`` is at or above ``level``; with ``"down"``, at or below.

    Parameters
    ----------
    x : array_like of float, shape (n,)
        Abscissae, finite and strictly increasing, n >= 2.
    y : array_like of float, shape (n,)
        The curve's values at ``x``; ``±inf`` is allowed, NaN is not.
    level : float, optional
        The level to reach (finite). Default 0, e.g. for the log of a ratio of
        two rates.
    direction : {"up", "down"}, optional
        Reach ``level`` from below (``"up"``, the default) or from above (``"down"``).
    refine : callable, optional
        The function the samples ``y`` come from (``y[i] == refine(x[i])``). If
        given, the crossing is refined by :func:`scipy.optimize.brentq` on
        ``refine(t) - level`` in the grid cell that brackets it, instead of
        interpolated.
    xtol : float, optional
        Absolute tolerance (> 0) of the root finder, with ``refine``. Default
        2e-12, brentq's own.

    Returns
    -------
    float
        ``x[0]`` if the curve is already at or beyond the level at the start;
        otherwise the crossing in the first cell ``[x[i-1], x[i]]`` whose end
        ``y[i]`` has reached the level, linearly interpolated,
        ``x[i-1] + (x[i] - x[i-1]) (level - y[i-1]) / (y[i] - y[i-1])``,
        or refined; ``nan`` if the curve never reaches the level.

    Raises
    ------
    TypeError
        If ``x`` or ``y`` is not a sequence of real numbers, or ``refine`` is not
        callable.
    ValueError
        If ``x`` and ``y`` differ in length, have fewer than 2 points or are not
        1-d, ``x`` is not finite and strictly increasing, ``y`` holds NaN,
        ``level`` is not finite, ``direction`` is not ``"up"`` or ``"down"``,
        or ``xtol`` is not > 0.

    Notes
    -----
    A miss is ``nan`` rather than an exception, so that a figure function can
    draw (or leave out) a marker with ``numpy.isnan`` at every grid point of an
    explorable. The crossing is located to the resolution of the grid: a curve
    that dips through the level and back between two samples is not seen.
    Chapters wrap it in their own root finders (the crossover distance of a
    repeater chain, of a satellite link) with ``refine``. Introduced in
    *Quantum links*.

    Examples
    --------
    >>> first_crossing([0, 1, 2, 3], [0.0, 0.1, 0.3, 0.6], 0.2)
    1.5
    >>> first_crossing([0, 1, 2], [3.0, 1.0, -1.0], 0.0, direction="down")
    1.5
    >>> first_crossing([0, 1, 2], [0.0, 0.1, 0.2], 1.0)
    nan
    """
    x, y = _check_curve(x, y)
    level = check_real("level", level)
    direction = check_choice("direction", direction, ("up", "down"))
    if refine is not None and not callable(refine):
        raise TypeError(f"refine must be callable or None, got {_fmt(refine)}")
    xtol = check_positive("xtol", xtol)
    reached = np.flatnonzero(y >= level if direction == "up" else y <= level)
    if reached.size == 0:
        return float("nan")
    i = int(reached[0])
    if i == 0:
        return float(x[0])
    if refine is not None:
        from scipy.optimize import brentq

        return float(brentq(lambda t: refine(t) - level, x[i - 1], x[i], xtol=xtol))
    x0, x1, y0, y1 = x[i - 1], x[i], y[i - 1], y[i]
    return float(x0 + (x1 - x0) * (level - y0) / (y1 - y0))


# --------------------------------------------------------------------------- #
# html_table
# --------------------------------------------------------------------------- #
_ALIGNMENTS = ("left", "center", "right")


def _check_cells(name: str, cells: Any, n_rows: int, n_columns: int) -> set[tuple[int, int]]:
    if isinstance(cells, (str, bytes)) or not isinstance(cells, Iterable):
        raise TypeError(f"{name} must be a collection of (row, column) pairs, got {_fmt(cells)}")
    out = set()
    for cell in cells:
        if (
            not isinstance(cell, tuple)
            or len(cell) != 2
            or not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in cell)
        ):
            raise TypeError(f"{name} must hold (row, column) pairs of ints, got {_fmt(cell)}")
        r, c = int(cell[0]), int(cell[1])
        if not (-n_rows <= r < n_rows and -n_columns <= c < n_columns):
            raise ValueError(
                f"{name} holds the cell {cell!r}, outside the table of {n_rows} rows "
                f"and {n_columns} columns"
            )
        out.add((r % n_rows, c % n_columns))
    return out


def html_table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    align: str | Sequence[str] | None = None,
    bold: Collection[tuple[int, int]] = (),
    italic: Collection[tuple[int, int]] = (),
):
    """A small HTML table that renders alike in the built book and in JupyterLab.

    Parameters
    ----------
    header : sequence
        The column headings; each is written with ``str``.
    rows : iterable of sequences
        The body rows, each as long as ``header``; cells are written with ``str``.
    align : str or sequence of str, optional
        ``"left"``, ``"center"`` or ``"right"`` for every column, or one per
        column. By default no alignment is set (the page's stylesheet decides).
    bold, italic : collection of (row, column) pairs, optional
        Body cells to set in bold or italic, by 0-based index into ``rows`` and
        the columns (negative indices count from the end, as in Python).

    Returns
    -------
    IPython.display.HTML
        The table (class ``table``), shown when it is the last expression of a
        cell; its markup is ``.data``.

    Raises
    ------
    TypeError
        If ``header`` or a row is not a sequence, or ``bold``/``italic`` does not
        hold pairs of ints.
    ValueError
        If ``header`` is empty, a row's length differs from the header's, an
        alignment is not one of the three, or a bold or italic cell is outside the table.

    Notes
    -----
    Every heading and cell is escaped with :func:`html.escape`: text such as
    ``"<script>"`` or ``"a & b"`` shows literally and can never inject markup.
    Emphasis is therefore asked for with ``bold`` and ``italic``, not written as
    tags inside the cells. Used in *QKD* and *Post-quantum cryptography*.

    Examples
    --------
    >>> t = html_table(["stage", "bits"], [["sifted", 1000], ["<final>", 250]],
    ...                align=["left", "right"], bold=[(1, 1)])
    >>> print(t.data)  # doctest: +NORMALIZE_WHITESPACE
    <table class="table"><thead><tr><th style="text-align:left">stage</th><th
    style="text-align:right">bits</th></tr></thead><tbody><tr><td
    style="text-align:left">sifted</td><td style="text-align:right">1000</td></tr><tr><td
    style="text-align:left">&lt;final&gt;</td><td style="text-align:right"><b>250</b></td></tr></tbody></table>
    """
    from IPython.display import HTML

    if isinstance(header, (str, bytes)) or not isinstance(header, Sequence | np.ndarray):
        raise TypeError(f"header must be a sequence of column headings, got {_fmt(header)}")
    header = list(header)
    n_columns = len(header)
    if n_columns == 0:
        raise ValueError("header must name at least one column, got an empty header")
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
        raise TypeError(f"rows must be an iterable of rows, got {_fmt(rows)}")
    body_rows = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence | np.ndarray):
            raise TypeError(f"rows[{i}] must be a sequence of cells, got {_fmt(row)}")
        row = list(row)
        if len(row) != n_columns:
            raise ValueError(
                f"rows[{i}] must have {n_columns} cells, one per column of the header, "
                f"got {len(row)}"
            )
        body_rows.append(row)
    if align is None:
        styles = [""] * n_columns
    else:
        if isinstance(align, str):
            align = [align] * n_columns
        elif not isinstance(align, Sequence):
            raise TypeError(f"align must be a str or a sequence of str, got {_fmt(align)}")
        align = list(align)
        if len(align) != n_columns:
            raise ValueError(
                f"align must give one alignment per column ({n_columns}), got {len(align)}"
            )
        styles = [
            f' style="text-align:{check_choice(f"align[{j}]", a, _ALIGNMENTS)}"'
            for j, a in enumerate(align)
        ]
    bold = _check_cells("bold", bold, len(body_rows), n_columns)
    italic = _check_cells("italic", italic, len(body_rows), n_columns)

    def cell(tag: str, style: str, value: Any, where: tuple[int, int] | None) -> str:
        text = html.escape(str(value))
        if where in bold:
            text = f"<b>{text}</b>"
        if where in italic:
            text = f"<i>{text}</i>"
        return f"<{tag}{style}>{text}</{tag}>"

    head = "".join(cell("th", s, h, None) for s, h in zip(styles, header))
    body = "".join(
        "<tr>" + "".join(cell("td", s, v, (i, j)) for j, (s, v) in enumerate(zip(styles, row)))
        + "</tr>"
        for i, row in enumerate(body_rows)
    )
    return HTML(
        f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )
