"""The raw-answers CSV is safe whichever separator the spreadsheet uses.

Both files ("," and ";") are read with both separators, by Python's csv module and by a
real LibreOffice Calc (headless: csv -> xlsx with the separator named in the filter
options and formula evaluation on, then read back with openpyxl). No cell may hold a
formula or an evaluated value, and no line break inside an answer may start a row.
LibreOffice is Debian's ``libreoffice-calc-nogui`` (``run.sh`` installs it): without it
the LibreOffice half is skipped locally and fails in CI.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml

from coopkit.cells import csv_safe
from coopkit.definitions.questionnaire import parse
from coopkit.exports.write import export_csv
from coopkit.store import open_store

QUESTIONNAIRE = """\
id: csv-sep
version: "1"
kind: survey
title: {fr: "Séparateurs ;=1+1", en: "Separators ,=1+1"}
groups: [personnel, direction_generale]
sections:
  - id: s
    title: {fr: "Partie ;=2+2, ,=3+3", en: Part}
    items:
      - {id: note, type: intensity, max: 5, text: {fr: "Note ;@SUM(1;2)", en: Mark}}
      - {id: libre, type: text, required: false, text: {fr: "Votre avis ,-4+4 ?", en: Say}}
"""

#: Free texts that each open a formula in some reading of a naive CSV file.
NASTY = [
    ";=1+1", ",=1+1", "\r=1+1", "a\r=1+1", "a\n=1+1", "a\r\n+1+1", "x;\"=1+1\"",
    "x,\"=1+1\"", "=1+1", "+1+1", "-1+1", "@SUM(1;2)", "\t=1+1", "a;\t=1+1",
    "ok, -10 %", "a; ;  =1+1", "\"=1+1\"", "a,;=1+1", "a;;=1+1", "plain text",
]
K = 2
#: What a spreadsheet takes for the start of a formula.
FORMULA = ("=", "+", "-", "@")
#: LibreOffice's CSV filter: separator, quote ("), UTF-8 (76), from line 1, no column
#: formats, language, quoted field as text false, detect special numbers true, two
#: export-only tokens, trim spaces true, all sheets, evaluate formulas TRUE (the worst
#: case: a formula a user could let run).
LO_OPTIONS = "{sep},34,76,1,,{lang},false,true,false,false,true,-1,true"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("csvsep")
    q = parse(yaml.safe_load(QUESTIONNAIRE))
    with open_store(data=str(folder / "data")) as store:
        project = store.create_project("Projet ;=1+1", "", "")
        ws = store.open_workshop(project, q, k=K)
        for i, text in enumerate(NASTY):
            person = store.join(ws.code, ("personnel", "direction_generale")[i % 2],
                                "CH ;=5+5" if i % 2 else "EHPAD ,=6+6")
            store.save_answer(person.token, "note", i % 6)
            store.save_answer(person.token, "libre", text)
            store.validate(person.token)
        out = {}
        for name, sep in (("comma", ","), ("semicolon", ";")):
            out[sep] = export_csv(store, ws.code, folder / f"{name}.csv", sep=sep)
    return out


def records(path: Path, sep: str) -> int:
    """How many records the file has, read with the separator it was written with."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle, delimiter=sep))


def risky(text: str) -> bool:
    """Whether a cell's text opens a formula (spaces and quotes may be trimmed)."""
    return text.lstrip(' "').startswith(FORMULA)


@pytest.mark.parametrize("written", [",", ";"])
@pytest.mark.parametrize("read", [",", ";"])
def test_python_csv_reads_no_formula_with_either_separator(files, written, read):
    path = files[written]
    expected = len(NASTY) * 2 + 1  # two answers per participant, and the header
    assert records(path, written) == expected
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=read))
    assert len(rows) == expected  # no line break inside an answer starts a row
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if risky(c)]
    # a naive reader (one line = one row, no quote handling) sees no formula either
    for line in path.read_text(encoding="utf-8-sig").split("\r\n"):
        assert not [c for c in line.split(read) if risky(c)], line


def test_texts_are_kept_readable(files):
    with files[","].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    free = [r["Réponse (valeur)"] for r in rows if r["Code question"] == "libre"]
    assert free == [csv_safe(text) for text in NASTY]
    for text, shown in [(";=1+1", ";'=1+1"), ("a\r=1+1", "a =1+1"), ("=1+1", "'=1+1"),
                        ("a; ;  =1+1", "a; ;'  =1+1"), ("ok, -10 %", "ok,' -10 %"),
                        ("x;\"=1+1\"", "x;'\"=1+1\""), ("plain text", "plain text")]:
        assert free[NASTY.index(text)] == shown, text


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_cells(csv_path: Path, read: str, out: Path) -> list[openpyxl.cell.Cell]:
    """Open ``csv_path`` in LibreOffice Calc with ``read`` as separator, save as xlsx."""
    binary = soffice()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice not found (apt-get install libreoffice-calc-nogui)")
        pytest.skip("LibreOffice not found (apt-get install libreoffice-calc-nogui)")
    options = LO_OPTIONS.format(sep=ord(read), lang=1036 if read == ";" else 1033)
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "profile"  # its own profile: never clashes with another soffice
    subprocess.run([binary, "--headless", "--norestore",
                    f"-env:UserInstallation={profile.as_uri()}",
                    f"--infilter=CSV:{options}", "--convert-to", "xlsx",
                    "--outdir", str(out), str(csv_path)],
                   check=True, capture_output=True, timeout=180)
    xlsx = out / (csv_path.stem + ".xlsx")
    assert xlsx.is_file(), f"LibreOffice wrote no {xlsx.name}"
    return xlsx


@pytest.mark.slow
@pytest.mark.parametrize("written", [",", ";"])
@pytest.mark.parametrize("read", [",", ";"])
def test_libreoffice_finds_no_formula_with_either_separator(files, written, read, tmp_path):
    xlsx = libreoffice_cells(files[written], read, tmp_path)
    formulas = openpyxl.load_workbook(xlsx)
    values = openpyxl.load_workbook(xlsx, data_only=True)
    sheet, shown = formulas.worksheets[0], values.worksheets[0]
    assert sheet.max_row == len(NASTY) * 2 + 1  # no answer's line break started a row
    found = [(c.coordinate, c.value) for row in sheet.iter_rows() for c in row
             if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]
    assert not found
    errors = [(c.coordinate, c.value) for row in shown.iter_rows() for c in row
              if c.data_type == "e"]
    assert not errors
    if read == written:  # read as written: each answer is one cell, as exported
        rows = list(sheet.iter_rows(values_only=True))
        code, value = rows[0].index("Code question"), rows[0].index("Réponse (valeur)")
        free = [row[value] for row in rows[1:] if row[code] == "libre"]
        assert free == [csv_safe(text).strip() for text in NASTY]  # spaces trimmed


def test_a_naive_file_would_have_failed(tmp_path):
    """The check above can fail: the same texts written with a bare csv.writer."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[t] for t in NASTY])
    cells = [c for line in buffer.getvalue().split("\r\n") for c in line.split(";")]
    assert [c for c in cells if risky(c)]
