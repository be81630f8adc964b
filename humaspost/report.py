"""The monthly report's model, as issue 14's brief fixes it (report-core writes the real
module with `build_report`; this copy of its dataclasses lets report-html render and
test before that lands, and gives way to it on merge)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, and its name (`Desember 2026`)."""

    start: date
    end: date
    label: str


@dataclass(frozen=True)
class Counts:
    """Deliveries by how they ended; only sent ones are on time or late."""

    sent: int
    missed: int
    failed: int
    unknown: int
    retracted: int
    on_time: int
    late: int


@dataclass(frozen=True)
class Named:
    """The counts of an account, a campaign or a tag."""

    name: str
    counts: Counts


@dataclass(frozen=True)
class PostsReport:
    """What went out: in total, per account, campaign and tag, and per local day."""

    total: Counts
    accounts: tuple[Named, ...]
    campaigns: tuple[Named, ...]
    tags: tuple[Named, ...]
    per_day: tuple[tuple[date, int], ...]


@dataclass(frozen=True)
class Amplified:
    """A post with `amplify`: how many of the accounts asked re-shared it, how late."""

    post_id: str
    origin_account: str
    asked: int
    reshared: int
    median_late_minutes: float | None
    max_late_minutes: float | None


@dataclass(frozen=True)
class Resharer:
    """A re-sharing account: its asks and how many it fulfilled."""

    account: str
    asked: int
    reshared: int


@dataclass(frozen=True)
class AmplificationReport:
    """The amplified posts, and the re-sharers ranked by share, asked, name."""

    posts: tuple[Amplified, ...]
    resharers: tuple[Resharer, ...]


@dataclass(frozen=True)
class ComplaintGroup:
    """The complaints of an office or a category (`name` None: none set), or of all."""

    name: str | None
    received: int
    answered: int
    closed: int
    overdue: int
    within_standard: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class OpenItem:
    """An inbox item still open; `author` is a pseudonym unless with_names."""

    id: int
    account: str
    office: str | None
    category: str | None
    received_at: datetime
    due_at: datetime
    author: str


@dataclass(frozen=True)
class ComplaintsReport:
    """The complaints of the period, per office and category, the oldest open ones, per
    week (Monday, received, answered) and each answered item's working days."""

    total: ComplaintGroup
    offices: tuple[ComplaintGroup, ...]
    categories: tuple[ComplaintGroup, ...]
    oldest_open: tuple[OpenItem, ...]
    per_week: tuple[tuple[date, int, int], ...]
    response_days: tuple[int, ...]


@dataclass(frozen=True)
class CostReport:
    """X requests made (post, post_with_url, repost, media), their estimated cost, the
    budget, and per account (name, requests, cost)."""

    requests: Mapping[str, int]
    cost: Decimal
    budget: Decimal | None
    accounts: tuple[tuple[str, int, Decimal], ...]


@dataclass(frozen=True)
class Report:
    """The whole report of a period."""

    period: Period
    generated_at: datetime
    timezone: ZoneInfo
    posts: PostsReport
    amplification: AmplificationReport
    complaints: ComplaintsReport
    cost: CostReport
    with_names: bool
