"""typer's own words (`Usage:`, `Options`, its usage errors) in the language in use.

typer 0.28 vendors click (`typer._click`), whose texts are English written into the
code, while `typer.core` looks a few up through `gettext.gettext`. humaspost speaks
them in its language through three hooks, the English staying as typer writes it:

- `HumaspostGroup` and `HumaspostCommand` (the `cls` of the app and of every command)
  write the usage line and the help option's help;
- `typer.core` looks its words up in humaspost's catalog (see `_TYPER_LOOKS_UP`);
- `usage_message` gives a typer error's message in the language in use: click builds
  it in English, and each English form it can take is matched and translated whole.
"""

from __future__ import annotations

import re
import string
from functools import cache

import typer.core
from typer._click.core import Command, Context
from typer._click.exceptions import ClickException
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup, TyperOption

from humaspost.i18n import N_, _

# typer.core calls its module attribute `_` (gettext.gettext) for these words as it
# shows them: pointed at humaspost's `_`, it finds them in humaspost's catalog. They are
# marked here for scripts/catalog.py to extract.
typer.core._ = _  # type: ignore[attr-defined]  # typer does not export it
_TYPER_LOOKS_UP = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
)

# Placeholders of the usage line, written by typer in English.
OPTIONS_METAVAR = N_("[OPTIONS]")
COMMAND_METAVAR = N_("COMMAND [ARGS]...")


class _Speaking(Command):
    """The usage line and the help option, in the language in use."""

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        """`Usage: humaspost check [OPTIONS] [paths]...`"""
        pieces = " ".join(self.collect_usage_pieces(ctx))
        formatter.write_usage(ctx.command_path, pieces, prefix=_("Usage:") + " ")

    def get_help_option(self, ctx: Context) -> TyperOption | None:
        """`-h, --help`, described in the language in use."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class HumaspostGroup(_Speaking, TyperGroup):
    """The `humaspost` app: a typer group speaking the language in use."""


class HumaspostCommand(_Speaking, TyperCommand):
    """A `humaspost` command: a typer command speaking the language in use."""


# Every English message typer's usage errors can show a humaspost user, as click
# writes it (`{...}` stands for what click puts there). The first one that matches the
# whole message is translated; a message none matches stays English. Longer forms come
# before the shorter ones they begin with.
_MESSAGES = (
    N_("No such option: {option} (Possible options: {options})"),
    N_("No such option: {option}"),
    N_("Option {option} requires an argument."),
    N_("Option {option} does not take a value."),
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Missing command."),
    N_("No such command {name}. Did you mean {commands}?"),
    N_("No such command {name}."),
    N_("Got unexpected extra argument(s) ({arguments})"),
    N_("Invalid value for {name}: {reason}"),
    N_("Invalid value: {reason}"),
)
# Why a value is refused: the {reason} above.
_REASONS = (
    N_("{value} is not one of {choices}."),
    N_("{value} is not in the range {range}."),
    N_("{value} is not a valid int."),
)


def usage_message(error: ClickException) -> str:
    """The message of an error typer raised (a bad option, a missing argument), in the
    language in use."""
    return _translated(error.format_message(), _MESSAGES)


def _translated(message: str, forms: tuple[str, ...]) -> str:
    for form in forms:
        found = _pattern(form).fullmatch(message)
        if found is not None:
            fields = found.groupdict()
            if "reason" in fields:
                fields["reason"] = _translated(fields["reason"], _REASONS)
            return _(form).format(**fields)
    return message


@cache
def _pattern(form: str) -> re.Pattern[str]:
    """A regular expression matching `form`, each `{name}` a group of that name."""
    pattern = ""
    for literal, field, _spec, _conversion in string.Formatter().parse(form):
        pattern += re.escape(literal)
        if field is not None:
            pattern += f"(?P<{field}>.+?)"
    return re.compile(pattern)
