"""qbook: the tooling of the textbook *Quantum Networks and Their Security*.

Not the library (that is :mod:`qlib`); what builds, checks and grades the book:

- :mod:`qbook.answers`          the exercises' answer checks, one module per chapter
                                (read by :func:`qlib.check`, the tests and the grader)
- :mod:`qbook.myst`             reads exercises and solutions out of the chapters' MyST
- :mod:`qbook.sphinx_ext`       Sphinx extension: plotly.js and the explorables' assets
- :mod:`qbook.student_edition`  ``python -m qbook.student_edition``: the edition without solutions
- :mod:`qbook.assignments`      ``python -m qbook.assignments``: nbgrader assignments
- :mod:`qbook.grade`            ``python -m qbook.grade``: confined autograding
- :mod:`qbook.sandbox_kernel`   the confined kernel the grader runs submissions in

It works on the repository it lives in (:data:`qbook.paths.ROOT`); see
``docs/architecture.md``.
"""
