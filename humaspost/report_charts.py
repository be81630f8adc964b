"""The monthly report's charts, drawn by matplotlib as SVG text for the HTML page.

Each function returns a Chart, whose `<svg>` element goes inline in the page: its text stays
text (`svg.fonttype` none: it can be read, searched and translated, and is drawn in
DejaVu Sans, which matplotlib ships, or the browser's sans-serif), it has a viewBox and
no fixed size (it scales to the width of the page, a phone's too), and it is the same
bytes for the same figures (a fixed `svg.hashsalt`, no date). Its ids are prefixed with
the chart's name, so that four charts on one page keep theirs apart.

matplotlib is imported here only, inside the functions: `humaspost` starts without it,
and only `report --format html` pays for it. The figures are made without pyplot (no
global figure registry, no GUI backend), and saved with the SVG backend.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from humaspost.html_look import PALETTE, escape
from humaspost.i18n import N_, _, current_language

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

SHORT_MONTHS = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


@dataclass(frozen=True)
class Chart:
    """A chart: its name (a CSS class `chart-<name>`, its ids' prefix), its title in the
    language in use, and the `<svg>` element."""

    name: str
    title: str
    svg: str


# Sizes in inches at matplotlib's 72 points per inch: a chart is drawn about 480 CSS
# pixels wide, so its 10-point labels stay readable when a phone shrinks it to 340.
_WIDTH = 5.2
_HEIGHT = 3.0
_BAR_HEIGHT = 0.24  # per account, in the ranked chart
_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "humaspost-report",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    # An account's or an office's name is text, never TeX: a '$' in it stays a '$'.
    "text.parse_math": False,
    "axes.edgecolor": PALETTE.line,
    "axes.labelcolor": PALETTE.muted,
    "xtick.color": PALETTE.muted,
    "ytick.color": PALETTE.muted,
    "xtick.labelcolor": PALETTE.ink,
    "ytick.labelcolor": PALETTE.ink,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "grid.color": PALETTE.line,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "hatch.color": PALETTE.line,
}
# What the saved file says of itself: nothing that changes from one run to the next.
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def posts_per_day(per_day: Sequence[tuple[date, int]]) -> Chart:
    """Bars of the deliveries sent on each local day of the period."""
    title = _("Posts sent per day")

    def draw(figure: Figure, axes: Axes) -> None:
        positions = list(range(len(per_day)))
        axes.bar(positions, [count for _day, count in per_day], color=PALETTE.accent, width=0.75)
        step = max(1, math.ceil(len(per_day) / 10))
        shown = positions[::step]
        axes.set_xticks(shown, [_day_label(per_day[i][0], i == 0) for i in shown])
        axes.set_xlim(-0.6, max(len(per_day), 1) - 0.4)
        _count_axis(axes, [count for _day, count in per_day])
        axes.set_ylabel(_("posts"))
        if not any(count for _day, count in per_day):
            _nothing(axes)

    return _chart("posts-per-day", title, draw, _HEIGHT)


def complaints_per_week(per_week: Sequence[tuple[date, int, int]]) -> Chart:
    """Pairs of bars, per week (named by its Monday): complaints received, answered."""
    title = _("Complaints received and answered per week")

    def draw(figure: Figure, axes: Axes) -> None:
        positions = list(range(len(per_week)))
        received = [week[1] for week in per_week]
        answered = [week[2] for week in per_week]
        axes.bar(
            [p - 0.2 for p in positions], received, 0.4, color=PALETTE.accent, label=_("received")
        )
        axes.bar(
            [p + 0.2 for p in positions], answered, 0.4, color=PALETTE.good, label=_("answered")
        )
        step = max(1, math.ceil(len(per_week) / 8))
        shown = positions[::step]
        axes.set_xticks(shown, [_day_label(per_week[i][0], True) for i in shown])
        axes.set_xlim(-0.7, max(len(per_week), 1) - 0.3)
        _count_axis(axes, received + answered)
        axes.set_xlabel(_("week from Monday"))
        axes.set_ylabel(_("complaints"))
        if any(received + answered):
            axes.legend(loc="upper left", ncols=2, fontsize=9)
        else:
            _nothing(axes)

    return _chart("complaints-per-week", title, draw, _HEIGHT)


def amplification(resharers: Sequence[tuple[str, int, int]]) -> Chart:
    """A horizontal bar per re-sharing account (account, asked, re-shared), in the
    order given (ranked, the first on top): the share of its asks it fulfilled, each
    bar ending in its count."""
    title = _("Share of asks re-shared, per account")

    def draw(figure: Figure, axes: Axes) -> None:
        positions = list(range(len(resharers)))
        shares = [100 * reshared / asked if asked else 0.0 for _a, asked, reshared in resharers]
        axes.barh(positions, shares, color=PALETTE.accent, height=0.7)
        axes.set_yticks(positions, [account for account, _asked, _r in resharers], fontsize=9)
        axes.set_ylim(len(resharers) - 0.5 if resharers else 1, -0.5)
        for position, share, (_account, asked, reshared) in zip(
            positions, shares, resharers, strict=True
        ):
            axes.text(
                share + 1.5,
                position,
                f"{reshared}/{asked}",
                va="center",
                fontsize=8.5,
                color=PALETTE.muted,
            )
        axes.set_xlim(0, 115)
        axes.set_xticks([0, 25, 50, 75, 100])
        axes.grid(axis="x")
        axes.set_xlabel(_("asks re-shared (%)"))
        if not resharers:
            axes.set_yticks([])
            _nothing(axes)

    # One bar per account: the chart grows with their number.
    height = max(_HEIGHT * 0.8, 0.9 + _BAR_HEIGHT * len(resharers))
    return _chart("amplification", title, draw, height)


def response_days(days: Sequence[int], median: float | None) -> Chart:
    """A histogram of the working days each answered complaint waited, with the
    median marked."""
    title = _("Response time of answered complaints")

    def draw(figure: Figure, axes: Axes) -> None:
        longest = max(days, default=0)
        counts = [0] * (longest + 1)
        for waited in days:
            counts[waited] += 1
        axes.bar(range(longest + 1), counts, color=PALETTE.accent, width=0.8)
        step = max(1, math.ceil((longest + 1) / 12))
        axes.set_xticks(range(0, longest + 1, step))
        axes.set_xlim(-0.6, longest + 0.6)
        _count_axis(axes, counts)
        axes.set_xlabel(_("working days to the answer"))
        axes.set_ylabel(_("complaints"))
        if median is not None and days:
            axes.axvline(median, color=PALETTE.bad, linestyle="--", linewidth=1.2)
            axes.text(
                median,
                1.0,
                " " + _("median: {days}").format(days=decimal_text(median)),
                transform=axes.get_xaxis_transform(),
                va="top",
                ha="left",
                color=PALETTE.bad,
                fontsize=9,
            )
        if not days:
            _nothing(axes)

    return _chart("response-days", title, draw, _HEIGHT)


def _chart(name: str, title: str, draw: Callable[[Figure, Axes], None], height: float) -> Chart:
    """Draw one chart with `draw`, as an inline `<svg>` named `title`."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(_WIDTH, height), layout="constrained")
        axes = figure.add_subplot()
        draw(figure, axes)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata=_METADATA)
    return Chart(name, title, _inline(out.getvalue(), name, title))


