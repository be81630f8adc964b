"""Publishing: send due deliveries through their platforms, exactly once.

Deliveries of different accounts go out concurrently; those of one account go in order.
Every step is written to the publish log before and after it happens (see publog.py),
so several publishers, cron runs and the daemon can overlap safely.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from humaspost.i18n import _, ngettext
from humaspost.inbox_log import InboxLog
from humaspost.inbox_model import ReplyTarget
from humaspost.lifecycle import Event, RowState, next_state
from humaspost.plan import Delivery
from humaspost.platforms.base import (
    Clock,
    Origin,
    Part,
    PartReceipt,
    PermanentError,
    Platform,
    Receipt,
    ResolvedAccount,
    ThreadProgress,
    TransientError,
    UncertainError,
    replying,
    resharing,
)
from humaspost.publog import Claim, ClaimLost, LogLocation, PublishLog, PublishLogError
from humaspost.real_time_guard import check_not_early
from humaspost.render import content_hash, render
from humaspost.secrets import redact

MAX_RETRY_AFTER = 86_400.0  # seconds


class Result(StrEnum):
    """How one delivery ended in this run."""

    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    UNKNOWN = "unknown"
    MISSED = "missed"
    SKIPPED = "skipped"  # another publisher had it, or it was no longer due


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery."""

    delivery: Delivery
    result: Result
    url: str | None = None
    error: str | None = None
    # Skipped because another publisher holds it (claimed at the same moment).
    held_elsewhere: bool = False


@dataclass(frozen=True)
class PublishSettings:
    """How a run publishes: where the log is, who it is, how hard it tries."""

    log_path: LogLocation
    owner: str
    workers: int = 8
    lease: timedelta = timedelta(minutes=2)
    max_attempts: int = 5
    first_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(minutes=30)
    # A `--sandbox` rehearsal: its log has no inbox, so a reply is sent without its
    # item (ReplyTarget.remote_id None).
    rehearsal: bool = False


class PublishEvents(Protocol):
    """Progress reports for a user interface; called from worker threads."""

    def started(self, delivery: Delivery) -> None:
        """A delivery is being sent."""
        ...

    def finished(self, outcome: Outcome) -> None:
        """A delivery's attempt ended."""
        ...


def publish_due(
    deliveries: Sequence[Delivery],
    *,
    adapters: Mapping[str, Platform],
    accounts: Mapping[str, ResolvedAccount],
    settings: PublishSettings,
    clock: Clock,
    events: PublishEvents,
    rng: random.Random | None = None,
    stop: threading.Event | None = None,
    real_clock: Clock | None = None,
) -> list[Outcome]:
    """Send each delivery (already known to be due) through the adapter of its account.

    `real_clock` is the real time when `clock` pretends another (`--now`); as a last
    line of defence nothing goes to a public platform before its time by it.

    `adapters` maps an account name to its adapter, `accounts` to its resolved settings.
    Accounts run concurrently (`settings.workers`), each account's deliveries in order.
    When `stop` is set, each account finishes the delivery in hand and stops.
    """
    queues: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in sorted(deliveries, key=lambda d: (d.ready_at, d.key)):
        queues[delivery.key.account].append(delivery)
    if not queues:
        return []
    from concurrent.futures import ThreadPoolExecutor  # only a run with work needs it

    keeper = LeaseKeeper(settings, clock)
    randomness = rng or random.Random()
    sender = _Sender(
        adapters, accounts, settings, clock, events, randomness, stop, keeper, real_clock or clock
    )
    try:
        with (
            keeper,
            ThreadPoolExecutor(max_workers=max(1, min(settings.workers, len(queues)))) as pool,
        ):
            done = pool.map(sender.run_queue, queues.values())
            return [outcome for queue in done for outcome in queue]
    finally:
        sender.close()


