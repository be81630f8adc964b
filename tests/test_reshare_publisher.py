"""The publisher sends a re-share like any delivery: claimed, marked in flight before
its one request, recorded as `repost`, never made twice (both log backends)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from humaspost.plan import Delivery
from humaspost.platforms.base import (
    Origin,
    PartReceipt,
    Receipt,
    ResolvedAccount,
    UncertainError,
)
from humaspost.publisher import Result
from humaspost.publog import DeliveryKey, Kind, PublishLog, RowState
from tests.conftest import Repo
from tests.test_publisher import DUE, Office, ScriptedPlatform, results

ORIGIN = Origin("https://x.com/pemkot/status/1900000000000000001", "1900000000000000001", "p")


class ResharingPlatform(ScriptedPlatform):
    """The scripted platform, able to re-share; `fail_reposts` makes the next calls
    raise what it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.reposts: list[tuple[str, str, str | None]] = []  # account, origin url, comment
        self.fail_reposts: list[Exception] = []

    def repost(self, origin: Origin, account: ResolvedAccount, comment: str | None) -> Receipt:
        if self.fail_reposts:
            raise self.fail_reposts.pop(0)
        self.reposts.append((account.name, origin.url, comment))
        return Receipt((PartReceipt(origin.remote_id, origin.url),))

    def unrepost(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Not needed here."""


@pytest.fixture
def office(repo: Repo, log_database: str | None) -> Office:
    return Office(repo, ["a", "b"], database=log_database)


def as_reshare(deliveries: list[Delivery]) -> list[Delivery]:
    """The planned post's deliveries turned into re-shares of ORIGIN."""
    return [
        replace(
            d,
            key=DeliveryKey(d.key.post_id, f"{d.key.occurrence}>pemkot-x", d.key.account),
            kind=Kind.REPOST,
            origin=ORIGIN,
            comment="Ayo ikut!" if d.key.account == "b" else None,
        )
        for d in deliveries
    ]


def test_a_reshare_is_sent_once_and_recorded_as_a_repost(office: Office) -> None:
    office.platform = ResharingPlatform()
    office.post("p", "2026-12-01 08:00", "[a, b]")
    now = DUE + timedelta(minutes=1)
    outcomes = office.run(now, change=as_reshare)
    assert sorted(results(outcomes)) == [("p", Result.SENT), ("p", Result.SENT)]
    assert isinstance(office.platform, ResharingPlatform)
    assert sorted(office.platform.reposts) == [
        ("a", ORIGIN.url, None), ("b", ORIGIN.url, "Ayo ikut!"),
    ]  # fmt: skip
    assert office.platform.posted == []  # nothing posted as a post of its own
    with PublishLog(office.log_path) as log:
        rows = log.search(limit=None)
    assert {(r.key.occurrence, r.kind, r.state, r.url) for r in rows} == {
        ("once>pemkot-x", Kind.REPOST, RowState.SENT, ORIGIN.url)
    }
    again = office.run(now + timedelta(minutes=1), change=as_reshare)
    assert again == [] or all(o.result is Result.SKIPPED for o in again)
    assert len(office.platform.reposts) == 2


def test_a_reshare_whose_answer_was_lost_is_unknown_and_never_made_again(
    office: Office,
) -> None:
    platform = ResharingPlatform()
    platform.fail_reposts.append(UncertainError("the connection broke after the request"))
    office.platform = platform
    office.post("p", "2026-12-01 08:00", "a")
    now = DUE + timedelta(minutes=1)
    assert results(office.run(now, change=as_reshare)) == [("p", Result.UNKNOWN)]
    assert office.row_state("p") is RowState.UNKNOWN
    office.run(now + timedelta(minutes=5), change=as_reshare)
    assert platform.reposts == []  # a person settles it (humaspost resolve)


def test_an_adapter_that_cannot_reshare_fails_the_delivery_plainly(office: Office) -> None:
    office.post("p", "2026-12-01 08:00", "a")
    outcomes = office.run(DUE + timedelta(minutes=1), change=as_reshare)
    assert [(o.result, o.error) for o in outcomes] == [
        (Result.FAILED, "the scripted adapter cannot re-share posts")
    ]
