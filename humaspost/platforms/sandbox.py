"""The built-in sandbox platform: publishes to files on this machine, never the network.

For training new staff, demos and tests: each published part becomes one JSON file in
`<state_dir>/sandbox/<account>/`, and the delivery's address is a `sandbox://` URL. An
account's `delay` setting makes each call take that long, like a real platform: the
first half before the request goes out (connecting: a crash then loses nothing, and a
thread resumes at that part), the second half in flight (a crash then leaves the
delivery unknown), so that rehearsals and tests meet both cases.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from typing import ClassVar

from humaspost.platforms.base import (
    Part,
    PartReceipt,
    PlatformContext,
    Receipt,
    ResolvedAccount,
    ThreadProgress,
    publish_thread,
)
from humaspost.times import parse_duration


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
        folder = self.outbox / account.name
        folder.mkdir(parents=True, exist_ok=True)
        delay = (
            parse_duration(account.settings["delay"]).total_seconds()
            if "delay" in account.settings
            else 0.0
        )

        def send(part: Part, reply_to: str | None) -> PartReceipt:
            if delay:
                time.sleep(delay / 2)  # in flight: the request is out, no answer yet
            moment = self.context.clock()
            remote_id = f"{moment:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
            record = {
                "id": remote_id,
                "account": account.name,
                "text": part.text,
                "media": [{"file": str(m.path), "alt": m.alt} for m in part.media],
                "link": part.link,
                "reply_to": reply_to,
                "time": moment.isoformat(),
            }
            # Write then rename: a reader never sees half a file.
            target = folder / f"{remote_id}.json"
            temporary = target.with_suffix(".tmp")
            temporary.write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
            os.replace(temporary, target)
            return PartReceipt(remote_id, f"sandbox://{account.name}/{remote_id}")

        return publish_thread(parts, _Connecting(progress, delay / 2), send)

    def retract(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Remove the delivery's files from the outbox."""
        for part in receipt.parts:
            (self.outbox / account.name / f"{part.remote_id}.json").unlink(missing_ok=True)

    def verify(self, account: ResolvedAccount) -> str:
        """The sandbox needs no credentials."""
        return f"sandbox outbox {self.outbox / account.name}"


class _Connecting:
    """Progress that first waits (connecting) before a part's request is marked in
    flight; otherwise the adapter's progress as it is."""

    def __init__(self, progress: ThreadProgress, wait: float) -> None:
        self.progress = progress
        self.wait = wait

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        """The parts an earlier attempt published."""
        return self.progress.done

    def starting(self, index: int) -> None:
        """Connect, then mark the part in flight."""
        if self.wait:
            time.sleep(self.wait)
        self.progress.starting(index)

    def published(self, index: int, receipt: PartReceipt) -> None:
        """Record the published part."""
        self.progress.published(index, receipt)
