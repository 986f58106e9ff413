"""Where coopkit keeps its data, which database it talks to, and where its shipped
files (notebooks, questionnaires) are; where the consultant's working copy of the
notebooks goes in the data folder (:mod:`coopkit.working_copy` does the copying).

Every path to a shipped file is built here, in one place. In a source checkout they
are the editable top-level ``notebooks/`` and ``questionnaires/`` the client keeps
beside the package; installed from the wheel, they are the copies the wheel carries
inside the package (``coopkit/notebooks``, ``coopkit/questionnaires``: pyproject.toml
maps the top-level folders there), found through :mod:`importlib.resources`. Either
way JupyterLab opens the working copy in the data folder, never the shipped files.

Knows nothing of the other rooms.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DEFAULT_DATA_DIR = "coopkit-data"
DATABASE_ENV = "COOPKIT_DATABASE_URL"
DATA_ENV = "COOPKIT_DATA"
#: The participants' address (``http://host:port/``), set by ``coopkit present`` for
#: the presenter's QR code.
PARTICIPANT_URL_ENV = "COOPKIT_PARTICIPANT_URL"
#: The presenter's address (``http://127.0.0.1:8870/``), set by ``coopkit start`` for the
#: consultant's notebooks, which link to it.
PRESENTER_URL_ENV = "COOPKIT_PRESENTER_URL"
DEFAULT_PRESENTER_PORT = 8870
#: Set by ``coopkit lab``/``start`` for JupyterLab and its kernels: the folder JupyterLab
#: serves (the data folder), so a notebook can link to a file under it for download.
LAB_ROOT_ENV = "COOPKIT_LAB_ROOT"
#: The consultant's copy of the shipped notebooks, inside the data folder
#: (:mod:`coopkit.working_copy`).
WORKING_COPY_DIRNAME = "carnets"
#: The installed package's folder (a wheel is installed unzipped: a real folder).
PACKAGE_DIR = Path(str(resources.files("coopkit")))
#: The source checkout holding the package, when coopkit runs from one.
SOURCE_ROOT = PACKAGE_DIR.parent
IN_CHECKOUT = (SOURCE_ROOT / "pyproject.toml").is_file() and (
    SOURCE_ROOT / "notebooks").is_dir()
#: The folders of shipped files: in a checkout the editable sources, else the wheel's.
NOTEBOOKS_DIR = (SOURCE_ROOT if IN_CHECKOUT else PACKAGE_DIR) / "notebooks"
QUESTIONNAIRES_DIR = (SOURCE_ROOT if IN_CHECKOUT else PACKAGE_DIR) / "questionnaires"
#: The documentation the notebooks link to (copied to ``<data>/docs`` for reading).
DOCS_DIR = (SOURCE_ROOT if IN_CHECKOUT else PACKAGE_DIR) / "docs"
#: The IT department's files (nginx, systemd, JupyterHub, pgbouncer): a checkout's only.
DEPLOY_DIR = SOURCE_ROOT / "deploy"
#: Where ``coopkit fiches`` writes the trainers' printable handouts: beside the guide
#: in a checkout; from an installed package, a ``fiches`` folder where it is run.
HANDOUTS_DIR = DOCS_DIR / "fiches" if IN_CHECKOUT else Path("fiches")
APP_NOTEBOOK = NOTEBOOKS_DIR / "apps" / "participer.ipynb"
PRESENTER_NOTEBOOK = NOTEBOOKS_DIR / "apps" / "presenter.ipynb"


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
