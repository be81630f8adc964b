"""The `inbox` commands' work: list, show, assign, close, reply to and purge the items
citizens wrote to the accounts (fetching is humaspost/inbox_fetch.py).

Each command is one function here, given the config, the publish log's location, the
time and who acts, and returning what happened; humaspost/inbox_view.py turns that into
text, JSON and CSV, and humaspost/cli/inbox.py reads the options.

Items are residents' personal data: they are read from the log and handed back to the
caller, never written to a file. A reply file (`write_reply`) goes to git, so it names
the item by its number and says nothing of who wrote it or what they wrote. Exports may
replace every author by a pseudonym (`pseudonym`), stable within one log.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from humaspost.config import Config
from humaspost.gitsource import NoCheckout, run_git
from humaspost.i18n import N_, _
from humaspost.inbox_log import InboxLog
from humaspost.inbox_model import (
    OPEN,
    STATUS_NAMES,
    HistoryEntry,
    InboxError,
    Item,
    Status,
)
from humaspost.inbox_routing import days_for
from humaspost.inbox_settings import InboxSettings
from humaspost.newpost import PLACEHOLDER, write_new
from humaspost.posts import POST_SUFFIXES
from humaspost.publog import LogLocation, LogRow, PublishLog, log_exists
from humaspost.repository import shown_name
from humaspost.scoping import post_path, takes
from humaspost.times import format_local
from humaspost.working_days import WorkingCalendar

# Who the history names for what humaspost did by itself (received, routed, answered).
HUMASPOST = "humaspost"
# The slug of a reply file: `balasan-42.md` (Indonesian whatever the language, as the
# file names `new` falls back to).
REPLY_SLUG = "balasan-{id}"
# SQLite's integers end here: no item has a larger number.
_MAX_ID = 2**63 - 1
_PSEUDONYM = re.compile(r"warga-[0-9a-f]{8}")
# An X handle in a text: `@warga_uji1` (letters, digits and `_`).
_HANDLE = re.compile(r"@(\w{1,50})", re.ASCII)
# Where a pattern of `paths` stops being a plain folder name.
_GLOB_CHARS = re.compile(r"[*?\[{!]")

NO_SUCH_ITEM = N_("there is no inbox item {id}; `humaspost inbox --status all` lists them")
UNKNOWN_OFFICE = N_("unknown office '{office}'; the offices are: {offices}")
NO_OFFICES = N_("unknown office '{office}': the config names no offices")


class StatusFilter(StrEnum):
    """What `inbox --status` takes: a status, `open` (new and assigned) or `all`."""

    NEW = "new"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"
    NOT_COMPLAINT = "not-complaint"
    OPEN = "open"
    ALL = "all"


def statuses_of(filters: Iterable[StatusFilter]) -> frozenset[Status]:
    """The statuses `inbox --status` asks for; none given: the open ones."""
    chosen: set[Status] = set()
    for given in filters:
        if given is StatusFilter.ALL:
            return frozenset(Status)
        chosen |= OPEN if given is StatusFilter.OPEN else {Status(given.value)}
    return frozenset(chosen or OPEN)


@dataclass(frozen=True)
class Row:
    """An item as the list shows it, at `now`: its age (now - received) and its time
    left (due - now, negative once it is overdue)."""

    item: Item
    age: timedelta
    time_left: timedelta

    @property
    def overdue(self) -> bool:
        """Whether someone still has to follow it up and its due time has passed."""
        return self.item.is_open and self.time_left < timedelta(0)


@dataclass(frozen=True)
class Listing:
    """What `inbox` lists: the items that match, most urgent first. `statuses` are the
    ones asked for; `filtered` says other filters were given; `pseudonymized` says the
    authors are pseudonyms."""

    rows: tuple[Row, ...]
    now: datetime
    statuses: frozenset[Status]
    filtered: bool = False  # by office, account or overdue
    pseudonymized: bool = False


@dataclass(frozen=True)
class Shown:
    """What `inbox show` shows: the item, its history (oldest first) and the deliveries
    that reply to it."""

    row: Row
    history: tuple[HistoryEntry, ...]
    replies: tuple[LogRow, ...]
    now: datetime


@dataclass(frozen=True)
class ReplyFile:
    """The post file `inbox reply` wrote (or, `written` False, would write: `--stdout`),
    its text, and the item it answers."""

    path: Path
    item: Item
    text: str
    written: bool = True


@dataclass(frozen=True)
class Purged:
    """What `inbox purge` deleted: how many items (with their history)."""

    author: str
    deleted: int


def row_at(item: Item, now: datetime) -> Row:
    """An item as shown at `now`."""
    return Row(item, now - item.received_at, item.due_at - now)


def list_items(
    config: Config,
    location: LogLocation,
    now: datetime,
    *,
    statuses: Collection[Status] = OPEN,
    office: str | None = None,
    account: str | None = None,
    overdue: bool = False,
    pseudonymize: bool = False,
) -> Listing:
    """The items with one of `statuses` (of `office`, of `account`, an account or a
    group name, overdue at `now`), most urgent first: due time, then received time,
    then number. Reads the log, and creates none; `pseudonymize` replaces the authors
    by their pseudonyms (which makes the log's pseudonym key the first time)."""
    if office is not None:
        known_office(config, office)
    accounts = _accounts(config, account)
    filtered = office is not None or account is not None or overdue
    if not log_exists(location):
        return Listing((), now, frozenset(statuses), filtered, pseudonymize)
    with PublishLog(location, read_only=not pseudonymize) as log:
        inbox = InboxLog(log)
        found: dict[int, Item] = {}
        chosen: list[str | None] = [*accounts] or [None]
        for name in chosen:
            for item in inbox.items(
                statuses=statuses,
                office=office,
                account=name,
                due_before=now if overdue else None,
            ):
                found[item.id] = item
        items = sorted(found.values(), key=lambda item: (item.due_at, item.received_at, item.id))
        if pseudonymize:
            items = pseudonymized(items, inbox.pseudonym_key())
    rows = tuple(row for row in (row_at(item, now) for item in items) if row.overdue or not overdue)
    return Listing(rows, now, frozenset(statuses), filtered, pseudonymize)


def show_item(location: LogLocation, item_id: int, now: datetime) -> Shown:
    """An item with its history and the deliveries that reply to it; InboxError when
    there is no such item."""
    _log_with_items(location, item_id)
    with PublishLog(location, read_only=True) as log:
        inbox = InboxLog(log)
        item = _existing(inbox, item_id)
        return Shown(
            row_at(item, now), tuple(inbox.history(item.id)), tuple(inbox.replies(item.id)), now
        )


def assign_item(
    config: Config,
    location: LogLocation,
    item_id: int,
    office: str,
    *,
    category: str | None,
    by: str,
    now: datetime,
) -> Item:
    """Give an item to `office` (one of the config's `offices`), reopening a settled
    one; with `category` (one of `inbox.categories`) its due time is counted again from
    when it was received, in that category's working days. One history entry."""
    known_office(config, office)
    settings = config.inbox or InboxSettings()
    if category is not None and category not in settings.categories:
        known = ", ".join(settings.categories)
        raise InboxError(
            _("unknown category '{category}'; the categories are: {categories}").format(
                category=category, categories=known
            )
            if known
            else _("unknown category '{category}': the config names no inbox categories").format(
                category=category
            )
        )
    _log_with_items(location, item_id)
    with PublishLog(location) as log:
        inbox = InboxLog(log)
        item = _existing(inbox, item_id)
        due_at = None
        if category is not None:
            calendar = WorkingCalendar(config.timezone, settings.collective_leave)
            due_at = calendar.due_at(item.received_at, days_for(category, settings))
        return inbox.assign(item.id, office, by=by, now=now, category=category, due_at=due_at)


def close_item(
    location: LogLocation,
    item_id: int,
    note: str,
    *,
    not_complaint: bool,
    by: str,
    now: datetime,
) -> Item:
    """Settle an item with a note saying how (`not_complaint`: there was nothing to
    follow up). One history entry; InboxError for an empty note or a closed item."""
    note = " ".join(note.split())
    if not note:
        raise InboxError(_("--note is empty; say how the item was settled"))
    _log_with_items(location, item_id)
    with PublishLog(location) as log:
        inbox = InboxLog(log)
        item = _existing(inbox, item_id)
        return inbox.close(item.id, note, by=by, now=now, not_complaint=not_complaint)


def write_reply(
    config: Config,
    location: LogLocation,
    item_id: int,
    *,
    now: datetime,
    force: bool,
    write: bool = True,
) -> ReplyFile:
    """Write the post file that answers an item: `balasan-<id>.md` in the folder `new`
    would use (posts_dir/YYYY/MM of `now`; inside the account's `paths` when it has
    them), `to:` the item's account, `reply_to:` its number and the placeholder text
    (HP117 until the reply is written in its place). Never the author or the text.

    Refused (InboxError) for an unknown item, an account the config no longer has, and,
    unless `force`, an item already settled or one whose `balasan-<id>` file exists
    somewhere under posts_dir; with `force` a second file gets `-2`, `-3`, ...

    Without `write`, nothing is written: the text and the path it would have are for
    staff to save in their own clone (an office whose inbox is on the server only).
    """
    _log_with_items(location, item_id)
    with PublishLog(location, read_only=True) as log:
        item = _existing(InboxLog(log), item_id)
    if item.account not in config.accounts:
        raise InboxError(
            _("item {id} came to the account '{account}', which the config no longer has").format(
                id=item.id, account=item.account
            )
        )
    stem = REPLY_SLUG.format(id=item.id)
    if not force:
        if not item.is_open:
            raise InboxError(
                _("item {id} is {status} already; add --force to write another reply").format(
                    id=item.id, status=_(STATUS_NAMES[item.status])
                )
            )
        existing = _reply_files(config.posts_dir, stem)
        if existing:
            raise InboxError(
                _(
                    "a reply to item {id} is already being written: {file}; finish that one,"
                    " or add --force to write another"
                ).format(id=item.id, file=shown_name(existing[0], config.root))
            )
    folder = _reply_folder(config, item.account, now, stem)
    text = _reply_text(config, item)
    if not write:
        return ReplyFile(folder / f"{stem}.md", item, text, written=False)
    folder.mkdir(parents=True, exist_ok=True)
    return ReplyFile(write_new(folder, stem, ".md", text), item, text)


def purge_item(location: LogLocation, item_id: int) -> int:
    """Delete one item (any status) with its history, for a resident whose comment the
    platform shows without an author; returns its number. InboxError for an unknown
    item. Creates no log."""
    _log_with_items(location, item_id)
    with PublishLog(location) as log:
        inbox = InboxLog(log)
        _existing(inbox, item_id)
        inbox.purge_item(item_id)
    return item_id


def purge_author(location: LogLocation, author: str) -> Purged:
    """Delete every item (any status) whose author is `author`: an X handle (any case,
    `@` optional), a platform's author id, or a pseudonym as exports show it; with
    their history. Reply deliveries stay. Creates no log."""
    author = author.strip()
    if not author:
        raise InboxError(_("--author is empty; give a handle, an author id or a pseudonym"))
    if not log_exists(location):
        return Purged(author, 0)
    with PublishLog(location) as log:
        inbox = InboxLog(log)
        found = set(inbox.authors(author))
        if _PSEUDONYM.fullmatch(author.lower()):
            key = inbox.pseudonym_key()
            everyone = {(i.platform, i.author_id) for i in inbox.items(statuses=frozenset(Status))}
            found |= {who for who in everyone if pseudonym(key, *who) == author.lower()}
        return Purged(author, inbox.purge_authors(found) if found else 0)


def who_acts(by: str | None, environ: Mapping[str, str], repo_dir: Path) -> str:
    """Who a person's change is recorded as done by: `--by`, else $HUMASPOST_USER,
    else git's `user.name` in the repository; none: InboxError asking for --by."""
    if by is not None:
        if not by.strip():
            raise InboxError(_("--by is empty; give the name of who acts"))
        return " ".join(by.split())
    if environ.get("HUMASPOST_USER", "").strip():
        return " ".join(environ["HUMASPOST_USER"].split())
    found = run_git(repo_dir, "config", "user.name")
    if not isinstance(found, NoCheckout) and found.returncode == 0:
        name = " ".join(found.stdout.decode("utf-8", "replace").split())
        if name:
            return name
    raise InboxError(
        _(
            "who is acting? Give --by NAME, or set HUMASPOST_USER, or git's user.name"
            " (git config user.name 'Your Name')"
        )
    )


def known_office(config: Config, office: str) -> None:
    """InboxError unless `office` is one of the config's `offices`, naming them."""
    if office in config.offices:
        return
    if not config.offices:
        raise InboxError(_(NO_OFFICES).format(office=office))
    raise InboxError(_(UNKNOWN_OFFICE).format(office=office, offices=", ".join(config.offices)))


def pseudonym(key: bytes, platform: str, author_id: str) -> str:
    """An author's pseudonym in exports: `warga-` and 8 hex digits of HMAC-SHA256 of
    `platform:author_id` under the log's key: the same in every export of one log. An
    author the platform hides (no id) has none: '', never one pseudonym for them all."""
    if not author_id:
        return ""
    digest = hmac.new(key, f"{platform}:{author_id}".encode(), hashlib.sha256).hexdigest()
    return f"warga-{digest[:8]}"


def pseudonymized(items: Iterable[Item], key: bytes) -> list[Item]:
    """The items with every author replaced by a pseudonym: the author's id, name and
    handle, and an `@handle` of any of these authors in a text. The item's and the
    reply's addresses and the mention's own id are dropped: each leads back to the
    author on the platform."""
    listed = list(items)
    names = {item.id: pseudonym(key, item.platform, item.author_id) for item in listed}
    handles = {item.author_handle.lower(): names[item.id] for item in listed if item.author_handle}

    def masked(text: str) -> str:
        return _HANDLE.sub(lambda m: "@" + handles.get(m.group(1).lower(), m.group(1)), text)

    return [
        replace(
            item,
            author_id=names[item.id],
            author_name=names[item.id],
            author_handle=names[item.id] if item.author_handle else None,
            text=masked(item.text),
            url="",
            remote_id="",
            reply_url=None,
        )
        for item in listed
    ]


def fetch_accounts(config: Config, names: Iterable[str]) -> list[str] | None:
    """The accounts `inbox fetch --account` names (accounts or groups, in the
    config's order); none named: None, every account."""
    chosen = {account for name in names for account in _accounts(config, name)}
    return [name for name in config.accounts if name in chosen] if chosen else None


def _log_with_items(location: LogLocation, item_id: int) -> None:
    """InboxError for an item number where there is no log at all (none is made)."""
    if not log_exists(location):
        raise InboxError(_(NO_SUCH_ITEM).format(id=item_id))


def _existing(inbox: InboxLog, item_id: int) -> Item:
    item = inbox.item(item_id) if 0 < item_id <= _MAX_ID else None
    if item is None:
        raise InboxError(_(NO_SUCH_ITEM).format(id=item_id))
    return item


def _accounts(config: Config, name: str | None) -> list[str]:
    """The accounts `--account` names (an account or a group); none: every one."""
    if name is None:
        return []
    accounts = config.expand(name)
    if accounts is None:
        known = ", ".join([*config.accounts, *config.groups])
        raise InboxError(
            _("--account: unknown account or group '{name}' (known: {names})").format(
                name=name, names=known
            )
        )
    return list(accounts)


def _reply_files(posts_dir: Path, stem: str) -> list[Path]:
    """The reply files of one item anywhere under posts_dir (`balasan-42.md`, and the
    `balasan-42-2.md` of a second reply)."""
    numbered = re.compile(re.escape(stem) + r"(-\d+)?")
    return sorted(
        path
        for suffix in POST_SUFFIXES
        for path in posts_dir.rglob(f"{stem}*{suffix}")
        if numbered.fullmatch(path.name.removesuffix(suffix))
    )


def _reply_folder(config: Config, account: str, now: datetime, stem: str) -> Path:
    """Where `new` would put a post written at `now`: posts_dir/YYYY/MM, under the
    plain folders an account's `paths` start with when it has some (a post outside
    them may not go to it, HP118)."""
    local = now.astimezone(config.timezone)
    dated = Path(f"{local:%Y}", f"{local:%m}")
    paths = config.accounts[account].paths
    if not paths:
        return config.posts_dir / dated
    for pattern in paths:
        base = config.posts_dir.joinpath(*_plain_folders(pattern))
        for folder in (base / dated, base):
            if takes(paths, post_path(folder / f"{stem}.md", config.posts_dir)):
                return folder
    raise InboxError(
        _(
            "the 'paths' of account '{account}' name no folder a reply file can be written"
            " to; write the post with reply_to by hand"
        ).format(account=account)
    )


def _plain_folders(pattern: str) -> list[str]:
    """The folders a `paths` pattern names before its first wildcard within a name
    (a `**` stands for no folder at all): `**/timur/*.md` gives `timur`."""
    plain = []
    for folder in pattern.split("/")[:-1]:
        if folder == "**":
            continue
        if _GLOB_CHARS.search(folder) or folder in ("", ".", ".."):
            break
        plain.append(folder)
    return plain


def _reply_text(config: Config, item: Item) -> str:
    """A reply post file: comments naming the item (never its author or text), `to:`,
    `reply_to:`, then the placeholder for the reply's text."""
    tz = config.timezone
    about = _(
        "# Reply to inbox item {id}: {platform}, account {account}.\n"
        "# Received {received}; due {due}.\n"
        "# To read it: humaspost inbox show {id}\n"
        "# Write the reply in place of the text below; it is sent as the reply when this\n"
        "# file is merged and published.\n"
    ).format(
        id=item.id,
        platform=item.platform,
        account=item.account,
        received=format_local(item.received_at, tz),
        due=format_local(item.due_at, tz),
    )
    return f"---\n{about}to: [{item.account}]\nreply_to: {item.id}\n---\n{_(PLACEHOLDER)}\n"
