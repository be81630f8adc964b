"""The configuration: discovery, validation, secrets as references only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from humaspost.config import (
    environment_with_dotenv,
    find_config,
    load_config,
    resolve_account_settings,
)
from humaspost.problems import ConfigError, Problem
from tests.conftest import Repo


def config_problems(repo: Repo, text: str) -> list[Problem]:
    repo.write_config(text)
    with pytest.raises(ConfigError) as caught:
        repo.config()
    return caught.value.problems


def test_example_like_config_loads(repo: Repo) -> None:
    config = repo.config()
    assert config.timezone.key == "Asia/Jakarta"
    assert config.posts_dir == repo.root.resolve() / "posts"
    assert config.state_dir == repo.root.resolve() / ".humaspost"
    assert config.max_delay == timedelta(hours=2)
    assert config.require_alt_text is True
    assert config.expand("semua-kecamatan") == ("kec-timur", "kec-barat")
    assert config.expand("pemkot-x") == ("pemkot-x",)
    assert config.expand("nope") is None
    assert config.default_to == ("pemkot-x", "pemkot-fb")


def test_shipped_example_config_is_valid() -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "config.example.yaml")
    assert "latihan" in config.accounts


def test_literal_secret_is_an_error_that_never_shows_the_value(repo: Repo) -> None:
    token = "EAAGm0PX4ZCpsBAKZCZB0secret"
    problems = config_problems(
        repo,
        f"""\
        accounts:
          pemkot-fb:
            platform: facebook
            page_id: "1"
            access_token: {token}
        """,
    )
    assert [p.code for p in problems] == ["HP504"]
    assert problems[0].line == 5 and problems[0].column == 19
    assert "access_token" in problems[0].message
    for problem in problems:
        assert token not in problem.message and token not in (problem.hint or "")


def test_unknown_keys_names_and_members_are_located(repo: Repo) -> None:
    problems = config_problems(
        repo,
        """\
        timezone: Asia/Jakarta
        max_dealy: 2h
        accounts:
          Pemkot_X:
            platform: sandbox
          latihan:
            platform: sandbox
            colour: red
        groups:
          semua: [latihan, kec-lama]
        """,
    )
    by_code = {p.code: p for p in problems}
    assert by_code["HP502"].line in (2, 8)
    assert any(p.code == "HP502" and "did you mean 'max_delay'" in (p.hint or "") for p in problems)
    assert (by_code["HP505"].line, by_code["HP505"].column) == (4, 3)
    assert (by_code["HP506"].line, by_code["HP506"].column) == (10, 20)


@pytest.mark.parametrize(
    ("snippet", "code"),
    [
        ("timezone: Asia/Bekasi\naccounts: {a: {platform: sandbox}}\n", "HP507"),
        ("timezone: WIB\naccounts: {a: {platform: sandbox}}\n", "HP507"),
        ("accounts: {a: {platform: instagram}}\n", "HP508"),
        ("accounts: {a: {}}\n", "HP508"),
        ("accounts: {}\n", "HP503"),
        ("max_delay: soon\naccounts: {a: {platform: sandbox}}\n", "HP503"),
        ("require_alt_text: maybe\naccounts: {a: {platform: sandbox}}\n", "HP503"),
        ("accounts: {a: {platform: sandbox, like: instagram}}\n", "HP503"),
        ("accounts: {a: {platform: sandbox, daily_limit: 0}}\n", "HP503"),
        ('accounts: {a: {platform: facebook, page_id: pemkot, access_token: "${T}"}}\n', "HP503"),
        ('accounts: {a: {platform: twitter, consumer_key: "${K}"}}\n', "HP503"),
        ("accounts: {a: {platform: sandbox}}\ngroups: {a: [a]}\n", "HP505"),
        ("accounts: {a: {platform: sandbox}}\ndefaults: {to: [b]}\n", "HP506"),
        ("- a\n- b\n", "HP008"),
        ("accounts:\n\tpemkot: x\n", "HP003"),
        ("a: 1\na: 2\n", "HP004"),
    ],
)
def test_invalid_configs(repo: Repo, snippet: str, code: str) -> None:
    problems = config_problems(repo, snippet)
    assert code in [p.code for p in problems]
    assert all(p.file.endswith("humaspost.yaml") for p in problems)


def test_discovery_order(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    upper = tmp_path / "humaspost.yaml"
    upper.write_text("accounts: {a: {platform: sandbox}}\n")
    other = tmp_path / "other.yaml"
    other.write_text("accounts: {a: {platform: sandbox}}\n")
    deep = tmp_path / "a" / "b"
    assert find_config(None, {}, deep) == upper
    assert find_config(None, {"HUMASPOST_CONFIG": str(other)}, deep) == other
    assert find_config(Path("../../other.yaml"), {"HUMASPOST_CONFIG": "x"}, deep).samefile(other)


def test_discovery_failures_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find_config(None, {}, tmp_path)
    assert caught.value.problems[0].code == "HP501"
    assert "init" in (caught.value.problems[0].hint or "")
    with pytest.raises(ConfigError):
        find_config(Path("missing.yaml"), {}, tmp_path)
    with pytest.raises(ConfigError):
        find_config(None, {"HUMASPOST_CONFIG": "missing.yaml"}, tmp_path)


def test_secrets_resolve_from_environment_and_dotenv(repo: Repo) -> None:
    config = repo.config()
    (repo.root / ".env").write_text("FB_TOKEN=from-dotenv\nX_KEY=dotenv-key\n")
    env = environment_with_dotenv(config, {"X_KEY": "from-environ"})
    assert env["X_KEY"] == "from-environ"
    settings = resolve_account_settings(config.accounts["pemkot-fb"], env)
    assert settings["access_token"] == "from-dotenv"
    assert settings["page_id"] == "104857600000000"


def test_missing_secret_is_named_never_valued(repo: Repo) -> None:
    config = repo.config()
    with pytest.raises(ConfigError) as caught:
        resolve_account_settings(config.accounts["pemkot-x"], {"X_KEY": "k-value"})
    messages = " ".join(p.message for p in caught.value.problems)
    assert [p.code for p in caught.value.problems] == ["HP509"] * 3
    assert "X_SECRET" in messages and "X_TOKEN_SECRET" in messages
    assert "k-value" not in messages


def test_unreadable_and_non_utf8_config(repo: Repo) -> None:
    path = repo.root / "humaspost.yaml"
    path.write_bytes(b"timezone: Asia/Jakarta\naccounts: {a: {platform: sandbox}}\n# \xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems[0].code == "HP002"
    assert caught.value.problems[0].line == 3
