"""The fields of a post file and their types, checked with located, plain-worded problems.

Hand-written rather than a pydantic model: it is a small table, its messages are written
for PR staff, and pydantic's import alone would cost `check` about 90 ms per run.
"""

from __future__ import annotations

import difflib
from enum import Enum
from typing import Any

from humaspost.i18n import N_, _
from humaspost.platforms.specs import BUILTIN_SPECS
from humaspost.problems import Problem, Severity
from humaspost.yamlpos import Located, Path


class Kind(Enum):
    """What a field holds; `_MUST_BE` words the problem when it holds something else."""

    TEXT = "text"
    FLAG = "flag"
    NAMES = "names"
    TEXTS = "texts"
    MEDIA = "media"
    SECTION = "section"
    AMPLIFY = "amplify"
    NUMBER = "number"


# HP102 for each kind, whole: `value` is the value as written, or what it is (a list).
_MUST_BE = {
    Kind.TEXT: N_("{field} must be text, not {value}"),
    Kind.FLAG: N_("{field} must be true or false, not {value}"),
    Kind.NAMES: N_("{field} must be an account or group name, or a list of them, not {value}"),
    Kind.TEXTS: N_("{field} must be a list of texts, not {value}"),
    Kind.MEDIA: N_("{field} must be a list of items with 'file' and 'alt', not {value}"),
    Kind.SECTION: N_("{field} must be a mapping of fields (text, thread, media, ...), not {value}"),
    Kind.AMPLIFY: N_("{field} must be a mapping of fields (by, after, spread, text), not {value}"),
    Kind.NUMBER: N_("{field} must be a whole number, not {value}"),
}


POST_FIELDS: dict[str, Kind] = {
    "publish_at": Kind.TEXT,
    "to": Kind.NAMES,
    "text": Kind.TEXT,
    "thread": Kind.TEXTS,
    "media": Kind.MEDIA,
    "draft": Kind.FLAG,
    "repeat": Kind.TEXT,
    "until": Kind.TEXT,
    "expires_at": Kind.TEXT,
    "id": Kind.TEXT,
    "tags": Kind.TEXTS,
    "campaign": Kind.TEXT,
    "author": Kind.TEXT,
    "notes": Kind.TEXT,
    "amplify": Kind.AMPLIFY,
    "repost": Kind.TEXT,
    "reply_to": Kind.NUMBER,
    **dict.fromkeys(BUILTIN_SPECS, Kind.SECTION),
}
MEDIA_FIELDS: dict[str, Kind] = {"file": Kind.TEXT, "alt": Kind.TEXT}
# `amplify:` of a post: who re-shares it, when, and a comment (Facebook only).
AMPLIFY_FIELDS: dict[str, Kind] = {
    "by": Kind.NAMES,
    "after": Kind.TEXT,
    "spread": Kind.TEXT,
    "text": Kind.TEXT,
}
# The field `amplify` must have (and with a value).
AMPLIFY_REQUIRED = "by"
# The field every media item must have (and with a value).
MEDIA_REQUIRED = "file"
_SECTION_BASE: dict[str, Kind] = {"text": Kind.TEXT, "thread": Kind.TEXTS, "media": Kind.MEDIA}
SECTION_FIELDS: dict[str, dict[str, Kind]] = {
    name: {**_SECTION_BASE, **dict.fromkeys(sorted(spec.post_fields), Kind.TEXT)}
    for name, spec in BUILTIN_SPECS.items()
}

# What staff call a platform, mapped to its section name in post files.
_PLATFORM_NICKNAMES = {"x": "twitter", "tweet": "twitter", "fb": "facebook", "meta": "facebook"}


def field_problems(data: dict[str, Any], located: Located, shown: str) -> list[Problem]:
    """Problems with the names and types of a post's fields, in the order written."""
    checker = _FieldChecker(located, shown)
    checker.mapping(data, (), POST_FIELDS)
    return checker.problems


