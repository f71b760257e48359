"""Sphinx extension: plotly.js and the explorables' script, served by the site.

Listed in ``_config.yml`` under ``sphinx.extra_extensions`` as
``qbook.sphinx_ext``. On every HTML page it adds, in this order:

1. ``_static/plotly.min.js``: copied at build time from the *installed* plotly
   package (``plotly/package_data/plotly.min.js``), so the site never reaches a
   CDN and the file is never committed. Loaded synchronously in ``<head>``
   (priority 300), because the figures written by
   :func:`qlib.viz.use_book_renderer` call ``Plotly.newPlot`` from inline
   scripts as the page is parsed.
2. ``_static/explorable.js`` (deferred) and ``_static/explorable.css``, from
   ``qlib/viz/assets/``: they drive every :class:`qlib.viz.Explorable`'s static
   rendering.

Notes
-----
The assets come from ``qlib/viz/assets/``, not from a folder named ``_static`` in
the book's source: Jupyter Book adds every file under a source ``_static`` folder
to every page itself, which would load plotly.js twice. As a guard, each page is
checked for any other ``<script>`` that loads plotly (a CDN, a second copy): a
warning is emitted (an error under ``-W``).

Two explorables with the same name on one page are reported as a warning
(their name keys the URL hash and the element ids).

Identical scripts registered twice are written once (sphinx-thebe, which
Jupyter Book always loads, registers its inline configuration twice; the
second copy raises a console error).

The ipywidgets state that the executed notebook carries (myst-nb embeds it in
the page as ``<script type="application/vnd.jupyter.widget-state+json">``) is
dropped from every page: the book shows each explorable's static rendering
(``nb_mime_priority_overrides`` removes the widget view, ``nb_ipywidgets_js``
is empty), so that state is never read, and a Plotly ``FigureWidget``'s state
holds its whole JavaScript bundle (about 5 MB per explorable).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from qlib.viz.static import ASSETS_DIR, EXPLORABLE_CSS, EXPLORABLE_JS, PLOTLY_JS, plotly_js_path

__all__ = ["setup", "duplicate_explorable_names"]

logger = logging.getLogger(__name__)

_OTHER_PLOTLY = re.compile(
    r"<script[^>]*\bsrc\s*=\s*[\"']?[^\"'>]*plotly[^\"'>]*\.js", re.IGNORECASE
)


def _add_static_path(app: Sphinx, config) -> None:
    paths = list(config.html_static_path)
    if str(ASSETS_DIR) not in paths:
        paths.append(str(ASSETS_DIR))
    config.html_static_path = paths


def _copy_plotly(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or getattr(app.builder, "format", None) != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    target = static / PLOTLY_JS
    source = plotly_js_path()
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)


WIDGET_STATE_MIMETYPE = "application/vnd.jupyter.widget-state+json"


def _script_attributes(script) -> dict:
    return dict(getattr(script, "attributes", {}) or {})


_EXPLORABLE_NAME = re.compile(r'<div class="qlib-explorable" id="[^"]*" data-qlib-name="([^"]+)"')


def duplicate_explorable_names(body: str) -> list[str]:
    """Names given to more than one explorable in a page's HTML body.

    >>> one = '<div class="qlib-explorable" id="qlib-explorable-a" data-qlib-name="a">'
    >>> duplicate_explorable_names(one + one), duplicate_explorable_names(one)
    (['a'], [])
    """
    names = _EXPLORABLE_NAME.findall(body)
    return sorted({n for n in names if names.count(n) > 1})


def _script_key(script) -> tuple:
    # An inline script is registered with filename None by some extensions and
    # "" by others: both mean "no file".
    filename = str(getattr(script, "filename", script) or "")
    return (filename, tuple(sorted((k, str(v)) for k, v in _script_attributes(script).items())))


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        # Drop the widget state, and any script registered twice: sphinx-thebe
        # registers its inline configuration (`const THEBE_JS_URL = ...`) twice,
        # and the second copy throws "Identifier has already been declared".
        kept, seen = [], set()
        for script in scripts:
            key = _script_key(script)
            if _script_attributes(script).get("type") == WIDGET_STATE_MIMETYPE or key in seen:
                continue
            seen.add(key)
            kept.append(script)
        if len(kept) != len(scripts):
            scripts[:] = kept
    body = context.get("body") or ""
    for name in duplicate_explorable_names(body):
        logger.warning(
            "page %s has more than one explorable named %r; names key the URL hash "
            "and the page's element ids, so each must be unique on its page",
            pagename,
            name,
            location=pagename,
        )
    if _OTHER_PLOTLY.search(body):
        logger.warning(
            "page %s loads plotly.js by itself; the site loads it once for every page "
            "(qbook.sphinx_ext). Use include_plotlyjs=False / qlib.use_book_renderer().",
            pagename,
            location=pagename,
        )
    scripts = context.get("script_files") or []
    ours = [s for s in scripts if "plotly" in str(getattr(s, "filename", s)).lower()]
    if len(ours) > 1:
        logger.warning(
            "page %s would load plotly.js %d times: %s",
            pagename,
            len(ours),
            [str(getattr(s, "filename", s)) for s in ours],
            location=pagename,
        )


def setup(app: Sphinx) -> dict:
    """Register the static files and hooks (see the module docstring)."""
    app.connect("config-inited", _add_static_path)
    app.connect("build-finished", _copy_plotly)
    # after myst-nb's own html-page-context handler (priority 500) adds the state
    app.connect("html-page-context", _page_context, priority=900)
    app.add_js_file(PLOTLY_JS, priority=300)
    app.add_js_file(EXPLORABLE_JS, priority=600, loading_method="defer")
    app.add_css_file(EXPLORABLE_CSS)
    return {"version": "0.1.0", "parallel_read_safe": True, "parallel_write_safe": True}
