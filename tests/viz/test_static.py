"""qlib.viz.static: the files a page loads, found where the book serves them from."""

from __future__ import annotations

import re

from qlib.viz.static import ASSETS_DIR, EXPLORABLE_CSS, EXPLORABLE_JS, PLOTLY_JS, plotly_js_path


def test_assets_are_package_data_outside_any_static_folder():
    for name in (EXPLORABLE_JS, EXPLORABLE_CSS):
        assert (ASSETS_DIR / name).is_file(), name
    # a folder named _static would be added to every page by Jupyter Book: plotly.js twice
    assert "_static" not in ASSETS_DIR.parts


def test_plotly_js_is_the_installed_plotly_bundle():
    import plotly

    path = plotly_js_path()
    assert path.name == PLOTLY_JS and path.stat().st_size > 1_000_000
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    version = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    assert version, "no version banner in plotly.min.js"
    assert plotly.__version__  # the Python package that ships it is importable


def test_the_script_fetches_nothing_from_the_network():
    script = (ASSETS_DIR / EXPLORABLE_JS).read_text()
    assert not re.search(r"https?://", script)
    assert "fetch(" not in script and "XMLHttpRequest" not in script
