"""One publishing pass: what `publish` does once and the daemon does at every wake-up."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from humaspost.config import Config
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.gitsource import Checkout, NoCheckout, authors
from humaspost.i18n import _
from humaspost.log_migration import refuse_unmigrated
from humaspost.plan import Delivery, State
from humaspost.platforms.base import ResolvedAccount
from humaspost.problems import Problem, UsageError
from humaspost.publisher import Outcome, PublishEvents, PublishSettings, Result, publish_due
from humaspost.publog import LogLocation, LogRow, PublishLog, RowState, log_exists
from humaspost.real_time_guard import clock_ahead_refusal, is_ahead, is_public_api
from humaspost.times import OffsetClock
from humaspost.workflow import LoadedPosts, committed_only, plan_from_log, sendable

# How a delivery may end in a pass that a person has to look at.
_BAD_RESULTS = (Result.MISSED, Result.FAILED, Result.UNKNOWN)


@dataclass(frozen=True)
class PassResult:
    """What one pass did, and what needs a person's attention."""

    outcomes: list[Outcome]
    missing_secrets: Mapping[str, list[Problem]]
    settled_unknown: list[LogRow]  # left by a publisher that died with a part in flight
    unknown_before: int
    unknown_after: int
    not_started: list[Delivery]  # due, but the pass was stopped before their turn
    held_back: list[Delivery]  # due, but their post file has errors
    # Due, but their post file is not as the checked-out commit has it (publish_from:
    # committed); nothing of them is written to the log, so they go out once it is.
    not_committed: list[Delivery] = field(default_factory=list)

    @property
    def went_wrong(self) -> bool:
        """Whether a person must look (`publish` exits 1): a delivery ended missed,
        failed or unknown in this pass, rows were settled unknown, or a due post was
        held back by errors in its file or by changes not committed. (A retry still to
        come is not wrong yet.)"""
        return bool(
            self.settled_unknown
            or self.held_back
            or self.not_committed
            or any(o.result in _BAD_RESULTS for o in self.outcomes)
        )


def publish_pass(
    config: Config,
    loaded: LoadedPosts,
    *,
    log_path: LogLocation,
    clock: OffsetClock,
    environ: Mapping[str, str],
    sandbox: bool,
    settings: PublishSettings,
    events: PublishEvents,
    is_gone: Callable[[str], bool],
    only_post: str | None = None,
    stop: threading.Event | None = None,
    planner: Planner | None = None,
) -> PassResult:
    """Settle stale claims, plan against the log, and send everything due now.

    Deliveries past their deadline are recorded as missed whatever else is wrong (a
    missing secret, a file with errors): nothing vanishes without a trace.

    With `publish_from: committed` (not `--sandbox`), a post is sent only when its file
    is as the checked-out commit has it; the others are held back (`not_committed`).

    Raises UsageError, before anything is sent, when `clock` is ahead of the real one
    and an account to be sent to is on a public API (see real_time_guard), or when only
    committed posts may be sent and the posts are not in a git checkout."""
    refuse_outside_git(config, loaded, sandbox=sandbox)
    refuse_unmigrated(config, log_path)
    settings = replace(settings, lease=config.lease, rehearsal=sandbox)
    start = clock()
    if is_ahead(clock.offset):
        # Decided before anything is written: a pretended later time must not settle
        # other publishers' claims or record today's posts as missed in the real log.
        ahead = would_send(config, loaded, log_path=log_path, now=start, only_post=only_post)
        refuse_clock_ahead(config, [d.key.account for d in ahead], clock, environ, sandbox=sandbox)
    with PublishLog(log_path) as log:
        # Counted before the sweep: a delivery it settles as unknown is new this pass.
        unknown_before = len(log.rows_with_state(RowState.UNKNOWN))
        settled = log.release_stale(start, is_gone)
        deliveries = (planner or plan_up_to_now)(loaded, config, log, start)
        busy = accounts_sending_elsewhere(log, settings.owner)
    chosen, not_committed = split_not_committed(
        due_now(deliveries, start, only_post), config, sandbox=sandbox
    )
    # An account another publisher is sending for gets nothing more from this one now:
    # its posts go out one after the other, in their order (that publisher goes on
    # with them, or the next pass does).
    chosen = [d for d in chosen if d.key.account not in busy or d.state is State.MISSED]
    names = [d.key.account for d in chosen]
    accounts, missing = resolve_accounts(config, names, environ, sandbox=sandbox)
    # Checked again on what is really sent: the log may have changed since (a `retry`).
    _refuse(clock, accounts)
    if is_ahead(clock.offset):
        # A pretended later time records nothing for an account on a public API that is
        # not sent to (its secrets are missing): its deliveries are not missed yet.
        silent = {name for name in missing if is_public_api(_unresolved(name, config))}
        chosen = [d for d in chosen if d.key.account not in silent]
    adapters = build_adapters(config, accounts, clock)
    # A missed delivery is only recorded: it needs neither an adapter nor the secrets.
    recorded_only = {
        d.key.account: _unresolved(d.key.account, config)
        for d in chosen
        if d.state is State.MISSED and d.key.account in missing
    }
    chosen = [
        _secret_missing(d) if d.key.account in missing else d
        for d in chosen
        if d.key.account in accounts or d.state is State.MISSED
    ]
    accounts = {**recorded_only, **accounts}
    outcomes = publish_due(
        with_authors(chosen, loaded.git),
        adapters=adapters,
        accounts=accounts,
        settings=settings,
        clock=clock,
        events=events,
        stop=stop,
        real_clock=lambda: clock.real(clock()),
    )
    with PublishLog(log_path) as log:
        unknown_after = len(log.rows_with_state(RowState.UNKNOWN))
    acted_on = {o.delivery.key for o in outcomes}
    not_started = [d for d in chosen if d.key not in acted_on]
    held = held_back(deliveries, start, only_post)
    return PassResult(
        outcomes, missing, settled, unknown_before, unknown_after, not_started, held, not_committed
    )


