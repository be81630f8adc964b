"""Tests for humaspost.platforms.twitter_text: X's weighted post length."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import emoji
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from humaspost.platforms import twitter_text
from humaspost.platforms.twitter_text import (
    MAX_WEIGHTED_LENGTH,
    TweetLength,
    parse_tweet,
    weighted_length,
)

SUITE = "WeightedTweetsWithDiscountedEmojiCounterTest"


def _conformance_file() -> Path:
    """twitter-text's validate.yml, kept beside the repository and never copied into it."""
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance"
    folder = Path(os.environ.get("HUMASPOST_CONFORMANCE_DIR", default))
    return folder / "twitter-text-validate.yml"


def _conformance_cases() -> list[Any]:
    path = _conformance_file()
    if not path.is_file():
        reason = f"twitter-text conformance data not found at {path}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-conformance")]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["description"]) for case in data["tests"][SUITE]]


@pytest.mark.parametrize("case", _conformance_cases())
def test_conformance_v3_weighted_length(case: dict[str, Any]) -> None:
    expected = case["expected"]
    result = parse_tweet(case["text"])
    assert result == TweetLength(expected["weightedLength"], expected["valid"])


@pytest.mark.parametrize(
    "text",
    [
        "\u2764\ufe0f\u200d\U0001f525",  # ❤️‍🔥 heart on fire (Emoji 13.1)
        "\U0001f426\u200d\u2b1b",  # 🐦‍⬛ black bird (Emoji 15.0)
        "\U0001faf1\U0001f3fb\u200d\U0001faf2\U0001f3fc",  # 🫱🏻‍🫲🏼 handshake, two skin tones
        "\U0001f1ee\U0001f1e9",  # 🇮🇩 flag
        "1\ufe0f\u20e3",  # 1️⃣ keycap
        "\u00a9\ufe0f",  # ©️ with emoji presentation
    ],
)
def test_emoji_sequence_counts_two(text: str) -> None:
    assert weighted_length(text) == 2


def test_every_multi_code_point_emoji_counts_two() -> None:
    # Guards the fast paths against a newer emoji package: only texts holding a joiner,
    # keycap, VS16, flag, skin tone or tag are scanned, and only within coarse code point
    # ranges; a sequence outside either would not count 2 here.
    sequences = [key for key in emoji.EMOJI_DATA if len(key) > 1]
    assert sequences
    assert [s for s in sequences if weighted_length(s) != 2] == []


def test_text_presentation_symbols_count_as_characters() -> None:
    # As in twitter-text, © and ® are emoji only with U+FE0F; digits only as keycaps.
    assert weighted_length("\u00a9 2026 Pemkot Bekasi\u00ae") == 21
    assert weighted_length("#1 \u2122") == 5


