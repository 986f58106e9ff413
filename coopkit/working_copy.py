"""The consultant's working copy of the shipped notebooks, in the data folder.

``coopkit lab`` and ``coopkit start`` open JupyterLab on the data folder, never on the
shipped ``notebooks/`` (:data:`coopkit.config.NOTEBOOKS_DIR`): the consultant runs,
edits (the « Paramètres » cells are meant to be changed) and autosaves copies in
``<data>/carnets/``. So running a notebook never touches a file git tracks (``git
status`` stays clean and the next ``git pull`` cannot conflict), and the same copy
works when coopkit is installed without a source checkout.

:func:`refresh_working_copy` is the one place that copies. Each launch:

- a shipped file missing from the copy is copied;
- a copy still equal to the shipped version it was made from (outputs, execution
  counts and cell metadata do not count: running a notebook is not editing it) is
  replaced when the shipped version changed;
- a copy the consultant edited is kept as it is; when the shipped version changed, the
  new one is written beside it (``<name>.nouvelle-version.ipynb``) and reported, never
  over it.

What was copied from which version is remembered in a hidden manifest in the copy's
folder. Knows nothing of JupyterLab, the store or the widgets.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coopkit import config

#: What is copied from the shipped notebooks folder: the numbered notebooks and the
#: files they read by a relative path (the awareness quiz).
SHIPPED_PATTERNS = ("[0-9][0-9]_*.ipynb", "quiz/*.yaml")
MANIFEST = ".coopkit-copies.json"
NEW_VERSION_SUFFIX = ".nouvelle-version"


@dataclass
class CopyReport:
    """What one refresh did, each path relative to the working copy's folder."""

    folder: Path
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    #: (the consultant's edited file, kept) -> the new shipped version written beside it
    kept: list[tuple[str, str]] = field(default_factory=list)


def shipped_files(source: Path = config.NOTEBOOKS_DIR,
                  patterns: Iterable[str] = SHIPPED_PATTERNS) -> list[str]:
    """The shipped files to copy, relative to ``source``, sorted."""
    found = {p.relative_to(source).as_posix() for pattern in patterns
             for p in source.glob(pattern) if p.is_file()}
    return sorted(found)


def fingerprint(path: Path) -> str:
    """What makes a file "the same version": a notebook's cell types and sources only
    (running it adds outputs, counts and metadata); any other file's bytes."""
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(data.decode("utf-8")).get("cells", [])
            data = json.dumps([[c.get("cell_type"), _text(c.get("source", ""))]
                               for c in cells], ensure_ascii=False).encode("utf-8")
        except (ValueError, UnicodeDecodeError, AttributeError):
            pass  # not a readable notebook: compare its bytes
    return hashlib.sha256(data).hexdigest()


def _text(source: str | list[str]) -> str:
    return "".join(source) if isinstance(source, list) else source


def new_version_name(relative: str) -> str:
    """``02_animer.ipynb`` -> ``02_animer.nouvelle-version.ipynb`` (same folder)."""
    path = Path(relative)
    return path.with_name(f"{path.stem}{NEW_VERSION_SUFFIX}{path.suffix}").as_posix()


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        loaded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _copy(source: Path, target: Path) -> None:
    """Copy through a temporary file and a rename: a crash never leaves half a notebook."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    partial.replace(target)


def refresh_working_copy(data: Path, source: Path = config.NOTEBOOKS_DIR) -> CopyReport:
    """Bring ``<data>/carnets/`` up to date with the shipped notebooks in ``source``
    (rules in the module docstring); returns what was done."""
    folder = config.working_copy_dir(data)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(folder)
    report = CopyReport(folder)
    for relative in shipped_files(source):
        shipped, copy = source / relative, folder / relative
        wanted = fingerprint(shipped)
        beside = folder / new_version_name(relative)
        if not copy.exists():
            _copy(shipped, copy)
            report.copied.append(relative)
        elif (current := fingerprint(copy)) == wanted:
            if beside.exists() and fingerprint(beside) == wanted:
                beside.unlink()  # the consultant took the new version over
        elif current == manifest.get(relative):
            _copy(shipped, copy)  # untouched since we copied it: follow the new version
            report.updated.append(relative)
        elif manifest.get(relative) == wanted:
            continue  # edited by the consultant, and nothing new was shipped since
        else:
            if not beside.exists() or fingerprint(beside) != wanted:
                _copy(shipped, beside)
            report.kept.append((relative, beside.relative_to(folder).as_posix()))
            continue  # the manifest keeps the version the consultant's copy came from
        manifest[relative] = wanted
    partial = folder / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(folder / MANIFEST)
    return report
