"""The consultant's JupyterLab, as ``coopkit lab`` and ``coopkit start`` launch it.

JupyterLab serves the data folder, bound to this computer, with a token; it opens on
the consultant's working copy of the notebooks (``carnets/``, see
:mod:`coopkit.working_copy`), so running them never writes into the source checkout.
The exports (``exports/``) are under the same root: downloadable from the notebook
that made them and from the file browser.

Its defaults come from JupyterLab's own settings mechanisms, for this process only
(environment variables of the launched server; the user's own Jupyter configuration
is neither read for these nor written):

- ``<data>/.jupyter/config/labconfig/default_setting_overrides.json``, found through
  ``JUPYTER_CONFIG_PATH``: the LabConfig directories' layered defaults, rewritten at
  each launch: the interface in French (the ``jupyterlab-language-pack-fr-FR``
  package) or English, following coopkit's language, and the "official Jupyter news"
  question answered "never" (no pop-up, nothing fetched from the internet);
- ``JUPYTERLAB_SETTINGS_DIR`` and ``JUPYTERLAB_WORKSPACES_DIR`` in ``<data>/.jupyter/``:
  what the consultant changes in JupyterLab (and its open tabs) belongs to this data
  folder. The language is coopkit's: a language picked in JupyterLab's menu lasts until
  the next launch.

Jupyter's log goes to ``<data>/jupyterlab.log``; the terminal gets coopkit's short
block of addresses instead. Every command-line option is in :func:`lab_command`, each
with its reason. Knows nothing of the widgets or the notebooks' contents.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from coopkit import config
from coopkit.i18n import get_language, normalise_language

DEFAULT_PORT = 8888
LOG_NAME = "jupyterlab.log"
#: coopkit's own Jupyter folders, hidden in the data folder (JupyterLab does not list
#: or serve hidden files).
JUPYTER_DIRNAME = ".jupyter"
#: JupyterLab's locale for each coopkit language (the language pack's entry point).
LAB_LOCALES = {"fr": "fr_FR", "en": "en"}
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"
#: Never listed in JupyterLab's file browser: the database (opening or deleting it there
#: would be a disaster), on top of Jupyter's own defaults.
HIDDEN_FILES = ("__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~",
                "*.sqlite", "*.sqlite-*", "*.sqlite3", "*.db")
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class LabOptions:
    """What ``coopkit lab``/``start`` asked for."""

    data: Path
    port: int = DEFAULT_PORT
    lang: str | None = None
    open_browser: bool = True

    @property
    def language(self) -> str:
        return normalise_language(self.lang) if self.lang else get_language()

    @property
    def jupyter_dir(self) -> Path:
        return self.data / JUPYTER_DIRNAME

    @property
    def log(self) -> Path:
        return self.data / LOG_NAME


def setting_overrides(language: str) -> dict[str, dict[str, object]]:
    """JupyterLab's default settings for coopkit (plugin id -> setting -> value)."""
    return {
        TRANSLATION_PLUGIN: {"locale": LAB_LOCALES.get(language, "fr_FR")},
        # "false" = never fetch the news (the setting is a string: "true"/"false"/"none",
        # "none" asks with a pop-up); no update check either, which needs the network
        NOTIFICATION_PLUGIN: {"fetchNews": "false", "checkForUpdates": False},
    }


def write_settings(opts: LabOptions) -> Path:
    """Write the defaults for this launch; returns the config folder to put on
    ``JUPYTER_CONFIG_PATH``. The language chosen in JupyterLab's menu at the last
    launch (a user setting of this data folder) is dropped: coopkit's language decides."""
    config_dir = opts.jupyter_dir / "config"
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    target = labconfig / "default_setting_overrides.json"
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(setting_overrides(opts.language), indent=2),
                       encoding="utf-8")
    partial.replace(target)
    package, plugin = TRANSLATION_PLUGIN.split(":")
    chosen = user_settings_dir(opts) / package / f"{plugin}.jupyterlab-settings"
    chosen.unlink(missing_ok=True)
    return config_dir


