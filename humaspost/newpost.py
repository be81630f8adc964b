"""`new`: a post file started from a template, named from its date and title."""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime, timedelta
from difflib import get_close_matches
from functools import cache
from pathlib import Path

from humaspost.config import Config
from humaspost.i18n import LANGUAGES, N_, _, translations_for
from humaspost.posts import POST_SUFFIXES
from humaspost.problems import UsageError
from humaspost.times import TimeFormatError, parse_datetime

MAX_SLUG = 60
# A title with nothing to name a file from (only emoji, say) still gets a name.
FALLBACK_SLUG = "pengumuman"
# Where media live by convention (README: media/ at the repository root).
MEDIA_FOLDER = "media"
# The publish time `new` suggests when there is no --at: tomorrow, 09:00 local time.
DEFAULT_HOUR = "09:00"

# Messages, translated when shown (the language is chosen after this module is loaded).
EMPTY_TITLE = N_('the title is empty; give the post a title, e.g. humaspost new "Pasar murah"')
EMPTY_TO = N_("--to: no account or group named; write names separated by commas")
UNKNOWN_TO_CLOSE = N_("--to: unknown account or group '{name}' (did you mean '{match}'?)")
UNKNOWN_TO_KNOWN = N_("--to: unknown account or group '{name}' (known: {names})")
# The post's first text, in the language in use; `check` refuses a post that still
# holds it (HP117), in either language.
PLACEHOLDER = N_("Write the announcement here.")

# The comments of a new post file follow the language in use; the fields do not.
DEFAULT_TO = N_("# to: [...]  (without 'to', the post goes to defaults.to of the config)")
ALT_EXAMPLE = N_("A description of the picture for people who cannot see it")

MARKDOWN_TEMPLATE = """\
---
publish_at: {publish_at}
{to}# media:
#   - file: {media}
#     alt: {alt}
---
{title}

{placeholder}
"""

YAML_TEMPLATE = """\
publish_at: {publish_at}
{to}# media:
#   - file: {media}
#     alt: {alt}
text: |
  {title}

  {placeholder}
"""

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def slug(title: str) -> str:
    """A file name from a title: ASCII letters and digits joined by '-', at most 60."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = _NOT_ALPHANUMERIC.sub("-", folded.lower()).strip("-")
    return text[:MAX_SLUG].rstrip("-") or FALLBACK_SLUG


def create_post(
    config: Config,
    title: str,
    *,
    at: str | None,
    to: str | None,
    as_yaml: bool,
    now: datetime,
) -> Path:
    """Write a new post file under posts_dir/YYYY/MM/ and return its path.

    `at` is read in the config's timezone (default: tomorrow 09:00 local after `now`);
    `to` is a comma-separated list of the config's accounts and groups. An existing
    post with the same name (in any post format) is never overwritten: the new one
    gets -2, -3, ... Raises UsageError for an empty title, a bad time or an unknown name.
    """
    title = " ".join(title.split())
    if not title:
        raise UsageError(_(EMPTY_TITLE))
    publish_at = _publish_at(config, at, now)
    local = publish_at.astimezone(config.timezone)
    names = _targets(config, to)
    folder = config.posts_dir / f"{local:%Y}" / f"{local:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".yaml" if as_yaml else ".md"
    media = Path(os.path.relpath(config.root / MEDIA_FOLDER / "gambar.png", folder)).as_posix()
    text = (YAML_TEMPLATE if as_yaml else MARKDOWN_TEMPLATE).format(
        publish_at=f"{local:%Y-%m-%d %H:%M}",
        to=f"to: [{', '.join(names)}]\n" if names else _(DEFAULT_TO) + "\n",
        media=media,
        alt=_(ALT_EXAMPLE),
        title=title,
        placeholder=_(PLACEHOLDER),
    )
    return write_new(folder, slug(title), suffix, text)


def _publish_at(config: Config, at: str | None, now: datetime) -> datetime:
    if at is None:
        tomorrow = now.astimezone(config.timezone).date() + timedelta(days=1)
        at = f"{tomorrow:%Y-%m-%d} {DEFAULT_HOUR}"
    try:
        return parse_datetime(at, config.timezone)
    except TimeFormatError as exc:
        raise UsageError(f"--at: {exc}") from None


def _targets(config: Config, to: str | None) -> list[str]:
    if to is None:
        return []
    names = list(dict.fromkeys(name.strip() for name in to.split(",") if name.strip()))
    if not names:
        raise UsageError(_(EMPTY_TO))
    known = [*config.accounts, *config.groups]
    for name in names:
        if config.expand(name) is None:
            close = get_close_matches(name, known, n=1)
            if close:
                raise UsageError(_(UNKNOWN_TO_CLOSE).format(name=name, match=close[0]))
            raise UsageError(_(UNKNOWN_TO_KNOWN).format(name=name, names=", ".join(known)))
    return names


def write_new(folder: Path, stem: str, suffix: str, text: str) -> Path:
    """Write `text` to a new post file `stem` + `suffix` in `folder`, as `stem-2`, `-3`,
    ... when a post of that name exists in any format; never overwrites a file."""
    # Every post format is looked at: `a.md` beside `a.yaml` would be two posts with
    # one id (HP112).
    number = 1
    while True:
        name = stem if number == 1 else f"{stem}-{number}"
        if not any((folder / f"{name}{s}").exists() for s in POST_SUFFIXES):
            path = folder / f"{name}{suffix}"
            try:
                # "x" fails rather than overwrite a file made since the look above.
                with path.open("x", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
            except FileExistsError:
                pass
            else:
                return path
        number += 1


@cache
def placeholders() -> frozenset[str]:
    """The placeholder text `new` writes, in every language: a post still holding it
    was never written (read from the catalogs once, when first asked)."""
    return frozenset(translations_for(language).gettext(PLACEHOLDER) for language in LANGUAGES)
