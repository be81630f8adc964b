"""`accounts`: which secrets each account needs and whether they are set, and (with
verify) who each platform says the account posts as."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from humaspost.config import Config, secret_references
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.i18n import _
from humaspost.platforms.base import Clock, PublishError
from humaspost.problems import UsageError


@dataclass(frozen=True)
class Verified:
    """A platform's answer for one account: who it posts as, or why not."""

    ok: bool
    message: str


@dataclass(frozen=True)
class AccountStatus:
    """One account: its platform, its secrets' variables (set or not), and, when
    verified, the platform's answer."""

    name: str
    platform: str
    rules: str
    secrets: tuple[tuple[str, bool], ...]
    verified: Verified | None


@dataclass(frozen=True)
class AccountsReport:
    """The accounts asked about, in config order."""

    accounts: list[AccountStatus]

    @property
    def failed(self) -> bool:
        """Whether some verified account was refused."""
        return any(a.verified is not None and not a.verified.ok for a in self.accounts)


def account_report(
    config: Config,
    only: str | None,
    environ: Mapping[str, str],
    *,
    verify: bool,
    clock: Clock,
) -> AccountsReport:
    """Every account (or only `only`) with its secrets' state; with `verify`, each
    platform asked who the account posts as (never a secret's value)."""
    if only is not None and only not in config.accounts:
        raise UsageError(
            _("--account: there is no account '{account}' in the config").format(account=only)
        )
    names = [only] if only is not None else list(config.accounts)
    answers = _verify(config, names, environ, clock) if verify else {}
    return AccountsReport(
        [
            AccountStatus(
                name,
                config.accounts[name].platform,
                config.accounts[name].rules_platform,
                _secrets(config, name, environ),
                answers.get(name),
            )
            for name in names
        ]
    )


def _verify(
    config: Config, names: list[str], environ: Mapping[str, str], clock: Clock
) -> dict[str, Verified]:
    # A missing secret is named by its variable, never sent.
    resolved, missing = resolve_accounts(config, names, environ, sandbox=False)
    answers = {
        name: Verified(False, "; ".join(problem.message for problem in problems))
        for name, problems in missing.items()
    }
    adapters = build_adapters(config, resolved, clock)
    for name, account in resolved.items():
        try:
            answers[name] = Verified(True, adapters[name].verify(account))
        except PublishError as error:
            answers[name] = Verified(False, str(error))
    return answers


def _secrets(config: Config, name: str, environ: Mapping[str, str]) -> tuple[tuple[str, bool], ...]:
    return tuple(
        (var, bool(environ.get(var)))
        for value in config.accounts[name].settings.values()
        for var in secret_references(value)
    )
