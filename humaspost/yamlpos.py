"""YAML with positions: plain Python data plus the line and column of every key and value.

PyYAML's loaders forget where things came from and keep the last of two duplicate keys
silently. We let libyaml compose the node graph (aliases stay shared nodes, so nothing is
expanded yet) and build the data ourselves, recording positions, refusing duplicate and
complex keys, and stopping an alias bomb after a bounded number of nodes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from humaspost.i18n import N_, _
from humaspost.problems import Span

# libyaml's C parser where it is installed (it nearly always is with PyYAML wheels).
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A post or config has at most a few hundred nodes and a few levels; past these limits,
# aliases are being abused (an alias bomb) or the file is not a post.
MAX_NODES = 20_000
MAX_DEPTH = 50
# Texts up to this length are kept once however many posts hold them (sys.intern).
_SHARED_TEXT = 40

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    _TIMESTAMP,
}
_constructor = yaml.constructor.SafeConstructor()
# The tags of plain scalars met so far (keys, names, times): a post's keys repeat in
# every file, and PyYAML's resolver tries its regexes on each.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 50_000
_REMEMBERED_LENGTH = 40


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, resolving tags as it does, but faster: the parser asks for the
    tag of every node. (The safe loader has no path resolvers, which would change tags
    by where a node is; nothing here adds any.)"""

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode:
            return _SEQ if kind is SequenceNode else _MAP
        if not implicit[0]:  # quoted, or a block: text
            return _STR
        known = _PLAIN_TAGS.get(value)
        if known is not None:
            return known
        tag: str = super().resolve(kind, value, implicit)
        if len(value) <= _REMEMBERED_LENGTH and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
            _PLAIN_TAGS[value] = tag
        return tag