def test_emoji_in_indonesian_text() -> None:
    text = "Dirgahayu RI ke-81 \U0001f1ee\U0001f1e9\u2764\ufe0f\u200d\U0001f525 #HUTRI81"
    assert weighted_length(text) == 19 + 2 + 2 + 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dinkes.bekasikota.go.id", 23),
        ("www.twitter.com/jack", 23),
        ("https://bekasikota.go.id/berita?id=12", 23),
        ("Info: dinkes.bekasikota.go.id.", 6 + 23 + 1),
        # twitter-text links a one-label ccTLD domain only with a path (or .co/.tv).
        ("bekasi.id", 9),
        ("bekasi.id/vaksin", 23),
    ],
)
def test_urls_count_23(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_indonesian_post_with_url_and_hashtag() -> None:
    text = (
        "Pemerintah Kota Bekasi mengajak warga mengikuti vaksinasi booster di puskesmas "
        "terdekat. Jadwal lengkap: dinkes.bekasikota.go.id/jadwal #BekasiSehat"
    )
    url = "dinkes.bekasikota.go.id/jadwal"
    assert parse_tweet(text) == TweetLength(len(text) - len(url) + 23, True)


def test_text_is_normalised_to_nfc() -> None:
    assert weighted_length("e\u0301") == 1
    assert weighted_length("Kafe\u0301 Bekasi") == 11


def test_cjk_counts_two() -> None:
    assert parse_tweet("\u4e2d" * 140) == TweetLength(280, True)
    assert parse_tweet("\u4e2d" * 141) == TweetLength(282, False)


def test_limit_is_280() -> None:
    assert MAX_WEIGHTED_LENGTH == 280
    assert parse_tweet("a" * 280) == TweetLength(280, True)
    assert parse_tweet("a" * 281) == TweetLength(281, False)
    with_url = "a" * 256 + " https://bekasikota.go.id/p/1"
    assert parse_tweet(with_url) == TweetLength(280, True)
    assert parse_tweet("a" + with_url) == TweetLength(281, False)


@pytest.mark.parametrize("text", ["", " ", "\n\t\u3000"])
def test_empty_or_blank_text_is_invalid(text: str) -> None:
    assert not parse_tweet(text).valid


@pytest.mark.parametrize("char", ["\ufffe", "\ufeff", "\uffff"])
def test_invalid_characters(char: str) -> None:
    assert parse_tweet(f"Halo{char} warga").valid is False


def test_import_and_plain_text_skip_the_emoji_package() -> None:
    # Loading emoji data costs ~40 ms; the CI check over every post must not pay it needlessly.
    code = (
        "import sys\n"
        "from humaspost.platforms.twitter_text import parse_tweet\n"
        "parse_tweet('Halo warga Bekasi \U0001f525 info: bekasikota.go.id #Bekasi')\n"
        "assert 'emoji' not in sys.modules, 'emoji imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# Texts where regexes knowing only the TLDs after a dot could go wrong: case, TLDs inside
# TLDs (co/com, id, ac.id), characters that match a-z case-insensitively in `re` (U+017F,
# U+212A, U+0130), IDN TLDs, punycode, t.co, a dot before a non-TLD, no dot at all.
TRICKY_TEXTS = [
    "Info: dinkes.bekasikota.go.id/jadwal #BekasiSehat",
    "KOTA.GO.ID dan Kota.Go.Id, bekasi.ID/vaksin",
    "example.com example.co example.comx example.company.travelersinsurance",
    "ui.ac.id/pendaftaran?x=1 dan itb.ac.id.",
    "contoh.\u017fite contoh.\u212aitchen contoh.s\u0130te contoh.\u0130D/a",
    "contoh.\u0440\u0443\u0441/\u043f\u0443\u0442\u044c \u0438 x.\u043e\u043d\u043b\u0430\u0439\u043d",
    "xn--bcher-kva.ch/x dan xn--80ak6aa92e.com",
    "https://t.co/abcdefghijklmnopqrstuvwxyz0123456789 t.co/abc",
    "selesai.\U0001f64f Jl. Merdeka No.12, Rp2.000, 10.00-12.00 WIB",
    "tanpa titik sama sekali",
    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z",
    "@kota.bekasi #info.go $cash.id http://localhost.test:8080/a",
    "x" * 30 + ".travelersinsurancex .travelersinsurance",
]


def _all_conformance_texts() -> list[str]:
    path = _conformance_file()
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [case["text"] for cases in data["tests"].values() for case in cases]


def _agree_on(text: str) -> None:
    """Regexes knowing only the TLDs after the text's dots find what the full ones find."""
    full = twitter_text._url_entities(text, twitter_text._url_regexes())
    tlds = twitter_text._tlds_after_dots(text)
    if tlds is not None:
        knowing = twitter_text._UrlRegexes(
            [t for t in twitter_text._GTLD_LIST if t in tlds],
            [t for t in twitter_text._CCTLD_LIST if t in tlds],
        )
        assert twitter_text._url_entities(text, knowing) == full, (text, sorted(tlds))


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_a_few_tlds_find_what_every_tld_finds(text: str) -> None:
    _agree_on(text)


def test_the_few_tlds_agree_on_every_conformance_text() -> None:
    texts = _all_conformance_texts()
    if not texts:
        pytest.skip(f"twitter-text conformance data not found at {_conformance_file()}")
    for text in texts:
        _agree_on(unicodedata.normalize("NFC", text))


def test_the_tlds_after_dots() -> None:
    # "go" is no TLD; "co" is, inside "com".
    assert twitter_text._tlds_after_dots("Info: Kota.Go.ID/a dan x.COM.") == frozenset(
        {"id", "co", "com"}
    )
    assert twitter_text._tlds_after_dots("tanpa titik") == frozenset()
    assert twitter_text._tlds_after_dots("contoh.\u017fite") is None  # matches "site"
    assert twitter_text._tlds_after_dots("contoh.\u0440\u0443\u0441") is None


URL_ALPHABET = st.sampled_from(
    [
        *"abcdeiklmnostuvxyzGOIDCM0123456789./:-_?=#@ ",
        *["\u017f", "\u212a", "\u0130", "\u0440", "\u0443", "\u0441", "\U0001f64f", "\u3002"],
        *[".go.id", ".co.id", ".com", "https://", "xn--", "t.co/", ".\u0440\u0443\u0441"],
    ]
)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(URL_ALPHABET, max_size=30).map("".join))
def test_the_few_tlds_agree_on_any_text(text: str) -> None:
    _agree_on(text)


def test_one_text_compiles_only_its_tlds() -> None:
    # The full URL regexes take ~50 ms to compile: `check FILE` must not pay for them.
    code = (
        "from humaspost.platforms import twitter_text as t\n"
        "assert t.parse_tweet('Info: bekasikota.go.id/a #Bekasi').weighted_length == 6 + 23 + 8\n"
        "assert t._url_regexes.cache_info().currsize == 0, 'every TLD compiled'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_many_texts_of_different_tlds_go_to_the_full_regexes() -> None:
    # A check of many files stops compiling small regexes: after eight different sets of
    # TLDs the full regexes are compiled once, and then used for every text.
    twitter_text._url_regexes.cache_clear()
    twitter_text._regexes_knowing.cache_clear()
    tlds = ["com", "net", "org", "id", "info", "io", "co", "tv", "news", "app"]
    lengths = [weighted_length(f"Info: kota.{tld}/a") for tld in tlds]
    assert lengths == [6 + 23] * len(tlds)
    assert twitter_text._regexes_knowing.cache_info().misses == 8
    assert twitter_text._url_regexes.cache_info().currsize == 1
