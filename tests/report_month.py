"""A month of a city PR office's history in a real publish log, for the report's tests
(tests/test_report.py, and the HTML report's).

December 2026, as the installed `humaspost` makes it: `publish` (against the local
fakes of X and Facebook, with `--now` at each post's time or later), `retry`,
`retract`, `inbox fetch` of citizens' X mentions, `inbox assign` and `inbox close`, and
reply posts that answer inbox items. A post due on 30 November and one due on the
morning of 1 January (still 31 December in UTC) lie just outside the month. Every
citizen and text is invented.

The accounts: city hall on X (`pemkot-x`) and Facebook (`pemkot-fb`), and three
district accounts on X (`kec-timur-x`, `kec-barat-x`, `kec-utara-x`, the group
`kecamatan-x`) that re-share the city's amplified posts. What happens (WIB):

| when | what |
| --- | --- |
| Mon 30 Nov 23:50 | akhir-bulan → pemkot-x sent (November) |
| Tue 1 Dec 08:00 | hut-kota → pemkot-x, pemkot-fb sent; amplified by kecamatan-x |
| Tue 1 Dec 08:12 | its three re-shares (due 08:10) sent, 2 minutes late |
| Tue 1 Dec 15:00 | replies to items `banjir-1` and `banjir-nov` sent: both answered |
| Thu 3 Dec 06:30 | siaga-banjir → pemkot-x sent; amplified, spread over 2 hours |
| Thu 3 Dec 09:00 | re-shares: kec-timur-x (due 06:40) missed, kec-barat-x (07:40) and kec-utara-x (08:40) sent 80 and 20 minutes late |
| Thu 3 Dec 10:00 | item `banjir-1` closed after its reply |
| Sat 5 Dec 08:30 | donor-darah (due 08:00) → pemkot-x, pemkot-fb sent 30 minutes late |
| Mon 7 Dec 10:00 | reply to item `jalan-1` sent; pasar-murah → pemkot-x sent: a thread of two, the first with a URL and an image |
| Mon 7 Dec 10:30 | item `sampah` assigned to DLH |
| Wed 9 Dec 11:00 | item `sampah` closed without a reply |
| Thu 10 Dec 07:00 | jalan-ditutup → kec-timur-x failed (X refuses it) |
| Sat 12 Dec 10:00 | kerja-bakti (due 07:00) → pemkot-x, kec-barat-x missed |
| Sat 12 Dec 10:05 | pemkot-x's retried and sent (3 hours 5 minutes late) |
| Mon 14 Dec 09:30 | item `terima-kasih` closed as not a complaint |
| Fri 25 Dec 08:00 | natal → pemkot-x, pemkot-fb sent; pemkot-x's retracted at 12:00 |
| Mon 28 Dec 09:00 | reply to item `banjir-2` sent |
| Thu 31 Dec 10:00 | reply to item `jalan-2` sent |
| Thu 31 Dec 23:55 | malam-tahun-baru → pemkot-x unknown (the connection broke) |
| Fri 1 Jan 06:00 | tahun-baru → pemkot-x sent (January) |

The inbox's items (`ITEMS`), by the mention's time: 24 December is collective leave,
25 December Christmas; 1 January New Year's Day.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from humaspost.config import load_config
from humaspost.inbox_log import InboxLog, NewItem
from humaspost.inbox_model import Incoming
from humaspost.inbox_routing import triage
from humaspost.log_location import log_path
from humaspost.publog import PublishLog
from humaspost.working_days import WorkingCalendar
from tests.conftest import DATABASE_VARIABLE, PNG_BYTES, run_humaspost
from tests.fakes.facebook_server import FakeGraph
from tests.fakes.x_server import FakeX, Fault
from tests.test_platforms_e2e import CommandClock

# When the report is made: Monday 4 January 2027, 09:00 WIB (December is the last
# whole month).
REPORT_NOW = "2027-01-04 09:00"
PAGE = "104857600000000"
FB_TOKEN = "EAAGpageTOKENlonglived0000secret"


@dataclass(frozen=True)
class XAccount:
    name: str
    username: str
    user_id: str
    prefix: str  # of its four secrets' variables

    def keys(self) -> dict[str, str]:
        """Its four secrets (invented), by variable."""
        stem = self.name.replace("-", "")
        return {
            f"{self.prefix}_KEY": f"ck-{stem}-consumerkey",
            f"{self.prefix}_SECRET": f"cs-{stem}-consumersecret",
            f"{self.prefix}_TOKEN": f"{self.user_id}-{stem}-accesstoken",
            f"{self.prefix}_TOKEN_SECRET": f"ats-{stem}-accesstokensecret",
        }


CITY = XAccount("pemkot-x", "pemkotbekasi", "1870000000", "PX")
DISTRICTS = (
    XAccount("kec-timur-x", "kectimur", "1870000001", "KT"),
    XAccount("kec-barat-x", "kecbarat", "1870000002", "KB"),
    XAccount("kec-utara-x", "kecutara", "1870000003", "KU"),
)


@dataclass(frozen=True)
class Mention:
    """A citizen's X mention that becomes an inbox item."""

    label: str
    to: XAccount
    author: str
    text: str
    at: str  # local time, WIB


