"""Property tests: whatever a post file or the config holds, checking it never raises,
never hangs, and every problem points at a line and column the file has.

The core that `humaspost check` runs (`humaspost.checks.run_check`, and
`humaspost.config.load_config` for the config) is called in-process. Any exception is a
failure (Hypothesis reports each distinct one separately), except ConfigError from
`load_config`, the config's way to report located problems. Examples are derandomized, so
CI sees the same inputs every run; `bench/fuzz_check.py` runs many more.
"""

from __future__ import annotations

import signal
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from humaspost.checks import run_check
from humaspost.config import Config, load_config
from humaspost.problems import ConfigError, Problem
from tests.conftest import BASE_CONFIG, PNG_BYTES

PROJECT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 2026-11-28 09:00 WIB, as the CLI tests use
HANG_SECONDS = 5.0  # one check of one small file takes milliseconds

SETTINGS = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID_POSTS = {
    "yaml": [
        """\
        publish_at: 2026-12-10 09:00
        to: [pemkot-x]
        text: |
          halo
        """,
        """\
        # Peringatan dini banjir
        publish_at: 2026-12-03T06:30:00+07:00
        to: [pemkot-x, pemkot-fb, semua-kecamatan]
        expires_at: 2026-12-03 12:00
        text: |
          Waspada banjir! Warga di bantaran Kali Bekasi diminta waspada.
        media:
          - file: ../media/logo.png
            alt: Peta titik rawan banjir
        twitter:
          thread:
            - "Waspada banjir (1/2) #KotaBekasi"
            - "Nomor darurat BPBD: 112 (2/2)"
        facebook:
          link: https://bpbd.bekasikota.go.id/siaga
        tags: [kebencanaan]
        author: BPBD Kota Bekasi
        """,
        """\
        id: rutin/jumat-bersih
        repeat: "30 6 * * 5"
        publish_at: 2026-12-04 06:30
        until: 2027-03-31 23:59
        to: [pemkot-x, pemkot-fb]
        text: "Jumat Bersih! Ayo kerja bakti. #KotaBekasi"
        draft: false
        """,
    ],
    "md": [
        """\
        ---
        publish_at: 2026-12-01 08:00
        to: [pemkot-x, pemkot-fb]
        media:
          - file: ../media/logo.png
            alt: Poster Hari AIDS Sedunia 2026
        ---
        Hari ini, 1 Desember, kita peringati Hari AIDS Sedunia. #KotaBekasi

        ---
        Jadwal layanan tes: Senin-Jumat 08.00-14.00 WIB.
        """,
        """\
        ---
        publish_at: 2026-12-10 09:00
        to: latihan
        tags: [a, b]
        ---
        Satu <!-- catatan --> https://bekasikota.go.id
        """,
    ],
}
VALID_CONFIGS = [
    (PROJECT / "config.example.yaml").read_text(encoding="utf-8"),
    BASE_CONFIG,
]

