"""Explorables: one declaration of an interactive figure, two renderings.

A chapter declares a figure once, as a pure function of a few parameters plus
the grid each parameter moves on::

    def fidelity_plot(p, length):
        ...
        return fig                        # a plotly.graph_objects.Figure

    Explorable(
        fidelity_plot,
        [Slider("p", 0, 0.5, 0.05, label="noise p"),
         Slider("length", 0, 200, 10, unit="km", default=50)],
        name="fidelity-vs-noise",
    )

Left as the last expression of a cell, the explorable renders

* in a live kernel (JupyterLab, Binder) as ipywidgets controls driving a Plotly
  ``FigureWidget`` that is updated in place (:meth:`Explorable.widget`,
  :meth:`Explorable.update`);
* in the built book as the same figure and controls driven by plotly.js alone,
  from values precomputed at build time at every grid point
  (:meth:`Explorable.static_html` and ``qlib/viz/assets/explorable.js``).

Both mimetypes are in one display bundle (:meth:`Explorable._repr_mimebundle_`);
the book's ``_config.yml`` removes the widget mimetype so the page uses the
static HTML.

Static HTML and its payload
---------------------------
``static_html()`` returns::

    <div class="qlib-explorable" id="qlib-explorable-NAME" data-qlib-name="NAME">
      <div class="qlib-explorable-controls" role="group" hidden>   (only with controls)
        <div class="qlib-control qlib-control-slider" data-qlib-control="CTRL">
          <label class="qlib-control-label" for="qlib-NAME-CTRL">LABEL</label>
          <input class="qlib-control-input" type="range" id="qlib-NAME-CTRL"
                 name="CTRL" data-qlib-control="CTRL" min="0" max="N-1" step="1" value="I">
          <output class="qlib-control-value" for="qlib-NAME-CTRL">VALUE UNIT</output>
        </div>
        <div class="qlib-control qlib-control-choice" data-qlib-control="CTRL">
          <label ...>LABEL</label>
          <select class="qlib-control-input" id=... name="CTRL" data-qlib-control="CTRL">
            <option value="0">OPTION LABEL</option> ...
          </select>
        </div>
      </div>
      <p class="qlib-explorable-result" id="qlib-NAME-result" aria-live="polite"></p>
      <div class="qlib-explorable-figure" role="img"
           aria-labelledby="qlib-NAME-result qlib-NAME-caption"></div>
      <p class="qlib-explorable-caption" id="qlib-NAME-caption">CAPTION</p>   (only with a caption)
      <script type="application/json" class="qlib-explorable-data">PAYLOAD</script>
    </div>

A range input steps over grid *indices* (0 … N−1); its ``<output>`` shows the
formatted value. The controls stay ``hidden`` until the script has drawn the
figure (a reader never sees a control that does nothing). After each drawing the
script sets ``data-qlib-ready="true"`` and ``data-qlib-index`` (the flat grid
index drawn) on the ``.qlib-explorable`` element; the figure's data are those of
the plotly graph div, ``.qlib-explorable-figure`` (class ``js-plotly-plot``,
property ``.data``). The script writes the figure's title, line by line, into
the result paragraph (text only), which names the figure for screen readers and
announces each new result; on a narrow screen it takes the title's place above
the plot. The script also puts the figure in a ``.qlib-explorable-scroll`` box
(followed by a ``.qlib-scroll-cue``) in which a figure marked with a minimum width
(``finish(..., min_width=...)``) scrolls sideways on a narrower screen. Dark mode,
touch and narrow screens change only how the figure is drawn (see the script's
"reader's screen" section).

The payload is JSON (``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so no
text inside can close the script element)::

    {"v": 1, "name": ..., "config": {...plotly.js config...},
     "controls": [{"name", "kind": "slider"|"choice", "label", "default": index,
                   "values": [grid numbers] (sliders), "text": [readouts/labels]}],
     "shape": [n_1, ..., n_k],        grid size per control, in declaration order
     "base": {"data": [...], "layout": {...}},   the figure at the defaults
     "z": base64 of the zlib-compressed JSON of
          {"paths": [["data", 0, "y"], ["layout", "title", "text"], ...],
           "leaves": [leaf, ...],        each distinct leaf value, stored once
           "patches": [[path, leaf, path, leaf, ...], ...]}   one per grid point}

Grid points are in row-major order (the last control varies fastest). A patch
sets ``paths[path]`` to ``leaves[leaf]``; leaf ``-1`` deletes the path; the
patch of the default point is empty. Numeric arrays (in ``base`` and
``leaves``) of 8 or more finite numbers are stored as ``{"$qa": mode, "k":
order, "d": [integers], "e": exponent, "sg": sign, "s": shape}``: ``d`` undone
by ``k`` cumulative sums gives integers ``n``; mode ``"l"`` means ``n·10^e``
(5 significant digits of the array's largest magnitude: error at most
5e-5·max|a|), mode ``"g"`` means ``sg·10^(n/100000)`` (relative error at most
1.2e-5; used for data of one sign spanning more than three decades, as on log
axes); ``s`` reshapes a flattened 2-D array. Other floats are rounded to 5
significant digits. Smooth curves give small second differences, which
compress well: a 21 x 11 grid of three 200-point curves takes about 110 kB.
The browser inflates ``z`` with ``DecompressionStream("deflate")``.

URL hash
--------
The setting of every explorable not at its defaults is kept in the page's URL
hash, as ``&``-joined pairs ``NAME.CONTROL=VALUE``: a slider's VALUE is the grid
number (``#fidelity-vs-noise.p=0.15&fidelity-vs-noise.length=120``), a choice's
is its option label, URI-encoded. Unknown names, values off the grid and
malformed pairs are ignored (the default stands); nothing from the URL is ever
inserted into the page as HTML.
"""

