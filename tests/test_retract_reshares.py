"""`retract` of a post that district accounts re-shared: the sent re-shares are listed
and undone with it (on a terminal, asked about separately; `--keep-reshares` keeps
them), those not sent yet are then missed, `--account` undoes only the re-shares of
that account's delivery. Through the installed command on the sandbox, both log
backends; and through tweepy and facebook-sdk against the fake X and Facebook."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import DATABASE_VARIABLE, HUMASPOST, Repo, run_humaspost
from tests.fakes.facebook_server import FakeGraph
from tests.fakes.x_server import FakeX
from tests.fakes.x_server import Fault as XFault
from tests.test_platforms_e2e import FB_TOKEN, PAGE, X_KEYS, CommandClock, x_account
from tests.test_plugins import install_plugin

ACCOUNTS = """\
timezone: Asia/Jakarta
accounts:
  pemkot:
    platform: sandbox
    like: twitter
  kec-a:
    platform: sandbox
    like: twitter
  kec-b:
    platform: sandbox
    like: twitter
  kec-c:
    platform: sandbox
    like: twitter
"""
CONFIG = ACCOUNTS + "groups:\n  semua-kecamatan: [kec-a, kec-b, kec-c]\n"
PROGRAM = """\
publish_at: 2026-12-01 08:00
to: pemkot
text: "Program bedah rumah 2027 dibuka. #KotaBekasi"
amplify:
  by: semua-kecamatan
  after: 10m
  spread: 30m
"""


def office(repo: Repo, database: str | None, config: str = CONFIG) -> dict[str, str]:
    """The city post out at 08:02 and re-shared by kec-a (08:12) and kec-b (08:22);
    kec-c's re-share (08:32) not sent yet."""
    shared = "publish_log: ${HUMASPOST_DATABASE_URL}\n" if database else ""
    repo.write_config(config + shared)
    repo.post("program.yaml", PROGRAM)
    env = {DATABASE_VARIABLE: database} if database else {}
    assert "1 sent" in publish(repo, env, "2026-12-01 08:02")
    assert "2 sent" in publish(repo, env, "2026-12-01 08:25")
    return env


def publish(repo: Repo, env: dict[str, str], now: str) -> str:
    result = run_humaspost("publish", "--now", now, cwd=repo.root, env=env)
    assert "Traceback" not in result.stderr
    return result.stdout


