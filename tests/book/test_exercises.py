"""The exercises and their checks (``qlib.check``), for every chapter in the toc.

The labels are discovered from the chapters (``qbook.myst``), so a new
chapter's exercises are covered as soon as it is listed in ``_toc.yml``.

Policy: every exercise of every chapter in the toc must either have a check in
its chapter's answers module ``tooling/qbook/answers/<chapter>.py`` or be declared
conceptual there (``CONCEPTUAL = {label: reason}``). An exercise in neither, or
a chapter without an answers module, fails
``test_every_exercise_is_checked_or_declared_conceptual``.

The answers come from the session's one run of each chapter in a fresh kernel
(``_book.chapter_run``, shared with test_chapters.py; no chapter code runs in
this process): a probe cell after each solution reports the value of its answer
variable, which is checked: the solution must pass, and wrong answers must fail.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qlib
from _book import chapter_paths, chapter_run  # noqa: F401 -- chapter_run is a fixture
from qlib import checks
from qlib.checks import Exercise, Feedback, Part
from qbook.myst import answer_variable, chapter_exercises, strip_solutions

CHAPTERS = chapter_paths()
IDS = [p.stem for p in CHAPTERS]


def _module_name(path):
    return path.stem.replace("-", "_")


def _answers_module(path):
    import importlib

    try:
        return importlib.import_module(f"qbook.answers.{_module_name(path)}")
    except ModuleNotFoundError:
        pytest.fail(
            f"chapter {path.stem} has exercises but no answers module: add "
            f"tooling/qbook/answers/{_module_name(path)}.py with CHAPTER, CHECKS and CONCEPTUAL"
        )


# --------------------------------------------------------------------------- #
# Every exercise is covered
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_every_chapter_has_four_labelled_exercises_with_solutions(path):
    exercises = chapter_exercises(path)
    assert len(exercises) >= 4, f"{len(exercises)} exercises"
    prefix = re.search(r"^:keyprefix: (\S+)$", path.read_text(), re.M).group(1)
    for ex in exercises:
        assert ex.label.startswith(prefix + "ex-"), ex.label
        assert ex.solution, f"{ex.label} has no solution"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_every_exercise_is_checked_or_declared_conceptual(path):
    module = _answers_module(path)
    assert module.CHAPTER == path.stem
    labels = [ex.label for ex in chapter_exercises(path)]
    declared = set(module.CHECKS) | set(module.CONCEPTUAL)
    missing = [label for label in labels if label not in declared]
    assert not missing, f"neither checked nor declared conceptual: {missing}"
    stale = sorted(declared - set(labels))
    assert not stale, f"checks for exercises the chapter does not have: {stale}"
    assert not set(module.CHECKS) & set(module.CONCEPTUAL)
    for label, reason in module.CONCEPTUAL.items():
        assert isinstance(reason, str) and reason.strip(), label


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_checked_solutions_end_with_an_answer_variable(path):
    module = _answers_module(path)
    for ex in chapter_exercises(path):
        if ex.label in module.CHECKS:
            assert ex.code, f"{ex.label} is checked but its solution has no code cell"
            assert ex.answer_name, f"{ex.label}: the solution's last code cell must end with `answer = ...`"


def test_registry_knows_exactly_the_declared_labels():
    declared = set()
    for path in CHAPTERS:
        module = _answers_module(path)
        declared |= set(module.CHECKS)
    assert declared <= set(qlib.exercise_labels())
    assert set(qlib.exercise_labels()) <= set(qlib.exercise_labels(conceptual=True))


# --------------------------------------------------------------------------- #
# Every solution passes its check; wrong answers fail
# --------------------------------------------------------------------------- #
def _check(label, answer):
    """qlib.check, failing the test with the exception and the answer if it raises."""
    try:
        return qlib.check(label, answer)
    except Exception as exc:  # noqa: BLE001 -- shown, not hidden
        pytest.fail(f"qlib.check({label!r}, {answer!r}) raised {type(exc).__name__}: {exc}", pytrace=False)


def _wrong_variants(value):
    """Answers that must not pass: each number off by 30 %, one part changed, a sign flipped."""
    values = np.atleast_1d(np.asarray(value, dtype=float))
    variants = [values * 1.3 + 0.5]
    for k in range(len(values)):
        v = values.copy()
        v[k] = v[k] * 1.3 + 1.0
        variants.append(v)
    return [tuple(v) if len(v) > 1 else float(v[0]) for v in variants]


PROBED = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# A chapter

## Exercises

```{solution-start} zz-ex-pair
```
```{code-cell} ipython3
import numpy as np
pair = (np.float64(0.5), 3)
```
```{solution-end}
```

```{solution-start} zz-ex-gone
```
```{code-cell} ipython3
gone: float
```
```{solution-end}
```

```{code-cell} ipython3
assert "__qbook_probe" not in globals()
raise RuntimeError("the chapter breaks here")
```

```{solution-start} zz-ex-after
```
```{code-cell} ipython3
after = 2.0
```
```{solution-end}
```
"""


