"""The monthly report for leadership: what went out, who amplified it, how fast
complaints were answered, and what X cost, over a period of local days.

`build_report` reads the publish log (its deliveries and its inbox) once, read only,
and the loaded post files (for campaigns, tags and what each part held), and returns a
`Report`: plain frozen data that humaspost/report_view.py turns into text, JSON and CSV
(and humaspost/report_html.py into a page). The rules, in one place:

- A delivery belongs to the period by its due time, an inbox item by the time it was
  received, both as local days of the config's timezone.
- Only settled deliveries count: sent, missed, failed, unknown, retracted (a delivery
  still waiting, scheduled, sending or retrying is in none of the figures). A sent one
  is on time when it went out at most `ON_TIME` (a minute) after its due time, else
  late.
- Posts are the accounts' own deliveries (posts, replies, `repost:` posts); the
  re-shares `amplify:` asks for are the amplification's. A post's campaign and tags
  are its file's as it is now, or, for a file gone since, what the log kept of them.
- Amplification: a post's asks are its re-share deliveries (kind `repost`, the
  occurrence naming the origin's account); one re-shared is one that went out (sent,
  or retracted since: it was re-shared); its lateness is sent time minus due time.
- Complaints leave out items found not to be a complaint. Of the items received in
  the period: answered (a reply was sent: its first reply's time counts, whatever
  happened to the item since), closed (settled by hand without a reply), else open,
  and overdue when open past its due time at `now`. Within the standard: answered by
  its due time. Response time: working days (WorkingCalendar.response_days).
- Cost: each X delivery that went out (sent or retracted), one request per part (a post,
  or a post with a URL, and its media), one per repost, priced with the config's
  `x_prices`; the budget is `x_monthly_budget`, pro rata by days for a period that is
  not a whole month.
"""

from __future__ import annotations

import calendar
import json
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from humaspost.config import Config
from humaspost.i18n import _
from humaspost.inbox import pseudonym
from humaspost.inbox_log import InboxLog
from humaspost.inbox_model import Item, Status
from humaspost.inbox_view import author_text
from humaspost.platforms.base import Part
from humaspost.posts import Post
from humaspost.problems import UsageError
from humaspost.publog import Kind, LogLocation, PublishLog, RowState, Settled, split_occurrence
from humaspost.render import render
from humaspost.times import MONTH_NAMES
from humaspost.workflow import LoadedPosts, load_posts_with_ids
from humaspost.working_days import WorkingCalendar
from humaspost.x_costs import X_PLATFORM, Planned, has_web_address, month_name

# A sent delivery is on time when it went out at most this long after its due time.
ON_TIME = timedelta(seconds=60)
# The states a report counts: settled deliveries.
COUNTED = (RowState.SENT, RowState.MISSED, RowState.FAILED, RowState.UNKNOWN, RowState.RETRACTED)
# Deliveries that went out (and so made their requests to X, and re-shared their post).
WENT_OUT = frozenset({RowState.SENT, RowState.RETRACTED})
# How many of the oldest open items the report names.
OLDEST_OPEN = 10
# The kinds of X requests, as x_costs.PRICE_KEYS names them.
REQUEST_KINDS = ("post", "post_with_url", "repost", "media")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Between the first and last day of a period's name, as typesetting has it.
DASH = "\u2013"


