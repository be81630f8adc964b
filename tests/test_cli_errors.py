"""The one error handler: internal errors become a crash report and exit code 3."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

from humaspost.cli.errors import crash_reports, report_crash, shown_command


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


def test_a_crash_report_never_names_a_residents_data_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "argv",
        ["humaspost", "inbox", "close", "7", "--note", "Bu Warga Contoh, RT 05", "--by", "Rina"],
    )  # fmt: skip
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    report = crash_reports().write(RuntimeError("a bug"))
    assert report is not None
    text = report.read_text(encoding="utf-8")
    assert "command: humaspost inbox close 7 --note ... --by Rina" in text
    assert "Warga Contoh" not in text
    assert shown_command(["inbox", "purge", "--author=@warga_uji1"]) == "inbox purge --author=..."
