"""`run_check` with the cache and without: the in-process check tests' way of asserting
that the cache never changes a result."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from humaspost.check_cache import open_cache
from humaspost.checks import CheckReport, run_check
from humaspost.config import Config


def run_check_every_way(
    config: Config, files: list[tuple[Path, str]], now: datetime, **options: Any
) -> CheckReport:
    """`run_check` without the cache, then filling a new one, then from it: the three
    reports must be equal; returns the first."""
    uncached = run_check(config, files, now, **options)
    with tempfile.TemporaryDirectory(prefix="humaspost-cache-") as folder:
        for _ in ("filling the cache", "from the cache"):
            cache = open_cache(config, Path(folder))
            try:
                cached = run_check(config, files, now, cache=cache, **options)
            finally:
                cache.close()
            assert cached == uncached, "the cache changed the result"
    return uncached