def test_chapter_run_passes_answers_out_and_shows_why_one_is_missing(tmp_path):
    """The probes (``_book.chapter_run``): a solution's answer arrives as the object the
    kernel held; a missing variable, and a chapter that stopped first, fail the test
    with the reason and the chapter's exception."""
    from _book import CHAPTER_RUNS

    path = tmp_path / "zz.md"
    path.write_text(PROBED)
    run = CHAPTER_RUNS.get(path)
    pair = run.answer("zz-ex-pair")
    assert pair == (0.5, 3) and type(pair[0]) is np.float64 and type(pair[1]) is int
    with pytest.raises(pytest.fail.Exception, match="`gone` is not defined after the solution's last cell"):
        run.answer("zz-ex-gone")
    with pytest.raises(pytest.fail.Exception, match=r"(?s)stopped before.*CellExecutionError.*"
                                                    r"raise RuntimeError.*the chapter breaks here"):
        run.answer("zz-ex-after")
    assert "\x1b[" not in run.error_text


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_solutions_pass_their_checks_and_wrong_answers_fail(path, chapter_run):
    module = _answers_module(path)
    run = chapter_run(path)
    checked = [ex.label for ex in chapter_exercises(path) if ex.label in module.CHECKS]
    assert checked, "no checked exercise to test"
    for label in checked:
        answer = run.answer(label)
        feedback = _check(label, answer)
        assert feedback.passed, f"the chapter's own solution fails: {feedback} (answer {answer!r})"
        for wrong in _wrong_variants(answer):
            bad = _check(label, wrong)
            assert not bad.passed and bad.status in ("wrong", "close", "units"), (label, wrong, bad)


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_feedback_never_shows_the_expected_value(path, chapter_run):
    module = _answers_module(path)
    run = chapter_run(path)
    for label in module.CHECKS:
        expected = qlib.checks.get_exercise(label).expected_values()
        for wrong in _wrong_variants(run.answer(label)):
            feedback = _check(label, wrong)
            text = str(feedback) + feedback._repr_html_()
            for e in expected:
                if e != 0 and abs(e) not in (1.0, 2.0):
                    for digits in (2, 3, 4):
                        shown = f"{e:.{digits}g}"
                        if len(shown) > 2:
                            assert shown not in text, (label, shown, text)


# --------------------------------------------------------------------------- #
# The student edition's transformation keeps exercises, drops solutions
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_strip_solutions_keeps_every_exercise_and_no_solution(path):
    text = path.read_text()
    stripped = strip_solutions(text)
    assert not re.search(r"\{solution", stripped)
    in_solutions = Counter()
    for ex in chapter_exercises(path):
        assert f":label: {ex.label}" in stripped
        for code in ex.code:
            in_solutions.update((ex.label, line) for line in code.splitlines() if len(line.strip()) > 30)
    for line in {line for _, line in in_solutions}:
        # a solution may repeat a line of the chapter's body (a `with` opening the same
        # server): every occurrence in a solution must be gone, the body's stay
        n = sum(k for (_, other), k in in_solutions.items() if other == line)
        labels = sorted(label for label, other in in_solutions if other == line)
        assert stripped.count(line) <= text.count(line) - n, (labels, line)
    assert "remove-cell" not in stripped.split("## Exercises")[1]


# --------------------------------------------------------------------------- #
# The check function itself
# --------------------------------------------------------------------------- #
def test_right_close_units_shape_and_wrong_answers():
    # qn-ex-one-in-a-thousand: eta = 1e-3 is 30 dB, at 0.2 dB/km 150 km (closed form)
    assert qlib.check("qn-ex-one-in-a-thousand", 150.0).status == "correct"
    assert qlib.check("qn-ex-one-in-a-thousand", np.float64(150.2)).passed  # within 0.5 %
    assert qlib.check("qn-ex-one-in-a-thousand", np.array(150.0)).passed  # a 0-d array
    close = qlib.check("qn-ex-one-in-a-thousand", 153.0)  # 2 %: outside 0.5 %, within 5 %
    assert close.status == "close" and not close.passed
    units = qlib.check("qn-ex-one-in-a-thousand", 150_000.0)
    assert units.status == "units" and "km" in units.message and " m;" in units.message
    assert qlib.check("qn-ex-one-in-a-thousand", 300.0).status == "wrong"
    assert "too high" in qlib.check("qn-ex-one-in-a-thousand", 300.0).message
    shape = qlib.check("qn-ex-one-in-a-thousand", (150.0, 1.0))
    assert shape.status == "shape" and "one number" in shape.message and "2 values" in shape.message
    assert qlib.check("qn-ex-one-in-a-thousand", float("nan")).status == "not-finite"
    # tp-ex-delay in ms instead of s: 1200 km x n_g / c (Yin et al. style delays)
    ms = tuple(1e3 * np.array(qlib.checks.get_exercise("tp-ex-delay").expected_values()))
    fb = qlib.check("tp-ex-delay", ms)
    assert fb.status == "units" and all(r.status == "units" for r in fb.parts)
    assert "ms" in str(fb)