@dataclass(frozen=True)
class Period:
    """The local days a report covers, `start` to `end` both included, and its name in
    the language in use: `Desember 2026`, or `1-15 Desember 2026` (with an en dash) for
    other ranges."""

    start: date
    end: date  # inclusive
    label: str

    @property
    def whole_month(self) -> bool:
        """Whether the period is exactly one calendar month."""
        return (
            self.start.day == 1
            and (self.start.year, self.start.month) == (self.end.year, self.end.month)
            and self.end.day == calendar.monthrange(self.end.year, self.end.month)[1]
        )

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC times: its first local midnight (included) and the local
        midnight after its last day (excluded)."""
        first = datetime.combine(self.start, time(0), tzinfo=tz).astimezone(UTC)
        after = self.end + timedelta(days=1)
        return first, datetime.combine(after, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Counts:
    """Settled deliveries by state; `on_time` and `late` split the sent ones (waiting
    and scheduled deliveries are not counted)."""

    sent: int = 0
    missed: int = 0
    failed: int = 0
    unknown: int = 0
    retracted: int = 0
    on_time: int = 0
    late: int = 0


@dataclass(frozen=True)
class Named:
    """The counts of one account, campaign or tag."""

    name: str
    counts: Counts


@dataclass(frozen=True)
class PostsReport:
    """The accounts' own deliveries: in total, per account (the config's order, then
    accounts it no longer has), per campaign and per tag (most sent first, then by
    name), and how many were sent on each local day of the period (by due day)."""

    total: Counts
    accounts: tuple[Named, ...]
    campaigns: tuple[Named, ...]
    tags: tuple[Named, ...]
    per_day: tuple[tuple[date, int], ...]


@dataclass(frozen=True)
class Amplified:
    """One amplified post as delivered to one account (its occurrences together): how
    many re-shares were asked of other accounts, how many went out, and how late they
    were (None when none went out)."""

    post_id: str
    origin_account: str
    asked: int
    reshared: int
    median_late_minutes: float | None
    max_late_minutes: float | None


@dataclass(frozen=True)
class Resharer:
    """One re-sharing account: the re-shares asked of it, and how many it made (its
    share of asks fulfilled is reshared / asked)."""

    account: str
    asked: int
    reshared: int


@dataclass(frozen=True)
class AmplificationReport:
    """The amplified posts (by the due time of their first re-share), and the accounts
    that were asked to re-share, ranked by share fulfilled, then asks, then name."""

    posts: tuple[Amplified, ...]
    resharers: tuple[Resharer, ...]


@dataclass(frozen=True)
class ComplaintGroup:
    """Complaints received in the period, in total or of one office or category (`name`
    None: of none). received = answered + closed + still open; overdue are the open
    ones past their due time; within_standard the answered ones answered by their due
    time. Response times in working days: median and 90th percentile (linear
    interpolation, as spreadsheets' PERCENTILE), None without answered items."""

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
    """An item still open, as the report names it: `author` is a pseudonym
    (`warga-1a2b3c4d`) unless the report is made with names."""

    id: int
    account: str
    office: str | None
    category: str | None
    received_at: datetime
    due_at: datetime
    author: str


@dataclass(frozen=True)
class ComplaintsReport:
    """The complaints received in the period; per office (the config's order, then
    others, then none) and per category (likewise); the oldest items still open that
    were received by the period's end (OLDEST_OPEN at most, whenever they came); per
    week (its Monday, items received and items first answered on the period's days of
    that week, whenever they were received); each answered item's response days, in
    order, for a histogram."""

    total: ComplaintGroup
    offices: tuple[ComplaintGroup, ...]
    categories: tuple[ComplaintGroup, ...]
    oldest_open: tuple[OpenItem, ...]
    per_week: tuple[tuple[date, int, int], ...]
    response_days: tuple[int, ...]


@dataclass(frozen=True)
class CostReport:
    """The X API requests the period's deliveries made (by kind: `REQUEST_KINDS`), their
    estimated cost in US dollars, the budget for the period (None: the config has no
    `x_monthly_budget`; pro rata when the period is not a whole month), and per account
    (requests, cost), dearest first."""

    requests: Mapping[str, int]
    cost: Decimal
    budget: Decimal | None
    accounts: tuple[tuple[str, int, Decimal], ...]


@dataclass(frozen=True)
class Report:
    """The whole report."""

    period: Period
    generated_at: datetime
    timezone: ZoneInfo
    posts: PostsReport
    amplification: AmplificationReport
    complaints: ComplaintsReport
    cost: CostReport
    with_names: bool


# Periods


def month_period(year: int, month: int) -> Period:
    """One calendar month."""
    last = calendar.monthrange(year, month)[1]
    first = date(year, month, 1)
    return Period(first, date(year, month, last), month_name(first))


def range_period(start: date, end: date) -> Period:
    """The local days from `start` to `end`, both included (a whole month is named as
    the month)."""
    if start.day == 1 and end == month_period(start.year, start.month).end:
        return month_period(start.year, start.month)
    return Period(start, end, _range_label(start, end))


def last_month(now: datetime, tz: ZoneInfo) -> Period:
    """The last whole month before `now`'s local month: what a monthly report covers."""
    first = now.astimezone(tz).date().replace(day=1)
    previous = first - timedelta(days=1)
    return month_period(previous.year, previous.month)


def chosen_period(
    month: str | None, since: str | None, until: str | None, now: datetime, tz: ZoneInfo
) -> Period:
    """The period `report` is asked for: `--month YYYY-MM`, or `--since D` (to `--until
    D`, else to today), or by default the last whole month. UsageError for anything
    else."""
    if month is not None and (since is not None or until is not None):
        raise UsageError(_("give either --month or --since/--until, not both"))
    if month is not None:
        found = _MONTH.match(month.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise UsageError(
                _("--month: '{value}' is not a month; write it as 2026-12").format(value=month)
            )
        return month_period(int(found.group(1)), int(found.group(2)))
    if until is not None and since is None:
        raise UsageError(_("--until needs --since: the first day of the report"))
    if since is None:
        return last_month(now, tz)
    first = _day(since, "--since")
    last = _day(until, "--until") if until is not None else now.astimezone(tz).date()
    if last < first:
        raise UsageError(
            _("the period ends ({until}) before it starts ({since})").format(
                until=last.isoformat(), since=first.isoformat()
            )
        )
    return range_period(first, last)


def _day(text: str, option: str) -> date:
    value = text.strip()
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            _("{option}: '{value}' is not a date; write it as 2026-12-01").format(
                option=option, value=text
            )
        ) from None


def _range_label(start: date, end: date) -> str:
    """`1-15 Desember 2026`, `25 November - 5 Desember 2026`, `28 Desember 2026 - 3
    Januari 2027` (en dashes), or one day: `5 Desember 2026`."""

    def named(day: date, *, year: bool = True) -> str:
        text = f"{day.day} {_(MONTH_NAMES[day.month - 1])}"
        return f"{text} {day.year}" if year else text

    if start == end:
        return named(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{DASH}{named(end)}"
    if start.year == end.year:
        return f"{named(start, year=False)} {DASH} {named(end)}"
    return f"{named(start)} {DASH} {named(end)}"


# Building the report


def build_report(
    config: Config,
    location: LogLocation,
    posts: LoadedPosts,
    period: Period,
    now: datetime,
    *,
    with_names: bool = False,
) -> Report:
    """The report of `period` from the publish log at `location` (which must exist:
    lookup.existing_log) and the loaded post files, as at `now` (what is overdue).
    Only reads the log, except to make its pseudonym key when it has items but no key
    yet (never, for a log whose items were stored by humaspost)."""
    tz = config.timezone
    start, end = period.bounds(tz)
    by_id: dict[str, Post] = {}
    for planned in posts.planned:
        by_id.setdefault(planned.post.id, planned.post)
    with PublishLog(location, read_only=True) as log:
        rows = log.due_between(start, end, COUNTED)
        inbox = InboxLog(log)
        items = inbox.items_for_period(start, end)
        still_open = inbox.oldest_open(end, OLDEST_OPEN)
        unrendered = [row.id for row in rows if _priced_by_parts(row, by_id, config)]
        parts = log.part_counts(unrendered)
        key = None if with_names or not still_open else inbox.made_pseudonym_key()
    if still_open and not with_names and key is None:
        # Items stored without the log's key (never by humaspost): make it, once.
        with PublishLog(location) as log:
            key = InboxLog(log).pseudonym_key()

    def author(item: Item) -> str:
        """A pseudonym, or the name as `inbox` shows it (`Warga Contoh (@warga_uji1)`)."""
        if key is None:
            return author_text(item)
        return pseudonym(key, item.platform, item.author_id)

    complaints = _complaints(config, items, still_open, author, (start, end), period, now)
    return Report(
        period=period,
        generated_at=now,
        timezone=tz,
        posts=_posts(config, rows, by_id, period, tz),
        amplification=_amplification(rows),
        complaints=complaints,
        cost=_cost(config, rows, by_id, parts, period),
        with_names=with_names,
    )


def report_posts(config: Config, location: LogLocation, period: Period, cwd: Path) -> LoadedPosts:
    """The post files a report of `period` needs, as they are now: those of the
    deliveries due in it (their campaign, tags and what their parts hold), found by
    their ids rather than by reading every file (workflow.load_posts_with_ids)."""
    start, end = period.bounds(config.timezone)
    with PublishLog(location, read_only=True) as log:
        ids = log.post_ids_due_between(start, end)
    return load_posts_with_ids(config, cwd, ids)


def is_reshare(row: Settled) -> bool:
    """Whether a delivery is a re-share `amplify:` asked for (its occurrence names the
    origin), rather than an account's own post."""
    return row.kind is Kind.REPOST and split_occurrence(row.key.occurrence)[1] is not None


@dataclass
class _Tally:
    """Counts being made."""

    sent: int = 0
    missed: int = 0
    failed: int = 0
    unknown: int = 0
    retracted: int = 0
    on_time: int = 0
    late: int = 0

    def add(self, row: Settled) -> None:
        if row.state is RowState.SENT:
            self.sent += 1
            sent_at = row.sent_at or row.due_at
            if sent_at - row.due_at <= ON_TIME:
                self.on_time += 1
            else:
                self.late += 1
        elif row.state is RowState.MISSED:
            self.missed += 1
        elif row.state is RowState.FAILED:
            self.failed += 1
        elif row.state is RowState.UNKNOWN:
            self.unknown += 1
        elif row.state is RowState.RETRACTED:
            self.retracted += 1

    def counts(self) -> Counts:
        return Counts(
            self.sent, self.missed, self.failed, self.unknown, self.retracted,
            self.on_time, self.late,
        )  # fmt: skip


def _posts(
    config: Config,
    rows: Sequence[Settled],
    by_id: Mapping[str, Post],
    period: Period,
    tz: ZoneInfo,
) -> PostsReport:
    total = _Tally()
    accounts: dict[str, _Tally] = defaultdict(_Tally)
    campaigns: dict[str, _Tally] = defaultdict(_Tally)
    tags: dict[str, _Tally] = defaultdict(_Tally)
    per_day = {period.start + timedelta(days=n): 0 for n in range(period.days)}
    for row in rows:
        if is_reshare(row):
            continue
        total.add(row)
        accounts[row.key.account].add(row)
        campaign, post_tags = _labels(by_id.get(row.key.post_id), row.metadata)
        if campaign is not None:
            campaigns[campaign].add(row)
        for tag in post_tags:
            tags[tag].add(row)
        if row.state is RowState.SENT:
            day = row.due_at.astimezone(tz).date()
            if day in per_day:
                per_day[day] += 1
    order = {name: index for index, name in enumerate(config.accounts)}
    return PostsReport(
        total=total.counts(),
        accounts=tuple(
            Named(name, tally.counts())
            for name, tally in sorted(
                accounts.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0])
            )
        ),
        campaigns=_ranked(campaigns),
        tags=_ranked(tags),
        per_day=tuple(per_day.items()),
    )


