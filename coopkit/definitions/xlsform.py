"""XLSForm workbooks <-> coopkit questionnaires.

XLSForm is the spreadsheet format of ODK, KoboToolbox and SurveyCTO: a ``survey``
sheet (one row per question or group), a ``choices`` sheet (answer lists) and a
``settings`` sheet. Trainers who already write forms in Excel can bring them in, and any
coopkit questionnaire can be taken out to Excel and back without losing a thing
(``questionnaire -> XLSForm -> questionnaire`` keeps the content hash).

Mapping (documented in ``docs/xlsform.md``):

========================================  ==============================================
XLSForm                                   coopkit
========================================  ==============================================
settings ``form_id`` / ``version``        ``id`` / ``version``
settings ``form_title`` (+ ``::lang``)    ``title`` (``form_title`` alone is French)
settings ``kind``, ``intro::lang``        ``kind``, ``intro`` (extra columns)
``begin_group`` / ``end_group``           section; a group inside a group = sub-section
``label::Français (fr)`` ...              texts per language (a bare ``label`` is French)
``hint::lang``                            ``help`` (items) or ``intro`` (sections)
``select_one L`` on a *scale list*        ``scale`` item using scale ``L``
``select_one L`` on another list          ``single`` (choices copied from ``L``)
``select_multiple L``                     ``multiple``
``integer`` + ``coopkit_max`` (or the     ``intensity`` 0..max
constraint ``. >= 0 and . <= N``)
``text``                                  ``text``
``required`` yes / no (empty = no)        ``required``
columns ``feeling``, ``theme``,           the method's tags (``principles`` and
``principles``, ``factor``, ``groups``,   ``groups``, ``audience`` are space- or
``audience``, ``about``, ``mirrors``,     comma-separated)
``prerequisite``, ``weak_below``,
``weak_above``, ``low::``, ``high::``,
``feedback::lang``
columns ``not_concerned``,                the item's flags (yes / no, empty = no)
``self_assessment``
choices list ``coopkit_groups``           the stakeholder groups offered at join time
========================================  ==============================================

A choices list is a *scale list* when its ``coopkit_scale`` column says ``yes``; when
that column is empty for the whole list, a list whose names are all integers (plus the
optional ``na`` = not applicable and ``dk`` = don't know) and that has no ``score`` is a
scale list too. ``coopkit_scale: no`` keeps an integer-named list a plain choice list.

Unsupported features (``relevant``, ``constraint`` other than the intensity bound,
``calculation``, ``choice_filter``, repeats, media, types such as ``geopoint`` or
``image``...) raise a :class:`~coopkit.errors.CoopkitError` naming the file, sheet, row,
column and value. ``note`` rows, metadata rows (``start``, ``deviceid``...) and purely
cosmetic columns (``appearance``...) are skipped with a warning.

Pure cores: :func:`convert` (sheets -> mapping) and :func:`to_sheets` (questionnaire ->
rows); thin file wrappers: :func:`read_sheets`, :func:`load_xlsform`,
:func:`write_xlsform`, :func:`write_yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from coopkit.definitions import method
from coopkit.definitions.questionnaire import (
    DONT_KNOW,
    NOT_APPLICABLE,
    Item,
    Questionnaire,
    Section,
    Text,
    parse,
)
from coopkit.errors import CoopkitError, Problem, problem
from coopkit.errors import FieldPath as Path_
from coopkit.errors import dotted as _dotted
from coopkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
#: How a language is written in column headers (``label::Français (fr)``).
LANGUAGE_NAMES = {"fr": "Français (fr)", "en": "English (en)"}
_LANGUAGE_WORDS = {"fr": "fr", "français": "fr", "francais": "fr", "french": "fr",
                   "en": "en", "english": "en", "anglais": "en"}
GROUPS_LIST = "coopkit_groups"
SCALE_COLUMN = "coopkit_scale"
MAX_COLUMN = "coopkit_max"
#: Survey columns holding a text per language.
TRANSLATED = ("label", "hint", "low", "high", "feedback")
#: Survey columns holding the method's tags, in the order they are written.
TAGS = ("feeling", "theme", "principles", "factor", "groups", "audience", "about",
        "mirrors", "prerequisite", "weak_below", "weak_above")
#: Survey columns holding a yes / no flag of the item (empty = no).
FLAGS = ("not_concerned", "self_assessment")
#: Tags holding a list (space- or comma-separated in a cell).
_LIST_TAGS = ("principles", "groups", "audience")
SUPPORTED_TYPES = ("select_one", "select_multiple", "integer", "text", "begin_group",
                   "end_group")
#: Rows of these types carry no question for a participant: skipped with a warning.
SKIPPED_TYPES = ("note", "start", "end", "today", "deviceid", "subscriberid", "simserial",
                 "phonenumber", "username", "email", "audit", "start-geopoint")
#: Columns whose non-empty cells change what a form does: coopkit cannot honour them.
UNSUPPORTED_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter",
                       "repeat_count", "default", "read_only", "readonly", "trigger",
                       "parameters", "image", "audio", "video", "big-image")
#: Cosmetic columns: skipped with one warning each.
IGNORED_COLUMNS = ("appearance", "constraint_message", "required_message",
                   "guidance_hint", "autoplay", "filter")
_SURVEY_KNOWN = ("type", "name", *TRANSLATED, "required", MAX_COLUMN, *TAGS, *FLAGS)
_CHOICES_KNOWN = ("list_name", "name", "label", "score", SCALE_COLUMN)
_SETTINGS_KNOWN = ("form_id", "version", "form_title", "title", "kind", "intro",
                   "default_language", "style", "instance_name", "public_key",
                   "submission_url", "allow_choice_duplicates")
_INT = re.compile(r"^-?\d+$")
_BOUND = re.compile(r"^\.\s*(<=|>=|<|>)\s*(-?\d+)$")


# ------------------------------------------------------------------------- sheets

@dataclass(frozen=True)
class Sheet:
    """One worksheet: its header and its non-empty rows with their Excel row numbers."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, object]], ...]