class _FieldChecker:
    def __init__(self, located: Located, shown: str) -> None:
        self.located = located
        self.shown = shown
        self.problems: list[Problem] = []

    def mapping(
        self, data: dict[str, Any], path: Path, fields: dict[str, Kind], required: str = ""
    ) -> None:
        for key, value in data.items():
            kind = fields.get(key)
            if kind is None:
                self.unknown(key, path, fields)
            elif value is not None:
                self.value(value, (*path, key), kind)
        if required and required not in data:
            self.problems.append(
                Problem(
                    "HP104",
                    Severity.ERROR,
                    _("'{field}' is missing here").format(field=required),
                    self.shown,
                    self.located.value_span(path),
                )
            )
        elif required and data[required] is None:
            self.problems.append(
                Problem(
                    "HP110",
                    Severity.ERROR,
                    _("{field} has no value").format(field=_field_name((*path, required))),
                    self.shown,
                    self.located.key_span((*path, required)),
                    _("write the value, e.g. the path of the media file relative to the post")
                    if required == MEDIA_REQUIRED
                    else _(
                        "write the accounts or groups that re-share the post, "
                        "e.g. 'by: [{example}]'"
                    ).format(example="semua-kecamatan"),
                )
            )

    def value(self, value: Any, path: Path, kind: Kind) -> None:
        match kind:
            case Kind.TEXT:
                self.expect(isinstance(value, str), value, path, kind)
            case Kind.FLAG:
                self.expect(isinstance(value, bool), value, path, kind)
            case Kind.NUMBER:
                # YAML's true and false are Python ints too, but no number anyone wrote.
                self.expect(
                    isinstance(value, int) and not isinstance(value, bool), value, path, kind
                )
            case Kind.NAMES | Kind.TEXTS:
                if kind is Kind.NAMES and isinstance(value, str):
                    return
                if self.expect(isinstance(value, list), value, path, kind):
                    for index, item in enumerate(value):
                        self.expect(isinstance(item, str), item, (*path, index), Kind.TEXT)
            case Kind.MEDIA:
                if self.expect(isinstance(value, list), value, path, kind):
                    for index, item in enumerate(value):
                        if self.expect(isinstance(item, dict), item, (*path, index), kind):
                            self.mapping(
                                item, (*path, index), MEDIA_FIELDS, required=MEDIA_REQUIRED
                            )
            case Kind.SECTION:
                if self.expect(isinstance(value, dict), value, path, kind):
                    self.mapping(value, path, SECTION_FIELDS[str(path[-1])])
            case Kind.AMPLIFY:
                if self.expect(isinstance(value, dict), value, path, kind):
                    self.mapping(value, path, AMPLIFY_FIELDS, required=AMPLIFY_REQUIRED)

    def expect(self, ok: bool, value: Any, path: Path, kind: Kind) -> bool:
        if not ok:
            self.problems.append(
                Problem(
                    "HP102",
                    Severity.ERROR,
                    _(_MUST_BE[kind]).format(field=_field_name(path), value=_describe(value)),
                    self.shown,
                    self.located.value_span(path),
                    _(
                        "put text in quotes if YAML reads it as something else "
                        "(yes/no, numbers, dates)"
                    )
                    if kind is Kind.TEXT and not isinstance(value, list | dict)
                    else _(
                        "write the number of the inbox item as 'humaspost inbox' lists it, "
                        "without quotes, e.g. 'reply_to: 42'"
                    )
                    if kind is Kind.NUMBER
                    else None,
                )
            )
        return ok

    def unknown(self, key: str, path: Path, fields: dict[str, Kind]) -> None:
        known = list(fields)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if not path and key.lower() in _PLATFORM_NICKNAMES:
            hint = _("the section for this platform is '{section}'").format(
                section=_PLATFORM_NICKNAMES[key.lower()]
            )
        elif key == "link" and path and path[-1] == "twitter":
            hint = _("on X a link goes in the text itself")
        elif close:
            hint = _("did you mean '{name}'?").format(name=close[0])
        else:
            hint = _("known fields: {fields}").format(fields=", ".join(known))
        self.problems.append(
            Problem(
                "HP101",
                Severity.ERROR,
                _("unknown field '{key}'").format(key=key),
                self.shown,
                self.located.key_span((*path, key)),
                hint,
            )
        )


def _field_name(path: Path) -> str:
    parts = [f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in path]
    return "'" + "".join(parts).lstrip(".") + "'"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"  # YAML's own words, the same in every language
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, int) and value.bit_length() > 133:
        # Over 40 digits, too long to quote anyway; repr() even refuses past 4,300.
        return _("a number of more than 40 digits")
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
