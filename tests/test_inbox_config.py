"""The config's `inbox:` section and `offices:`: defaults, and every bad value located."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from humaspost.inbox_settings import InboxSettings, Route
from humaspost.problems import ConfigError
from tests.conftest import Repo, run_humaspost

# Six lines: the snippets of the cases below start on line 7.
PREFIX = """\
accounts:
  pemkot-x: {platform: sandbox}
  kec-timur: {platform: sandbox}
  kec-barat: {platform: sandbox}
groups:
  semua-kecamatan: [kec-timur, kec-barat]
"""


def test_without_an_inbox_section_nothing_is_fetched_and_every_name_is_an_office(
    repo: Repo,
) -> None:
    config = repo.config()
    assert config.inbox is None
    assert config.offices == (
        "pemkot-x",
        "pemkot-fb",
        "kec-timur",
        "kec-barat",
        "latihan",
        "semua-kecamatan",
    )


@pytest.mark.parametrize("section", ["inbox:\n", "inbox: {}\n"])
def test_an_empty_inbox_section_is_every_default(repo: Repo, section: str) -> None:
    repo.write_config(PREFIX + section)
    settings = repo.config().inbox
    assert settings == InboxSettings()
    assert settings is not None
    assert settings.interval == timedelta(minutes=10)
    assert settings.respond_within == 5
    assert dict(settings.categories) == {}
    assert settings.routes == ()
    assert settings.collective_leave == frozenset()
    assert settings.retain == timedelta(days=365)
    assert settings.since == timedelta(days=7)


def test_a_whole_inbox_section_is_read_as_written(repo: Repo) -> None:
    repo.write_config(
        PREFIX
        + """\
offices: [BPBD, dinas-pupr, kec-bekasi-timur, Dinas_Kesehatan2]
inbox:
  interval: 5m
  respond_within: 3
  categories:
    banjir: 1
    jalan-rusak: 10
  routes:
    - {account: semua-kecamatan, keywords: [banjir], office: BPBD, category: banjir}
    - keywords: ["*banjir*", genangan, "jalan rusak"]
      office: BPBD
    - account: pemkot-x
      office: kec-bekasi-timur
    - {keywords: [lubang], office: dinas-pupr, category: jalan-rusak}
  collective_leave: [2026-12-24, "2026-03-20"]
  retain: 90d
  since: 2d