ITEMS = (
    Mention("jembatan", DISTRICTS[0], "warga_uji3", "jembatan di RW 07 retak", "2026-11-27 14:00"),
    Mention("banjir-nov", CITY, "warga_uji2", "banjir di Bekasi Utara", "2026-11-30 10:00"),
    Mention("banjir-1", CITY, "warga_uji1", "banjir di Jl. Ahmad Yani", "2026-12-01 09:00"),
    Mention("jalan-1", CITY, "warga_uji4", "jalan berlubang di depan SDN 3", "2026-12-04 16:00"),
    Mention("sampah", CITY, "warga_uji5", "sampah menumpuk di pasar", "2026-12-05 10:00"),
    Mention("terima-kasih", DISTRICTS[0], "warga_uji6", "terima kasih pak camat",
            "2026-12-11 10:00"),
    Mention("selokan", DISTRICTS[0], "warga_uji7", "selokan mampet di RT 02", "2026-12-14 09:00"),
    Mention("banjir-2", CITY, "warga_uji1", "banjir lagi di perumahan Harapan",
            "2026-12-23 14:00"),
    Mention("jalan-2", CITY, "warga_uji8", "jalan rusak parah di Jl. Juanda", "2026-12-24 08:00"),
    Mention("genangan", CITY, "warga_uji9", "genangan air di perumahan", "2026-12-28 11:00"),
)  # fmt: skip


@dataclass(frozen=True)
class History:
    """The office after its month: the repository (its publish log under `.humaspost/`,
    or in the database `HUMASPOST_DATABASE_URL` in `env` names), the environment its
    commands need, and each inbox item's number by its label in ITEMS."""

    root: Path
    env: dict[str, str]
    items: dict[str, int]
    now: str = REPORT_NOW  # when the report is made: `--now` of `humaspost report`


def _x_account(account: XAccount, url: str) -> str:
    refs = "".join(
        f"    {field}: ${{{account.prefix}_{var}}}\n"
        for field, var in (("consumer_key", "KEY"), ("consumer_secret", "SECRET"),
                           ("access_token", "TOKEN"), ("access_token_secret", "TOKEN_SECRET"))
    )  # fmt: skip
    return f"  {account.name}:\n    platform: twitter\n    api_url: {url}\n{refs}"


def _config(x: FakeX, graph: FakeGraph, database: bool) -> str:
    text = (
        "timezone: Asia/Jakarta\n"
        "accounts:\n"
        + _x_account(CITY, x.url)
        + f"  pemkot-fb:\n    platform: facebook\n    page_id: '{PAGE}'\n"
        f"    access_token: ${{FB_TOKEN}}\n    api_url: {graph.url}\n"
        + "".join(_x_account(district, x.url) for district in DISTRICTS)
        + "groups:\n  kecamatan-x: [kec-timur-x, kec-barat-x, kec-utara-x]\n"
        "defaults:\n  to: [pemkot-x]\n"
        "x_monthly_budget: 20\n"
        "offices: [humas, BPBD, DISHUB, DLH, kec-timur]\n"
        "inbox:\n"
        "  respond_within: 5\n"
        "  categories: {darurat: 1, jalan: 3}\n"
        "  routes:\n"
        "    - {keywords: [banjir], office: BPBD, category: darurat}\n"
        "    - {keywords: [jalan], office: DISHUB, category: jalan}\n"
        "    - {account: kec-timur-x, office: kec-timur}\n"
        "  collective_leave: [2026-12-24]\n"
        "  since: 10d\n"
    )
    if database:
        text += f"publish_log: ${{{DATABASE_VARIABLE}}}\n"
    return text