def test_integer_parts_are_counts():
    rounds, pairs = qlib.checks.get_exercise("rep-ex-bbpssw-rounds").expected_values()
    assert qlib.check("rep-ex-bbpssw-rounds", (int(rounds), pairs)).passed
    assert qlib.check("rep-ex-bbpssw-rounds", (float(rounds), pairs)).passed
    fb = qlib.check("rep-ex-bbpssw-rounds", (rounds + 0.5, pairs))
    assert fb.status == "wrong" and "whole number" in fb.parts[0].message
    assert qlib.check("rep-ex-bbpssw-rounds", (rounds + 1, pairs)).status == "wrong"



def test_monte_carlo_and_unseeded_answers_pass_for_any_seed():
    # qkd-ex-intercept-qber: Q = f/4 = 0.1 (Bennett & Brassard 1984 intercept-resend); any
    # 1e5-pulse run's estimate passes (tolerance 4 standard errors of ~5e4 sifted bits)
    for seed in range(8):
        run = qlib.simulate_bb84(10**5, eavesdropper="intercept-resend", eve_fraction=0.4, seed=seed)
        assert qlib.check("qkd-ex-intercept-qber", run.sifted_qber).passed, seed
    assert qlib.check("qkd-ex-intercept-qber", 0.1).passed
    assert not qlib.check("qkd-ex-intercept-qber", qlib.SHOR_PRESKILL_THRESHOLD).passed
    assert qlib.check("qkd-ex-intercept-qber", 10.0).status == "units"  # per cent
    # qkd-ex-cascade fixes the keys (seed 0), not Cascade's seed: any seed passes, the
    # original schedule (about 15 % above the Shannon limit) does not
    rng = np.random.default_rng(0)
    alice = rng.integers(0, 2, 10**4, dtype=np.uint8)
    bob = alice ^ (rng.random(10**4) < 0.05).astype(np.uint8)
    for seed in (2, 17, 99, 1234):
        assert qlib.check("qkd-ex-cascade", qlib.cascade(alice, bob, 0.05, seed=seed).efficiency).passed, seed
    original = qlib.cascade(alice, bob, 0.05, schedule="original", seed=1).efficiency
    assert not qlib.check("qkd-ex-cascade", original).passed
    assert not qlib.check("qkd-ex-cascade", 1.0).passed  # the Shannon limit itself


def test_near_miss_answers_are_refused():
    # qkdd-ex-best-parts: the runner-up (fewer dark counts) gains under a kilometre less
    base = qlib.max_distance_km("decoy")
    best = qlib.max_distance_km("decoy", detector_efficiency=0.8) - base
    runner_up = qlib.max_distance_km("decoy", dark_count_probability=1e-7) - base
    assert 0.5 < best - runner_up < 2.0
    assert qlib.check("qkdd-ex-best-parts", round(best, 1)).passed
    assert qlib.check("qkdd-ex-best-parts", runner_up).status == "wrong"
    # pqc-ex-handshake (mutual TLS 1.3): FIPS 203 / 204 sizes against X25519 (RFC 7748) and
    # Ed25519 (RFC 8032); two leaf certificates and four signatures (the CA's in each
    # certificate, each CertificateVerify). The X25519 halves of the shares (2 x 32 B) stay in
    # both handshakes, so subtracting them again is 64 B short; forgetting the CA's
    # signatures inside the certificates is 2 x 3245 B short
    extra = 1184 + 1088 + 2 * (1952 - 32) + 4 * (3309 - 64)
    assert qlib.check("pqc-ex-handshake", extra).passed
    assert qlib.check("pqc-ex-handshake", extra - 64).status == "wrong"
    assert qlib.check("pqc-ex-handshake", extra - 2 * (3309 - 64)).status == "wrong"
    # pqc-ex-mosca: x + y - z = 25 + 7 - 15 = 17 years (Mosca 2018); in days it is a unit slip
    assert qlib.check("pqc-ex-mosca", 17).passed
    assert qlib.check("pqc-ex-mosca", 17 * 365.25).status == "units"

