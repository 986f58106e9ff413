"""Where coopkit keeps its data, which database it talks to, and where its shipped
files (notebooks, questionnaires) are; where the consultant's working copy of the
notebooks goes in the data folder (:mod:`coopkit.working_copy` does the copying)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATA_DIR = "coopkit-data"
DATABASE_ENV = "COOPKIT_DATABASE_URL"
DATA_ENV = "COOPKIT_DATA"
#: Set by ``coopkit lab``/``start`` for JupyterLab and its kernels: the folder JupyterLab
#: serves (the data folder), so a notebook can link to a file under it for download.
LAB_ROOT_ENV = "COOPKIT_LAB_ROOT"
#: The consultant's copy of the shipped notebooks, inside the data folder
#: (:mod:`coopkit.working_copy`).
WORKING_COPY_DIRNAME = "carnets"
#: The source checkout: the client keeps ``notebooks/`` and ``questionnaires/`` at the top
#: level, beside the package. Every path to a shipped file is built from here, in one place.
SOURCE_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = SOURCE_ROOT / "notebooks"
QUESTIONNAIRES_DIR = SOURCE_ROOT / "questionnaires"
APP_NOTEBOOK = NOTEBOOKS_DIR / "apps" / "participer.ipynb"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``explicit`` (``--data``), else ``$COOPKIT_DATA``, else ./coopkit-data."""
    chosen = explicit or os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


def working_copy_dir(data: str | os.PathLike[str] | None = None) -> Path:
    """Where the consultant's copy of the notebooks is: ``<data folder>/carnets``."""
    return data_dir(data) / WORKING_COPY_DIRNAME


def database_url(explicit: str | None = None, data: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL: ``explicit``, else ``$COOPKIT_DATABASE_URL``, else the embedded
    SQLite file ``coopkit.sqlite`` in the data folder."""
    url = explicit or os.environ.get(DATABASE_ENV)
    if url:
        return url
    return f"sqlite:///{data_dir(data) / 'coopkit.sqlite'}"