# Plans a pass at a moment: (the posts, the config, the log, the moment).
Planner = Callable[[LoadedPosts, Config, PublishLog, datetime], list[Delivery]]


def plan_up_to_now(
    loaded: LoadedPosts, config: Config, log: PublishLog, now: datetime
) -> list[Delivery]:
    """What a pass plans by default: every delivery, up to `now` for repeats."""
    return plan_from_log(loaded, config, log, now, until=now)


def accounts_sending_elsewhere(log: PublishLog, owner: str) -> set[str]:
    """The accounts another publisher holds a delivery of (state `sending`)."""
    return {row.key.account for row in log.rows_with_state(RowState.SENDING) if row.owner != owner}


def refuse_outside_git(config: Config, loaded: LoadedPosts, *, sandbox: bool) -> None:
    """Raise UsageError when only committed posts may be sent and the posts are not
    read from a git checkout: nothing could ever be sent, and no run must pretend."""
    if committed_only(config, sandbox=sandbox) and isinstance(loaded.git, NoCheckout):
        raise UsageError(outside_git_refusal(config, loaded.git))


def outside_git_refusal(config: Config, git: NoCheckout) -> str:
    """Why nothing is published with `publish_from: committed` outside a git checkout."""
    return _(
        "'publish_from: committed' sends only what the checked-out git commit has, but "
        "{folder} is not in a git checkout: {reason}. Nothing is published. Publish from "
        "a clone of the repository, rehearse with --sandbox, or set 'publish_from: "
        "working-tree' to send the files as they are."
    ).format(folder=config.root, reason=git.reason)


def split_not_committed(
    deliveries: list[Delivery], config: Config, *, sandbox: bool
) -> tuple[list[Delivery], list[Delivery]]:
    """With `publish_from: committed` (not `--sandbox`): the deliveries that may go out
    and those held back because their post file is not as the checked-out commit has
    it. A held-back delivery past its deadline is still recorded missed, saying why."""
    if not committed_only(config, sandbox=sandbox):
        return deliveries, []
    kept: list[Delivery] = []
    held: list[Delivery] = []
    for delivery in deliveries:
        source = delivery.post.source
        if source is not None and source.committed:
            kept.append(delivery)
        elif delivery.state is State.MISSED:
            kept.append(replace(delivery, missed_reason=_not_committed_reason(delivery)))
        else:
            held.append(delivery)
    return kept, held


