"""The built-in sandbox platform: publishes to files on this machine, never the network.

For training new staff, demos and tests: each published part becomes one JSON file in
`<state_dir>/sandbox/<account>/`, named so that a trainer reads the outbox in order: the
local time (the config's timezone) the delivery started, the post id ('/' written '-')
and the part number, `2026-12-01_0800_2026-12-hari-aids-sedunia_1.json`. A file of that
name already there (the same post sent twice in one minute: a repeat catching up, a
rehearsal in both publish logs, a part sent again after an unknown delivery) is never
overwritten: the new one is `..._1~2.json`, `~3`, ... Each file records the part (its
text, media, link and the part it replies to), the post id, the part number and the
part's length against the limit of the platform the account is `like`. Only our own
post: nothing a resident wrote goes there.

A reply to an inbox item is written as a post is, its files named `..._reply_1.json`,
`_reply_2`, ..., its first part's `reply_to` the item's number (the sandbox's inbox
reads nothing: it has no citizens).

A re-share (`repost`) is one file too, `2026-12-01_0810_2026-12-hari-aids-sedunia_repost.json`,
recording the address it re-shares (`repost_of`, with the origin's id) and the
optional comment; `unrepost` removes it, as `retract` removes a delivery's files.

The part's id is its file name with a random tag (`..._1.3f9a0c2e`), so that an address
is never given twice even after a retract removed the files; its address is
`sandbox://<account>/<id>`.

An account's `delay` setting makes each call take that long, like a real platform: the
first half before the request goes out (connecting: a crash then loses nothing, and a
thread resumes at that part), the second half in flight (a crash then leaves the
delivery unknown), so that rehearsals and tests meet both cases.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from humaspost.i18n import _
from humaspost.inbox_model import InboxPage, ReplyTarget
from humaspost.platforms.base import (
    Origin,
    Part,
    PartReceipt,
    PlatformContext,
    Receipt,
    ResolvedAccount,
    ThreadProgress,
    publish_thread,
)
from humaspost.platforms.rules import rules_for
from humaspost.times import parse_duration

# A part's id: the file's name without `.json`, then a random tag.
SCHEME = "sandbox://"
_PART_ID = re.compile(r"^(?P<file>(?P<start>.+)_(?:\d+|repost)(?:~\d+)?)\.[0-9a-f]{8}$")
# Room for the post id in a file name (most file systems allow 255 bytes).
_MAX_ID_BYTES = 150


class SandboxPlatform:
    """Publishes into a local outbox folder."""

    name: ClassVar[str] = "sandbox"

    def __init__(self, context: PlatformContext) -> None:
        self.context = context
        self.outbox = context.state_dir / "sandbox"

    def publish(
        self, parts: tuple[Part, ...], account: ResolvedAccount, progress: ThreadProgress
    ) -> Receipt:
        """Write each part not yet published as a JSON file; reply to the previous one."""
        return self._write(parts, account, progress, None)

    def reply(
        self,
        parts: tuple[Part, ...],
        account: ResolvedAccount,
        progress: ThreadProgress,
        target: ReplyTarget,
    ) -> Receipt:
        """Write the reply's parts as a post's are, the first replying to the inbox item
        (its number: the item itself is in the real log, not the outbox)."""
        return self._write(parts, account, progress, target.item_id)

    def read_inbox(
        self, account: ResolvedAccount, cursor: str | None, since: datetime
    ) -> Iterator[InboxPage]:
        """Nothing: no citizen writes to the sandbox. One empty, complete page."""
        yield InboxPage((), "{}", complete=True)

    def _write(
        self,
        parts: tuple[Part, ...],
        account: ResolvedAccount,
        progress: ThreadProgress,
        item_id: int | None,
    ) -> Receipt:
        """Write the parts not yet published; with `item_id`, as a reply to that item."""
        folder = self.outbox / account.name
        folder.mkdir(parents=True, exist_ok=True)
        delay = _delay(account)
        like = account.settings.get("like", self.name)
        rules = rules_for(like)
        connecting = _Connecting(progress, delay / 2)
        # A resumed thread keeps the name its first part was given.
        start = _start_of(progress.done[0].remote_id) if progress.done else None

        def send(part: Part, reply_to: str | None) -> PartReceipt:
            nonlocal start
            if delay:
                time.sleep(delay / 2)  # in flight: the request is out, no answer yet
            moment = self.context.clock().astimezone(self.context.timezone)
            if start is None:
                start = f"{moment:%Y-%m-%d_%H%M}_{_file_name_id(part.post_id)}"
                start += "_reply" if item_id is not None else ""
            number = connecting.index + 1
            record = {
                "account": account.name,
                "post": part.post_id,
                "part": number,
                "parts": len(parts),
                "like": like,
                "length": rules.measure(part.text),
                "limit": rules.max_length,
                "text": part.text,
                "media": [{"file": str(m.path), "alt": m.alt} for m in part.media],
                "link": part.link,
                "reply_to": item_id if reply_to is None else reply_to,
                "time": moment.isoformat(),
            }
            remote_id = _write_new(folder, f"{start}_{number}", record)
            return PartReceipt(remote_id, _address(account.name, remote_id))

        return publish_thread(parts, connecting, send)

    def repost(self, origin: Origin, account: ResolvedAccount, comment: str | None) -> Receipt:
        """Write the re-share as one JSON file: what it re-shares and its comment. An
        account `like` X or Facebook takes the same as one that is not: the checks
        before publishing say what each platform accepts."""
        folder = self.outbox / account.name
        folder.mkdir(parents=True, exist_ok=True)
        delay = _delay(account)
        if delay:
            time.sleep(delay)  # connecting, then in flight: a re-share is one request
        moment = self.context.clock().astimezone(self.context.timezone)
        record = {
            "account": account.name,
            "post": origin.post_id,
            "kind": "repost",
            "like": account.settings.get("like", self.name),
            "repost_of": origin.url,
            "repost_of_id": origin.remote_id,
            "comment": comment,
            "time": moment.isoformat(),
        }
        name = f"{moment:%Y-%m-%d_%H%M}_{_file_name_id(origin.post_id)}_repost"
        remote_id = _write_new(folder, name, record)
        return Receipt((PartReceipt(remote_id, _address(account.name, remote_id)),))

    def unrepost(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Remove the re-share's file from the outbox (gone already is fine)."""
        self.retract(receipt, account)

    def retract(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Remove the delivery's files from the outbox."""
        folder = self.outbox / account.name
        for part in receipt.parts:
            path = folder / f"{_file_of(part.remote_id)}.json"
            if _holds(path, part.remote_id):
                path.unlink(missing_ok=True)

    def verify(self, account: ResolvedAccount) -> str:
        """The sandbox needs no credentials."""
        return _("sandbox outbox {folder}").format(folder=self.outbox / account.name)


def _delay(account: ResolvedAccount) -> float:
    """The account's `delay` setting in seconds (0 without one)."""
    if "delay" not in account.settings:
        return 0.0
    return parse_duration(account.settings["delay"]).total_seconds()


def _write_new(folder: Path, name: str, record: dict[str, Any]) -> str:
    """Write `record` as `<name>.json`, or `<name>~2.json`, ... where that is taken;
    return the part's id. Written, then linked to its name: a reader never sees half a
    file, and a file already there is never replaced."""
    tag = secrets.token_hex(4)
    temporary = folder / f".{name}.{tag}.tmp"
    copy = 1
    try:
        while True:
            file = name if copy == 1 else f"{name}~{copy}"
            remote_id = f"{file}.{tag}"
            temporary.write_text(
                json.dumps(
                    {"id": remote_id, "url": _address(folder.name, remote_id), **record},
                    ensure_ascii=False,
                    indent=2,
                ),
                "utf-8",
            )
            try:
                os.link(temporary, folder / f"{file}.json")
            except FileExistsError:
                copy += 1
                continue
            return remote_id
    finally:
        temporary.unlink(missing_ok=True)


def _address(account: str, remote_id: str) -> str:
    return f"{SCHEME}{account}/{remote_id}"


def outbox_file_name(address: str) -> str | None:
    """The outbox file (`2026-12-01_0800_banjir_1.json`, in the account's folder) that a
    sandbox address names; None for an address of another platform."""
    if not address.startswith(SCHEME):
        return None
    return _file_of(address.rsplit("/", 1)[-1]) + ".json"


def _file_name_id(post_id: str | None) -> str:
    """The post id as it appears in a file name: '/' written '-', cut to fit."""
    written = (post_id or "post").replace("/", "-")
    return written.encode()[:_MAX_ID_BYTES].decode(errors="ignore")


def _start_of(remote_id: str) -> str | None:
    """The time and post of a delivery's file names, from one part's id (None for an id
    of another form: outboxes written before files were named so)."""
    found = _PART_ID.match(remote_id)
    return found["start"] if found else None


def _file_of(remote_id: str) -> str:
    """The name (without `.json`) of the file a part's id belongs to; outboxes written
    before files were named so named each file by the id itself."""
    found = _PART_ID.match(remote_id)
    return found["file"] if found else remote_id


def _holds(path: Path, remote_id: str) -> bool:
    """Whether the file is that part's, not a later one's that took the same name."""
    try:
        found = json.loads(path.read_text("utf-8")).get("id")
    except (OSError, ValueError, AttributeError):
        return False
    return bool(found == remote_id)


class _Connecting:
    """Progress that first waits (connecting) before a part's request is marked in
    flight, and keeps the number of the part being sent; otherwise the adapter's
    progress as it is."""

    def __init__(self, progress: ThreadProgress, wait: float) -> None:
        self.progress = progress
        self.wait = wait
        self.index = 0

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        """The parts an earlier attempt published."""
        return self.progress.done

    def starting(self, index: int) -> None:
        """Connect, then mark the part in flight."""
        if self.wait:
            time.sleep(self.wait)
        self.index = index
        self.progress.starting(index)

    def published(self, index: int, receipt: PartReceipt) -> None:
        """Record the published part."""
        self.progress.published(index, receipt)
