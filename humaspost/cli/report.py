"""`humaspost report`: the monthly report for leadership (humaspost/report.py makes it,
humaspost/report_view.py words it)."""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    cwd,
    environment,
    load,
    now_from,
)
from humaspost.cli.problems_view import print_json
from humaspost.i18n import _, current_language
from humaspost.lookup import existing_log
from humaspost.problems import UsageError
from humaspost.report import build_report, chosen_period, report_posts
from humaspost.report_html import report_page
from humaspost.report_view import report_json, report_text, write_report_csv
from humaspost.tables import terminal_width

# The width of text written to a file (an e-mail, a printout), whatever the terminal's.
FILE_WIDTH = 80


class ReportFormat(StrEnum):
    """Output formats of `report`."""

    TEXT = "text"
    CSV = "csv"
    JSON = "json"
    HTML = "html"


def report(
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help=_("The month to report, e.g. 2026-12. Default: the last whole month."),
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=_("The first day to report, e.g. 2026-12-01 (instead of --month)."),
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help=_("The last day to report (included). Default: today."),
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help=_("text, csv, json or html."))
    ] = ReportFormat.TEXT,
    with_names: Annotated[
        bool,
        typer.Option(
            "--with-names",
            help=_("Name the citizens of open items (default: pseudonyms, warga-1a2b3c4d)."),
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help=_("Write the report to this file instead of the screen."),
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """The monthly report: posts, re-shares, complaints, X's cost.

    For leadership, over a month (default: the last whole month) or the days from
    --since to --until, in the config's language and time zone, from the publish log
    and its inbox.
    """
    cfg = load(config)[0]
    moment = now_from(now, cfg)
    period = chosen_period(month, since, until, moment, cfg.timezone)
    location = existing_log(cfg, cwd(), sandbox=False, environ=environment(cfg))
    posts = report_posts(cfg, location, period, cwd())
    made = build_report(cfg, location, posts, period, moment, with_names=with_names)
    if output_format is ReportFormat.CSV:
        data = io.BytesIO()
        write_report_csv(data, made, current_language())
        written = data.getvalue()
    elif output_format is ReportFormat.HTML:
        written = report_page(made, current_language()).encode()
    elif output_format is ReportFormat.JSON:
        text = io.StringIO()
        print_json(sys.stdout if output is None else text, report_json(made))
        written = text.getvalue().encode()
    else:
        width = FILE_WIDTH if output is not None else terminal_width()
        written = report_text(made, width).encode()
    if output is None:
        if output_format is not ReportFormat.JSON:
            sys.stdout.flush()
            sys.stdout.buffer.write(written)
            sys.stdout.buffer.flush()
        return
    try:
        (cwd() / output).write_bytes(written)
    except OSError as error:
        raise UsageError(
            _("--output: cannot write {path}: {reason}").format(
                path=output, reason=error.strerror or error
            )
        ) from None
    print(_("the report of {period} is in {path}").format(period=made.period.label, path=output))
