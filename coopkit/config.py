"""Where coopkit keeps its data, which database it talks to, and where its shipped
files (notebooks, questionnaires) are.

Every path to a shipped file is built here, in one place. In a source checkout they
are the editable top-level ``notebooks/`` and ``questionnaires/`` the client keeps
beside the package; installed from the wheel, they are the copies the wheel carries
inside the package (``coopkit/notebooks``, ``coopkit/questionnaires``: pyproject.toml
maps the top-level folders there), found through :mod:`importlib.resources`. The
consultant's JupyterLab opens a working copy of the notebooks in the data folder when
coopkit is not run from a checkout (:func:`notebooks_folder`), so that the installed
package itself is never edited.

Knows nothing of the other rooms.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

DEFAULT_DATA_DIR = "coopkit-data"
DATABASE_ENV = "COOPKIT_DATABASE_URL"
DATA_ENV = "COOPKIT_DATA"
#: The installed package's folder (a wheel is installed unzipped: a real folder).
PACKAGE_DIR = Path(str(resources.files("coopkit")))
#: The source checkout holding the package, when coopkit runs from one.
SOURCE_ROOT = PACKAGE_DIR.parent
IN_CHECKOUT = (SOURCE_ROOT / "pyproject.toml").is_file() and (
    SOURCE_ROOT / "notebooks").is_dir()
#: The folders of shipped files, in a checkout: the editable sources; else the wheel's.
NOTEBOOKS_DIR = (SOURCE_ROOT if IN_CHECKOUT else PACKAGE_DIR) / "notebooks"
QUESTIONNAIRES_DIR = (SOURCE_ROOT if IN_CHECKOUT else PACKAGE_DIR) / "questionnaires"
APP_NOTEBOOK = NOTEBOOKS_DIR / "apps" / "participer.ipynb"
#: What a working copy of the notebooks holds (the patterns the wheel ships).
SHIPPED_PATTERNS = ("*.ipynb", "*.yaml")


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``explicit`` (``--data``), else ``$COOPKIT_DATA``, else ./coopkit-data."""
    chosen = explicit or os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


def database_url(explicit: str | None = None, data: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL: ``explicit``, else ``$COOPKIT_DATABASE_URL``, else the embedded
    SQLite file ``coopkit.sqlite`` in the data folder."""
    url = explicit or os.environ.get(DATABASE_ENV)
    if url:
        return url
    return f"sqlite:///{data_dir(data) / 'coopkit.sqlite'}"


def notebooks_folder(data: Path) -> Path:
    """The folder JupyterLab opens for the consultant.

    In a checkout: the editable ``notebooks/``. Installed from the wheel: a working copy
    in the data folder, ``<data>/notebooks`` with ``<data>/questionnaires`` beside it (the
    notebooks read ``../questionnaires``), copied from the package. A file already there
    is never overwritten (the consultant's edits stay); a file the package ships and the
    copy lacks (a new notebook after an upgrade, or one deleted to get it back) is added.
    """
    if IN_CHECKOUT:
        return NOTEBOOKS_DIR
    for name, source in (("notebooks", NOTEBOOKS_DIR), ("questionnaires", QUESTIONNAIRES_DIR)):
        for pattern in SHIPPED_PATTERNS:
            for path in sorted(source.rglob(pattern)):
                if ".ipynb_checkpoints" in path.parts:
                    continue
                target = data / name / path.relative_to(source)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
    return data / "notebooks"
