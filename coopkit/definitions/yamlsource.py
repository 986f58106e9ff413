"""Read a YAML file into plain Python data while remembering each field's line.

PyYAML composes a node tree that carries line marks; we walk it ourselves so that
``parse`` can say "line 42" for any field, and so that duplicate keys (which plain
``yaml.safe_load`` silently overwrites) are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coopkit.errors import CoopkitError, FieldPath, Problem, dotted, problem

Path_ = FieldPath


@dataclass
class Located:
    """Data read from YAML, with the line of every path (``("sections", 0, "id")``)."""

    data: object
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_text(path: Path) -> str:
    """Read a questionnaire file as UTF-8, with a clear error otherwise."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CoopkitError(_at(problem("file_not_found", value=name), name)) from None
    except IsADirectoryError:
        raise CoopkitError(_at(problem("file_is_directory", value=name), name)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 4]
        raise CoopkitError(_at(problem("not_utf8", value=bad.hex(" ")), name, line)) from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise CoopkitError(_at(problem("file_empty", value=name), name))
    return text


class _Loader(yaml.SafeLoader):
    """SafeLoader where only ``true``/``false`` are booleans (YAML 1.2), so that a label
    written ``en: No`` or ``fr: Oui`` stays a text instead of becoming False/True."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def compose(text: str, source: str = "<input>") -> Located:
    """Parse YAML ``text``; raise a located :class:`CoopkitError` if it is not YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        located = Located(data=None)
        if node is not None:
            located.data = _walk(loader, node, (), located)
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        undefined = str(exc.problem or "").partition("found undefined alias ")[2]
        if undefined:  # *name without &name before it
            name = undefined.strip("'\"")
            raise CoopkitError(_at(problem("yaml_alias_undefined", value=name, name=name), source,
                                   line)) from None
        detail = " ".join(str(s) for s in (exc.context, exc.problem) if s)
        raise CoopkitError(_at(problem("yaml_invalid", value=detail), source, line)) from None
    except yaml.YAMLError as exc:
        raise CoopkitError(_at(problem("yaml_invalid", value=str(exc)), source)) from None
    finally:
        loader.dispose()


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, out: Located) -> object:
    out.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                key = str(key)
            sub = (*path, key)
            if key in result:
                out.problems.append(
                    _at(problem("duplicate_key", field=_dotted(sub), value=key), "",
                        key_node.start_mark.line + 1)
                )
            out.lines[sub] = key_node.start_mark.line + 1
            result[key] = _walk(loader, value_node, sub, out)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, child, (*path, i), out) for i, child in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


_dotted = dotted


def _at(p: Problem, file: str, line: int | None = None) -> Problem:
    from dataclasses import replace

    return replace(p, file=file, line=line)
