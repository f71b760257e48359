"""The architecture's rules (docs/architecture.md), enforced.

- the floors: physics (``qlib.quantum``, ``qlib.network``, ``qlib.qkd`` and the
  modules at qlib's top) never imports presentation (``qlib.viz``, Plotly,
  ipywidgets), cryptography (``qlib.crypto``, ``cryptography``), sockets, the book's
  tooling (``qbook``) or answers, nor the graphs (``qlib.graphs``, networkx);
  ``qlib.graphs`` imports physics and networkx, never presentation, cryptography
  or tooling; nothing in qlib imports qbook;
- ``qlib.vpn`` (the WireGuard VPN: subprocesses, sockets, ``qlib.crypto``) never
  imports presentation or tooling;
- ``import qlib`` loads the physics only (checked in a fresh interpreter): not
  networkx, Plotly, ``cryptography`` or ``qlib.vpn``;
- nothing a student's code can import from the library holds an expected value:
  qlib declares no exercise, ships no answers module, and without the book's
  tooling ``qlib.check`` says there is nothing to check against;
- the flat namespace is built from explicit lists, and every old module path
  either aliases its new module or names where it went;
- tests mirror the tree: every public module of a floor has its test module.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import qlib
from qlib import _moved

ROOT = Path(__file__).resolve().parents[1]
QLIB = ROOT / "qlib"
FLOORS = ("quantum", "network", "qkd", "graphs", "crypto", "viz")

#: top-level packages (or qlib subpackages) each floor must not import
PRESENTATION = {"plotly", "ipywidgets", "anywidget", "IPython", "qlib.viz"}
CRYPTO = {"cryptography", "OpenSSL", "qlib.crypto", "socket", "ssl", "threading", "socketserver", "selectors"}
TOOLING = {"qbook", "sphinx", "nbformat", "nbclient", "jupytext", "nbgrader", "myst_nb", "docutils"}
GRAPHS = {"networkx", "qlib.graphs"}
FORBIDDEN = {
    "physics": PRESENTATION | CRYPTO | TOOLING | GRAPHS,
    # networks as graphs: physics on networkx, loaded on first use like crypto and viz
    "graphs": PRESENTATION | CRYPTO | TOOLING,
    # qlib.check's feedback and the graded answer record are shown in notebooks
    # (IPython's display, imported when used), but never with Plotly or widgets
    "checks": (PRESENTATION - {"IPython"}) | CRYPTO | TOOLING,
    "crypto": PRESENTATION | TOOLING,
    "viz": CRYPTO | TOOLING,
    # the VPN drives wireguard-go, wg and ip, keyed by qlib.crypto: never figures or tooling
    "vpn": PRESENTATION | TOOLING,
}
VPN = {"qlib.vpn"}


def _floor(path: Path) -> str:
    rel = path.relative_to(QLIB)
    if rel.parts == ("checks.py",):
        return "checks"
    return rel.parts[0] if rel.parts[0] in ("graphs", "crypto", "viz", "vpn") else "physics"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def _library_modules() -> list[Path]:
    return sorted(p for p in QLIB.rglob("*.py") if "__pycache__" not in p.parts)


def _matches(module: str, banned: set[str]) -> bool:
    return any(module == b or module.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("path", _library_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_floor_imports_only_what_it_may(path):
    banned = FORBIDDEN[_floor(path)]
    bad = [(line, m) for line, m in _imports(path) if _matches(m, banned)]
    assert not bad, f"{path.relative_to(ROOT)} ({_floor(path)}) imports {bad}"


def test_no_star_imports_in_the_library():
    for path in _library_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert all(a.name != "*" for a in node.names), f"star import in {path.relative_to(ROOT)}"


_FRESH_IMPORT = """
import json, sys, time, warnings
warnings.filterwarnings("ignore", message="matplotlib not found")
t0 = time.perf_counter()
import qutip
t1 = time.perf_counter()
before = set(sys.modules)
import qlib
t2 = time.perf_counter()
print(json.dumps({"new": sorted(set(sys.modules) - before), "qutip_s": t1 - t0, "qlib_s": t2 - t1}))
"""


def test_import_qlib_loads_physics_only():
    out = subprocess.run([sys.executable, "-c", _FRESH_IMPORT], capture_output=True, text=True, check=True)
    new = json.loads(out.stdout)["new"]
    banned = PRESENTATION | CRYPTO | TOOLING | GRAPHS | VPN | {"qlib.checks_answers"}
    loaded = [m for m in new if _matches(m, banned)]
    assert not loaded, f"import qlib (after import qutip) loads {loaded}"
    assert "qlib.quantum.states" in new and "qlib.qkd" in new  # the physics is there


def test_lazy_names_load_their_floor_on_first_use():
    code = ("import sys, qlib; assert 'plotly' not in sys.modules; qlib.Explorable; "
            "assert 'plotly' in sys.modules and 'cryptography' not in sys.modules; qlib.mlkem_keygen; "
            "assert 'cryptography' in sys.modules and 'networkx' not in sys.modules; qlib.QuantumNetwork; "
            "assert 'networkx' in sys.modules and 'qlib.graphs' in sys.modules")
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)


# --------------------------------------------------------------------------- #
# No answers in the library
# --------------------------------------------------------------------------- #
def test_the_library_declares_no_exercise():
    """No module of qlib builds an ``Exercise`` or defines ``CHECKS`` (the answers are
    the book's tooling, ``tooling/qbook/answers/``)."""
    for path in _library_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Exercise":
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} declares an Exercise")
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CHECKS" for t in node.targets):
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} defines CHECKS")
    assert not (QLIB / "exercises").exists()


