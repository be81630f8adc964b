"""`humaspost schedule --format html`: the coming weeks as a calendar page. Checked
through the installed command against `--format json` (every delivery in its day's
column, in its state), and, with Debian's chromium (.ci/run installs it), rendered
headless: after layout, the days stand in seven columns and every block inside its
day's; on a phone's width, one column that still shows every delivery; the screenshot
holds the states' colours.

Run as a script to draw the example of the docs (docs/images/schedule.png):

    .venv/bin/python -m tests.test_schedule_html docs/images/schedule.png
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from humaspost.html_look import STATE_COLOURS
from humaspost.lifecycle import State
from humaspost.publog import DeliveryKey, Kind, PublishLog, RowState
from tests.chromium import decode_png, find_chromium, print_to_pdf, run_chromium, screenshot
from tests.conftest import ENDS, Repo, run_humaspost

# Wednesday 2 December 2026, 10:00 WIB: the calendar runs from Monday 30 November.
NOW = "2026-12-02 10:00"

CONFIG = """\
timezone: Asia/Jakarta
accounts:
  pemkot:
    platform: sandbox
    like: twitter
  pemkot-fb:
    platform: sandbox
    like: facebook
  kec-timur:
    platform: sandbox
    like: twitter
  kec-barat:
    platform: sandbox
    like: twitter
  kec-utara:
    platform: sandbox
    like: twitter
  kec-selatan:
    platform: sandbox
    like: twitter
groups:
  kecamatan: [kec-timur, kec-barat, kec-utara, kec-selatan]
defaults:
  to: [pemkot, pemkot-fb]
"""


def post(repo: Repo, name: str, body: str) -> None:
    repo.post(name, body)


def write_example(repo: Repo) -> None:
    """Two weeks of a PR office (invented): a city post sent this morning and re-shared
    by the districts (one done, three due), a post missed at dawn, a flood warning
    re-shared tomorrow, a re-share spread past midnight, a Friday repeat, a draft, a
    busy Saturday with a burst, and a quiet week after."""
    repo.write_config(CONFIG)
    post(
        repo,
        "2026/12/bedah-rumah.yaml",
        """\
        publish_at: 2026-12-02 08:00
        to: pemkot
        text: "Program bedah rumah 2027 dibuka. #KotaBekasi"
        amplify: {by: kecamatan, after: 10m, spread: 30m}
        """,
    )
    post(
        repo,
        "2026/12/subuh.yaml",
        "publish_at: 2026-12-02 05:00\nto: pemkot-fb\ntext: Jadwal imsakiyah hari ini\n",
    )
    post(
        repo,
        "2026/12/siaga-banjir.yaml",
        """\
        publish_at: 2026-12-03 06:30
        to: pemkot
        text: Siaga banjir. Hubungi BPBD 112.
        amplify: {by: kecamatan, after: 5m, spread: 15m}
        """,
    )
    post(
        repo,
        "2026/12/malam-tahun.yaml",
        """\
        publish_at: 2026-12-04 23:40
        to: pemkot
        text: Car free night di Jalan Ahmad Yani
        amplify: {by: kecamatan, after: 10m, spread: 30m}
        """,
    )
    post(
        repo,
        "rutin/jumat-bersih.yaml",
        "publish_at: 2026-12-04 06:30\nrepeat: '30 6 * * 5'\ntext: Jumat Bersih\n",
    )
    post(
        repo,
        "2026/12/draf-hut.yaml",
        "publish_at: 2026-12-09 09:00\ndraft: true\ntext: HUT Kota (draf)\n",
    )
    for number, minute in enumerate(("00", "05", "10", "40", "50", "55"), 1):
        post(
            repo,
            f"2026/12/pasar-murah-{number}.yaml",
            f"publish_at: 2026-12-05 07:{minute}\ntext: Pasar murah, info {number}\n",
        )
    # Sent this morning; then the first re-share went out (the rest are due).
    for at in ("2026-12-02 08:01", "2026-12-02 08:12"):
        result = run_humaspost("publish", "--now", at, cwd=repo.root)
        assert "Traceback" not in result.stderr, result.stderr


def page_of(repo: Repo, *args: str, language: str = "en") -> tuple[int, str]:
    result = run_humaspost(
        "schedule",
        "--now",
        NOW,
        "--format",
        "html",
        *args,
        cwd=repo.root,
        env={"HUMASPOST_LANG": language},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def deliveries_json(repo: Repo, *args: str) -> list[dict[str, Any]]:
    result = run_humaspost("schedule", "--now", NOW, "--format", "json", *args, cwd=repo.root)
    found: list[dict[str, Any]] = json.loads(result.stdout)["deliveries"]
    return found


@dataclass
class Block:
    """A delivery block as the page has it: its classes and the text of its fields."""

    classes: set[str]
    fields: dict[str, str] = field(default_factory=dict)
    folded_summary: str = ""
    folded: list[Block] = field(default_factory=list)

    @property
    def state(self) -> str:
        (state,) = (
            c.removeprefix("state-")
            for c in self.classes - {"state-mark"}
            if c.startswith("state-")
        )
        return state


@dataclass
class Day:
    classes: set[str]
    head: str = ""
    blocks: list[Block] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


# Elements without an end tag.
_VOID = frozenset({"br", "meta", "hr", "img", "input", "link", "wbr"})


class Calendar(HTMLParser):
    """The days of the page by date, each with its blocks and their folded re-shares."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.days: dict[str, Day] = {}
        self.gaps: list[str] = []
        self._day: Day | None = None
        self._stack: list[tuple[str, set[str]]] = []
        self._blocks: list[Block] = []  # the block being read, and a re-share in it
        self._field: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        if tag in _VOID:
            return
        self._stack.append((tag, classes))
        if "day" in classes:
            self._day = self.days[found["data-date"] or ""] = Day(classes)
        elif self._day is not None and ("delivery" in classes or "reshare" in classes):
            block = Block(classes)
            if "reshare" in classes:
                self._blocks[-1].folded.append(block)
            else:
                self._day.blocks.append(block)
            self._blocks.append(block)

    def handle_endtag(self, tag: str) -> None:
        name, classes = self._stack.pop()
        assert name == tag, (name, tag)
        if "day" in classes:
            self._day = None
        elif "delivery" in classes or "reshare" in classes:
            self._blocks.pop()

    def handle_data(self, data: str) -> None:
        if self._stack and "gap" in self._stack[-1][1]:
            self.gaps.append(data)
        if self._day is None:
            return
        self._day.text.append(data)
        inside = [classes for _tag, classes in self._stack]
        if any("day-head" in c for c in inside):
            self._day.head += data
        if not self._blocks:
            return
        block = self._blocks[-1]
        name = next(iter(inside[-1] & {"time", "state", "account", "post", "origin", "why"}), None)
        if name is not None:
            block.fields[name] = block.fields.get(name, "") + data
        if "summary" in [tag for tag, _c in self._stack] and len(self._blocks) == 1:
            block.folded_summary += data