"""
    )
    config = repo.config()
    assert config.offices == ("BPBD", "dinas-pupr", "kec-bekasi-timur", "Dinas_Kesehatan2")
    assert config.inbox == InboxSettings(
        interval=timedelta(minutes=5),
        respond_within=3,
        categories={"banjir": 1, "jalan-rusak": 10},
        routes=(
            Route(1, "BPBD", "semua-kecamatan", ("banjir",), "banjir"),
            Route(2, "BPBD", None, ("*banjir*", "genangan", "jalan rusak"), None),
            Route(3, "kec-bekasi-timur", "pemkot-x", (), None),
            Route(4, "dinas-pupr", None, ("lubang",), "jalan-rusak"),
        ),
        collective_leave=frozenset({date(2026, 12, 24), date(2026, 3, 20)}),
        retain=timedelta(days=90),
        since=timedelta(days=2),
    )


def test_offices_without_an_inbox_and_one_office_written_alone(repo: Repo) -> None:
    repo.write_config(PREFIX + "offices: BPBD\n")
    config = repo.config()
    assert config.offices == ("BPBD",)
    assert config.inbox is None


def test_a_route_may_name_an_account_as_its_office_by_default(repo: Repo) -> None:
    repo.write_config(
        PREFIX + "inbox:\n  routes:\n    - {account: semua-kecamatan, office: kec-timur}\n"
    )
    settings = repo.config().inbox
    assert settings is not None
    assert settings.routes == (Route(1, "kec-timur", "semua-kecamatan"),)


# (snippet after PREFIX, code, line, column, words of the message, words of the hint)
BAD = [
    ("inbox: yes\n", "HP503", 7, 8, "'inbox' must be a mapping", None),
    (
        "inbox:\n  intervall: 5m\n",
        "HP502",
        8,
        3,
        "unknown inbox setting 'intervall'",
        "did you mean 'interval'?",
    ),
    (
        "inbox: {interval: 30s}\n",
        "HP503",
        7,
        19,
        "'inbox.interval' must be at least 1m",
        "paid read",
    ),
    (
        "inbox:\n  interval: sepuluh menit\n",
        "HP503",
        8,
        13,
        "'inbox.interval': 'sepuluh menit' is not a duration",
        None,
    ),
    (
        "inbox:\n  respond_within: 0\n",
        "HP503",
        8,
        19,
        "'inbox.respond_within' must be a whole number of working days, 1 to 365",
        "weekends",
    ),
    (
        "inbox:\n  respond_within: true\n",
        "HP503",
        8,
        19,
        "'inbox.respond_within' must be a whole number",
        None,
    ),
    (
        "inbox:\n  respond_within: 2.5\n",
        "HP503",
        8,
        19,
        "'inbox.respond_within' must be a whole number",
        None,
    ),
    (
        "inbox:\n  respond_within: 366\n",
        "HP503",
        8,
        19,
        "'inbox.respond_within' must be a whole number",
        None,
    ),
    (
        'inbox:\n  respond_within: "5"\n',
        "HP503",
        8,
        19,
        "'inbox.respond_within' must be a whole number",
        None,
    ),
    (
        "inbox:\n  categories: [banjir]\n",
        "HP503",
        8,
        15,
        "'inbox.categories' must map category names to working days",
        "banjir: 1",
    ),
    (
        "inbox:\n  categories:\n    banjir: 0\n",
        "HP503",
        9,
        13,
        "'inbox.categories.banjir' must be a whole number of working days",
        None,
    ),
    (
        "inbox:\n  categories:\n    jalan rusak: 3\n",
        "HP505",
        9,
        5,
        "category name 'jalan rusak'",
        "jalan-rusak",
    ),
    ("inbox:\n  retain: 12h\n", "HP503", 8, 11, "'inbox.retain' must be at least 1d", "deleted"),
    (
        "inbox:\n  retain: 1 tahun\n",
        "HP503",
        8,
        11,
        "'inbox.retain': '1 tahun' is not a duration",
        None,
    ),
    (
        "inbox:\n  since: seminggu\n",
        "HP503",
        8,
        10,
        "'inbox.since': 'seminggu' is not a duration",
        None,
    ),
    (
        "inbox:\n  collective_leave: {natal: 2026-12-24}\n",
        "HP503",
        8,
        21,
        "'inbox.collective_leave' must list dates",
        None,
    ),
    (
        "inbox:\n  collective_leave: [2026-12-24, 2026-02-30]\n",
        "HP503",
        8,
        34,
        "'2026-02-30' is not a real date",
        None,
    ),
    (
        "inbox:\n  collective_leave:\n    - 24-12-2026\n",
        "HP503",
        9,
        7,
        "'24-12-2026' is not a date; write it like 2026-12-24",
        None,
    ),
    (
        "inbox:\n  collective_leave: [2026-12-24 08:00]\n",
        "HP503",
        8,
        22,
        "'2026-12-24 08:00' is not a date",
        None,
    ),
    ("inbox:\n  collective_leave: [20261224]\n", "HP503", 8, 22, "20261224 is not a date", None),
    (
        "inbox:\n  routes: {office: kec-timur}\n",
        "HP503",
        8,
        11,
        "'inbox.routes' must be a list of routes",
        None,
    ),
    (
        "inbox:\n  routes:\n    - kec-timur\n",
        "HP503",
        9,
        7,
        "'inbox.routes[1]' must be a mapping with 'office'",
        None,
    ),
    (
        "inbox:\n  routes:\n    - keywords: [banjir]\n",
        "HP503",
        9,
        7,
        "'inbox.routes[1]' needs 'office'",
        None,
    ),
    (
        "offices: [BPBD]\ninbox:\n  routes:\n    - {keywords: [banjir], office: BPDB}\n",
        "HP503",
        10,
        36,
        "'inbox.routes[1].office' names unknown office 'BPDB'",
        "did you mean 'BPBD'?",
    ),
    (
        "offices: [BPBD]\ninbox:\n  routes:\n    - {keywords: [banjir], office: pemadam}\n",
        "HP503",
        10,
        36,
        "unknown office 'pemadam'",
        "add it to 'offices'",
    ),
    (
        "inbox:\n  routes:\n    - {keywords: [banjir], office: BPBD}\n",
        "HP503",
        9,
        36,
        "'inbox.routes[1].office' names unknown office 'BPBD'",
        "without 'offices'",
    ),
    (
        "inbox:\n  routes:\n    - {account: kec-timur, office: kec-timur}\n    - {office: kec-barat}\n",
        "HP503",
        10,
        7,
        "'inbox.routes[2]' needs 'account' or 'keywords'",
        None,
    ),
    (
        "inbox:\n  routes:\n    - {account: kec-timor, office: kec-timur}\n",
        "HP506",
        9,
        17,
        "'inbox.routes[1].account' names unknown account or group 'kec-timor'",
        "did you mean 'kec-timur'?",
    ),
    (
        "inbox:\n  routes:\n    - {account: semua-kecamatan, office: kec-timur, extra: 1}\n",
        "HP502",
        9,
        53,
        "unknown route setting 'extra'",
        None,
    ),
    (
        "inbox:\n  routes:\n    - {keywords: [], office: kec-timur}\n",
        "HP503",
        9,
        18,
        "'inbox.routes[1].keywords' must list one or more keywords",
        None,
    ),
    (
        "inbox:\n  routes:\n    - {keywords: [banjir, 112], office: kec-timur}\n",
        "HP503",
        9,
        27,
        "keyword 112 must be text",
        "quotes",
    ),
    (
        "inbox:\n  routes:\n    - {keywords: ['ban*jir'], office: kec-timur}\n",
        "HP503",
        9,
        19,
        "keyword 'ban*jir' has a '*' inside",
        "kebanjiran",
    ),
    (
        "inbox:\n  routes:\n    - {keywords: ['*'], office: kec-timur}\n",
        "HP503",
        9,
        19,
        "keyword '*' needs a letter or a digit",
        None,
    ),
    (
        "inbox:\n  categories: {banjir: 1}\n  routes:\n    - {keywords: [banjir], office: kec-timur, category: banjr}\n",
        "HP503",
        10,
        57,
        "'inbox.routes[1].category' names unknown category 'banjr'",
        "did you mean 'banjir'?",
    ),
    (
        "inbox:\n  routes:\n    - {keywords: [banjir], office: kec-timur, category: banjir}\n",
        "HP503",
        9,
        57,
        "unknown category 'banjir'",
        "'inbox.categories'",
    ),
    ("offices: []\n", "HP503", 7, 10, "'offices' must list the offices", "BPBD"),
    ("offices: {BPBD: 1}\n", "HP503", 7, 10, "'offices' must list the offices", None),
    (
        "offices: [BPBD, -BPBD]\n",
        "HP505",
        7,
        17,
        "office name '-BPBD' must start with a letter or digit",
        None,
    ),
    ("offices: [BPBD, dinas pupr]\n", "HP505", 7, 17, "office name 'dinas pupr'", "dinas-pupr"),
    (
        "offices: [BPBD, bpbd]\n",
        "HP505",
        7,
        17,
        "office 'bpbd' is listed twice",
        "'BPBD' is listed already",
    ),
    ("offices:\n  - 112\n", "HP505", 8, 5, "office name 112 must be text", "quotes"),
]


@pytest.mark.parametrize(("snippet", "code", "line", "column", "message", "hint"), BAD)
def test_every_bad_inbox_or_office_value_is_located(
    repo: Repo, snippet: str, code: str, line: int, column: int, message: str, hint: str | None
) -> None:
    repo.write_config(PREFIX + snippet)
    with pytest.raises(ConfigError) as caught:
        repo.config()
    problems = caught.value.problems
    assert [(p.code, p.line, p.column) for p in problems] == [(code, line, column)], [
        p.message for p in problems
    ]
    assert message in problems[0].message
    if hint is not None:
        assert hint in (problems[0].hint or "")


def test_several_bad_routes_are_all_reported(repo: Repo) -> None:
    repo.write_config(
        PREFIX
        + """\
inbox:
  routes:
    - {keywords: [banjir], office: nope}
    - {account: kec-timur, office: kec-timur}
    - {account: nope, office: kec-timur}
"""
    )
    with pytest.raises(ConfigError) as caught:
        repo.config()
    assert [(p.code, p.line) for p in caught.value.problems] == [("HP503", 9), ("HP506", 11)]


def test_reading_the_config_does_not_load_the_holiday_calendar() -> None:
    # `check` reads the config on every pre-commit run; the calendar takes a while.
    code = "import sys, humaspost.config; print('holidays' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_problem_on_a_keywords_line_quotes_the_keywords_unmasked(repo: Repo) -> None:
    repo.write_config(
        "accounts:\n  pemkot-x:\n    platform: sandbox\n"
        "offices: [BPBD]\ninbox:\n  routes:\n    - {keywords: [banjir], office: BPDB}\n"
    )
    result = run_humaspost("check", cwd=repo.root)
    assert result.returncode == 2
    assert "- {keywords: [banjir], office: BPDB}" in result.stderr
