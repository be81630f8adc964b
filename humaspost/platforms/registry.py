"""Platforms by name, from the entry-point group `humaspost.platforms`.

The built-in platforms register through the same door as plugins (see pyproject.toml),
so a third party adds a platform by publishing a package with such an entry point.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from humaspost.platforms.base import Platform
from humaspost.problems import UsageError

GROUP = "humaspost.platforms"


def platform_classes() -> dict[str, type[Platform]]:
    """Every installed platform class by its name."""
    found: dict[str, type[Platform]] = {}
    for entry in entry_points(group=GROUP):
        found[entry.name] = entry.load()
    return found


def platform_class(name: str) -> type[Platform]:
    """The class of one platform; a clear error if it is not installed."""
    classes = platform_classes()
    if name not in classes:
        known = ", ".join(sorted(classes)) or "none"
        raise UsageError(f"platform '{name}' is not installed (installed: {known})")
    return classes[name]