def listed(calendar: Calendar) -> set[tuple[str, str, str, str, str]]:
    """(date, time, account, post, state) of every block and every folded re-share."""
    found = set()
    for date, day in calendar.days.items():
        for block in day.blocks:
            if "reshare-group" not in block.classes:
                f = block.fields
                found.add((date, f["time"], f["account"], f["post"], block.state))
            # A block of re-shares whose origin is on another day names it.
            post_id = block.fields["post"].removeprefix("re-shares of ").split(" → ")[0]
            for reshare in block.folded:
                f = reshare.fields
                found.add((date, f["time"], f["account"], post_id, reshare.state))
    return found


def from_json(deliveries: list[dict[str, Any]]) -> set[tuple[str, str, str, str, str]]:
    return {
        (d["local_time"][:10], d["local_time"][11:16], d["account"], d["post"], d["state"])
        for d in deliveries
    }


def test_every_delivery_is_in_its_days_column_in_its_state(repo: Repo) -> None:
    write_example(repo)
    code, page = page_of(repo)
    assert code == 0
    calendar = Calendar(page)
    # Two whole weeks and the week holding the end (now + 14 days: 16 December).
    days = list(calendar.days)
    assert (days[0], days[-1], len(days)) == ("2026-11-30", "2026-12-20", 21)
    assert listed(calendar) == from_json(deliveries_json(repo))
    today = calendar.days["2026-12-02"]
    assert "today" in today.classes and "today" in today.head
    assert [c for c in ("today", "outside") if c in calendar.days["2026-12-01"].classes] == [
        "outside"
    ]
    first, second = today.blocks
    assert (first.fields["time"], first.fields["account"], first.state) == (
        "05:00",
        "pemkot-fb",
        "missed",
    )
    assert (second.fields["post"], second.state) == ("2026/12/bedah-rumah", "sent")
    assert [(r.fields["account"], r.state) for r in second.folded] == [
        ("kec-timur", "sent"),
        ("kec-barat", "due"),
        ("kec-utara", "due"),
        ("kec-selatan", "due"),
    ]
    assert second.folded_summary == "+ 4 re-shares 3 due 1 sent"


