"""Every notebook runs top to bottom on a fresh demo project, without outputs in git.

Each notebook is executed with nbclient in its own folder (``notebooks/``), with
``COOPKIT_DATA`` pointing at a temporary data folder filled by ``coopkit demo`` and
``COOPKIT_NOTEBOOK_TEST=1`` (cells that would start a poller or a server check it).
The notebooks' key outputs are checked, and so are the house rules: a title, imports
in the first code cell, no ``def``/``class`` in a cell, every code cell collapsed in
JupyterLab, no committed outputs except the text of the cells marked
``# NBVAL_CHECK_OUTPUT`` (see ``notebook_runner.py``).
"""

from __future__ import annotations

import ast

import nbformat
import pytest
from notebook_runner import (
    NOTEBOOKS,
    collapse_code,
    execute,
    is_checked,
    is_collapsed,
    kept_outputs,
    notebook_names,
    with_checked_outputs,
)

from coopkit import open_store
from coopkit.cli import main

ALL = notebook_names()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("notebooks-data")
    assert main(["demo", "--data", str(data)]) == 0
    return data


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def mime(nb: nbformat.NotebookNode, kind: str) -> list[object]:
    return [o["data"][kind] for o in outputs(nb) if kind in o.get("data", {})]


def test_there_are_notebooks():
    assert ALL[:4] == ["00_sensibiliser.ipynb", "01_preparer.ipynb", "02_animer.ipynb",
                       "03_evaluer.ipynb"]


@pytest.mark.parametrize("name", ALL)
def test_house_rules(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    overview = nb.cells[0].source
    assert "## En bref" in overview and "## Prérequis" in overview
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = ast.parse(code[0].source)
    assert all(isinstance(n, ast.Import | ast.ImportFrom) for n in first.body)
    for cell in code:
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree)
                   if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
        assert defined == [], cell.source
        assert len(cell.source.splitlines()) <= 15, cell.source
        assert is_collapsed(cell), \
            f"code cell not collapsed: run python tests/notebook_runner.py {name}"
        if is_checked(cell):  # a figure that matters: its text is kept for nbval
            assert cell.outputs and cell.execution_count, \
                "run python tests/notebook_runner.py to store them"
            assert cell.outputs == kept_outputs(cell.outputs, cell.execution_count), \
                "only text is kept"
        else:
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, \
                "strip the outputs before committing"
        if cell is not code[0]:
            assert not any(isinstance(n, ast.Import | ast.ImportFrom) for n in tree.body), \
                "imports go in the first code cell"


def test_storing_outputs_keeps_every_code_cell_collapsed():
    """What ``notebook_runner.py`` writes back: checked outputs, and collapsed code even
    where an edit (or a merge) had lost the metadata."""
    committed = nbformat.read(NOTEBOOKS / "03_evaluer.ipynb", as_version=4)
    for cell in committed.cells:
        cell.metadata.pop("jupyter", None)
    ran = nbformat.from_dict(committed)
    checked = [c for c in ran.cells if is_checked(c)]
    for number, cell in enumerate(checked, 1):
        cell.execution_count = number
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    assert with_checked_outputs(committed, ran) == len(checked) > 0
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(is_collapsed(c) for c in code)
    assert [c.outputs for c in code if is_checked(c)] == [c.outputs for c in checked]
    assert all(c.outputs == [] for c in code if not is_checked(c))
    assert not any(is_collapsed(c) for c in collapse_code(committed).cells
                   if c.cell_type == "markdown")  # the narrative stays open


WIDGET = "application/vnd.jupyter.widget-view+json"


def test_00_sensibiliser(demo_data):
    nb = execute("00_sensibiliser.ipynb", demo_data)
    text = "\n".join(map(str, mime(nb, "text/markdown")))
    assert "Coopératif" in text and "60 %" in text and "9. " in text
    assert len(mime(nb, WIDGET)) == 2  # the exercise and the quiz


def test_01_preparer(demo_data):
    nb = execute("01_preparer.ipynb", demo_data)
    text = "\n".join(map(str, mime(nb, "text/markdown") + mime(nb, "text/html")))
    assert "Montval" in text
    assert mime(nb, "image/png")  # the join QR code


def test_02_animer(demo_data):
    nb = execute("02_animer.ipynb", demo_data)
    assert len(mime(nb, WIDGET)) >= 2  # the room and the proposal form
    html = "\n".join(map(str, mime(nb, "text/html")))
    # « Clore la séance » is a button: running the notebook closes nothing
    assert any("CloseWorkshopButton" in str(p) and "Clore la séance" in str(p)
               for p in mime(nb, "text/plain"))
    with open_store(data=str(demo_data)) as store:
        assert any(w.is_open and w.wave == "T1" for w in store.workshops())
    # The demo's free texts hold markup: shown escaped and whole, never interpreted.
    assert "apprendre &lt;sans formation&gt; ?" in html
    assert "<sans formation>" not in html
    # the room hears about the promoter's commitment only as recorded
    printed = "\n".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    assert "Le promoteur s'est engagé le 2024-01-18" in printed
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "s'est engagé à en réaliser" not in text


def test_03_evaluer(demo_data):
    import docx

    nb = execute("03_evaluer.ipynb", demo_data)
    html = "\n".join(map(str, mime(nb, "text/html")))
    markdown = "\n".join(map(str, mime(nb, "text/markdown")))
    printed = "\n".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    assert "Plan de gestion des risques" in html
    # gauge, commitment over time, T0/T1, readiness
    assert len(mime(nb, "image/png")) >= 4
    # purpose, plans, matrix, commitment form, moderation, register
    assert len(mime(nb, WIDGET)) == 6
    assert "Version 2 du 2024-02-20" in markdown and "refusée par EHPAD" in markdown
    assert "Le promoteur s'est engagé le 2024-01-18" in printed
    assert "Arbitrer un désaccord entre partenaires" in html  # the matrix check
    assert "Contraire à la règle des trois avis" in html  # a reason for dropping
    exports = demo_data / "exports"
    documents = sorted(p.name for p in (exports / "projet-1-documents").iterdir())
    assert documents == ["charte-relationnelle.docx", "matrice-des-responsabilites.docx",
                         "plan-des-objectifs.docx", "plan-des-risques.docx"]
    objectives = docx.Document(str(exports / "projet-1-documents" / "plan-des-objectifs.docx"))
    assert len(objectives.tables[0].rows) > 3  # pre-filled from the session
    assert (exports / "projet-1.xlsx").is_file() and (exports / "projet-1.pdf").is_file()
    # the exports, downloadable from under the cell (embedded: no JupyterLab root here)
    assert 'download="projet-' in html and ".xlsx" in html and ".pdf" in html
    assert 'download="plan-des-risques.docx"' in html