# Values that have crashed YAML loaders, number parsers and date arithmetic.
NASTY_VALUES = [
    "0x_",
    "0b_",
    "-0x_",
    "0o_",
    "+0b_1",
    "1_",
    "0x",
    "9" * 4301,
    "-" + "9" * 5000,
    "0x" + "f" * 4000,
    "1e99999",
    "1" + "0" * 400 + ".5",
    ".nan",
    "-.inf",
    "!!float x",
    "!!int x",
    "!!bool x",
    "!!null x",
    "!!timestamp x",
    "!!binary @@",
    "!!str",
    "!!map x",
    "!!seq x",
    "!!python/object:os.system x",
    "!local x",
    "0001-01-01 00:00",
    "0001-01-01",
    "9999-12-31 23:59-12:00",
    "9999-12-31 23:59+14:00",
    "9999-12-31T23:59:59.999999-23:59",
    "2026-02-30 09:00",
    "2026-12-10 24:00",
    "99999999999d",
    "-1h",
    "~",
    "null",
    "''",
    '""',
    '"a\\0b.png"',
    '"\\x85\\u2028\\u2029"',
    "*nothing",
    "&a",
    "&a [*a]",
    "? x",
    "[" * 200 + "]" * 200,
    "{a: " * 100 + "1" + "}" * 100,
    "- " * 50 + "x",
    "[a, b]",
    "{a: 1}",
    "|",
    ">-",
    "x" * 20000,
    "@x",
    "%x",
    "'",
    '"',
]
NASTY_BLOCKS = [
    "media:\n  - file:\n    alt: gambar\n",
    'media:\n  - file: "a\\0b.png"\n    alt: gambar\n',
    "media:\n  - file: /dev/zero\n    alt: gambar\n",
    "media:\n  - file: ../../../../etc/passwd\n    alt: x\n",
    "media: [{file: [1], alt: {a: 1}}]\n",
    "? notes\n&x author: b\n",
    "<<: {text: a}\n",
    "<<: *x\n",
    "twitter: {thread: [[a], {b: c}, null]}\n",
    "facebook:\n  link: http://[::1\n",
    "repeat: '* * * * * * *'\n",
    "repeat: '61 25 32 13 8'\n",
    "repeat: '0 0 30 2 *'\n",
    "until: 0001-01-01 00:00\n",
    "to: {a: b}\n",
    "id: ../../x\n",
    "%YAML 1.1\n---\n",
    "--- !!set\n? a\n",
    "text: !!binary aGFsbw==\n",
]
# Inserted anywhere: characters editors, YAML and JSON disagree on.
INSERTS = [
    "\t",
    "\0",
    "\ufeff",
    "\r\n",
    "\r",
    "\n",
    "\x85",
    "\u2028",
    "\u2029",
    "\x1b",
    "\x7f",
    "\ud800",
    "\U0001f600",
    "\u0301",
    ": ",
    "- ",
    "#",
    "---\n",
    "\n---\n",
    "'",
    '"',
    "\\",
    "x" * 5000,
    "9" * 5000,
]