def test_reshares_fold_under_their_origin_with_a_count_that_opens(repo: Repo) -> None:
    write_example(repo)
    _, page = page_of(repo)
    calendar = Calendar(page)
    (flood,) = calendar.days["2026-12-03"].blocks
    assert flood.fields["post"] == "2026/12/siaga-banjir" and flood.state == "scheduled"
    assert flood.folded_summary == "+ 4 re-shares 4 waiting"
    assert [r.fields["time"] for r in flood.folded] == ["06:35", "06:38", "06:42", "06:46"]
    # Opening needs no script: a <details> whose <summary> is the count.
    block = page.split('2026/12/siaga-banjir</span><details class="reshares"><summary>')[1]
    assert block.startswith('<span class="reshare-count">+ 4 re-shares</span>')
    # A spread past midnight: the re-shares of the next day fold under their origin's name.
    night = calendar.days["2026-12-04"].blocks[-1]
    assert (night.fields["time"], night.fields["post"]) == ("23:40", "2026/12/malam-tahun")
    assert [r.fields["time"] for r in night.folded] == ["23:50", "23:57"]
    (group,) = [b for b in calendar.days["2026-12-05"].blocks if "reshare-group" in b.classes]
    assert group.fields["post"] == "re-shares of 2026/12/malam-tahun → pemkot"
    assert [r.fields["account"] for r in group.folded] == ["kec-utara", "kec-selatan"]
    assert group.folded_summary == "+ 2 re-shares 2 waiting"


def test_busy_days_and_empty_days_stand_out(repo: Repo) -> None:
    write_example(repo)
    _, page = page_of(repo)
    calendar = Calendar(page)
    load = {date: next(c for c in day.classes if c.startswith("load-")) for date, day in
            calendar.days.items()}  # fmt: skip
    saturday = calendar.days["2026-12-05"]
    # Six posts to two accounts and two re-shares: 14 deliveries.
    assert "14 deliveries" in saturday.head and load["2026-12-05"] == "load-3"
    assert load["2026-12-03"] == "load-2" and load["2026-12-09"] == "load-1"
    # Three posts within 15 minutes to one account is a burst, said on its day.
    assert "warned" in saturday.classes
    assert "⚠ 4 warnings" in saturday.text
    said = "pemkot-fb gets 3 deliveries between 07:40 and 07:55 on Saturday, 5 December 2026"
    assert any(t.startswith(said) for t in saturday.text)
    quiet = calendar.days["2026-12-08"]
    assert {"empty-day", "load-0"} <= quiet.classes and "no deliveries" in quiet.text
    # Outside the days shown: the start of this week, and after the 14 days.
    for date in ("2026-11-30", "2026-12-17", "2026-12-20"):
        assert "outside" in calendar.days[date].classes
        assert "no deliveries" not in calendar.days[date].text
    assert "empty-day" in calendar.days["2026-12-16"].classes  # the last day of the window


def test_the_legend_counts_each_state_and_the_page_names_the_timezone(repo: Repo) -> None:
    write_example(repo)
    _, page = page_of(repo)
    counts = Counter(d["state"] for d in deliveries_json(repo))
    for state in State:
        assert (
            f'<span class="key-count">{counts[state.value]}</span>'
            in page.split(f'<li class="state-{state.value}')[1].split("</li>")[0]
        )
    assert f"{sum(counts.values())} deliveries" in page
    assert "Times are local time (Asia/Jakarta)." in page
    assert "<title>Schedule up to Wednesday, 16 December 2026 10:00 WIB</title>" in page
    assert "(now: 2026-12-02 10:00 WIB)" in page


def test_the_page_loads_nothing(repo: Repo) -> None:
    write_example(repo)
    _, page = page_of(repo)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">" in page
    )
    # (A sent delivery's address is in its block's title: text, not a link.)
    for loads in ("<script", "<link", "<a ", "@import", "@font-face", " src=", "href=", "url("):
        assert loads not in page


