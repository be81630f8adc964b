"""Deleting a published post from its platforms (`retract`), recorded in the log.

What will be deleted is worked out first (every sent delivery, each part's URL, and the
text as the post file renders it now) and handed to a `confirm` callback before anything
is deleted: the caller shows it and asks.

The re-shares of the deliveries being deleted (`amplify`: log rows of kind `repost`
whose key names the origin) are part of that plan, and asked about on their own: they
can be undone with the post (`unrepost`: X undoes the repost, Facebook deletes the
share) or kept. They are undone before the deliveries they re-share are deleted, so
that no district page shows, even for a moment, a share of a post that is gone.
Re-shares not sent yet need nothing here: once their origin is retracted, the plan
makes them missed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from humaspost.config import Config
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.i18n import _
from humaspost.lookup import existing_log, post_id_from
from humaspost.platforms.base import (
    Clock,
    PartReceipt,
    Platform,
    PublishError,
    Receipt,
    ResolvedAccount,
    resharing,
)
from humaspost.posts import Post
from humaspost.problems import Problem, UsageError
from humaspost.publog import DeliveryKey, Kind, LogRow, PublishLog, RowState, split_occurrence
from humaspost.render import content_hash, render
from humaspost.reshare import repost_target
from humaspost.workflow import load_posts


class TextStatus(StrEnum):
    """How the post file today compares with what a delivery sent."""

    SAME = "same"  # the file renders exactly what was sent: its text is shown
    CHANGED = "changed"  # the file changed since it was sent
    UNKNOWN = "unknown"  # no post file loads under this id, or the log has no fingerprint
    RESHARE = "reshare"  # a re-share: it sent no text of its own to compare


@dataclass(frozen=True)
class Target:
    """A sent delivery that retract is about to delete (or a re-share to undo)."""

    row: LogRow
    parts: tuple[PartReceipt, ...]
    texts: tuple[str, ...] | None  # each part's text, only when `text` is SAME
    text: TextStatus
    problem: str | None  # why it cannot be deleted now (a missing secret, an account gone)
    # For a re-share: what it re-shares (the origin's account for `amplify`, the URL
    # for a `repost:` post whose file is still there), else None.
    reshare_of: str | None = None

    @property
    def origin(self) -> DeliveryKey | None:
        """The key of the delivery this one re-shares (`amplify`), or None."""
        base, account = split_occurrence(self.row.key.occurrence)
        return None if account is None else DeliveryKey(self.row.key.post_id, base, account)


@dataclass(frozen=True)
class RetractionPlan:
    """What retract will delete, what was retracted before, and the sent re-shares of
    the deliveries it deletes (or deleted before), which it offers to undo."""

    post_id: str
    targets: list[Target]
    already: list[LogRow]
    reshares: list[Target] = field(default_factory=list)
    keep_reshares: bool = False  # asked not to undo them: they are listed, not offered

    def reshares_of(self, origin: DeliveryKey | None) -> list[Target]:
        """The re-shares in the plan of one delivery."""
        return [target for target in self.reshares if target.origin == origin]


class Decision(NamedTuple):
    """What the person agreed to: deleting the plan's deliveries, undoing its re-shares."""

    delete: bool
    undo_reshares: bool


class Result(StrEnum):
    """What became of one delivery."""

    RETRACTED = "retracted"
    FAILED = "failed"  # the platform refused or failed: the delivery stays sent
    SKIPPED = "skipped"  # not attempted (see the target's problem)
    KEPT = "kept"  # a re-share the person chose to keep: it stays sent


@dataclass(frozen=True)
class DeliveryOutcome:
    """One target and what became of it."""

    target: Target
    result: Result
    error: str | None = None


@dataclass(frozen=True)
class Retraction:
    """The outcome of `retract_post`: the re-shares' outcomes first (they are undone
    first), then the deliveries'."""

    plan: RetractionPlan
    cancelled: bool  # the person said no: nothing was deleted
    outcomes: list[DeliveryOutcome]

    @property
    def failed(self) -> bool:
        """Whether something meant to be deleted is still on its platform."""
        return any(o.result in (Result.FAILED, Result.SKIPPED) for o in self.outcomes)


