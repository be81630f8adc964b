"""`inbox fetch`: bring what citizens wrote to every account into the inbox.

Each account is fetched under a lease in the publish log (two servers on one database,
or a daemon and a person at the keyboard, never read the same account at once), page
by page: a page's items and the adapter's cursor are stored in one transaction, so a
fetch cut off anywhere goes on from the last stored page and loses and doubles nothing.
A rate limit ends that account's fetch until the platform's reset time (kept in the
log, so the next fetch does not spend a request to learn it again); the other accounts
go on. Every fetch also deletes what `inbox.retain` no longer keeps.

Nothing here writes a resident's words or name anywhere but the log: results carry
counts and the accounts' names only.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from humaspost.config import Config
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.i18n import _
from humaspost.inbox_log import FetchLost, InboxLog, NewItem
from humaspost.inbox_model import Incoming
from humaspost.inbox_routing import triage
from humaspost.inbox_settings import InboxSettings
from humaspost.platforms.base import (
    Clock,
    Listening,
    PublishError,
    ResolvedAccount,
    TransientError,
    listening,
)
from humaspost.problems import Problem
from humaspost.processes import is_gone, this_process
from humaspost.publog import LogLocation, PublishLog
from humaspost.working_days import WorkingCalendar


class FetchStatus(StrEnum):
    """How an account's fetch ended. Shown in JSON as these names."""

    DONE = "done"
    RATE_LIMITED = "rate-limited"  # the platform said to wait; the rest comes next time
    BUSY = "busy"  # another fetcher (a daemon on another server) holds the account
    FAILED = "failed"  # credentials, a refused request, the network: `message` says
    WAITING = "waiting"  # an earlier fetch's rate limit has not reset yet
    NO_INBOX = "no-inbox"  # the account's platform (a plugin) cannot read an inbox


@dataclass(frozen=True)
class AccountFetch:
    """What one account's fetch did: items new to the inbox, pages read."""

    account: str
    platform: str
    status: FetchStatus
    new: int
    pages: int
    message: str | None = None
    retry_at: datetime | None = None
    read: int = 0  # mentions or comments the platform returned, new or not


@dataclass(frozen=True)
class FetchResult:
    """A whole fetch: each account's outcome (config order), the numbers of the new
    items, and how many settled items retention deleted."""

    accounts: tuple[AccountFetch, ...]
    new_items: tuple[int, ...]
    deleted: int
    x_read_cost: Decimal = Decimal(0)  # what X bills for the posts read (x_prices.read)

    @property
    def x_reads(self) -> int:
        """The posts read from X (each billed on X's pay-per-use plan)."""
        return sum(fetch.read for fetch in self.accounts if fetch.platform == "twitter")

    @property
    def failed(self) -> bool:
        """Whether an account's fetch failed (exit code 1); rate limits are not failures."""
        return any(fetch.status is FetchStatus.FAILED for fetch in self.accounts)


def fetch_inbox(
    config: Config,
    location: LogLocation,
    environ: Mapping[str, str],
    clock: Clock,
    *,
    accounts: Collection[str] | None = None,
    stop: threading.Event | None = None,
) -> FetchResult:
    """Fetch every account (or those named, in config order) into the inbox of the log
    at `location`, after deleting the settled items `inbox.retain` no longer keeps.
    `stop` (the daemon's) ends the fetch between pages; what was stored stays."""
    settings = config.inbox or InboxSettings()
    names = [name for name in config.accounts if accounts is None or name in accounts]
    resolved, missing = resolve_accounts(config, names, environ, sandbox=False)
    adapters = build_adapters(config, resolved, clock)
    fetcher = _Fetcher(config, settings, clock, stop or threading.Event())
    results: list[AccountFetch] = []
    new_items: list[int] = []
    with PublishLog(location) as log:
        inbox = InboxLog(log)
        deleted = inbox.purge_settled_before(clock() - settings.retain)
        for name in names:
            platform = config.accounts[name].platform
            if name in missing:
                results.append(_missing_secrets(name, platform, missing[name]))
                continue
            adapter = listening(adapters[name])
            if adapter is None:
                message = _("the platform '{platform}' cannot read mentions or comments")
                results.append(
                    AccountFetch(
                        name,
                        platform,
                        FetchStatus.NO_INBOX,
                        0,
                        0,
                        message.format(platform=platform),
                    )
                )
                continue
            fetch, ids = fetcher.account(inbox, adapter, resolved[name])
            results.append(fetch)
            new_items.extend(ids)
            if fetcher.stop.is_set():
                break
    fetched = FetchResult(tuple(results), tuple(new_items), deleted)
    return replace(fetched, x_read_cost=config.x_prices.read * fetched.x_reads)


