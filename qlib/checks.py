"""Answer checks for the book's exercises: ``qlib.check(label, answer)``.

A learner working an exercise in a notebook computes an answer and asks::

    import qlib
    qlib.check("tp-ex-delay", (t_fibre, t_vacuum, saving))

and gets a :class:`Feedback` back: right; close but outside the tolerance;
in the wrong units (a factor of 1000 off, a percentage for a fraction); the
wrong number of values; or wrong, with a hint. The feedback never shows the
expected value. It renders as HTML in Jupyter and as text with ``print``;
``bool(feedback)`` is whether the answer passed, so ``assert qlib.check(...)``
works in an autograder's test cell.

Where the checks live
---------------------
Not in qlib: this module is the machinery (the form of an answer, tolerances,
unit slips, feedback), and the expected values come from *answers modules*
offered by an installed distribution under the entry-point group
``qlib.answers`` (:data:`ENTRY_POINT_GROUP`). The book's tooling (``qbook``,
in ``tooling/``) offers ``qbook.answers``, one module per chapter,
``tooling/qbook/answers/<chapter>.py`` (the chapter's file stem with ``-``
written ``_``). Where no answers are installed (a student's environment, the
grading kernel), :func:`check` raises :class:`RuntimeError` saying so. An
answers module defines

``CHAPTER``
    the chapter's file stem, e.g. ``"teleportation"``;
``CHECKS``
    a dict ``{label: Exercise(...)}`` for the computational exercises;
``CONCEPTUAL``
    a dict ``{label: reason}`` for exercises answered in words, which have no
    automatic check (may be empty).

The modules are discovered when a check is first asked for; no central list
names them, so a new chapter's checks are one new file. The expected values
are computed with ``qlib`` itself (functions, not copied numbers) and cached.

The answer's form
-----------------
An exercise asks for one number or for several in a stated order. A single
number is a real ``int``/``float`` (or a 0-d array); several are a tuple, list
or 1-d array of real numbers. Each part has a tolerance (relative ``rtol``
and absolute ``atol``, as in :func:`numpy.isclose`), a unit, and whether it
must be an integer. A part within ``CLOSE_FACTOR`` times its tolerance is
reported as *close*.

Graded assignments
------------------
A graded assignment does not compare in the student's kernel (which has no
answers to compare with). Its test cells call :func:`record_answer`, which
checks the answer's *form* only and emits a record of its values (an output of
MIME type :data:`ANSWER_MIME`); the grader (``qbook.grade``), outside the
kernel, reads the record back (:func:`parse_answer_record`) and judges it
with :func:`judge`, the same judgement :func:`check` gives.

Notes
-----
Introduced for the exercises of every chapter; the instructors' page
(``instructors.md``) lists them. A check helps a learner; the expected values
are computed from qlib, but they are kept out of any environment a graded
student's code runs in (the student edition, the grading kernel).
"""

from __future__ import annotations

import decimal
import difflib
import html
import importlib
import math
import numbers
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

__all__ = ["check", "exercise_labels", "Feedback"]  # Exercise, Part, judge, record_answer: see qlib.checks

#: A part outside its tolerance but within this many tolerances is "close".
CLOSE_FACTOR = 10.0

#: Units an answer is often given in by mistake: unit -> {other unit: factor},
#: where value_in_other = factor * value_in_unit.
UNIT_SLIPS: dict[str, dict[str, float]] = {
    "km": {"m": 1e3},
    "s": {"ms": 1e3, "µs": 1e6, "ns": 1e9, "min": 1 / 60, "h": 1 / 3600},
    "ms": {"s": 1e-3, "µs": 1e3},
    "Hz": {"kHz": 1e-3, "MHz": 1e-6, "GHz": 1e-9},
    "years": {"days": 365.25, "s": 365.25 * 86400},
    "": {"per cent": 100.0},
    "dB": {"bels": 0.1},
}

_STATUS_TEXT = {
    "correct": "right",
    "close": "close, but outside the tolerance",
    "units": "in the wrong units",
    "shape": "the wrong number of values",
    "wrong": "not right yet",
    "not-finite": "not a finite number",
}


