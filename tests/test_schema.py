"""`humaspost schema`: a valid draft 2020-12 schema that accepts the bundled posts and
judges field names and types as `humaspost check` does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.conftest import Repo, run_humaspost

PROJECT = Path(__file__).resolve().parents[1]
BASE: dict[str, Any] = {"publish_at": "2027-01-05 08:00", "to": "pemkot-x", "text": "Halo"}


class _TimesAsText(yaml.SafeLoader):
    """safe_load as humaspost reads posts (yamlpos): a timestamp stays the text written,
    and bools, numbers and nulls are what YAML 1.1 makes them."""


def _as_written(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)  # a timestamp is always a scalar
    return str(loader.construct_scalar(node))


_TimesAsText.add_constructor("tag:yaml.org,2002:timestamp", _as_written)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_TimesAsText)


def front_matter(text: str) -> str:
    lines = text.split("\n")
    assert lines[0] == "---"
    return "\n".join(lines[1 : lines.index("---", 1)])


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The schema as printed, anywhere: it needs no configuration."""
    result = run_humaspost("schema", cwd=tmp_path_factory.mktemp("anywhere"))
    assert result.returncode == 0, result.stderr
    printed: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator.check_schema(printed)
    return printed


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def test_schema_is_draft_2020_12_with_plain_descriptions(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"]
    assert schema["additionalProperties"] is False

    def described(node: dict[str, Any]) -> None:
        for field, sub in node.get("properties", {}).items():
            assert sub.get("description"), field
            described(sub)
            described(sub.get("items", {}))

    described(schema)


def test_output_writes_the_same_schema_to_a_file(tmp_path: Path) -> None:
    printed = run_humaspost("schema", cwd=tmp_path)
    written = run_humaspost("schema", "--output", "post.schema.json", cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == ""
    assert (tmp_path / "post.schema.json").read_text(encoding="utf-8") == printed.stdout


def test_output_to_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_humaspost("schema", "--output", "nope/post.schema.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot write 'nope/post.schema.json'" in result.stderr


EXAMPLES = sorted(
    path for path in (PROJECT / "posts").rglob("*") if path.suffix in (".md", ".yaml", ".yml")
)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_bundled_example_validates(path: Path, validator: Draft202012Validator) -> None:
    text = path.read_text(encoding="utf-8")
    data = load(front_matter(text) if path.suffix == ".md" else text)
    assert list(validator.iter_errors(data)) == []


def test_bundled_examples_include_both_file_types() -> None:
    assert {path.suffix for path in EXAMPLES} >= {".md", ".yaml"}


BAD_POSTS = {
    "unknown-field": ({**BASE, "publish_time": "2027-01-05 08:00"}, "HP101"),
    "to-a-number": ({**BASE, "to": 5}, "HP102"),
    "media-item-without-file": ({**BASE, "media": [{"alt": "Poster"}]}, "HP104"),
    "media-file-with-no-value": ({**BASE, "media": [{"file": None, "alt": "Poster"}]}, "HP110"),
    "thread-not-a-list": ({"publish_at": "2027-01-05 08:00", "thread": "Halo"}, "HP102"),
    "link-under-twitter": ({**BASE, "twitter": {"link": "https://a.go.id"}}, "HP101"),
    "date-without-time": ({**BASE, "publish_at": "2027-01-05"}, "HP105"),
    "one-digit-minutes": ({**BASE, "publish_at": "2027-01-05 08.0"}, "HP105"),
    "amplify-without-by": ({**BASE, "amplify": {"after": "10m"}}, "HP104"),
    "amplify-by-with-no-value": ({**BASE, "amplify": {"by": None}}, "HP110"),
    "amplify-after-in-words": (
        {**BASE, "amplify": {"by": "kec-timur", "after": "10 menit"}},
        "HP102",
    ),
    "amplify-a-list": ({**BASE, "amplify": ["kec-timur"]}, "HP102"),
    "repost-a-number": ({**BASE, "repost": 1864000000000000000}, "HP102"),
    "reply-to-in-quotes": ({**BASE, "reply_to": "42"}, "HP102"),
    "reply-to-zero": ({**BASE, "reply_to": 0}, "HP125"),
}


def test_bad_posts_are_rejected_by_the_schema_and_by_check(
    repo: Repo, validator: Draft202012Validator
) -> None:
    for name, (data, _) in BAD_POSTS.items():
        assert not validator.is_valid(data), name
        repo.post(f"{name}.yaml", yaml.safe_dump(data))
    codes = codes_by_file(repo)
    for name, (_, code) in BAD_POSTS.items():
        assert code in codes[f"{name}.yaml"], name


@pytest.mark.parametrize(
    "written",
    ["2026-12-01 08:00", "2026-12-01 08.30", "2026-12-01T08:00:00+07:00", "2026-12-01 08:00Z",
     "2026-12-01t08.00+0800", " 2026-12-01  08:00 ", "2026-12-01 10:00 +08"],
)  # fmt: skip
def test_the_accepted_time_forms_match_the_pattern(
    written: str, validator: Draft202012Validator
) -> None:
    assert validator.is_valid({"publish_at": written, "until": written, "expires_at": written})


# Values of every JSON type, and lists of them: each is put at every place below, and
# the schema's verdict compared with check's. A text value is one the field accepts as
# text, so that only its type is judged.
SAMPLES: list[Any] = [
    "TEXT", 5, 1.5, True, None, [], ["a", "b"], ["a", 5], [None], [{"file": "x.png"}],
    {"text": "x"}, {"file": "x.png", "alt": "Poster"},
]  # fmt: skip
TEXT_FOR = {
    "publish_at": "2027-01-05 08:00",
    "until": "2027-02-01 08:00",
    "expires_at": "2027-01-05 09:00",
    "repeat": "0 8 * * 1",
    "to": "pemkot-x",
    "id": "uji/satu",
    "link": "https://bekasikota.go.id",
    "file": "../media/x.png",
    "by": "kec-timur",
    "after": "10m",
    "spread": "30m",
    "repost": "https://x.com/pemkotbekasi/status/1864000000000000000",
}
UNKNOWN = ["publish_time", "link", "x", "caption"]


def places(schema: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Every field the schema knows (top level, sections, a media item), and unknown
    names beside them."""
    properties = schema["properties"]
    media = properties["media"]["items"]["properties"]
    found: list[tuple[str | int, ...]] = []
    for name, sub in properties.items():
        found.append((name,))
        found += [(name, field) for field in sub.get("properties", {})]
        found += [(name, "bogus")] if "properties" in sub else []
    found += [("media", 0, field) for field in [*media, "caption"]]
    found += [(name,) for name in UNKNOWN]
    return found


def placed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(BASE))
    if path[0] == "media" and len(path) > 1:
        data["media"] = [{"file": "../media/x.png", "alt": "Poster"}]
    if path[0] == "amplify" and len(path) > 1:
        data["amplify"] = {"by": "kec-timur"}
    target: Any = data
    for step in path[:-1]:
        target = target.setdefault(step, {}) if isinstance(target, dict) else target[step]
    last = path[-1]
    if value == "TEXT":
        value = TEXT_FOR.get(str(last), "kata")
    target[last] = value
    if last == "thread" and len(path) == 1:
        del data["text"]  # text and thread together is HP111, another rule
    return data


def test_schema_and_check_agree_on_field_names_and_types(
    repo: Repo, schema: dict[str, Any], validator: Draft202012Validator
) -> None:
    cases: dict[str, dict[str, Any]] = {}
    for path in places(schema):
        for index, value in enumerate(SAMPLES):
            if path in (("media", 0, "file"), ("amplify", "by")) and value is None:
                continue  # a required field without a value: HP110, in BAD_POSTS
            if path == ("amplify",) and isinstance(value, dict):
                continue  # a mapping without 'by': HP104, in BAD_POSTS
            cases[f"{'.'.join(map(str, path))}-{index}.yaml"] = placed(path, value)
    for name, data in cases.items():
        repo.post(name, yaml.safe_dump(data, allow_unicode=True))
    codes = codes_by_file(repo)
    disagree = {
        name: (sorted(codes.get(name, set())), data)
        for name, data in cases.items()
        if validator.is_valid(data) == bool(codes.get(name, set()) & {"HP101", "HP102"})
    }
    assert disagree == {}
    rejected = sum(not validator.is_valid(data) for data in cases.values())
    assert 0 < rejected < len(cases)  # the list holds both kinds


def codes_by_file(repo: Repo) -> dict[str, set[str]]:
    """The problem codes `check` reports, by file name under posts/."""
    result = run_humaspost("check", "--format", "json", cwd=repo.root)
    assert result.returncode in (0, 1), result.stderr
    codes: dict[str, set[str]] = {}
    for problem in json.loads(result.stdout)["problems"]:
        codes.setdefault(problem["file"].removeprefix("posts/"), set()).add(problem["code"])
    return codes