def _not_committed_reason(delivery: Delivery) -> str:
    reason = delivery.missed_reason or _("past its deadline")
    return _(
        "{reason}; its post file was not as the checked-out commit has it (publish_from: committed)"
    ).format(reason=reason)


def with_authors(deliveries: list[Delivery], git: Checkout | NoCheckout | None) -> list[Delivery]:
    """The deliveries to be sent with their post's author filled in (one `git log` for
    every file being sent), for the publish log's trace."""
    if not isinstance(git, Checkout):
        return deliveries
    files = {
        d.post.file for d in deliveries if d.post.source is not None and d.state is not State.MISSED
    }
    if not files:
        return deliveries
    found = authors(git, files)
    return [_with_author(d, found.get(d.post.file)) for d in deliveries]


def _with_author(delivery: Delivery, author: str | None) -> Delivery:
    source = delivery.post.source
    if source is None or author is None:
        return delivery
    post = replace(delivery.post, source=replace(source, author=author))
    return replace(delivery, post=post)


def would_send(
    config: Config,
    loaded: LoadedPosts,
    *,
    log_path: LogLocation,
    now: datetime,
    only_post: str | None = None,
) -> list[Delivery]:
    """The deliveries a pass at `now` would act on (`publish --dry-run`). The log is only
    read, and not even created when it does not exist yet."""
    if log_exists(log_path):
        with PublishLog(log_path, read_only=True) as log:
            deliveries = plan_from_log(loaded, config, log, now, until=now, record=False)
    else:
        # Nothing recorded yet: plan as if nothing had been sent.
        deliveries = plan_from_log(loaded, config, None, now, until=now)
    return due_now(deliveries, now, only_post)


def refuse_clock_ahead(
    config: Config,
    names: Iterable[str],
    clock: OffsetClock,
    environ: Mapping[str, str],
    *,
    sandbox: bool,
) -> None:
    """Raise UsageError when `clock` is ahead of the real one and one of these accounts
    publishes to a public API. Accounts whose secrets are missing are not sent to, so
    they do not count: with the clock ahead, a pass records nothing for them either
    (see `publish_pass`). (`publish` asks for the accounts of what is due; the daemon,
    at start, for every account: it may send to any of them later.)"""
    accounts, _ = resolve_accounts(config, names, environ, sandbox=sandbox)
    _refuse(clock, accounts)


def _refuse(clock: OffsetClock, accounts: Mapping[str, ResolvedAccount]) -> None:
    refusal = clock_ahead_refusal(clock.offset, accounts.values())
    if refusal is not None:
        raise UsageError(refusal)


def _unresolved(name: str, config: Config) -> ResolvedAccount:
    """An account whose secrets are missing, as far as recording a missed delivery and
    the `--now` guard need: its platform, and its `api_url` when written literally."""
    account = config.accounts[name]
    api_url = account.settings.get("api_url", "")
    settings = {"api_url": api_url} if api_url and "${" not in api_url else {}
    return ResolvedAccount(name, account.platform, settings)


def _secret_missing(delivery: Delivery) -> Delivery:
    reason = delivery.missed_reason or _("past its deadline")
    return replace(
        delivery,
        missed_reason=_("{reason}; its account's secrets were missing").format(reason=reason),
    )


def due_now(deliveries: list[Delivery], now: datetime, only_post: str | None) -> list[Delivery]:
    """The deliveries a pass acts on (optionally of one post only)."""
    return [d for d in sendable(deliveries, now) if only_post is None or d.key.post_id == only_post]


def held_back(deliveries: list[Delivery], now: datetime, only_post: str | None) -> list[Delivery]:
    """Deliveries whose time has come (and not yet passed its deadline) that are not
    sent because their post file has errors."""
    return [
        d
        for d in deliveries
        if d.state is State.BLOCKED
        and d.due_at <= now <= d.deadline
        and (only_post is None or d.key.post_id == only_post)
    ]