from __future__ import annotations

import base64
import html
import inspect
import json
import keyword
import math
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from .style import PLOTLY_CONFIG, style_figure

__all__ = ["Slider", "Choice", "Explorable", "MAX_GRID_POINTS"]

#: Largest number of grid points (product of the controls' grid sizes) an
#: explorable may have: every point is precomputed and embedded in the page.
MAX_GRID_POINTS = 2000

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_UNITS_WITHOUT_SPACE = ("°", "′", "″")
_GRID_TOL = 1e-9
_SIG_DIGITS = 5
_MIN_ENCODED = 8  # shorter numeric arrays are stored as plain rounded lists
_LOG_SCALE = 100_000
_DELETE = -1


# --------------------------------------------------------------------------- #
# Controls
# --------------------------------------------------------------------------- #
def _check_control_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"control name must be a str, got {type(name).__name__}")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(
            f"control name must be a Python identifier (it is passed as a keyword "
            f"argument), got {name!r}"
        )
    return name


def _is_real(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(
        x, bool | np.bool_
    )


def _clean_float(x: float) -> float:
    """Drop floating-point noise such as 0.30000000000000004 -> 0.3."""
    return float(f"{x:.12g}")


class Slider:
    """A numeric control moving on a regular grid ``start, start+step, ..., stop``.

    Parameters
    ----------
    name : str
        Keyword argument of the figure function this control sets.
    start, stop : float
        First and last grid values (``start < stop``; both included).
    step : float
        Grid spacing (> 0); it must divide ``stop - start``.
    default : float, optional
        Initial value, on the grid. Defaults to ``start``.
    label : str, optional
        Text shown beside the control. Defaults to ``name``.
    unit : str, optional
        Unit shown after the value, e.g. ``"km"``.
    fmt : str, optional
        Python format spec for the value readout, e.g. ``".2f"``. By default as
        many decimals as ``start`` and ``step`` have.

    Raises
    ------
    ValueError
        On an empty or inverted range, a step that is not positive or does not
        divide the range, a default off the grid, or a bad format spec.

    Notes
    -----
    If ``start``, ``stop`` and ``step`` are all integers the grid values are
    ``int``; otherwise ``float`` (cleaned to 12 significant digits, so that
    0.1·3 is 0.3). Introduced with the first explorable, in the chapter *Quantum networks*.

    Examples
    --------
    >>> s = Slider("length", 0, 100, 25, unit="km", default=50)
    >>> s.values
    (0, 25, 50, 75, 100)
    >>> s.format(50)
    '50 km'
    >>> Slider("p", 0, 0.3, 0.1).values
    (0.0, 0.1, 0.2, 0.3)
    """

    kind = "slider"

    def __init__(
        self,
        name: str,
        start: float,
        stop: float,
        step: float,
        *,
        default: float | None = None,
        label: str | None = None,
        unit: str = "",
        fmt: str | None = None,
    ) -> None:
        self.name = _check_control_name(name)
        for pname, value in (("start", start), ("stop", stop), ("step", step)):
            if not _is_real(value):
                raise TypeError(
                    f"Slider {name!r}: {pname} must be a real number, got {value!r}"
                )
            if not math.isfinite(value):
                raise ValueError(f"Slider {name!r}: {pname} must be finite, got {value!r}")
        if not start < stop:
            raise ValueError(
                f"Slider {name!r}: the range is empty or inverted: start must be < stop, "
                f"got start={start!r}, stop={stop!r}"
            )
        if not step > 0:
            raise ValueError(f"Slider {name!r}: step must be > 0, got {step!r}")
        count = (stop - start) / step
        n = round(count)
        if n < 1 or abs(count - n) > 1e-6:
            raise ValueError(
                f"Slider {name!r}: step {step!r} does not divide the range "
                f"[{start!r}, {stop!r}] (that is {count:.6g} steps)"
            )
        if n + 1 > MAX_GRID_POINTS:
            raise ValueError(
                f"Slider {name!r}: {n + 1} grid values from step {step!r} over "
                f"[{start!r}, {stop!r}]; at most {MAX_GRID_POINTS} points are "
                f"precomputed for the static page. Coarsen the step."
            )
        self.is_integer = all(
            isinstance(v, int | np.integer) and not isinstance(v, bool)
            for v in (start, stop, step)
        )
        if self.is_integer:
            values = tuple(int(start) + i * int(step) for i in range(n + 1))
        else:
            values = tuple(_clean_float(start + i * step) for i in range(n + 1))
        self.start, self.stop, self.step = values[0], values[-1], (
            int(step) if self.is_integer else float(step)
        )
        self.values = values
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Slider {name!r}: label must be a str, got {label!r}")
        if not isinstance(unit, str):
            raise TypeError(f"Slider {name!r}: unit must be a str, got {unit!r}")
        self.label = name if label is None else label
        self.unit = unit
        if fmt is None:
            fmt = "d" if self.is_integer else self._default_fmt(start, step)
        self.fmt = fmt
        self.default_index = 0 if default is None else self._index(default, "default")
        self.default = values[self.default_index]
        try:
            self.format(self.default)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"Slider {name!r}: fmt must be a valid format spec for the values, "
                f"got {fmt!r} ({exc})"
            ) from None

    @staticmethod
    def _default_fmt(start: float, step: float) -> str:
        decimals = 0
        for v in (start, step):
            text = f"{float(v):.10g}"
            if "e" in text:
                return ".4g"
            if "." in text:
                decimals = max(decimals, len(text.split(".")[1]))
        return f".{decimals}f"

    def _index(self, value: Any, what: str = "value") -> int:
        if not _is_real(value) or not math.isfinite(value):
            raise ValueError(
                f"Slider {self.name!r}: {what} must be a finite number on the grid, "
                f"got {value!r}"
            )
        pos = (value - self.values[0]) / self.step
        i = round(pos)
        if 0 <= i < len(self.values) and abs(pos - i) <= 1e-6:
            return i
        raise ValueError(
            f"Slider {self.name!r}: {what} must be on the grid {self.values[0]!r}, "
            f"{self.values[1]!r}, ..., {self.values[-1]!r} (step {self.step!r}), "
            f"got {value!r}"
        )

    def index_of(self, value: Any) -> int:
        """Grid index of ``value``; ValueError if it is not on the grid."""
        return self._index(value)

    def format(self, value: Any) -> str:
        """The readout text of ``value``: formatted number, then the unit.

        A space separates number and unit ("60 km"), except for angle units
        written against the number ("22.5°").
        """
        text = format(value, self.fmt)
        if not self.unit:
            return text
        return f"{text}{self.unit}" if self.unit in _UNITS_WITHOUT_SPACE else f"{text} {self.unit}"

    @property
    def texts(self) -> tuple[str, ...]:
        """Readout text of every grid value."""
        return tuple(self.format(v) for v in self.values)

    def __repr__(self) -> str:
        return (
            f"Slider({self.name!r}, {self.values[0]!r}, {self.values[-1]!r}, "
            f"{self.step!r}, default={self.default!r}, unit={self.unit!r})"
        )