# The tag YAML gives a plain scalar by itself (typed here: PyYAML's stubs leave it untyped).
_resolve: Callable[[type[Node], str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve

# The words of libyaml's syntax errors that post files meet most (and those of PyYAML's
# own parser, used where libyaml is missing), so that they can be shown translated; any
# other wording is shown in English, as libyaml writes it.
_YAML_PHRASES = frozenset(
    {
        N_("mapping values are not allowed in this context"),
        N_("mapping values are not allowed here"),
        N_("block sequence entries are not allowed in this context"),
        N_("sequence entries are not allowed here"),
        N_("found character that cannot start any token"),
        N_("found a tab character that violates indentation"),
        N_("could not find expected ':'"),
        N_("found unexpected end of stream"),
        N_("did not find expected key"),
        N_("did not find expected ',' or ']'"),
        N_("did not find expected ',' or '}'"),
        N_("did not find expected '-' indicator"),
        N_("did not find expected alphabetic or numeric character"),
        N_("did not find expected comment or line break"),
        N_("found undefined alias"),
        N_("found unknown escape character"),
        N_("while scanning for the next token"),
        N_("while scanning a simple key"),
        N_("while scanning a quoted scalar"),
        N_("while parsing a quoted scalar"),
        N_("while scanning a plain scalar"),
        N_("while scanning a block scalar"),
        N_("while scanning an anchor"),
        N_("while scanning an alias"),
        N_("while parsing a block mapping"),
        N_("while parsing a block collection"),
        N_("while parsing a flow sequence"),
        N_("while parsing a flow mapping"),
    }
)
# PyYAML's own parser names the character: "found character '\t' that cannot start any token".
_CHARACTER_CANNOT_START = re.compile(r"^found character (.+) that cannot start any token$")
_NOT_ALIASES_HINT = N_("post files need no anchors or aliases (& and *); write the values out")


@dataclass(frozen=True)
class YamlProblem(Exception):
    """A located reason why a YAML text cannot be turned into data."""

    code: str
    message: str
    span: Span
    hint: str | None = None


@dataclass
class Located:
    """Data loaded from YAML, and where each key and value (by path) is written.

    Places are kept as the nodes themselves and turned into spans only when a problem
    needs one: most values never do, and `check` reads every node of every post.
    """

    data: Any
    line_offset: int = 0
    keys: dict[Path, Node | Span] = field(default_factory=dict)
    values: dict[Path, Node | Span] = field(default_factory=dict)
    # Text YAML read as a comment or an anchor beside a one-line value (see _Builder).
    dropped: dict[Path, str] = field(default_factory=dict)
    # The YAML text, to turn the nodes' marks into lines and columns as editors count them.
    text: str = field(default="", repr=False)
    # Spans worked out so far, by the id of their node (kept alive here, so that the id
    # stays its own): `check` asks for the same few places once per account and part.
    _spans: dict[int, tuple[Node, Span]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Whether libyaml's own lines and columns are the editors' here (see _place).
    _plain_lines: bool | None = field(default=None, init=False, repr=False, compare=False)

    def has_key(self, path: Path) -> bool:
        """Whether the key at `path` is written in the YAML."""
        return path in self.keys

    def key_span(self, path: Path) -> Span | None:
        """Where the key at `path` is written, else where its nearest parent is."""
        place = self.keys.get(path)
        return self._span(place) if place is not None else self.value_span(path[:-1])

    def value_span(self, path: Path) -> Span | None:
        """Where the value at `path` is written, else where its nearest parent is."""
        while path and path not in self.values:
            path = path[:-1]
        place = self.values.get(path)
        return self._span(place) if place is not None else None

    def _span(self, place: Node | Span) -> Span:
        if isinstance(place, Span):
            return place
        known = self._spans.get(id(place))
        if known is None:
            if self._plain_lines is None:
                self._plain_lines = not any(char in self.text for char in _OTHER_LINE_COUNTS)
            span = _span(place, self.text, self.line_offset, plain_lines=self._plain_lines)
            known = self._spans[id(place)] = (place, span)
        return known[1]


def _span(node: Node, text: str, line_offset: int, *, plain_lines: bool = False) -> Span:
    """Where `node` is written. With `plain_lines` (the text holds none of
    _OTHER_LINE_COUNTS), libyaml's marks count as editors do, but at the end of the text."""
    start, end = node.start_mark, node.end_mark
    if plain_lines and end.index < len(text):
        first, last = (start.line, start.column), (end.line, end.column)
    else:
        first, last = _place(text, start.index), _place(text, end.index)
    length = last[1] - first[1] if last[0] == first[0] else 1
    return Span(first[0] + 1 + line_offset, first[1] + 1, max(length, 1))


def _mark_span(text: str, index: int, line_offset: int) -> Span:
    line, column = _place(text, index)
    return Span(line + 1 + line_offset, column + 1)


# What makes libyaml's lines and columns differ from editors': its other line breaks,
# and a byte order mark, which it skips without counting it.
_OTHER_LINE_COUNTS = ("\r", "\x85", "\u2028", "\u2029", "\ufeff")


def _place(text: str, index: int) -> tuple[int, int]:
    """The 0-based line and column of character `index`, as editors and GitHub count them.

    libyaml's own line numbers also break at U+0085, U+2028 and U+2029, and it reports
    the end of a text without a final newline on a line after the last; editors break
    lines at LF only. So the place is counted from the character index (where libyaml's
    count could differ: see `_span`), and a place past the last line moves to the end
    of that line.
    """
    if index >= len(text) and text.endswith("\n"):  # the only place past the last line
        line_start = text.rfind("\n", 0, len(text) - 1) + 1
        return text.count("\n") - 1, len(text) - 1 - line_start
    index = min(index, len(text))
    return text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1)


def load_located(text: str, *, line_offset: int = 0) -> Located | None:
    """Parse one YAML document; None if it holds nothing. Raises YamlProblem.

    `line_offset` shifts reported lines, for YAML that starts inside a larger file
    (the front matter of a .md post).
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        raise YamlProblem("HP005", _("nested too deeply"), Span(1 + line_offset, 1)) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, text, line_offset) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text, line_offset) from None
    except yaml.YAMLError:  # unmarked and not from the reader: not known to happen
        raise YamlProblem("HP003", _("invalid YAML"), Span(1 + line_offset, 1)) from None
    if root is None:
        return None
    located = Located(None, line_offset, text=text)
    located.data = _Builder(text, located, line_offset).build(root, ())
    return located


def _reader_problem(exc: yaml.reader.ReaderError, text: str, line_offset: int) -> YamlProblem:
    """A character YAML refuses (a control character, often pasted and invisible), placed
    where it is rather than as libyaml's raw 'position 53'."""
    character = exc.character
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return YamlProblem(
        "HP015",
        _("the text contains a control character (U+{code:04X}) that YAML does not allow").format(
            code=code
        ),
        _mark_span(text, exc.position, line_offset),
        _("delete it: it is invisible in most editors and usually comes from pasted text"),
    )


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, line_offset: int) -> YamlProblem:
    mark: Mark | None = exc.problem_mark or exc.context_mark
    span = _mark_span(text, mark.index, line_offset) if mark else Span(1 + line_offset, 1)
    if "expected a single document" in str(exc):
        return YamlProblem(
            "HP003",
            _("a second YAML document starts here ('---')"),
            span,
            _("a post file holds one post; in a .md file the body follows the front matter"),
        )
    # The hint is chosen by libyaml's English words, before they are translated.
    problem = exc.problem or ""
    context = exc.context or ""
    hint = None
    if "tab" in problem or (mark is not None and text[mark.index : mark.index + 1] == "\t"):
        hint = _("indent with spaces, not tabs")
    elif "mapping values are not allowed" in problem:
        hint = _(
            "put text containing ': ' in quotes, or use a block: 'text: |' and indent the text"
        )
    elif "could not find expected ':'" in problem:
        hint = _("each field is written as 'name: value'")
    elif "alias" in context or "anchor" in context or "cannot start any token" in problem:
        hint = _(
            "a value starting with * & ! @ ` % | > or a quote must be put in quotes, "
            'e.g. repeat: "*/30 7 * * 0"'
        )
    said = _yaml_phrase(problem) if problem else _("invalid YAML")
    if context:
        message = _("YAML syntax error: {problem} {context}").format(
            problem=said, context=_yaml_phrase(context)
        )
    else:
        message = _("YAML syntax error: {problem}").format(problem=said)
    return YamlProblem("HP003", message, span, hint)


def _yaml_phrase(phrase: str) -> str:
    """libyaml's (or PyYAML's) words for a syntax error, translated where they are known."""
    if phrase in _YAML_PHRASES:
        return _(phrase)
    named = _CHARACTER_CANNOT_START.match(phrase)
    if named is not None:
        return _("found character {character} that cannot start any token").format(
            character=named.group(1)
        )
    return phrase


class _Builder:
    """Turns composed nodes into data, recording spans and refusing what YAML would hide."""

    def __init__(self, text: str, out: Located, offset: int) -> None:
        self.text = text
        self.out = out
        self.offset = offset
        self.budget = MAX_NODES
        self.open: set[int] = set()  # ids of the collections being built: catches cycles

    def span(self, node: Node) -> Span:
        return _span(node, self.text, self.offset)

    def build(self, node: Node, path: Path) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlProblem(
                "HP005",
                _("YAML aliases expand to too much data"),
                self.span(node),
                _(_NOT_ALIASES_HINT),
            )
        if len(path) > MAX_DEPTH or id(node) in self.open:
            raise YamlProblem(
                "HP005",
                _("an alias refers to itself") if id(node) in self.open else _("nested too deeply"),
                self.span(node),
                _(_NOT_ALIASES_HINT),
            )
        self.out.values[path] = node
        if isinstance(node, ScalarNode):
            self.note_dropped(node, path)
            # Timestamps are kept as written: times are parsed by our own rules
            # (timezone, bare dates).
            if node.tag not in (_STR, _TIMESTAMP):
                return self.scalar(node)
            value: str = node.value
            # Short texts (account names, tags, authors, media files) recur across
            # posts: one copy each, as the daemon keeps thousands of posts.
            return sys.intern(value) if len(value) <= _SHARED_TEXT else value
        self.open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                self.require_tag(node, _SEQ)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                self.require_tag(node, _MAP)
                return self.mapping(node, path)
        finally:
            self.open.discard(id(node))
        raise YamlProblem("HP011", _("unsupported YAML node"), self.span(node))

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in result:
                first = self.out.key_span((*path, key))
                raise YamlProblem(
                    "HP004",
                    _("duplicate key '{key}' (first written on line {line})").format(
                        key=key, line=first and first.line
                    ),
                    self.span(key_node),
                    _("YAML keeps only one of them; remove or rename the other"),
                )
            at = (*path, key)
            self.out.keys[at] = key_node
            result[key] = self.build(value_node, at)
        return result

    def note_dropped(self, node: ScalarNode, path: Path) -> None:
        """Record text that YAML silently drops beside a one-line value: a `#hashtag`
        read as a comment, or an `&word` read as an anchor."""
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            return
        text = self.text
        if text.startswith("&", start.index, end.index):
            self.out.dropped[path] = text[start.index : end.index].split(maxsplit=1)[0]
            return
        line_end = text.find("\n", end.index)
        line_end = len(text) if line_end < 0 else line_end
        hash_at = text.find("#", end.index, line_end)
        # `# note` is a comment; `#KotaBekasi` right after the value was meant as text.
        if hash_at >= 0 and text[hash_at + 1 : hash_at + 2] not in ("", " ", "\t"):
            self.out.dropped[path] = text[hash_at:line_end].rstrip()

    def require_tag(self, node: Node, tag: str) -> None:
        if node.tag != tag:
            raise YamlProblem("HP011", _unsupported_tag(node), self.span(node))

    def key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise YamlProblem(
                "HP009",
                _("a key must be a plain name, not a list or a mapping"),
                self.span(node),
                _("a '?' or a '[' / '{' before the colon makes a complex key"),
            )
        if node.tag != _STR:
            # `1: x` or `true: x` would silently become non-text keys.
            raise YamlProblem(
                "HP009",
                _("a key must be a name, not '{value}'").format(value=_short(node.value)),
                self.span(node),
                _("put the key in quotes if you mean it as text"),
            )
        return sys.intern(node.value)

    def scalar(self, node: ScalarNode) -> Any:
        """A scalar that is neither text nor a time, built as its tag says."""
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem("HP011", _unsupported_tag(node), self.span(node))
        try:
            # An int, float, bool or null, built the way YAML 1.1 (PyYAML's safe loader) does.
            return _constructor.yaml_constructors[node.tag](_constructor, node)
        except (ValueError, KeyError, IndexError) as exc:  # int()/float() refuse it, bools
            # are looked up, an empty `!!float` is indexed
            raise _invalid_value(node, exc, self.span(node)) from None


def _unsupported_tag(node: Node) -> str:
    return _("unsupported YAML tag '{tag}'").format(tag=_short(node.tag))


def _short(value: str) -> str:
    # Values are quoted to help find them; a 5,000-digit one would flood the message.
    return value if len(value) <= 40 else value[:39] + "…"


def _invalid_value(node: ScalarNode, error: Exception, span: Span) -> YamlProblem:
    """Why a scalar cannot be the number or boolean its tag says (`0x_`, `!!int x`)."""
    kind = node.tag.rsplit(":", 1)[-1]
    implicit = not node.style and _resolve(ScalarNode, node.value, (True, False)) == node.tag
    if "digits" in str(error):  # Python's limit on converting long digit strings
        message = _("a number of more than 4,300 digits")
    elif implicit and kind == "int":
        message = _("YAML reads this value as a whole number, but it is not a valid one")
    elif implicit and kind == "float":
        message = _("YAML reads this value as a number, but it is not a valid one")
    elif implicit:
        message = _("YAML reads this value as {kind}, but it is not a valid one").format(kind=kind)
    else:
        message = _("the value is not a valid !!{kind}").format(kind=kind)
    hint = (
        _("put it in quotes if you mean it as text")
        if implicit
        else _("remove the '!!{kind}' tag").format(kind=kind)
    )
    return YamlProblem("HP012", message, span, hint)