@dataclass(frozen=True)
class Part:
    """One number an exercise asks for.

    Parameters
    ----------
    name : str
        What the number is, in a few words ("fibre delay"); shown in feedback.
    unit : str
        Its unit ("km", "s", "dB", "Hz", "years"; "" for a pure number).
    rtol, atol : float
        Tolerance, as in :func:`numpy.isclose`: ``|a - e| <= atol + rtol |e|``.
    integer : bool
        The answer is a count: it must be integer-valued and is compared exactly.
    """

    name: str
    unit: str = ""
    rtol: float = 5e-3
    atol: float = 0.0
    integer: bool = False


@dataclass(frozen=True)
class Exercise:
    """The check of one computational exercise.

    Parameters
    ----------
    parts : sequence of Part
        The numbers asked for, in the order the answer gives them.
    expected : callable
        No-argument function computing the expected values with qlib (a number
        for one part, a sequence for several). Called once, then cached.
    hint : str
        Shown with a wrong or close answer. Must not give the answer away.
    topic : str
        A few words on what the exercise practises (listed for instructors).
    """

    parts: tuple[Part, ...]
    expected: Callable[[], Any]
    hint: str = ""
    topic: str = ""

    def __post_init__(self):
        object.__setattr__(self, "parts", tuple(self.parts))
        if not self.parts or not all(isinstance(p, Part) for p in self.parts):
            raise TypeError(f"parts must be a non-empty sequence of Part, got {self.parts!r}")

    def expected_values(self) -> np.ndarray:
        """The expected values as a float array, one per part (cached)."""
        return _expected(self)

    @property
    def form(self) -> str:
        """The answer's form, in words, e.g. "2 numbers: (fibre delay in s, ...)"."""
        names = [f"{p.name} in {p.unit}" if p.unit else p.name for p in self.parts]
        if len(names) == 1:
            return f"one number: {names[0]}"
        return f"{len(names)} numbers, in this order: (" + ", ".join(names) + ")"


@cache
def _expected(exercise: Exercise) -> np.ndarray:
    values = np.atleast_1d(np.asarray(exercise.expected(), dtype=float))
    if values.shape != (len(exercise.parts),):
        raise RuntimeError(
            f"expected() returned {values.shape[0]} values for {len(exercise.parts)} parts"
        )
    return values


@dataclass(frozen=True)
class PartResult:
    """The verdict on one part of an answer."""

    part: Part
    status: str  # correct | close | units | wrong | not-finite
    message: str


@dataclass(frozen=True)
class Feedback:
    """What :func:`check` found. ``bool(feedback)`` is ``feedback.passed``."""

    label: str
    status: str  # correct | close | units | shape | wrong | not-finite
    message: str
    parts: tuple[PartResult, ...] = field(default=())
    hint: str = ""

    @property
    def passed(self) -> bool:
        """True when every part is right within its tolerance."""
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "✓" if self.passed else "✗"
        lines = [f"{mark} {self.label}: {self.message}"]
        if len(self.parts) > 1:
            lines += [f"  - {r.part.name}: {r.message}" for r in self.parts]
        if self.hint and not self.passed:
            lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"correct": "#1b7837", "close": "#b35806"}.get(self.status, "#b2182b")
        esc = html.escape
        body = [
            f'<div class="qlib-feedback qlib-feedback-{esc(self.status)}" '
            f'style="border-left: 4px solid {colour}; padding: 0.3em 0.8em; margin: 0.3em 0">',
            f'<strong style="color: {colour}">{"✓" if self.passed else "✗"} '
            f"{esc(self.label)}</strong>: {esc(self.message)}",
        ]
        if len(self.parts) > 1:
            body.append("<ul style='margin: 0.2em 0'>")
            body += [f"<li>{esc(r.part.name)}: {esc(r.message)}</li>" for r in self.parts]
            body.append("</ul>")
        if self.hint and not self.passed:
            body.append(f"<div><em>Hint:</em> {esc(self.hint)}</div>")
        body.append("</div>")
        return "\n".join(body)

    def __repr__(self) -> str:
        return f"Feedback(label={self.label!r}, status={self.status!r}, passed={self.passed})"


# --------------------------------------------------------------------------- #
# The registry: answers modules, provided by whoever installs them
# --------------------------------------------------------------------------- #
#: Entry-point group under which a distribution offers answer checks: each entry
#: point names a package whose modules are answers modules (the book's tooling,
#: ``qbook``, offers ``qbook.answers``). qlib itself holds no expected value.
ENTRY_POINT_GROUP = "qlib.answers"