def retract(repo: Repo, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = run_humaspost("retract", *args, "--now", "2026-12-01 08:28", cwd=repo.root, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def files(repo: Repo) -> dict[str, list[str]]:
    """Each account's outbox: its kinds of files (`post` or `repost`)."""
    found: dict[str, list[str]] = {}
    for path in sorted((repo.root / ".humaspost" / "sandbox").glob("*/*.json")):
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        found.setdefault(path.parent.name, []).append(record.get("kind", "post"))
    return found


def states(repo: Repo, env: dict[str, str]) -> dict[str, str]:
    result = run_humaspost("log", "--all", "--format", "json", cwd=repo.root, env=env)
    return {row["account"]: row["state"] for row in json.loads(result.stdout)}


def on_terminal(repo: Repo, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run humaspost with a pseudo-terminal as standard input, typing `answer`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"})
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [str(HUMASPOST), *args],
            cwd=repo.root,
            env=env,
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(terminal)
        os.write(controller, answer.encode())  # the terminal keeps it until it is read
        out, err = process.communicate(timeout=60)
    finally:
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_retract_undoes_the_sent_reshares_and_the_others_are_missed(
    repo: Repo, log_database: str | None
) -> None:
    env = office(repo, log_database)
    assert files(repo) == {"pemkot": ["post"], "kec-a": ["repost"], "kec-b": ["repost"]}
    result = retract(repo, env, "program", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    listing = result.stdout.split("retracted ")[0]
    assert "pemkot  sent 2026-12-01 08:02 WIB" in listing
    assert "and its 2 re-shares by kec-a, kec-b are undone" in listing
    assert "kec-c" not in listing  # not sent: nothing to undo
    assert "retracted program → kec-a (re-share of pemkot)" in result.stdout
    assert "retracted program → kec-b (re-share of pemkot)" in result.stdout
    assert "retracted program → pemkot  sandbox://pemkot/" in result.stdout
    # The re-shares are undone before the post they re-share is deleted.
    assert result.stdout.index("→ kec-b") < result.stdout.index("→ pemkot")
    assert files(repo) == {}
    assert states(repo, env) == {"pemkot": "retracted", "kec-a": "retracted", "kec-b": "retracted"}
    missed = publish(repo, env, "2026-12-01 08:40")
    assert "program → kec-c" in missed and "the post it re-shares was retracted" in missed
    assert states(repo, env)["kec-c"] == "missed" and files(repo) == {}
    again = retract(repo, env, "program")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "was already retracted; nothing to delete" in again.stdout
    assert "already undone: 2 re-shares by kec-a, kec-b" in again.stdout


def test_keep_reshares_keeps_them_and_a_later_retract_undoes_them(
    repo: Repo, log_database: str | None
) -> None:
    env = office(repo, log_database)
    kept = retract(repo, env, "program", "--yes", "--keep-reshares")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "its 2 re-shares by kec-a, kec-b are kept (--keep-reshares)" in kept.stdout
    assert "kept 2 re-shares by kec-a, kec-b: they stay on their pages" in kept.stdout
    assert files(repo) == {"kec-a": ["repost"], "kec-b": ["repost"]}
    assert states(repo, env) == {"pemkot": "retracted", "kec-a": "sent", "kec-b": "sent"}
    # Still missed: the post it would re-share is gone.
    assert "the post it re-shares was retracted" in publish(repo, env, "2026-12-01 08:40")
    # Off a terminal, the re-shares left are undone only with --yes too.
    refused = retract(repo, env, "program")
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    assert "already retracted from pemkot on 2026-12-01 08:28 WIB" in refused.stdout
    assert "and its 2 re-shares by kec-a, kec-b, undone if you say so" in refused.stdout
    undone = retract(repo, env, "program", "--yes")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert "retracted program → kec-a (re-share of pemkot)" in undone.stdout
    assert files(repo) == {}
    assert set(states(repo, env).values()) == {"retracted", "missed"}


def test_on_a_terminal_the_reshares_are_a_question_of_their_own(repo: Repo) -> None:
    office(repo, None)
    args = ("retract", "program", "--now", "2026-12-01 08:28")
    cancelled = on_terminal(repo, "n\n", *args)
    assert cancelled.returncode == 1, cancelled.stdout + cancelled.stderr
    assert "Delete this delivery from the platforms? [y/N]" in cancelled.stderr
    assert "Undo" not in cancelled.stderr  # a no to the post asks nothing more
    assert "retract cancelled: nothing was deleted" in cancelled.stderr
    assert len(files(repo)) == 3
    post_only = on_terminal(repo, "y\nn\n", *args)
    assert post_only.returncode == 0, post_only.stdout + post_only.stderr
    assert "and its 2 re-shares by kec-a, kec-b, undone if you say so" in post_only.stdout
    assert "Undo the 2 re-shares too? [y/N]" in post_only.stderr
    assert "kept 2 re-shares by kec-a, kec-b" in post_only.stdout
    assert files(repo) == {"kec-a": ["repost"], "kec-b": ["repost"]}
    later = on_terminal(repo, "ya\n", *args)
    assert later.returncode == 0, later.stdout + later.stderr
    assert "Delete" not in later.stderr and "Undo these 2 re-shares? [y/N]" in later.stderr
    assert files(repo) == {}


def test_retract_of_one_account_undoes_only_the_reshares_of_its_delivery(
    repo: Repo, log_database: str | None
) -> None:
    config = (
        ACCOUNTS
        + "  pemkot-fb:\n    platform: sandbox\n    like: facebook\n"
        + "  kec-fb:\n    platform: sandbox\n    like: facebook\n"
        + "groups:\n  semua-kecamatan: [kec-a, kec-b, kec-c, kec-fb]\n"
    )
    shared = "publish_log: ${HUMASPOST_DATABASE_URL}\n" if log_database else ""
    repo.write_config(config + shared)
    repo.post("program.yaml", PROGRAM.replace("to: pemkot", "to: [pemkot, pemkot-fb]"))
    env = {DATABASE_VARIABLE: log_database} if log_database else {}
    assert "2 sent" in publish(repo, env, "2026-12-01 08:02")
    assert "3 sent" in publish(repo, env, "2026-12-01 08:25")  # kec-a, kec-b; kec-fb
    result = retract(repo, env, "program", "--account", "pemkot-fb", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "and its re-share by kec-fb is undone" in result.stdout
    assert "kec-a" not in result.stdout
    assert files(repo) == {"pemkot": ["post"], "kec-a": ["repost"], "kec-b": ["repost"]}
    # A district account named: only its re-share goes.
    one = retract(repo, env, "program", "--account", "kec-a", "--yes")
    assert one.returncode == 0, one.stdout + one.stderr
    assert "kec-a  sent 2026-12-01 08:25 WIB  (re-share of pemkot)" in one.stdout
    assert files(repo) == {"pemkot": ["post"], "kec-b": ["repost"]}
    found = states(repo, env)
    assert (found["pemkot"], found["kec-b"], found["kec-a"]) == ("sent", "sent", "retracted")


def test_a_repost_post_is_retracted_by_undoing_its_reposts(
    repo: Repo, log_database: str | None
) -> None:
    url = "https://x.com/pemkotbekasi/status/1863000000000000001"
    shared = "publish_log: ${HUMASPOST_DATABASE_URL}\n" if log_database else ""
    repo.write_config(CONFIG + shared)
    repo.post("ulang.yaml", f"publish_at: 2026-12-01 08:00\nto: [kec-a, kec-b]\nrepost: {url}\n")
    env = {DATABASE_VARIABLE: log_database} if log_database else {}
    assert "2 sent" in publish(repo, env, "2026-12-01 08:01")
    result = retract(repo, env, "ulang", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"kec-a  sent 2026-12-01 08:01 WIB  (re-share of {url})" in result.stdout
    assert "retracted ulang → kec-b" in result.stdout
    assert files(repo) == {}
    assert states(repo, env) == {"kec-a": "retracted", "kec-b": "retracted"}


def test_a_reshare_that_cannot_be_undone_is_reported_and_the_rest_go(
    repo: Repo, tmp_path: Path
) -> None:
    env = office(repo, None)
    # kec-b moved to a plugin platform that cannot undo re-shares; kec-a left the config.
    repo.write_config(
        CONFIG.replace("  kec-a:\n    platform: sandbox\n    like: twitter\n", "")
        .replace(
            "  kec-b:\n    platform: sandbox\n    like: twitter\n",
            "  kec-b:\n    platform: echo\n    channel: b\n",
        )
        .replace("[kec-a, kec-b, kec-c]", "[kec-b, kec-c]")
    )
    env["PYTHONPATH"] = str(install_plugin(tmp_path / "plugin"))
    result = retract(repo, env, "program", "--yes")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kec-b: cannot be undone now: the echo adapter cannot undo re-shares" in result.stdout
    assert "account 'kec-a' is no longer in the config; not undone" in result.stdout
    assert "retracted program → pemkot" in result.stdout
    assert files(repo) == {"kec-a": ["repost"], "kec-b": ["repost"]}
    assert states(repo, env) == {"pemkot": "retracted", "kec-a": "sent", "kec-b": "sent"}


def one_x(clock: CommandClock) -> FakeX:
    """A fake X whose user id is the access token's prefix, as X's tokens have it."""
    keys = X_KEYS["X_KEY"], X_KEYS["X_SECRET"], X_KEYS["X_TOKEN"], X_KEYS["X_TOKEN_SECRET"]
    return FakeX(
        consumer_key=keys[0], consumer_secret=keys[1], access_token=keys[2],
        access_token_secret=keys[3], user_id=keys[2].split("-")[0], clock=clock,
    )  # fmt: skip


def test_through_tweepy_the_repost_is_undone_before_the_post_is_deleted(repo: Repo) -> None:
    clock = CommandClock("2026-12-01 08:00")
    with one_x(clock) as x:
        # Both accounts on the one fake X: it keeps who reposts which post.
        repo.write_config(
            "timezone: Asia/Jakarta\naccounts:\n"
            + x_account("pemkot-x", x.url)
            + x_account("kec-x", x.url)
        )
        repo.post(
            "program.yaml",
            "publish_at: 2026-12-01 08:00\nto: pemkot-x\ntext: Program bedah rumah 2027\n"
            "amplify:\n  by: kec-x\n",
        )
        env: dict[str, Any] = dict(X_KEYS)
        for now in ("2026-12-01 08:00", "2026-12-01 08:11"):
            sent = run_humaspost("publish", "--now", clock.at(now), cwd=repo.root, env=env)
            assert "1 sent" in sent.stdout, sent.stdout + sent.stderr
        origin = x.live()[0].id
        assert x.retweets == [(x.user_id, origin)]
        later = clock.at("2026-12-01 08:30")
        result = run_humaspost(
            "retract", "program", "--yes", "--now", later, cwd=repo.root, env=env
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "retracted program → kec-x (re-share of pemkot-x)" in result.stdout
        assert x.retweets == [] and x.live() == []
        assert x.calls.index("unretweet") < x.calls.index("delete_tweet")


def test_through_facebook_sdk_the_share_is_deleted_before_the_post(repo: Repo) -> None:
    with FakeGraph(PAGE, FB_TOKEN) as graph:
        # Both accounts on the one fake Page: it keeps what was posted and deleted.
        page = f"    platform: facebook\n    page_id: '{PAGE}'\n    api_url: {graph.url}\n"
        repo.write_config(
            "timezone: Asia/Jakarta\naccounts:\n"
            f"  pemkot-fb:\n{page}    access_token: ${{FB_TOKEN}}\n"
            f"  kec-fb:\n{page}    access_token: ${{FB_TOKEN}}\n"
        )
        repo.post(
            "program.yaml",
            "publish_at: 2026-12-01 08:00\nto: pemkot-fb\ntext: Program bedah rumah 2027\n"
            "amplify:\n  by: kec-fb\n  text: Simak info dari Pemkot Bekasi\n",
        )
        env = {"FB_TOKEN": FB_TOKEN}
        for now in ("2026-12-01 08:00", "2026-12-01 08:11"):
            sent = run_humaspost("publish", "--now", now, cwd=repo.root, env=env)
            assert "1 sent" in sent.stdout, sent.stdout + sent.stderr
        origin, share = graph.feed[0].id, graph.shares()[0].id
        assert graph.shares()[0].message == "Simak info dari Pemkot Bekasi"
        result = run_humaspost(
            "retract", "program", "--yes", "--now", "2026-12-01 08:30", cwd=repo.root, env=env
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "and its re-share by kec-fb is undone" in result.stdout
        assert graph.deleted == [share, origin] and graph.shares() == []
        assert FB_TOKEN not in result.stdout + result.stderr


def test_a_repost_settled_by_hand_is_undone_by_the_address_given(repo: Repo) -> None:
    clock = CommandClock("2026-12-01 08:00")
    with one_x(clock) as x:
        repo.write_config(
            "timezone: Asia/Jakarta\naccounts:\n"
            + x_account("pemkot-x", x.url)
            + x_account("kec-x", x.url)
        )
        repo.post(
            "program.yaml",
            "publish_at: 2026-12-01 08:00\nto: pemkot-x\ntext: Program bedah rumah 2027\n"
            "amplify:\n  by: kec-x\n",
        )
        env: dict[str, Any] = dict(X_KEYS)
        run_humaspost("publish", "--now", clock.at("2026-12-01 08:00"), cwd=repo.root, env=env)
        x.fail("retweet", XFault("reset"))  # X reposts it, the answer is lost
        lost = run_humaspost("publish", "--now", clock.at("2026-12-01 08:11"), cwd=repo.root,
                             env=env)  # fmt: skip
        assert "unknown" in lost.stdout, lost.stdout + lost.stderr
        origin = x.live()[0].id
        assert x.retweets == [(x.user_id, origin)]
        rows = run_humaspost("log", "--state", "unknown", "--format", "json", cwd=repo.root)
        (row,) = json.loads(rows.stdout)
        url = f"https://x.com/pemkotbekasi/status/{origin}"
        settled = run_humaspost("resolve", str(row["id"]), "--sent", url, cwd=repo.root)
        assert settled.returncode == 0, settled.stdout + settled.stderr
        result = run_humaspost(
            "retract", "program", "--yes", "--now", clock.at("2026-12-01 08:30"),
            cwd=repo.root, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert x.retweets == [] and x.live() == []