def test_feedback_renders_as_text_and_escaped_html():
    fb = qlib.check("tp-ex-psi-minus", (0.9, 1.0))
    assert isinstance(fb, Feedback) and not fb and not fb.passed
    assert str(fb).startswith("✗ tp-ex-psi-minus: 1 of 2 parts right")
    assert "Hint:" in str(fb)
    html = fb._repr_html_()
    assert html.startswith('<div class="qlib-feedback qlib-feedback-wrong"') and "<script" not in html
    assert "Feedback(label='tp-ex-psi-minus', status='wrong', passed=False)" == repr(fb)
    hostile = Feedback("<b>x</b>", "wrong", "<script>alert(1)</script>")
    assert "<script>" not in hostile._repr_html_() and "&lt;script&gt;" in hostile._repr_html_()


def test_unknown_label_names_close_matches_or_the_known_labels():
    with pytest.raises(ValueError, match=r"'tp-ex-dely' is not a checked exercise; did you mean 'tp-ex-delay'"):
        qlib.check("tp-ex-dely", 1.0)
    with pytest.raises(ValueError, match=r"known labels: .*qn-ex-micius.*tp-ex-delay"):
        qlib.check("zzz", 1.0)
    with pytest.raises(TypeError, match=r"label must be a str .*got 3 of type int"):
        qlib.check(3, 1.0)


@pytest.mark.parametrize(
    "answer, match",
    [
        ("150", r"got the text '150': give the number itself"),
        (None, r"got None \(did the cell assign"),
        (1 + 2j, r"got a complex number"),
        (True, r"got a bool"),
        ({"length": 150}, r"got a dict"),
        (np.ones((2, 2)), r"got an array of shape \(2, 2\)"),
        ([object()], r"got a value of type object"),
    ],
)
def test_wrong_types_raise_type_error_naming_the_form(answer, match):
    with pytest.raises(TypeError, match=r"answer to 'qn-ex-one-in-a-thousand' must be one number: fibre length in km; " + match):
        qlib.check("qn-ex-one-in-a-thousand", answer)


def test_conceptual_exercises_have_no_check(monkeypatch):
    registry = checks._registry()
    fake = (registry[0], {**registry[1], "zz-ex-why": "answered in words"}, registry[2])
    monkeypatch.setattr(checks, "_registry", lambda: fake)
    with pytest.raises(ValueError, match=r"'zz-ex-why' is answered in words and has no automatic check"):
        qlib.check("zz-ex-why", 1.0)
    assert "zz-ex-why" in qlib.exercise_labels(conceptual=True)
    assert "zz-ex-why" not in qlib.exercise_labels()


def test_exercise_and_part_refuse_bad_declarations():
    with pytest.raises(TypeError, match="parts must be a non-empty sequence of Part"):
        Exercise([], lambda: 1.0)
    bad = Exercise([Part("a"), Part("b")], lambda: 1.0)
    with pytest.raises(RuntimeError, match="returned 1 values for 2 parts"):
        bad.expected_values()
    assert Exercise([Part("x", "km")], lambda: 1.0).form == "one number: x in km"


@settings(max_examples=60, deadline=None)
@given(
    expected=st.floats(min_value=1e-6, max_value=1e6),
    offset=st.floats(min_value=-1.0, max_value=1.0),
)
def test_within_tolerance_passes_beyond_close_fails(expected, offset):
    exercise = Exercise([Part("x", rtol=1e-3)], lambda: expected)
    inside = expected * (1 + 0.99e-3 * offset)
    assert checks._judge(exercise.parts[0], inside, expected).status == "correct"
    far = expected * (1 + 0.02 + abs(offset))  # more than 10 tolerances away
    assert checks._judge(exercise.parts[0], far, expected).status in ("wrong", "units")
    near = expected * (1 + 5e-3 * (1 if offset >= 0 else -1))  # 5 tolerances
    assert checks._judge(exercise.parts[0], near, expected).status == "close"
    assert not math.isnan(expected)


# --------------------------------------------------------------------------- #
# Reading exercises from MyST: the forms sphinx-exercise allows
# --------------------------------------------------------------------------- #
SAMPLE = '''# A chapter

## Exercises

::::{exercise}
:label: zz-ex-block
How far? Answer in km.
::::

:::{solution} zz-ex-block
:class: dropdown
About 100 km, because the loss is twenty decibels.
:::

```{exercise-start}
:label: zz-ex-split
```
Compute the rate.
```{exercise-end}
```

```{solution-start} zz-ex-split
:class: dropdown
```
Multiply the two numbers together carefully.
```{code-cell} ipython3
x = 2
rate: float = 3 * x
```
```{solution-end}
```

```{code-cell} ipython3
:tags: [remove-cell]
assert rate == 6
```
'''