def _ranked(tallies: Mapping[str, _Tally]) -> tuple[Named, ...]:
    """Most sent first, then by name."""
    return tuple(
        Named(name, tally.counts())
        for name, tally in sorted(tallies.items(), key=lambda pair: (-pair[1].sent, pair[0]))
    )


def _labels(post: Post | None, metadata: str | None) -> tuple[str | None, tuple[str, ...]]:
    """A delivery's campaign and tags: its post file's, else what the log kept."""
    found: Any
    if post is not None:
        found = post.metadata
    else:
        try:
            found = json.loads(metadata) if metadata else {}
        except ValueError:
            found = {}
    if not isinstance(found, Mapping):
        return None, ()
    campaign = found.get("campaign")
    raw = found.get("tags")
    written = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    tags = tuple(dict.fromkeys(t.strip() for t in written if isinstance(t, str) and t.strip()))
    if not isinstance(campaign, str) or not campaign.strip():
        return None, tags
    return campaign.strip(), tags


def _amplification(rows: Sequence[Settled]) -> AmplificationReport:
    posts: dict[tuple[str, str], list[Settled]] = defaultdict(list)
    resharers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if not is_reshare(row):
            continue
        origin = split_occurrence(row.key.occurrence)[1]
        assert origin is not None
        posts[(row.key.post_id, origin)].append(row)  # rows come by due time
        tally = resharers[row.key.account]
        tally[0] += 1
        tally[1] += row.state in WENT_OUT
    amplified = []
    for (post_id, origin), reshares in sorted(
        posts.items(), key=lambda pair: (pair[1][0].due_at, pair[0])
    ):
        late = [
            ((row.sent_at or row.due_at) - row.due_at).total_seconds() / 60
            for row in reshares
            if row.state in WENT_OUT
        ]
        amplified.append(
            Amplified(
                post_id,
                origin,
                asked=len(reshares),
                reshared=len(late),
                median_late_minutes=statistics.median(late) if late else None,
                max_late_minutes=max(late) if late else None,
            )
        )
    ranked = sorted(
        resharers.items(),
        key=lambda pair: (-Decimal(pair[1][1]) / pair[1][0], -pair[1][0], pair[0]),
    )
    return AmplificationReport(
        tuple(amplified),
        tuple(Resharer(account, asked, done) for account, (asked, done) in ranked),
    )


