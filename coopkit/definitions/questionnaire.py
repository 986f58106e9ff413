"""Questionnaire definitions: the model, a pure ``parse`` and a file ``load``.

A questionnaire is written in YAML by trainers (see ``docs/questionnaire-format.md``).
:func:`parse` turns a mapping into frozen dataclasses and collects *every* problem
before raising one :class:`~coopkit.errors.CoopkitError`; :func:`load` reads a file,
keeps line numbers and calls :func:`parse`. The loaded questionnaire carries a content
hash: stored answers are tied to it, so editing a file never corrupts old data.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from coopkit.definitions import method
from coopkit.errors import CoopkitError, FieldPath, Problem, bad_character, problem, suggest
from coopkit.errors import dotted as _dotted
from coopkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalise_language

Path_ = FieldPath

ITEM_TYPES = ("scale", "intensity", "single", "multiple", "text")
KINDS = ("feelings", "readiness", "survey")
NOT_APPLICABLE = "na"
DONT_KNOW = "dk"
MAX_TEXT_LENGTH = 4000
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Text:
    """A text in every language of the questionnaire."""

    fr: str
    en: str = ""

    def get(self, lang: str | None = None) -> str:
        code = normalise_language(lang)
        return (self.en if code == "en" else self.fr) or self.fr


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: Text


@dataclass(frozen=True)
class Scale:
    """Named points reused by ``scale`` items (e.g. "not at all" .. "fully")."""

    id: str
    points: tuple[ScalePoint, ...]
    not_applicable: bool = False
    dont_know: bool = False

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.points)


@dataclass(frozen=True)
class Choice:
    id: str
    label: Text
    score: float | None = None


@dataclass(frozen=True)
class Group:
    """A stakeholder group a participant may choose at join time."""

    id: str
    label: Text
    #: True for a group of the method listed by its id only: its label comes from the
    #: i18n catalogue and is left out of the content hash, so rewording a label in the
    #: catalogue never splits a questionnaire's answers into two versions.
    builtin: bool = False


def whole_number(value: object) -> int | None:
    """``value`` as a Python ``int`` when it is a whole number (``3``, ``3.0``,
    ``numpy.int64(3)``, ``numpy.float64(3)``), else None: booleans, NaN, infinities,
    ``3.5``, texts and anything else are not answers on a scale."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    if not math.isfinite(number) or number != math.floor(number):
        return None
    return int(number)


