"""`init`: the files a new repository of posts starts from, written without overwriting."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from zoneinfo import ZoneInfo

from humaspost.i18n import N_, _, translations_for
from humaspost.problems import UsageError

# The timezone `init` writes: the office works in WIB. Offices in WITA or WIT change it.
TIMEZONE = ZoneInfo("Asia/Jakarta")
EXAMPLE_POST = Path("posts") / "contoh-latihan.md"
# The language `init` writes into the config (and so the one humaspost then speaks
# there), unless told otherwise: the offices work in Bahasa Indonesia.
INIT_LANGUAGE = "id"

# Messages, translated when shown (the language is chosen after this module is loaded).
TARGET_IS_A_FILE = N_("{target} is a file; give a folder to create the repository in")
PLACE_IS_A_FILE = N_("{place} is a file, but init needs a folder there")

# The files' texts are messages too, written in the language asked for: their comments
# are translated, every key and value stays as it is.
CONFIG_TEMPLATE = N_("""\
# humaspost configuration. Start here; see docs/post-format.md and docs/cli.md.
# Secrets are never written in this file: only ${{ENV_VAR}} references, whose values
# come from the environment or from a .env file beside this file (see .env.example).

language: {language}                  # messages: id (Bahasa Indonesia) or en (English)
timezone: Asia/Jakarta        # WIB; Asia/Makassar (WITA) and Asia/Jayapura (WIT) work too
posts_dir: posts              # one file per post, any sub-folders
state_dir: .humaspost         # publish log and sandbox outbox; kept out of git (.gitignore)
max_delay: 2h                 # a post this late is marked missed, not sent
require_alt_text: true        # every picture needs a description

# Publish a post only as the current git commit has it (what was reviewed), never an
# edit not yet committed; 'working-tree' publishes the files as they are (training).
publish_from: committed

# The city office's reviewers on GitHub: they approve changes to this file and media/
# (see 'humaspost codeowners'). Remove the '#' and name your own team, in quotes.
# owners: ["@pemkot-bekasi/humas"]

accounts:
  # A practice account: nothing leaves this computer. Try it with
  #   humaspost publish --sandbox
  latihan:
    platform: sandbox
    like: twitter             # apply X's limits (280 characters), to practise

  # An X (Twitter) account: remove the '#' in front of these lines and set the four
  # variables (docs/platforms/twitter.md says where they come from).
  # pemkot-x:
  #   platform: twitter
  #   consumer_key: ${{X_PEMKOT_CONSUMER_KEY}}
  #   consumer_secret: ${{X_PEMKOT_CONSUMER_SECRET}}
  #   access_token: ${{X_PEMKOT_ACCESS_TOKEN}}
  #   access_token_secret: ${{X_PEMKOT_ACCESS_TOKEN_SECRET}}
  #   daily_limit: 20

  # A Facebook Page: its id and a page access token (docs/platforms/facebook.md).
  # pemkot-fb:
  #   platform: facebook
  #   page_id: "104857600000000"
  #   access_token: ${{FB_PEMKOT_PAGE_TOKEN}}

  # A district office's page takes posts from its own folder only ('paths', under
  # posts/), reviewed by its own team ('owners').
  # kec-bekasi-timur:
  #   platform: facebook
  #   page_id: "104857600000101"
  #   access_token: ${{FB_KEC_BEKASI_TIMUR_TOKEN}}
  #   paths: [kecamatan/bekasi-timur/**]
  #   owners: ["@pemkot-bekasi/humas-bekasi-timur"]

groups:
  # A group names several accounts at once: 'to: semua' in a post sends to each.
  # Add pemkot-x and pemkot-fb here once they are set up.
  semua: [latihan]

defaults:
  to: [latihan]               # where a post goes when it has no 'to'
