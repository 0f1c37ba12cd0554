"""Reading YAML: plain data with lines, and hostile documents refused quickly."""

from __future__ import annotations

import pytest

from bot.core.yamlio import MAX_DEPTH, YamlList, YamlMap, YamlProblem, parse_yaml

BILLION_LAUGHS = b"""
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_values_remember_their_lines() -> None:
    """Mappings and lists carry the line of every key, value and item."""
    data = parse_yaml(b"title: A\nitems:\n  - one\n  - two\n")

    assert isinstance(data, YamlMap)
    assert isinstance(data["items"], YamlList)
    assert data.line_of_key("items") == 2
    assert data["items"].item_lines == [3, 4]
    assert data.line_of("missing") == 1


def test_alias_bomb_is_refused_at_the_first_alias() -> None:
    """A billion-laughs document is refused without expanding a single alias."""
    with pytest.raises(YamlProblem) as raised:
        parse_yaml(BILLION_LAUGHS)

    assert raised.value.line == 2  # where the first anchor is set
    assert "aliases" in raised.value.message


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    """Deeply nested lists are refused with a message, never a RecursionError."""
    with pytest.raises(YamlProblem) as raised:
        parse_yaml(b"[" * depth + b"]" * depth)

    assert "nest" in raised.value.message


@pytest.mark.parametrize(
    "document",
    [
        b"!!python/object/apply:os.system ['echo pwned']",
        b"x: !!python/name:os.system",
        b"x: !!binary aGVsbG8=",
        b"x: !custom thing",
        b"x: 2024-01-01",
        b"? [a, b]\n: value",
    ],
)
def test_anything_but_plain_data_is_refused(document: bytes) -> None:
    """Tags that would build objects, and non-text keys, are refused rather than constructed."""
    with pytest.raises(YamlProblem):
        parse_yaml(document)


def test_other_encodings_are_refused() -> None:
    """A UTF-16 file is refused as not UTF-8, with the line of the first bad byte."""
    with pytest.raises(YamlProblem) as raised:
        parse_yaml("title: Ünïcode\n".encode("utf-16"))

    assert raised.value.message.startswith("not UTF-8 text")


def test_utf8_byte_order_mark_is_accepted() -> None:
    """Editors that write a UTF-8 BOM still produce a readable file."""
    assert parse_yaml("\ufefftitle: Ok\n".encode()) == {"title": "Ok"}


def test_an_over_indented_list_item_is_marked_as_merged() -> None:
    """A deeper "- " folds into the plain text above it; the list records the line it came from."""
    data = parse_yaml(b"questions:\n  - who profits most\n    - does russia lose out\n  - third\n")

    assert data["questions"][0] == "who profits most - does russia lose out"
    assert data["questions"].merged_lines == {0: 3}


@pytest.mark.parametrize(
    "item",
    [
        "china - russia trade",  # one line: the dash was typed
        '"china\n    - russia trade"',  # quoted: a line break inside quotes is meant
        ">-\n    china\n    - russia trade",  # a block scalar is written to span lines
        "china and\n    russia - trade",  # runs on, but no line starts with a dash
    ],
)
def test_a_dash_written_on_purpose_is_not_a_merge(item: str) -> None:
    """Only a plain text whose continuation line starts with "- " is the merge signature."""
    data = parse_yaml(f"questions:\n  - {item}\n".encode())

    assert " - " in data["questions"][0]
    assert data["questions"].merged_lines == {}