#: Why there is nothing to check against, when no answers are installed.
NO_ANSWERS = (
    "no answer checks are installed in this environment: they come with the book's "
    "tooling (the book's requirements.txt installs it), not with qlib; in a graded "
    "assignment the grader checks your answers"
)


def _answers_packages() -> list:
    """The packages of answers modules that the installed distributions offer."""
    from importlib.metadata import entry_points

    packages = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            packages.append(point.load())
        except ImportError:  # offered by metadata, but its files are not there (a sandbox)
            continue
    return packages


@cache
def _registry() -> tuple[dict[str, Exercise], dict[str, str], dict[str, str]]:
    """(checks by label, conceptual reasons by label, chapter by label)."""
    checks: dict[str, Exercise] = {}
    conceptual: dict[str, str] = {}
    chapter_of: dict[str, str] = {}
    for package in _answers_packages():
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            chapter = module.CHAPTER
            if chapter.replace("-", "_") != info.name:
                raise RuntimeError(f"{module.__name__} declares CHAPTER = {chapter!r}")
            for label in [*module.CHECKS, *getattr(module, "CONCEPTUAL", {})]:
                if label in chapter_of:
                    raise RuntimeError(f"exercise {label!r} is declared twice")
                chapter_of[label] = chapter
            checks.update(module.CHECKS)
            conceptual.update(getattr(module, "CONCEPTUAL", {}))
    return checks, conceptual, chapter_of


def exercise_labels(*, conceptual: bool = False) -> list[str]:
    """Labels of the exercises :func:`check` knows, sorted.

    Parameters
    ----------
    conceptual : bool
        If True, also the labels declared conceptual (which have no check).

    Examples
    --------
    >>> "tp-ex-delay" in exercise_labels()
    True
    """
    checks, concept, _ = _registry()
    return sorted([*checks, *concept] if conceptual else checks)


def exercise_chapter(label: str) -> str:
    """The chapter (file stem) whose answers module declares ``label``."""
    _, _, chapter_of = _registry()
    return chapter_of[label]


def get_exercise(label: str) -> Exercise:
    """The :class:`Exercise` check for ``label``; unknown labels raise ``ValueError``."""
    if not isinstance(label, str):
        raise TypeError(f"label must be a str such as 'tp-ex-delay', got {_echo_repr(label)} "
                        f"of type {type(label).__name__}")
    checks, conceptual, _ = _registry()
    if not checks and not conceptual:
        raise RuntimeError(NO_ANSWERS)
    if label in checks:
        return checks[label]
    if label in conceptual:
        raise ValueError(
            f"exercise {label!r} is answered in words and has no automatic check "
            f"({conceptual[label]})"
        )
    same_case = {c.lower(): c for c in (*checks, *conceptual)}
    if label.lower() in same_case:  # labels are lower case: a wrong case is a slip
        close = [same_case[label.lower()]]
    elif len(label) <= 2 * LABEL_ECHO_MAX:  # no fuzzy matching on a huge string
        close = difflib.get_close_matches(label.lower(), list(checks), n=3, cutoff=0.6)
    else:
        close = []
    if close:
        known = "did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        known = "known labels: " + ", ".join(sorted(checks))
    raise ValueError(f"label {_echo_repr(label)} is not a checked exercise; {known}")


# --------------------------------------------------------------------------- #
# Checking an answer
# --------------------------------------------------------------------------- #
#: Longest label echoed back in an error message (a label is a short name).
LABEL_ECHO_MAX = 80


def _echo_repr(value) -> str:
    """``repr(value)``, cut to :data:`LABEL_ECHO_MAX` characters with the length said
    (a long string is cut inside its quotes, so the echo still reads as a string)."""
    if isinstance(value, str) and len(value) > LABEL_ECHO_MAX:
        return f"{value[:LABEL_ECHO_MAX]!r}... ({len(value):,d} characters)"
    text = repr(value)
    if len(text) <= LABEL_ECHO_MAX:
        return text
    return f"{text[:LABEL_ECHO_MAX]}... ({len(text):,d} characters)"