def _post(
    when: str,
    to: str,
    body: str,
    *,
    campaign: str | None = None,
    tags: str | None = None,
    extra: str = "",
) -> str:
    lines = [f"publish_at: {when}", f"to: {to}"]
    lines += [f"campaign: {campaign}"] if campaign else []
    lines += [f"tags: {tags}"] if tags else []
    return "---\n" + "\n".join(lines) + "\n" + extra + "---\n" + textwrap.dedent(body)


POSTS = {
    "2026/11/akhir-bulan": _post("2026-11-30 23:50", "[pemkot-x]",
                                 "Terima kasih warga atas November yang tertib.\n",
                                 tags="[pengumuman]"),
    "2026/12/hut-kota": _post("2026-12-01 08:00", "[pemkot-x, pemkot-fb]",
                              "Selamat ulang tahun Kota Bekasi! Ayo ramaikan pawai budaya.\n",
                              campaign="hut-kota", tags="[hut, budaya]",
                              extra="amplify: {by: kecamatan-x, after: 10m}\n"),
    "2026/12/siaga-banjir": _post("2026-12-03 06:30", "[pemkot-x]",
                                  "Siaga banjir: hindari Jl. Ahmad Yani pagi ini.\n",
                                  campaign="siaga-banjir", tags="[banjir]",
                                  extra="amplify: {by: kecamatan-x, after: 10m, spread: 3h}\n"),
    "2026/12/donor-darah": _post("2026-12-05 08:00", "[pemkot-x, pemkot-fb]",
                                 "Donor darah di halaman Kantor Wali Kota, 08.00-12.00 WIB.\n",
                                 tags="[kesehatan]"),
    "2026/12/pasar-murah": _post("2026-12-07 10:00", "[pemkot-x]",
                                 """\
                                 Pasar murah di 12 kecamatan: https://bekasikota.go.id/pasar-murah
                                 ---
                                 Bawa tas belanja sendiri ya.
                                 """,
                                 campaign="hut-kota", tags="[ekonomi, hut]",
                                 extra="media:\n  - {file: ../../../media/pasar.png,"
                                       " alt: Peta pasar murah}\n"),
    "2026/12/jalan-ditutup": _post("2026-12-10 07:00", "[kec-timur-x]",
                                   "Jl. Cut Meutia ditutup sementara untuk perbaikan.\n",
                                   tags="[lalu-lintas]"),
    "2026/12/kerja-bakti": _post("2026-12-12 07:00", "[pemkot-x, kec-barat-x]",
                                 "Kerja bakti Sabtu pagi di setiap RW.\n", tags="[lingkungan]"),
    "2026/12/natal": _post("2026-12-25 08:00", "[pemkot-x, pemkot-fb]",
                           "Selamat Hari Natal bagi warga yang merayakan.\n",
                           campaign="natal-tahun-baru", tags="[hari-besar]"),
    "2026/12/malam-tahun-baru": _post("2026-12-31 23:55", "[pemkot-x]",
                                      "Selamat menyambut tahun baru, warga Bekasi!\n",
                                      campaign="natal-tahun-baru", tags="[hari-besar]"),
    "2027/01/tahun-baru": _post("2027-01-01 06:00", "[pemkot-x]",
                                "Selamat Tahun Baru 2027!\n", campaign="natal-tahun-baru"),
}  # fmt: skip
# The replies: (item label, when sent).
REPLIES = {
    "banjir-1": "2026-12-01 15:00",
    "banjir-nov": "2026-12-01 15:00",
    "jalan-1": "2026-12-07 10:00",
    "banjir-2": "2026-12-28 09:00",
    "jalan-2": "2026-12-31 10:00",
}
# Each different: X refuses a post whose text is the same as a recent one.
# Who stores the items, and who settles them by hand.
_FETCHER = "humas-1/4242/boot"
_STAFF = "Rina Humas"
_REPLY_TEXT = "Terima kasih laporannya (nomor {id}), sudah kami teruskan ke petugas."


