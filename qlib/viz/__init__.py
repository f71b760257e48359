"""Presentation: the book's Plotly style and renderer, and explorables (one declaration,
live and static renderings).

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
]
