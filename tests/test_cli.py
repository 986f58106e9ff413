"""The ``coopkit`` console script, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests_helpers import BASE_QUESTIONNAIRE

ROOT = Path(__file__).resolve().parent.parent
COOPKIT = [sys.executable, "-m", "coopkit.cli"]


def run(*args: str, lang: str | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COOPKIT_LANG"}
    if lang:
        env["COOPKIT_LANG"] = lang
    return subprocess.run([*COOPKIT, *args], capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=60, check=False)


def test_validate_a_good_file_prints_one_summary_line(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(BASE_QUESTIONNAIRE, encoding="utf-8")
    result = run("validate", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path} : valide, 1 section, 5 questions, langues fr, en")


def test_validate_a_broken_file_lists_file_line_messages(tmp_path):
    good = tmp_path / "ok.yaml"
    good.write_text(BASE_QUESTIONNAIRE, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE_QUESTIONNAIRE.replace("scale: accord", "scale: acord")
                   .replace("feeling: peur", "feeling: crainte"), encoding="utf-8")
    result = run("validate", str(good), str(bad))
    assert result.returncode == 1
    problems = [ln for ln in result.stdout.splitlines() if ln.startswith(f"{bad}:")]
    assert [ln.split(":")[1] for ln in problems] == ["26", "34"]
    assert "Traceback" not in result.stdout + result.stderr
    assert "2 problèmes trouvés." in result.stderr


def test_validate_in_english_by_flag_or_environment(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE_QUESTIONNAIRE.replace("scale: accord", "scale: acord"), encoding="utf-8")
    for result in (run("validate", "--lang", "en", str(bad)),
                   run("validate", str(bad), lang="en")):
        assert "did you mean 'accord'?" in result.stdout
        assert result.returncode == 1


def test_validate_a_folder(tmp_path):
    (tmp_path / "a.yaml").write_text(BASE_QUESTIONNAIRE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE_QUESTIONNAIRE.replace("id: atelier", "id: autre"),
                                     encoding="utf-8")
    result = run("validate", str(tmp_path))
    assert result.returncode == 0 and len(result.stdout.strip().splitlines()) == 2


@pytest.mark.parametrize("content", [b"", b"\xff\xfeh\x00", b"title: [unclosed\n"])
def test_validate_never_shows_a_traceback(tmp_path, content):
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    result = run("validate", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.startswith(str(path))


def test_the_method_questionnaires_are_valid():
    files = sorted((ROOT / "questionnaires").glob("*.yaml"))
    assert {f.name for f in files} >= {"ressentis.yaml", "pret-cooperation.yaml"}
    result = run("validate", *map(str, files))
    assert result.returncode == 0, result.stdout
    assert len(result.stdout.strip().splitlines()) == len(files)


def test_help_is_french_by_default_and_english_on_request():
    fr = run("--help")
    assert "vérifier un ou plusieurs fichiers" in fr.stdout and "utilisation" in fr.stdout
    en = run("--help", lang="en")
    assert "check one or more questionnaire files" in en.stdout and "usage:" in en.stdout
    en_flag = run("validate", "--help", "--lang", "en")
    assert "YAML files to check" in en_flag.stdout


def test_data_folder_resolution(tmp_path, monkeypatch):
    from coopkit.config import data_dir, database_url

    monkeypatch.delenv("COOPKIT_DATA", raising=False)
    monkeypatch.delenv("COOPKIT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert data_dir() == tmp_path / "coopkit-data"
    monkeypatch.setenv("COOPKIT_DATA", str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert database_url() == f"sqlite:///{tmp_path / 'env' / 'coopkit.sqlite'}"
    monkeypatch.setenv("COOPKIT_DATABASE_URL", "postgresql://h/db")
    assert database_url() == "postgresql://h/db"
