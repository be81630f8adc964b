"""The JSON Schema (draft 2020-12) of post files, for editors and `check-jsonschema`.

Built from post_schema's field table, so that a field added there, or a type changed,
is in the schema too; only the descriptions are written here (a field without one fails
to build, and so the tests). The schema covers a `.yaml` post and the front matter of a
`.md` post alike.

What it cannot say, and `humaspost check` still reports:

- The rules beyond names and types: `text` and `thread` not both, and neither in the
  front matter of a `.md` post, whose body is the text (HP111); text or media present
  (HP104); a field written with no value, such as `to:` (HP109, HP110): the schema, like
  the type check, accepts `null` for every field but a media item's `file`.
- Anything that needs the configuration or the files around the post: account and group
  names (HP103), media files and their formats (HP2xx), lengths per platform, alt text
  required or not, the timezone (a local time that does not exist, HP105).
- A reply (`reply_to`): that it goes to exactly one account and not with `repost`,
  `amplify` or `repeat` (HP125), and whether the inbox has the item (HP127, HP128).
- The date-times' `pattern` is the written form only: not that the date is real, nor the
  years 1970 to 9000 (HP105). `repeat` is any text: crontab's grammar and the at most
  once an hour rule (HP107, HP116) are left to `check`. An id's characters (HP113) and a
  Facebook link's address (HP302) are not checked either.
- YAML before it is data: duplicate keys (HP004), keys that are not names (HP009), tags
  (HP011), and `#text` read as a comment (HP115) are gone by the time a schema sees the
  document. And the tool that turns YAML into data decides some types before the schema
  does: humaspost reads YAML 1.1 but keeps unquoted timestamps as text, while the YAML
  language server reads YAML 1.2, where `yes` and `no` are text (so it refuses
  `draft: yes`, which humaspost takes as true) and a tool of YAML 1.1 may make
  `2026-12-01 08:00` a date (and refuse it as not a string).
"""

from __future__ import annotations

from typing import Any

from humaspost.i18n import N_, _
from humaspost.post_schema import (
    AMPLIFY_FIELDS,
    AMPLIFY_REQUIRED,
    MEDIA_FIELDS,
    MEDIA_REQUIRED,
    POST_FIELDS,
    SECTION_FIELDS,
    Kind,
)
from humaspost.times import DATETIME_FORM

SCHEMA_ID = "urn:humaspost:post-file"

# Fields holding a date-time as times.parse_datetime reads it (after stripping blanks).
_TIME_FIELDS = frozenset({"publish_at", "until", "expires_at"})
_TIME_PATTERN = rf"^\s*{DATETIME_FORM}\s*$"
# A duration as times.parse_duration reads it (`amplify.after`, `amplify.spread`).
_DURATION_PATTERN = r"^\s*\d+\s*(ms|s|m|h|d|w)\s*$"
# The descriptions are marked here and translated when the schema is built: editors show
# them as hover help, in the language humaspost speaks. `{how}` is _TIME_HOW.
_TIME_HOW = N_(
    "Write the date, a space and the time, e.g. 2026-12-01 08:00 (or 08.00, the "
    "Indonesian way); local time in the configuration's timezone unless an offset such as "
    "+07:00 follows. A date alone is refused."
)