def _values(label: str, exercise: Exercise, answer) -> np.ndarray | int:
    """The answer as a 1-d float array, or the number of values it has if that is not
    the number of parts."""
    return _answer_values(label, exercise.form, len(exercise.parts), answer)


def _answer_values(label: str, form: str, n_parts: int, answer) -> np.ndarray | int:
    """The answer as a 1-d float array of ``n_parts`` values; if it has another number
    of values, that number (counted before any value is read, so that a huge answer
    costs nothing); TypeError (saying ``form``) if it is not real numbers, ValueError
    if a number is beyond the range of a float."""
    def refuse(what, error=TypeError):
        raise error(f"answer to {_echo_repr(label)} must be {form}; got {what}")

    if answer is None:
        refuse("None (did the cell assign the answer to a variable?)")
    if isinstance(answer, (str, bytes)):
        refuse(f"the text {answer[:40]!r}{'...' if len(answer) > 40 else ''}: give the number "
               "itself, not a string")
    if isinstance(answer, dict):
        refuse("a dict: give the numbers in order, as a tuple")
    if isinstance(answer, np.ndarray):
        if answer.ndim > 1:
            refuse(f"an array of shape {answer.shape}")
        if answer.dtype.kind not in "iuf":
            refuse(f"an array of {answer.dtype} values")
        if answer.size != n_parts:
            return int(answer.size)
        items = [answer[()]] if answer.ndim == 0 else list(answer)
    elif isinstance(answer, Sequence):
        if len(answer) != n_parts:
            return len(answer)
        items = list(answer)
    else:
        items = [answer]
    values = []
    for item in items:
        if isinstance(item, (bool, np.bool_)):
            refuse(f"a bool ({item!r})")
        if isinstance(item, (complex, np.complexfloating)):
            refuse(f"a complex number ({item!r})")
        # exact numbers: fractions.Fraction is a numbers.Real, decimal.Decimal is not,
        # yet both are numbers a learner may compute with; both are taken alike
        if not isinstance(item, (numbers.Real, decimal.Decimal)):
            refuse(f"a value of type {type(item).__name__} ({_echo_repr(item)})")
        try:
            values.append(float(item))
        except OverflowError:
            digits = f" ({len(str(abs(item))):,d} digits)" if isinstance(item, int) else ""
            refuse(f"a number too large for a float{digits}: the largest is about 1.8e308",
                   ValueError)
        except ValueError:  # a signalling NaN Decimal
            refuse(f"{item!r}, which is not a number", ValueError)
    if len(values) != n_parts:
        return len(values)
    return np.array(values)


def _judge(part: Part, value: float, expected: float) -> PartResult:
    if not math.isfinite(value):
        return PartResult(part, "not-finite", f"got {value}, not a finite number")
    if part.integer:
        if value != round(value):
            return PartResult(part, "wrong", "this is a count: give a whole number")
        if value == expected:
            return PartResult(part, "correct", "right")
        return PartResult(part, "wrong", "too high" if value > expected else "too low")
    tol = part.atol + part.rtol * abs(expected)
    error = abs(value - expected)
    if error <= tol:
        return PartResult(part, "correct", "right")
    for other, factor in UNIT_SLIPS.get(part.unit, {}).items():
        if abs(value - factor * expected) <= factor * tol:
            want = part.unit or "a fraction (not per cent)"
            return PartResult(part, "units", f"this looks like {other}; give it in {want}")
    if error <= CLOSE_FACTOR * tol:
        rel = f"{part.rtol:.1%}" if part.rtol else f"±{part.atol:g}"
        return PartResult(part, "close", f"close, but outside the tolerance ({rel}): "
                          "keep more digits, or check a rounded intermediate value")
    if expected != 0 and np.sign(value) == -np.sign(expected):
        return PartResult(part, "wrong", "wrong sign")
    return PartResult(part, "wrong", "too high" if value > expected else "too low")


