"""The answers modules behind :func:`qlib.check`: one per chapter.

``tooling/qbook/answers/<chapter>.py`` (the chapter's file stem, ``-`` written ``_``)
declares ``CHAPTER``, ``CHECKS`` (``{label: qlib.checks.Exercise}``, expected
values computed with qlib) and ``CONCEPTUAL`` (``{label: reason}`` for the
exercises answered in words). :mod:`qlib.checks` discovers the modules; adding
a chapter's checks is adding its file. :mod:`qbook.myst` reads the
exercises and solutions out of the chapters' MyST sources (for the tests, the
student edition, the assignments and the instructors' page).
"""
