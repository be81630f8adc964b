"""Deleting a published post from its platforms (`retract`), recorded in the log.

What will be deleted is worked out first (every sent delivery, each part's URL, and the
text as the post file renders it now) and handed to a `confirm` callback before anything
is deleted: the caller shows it and asks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from humaspost.config import Config
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.i18n import _
from humaspost.lookup import existing_log, post_id_from
from humaspost.platforms.base import Clock, PartReceipt, PublishError, Receipt
from humaspost.posts import Post
from humaspost.problems import Problem, UsageError
from humaspost.publog import LogRow, PublishLog, RowState
from humaspost.render import content_hash, render
from humaspost.workflow import load_posts


class TextStatus(StrEnum):
    """How the post file today compares with what a delivery sent."""

    SAME = "same"  # the file renders exactly what was sent: its text is shown
    CHANGED = "changed"  # the file changed since it was sent
    UNKNOWN = "unknown"  # no post file loads under this id, or the log has no fingerprint


@dataclass(frozen=True)
class Target:
    """A sent delivery that retract is about to delete."""

    row: LogRow
    parts: tuple[PartReceipt, ...]
    texts: tuple[str, ...] | None  # each part's text, only when `text` is SAME
    text: TextStatus
    problem: str | None  # why it cannot be deleted now (a missing secret, an account gone)


@dataclass(frozen=True)
class RetractionPlan:
    """What retract will delete, and what was retracted before."""

    post_id: str
    targets: list[Target]
    already: list[LogRow]


class Result(StrEnum):
    """What became of one delivery."""

    RETRACTED = "retracted"
    FAILED = "failed"  # the platform refused or failed: the delivery stays sent
    SKIPPED = "skipped"  # not attempted (see the target's problem)


@dataclass(frozen=True)
class DeliveryOutcome:
    """One target and what became of it."""

    target: Target
    result: Result
    error: str | None = None


@dataclass(frozen=True)
class Retraction:
    """The outcome of `retract_post`."""

    plan: RetractionPlan
    cancelled: bool  # the person said no: nothing was deleted
    outcomes: list[DeliveryOutcome]

    @property
    def failed(self) -> bool:
        """Whether some delivery is still on its platform."""
        return any(o.result is not Result.RETRACTED for o in self.outcomes)


Confirm = Callable[[RetractionPlan], bool]


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
) -> Retraction:
    """Delete the sent deliveries of the post `given` names (an id or a post file), of
    every account or only `account`, after `confirm` agreed to the plan; each one deleted
    is recorded as retracted. A post whose deliveries were all retracted before comes
    back with an empty plan (and `confirm` is not asked)."""
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
        if not rows and not already:
            raise UsageError(
                _("post '{post_id}' has no published delivery to '{account}' to retract").format(
                    post_id=post_id, account=account
                )
                if account
                else _("post '{post_id}' has no published delivery to retract").format(
                    post_id=post_id
                )
            )
        known = [row.key.account for row in rows if row.key.account in config.accounts]
        resolved, missing = resolve_accounts(config, known, environ, sandbox=sandbox)
        mine = [post for post in posts if post.id == post_id]
        targets = [
            _target(row, log.parts(row.id), mine, config, _problem(row, config, missing))
            for row in rows
        ]
        plan = RetractionPlan(post_id, targets, already)
        if any(t.problem is None for t in targets) and not confirm(plan):
            return Retraction(plan, cancelled=True, outcomes=[])
        adapters = build_adapters(config, resolved, clock)
        outcomes: list[DeliveryOutcome] = []
        for target in targets:
            name = target.row.key.account
            if target.problem is not None:
                outcomes.append(DeliveryOutcome(target, Result.SKIPPED, target.problem))
                continue
            try:
                adapters[name].retract(Receipt(target.parts), resolved[name])
            except PublishError as error:
                outcomes.append(DeliveryOutcome(target, Result.FAILED, str(error)))
                continue
            log.retracted(target.row.id, clock())
            outcomes.append(DeliveryOutcome(target, Result.RETRACTED))
    return Retraction(plan, cancelled=False, outcomes=outcomes)


def _problem(row: LogRow, config: Config, missing: Mapping[str, list[Problem]]) -> str | None:
    name = row.key.account
    if name not in config.accounts:
        return _("account '{account}' is no longer in the config").format(account=name)
    if name in missing:
        return "; ".join(problem.message for problem in missing[name])
    return None


def _target(
    row: LogRow,
    parts: tuple[PartReceipt, ...],
    posts: list[Post],
    config: Config,
    problem: str | None,
) -> Target:
    account = config.accounts.get(row.key.account)
    if account is None or row.content_hash is None or not posts:
        return Target(row, parts, None, TextStatus.UNKNOWN, problem)
    # Two files may claim one id (HP112): the one that renders what was sent is meant.
    for post in posts:
        rendered = render(post, account)
        if content_hash(rendered) == row.content_hash:
            return Target(row, parts, tuple(p.text for p in rendered), TextStatus.SAME, problem)
    return Target(row, parts, None, TextStatus.CHANGED, problem)