class LeaseKeeper:
    """Keeps every claim this publisher holds alive while it works on it: a thread that
    renews the leases every third of the lease, so that a long upload (a video X takes
    minutes to process) is never taken over by another run while it is under way.

    A claim that could not be renewed (taken over after a long pause of this process, or
    settled by someone else) is marked lost: its sender must send nothing more of it."""

    def __init__(self, settings: PublishSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.held: set[int] = set()
        self.lost: set[int] = set()
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def hold(self, row_id: int) -> None:
        """Start keeping a claim alive."""
        with self.lock:
            self.held.add(row_id)
            self.lost.discard(row_id)

    def release(self, row_id: int) -> None:
        """Stop keeping a claim alive (it was settled)."""
        with self.lock:
            self.held.discard(row_id)

    def is_lost(self, row_id: int) -> bool:
        """Whether a claim could not be renewed."""
        with self.lock:
            return row_id in self.lost

    def _run(self) -> None:
        interval = self.settings.lease.total_seconds() / 3
        log: PublishLog | None = None
        try:
            while not self.done.wait(interval):
                with self.lock:
                    held = set(self.held)
                if not held:
                    continue
                try:
                    log = log or PublishLog(
                        self.settings.log_path, reconnect_for=self.settings.lease
                    )
                    lost = log.renew(held, self.settings.owner, self.clock(), self.settings.lease)
                except PublishLogError:
                    continue  # the log is busy: the lease has two more thirds to go
                with self.lock:
                    self.lost |= lost & self.held
                    self.held -= lost
        finally:
            if log is not None:
                log.close()


class _Sender:
    def __init__(
        self,
        adapters: Mapping[str, Platform],
        accounts: Mapping[str, ResolvedAccount],
        settings: PublishSettings,
        clock: Clock,
        events: PublishEvents,
        rng: random.Random,
        stop: threading.Event | None,
        keeper: LeaseKeeper,
        real_clock: Clock,
    ) -> None:
        self.keeper = keeper
        self.real_clock = real_clock
        self.adapters = adapters
        self.accounts = accounts
        self.settings = settings
        self.clock = clock
        self.events = events
        self.rng = rng
        self.rng_lock = threading.Lock()
        self.stop = stop
        self.local = threading.local()
        self.opened: list[PublishLog] = []
        self.opened_lock = threading.Lock()

    def run_queue(self, queue: list[Delivery]) -> list[Outcome]:
        log = self.thread_log()
        outcomes: list[Outcome] = []
        for delivery in queue:
            if self.stop is not None and self.stop.is_set():
                break
            outcome = self.send(log, delivery)
            if outcome.result is not Result.SKIPPED:
                self.events.finished(outcome)
            outcomes.append(outcome)
            if outcome.held_elsewhere:
                # The account's posts go out in their order: the publisher that holds
                # this one sends the ones after it (or a later pass does).
                break
        return outcomes

    def thread_log(self) -> PublishLog:
        """This worker thread's connection, opened once (sqlite3 connections must stay
        in their thread; opening one per account would cost more than the sends)."""
        log: PublishLog | None = getattr(self.local, "log", None)
        if log is None:
            log = self.local.log = PublishLog(
                self.settings.log_path, reconnect_for=self.settings.lease
            )
            with self.opened_lock:
                self.opened.append(log)
        return log

    def close(self) -> None:
        """Close every worker thread's connection."""
        for log in self.opened:
            log.close()

    def send(self, log: PublishLog, delivery: Delivery) -> Outcome:
        now = self.clock()
        key, account = delivery.key, self.accounts[delivery.key.account]
        if now > delivery.deadline or delivery.missed_reason is not None:
            reason = delivery.missed_reason or _missed_reason(delivery)
            log.mark_missed(
                key,
                platform=account.platform,
                due_at=delivery.due_at,
                now=now,
                reason=reason,
                kind=delivery.kind,
                reply_to=delivery.reply_to,
            )
            return Outcome(delivery, Result.MISSED, error=reason)
        early = check_not_early(delivery.due_at, self.real_clock(), account)
        if early is not None:
            return Outcome(delivery, Result.SKIPPED, error=early)
        claim = log.claim(
            key,
            platform=account.platform,
            due_at=delivery.due_at,
            owner=self.settings.owner,
            now=now,
            lease=self.settings.lease,
            metadata=dict(delivery.post.metadata),
            source=delivery.post.source,
            kind=delivery.kind,
            reply_to=delivery.reply_to,
        )
        if claim is None:
            return Outcome(delivery, Result.SKIPPED, held_elsewhere=True)
        self.keeper.hold(claim.row_id)
        try:
            return self.send_claimed(log, delivery, claim, account)
        finally:
            self.keeper.release(claim.row_id)

    def send_claimed(
        self, log: PublishLog, delivery: Delivery, claim: Claim, account: ResolvedAccount
    ) -> Outcome:
        self.events.started(delivery)
        parts = render(delivery.post, delivery.account)
        progress = _LogProgress(log, claim, self.settings, self.clock, self.keeper)
        adapter = self.adapters[delivery.key.account]
        try:
            if delivery.reply_to is not None:
                target = self.reply_target(log, delivery.reply_to, account)
                receipt = reply(adapter, parts, account, progress, target)
            elif delivery.origin is None:
                receipt = adapter.publish(parts, account, progress)
            else:
                receipt = reshare(adapter, delivery.origin, account, delivery.comment, progress)
        except ClaimLost as error:
            # Another publisher settled or took over the delivery (this process was
            # paused past its lease): it is theirs; record nothing over it.
            return Outcome(delivery, Result.SKIPPED, error=str(error))
        except PublishLogError as error:
            # The log could not be written before a part's request (locked past the wait,
            # full): nothing is in flight. Waiting on the log is not the platform's fault;
            # the claim's lease runs out and a later run resumes at the part.
            return Outcome(delivery, Result.SKIPPED, error=redact(str(error)))
        except TransientError as error:
            return self.after_transient(log, delivery, claim, str(error), error.retry_after)
        except PermanentError as error:
            return self.end(log, delivery, claim, Event.PERMANENT_FAILURE, str(error))
        except UncertainError as error:
            return self.end(log, delivery, claim, Event.UNCERTAIN, str(error))
        except Exception as error:  # an adapter's bug must not stop the other deliveries
            message = _("internal error in the {platform} adapter ({error})").format(
                platform=account.platform, error=type(error).__name__
            )
            event = Event.UNCERTAIN if progress.in_flight else Event.PERMANENT_FAILURE
            return self.end(log, delivery, claim, event, message, outcome="adapter crashed")
        log.finish(
            claim.row_id,
            Event.SENT,
            owner=self.settings.owner,
            now=self.clock(),
            url=receipt.url,
            content_hash=content_hash(parts),
        )
        return Outcome(delivery, Result.SENT, url=receipt.url)

    def reply_target(self, log: PublishLog, item_id: int, account: ResolvedAccount) -> ReplyTarget:
        """What a reply answers: the item's mention or comment, as the log has it. The
        last check before sending (`check` and loading did the others): an item not in
        the log, or of another account, is never replied to, nor posted as a post."""
        if self.settings.rehearsal:
            return ReplyTarget(item_id, None)
        item = InboxLog(log).item(item_id)
        if item is None:
            raise PermanentError(
                _(
                    "inbox item {number} is not in the publish log (deleted since the post "
                    "was checked?): the reply is not sent"
                ).format(number=item_id)
            )
        if (item.account, item.platform) != (account.name, account.platform):
            raise PermanentError(
                _(
                    "inbox item {number} came to the {platform} account '{account}', not to "
                    "'{to}': the reply is not sent"
                ).format(
                    number=item_id, platform=item.platform, account=item.account, to=account.name
                )
            )
        return ReplyTarget(item_id, item.remote_id)

    def after_transient(
        self,
        log: PublishLog,
        delivery: Delivery,
        claim: Claim,
        message: str,
        retry_after: float | None,
    ) -> Outcome:
        message = redact(message)
        if claim.attempt >= self.settings.max_attempts:
            note = ngettext(
                "{error} (gave up after {count} attempt)",
                "{error} (gave up after {count} attempts)",
                claim.attempt,
            ).format(error=message, count=claim.attempt)
            return self.end(
                log, delivery, claim, Event.PERMANENT_FAILURE, note, outcome="transient error"
            )
        wait = self.backoff(claim.attempt)
        if retry_after is not None:
            # A platform's answer is not trusted to be sane: past a day it is past any
            # deadline anyway (and a huge number would not fit a timedelta).
            wait = max(wait, timedelta(seconds=min(max(retry_after, 0.0), MAX_RETRY_AFTER)))
        now = self.clock()
        next_at = now + wait
        if next_at > delivery.deadline:
            note = _("{error}; the next try would be after the deadline").format(error=message)
            return self.end(
                log, delivery, claim, Event.DEADLINE_PASSED, note, outcome="transient error"
            )
        took = log.finish(
            claim.row_id,
            Event.TRANSIENT_FAILURE,
            owner=self.settings.owner,
            now=now,
            error=message,
            next_attempt_at=next_at,
        )
        if not took:  # the claim was lost meanwhile: the new owner's row is untouched
            return Outcome(delivery, Result.SKIPPED, error=message)
        return Outcome(delivery, Result.RETRYING, error=message)

    def backoff(self, attempt: int) -> timedelta:
        """Exponential backoff with jitter, so that many deliveries do not retry at once."""
        base = self.settings.first_backoff * (1 << (attempt - 1))
        capped = min(base, self.settings.max_backoff)
        with self.rng_lock:
            factor = self.rng.uniform(0.5, 1.0)
        return capped * factor

    def end(
        self,
        log: PublishLog,
        delivery: Delivery,
        claim: Claim,
        event: Event,
        message: str,
        *,
        outcome: str | None = None,
    ) -> Outcome:
        message = redact(message)
        took = log.finish(
            claim.row_id,
            event,
            owner=self.settings.owner,
            now=self.clock(),
            outcome=outcome,
            error=message,
        )
        if not took:  # the claim was lost meanwhile: the new owner's row is untouched
            return Outcome(delivery, Result.SKIPPED, error=message)
        return Outcome(delivery, _RESULTS[next_state(RowState.SENDING, event)], error=message)


# How an attempt that ended in a stored state is reported for this run.
_RESULTS = {
    RowState.SENT: Result.SENT,
    RowState.RETRYING: Result.RETRYING,
    RowState.FAILED: Result.FAILED,
    RowState.UNKNOWN: Result.UNKNOWN,
    RowState.MISSED: Result.MISSED,
}


def _missed_reason(delivery: Delivery) -> str:
    if delivery.post.expires_at is not None and delivery.deadline == delivery.post.expires_at:
        return _("past its expires_at")
    return _("past max_delay after its time")


def reshare(
    adapter: Platform,
    origin: Origin,
    account: ResolvedAccount,
    comment: str | None,
    progress: ThreadProgress,
) -> Receipt:
    """Re-share `origin` from `account`: one request, marked in flight before it like a
    thread's part (a re-share already made by an earlier attempt is not made again)."""
    if progress.done:
        return Receipt(progress.done)
    sharing = resharing(adapter)
    if sharing is None:  # `check` refuses such a post (HP124); a plugin may change
        raise PermanentError(
            _("the {platform} adapter cannot re-share posts").format(platform=account.platform)
        )
    progress.starting(0)
    receipt = sharing.repost(origin, account, comment)
    progress.published(0, receipt.parts[0])
    return receipt


def reply(
    adapter: Platform,
    parts: tuple[Part, ...],
    account: ResolvedAccount,
    progress: ThreadProgress,
    target: ReplyTarget,
) -> Receipt:
    """Publish `parts` as the reply to `target` through an adapter that can reply,
    part by part like a post (resuming after `progress.done`)."""
    answering = replying(adapter)
    if answering is None:  # the built-ins all reply; a plugin may not
        raise PermanentError(
            _("the {platform} adapter cannot reply to inbox items").format(
                platform=account.platform
            )
        )
    return answering.reply(parts, account, progress, target)


class _LogProgress:
    """Records each part in the log as the adapter goes (see ThreadProgress)."""

    def __init__(
        self,
        log: PublishLog,
        claim: Claim,
        settings: PublishSettings,
        clock: Clock,
        keeper: LeaseKeeper,
    ) -> None:
        self.log = log
        self.keeper = keeper
        self.claim = claim
        self.settings = settings
        self.clock = clock
        self.in_flight = False

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        return self.claim.done

    def starting(self, index: int) -> None:
        if self.keeper.is_lost(self.claim.row_id):
            raise ClaimLost(f"delivery {self.claim.row_id}: its lease could not be renewed")
        self.log.part_starting(
            self.claim.row_id, index, self.settings.owner, self.clock(), self.settings.lease
        )
        self.in_flight = True

    def published(self, index: int, receipt: PartReceipt) -> None:
        self.in_flight = False  # the part exists: whatever happens next, it is not unknown
        self.log.part_published(
            self.claim.row_id, index, receipt, self.clock(), self.settings.owner
        )
