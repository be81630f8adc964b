"""The language humaspost speaks: Bahasa Indonesia or English, through gettext.

Messages are written in English in the code and wrapped in `_()` (or `ngettext`,
`pgettext`); the Indonesian catalog lives in `humaspost/locale/id/LC_MESSAGES/`
(`humaspost.po`, compiled to `humaspost.mo`; `scripts/catalog.py` extracts and
compiles them). The command line chooses the language once, at its start, with
`use()`: the config's `language`, else `$HUMASPOST_LANG`, else the locale.

Core modules call `_()` only while running, never at import time (the language is
not chosen yet then): a message kept at module level is marked with `N_()` and
translated where it is shown. Problem codes, JSON keys and values stay English.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "en"
DOMAIN = "humaspost"
LOCALE_DIR = Path(__file__).parent / "locale"
# The environment variables gettext itself reads for the locale, most specific first.
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class _Current:
    """The translations in use: English (the messages as written) until `use` is called."""

    language = DEFAULT_LANGUAGE
    translations: gettext.NullTranslations = gettext.NullTranslations()


def use(language: str) -> None:
    """Speak `language` ('id' or 'en') from now on, in this process and its forks."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _Current.language = language
    _Current.translations = translations_for(language)


def translations_for(language: str) -> gettext.NullTranslations:
    """The catalog of one language; English is the messages as written."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])


def current_language() -> str:
    """The language in use: 'id' or 'en'."""
    return _Current.language


def _(message: str) -> str:
    """`message` in the language in use."""
    return _Current.translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for `count`, in the language in use."""
    return _Current.translations.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` in the language in use, where a short word needs its `context`
    (a delivery state, a column heading) to be translated right."""
    return _Current.translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it yet (module-level texts)."""
    return message


def language_from(configured: str | None, environ: Mapping[str, str]) -> str:
    """The language to speak: the config's `language`, else `$HUMASPOST_LANG`, else the
    locale (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`: `id_ID.UTF-8` is Indonesian),
    else English. A value that is no known language is passed over."""
    if configured in LANGUAGES:
        return configured
    chosen = environ.get("HUMASPOST_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            # LANGUAGE may list several ("id:en"); the first one counts.
            first = value.split(":")[0].split("_")[0].split(".")[0].lower()
            return first if first in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