class Choice:
    """A control choosing one of a few options.

    Parameters
    ----------
    name : str
        Keyword argument of the figure function this control sets.
    options : sequence or dict
        The values to choose from (labels are ``str(value)``), or a dict mapping
        each display label to its value.
    default : optional
        Initial value (or, for a dict, its label). Defaults to the first option.
    label : str, optional
        Text shown beside the control. Defaults to ``name``.

    Raises
    ------
    ValueError
        If there are no options, two options share a label, or the default is
        not one of them.

    Notes
    -----
    Introduced with the first explorable, in the chapter *Quantum networks*.

    Examples
    --------
    >>> c = Choice("noise", {"depolarizing": "dep", "dephasing": "deph"})
    >>> c.values, c.texts, c.default
    (('dep', 'deph'), ('depolarizing', 'dephasing'), 'dep')
    >>> Choice("basis", ["Z", "X"], default="X").default_index
    1
    """

    kind = "choice"

    def __init__(
        self,
        name: str,
        options: Sequence[Any] | Mapping[str, Any],
        *,
        default: Any = None,
        label: str | None = None,
    ) -> None:
        self.name = _check_control_name(name)
        if isinstance(options, Mapping):
            labels = list(options.keys())
            values = list(options.values())
            for lab in labels:
                if not isinstance(lab, str):
                    raise TypeError(
                        f"Choice {name!r}: option labels (dict keys) must be str, got {lab!r}"
                    )
        elif isinstance(options, str) or not isinstance(options, Sequence | np.ndarray):
            raise TypeError(
                f"Choice {name!r}: options must be a sequence of values or a dict "
                f"label -> value, got {options!r}"
            )
        else:
            values = list(options)
            labels = [str(v) for v in values]
        if not values:
            raise ValueError(f"Choice {name!r}: options must not be empty")
        if len(set(labels)) != len(labels):
            raise ValueError(f"Choice {name!r}: option labels must be distinct, got {labels!r}")
        for i, a in enumerate(values):
            for b in values[:i]:
                try:
                    same = a is b or bool(a == b)
                except (ValueError, TypeError):
                    same = False
                if same:
                    raise ValueError(
                        f"Choice {name!r}: option values must be distinct (a setting must "
                        f"name one option), got {a!r} twice in {list(values)!r}"
                    )
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Choice {name!r}: label must be a str, got {label!r}")
        self.values = tuple(values)
        self.texts = tuple(labels)
        self.label = name if label is None else label
        if default is None:
            self.default_index = 0
        else:
            self.default_index = self._index(default, "default")
        self.default = self.values[self.default_index]

    def _index(self, value: Any, what: str = "value") -> int:
        for i, v in enumerate(self.values):
            try:
                if v is value or bool(v == value):
                    return i
            except (ValueError, TypeError):
                continue
        if isinstance(value, str) and value in self.texts:
            return self.texts.index(value)
        raise ValueError(
            f"Choice {self.name!r}: {what} must be one of {list(self.values)!r}, got {value!r}"
        )

    def index_of(self, value: Any) -> int:
        """Index of ``value`` (or of an option label); ValueError if absent."""
        return self._index(value)

    def format(self, value: Any) -> str:
        """The label of ``value``."""
        return self.texts[self._index(value)]

    def __repr__(self) -> str:
        return f"Choice({self.name!r}, {list(self.values)!r}, default={self.default!r})"


