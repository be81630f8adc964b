"""An office whose X accounts live on the local fake of X, for the inbox's tests.

City hall's account `pemkot-x` (the fake's first user) and a district account
`kec-timur-x` (another user, with its own keys), routing rules, and the publish log on
SQLite or on a PostgreSQL database. The moment the code under test works at is
`clock`, which the fake shares, so that rate-limit resets are in the same time.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from humaspost.config import Config, load_config
from humaspost.log_location import log_path
from humaspost.publog import LogLocation
from tests.conftest import DATABASE_VARIABLE
from tests.fakes.x_server import FakeX, User

WIB = ZoneInfo("Asia/Jakarta")
CITY_KEYS = {
    "X_KEY": "ck-Z8yq3Lq9vT2kconsumerkey",
    "X_SECRET": "cs-Jm4Wn7Pp1Rr8consumersecret",
    "X_TOKEN": "1870000000-at9Hh3Kk2accesstoken",
    "X_TOKEN_SECRET": "ats-Qq5Ee6Tt0accesstokensecret",
}
DISTRICT_KEYS = {
    "KT_KEY": "ck-kectimur-consumerkey",
    "KT_SECRET": "cs-kectimur-consumersecret",
    "KT_TOKEN": "1870000001-kectimur-accesstoken",
    "KT_TOKEN_SECRET": "ats-kectimur-accesstokensecret",
}
SECRETS = (*CITY_KEYS.values(), *DISTRICT_KEYS.values())


class Clock:
    """The moment of the code under test, movable; the fake of X reads it too."""

    def __init__(self, local: str) -> None:
        self.at(local)

    def at(self, local: str) -> str:
        """Move to `local` ("YYYY-MM-DD HH:MM", WIB); return it for `--now`."""
        self.moment = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=WIB)
        return local

    def now(self) -> datetime:
        return self.moment

    def epoch(self) -> float:
        return self.moment.timestamp()


def fake_x(clock: Clock) -> FakeX:
    """The fake X with city hall's account; `district` adds the district's."""
    return FakeX(
        consumer_key=CITY_KEYS["X_KEY"],
        consumer_secret=CITY_KEYS["X_SECRET"],
        access_token=CITY_KEYS["X_TOKEN"],
        access_token_secret=CITY_KEYS["X_TOKEN_SECRET"],
        username="pemkotbekasi",
        user_id="1870000000",
        clock=clock.epoch,
    )


def district(x: FakeX) -> User:
    """The district account `kec-timur-x` on the fake (@kectimur)."""
    return x.add_user(
        consumer_key=DISTRICT_KEYS["KT_KEY"],
        consumer_secret=DISTRICT_KEYS["KT_SECRET"],
        access_token=DISTRICT_KEYS["KT_TOKEN"],
        access_token_secret=DISTRICT_KEYS["KT_TOKEN_SECRET"],
        user_id="1870000001",
        username="kectimur",
    )


def _x_account(name: str, url: str, prefix: str) -> str:
    refs = "".join(f"    {field}: ${{{prefix}_{var}}}\n" for field, var in (
        ("consumer_key", "KEY"), ("consumer_secret", "SECRET"),
        ("access_token", "TOKEN"), ("access_token_secret", "TOKEN_SECRET"),
    ))  # fmt: skip
    return f"  {name}:\n    platform: twitter\n    api_url: {url}\n{refs}"


INBOX = """\
inbox:
  respond_within: 5
  categories: {darurat: 1, umum: 5}
  routes:
    - {keywords: [banjir, "*genangan*"], office: BPBD, category: darurat}
    - {account: kec-timur-x, office: kec-timur}
  collective_leave: [2026-12-24]
  retain: 30d
offices: [humas, BPBD, kec-timur]
"""


def config_text(x: FakeX, *, database: bool = False, inbox: str = INBOX) -> str:
    """humaspost.yaml: the two X accounts on the fake, the inbox settings, and the log
    on the database `HUMASPOST_DATABASE_URL` names when `database`."""
    text = (
        "timezone: Asia/Jakarta\n"
        "accounts:\n"
        + _x_account("pemkot-x", x.url, "X")
        + _x_account("kec-timur-x", x.url, "KT")
        + "defaults:\n  to: [pemkot-x]\n"
        + inbox
    )
    if database:
        text += f"publish_log: ${{{DATABASE_VARIABLE}}}\n"
    return text


def environment(database_url: str | None) -> dict[str, str]:
    """The secrets the config names (and the database's URL)."""
    env = {**CITY_KEYS, **DISTRICT_KEYS}
    if database_url is not None:
        env[DATABASE_VARIABLE] = database_url
    return env


def office_config(root: Path, x: FakeX, database_url: str | None) -> Config:
    """Write the config into the repository `root` and load it."""
    (root / "humaspost.yaml").write_text(
        config_text(x, database=database_url is not None), encoding="utf-8"
    )
    return load_config(root / "humaspost.yaml")


def office_log(config: Config, database_url: str | None) -> LogLocation:
    """Where the office's publish log is."""
    return log_path(config, sandbox=False, environ=environment(database_url))
