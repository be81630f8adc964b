"""Secrets never leave the program: not in output, the log, or a crash report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from humaspost.cli.errors import report_crash
from humaspost.config import resolve_account_settings
from humaspost.secrets import redact, remember
from tests.conftest import Repo


def test_resolved_secrets_are_scrubbed_from_any_text(repo: Repo) -> None:
    config = repo.config()
    token = "EAAGresolvedpagetoken0042"
    resolve_account_settings(config.accounts["pemkot-fb"], {"FB_TOKEN": token})
    leaked = f"HTTPSConnectionPool: Max retries with url: /v23.0/me?access_token={token}"
    assert token not in redact(leaked) and "access_token=***" in redact(leaked)
    # The page id is not a secret reference: it stays readable.
    assert "104857600000000" in redact("page 104857600000000")


def test_short_values_are_not_taken_for_secrets() -> None:
    remember("abc")
    assert redact("abc abc") == "abc abc"


def test_a_crash_report_holds_no_secret(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "xoxoSUPERsecretTOKEN777"
    remember(secret)
    try:
        raise RuntimeError(f"request to https://graph.example/?access_token={secret} failed")
    except RuntimeError as error:
        report_crash(error, debug=True)
    err = capsys.readouterr().err
    assert secret not in err and "access_token=***" in err
    match = re.search(r"details in (\S+\.txt)", err)
    assert match is not None
    report = Path(match.group(1))
    assert secret not in report.read_text()
    report.unlink()
