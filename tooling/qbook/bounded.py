"""nbgrader's ``Execute`` preprocessor with bounds, for grading submissions.

:mod:`qbook.grade` runs ``nbgrader autograde`` with :class:`BoundedExecute` in place
of nbgrader's ``Execute`` (``--Autograde.autograde_preprocessors``). It differs in
three ways, each reported (:func:`read_report`) so the grader can flag it:

* **Bounded outputs.** Each cell keeps at most ``max_cell_output`` characters of
  output (streams, displays, results, tracebacks) and the notebook at most
  ``max_notebook_output``; past that the output is cut, a line
  :data:`TRUNCATED` is appended to the cell's outputs and nothing more of that
  cell is kept. A submission printing 50 MB yields a notebook of about the limit,
  not of 50 MB.
* **A kernel that dies keeps the marks before it.** nbclient raises
  ``DeadKernelError`` when the kernel dies (``os._exit``, a segfault, ``exit()``
  where it still ends the kernel) and nbgrader then drops the whole submission.
  Here the cell that was running gets an error output saying so, the cells after
  it are not run (their outputs stay empty: no answer recorded), and the notebook
  is written as usual, so the parts answered before it keep their records.
* **A kernel that does not stop.** A cell past ``timeout`` is interrupted (as in
  nbgrader); one that ignores the interrupt (a SIGINT handler, a long C call)
  made nbclient give up on the whole notebook. Here the kernel is shut down, the
  cell's error output states the real limit, and the rest is as for a dead kernel.
  The interrupted cell's own message also states the limit (nbgrader's said only
  "No reply from kernel before timeout").

Notes
-----
The report is a JSON file per notebook, ``$QBOOK_GRADE_REPORTS/<student>/<notebook>.json``,
written by this preprocessor in nbgrader's process (never by the kernel), with keys
``truncated`` (grade ids or cell numbers whose output was cut) and ``stopped``
(``None`` or ``{"cell": index, "grade_id": ..., "reason": ...}``). Introduced for
the page *For instructors* (``instructors.md``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbgrader.preprocessors import Execute
from traitlets import Integer

#: The line appended to a cell whose output was cut (``{limit}``: the limit in characters).
TRUNCATED = "[qbook.grade: output truncated here: more than {limit} characters; the rest was not kept]"
#: Environment variable naming the folder the reports are written to.
REPORTS_ENV = "QBOOK_GRADE_REPORTS"
_OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error", "update_display_data"}


def _size(content: dict) -> int:
    """Characters an output message would add to the notebook (roughly its JSON size)."""
    if "text" in content and isinstance(content["text"], str):
        return len(content["text"])
    size = 0
    for key in ("data", "metadata"):
        for value in (content.get(key) or {}).values():
            size += len(value) if isinstance(value, str) else len(json.dumps(value, default=str))
    for line in content.get("traceback") or []:
        size += len(str(line))
    return size + len(str(content.get("evalue", "")))


class BoundedExecute(Execute):
    """nbgrader's ``Execute`` with bounded outputs and a dead or stuck kernel that
    keeps the cells run before it (see the module's notes)."""

    max_cell_output = Integer(
        2**20, help="Characters of output one cell keeps (streams, displays, tracebacks)."
    ).tag(config=True)
    max_notebook_output = Integer(
        8 * 2**20, help="Characters of output the whole notebook keeps."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._report = {"truncated": [], "stopped": None}
        self._stopped = False
        self._kept = 0
        self._cell_kept = 0
        self._cell_cut = False
        limit = self.timeout
        self.error_on_timeout = {
            "ename": "CellTimeoutError",
            "evalue": f"this cell ran past its time limit of {limit} s and was interrupted",
            "traceback": [f"\x1b[0;31mCellTimeoutError\x1b[0m: this cell ran past its time limit of "
                          f"{limit} s and was interrupted"],
        }
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._write_report(resources or {})

    # -- where the cell is -------------------------------------------------------
    @staticmethod
    def _where(cell, index: int) -> str:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        return grade_id or f"cell {index}"

    def _stop(self, cell, index: int, ename: str, reason: str) -> None:
        self._stopped = True
        self._report["stopped"] = {"cell": index, "grade_id": self._where(cell, index), "reason": reason}
        cell.outputs.append(nbformat.v4.new_output(
            "error", ename=ename, evalue=reason,
            traceback=[f"{ename}: {reason}; the cells after this one were not run"]))

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self._stopped:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
            return cell
        self._cell_kept = 0
        self._cell_cut = False
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            self._stop(cell, cell_index, "KernelDied",
                       "the kernel died while this cell ran (exit, os._exit, a crash or a memory limit)")
        except CellTimeoutError:
            self._stop(cell, cell_index, "CellTimeoutError",
                       f"this cell ran past its time limit of {self.timeout} s and did not stop when "
                       "interrupted; the kernel was shut down")
            try:
                await ensure_async(self.km.shutdown_kernel(now=True))
            except Exception as exc:  # already gone
                self.log.warning("qbook: shutting down a stuck kernel: %s", exc)
        self.nb["cells"][cell_index] = cell
        return cell

    execute_cell = run_sync(async_execute_cell)  # nbclient binds its own at class level

    # -- bounded outputs ---------------------------------------------------------
    def process_message(self, msg, cell, cell_index):
        msg_type = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        if msg_type in _OUTPUT_TYPES and isinstance(content, dict):
            if self._cell_cut:
                return None
            size = _size(content)
            room = min(self.max_cell_output - self._cell_kept, self.max_notebook_output - self._kept)
            if size > room:
                limit = self.max_cell_output if room == self.max_cell_output - self._cell_kept \
                    else self.max_notebook_output
                kept = None
                if msg_type == "stream" and room > 0:
                    content["text"] = content["text"][:room]
                    kept = super().process_message(msg, cell, cell_index)
                self._cut(cell, cell_index, limit)
                return kept
            self._cell_kept += size
            self._kept += size
        return super().process_message(msg, cell, cell_index)

    def _cut(self, cell, index: int, limit: int) -> None:
        self._cell_cut = True
        self._cell_kept = self.max_cell_output
        self._report["truncated"].append(self._where(cell, index))
        cell.outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                   text="\n" + TRUNCATED.format(limit=limit) + "\n"))

    # -- the report ----------------------------------------------------------------
    def _write_report(self, resources: dict) -> None:
        folder = os.environ.get(REPORTS_ENV)
        info = resources.get("nbgrader") or {}
        if not folder or "student" not in info or "notebook" not in info:
            return
        path = Path(folder) / str(info["student"]) / f"{info['notebook']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self._report))


def read_report(folder: Path, student: str) -> dict[str, dict]:
    """{notebook: report} written by :class:`BoundedExecute` for ``student`` under ``folder``."""
    reports = {}
    for path in sorted((Path(folder) / student).glob("*.json")):
        try:
            reports[path.stem] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return reports
