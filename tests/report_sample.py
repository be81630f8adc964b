"""An invented month of a city PR office's report (December 2026), built by hand as
humaspost/report.py's model: what the HTML report and its screenshot draw. The figures
agree with each other (the accounts add up to the total, the weeks to the month) as a
real report's would; no person in it exists."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from humaspost.report import (
    AmplificationReport,
    Amplified,
    ComplaintGroup,
    ComplaintsReport,
    CostReport,
    Counts,
    Named,
    OpenItem,
    Period,
    PostsReport,
    Report,
    Resharer,
)
from humaspost.x_costs import month_name

JAKARTA = ZoneInfo("Asia/Jakarta")
DISTRICTS = (
    "kec-bekasi-timur",
    "kec-bekasi-barat",
    "kec-bekasi-utara",
    "kec-bekasi-selatan",
    "kec-rawalumbu",
    "kec-medan-satria",
    "kec-bantargebang",
    "kec-pondok-gede",
    "kec-jatiasih",
    "kec-jatisampurna",
    "kec-mustikajaya",
    "kec-pondok-melati",
)

# Ten city posts asked the twelve districts to re-share them.
AMPLIFIED = (
    Amplified("2026-12-01-banjir-siaga", "pemkot-x", 12, 12, 4.0, 19.0),
    Amplified("2026-12-03-pasar-murah", "pemkot-fb", 12, 11, 6.5, 48.0),
    Amplified("2026-12-05-kerja-bakti", "pemkot-x", 12, 10, 7.0, 52.5),
    Amplified("2026-12-08-posyandu", "pemkot-fb", 12, 9, 9.5, 75.0),
    Amplified("2026-12-10-pasar-murah-2", "pemkot-x", 12, 9, 5.0, 33.0),
    Amplified("2026-12-14-banjir-waspada", "pemkot-x", 12, 8, 3.5, 41.0),
    Amplified("2026-12-17-imunisasi", "pemkot-fb", 12, 8, 12.0, 96.0),
    Amplified("2026-12-21-hari-ibu", "pemkot-x", 12, 7, 14.0, 182.0),
    Amplified("2026-12-24-natal", "pemkot-fb", 12, 7, 11.0, 140.5),
    Amplified("2026-12-29-tahun-baru", "pemkot-x", 12, 6, 21.0, 212.0),
)


def counts(sent: int, missed: int = 0, failed: int = 0, late: int = 0) -> Counts:
    """Counts where every sent delivery but `late` ones was on time."""
    return Counts(
        sent=sent,
        missed=missed,
        failed=failed,
        unknown=0,
        retracted=0,
        on_time=sent - late,
        late=late,
    )


def sample_report(*, with_names: bool = False) -> Report:
    """The invented December 2026 of the Kota Bekasi PR office (its period named in the
    language in use, as build_report names it)."""
    chance = random.Random(14)
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(31)]
    per_day = tuple(
        (day, chance.randint(1, 4) if day.weekday() >= 5 else chance.randint(4, 11)) for day in days
    )
    sent = sum(count for _day, count in per_day)
    resharers = tuple(
        sorted(
            (
                Resharer(account, len(AMPLIFIED), reshared)
                for account, reshared in zip(
                    DISTRICTS, (10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 4, 2), strict=True
                )
            ),
            key=lambda r: (-r.reshared / r.asked, -r.asked, r.account),
        )
    )
    assert sum(r.reshared for r in resharers) == sum(post.reshared for post in AMPLIFIED)
    # The accounts' own posts (re-shares are the amplification's): the city's two, and
    # two districts that posted news of their own.
    district = 7 + 5
    city = sent - district
    accounts = (
        Named("pemkot-x", counts(city - city // 2, missed=2, failed=1, late=5)),
        Named("pemkot-fb", counts(city // 2, missed=1, late=2)),
        Named("kec-bekasi-timur", counts(7, late=2)),
        Named(
            "kec-jatiasih",
            Counts(sent=5, missed=0, failed=0, unknown=1, retracted=1, on_time=5, late=0),
        ),
    )
    total = Counts(
        sent=sent,
        missed=3,
        failed=1,
        unknown=1,
        retracted=1,
        on_time=sent - 9,
        late=9,
    )
    posts = PostsReport(
        total=total,
        accounts=accounts,
        campaigns=(
            Named("banjir-siaga", counts(64, missed=1, late=3)),
            Named("pasar-murah", counts(38, late=1)),
            Named("hari-ibu", counts(12)),
        ),
        tags=(
            Named("kebencanaan", counts(71, missed=1, late=3)),
            Named("ekonomi", counts(38, late=1)),
            Named("kesehatan", counts(20)),
        ),
        per_day=per_day,
    )
    weeks = (
        (date(2026, 11, 30), 31, 24),
        (date(2026, 12, 7), 44, 40),
        (date(2026, 12, 14), 38, 41),
        (date(2026, 12, 21), 27, 22),
        (date(2026, 12, 28), 18, 15),
    )
    received = sum(week[1] for week in weeks)
    answered = sum(week[2] for week in weeks)
    response = tuple(sorted(min(9, int(chance.expovariate(0.55))) for _n in range(answered)))
    offices = (
        ComplaintGroup("BPBD", 61, 58, 50, 1, 55, 1.0, 3.0),
        ComplaintGroup("Dinas PUPR", 49, 41, 33, 4, 35, 2.0, 5.0),
        ComplaintGroup("Dishub", 30, 28, 25, 1, 26, 1.0, 3.0),
        ComplaintGroup(None, 18, 15, 12, 2, 12, 2.5, 6.0),
    )
    categories = (
        ComplaintGroup("banjir", 57, 55, 48, 1, 53, 1.0, 3.0),
        ComplaintGroup("jalan rusak", 41, 34, 27, 3, 29, 2.0, 5.0),
        ComplaintGroup("lampu jalan", 22, 21, 19, 1, 20, 1.0, 2.0),
        ComplaintGroup("sampah", 38, 32, 26, 3, 26, 2.0, 6.0),
    )
    assert sum(o.received for o in offices) == received
    complaints = ComplaintsReport(
        total=ComplaintGroup("", received, answered, 120, 8, 128, 1.5, 4.0),
        offices=offices,
        categories=categories,
        oldest_open=tuple(
            OpenItem(
                id=number,
                account="pemkot-x" if number % 2 else "pemkot-fb",
                office=("Dinas PUPR", "Dishub", None)[number % 3],
                category=("jalan rusak", "lampu jalan", None)[number % 3],
                received_at=datetime(2026, 12, 2 + 3 * index, 2, 15, tzinfo=UTC),
                due_at=datetime(2026, 12, 5 + 3 * index, 10, 0, tzinfo=UTC),
                author=f"Warga Contoh {index + 1}" if with_names else f"warga-{number:04x}",
            )
            for index, number in enumerate((412, 437, 455, 468, 502))
        ),
        per_week=weeks,
        response_days=response,
    )
    cost = CostReport(
        requests={"post": 96, "post_with_url": 41, "repost": 180, "media": 57},
        cost=Decimal("14.985"),
        budget=Decimal("25.00"),
        accounts=(
            ("pemkot-x", 194, Decimal("10.485")),
            ("kec-bekasi-timur", 24, Decimal("0.600")),
            ("kecamatan lain (11)", 156, Decimal("3.900")),
        ),
    )
    return Report(
        period=Period(date(2026, 12, 1), date(2026, 12, 31), month_name(date(2026, 12, 1))),
        generated_at=datetime(2027, 1, 4, 1, 30, tzinfo=UTC),
        timezone=JAKARTA,
        posts=posts,
        amplification=AmplificationReport(posts=AMPLIFIED, resharers=resharers),
        complaints=complaints,
        cost=cost,
        with_names=with_names,
    )