def month_of_history(root: Path, database_url: str | None) -> History:
    """Make the office in `root` (a folder that does not exist yet) with its publish log
    on SQLite (`database_url` None) or on the PostgreSQL database at `database_url`,
    and live its December 2026 (the module's table). The fakes of X and Facebook run
    only while the history is made: the report needs neither."""
    clock = CommandClock("2026-11-27 14:00")
    env = {"FB_TOKEN": FB_TOKEN, **CITY.keys()}
    for district in DISTRICTS:
        env |= district.keys()
    if database_url is not None:
        env[DATABASE_VARIABLE] = database_url
    city = CITY.keys()
    with (
        FakeX(
            consumer_key=city["PX_KEY"],
            consumer_secret=city["PX_SECRET"],
            access_token=city["PX_TOKEN"],
            access_token_secret=city["PX_TOKEN_SECRET"],
            username=CITY.username,
            user_id=CITY.user_id,
            clock=clock,
        ) as x,
        FakeGraph(PAGE, FB_TOKEN, clock=clock) as graph,
    ):
        for district in DISTRICTS:
            keys = list(district.keys().values())
            x.add_user(consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2],
                       access_token_secret=keys[3], user_id=district.user_id,
                       username=district.username)  # fmt: skip
        (root / "posts").mkdir(parents=True)
        (root / "media").mkdir()
        (root / "media" / "pasar.png").write_bytes(PNG_BYTES)
        (root / "humaspost.yaml").write_text(
            _config(x, graph, database_url is not None), encoding="utf-8"
        )
        for post_id, text in POSTS.items():
            path = root / "posts" / f"{post_id}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        office = _Office(root, env, clock, x)
        office.live()
        return History(root, env, office.items)