def test_the_library_distribution_ships_only_qlib():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["qlib*"]
    assert not any(p.name.startswith("qbook") for p in QLIB.parent.iterdir() if p.is_dir() and p.parent == ROOT)
    tooling = tomllib.loads((ROOT / "tooling" / "pyproject.toml").read_text())
    assert tooling["project"]["name"] == "qbook"
    assert tooling["project"]["entry-points"]["qlib.answers"] == {"book": "qbook.answers"}


_WITHOUT_TOOLING = """
import importlib.abc, sys, warnings
warnings.filterwarnings("ignore", message="matplotlib not found")
class Hide(importlib.abc.MetaPathFinder):  # as in the grading sandbox: qbook is not there
    def find_spec(self, name, path=None, target=None):
        if name == "qbook" or name.startswith("qbook."):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Hide())
import qlib
assert qlib.exercise_labels() == [], qlib.exercise_labels()
try:
    qlib.check("qn-ex-one-in-a-thousand", 150.0)
except RuntimeError as exc:
    print(exc)
else:
    raise SystemExit("qlib.check judged an answer without the answers")
"""


def test_without_the_tooling_check_has_nothing_to_compare_with():
    out = subprocess.run([sys.executable, "-c", _WITHOUT_TOOLING], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "no answer checks are installed in this environment" in out.stdout


# --------------------------------------------------------------------------- #
# The flat namespace and the old paths
# --------------------------------------------------------------------------- #
def test_flat_namespace_is_the_union_of_the_floors():
    assert len(qlib.__all__) == len(set(qlib.__all__))
    union = {"Feedback", "check", "exercise_labels"}
    for floor in FLOORS:
        package = importlib.import_module(f"qlib.{floor}")
        assert len(package.__all__) == len(set(package.__all__)), floor
        for name in package.__all__:
            assert getattr(qlib, name) is getattr(package, name), (floor, name)
        union |= set(package.__all__)
    assert set(qlib.__all__) == union
    lazy = {name for name, module in qlib._LAZY.items()}
    assert lazy == {name for floor in ("graphs", "crypto", "viz")
                    for name in importlib.import_module(f"qlib.{floor}").__all__}


def test_every_flat_name_is_exported_from_the_module_that_defines_it():
    """``qlib.quantum.states.werner_state`` is where ``qlib.werner_state`` lives: the
    re-export names the defining module, not another re-export."""
    for floor in FLOORS:
        package = importlib.import_module(f"qlib.{floor}")
        for name in package.__all__:
            obj = getattr(package, name)
            home = getattr(obj, "__module__", None)
            if home and home.startswith("qlib.") and callable(obj):
                assert name in importlib.import_module(home).__all__, (name, home)


@pytest.mark.parametrize("old", sorted(_moved.MOVED_MODULES))
def test_old_module_paths_alias_the_new_ones_with_a_warning(old):
    new = importlib.import_module(_moved.MOVED_MODULES[old])
    sys.modules.pop(f"qlib.{old}", None)
    with pytest.warns(DeprecationWarning, match=rf"qlib\.{old} moved to {_moved.MOVED_MODULES[old]}"):
        module = importlib.import_module(f"qlib.{old}")
    assert module is new
    assert module.__spec__.name == new.__name__  # the new module keeps its own identity


@pytest.mark.parametrize("old, where", [("exercises", "qbook.answers"), ("exercises.teleportation", "qbook.answers"),
                                        ("sphinx_ext", "qbook.sphinx_ext")])
def test_what_left_the_library_names_where_it_went(old, where):
    parent = old.split(".")[0]  # importing qlib.exercises.x imports qlib.exercises first
    with pytest.raises(ImportError, match=rf"qlib\.{parent} is no longer part of qlib: .*{where}"):
        with warnings.catch_warnings():
            importlib.import_module(f"qlib.{old}")


# --------------------------------------------------------------------------- #
# Tests mirror the tree
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("floor", [*FLOORS, "vpn"])
def test_every_public_module_has_its_test_module(floor):
    missing = [
        f"tests/{floor}/test_{p.stem}.py"
        for p in sorted((QLIB / floor).glob("*.py"))
        if not p.stem.startswith("_") and not (ROOT / "tests" / floor / f"test_{p.stem}.py").exists()
    ]
    assert not missing, f"modules of qlib.{floor} without a test module: {missing}"


# --------------------------------------------------------------------------- #
# Docstrings name chapters by their titles: the titles must be true
# --------------------------------------------------------------------------- #
_CHAPTER_REFERENCE = re.compile(r"\bchapters?\s+((?:\*[^*]+\*(?:,\s*|\s+and\s+|\s*\()?)+)")


def _chapter_titles() -> set[str]:
    from _book import chapter_paths

    titles = set()
    for path in chapter_paths():
        title = next(line[2:] for line in path.read_text().splitlines() if line.startswith("# "))
        titles.add(" ".join(title.split()))
    return titles


def test_docstrings_name_chapters_that_exist():
    """"Introduced in the chapter *Teleportation*": every chapter a docstring of the
    library or the tooling names by title is a chapter of the book, titled so."""
    titles = _chapter_titles()
    named = []
    for path in sorted([*QLIB.rglob("*.py"), *(ROOT / "tooling").rglob("*.py")]):
        for group in _CHAPTER_REFERENCE.findall(path.read_text()):
            named += [(path.relative_to(ROOT), " ".join(t.replace("#:", " ").split()))
                      for t in re.findall(r"\*([^*]+)\*", group)]
    assert len(named) > 50, "the pattern no longer finds the references"
    wrong = sorted({(str(p), t) for p, t in named if t not in titles})
    assert not wrong, f"docstrings name chapters that are not titled so (titles: {sorted(titles)}): {wrong}"
