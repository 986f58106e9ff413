"""The consultant's JupyterLab: the options and settings coopkit gives it, then a real
``coopkit lab`` on a free port answering in French with the news question off."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_fixtures import free_port

from coopkit.cli import main
from coopkit.serving import lab

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]+)")


def test_lab_command_is_local_on_the_data_folder(tmp_path):
    opts = lab.LabOptions(data=tmp_path, port=8899, open_browser=False)
    command = lab.lab_command(opts)
    assert command[1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--ContentsManager.preferred_dir=carnets" in command
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--ServerApp.port=8899" in command and "--ServerApp.port_retries=0" in command
    assert "--ServerApp.jpserver_extensions={'voila.server_extension': False}" in command
    assert "--ContentsManager.hide_globs=*.sqlite" in command
    assert "--no-browser" in command
    assert not any("token" in part.lower() for part in command)  # never visible to ps


def test_settings_follow_coopkit_language_and_drop_the_menu_choice(tmp_path):
    opts = lab.LabOptions(data=tmp_path, lang="en")
    menu_choice = (lab.user_settings_dir(opts) / "@jupyterlab" / "translation-extension"
                   / "plugin.jupyterlab-settings")
    menu_choice.parent.mkdir(parents=True)
    menu_choice.write_text('{"locale": "fr_FR"}', encoding="utf-8")
    folder = lab.write_settings(opts)
    written = json.loads((folder / "labconfig" / "default_setting_overrides.json")
                         .read_text(encoding="utf-8"))
    assert written[lab.TRANSLATION_PLUGIN] == {"locale": "en"}
    assert written[lab.NOTIFICATION_PLUGIN]["fetchNews"] == "false"
    assert not menu_choice.exists()
    lab.write_settings(lab.LabOptions(data=tmp_path, lang="fr"))
    written = json.loads((folder / "labconfig" / "default_setting_overrides.json")
                         .read_text(encoding="utf-8"))
    assert written[lab.TRANSLATION_PLUGIN] == {"locale": "fr_FR"}


def test_the_language_is_coopkits(tmp_path, monkeypatch):
    monkeypatch.delenv("COOPKIT_LANG", raising=False)
    assert lab.LabOptions(data=tmp_path).language == "fr"
    monkeypatch.setenv("COOPKIT_LANG", "en")
    assert lab.LabOptions(data=tmp_path).language == "en"
    assert lab.LabOptions(data=tmp_path, lang="fr").language == "fr"
    env = lab.lab_env(lab.LabOptions(data=tmp_path), "t")
    assert env["COOPKIT_LANG"] == "en"  # the kernels' texts follow too


def test_the_environment_is_the_launched_process_only(tmp_path):
    before = dict(os.environ)
    env = lab.lab_env(lab.LabOptions(data=tmp_path), "secret",
                      base={"JUPYTER_CONFIG_PATH": "/elsewhere", "PATH": "/usr/bin"})
    assert os.environ == before
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(tmp_path / ".jupyter" / "config"), "/elsewhere"]
    assert env["JUPYTERLAB_SETTINGS_DIR"].startswith(str(tmp_path))
    assert env["JUPYTERLAB_WORKSPACES_DIR"].startswith(str(tmp_path))
    assert env["COOPKIT_DATA"] == env["COOPKIT_LAB_ROOT"] == str(tmp_path)
    assert env["JUPYTER_TOKEN"] == "secret"
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)


def _get(port: int, token: str, path: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/{path}",
                                     headers={"Authorization": f"token {token}"})
    with lab._DIRECT.open(request, timeout=10) as resp:
        return json.loads(resp.read().decode("utf-8"))


def _wait_for(condition, proc: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return condition()
        time.sleep(0.25)
    return False


@pytest.mark.slow
@pytest.mark.parametrize(("how", "locale"), [(None, "fr_FR"), ("flag", "en")])
def test_coopkit_lab_answers_in_its_language_with_the_news_off(tmp_path, how, locale):
    data, home = tmp_path / "data", tmp_path / "home"
    home.mkdir()
    assert main(["demo", "--data", str(data)]) == 0  # a database to keep out of sight
    env = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "PYTHONUNBUFFERED": "1"}
    env.pop("COOPKIT_LANG", None)
    command = [sys.executable, "-m", "coopkit.cli", "lab", "--no-browser", "--data",
               str(data), "--lab-port", str(free_port())]
    if how == "flag":
        command += ["--lang", "en"]
    out_path = tmp_path / "terminal.txt"
    with out_path.open("w") as out:
        proc = subprocess.Popen(command, env=env, cwd=str(ROOT), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: URL.search(out_path.read_text()), proc, 180), \
            out_path.read_text()
        port_text, token = URL.search(out_path.read_text()).groups()
        port = int(port_text)
        translation = _get(port, token, "lab/api/settings/" + lab.TRANSLATION_PLUGIN)
        assert translation["schema"]["properties"]["locale"]["default"] == locale
        assert "locale" not in translation["settings"]  # nobody chose another one
        news = _get(port, token, "lab/api/settings/" + lab.NOTIFICATION_PLUGIN)
        assert news["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert news["schema"]["properties"]["checkForUpdates"]["default"] is False
        if locale == "fr_FR":  # the language pack is there and translates the menus
            pack = _get(port, token, "lab/api/translations/fr_FR")["data"]["jupyterlab"]
            assert pack[""]["language"] == "fr-FR" and pack["menu\x04File"] == ["Fichier"]
        listing = [c["name"] for c in _get(port, token, "api/contents")["content"]]
        assert "carnets" in listing and "coopkit.sqlite" not in listing
        notebooks = _get(port, token, "api/contents/carnets")["content"]
        assert {"02_animer.ipynb", "03_evaluer.ipynb"} <= {c["name"] for c in notebooks}
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    terminal = out_path.read_text()
    assert code == 0, terminal
    assert "ServerApp]" not in terminal and "LabApp]" not in terminal  # Jupyter's log...
    assert "Jupyter Server" in (data / lab.LOG_NAME).read_text()  # ...is in its file
    assert len(terminal.strip().splitlines()) <= 12
    assert not (home / ".jupyter").exists()  # the user's own Jupyter config: untouched
    word = "carnets" if locale == "fr_FR" else "notebooks"
    assert word in terminal
