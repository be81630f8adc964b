"""Pydantic validation errors turned into located problems written for PR staff."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from humaspost.problems import Problem, Severity
from humaspost.yamlpos import Located

Path = tuple[str | int, ...]

# What a field must hold, in words, where the error type alone would say too little.
_FIELD_EXPECTS = {
    "to": "an account or group name, or a list of them",
    "thread": "a list of texts",
    "media": "a list of items with 'file' and 'alt'",
    "tags": "a list of words",
    "draft": "true or false",
}
# What staff call a platform, mapped to its name in post files.
_PLATFORM_NICKNAMES = {"x": "twitter", "tweet": "twitter", "fb": "facebook", "meta": "facebook"}
_TYPE_EXPECTS = {
    "string_type": "text",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "a mapping of fields",
    "dict_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "int_type": "a whole number",
}


def problems_from_validation(
    exc: ValidationError,
    data: Any,
    located: Located,
    shown: str,
    known_fields: Callable[[Path], tuple[str, ...]],
) -> list[Problem]:
    """One problem per faulty place, located in the file, in the order written."""
    problems: dict[Path, Problem] = {}
    for error in exc.errors():
        path = _data_path(error["loc"], data)
        kind = error["type"]
        if kind == "extra_forbidden":
            key = str(path[-1])
            close = difflib.get_close_matches(key, known_fields(path[:-1]), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else None
            if len(path) == 1 and key.lower() in _PLATFORM_NICKNAMES:
                hint = f"the section for this platform is '{_PLATFORM_NICKNAMES[key.lower()]}'"
            problem = Problem(
                "HP101",
                Severity.ERROR,
                f"unknown field '{key}'",
                shown,
                located.key_span(path),
                hint or f"known fields: {', '.join(known_fields(path[:-1]))}",
            )
        elif kind == "missing":
            field = str(error["loc"][-1])
            problem = Problem(
                "HP104",
                Severity.ERROR,
                f"'{field}' is missing here",
                shown,
                located.value_span(path),
            )
        else:
            problem = _type_problem(path, kind, error.get("input"), located, shown)
        problems.setdefault(path, problem)
    return sorted(problems.values(), key=lambda p: (p.line or 0, p.column or 0))


def _type_problem(path: Path, kind: str, value: Any, located: Located, shown: str) -> Problem:
    name = _field_name(path)
    expects = _FIELD_EXPECTS.get(str(path[-1])) if path else None
    expects = expects or _TYPE_EXPECTS.get(kind, "a different kind of value")
    return Problem(
        "HP102",
        Severity.ERROR,
        f"{name} must be {expects}, not {_describe(value)}",
        shown,
        located.value_span(path),
        "put text in quotes if YAML reads it as something else (yes/no, numbers, dates)"
        if expects == "text" and not isinstance(value, list | dict)
        else None,
    )


def _field_name(path: Path) -> str:
    parts = [f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in path]
    return "'" + "".join(parts).lstrip(".") + "'" if parts else "the post"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_ABSENT = object()


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _ABSENT)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _data_path(loc: tuple[int | str, ...], data: Any) -> Path:
    """Keep only the parts of pydantic's location that index the data (it adds type names)."""
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        child = _child(node, part)
        if child is not _ABSENT:
            node = child
            path.append(part)
        elif isinstance(node, dict) and position == len(loc) - 1:
            path.append(part)  # an unknown or missing key: keep it for the message
    return tuple(path)