@contextmanager
def no_hang(what: str) -> Iterator[None]:
    """Fail if the block runs longer than HANG_SECONDS (a hang in the check)."""
    fired = False

    def alarm(signum: int, frame: FrameType | None) -> None:
        nonlocal fired
        fired = True
        raise TimeoutError(f"{what} did not end within {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        # Caught and turned into something else inside, a hang is still a hang.
        assert not fired, f"{what} hung (more than {HANG_SECONDS} s)"


def placement_faults(problem: Problem, data: bytes) -> list[str]:
    """Where a problem must point: a line and column an editor shows (lines split on LF
    only, 1-based; columns in characters, at most one past the end of the line)."""
    what = f"{problem.code} {problem.message!r} at {problem.line}:{problem.column}"
    if problem.line is None or problem.column is None:
        return [f"unlocated: {what}"]
    lines = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff").split("\n")
    if not 1 <= problem.line <= len(lines):
        return [f"misplaced: {what}: the file has {len(lines)} lines"]
    if not 1 <= problem.column <= len(lines[problem.line - 1]) + 1:
        return [f"misplaced: {what}: line {problem.line} has {len(lines[problem.line - 1])} chars"]
    return []


def assert_well_placed(
    problems: list[Problem], shown: str, data: bytes, whole_file: frozenset[str] = frozenset()
) -> None:
    """Every problem names `shown` and a place in it; codes in `whole_file` may have none."""
    faults = []
    for problem in problems:
        if problem.code in whole_file and problem.span is None:
            continue
        if problem.file != shown:
            faults.append(f"problem names {problem.file!r}, not {shown!r}: {problem}")
        elif "internal error" in problem.message.lower():
            faults.append(f"internal error reported as a problem: {problem}")
        else:
            faults.extend(placement_faults(problem, data))
    assert not faults, "\n".join(faults) + f"\nfile content: {data[:300]!r}"


class FuzzRepo:
    """One repository reused by every example: the post file is rewritten each time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "posts").mkdir(parents=True)
        (root / "media").mkdir()
        (root / "media" / "logo.png").write_bytes(PNG_BYTES)
        self.config_path = root / "humaspost.yaml"
        self.config_path.write_text(VALID_CONFIGS[0], encoding="utf-8")
        self.config = load_config(self.config_path, "humaspost.yaml")

    def check_post(self, kind: str, data: bytes, config: Config | None = None) -> None:
        """Write `data` as the post file and check it: the properties of the module doc.
        With another `config`, its posts_dir may have moved away from the post: HP010 (a
        problem of the file's place, not of a line) is allowed then."""
        shown = f"posts/fuzz.{kind}"
        path = self.root / shown
        path.write_bytes(data)
        with no_hang(f"checking {shown}"):
            report = run_check(config or self.config, [(path, shown)], NOW, workers=1)
        whole_file = frozenset({"HP010"}) if config is not None else frozenset()
        assert_well_placed(report.problems, shown, data, whole_file)

    def check_config(self, data: bytes) -> None:
        """Load `data` as the config: located ConfigError problems or a usable config."""
        self.config_path.write_bytes(data)
        try:
            with no_hang("loading the config"):
                config = load_config(self.config_path, "humaspost.yaml")
        except ConfigError as error:
            assert error.problems, "ConfigError without problems"
            assert_well_placed(error.problems, "humaspost.yaml", data)
            return
        post = textwrap.dedent(VALID_POSTS["yaml"][1]).encode()
        self.check_post("yaml", post, config)


@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory: pytest.TempPathFactory) -> FuzzRepo:
    return FuzzRepo(tmp_path_factory.mktemp("fuzz") / "repo")


# --- Mutations of a valid text --------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> bytes:
    """A valid file with one to three mutations (a few bytes or lines changed)."""
    text = textwrap.dedent(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        text = draw(st.sampled_from(TEXT_MUTATIONS))(draw, text)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 0:  # bytes that may not be UTF-8 at all
        data = draw(st.sampled_from(BYTE_MUTATIONS))(draw, data)
    return data


def _at(draw: st.DrawFn, text: str) -> int:
    return draw(st.integers(0, len(text)))


def _line_index(draw: st.DrawFn, lines: list[str]) -> int:
    return draw(st.integers(0, max(0, len(lines) - 1)))


def insert_char(draw: st.DrawFn, text: str) -> str:
    at = _at(draw, text)
    return text[:at] + draw(st.sampled_from(INSERTS)) + text[at:]


def truncate(draw: st.DrawFn, text: str) -> str:
    return text[: _at(draw, text)]


def replace_value(draw: st.DrawFn, text: str) -> str:
    """A `key: value` line gets a nasty value (or a value of another type)."""
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ":" in line] or [0]
    i = draw(st.sampled_from(keyed))
    key = lines[i].split(":", 1)[0] if ":" in lines[i] else "notes"
    lines[i] = f"{key}: {draw(st.sampled_from(NASTY_VALUES))}"
    return "\n".join(lines)


def swap_values(draw: st.DrawFn, text: str) -> str:
    """Two keys swap their values (a list where a string was, a date where a list was)."""
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ": " in line and line.strip()[0] != "#"]
    if len(keyed) < 2:
        return text
    i, j = draw(st.lists(st.sampled_from(keyed), min_size=2, max_size=2, unique=True))
    (ki, vi), (kj, vj) = lines[i].split(": ", 1), lines[j].split(": ", 1)
    lines[i], lines[j] = f"{ki}: {vj}", f"{kj}: {vi}"
    return "\n".join(lines)


def add_block(draw: st.DrawFn, text: str) -> str:
    """A nasty field or block, at the end of the YAML (of the front matter for .md)."""
    block = draw(st.sampled_from(NASTY_BLOCKS + [f"notes: {v}\n" for v in NASTY_VALUES]))
    if text.startswith("---\n") and "\n---\n" in text[3:]:
        end = text.index("\n---\n", 3) + 1
        return text[:end] + block + text[end:]
    return text.rstrip("\n") + "\n" + block