Confirm = Callable[[RetractionPlan], Decision]


def retract_post(
    config: Config,
    given: str,
    *,
    account: str | None,
    cwd: Path,
    clock: Clock,
    environ: Mapping[str, str],
    sandbox: bool,
    confirm: Confirm,
    keep_reshares: bool = False,
) -> Retraction:
    """Delete the sent deliveries of the post `given` names (an id or a post file), of
    every account or only `account`, after `confirm` agreed to the plan; each one deleted
    is recorded as retracted. The sent re-shares of those deliveries (and of ones
    retracted before) are undone too when `confirm` agrees to that as well, unless
    `keep_reshares`. A post with nothing left to delete or undo comes back with an empty
    plan (and `confirm` is not asked)."""
    path = existing_log(config, cwd, sandbox=sandbox, environ=environ)
    posts = [planned.post for planned in load_posts(config, cwd, clock()).planned]
    with PublishLog(path) as log:
        post_id = post_id_from(
            given,
            posts,
            config,
            cwd,
            label="retract",
            logged=lambda post: bool(log.search(post_id=post, limit=1)),
        )
        rows = log.sent_rows(post_id, account)
        already = log.search(
            post_id=post_id, account=account, state=RowState.RETRACTED.value, limit=None
        )
        if account is None:
            # The re-shares of the whole post are offered, not deleted with its posts.
            own, shared = (
                [r for r in rows if not _is_reshare(r)],
                [r for r in rows if _is_reshare(r)],
            )
        else:
            # An account named: its deliveries (re-shares too, if it is a district
            # account), and the re-shares of its own posts.
            origins = {r.key for r in [*rows, *already] if not _is_reshare(r)}
            own = rows
            shared = [
                r for r in log.sent_rows(post_id) if _is_reshare(r) and _origin_key(r) in origins
            ]
        if not own and not shared and not already:
            raise UsageError(
                _("post '{post_id}' has no published delivery to '{account}' to retract").format(
                    post_id=post_id, account=account
                )
                if account
                else _("post '{post_id}' has no published delivery to retract").format(
                    post_id=post_id
                )
            )
        known = [r.key.account for r in [*own, *shared] if r.key.account in config.accounts]
        resolved, missing = resolve_accounts(config, known, environ, sandbox=sandbox)
        adapters = build_adapters(config, resolved, clock)
        mine = [post for post in posts if post.id == post_id]

        def target(row: LogRow) -> Target:
            parts = log.parts(row.id) or _settled_by_hand(row)
            problem = _problem(row, config, missing, adapters)
            if problem is None and row.kind is Kind.REPOST and not parts:
                problem = _(
                    "the log has no receipt of this re-share to undo it with (it was settled "
                    "by hand at {url}): undo it on the platform"
                ).format(url=row.url)
            return _target(row, parts, mine, config, problem)

        # Re-shares in the config's order of accounts, as `amplify` sends them.
        order = {name: index for index, name in enumerate(config.accounts)}
        shared.sort(key=lambda row: (order.get(row.key.account, len(order)), row.id))
        plan = RetractionPlan(
            post_id,
            [target(row) for row in own],
            already,
            [target(row) for row in shared],
            keep_reshares,
        )
        offered = [] if keep_reshares else _reachable(plan.reshares)
        # Nothing to ask about: whatever is listed cannot be reached, and says why.
        decision = Decision(delete=True, undo_reshares=True)
        if _reachable(plan.targets) or offered:
            decision = confirm(plan)
            if not (decision.delete and _reachable(plan.targets)) and not (
                decision.undo_reshares and offered
            ):
                return Retraction(plan, cancelled=True, outcomes=[])
        undo = decision.undo_reshares and not keep_reshares
        outcomes: list[DeliveryOutcome] = []
        # The re-shares go first: none is left pointing at a post already deleted.
        for item in plan.reshares:
            if not undo:
                outcomes.append(DeliveryOutcome(item, Result.KEPT))
            else:
                outcomes.append(_delete(item, adapters, resolved, log, clock))
        for item in plan.targets:
            if not decision.delete:
                outcomes.append(DeliveryOutcome(item, Result.KEPT))
            else:
                outcomes.append(_delete(item, adapters, resolved, log, clock))
    return Retraction(plan, cancelled=False, outcomes=outcomes)


