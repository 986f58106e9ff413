"""Runs the notebooks under nbval: ``pytest --nbval-lax notebooks/0*.ipynb``.

Before the first kernel starts, ``coopkit demo`` fills a temporary data folder, which
the kernels get through ``COOPKIT_DATA``; ``COOPKIT_NOTEBOOK_TEST=1`` keeps cells from
starting pollers or servers (cells marked ``# NBVAL_SKIP`` are skipped by nbval too).
Nothing happens when pytest runs without ``--nbval``/``--nbval-lax``.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_made: list[str] = []


def pytest_configure(config) -> None:
    if not (config.getoption("nbval", default=False)
            or config.getoption("nbval_lax", default=False)):
        return
    from notebook_runner import TEST_ENV

    from coopkit.cli import main

    data = tempfile.mkdtemp(prefix="coopkit-nbval-")
    _made.append(data)
    if main(["demo", "--data", data]) != 0:
        raise RuntimeError("coopkit demo failed")
    os.environ.update({"COOPKIT_DATA": data, **TEST_ENV})


def pytest_unconfigure(config) -> None:
    while _made:
        shutil.rmtree(_made.pop(), ignore_errors=True)
