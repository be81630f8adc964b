"""The installed `humaspost` command: choose the language, then run the app.

The language is chosen before the commands are imported, because their `--help`
texts are translated as they are defined.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from humaspost import i18n
from humaspost.config import configured_language, find_config


def main() -> None:
    """Entry point: speak the config's language (or $HUMASPOST_LANG's, or the locale's)."""
    i18n.use(i18n.language_from(_config_language(sys.argv[1:]), os.environ))
    from humaspost.cli.app import main as run_app

    run_app()


def _config_language(args: list[str]) -> str | None:
    """The `language` of the config this command line will use, if it can be found."""
    explicit: Path | None = None
    for index, arg in enumerate(args):
        if arg == "--config" and index + 1 < len(args):
            explicit = Path(args[index + 1])
        elif arg.startswith("--config="):
            explicit = Path(arg.removeprefix("--config="))
    try:
        path = find_config(explicit, os.environ, Path.cwd())
        return configured_language(path)
    except Exception:
        # Whatever is wrong with the config (no file, a link loop, YAML that PyYAML
        # cannot even read, such as `max_delay: 0x_`), the command itself says it, with
        # a located problem if it needs a config; choosing the language never fails.
        return None