def sheet(name: str, header: Sequence[str], rows: Sequence[Sequence[object]],
          first_row: int = 2) -> Sheet:
    """Build a :class:`Sheet` from plain lists (row numbers count from ``first_row``)."""
    head = tuple(str(h).strip() if h is not None else "" for h in header)
    kept = []
    for number, values in enumerate(rows, start=first_row):
        cells = {h: v for h, v in zip(head, values, strict=False)
                 if h and v is not None and str(v).strip() != ""}
        if cells:
            kept.append((number, cells))
    return Sheet(name, head, tuple(kept))


def read_sheets(path: str | Path) -> dict[str, Sheet]:
    """Read every worksheet of an ``.xlsx`` file (sheet names lower-cased)."""
    import zipfile

    import openpyxl

    file = Path(path)
    if not file.is_file():
        raise _at(problem("file_not_found", value=str(file)), str(file))
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise _at(problem("xlsform_unreadable", value=str(file), detail=type(exc).__name__),
                  str(file)) from None
    try:
        out = {}
        for ws in book.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            header = rows[0] if rows else ()
            out[ws.title.strip().lower()] = sheet(ws.title.strip().lower(), header, rows[1:])
        return out
    finally:
        book.close()


def _at(p: Problem, file: str, sheet_name: str | None = None,
        row: int | None = None) -> CoopkitError:
    where = f"{file}[{sheet_name}]" if sheet_name else file
    return CoopkitError(replace(p, file=where, line=row))


# --------------------------------------------------------------------- conversion