_POST_DESCRIPTIONS = {
    "publish_at": N_("When to publish. {how} Needed unless the post has 'repeat' or 'reply_to'."),
    "to": N_(
        "The accounts and groups of the configuration to publish to: one name, or a list "
        "such as [pemkot-x, pemkot-fb]. Without it, the post goes to defaults.to."
    ),
    "text": N_(
        "The text of the post, published exactly as written (it is not Markdown). In a "
        ".yaml file write 'text: |' and the text on the lines below, indented. In a .md file "
        "the text is the body below the front matter: do not write this field there."
    ),
    "thread": N_(
        "Several parts published in a row (on X, each part replies to the one before; "
        "on Facebook, the parts are joined into one post). Instead of 'text'. In a .md file, "
        "separate the parts of the body with a line '---' instead."
    ),
    "media": N_("Pictures or a video: a list of items, each with 'file' and 'alt'."),
    "draft": N_("true: the post is checked but never published. Write true or false."),
    "repeat": N_(
        "Publish again and again, on a crontab schedule in quotes: minute hour "
        'day-of-month month day-of-week, e.g. "30 6 * * 5" for every Friday at 06:30 local '
        "time. At most once an hour."
    ),
    "until": N_("With 'repeat': the last moment it may publish. {how}"),
    "expires_at": N_("Never publish after this moment, even when the post is late. {how}"),
    "id": N_(
        "The post's fixed name; by default its path under posts/ without the ending. "
        "Write the old id here before renaming or moving the file, or it becomes a new post."
    ),
    "tags": N_("Labels for the office, a list of words; kept in the publish log, never published."),
    "campaign": N_("The campaign the post belongs to; kept in the publish log, never published."),
    "author": N_("Who wrote the post; kept in the publish log, never published."),
    "notes": N_("Notes for the office or the reviewer; kept in the publish log, never published."),
    "amplify": N_(
        "Other accounts re-share this post after it went out: on X a repost, on Facebook "
        "a share on the page. A mapping with 'by' and, if wanted, 'after', 'spread' and "
        "'text'."
    ),
    "repost": N_(
        "Instead of a post of its own: the accounts in 'to' re-share the post at this "
        "address, an X post (https://x.com/<user>/status/<number>) or a Facebook post "
        "(https://www.facebook.com/<page>/posts/<id>). Only 'text' may go with it, as a "
        "comment, on Facebook only."
    ),
    "reply_to": N_(
        "The number of an inbox item (as 'humaspost inbox' lists it): the post is published "
        "as the reply to that mention or comment, from the account it came to, which 'to' "
        "names. Without 'publish_at' it goes out as soon as humaspost sees the file."
    ),
}
_AMPLIFY_DESCRIPTIONS = {
    "by": N_(
        "The accounts and groups that re-share: one name, or a list such as "
        "[semua-kecamatan]. Each re-shares the delivery on its own platform."
    ),
    "after": N_(
        "How long after the post went out the re-shares start, a number and a unit: "
        "30m, 2h, 1d. By default 10m."
    ),
    "spread": N_(
        "Over how long the re-shares are spread, evenly and in a fixed order, e.g. 30m. "
        "By default 0: all at once, at 'after'."
    ),
    "text": N_(
        "A comment with each Facebook share. Not with X accounts in 'by': an X repost "
        "carries no text."
    ),
}
_MEDIA_DESCRIPTIONS = {
    "file": N_(
        "The path of the picture or video from the folder of this post file, e.g. "
        "../../../media/poster.png. It must be inside the repository."
    ),
    "alt": N_(
        "Alt text: a description of the picture for people who cannot see it (screen "
        "readers read it aloud). Needed unless the configuration sets require_alt_text: false."
    ),
}
# Platform names, the same in every language.
_PLATFORM_LABELS = {"twitter": "X (Twitter)", "facebook": "Facebook", "sandbox": "sandbox"}
_SECTION_DESCRIPTIONS = {
    "text": N_("The text for {label} accounts, instead of the post's text."),
    "thread": N_("The thread for {label} accounts, instead of the post's text or thread."),
    "media": N_("The media for {label} accounts, instead of the post's; [] sends none."),
    "link": N_("A web page (https://...) attached to the post on {label} accounts."),
}
_JSON_TYPES: dict[Kind, list[str]] = {
    Kind.TEXT: ["string"],
    Kind.FLAG: ["boolean"],
    Kind.NAMES: ["string", "array"],
    Kind.TEXTS: ["array"],
    Kind.MEDIA: ["array"],
    Kind.NUMBER: ["integer"],
}


def post_json_schema() -> dict[str, Any]:
    """The JSON Schema of a post file's fields (a .yaml post, a .md post's front matter)."""
    how = _(_TIME_HOW)
    properties = {
        name: _section(name)
        if kind is Kind.SECTION
        else _amplify(_(_POST_DESCRIPTIONS[name]))
        if kind is Kind.AMPLIFY
        else _field(kind, _(_POST_DESCRIPTIONS[name]).format(how=how))
        for name, kind in POST_FIELDS.items()
    }
    for name in _TIME_FIELDS:
        properties[name]["pattern"] = _TIME_PATTERN
    # Item numbers start at 1 (HP125 for one below).
    properties["reply_to"]["minimum"] = 1
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": _("humaspost post file"),
        "description": _(
            "The fields of a humaspost post: a .yaml post file, or the front "
            "matter of a .md post file. Any other field name is an error."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def _field(kind: Kind, description: str) -> dict[str, Any]:
    """The schema of a field that is not a section. `null` is allowed as the type check
    allows it: a field written without a value is another problem (HP109, HP110)."""
    schema: dict[str, Any] = {"description": description, "type": [*_JSON_TYPES[kind], "null"]}
    if kind in (Kind.NAMES, Kind.TEXTS):
        schema["items"] = {"type": "string"}
    elif kind is Kind.MEDIA:
        schema["items"] = _media_item()
    return schema


def _section(platform: str) -> dict[str, Any]:
    label = _PLATFORM_LABELS[platform]
    return {
        "description": _(
            "What {label} accounts get instead of the rest of the post; what "
            "the section does not mention stays as in the rest of the post."
        ).format(label=label),
        "type": ["object", "null"],
        "properties": {
            name: _field(kind, _(_SECTION_DESCRIPTIONS[name]).format(label=label))
            for name, kind in SECTION_FIELDS[platform].items()
        },
        "additionalProperties": False,
    }


def _amplify(description: str) -> dict[str, Any]:
    properties = {
        name: _field(kind, _(_AMPLIFY_DESCRIPTIONS[name])) for name, kind in AMPLIFY_FIELDS.items()
    }
    for name in ("after", "spread"):
        properties[name]["pattern"] = _DURATION_PATTERN
    # `by` must also have a value: an empty one is HP110.
    properties[AMPLIFY_REQUIRED]["type"].remove("null")
    return {
        "description": description,
        "type": ["object", "null"],
        "properties": properties,
        "required": [AMPLIFY_REQUIRED],
        "additionalProperties": False,
    }


def _media_item() -> dict[str, Any]:
    properties = {
        name: _field(kind, _(_MEDIA_DESCRIPTIONS[name])) for name, kind in MEDIA_FIELDS.items()
    }
    # The required field must also have a value: an empty one is HP110.
    properties[MEDIA_REQUIRED]["type"].remove("null")
    return {
        "type": "object",
        "properties": properties,
        "required": [MEDIA_REQUIRED],
        "additionalProperties": False,
    }
