"""The configuration (`humaspost.yaml`): discovery, validation and secret references.

The config lives in git, so secrets are only ever `${ENV_VAR}` references; they are
resolved when a command talks to a platform, never by `check`.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from humaspost import secrets
from humaspost.i18n import LANGUAGES, _, ngettext
from humaspost.inbox_settings import (
    DEFAULT_INTERVAL,
    DEFAULT_RESPOND_WITHIN,
    DEFAULT_RETAIN,
    DEFAULT_SINCE,
    MAX_WORKING_DAYS,
    MIN_INTERVAL,
    MIN_RETAIN,
    InboxSettings,
    Route,
)
from humaspost.platforms.specs import (
    BUILTIN_SPECS,
    COMMON_ACCOUNT_FIELDS,
    PlatformSpec,
    spec_for,
)
from humaspost.problems import ConfigError, Problem, Severity, Span
from humaspost.textfile import read_text
from humaspost.times import TimeFormatError, parse_duration, quoted
from humaspost.x_costs import DEFAULT_PRICES, PRICE_KEYS, Prices
from humaspost.yamlpos import Located, YamlProblem, load_located

CONFIG_NAME = "humaspost.yaml"
CONFIG_ENV = "HUMASPOST_CONFIG"
DEFAULT_TIMEZONE = "Asia/Jakarta"
# `publish_from`: send post files only as the checked-out commit has them (a server), or
# as they are on disk (laptops, training; what a config without the key means).
COMMITTED = "committed"
WORKING_TREE = "working-tree"
DEFAULT_LEASE = timedelta(minutes=2)
# A lease shorter than a few seconds would be renewed more often than the log can take;
# longer than an hour, a crashed publisher's deliveries would wait too long.
LEASE_RANGE = (timedelta(seconds=3), timedelta(hours=1))

NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Offices and inbox categories: typed in commands (`inbox assign 42 BPBD`), so one word
# that cannot be taken for an option; unlike account names, offices go by acronyms.
LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REF_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WHOLE_REF_RE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")

_TOP_KEYS = (
    "language",
    "timezone",
    "posts_dir",
    "state_dir",
    "max_delay",
    "lease",
    "require_alt_text",
    "publish_from",
    "publish_log",
    "x_prices",
    "x_monthly_budget",
    "accounts",
    "groups",
    "defaults",
    "owners",
    "offices",
    "inbox",
)
_INBOX_KEYS = (
    "interval",
    "respond_within",
    "categories",
    "routes",
    "collective_leave",
    "retain",
    "since",
)
_ROUTE_KEYS = ("office", "account", "keywords", "category")
# Where `publish` and the daemon take a post's text from: the files as they are, or
# only as the checked-out commit has them (what was reviewed).
# Keys every account may have beside its platform's: where its posts may come from and
# who reviews them (see humaspost/scoping.py and humaspost/codeowners.py).
_SCOPE_FIELDS = frozenset({"paths", "owners"})
_GROUP_KEYS = ("accounts", "paths", "owners")
# A GitHub user (`@name`) or team (`@organisation/team`), as CODEOWNERS names them.
OWNER_RE = re.compile(r"^@[A-Za-z0-9-]+(/[A-Za-z0-9._-]+)?$")
# What GitHub's CODEOWNERS reads otherwise than humaspost would (character ranges,
# negation, escapes) or cannot hold (spaces): a pattern may not use them, so that
# `check` and GitHub agree on which folder is whose.
_FOREIGN_PATTERN_CHARACTERS = "[]\\"


@dataclass(frozen=True)
class Account:
    """One account on one platform. `settings` keep `${VAR}` references unresolved."""

    name: str
    platform: str
    settings: Mapping[str, str] = field(default_factory=dict)
    daily_limit: int | None = None
    # Glob patterns, relative to posts_dir, of the post files this account takes;
    # empty: every folder (see humaspost/scoping.py).
    paths: tuple[str, ...] = ()
    # The GitHub users and teams who review the posts in those folders (CODEOWNERS).
    owners: tuple[str, ...] = ()

    @property
    def rules_platform(self) -> str:
        """The platform whose limits apply: a sandbox account may be `like` another."""
        return self.settings.get("like", self.platform)


@dataclass(frozen=True)
class Config:
    """A validated configuration; paths are absolute."""

    path: Path
    timezone: ZoneInfo
    posts_dir: Path
    state_dir: Path
    max_delay: timedelta
    require_alt_text: bool
    accounts: Mapping[str, Account]
    groups: Mapping[str, tuple[str, ...]]
    default_to: tuple[str, ...]
    # How long a publisher's claim on a delivery holds without being renewed (a live
    # publisher renews it every third of it); after that, another run may take it over.
    lease: timedelta = DEFAULT_LEASE
    # 'id' or 'en' when the config chooses; None leaves it to $HUMASPOST_LANG or the locale.
    language: str | None = None
    # `paths` and `owners` of the groups written as mappings (`{accounts: [...], ...}`).
    group_paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    group_owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # `defaults.to` as written, groups unexpanded (`default_to` has the accounts): a
    # group's own `paths` apply to a post that goes to it by default.
    default_names: tuple[str, ...] = ()
    # The city office's reviewers: they own the config, media/ and every folder no
    # account's or group's `owners` do.
    owners: tuple[str, ...] = ()
    # WORKING_TREE or COMMITTED: whether only what the checked-out commit has is sent.
    publish_from: str = "working-tree"
    # What reading the config found worth a warning without stopping (HP511).
    warnings: tuple[Problem, ...] = ()
    # The environment variable holding the URL of a PostgreSQL publish log
    # (`publish_log: ${NAME}`); None: the SQLite file under state_dir.
    publish_log: str | None = None
    # What X's API requests cost (`x_prices:` over humaspost.x_costs.DEFAULT_PRICES), and
    # the monthly amount in US dollars past which `schedule` and `check` warn.
    x_prices: Prices = DEFAULT_PRICES
    x_monthly_budget: Decimal | None = None
    # The complaint inbox (`inbox:`); None: the config has none, and nothing is fetched.
    inbox: InboxSettings | None = None
    # The offices inbox items go to (`offices:`, else every account and group name).
    offices: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        """The repository root: the config's folder. Media must stay inside it."""
        return self.path.parent

    def expand(self, name: str) -> tuple[str, ...] | None:
        """Account names for an account or group name; None if the name is unknown."""
        if name in self.accounts:
            return (name,)
        return self.groups.get(name)


