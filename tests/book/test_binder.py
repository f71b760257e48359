"""The files Binder (repo2docker) reads: a Python the pinned stack supports,
and the book's own pinned requirements, including jupytext so that the
chapters (MyST Markdown) open as notebooks."""

from __future__ import annotations

import re
import tomllib

from _book import ROOT


def _requirement_lines(path):
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def test_runtime_is_a_python_the_book_supports():
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, f"binder/runtime.txt must read python-X.Y, got {runtime!r}"
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(x) for x in re.fullmatch(r">=\s*(\d+)\.(\d+)", required).groups())
    assert tuple(int(x) for x in match.groups()) >= minimum


def test_binder_installs_the_pinned_book_environment():
    assert _requirement_lines(ROOT / "binder" / "requirements.txt") == ["-r ../requirements.txt"]
    root = _requirement_lines(ROOT / "requirements.txt")
    assert "-e ." in root and "-c constraints.txt" in root
    pinned = {line.split("==")[0].lower() for line in root if "==" in line}
    assert {"jupyterlab", "jupytext", "ipywidgets", "anywidget", "qutip", "plotly"} <= pinned
    assert all("==" in line for line in root if not line.startswith("-")), "pin every requirement exactly"


# --- JupyterLab opens the chapters as notebooks; launch buttons (issue 7) ---------

import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

VIEWER = "Jupytext Notebook"  # the document factory jupytext's JupyterLab extension registers


def test_binder_postbuild_installs_the_default_viewer_override(tmp_path):
    """binder/postBuild copies binder/overrides.json into <prefix>/share/jupyter/lab/settings,
    which JupyterLab reads as its application settings overrides."""
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK) and post_build.read_text().startswith("#!/usr/bin/env bash")
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == {"markdown": VIEWER, "myst": VIEWER}
    # run it with a stand-in python whose sys.prefix is a temporary folder
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "python").write_text(f"#!/bin/sh\necho {tmp_path / 'prefix'}\n")
    (fake_bin / "python").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", str(post_build)], cwd=ROOT, env=env, check=True)
    installed = tmp_path / "prefix" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(installed.read_text()) == overrides