def duplicate_line(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    i = _line_index(draw, lines)
    lines.insert(i, lines[i])
    return "\n".join(lines)


def nest_deeply(draw: st.DrawFn, text: str) -> str:
    depth = draw(st.sampled_from([10, 100, 1000, 5000]))
    style = draw(st.sampled_from(["flow", "block", "map"]))
    if style == "flow":
        value = "[" * depth + "]" * depth
    elif style == "map":
        value = "{a: " * depth + "1" + "}" * depth
    else:
        value = "\n" + "".join("  " * n + "- \n" for n in range(min(depth, 200)))
    return add_value(text, "notes", value)


def long_line(draw: st.DrawFn, text: str) -> str:
    size = draw(st.sampled_from([1000, 10000, 100000]))
    return add_value(text, "notes", draw(st.sampled_from(["x", "é", "😀", "9"])) * size)


def add_value(text: str, key: str, value: str) -> str:
    if text.startswith("---\n") and "\n---\n" in text[3:]:
        end = text.index("\n---\n", 3) + 1
        return text[:end] + f"{key}: {value}\n" + text[end:]
    return text.rstrip("\n") + f"\n{key}: {value}\n"


def crlf(draw: st.DrawFn, text: str) -> str:
    return text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\u2028", "\x85"])))


def strip_final_newline(draw: st.DrawFn, text: str) -> str:
    return text.rstrip("\n")


TEXT_MUTATIONS: list[Callable[[st.DrawFn, str], str]] = [
    insert_char,
    insert_char,
    truncate,
    replace_value,
    replace_value,
    swap_values,
    add_block,
    add_block,
    duplicate_line,
    nest_deeply,
    long_line,
    crlf,
    strip_final_newline,
]


def flip_byte(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]


def insert_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    raw = draw(st.sampled_from([b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\x00", b"\xed\xa0\x80"]))
    return data[:at] + raw + data[at:]


def truncate_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]  # may cut a character in two


BYTE_MUTATIONS: list[Callable[[st.DrawFn, bytes], bytes]] = [
    flip_byte,
    insert_bytes,
    truncate_bytes,
]

# --- The properties ---------------------------------------------------------------------

ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list(":-?[]{},#&*!|>'\"%@` \n\t\r") + [c for c in INSERTS[:12] if len(c) == 1]
        ),
        st.characters(codec="utf-8"),
    ),
    max_size=300,
)


@SETTINGS
@given(kind=st.sampled_from(["yaml", "md"]), text=ANY_TEXT)
def test_any_text_as_a_post(fuzz_repo: FuzzRepo, kind: str, text: str) -> None:
    fuzz_repo.check_post(kind, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(text=ANY_TEXT, body=st.text(max_size=50))
def test_any_text_as_front_matter(fuzz_repo: FuzzRepo, text: str, body: str) -> None:
    fuzz_repo.check_post("md", f"---\n{text}\n---\n{body}".encode("utf-8", "surrogatepass"))


@SETTINGS
@given(data=st.binary(max_size=200), kind=st.sampled_from(["yaml", "md"]))
def test_any_bytes_as_a_post(fuzz_repo: FuzzRepo, kind: str, data: bytes) -> None:
    fuzz_repo.check_post(kind, data)


@settings(SETTINGS, max_examples=600)
@given(data=mutated(VALID_POSTS["yaml"]))
def test_mutated_yaml_post(fuzz_repo: FuzzRepo, data: bytes) -> None:
    fuzz_repo.check_post("yaml", data)


@settings(SETTINGS, max_examples=600)
@given(data=mutated(VALID_POSTS["md"]))
def test_mutated_md_post(fuzz_repo: FuzzRepo, data: bytes) -> None:
    fuzz_repo.check_post("md", data)


@settings(SETTINGS, max_examples=400)
@given(data=mutated(VALID_CONFIGS))
def test_mutated_config(fuzz_repo: FuzzRepo, data: bytes) -> None:
    fuzz_repo.check_config(data)


@pytest.mark.parametrize("kind", ["yaml", "md"])
def test_the_valid_seeds_check_clean(fuzz_repo: FuzzRepo, kind: str) -> None:
    """The mutations start from posts that are valid: a problem comes from a mutation."""
    for seed in VALID_POSTS[kind]:
        shown = f"posts/fuzz.{kind}"
        (fuzz_repo.root / shown).write_text(textwrap.dedent(seed), encoding="utf-8")
        report = run_check(fuzz_repo.config, [(fuzz_repo.root / shown, shown)], NOW)
        assert [p for p in report.problems if p.severity == "error"] == [], seed
