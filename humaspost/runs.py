"""One publishing pass: what `publish` does once and the daemon does at every wake-up."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from humaspost.config import Config
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.plan import Delivery, State
from humaspost.platforms.base import Clock, ResolvedAccount
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
    """Settle stale claims, plan against the log, and send everything due now.

    Deliveries past their deadline are recorded as missed whatever else is wrong (a
    missing secret, a file with errors): nothing vanishes without a trace."""
    settings = replace(settings, lease=config.lease)
    start = clock()
    with PublishLog(log_path) as log:
        # Counted before the sweep: a delivery it settles as unknown is new this pass.
        unknown_before = len(log.rows_with_state(RowState.UNKNOWN))
        settled = log.release_stale(start, is_gone)
        deliveries = plan_from_log(loaded, config, log, start, until=start)
    chosen = due_now(deliveries, start, only_post)
    accounts, missing = resolve_accounts(
        config, [d.key.account for d in chosen], environ, sandbox=sandbox
    )
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


def _unresolved(name: str, config: Config) -> ResolvedAccount:
    """An account whose secrets are missing, as far as recording a missed delivery needs."""
    return ResolvedAccount(name, config.accounts[name].platform, {})


def _secret_missing(delivery: Delivery) -> Delivery:
    reason = delivery.missed_reason or "past its deadline"
    return replace(delivery, missed_reason=f"{reason}; its account's secrets were missing")


def due_now(deliveries: list[Delivery], now: datetime, only_post: str | None) -> list[Delivery]:
    """The deliveries a pass acts on (optionally of one post only)."""
    return [d for d in sendable(deliveries, now) if only_post is None or d.key.post_id == only_post]