def _missing_secrets(name: str, platform: str, problems: list[Problem]) -> AccountFetch:
    """An account that cannot be read: its secrets are not set (named, never shown)."""
    message = "; ".join(problem.message for problem in problems)
    return AccountFetch(name, platform, FetchStatus.FAILED, 0, 0, message)


class _Fetcher:
    """Fetches one account at a time under its lease, routing what comes in."""

    def __init__(
        self, config: Config, settings: InboxSettings, clock: Clock, stop: threading.Event
    ) -> None:
        self.config = config
        self.settings = settings
        self.clock = clock
        self.stop = stop
        self.owner = this_process()
        self.calendar = WorkingCalendar(config.timezone, settings.collective_leave)

    def account(
        self, inbox: InboxLog, adapter: Listening, account: ResolvedAccount
    ) -> tuple[AccountFetch, list[int]]:
        """Fetch one account: claim it, read its pages, store each, release it."""
        name, platform = account.name, self.config.accounts[account.name].platform
        now = self.clock()
        claim = inbox.claim_fetch(
            name, platform, self.owner, self._lease_end(now), now, is_gone=is_gone
        )
        if claim is None:
            message = _("another humaspost is fetching this account now")
            return AccountFetch(name, platform, FetchStatus.BUSY, 0, 0, message), []
        if claim.not_before is not None and claim.not_before > now:
            inbox.release_fetch(
                name, self.owner, now=now, complete=False, not_before=claim.not_before
            )
            message = _("the platform's rate limit has not reset yet")
            fetch = AccountFetch(
                name, platform, FetchStatus.WAITING, 0, 0, message, claim.not_before
            )
            return fetch, []
        ids: list[int] = []
        read = 0
        pages = 0
        answered: dict[str, str | None] = {}
        try:
            for page in adapter.read_inbox(account, claim.cursor, now - self.settings.since):
                pages += 1
                read += len(page.items)
                now = self.clock()
                items = [
                    self._new_item(inbox, name, platform, entry, now, answered)
                    for entry in page.items
                ]
                ids += inbox.store_page(
                    name, self.owner, items, page.cursor, self._lease_end(now), now
                )
                if page.complete:
                    inbox.release_fetch(name, self.owner, now=now, complete=True)
                    done = AccountFetch(name, platform, FetchStatus.DONE, len(ids), pages)
                    return replace(done, read=read), ids
                if self.stop.is_set():
                    break
        except FetchLost:
            message = _("another humaspost took this account over; it goes on from there")
            lost = AccountFetch(name, platform, FetchStatus.BUSY, len(ids), pages, message)
            return replace(lost, read=read), ids
        except TransientError as error:
            now = self.clock()
            retry_at = now + timedelta(seconds=error.retry_after) if error.retry_after else None
            inbox.release_fetch(name, self.owner, now=now, complete=False, not_before=retry_at)
            status = FetchStatus.RATE_LIMITED if retry_at else FetchStatus.FAILED
            fetch = AccountFetch(name, platform, status, len(ids), pages, str(error), retry_at)
            return replace(fetch, read=read), ids
        except PublishError as error:
            inbox.release_fetch(name, self.owner, now=self.clock(), complete=False)
            fetch = AccountFetch(name, platform, FetchStatus.FAILED, len(ids), pages, str(error))
            return replace(fetch, read=read), ids
        # Stopped between pages: the stored cursor says where the next fetch goes on.
        inbox.release_fetch(name, self.owner, now=self.clock(), complete=False)
        message = _("stopped before the last page; the next fetch goes on from here")
        stopped = AccountFetch(name, platform, FetchStatus.DONE, len(ids), pages, message)
        return replace(stopped, read=read), ids

    def _lease_end(self, now: datetime) -> datetime:
        return now + self.config.lease

    def _new_item(
        self,
        inbox: InboxLog,
        account: str,
        platform: str,
        entry: Incoming,
        now: datetime,
        answered: dict[str, str | None],
    ) -> NewItem:
        """An item as the log stores it: routed, with its due time and our post."""
        routed = triage(
            entry.text,
            account,
            entry.created_at,
            self.settings,
            self.config.groups,
            self.calendar,
        )
        # Our post it answers: the one it replies to, else the one its thread starts at.
        post = None
        for remote_id in (entry.answers_remote_id, entry.thread_remote_id):
            if remote_id is not None and post is None:
                if remote_id not in answered:
                    answered[remote_id] = inbox.post_answered(account, remote_id)
                post = answered[remote_id]
        return NewItem(
            incoming=entry,
            platform=platform,
            account=account,
            fetched_at=now,
            answers_post=post,
            office=routed.office,
            category=routed.category,
            due_at=routed.due_at,
            routed_by=routed.rule,
        )