@dataclass
class _Complaints:
    """A complaint group being counted."""

    received: int = 0
    answered: int = 0
    closed: int = 0
    overdue: int = 0
    within_standard: int = 0
    days: list[int] = field(default_factory=list)

    def add(self, item: Item, days: int | None, now: datetime) -> None:
        self.received += 1
        if item.answered_at is not None:
            self.answered += 1
            self.within_standard += item.answered_at <= item.due_at
            assert days is not None
            self.days.append(days)
        elif item.status is Status.CLOSED:
            self.closed += 1
        elif item.due_at < now:
            self.overdue += 1

    def group(self, name: str | None) -> ComplaintGroup:
        days = sorted(self.days)
        return ComplaintGroup(
            name,
            self.received,
            self.answered,
            self.closed,
            self.overdue,
            self.within_standard,
            float(statistics.median(days)) if days else None,
            percentile(days, 0.9),
        )


def percentile(ordered: Sequence[int | float], fraction: float) -> float | None:
    """The `fraction` percentile of sorted values by linear interpolation between the
    closest ranks (what PERCENTILE and PERCENTILE.INC of spreadsheets compute); None
    for no values."""
    if not ordered:
        return None
    rank = (len(ordered) - 1) * fraction
    below = int(rank)
    above = min(below + 1, len(ordered) - 1)
    return float(ordered[below] + (ordered[above] - ordered[below]) * (rank - below))


