"""`humaspost report --format html`: the monthly report as one page that loads nothing,
its four charts inline SVG drawn by matplotlib. Checked as text (what it says, that it
is escaped, the same bytes each time), and, with Debian's chromium (.ci/run installs
it), rendered headless: the DOM after layout holds the summary, the charts and the
tables, the screenshot (a desktop's and a phone's) draws the charts, and the print
layout makes an A4 PDF.

Run as a script to draw the example of the docs (docs/images/report.png, from the
invented month of tests/report_sample.py, in Bahasa Indonesia):

    .venv/bin/python -m tests.test_report_html docs/images/report.png
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from humaspost import i18n
from humaspost.report import (
    AmplificationReport,
    ComplaintGroup,
    ComplaintsReport,
    CostReport,
    Counts,
    Named,
    Period,
    PostsReport,
    Report,
)
from humaspost.report_html import report_page
from tests.chromium import (
    decode_png,
    dom_after_layout,
    find_chromium,
    print_to_pdf,
    screenshot,
)
from tests.report_month import History
from tests.report_sample import sample_report

# The month of history in a real log that report-core's tests count by hand, made once
# per session and copied for each test (its fixtures, shared with this module).
from tests.test_report import built_month as built_month
from tests.test_report import month as month
from tests.test_report import pseudonyms, report_json
from tests.test_report import report as run_report

ROOT = Path(__file__).resolve().parent.parent
# A desktop window showing the summary and the charts; a phone's (CSS pixels).
WINDOW = (1240, 1250)
PHONE = (390, 2600)
CHARTS = ("posts-per-day", "complaints-per-week", "amplification", "response-days")
# Colours of humaspost/html_look.py's palette that the page draws in solid blocks: the
# charts' bars, the answered complaints' bars and a good figure, a bad figure.
ACCENT = (0x0B, 0x5C, 0xAD)
GOOD = (0x1E, 0x7B, 0x34)
BAD = (0xC0, 0x26, 0x2D)


@pytest.fixture
def english() -> Iterator[None]:
    i18n.use("en")
    yield


@pytest.fixture
def indonesian() -> Iterator[None]:
    i18n.use("id")
    try:
        yield
    finally:
        i18n.use("en")


def svgs(page: str) -> dict[str, str]:
    """Each chart's `<svg>` element, by name."""
    found = re.findall(r'(<svg [^>]*class="chart-([a-z-]+)".*?</svg>)', page, re.DOTALL)
    return {name: svg for svg, name in found}


def texts(svg: str) -> list[str]:
    """The text elements of a chart, as a reader (and a search) finds them."""
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)


def test_the_page_loads_nothing(english: None) -> None:
    page = report_page(sample_report(), "en")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n')
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">" in page
    )
    for loads in ("<script", "<link", "<img", "@import", "@font-face", " src=", "url(http"):
        assert loads not in page
    # The only references are inside the page: a chart's shapes and clips to its own
    # definitions (the SVG namespaces are names, not loads).
    references = re.findall(r'(?:href="|url\()([^")]*)', page)
    assert references and all(ref.startswith("#") for ref in references)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # four charts on a page keep their ids apart
    assert {ref[1:] for ref in references} <= set(ids)


def test_four_charts_as_inline_svg_with_their_labels_as_text(english: None) -> None:
    report = sample_report()
    page = report_page(report, "en")
    charts = svgs(page)
    assert list(charts) == list(CHARTS)
    for svg in charts.values():
        head = svg[: svg.index(">")]
        # Scaled to the width of the page: a viewBox and no fixed size.
        assert re.search(r'viewBox="0 0 [\d.]+ [\d.]+"', head)
        assert " width=" not in head and " height=" not in head
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "<figcaption>Posts sent per day</figcaption>" in page
    days = texts(charts["posts-per-day"])
    assert "1 Dec" in days and "posts" in days
    weeks = texts(charts["complaints-per-week"])
    assert {"30 Nov", "28 Dec", "received", "answered", "week from Monday"} <= set(weeks)
    # Ranked as the model ranks the re-sharers, each bar ending in its count.
    shares = texts(charts["amplification"])
    accounts = [r.account for r in report.amplification.resharers]
    assert [t for t in shares if t.startswith("kec-")] == accounts
    assert accounts[0] == "kec-bekasi-barat" and accounts[-1] == "kec-pondok-melati"
    assert "10/10" in shares and "2/10" in shares and "asks re-shared (%)" in shares
    waited = texts(charts["response-days"])
    assert " median: 1.5" in waited and "working days to the answer" in waited