def check(label: str, answer) -> Feedback:
    """Check an answer to the exercise ``label``; return specific feedback.

    Parameters
    ----------
    label : str
        The exercise's label as printed in the book, e.g. ``"tp-ex-delay"``.
    answer : real number or sequence of real numbers
        The value(s) the exercise asks for, in the order it asks for them (the
        feedback of a wrong-length answer says the form expected).

    Returns
    -------
    Feedback
        Its ``status`` is ``"correct"``, ``"close"`` (outside the tolerance but
        within ``CLOSE_FACTOR`` times it), ``"units"`` (a known unit slip, such
        as ms for s), ``"shape"`` (the wrong number of values), ``"not-finite"``
        or ``"wrong"``; ``passed`` is True only for ``"correct"``. The expected
        value is never shown.

    Raises
    ------
    ValueError
        For an unknown label (naming the close matches or the known labels), or
        a conceptual exercise, which has no automatic check.
    TypeError
        For a label that is not a string, or an answer that is not a real number
        or a sequence of them (a string, None, a dict, a complex number, a bool).

    Notes
    -----
    Introduced with the exercises of every chapter. The expected values come
    from the chapter's answers module ``tooling/qbook/answers/<chapter>.py``, computed
    with qlib; tolerances are per part (relative 0.5 % unless stated).

    Examples
    --------
    Wrong answers only (this docstring is public; it must not show a right one):

    >>> fb = check("qn-ex-one-in-a-thousand", 20.0)
    >>> fb.passed, fb.status
    (False, 'wrong')
    >>> print(fb)
    ✗ qn-ex-one-in-a-thousand: not right yet: too low
      Hint: The loss in dB is -10 log10(eta); divide it by the attenuation per km.
    >>> check("qn-ex-one-in-a-thousand", "20")
    Traceback (most recent call last):
    ...
    TypeError: answer to 'qn-ex-one-in-a-thousand' must be one number: fibre length in km; got the text '20': give the number itself, not a string
    """
    return judge(get_exercise(label), answer, label=label)


def judge(exercise: Exercise, answer, *, label: str = "") -> Feedback:
    """Judge an answer against an :class:`Exercise`: the judgement of :func:`check`.

    Parameters
    ----------
    exercise : Exercise
        The exercise's check (:func:`get_exercise`), holding the expected values.
    answer : real number or sequence of real numbers
        As for :func:`check`.
    label : str
        The exercise's label, used in the messages.

    Returns
    -------
    Feedback
        As :func:`check` returns it.

    Raises
    ------
    TypeError
        For an answer that is not a real number or a sequence of them.

    Notes
    -----
    :func:`check` is ``judge(get_exercise(label), answer, label=label)``; the grader
    calls it outside the student's kernel on the values a test cell recorded
    (:func:`record_answer`).

    Examples
    --------
    >>> exercise = Exercise((Part("length", "km"),), expected=lambda: 50.0)
    >>> judge(exercise, 50.1, label="demo").passed
    True
    >>> judge(exercise, 50_000.0, label="demo").status
    'units'
    """
    values = _values(label, exercise, answer)
    if not isinstance(values, np.ndarray):
        got = "1 value" if values == 1 else f"{values:,d} values"
        return Feedback(label, "shape", f"expected {exercise.form}; got {got}", hint=exercise.hint)
    expected = exercise.expected_values()
    results = tuple(_judge(p, v, e) for p, v, e in zip(exercise.parts, values, expected))
    statuses = [r.status for r in results]
    for status in ("not-finite", "wrong", "units", "close", "correct"):
        if status in statuses:
            break
    if len(results) == 1:
        detail = results[0].message
        message = {"correct": "right", "close": detail, "units": f"in the wrong units: {detail}"}.get(
            status, f"{_STATUS_TEXT[status]}: {detail}")
    else:
        n_right = statuses.count("correct")
        if status == "correct":
            message = "all parts right"
        elif len(set(statuses)) == 1:
            message = f"{_STATUS_TEXT[status]} (every part)"
        else:
            message = f"{n_right} of {len(results)} parts right"
    return Feedback(label, status, message, results, exercise.hint)


# --------------------------------------------------------------------------- #
# Graded assignments: the kernel records, the grader judges
# --------------------------------------------------------------------------- #
#: MIME type of the output by which a graded test cell records an answer.
ANSWER_MIME = "application/vnd.qlib.answer+json"

#: Non-finite values, which JSON has no number for, as written in a record.
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

#: Most values a record may hold (an exercise asks for a few).
MAX_RECORD_VALUES = 64


