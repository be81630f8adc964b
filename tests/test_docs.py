"""The documentation keeps up with the code: every command is documented, every link
leads somewhere, and the staff guides show the states and the example post as they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from humaspost import i18n
from humaspost.cli.app import TOP_LEVEL
from humaspost.lifecycle import State, state_label
from humaspost.scaffold import EXAMPLE_TEMPLATE

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
STAFF_GUIDES = (DOCS / "staff-guide.md", DOCS / "id" / "panduan-staf.md")
DOCUMENTS = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])

_FENCE = re.compile(r"^(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _prose_lines(path: Path) -> list[str]:
    """The lines of a Markdown file outside fenced code blocks."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file, numbered as GitHub numbers repeats."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in _prose_lines(path):
        match = _HEADING.match(line)
        if match is None:
            continue
        slug = _slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _links(path: Path) -> list[str]:
    """The targets of the links and images in a Markdown file's prose."""
    targets = []
    for line in _prose_lines(path):
        targets += _LINK.findall(_CODE_SPAN.sub("", line))
    return targets


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("document", DOCUMENTS, ids=_relative)
def test_every_relative_link_and_anchor_leads_somewhere(document: Path) -> None:
    broken = []
    for target in _links(document):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto:: not on this machine
        file_part, _, anchor = target.partition("#")
        destination = (document.parent / file_part).resolve() if file_part else document
        if not destination.exists() or (
            anchor and destination.suffix == ".md" and anchor not in _anchors(destination)
        ):
            broken.append(target)
    assert broken == []


def test_the_anchors_follow_githubs_rules() -> None:
    assert _slug("`--now` and the real clock") == "--now-and-the-real-clock"
    assert _slug("Berlatih: `publish --sandbox`, `schedule`, `log`") == (
        "berlatih-publish---sandbox-schedule-log"
    )
    assert _slug("Your first post (.md)") == "your-first-post-md"


COMMANDS = list(TOP_LEVEL)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_section_in_the_cli_docs_and_is_in_both_staff_guides(
    command: str,
) -> None:
    cli = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^## humaspost {command}$", cli, flags=re.MULTILINE)
    for guide in STAFF_GUIDES:
        assert f"humaspost {command}" in guide.read_text(encoding="utf-8"), guide.name


def test_the_staff_guides_name_every_state_as_humaspost_shows_it() -> None:
    english = STAFF_GUIDES[0].read_text(encoding="utf-8")
    indonesian = STAFF_GUIDES[1].read_text(encoding="utf-8")
    try:
        i18n.use("id")
        names = {state: state_label(state) for state in State}
    finally:
        i18n.use("en")
    for state, name in names.items():
        assert f"\n| {state.value} |" in english, state
        assert f"\n| {name} |" in indonesian, (state, name)


def test_the_staff_guides_show_the_example_post_init_writes() -> None:
    # Both show it as a plain `init` writes it: in Indonesian, the language init chooses.
    template = i18n.translations_for("id").gettext(EXAMPLE_TEMPLATE)
    example = template.format(publish_at="2026-12-01 09:00")
    for guide in STAFF_GUIDES:
        assert f"```markdown\n{example}```" in guide.read_text(encoding="utf-8"), guide.name


def test_the_two_staff_guides_have_the_same_sections_and_links() -> None:
    def shape(guide: Path) -> tuple[list[str], set[str]]:
        levels = [m.group(1) for m in map(_HEADING.match, _prose_lines(guide)) if m]
        targets = set()
        for target in _links(guide):
            file_part, _, anchor = target.partition("#")
            if file_part and not file_part.endswith(("staff-guide.md", "panduan-staf.md")):
                targets.add(f"{_relative((guide.parent / file_part).resolve())}#{anchor}")
        return levels, targets

    assert shape(STAFF_GUIDES[0]) == shape(STAFF_GUIDES[1])