def test_myst_reader_handles_block_and_split_forms(tmp_path):
    path = tmp_path / "zz.md"
    path.write_text(SAMPLE)
    block, split = chapter_exercises(path)
    assert (block.label, block.code, block.answer_name) == ("zz-ex-block", [], None)
    assert "twenty decibels" in block.solution and block.summary == "How far?"
    assert (split.label, split.statement) == ("zz-ex-split", "Compute the rate.")
    assert split.code == ["x = 2\nrate: float = 3 * x"] and split.answer_name == "rate"
    stripped = strip_solutions(SAMPLE, after_exercise=lambda label: f"NOTE {label}")
    assert "twenty decibels" not in stripped and "carefully" not in stripped and "assert rate" not in stripped
    assert "NOTE zz-ex-block" in stripped and "Compute the rate." in stripped


@pytest.mark.parametrize(
    "code, name",
    [("answer = 1", "answer"), ("x = 1\nx", "x"), ("a: int = 2", "a"), ("print(1)", None),
     ("a, b = 1, 2", None), ("def f(:", None), ("", None)],
)
def test_answer_variable(code, name):
    assert answer_variable(code) == name


def test_myst_reader_refuses_broken_sources(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text(":::{exercise}\n:label: zz-ex-a\nno end\n")
    with pytest.raises(ValueError, match="unclosed block opened at line 1"):
        chapter_exercises(path)
    path.write_text(":::{solution} zz-ex-none\ntext\n:::\n")
    with pytest.raises(ValueError, match="a solution for 'zz-ex-none', which is no exercise"):
        chapter_exercises(path)
    path.write_text("```{solution-start} zz-ex-a\n```\nnever ended\n")
    with pytest.raises(ValueError, match="solution-start zz-ex-a is never ended"):
        chapter_exercises(path)


def test_huge_and_exact_answers_are_handled_fast_and_alike():
    # an int beyond the range of a float: a clear ValueError, not a bare OverflowError
    with pytest.raises(ValueError, match=r"must be one number: fibre length in km; got a number too large "
                                         r"for a float \(401 digits\)"):
        qlib.check("qn-ex-one-in-a-thousand", 10**400)
    with pytest.raises(ValueError, match=r"too large for a float"):
        qlib.check("qn-ex-one-in-a-thousand", Fraction(10**400, 3))
    # Fraction and Decimal alike: the same judgement as the float
    for exact in (Fraction(150), Decimal("150"), Fraction(301, 2), Decimal("150.5")):
        assert qlib.check("qn-ex-one-in-a-thousand", exact).status == qlib.check(
            "qn-ex-one-in-a-thousand", float(exact)).status
    with pytest.raises(ValueError, match=r"Decimal\('sNaN'\), which is not a number"):
        qlib.check("qn-ex-one-in-a-thousand", Decimal("sNaN"))
    # the shape is judged before any value is read: a 10^7-element answer is refused at once
    # (the values are never converted: an object array of strings would be a TypeError)
    shape = qlib.check("qn-ex-one-in-a-thousand", np.zeros(10**7))
    assert shape.status == "shape" and "10,000,000 values" in shape.message
    listed = qlib.check("qn-ex-one-in-a-thousand", ["not a number"] * 10**6)
    assert listed.status == "shape" and "1,000,000 values" in listed.message
    with pytest.raises(TypeError, match=r"got an array of <U1 values"):
        qlib.check("qn-ex-one-in-a-thousand", np.array(["x"]))


def test_labels_are_echoed_short_and_a_wrong_case_is_suggested():
    with pytest.raises(ValueError, match=r"did you mean 'tp-ex-delay'\?") as caught:
        qlib.check("TP-EX-DELAY", 1.0)
    assert "known labels" not in str(caught.value)
    huge = "x" * 10**6
    with pytest.raises(ValueError) as caught:
        qlib.check(huge, 1.0)
    assert len(str(caught.value)) < 2_000 and "(1,000,000 characters)" in str(caught.value)
    with pytest.raises(TypeError) as caught:
        qlib.check(b"y" * 10**6, 1.0)
    assert len(str(caught.value)) < 300
    with pytest.raises(ValueError, match=r"at most 80 characters"):
        qlib.checks.record_answer(huge, 1.0)
