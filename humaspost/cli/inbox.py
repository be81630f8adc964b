"""`humaspost inbox` and its subcommands: the complaint inbox (humaspost/inbox.py does
the work, humaspost/inbox_view.py the output)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    OutputFormat,
    clock_from,
    cwd,
    environment,
    load,
    now_from,
)
from humaspost.cli.output import Output
from humaspost.cli.problems_view import print_json
from humaspost.config import Config
from humaspost.i18n import _, current_language
from humaspost.inbox import (
    StatusFilter,
    assign_item,
    close_item,
    fetch_accounts,
    list_items,
    purge_author,
    purge_item,
    show_item,
    statuses_of,
    who_acts,
    write_reply,
)
from humaspost.inbox_view import (
    assigned_text,
    closed_text,
    fetch_json,
    fetch_text,
    listing_json,
    listing_text,
    purged_item_text,
    purged_text,
    reply_text,
    shown_json,
    shown_text,
    write_listing_csv,
)
from humaspost.log_location import log_path
from humaspost.problems import UsageError
from humaspost.publog import LogLocation
from humaspost.tables import terminal_width


class ListFormat(StrEnum):
    """Output formats of `inbox`."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"


ItemArgument = Annotated[
    int, typer.Argument(metavar=_("ID"), help=_("The item's number, as `inbox` shows it."))
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        help=_("Who acts, for the item's history. Default: $HUMASPOST_USER, else git's user.name."),
        show_default=False,
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help=_("text or json."))]


def inbox(
    context: typer.Context,
    office: Annotated[
        str | None,
        typer.Option("--office", help=_("Only this office's items."), show_default=False),
    ] = None,
    status: Annotated[
        list[StatusFilter] | None,
        typer.Option(
            "--status",
            help=_("Only items in this status (repeatable); open or all. Default: open."),
            show_default=False,
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(
            "--account", help=_("Only this account's (or group's) items."), show_default=False
        ),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help=_("Only open items past their due time."))
    ] = False,
    output: Annotated[
        ListFormat, typer.Option("--format", help=_("text, json or csv."))
    ] = ListFormat.TEXT,
    pseudonymize: Annotated[
        bool,
        typer.Option(
            "--pseudonymize", help=_("Replace every author by a pseudonym (warga-1a2b3c4d).")
        ),
    ] = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """The complaint inbox: open items, most urgent first.

    What citizens wrote to the accounts. Without a subcommand, lists the open items with
    their time left and age; the subcommands fetch, show, assign, close, reply to and
    purge items.
    """
    if context.invoked_subcommand is not None:
        return  # a subcommand: its own options and work
    cfg = load(config)[0]
    listing = list_items(
        cfg,
        _log(cfg),
        now_from(now, cfg),
        statuses=statuses_of(status or []),
        office=office,
        account=account,
        overdue=overdue,
        pseudonymize=pseudonymize,
    )
    if output is ListFormat.JSON:
        print_json(sys.stdout, listing_json(listing))
    elif output is ListFormat.CSV:
        write_listing_csv(sys.stdout.buffer, listing, cfg.timezone, current_language())
    else:
        Output(sys.stdout).write(listing_text(listing, cfg.timezone, terminal_width()))


def fetch(
    account: Annotated[
        list[str] | None,
        typer.Option(
            "--account",
            help=_("Only this account or group (repeatable). Default: every account."),
            show_default=False,
        ),
    ] = None,
    output: FormatOption = OutputFormat.TEXT,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Fetch new mentions and comments of every account into the inbox.

    Exit code 1 when an account's fetch failed (the others are fetched all the same).
    """
    # Only here: fetching loads the platforms' libraries, which listing never needs.
    from humaspost.inbox_fetch import fetch_inbox

    cfg = load(config)[0]
    environ = environment(cfg)
    result = fetch_inbox(
        cfg,
        _log(cfg),
        environ,
        clock_from(now, cfg),
        accounts=fetch_accounts(cfg, account or []),
    )
    if output is OutputFormat.JSON:
        print_json(sys.stdout, fetch_json(result))
    else:
        Output(sys.stdout).write(fetch_text(result, cfg.timezone, terminal_width()))
    if result.failed:
        raise typer.Exit(1)


def show(
    item: ItemArgument,
    output: FormatOption = OutputFormat.TEXT,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """One item: what was written, its status, history and replies.

    Who wrote it and when, its office, category and due time, the history of who did
    what, and the deliveries that reply to it.
    """
    cfg = load(config)[0]
    shown = show_item(_log(cfg), item, now_from(now, cfg))
    if output is OutputFormat.JSON:
        print_json(sys.stdout, shown_json(shown))
    else:
        Output(sys.stdout).write(shown_text(shown, cfg.timezone, terminal_width()))


def assign(
    item: ItemArgument,
    office: Annotated[
        str, typer.Argument(metavar=_("OFFICE"), help=_("One of the config's offices."))
    ],
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help=_("One of inbox.categories: the due time is counted again in its days."),
            show_default=False,
        ),
    ] = None,
    by: ByOption = None,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Give an item to an office (this reopens a settled item)."""
    cfg = load(config)[0]
    who = who_acts(by, environment(cfg), cfg.root)
    done = assign_item(
        cfg, _log(cfg), item, office, category=category, by=who, now=now_from(now, cfg)
    )
    print(assigned_text(done, who))


def close(
    item: ItemArgument,
    note: Annotated[
        str,
        typer.Option("--note", help=_("How it was settled, for the history."), show_default=False),
    ],
    not_complaint: Annotated[
        bool, typer.Option("--not-complaint", help=_("There was nothing to follow up."))
    ] = False,
    by: ByOption = None,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Settle an item without a reply from humaspost, saying how."""
    cfg = load(config)[0]
    who = who_acts(by, environment(cfg), cfg.root)
    done = close_item(
        _log(cfg), item, note, not_complaint=not_complaint, by=who, now=now_from(now, cfg)
    )
    print(closed_text(done, who))


def reply(
    item: ItemArgument,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help=_("Write a reply even if the item is settled or has one already.")
        ),
    ] = False,
    stdout: Annotated[
        bool,
        typer.Option(
            "--stdout",
            help=_("Print the file instead of writing it (to save in your own clone)."),
        ),
    ] = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Start the post file that replies to an item.

    Prints the file's path, then what to do next: write the reply, check, commit and
    open a pull request. Publishing it sends the reply on the platform.
    """
    cfg = load(config)[0]
    reply_file = write_reply(
        cfg, _log(cfg), item, now=now_from(now, cfg), force=force, write=not stdout
    )
    if stdout:
        sys.stdout.write(reply_file.text)
    else:
        print(reply_text(reply_file, cwd()))


def purge(
    author: Annotated[
        str | None,
        typer.Option(
            "--author",
            help=_("An X handle (@ optional), a platform's author id, or a pseudonym."),
            show_default=False,
        ),
    ] = None,
    item: Annotated[
        int | None,
        typer.Option(
            "--item",
            help=_("One item by its number (a comment the platform shows without an author)."),
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Delete every item of one author (or one item), with its history.

    Whatever their status: for a resident's request to erase their data. Says how many
    items were deleted.
    """
    if (author is None) == (item is None):
        raise UsageError(_("inbox purge takes --author or --item (one of them)"))
    cfg = load(config)[0]
    if item is not None:
        print(purged_item_text(purge_item(_log(cfg), item)))
    else:
        print(purged_text(purge_author(_log(cfg), author or "")))


def _log(cfg: Config) -> LogLocation:
    """The real publish log (the inbox has no sandbox of its own)."""
    return log_path(cfg, sandbox=False, environ=environment(cfg))
