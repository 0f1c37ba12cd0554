"""Field-by-field checks for one knowledge file, collecting every problem with its line."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.yamlio import YamlList, YamlMap


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong in one file, in words a maintainer can act on.

    ``line`` is 0 when the problem is with the whole file (missing, too big).
    ``unreadable`` marks a file that could not be read at all (a YAML syntax
    error, not UTF-8): the first thing to fix, since checks across files
    cannot see what it holds. It takes no part in comparing problems.
    """

    path: Path
    line: int
    message: str
    unreadable: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


def describe_type(value: Any) -> str:
    """How a YAML value reads to a person."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, YamlList):
        return "a list"
    return "a mapping"


@dataclass(frozen=True, slots=True)
class Limit:
    """A length limit and the reason a maintainer should respect it."""

    characters: int
    reason: str


class FileChecks:
    """Typed reads from one file's data; each failed read records a Problem."""

    def __init__(self, path: Path, shown_as: Path, problems: list[Problem]) -> None:
        self.path = path
        self.shown_as = shown_as
        self.problems = problems

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown_as, line, message))

    def unreadable(self, line: int, message: str) -> None:
        """The file could not be read at all."""
        self.problems.append(Problem(self.shown_as, line, message, unreadable=True))

    def mapping(self, value: Any, line: int, what: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.add(line, f"{what} must be a mapping of fields, not {describe_type(value)}")
        return None

    def fields(self, data: YamlMap, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        """Report unknown and missing fields; True when every required one is there."""
        known = required + optional
        for key in data:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f' (did you mean "{hint[0]}"?)' if hint else f"; expected one of: {', '.join(known)}"
                self.add(data.key_lines[key], f'{what} has an unknown field "{key}"{suggestion}')
        missing = [name for name in required if name not in data]
        for name in missing:
            self.add(data.line, f'{what} is missing the field "{name}"')
        return not missing

    def text(self, data: YamlMap, key: str, what: str, limit: Limit) -> str | None:
        """A non-empty string within ``limit``; a missing field was already reported by ``fields``."""
        if key not in data:
            return None
        return self.text_value(data.get(key), data.line_of(key), f'{what}: "{key}"', limit)

    def texts(self, data: YamlMap, key: str, what: str, limit: Limit, minimum: int = 0) -> tuple[str, ...]:
        """A list of non-empty strings, each within ``limit``."""
        if key not in data:
            return ()
        texts: list[str] = []
        for index, (item, line) in enumerate(self.list_of(data, key, what, minimum)):
            merged_at = data[key].merged_lines.get(index)
            if merged_at is not None:
                # A deeper "- " folds into the item above it, so the text holds " - " where a line broke.
                message = f'two lines of "{key}" merged into one item, "{item}"; indent each "- " under {key}: the same'
                self.add(merged_at, f"{what}: {message}")
                continue
            text = self.text_value(item, line, f'{what}: an item of "{key}"', limit)
            if text is not None:
                texts.append(text)
        return tuple(texts)

    def list_of(self, data: YamlMap, key: str, what: str, minimum: int = 0) -> list[tuple[Any, int]]:
        """The items of a list field with their lines, after checking its type and length."""
        value = data.get(key)
        line = data.line_of_key(key)
        if not isinstance(value, YamlList):
            self.add(line, f'{what}: "{key}" must be a list, not {describe_type(value)}')
            return []
        if len(value) < minimum:
            self.add(
                line, f'{what}: "{key}" needs at least {minimum} item{"s" if minimum > 1 else ""}, found {len(value)}'
            )
        return list(zip(value, value.item_lines, strict=True))

    def integer(self, data: YamlMap, key: str, what: str) -> int | None:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.add(data.line_of(key), f'{what}: "{key}" must be a whole number, not {describe_type(value)}')
        return None

    def number(self, data: YamlMap, key: str, what: str) -> float | None:
        """A finite number (whole or not)."""
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        self.add(data.line_of(key), f'{what}: "{key}" must be a number, not {describe_type(value)}')
        return None

    def text_value(self, value: Any, line: int, what: str, limit: Limit) -> str | None:
        if not isinstance(value, str):
            self.add(line, f"{what} must be text, not {describe_type(value)}")
            return None
        stripped = value.strip()
        if not stripped:
            self.add(line, f"{what} is empty")
            return None
        if len(stripped) > limit.characters:
            self.add(
                line, f"{what} is {len(stripped):,} characters; the limit is {limit.characters:,} ({limit.reason})"
            )
            return None
        return stripped
