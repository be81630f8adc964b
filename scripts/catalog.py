"""The message catalog: extract humaspost's messages, keep the Indonesian catalog in step,
compile it.

    python scripts/catalog.py update   # extract, merge into humaspost.po, compile .mo
    python scripts/catalog.py check    # exit 1 if a message lacks a translation

Messages are what the code wraps in `_()`, `N_()`, `ngettext()` or `pgettext()`, plus
the docstrings of the commands (their `--help`). Translations are written in
`humaspost/locale/id/LC_MESSAGES/humaspost.po`: `update` adds the new messages there
(untranslated), drops the ones the code no longer has and keeps every translation.
"""

from __future__ import annotations

import inspect
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from humaspost import __version__

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "humaspost"
PO_FILE = PACKAGE / "locale" / "id" / "LC_MESSAGES" / "humaspost.po"
MO_FILE = PO_FILE.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
MsgId = str | tuple[str, ...]


def extracted() -> Catalog:
    """Every message the code can show, with where it comes from."""
    catalog = Catalog(
        project="humaspost",
        version=__version__,
        copyright_holder="humaspost contributors",
        msgid_bugs_address="the project's issue tracker",
        locale="id",
        fuzzy=False,
        last_translator="humaspost maintainers",
        language_team="Bahasa Indonesia",
        header_comment=(
            "# humaspost in Bahasa Indonesia.\n"
            "# Translate the msgstr lines; `python scripts/catalog.py update` keeps them,\n"
            "# adds new messages and compiles humaspost.mo."
        ),
    )
    for filename, lineno, message, _comments, context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        catalog.add(message, locations=[(f"humaspost/{filename}", lineno)], context=context)
    for name, doc in command_docs():
        catalog.add(doc, locations=[(f"command {name}", 0)])
    return catalog


def command_docs() -> Iterator[tuple[str, str]]:
    """The docstrings the commands' `--help` shows, translated by `humaspost.cli.app`."""
    from humaspost.cli.app import commands

    for name, callback in commands():
        yield name, inspect.getdoc(callback) or ""


def read_catalog(path: Path) -> Catalog:
    """A .po file, or an empty catalog where there is none yet."""
    if not path.is_file():
        return Catalog(locale="id")
    with path.open("rb") as handle:
        return read_po(handle, locale="id")


def _key(message: Message) -> tuple[MsgId, str | None]:
    found = message.id
    return (found if isinstance(found, str) else tuple(found)), message.context


def translated(catalog: Catalog) -> dict[tuple[MsgId, str | None], Message]:
    """The messages of a catalog that have a translation."""
    found: dict[tuple[MsgId, str | None], Message] = {}
    for message in catalog:
        if message.id and _has_translation(message):
            found[_key(message)] = message
    return found


def _has_translation(message: Message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string) and not message.fuzzy


def update() -> list[Message]:
    """Rewrite humaspost.po for the messages the code has now (translations kept) and
    compile it; returns the messages still untranslated."""
    existing = read_catalog(PO_FILE)
    known = translated(existing)
    catalog = extracted()
    # Stable headers: rebuilding an unchanged catalog changes no byte.
    catalog.creation_date = existing.creation_date
    catalog.revision_date = existing.creation_date
    missing = []
    for message in catalog:
        if not message.id:
            continue
        found = known.get(_key(message))
        if found is None:
            missing.append(message)
            continue
        message.string = found.string
    PO_FILE.parent.mkdir(parents=True, exist_ok=True)
    with PO_FILE.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)
    MO_FILE.write_bytes(compiled(catalog))
    return missing


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalog."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    """`update` or `check`; prints the untranslated messages."""
    if argv[1:] == ["update"]:
        missing = update()
    elif argv[1:] == ["check"]:
        known = translated(read_catalog(PO_FILE))
        missing = [m for m in extracted() if m.id and _key(m) not in known]
    else:
        print(__doc__)
        return 2
    for message in missing:
        where = ", ".join(f"{file}:{line}" for file, line in message.locations)
        print(f"untranslated ({where}): {message.id!r}")
    print(f"{len(missing)} untranslated")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
