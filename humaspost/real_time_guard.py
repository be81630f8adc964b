"""The one rule about pretending it is later (`--now`): nothing reaches a platform's
public API before the delivery's time by the real clock.

`--now` ahead of the real clock is for training and tests. It is allowed only when every
account that would be sent to is not on a public API: the built-in sandbox (it writes
local files), or an account whose `api_url` names a server that is not on the public
internet (see `is_public_api`). Otherwise tomorrow's posts would go to the city's real
followers today, and today's remaining posts would be recorded as missed.

Decided from names and addresses only, never by a DNS lookup: a guard must not depend on
the network, and a name's address can change between the check and the request.

The real clock is never read here: callers pass the real time, or how far their clock
is ahead of it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from humaspost.i18n import _, ngettext
from humaspost.platforms.base import ResolvedAccount

# How far ahead of the real clock is still "now". `--now` is written to the minute, so
# `--now` of the current minute is up to 59 s ahead, and cron starts `publish` a few
# seconds into the minute a post is due at: going out within the minute the post names
# is on time as staff count it.
TOLERANCE = timedelta(seconds=60)

# Names reserved for local networks and testing (RFC 2606, RFC 6761, RFC 6762; `.internal`
# is ICANN's reserved private top-level domain): no public API can live under them.
_PRIVATE_SUFFIXES = (".localhost", ".local", ".test", ".example", ".invalid", ".internal")


def is_public_api(account: ResolvedAccount) -> bool:
    """Whether sending for this account may reach a public platform.

    False only for the built-in sandbox and for an `api_url` whose host is `localhost`,
    a name under `.localhost`, `.local`, `.test`, `.example`, `.invalid` or `.internal`,
    or an IP address that is not globally routable (loopback, private ranges, link-local,
    shared address space). Everything else counts as public: no `api_url` (the
    platform's own API), a plugin platform without one (humaspost cannot know where it
    sends), any other host name, or an address humaspost cannot read.
    """
    if account.platform == "sandbox":
        return False
    api_url = account.settings.get("api_url", "").strip()
    if not api_url:
        return True
    try:
        host = urlsplit(api_url).hostname
    except ValueError:  # e.g. an unbalanced '[' in an IPv6 address
        return True
    return host is None or not _is_private_host(host)


def _is_private_host(host: str) -> bool:
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(_PRIVATE_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a host name: it may resolve to anything
    return not address.is_global


def check_not_early(due_at: datetime, real_now: datetime, account: ResolvedAccount) -> str | None:
    """Why sending this delivery at `real_now` (the real clock) would break the rule, or
    None when it may go out: its account is not public, or its time (within
    `TOLERANCE`) has come."""
    if due_at <= real_now + TOLERANCE or not is_public_api(account):
        return None
    return _(
        "account {publishes} and this delivery is due {span} from now by the real clock; "
        "it is not sent before its time"
    ).format(publishes=_publishes(account), span=_span(due_at - real_now))


def is_ahead(ahead: timedelta) -> bool:
    """Whether a clock `ahead` of the real one by this much pretends a later time (beyond
    `TOLERANCE`), so that `clock_ahead_refusal` has something to decide."""
    return ahead > TOLERANCE


def clock_ahead_refusal(ahead: timedelta, accounts: Iterable[ResolvedAccount]) -> str | None:
    """Why a clock `ahead` of the real one must not be used to send to these accounts
    (the accounts a command would send to), or None when it may."""
    if not is_ahead(ahead):
        return None
    public = sorted((a for a in accounts if is_public_api(a)), key=lambda a: a.name)
    if not public:
        return None
    return _(
        "--now is {span} ahead of the real clock, and account {publishes}: "
        "posts would go out before their time. Nothing was sent; "
        "use --sandbox to rehearse, or --dry-run to see what would be sent "
        "(to test against a local server, set the account's api_url to a local address)"
    ).format(span=_span(ahead), publishes="; ".join(_publishes(a) for a in public))


def _publishes(account: ResolvedAccount) -> str:
    """`'name' publishes to ...`: where sending for the account goes."""
    api_url = account.settings.get("api_url", "").strip()
    if api_url:
        return _("'{account}' publishes to the public address {url}").format(
            account=account.name, url=api_url
        )
    return _("'{account}' publishes to the public {platform} API").format(
        account=account.name, platform=account.platform
    )


def _span(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = (
        (days, ngettext("{count} day", "{count} days", days)),
        (hours, ngettext("{count} hour", "{count} hours", hours)),
        (minutes, ngettext("{count} minute", "{count} minutes", minutes)),
    )
    words = [unit.format(count=n) for n, unit in units if n]
    return " ".join(words) if words else _("less than a minute")