class _Office:
    """The office while its month is made."""

    def __init__(self, root: Path, env: dict[str, str], clock: CommandClock, x: FakeX) -> None:
        self.root, self.env, self.clock, self.x = root, env, clock, x
        self.config = load_config(root / "humaspost.yaml")
        self.location = log_path(self.config, sandbox=False, environ=env)
        self.items: dict[str, int] = {}

    def humaspost(self, *args: str, at: str, codes: tuple[int, ...] = (0,)) -> str:
        """Run `humaspost ARGS --now AT` (the fakes' clock at AT too); its output."""
        self.clock.at(at)
        done = run_humaspost(*args, "--now", at, cwd=self.root, env=self.env)
        assert done.returncode in codes, (args, at, done.stdout, done.stderr)
        return done.stdout

    def publish(self, at: str, *, codes: tuple[int, ...] = (0,)) -> None:
        self.humaspost("publish", at=at, codes=codes)

    def fetch(self, at: str, *labels: str) -> None:
        """The citizens write `labels`' mentions on X, and the inbox stores them at `at`
        as `inbox fetch` does (routed by the config's rules, due in its working days)."""
        settings = self.config.inbox
        assert settings is not None
        calendar = WorkingCalendar(self.config.timezone, settings.collective_leave)
        fetched = CommandClock(at).moment.astimezone(UTC)
        lease = fetched + timedelta(minutes=5)
        with PublishLog(self.location) as log:
            inbox = InboxLog(log)
            for mention in (m for m in ITEMS if m.label in labels):
                written = CommandClock(mention.at).moment.astimezone(UTC)
                self.x.person(mention.author, f"Warga Contoh {mention.author[-1]}")
                tweet = self.x.mention(mention.to.username, mention.author, mention.text,
                                       created_at=written)  # fmt: skip
                person = self.x.person(mention.author)
                assert tweet.text is not None
                incoming = Incoming(tweet.id, person.user_id, person.name, person.username,
                                    tweet.text, f"https://x.com/{person.username}/status/{tweet.id}",
                                    written)  # fmt: skip
                routed = triage(tweet.text, mention.to.name, written, settings,
                                self.config.groups, calendar)  # fmt: skip
                new = NewItem(incoming, "twitter", mention.to.name, fetched, None, routed.office,
                              routed.category, routed.due_at, routed.rule)  # fmt: skip
                claim = inbox.claim_fetch(mention.to.name, "twitter", _FETCHER, lease, fetched)
                assert claim is not None
                (self.items[mention.label],) = inbox.store_page(
                    mention.to.name, _FETCHER, [new], "{}", lease, fetched
                )
                inbox.release_fetch(mention.to.name, _FETCHER, now=fetched, complete=True)

    def assign(self, label: str, office: str, at: str) -> None:
        """A person gives item `label` to `office` (as `inbox assign` does)."""
        with PublishLog(self.location) as log:
            InboxLog(log).assign(self.items[label], office, by=_STAFF, now=_utc(at))

    def close(self, label: str, note: str, at: str, *, not_complaint: bool = False) -> None:
        """A person settles item `label` (as `inbox close` does)."""
        with PublishLog(self.location) as log:
            InboxLog(log).close(
                self.items[label], note, by=_STAFF, now=_utc(at), not_complaint=not_complaint
            )

    def reply(self, label: str) -> None:
        """Write the reply post to item `label`, sent at REPLIES' time."""
        when = REPLIES[label]
        path = self.root / "posts" / "2026" / "12" / f"balasan-{self.items[label]}.md"
        path.write_text(
            f"---\npublish_at: {when}\nto: pemkot-x\nreply_to: {self.items[label]}\n---\n"
            f"{_REPLY_TEXT.format(id=self.items[label])}\n",
            encoding="utf-8",
        )

    def delivery(self, post: str, account: str) -> int:
        """The number of `post`'s delivery to `account`."""
        with PublishLog(self.location, read_only=True) as log:
            (row,) = log.search(post_id=post, account=account)
        return row.id

    def live(self) -> None:
        """December 2026 (the module's table)."""
        self.publish("2026-11-30 23:50")
        self.publish("2026-12-01 08:00")
        self.publish("2026-12-01 08:12")
        self.fetch("2026-12-01 09:05", "jembatan", "banjir-nov", "banjir-1")
        self.reply("banjir-1")
        self.reply("banjir-nov")
        self.publish("2026-12-01 15:00")
        self.publish("2026-12-03 06:30")
        self.publish("2026-12-03 09:00", codes=(1,))  # a re-share missed
        self.close("banjir-1", "sudah ditangani BPBD", "2026-12-03 10:00")
        self.publish("2026-12-05 08:30")
        self.fetch("2026-12-05 10:05", "jalan-1", "sampah")
        self.reply("jalan-1")
        self.publish("2026-12-07 10:00")
        self.assign("sampah", "DLH", "2026-12-07 10:30")
        self.close("sampah", "sampah sudah diangkut", "2026-12-09 11:00")
        self.x.fail("create_tweet", Fault("duplicate"))
        self.publish("2026-12-10 07:00", codes=(1,))  # failed
        self.publish("2026-12-12 10:00", codes=(1,))  # missed
        self.humaspost("retry", str(self.delivery("2026/12/kerja-bakti", "pemkot-x")),
                       at="2026-12-12 10:05")  # fmt: skip
        self.publish("2026-12-12 10:05")
        self.fetch("2026-12-14 09:05", "terima-kasih", "selokan")
        self.close("terima-kasih", "ucapan terima kasih", "2026-12-14 09:30", not_complaint=True)
        self.fetch("2026-12-24 08:05", "banjir-2", "jalan-2")
        self.publish("2026-12-25 08:00")
        self.humaspost("retract", "2026/12/natal", "--account", "pemkot-x", "--yes",
                       at="2026-12-25 12:00")  # fmt: skip
        self.reply("banjir-2")
        self.publish("2026-12-28 09:00")
        self.fetch("2026-12-28 11:05", "genangan")
        self.reply("jalan-2")
        self.publish("2026-12-31 10:00")
        self.x.fail("create_tweet", Fault("reset"))
        self.publish("2026-12-31 23:55", codes=(1,))  # unknown
        self.publish("2027-01-01 06:00")


def _utc(local: str) -> datetime:
    return CommandClock(local).moment.astimezone(UTC)