def _complaints(
    config: Config,
    items: Sequence[Item],
    still_open: Sequence[Item],
    author: Callable[[Item], str],
    bounds: tuple[datetime, datetime],
    period: Period,
    now: datetime,
) -> ComplaintsReport:
    start, end = bounds
    tz = config.timezone
    settings = config.inbox
    working = WorkingCalendar(tz, settings.collective_leave if settings else frozenset())
    complaints = [item for item in items if item.status is not Status.NOT_COMPLAINT]
    total = _Complaints()
    offices: dict[str | None, _Complaints] = defaultdict(_Complaints)
    categories: dict[str | None, _Complaints] = defaultdict(_Complaints)
    first_monday = period.start - timedelta(days=period.start.weekday())
    weeks = {
        first_monday + timedelta(weeks=n): [0, 0]
        for n in range((period.end - first_monday).days // 7 + 1)
    }
    for item in complaints:
        if item.answered_at is not None and start <= item.answered_at < end:
            weeks[_monday(item.answered_at, tz)][1] += 1
        if not start <= item.received_at < end:
            continue
        weeks[_monday(item.received_at, tz)][0] += 1
        days = (
            working.response_days(item.received_at, item.answered_at)
            if item.answered_at is not None
            else None
        )
        for tally in (total, offices[item.office], categories[item.category]):
            tally.add(item, days, now)
    return ComplaintsReport(
        total=total.group(None),
        offices=_groups(offices, config.offices),
        categories=_groups(categories, tuple(settings.categories) if settings else ()),
        oldest_open=tuple(
            OpenItem(
                item.id,
                item.account,
                item.office,
                item.category,
                item.received_at,
                item.due_at,
                author(item),
            )
            for item in still_open
        ),
        per_week=tuple((monday, got, done) for monday, (got, done) in weeks.items()),
        response_days=tuple(sorted(total.days)),
    )


def _monday(moment: datetime, tz: ZoneInfo) -> date:
    day = moment.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def _groups(
    tallies: Mapping[str | None, _Complaints], configured: Sequence[str]
) -> tuple[ComplaintGroup, ...]:
    """The groups in the config's order, then the others by name, then none."""
    order = {name: index for index, name in enumerate(configured)}

    def key(name: str | None) -> tuple[int, int, str]:
        if name is None:
            return (2, 0, "")
        return (0, order[name], name) if name in order else (1, 0, name)

    return tuple(tallies[name].group(name) for name in sorted(tallies, key=key))


def _priced_by_parts(row: Settled, by_id: Mapping[str, Post], config: Config) -> bool:
    """Whether an X delivery that went out is priced by the parts the log recorded, its
    post file or its account being gone (else by its post's parts as they render)."""
    return (
        row.platform == X_PLATFORM
        and row.state in WENT_OUT
        and row.kind is not Kind.REPOST
        and (row.key.post_id not in by_id or row.key.account not in config.accounts)
    )


def _cost(
    config: Config,
    rows: Sequence[Settled],
    by_id: Mapping[str, Post],
    parts: Mapping[int, int],
    period: Period,
) -> CostReport:
    prices = config.x_prices
    requests = dict.fromkeys(REQUEST_KINDS, 0)
    accounts: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    rendered: dict[tuple[str, str], tuple[Part, ...]] = {}
    for row in rows:
        if row.platform != X_PLATFORM or row.state not in WENT_OUT:
            continue
        at = row.sent_at or row.due_at
        name = row.key.account
        made: list[Planned] = []
        if row.kind is Kind.REPOST:
            made.append(Planned(name, X_PLATFORM, "repost", at))
        elif _priced_by_parts(row, by_id, config):
            made += [Planned(name, X_PLATFORM, "post", at)] * max(parts.get(row.id, 1), 1)
        else:
            pair = (row.key.post_id, name)
            if pair not in rendered:
                rendered[pair] = render(by_id[row.key.post_id], config.accounts[name])
            for part in rendered[pair] or (Part(""),):
                has_url = bool(part.link) or has_web_address(part.text)
                made.append(
                    Planned(name, X_PLATFORM, "post", at, has_url=has_url,
                            media_count=len(part.media))
                )  # fmt: skip
        for request in made:
            if request.kind == "repost":
                requests["repost"] += 1
            else:
                requests["post_with_url" if request.has_url else "post"] += 1
                requests["media"] += request.media_count
            accounts[name][0] += 1
            accounts[name][1] += prices.of(request)
    return CostReport(
        requests=requests,
        cost=sum((cost for _count, cost in accounts.values()), Decimal(0)),
        budget=_budget(config.x_monthly_budget, period),
        accounts=tuple(
            (name, count, cost)
            for name, (count, cost) in sorted(
                accounts.items(), key=lambda pair: (-pair[1][1], pair[0])
            )
        ),
    )


def _budget(monthly: Decimal | None, period: Period) -> Decimal | None:
    """`x_monthly_budget` for the period: itself for a whole month, else each month's
    share by its days in the period, to the cent."""
    if monthly is None or period.whole_month:
        return monthly
    share = Decimal(0)
    day = period.start
    while day <= period.end:
        length = calendar.monthrange(day.year, day.month)[1]
        last = min(period.end, date(day.year, day.month, length))
        share += monthly * ((last - day).days + 1) / length
        day = last + timedelta(days=1)
    return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
