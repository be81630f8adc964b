"""Triage of a new inbox item: which office it goes to, in which category, by when.

Routes (`inbox.routes`) are tried in the order written; the first that matches wins.
A route names an account (or a group: any of its accounts), keywords, or both (both
must match then). A keyword matches whole words of the text, whatever their case:
`banjir` matches "Banjir!" and "#banjir", not "kebanjiran"; a `*` at its start or end
lets the word go on there (`*banjir*` matches "kebanjiran"). A keyword of several
words (`jalan rusak`) matches them in that order, with any spaces between.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from humaspost.i18n import _
from humaspost.inbox_model import InboxError
from humaspost.inbox_settings import InboxSettings, Route
from humaspost.times import quoted

if TYPE_CHECKING:  # the calendar needs the holiday package; the config reads keywords here
    from humaspost.working_days import WorkingCalendar

WIDEN = "*"
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Triage:
    """What triage decided for an item. `office` None: no route matched (the item is
    `new`); `rule` names the route that matched, e.g. `routes[2] (banjir)`, as the
    item's history says it (the config's words only, never the citizen's)."""

    office: str | None
    category: str | None
    due_at: datetime  # aware, UTC
    rule: str | None


def keyword_problem(keyword: str) -> tuple[str, str | None] | None:
    """Why a keyword of a route cannot be used (the message and a hint), or None."""
    core = keyword.strip().strip(WIDEN)
    if WIDEN in core:
        return (
            _(
                "keyword {keyword} has a '*' inside; a '*' widens a keyword only at its "
                "start or end"
            ).format(keyword=quoted(keyword)),
            _("'*banjir*' also matches 'kebanjiran'; 'banjir' matches the word only"),
        )
    if not _WORD.search(core):
        return _("keyword {keyword} needs a letter or a digit").format(
            keyword=quoted(keyword)
        ), None
    return None


@functools.lru_cache(maxsize=1024)
def _pattern(keyword: str) -> re.Pattern[str]:
    """The regular expression of a keyword (one checked by `keyword_problem`)."""
    written = unicodedata.normalize("NFKC", keyword.strip())
    words = written.strip(WIDEN).split()
    left = "" if written.startswith(WIDEN) else r"(?<!\w)"
    right = "" if written.endswith(WIDEN) else r"(?!\w)"
    return re.compile(left + r"\s+".join(map(re.escape, words)) + right, re.IGNORECASE)


def days_for(category: str | None, settings: InboxSettings) -> int:
    """The working days an item of `category` has to be answered in: the category's own
    (`inbox.categories`), else `inbox.respond_within`. InboxError for a category the
    config does not have."""
    if category is None:
        return settings.respond_within
    if category in settings.categories:
        return settings.categories[category]
    if not settings.categories:
        raise InboxError(
            _("unknown category {name}: the config has no 'inbox.categories'").format(
                name=quoted(category)
            )
        )
    raise InboxError(
        _("unknown category {name}; the config's categories: {names}").format(
            name=quoted(category), names=", ".join(settings.categories)
        )
    )


def triage(
    text: str,
    account: str,
    received_at: datetime,
    settings: InboxSettings,
    groups: Mapping[str, tuple[str, ...]],
    calendar: WorkingCalendar,
) -> Triage:
    """The office, category and due time of an item with `text`, received by `account`
    at `received_at`: by the first route that matches (`groups` are the config's, to
    tell the accounts of a route's group); no route matched: no office, no category,
    due in `respond_within` working days."""
    normalized = unicodedata.normalize("NFKC", text)
    for route in settings.routes:
        rule = _match(route, normalized, account, groups)
        if rule is not None:
            days = days_for(route.category, settings)
            return Triage(route.office, route.category, calendar.due_at(received_at, days), rule)
    return Triage(None, None, calendar.due_at(received_at, settings.respond_within), None)


def _match(
    route: Route, text: str, account: str, groups: Mapping[str, tuple[str, ...]]
) -> str | None:
    """The rule's text if `route` matches, else None: its number, and what matched (the
    account or group, and the first keyword found, as the config writes them)."""
    matched: list[str] = []
    if route.account is not None:
        if account != route.account and account not in groups.get(route.account, ()):
            return None
        matched.append(route.account)
    if route.keywords:
        found = next((k for k in route.keywords if _pattern(k).search(text)), None)
        if found is None:
            return None
        matched.append(found)
    return f"routes[{route.index}] ({', '.join(matched)})"