@dataclass
class Conversion:
    """What :func:`convert` found: the questionnaire mapping, where each part came
    from (``(sheet, row)`` by mapping path) and the warnings."""

    mapping: dict
    where: dict[Path_, tuple[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


def _language(tail: str) -> str | None:
    found = re.search(r"\(([A-Za-z]{2,3})\)\s*$", tail)
    word = (found.group(1) if found else tail).strip().lower()
    code = _LANGUAGE_WORDS.get(word)
    return code if code in LANGUAGES else None


def _split(header: str) -> tuple[str, str | None, str]:
    """``"label::English (en)"`` -> ``("label", "en", "English (en)")``."""
    parts = [p.strip() for p in header.split("::")]
    base = parts[0].lower()
    if base == "media" and len(parts) > 1:
        base = parts[1].lower()
        parts = parts[1:]
    tail = parts[-1] if len(parts) > 1 else ""
    return base, (_language(tail) if tail else None), tail


def _cell(value: object) -> object:
    """Normalise a cell: strings stripped, integral floats to int."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text_cell(value: object) -> str:
    value = _cell(value)
    return "" if value is None else str(value)


class _Converter:
    def __init__(self, sheets: Mapping[str, Sheet], source: str):
        self.sheets = {k.lower(): v for k, v in sheets.items()}
        self.source = source
        self.out = Conversion(mapping={})
        self.default_language = DEFAULT_LANGUAGE
        self.languages: set[str] = {DEFAULT_LANGUAGE}
        self._warned_columns: set[tuple[str, str]] = set()

    # -- problems
    def add(self, code: str, sheet_name: str, row: int | None, column: str = "",
            value: object = None, *, warning: bool = False, **params: object) -> None:
        p = problem(code, field=column, value=value, sheet=sheet_name, row=row or "-",
                    column=column or "-", **params)
        where = f"{self.source}[{sheet_name}]"
        self.out.problems.append(replace(p, file=where, line=row, warning=warning))

    def mark(self, path: Path_, sheet_name: str, row: int) -> None:
        self.out.where.setdefault(path, (sheet_name, row))

    # -- columns
    def columns(self, sh: Sheet, known: tuple[str, ...]) -> None:
        """Check a sheet's header: unknown languages and unknown columns warn."""
        for header in sh.header:
            if not header:
                continue
            base, lang, tail = _split(header)
            if tail and lang is None and base in (*TRANSLATED, "form_title", "title",
                                                   "intro"):
                self.warn_column(sh, header, "xlsform_unknown_language", tail)
                continue
            if base in UNSUPPORTED_COLUMNS:
                continue  # checked per row: an empty column is harmless
            if base in IGNORED_COLUMNS:
                if any(header in cells for _, cells in sh.rows):
                    self.warn_column(sh, header, "xlsform_ignored_column", header)
            elif base not in known:
                if any(header in cells for _, cells in sh.rows):
                    self.warn_column(sh, header, "xlsform_unknown_column", header)
            elif lang is not None and any(header in cells for _, cells in sh.rows):
                self.languages.add(lang)

    def warn_column(self, sh: Sheet, header: str, code: str, value: object) -> None:
        if (sh.name, header) not in self._warned_columns:
            self._warned_columns.add((sh.name, header))
            self.add(code, sh.name, 1, header, value, warning=True)

    def texts(self, sh: Sheet, cells: Mapping[str, object], base: str) -> dict | None:
        """The cells of ``base`` (``label``, ``label::fr``...) as ``{lang: text}``."""
        found: dict[str, str] = {}
        for header, value in cells.items():
            name, lang, tail = _split(header)
            if name != base or (tail and lang is None):
                continue
            text = _text_cell(value)
            if text:
                found[lang or self.default_language] = text
        return found or None

    def unsupported(self, sh: Sheet, row: int, cells: Mapping[str, object],
                    allowed: tuple[str, ...] = ()) -> bool:
        bad = False
        for header, value in cells.items():
            base, _, _ = _split(header)
            if base in UNSUPPORTED_COLUMNS and base not in allowed:
                self.add("xlsform_unsupported_column", sh.name, row, header, _cell(value))
                bad = True
        return bad

    # -- settings
    def settings(self) -> dict:
        sh = self.sheets.get(SETTINGS)
        stem = re.sub(r"[^a-z0-9_-]+", "_", Path(self.source).stem.lower()).strip("_-")
        top: dict = {"id": stem or "form", "version": "1"}
        if sh is None:
            return top
        self.columns(sh, _SETTINGS_KNOWN)
        if not sh.rows:
            return top
        row, cells = sh.rows[0]
        lang_cell = _text_cell(cells.get("default_language"))
        if lang_cell:
            code = _language(lang_cell)
            if code is None:
                self.add("xlsform_unknown_language", SETTINGS, row, "default_language",
                         lang_cell)
            else:
                self.default_language = code
        for key, column in (("id", "form_id"), ("version", "version"), ("kind", "kind")):
            if column in cells:
                top[key] = _text_cell(cells[column])
                self.mark((key,), SETTINGS, row)
        title = {**(self.texts(sh, cells, "title") or {}),
                 **(self.texts(sh, cells, "form_title") or {})}
        if title:
            top["title"] = title
            self.mark(("title",), SETTINGS, row)
        intro = self.texts(sh, cells, "intro")
        if intro:
            top["intro"] = intro
            self.mark(("intro",), SETTINGS, row)
        return top

    # -- choices
    def choice_lists(self) -> dict[str, list[tuple[int, dict]]]:
        sh = self.sheets.get(CHOICES)
        lists: dict[str, list[tuple[int, dict]]] = {}
        if sh is None:
            return lists
        self.columns(sh, _CHOICES_KNOWN)
        for row, cells in sh.rows:
            self.unsupported(sh, row, cells)
            name = _text_cell(cells.get("list_name"))
            if not name:
                self.add("xlsform_missing_cell", CHOICES, row, "list_name", None)
                continue
            lists.setdefault(name, []).append((row, cells))
        return lists

    def is_scale(self, rows: list[tuple[int, dict]]) -> bool:
        marks = {_text_cell(c.get(SCALE_COLUMN)).lower() for _, c in rows} - {""}
        if marks:
            return bool(marks & {"yes", "true", "1", "oui"})
        names = [_text_cell(c.get("name")) for _, c in rows]
        numbers = [n for n in names if n not in (NOT_APPLICABLE, DONT_KNOW)]
        return (len(numbers) >= 2 and all(_INT.match(n) for n in numbers)
                and not any("score" in c for _, c in rows))

    def scale(self, sid: str, rows: list[tuple[int, dict]]) -> dict:
        sh = self.sheets[CHOICES]
        points = []
        flags = {"not_applicable": False, "dont_know": False}
        for row, cells in rows:
            name = _text_cell(cells.get("name"))
            if name == NOT_APPLICABLE:
                flags["not_applicable"] = True
            elif name == DONT_KNOW:
                flags["dont_know"] = True
            elif _INT.match(name):
                self.mark(("scales", sid, "points", len(points)), CHOICES, row)
                points.append({"value": int(name), "label": self.texts(sh, cells, "label")})
            else:
                self.add("xlsform_scale_value", CHOICES, row, "name", name or None, list=sid)
        self.mark(("scales", sid), CHOICES, rows[0][0])
        return {"points": points, **flags}

    def choices(self, rows: list[tuple[int, dict]], path: Path_) -> list[dict]:
        sh = self.sheets[CHOICES]
        out = []
        for i, (row, cells) in enumerate(rows):
            choice: dict = {"id": _text_cell(cells.get("name")) or None,
                            "label": self.texts(sh, cells, "label")}
            if "score" in cells:
                choice["score"] = _cell(cells["score"])
            self.mark((*path, "choices", i), CHOICES, row)
            out.append(choice)
        return out

    def groups(self, rows: list[tuple[int, dict]]) -> list:
        sh = self.sheets[CHOICES]
        out: list = []
        for i, (row, cells) in enumerate(rows):
            gid = _text_cell(cells.get("name"))
            label = self.texts(sh, cells, "label")
            self.mark(("groups", i), CHOICES, row)
            if gid in method.GROUP_IDS and _is_method_label(gid, label):
                out.append(gid)
            else:
                out.append({"id": gid or None, "label": label})
        return out

    # -- survey
    def convert(self) -> Conversion:
        top = self.settings()
        lists = self.choice_lists()
        sh = self.sheets.get(SURVEY)
        if sh is None:
            self.add("xlsform_missing_sheet", SURVEY, None, "", SURVEY,
                     sheets=", ".join(self.sheets) or "-")
            self.out.mapping = top
            return self.out
        self.columns(sh, _SURVEY_KNOWN)
        for needed in ("type", "name"):
            if needed not in sh.header:
                self.add("xlsform_missing_column", SURVEY, 1, needed, needed)
        if GROUPS_LIST in lists:
            top["groups"] = self.groups(lists[GROUPS_LIST])
        scales = {name: rows for name, rows in lists.items()
                  if name != GROUPS_LIST and self.is_scale(rows)}
        if scales:
            top["scales"] = {sid: self.scale(sid, rows) for sid, rows in scales.items()}

        sections: list[dict] = []
        stack: list[tuple[dict, Path_, int]] = []  # open groups: mapping, path, row
        loose: list[tuple[int, dict]] = []
        for row, cells in sh.rows:
            raw_type = _text_cell(cells.get("type"))
            kind, rest = _type_words(raw_type)
            name = _text_cell(cells.get("name"))
            if not kind:
                self.add("xlsform_missing_cell", SURVEY, row, "type", None)
                continue
            if kind in SKIPPED_TYPES:
                self.add("xlsform_skipped_type", SURVEY, row, "type", raw_type, warning=True)
                continue
            words_after = 1 if kind.startswith("select_") else 0  # the list's name
            if kind not in SUPPORTED_TYPES or len(rest) != words_after:
                self.add("xlsform_unsupported_type", SURVEY, row, "type", raw_type)
                continue
            if kind == "end_group":
                if not stack:
                    self.add("xlsform_unmatched_end", SURVEY, row, "type", raw_type)
                    continue
                done, _, _ = stack.pop()
                if stack:
                    stack[-1][0].setdefault("subsections", []).append(done)
                else:
                    sections.append(done)
                continue
            self.unsupported(sh, row, cells, allowed=("constraint",) if kind == "integer"
                             else ())
            if kind == "begin_group":
                if len(stack) >= 2:
                    self.add("xlsform_too_deep", SURVEY, row, "type", name or raw_type)
                if stack:
                    parent, ppath, _ = stack[-1]
                    path: Path_ = (*ppath, "subsections", len(parent.get("subsections", [])))
                else:
                    path = ("sections", len(sections))
                self.mark(path, SURVEY, row)
                section: dict = {"id": name or None, "title": self.texts(sh, cells, "label")}
                intro = self.texts(sh, cells, "hint")
                if intro:
                    section["intro"] = intro
                stack.append((section, path, row))
                continue
            if not stack:
                loose.append((row, cells))
                continue
            parent, ppath, _ = stack[-1]
            if parent.get("subsections"):
                self.add("xlsform_item_after_subgroup", SURVEY, row, "name", name,
                         warning=True)
            path = (*ppath, "items", len(parent.get("items", [])))
            item = self.item(sh, row, cells, lists, scales, path)
            if item is not None:
                parent.setdefault("items", []).append(item)
        for section, _, row in stack:
            self.add("xlsform_unclosed_group", SURVEY, row, "name", section.get("id"))
        if loose:
            self.add("xlsform_no_group", SURVEY, loose[0][0], "type", len(loose), warning=True,
                     count=len(loose))
            path = ("sections", len(sections))
            self.mark(path, SURVEY, loose[0][0])
            items = []
            for row, cells in loose:
                item = self.item(sh, row, cells, lists, scales,
                                 (*path, "items", len(items)))
                if item is not None:
                    items.append(item)
            sections.append({"id": "questions", "title": dict(top.get("title") or {
                self.default_language: top["id"]}), "items": items})
        top["sections"] = sections
        self.languages.add(self.default_language)
        top.setdefault("title", {lang: str(top["id"]) for lang in self.languages})
        top["languages"] = sorted(self.languages, key=LANGUAGES.index)
        self.out.mapping = _ordered(top)
        return self.out

    def item(self, sh: Sheet, row: int, cells: Mapping[str, object],
             lists: Mapping[str, list], scales: Mapping[str, list],
             path: Path_) -> dict | None:
        kind, rest = _type_words(_text_cell(cells.get("type")))
        self.mark(path, SURVEY, row)
        item: dict = {"id": _text_cell(cells.get("name")) or None}
        if kind.startswith("select"):
            list_name = rest[0]
            if list_name not in lists or list_name == GROUPS_LIST:
                from coopkit.errors import suggest

                hint = suggest(list_name, [n for n in lists if n != GROUPS_LIST])
                self.add("xlsform_unknown_list", SURVEY, row, "type", list_name,
                         suggestion=hint or "-")
                return None
            if kind == "select_one" and list_name in scales:
                item.update(type="scale", scale=list_name)
            else:
                item["type"] = "single" if kind == "select_one" else "multiple"
                item["choices"] = self.choices(lists[list_name], path)
        elif kind == "integer":
            item["type"] = "intensity"
            maximum = self.maximum(sh, row, cells)
            if maximum is not None:
                item["max"] = maximum
        else:
            item["type"] = "text"
        item["text"] = self.texts(sh, cells, "label")
        required = _text_cell(cells.get("required")).lower()
        if required in ("yes", "true", "1", "true()", "oui"):
            item["required"] = True
        elif required in ("", "no", "false", "0", "false()", "non"):
            item["required"] = False
        else:
            self.add("xlsform_bad_required", SURVEY, row, "required", required)
        for key, column in (("help", "hint"), ("low", "low"), ("high", "high"),
                            ("feedback", "feedback")):
            text = self.texts(sh, cells, column)
            if text:
                item[key] = text
        for key in TAGS:
            if key not in cells:
                continue
            value = _cell(cells[key])
            if key in _LIST_TAGS:
                parts = [p for p in re.split(r"[\s,;]+", str(value)) if p]
                value = [int(p) if key == "principles" and _INT.match(p) else p
                         for p in parts]
            elif key not in ("weak_below", "weak_above"):
                value = str(value)
            item[key] = value
        for key in FLAGS:
            flag = _text_cell(cells.get(key)).lower()
            if flag in ("yes", "true", "1", "oui"):
                item[key] = True
            elif flag not in ("", "no", "false", "0", "non"):
                self.add("xlsform_bad_flag", SURVEY, row, key, flag)
        return item

    def maximum(self, sh: Sheet, row: int, cells: Mapping[str, object]) -> int | None:
        if MAX_COLUMN in cells:
            value = _cell(cells[MAX_COLUMN])
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self.add("xlsform_bad_max", SURVEY, row, MAX_COLUMN, value)
            return None
        constraint = _text_cell(cells.get("constraint"))
        if not constraint:
            self.add("xlsform_integer_max", SURVEY, row, MAX_COLUMN, None)
            return None
        low, high = None, None
        for part in re.split(r"\s+and\s+", constraint):
            found = _BOUND.match(part.strip())
            if not found:
                low = high = None
                break
            op, number = found.group(1), int(found.group(2))
            if op in (">=", ">"):
                low = number + (op == ">")
            else:
                high = number - (op == "<")
        if low not in (None, 0) or high is None:
            self.add("xlsform_unsupported_column", SURVEY, row, "constraint", constraint)
            return None
        return high


def _type_words(raw: str) -> tuple[str, list[str]]:
    """``"select_one yes_no"`` -> ``("select_one", ["yes_no"])``; ``"begin group"`` ->
    ``("begin_group", [])``."""
    words = raw.split()
    lowered = [w.lower() for w in words]
    if lowered[:2] in (["begin", "group"], ["end", "group"]):
        return "_".join(lowered[:2]), words[2:]
    return (lowered[0], words[1:]) if words else ("", [])


def _is_method_label(gid: str, label: dict | None) -> bool:
    if not label:
        return True
    return all(text == t(f"method.group.{gid}", lang) for lang, text in label.items())


def _ordered(top: dict) -> dict:
    order = ("id", "version", "kind", "languages", "title", "intro", "groups", "scales",
             "sections")
    return {k: top[k] for k in order if k in top} | {k: v for k, v in top.items()
                                                     if k not in order}


def convert(sheets: Mapping[str, Sheet], source: str = "form.xlsx") -> Conversion:
    """Turn XLSForm sheets into a questionnaire mapping (pure: no I/O, no validation).

    Problems found on the way (with sheet and row) are in ``.problems``; the mapping
    still has to go through :func:`coopkit.definitions.questionnaire.parse`.
    """
    return _Converter(sheets, source).convert()


def parse_sheets(sheets: Mapping[str, Sheet], source: str = "form.xlsx"
                 ) -> tuple[Questionnaire, dict]:
    """Convert and validate: the questionnaire and the mapping it came from.

    Every problem, the converter's and the questionnaire model's, comes in one
    :class:`CoopkitError` located by ``file[sheet]:row``.
    """
    conv = convert(sheets, source)
    where = {_dotted(path): spot for path, spot in conv.where.items()}

    def locate(p: Problem) -> Problem:
        key = p.field
        while key:
            if key in where:
                sheet_name, row = where[key]
                return replace(p, file=f"{source}[{sheet_name}]", line=row)
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", key)
            key = parent if parent != key else ""
        return replace(p, file=source, line=None)

    errors = conv.errors
    try:
        questionnaire = parse(conv.mapping, source=source)
    except CoopkitError as exc:
        raise CoopkitError([*errors, *(locate(p) for p in exc.problems)]) from None
    if errors:
        raise CoopkitError(errors)
    warnings = (*conv.warnings, *(locate(p) for p in questionnaire.warnings))
    return replace(questionnaire, warnings=warnings), conv.mapping


def load_xlsform(path: str | Path) -> Questionnaire:
    """Read an XLSForm ``.xlsx`` file into a validated questionnaire."""
    return parse_sheets(read_sheets(path), str(path))[0]


# ---------------------------------------------------------------- back to XLSForm

def _header_lang(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def to_sheets(questionnaire: Questionnaire) -> dict[str, list[list[object]]]:
    """The questionnaire as XLSForm rows: ``{"survey": [header, row...], ...}`` (pure).

    Reading these sheets back with :func:`parse_sheets` gives the same content hash.
    """
    q = questionnaire
    langs = q.languages

    def texts(column: str, value: Text | None) -> dict[str, object]:
        if value is None:
            return {}
        return {f"{column}::{_header_lang(lang)}": getattr(value, lang) for lang in langs}

    survey: list[dict[str, object]] = []

    def item_row(it: Item, list_name: str | None) -> dict[str, object]:
        if it.type == "scale" and it.scale is not None:
            kind = f"select_one {it.scale.id}"
        elif it.type in ("single", "multiple"):
            kind = f"select_{'one' if it.type == 'single' else 'multiple'} {list_name}"
        else:
            kind = {"intensity": "integer", "text": "text"}[it.type]
        row: dict[str, object] = {"type": kind, "name": it.id, **texts("label", it.text),
                                  **texts("hint", it.help),
                                  "required": "yes" if it.required else "no"}
        if it.type == "intensity":
            row[MAX_COLUMN] = it.max
        row.update(texts("low", it.low))
        row.update(texts("high", it.high))
        row.update(texts("feedback", it.feedback))
        for key in TAGS:
            value = getattr(it, key)
            if isinstance(value, tuple):
                value = " ".join(map(str, value)) or None
            if value is not None:
                row[key] = value
        for key in FLAGS:
            if getattr(it, key):
                row[key] = "yes"
        return row

    choices: list[dict[str, object]] = []
    if q.groups:
        for g in q.groups:
            choices.append({"list_name": GROUPS_LIST, "name": g.id, **texts("label", g.label),
                            SCALE_COLUMN: "no"})
    for s in q.scales:
        for p in s.points:
            choices.append({"list_name": s.id, "name": str(p.value),
                            **texts("label", p.label), SCALE_COLUMN: "yes"})
        for flag, name in ((s.not_applicable, NOT_APPLICABLE), (s.dont_know, DONT_KNOW)):
            if flag:
                label = Text(**{lang: t(f"xlsform.choice.{name}", lang) for lang in langs})
                choices.append({"list_name": s.id, "name": name, **texts("label", label),
                                SCALE_COLUMN: "yes"})
    used = {GROUPS_LIST, *(s.id for s in q.scales)}

    def list_for(it: Item) -> str:
        name, n = it.id, 1
        while name in used:
            n += 1
            name = f"{it.id}_{n}"
        used.add(name)
        for c in it.choices:
            row = {"list_name": name, "name": c.id, **texts("label", c.label),
                   SCALE_COLUMN: "no"}
            if c.score is not None:
                row["score"] = c.score
            choices.append(row)
        return name

    def section_rows(s: Section) -> None:
        survey.append({"type": "begin_group", "name": s.id, **texts("label", s.title),
                       **texts("hint", s.intro)})
        for it in s.items:
            survey.append(item_row(it, list_for(it) if it.choices else None))
        for sub in s.subsections:
            section_rows(sub)
        survey.append({"type": "end_group", "name": s.id})

    for s in q.sections:
        section_rows(s)

    settings: dict[str, object] = {"form_id": q.id, "version": q.version,
                                   "form_title": q.title.fr}
    for lang in langs:
        if lang != DEFAULT_LANGUAGE:
            settings[f"form_title::{_header_lang(lang)}"] = getattr(q.title, lang)
    settings["default_language"] = _header_lang(DEFAULT_LANGUAGE)
    settings["kind"] = q.kind
    settings.update(texts("intro", q.intro))

    survey_head = ["type", "name", *[f"label::{_header_lang(x)}" for x in langs],
                   *[f"hint::{_header_lang(x)}" for x in langs], "required"]
    choices_head = ["list_name", "name", *[f"label::{_header_lang(x)}" for x in langs]]
    return {
        SURVEY: _table(survey, survey_head),
        CHOICES: _table(choices, choices_head),
        SETTINGS: _table([settings], []),
    }


def _table(rows: list[dict[str, object]], first: list[str]) -> list[list[object]]:
    header = list(first)
    for row in rows:
        header.extend(k for k in row if k not in header)
    used = [h for h in header if h in first[:2] or any(r.get(h) is not None for r in rows)]
    return [used, *[[r.get(h) for h in used] for r in rows]]


def write_xlsform(questionnaire: Questionnaire, path: str | Path) -> Path:
    """Write the questionnaire as an XLSForm ``.xlsx`` file; returns the path."""
    import openpyxl
    from openpyxl.styles import Font

    from coopkit.cells import write_cell

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in to_sheets(questionnaire).items():
        ws = book.create_sheet(name)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                write_cell(ws, r, c, value)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    out = Path(path)
    book.save(out)
    return out


def write_yaml(mapping: Mapping, path: str | Path, *, comment: str = "") -> Path:
    """Write a questionnaire mapping as a UTF-8 YAML file (keys kept in order)."""
    import yaml

    text = yaml.safe_dump(dict(mapping), allow_unicode=True, sort_keys=False, width=100)
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    out = Path(path)
    out.write_text(head + text, encoding="utf-8")
    return out
