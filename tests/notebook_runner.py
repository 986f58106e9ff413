"""Run the consultant notebooks on a fresh demo project; keep the outputs worth checking.

Notebooks are committed without outputs, except the cells marked ``# NBVAL_CHECK_OUTPUT``:
those show a figure that matters (the plans drafted from the demo's feelings, the
tendencies at T0 and T1, the readiness scores, the share of proposals carried out…), and
``pytest --nbval-lax notebooks/0*.ipynb`` (``run.sh test``) fails when a change in the
code makes them come out differently. Only their text is kept (``text/plain``,
``text/html``, printed lines); charts and widgets are left out.

Every code cell is stored collapsed (cell metadata ``jupyter.source_hidden``): in
JupyterLab the consultant sees the narrative, the widgets and the results, and the code
is one click away. Storing the outputs also (re)collapses every code cell, so running
this after a merge or an edit puts the metadata back (``--collapse`` does only that,
without running anything).

After a deliberate change of those figures, store the new ones and review the diff::

    python tests/notebook_runner.py            # every notebook
    python tests/notebook_runner.py 03_evaluer.ipynb
    python tests/notebook_runner.py --collapse  # only re-collapse the code cells
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHECK = "# NBVAL_CHECK_OUTPUT"
#: What a checked cell keeps: text a reviewer can read in a diff.
KEPT_MIME = ("text/plain", "text/html", "text/markdown")
#: The notebooks' environment in the tests and under nbval (see notebooks/conftest.py).
TEST_ENV = {"COOPKIT_NOTEBOOK_TEST": "1", "COOPKIT_LANG": "fr",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # charts as PNG


def notebook_names() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def is_checked(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and any(
        line.strip() == CHECK for line in cell.source.splitlines())


def execute(name: str, data: Path) -> nbformat.NotebookNode:
    """Run ``notebooks/<name>`` top to bottom in its folder, on the data folder ``data``."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    env = {"COOPKIT_DATA": str(data), **TEST_ENV}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def kept_outputs(outputs: list, execution_count: int | None) -> list:
    """The text part of a cell's outputs (streams and text MIME types), nothing else."""
    kept = []
    for output in outputs:
        if output.output_type == "stream":
            kept.append(nbformat.v4.new_output("stream", name=output.name,
                                               text=output.text))
        elif output.output_type in ("display_data", "execute_result"):
            data = {k: v for k, v in output.data.items() if k in KEPT_MIME}
            if data:
                extra = {"execution_count": execution_count} \
                    if output.output_type == "execute_result" else {}
                kept.append(nbformat.v4.new_output(output.output_type, data=data, **extra))
    return kept


def is_collapsed(cell: nbformat.NotebookNode) -> bool:
    """Whether JupyterLab opens this cell with its code hidden."""
    return cell.get("metadata", {}).get("jupyter", {}).get("source_hidden") is True


def collapse_code(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Mark every code cell of ``nb`` collapsed (in place); returns ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.setdefault("metadata", {}).setdefault("jupyter", {})["source_hidden"] = True
    return nb


def with_checked_outputs(committed: nbformat.NotebookNode, ran: nbformat.NotebookNode
                         ) -> int:
    """Copy the checked cells' text outputs of ``ran`` into ``committed`` (in place)
    and collapse its code cells. Returns the checked cells updated."""
    updated = 0
    for cell, done in zip(committed.cells, ran.cells, strict=True):
        if is_checked(cell):  # nbval compares only cells that were run: keep the count
            cell.execution_count = done.execution_count
            cell.outputs = kept_outputs(done.outputs, done.execution_count)
            updated += 1
    collapse_code(committed)
    return updated


def store_checked_outputs(name: str, data: Path) -> int:
    """Execute ``name`` and write the checked cells' text outputs into the committed
    notebook (every other cell stays without outputs, every code cell collapsed).
    Returns the cells updated."""
    ran = execute(name, data)
    path = NOTEBOOKS / name
    committed = nbformat.read(path, as_version=4)
    updated = with_checked_outputs(committed, ran)
    nbformat.write(committed, path)
    return updated


def main(argv: list[str]) -> int:
    from coopkit.cli import main as coopkit

    if "--collapse" in argv:
        for name in [a for a in argv if a != "--collapse"] or notebook_names():
            nbformat.write(collapse_code(nbformat.read(NOTEBOOKS / name, as_version=4)),
                           NOTEBOOKS / name)
            print(f"{name}: code cells collapsed")
        return 0
    names = argv or notebook_names()
    with tempfile.TemporaryDirectory(prefix="coopkit-outputs-") as data:
        if coopkit(["demo", "--data", data]) != 0:
            return 1
        for name in names:
            print(f"{name}: {store_checked_outputs(name, Path(data))} checked cell(s) stored")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