""")

# The example post goes to `latihan` by name, not through defaults.to: where init keeps
# an existing config, the example then fails `check` instead of reaching real accounts.
# Its text is in Indonesian in either language: it is what the office publishes.
EXAMPLE_TEMPLATE = N_("""\
---
# An example post to practise with: it goes to the account 'latihan' (sandbox), not to
# the internet. Change its text, then run: humaspost check, then humaspost publish --sandbox
publish_at: {publish_at}
to: latihan
---
Selamat datang di humaspost! Ini contoh unggahan pertama kami untuk latihan.
Setiap unggahan ditulis sebagai satu berkas di folder posts/. #LatihanHumas
""")

GITIGNORE = N_("""\
# humaspost's own records (publish log, sandbox outbox): local to each computer
.humaspost/
# secrets: never commit them
.env
""")

ENV_EXAMPLE = N_("""\
# Copy this file to .env (never committed) and fill in the values, for the accounts
# enabled in humaspost.yaml. The variable names match its ${...} references.
X_PEMKOT_CONSUMER_KEY=
X_PEMKOT_CONSUMER_SECRET=
X_PEMKOT_ACCESS_TOKEN=
X_PEMKOT_ACCESS_TOKEN_SECRET=
FB_PEMKOT_PAGE_TOKEN=
FB_KEC_BEKASI_TIMUR_TOKEN=
""")

WORKFLOW = N_("""\
# Checks every post on each pull request and push; problems show up as annotations.
on: [pull_request, push]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      # humaspost is not on a package index yet: it is installed from its git repository.
      # Replace OWNER with the GitHub account or organisation that hosts humaspost
      # (add @<commit> after the URL to pin a version).
      - run: pip install "git+https://github.com/OWNER/humaspost"
      - run: humaspost check --format github
""")


class Git(Enum):
    """What `init` did about git."""

    MADE = "made"  # the folder was in no git work tree: it ran `git init` there
    INSIDE = "inside"  # the folder is in a git work tree already
    MISSING = "missing"  # git is not installed
    FAILED = "failed"  # `git init` failed (the reason is in Scaffold.git_error)


@dataclass(frozen=True)
class Scaffold:
    """What `init` did: files written, files left alone because they existed, git."""

    root: Path
    made: list[Path]
    kept: list[Path]
    git: Git = Git.INSIDE
    git_error: str | None = None


def init_repository(target: Path, now: datetime, language: str = INIT_LANGUAGE) -> Scaffold:
    """Create the starting files of a post repository in `target`, never overwriting,
    and make it a git repository unless it is inside one.

    The config says `language: <language>` ('id' or 'en'), and the files' comments are
    in that language. The example post is dated tomorrow 09:00 local time (after
    `now`), so that a fresh repository passes `check` and has something to send with
    `publish --sandbox`. Raises UsageError when `target`, or a folder init needs inside
    it, is a file.
    """
    if target.exists() and not target.is_dir():
        raise UsageError(_(TARGET_IS_A_FILE).format(target=target))
    written = translations_for(language).gettext
    tomorrow = now.astimezone(TIMEZONE).date() + timedelta(days=1)
    files = {
        Path("humaspost.yaml"): written(CONFIG_TEMPLATE).format(language=language),
        EXAMPLE_POST: written(EXAMPLE_TEMPLATE).format(publish_at=f"{tomorrow:%Y-%m-%d} 09:00"),
        Path("media") / ".gitkeep": "",
        Path(".gitignore"): written(GITIGNORE),
        Path(".env.example"): written(ENV_EXAMPLE),
        Path(".github") / "workflows" / "check-posts.yml": written(WORKFLOW),
    }
    made: list[Path] = []
    kept: list[Path] = []
    for relative, text in files.items():
        path = target / relative
        _folder(path.parent, target)
        try:
            # "x" creates the file or fails: a file that appeared meanwhile is kept too.
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except FileExistsError:
            kept.append(relative)
        else:
            made.append(relative)
    git, error = _git_init(target)
    return Scaffold(target, made, kept, git, error)


def _git_init(target: Path) -> tuple[Git, str | None]:
    """Make `target` a git repository unless it is in one: posts are reviewed and
    published from git (`publish_from: committed`). Its branch is `main`, the name
    GitHub's branch protection is usually set up for."""
    try:
        inside = _git("-C", str(target), "rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        return Git.MISSING, None
    if inside.returncode == 0:
        return Git.INSIDE, None
    # `init -b` needs git 2.28; pointing the new HEAD at `main` works with any git.
    for step in (
        ("init", "--quiet", str(target)),
        ("-C", str(target), "symbolic-ref", "HEAD", "refs/heads/main"),
    ):
        done = _git(*step)
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            return Git.FAILED, lines[0] if lines else None
    return Git.MADE, None


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], capture_output=True, check=False)


def _folder(folder: Path, target: Path) -> None:
    for place in (*reversed(folder.relative_to(target).parents), folder.relative_to(target)):
        if (target / place).exists() and not (target / place).is_dir():
            raise UsageError(_(PLACE_IS_A_FILE).format(place=target / place))
    folder.mkdir(parents=True, exist_ok=True)