@dataclass(frozen=True)
class Item:
    """One question, with the tags that tie it to the method."""

    id: str
    type: str
    text: Text
    required: bool = True
    scale: Scale | None = None
    max: int | None = None
    low: Text | None = None
    high: Text | None = None
    choices: tuple[Choice, ...] = ()
    feeling: str | None = None
    theme: str | None = None
    principles: tuple[int, ...] = ()
    factor: str | None = None
    groups: tuple[str, ...] = ()
    about: str | None = None
    mirrors: str | None = None
    feedback: Text | None = None
    weak_below: float | None = None
    weak_above: float | None = None
    help: Text | None = None

    def asked_of(self, group: str | None) -> bool:
        """Whether a participant of ``group`` is asked this item: ``groups:`` restricts
        it, and nobody estimates their own group "in the other's shoes" (``about``).
        ``None`` (group not known yet) is asked everything."""
        if group is None:
            return True
        return (not self.groups or group in self.groups) and self.about != group

    def check(self, value: object) -> object:
        """Return ``value`` normalised for storage, or raise a :class:`CoopkitError`."""
        bad = CoopkitError(
            problem("value_invalid", field=self.id, value=value, expected=self.expected())
        )
        if self.type == "text":
            if not isinstance(value, str):
                raise bad
            if len(value) > MAX_TEXT_LENGTH:
                raise CoopkitError(
                    problem("text_too_long", field=self.id, value=len(value),
                            limit=MAX_TEXT_LENGTH)
                )
            found = bad_character(value)
            if found is not None:
                raise CoopkitError(problem("bad_character", field=self.id,
                                           position=found[0] + 1, char=found[1]))
            return value
        if self.type == "multiple":
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise bad
            ids = [c.id for c in self.choices]
            if any(v not in ids for v in value) or len(set(value)) != len(value):
                raise bad
            return sorted(value, key=ids.index)
        if self.type == "single":
            if not isinstance(value, str) or value not in [c.id for c in self.choices]:
                raise bad
            return value
        if isinstance(value, str) and self.scale is not None:
            if (value == NOT_APPLICABLE and self.scale.not_applicable) or (
                value == DONT_KNOW and self.scale.dont_know
            ):
                return value
            raise bad
        number = whole_number(value)
        if number is None:
            raise bad
        if self.type == "intensity":
            if not 0 <= number <= (self.max or 0):
                raise bad
            return number
        if self.scale is None or number not in self.scale.values:
            raise bad
        return number

    def expected(self) -> str:
        """A short description of the accepted values (for messages)."""
        if self.type == "intensity":
            return f"0..{self.max}"
        if self.type == "scale" and self.scale is not None:
            extra = [v for v, ok in ((NOT_APPLICABLE, self.scale.not_applicable),
                                     (DONT_KNOW, self.scale.dont_know)) if ok]
            return ", ".join([*map(str, self.scale.values), *extra])
        if self.type in ("single", "multiple"):
            return ", ".join(c.id for c in self.choices)
        return "text"

    def score(self, value: object) -> float | None:
        """The answer on a 0..1 scale (1 = best), or None when it has no score."""
        if value is None or value in (NOT_APPLICABLE, DONT_KNOW):
            return None
        if self.type == "intensity" and isinstance(value, int | float):
            return float(value) / self.max if self.max else None
        if self.type == "scale" and self.scale is not None and isinstance(value, int | float):
            low, high = min(self.scale.values), max(self.scale.values)
            return (float(value) - low) / (high - low) if high > low else None
        if self.type == "single":
            choice = next((c for c in self.choices if c.id == value), None)
            return choice.score if choice is not None else None
        return None

    def is_weak(self, value: object) -> bool:
        """Whether this answer calls for the item's recommendation."""
        if value is None or value in (NOT_APPLICABLE, DONT_KNOW) or not self.scored:
            return False
        if self.weak_below is not None or self.weak_above is not None:
            if not isinstance(value, int | float):
                return False
            return (self.weak_below is not None and value < self.weak_below) or (
                self.weak_above is not None and value > self.weak_above
            )
        score = self.score(value)
        if score is None:
            return False
        # A strong fear or temptation is what calls for a recommendation; for every
        # other scored item, the lower half of the scale does.
        return score > 0.5 if self.feeling in ("peur", "tentation") else score < 0.5

    @property
    def scored(self) -> bool:
        return self.type in ("scale", "intensity") or (
            self.type == "single" and any(c.score is not None for c in self.choices)
        )


@dataclass(frozen=True)
class Section:
    """A section (or sub-section) holding items and/or sub-sections."""

    id: str
    title: Text
    intro: Text | None = None
    items: tuple[Item, ...] = ()
    subsections: tuple[Section, ...] = ()

    def all_items(self) -> Iterator[Item]:
        yield from self.items
        for sub in self.subsections:
            yield from sub.all_items()


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    kind: str
    title: Text
    intro: Text | None
    languages: tuple[str, ...]
    groups: tuple[Group, ...]
    scales: tuple[Scale, ...]
    sections: tuple[Section, ...]
    content_hash: str = field(default="", compare=False)
    source: str = field(default="", compare=False)
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.all_items()

    def required_of(self, group: str | None) -> list[Item]:
        """The required items a participant of ``group`` is asked, in order."""
        return [it for it in self.items() if it.required and it.asked_of(group)]

    def item(self, item_id: str) -> Item:
        """The item with this id (a :class:`CoopkitError` if there is none)."""
        found = self._index().get(item_id) if isinstance(item_id, str) else None
        if found is None:
            raise CoopkitError(problem("unknown_item", field="item", value=item_id,
                                       questionnaire=self.id))
        return found

    def _index(self) -> dict[str, Item]:
        index = self.__dict__.get("_item_index")
        if index is None:
            index = {it.id: it for it in self.items()}
            object.__setattr__(self, "_item_index", index)
        return index

    def check_answer(self, item_id: str, value: object, group: str | None = None) -> object:
        """Validate one answer against this questionnaire; return the stored value.

        With ``group``, the item must also be asked of that group (:meth:`Item.asked_of`:
        its ``groups:`` and, for "in the other's shoes" items, never one's own group):
        the one place this rule lives, for the store and for every form."""
        item = self.item(item_id)
        if not item.asked_of(group):
            raise CoopkitError(problem("not_asked", field=item.id, value=group,
                                       questionnaire=self.id))
        return item.check(value)

    def section_path(self, item_id: str) -> tuple[Section, ...]:
        """The section and sub-sections (outermost first) holding an item."""
        def walk(sections: tuple[Section, ...], trail: tuple[Section, ...]):
            for s in sections:
                if any(it.id == item_id for it in s.items):
                    return (*trail, s)
                found = walk(s.subsections, (*trail, s))
                if found:
                    return found
            return None

        return walk(self.sections, ()) or ()

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def summary(self) -> tuple[int, int]:
        """(number of sections including sub-sections, number of items)."""
        def count(sections: tuple[Section, ...]) -> int:
            return sum(1 + count(s.subsections) for s in sections)

        return count(self.sections), sum(1 for _ in self.items())


