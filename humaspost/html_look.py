"""The look humaspost's pages share (the monthly report, the calendar of `schedule
--format html`): the page shell, the palette, tables, figures, the colour of each
delivery state, a print stylesheet for A4 and a layout for a phone.

A page is one self-contained file: its style is inline and it loads nothing (no
script, font, stylesheet or image from a network or another file), and a
Content-Security-Policy tells the browser to load nothing else, so that it shows the
same when mailed, printed or opened on another computer. Every text a page shows from
a post, the log or the config goes through `escape`.

Classes for the pages' bodies:

- `.page-head` (a `<header>`: `h1`, `.subtitle`, `.note`), then `<main>` holding
  `<section>`s with an `h2` each;
- `.figures` of `.figure` boxes (`.figure-value`, `.figure-label`, `.figure-note`; a
  `.good`, `.warn` or `.bad` box colours its value): the summary on top;
- `.chart` (a `<figure>` with an inline `<svg>` and a `<figcaption>`): scaled to the
  width of the page, never cut across printed pages;
- `.table-wrap` around a `<table>` (`th.num`/`td.num` for numbers): scrolls sideways
  on a narrow screen, its heading repeated on each printed page;
- a delivery state: `state_class(state)` on any element gives it `--state` (the
  state's colour) and `--state-tint` (a light background of it); `.state-mark` draws an
  element with the tint and a bar of the colour on its left, `.state-badge` as a small
  label (`state_badge`), `.legend` lists states with a swatch each.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from humaspost.lifecycle import State, state_label
from humaspost.textfile import printable

# Load nothing: images only as data: URIs, style only inline (and so no script at all).
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Palette:
    """The colours of the pages (CSS hex), named by what they are for."""

    ink: str = "#1b2430"  # text
    muted: str = "#5b6878"  # secondary text, axis labels
    paper: str = "#ffffff"  # cards, tables, print
    ground: str = "#f1f3f6"  # the page behind the cards on a screen
    line: str = "#d5dbe2"  # borders, grid lines
    accent: str = "#0b5cad"  # headings' marks, the first series of a chart
    accent_light: str = "#9cc3ea"  # the second series of a chart
    good: str = "#1e7b34"
    warn: str = "#9a6200"
    bad: str = "#c0262d"


PALETTE = Palette()


@dataclass(frozen=True)
class StateColour:
    """A delivery state's colour (`solid`: bars, marks, badges) and a light tint of it
    (`tint`: a background that dark text stays readable on)."""

    solid: str
    tint: str


# Settled well is green, a problem red or orange, what is still to come blue, what a
# person must look at purple; what never goes out is grey.
STATE_COLOURS: Mapping[State, StateColour] = MappingProxyType(
    {
        State.SCHEDULED: StateColour("#1f6fb8", "#e3eefa"),
        State.DUE: StateColour("#0b7f8a", "#ddf3f4"),
        State.SENDING: StateColour("#0b7f8a", "#ddf3f4"),
        State.SENT: StateColour("#1e7b34", "#e1f3e5"),
        State.RETRYING: StateColour("#b26a00", "#fdf0d9"),
        State.FAILED: StateColour("#c0262d", "#fbe3e4"),
        State.UNKNOWN: StateColour("#7a3fa8", "#efe5f7"),
        State.MISSED: StateColour("#d2521b", "#fce8de"),
        State.DRAFT: StateColour("#6b737d", "#eef0f2"),
        State.BLOCKED: StateColour("#a3195b", "#f8e1ec"),
        State.RETRACTED: StateColour("#4f5b66", "#e6e9ec"),
        State.WAITING: StateColour("#6f7f8f", "#eef1f4"),
    }
)


def state_class(state: State) -> str:
    """The CSS class that gives an element `state`'s colours (`--state`,
    `--state-tint`), e.g. `state-sent`."""
    return f"state-{state.value}"


def state_badge(state: State) -> str:
    """A small label naming `state` in its colour, in the language in use."""
    return f'<span class="state-badge {state_class(state)}">{escape(state_label(state))}</span>'


def state_legend(states: Iterable[State]) -> str:
    """A list naming each of `states` with a swatch of its colour."""
    items = "".join(
        f'<li class="{state_class(state)}"><span class="swatch"></span>'
        f"{escape(state_label(state))}</li>"
        for state in states
    )
    return f'<ul class="legend">{items}</ul>'


def escape(text: str) -> str:
    """Text as HTML, quotes too (it may go into an attribute); a lone surrogate (an
    undecodable byte of a file name) becomes U+FFFD so that the page is valid UTF-8."""
    return html.escape(printable(text), quote=True)


def table(
    headings: Sequence[str],
    rows: Iterable[Sequence[str | int]],
    *,
    numeric: Iterable[int] = (),
    caption: str | None = None,
    empty: str = "",
    foot: Sequence[str | int] | None = None,
) -> str:
    """A table in its scrolling wrapper: `headings`, `rows` and the `foot` row (a
    total) are plain text (escaped here; ints are shown as they are); the columns
    numbered in `numeric` are right aligned in tabular figures. Without rows, the
    `empty` text is shown instead."""
    right = set(numeric)

    def cell(tag: str, index: int, value: str | int) -> str:
        number = ' class="num"' if index in right else ""
        return f"<{tag}{number}>{escape(str(value))}</{tag}>"

    body = "".join(
        "<tr>" + "".join(cell("td", i, value) for i, value in enumerate(row)) + "</tr>\n"
        for row in rows
    )
    if not body:
        return f'<p class="empty">{escape(empty)}</p>\n' if empty else ""
    head = "".join(cell("th", i, heading) for i, heading in enumerate(headings))
    shown = f"<caption>{escape(caption)}</caption>" if caption else ""
    total = ""
    if foot is not None:
        total = "<tfoot><tr>" + "".join(cell("td", i, v) for i, v in enumerate(foot))
        total += "</tr></tfoot>"
    return (
        f'<div class="table-wrap"><table>{shown}<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody>{total}</table></div>\n"
    )


def page(title: str, language: str, body: str, css: str = "") -> str:
    """A whole page: `title` (plain text), in `language` ('id' or 'en'), with `body`
    (HTML, already escaped) inside `<body>`, styled by the shared look and then `css`."""
    extra = f"<style>{css}</style>\n" if css else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{CSS}</style>\n{extra}</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _state_css() -> str:
    return "".join(
        f".{state_class(state)}{{--state:{colour.solid};--state-tint:{colour.tint}}}\n"
        for state, colour in STATE_COLOURS.items()
    )


_P = PALETTE
CSS = f"""
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;background:{_P.ground};color:{_P.ink};
 font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
 "DejaVu Sans",sans-serif}}
