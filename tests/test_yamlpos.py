"""YAML with positions: data, spans, and every way a YAML text can be wrong."""

from __future__ import annotations

import pytest

from humaspost.yamlpos import YamlProblem, load_located


def problem(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        load_located(text)
    return caught.value


def test_data_and_spans_of_keys_and_values() -> None:
    located = load_located("a: 1\nb:\n  - x\n  - {c: yes}\n")
    assert located is not None
    assert located.data == {"a": 1, "b": ["x", {"c": True}]}
    key = located.key_span(("b",))
    assert key is not None and (key.line, key.column) == (2, 1)
    inner = located.value_span(("b", 1, "c"))
    assert inner is not None and (inner.line, inner.column) == (4, 9)


def test_line_offset_shifts_reported_lines() -> None:
    located = load_located("a: 1\n", line_offset=1)
    assert located is not None
    key = located.key_span(("a",))
    assert key is not None and key.line == 2
    assert problem_with_offset("a: [\n").span.line >= 2


def problem_with_offset(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        load_located(text, line_offset=1)
    return caught.value


def test_timestamps_stay_text_so_our_rules_parse_them() -> None:
    located = load_located("publish_at: 2026-12-01 08:00:00\nd: 2026-12-01\n")
    assert located is not None
    assert located.data == {"publish_at": "2026-12-01 08:00:00", "d": "2026-12-01"}


def test_empty_text_holds_nothing() -> None:
    assert load_located("") is None
    assert load_located("# only a comment\n") is None


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    found = problem("text: a\nto: x\ntext: b\n")
    assert found.code == "HP004"
    assert (found.span.line, found.span.column) == (3, 1)
    assert "line 1" in found.message


def test_tab_indentation_gets_a_hint() -> None:
    found = problem("a:\n\tb: 1\n")
    assert found.code == "HP003"
    assert found.span.line == 2
    assert found.hint is not None and "tab" in found.hint


def test_colon_in_plain_text_gets_a_hint() -> None:
    found = problem("text: Info: hubungi 112\n")
    assert found.code == "HP003"
    assert found.hint is not None and "quotes" in found.hint


def test_complex_key_is_refused() -> None:
    found = problem("? [a, b]\n: 1\n")
    assert found.code == "HP009"
    assert found.span.line == 1


def test_non_text_key_is_refused() -> None:
    assert problem("2026: x\n").code == "HP009"
    assert problem("yes: x\n").code == "HP009"


def test_alias_bomb_fails_fast_without_expanding() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    found = problem("\n".join(lines) + "\n")
    assert found.code == "HP005"


def test_a_few_aliases_are_fine() -> None:
    located = load_located("x: &t [a, b]\ny: *t\n")
    assert located is not None and located.data == {"x": ["a", "b"], "y": ["a", "b"]}


def test_unsafe_tags_are_refused() -> None:
    assert problem("x: !!python/object:os.system 1\n").code in ("HP003", "HP011")
    assert problem("x: !!binary aGVsbG8=\n").code == "HP011"
    assert problem("x: !custom 1\n").code == "HP011"


def test_second_document_is_named() -> None:
    found = problem("a: 1\n---\nb: 2\n")
    assert found.code == "HP003"
    assert "second YAML document" in found.message
    assert found.span.line == 2


def test_recursive_alias_and_deep_nesting_fail_cleanly() -> None:
    assert problem("tags: &a [*a]\n").message == "an alias refers to itself"
    assert problem("notes: " + "[" * 900 + "]" * 900 + "\n").code == "HP005"
    assert problem("notes: " + "[" * 5000 + "]" * 5000 + "\n").code in ("HP003", "HP005")


def test_unquoted_special_first_characters_get_a_hint() -> None:
    for text in ("repeat: */30 7 * * 0\n", "text: @pemkotbekasi halo\n"):
        found = problem(text)
        assert found.code == "HP003"
        assert found.hint is not None and "quotes" in found.hint


def test_text_yaml_drops_beside_a_one_line_value_is_recorded() -> None:
    cases = {
        "text: Pasar murah. #KotaBekasi\n": "#KotaBekasi",
        "text: #KotaBekasi Halo\n": "#KotaBekasi Halo",
        "text: &Pemkot hadir\n": "&Pemkot",
        'text: "Halo" #KotaBekasi\n': "#KotaBekasi",
    }
    for text, dropped in cases.items():
        located = load_located(text)
        assert located is not None and located.dropped == {("text",): dropped}, text
    for fine in ("text: Halo  # catatan\n", "text: |\n  Halo #KotaBekasi\n", "text: 'a #b'\n"):
        located = load_located(fine)
        assert located is not None and located.dropped == {}, fine


def test_places_are_counted_as_editors_count_them() -> None:
    # Only LF breaks lines; the end of a text without a final newline is on its last line.
    assert problem("a: 1\nb: [x").span[:2] == (2, 6)
    assert problem("a: 1\nb: [x\n").span[:2] == (2, 6)
    # libyaml puts the 'b' on line 4: U+2028 and U+0085 break lines for it.
    assert problem("a: x\u2028y\u0085\nb: [\n").span[:2] == (2, 1)
    assert problem("a: 1\nb: [\n").span[:2] == (2, 5)
    located = load_located('a: "é\u2029x"\nb: 😀 y\n')
    assert located is not None
    span = located.value_span(("b",))
    assert span is not None and (span.line, span.column, span.length) == (2, 4, 3)


def test_values_yaml_cannot_build_are_located() -> None:
    for text in ("n: 0x_\n", "n: 0b_\n", "n: -0x_\n", "n: !!float x\n", "n: !!bool x\n"):
        found = problem(text)
        assert (found.code, found.span.line, found.span.column) == ("HP012", 1, 4), text
    assert "4,300 digits" in problem("n: " + "9" * 4301 + "\n").message


def test_a_control_character_is_placed_where_it_is() -> None:
    found = problem("a: 1\nb: x\x00y\n")
    assert (found.code, found.span.line, found.span.column) == ("HP015", 2, 5)
    assert "U+0000" in found.message and "position" not in found.message