def seed_failed(repo: Repo, key: DeliveryKey, due: str, error: str, kind: Kind = Kind.POST) -> None:
    """Put a failed delivery in the publish log, as a publisher leaves it."""
    due_at = datetime.fromisoformat(due).astimezone(UTC)
    with PublishLog(repo.root / ".humaspost" / "publog.sqlite") as publog:
        claim = publog.claim(
            key, platform="sandbox", due_at=due_at, owner="test", now=due_at,
            lease=timedelta(minutes=2), kind=kind,
        )  # fmt: skip
        assert claim is not None
        publog.finish(
            claim.row_id, ENDS[RowState.FAILED], owner="test", now=due_at, outcome="x",
            error=error,
        )  # fmt: skip


def test_every_text_is_escaped_and_a_failure_says_what_to_do(repo: Repo) -> None:
    repo.write_config(CONFIG)
    post(repo, "a&b <i>.yaml", "publish_at: 2026-12-03 09:00\nto: pemkot\ntext: x\n")
    post(repo, "gagal.yaml", "publish_at: 2026-12-02 07:00\nto: pemkot\ntext: y\n")
    hostile = "<script>alert('x')</script> & co"
    seed_failed(repo, DeliveryKey("gagal", "once", "pemkot"), "2026-12-02T07:00:00+07:00", hostile)
    code, page = page_of(repo)
    assert code == 1  # a failed delivery, as in text
    assert "<script" not in page and "<i>" not in page
    assert '<span class="post">a&amp;b &lt;i&gt;</span>' in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in page
    (failed,) = Calendar(page).days["2026-12-02"].blocks
    assert failed.state == "failed" and failed.fields["why"].startswith("<script>")
    note = page.split('<li class="page-note attention state-failed">')[1].split("</li>")[0]
    assert "2026-12-02 07:00 WIB  gagal → pemkot" in html.unescape(note)
    assert "then run &#x27;humaspost retry 1&#x27;" in note


def test_a_failed_reshare_is_a_block_of_its_own(repo: Repo) -> None:
    write_example(repo)
    (due,) = [
        d["due_at"]
        for d in deliveries_json(repo)
        if d["account"] == "kec-barat" and d["post"] == "2026/12/bedah-rumah"
    ]
    key = DeliveryKey("2026/12/bedah-rumah", "once>pemkot", "kec-barat")
    seed_failed(repo, key, due, "403 Forbidden", Kind.REPOST)
    code, page = page_of(repo)
    assert code == 1
    _missed, origin, failed = Calendar(page).days["2026-12-02"].blocks
    assert [r.fields["account"] for r in origin.folded] == ["kec-timur", "kec-utara", "kec-selatan"]
    assert (failed.fields["account"], failed.state, failed.fields["why"]) == (
        "kec-barat",
        "failed",
        "403 Forbidden",
    )
    assert failed.fields["origin"] == "(re-share of pemkot)"


def test_held_back_files_and_earlier_weeks(repo: Repo) -> None:
    repo.write_config(CONFIG)
    post(repo, "rusak.yaml", "publish_at: 2026-12-03 09:00\nto: pemkot\n")
    post(repo, "lama.yaml", "publish_at: 2026-10-01 09:00\nto: pemkot\ntext: lama\n")
    code, page = page_of(repo, "--all", "--days", "7")
    assert code == 1
    assert "1 post file has errors and is held back: posts/rusak.yaml" in page
    calendar = Calendar(page)
    # With --all, the week of a missed October post, then one line for the weeks after.
    assert list(calendar.days)[:1] == ["2026-09-28"]
    assert calendar.days["2026-10-01"].blocks[0].state == "missed"
    assert calendar.gaps == [
        "no deliveries from Monday, 5 October 2026 to Sunday, 29 November 2026"
    ]
    assert "<title>Every delivery up to Wednesday, 9 December 2026 10:00 WIB</title>" in page


def test_the_page_speaks_indonesian(repo: Repo) -> None:
    write_example(repo)
    _, page = page_of(repo, language="id")
    assert page.startswith('<!DOCTYPE html>\n<html lang="id">')
    assert "<title>Jadwal sampai Rabu, 16 Desember 2026 10:00 WIB</title>" in page
    assert '<div class="weekday">Senin</div>' in page
    calendar = Calendar(page)
    saturday = calendar.days["2026-12-05"]
    assert "5 Desember" in saturday.head and "14 pengiriman" in saturday.head
    assert calendar.days["2026-12-02"].blocks[0].fields["state"] == "terlewat"
    assert "tidak ada pengiriman" in calendar.days["2026-12-08"].text
    assert "Waktu ditampilkan dalam waktu setempat (Asia/Jakarta)." in page