def test_the_summary_on_top_then_charts_then_tables(english: None) -> None:
    page = report_page(sample_report(), "en")
    order = [page.index(f'<section id="{name}">') for name in ("summary", "charts", "posts")]
    assert order == sorted(order)
    assert page.index('<section id="complaints">') < page.index('<section id="cost">')
    summary = page.split('<section id="summary">')[1].split("</section>")[0]
    figures = re.findall(
        r'<li class="figure ?(\w*)"><span class="figure-value">([^<]*)</span>'
        r'<span class="figure-label">([^<]*)</span><span class="figure-note">([^<]*)</span>',
        summary,
    )
    assert figures == [
        ("bad", "194", "deliveries sent", "missed 3, failed 1, unknown 1"),
        ("good", "95%", "sent on time", "9 late (more than a minute after their time)"),
        ("warn", "73%", "asks re-shared", "87 of 120 asks, 10 posts"),  # 72.5% rounded up
        (
            "warn",
            "81%",
            "complaints answered within the standard",
            "158 received, 142 answered, 8 overdue",
        ),
        ("", "1.5", "median response (working days)", "90th percentile: 4"),
        ("", "$14.985", "X API cost (estimate)", "budget $25.00, 60% used"),
    ]
    assert "<h1>Monthly report: December 2026</h1>" in page
    assert "1 December 2026 \u2013 31 December 2026" in page
    assert "Made 2027-01-04 08:30 WIB. Times are local time (Asia/Jakarta)." in page


def test_the_tables(english: None) -> None:
    page = report_page(sample_report(), "en")
    posts = page.split('<section id="posts">')[1].split("</section>")[0]
    assert posts.count("<table>") == 3
    assert (
        '<tr><td>pemkot-x</td><td class="num">91</td><td class="num">86</td>'
        '<td class="num">5</td><td class="num">2</td><td class="num">1</td>' in posts
    )
    assert '<tfoot><tr><td>total</td><td class="num">194</td><td class="num">185</td>' in posts
    amplification = page.split('<section id="amplification">')[1].split("</section>")[0]
    assert (
        '<td>2026-12-21-hari-ibu</td><td>pemkot-x</td><td class="num">12</td>'
        '<td class="num">7</td><td class="num">14 min</td><td class="num">3 h 2 min</td>'
        in amplification
    )
    assert (
        '<td class="num">12</td><td>kec-pondok-melati</td><td class="num">10</td>'
        '<td class="num">2</td><td class="num">20%</td>' in amplification
    )
    complaints = page.split('<section id="complaints">')[1].split("</section>")[0]
    assert '<td>(no office)</td><td class="num">18</td>' in complaints
    assert '<td class="num">12 (67%)</td><td class="num">2.5</td><td class="num">6</td>' in (
        complaints
    )
    # The oldest open items, in local time, their authors pseudonyms as the model has
    # them, and the page says so.
    assert (
        '<td class="num">412</td><td>pemkot-fb</td><td>Dishub</td><td>lampu jalan</td>'
        "<td>2026-12-02 09:15 WIB</td><td>2026-12-05 17:00 WIB (overdue)</td>"
        "<td>warga-019c</td>" in complaints
    )
    assert "Authors are shown as pseudonyms (report --with-names shows their names)." in page
    cost = page.split('<section id="cost">')[1].split("</section>")[0]
    assert '<td>posts with a link</td><td class="num">41</td>' in cost
    assert '<tfoot><tr><td>total</td><td class="num">374</td><td class="num">$14.985</td>' in cost


def test_names_only_when_asked(english: None) -> None:
    page = report_page(sample_report(with_names=True), "en")
    assert "<td>Warga Contoh 1</td>" in page and "warga-019c" not in page
    assert "pseudonyms" not in page


