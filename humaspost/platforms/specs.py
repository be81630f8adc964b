"""What each built-in platform needs in the config and allows in a post.

Kept free of network libraries: `check` reads these without importing tweepy or
facebook-sdk.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformSpec:
    """The config fields of a platform's accounts and the extra fields its posts allow."""

    name: str
    required_fields: frozenset[str] = frozenset()
    optional_fields: frozenset[str] = frozenset()
    secret_fields: frozenset[str] = frozenset()
    post_fields: frozenset[str] = frozenset()


# Fields every account may set, whatever its platform.
COMMON_ACCOUNT_FIELDS = frozenset({"platform", "api_url", "daily_limit"})

TWITTER = PlatformSpec(
    name="twitter",
    required_fields=frozenset(
        {"consumer_key", "consumer_secret", "access_token", "access_token_secret"}
    ),
    secret_fields=frozenset(
        {"consumer_key", "consumer_secret", "access_token", "access_token_secret"}
    ),
)

FACEBOOK = PlatformSpec(
    name="facebook",
    required_fields=frozenset({"page_id", "access_token"}),
    optional_fields=frozenset({"graph_version"}),
    secret_fields=frozenset({"access_token"}),
    post_fields=frozenset({"link"}),
)

# `like` makes a sandbox account apply another platform's limits; `delay` makes each of
# its calls take that long (to rehearse or measure with a realistic platform).
SANDBOX = PlatformSpec(
    name="sandbox",
    optional_fields=frozenset({"like", "delay"}),
    post_fields=frozenset({"link"}),
)

BUILTIN_SPECS: dict[str, PlatformSpec] = {spec.name: spec for spec in (TWITTER, FACEBOOK, SANDBOX)}


def spec_for(name: str) -> PlatformSpec | None:
    """The spec of a built-in platform, or of an installed plugin (its class's `spec`
    attribute); None if no such platform is installed."""
    if name in BUILTIN_SPECS:
        return BUILTIN_SPECS[name]
    # Plugins only: importing entry points costs time that `check` does not spend on
    # the built-ins.
    from importlib.metadata import entry_points

    found = entry_points(group="humaspost.platforms", name=name)
    if not found:
        return None
    spec = getattr(next(iter(found)).load(), "spec", None)
    return spec if isinstance(spec, PlatformSpec) else PlatformSpec(name=name)
