"""Connecting accounts to their platforms: secrets resolved, one adapter per platform.

Shared by every command that talks to a platform (`publish`, `accounts --verify`,
`retract`, the daemon). The environment is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from humaspost.config import Config, resolve_account_settings, secret_references
from humaspost.platforms.base import Clock, Platform, PlatformContext, ResolvedAccount
from humaspost.platforms.registry import platform_class
from humaspost.problems import ConfigError, Problem


def resolve_accounts(
    config: Config, names: Iterable[str], environ: Mapping[str, str], *, sandbox: bool
) -> tuple[dict[str, ResolvedAccount], dict[str, list[Problem]]]:
    """Settings with secrets for these accounts. An account whose secret is missing is
    left out and reported by variable name (never a value).

    With `sandbox`, every account becomes a sandbox account with the limits of its real
    platform (a sandbox account keeps its own settings, such as `delay`): no secrets
    are needed."""
    resolved: dict[str, ResolvedAccount] = {}
    missing: dict[str, list[Problem]] = {}
    for name in dict.fromkeys(names):
        account = config.accounts[name]
        if sandbox:
            settings = (
                dict(account.settings)
                if account.platform == "sandbox"
                else {"like": account.rules_platform}
            )
            resolved[name] = ResolvedAccount(name, "sandbox", settings)
            continue
        try:
            settings = resolve_account_settings(account, environ)
        except ConfigError as error:
            missing[name] = error.problems
            continue
        resolved[name] = ResolvedAccount(name, account.platform, settings)
    return resolved, missing


def missing_secrets(
    config: Config, environ: Mapping[str, str], *, sandbox: bool
) -> dict[str, list[str]]:
    """Every configured account whose secrets are missing, with the names of the
    variables it needs that `environ` lacks (never a value). None with `sandbox`."""
    _, missing = resolve_accounts(config, config.accounts, environ, sandbox=sandbox)
    return {
        name: list(
            dict.fromkeys(
                var
                for value in config.accounts[name].settings.values()
                for var in secret_references(value)
                if var not in environ
            )
        )
        for name in missing
    }


def build_adapters(
    config: Config, accounts: Mapping[str, ResolvedAccount], clock: Clock
) -> dict[str, Platform]:
    """The adapter of each account, one instance per platform."""
    context = PlatformContext(config.state_dir, clock, timezone=config.timezone)
    by_platform: dict[str, Platform] = {}
    for account in accounts.values():
        if account.platform not in by_platform:
            by_platform[account.platform] = platform_class(account.platform)(context)
    return {name: by_platform[account.platform] for name, account in accounts.items()}