def test_output_writes_the_page_to_a_file(repo: Repo) -> None:
    write_example(repo)
    code, out = page_of(repo, "--output", "jadwal.html")
    assert code == 0 and out == ""
    assert (repo.root / "jadwal.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    _, sandbox = page_of(repo, "--sandbox")
    assert "(now: 2026-12-02 10:00 WIB; sandbox)" in sandbox
    bad = run_humaspost(
        "schedule", "--format", "html", "--output", "tidak-ada/j.html", cwd=repo.root
    )
    assert bad.returncode == 2
    assert "cannot write 'tidak-ada/j.html': No such file or directory" in bad.stderr


# Headless chromium ---------------------------------------------------------------------

# A desktop window showing the first two weeks; a phone's width (CSS pixels).
WINDOW = (1280, 1300)
PHONE = (390, 844)
TODAY_BORDER = (0xC2, 0x18, 0x5B)
HATCH = (0xE6, 0xEA, 0xEF)

# Where chromium laid out each day, weekday heading, block and folded re-share
# ([left, top, right, bottom], and whether it is drawn), read from the page's document
# `doc`: the re-shares first folded, then opened (and the days again, grown by them).
MEASURE = """
function measure(doc) {
  const box = (el) => { const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const seen = (el) => el.checkVisibility() && el.getClientRects().length > 0;
  const all = (selector) => [...doc.querySelectorAll(selector)].map((el) => ({
    date: el.closest("section.day") ? el.closest("section.day").dataset.date : null,
    box: box(el), shown: seen(el)}));
  const found = {width: doc.documentElement.clientWidth,
    scroll: doc.documentElement.scrollWidth, days: all("section.day"),
    weekdays: all(".weekday"), blocks: all("li.delivery"), folded: all("li.reshare")};
  doc.querySelectorAll("details").forEach((details) => { details.open = true; });
  found.opened = all("li.reshare");
  found.opened_days = all("section.day");
  return found;
}
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


def layout(binary: str, page: str, folder: Path, *, phone: bool) -> dict[str, Any]:
    """The page's layout as chromium draws it: in a desktop window, or at a phone's
    width (in an iframe that wide: headless chromium's window is at least 500 pixels
    wide). The measuring script runs in a copy of the page without its policy."""
    if phone:
        width, height = PHONE
        shell = (
            '<!DOCTYPE html><html><body style="margin:0">'
            f'<iframe style="width:{width}px;height:{height}px;border:0" '
            f'srcdoc="{html.escape(page, quote=True)}" onload="document.getElementById'
            "('layout').textContent = JSON.stringify(measure(this.contentDocument))\">"
            f'</iframe><pre id="layout"></pre><script>{MEASURE}</script></body></html>'
        )
    else:
        policy = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', page)
        assert policy is not None
        shell = page.replace(policy.group(0), "").replace(
            "</body>",
            f'<pre id="layout"></pre><script>{MEASURE}document.getElementById("layout")'
            ".textContent = JSON.stringify(measure(document));</script></body>",
        )
    measured = folder / ("phone.html" if phone else "desktop.html")
    measured.write_text(shell, encoding="utf-8")
    dom = run_chromium(binary, measured, WINDOW, "--dump-dom").decode("utf-8")
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found is not None and found.group(1), dom[-2000:]
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


def inside(inner: list[float], outer: list[float]) -> bool:
    left, top, right, bottom = inner
    return (
        left >= outer[0] - 0.5
        and right <= outer[2] + 0.5
        and top >= outer[1] - 0.5
        and bottom <= outer[3] + 0.5
    )


def test_chromium_lays_out_seven_columns_with_every_block_in_its_day(
    chromium: str, repo: Repo, tmp_path: Path
) -> None:
    write_example(repo)
    _, page = page_of(repo)
    drawn = layout(chromium, page, tmp_path, phone=False)
    assert drawn["scroll"] <= drawn["width"] == WINDOW[0]
    columns = [weekday["box"][0] for weekday in drawn["weekdays"]]
    assert len(columns) == 7 and columns == sorted(set(columns))
    days = {day["date"]: day for day in drawn["days"]}
    assert len(days) == 21
    for week in range(3):
        row = drawn["days"][week * 7 : week * 7 + 7]
        assert {round(day["box"][1]) for day in row} == {round(row[0]["box"][1])}
        # Each day under its weekday's heading.
        lefts = [day["box"][0] for day in row]
        assert all(abs(left - column) < 8 for left, column in zip(lefts, columns, strict=True))
    calendar = Calendar(page)
    assert len(drawn["blocks"]) == sum(len(day.blocks) for day in calendar.days.values()) == 23
    for block in drawn["blocks"]:
        assert block["shown"] and inside(block["box"], days[block["date"]]["box"]), block
    # Folded, the re-shares are not drawn; opened, each is drawn inside its day.
    assert len(drawn["folded"]) == 12 and not any(r["shown"] for r in drawn["folded"])
    opened = {day["date"]: day["box"] for day in drawn["opened_days"]}
    for reshare in drawn["opened"]:
        assert reshare["shown"] and inside(reshare["box"], opened[reshare["date"]])


def test_on_a_phone_the_days_are_one_column_that_shows_every_delivery(
    chromium: str, repo: Repo, tmp_path: Path
) -> None:
    write_example(repo)
    _, page = page_of(repo)
    drawn = layout(chromium, page, tmp_path, phone=True)
    assert drawn["scroll"] <= drawn["width"] == PHONE[0]  # nothing to scroll sideways to
    assert not any(weekday["shown"] for weekday in drawn["weekdays"])
    shown = [day for day in drawn["days"] if day["shown"]]
    # One column, in date order; the days outside the window without deliveries left out.
    assert {round(day["box"][0]) for day in shown} == {round(shown[0]["box"][0])}
    assert [day["box"][1] for day in shown] == sorted(day["box"][1] for day in shown)
    assert [day["date"] for day in shown][:1] == ["2026-12-02"]
    assert [day["date"] for day in shown][-1] == "2026-12-16"
    assert len(drawn["blocks"]) == 23
    days = {day["date"]: day for day in shown}
    for block in drawn["blocks"]:
        assert block["shown"] and block["date"] in days, block
        assert inside(block["box"], days[block["date"]]["box"])
        assert block["box"][0] >= 0 and block["box"][2] <= PHONE[0]
    for reshare in drawn["opened"]:
        assert reshare["shown"] and reshare["box"][2] <= PHONE[0]


def test_the_calendar_prints_on_a4_landscape(chromium: str, repo: Repo, tmp_path: Path) -> None:
    write_example(repo)
    _, page = page_of(repo)
    page_file = tmp_path / "jadwal.html"
    page_file.write_text(page, encoding="utf-8")
    pdf = tmp_path / "jadwal.pdf"
    print_to_pdf(chromium, page_file, pdf)
    # A4 (297 x 210 mm) on its side, in points: seven columns fit across.
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes()))
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(842, 595)}


def hex_colour(value: str) -> tuple[int, int, int]:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def test_the_screenshot_draws_the_states_today_and_the_empty_days(
    chromium: str, repo: Repo, tmp_path: Path
) -> None:
    write_example(repo)
    _, page = page_of(repo)
    page_file = tmp_path / "jadwal.html"
    page_file.write_text(page, encoding="utf-8")
    shot = tmp_path / "jadwal.png"
    screenshot(chromium, page_file, shot, WINDOW)
    width, height, pixels = decode_png(shot.read_bytes())
    assert (width, height) == WINDOW
    counts = Counter(pixels)
    # The bars of scheduled, sent, missed and draft blocks, today's frame, the hatching
    # of the empty days.
    for state in (State.SCHEDULED, State.SENT, State.MISSED, State.DRAFT):
        assert counts[hex_colour(STATE_COLOURS[state].solid)] > 150, (state, counts.most_common(12))
    assert counts[TODAY_BORDER] > 2000 and counts[HATCH] > 5000, counts.most_common(12)
    assert len(counts) > 500  # text, anti-aliased: far from a blank page


if __name__ == "__main__":
    # Draw the example of the docs: python -m tests.test_schedule_html OUT.png
    target = Path(sys.argv[1]).resolve()
    binary = shutil.which("chromium")
    if binary is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        example = Repo(Path(folder) / "repo")
        write_example(example)
        _, drawn_page = page_of(example)
        # Today's re-shares opened, as a reader clicking their count sees them.
        drawn_page = drawn_page.replace(
            '<details class="reshares">', '<details class="reshares" open>', 1
        )
        html_file = Path(folder) / "jadwal.html"
        html_file.write_text(drawn_page, encoding="utf-8")
        screenshot(binary, html_file, target, (1280, 1100))
    print(f"wrote {target}")