def test_jupytext_registers_the_viewer_the_override_names():
    bundle = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    assert bundle.is_dir(), "jupytext's JupyterLab extension is not installed"
    assert any(VIEWER in p.read_text(errors="ignore") for p in bundle.rglob("*.js"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_opens_markdown_as_jupytext_notebooks(tmp_path):
    """A JupyterLab server with the override in its settings reports the Jupytext
    Notebook as the default viewer of Markdown and MyST files."""
    settings = tmp_path / "settings"
    settings.mkdir()
    shutil.copyfile(ROOT / "binder" / "overrides.json", settings / "overrides.json")
    port, token = _free_port(), "binder-test"
    lab = Path(sys.executable).with_name("jupyter-lab")
    proc = subprocess.Popen(
        [str(lab), "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
         f"--LabApp.app_settings_dir={settings}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/docmanager-extension:plugin?token={token}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    data = json.load(response)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("JupyterLab did not answer within 60 s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert data["schema"]["properties"]["defaultViewers"]["default"] == {"markdown": VIEWER, "myst": VIEWER}


def _start_lab(root: Path, token: str, *options: str) -> tuple[subprocess.Popen, int]:
    """A JupyterLab server on 127.0.0.1 serving ``root``, once it answers its contents API."""
    port = _free_port()
    lab = Path(sys.executable).with_name("jupyter-lab")
    proc = subprocess.Popen(
        [str(lab), "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            _api(port, token, "", timeout=2)
            return proc, port
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    proc.wait(timeout=30)
    raise AssertionError("JupyterLab did not answer within 60 s")


def _api(port, token, path, *, method="GET", body=None, timeout=30):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/contents/{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def test_saving_a_chapter_in_jupyterlab_gives_back_the_same_file(tmp_path):
    """Opened as a notebook through jupytext and saved unchanged, every chapter is
    byte for byte the file it was (the front matter keeps no jupytext version, and
    the project's jupytext settings in pyproject.toml are the ones the server reads)."""
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "chapters").mkdir()
    chapters = sorted((ROOT / "chapters").glob("*.md"))
    for path in chapters:
        shutil.copyfile(path, tmp_path / "chapters" / path.name)
    token = "save-test"
    proc, port = _start_lab(tmp_path, token)
    try:
        for path in chapters:
            name = f"chapters/{path.name}"
            model = _api(port, token, f"{name}?type=notebook&content=1")
            assert model["type"] == "notebook" and model["content"]["cells"], name
            _api(port, token, name, method="PUT",
                 body={"type": "notebook", "format": "json", "content": model["content"]})
            saved = (tmp_path / name).read_text(encoding="utf-8")
            assert saved == path.read_text(encoding="utf-8"), f"saving {name} in JupyterLab changed it"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_launch_and_repository_buttons_come_from_one_repository_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url)
    assert config["html"]["use_repository_button"] is True
    buttons = config["launch_buttons"]
    assert buttons["notebook_interface"] == "jupyterlab"
    assert re.fullmatch(r"https://\S+", buttons["binderhub_url"])
    # no hub of our own: empty hides the JupyterHub button (no broken link on every page)
    assert buttons["jupyterhub_url"] == "" or re.fullmatch(r"https://\S+", buttons["jupyterhub_url"])
    # the address is written once: nowhere else among the book's own files
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    elsewhere = [f for f in tracked if f != "_config.yml" and (ROOT / f).is_file()
                 and url in (ROOT / f).read_text(errors="ignore")]
    assert not elsewhere, f"the repository address is also written in {elsewhere}"


def test_every_pinned_package_supports_the_binder_python():
    """The pinned versions install on the runtime Binder uses (their Requires-Python).
    runtime.txt names a minor version; Binder installs a current patch release of it
    (soupsieve, for one, needs >= 3.11.5), so any patch from 3.11.10 on must do."""
    from importlib.metadata import PackageNotFoundError, metadata

    from packaging.specifiers import SpecifierSet

    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    versions = [f"{runtime}.{patch}" for patch in range(10, 30)]
    for line in _requirement_lines(ROOT / "constraints.txt"):
        name = line.split("==")[0]
        try:
            requires = metadata(name).get("Requires-Python")
        except PackageNotFoundError:
            continue  # not installed on this platform (an environment marker)
        if requires:
            assert all(v in SpecifierSet(requires) for v in versions), f"{line} requires Python {requires}"


def _launch_links(config: dict, pagename: str = "chapters/teleportation") -> dict[str, str]:
    """The launch buttons sphinx-book-theme puts on a chapter's page for this
    ``_config.yml`` (its own ``html-page-context`` handler, run on a stand-in app:
    no book build)."""
    from types import SimpleNamespace

    from jupyter_book.config import get_final_config
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    sphinx_config, _ = get_final_config(user_yaml=config, cli_config={"latex_individualpages": False}, sourcedir=ROOT)
    options = sphinx_config["html_theme_options"]
    org, repo = options["repository_url"].rstrip("/").split("/")[-2:]
    app = SimpleNamespace(
        config={"html_theme_options": options},
        env=SimpleNamespace(doc2path=lambda name: str(ROOT / f"{name}.md"),
                            metadata={pagename: {"kernelspec": {"name": "python3"}}}),
        outdir=str(ROOT / "_build" / "html"),
    )
    context = {"pagename": pagename, "sourcename": f"{pagename}.ipynb.txt", "header_buttons": [],
               "github_url": "https://github.com", "github_user": org, "github_repo": repo}
    add_launch_buttons(app, pagename, "page.html", context, None)
    buttons = [b for group in context["header_buttons"] for b in group.get("buttons", [])]
    return {b["text"]: b["url"] for b in buttons}


def test_the_documented_hub_setting_makes_an_nbgitpuller_link():
    """_config.yml documents `jupyterhub_url: <hub>`; set so, every chapter gets a
    JupyterHub button that pulls the repository with nbgitpuller and opens the chapter.
    Left empty (as committed), only the Binder button is shown."""
    from urllib.parse import parse_qs, urlsplit

    text = (ROOT / "_config.yml").read_text()
    hub = re.search(r"^#\s+jupyterhub_url:\s*(https://\S+)\s*$", text, re.M)
    assert hub, "_config.yml must show how to set jupyterhub_url"
    config = yaml.safe_load(text)
    assert set(_launch_links(config)) == ({"Binder"} if not config["launch_buttons"]["jupyterhub_url"]
                                          else {"Binder", "JupyterHub"})
    config["launch_buttons"]["jupyterhub_url"] = hub.group(1)
    links = _launch_links(config)
    url = urlsplit(links["JupyterHub"])
    assert f"{url.scheme}://{url.netloc}" == hub.group(1).rstrip("/")
    assert url.path == "/hub/user-redirect/git-pull"
    query = parse_qs(url.query)
    repo = config["repository"]["url"]
    assert query["repo"] == [repo] and query["branch"] == [config["repository"]["branch"]]
    assert query["urlpath"] == [f"lab/tree/{repo.rsplit('/', 1)[1]}/chapters/teleportation.md"]


def test_a_chapter_opened_in_jupyterlab_reads_as_myst_not_as_markup(tmp_path):
    """A learner's view, in a real JupyterLab driven by Chromium: a chapter opened
    through jupytext (the default viewer, as on Binder) shows its MyST rendered by
    jupyterlab-myst (the admonition, the exercises, numbered equations, math) and no
    directive fences or label lines as raw text."""
    from _book import chromium

    settings = tmp_path / "settings"
    settings.mkdir()
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
    # render every cell at once (JupyterLab renders only the visible ones by default)
    overrides["@jupyterlab/notebook-extension:tracker"] = {"windowingMode": "none"}
    (settings / "overrides.json").write_text(json.dumps(overrides))
    root = tmp_path / "root"
    (root / "chapters").mkdir(parents=True)
    shutil.copyfile(ROOT / "chapters" / "teleportation.md", root / "chapters" / "teleportation.md")
    token = "myst-test"
    proc, port = _start_lab(root, token, f"--LabApp.app_settings_dir={settings}", "--LabApp.news_url=",
                            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/chapters/teleportation.md?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=60_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown, "
                ".jp-MarkdownCell .jp-RenderedMySTMarkdown, .jp-MarkdownCell .myst').length > 10",
                timeout=60_000)
            page.wait_for_timeout(2000)
            text = page.evaluate("() => document.querySelector('.jp-Notebook').innerText")
            n_cells = page.evaluate("() => document.querySelectorAll('.jp-MarkdownCell').length")
            exercises = page.evaluate(
                "() => [...document.querySelectorAll('.jp-MarkdownCell')]"
                ".filter(c => /Exercise/.test(c.innerText) && !c.innerText.includes(':::')).length")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert n_cells > 10 and "Teleportation" in text and "Learning goals" in text
    assert ":::{" not in text and "```{" not in text, "raw MyST directive text in JupyterLab"
    assert not re.search(r"^\(ch-[a-z-]+\)=", text, re.M), "a raw label line in JupyterLab"
    assert exercises >= 4, f"only {exercises} rendered exercises"