# --------------------------------------------------------------------------- #
# Encoding of figures for the static payload
# --------------------------------------------------------------------------- #
def _from_b64(spec: Mapping[str, Any]) -> np.ndarray:
    dtype = np.dtype(spec["dtype"]).newbyteorder("<")
    arr = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)
    shape = spec.get("shape")
    if shape:
        if isinstance(shape, str):
            shape = [int(s) for s in shape.split(",")]
        arr = arr.reshape(shape)
    return arr.astype(arr.dtype.newbyteorder("="))


def _plain(obj: Any) -> Any:
    """``to_plotly_json`` output with plotly's base64 arrays turned into numpy."""
    if isinstance(obj, Mapping):
        if "bdata" in obj and "dtype" in obj and set(obj) <= {"bdata", "dtype", "shape"}:
            return _from_b64(obj)
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


def _round(x: float) -> float | None:
    if not math.isfinite(x):
        return None
    return float(f"{x:.{_SIG_DIGITS}g}")


def _deltas(n: np.ndarray) -> tuple[int, list[int]]:
    """The shortest (in JSON text) of n, its first and its second differences."""
    best: tuple[int, list[int]] | None = None
    enc = n
    for order in range(3):
        if order:
            enc = np.concatenate([enc[:1], np.diff(enc)])
        as_list = enc.tolist()
        size = len(json.dumps(as_list, separators=(",", ":")))
        if best is None or size < best[2]:
            best = (order, as_list, size)
    return best[0], best[1]


def _encode_array(a: np.ndarray) -> Any:
    kind = a.dtype.kind
    if kind not in "iuf" or a.size < _MIN_ENCODED:
        return [_encode(v) for v in a.tolist()]
    shape = list(a.shape) if a.ndim > 1 else None
    flat = a.reshape(-1)
    if kind == "f" and not np.all(np.isfinite(flat)):
        return [_encode(v) for v in a.tolist()]
    out: dict[str, Any]
    if kind in "iu":
        if flat.size and int(np.max(np.abs(flat.astype(np.float64)))) >= 2**53:
            return [_encode(v) for v in a.tolist()]
        order, d = _deltas(flat.astype(np.int64))
        out = {"$qa": "l", "e": 0, "k": order, "d": d}
    else:
        flat = flat.astype(np.float64)
        mags = np.abs(flat)
        top = float(mags.max()) if flat.size else 0.0
        low = float(mags.min()) if flat.size else 0.0
        same_sign = bool(np.all(flat > 0) or np.all(flat < 0))
        if same_sign and low > 0 and top / low > 1e3:
            sign = 1 if flat[0] > 0 else -1
            n = np.rint(np.log10(mags) * _LOG_SCALE).astype(np.int64)
            order, d = _deltas(n)
            out = {"$qa": "g", "sg": sign, "k": order, "d": d}
        else:
            e = 0 if top == 0 else math.floor(math.log10(top)) - 4
            n = np.rint(flat / 10.0**e if e >= 0 else flat * 10.0 ** (-e)).astype(np.int64)
            order, d = _deltas(n)
            out = {"$qa": "l", "e": e, "k": order, "d": d}
    if shape:
        out["s"] = shape
    return out


def _is_numeric_list(obj: list) -> bool:
    return len(obj) >= _MIN_ENCODED and all(_is_real(v) for v in obj)


