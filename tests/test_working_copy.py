"""The consultant's working copy of the notebooks: copied once, following the shipped
versions while untouched, never overwritten once edited."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from coopkit import config
from coopkit.working_copy import (
    MANIFEST,
    fingerprint,
    refresh_working_copy,
    shipped_files,
)


@pytest.fixture
def shipped(tmp_path):
    """A small shipped folder: two numbered notebooks, the quiz, and what is not copied."""
    source = tmp_path / "notebooks"
    (source / "quiz").mkdir(parents=True)
    (source / "apps").mkdir()
    for name in ("00_un.ipynb", "01_deux.ipynb", "apps/participer.ipynb"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"),
                    nbformat.v4.new_code_cell("VALEUR = 1")]
        nbformat.write(nb, source / name)
    (source / "quiz" / "quiz.yaml").write_text("questions: []\n", encoding="utf-8")
    (source / "conftest.py").write_text("# not copied\n", encoding="utf-8")
    return source


def edit_code(path, new_source):
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = new_source
    nbformat.write(nb, path)


def run(path):
    """What running and autosaving does: outputs, counts, kernel metadata."""
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].execution_count = 3
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok\n")]
    nb.cells[1].metadata["jupyter"] = {"source_hidden": False}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nbformat.write(nb, path)


def test_the_real_shipped_notebooks_are_the_consultants_and_the_quiz():
    names = shipped_files(config.NOTEBOOKS_DIR)
    assert [n for n in names if n.endswith(".ipynb")] == [
        "00_sensibiliser.ipynb", "01_preparer.ipynb", "02_animer.ipynb",
        "03_evaluer.ipynb"]
    assert "quiz/sensibiliser.yaml" in names
    assert not any(n.startswith("apps/") for n in names)  # the participant app stays


def test_first_launch_copies_and_second_does_nothing(tmp_path, shipped):
    data = tmp_path / "data"
    report = refresh_working_copy(data, shipped)
    folder = data / "carnets"
    assert report.folder == folder
    assert report.copied == ["00_un.ipynb", "01_deux.ipynb", "quiz/quiz.yaml"]
    assert (folder / "00_un.ipynb").read_bytes() == (shipped / "00_un.ipynb").read_bytes()
    assert not (folder / "apps").exists() and not (folder / "conftest.py").exists()
    again = refresh_working_copy(data, shipped)
    assert (again.copied, again.updated, again.kept) == ([], [], [])


def test_running_a_notebook_is_not_editing_it(tmp_path, shipped):
    data = tmp_path / "data"
    refresh_working_copy(data, shipped)
    copy = data / "carnets" / "00_un.ipynb"
    run(copy)
    assert fingerprint(copy) == fingerprint(shipped / "00_un.ipynb")
    edit_code(shipped / "00_un.ipynb", "VALEUR = 2")  # a new coopkit version
    report = refresh_working_copy(data, shipped)
    assert report.updated == ["00_un.ipynb"] and report.kept == []
    assert nbformat.read(copy, as_version=4).cells[1].source == "VALEUR = 2"


def test_an_edited_copy_is_kept_and_the_new_version_put_beside_it(tmp_path, shipped):
    data = tmp_path / "data"
    refresh_working_copy(data, shipped)
    copy = data / "carnets" / "01_deux.ipynb"
    edit_code(copy, "VALEUR = 'mon projet'")
    assert refresh_working_copy(data, shipped).kept == []  # nothing new shipped: quiet
    edit_code(shipped / "01_deux.ipynb", "VALEUR = 2")
    report = refresh_working_copy(data, shipped)
    beside = data / "carnets" / "01_deux.nouvelle-version.ipynb"
    assert report.kept == [("01_deux.ipynb", "01_deux.nouvelle-version.ipynb")]
    assert report.updated == []
    assert nbformat.read(copy, as_version=4).cells[1].source == "VALEUR = 'mon projet'"
    assert nbformat.read(beside, as_version=4).cells[1].source == "VALEUR = 2"
    # the consultant takes the new version over theirs: the spare copy goes away
    shutil.copyfile(beside, copy)
    report = refresh_working_copy(data, shipped)
    assert report.kept == [] and not beside.exists()


def test_an_edited_quiz_is_kept_too(tmp_path, shipped):
    data = tmp_path / "data"
    refresh_working_copy(data, shipped)
    quiz = data / "carnets" / "quiz" / "quiz.yaml"
    quiz.write_text("questions: [ma question]\n", encoding="utf-8")
    (shipped / "quiz" / "quiz.yaml").write_text("questions: [nouvelle]\n", encoding="utf-8")
    report = refresh_working_copy(data, shipped)
    assert report.kept == [("quiz/quiz.yaml", "quiz/quiz.nouvelle-version.yaml")]
    assert quiz.read_text(encoding="utf-8") == "questions: [ma question]\n"


def test_without_its_manifest_a_differing_copy_counts_as_edited(tmp_path, shipped):
    data = tmp_path / "data"
    refresh_working_copy(data, shipped)
    (data / "carnets" / MANIFEST).write_text("not json", encoding="utf-8")
    edit_code(shipped / "00_un.ipynb", "VALEUR = 2")
    report = refresh_working_copy(data, shipped)
    assert [mine for mine, _ in report.kept] == ["00_un.ipynb"]
    manifest = json.loads((data / "carnets" / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest) == {"01_deux.ipynb", "quiz/quiz.yaml"}  # rebuilt for the others


def test_a_deleted_copy_comes_back(tmp_path, shipped):
    data = tmp_path / "data"
    refresh_working_copy(data, shipped)
    (data / "carnets" / "00_un.ipynb").unlink()
    assert refresh_working_copy(data, shipped).copied == ["00_un.ipynb"]
