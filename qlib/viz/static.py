"""The files a page of the book loads to draw its figures without a kernel.

- ``explorable.js`` and ``explorable.css``, in this package's ``assets/`` folder
  (:data:`ASSETS_DIR`): they draw every :class:`qlib.viz.Explorable`'s static
  rendering and move its controls;
- ``plotly.min.js``, taken from the *installed* plotly package
  (:func:`plotly_js_path`), so that the figures' plotly.js is always the one
  the figures were made with, never fetched from a CDN and never committed.

The book's Sphinx extension (``qbook.sphinx_ext``) serves them; the browser
tests load them into a page of their own. See ``docs/architecture.md``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ASSETS_DIR", "PLOTLY_JS", "EXPLORABLE_JS", "EXPLORABLE_CSS", "plotly_js_path"]

#: Folder of the explorables' script and style sheet (package data of qlib.viz).
ASSETS_DIR = Path(__file__).resolve().parent / "assets"

#: File names, as the pages load them.
PLOTLY_JS = "plotly.min.js"
EXPLORABLE_JS = "explorable.js"
EXPLORABLE_CSS = "explorable.css"


def plotly_js_path() -> Path:
    """Path of ``plotly.min.js`` inside the installed plotly package.

    Raises
    ------
    FileNotFoundError
        If the installed plotly has no bundled plotly.js.

    Examples
    --------
    >>> plotly_js_path().name
    'plotly.min.js'
    """
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / PLOTLY_JS
    if not path.is_file():
        raise FileNotFoundError(f"plotly.js not found in the installed plotly package: {path}")
    return path
