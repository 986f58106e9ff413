"""Download links for the files a notebook wrote (exports), shown under the cell.

``coopkit lab``/``start`` serve the data folder in JupyterLab (``$COOPKIT_LAB_ROOT``),
and exports are written to its ``exports/`` folder. A file under that root gets a plain
link relative to the notebook, with the ``download`` attribute: JupyterLab turns it
into its own authenticated ``/files/`` address and the browser saves the file (without
``download`` JupyterLab would try to open a workbook as a document). The file stays
where it was written, once, also visible in JupyterLab's file browser.

Anywhere else (a JupyterLab started by hand on another folder, nbval), the file is
embedded in the link as a ``data:`` URL, which downloads the same way.

Knows nothing of the store or of what the files hold.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Iterable
from html import escape
from pathlib import Path
from urllib.parse import quote

from coopkit import config
from coopkit.i18n import t

#: Files larger than this are not embedded in a page (a data: URL is ~4/3 the size).
EMBED_LIMIT = 25 * 1024 * 1024
_KINDS = {".xlsx": "Excel", ".pdf": "PDF", ".csv": "CSV", ".docx": "Word", ".png": "PNG"}


def size_text(size: int, lang: str | None = None) -> str:
    """``2048`` -> ``2 Ko`` (French) / ``2 KB`` (English), at least 1."""
    if size >= 1024 * 1024:
        return t("downloads.megabytes", lang, size=f"{size / (1024 * 1024):.1f}")
    return t("downloads.kilobytes", lang, size=max(1, round(size / 1024)))


def lab_href(path: Path, *, root: str | None = None, cwd: Path | None = None) -> str | None:
    """The link to ``path`` relative to the notebook's folder ``cwd``, when both are
    under JupyterLab's root (``$COOPKIT_LAB_ROOT``); else None."""
    root = root if root is not None else os.environ.get(config.LAB_ROOT_ENV)
    if not root:
        return None
    base = Path(root).resolve()
    here = (cwd or Path.cwd()).resolve()
    target = path.resolve()
    if not (target.is_relative_to(base) and here.is_relative_to(base)):
        return None
    return quote(Path(os.path.relpath(target, here)).as_posix())


def data_href(path: Path) -> str | None:
    """The file itself as a ``data:`` URL (None when larger than :data:`EMBED_LIMIT`)."""
    if path.stat().st_size > EMBED_LIMIT:
        return None
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


class DownloadLinks:
    """One download link per file, for a notebook's output (``display(...)`` or last
    expression of a cell). ``value`` is the list of files; missing files are named as
    missing, never linked."""

    def __init__(self, paths: Iterable[str | os.PathLike[str]], *, lang: str | None = None,
                 root: str | None = None, cwd: Path | None = None):
        self.value = [Path(p) for p in paths]
        self._lang, self._root, self._cwd = lang, root, cwd

    def links(self) -> list[tuple[Path, str | None]]:
        """(file, href or None) for each file, in order."""
        out = []
        for path in self.value:
            href = None
            if path.is_file():
                href = lab_href(path, root=self._root, cwd=self._cwd) or data_href(path)
            out.append((path, href))
        return out

    def _repr_html_(self) -> str:
        lang = self._lang
        items = []
        for path, href in self.links():
            name = escape(path.name)
            where = escape(str(path))
            if not path.is_file():
                items.append(f"<li>{escape(t('downloads.missing', lang, file=path.name))}"
                             f"</li>")
                continue
            label = escape(t("downloads.link", lang, file=path.name,
                             kind=_KINDS.get(path.suffix.lower(), path.suffix.lstrip(".")),
                             size=size_text(path.stat().st_size, lang)))
            if href is None:
                items.append(f"<li>{label} — <code>{where}</code></li>")
                continue
            saved = escape(t("downloads.saved_in", lang))
            items.append(f'<li><a class="coopkit-download" href="{escape(href)}" '
                         f'download="{name}">{label}</a><br>'
                         f"<small>{saved} <code>{where}</code></small></li>")
        return f"<ul class='coopkit-downloads'>{''.join(items)}</ul>"

    def __repr__(self) -> str:
        return "\n".join(str(p) for p in self.value)
