"""XLSForm workbooks <-> coopkit questionnaires.

XLSForm is the spreadsheet format of ODK, KoboToolbox and SurveyCTO: a ``survey``
sheet (one row per question or group), a ``choices`` sheet (answer lists) and a
``settings`` sheet. Trainers who already write forms in Excel can bring them in, and any
coopkit questionnaire can be taken out to Excel and back without losing a thing
(``questionnaire -> XLSForm -> questionnaire`` keeps the content hash). The sheets are
read by pyxform's rules (:mod:`coopkit.definitions.xlsform_sheets`: headers in any
case, pyxform's aliases, formulas as their values, a stop after a run of empty rows).

Mapping (documented in ``docs/xlsform.md``):

========================================  ==============================================
XLSForm                                   coopkit
========================================  ==============================================
settings ``form_id`` / ``version``        ``id`` / ``version``
settings ``form_title`` (+ ``::lang``)    ``title`` (``form_title`` alone: every language)
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
``principles``, ``factor``, ``groups``,   ``groups`` are space- or comma-separated)
``about``, ``mirrors``, ``weak_below``,
``weak_above``, ``low::``, ``high::``,
``feedback::lang``
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
cosmetic columns (``appearance``...) are skipped with a warning. Every message speaks of
sheets, rows and columns, never of the YAML the form becomes: the questionnaire model's
own checks are put back in spreadsheet terms by :func:`parse_sheets`.

Pure cores: :func:`convert` (sheets -> mapping) and :func:`to_sheets` (questionnaire ->
rows); thin file wrappers: :func:`read_sheets`, :func:`load_xlsform`,
:func:`write_xlsform`, :func:`write_yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
from coopkit.definitions.xlsform_sheets import (
    CHOICES,
    SETTINGS,
    SURVEY,
    Sheet,
    Unreadable,
    sheet,
    type_words,
)
from coopkit.definitions.xlsform_sheets import read_sheets as _read_workbook
from coopkit.errors import CoopkitError, Phrase, Problem, phrase, problem, suggest
from coopkit.errors import FieldPath as Path_
from coopkit.errors import _show as show
from coopkit.errors import dotted as _dotted
from coopkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, t

__all__ = ["CHOICES", "SETTINGS", "SURVEY", "Conversion", "Sheet", "convert",
           "load_xlsform", "parse_sheets", "read_sheets", "sheet", "to_sheets",
           "write_xlsform", "write_yaml"]

#: How a language is written in column headers (``label::Français (fr)``).
LANGUAGE_NAMES = {"fr": "Français (fr)", "en": "English (en)"}
_LANGUAGE_WORDS = {"fr": "fr", "français": "fr", "francais": "fr", "french": "fr",
                   "en": "en", "english": "en", "anglais": "en"}
GROUPS_LIST = "coopkit_groups"
SCALE_COLUMN = "coopkit_scale"
MAX_COLUMN = "coopkit_max"
#: Survey columns holding a text per language.
TRANSLATED = ("label", "hint", "low", "high", "feedback")
#: Columns of the settings sheet holding a text per language.
_SETTINGS_TRANSLATED = ("form_title", "title", "intro")
#: Survey columns holding the method's tags, in the order they are written.
TAGS = ("feeling", "theme", "principles", "factor", "groups", "about", "mirrors",
        "weak_below", "weak_above")
SUPPORTED_TYPES = ("select_one", "select_multiple", "integer", "text", "begin_group",
                   "end_group")
#: Rows of these types carry no question for a participant: skipped with a warning.
SKIPPED_TYPES = ("note", "start", "end", "today", "deviceid", "subscriberid", "simserial",
                 "phonenumber", "username", "email", "audit", "start-geopoint")
#: Columns whose non-empty cells change what a form does: coopkit cannot honour them.
UNSUPPORTED_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter",
                       "repeat_count", "default", "read_only", "trigger",
                       "parameters", "image", "audio", "video", "big-image")
#: Cosmetic columns: skipped with one warning each.
IGNORED_COLUMNS = ("appearance", "constraint_message", "required_message",
                   "guidance_hint", "autoplay", "filter")
_SURVEY_KNOWN = ("type", "name", *TRANSLATED, "required", MAX_COLUMN, *TAGS)
_CHOICES_KNOWN = ("list_name", "name", "label", "score", SCALE_COLUMN)
_SETTINGS_KNOWN = ("form_id", "version", "form_title", "title", "kind", "intro",
                   "default_language", "style", "instance_name", "public_key",
                   "submission_url", "allow_choice_duplicates")
_INT = re.compile(r"^-?\d+$")
_BOUND = re.compile(r"^\.\s*(<=|>=|<|>)\s*(-?\d+)$")


# ------------------------------------------------------------------------- sheets

def read_sheets(path: str | Path) -> dict[str, Sheet]:
    """Read the survey, choices and settings sheets of an ``.xlsx`` file by pyxform's
    rules (:mod:`coopkit.definitions.xlsform_sheets`); coopkit's own error otherwise."""
    file = str(path)
    try:
        return _read_workbook(path)
    except FileNotFoundError:
        raise _at(problem("file_not_found", value=file), file) from None
    except Unreadable as exc:
        raise _at(problem("xlsform_unreadable", value=file, detail=exc.detail),
                  file) from None