def _encode(obj: Any) -> Any:
    """A JSON-able, rounded, compact version of a (plain) figure subtree."""
    if isinstance(obj, np.ndarray):
        return _encode_array(obj)
    if isinstance(obj, Mapping):
        return {str(k): _encode(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        if _is_numeric_list(obj):
            return _encode_array(np.asarray(obj))
        return [_encode(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _round(float(obj))
    if obj is None or isinstance(obj, str):
        return obj
    # anything else (dates, decimals, ...): plotly's own JSON encoder
    from plotly.utils import PlotlyJSONEncoder

    return json.loads(json.dumps(obj, cls=PlotlyJSONEncoder))


def _canon(encoded: Any) -> str:
    return json.dumps(encoded, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _is_dict_list(obj: Any) -> bool:
    return isinstance(obj, list) and all(isinstance(v, Mapping) for v in obj) and len(obj) > 0


def _diff(
    base: Any, new: Any, path: tuple, out: list, memo: dict[tuple, str]
) -> None:
    """Collect (path, new leaf or _DELETE) where ``new`` differs from ``base``."""
    if isinstance(base, Mapping) and isinstance(new, Mapping):
        for key in list(base.keys()) + [k for k in new.keys() if k not in base]:
            sub = path + (key,)
            if key not in new:
                out.append((sub, _DELETE))
            elif key not in base:
                out.append((sub, new[key]))
            else:
                _diff(base[key], new[key], sub, out, memo)
        return
    if _is_dict_list(base) and _is_dict_list(new) and len(base) == len(new):
        for i, (b, n) in enumerate(zip(base, new)):
            _diff(b, n, path + (i,), out, memo)
        return
    if path not in memo:
        memo[path] = _canon(_encode(base))
    if _canon(_encode(new)) != memo[path]:
        out.append((path, new))


def _structure(fig_plain: Mapping[str, Any]) -> list[str]:
    return [t.get("type", "scatter") for t in fig_plain.get("data", [])]


def _json_for_script(payload: Any) -> str:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# --------------------------------------------------------------------------- #
# Explorable
# --------------------------------------------------------------------------- #
#: Space after each live control (ipywidgets): a gap before the next control's label.
_CONTROL_MARGIN = "0 2rem 0.35rem 0"


class Explorable:
    """A figure as a pure function of a few controls, live in a kernel, static in the book.

    Parameters
    ----------
    figure : callable
        ``figure(**values) -> plotly.graph_objects.Figure``, one keyword per
        control name; pure (same values, same figure). It must return the same
        number and types of traces at every grid point.
    controls : sequence of Slider or Choice
        The controls, in display order (may be empty: a plain static figure).
    name : str
        Short slug, ``^[a-z][a-z0-9-]*$``, unique on its page: it keys the
        explorable in the URL hash and the page's DOM.
    caption : str, optional
        Plain text shown below the figure.

    Raises
    ------
    TypeError
        If ``figure`` is not callable or a control is not a Slider/Choice.
    ValueError
        On a bad name, duplicate control names, control names that are not
        keyword parameters of ``figure`` (or parameters of ``figure`` without a
        default that no control sets), or more than :data:`MAX_GRID_POINTS`
        grid points.

    Notes
    -----
    The explorable gives its figure the book's look
    (:func:`qlib.viz.style.style_figure`) once, for the live widget and for the
    static page: the figure function need not style each figure it returns,
    which keeps every update quick.

    Displayed as the last expression of a cell (qlib never calls ``display``),
    its mimebundle holds the ipywidgets view (live kernel) and
    :meth:`static_html` (the built book, whose ``_config.yml`` drops the widget
    mimetype). See the module docstring for the static HTML, the payload and
    the URL-hash format. Introduced in the chapter *Quantum networks*.

    Examples
    --------
    >>> import numpy as np, plotly.graph_objects as go
    >>> def line(slope):
    ...     x = np.linspace(0, 1, 11)
    ...     return go.Figure(go.Scatter(x=x, y=slope * x))
    >>> ex = Explorable(line, [Slider("slope", 0, 2, 0.5, default=1)], name="line")
    >>> ex.grid_shape, ex.defaults
    ((5,), {'slope': 1.0})
    >>> float(ex.figure_for(slope=2).data[0].y[-1])
    2.0
    >>> 'class="qlib-explorable"' in ex.static_html()
    True
    """

    def __init__(
        self,
        figure: Callable[..., go.Figure],
        controls: Sequence[Slider | Choice],
        *,
        name: str,
        caption: str | None = None,
    ) -> None:
        if not callable(figure):
            raise TypeError(f"figure must be a callable returning a plotly Figure, got {figure!r}")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValueError(
                f"name must be a slug matching ^[a-z][a-z0-9-]*$ (lower-case letters, "
                f"digits, hyphens; it keys the URL hash and the page), got {name!r}"
            )
        if caption is not None and not isinstance(caption, str):
            raise TypeError(f"caption must be a str or None, got {caption!r}")
        if isinstance(controls, Slider | Choice) or not isinstance(controls, Sequence):
            raise TypeError(
                f"controls must be a list of Slider/Choice, got {type(controls).__name__}"
            )
        controls = tuple(controls)
        for c in controls:
            if not isinstance(c, Slider | Choice):
                raise TypeError(f"each control must be a Slider or a Choice, got {c!r}")
        names = [c.name for c in controls]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate control names: {dupes}")
        self._check_signature(figure, names)
        size = math.prod(len(c.values) for c in controls)
        if size > MAX_GRID_POINTS:
            sizes = " x ".join(f"{c.name}: {len(c.values)}" for c in controls)
            raise ValueError(
                f"grid too large: {size} points ({sizes}); at most {MAX_GRID_POINTS} "
                f"are precomputed for the static page. Coarsen a step (or use fewer "
                f"options)."
            )
        self.figure = figure
        self.controls = controls
        self.name = name
        self.caption = caption
        self._by_name = {c.name: c for c in controls}
        self._widget = None
        self._figure_widget: go.FigureWidget | None = None
        self._control_widgets: dict[str, Any] = {}
        self._readouts: dict[str, Any] = {}
        self._current: dict[str, Any] = dict(self.defaults)
        self._syncing = False
        self._static: str | None = None
        self._structure: list[str] | None = None

    # -- declaration ------------------------------------------------------- #
    @staticmethod
    def _check_signature(figure: Callable, names: list[str]) -> None:
        try:
            sig = inspect.signature(figure)
        except (TypeError, ValueError):
            return  # builtins etc.: checked at the first call
        params = sig.parameters
        var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
        keywordable = {
            n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        }
        fname = getattr(figure, "__name__", "figure")
        bad = [n for n in names if n not in keywordable and not var_kw]
        if bad:
            raise ValueError(
                f"control name(s) {bad} are not keyword parameters of {fname}{sig}; "
                f"each control must match one parameter"
            )
        missing = [
            n
            for n, p in params.items()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and p.default is p.empty
            and n not in names
        ]
        if missing:
            raise ValueError(
                f"parameter(s) {missing} of {fname}{sig} have no default and no control; "
                f"add a control for each or give them defaults"
            )

    @property
    def defaults(self) -> dict[str, Any]:
        """The default value of every control, by name."""
        return {c.name: c.default for c in self.controls}

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """Number of grid values of each control, in declaration order."""
        return tuple(len(c.values) for c in self.controls)

    @property
    def grid_size(self) -> int:
        """Total number of grid points (1 without controls)."""
        return math.prod(self.grid_shape)

    def grid(self):
        """Iterate over every grid point as a dict of values, row-major."""
        for index in np.ndindex(*self.grid_shape):
            yield {c.name: c.values[i] for c, i in zip(self.controls, index)}

    def _resolve(self, values: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
        unknown = [k for k in values if k not in self._by_name]
        if unknown:
            raise TypeError(
                f"unknown control name(s) {unknown} for explorable {self.name!r}; "
                f"controls are {list(self._by_name)}"
            )
        out = dict(base)
        for key, value in values.items():
            control = self._by_name[key]
            out[key] = control.values[control.index_of(value)]
        return out

    def figure_for(self, **values: Any) -> go.Figure:
        """The figure at one grid point (missing controls take their defaults).

        Raises
        ------
        TypeError
            On an unknown control name, or if the figure function does not
            return a plotly Figure.
        ValueError
            On a value off its control's grid.
        """
        settings = self._resolve(values, self.defaults)
        return style_figure(self._call(settings))

    def _call(self, settings: Mapping[str, Any]) -> go.Figure:
        fig = self.figure(**settings)
        if not isinstance(fig, BaseFigure):
            raise TypeError(
                f"the figure function of explorable {self.name!r} must return a plotly "
                f"Figure, got {type(fig).__name__} at {dict(settings)}"
            )
        return fig

    def _check_structure(self, plain: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
        got = _structure(plain)
        if self._structure is None:
            self._structure = got
        elif got != self._structure:
            raise ValueError(
                f"explorable {self.name!r}: the figure must have the same number and "
                f"types of traces at every grid point; at the defaults "
                f"{self.defaults} it has {self._structure}, at {dict(settings)} it "
                f"has {got}"
            )

    # -- live rendering ----------------------------------------------------- #
    def widget(self):
        """The live rendering: ipywidgets controls above a Plotly FigureWidget.

        Built once and cached; every change of a control calls :meth:`update`,
        which changes the same ``FigureWidget`` in place.
        """
        if self._widget is not None:
            return self._widget
        import ipywidgets as widgets

        settings = dict(self.defaults)
        fig = style_figure(self._call(settings))  # the book's look, applied once
        self._check_structure(_plain(fig.to_plotly_json()), settings)
        fw = go.FigureWidget(fig)
        rows = []
        for c in self.controls:
            if isinstance(c, Slider):
                cls = widgets.IntSlider if c.is_integer else widgets.FloatSlider
                ctrl = cls(
                    min=c.values[0],
                    max=c.values[-1],
                    step=c.step,
                    value=c.default,
                    description=c.label,
                    readout=False,
                    continuous_update=True,
                    style={"description_width": "initial"},
                    layout=widgets.Layout(width="22rem"),
                )
                # the value readout keeps its own width and a gap before the next
                # control, so "3 | input pairs" never reads as "3 input pairs"
                readout = widgets.Label(value=c.format(c.default),
                                        layout=widgets.Layout(min_width="4.5rem", margin="0 0 0 0.5rem"))
                self._readouts[c.name] = readout
                rows.append(widgets.HBox([ctrl, readout], layout=widgets.Layout(margin=_CONTROL_MARGIN)))
            else:
                ctrl = widgets.Dropdown(
                    options=[(t, i) for i, t in enumerate(c.texts)],
                    value=c.default_index,
                    description=c.label,
                    style={"description_width": "initial"},
                    layout=widgets.Layout(margin=_CONTROL_MARGIN),
                )
                rows.append(ctrl)
            ctrl.observe(self._on_change(c), names="value")
            self._control_widgets[c.name] = ctrl
        children = [widgets.HBox(rows, layout=widgets.Layout(flex_flow="row wrap"))] if rows else []
        children.append(fw)
        if self.caption:
            children.append(widgets.HTML(f"<p>{html.escape(self.caption)}</p>"))
        self._figure_widget = fw
        self._current = settings
        self._widget = widgets.VBox(children)
        return self._widget

    @property
    def figure_widget(self) -> go.FigureWidget:
        """The ``FigureWidget`` of :meth:`widget` (building it if needed)."""
        self.widget()
        return self._figure_widget

    def _on_change(self, control: Slider | Choice):
        def handler(change):
            if self._syncing:
                return
            if isinstance(control, Slider):
                pos = (change["new"] - control.values[0]) / control.step
                i = min(max(round(pos), 0), len(control.values) - 1)
                value = control.values[i]
            else:
                value = control.values[change["new"]]
            self.update(**{control.name: value})

        return handler

    def update(self, **values: Any) -> go.FigureWidget:
        """Recompute the figure for new control values and apply it in place.

        Parameters
        ----------
        **values
            New values of some controls (others keep their current values);
            each must be on its grid.

        Returns
        -------
        plotly.graph_objects.FigureWidget
            The same FigureWidget object as before, updated in one batch.
        """
        fw = self.figure_widget
        settings = self._resolve(values, self._current)
        fig = self._call(settings)
        new = _plain(fig.to_plotly_json())
        self._check_structure(new, settings)
        old_layout = _plain(fw.layout.to_plotly_json())
        with fw.batch_update():
            for trace, new_trace in zip(fw.data, new["data"]):
                old_trace = _plain(trace.to_plotly_json())
                changes = {
                    k: v
                    for k, v in new_trace.items()
                    if k not in ("type", "uid") and not _same(old_trace.get(k), v)
                }
                for k in old_trace:
                    if k not in new_trace and k not in ("type", "uid"):
                        changes[k] = None
                if changes:
                    trace.update(changes)
            new_layout = new.get("layout", {})
            # The template was applied once, when the widget was made.
            changes = {
                k: v
                for k, v in new_layout.items()
                if k != "template" and not _same(old_layout.get(k), v)
            }
            for k in old_layout:
                if k not in new_layout and k != "template":
                    changes[k] = None
            if changes:
                fw.update_layout(changes, overwrite=True)
        self._current = settings
        self._sync_controls(settings)
        return fw

    def _sync_controls(self, settings: Mapping[str, Any]) -> None:
        self._syncing = True
        try:
            for c in self.controls:
                ctrl = self._control_widgets.get(c.name)
                if ctrl is None:
                    continue
                i = c.index_of(settings[c.name])
                target = c.values[i] if isinstance(c, Slider) else i
                if isinstance(c, Slider):
                    if abs(ctrl.value - target) > 1e-9 * max(1.0, abs(c.step)):
                        ctrl.value = target
                    self._readouts[c.name].value = c.format(c.values[i])
                elif ctrl.value != target:
                    ctrl.value = target
        finally:
            self._syncing = False

    # -- static rendering --------------------------------------------------- #
    def payload(self) -> dict[str, Any]:
        """The JSON-able data the static page needs (see the module docstring)."""
        defaults = self.defaults
        base_plain = _plain(style_figure(self._call(defaults)).to_plotly_json())
        self._structure = None
        self._check_structure(base_plain, defaults)
        base_plain = {"data": base_plain.get("data", []), "layout": base_plain.get("layout", {})}
        default_index = tuple(c.default_index for c in self.controls)
        paths: dict[tuple, int] = {}
        leaves: dict[str, int] = {}
        leaf_list: list[Any] = []
        patches: list[list[int]] = []
        memo: dict[tuple, str] = {}
        for index in np.ndindex(*self.grid_shape):
            if index == default_index:
                patches.append([])
                continue
            settings = {c.name: c.values[i] for c, i in zip(self.controls, index)}
            plain = _plain(self._call(settings).to_plotly_json())
            self._check_structure(plain, settings)
            plain = {"data": plain.get("data", []), "layout": dict(plain.get("layout", {}))}
            # The style belongs to the explorable, not to a grid point: every
            # point shows the base figure's template.
            plain["layout"]["template"] = base_plain["layout"].get("template")
            diffs: list = []
            _diff(base_plain, plain, (), diffs, memo)
            patch: list[int] = []
            for path, value in diffs:
                p = paths.setdefault(path, len(paths))
                if value is _DELETE:
                    v = _DELETE
                else:
                    enc = _encode(value)
                    key = _canon(enc)
                    v = leaves.get(key)
                    if v is None:
                        v = leaves[key] = len(leaf_list)
                        leaf_list.append(enc)
                patch += [p, v]
            patches.append(patch)
        controls = []
        for c in self.controls:
            entry: dict[str, Any] = {
                "name": c.name,
                "kind": c.kind,
                "label": c.label,
                "default": c.default_index,
                "text": list(c.texts),
            }
            if isinstance(c, Slider):
                entry["values"] = list(c.values)
            controls.append(entry)
        self._check_every_control_acts(patches)
        packed = json.dumps(
            {"paths": [list(p) for p in paths], "leaves": leaf_list, "patches": patches},
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        ).encode("utf-8")
        return {
            "v": 1,
            "name": self.name,
            "config": dict(PLOTLY_CONFIG),
            "controls": controls,
            "shape": list(self.grid_shape),
            "base": _encode(base_plain),
            "z": base64.b64encode(zlib.compress(packed, 9)).decode("ascii"),
        }

    def _check_every_control_acts(self, patches: list[list[int]]) -> None:
        """Refuse a control that never changes the figure (it would look frozen).

        ``patches`` are the per-grid-point differences from the default figure,
        row-major; a control acts if two grid points differing only in it have
        different patches somewhere on the grid.
        """
        keys = np.empty(len(patches), dtype=object)
        keys[:] = [tuple(p) for p in patches]
        keys = keys.reshape(self.grid_shape)
        for axis, control in enumerate(self.controls):
            if keys.shape[axis] < 2:
                continue
            ahead = np.take(keys, range(1, keys.shape[axis]), axis=axis)
            behind = np.take(keys, range(keys.shape[axis] - 1), axis=axis)
            if all(a == b for a, b in zip(ahead.ravel(), behind.ravel())):
                raise ValueError(
                    f"explorable {self.name!r}: control {control.name!r} never changes the "
                    f"figure at any grid point; a reader moving it would see nothing happen. "
                    f"Use its value in the figure or remove the control."
                )

    def static_html(self) -> str:
        """The static rendering: controls, figure and precomputed payload as HTML.

        Drawn by ``qlib/viz/assets/explorable.js`` with the page's plotly.js; the
        structure is described in the module docstring. Cached after the first
        call (the figure function is pure).
        """
        if self._static is not None:
            return self._static
        payload = _json_for_script(self.payload())
        esc = html.escape
        name = self.name
        parts = [
            f'<div class="qlib-explorable" id="qlib-explorable-{name}" '
            f'data-qlib-name="{name}">'
        ]
        if self.controls:
            parts.append(
                f'<div class="qlib-explorable-controls" role="group" '
                f'aria-label="{esc("Controls of the figure " + name)}" hidden>'
            )
            for c in self.controls:
                cid = f"qlib-{name}-{c.name}"
                parts.append(
                    f'<div class="qlib-control qlib-control-{c.kind}" '
                    f'data-qlib-control="{c.name}">'
                    f'<label class="qlib-control-label" for="{cid}">{esc(c.label)}</label>'
                )
                if isinstance(c, Slider):
                    text = esc(c.format(c.default))
                    parts.append(
                        f'<input class="qlib-control-input" type="range" id="{cid}" '
                        f'name="{c.name}" data-qlib-control="{c.name}" min="0" '
                        f'max="{len(c.values) - 1}" step="1" value="{c.default_index}" '
                        f'aria-valuetext="{text}">'
                        f'<output class="qlib-control-value" for="{cid}">{text}</output>'
                    )
                else:
                    options = "".join(
                        f'<option value="{i}"{" selected" if i == c.default_index else ""}>'
                        f"{esc(t)}</option>"
                        for i, t in enumerate(c.texts)
                    )
                    parts.append(
                        f'<select class="qlib-control-input" id="{cid}" name="{c.name}" '
                        f'data-qlib-control="{c.name}">{options}</select>'
                    )
                parts.append("</div>")
            parts.append("</div>")
        # The figure is named by its result line (the title, kept up to date by the
        # script in an aria-live region) and its caption.
        labelled_by = f"qlib-{name}-result" + (f" qlib-{name}-caption" if self.caption else "")
        parts.append(
            f'<p class="qlib-explorable-result" id="qlib-{name}-result" aria-live="polite"></p>'
            f'<div class="qlib-explorable-figure" role="img" aria-labelledby="{labelled_by}"></div>'
        )
        if self.caption:
            parts.append(
                f'<p class="qlib-explorable-caption" id="qlib-{name}-caption">{esc(self.caption)}</p>'
            )
        parts.append(
            f'<script type="application/json" class="qlib-explorable-data">{payload}</script>'
        )
        parts.append("</div>")
        self._static = "".join(parts)
        return self._static

    # -- display ------------------------------------------------------------ #
    def __repr__(self) -> str:
        controls = ", ".join(repr(c) for c in self.controls)
        return f"Explorable(name={self.name!r}, controls=[{controls}])"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict[str, Any]:
        """Live widget view, static HTML and plain text, in one bundle."""
        bundle = dict(self.widget()._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = repr(self)
        return bundle


def _same(a: Any, b: Any) -> bool:
    """Equality of plain figure subtrees (numpy arrays compared by value)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return np.array_equal(np.asarray(a), np.asarray(b))
        except (TypeError, ValueError):
            return False
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
