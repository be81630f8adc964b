"""Rules of the code base that a user would notice when broken: what gets imported where,
and that every problem code and command is documented."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from humaspost.cli.app import command_named, commands
from humaspost.codes import PROBLEM_CODES
from tests.conftest import Repo

PROJECT = Path(__file__).resolve().parents[1]

IMPORT_ALL_CORE = """
import pkgutil, importlib, sys, humaspost
for info in pkgutil.walk_packages(humaspost.__path__, "humaspost."):
    if not info.name.startswith("humaspost.cli") and info.name != "humaspost.__main__":
        importlib.import_module(info.name)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in {"typer", "rich", "click"})))
"""


def test_core_never_imports_typer_or_rich() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_CORE], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


RUN_CHECK_AND_LIST_IMPORTS = """
import sys
from humaspost.cli.app import build_app
try:
    build_app()(["check"])
except SystemExit as exit:
    code = exit.code
heavy = {"tweepy", "facebook", "apscheduler", "requests", "urllib3"}
print(code, " ".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def test_check_imports_no_network_or_scheduler_library(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2027-01-05 08:00\ntext: Halo\n")
    result = subprocess.run(
        [sys.executable, "-c", RUN_CHECK_AND_LIST_IMPORTS],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1].split() == ["0"], result.stdout + result.stderr


RUN_CHECK_BY_ITS_COMMAND_LINE = """
import sys
from humaspost.cli.app import main
sys.argv = ["humaspost", "--config", "humaspost.yaml", "check", "posts/a.yaml"]
try:
    main()
except SystemExit as exit:
    code = exit.code
others = {"humaspost.cli.daemon", "humaspost.cli.report", "humaspost.cli.inbox",
          "humaspost.daemon", "humaspost.report", "humaspost.inbox"}
print(code, " ".join(sorted(others & set(sys.modules))))
"""


def test_a_command_imports_only_its_own_modules(repo: Repo) -> None:
    # `check FILE` in an editor on every save should not pay for the daemon, the report
    # or the inbox (issue 15's one-file target).
    repo.post("a.yaml", "publish_at: 2027-01-05 08:00\ntext: Halo\n")
    result = subprocess.run(
        [sys.executable, "-c", RUN_CHECK_BY_ITS_COMMAND_LINE],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1].split() == ["0"], result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["check", "posts/a.md"], "check"),
        (["--config", "kota.yaml", "--debug", "inbox", "show", "3"], "inbox"),
        (["--config=kota.yaml", "log", "migrate"], "log"),
        (["--help"], None),
        (["-h", "check"], None),
        (["--version"], None),
        (["chek"], None),
        ([], None),
        (["--config"], None),
    ],
)
def test_the_command_a_command_line_runs(args: list[str], command: str | None) -> None:
    assert command_named(args) == command


def test_every_problem_code_is_documented() -> None:
    text = (PROJECT / "docs" / "problem-codes.md").read_text(encoding="utf-8")
    documented = re.findall(r"^### (HP\d{3})\b", text, flags=re.MULTILINE)
    assert documented == list(PROBLEM_CODES)


def test_every_command_has_help_and_is_in_the_cli_docs() -> None:
    docs = (PROJECT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, callback in commands():
        assert callback.__doc__
        assert f"humaspost {name}" in docs


# Exceptions the code raises for its own bugs, never shown as a user's message.
_PROGRAMMING_ERRORS = {
    "ValueError",
    "TypeError",
    "RuntimeError",
    "KeyError",
    "OSError",
    "AssertionError",
    "NotImplementedError",
    "LookupError",
    "IndexError",
    "AttributeError",
}
_WORDS = re.compile(r"[A-Za-z]{2,}")
# Option names and quoted keys are the same in every language: `--now: {reason}`.
_NAMES = re.compile(r"--[a-z-]+|'[a-z_]+'")
# The place a secret's problem points at when it is no file: a value of JSON output.
_MACHINE_VALUES = {"environment"}


def _literal_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return None


def _shows_to_a_user(call: ast.Call) -> str | None:
    """The name of a call whose text arguments a user reads: a Problem, one of our errors,
    or a checker's `self.report` / `self.error`."""
    func = call.func
    if isinstance(func, ast.Name):
        name = func.id
    elif isinstance(func, ast.Attribute):
        name = func.attr
        if name in {"report", "error"} and isinstance(func.value, ast.Name):
            return name if func.value.id == "self" else None
    else:
        return None
    if name == "Problem" or (name.endswith("Error") and name not in _PROGRAMMING_ERRORS):
        return name
    return None


def test_every_message_given_to_a_user_goes_through_the_catalog() -> None:
    unwrapped = []
    for path in sorted((PROJECT / "humaspost").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _shows_to_a_user(node) is None:
                continue
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                text = _literal_text(argument)
                if (
                    text
                    and _WORDS.search(_NAMES.sub("", text))
                    and not re.fullmatch(r"HP\d{3}", text)
                    and text not in _MACHINE_VALUES
                ):
                    unwrapped.append(f"{path.relative_to(PROJECT)}:{argument.lineno}: {text!r}")
    assert unwrapped == [], "wrap these in _() (see humaspost/i18n.py)"
