"""What `humaspost publish` prints: its results, laid out for the terminal's width."""

from __future__ import annotations

from collections import Counter

from humaspost.config import Config
from humaspost.gitsource import Checkout, NoCheckout
from humaspost.i18n import _, ngettext, pgettext
from humaspost.lifecycle import State, state_label
from humaspost.plan import Delivery
from humaspost.problems import Problem
from humaspost.publisher import Outcome, Result
from humaspost.tables import MESSAGE_INDENT, Segment, row, short_address, terminal_width
from humaspost.times import format_local

_RESULT_STYLE = {
    Result.SENT: "green",
    Result.RETRYING: "yellow",
    Result.FAILED: "bold red",
    Result.UNKNOWN: "bold red",
    Result.MISSED: "yellow",
}


def _result_label(result: Result) -> str:
    """How a delivery ended, as a person reads it: the name of the state it is now in."""
    return state_label(State(result.value))


def summary_lines(outcomes: list[Outcome], cfg: Config) -> list[Segment]:
    """How each delivery acted on ended, and the counts."""
    lines: list[Segment] = []
    # The results in a column as wide as the longest one's name, and one space more.
    width = max(len(_result_label(result)) for result in _RESULT_STYLE) + 1
    columns = terminal_width()
    for outcome in outcomes:
        if outcome.result is Result.SKIPPED:
            continue
        key = outcome.delivery.key
        when = format_local(outcome.delivery.due_at, cfg.timezone)
        head: list[Segment] = [
            (_result_label(outcome.result).ljust(width), _RESULT_STYLE[outcome.result]),
            (f" {when}  {key.post_id} → {key.account}", None),
        ]
        detail = short_address(outcome.url) if outcome.url else outcome.error
        # At 80 columns an address or an error goes under its row, as in `log`.
        lines.extend(row(head, [(detail, None)] if detail else [], columns, MESSAGE_INDENT))
    counts = _counts(outcomes)
    if counts:
        lines.append((", ".join(counts) + "\n", "bold"))
    else:
        lines.append((_("nothing due") + "\n", None))
    return lines


def _counts(outcomes: list[Outcome]) -> list[str]:
    """`2 sent`, `1 failed`, ...: the deliveries acted on, by how they ended."""
    counts: Counter[Result] = Counter(o.result for o in outcomes if o.result is not Result.SKIPPED)
    return [f"{counts[r]} {_result_label(r)}" for r in Result if counts[r]]


def dry_run_lines(chosen: list[Delivery], cfg: Config) -> list[Segment]:
    """What `--dry-run` would send."""
    if not chosen:
        return [(_("nothing due") + "\n", None)]
    lines: list[Segment] = [(_("would send:") + "\n", "bold")]
    for delivery in chosen:
        when = format_local(delivery.due_at, cfg.timezone)
        key = delivery.key
        state = state_label(delivery.state)
        lines.append((f"  {when}  {key.post_id} → {key.account} ({state})\n", None))
    return lines


def interrupted_line(outcomes: list[Outcome], not_started: int) -> list[Segment]:
    """What was done when Ctrl-C stopped the run, and what was not started."""
    counts = [*_counts(outcomes), _("{count} not started").format(count=not_started)]
    later = " " + _("(what was not started goes out with the next publish)") if not_started else ""
    return [
        (_("interrupted:") + " ", "bold yellow"),
        (", ".join(counts), None),
        (later + "\n", None),
    ]


def held_back_lines(held: list[Delivery], cfg: Config) -> list[Segment]:
    """Due deliveries held back because their post file has errors."""
    lines: list[Segment] = []
    for delivery in held:
        lines.append((_("held back") + " ", "bold red"))
        text = _(
            "{when}  {post_id} → {account}: due, but {file} has errors; fix it and it goes "
            "out with the next publish"
        ).format(
            when=format_local(delivery.due_at, cfg.timezone),
            post_id=delivery.key.post_id,
            account=delivery.key.account,
            file=delivery.post.shown,
        )
        lines.append((text + "\n", None))
    return lines


def not_committed_lines(
    held: list[Delivery], cfg: Config, git: Checkout | NoCheckout | None
) -> list[Segment]:
    """Due deliveries held back because their post file is not as the checked-out
    commit has it (publish_from: committed): changed since, or never committed."""
    lines: list[Segment] = []
    for delivery in held:
        lines.append((_("held back") + " ", "bold red"))
        fields = {
            "when": format_local(delivery.due_at, cfg.timezone),
            "post_id": delivery.key.post_id,
            "account": delivery.key.account,
            "file": delivery.post.shown,
        }
        if isinstance(git, Checkout) and git.tracks(delivery.post.file):
            text = _(
                "{when}  {post_id} → {account}: due, but {file} has changes that are not "
                "committed (publish_from: committed); commit them or undo them, and it goes "
                "out with the next publish"
            )
        else:
            text = _(
                "{when}  {post_id} → {account}: due, but {file} is not committed yet "
                "(publish_from: committed); commit it, and it goes out with the next publish"
            )
        lines.append((text.format(**fields) + "\n", None))
    return lines


def blocked_lines(errors: list[Problem]) -> list[Segment]:
    """The post files held back by their errors, named once, before anything is sent."""
    files = sorted({p.file for p in errors})
    if not files:
        return []
    return [
        (
            _("{count} post file(s) have errors and are held back:").format(count=len(files)) + " ",
            "bold yellow",
        ),
        (", ".join(files) + "\n", None),
        ("  " + _("run 'humaspost check' to see them") + "\n", "dim"),
    ]


def unknown_warning(total: int, new: int) -> list[Segment]:
    """The deliveries in state unknown, which a person must settle."""
    headline = ngettext(
        "{count} delivery is in state unknown", "{count} deliveries are in state unknown", total
    ).format(count=total)
    return [
        (headline, "bold red"),
        (" " + _("({count} new this run)").format(count=new) if new > 0 else "", None),
        (
            ": "
            + _(
                "they may or may not have been published. Look on the platform, then run "
                "'humaspost resolve ID --sent URL' or '--not-sent' (see 'humaspost log --state "
                "unknown')."
            )
            + "\n",
            None,
        ),
    ]


def missing_lines(missing: list[Problem]) -> list[Segment]:
    """The accounts whose secrets are missing: their posts were not sent."""
    lines: list[Segment] = []
    for problem in missing:
        lines.append((pgettext("severity", "error") + ": ", "bold red"))
        text = _("{message}; its posts were not sent").format(message=problem.message)
        lines.append((text + "\n", None))
    return lines