def test_every_text_is_escaped(english: None) -> None:
    hostile = "<script>alert('x')</script> & \"kutip\""
    report = sample_report()
    posts = report.posts
    evil = dataclasses.replace(
        report,
        period=dataclasses.replace(report.period, label=hostile),
        posts=dataclasses.replace(posts, accounts=(Named(hostile, posts.total),)),
        amplification=dataclasses.replace(
            report.amplification,
            resharers=(dataclasses.replace(report.amplification.resharers[0], account=hostile),),
        ),
        complaints=dataclasses.replace(
            report.complaints,
            offices=(dataclasses.replace(report.complaints.offices[0], name=hostile),),
            oldest_open=(dataclasses.replace(report.complaints.oldest_open[0], author=hostile),),
        ),
    )
    page = report_page(evil, "en")
    assert "<script" not in page
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;kutip&quot;"
    assert f"<title>Monthly report: {escaped}</title>" in page
    assert page.count(f"<td>{escaped}</td>") == 4  # two accounts, an office, an author
    # In the chart too (matplotlib escapes its text; a '$' is no TeX).
    assert "&lt;script&gt;alert(" in svgs(page)["amplification"]


def test_the_same_report_is_the_same_bytes(english: None) -> None:
    page = report_page(sample_report(), "en")
    assert report_page(sample_report(), "en") == page
    # In another process too: nothing of the run (a date, a random id) is in it.
    script = (
        "import hashlib, sys; from humaspost.report_html import report_page; "
        "from tests.report_sample import sample_report; "
        "sys.stdout.write(hashlib.sha256(report_page(sample_report(), 'en').encode()).hexdigest())"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert other.stdout == hashlib.sha256(page.encode()).hexdigest()


def test_matplotlib_is_imported_only_to_draw() -> None:
    script = (
        "import sys, humaspost.report_html, humaspost.cli.app; "
        "sys.stdout.write(str('matplotlib' in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout == "False"


def test_a_month_with_nothing_in_it(english: None) -> None:
    none = Counts(0, 0, 0, 0, 0, 0, 0)
    nobody = ComplaintGroup(None, 0, 0, 0, 0, 0, None, None)
    days = [date(2027, 2, 1) + timedelta(days=n) for n in range(28)]
    report = Report(
        period=Period(date(2027, 2, 1), date(2027, 2, 28), "February 2027"),
        generated_at=sample_report().generated_at,
        timezone=sample_report().timezone,
        posts=PostsReport(none, (), (), (), tuple((day, 0) for day in days)),
        amplification=AmplificationReport((), ()),
        complaints=ComplaintsReport(nobody, (), (), (), (), ()),
        cost=CostReport({}, Decimal(0), None, ()),
        with_names=False,
    )
    page = report_page(report, "en")
    charts = svgs(page)
    assert list(charts) == list(CHARTS)
    assert all("nothing in this period" in texts(svg) for svg in charts.values())
    for empty in ("No deliveries.", "No post asked to be re-shared.", "No open items."):
        assert f'<p class="empty">{empty}</p>' in page
    assert '<span class="figure-value">\u2013</span>' in page  # no share of nothing
    assert "no x_monthly_budget set" in page


def test_a_budget_pro_rata_says_so(english: None) -> None:
    report = sample_report()
    fortnight = dataclasses.replace(
        report,
        period=Period(date(2026, 12, 1), date(2026, 12, 15), "1\u201315 December 2026"),
        cost=dataclasses.replace(report.cost, budget=Decimal("12.10"), cost=Decimal("12.50")),
    )
    page = report_page(fortnight, "en")
    assert (
        '<li class="figure bad"><span class="figure-value">$12.50</span>'
        '<span class="figure-label">X API cost (estimate)</span><span class="figure-note">'
        "budget $12.10 (pro rata for these days), 103% used</span>" in page
    )


def test_the_page_speaks_indonesian(indonesian: None) -> None:
    page = report_page(sample_report(), "id")
    assert '<html lang="id">' in page
    assert "<h1>Laporan bulanan: Desember 2026</h1>" in page
    assert "1 Desember 2026 \u2013 31 Desember 2026" in page
    assert '<span class="figure-label">pengiriman terkirim</span>' in page
    assert '<span class="figure-value">1,5</span>' in page  # a decimal comma
    assert "<figcaption>Unggahan terkirim per hari</figcaption>" in page
    charts = svgs(page)
    assert {"30 Nov", "28 Des", "diterima", "dijawab", "minggu mulai Senin"} <= set(
        texts(charts["complaints-per-week"])
    )
    assert " median: 1,5" in texts(charts["response-days"])
    assert "<th>instansi</th>" in page and "<h2>Keluhan</h2>" in page
    assert "Penulis ditampilkan dengan nama samaran" in page


# Through the command, on a month of history -----------------------------------------


def test_report_format_html_writes_the_page_of_the_log(month: History) -> None:
    done = run_report(month, "--format", "html", "--output", "laporan.html")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "the report of December 2026 is in laporan.html\n"
    page = (month.root / "laporan.html").read_text(encoding="utf-8")
    assert run_report(month, "--format", "html").stdout == page  # the same on the screen
    figures = report_json(month)
    total = figures["posts"]["total"]
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h1>Monthly report: December 2026</h1>" in page
    # The summary says the log's figures, as the JSON report counts them.
    assert (
        f'<span class="figure-value">{total["sent"]}</span>'
        '<span class="figure-label">deliveries sent</span>' in page
    )
    assert f"missed {total['missed']}, failed {total['failed']}, unknown {total['unknown']}" in page
    assert list(svgs(page)) == list(CHARTS)
    resharers = [r["account"] for r in figures["amplification"]["resharers"]]
    shown = [t for t in texts(svgs(page)["amplification"]) if t.startswith("kec-")]
    assert shown == resharers
    for account in figures["posts"]["accounts"]:
        assert f"<td>{account['name']}</td>" in page
    # Citizens are pseudonyms, as inbox --pseudonymize names them, unless asked.
    authors = pseudonyms(month)
    for item in figures["complaints"]["oldest_open"]:
        assert f"<td>{authors[item['id']]}</td>" in page
    assert "Warga Contoh" not in page and "warga_uji" not in page
    named = run_report(month, "--format", "html", "--with-names").stdout
    assert "<td>Warga Contoh 3 (@warga_uji3)</td>" in named


def test_report_format_html_speaks_the_language_in_use(month: History) -> None:
    page = run_report(month, "--format", "html", lang="id").stdout
    assert '<html lang="id">' in page and "<h1>Laporan bulanan: Desember 2026</h1>" in page
    assert "<figcaption>Keluhan diterima dan dijawab per minggu</figcaption>" in page


# Headless chromium ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    i18n.use("en")
    page = tmp_path / "laporan.html"
    page.write_text(report_page(sample_report(), "en"), encoding="utf-8")
    return page


def test_chromium_lays_out_the_summary_the_charts_and_the_tables(
    chromium: str, page_file: Path
) -> None:
    dom = dom_after_layout(chromium, page_file, WINDOW)
    shown = "".join(dom.text)
    assert dom.elements["script"] == 0
    assert dom.elements["svg"] == 4 and dom.elements["figure"] == 4
    assert dom.elements["table"] == 10 and dom.elements["section"] == 6
    assert dom.elements["li"] >= 6
    for text in ("deliveries sent", "194", "Share of asks re-shared, per account", "10/10"):
        assert text in shown
    assert "kec-pondok-melati" in shown and "warga-019c" in shown


def test_chromium_draws_the_charts_on_a_desktop_and_a_phone(
    chromium: str, page_file: Path, tmp_path: Path
) -> None:
    for window in (WINDOW, PHONE):
        shot = tmp_path / f"report-{window[0]}.png"
        screenshot(chromium, page_file, shot, window)
        width, height, pixels = decode_png(shot.read_bytes())
        assert (width, height) == window
        counts = Counter(pixels)
        # The charts' bars (scaled to a phone's width too), the answered complaints'
        # bars and the good figure, the bad figure; text, anti-aliased: no blank page.
        assert counts[ACCENT] > 20_000, (window, counts.most_common(8))
        assert counts[GOOD] > 2_000 and counts[BAD] > 100, counts.most_common(12)
        assert len(counts) > 500


def test_the_print_layout_makes_an_a4_pdf(chromium: str, page_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "laporan.pdf"
    print_to_pdf(chromium, page_file, pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page\b", data)
    boxes = {tuple(round(float(n)) for n in box.split()) for box in re.findall(
        rb"/MediaBox\s*\[([^\]]*)\]", data
    )}  # fmt: skip
    assert boxes == {(0, 0, 595, 842)}  # A4, in points, from the page's @page rule
    assert 2 <= len(pages) <= 8, len(pages)


if __name__ == "__main__":
    # Draw the example of the docs: python -m tests.test_report_html OUT.png
    target = Path(sys.argv[1]).resolve()
    binary = shutil.which("chromium")
    if binary is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    i18n.use("id")
    with tempfile.TemporaryDirectory() as folder:
        html_file = Path(folder) / "laporan.html"
        html_file.write_text(report_page(sample_report(), "id"), encoding="utf-8")
        screenshot(binary, html_file, target, WINDOW)
    print(f"wrote {target}")