def _at(p: Problem, file: str, sheet_name: str | None = None,
        row: int | None = None) -> CoopkitError:
    where = f"{file}[{sheet_name}]" if sheet_name else file
    return CoopkitError(replace(p, file=where, line=row))


# --------------------------------------------------------------------- conversion

@dataclass
class Conversion:
    """What :func:`convert` found: the questionnaire mapping, where each part came
    from (``(sheet, row)`` by mapping path), which column a field came from when it is
    not the usual one, and the problems (errors and warnings)."""

    mapping: dict
    where: dict[Path_, tuple[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: A field read from another column than the usual one (``max`` from ``constraint``).
    columns: dict[Path_, str] = field(default_factory=dict)
    #: Rows whose only label is in a language coopkit does not read: its column.
    foreign_labels: dict[tuple[str, int], str] = field(default_factory=dict)
    #: No text of the form is in French (one message says so, not one per text).
    no_french: bool = False
    #: The language of the text columns that name none (``label``).
    default_language: str = DEFAULT_LANGUAGE

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
    """A canonical header (``"label::English (en)"``) -> ``("label", "en",
    "English (en)")``."""
    base, _, tail = header.partition("::")
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


def _language_name(lang: str) -> Phrase:
    return phrase(f"xlsform.language.{lang}")


class _Converter:
    def __init__(self, sheets: Mapping[str, Sheet], source: str):
        self.sheets = {k.lower(): v for k, v in sheets.items()}
        self.source = source
        self.out = Conversion(mapping={})
        self.default_language = DEFAULT_LANGUAGE
        self.languages: set[str] = {DEFAULT_LANGUAGE}
        self.plain_title: str | None = None
        self._warned_columns: set[tuple[str, str]] = set()
        self._repeats: dict[tuple, list[tuple[int, object]]] = {}
        self._skipped_columns: dict[tuple[str, str], list[tuple[str, object]]] = {}
        #: Text columns in a language coopkit does not read, by sheet (canonical).
        self.foreign: dict[str, list[str]] = {}
        #: Text columns with data, as written (for the "no French" message).
        self.text_columns: list[str] = []
        #: Languages of the text columns with data in survey and choices (a bare
        #: column's language is the form's default language, known once settings read).
        self.column_languages: set[str | None] = set()

    # -- problems
    def add(self, code: str, sheet_name: str, row: int | None, column: str = "",
            value: object = None, *, warning: bool = False, **params: object) -> None:
        """Record a problem; ``column`` is canonical, shown as the file spells it."""
        sh = self.sheets.get(sheet_name)
        shown = sh.column(column) if sh is not None and column else column
        p = problem(code, field=shown, value=value, sheet=sheet_name, row=row or "-",
                    column=shown or "-", **params)
        where = f"{self.source}[{sheet_name}]"
        self.out.problems.append(replace(p, file=where, line=row, warning=warning))

    def repeated(self, code: str, sheet_name: str, row: int, column: str, value: object,
                 *, key: str, warning: bool = False) -> None:
        """A problem that may come back on many rows (the same column or type): said
        once, with its rows, by :meth:`flush`."""
        self._repeats.setdefault((code, sheet_name, column, key, warning), []).append(
            (row, value))

    def flush(self) -> None:
        for (code, sheet_name, column, _key, warning), seen in self._repeats.items():
            (row, value), *others = seen
            if not others:
                self.add(code, sheet_name, row, column, value, warning=warning)
                continue
            rows = [r for r, _ in seen]
            shown = ", ".join(map(str, rows[:12])) + (", …" if len(rows) > 12 else "")
            values = list(dict.fromkeys(show(v) for _, v in seen))
            self.add(f"{code}_rows", sheet_name, row, column, value, warning=warning,
                     rows=phrase("xlsform.rows.many", rows=shown, count=len(rows)),
                     values=", ".join(values[:6]) + (", …" if len(values) > 6 else ""))
        self._repeats.clear()
        for (sheet_name, code), columns in self._skipped_columns.items():
            if len(columns) == 1:
                header, value = columns[0]
                self.add(code, sheet_name, 1, header, value, warning=True)
                continue
            sh = self.sheets[sheet_name]
            self.add(f"{code}_many", sheet_name, 1, "", None, warning=True,
                     columns=", ".join(sh.column(h) for h, _ in columns))
        self._skipped_columns.clear()

    def mark(self, path: Path_, sheet_name: str, row: int) -> None:
        self.out.where.setdefault(path, (sheet_name, row))

    # -- columns
    def columns(self, sh: Sheet, known: tuple[str, ...]) -> None:
        """Check a sheet's header: duplicates, unknown languages and columns, formula
        cells without a saved value, a reading stopped by empty rows."""
        for first, second in sh.duplicates:
            self.add("xlsform_duplicate_column", sh.name, 1, "", None, first=first,
                     other=second)
        if sh.stopped_at is not None:
            self.add("xlsform_stopped", sh.name, sh.stopped_at, "", None, warning=True,
                     empty=60)
        used = {h for _, cells in sh.rows for h in cells}
        translated = TRANSLATED if sh.name != SETTINGS else _SETTINGS_TRANSLATED
        for header in sh.header:
            if not header:
                continue
            base, lang, tail = _split(header)
            if base in translated and header in used and sh.name != SETTINGS:
                self.text_columns.append(sh.column(header))
                if lang is not None or not tail:  # a bare column: the default language
                    self.column_languages.add(lang)
            if tail and lang is None and base in translated:
                self.foreign.setdefault(sh.name, []).append(header)
                self.warn_column(sh, header, "xlsform_unknown_language", tail)
                continue
            if base in UNSUPPORTED_COLUMNS:
                continue  # checked per row: an empty column is harmless
            if base in IGNORED_COLUMNS:
                if header in used:
                    self.warn_column(sh, header, "xlsform_ignored_column", sh.column(header))
            elif base not in known:
                if header in used:
                    self.warn_column(sh, header, "xlsform_unknown_column", sh.column(header))
            elif lang is not None and header in used:
                self.languages.add(lang)
        for row, header, formula in sh.uncached:
            if header and _split(header)[0] in (*known, *UNSUPPORTED_COLUMNS):
                self.add("xlsform_formula_without_value", sh.name, row, header, formula)

    def warn_column(self, sh: Sheet, header: str, code: str, value: object) -> None:
        """A column skipped with a warning: one warning per sheet and reason, naming
        every such column (see :meth:`flush`)."""
        if (sh.name, header) not in self._warned_columns:
            self._warned_columns.add((sh.name, header))
            self._skipped_columns.setdefault((sh.name, code), []).append((header, value))

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

    def foreign_text(self, sh: Sheet, row: int, cells: Mapping[str, object],
                     base: str) -> None:
        """Note a row whose ``base`` text is only in a language coopkit does not read."""
        for header in self.foreign.get(sh.name, ()):
            if _split(header)[0] == base and _text_cell(cells.get(header)):
                self.out.foreign_labels[(sh.name, row)] = sh.column(header)
                return

    def unsupported(self, sh: Sheet, row: int, cells: Mapping[str, object],
                    allowed: tuple[str, ...] = ()) -> bool:
        bad = False
        for header, value in cells.items():
            base, _, _ = _split(header)
            if base in UNSUPPORTED_COLUMNS and base not in allowed:
                self.repeated("xlsform_unsupported_column", sh.name, row, header,
                              _cell(value), key=header)
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
                self.out.default_language = code
        for key, column in (("id", "form_id"), ("version", "version"), ("kind", "kind")):
            if column in cells:
                top[key] = _text_cell(cells[column])
                self.mark((key,), SETTINGS, row)
        given = top["id"]
        slug = re.sub(r"[^a-z0-9_-]+", "_", given.lower()).strip("_-")
        if given != slug and re.match(r"^[a-z]", slug):
            # ODK form ids may hold capitals, spaces or ":"; coopkit's may not
            self.add("xlsform_form_id", SETTINGS, row, "form_id", given, warning=True,
                     id=slug)
            top["id"] = slug
        # XLSForm has one form_title: without a language it titles every language
        self.plain_title = (_text_cell(cells.get("form_title"))
                            or _text_cell(cells.get("title")) or None)
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
        if sh.rows and "list_name" not in sh.header:
            self.add("xlsform_missing_column", CHOICES, 1, "list_name", "list_name")
            return lists
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
            if choice["label"] is None:
                self.foreign_text(sh, row, cells, "label")
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
            self.flush()
            self.out.mapping = top
            return self.out
        if sh.title and sh.title.strip().lower() != SURVEY:
            self.add("xlsform_sheet_as_survey", SURVEY, None, "", sh.title, warning=True)
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
            kind, rest = type_words(raw_type)
            name = _text_cell(cells.get("name"))
            if not kind:
                self.add("xlsform_missing_cell", SURVEY, row, "type", None)
                continue
            if kind in SKIPPED_TYPES:
                self.repeated("xlsform_skipped_type", SURVEY, row, "type", raw_type,
                              key="", warning=True)
                continue
            words_after = 1 if kind.startswith("select_") else 0  # the list's name
            if kind not in SUPPORTED_TYPES or len(rest) != words_after:
                self.repeated("xlsform_unsupported_type", SURVEY, row, "type", raw_type,
                              key=kind)
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
                    self.repeated("xlsform_too_deep", SURVEY, row, "type", name or raw_type,
                                  key="")
                if stack:
                    parent, ppath, _ = stack[-1]
                    path: Path_ = (*ppath, "subsections", len(parent.get("subsections", [])))
                else:
                    path = ("sections", len(sections))
                self.mark(path, SURVEY, row)
                title = self.texts(sh, cells, "label")
                if title is None and name:  # XLSForm groups may go without a label
                    self.foreign_text(sh, row, cells, "label")
                    if (SURVEY, row) not in self.out.foreign_labels:
                        self.add("xlsform_group_without_label", SURVEY, row, "label", name,
                                 warning=True)
                        title = dict.fromkeys(self.languages, name)
                section: dict = {"id": name or None, "title": title}
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
        self.languages.add(self.default_language)
        if loose:
            self.add("xlsform_no_group", SURVEY, loose[0][0], "type", len(loose), warning=True)
            path = ("sections", len(sections))
            self.mark(path, SURVEY, loose[0][0])
            items = []
            for row, cells in loose:
                item = self.item(sh, row, cells, lists, scales,
                                 (*path, "items", len(items)))
                if item is not None:
                    items.append(item)
            # a section coopkit makes: titled in every language of the form
            sections.append({"id": "questions", "title": {
                lang: t("xlsform.section.questions", lang) for lang in self.languages},
                "items": items})
        self.flush()
        top["sections"] = sections
        title = top.setdefault("title", {})
        for lang in self.languages:
            title.setdefault(lang, self.plain_title or str(top["id"]))
        top["languages"] = sorted(self.languages, key=LANGUAGES.index)
        self.out.mapping = _ordered(top)
        languages = {lang or self.default_language for lang in self.column_languages}
        if self.column_languages and DEFAULT_LANGUAGE not in languages:
            self.out.no_french = True
            self.add("xlsform_no_french", SURVEY, None, "", None,
                     columns=", ".join(dict.fromkeys(self.text_columns)))
        return self.out

    def item(self, sh: Sheet, row: int, cells: Mapping[str, object],
             lists: Mapping[str, list], scales: Mapping[str, list],
             path: Path_) -> dict | None:
        kind, rest = type_words(_text_cell(cells.get("type")))
        self.mark(path, SURVEY, row)
        item: dict = {"id": _text_cell(cells.get("name")) or None}
        if kind.startswith("select"):
            list_name = rest[0]
            if list_name not in lists or list_name == GROUPS_LIST:
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
            maximum = self.maximum(sh, row, cells, path)
            if maximum is not None:
                item["max"] = maximum
        else:
            item["type"] = "text"
        item["text"] = self.texts(sh, cells, "label")
        if item["text"] is None:
            self.foreign_text(sh, row, cells, "label")
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
            if key in ("principles", "groups"):
                parts = [p for p in re.split(r"[\s,;]+", str(value)) if p]
                value = [int(p) if key == "principles" and _INT.match(p) else p
                         for p in parts]
            elif key not in ("weak_below", "weak_above"):
                value = str(value)
            item[key] = value
        return item

    def maximum(self, sh: Sheet, row: int, cells: Mapping[str, object],
                path: Path_) -> int | None:
        if MAX_COLUMN in cells:
            value = _cell(cells[MAX_COLUMN])
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self.add("xlsform_bad_max", SURVEY, row, MAX_COLUMN, value)
            return None
        constraint = _text_cell(cells.get("constraint"))
        if not constraint:
            self.repeated("xlsform_integer_max", SURVEY, row, MAX_COLUMN, None, key="")
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
            self.repeated("xlsform_unsupported_column", SURVEY, row, "constraint",
                          constraint, key="constraint")
            return None
        self.out.columns[(*path, "max")] = "constraint"
        return high


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


# ------------------------------------------- the model's checks, in spreadsheet terms

#: Where a field of the questionnaire model is written in an XLSForm: its column.
_FIELD_COLUMNS = {"text": "label", "title": "label", "label": "label", "help": "hint",
                  "intro": "hint", "id": "name", "value": "name", "max": MAX_COLUMN,
                  "scale": "type", "type": "type", "choices": "type", "items": "type",
                  "score": "score", "required": "required", "low": "low", "high": "high",
                  "feedback": "feedback", "points": "name", **{tag: tag for tag in TAGS}}
#: The settings sheet's columns for the questionnaire's own fields.
_TOP_COLUMNS = {"id": "form_id", "version": "version", "kind": "kind",
                "title": "form_title", "intro": "intro", "languages": "default_language"}
#: Model problems that only follow from a text missing (said once, per column).
_TEXT_KEYS = ("text", "title", "label")


def _parts(field_name: str) -> list[str]:
    return re.findall(r"[^.\[\]]+", field_name)


class _Spreadsheet:
    """Puts the questionnaire model's problems back on the sheet, row and column they
    come from, in words a spreadsheet's author reads."""

    def __init__(self, conv: Conversion, sheets: Mapping[str, Sheet], source: str):
        self.conv = conv
        self.sheets = {k.lower(): v for k, v in sheets.items()}
        self.source = source
        self.where = {_dotted(path): spot for path, spot in conv.where.items()}
        self.columns = {_dotted(path): column for path, column in conv.columns.items()}
        languages = conv.mapping.get("languages") or [DEFAULT_LANGUAGE]
        self.languages = phrase("xlsform.languages", names=", ".join(
            t(f"xlsform.language.{lang}") for lang in languages))

    def spot(self, field_name: str) -> tuple[str, int] | None:
        key = field_name
        while key:
            if key in self.where:
                return self.where[key]
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", key)
            key = parent if parent != key else ""
        return None

    def column(self, field_name: str, sheet_name: str) -> str:
        """The column (as the file spells it) a model field comes from."""
        for key in (field_name, re.sub(r"\.(fr|en)$", "", field_name)):
            if key in self.columns:
                return self._written(sheet_name, self.columns[key], None)
        parts = _parts(field_name)
        lang = parts[-1] if parts and parts[-1] in LANGUAGES else None
        names = [p for p in parts if not p.isdigit() and p not in LANGUAGES]
        if sheet_name == SETTINGS and len(names) <= 1:
            base = _TOP_COLUMNS.get(names[0] if names else "", "form_id")
        else:
            base = next((_FIELD_COLUMNS[n] for n in reversed(names) if n in _FIELD_COLUMNS),
                        "name")
        if lang is None and base in (*TRANSLATED, *_SETTINGS_TRANSLATED):
            lang = self.conv.default_language  # a text missing altogether: its first column
        return self._written(sheet_name, base, lang)

    def _written(self, sheet_name: str, base: str, lang: str | None) -> str:
        """The header of ``base`` in ``lang`` as the sheet spells it (its bare column
        when that is the form's default language), else how to spell it."""
        sh = self.sheets.get(sheet_name)
        if sh is not None:
            splits = [(header, *_split(header)) for header in sh.header if header]
            for header, name, code, tail in splits:
                if name == base and ((lang is None and not tail) or
                                     (lang is not None and code == lang)):
                    return sh.column(header)
            if lang == self.conv.default_language and base in sh.header:
                return sh.column(base)
        return f"{base}::{LANGUAGE_NAMES[lang]}" if lang else base

    def translate(self, problems: list[Problem]) -> list[Problem]:
        out: list[Problem] = []
        missing: dict[tuple[str, str, str], list[int]] = {}
        converter_failed = bool(self.conv.errors)
        for p in problems:
            params = dict(p.params)
            if p.code == "missing_translation":
                spot = self.spot(p.field)
                lang = str(params.get("missing"))
                if self.conv.no_french and lang == DEFAULT_LANGUAGE:
                    continue  # said once, for the whole form
                if spot is not None:
                    column = self.column(p.field, spot[0])
                    missing.setdefault((spot[0], column, lang), []).append(spot[1])
                    continue
            if p.code == "missing_field" and params.get("key") in _TEXT_KEYS:
                spot = self.spot(p.field)
                if self.conv.no_french:
                    continue  # said once, for the whole form
                if spot is not None and spot in self.conv.foreign_labels:
                    out.append(self.make("xlsform_foreign_label", spot, p,
                                         foreign=self.conv.foreign_labels[spot]))
                    continue
            if converter_failed and p.code in ("no_sections", "empty_section",
                                               "too_few_choices", "too_deep"):
                continue  # follows from rows already refused
            out.append(self.model(p))
        for (sheet_name, column, lang), rows in missing.items():
            rows = sorted(set(rows))
            shown = ", ".join(map(str, rows[:12])) + (", …" if len(rows) > 12 else "")
            out.append(replace(problem(
                "xlsform_missing_translations", field=column, value=None, sheet=sheet_name,
                column=column, language=_language_name(lang), languages=self.languages,
                rows=phrase("xlsform.rows.one" if len(rows) == 1 else "xlsform.rows.many",
                            rows=shown, count=len(rows))),
                file=f"{self.source}[{sheet_name}]", line=rows[0]))
        return out

    def make(self, code: str, spot: tuple[str, int], p: Problem,
             **params: object) -> Problem:
        sheet_name, row = spot
        column = self.column(p.field, sheet_name)
        return replace(problem(code, field=column, value=p.value, sheet=sheet_name, row=row,
                               column=column, **params),
                       file=f"{self.source}[{sheet_name}]", line=row, warning=p.warning)

    def _repeated_choice(self, field_name: str, value: object) -> tuple[int, int] | None:
        """The first two positions of choice ``value`` in the list at ``field_name``."""
        if not field_name.endswith(".choices"):
            return None
        node: object = self.conv.mapping
        for part in _parts(field_name):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict):
                node = node.get(part)
            else:
                return None
        if not isinstance(node, list):
            return None
        at = [i for i, c in enumerate(node) if isinstance(c, dict) and c.get("id") == value]
        return (at[0], at[1]) if len(at) >= 2 else None

    def model(self, p: Problem) -> Problem:
        """A model problem said on its sheet, row and column (its own code kept in the
        ``model`` parameter)."""
        spot = self.spot(p.field) if p.field and p.field != "-" else None
        params = dict(p.params)
        field_name = p.field
        if p.code == "duplicate_id":
            first = self.spot(str(params.get("first", "")))
            twice = self._repeated_choice(p.field, p.value)
            if twice is not None:  # two choices of one list: said on the choices sheet
                field_name = f"{p.field}[{twice[1]}].id"
                spot = self.spot(field_name)
                first = self.spot(f"{p.field}[{twice[0]}].id")
            params["first_row"] = first[1] if first else "-"
        column = self.column(field_name, spot[0]) if spot else ""
        values = {**params, "field": column or "-", "value": show(p.value)}
        own = f"xlsform_model.{p.code}"
        known = catalogue(DEFAULT_LANGUAGE)
        detail = Phrase(f"error.{own}" if f"error.{own}" in known else f"error.{p.code}",
                        tuple(values.items()))
        fix_key = (f"fix.{own}" if f"fix.{own}" in known else
                   f"fix.{p.code}" if f"fix.{p.code}" in known else "fix.xlsform_model_any")
        fix = Phrase(fix_key, tuple(values.items()))
        if spot is None:
            made = problem("xlsform_model_form", detail=detail, fix=fix, model=p.code)
            return replace(made, file=self.source, line=None, warning=p.warning)
        sheet_name, row = spot
        made = problem("xlsform_model", field=column, sheet=sheet_name, row=row,
                       column=column, detail=detail, fix=fix, model=p.code)
        return replace(made, file=f"{self.source}[{sheet_name}]", line=row,
                       warning=p.warning)


def parse_sheets(sheets: Mapping[str, Sheet], source: str = "form.xlsx"
                 ) -> tuple[Questionnaire, dict]:
    """Convert and validate: the questionnaire and the mapping it came from.

    Every problem, the converter's and the questionnaire model's, comes in one
    :class:`CoopkitError` located by ``file[sheet]:row`` and worded in sheets, rows and
    columns; warnings come with it, marked as warnings.
    """
    conv = convert(sheets, source)
    if SURVEY not in {k.lower() for k in sheets}:
        raise CoopkitError(_sorted(conv.problems))  # nothing to check without questions
    words = _Spreadsheet(conv, sheets, source)
    try:
        questionnaire = parse(conv.mapping, source=source)
    except CoopkitError as exc:
        found = words.translate(list(exc.problems))
        raise CoopkitError(_sorted([*conv.errors, *(p for p in found if not p.warning),
                                    *conv.warnings, *(p for p in found if p.warning)])
                           ) from None
    found = words.translate(list(questionnaire.warnings))
    if conv.errors:
        raise CoopkitError(_sorted([*conv.errors, *conv.warnings, *found]))
    return replace(questionnaire, warnings=(*conv.warnings, *found)), conv.mapping


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Errors first, then warnings; each in sheet and row order."""
    order = {SETTINGS: 0, SURVEY: 1, CHOICES: 2}

    def key(p: Problem) -> tuple:
        sheet_name = dict(p.params).get("sheet", "")
        return (p.warning, order.get(str(sheet_name), 3), p.line or 0)

    return sorted(problems, key=key)


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