.page-head{{background:{_P.paper};border-bottom:1px solid {_P.line};padding:18px 24px}}
h1{{font-size:22px;line-height:1.25;margin:0 0 4px}}
.subtitle{{font-size:16px;font-weight:600;margin:0}}
.note{{color:{_P.muted};font-size:13px;margin:4px 0 0}}
main{{padding:16px 24px 32px;max-width:1180px}}
section{{margin:0 0 28px}}
h2{{font-size:18px;margin:0 0 10px;padding-left:10px;border-left:4px solid {_P.accent}}}
h3{{font-size:15px;margin:16px 0 6px}}
.empty{{color:{_P.muted};font-style:italic;margin:4px 0}}
.figures{{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;
 margin:0;padding:0;list-style:none}}
.figure{{background:{_P.paper};border:1px solid {_P.line};border-radius:8px;
 padding:10px 14px;break-inside:avoid}}
.figure-value{{display:block;font-size:26px;font-weight:700;line-height:1.2;
 font-variant-numeric:tabular-nums}}
.figure-label{{display:block;font-size:13px;font-weight:600}}
.figure-note{{display:block;font-size:12px;color:{_P.muted}}}
.figure.good .figure-value{{color:{_P.good}}}
.figure.warn .figure-value{{color:{_P.warn}}}
.figure.bad .figure-value{{color:{_P.bad}}}
.charts{{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));
 gap:16px}}
.chart{{margin:0;background:{_P.paper};border:1px solid {_P.line};border-radius:8px;
 padding:10px 12px;break-inside:avoid;page-break-inside:avoid;min-width:0}}
.chart svg{{display:block;width:100%;height:auto}}
.chart figcaption{{font-size:14px;font-weight:600;margin:0 0 6px}}
.table-wrap{{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:0 0 14px;
 background:{_P.paper};border:1px solid {_P.line};border-radius:8px}}
table{{border-collapse:collapse;width:100%;font-size:14px}}
caption{{text-align:left;font-weight:600;padding:8px 10px 4px}}
th,td{{padding:5px 10px;text-align:left;vertical-align:top;border-bottom:1px solid {_P.line}}}
th{{font-size:12px;font-weight:700;color:{_P.muted};white-space:nowrap;
 background:{_P.ground}}}
tbody tr:last-child td{{border-bottom:0}}
tfoot td{{font-weight:700;border-top:2px solid {_P.line};border-bottom:0}}
tr{{break-inside:avoid;page-break-inside:avoid}}
.num{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}
.state-mark{{background:var(--state-tint);border-left:4px solid var(--state)}}
.state-badge{{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;
 font-weight:700;color:#fff;background:var(--state);white-space:nowrap}}
.legend{{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:6px 0;padding:0;
 font-size:13px}}
.legend .swatch{{display:inline-block;width:12px;height:12px;border-radius:2px;
 margin-right:5px;vertical-align:-1px;background:var(--state)}}
.state-retracted .state-label,.state-retracted.state-mark{{text-decoration:line-through}}
@media (max-width:640px){{
 body{{font-size:14px}}
 .page-head{{padding:12px 14px}}
 h1{{font-size:19px}}
 main{{padding:12px 10px 24px}}
 .figures{{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}}
 .figure{{padding:8px 10px}}
 .figure-value{{font-size:21px}}
 .chart{{padding:8px}}
 th,td{{padding:4px 7px}}
}}
@page{{size:A4;margin:14mm 12mm 16mm}}
@media print{{
 body{{background:#fff;color:#000;font-size:10.5pt}}
 .page-head{{background:none;border-bottom:2px solid #000;padding:0 0 6px}}
 main{{padding:10px 0 0;max-width:none}}
 h2{{break-after:avoid;page-break-after:avoid}}
 section{{margin:0 0 14pt}}
 .figures{{grid-template-columns:repeat(3,1fr);gap:6pt}}
 .figure,.chart,.table-wrap{{border-color:#999;border-radius:0}}
 .charts{{grid-template-columns:1fr 1fr;gap:8pt}}
 .chart{{padding:4pt}}
 .table-wrap{{overflow:visible;background:none}}
 th{{background:none;color:#000}}
 thead{{display:table-header-group}}
 .state-badge{{background:none;color:var(--state);border:1px solid var(--state)}}
 .state-mark,.legend .swatch{{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
}}
""" + _state_css()