@dataclass(frozen=True)
class _Group:
    """A group as read: its accounts, and the `paths` and `owners` of the mapping form."""

    accounts: tuple[str, ...]
    paths: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()


def find_config(explicit: Path | None, environ: Mapping[str, str], cwd: Path) -> Path:
    """The config to use: `--config`, else $HUMASPOST_CONFIG, else the nearest upwards."""
    if explicit is not None:
        return _must_exist(cwd / explicit, "--config")
    if environ.get(CONFIG_ENV):
        return _must_exist(cwd / environ[CONFIG_ENV], f"${CONFIG_ENV}")
    for folder in (cwd, *cwd.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(
        [
            Problem(
                "HP501",
                Severity.ERROR,
                _("no {name} found in this folder or any folder above it").format(name=CONFIG_NAME),
                str(cwd),
                hint=_("run 'humaspost init' to create one, or pass --config PATH"),
            )
        ]
    )


def _must_exist(path: Path, source: str) -> Path:
    trouble = unusable(path)
    if trouble is not None:
        message = _("config file cannot be used (from {source}): {reason}").format(
            source=source, reason=trouble
        )
    elif not path.is_file():
        message = _("config file not found (from {source})").format(source=source)
    else:
        return path
    raise ConfigError([Problem("HP501", Severity.ERROR, message, str(path))])


def unusable(path: Path) -> str | None:
    """Why the system cannot look at `path` (a name too long, links in a loop, a NUL),
    or None: it exists, or plainly does not (which the caller says in its own words)."""
    try:
        os.stat(path.resolve())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except RuntimeError:  # how Python 3.11 resolves a link loop; later versions: ELOOP
        return _("its links form a loop")
    except ValueError:
        return _("it contains a NUL character")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _("its links form a loop")
        reason = exc.strerror or type(exc).__name__
        return reason[:1].lower() + reason[1:]
    return None


def configured_language(path: Path) -> str | None:
    """The `language` a config file asks for, read before the config is loaded so that
    help and errors are in it; None if it names none or cannot be read (loading the
    config properly then says why)."""
    text, problem = read_text(path, str(path))
    if problem is not None or text is None:
        return None
    try:
        # The reader `load_config` uses: PyYAML's own loaders raise ValueError, KeyError,
        # AttributeError ... for scalars they cannot read (`0x_`, `!!bool x`).
        located = load_located(text)
    except YamlProblem:
        return None
    data = located.data if located is not None else None
    value = data.get("language") if isinstance(data, dict) else None
    return value if value in LANGUAGES else None


def load_config(path: Path, display_name: str | None = None) -> Config:
    """Read and validate a config file; raises ConfigError with every problem found."""
    shown = display_name or str(path)
    path = path.resolve()
    text, read_problem = read_text(path, shown)
    if read_problem is not None:
        raise ConfigError([read_problem])
    try:
        located = load_located(text or "")
    except YamlProblem as exc:
        raise ConfigError(
            [Problem(exc.code, Severity.ERROR, exc.message, shown, exc.span, exc.hint)]
        ) from None
    if located is None or not isinstance(located.data, dict):
        span = located.value_span(()) if located else None
        raise ConfigError(
            [
                Problem(
                    "HP008",
                    Severity.ERROR,
                    _("the config must be a mapping of settings (timezone, accounts, ...)"),
                    shown,
                    span or Span(1, 1),
                )
            ]
        )
    return _ConfigReader(path, shown, located).read()


class _ConfigReader:
    """Validates config data, collecting located problems instead of stopping at one."""

    def __init__(self, path: Path, shown: str, located: Located) -> None:
        self.path = path
        self.shown = shown
        self.located = located
        self.data: dict[str, Any] = located.data
        self.problems: list[Problem] = []

    def error(
        self,
        code: str,
        message: str,
        path: tuple[str | int, ...],
        *,
        at_key: bool = False,
        hint: str | None = None,
        secret: bool = False,
    ) -> None:
        span = self.located.key_span(path) if at_key else self.located.value_span(path)
        self.problems.append(
            Problem(code, Severity.ERROR, message, self.shown, span, hint, secret=secret)
        )

    def read(self) -> Config:
        self.check_keys(
            self.data, (), _TOP_KEYS, lambda key: _("unknown setting '{key}'").format(key=key)
        )
        language = self.language()
        timezone = self.timezone()
        posts_dir = self.folder("posts_dir", "posts")
        state_dir = self.folder("state_dir", ".humaspost")
        max_delay = self.duration("max_delay", timedelta(hours=2))
        lease = self.lease()
        require_alt = self.boolean("require_alt_text", True)
        publish_from = self.publish_from()
        publish_log = self.publish_log()
        x_prices = self.x_prices()
        x_monthly_budget = self.x_monthly_budget()
        owners = self.owners(self.data, ())
        accounts = self.accounts(posts_dir)
        groups = self.groups(accounts, posts_dir)
        default_names, default_to = self.defaults(accounts, groups)
        offices = self.offices(accounts, groups)
        inbox = self.inbox(accounts, groups, offices)
        if self.problems:
            raise ConfigError(self.problems)
        return Config(
            path=self.path,
            timezone=timezone,
            posts_dir=posts_dir,
            state_dir=state_dir,
            max_delay=max_delay,
            require_alt_text=require_alt,
            accounts=accounts,
            groups={name: group.accounts for name, group in groups.items()},
            default_to=default_to,
            lease=lease,
            language=language,
            group_paths={name: group.paths for name, group in groups.items() if group.paths},
            group_owners={name: group.owners for name, group in groups.items() if group.owners},
            default_names=default_names,
            owners=owners,
            publish_from=publish_from,
            publish_log=publish_log,
            x_prices=x_prices,
            x_monthly_budget=x_monthly_budget,
            inbox=inbox,
            offices=offices,
            warnings=tuple(self.open_accounts(accounts, groups)),
        )

    def check_keys(
        self,
        mapping: dict[str, Any],
        path: tuple[str | int, ...],
        known: tuple[str, ...],
        unknown: Callable[[str], str],
    ) -> None:
        """An HP502 error for each key of `mapping` not in `known`; `unknown` words it
        (a whole sentence per kind of key, so that it can be translated)."""
        for key in mapping:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = (
                    _("did you mean '{name}'?").format(name=close[0])
                    if close
                    else _("known: {names}").format(names=", ".join(known))
                )
                self.error("HP502", unknown(key), (*path, key), at_key=True, hint=hint)

    def language(self) -> str | None:
        value = self.data.get("language")
        if value is None or value in LANGUAGES:
            return value if isinstance(value, str) else None
        self.error(
            "HP503",
            _("unknown language {value}").format(value=quoted(str(value))),
            ("language",),
            hint=_("'language: id' (Bahasa Indonesia) or 'language: en' (English)"),
        )
        return None

    def publish_log(self) -> str | None:
        value = self.data.get("publish_log")
        if value is None:
            return None
        if isinstance(value, str) and _WHOLE_REF_RE.match(value):
            return value[2:-1]
        # Never echo the value: it may be a URL with the database's password.
        self.error(
            "HP504",
            _("'publish_log' must be a {reference} reference, not a literal value").format(
                reference="${ENV_VAR}"
            ),
            ("publish_log",),
            hint=_(
                "the config is kept in git, and the database URL holds a password: write "
                "publish_log: ${HUMASPOST_DATABASE_URL} and set that variable on each server"
            ),
            secret=True,
        )
        return None

    def x_prices(self) -> Prices:
        """`x_prices:` over the default table: any of its keys, each a number of US
        dollars of 0 or more."""
        raw = self.data.get("x_prices")
        if raw is None:
            return DEFAULT_PRICES
        if not isinstance(raw, dict):
            self.error(
                "HP503",
                _("'x_prices' must map prices to amounts in US dollars, e.g. 'repost: 0.015'"),
                ("x_prices",),
            )
            return DEFAULT_PRICES
        self.check_keys(
            raw,
            ("x_prices",),
            PRICE_KEYS,
            lambda key: _("unknown X price '{key}'").format(key=key),
        )
        overrides: dict[str, Decimal] = {}
        for key in PRICE_KEYS:
            if key not in raw:
                continue
            amount = _amount(raw[key])
            if amount is None or amount < 0:
                self.error(
                    "HP503",
                    _("'x_prices.{key}' must be an amount in US dollars, 0 or more").format(
                        key=key
                    ),
                    ("x_prices", key),
                    hint=_("e.g. '{key}: 0.015', without a '$'").format(key=key),
                )
                continue
            overrides[key] = amount
        return DEFAULT_PRICES.with_overrides(overrides)

    def x_monthly_budget(self) -> Decimal | None:
        if "x_monthly_budget" not in self.data:
            return None
        amount = _amount(self.data["x_monthly_budget"])
        if amount is None or amount <= 0:
            self.error(
                "HP503",
                _("'x_monthly_budget' must be an amount in US dollars above 0"),
                ("x_monthly_budget",),
                hint=_("e.g. 'x_monthly_budget: 50', without a '$'"),
            )
            return None
        return amount

    def publish_from(self) -> str:
        value = self.data.get("publish_from", WORKING_TREE)
        if value in (COMMITTED, WORKING_TREE):
            return str(value)
        self.error(
            "HP503",
            _("unknown publish_from {value}").format(value=quoted(str(value))),
            ("publish_from",),
            hint=_(
                "'publish_from: committed' (only what the checked-out commit has) or "
                "'publish_from: working-tree' (the files as they are)"
            ),
        )
        return WORKING_TREE

    def timezone(self) -> ZoneInfo:
        name = self.data.get("timezone", DEFAULT_TIMEZONE)
        if isinstance(name, str):
            try:
                return ZoneInfo(name)
            # A name the zone database lacks, one of its folders (`America`: OSError),
            # a name too long for a file name, or a file there that is no zone.
            except (ZoneInfoNotFoundError, ValueError, OSError):
                pass
        self.error(
            "HP507",
            _("unknown timezone {name}").format(name=quoted(name)),
            ("timezone",),
            hint=_("use an IANA name such as Asia/Jakarta (WIB), Asia/Makassar, Asia/Jayapura"),
        )
        return ZoneInfo(DEFAULT_TIMEZONE)

    def folder(self, key: str, default: str) -> Path:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.error("HP503", _("'{key}' must be a folder path").format(key=key), (key,))
            value = default
        folder = self.path.parent / value
        trouble = unusable(folder)
        if trouble is not None:
            self.error(
                "HP503",
                _("'{key}' cannot be used as a folder: {reason}").format(key=key, reason=trouble),
                (key,),
            )
            return folder
        return folder.resolve()

    def duration(self, key: str, default: timedelta) -> timedelta:
        return self.duration_in(self.data, (), key, default)

    def duration_in(
        self,
        mapping: dict[str, Any],
        within: tuple[str | int, ...],
        key: str,
        default: timedelta,
    ) -> timedelta:
        """The duration at `key` of `mapping` (the one at path `within`), or `default`."""
        if key not in mapping:
            return default
        try:
            return parse_duration(mapping[key])
        except TimeFormatError as exc:
            self.error("HP503", f"'{_dotted((*within, key))}': {exc}", (*within, key))
            return default

    def lease(self) -> timedelta:
        lease = self.duration("lease", DEFAULT_LEASE)
        low, high = LEASE_RANGE
        if not low <= lease <= high:
            self.error("HP503", _("'lease' must be between 3s and 1h"), ("lease",))
            return DEFAULT_LEASE
        return lease

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.error("HP503", _("'{key}' must be true or false").format(key=key), (key,))
            return default
        return value

    def owners(self, mapping: dict[str, Any], path: tuple[str | int, ...]) -> tuple[str, ...]:
        """The `owners` of `mapping` (the config, an account or a group), checked."""
        if "owners" not in mapping:
            return ()
        key_path = (*path, "owners")
        raw = mapping["owners"]
        names = [raw] if isinstance(raw, str) else raw
        if not isinstance(names, list) or not names:
            self.error(
                "HP503",
                _("'owners' must list GitHub users or teams, e.g. '@pemkot-bekasi/humas'"),
                key_path,
            )
            return ()
        found: list[str] = []
        for index, owner in enumerate(names):
            where = key_path if isinstance(raw, str) else (*key_path, index)
            if isinstance(owner, str) and OWNER_RE.match(owner):
                if owner not in found:
                    found.append(owner)
                continue
            if isinstance(owner, str) and OWNER_RE.match("@" + owner):
                hint = _("write '@{owner}', in quotes: YAML refuses a bare @").format(owner=owner)
            else:
                hint = _("a GitHub user is written '@name', a team '@organisation/team'")
            self.error(
                "HP503",
                _("{owner} is not a GitHub user or team").format(owner=quoted(owner)),
                where,
                hint=hint,
            )
        return tuple(found)

    def paths(
        self, mapping: dict[str, Any], path: tuple[str | int, ...], posts_dir: Path
    ) -> tuple[str, ...]:
        """The `paths` of an account or group: glob patterns relative to posts_dir, each
        one that GitHub's CODEOWNERS reads the same way (see `pattern_problem`)."""
        if "paths" not in mapping:
            return ()
        key_path = (*path, "paths")
        raw = mapping["paths"]
        patterns = [raw] if isinstance(raw, str) else raw
        if not isinstance(patterns, list) or not patterns:
            self.error(
                "HP503",
                _("'paths' must list folders of posts_dir, e.g. 'kecamatan/bekasi-timur/**'"),
                key_path,
            )
            return ()
        found: list[str] = []
        for index, pattern in enumerate(patterns):
            where = key_path if isinstance(raw, str) else (*key_path, index)
            if not isinstance(pattern, str) or not pattern.strip():
                self.error(
                    "HP503",
                    _("'paths' must list folders of posts_dir, e.g. 'kecamatan/bekasi-timur/**'"),
                    where,
                )
                continue
            trouble = pattern_problem(pattern, posts_dir)
            if trouble is not None:
                message, hint = trouble
                self.error("HP503", message, where, hint=hint)
            elif pattern not in found:
                found.append(pattern)
        return tuple(found)

    def scope(
        self, body: dict[str, Any], path: tuple[str | int, ...], posts_dir: Path
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The `paths` and `owners` of an account or group. Owners without paths would
        own nothing: an error, so that nobody believes a folder is reviewed."""
        paths = self.paths(body, path, posts_dir)
        owners = self.owners(body, path)
        if "owners" in body and "paths" not in body:
            self.error(
                "HP503",
                _("'owners' needs 'paths': the owners review the posts in those folders"),
                (*path, "owners"),
                at_key=True,
                hint=_("add e.g. 'paths: [kecamatan/bekasi-timur/**]'"),
            )
        return paths, owners

    def open_accounts(
        self, accounts: Mapping[str, Account], groups: Mapping[str, _Group]
    ) -> list[Problem]:
        """HP511 when some accounts or groups have `paths` and some accounts have none:
        a post in any folder may still name those directly in `to`."""
        scoped = any(a.paths for a in accounts.values()) or any(g.paths for g in groups.values())
        unscoped = [name for name, account in accounts.items() if not account.paths]
        if not scoped or not unscoped:
            return []
        message = ngettext(
            "account {accounts} has no 'paths': a post in any folder may go to it",
            "accounts {accounts} have no 'paths': a post in any folder may go to them",
            len(unscoped),
        ).format(accounts=", ".join(f"'{name}'" for name in unscoped))
        return [
            Problem(
                "HP511",
                Severity.WARNING,
                message,
                self.shown,
                self.located.key_span(("accounts", unscoped[0])),
                _("give each account its 'paths'; 'paths: [\"**\"]' opens one to every folder"),
            )
        ]

    def accounts(self, posts_dir: Path) -> dict[str, Account]:
        raw = self.data.get("accounts")
        if not isinstance(raw, dict) or not raw:
            self.error(
                "HP503",
                _("'accounts' must list at least one account"),
                ("accounts",),
                at_key="accounts" in self.data,
                hint=_("an account has a name and a platform, e.g. 'latihan: {platform: sandbox}'"),
            )
            return {}
        accounts: dict[str, Account] = {}
        for name, body in raw.items():
            account = self.account(name, body, posts_dir)
            if account is not None:
                accounts[name] = account
        return accounts

    def account(self, name: str, body: Any, posts_dir: Path) -> Account | None:
        path: tuple[str | int, ...] = ("accounts", name)
        self.check_name(
            name,
            path,
            _("account name '{name}' may only use lowercase letters, digits and '-'"),
        )
        if not isinstance(body, dict):
            self.error(
                "HP503",
                _("account '{name}' must be a mapping with a 'platform'").format(name=name),
                path,
            )
            return None
        platform = body.get("platform")
        spec = spec_for(platform) if isinstance(platform, str) and NAME_RE.match(platform) else None
        if spec is None:
            where = (*path, "platform") if "platform" in body else path
            self.error(
                "HP508",
                _("account '{name}' has unknown platform {platform}").format(
                    name=name, platform=quoted(platform)
                )
                if platform is not None
                else _("account '{name}' has no 'platform'").format(name=name),
                where,
                at_key=where == path,
                hint=_(
                    "built-in platforms: {platforms}; others come from installed plugins"
                ).format(platforms=", ".join(sorted(BUILTIN_SPECS))),
            )
            return None
        settings = self.account_settings(name, body, spec, path)
        daily_limit = body.get("daily_limit")
        if daily_limit is not None and (
            isinstance(daily_limit, bool) or not isinstance(daily_limit, int) or daily_limit < 1
        ):
            self.error(
                "HP503", _("'daily_limit' must be a whole number above 0"), (*path, "daily_limit")
            )
            daily_limit = None
        paths, owners = self.scope(body, path, posts_dir)
        return Account(name, spec.name, settings, daily_limit, paths, owners)

    def account_settings(
        self, name: str, body: dict[str, Any], spec: PlatformSpec, path: tuple[str | int, ...]
    ) -> dict[str, str]:
        known = tuple(
            sorted(
                COMMON_ACCOUNT_FIELDS | _SCOPE_FIELDS | spec.required_fields | spec.optional_fields
            )
        )
        self.check_keys(
            body,
            path,
            known,
            lambda key: _("unknown {platform} account setting '{key}'").format(
                platform=spec.name, key=key
            ),
        )
        for missing in sorted(spec.required_fields - body.keys()):
            self.error(
                "HP503",
                _("{platform} account '{name}' needs '{setting}'").format(
                    platform=spec.name, name=name, setting=missing
                ),
                path,
                at_key=True,
                hint=_("secrets are written as ${ENV_VAR} references")
                if missing in spec.secret_fields
                else None,
            )
        settings: dict[str, str] = {}
        for key, value in body.items():
            if key in ("platform", "daily_limit", *_SCOPE_FIELDS) or key not in known:
                continue
            key_path = (*path, key)
            if key in spec.secret_fields:
                # Never echo the value: it may be a real token pasted by mistake.
                if not isinstance(value, str) or not _WHOLE_REF_RE.match(value):
                    self.error(
                        "HP504",
                        _(
                            "'{key}' of account '{name}' must be a {reference} reference, "
                            "not a literal value"
                        ).format(key=key, name=name, reference="${ENV_VAR}"),
                        key_path,
                        hint=_(
                            "the config is kept in git; put the secret in an environment "
                            "variable (or a .env file that git ignores) and write e.g. "
                            "${FB_PEMKOT_PAGE_TOKEN}"
                        ),
                        secret=True,
                    )
                    continue
            elif not isinstance(value, str) or isinstance(value, bool):
                self.error(
                    "HP503",
                    _("'{key}' of account '{name}' must be text").format(key=key, name=name),
                    key_path,
                    hint=_("put numbers such as a page id in quotes"),
                )
                continue
            settings[key] = value
        if spec.name == "sandbox" and settings.get("like", "twitter") not in (
            "twitter",
            "facebook",
        ):
            self.error("HP503", _("'like' must be 'twitter' or 'facebook'"), (*path, "like"))
            settings.pop("like")
        if "delay" in settings:
            try:
                parse_duration(settings["delay"])
            except TimeFormatError as exc:
                self.error("HP503", f"'delay': {exc}", (*path, "delay"))
                settings.pop("delay")
        page_id = settings.get("page_id")
        if page_id and not page_id.isdigit() and not _REF_RE.search(page_id):
            self.error("HP503", _("'page_id' must be the page's numeric id"), (*path, "page_id"))
        return settings

    def check_name(self, name: str, path: tuple[str | int, ...], message: str) -> None:
        """An HP505 error if `name` is not a valid account or group name; `message` is
        the translated sentence, with `{name}`."""
        if not NAME_RE.match(name):
            self.error(
                "HP505",
                message.format(name=name),
                path,
                at_key=True,
                hint=_("e.g. 'kec-bekasi-timur'"),
            )

    def groups(self, accounts: dict[str, Account], posts_dir: Path) -> dict[str, _Group]:
        raw = self.data.get("groups", {})
        if not isinstance(raw, dict):
            self.error(
                "HP503", _("'groups' must map group names to lists of accounts"), ("groups",)
            )
            return {}
        groups: dict[str, _Group] = {}
        for name, body in raw.items():
            path: tuple[str | int, ...] = ("groups", name)
            self.check_name(
                name, path, _("group name '{name}' may only use lowercase letters, digits and '-'")
            )
            if name in accounts:
                self.error(
                    "HP505",
                    _("'{name}' is both an account and a group").format(name=name),
                    path,
                    at_key=True,
                )
            group = self.group(name, body, path, accounts, posts_dir)
            if group is not None:
                groups[name] = group
        return groups

    def group(
        self,
        name: str,
        body: Any,
        path: tuple[str | int, ...],
        accounts: Mapping[str, Account],
        posts_dir: Path,
    ) -> _Group | None:
        """A group written as a list of accounts, or as a mapping with `accounts` and
        the group's own `paths` and `owners`."""
        paths: tuple[str, ...] = ()
        owners: tuple[str, ...] = ()
        members_path = path
        members = body
        if isinstance(body, dict):
            self.check_keys(
                body,
                path,
                _GROUP_KEYS,
                lambda key: _("unknown group setting '{key}'").format(key=key),
            )
            paths, owners = self.scope(body, path, posts_dir)
            members_path = (*path, "accounts")
            members = body.get("accounts")
        if isinstance(members, str):
            members = [members]
        if not isinstance(members, list) or not members:
            self.error(
                "HP503",
                _("group '{name}' must list one or more accounts").format(name=name),
                members_path if isinstance(body, dict) and "accounts" in body else path,
                at_key=isinstance(body, dict) and "accounts" not in body,
                hint=_("e.g. 'accounts: [kec-bekasi-timur-x, kec-bekasi-timur-fb]'")
                if isinstance(body, dict)
                else None,
            )
            return None
        found = self.members(members, members_path, accounts, name)
        return _Group(tuple(found), paths, owners)

    def members(
        self,
        names: list[Any],
        path: tuple[str | int, ...],
        accounts: Mapping[str, Account],
        group: str,
    ) -> list[str]:
        found: list[str] = []
        for index, member in enumerate(names):
            if isinstance(member, str) and member in accounts:
                if member not in found:
                    found.append(member)
                continue
            close = difflib.get_close_matches(
                member if isinstance(member, str) else "", list(accounts), n=1
            )
            self.error(
                "HP506",
                _("group '{group}' names unknown account {account}").format(
                    group=group, account=quoted(member)
                ),
                (*path, index),
                hint=_("did you mean '{name}'?").format(name=close[0])
                if close
                else _("groups list accounts only"),
            )
        return found

    def defaults(
        self, accounts: Mapping[str, Account], groups: Mapping[str, _Group]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """`defaults.to` as written (accounts and groups) and as the accounts it names."""
        raw = self.data.get("defaults", {})
        if not isinstance(raw, dict):
            self.error("HP503", _("'defaults' must be a mapping (e.g. 'to: [...]')"), ("defaults",))
            return (), ()
        self.check_keys(
            raw, ("defaults",), ("to",), lambda key: _("unknown default '{key}'").format(key=key)
        )
        to = raw.get("to", [])
        if isinstance(to, str):
            to = [to]
        if not isinstance(to, list):
            self.error(
                "HP503",
                _("'defaults.to' must be a list of accounts or groups"),
                ("defaults", "to"),
            )
            return (), ()
        written: list[str] = []
        names: list[str] = []
        for index, name in enumerate(to):
            group = groups.get(name) if isinstance(name, str) else None
            expanded = group.accounts if group is not None else None
            if isinstance(name, str) and name in accounts:
                expanded = (name,)
            if expanded is None:
                self.error(
                    "HP506",
                    _("'defaults.to' names unknown account or group {name}").format(
                        name=quoted(name)
                    ),
                    ("defaults", "to", index),
                )
                continue
            if name not in written:
                written.append(name)
            names.extend(n for n in expanded if n not in names)
        return tuple(written), tuple(names)

    def offices(
        self, accounts: Mapping[str, Account], groups: Mapping[str, _Group]
    ) -> tuple[str, ...]:
        """`offices:` as written, else every account and group name, in config order."""
        if "offices" not in self.data:
            return (*accounts, *groups)
        raw = self.data["offices"]
        names = [raw] if isinstance(raw, str) else raw
        if not isinstance(names, list) or not names:
            self.error(
                "HP503",
                _("'offices' must list the offices the inbox routes items to"),
                ("offices",),
                hint=_("e.g. 'offices: [BPBD, dinas-pupr, kec-bekasi-timur]'"),
            )
            return ()
        found: dict[str, str] = {}  # casefolded: as written
        for index, name in enumerate(names):
            where: tuple[str | int, ...] = (
                ("offices",) if isinstance(raw, str) else ("offices", index)
            )
            if not isinstance(name, str):
                self.error(
                    "HP505",
                    _("office name {name} must be text").format(name=quoted(name)),
                    where,
                    hint=_("put it in quotes"),
                )
                continue
            if not LABEL_RE.match(name):
                self.error(
                    "HP505",
                    _(
                        "office name {name} must start with a letter or digit and use only "
                        "letters, digits, '-' and '_'"
                    ).format(name=quoted(name)),
                    where,
                    hint=_("e.g. 'BPBD' or 'dinas-pupr'"),
                )
                continue
            first = found.get(name.casefold())
            if first is not None:
                # `inbox assign 42 bpbd` beside an office BPBD would be a second office
                # nobody meant.
                self.error(
                    "HP505",
                    _("office {name} is listed twice").format(name=quoted(name)),
                    where,
                    hint=_(
                        "'{first}' is listed already; names that differ only in case are "
                        "taken for one"
                    ).format(first=first)
                    if first != name
                    else None,
                )
                continue
            found[name.casefold()] = name
        return tuple(found.values())

    def inbox(
        self,
        accounts: Mapping[str, Account],
        groups: Mapping[str, _Group],
        offices: tuple[str, ...],
    ) -> InboxSettings | None:
        """The `inbox:` section; None without one. An empty `inbox:` is every default."""
        if "inbox" not in self.data:
            return None
        raw = self.data["inbox"]
        if raw is None:
            return InboxSettings()
        path: tuple[str | int, ...] = ("inbox",)
        if not isinstance(raw, dict):
            self.error(
                "HP503",
                _("'inbox' must be a mapping of inbox settings (interval, routes, ...)"),
                path,
            )
            return None
        self.check_keys(
            raw, path, _INBOX_KEYS, lambda key: _("unknown inbox setting '{key}'").format(key=key)
        )
        interval = self.duration_in(raw, path, "interval", DEFAULT_INTERVAL)
        if interval < MIN_INTERVAL:
            self.error(
                "HP503",
                _("'inbox.interval' must be at least 1m"),
                (*path, "interval"),
                hint=_("each fetch of an X account is a paid read"),
            )
            interval = DEFAULT_INTERVAL
        retain = self.duration_in(raw, path, "retain", DEFAULT_RETAIN)
        if retain < MIN_RETAIN:
            self.error(
                "HP503",
                _("'inbox.retain' must be at least 1d"),
                (*path, "retain"),
                hint=_("settled items older than this are deleted on every fetch"),
            )
            retain = DEFAULT_RETAIN
        respond_within = DEFAULT_RESPOND_WITHIN
        if "respond_within" in raw:
            respond_within = (
                self.working_days(raw["respond_within"], (*path, "respond_within"))
                or DEFAULT_RESPOND_WITHIN
            )
        categories = self.categories(raw, path)
        return InboxSettings(
            interval=interval,
            respond_within=respond_within,
            categories=categories,
            routes=self.routes(raw, path, accounts, groups, offices, categories),
            collective_leave=self.collective_leave(raw, path),
            retain=retain,
            since=self.duration_in(raw, path, "since", DEFAULT_SINCE),
        )

    def working_days(self, value: object, path: tuple[str | int, ...]) -> int | None:
        """A number of working days (1 to MAX_WORKING_DAYS), or None after an error."""
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (1 <= value <= MAX_WORKING_DAYS)
        ):
            return value
        self.error(
            "HP503",
            _("'{key}' must be a whole number of working days, 1 to {most}").format(
                key=_dotted(path), most=MAX_WORKING_DAYS
            ),
            path,
            hint=_("weekends, public holidays and 'collective_leave' do not count"),
        )
        return None

    def categories(self, raw: dict[str, Any], within: tuple[str | int, ...]) -> dict[str, int]:
        """`inbox.categories`: category names and their working days to answer in."""
        path = (*within, "categories")
        value = raw.get("categories", {})
        if not isinstance(value, dict):
            self.error(
                "HP503",
                _("'inbox.categories' must map category names to working days"),
                path,
                hint=_("e.g. 'categories: {banjir: 1, jalan-rusak: 10}'"),
            )
            return {}
        categories: dict[str, int] = {}
        for name, days in value.items():
            if not LABEL_RE.match(name):
                self.error(
                    "HP505",
                    _(
                        "category name {name} must start with a letter or digit and use only "
                        "letters, digits, '-' and '_'"
                    ).format(name=quoted(name)),
                    (*path, name),
                    at_key=True,
                    hint=_("e.g. 'banjir' or 'jalan-rusak'"),
                )
                continue
            checked = self.working_days(days, (*path, name))
            if checked is not None:
                categories[name] = checked
        return categories

    def collective_leave(
        self, raw: dict[str, Any], within: tuple[str | int, ...]
    ) -> frozenset[date]:
        """`inbox.collective_leave`: the days of cuti bersama, written `2026-12-24`.
        (The YAML reader keeps dates as the text written: our rules read them.)"""
        path = (*within, "collective_leave")
        value = raw.get("collective_leave", [])
        written = [value] if isinstance(value, str) else value
        if not isinstance(written, list):
            self.error(
                "HP503",
                _("'inbox.collective_leave' must list dates, e.g. [2026-12-24, 2026-12-31]"),
                path,
            )
            return frozenset()
        days: set[date] = set()
        for index, day in enumerate(written):
            where = path if isinstance(value, str) else (*path, index)
            if isinstance(day, str) and _DATE_RE.match(day.strip()):
                try:
                    days.add(date.fromisoformat(day.strip()))
                    continue
                except ValueError:
                    message = _("{value} is not a real date").format(value=quoted(day))
            else:
                message = _("{value} is not a date; write it like 2026-12-24").format(
                    value=quoted(day)
                )
            self.error("HP503", f"'{_dotted(path)}': {message}", where)
        return frozenset(days)

    def routes(
        self,
        raw: dict[str, Any],
        within: tuple[str | int, ...],
        accounts: Mapping[str, Account],
        groups: Mapping[str, _Group],
        offices: tuple[str, ...],
        categories: Mapping[str, int],
    ) -> tuple[Route, ...]:
        """`inbox.routes`, in the order written."""
        path = (*within, "routes")
        value = raw.get("routes", [])
        if not isinstance(value, list):
            self.error(
                "HP503",
                _("'inbox.routes' must be a list of routes"),
                path,
                hint=_("e.g. '- {keywords: [banjir], office: BPBD}'"),
            )
            return ()
        routes = (
            self.route(body, (*path, index), accounts, groups, offices, categories)
            for index, body in enumerate(value)
        )
        return tuple(route for route in routes if route is not None)

    def route(
        self,
        body: Any,
        path: tuple[str | int, ...],
        accounts: Mapping[str, Account],
        groups: Mapping[str, _Group],
        offices: tuple[str, ...],
        categories: Mapping[str, int],
    ) -> Route | None:
        """One route, or None when it has a problem (reported)."""
        shown = _dotted(path)
        if not isinstance(body, dict):
            self.error(
                "HP503",
                _("'{key}' must be a mapping with 'office' and 'account' or 'keywords'").format(
                    key=shown
                ),
                path,
                hint=_("e.g. '{keywords: [banjir], office: BPBD}'"),
            )
            return None
        problems = len(self.problems)
        self.check_keys(
            body, path, _ROUTE_KEYS, lambda key: _("unknown route setting '{key}'").format(key=key)
        )
        office = self.route_office(body, path, offices)
        account = body.get("account")
        if "account" not in body and "keywords" not in body:
            self.error(
                "HP503",
                _("'{key}' needs 'account' or 'keywords' (or both)").format(key=shown),
                path,
                hint=_(
                    "a route says which items go to its office: an account's, or with a keyword"
                ),
            )
        elif "account" in body and (
            not isinstance(account, str) or (account not in accounts and account not in groups)
        ):
            close = difflib.get_close_matches(
                account if isinstance(account, str) else "", [*accounts, *groups], n=1
            )
            self.error(
                "HP506",
                _("'{key}' names unknown account or group {name}").format(
                    key=_dotted((*path, "account")), name=quoted(account)
                ),
                (*path, "account"),
                hint=_("did you mean '{name}'?").format(name=close[0]) if close else None,
            )
        keywords = self.keywords(body, path)
        category = body.get("category")
        if "category" in body and (not isinstance(category, str) or category not in categories):
            close = difflib.get_close_matches(
                category if isinstance(category, str) else "", list(categories), n=1
            )
            if close:
                hint = _("did you mean '{name}'?").format(name=close[0])
            elif categories:
                hint = _("known: {names}").format(names=", ".join(categories))
            else:
                hint = _("categories and their working days are listed under 'inbox.categories'")
            self.error(
                "HP503",
                _("'{key}' names unknown category {name}").format(
                    key=_dotted((*path, "category")), name=quoted(category)
                ),
                (*path, "category"),
                hint=hint,
            )
        if len(self.problems) > problems or office is None:
            return None
        number = path[-1]
        assert isinstance(number, int)
        return Route(number + 1, office, account, keywords, category)

    def route_office(
        self, body: dict[str, Any], path: tuple[str | int, ...], offices: tuple[str, ...]
    ) -> str | None:
        """A route's `office`, one of `offices`; None after an error."""
        if "office" not in body:
            self.error(
                "HP503",
                _("'{key}' needs 'office': the office its items go to").format(key=_dotted(path)),
                path,
            )
            return None
        office = body["office"]
        if isinstance(office, str) and office in offices:
            return office
        close = difflib.get_close_matches(office if isinstance(office, str) else "", offices, n=1)
        if close:
            hint = _("did you mean '{name}'?").format(name=close[0])
        elif "offices" in self.data:
            hint = _("add it to 'offices', or name one of them")
        else:
            hint = _(
                "without 'offices', the offices are the account and group names; "
                "list the offices under 'offices'"
            )
        self.error(
            "HP503",
            _("'{key}' names unknown office {name}").format(
                key=_dotted((*path, "office")), name=quoted(office)
            ),
            (*path, "office"),
            hint=hint,
        )
        return None

    def keywords(self, body: dict[str, Any], path: tuple[str | int, ...]) -> tuple[str, ...]:
        """A route's `keywords`: one or more, each with a letter or digit; `*` only at
        either end."""
        if "keywords" not in body:
            return ()
        key_path = (*path, "keywords")
        raw = body["keywords"]
        written = [raw] if isinstance(raw, str) else raw
        if not isinstance(written, list) or not written:
            self.error(
                "HP503",
                _("'{key}' must list one or more keywords").format(key=_dotted(key_path)),
                key_path,
                hint=_("e.g. 'keywords: [banjir, genangan]'"),
            )
            return ()
        found: list[str] = []
        for index, keyword in enumerate(written):
            where = key_path if isinstance(raw, str) else (*key_path, index)
            if not isinstance(keyword, str):
                self.error(
                    "HP503",
                    _("keyword {keyword} must be text").format(keyword=quoted(keyword)),
                    where,
                    hint=_("put it in quotes"),
                )
                continue
            from humaspost.inbox_routing import keyword_problem  # only a config with an inbox

            trouble = keyword_problem(keyword)
            if trouble is not None:
                message, hint = trouble
                self.error("HP503", message, where, hint=hint)
                continue
            if keyword.strip() not in found:
                found.append(keyword.strip())
        return tuple(found)


def _dotted(path: tuple[str | int, ...]) -> str:
    """A config path as messages name it: `inbox.routes[2].office`. List items are
    counted from 1, as people count (and as the routes' rules are numbered)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


def _amount(value: object) -> Decimal | None:
    """A number of YAML (an int or a float, not a boolean, infinity or NaN) as an exact
    amount, or None. `0.2` is Decimal('0.2'), as written, not the float's binary value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    amount = Decimal(str(value))
    return amount if amount.is_finite() else None


def pattern_problem(pattern: str, posts_dir: Path) -> tuple[str, str | None] | None:
    """Why a pattern of `paths` cannot be used (the message and a hint), or None.

    Patterns are matched relative to posts_dir by humaspost and written into CODEOWNERS
    for GitHub: whatever the two would read differently is refused here.
    """
    shown = quoted(pattern)
    example = _("write e.g. 'kecamatan/bekasi-timur/**'")
    if pattern.startswith("/"):
        return (
            _("pattern {pattern} starts with '/': 'paths' are relative to posts_dir").format(
                pattern=shown
            ),
            example,
        )
    if any(part in (".", "..") for part in pattern.split("/")):
        return (
            _(
                "pattern {pattern} has a '.' or '..' folder: 'paths' are folders of posts_dir"
            ).format(pattern=shown),
            example,
        )
    if any(character.isspace() for character in pattern):
        return (
            _("pattern {pattern} has a space, which a CODEOWNERS file cannot hold").format(
                pattern=shown
            ),
            _("name the folder without spaces, e.g. with '-'"),
        )
    foreign = next((c for c in pattern if c in _FOREIGN_PATTERN_CHARACTERS), None)
    if foreign is None and pattern.startswith(("!", "#")):
        foreign = pattern[0]
    if foreign is not None:
        return (
            _(
                "pattern {pattern} uses '{character}', which GitHub's CODEOWNERS reads otherwise"
            ).format(pattern=shown, character=foreign),
            _(
                "use only '/' between folders, and '*' (within one folder), '**' (any "
                "depth) and '?' as wildcards"
            ),
        )
    if pattern.endswith("/"):
        return (
            _("pattern {pattern} ends with '/'").format(pattern=shown),
            _("write '{pattern}**' for every post in that folder").format(pattern=pattern),
        )
    if not any(c in pattern for c in "*?") and _is_folder(posts_dir / pattern):
        # GitHub gives a folder named this way to its owners with all that is in it;
        # the pattern itself matches no post file.
        return (
            _("pattern {pattern} names a folder, not the posts in it").format(pattern=shown),
            _("write '{pattern}/**' for every post in that folder").format(pattern=pattern),
        )
    return None


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the system: no folder of that name either
        return False


def secret_references(value: str) -> list[str]:
    """The environment variable names a setting refers to with `${NAME}`."""
    return _REF_RE.findall(value)


def resolve_account_settings(account: Account, environ: Mapping[str, str]) -> dict[str, str]:
    """The account's settings with `${VAR}` references replaced from `environ`.

    Raises ConfigError naming every missing variable (never a value).
    """
    missing = [
        var
        for value in account.settings.values()
        for var in secret_references(value)
        if var not in environ
    ]
    if missing:
        raise ConfigError(
            [
                Problem(
                    "HP509",
                    Severity.ERROR,
                    _(
                        "account '{account}' needs the environment variable {variable}, "
                        "which is not set"
                    ).format(account=account.name, variable=var),
                    "environment",
                    hint=_("set it, or add it to the .env file beside the config"),
                )
                for var in dict.fromkeys(missing)
            ]
        )
    resolved = {
        key: _REF_RE.sub(lambda m: environ[m.group(1)], value)
        for key, value in account.settings.items()
    }
    for key, value in account.settings.items():
        if _REF_RE.search(value):
            secrets.remember(resolved[key])
    return resolved


def environment_with_dotenv(config: Config, environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` plus the variables of a `.env` file beside the config (environ wins)."""
    dotenv_path = config.root / ".env"
    merged: dict[str, str] = {}
    if dotenv_path.is_file():
        from dotenv import dotenv_values  # only commands that talk to platforms need it

        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(environ)
    return merged