# --------------------------------------------------------------------------- parsing

_TOP_KEYS = ("id", "version", "kind", "title", "intro", "languages", "groups", "scales",
             "sections")
_SECTION_KEYS = ("id", "title", "intro", "items", "subsections")
_ITEM_KEYS = ("id", "type", "text", "required", "scale", "max", "low", "high", "choices",
              "feeling", "theme", "principles", "factor", "groups", "about", "mirrors",
              "feedback", "weak_below", "weak_above", "help")
_SCALE_KEYS = ("points", "not_applicable", "dont_know")
_POINT_KEYS = ("value", "label")
_CHOICE_KEYS = ("id", "label", "score")
_GROUP_KEYS = ("id", "label")


class _Reader:
    """Collects problems with their lines while walking the mapping."""

    def __init__(self, lines: Mapping[Path_, int], source: str):
        self.lines = lines
        self.source = source
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = LANGUAGES

    def add(self, code: str, path: Path_, value: object = None, *, warning: bool = False,
            **params: object) -> None:
        line = None
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                break
        self.problems.append(replace(
            problem(code, field=_dotted(path) or "-", value=value, **params),
            file=self.source, line=line, warning=warning,
        ))

    def mapping(self, data: object, path: Path_, keys: tuple[str, ...]) -> dict | None:
        if not isinstance(data, Mapping):
            self.add("wrong_type", path, data, expected="mapping")
            return None
        for key in data:
            if key not in keys:
                hint = suggest(str(key), keys)
                if hint:
                    self.add("unknown_key_hint", (*path, key), key, suggestion=hint)
                else:
                    self.add("unknown_key", (*path, key), key, allowed=", ".join(keys))
        return dict(data)

    def required(self, data: Mapping, key: str, path: Path_) -> object:
        if data.get(key) is None:
            self.add("missing_field", (*path, key), None, key=key)
            return None
        return data[key]

    def ident(self, data: Mapping, path: Path_) -> str | None:
        value = self.required(data, "id", path)
        if value is None:
            return None
        if not isinstance(value, str) or not _ID.match(value):
            self.add("invalid_id", (*path, "id"), value)
            return None
        return value

    def text(self, data: object, path: Path_, *, required: bool = True) -> Text | None:
        if data is None:
            if required:
                self.add("missing_field", path, None, key=path[-1] if path else "-")
            return None
        if isinstance(data, str):
            if len(self.languages) > 1:
                self.add("text_not_translated", path, data,
                         languages=", ".join(self.languages))
            return Text(fr=data)
        mapped = self.mapping(data, path, LANGUAGES)
        if mapped is None:
            return None
        values: dict[str, str] = {}
        for lang in self.languages:
            raw = mapped.get(lang)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                self.add("missing_translation", (*path, lang), None, missing=lang,
                         languages=", ".join(self.languages))
            elif not isinstance(raw, str | int | float) or isinstance(raw, bool):
                self.add("wrong_type", (*path, lang), raw, expected="text")
            else:
                values[lang] = str(raw).strip()
        return Text(fr=values.get("fr", ""), en=values.get("en", ""))

    def boolean(self, data: Mapping, key: str, path: Path_, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add("wrong_type", (*path, key), value, expected="true / false")
            return default
        return value

    def number(self, data: Mapping, key: str, path: Path_, *, integer: bool = False
               ) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or (integer and value != int(value)):
            self.add("wrong_type", (*path, key), value,
                     expected="integer" if integer else "number")
            return None
        return int(value) if integer else float(value)

    def listing(self, data: Mapping, key: str, path: Path_) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add("wrong_type", (*path, key), value, expected="list")
            return []
        return value

    def tag(self, data: Mapping, key: str, path: Path_, allowed: tuple[str, ...]) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:
            self.unknown(key, (*path, key), value, allowed)
            return None
        return value

    def unknown(self, what: str, path: Path_, value: object, allowed: tuple[str, ...]) -> None:
        hint = suggest(str(value), allowed)
        if hint:
            self.add("unknown_tag_hint", path, value, what=what, suggestion=hint)
        else:
            self.add("unknown_tag", path, value, what=what, allowed=", ".join(allowed))


def parse(data: object, *, source: str = "<input>",
          lines: Mapping[Path_, int] | None = None) -> Questionnaire:
    """Build a :class:`Questionnaire` from a mapping, or raise with every problem found.

    ``lines`` maps field paths to line numbers (given by :func:`load`); ``source`` is
    the file name used in messages. Pure: no I/O.
    """
    r = _Reader(lines or {}, source)
    top = r.mapping(data, (), _TOP_KEYS)
    if top is None:
        raise CoopkitError(r.problems)

    languages = _languages(r, top)
    r.languages = languages
    qid = r.ident(top, ())
    version = r.required(top, "version", ())
    if version is not None and not isinstance(version, str | int | float):
        r.add("wrong_type", ("version",), version, expected="text")
    kind = top.get("kind", "survey")
    if kind not in KINDS:
        r.unknown("kind", ("kind",), kind, KINDS)
    title = r.text(top.get("title"), ("title",))
    intro = r.text(top.get("intro"), ("intro",), required=False)
    groups = _groups(r, top)
    scales = _scales(r, top)
    group_ids = tuple(g.id for g in groups) or method.GROUP_IDS

    seen_ids: dict[str, Path_] = {}
    raw_sections = r.listing(top, "sections", ())
    if not raw_sections and "sections" not in [p.field for p in r.problems]:
        r.add("no_sections", ("sections",), top.get("sections"))
    sections = tuple(
        s for i, raw in enumerate(raw_sections)
        if (s := _section(r, raw, ("sections", i), scales, group_ids, seen_ids, depth=0))
    )

    used_scales = {it.scale.id for s in sections for it in s.all_items() if it.scale}
    items = [it for s in sections for it in s.all_items()]
    item_ids = {it.id for it in items}
    for it in items:
        if it.mirrors and it.mirrors not in item_ids:
            r.unknown("mirrors", (*seen_ids.get(it.id, ()), "mirrors"), it.mirrors,
                      tuple(sorted(item_ids)))
    for s in scales.values():
        if s.id not in used_scales:
            r.add("unused_scale", ("scales", s.id), s.id, warning=True)
    if kind == "readiness":
        for it in items:
            if it.scored and it.feedback is None:
                r.add("no_feedback", seen_ids.get(it.id, ()), it.id, warning=True)

    errors = [p for p in r.problems if not p.warning]
    if errors:
        raise CoopkitError(sorted(errors, key=lambda p: p.line or 0))
    questionnaire = Questionnaire(
        id=qid or "", version=str(version), kind=kind, title=title or Text(""),
        intro=intro, languages=languages, groups=groups,
        scales=tuple(scales.values()), sections=sections, source=source,
        warnings=tuple(p for p in r.problems if p.warning),
    )
    return replace(questionnaire, content_hash=content_hash(questionnaire))


def content_hash(questionnaire: Questionnaire) -> str:
    """SHA-256 of the questionnaire's content (not of its file's bytes or comments)."""
    content = asdict(questionnaire)
    for key in ("content_hash", "source", "warnings"):
        content.pop(key, None)
    for group in content["groups"]:
        if group["builtin"]:
            group.pop("label")
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def load(path: str | Path) -> Questionnaire:
    """Read and parse a questionnaire file (YAML, UTF-8)."""
    from coopkit.definitions.yamlsource import compose, read_text  # YAML only when reading a file

    file = Path(path)
    text = read_text(file)
    located = compose(text, str(file))
    if located.data is None:
        raise CoopkitError(replace(problem("file_empty", value=str(file)), file=str(file)))
    dup = [replace(p, file=str(file)) for p in located.problems]
    try:
        result = parse(located.data, source=str(file), lines=located.lines)
    except CoopkitError as exc:
        raise CoopkitError([*dup, *exc.problems]) from None
    if dup:
        raise CoopkitError(dup)
    return result


# ----------------------------------------------------------------- parsing helpers

def _languages(r: _Reader, top: Mapping) -> tuple[str, ...]:
    raw = top.get("languages", list(LANGUAGES))
    if not isinstance(raw, list) or not raw:
        r.add("wrong_type", ("languages",), raw, expected="list: [fr, en]")
        return LANGUAGES
    langs = []
    for i, lang in enumerate(raw):
        if lang not in LANGUAGES:
            r.unknown("language", ("languages", i), lang, LANGUAGES)
        elif lang not in langs:
            langs.append(lang)
    if DEFAULT_LANGUAGE not in langs:
        r.add("french_required", ("languages",), raw)
        langs.insert(0, DEFAULT_LANGUAGE)
    return tuple(sorted(langs, key=LANGUAGES.index))


def _groups(r: _Reader, top: Mapping) -> tuple[Group, ...]:
    from coopkit.i18n import t

    groups: list[Group] = []
    for i, raw in enumerate(r.listing(top, "groups", ())):
        path: Path_ = ("groups", i)
        if isinstance(raw, str):
            if raw not in method.GROUP_IDS:
                r.unknown("group", path, raw, method.GROUP_IDS)
                continue
            key = f"method.group.{raw}"
            groups.append(Group(raw, Text(fr=t(key, "fr"), en=t(key, "en")), builtin=True))
            continue
        data = r.mapping(raw, path, _GROUP_KEYS)
        if data is None:
            continue
        gid = r.ident(data, path)
        label = r.text(data.get("label"), (*path, "label"))
        if gid and label:
            groups.append(Group(gid, label))
    _no_duplicates(r, [g.id for g in groups], "groups")
    return tuple(groups)


def _scales(r: _Reader, top: Mapping) -> dict[str, Scale]:
    raw = top.get("scales", {})
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        r.add("wrong_type", ("scales",), raw, expected="mapping: scale name -> points")
        return {}
    scales: dict[str, Scale] = {}
    for sid, body in raw.items():
        path: Path_ = ("scales", sid)
        if not isinstance(sid, str) or not _ID.match(sid):
            r.add("invalid_id", path, sid)
            continue
        data = r.mapping(body, path, _SCALE_KEYS)
        if data is None:
            continue
        points: list[ScalePoint] = []
        raw_points = r.listing(data, "points", path)
        if len(raw_points) < 2:
            r.add("scale_too_short", (*path, "points"), len(raw_points))
        for i, p in enumerate(raw_points):
            ppath = (*path, "points", i)
            pdata = r.mapping(p, ppath, _POINT_KEYS)
            if pdata is None:
                continue
            value = r.required(pdata, "value", ppath)
            label = r.text(pdata.get("label"), (*ppath, "label"))
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                r.add("wrong_type", (*ppath, "value"), value, expected="integer")
            elif value is not None and label is not None:
                if value in [q.value for q in points]:
                    r.add("duplicate_value", (*ppath, "value"), value)
                points.append(ScalePoint(value, label))
        scales[sid] = Scale(
            sid, tuple(points),
            not_applicable=r.boolean(data, "not_applicable", path, False),
            dont_know=r.boolean(data, "dont_know", path, False),
        )
    return scales


def _section(r: _Reader, raw: object, path: Path_, scales: Mapping[str, Scale],
             group_ids: tuple[str, ...], seen: dict[str, Path_], depth: int) -> Section | None:
    data = r.mapping(raw, path, _SECTION_KEYS)
    if data is None:
        return None
    sid = r.ident(data, path)
    if sid:
        _unique(r, sid, path, seen)
    title = r.text(data.get("title"), (*path, "title"))
    intro = r.text(data.get("intro"), (*path, "intro"), required=False)
    items = tuple(
        it for i, rawi in enumerate(r.listing(data, "items", path))
        if (it := _item(r, rawi, (*path, "items", i), scales, group_ids, seen))
    )
    subs: tuple[Section, ...] = ()
    raw_subs = r.listing(data, "subsections", path)
    if raw_subs and depth >= 1:
        r.add("too_deep", (*path, "subsections"), sid)
    elif raw_subs:
        subs = tuple(
            s for i, rs in enumerate(raw_subs)
            if (s := _section(r, rs, (*path, "subsections", i), scales, group_ids, seen, 1))
        )
    if not data.get("items") and not data.get("subsections"):
        r.add("empty_section", path, sid)
    if sid is None or title is None:
        return None
    return Section(sid, title, intro, items, subs)


def _item(r: _Reader, raw: object, path: Path_, scales: Mapping[str, Scale],
          group_ids: tuple[str, ...], seen: dict[str, Path_]) -> Item | None:
    data = r.mapping(raw, path, _ITEM_KEYS)
    if data is None:
        return None
    iid = r.ident(data, path)
    if iid:
        _unique(r, iid, path, seen)
    kind = r.required(data, "type", path)
    if kind is not None and kind not in ITEM_TYPES:
        r.unknown("type", (*path, "type"), kind, ITEM_TYPES)
        kind = None
    text = r.text(data.get("text"), (*path, "text"))
    scale = None
    maximum = None
    choices: tuple[Choice, ...] = ()
    if kind == "scale":
        sref = r.required(data, "scale", path)
        if sref is not None:
            scale = scales.get(sref) if isinstance(sref, str) else None
            if scale is None:
                r.unknown("scale", (*path, "scale"), sref, tuple(scales) or ("-",))
    elif kind == "intensity":
        maximum = r.number(data, "max", path, integer=True)
        if maximum is None and "max" not in data:
            maximum = 5
        if maximum is not None and not 1 <= maximum <= 10:
            r.add("max_out_of_range", (*path, "max"), maximum)
    elif kind in ("single", "multiple"):
        choices = _choices(r, data, path)
    for key, allowed_for in (("scale", ("scale",)), ("max", ("intensity",)),
                             ("choices", ("single", "multiple"))):
        if kind and key in data and kind not in allowed_for:
            r.add("field_not_for_type", (*path, key), key, type=kind,
                  types=", ".join(allowed_for))
    principles = []
    for i, p in enumerate(r.listing(data, "principles", path)):
        if isinstance(p, bool) or not isinstance(p, int) or p not in method.PRINCIPLE_NUMBERS:
            r.add("principle_out_of_range", (*path, "principles", i), p)
        else:
            principles.append(p)
    groups = []
    for i, g in enumerate(r.listing(data, "groups", path)):
        if g not in group_ids and g not in method.GROUP_IDS:
            r.unknown("group", (*path, "groups", i), g, group_ids)
        else:
            groups.append(g)
    about = data.get("about")
    if about is not None and about not in group_ids and about not in method.GROUP_IDS:
        r.unknown("group", (*path, "about"), about, group_ids)
        about = None
    mirrors = data.get("mirrors")
    if mirrors is not None and not isinstance(mirrors, str):
        r.add("wrong_type", (*path, "mirrors"), mirrors, expected="item id")
        mirrors = None
    if mirrors and about is None:
        r.add("mirrors_without_about", (*path, "mirrors"), mirrors)
    item_feeling = r.tag(data, "feeling", path, method.MAP_ROWS)
    if about and item_feeling is None and mirrors is None:
        r.add("about_without_feeling", (*path, "about"), about)
    item = Item(
        id=iid or "", type=kind or "text", text=text or Text(""),
        required=r.boolean(data, "required", path, True),
        scale=scale, max=int(maximum) if maximum is not None else None,
        low=r.text(data.get("low"), (*path, "low"), required=False),
        high=r.text(data.get("high"), (*path, "high"), required=False),
        choices=choices,
        feeling=item_feeling,
        theme=r.tag(data, "theme", path, method.THEME_IDS),
        principles=tuple(principles),
        factor=r.tag(data, "factor", path, method.FACTOR_IDS),
        groups=tuple(groups), about=about if isinstance(about, str) else None,
        mirrors=mirrors,
        feedback=r.text(data.get("feedback"), (*path, "feedback"), required=False),
        weak_below=r.number(data, "weak_below", path),
        weak_above=r.number(data, "weak_above", path),
        help=r.text(data.get("help"), (*path, "help"), required=False),
    )
    _check_thresholds(r, item, path, data)
    if iid is None or kind is None or text is None:
        return None
    return item


def _check_thresholds(r: _Reader, item: Item, path: Path_, data: Mapping) -> None:
    """``weak_below`` / ``weak_above`` must fall inside the item's range to ever apply."""
    if item.type == "intensity" and item.max is not None:
        low, high = 0, item.max
    elif item.type == "scale" and item.scale is not None and item.scale.points:
        low, high = min(item.scale.values), max(item.scale.values)
    else:
        for key in ("weak_below", "weak_above"):
            if key in data and item.type in ITEM_TYPES:
                r.add("field_not_for_type", (*path, key), key, type=item.type,
                      types="scale, intensity")
        return
    for key, value in (("weak_below", item.weak_below), ("weak_above", item.weak_above)):
        if value is not None and not low < value <= high and not low <= value < high:
            r.add("threshold_out_of_range", (*path, key), value, low=low, high=high)


def _choices(r: _Reader, data: Mapping, path: Path_) -> tuple[Choice, ...]:
    raw = r.listing(data, "choices", path)
    if len(raw) < 2:
        r.add("too_few_choices", (*path, "choices"), len(raw))
    out: list[Choice] = []
    for i, c in enumerate(raw):
        cpath = (*path, "choices", i)
        cdata = r.mapping(c, cpath, _CHOICE_KEYS)
        if cdata is None:
            continue
        cid = r.ident(cdata, cpath)
        label = r.text(cdata.get("label"), (*cpath, "label"))
        score = r.number(cdata, "score", cpath)
        if score is not None and not 0 <= score <= 1:
            r.add("score_out_of_range", (*cpath, "score"), score)
            score = None
        if cid and label:
            out.append(Choice(cid, label, score))
    _no_duplicates(r, [c.id for c in out], (*path, "choices"))
    return tuple(out)


def _unique(r: _Reader, ident: str, path: Path_, seen: dict[str, Path_]) -> None:
    if ident in seen:
        r.add("duplicate_id", (*path, "id"), ident, first=_dotted(seen[ident]),
              first_line=r.lines.get(seen[ident], "?"))
    else:
        seen[ident] = path


def _no_duplicates(r: _Reader, ids: list[str], path: Path_ | str) -> None:
    p = (path,) if isinstance(path, str) else path
    for ident in {i for i in ids if ids.count(i) > 1}:
        r.add("duplicate_id", p, ident, first="-", first_line="?")


# ------------------------------------------------------------------ back to a mapping

def to_mapping(questionnaire: Questionnaire) -> dict:
    """The questionnaire as a plain mapping in the YAML format.

    ``parse(to_mapping(q))`` gives a questionnaire with the same content hash, so the
    store can keep the exact definition its answers belong to, and exports can write
    it back.
    """
    langs = questionnaire.languages

    def text(value: Text | None) -> dict | None:
        if value is None:
            return None
        return {lang: value.get(lang) for lang in langs}

    def item(it: Item) -> dict:
        out: dict = {"id": it.id, "type": it.type, "text": text(it.text),
                     "required": it.required}
        if it.scale is not None:
            out["scale"] = it.scale.id
        if it.type == "intensity":
            out["max"] = it.max
        if it.choices:
            out["choices"] = [
                {"id": c.id, "label": text(c.label),
                 **({"score": c.score} if c.score is not None else {})}
                for c in it.choices
            ]
        for key in ("low", "high", "feedback", "help"):
            if getattr(it, key) is not None:
                out[key] = text(getattr(it, key))
        for key in ("feeling", "theme", "factor", "about", "mirrors", "weak_below",
                    "weak_above"):
            if getattr(it, key) is not None:
                out[key] = getattr(it, key)
        if it.principles:
            out["principles"] = list(it.principles)
        if it.groups:
            out["groups"] = list(it.groups)
        return out

    def section(s: Section) -> dict:
        out: dict = {"id": s.id, "title": text(s.title)}
        if s.intro is not None:
            out["intro"] = text(s.intro)
        if s.items:
            out["items"] = [item(it) for it in s.items]
        if s.subsections:
            out["subsections"] = [section(sub) for sub in s.subsections]
        return out

    mapping: dict = {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "kind": questionnaire.kind,
        "languages": list(langs),
        "title": text(questionnaire.title),
    }
    if questionnaire.intro is not None:
        mapping["intro"] = text(questionnaire.intro)
    if questionnaire.groups:
        mapping["groups"] = [
            g.id if g.builtin else {"id": g.id, "label": text(g.label)}
            for g in questionnaire.groups
        ]
    if questionnaire.scales:
        mapping["scales"] = {
            s.id: {
                "points": [{"value": p.value, "label": text(p.label)} for p in s.points],
                "not_applicable": s.not_applicable,
                "dont_know": s.dont_know,
            }
            for s in questionnaire.scales
        }
    mapping["sections"] = [section(s) for s in questionnaire.sections]
    return mapping