def _inline(svg: str, name: str, title: str) -> str:
    """matplotlib's SVG file as an element of an HTML page: no XML prolog, a viewBox
    and no fixed size, its ids prefixed with `name`, a title for screen readers."""
    start = svg.index("<svg")
    body = svg[start:].rstrip() + "\n"
    head_end = body.index(">")
    head = re.sub(r'\s(?:width|height)="[^"]*"', "", body[:head_end])
    label = escape(title)
    head += f' class="chart-{name}" role="img" aria-label="{label}"'
    body = f"{head}>\n <title>{label}</title>{body[head_end + 1 :]}"
    body = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', body)
    body = body.replace('href="#', f'href="#{name}-').replace("url(#", f"url(#{name}-")
    return body


def _count_axis(axes: Axes, counts: Sequence[int]) -> None:
    """Whole numbers on the count (y) axis, from 0, at least up to 1, with grid lines."""
    from matplotlib.ticker import MaxNLocator

    top = max(counts, default=0)
    axes.set_ylim(0, max(1, top) * 1.12)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.grid(axis="y")


def _nothing(axes: Axes) -> None:
    axes.text(
        0.5,
        0.5,
        _("nothing in this period"),
        transform=axes.transAxes,
        ha="center",
        va="center",
        color=PALETTE.muted,
    )


def _day_label(day: date, with_month: bool) -> str:
    """'7 Dec' (with the month: the first label, a week, a new month) or '7'."""
    if with_month or day.day == 1:
        return f"{day.day} {_(SHORT_MONTHS[day.month - 1])}"
    return str(day.day)


def decimal_text(value: float) -> str:
    """A figure as the report shows it: whole when it is, else with one decimal, its
    mark a comma in Indonesian (`1,5`) and a point in English."""
    if value == int(value):
        return str(int(value))
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if current_language() == "id" else shown
