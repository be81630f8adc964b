"""The one error handler: internal errors become a crash report and exit code 3."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from humaspost.cli.errors import report_crash


def crash() -> Exception:
    try:
        raise RuntimeError("something broke inside")
    except RuntimeError as error:
        return error


def test_internal_error_writes_a_report_and_prints_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert report_crash(crash(), debug=False) == 3
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    match = re.search(r"details in (\S+\.txt)", err)
    assert match is not None
    report = Path(match.group(1))
    assert "RuntimeError: something broke inside" in report.read_text()
    report.unlink()


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert report_crash(crash(), debug=True) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "something broke inside" in err
    match = re.search(r"details in (\S+\.txt)", err)
    assert match is not None
    Path(match.group(1)).unlink()
