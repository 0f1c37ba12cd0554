"""Read YAML safely, keeping the line each value came from.

Knowledge files are written by people, so every problem must point at a line.
PyYAML's ``safe_load`` drops positions; here the document is composed into
nodes (safe loader only) and turned into plain dicts, lists and scalars that
remember their lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The line breaks YAML counts lines by; str.splitlines() also breaks on others (\f, \v…).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class YamlMap(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """Line of ``key``'s value, or of the mapping when the key is absent."""
        return self.value_lines.get(key, self.line)

    def line_of_key(self, key: Any) -> int:
        """Line where ``key`` is written, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A sequence that knows its own line and the line of each item.

    ``merged_lines`` maps the index of an item that swallowed an over-indented
    "- " line to that line: YAML reads ``- one`` followed by a deeper ``- two``
    as the single text "one - two", which no type check can catch.
    """

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []
        self.merged_lines: dict[int, int] = {}


class YamlProblem(Exception):
    """The file could not be read as YAML at all."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def read_limited(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, refusing files too big to be a knowledge file."""
    size = path.stat().st_size
    if size > max_bytes:
        raise YamlProblem(0, f"file is {size:,} bytes; knowledge files are limited to {max_bytes:,}")
    return path.read_bytes()


def parse_yaml(data: bytes) -> Any:
    """Return the document in ``data`` as YamlMap/YamlList/scalars.

    Raises YamlProblem with a line and a plain-words message for anything that
    is not a plain, UTF-8 YAML document.
    """
    text = _decode(data)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise YamlProblem(_mark_line(error), f"YAML syntax error: {_describe(error)}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(0, f"YAML syntax error: {error}") from None
    if node is None:
        return None
    return _Converter(_LINE_BREAK.split(text)).convert(node, depth=0)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise YamlProblem(line, f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8") from None


def _mark_line(error: yaml.MarkedYAMLError) -> int:
    mark = error.problem_mark or error.context_mark
    return mark.line + 1 if mark else 0


def _describe(error: yaml.MarkedYAMLError) -> str:
    context = error.context or ""
    started = error.context_mark
    if context and started and error.problem_mark and started.line != error.problem_mark.line:
        context = f"{context} that starts on line {started.line + 1}"
    parts = [part for part in (context, error.problem) if part]
    return ", ".join(parts) if parts else "could not parse"


class _Converter:
    """Turns composed nodes into line-aware Python values, refusing anything exotic."""

    def __init__(self, lines: list[str]) -> None:
        self._constructor = SafeConstructor()
        self._seen: set[int] = set()
        self._lines = lines

    def convert(self, node: yaml.Node, depth: int) -> Any:
        line = node.start_mark.line + 1
        if depth >= MAX_DEPTH:
            raise YamlProblem(line, f"nested more than {MAX_DEPTH} levels deep")
        if id(node) in self._seen:
            # The composer hands back the same node for every *alias; refusing
            # them keeps files plain and makes alias bombs harmless.
            raise YamlProblem(line, "anchors and aliases (&name, *name) are not allowed in knowledge files")
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth, line)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, depth, line)
        return self._scalar(node, line)

    def _mapping(self, node: yaml.MappingNode, depth: int, line: int) -> YamlMap:
        if node.tag != "tag:yaml.org,2002:map":
            raise YamlProblem(line, f"the tag {node.tag!r} is not allowed")
        result = YamlMap(line)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(key_line, "mapping keys must be plain words or numbers")
            key = self._scalar(key_node, key_line)
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise YamlProblem(key_line, f"mapping key {key!r} must be a word or a number")
            if key in result:
                raise YamlProblem(key_line, f"duplicate key {key!r} (first on line {result.key_lines[key]})")
            result[key] = self.convert(value_node, depth + 1)
            result.key_lines[key] = key_line
            result.value_lines[key] = value_node.start_mark.line + 1
        return result

    def _sequence(self, node: yaml.SequenceNode, depth: int, line: int) -> YamlList:
        if node.tag != "tag:yaml.org,2002:seq":
            raise YamlProblem(line, f"the tag {node.tag!r} is not allowed")
        result = YamlList(line)
        for item in node.value:
            merged = self._dash_continuation(item)
            if merged is not None:
                result.merged_lines[len(result)] = merged
            result.append(self.convert(item, depth + 1))
            result.item_lines.append(item.start_mark.line + 1)
        return result

    def _dash_continuation(self, node: yaml.Node) -> int | None:
        """The first line a plain scalar runs on to that starts with "-", if any.

        Only plain scalars (no quotes, no ``|``/``>``) fold their next lines in
        silently; a quoted or block text spanning lines was written that way.
        """
        if not isinstance(node, yaml.ScalarNode) or node.style:  # plain is None, or "" from libyaml
            return None
        for index in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(self._lines))):
            text = self._lines[index].lstrip(" \t")
            if text.startswith("-") and text[1:2] in ("", " ", "\t"):
                return index + 1
        return None

    def _scalar(self, node: yaml.Node, line: int) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(line, f"the tag {node.tag!r} is not allowed; write plain text, numbers or true/false")
        return self._constructor.construct_object(node)
