"""One publishing pass: what `publish` does once and the daemon does at every wake-up."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from humaspost.config import Config
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.plan import Delivery
from humaspost.platforms.base import Clock
from humaspost.problems import Problem
from humaspost.publisher import Outcome, PublishEvents, PublishSettings, publish_due
from humaspost.publog import LogRow, PublishLog, RowState
from humaspost.workflow import LoadedPosts, plan_from_log, sendable


@dataclass(frozen=True)
class PassResult:
    """What one pass did, and what needs a person's attention."""

    outcomes: list[Outcome]
    missing_secrets: Mapping[str, list[Problem]]
    settled_unknown: list[LogRow]  # left by a publisher that died with a part in flight
    unknown_before: int
    unknown_after: int


def publish_pass(
    config: Config,
    loaded: LoadedPosts,
    *,
    log_path: Path,
    clock: Clock,
    environ: Mapping[str, str],
    sandbox: bool,
    settings: PublishSettings,
    events: PublishEvents,
    is_gone: Callable[[str], bool],
    only_post: str | None = None,
    stop: threading.Event | None = None,
) -> PassResult:
    """Settle stale claims, plan against the log, and send everything due now."""
    start = clock()
    with PublishLog(log_path) as log:
        # Counted before the sweep: a delivery it settles as unknown is new this pass.
        unknown_before = len(log.rows_with_state(RowState.UNKNOWN))
        settled = log.release_stale(start, is_gone)
        deliveries = plan_from_log(loaded, config, log, start, until=start)
    chosen = due_now(deliveries, start, only_post)
    names = [d.key.account for d in chosen]
    accounts, missing = resolve_accounts(config, names, environ, sandbox=sandbox)
    chosen = [d for d in chosen if d.key.account in accounts]
    adapters = build_adapters(config, accounts, clock)
    outcomes = publish_due(
        chosen,
        adapters=adapters,
        accounts=accounts,
        settings=settings,
        clock=clock,
        events=events,
        stop=stop,
    )
    with PublishLog(log_path) as log:
        unknown_after = len(log.rows_with_state(RowState.UNKNOWN))
    return PassResult(outcomes, missing, settled, unknown_before, unknown_after)


def due_now(deliveries: list[Delivery], now: datetime, only_post: str | None) -> list[Delivery]:
    """The deliveries a pass acts on (optionally of one post only)."""
    return [d for d in sendable(deliveries, now) if only_post is None or d.key.post_id == only_post]