def user_settings_dir(opts: LabOptions) -> Path:
    return opts.jupyter_dir / "lab" / "user-settings"


def new_token() -> str:
    """A fresh secret for this launch (JupyterLab's own tokens are as long)."""
    return secrets.token_hex(24)


def lab_env(opts: LabOptions, token: str, base: dict[str, str] | None = None,
            ) -> dict[str, str]:
    """Environment of JupyterLab, inherited by its kernels and terminals."""
    env = dict(os.environ if base is None else base)
    config_dir = opts.jupyter_dir / "config"
    previous = env.get("JUPYTER_CONFIG_PATH")
    env.update({
        config.DATA_ENV: str(opts.data),
        config.LAB_ROOT_ENV: str(opts.data),
        "COOPKIT_LANG": opts.language,
        "JUPYTER_CONFIG_PATH": os.pathsep.join(p for p in (str(config_dir), previous) if p),
        "JUPYTERLAB_SETTINGS_DIR": str(user_settings_dir(opts)),
        "JUPYTERLAB_WORKSPACES_DIR": str(opts.jupyter_dir / "lab" / "workspaces"),
        # the token in the environment, not on the command line (visible to ``ps``)
        "JUPYTER_TOKEN": token,
        "PYTHONUNBUFFERED": "1",
    })
    # the ``coopkit`` command in JupyterLab's terminal and in ``!coopkit`` cells
    scripts = str(Path(sys.executable).parent)
    if scripts not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = os.pathsep.join(p for p in (scripts, env.get("PATH")) if p)
    return env


def lab_command(opts: LabOptions, python: str = sys.executable) -> list[str]:
    """The JupyterLab command line, every option with its reason."""
    command = [
        python, "-m", "jupyterlab",
        f"--ServerApp.root_dir={opts.data}",     # the data folder: working copy + exports
        # the file browser opens on the notebooks (an API path, relative to the root)
        f"--ContentsManager.preferred_dir={config.WORKING_COPY_DIRNAME}",
        "--ServerApp.ip=127.0.0.1",              # this computer only
        f"--ServerApp.port={opts.port}",
        "--ServerApp.port_retries=0",            # fail rather than move to a port not printed
        # no Voilà server extension: a Voilà page served that way can run arbitrary code
        # (participants get the standalone ``coopkit serve``)
        "--ServerApp.jpserver_extensions={'voila.server_extension': False}",
        *(f"--ContentsManager.hide_globs={glob}" for glob in HIDDEN_FILES),
    ]
    if not opts.open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI and containers run as root
    return command


def lab_url(port: int, token: str, path: str = "lab") -> str:
    """The address to open, with its token (what JupyterLab itself prints)."""
    return f"http://127.0.0.1:{port}/{path}?token={token}"


def port_free(port: int) -> bool:
    """Whether ``port`` can be bound on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_from(port: int, tries: int = 50) -> int | None:
    """``port`` if free, else the next free one (as Jupyter would pick); None if none."""
    for candidate in range(port, port + tries):
        if port_free(candidate):
            return candidate
    return None


def is_ready(port: int, timeout: float = 2.0) -> bool:
    """Whether JupyterLab answers ``/api`` (no token needed, nothing started)."""
    try:
        with _DIRECT.open(f"http://127.0.0.1:{port}/api", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_lab(opts: LabOptions, token: str) -> subprocess.Popen:
    """Write the settings and start JupyterLab in its own session (a Ctrl-C in the
    terminal reaches coopkit only, which stops it with SIGTERM), its log in a file."""
    opts.data.mkdir(parents=True, exist_ok=True)
    write_settings(opts)
    with opts.log.open("a", encoding="utf-8") as log:
        return subprocess.Popen(lab_command(opts), env=lab_env(opts, token),
                                cwd=str(opts.data), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
