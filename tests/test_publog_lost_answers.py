"""A write to the publish log on PostgreSQL whose COMMIT reached the server but whose
answer never came back (the network or the server went away at that moment): the log
runs the write again on a new connection, and it must change nothing twice.

A real server (tests/postgres_server.py), reached through a TCP relay on 127.0.0.1
that can cut the connection right after the server has answered a COMMIT, before the
answer is passed on: the commit is made, the client only sees the connection break.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta

import pytest

from humaspost.lifecycle import Event, RowState
from humaspost.platforms.base import PartReceipt
from humaspost.publog import ONCE, Claim, DeliveryKey, PublishLog
from humaspost.store_postgres import DatabaseUrl
from tests.postgres_server import HOST, PostgresServer

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
KEY = DeliveryKey("2026/12/banjir", ONCE, "pemkot-x")
OWNER = "humas-1/4242/boot"
# The server's answer that a COMMIT was carried out (a CommandComplete message: "C", its
# length, the tag); a prepared COMMIT's Parse is answered otherwise, and passed on.
COMMITTED = b"C\x00\x00\x00\x0bCOMMIT\x00"


class Relay:
    """Passes bytes between clients and the server; when armed, cuts the connection to
    which the server next answers that it committed, instead of passing that on."""

    def __init__(self, port: int) -> None:
        self.target = (HOST, port)
        self.listener = socket.create_server((HOST, 0))
        self.port: int = self.listener.getsockname()[1]
        self.armed = threading.Event()
        self.cut = 0  # answers lost so far
        threading.Thread(target=self._accept, daemon=True).start()

    def lose_next_commit_answer(self) -> None:
        self.armed.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self.target)
            threading.Thread(target=self._up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket) -> None:
        with suppress(OSError):
            while chunk := client.recv(65536):
                server.sendall(chunk)
        _close(client, server)

    def _down(self, server: socket.socket, client: socket.socket) -> None:
        with suppress(OSError):
            while chunk := server.recv(65536):
                if COMMITTED in chunk and self.armed.is_set():
                    # Committed: the client is never told.
                    self.armed.clear()
                    self.cut += 1
                    break
                client.sendall(chunk)
        _close(client, server)

    def close(self) -> None:
        self.listener.close()


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@contextmanager
def relayed_log(
    postgres_server: PostgresServer, postgres_url: str
) -> Iterator[tuple[Relay, PublishLog]]:
    relay = Relay(postgres_server.port)
    url = postgres_url.replace(f"@{HOST}:{postgres_server.port}/", f"@{HOST}:{relay.port}/")
    try:
        with PublishLog(DatabaseUrl(url, "HUMASPOST_DATABASE_URL")) as log:
            yield relay, log
    finally:
        relay.close()


def claim(log: PublishLog, owner: str = OWNER, now: datetime = T0) -> Claim | None:
    return log.claim(KEY, platform="twitter", due_at=T0, owner=owner, now=now, lease=LEASE)


def outcomes(log: PublishLog, row_id: int) -> list[str]:
    return [outcome for _, outcome, _ in log.attempts(row_id)]


@pytest.mark.parametrize("row", ["new", "pending"])
def test_a_claim_whose_answer_is_lost_is_still_this_publishers_claim(
    postgres_server: PostgresServer, postgres_url: str, row: str
) -> None:
    with relayed_log(postgres_server, postgres_url) as (relay, log):
        if row == "pending":
            # A thread interrupted between parts: back in the queue, part 1 done.
            first = claim(log, owner="gone/1/b")
            assert first is not None
            log.part_starting(first.row_id, 0, "gone/1/b", T0, LEASE)
            log.part_published(first.row_id, 0, PartReceipt("1", "u1"), T0, "gone/1/b")
            assert log.release_stale(T0 + LEASE * 2, lambda owner: False) == []
        now = T0 + LEASE * 3
        relay.lose_next_commit_answer()
        taken = claim(log, now=now)
        assert relay.cut == 1
        assert taken is not None, "the claim was made, but its publisher was told it was not"
        stored = log.row(taken.row_id)
        assert stored is not None
        assert (stored.state, stored.owner, stored.attempts) == (
            RowState.SENDING,
            OWNER,
            taken.attempt,
        )
        assert outcomes(log, taken.row_id).count("claimed") == (1 if row == "new" else 2)
        if row == "pending":
            assert taken.done == (PartReceipt("1", "u1"),)
        # Another publisher still cannot have it.
        assert claim(log, owner="humas-2/1/b", now=now) is None


def test_part_writes_and_finish_whose_answers_are_lost_change_nothing_twice(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with relayed_log(postgres_server, postgres_url) as (relay, log):
        taken = claim(log)
        assert taken is not None
        relay.lose_next_commit_answer()
        log.part_starting(taken.row_id, 0, OWNER, T0, LEASE)
        relay.lose_next_commit_answer()
        log.part_published(taken.row_id, 0, PartReceipt("1", "u1"), T0, OWNER)
        relay.lose_next_commit_answer()
        took = log.finish(taken.row_id, Event.SENT, owner=OWNER, now=T0, url="u1")
        assert relay.cut == 3
        assert took
        stored = log.row(taken.row_id)
        assert stored is not None
        assert (stored.state, stored.url, stored.inflight_part) == (RowState.SENT, "u1", None)
        assert log.parts(taken.row_id) == (PartReceipt("1", "u1"),)
        assert outcomes(log, taken.row_id) == ["claimed", "sent"]
