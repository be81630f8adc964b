"""Triage: which office an item goes to by the routes, in which category, by when."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from humaspost.inbox_model import InboxError
from humaspost.inbox_routing import Triage, days_for, triage
from humaspost.inbox_settings import InboxSettings, Route
from humaspost.working_days import WorkingCalendar
from tests.conftest import Repo

WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = WorkingCalendar(WIB)
GROUPS = {"semua-kecamatan": ("kec-timur", "kec-barat")}
# Monday 7 December 2026, 10:00 WIB.
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=WIB)


def due(day: int) -> datetime:
    """The end of a day of December 2026 (00:00 WIB of the next)."""
    return datetime(2026, 12, day + 1, tzinfo=WIB)


def office_for(text: str, *routes: Route, account: str = "pemkot-x") -> str | None:
    settings = InboxSettings(routes=routes)
    return triage(text, account, MONDAY, settings, GROUPS, CALENDAR).office


@pytest.mark.parametrize(
    ("keyword", "text", "matches"),
    [
        ("banjir", "Banjir! Air masuk rumah", True),
        ("banjir", "#banjir di Jalan Contoh", True),
        ("banjir", "BANJIR lagi", True),
        ("banjir", "rumah kami kebanjiran", False),
        ("banjir", "banjirnya sampai lutut", False),
        ("*banjir*", "rumah kami kebanjiran", True),
        ("*banjir", "sudah kebanjir dari pagi", True),
        ("*banjir", "banjirnya sampai lutut", False),
        ("*banjir", "banjir lagi", True),
        ("banjir*", "banjirnya sampai lutut", True),
        ("banjir*", "rumah kami kebanjiran", False),
        ("jalan rusak", "Jalan  rusak parah di RT 3", True),
        ("jalan rusak", "jalan\nrusak", True),
        ("jalan rusak", "jalan yang rusak", False),
        ("PJU", "lampu pju mati", True),
        # A handle is one word with its underscores: @warga_banjir is not about a flood.
        ("banjir", "cc @warga_banjir", False),
        # Styled letters pasted from a "font" app read as the plain ones.
        ("banjir", "\U0001d401\U0001d41a\U0001d427\U0001d423\U0001d422\U0001d42b di sini", True),
    ],
)
def test_keywords_match_whole_words_whatever_their_case(
    keyword: str, text: str, matches: bool
) -> None:
    office = office_for(text, Route(1, "BPBD", keywords=(keyword,)))
    assert office == ("BPBD" if matches else None)


def test_an_unrouted_item_has_no_office_and_the_general_deadline() -> None:
    settings = InboxSettings(respond_within=2, routes=(Route(1, "BPBD", keywords=("banjir",)),))
    result = triage("Terima kasih infonya", "pemkot-x", MONDAY, settings, GROUPS, CALENDAR)
    assert result == Triage(office=None, category=None, due_at=due(9), rule=None)


def test_the_first_route_that_matches_wins() -> None:
    routes = (
        Route(1, "dinas-pupr", keywords=("jalan",)),
        Route(2, "BPBD", keywords=("banjir",)),
        Route(3, "kec-timur", account="kec-timur"),
    )
    assert office_for("banjir di jalan", *routes) == "dinas-pupr"
    assert office_for("banjir di gang", *routes, account="kec-timur") == "BPBD"
    assert office_for("sampah menumpuk", *routes, account="kec-timur") == "kec-timur"


def test_an_account_route_takes_its_account_or_the_accounts_of_its_group() -> None:
    by_group = Route(1, "kecamatan", account="semua-kecamatan")
    assert office_for("halo", by_group, account="kec-barat") == "kecamatan"
    assert office_for("halo", by_group, account="pemkot-x") is None
    by_account = Route(1, "humas", account="pemkot-x")
    assert office_for("halo", by_account, account="pemkot-x") == "humas"
    assert office_for("halo", by_account, account="kec-timur") is None


def test_a_route_with_account_and_keywords_needs_both() -> None:
    route = Route(1, "BPBD", account="semua-kecamatan", keywords=("banjir",))
    assert office_for("banjir", route, account="kec-timur") == "BPBD"
    assert office_for("banjir", route, account="pemkot-x") is None
    assert office_for("sampah", route, account="kec-timur") is None


def test_the_rule_names_the_route_and_what_matched_never_the_citizens_words() -> None:
    settings = InboxSettings(
        categories={"banjir": 1},
        routes=(
            Route(1, "kec-timur", account="kec-timur", keywords=("sampah",)),
            Route(2, "BPBD", keywords=("genangan", "*banjir*"), category="banjir"),
            Route(3, "kecamatan", account="semua-kecamatan"),
        ),
    )
    flood = triage("Kebanjiran dan genangan", "pemkot-x", MONDAY, settings, GROUPS, CALENDAR)
    assert flood == Triage("BPBD", "banjir", due(8), "routes[2] (genangan)")
    wider = triage("Rumah kebanjiran", "pemkot-x", MONDAY, settings, GROUPS, CALENDAR)
    assert wider.rule == "routes[2] (*banjir*)"
    both = triage("sampah lagi", "kec-timur", MONDAY, settings, GROUPS, CALENDAR)
    assert both.rule == "routes[1] (kec-timur, sampah)"
    by_group = triage("halo", "kec-barat", MONDAY, settings, GROUPS, CALENDAR)
    assert by_group == Triage("kecamatan", None, due(14), "routes[3] (semua-kecamatan)")


def test_a_category_has_its_own_deadline() -> None:
    settings = InboxSettings(respond_within=5, categories={"banjir": 1, "jalan-rusak": 10})
    assert days_for(None, settings) == 5
    assert days_for("banjir", settings) == 1
    assert days_for("jalan-rusak", settings) == 10


def test_an_unknown_category_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(InboxError, match="'banjr'; the config's categories: banjir, jalan-rusak"):
        days_for("banjr", InboxSettings(categories={"banjir": 1, "jalan-rusak": 10}))
    with pytest.raises(InboxError, match=r"no 'inbox\.categories'"):
        days_for("banjir", InboxSettings())


def test_routes_from_the_config_triage_items(repo: Repo) -> None:
    repo.write_config(
        """\
        timezone: Asia/Jakarta
        accounts:
          pemkot-x: {platform: sandbox}
          kec-timur: {platform: sandbox}
        offices: [BPBD, dinas-pupr]
        inbox:
          respond_within: 3
          categories: {darurat: 1}
          routes:
            - {keywords: ["*banjir*", longsor], office: BPBD, category: darurat}
            - {account: kec-timur, office: dinas-pupr}
          collective_leave: [2026-12-08]
        """
    )
    config = repo.config()
    settings = config.inbox
    assert settings is not None
    calendar = WorkingCalendar(config.timezone, settings.collective_leave)
    landslide = triage(
        "Ada LONGSOR di tebing", "pemkot-x", MONDAY, settings, config.groups, calendar
    )
    # Tuesday 8 December is collective leave: Wednesday is the one working day.
    assert landslide == Triage("BPBD", "darurat", due(9), "routes[1] (longsor)")
    road = triage("Jalan berlubang", "kec-timur", MONDAY, settings, config.groups, calendar)
    assert road == Triage("dinas-pupr", None, due(11), "routes[2] (kec-timur)")