def record_answer(label: str, answer, *, parts: int = 1, form: str | None = None) -> None:
    """Record the answer to ``label`` for the grader (a graded assignment's test cell).

    Checks only the answer's form (one real number, or ``parts`` of them) and emits
    a record of its values: in a Jupyter kernel an output of MIME type
    :data:`ANSWER_MIME` with ``{"label": label, "values": [...]}`` beside a line
    of text for the learner; elsewhere the text alone. Nothing is compared: the
    grader judges the record after submission, outside the kernel.

    Parameters
    ----------
    label : str
        The exercise's label, e.g. ``"tp-ex-delay"``.
    answer : real number or sequence of real numbers
        As for :func:`check`.
    parts : int
        How many numbers the exercise asks for.
    form : str, optional
        The answer's form in words (:attr:`Exercise.form`), for the messages;
        by default "one number" or "N numbers".

    Raises
    ------
    TypeError
        For a label that is not a string, or an answer that is not a real number
        or a sequence of them (a string, None, a dict, a complex number, a bool),
        as :func:`check` raises.
    ValueError
        For ``parts`` below 1, or an answer with another number of values.

    Notes
    -----
    The record is a report from the student's kernel, which the student
    controls: it is worth only the values it carries, judged by the grader
    against expected values that are not in the kernel. A non-finite value is
    recorded as ``"nan"``, ``"inf"`` or ``"-inf"``.

    Examples
    --------
    >>> record_answer("demo-ex", (1.5, 2), parts=2)
    Answer to demo-ex recorded: (1.5, 2.0). It is graded after you submit.
    >>> record_answer("demo-ex", "1.5", form="one number: length in km")
    Traceback (most recent call last):
    ...
    TypeError: answer to 'demo-ex' must be one number: length in km; got the text '1.5': give the number itself, not a string
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a str such as 'tp-ex-delay', got {_echo_repr(label)} "
                        f"of type {type(label).__name__}")
    if len(label) > LABEL_ECHO_MAX:
        raise ValueError(f"label must be an exercise's label (at most {LABEL_ECHO_MAX} characters), "
                         f"got {_echo_repr(label)}")
    if isinstance(parts, bool) or not isinstance(parts, numbers.Integral) or parts < 1:
        raise ValueError(f"parts must be an integer >= 1, got {parts!r}")
    if form is None:
        form = "one number" if parts == 1 else f"{parts} numbers"
    values = _answer_values(label, form, int(parts), answer)
    if not isinstance(values, np.ndarray):
        raise ValueError(f"answer to {label!r} must be {form}; got {values:,d} value{'s' if values != 1 else ''}")
    shown = repr(float(values[0])) if len(values) == 1 else "(" + ", ".join(repr(float(v)) for v in values) + ")"
    text = f"Answer to {label} recorded: {shown}. It is graded after you submit."
    record = {"label": label, "values": [float(v) if math.isfinite(v) else repr(float(v)) for v in values]}
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({ANSWER_MIME: record, "text/plain": text}, raw=True)
    else:
        print(text)


def parse_answer_record(data, label: str) -> np.ndarray | None:
    """The values of an answer record (the :data:`ANSWER_MIME` data of an output),
    or None if it is not a well-formed record for ``label``.

    Defensive: the record comes from a student's kernel. Anything but a dict with
    exactly the keys ``label`` (equal to ``label``) and ``values`` (a list of 1 to
    :data:`MAX_RECORD_VALUES` JSON numbers, or ``"nan"``, ``"inf"``, ``"-inf"``) is
    refused; a verdict or any other key in it makes it malformed.

    Examples
    --------
    >>> parse_answer_record({"label": "demo-ex", "values": [1.5, "nan"]}, "demo-ex")
    array([1.5, nan])
    >>> parse_answer_record({"label": "demo-ex", "values": [1.5], "passed": True}, "demo-ex") is None
    True
    >>> parse_answer_record({"label": "other", "values": [1.5]}, "demo-ex") is None
    True
    """
    if not isinstance(data, dict) or set(data) != {"label", "values"} or data["label"] != label:
        return None
    raw = data["values"]
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_RECORD_VALUES:
        return None
    values = []
    for item in raw:
        if isinstance(item, str) and item in _NON_FINITE:
            values.append(_NON_FINITE[item])
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            try:
                values.append(float(item))
            except OverflowError:  # an int too large for a float
                return None
        else:
            return None
    return np.array(values)