def _reachable(targets: list[Target]) -> list[Target]:
    return [target for target in targets if target.problem is None]


def _is_reshare(row: LogRow) -> bool:
    """Whether a row re-shares another delivery of its post (`amplify`)."""
    return split_occurrence(row.key.occurrence)[1] is not None


def _origin_key(row: LogRow) -> DeliveryKey:
    base, account = split_occurrence(row.key.occurrence)
    return DeliveryKey(row.key.post_id, base, account or "")


def _settled_by_hand(row: LogRow) -> tuple[PartReceipt, ...]:
    """What undoes a re-share that `resolve --sent URL` settled (no part was recorded):
    the post the URL names, an X status (what X's repost is undone by) or a Facebook
    post (the share itself). Nothing for any other delivery, or another address."""
    if row.kind is not Kind.REPOST or row.url is None:
        return ()
    target = repost_target(row.url)
    return () if target is None else (PartReceipt(target.remote_id, row.url),)


def _delete(
    target: Target,
    adapters: Mapping[str, Platform],
    resolved: Mapping[str, ResolvedAccount],
    log: PublishLog,
    clock: Clock,
) -> DeliveryOutcome:
    """Delete one delivery, or undo one re-share, and record it retracted."""
    if target.problem is not None:
        return DeliveryOutcome(target, Result.SKIPPED, target.problem)
    name = target.row.key.account
    adapter, account = adapters[name], resolved[name]
    receipt = Receipt(target.parts)
    try:
        if target.row.kind is Kind.REPOST:
            sharing = resharing(adapter)
            assert sharing is not None  # see _problem
            sharing.unrepost(receipt, account)
        else:
            adapter.retract(receipt, account)
    except PublishError as error:
        return DeliveryOutcome(target, Result.FAILED, str(error))
    log.retracted(target.row.id, clock())
    return DeliveryOutcome(target, Result.RETRACTED)


def _problem(
    row: LogRow,
    config: Config,
    missing: Mapping[str, list[Problem]],
    adapters: Mapping[str, Platform],
) -> str | None:
    name = row.key.account
    if name not in config.accounts:
        return _("account '{account}' is no longer in the config").format(account=name)
    if name in missing:
        return "; ".join(problem.message for problem in missing[name])
    if row.kind is Kind.REPOST and resharing(adapters[name]) is None:
        # A plugin without `unrepost` (or an account moved to one since): said, not tried.
        return _("the {platform} adapter cannot undo re-shares").format(
            platform=config.accounts[name].platform
        )
    return None


def _target(
    row: LogRow,
    parts: tuple[PartReceipt, ...],
    posts: list[Post],
    config: Config,
    problem: str | None,
) -> Target:
    if row.kind is Kind.REPOST:
        origin = split_occurrence(row.key.occurrence)[1]
        urls = [post.repost for post in posts if post.repost is not None]
        shared = origin or (urls[0] if urls else None)
        return Target(row, parts, None, TextStatus.RESHARE, problem, shared)
    account = config.accounts.get(row.key.account)
    if account is None or row.content_hash is None or not posts:
        return Target(row, parts, None, TextStatus.UNKNOWN, problem)
    # Two files may claim one id (HP112): the one that renders what was sent is meant.
    for post in posts:
        rendered = render(post, account)
        if content_hash(rendered) == row.content_hash:
            return Target(row, parts, tuple(p.text for p in rendered), TextStatus.SAME, problem)
    return Target(row, parts, None, TextStatus.CHANGED, problem)
