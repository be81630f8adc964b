"""Platforms by name, from the entry-point group `humaspost.platforms`.

The built-in platforms register through the same door as plugins (see pyproject.toml),
so a third party adds a platform by publishing a package with such an entry point.
Only the platform asked for is imported: a broken plugin cannot stop the others.
"""

from __future__ import annotations

from humaspost.i18n import _
from humaspost.platforms.base import Platform
from humaspost.problems import UsageError

GROUP = "humaspost.platforms"


def platform_names() -> list[str]:
    """The names of every installed platform."""
    from importlib.metadata import entry_points  # costs ~15 ms: only when needed

    return sorted({entry.name for entry in entry_points(group=GROUP)})


def platform_class(name: str) -> type[Platform]:
    """The class of one platform; a clear error if it is not installed."""
    from importlib.metadata import entry_points

    found = entry_points(group=GROUP, name=name)
    if not found:
        known = platform_names()
        if not known:
            raise UsageError(
                _("platform '{name}' is not installed (installed: none)").format(name=name)
            )
        raise UsageError(
            _("platform '{name}' is not installed (installed: {known})").format(
                name=name, known=", ".join(known)
            )
        )
    platform: type[Platform] = next(iter(found)).load()
    return platform
