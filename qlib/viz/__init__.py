"""Presentation: the book's Plotly style and renderer, explorables (one declaration,
live and static renderings), and the figure helpers the chapters share (title and
legend frame, named colours, a threshold finder, HTML tables).

Not imported by ``import qlib``: its names load on first use (``qlib.Explorable``)
or with ``import qlib.viz``.
"""

from .style import (
    BOOK_TEMPLATE,
    BOOK_COLORWAY,
    style_figure,
    use_book_renderer,
)
from .explorable import (
    Slider,
    Choice,
    Explorable,
    MAX_GRID_POINTS,
)
from .figures import (
    BOOK_COLORS,
    finish,
    first_crossing,
    html_table,
)

__all__ = [
    # viz.style
    "BOOK_TEMPLATE",
    "BOOK_COLORWAY",
    "style_figure",
    "use_book_renderer",
    # viz.explorable
    "Slider",
    "Choice",
    "Explorable",
    "MAX_GRID_POINTS",
    # viz.figures
    "BOOK_COLORS",
    "finish",
    "first_crossing",
    "html_table",
]
