"""Download links under an export cell: relative to the notebook inside JupyterLab's
root (JupyterLab serves them), a data: URL anywhere else; names escaped."""

from __future__ import annotations

import base64
import html
import re

from coopkit.consultant import downloads
from coopkit.consultant.downloads import DownloadLinks


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def test_a_file_under_the_lab_root_gets_a_relative_download_link(tmp_path):
    carnets, exports = tmp_path / "carnets", tmp_path / "exports"
    carnets.mkdir()
    exports.mkdir()
    workbook = exports / "projet 1.xlsx"
    workbook.write_bytes(b"PK" + b"x" * 3000)
    page = DownloadLinks([workbook], root=str(tmp_path), cwd=carnets, lang="fr")._repr_html_()
    assert hrefs(page) == ["../exports/projet%201.xlsx"]
    assert 'download="projet 1.xlsx"' in page
    assert "Télécharger projet 1.xlsx (Excel, 3 Ko)" in page
    assert str(workbook) in page  # where it was saved, too


def test_outside_the_lab_root_the_file_is_embedded(tmp_path, monkeypatch):
    monkeypatch.delenv("COOPKIT_LAB_ROOT", raising=False)
    report = tmp_path / "rapport.pdf"
    report.write_bytes(b"%PDF-1.4 fake")
    page = DownloadLinks([report], cwd=tmp_path, lang="en")._repr_html_()
    (href,) = hrefs(page)
    assert href.startswith("data:application/pdf;base64,")
    assert base64.b64decode(href.split(",", 1)[1]) == b"%PDF-1.4 fake"
    assert "Download rapport.pdf (PDF, 1 KB)" in page


def test_a_notebook_outside_the_root_does_not_get_a_broken_relative_link(tmp_path):
    root, elsewhere = tmp_path / "data", tmp_path / "other"
    root.mkdir()
    elsewhere.mkdir()
    (root / "a.csv").write_text("x\n")
    assert downloads.lab_href(root / "a.csv", root=str(root), cwd=elsewhere) is None
    assert downloads.lab_href(root / "a.csv", root=str(root), cwd=root) == "a.csv"
    assert downloads.lab_href(root / "a.csv", root="", cwd=root) is None


def test_names_are_escaped_and_missing_files_are_said(tmp_path):
    odd = tmp_path / '<img src=x onerror=alert(1)>".csv'
    odd.write_text("x\n")
    gone = tmp_path / "parti.xlsx"
    page = DownloadLinks([odd, gone], root=str(tmp_path), cwd=tmp_path)._repr_html_()
    assert "<img" not in page and "&lt;img" in page
    assert "parti.xlsx : fichier introuvable" in page
    assert len(hrefs(page)) == 1


def test_large_files_are_not_embedded(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "EMBED_LIMIT", 10)
    big = tmp_path / "gros.pdf"
    big.write_bytes(b"x" * 11)
    page = DownloadLinks([big], root="", cwd=tmp_path)._repr_html_()
    assert hrefs(page) == [] and str(big) in page


def test_sizes_read_as_people_write_them():
    assert downloads.size_text(10, "fr") == "1 Ko"
    assert downloads.size_text(5 * 1024 * 1024 + 1, "fr") == "5.0 Mo"
    assert downloads.size_text(2048, "en") == "2 KB"
