"""What people asked that the essay didn't answer: near-duplicates grouped, and YAML stubs for maintainers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from rapidfuzz import fuzz

from bot.core.text import normalise

SIMILAR = 80.0
STUB_QUESTIONS = 3
TODO = "TODO"


@dataclass(frozen=True, slots=True)
class Asked:
    """One recorded question."""

    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Gap:
    """Questions that ask the same thing, most asked first."""

    example: str  # the most common wording
    count: int
    best_score: float
    wordings: tuple[str, ...]


def group_gaps(asked: Iterable[Asked], similarity: float = SIMILAR) -> list[Gap]:
    """Group near-duplicate questions (fuzzy similarity of their normalised words), biggest groups first."""
    groups: list[tuple[str, list[Asked]]] = []
    for item in asked:
        key = normalise(item.text)
        if not key:
            continue
        for leader, members in groups:
            if fuzz.token_sort_ratio(key, leader) >= similarity:
                members.append(item)
                break
        else:
            groups.append((key, [item]))
    gaps = [_gap(members) for _, members in groups]
    return sorted(gaps, key=lambda gap: (-gap.count, gap.example))


def _gap(members: list[Asked]) -> Gap:
    counts: dict[str, int] = {}
    for member in members:
        wording = " ".join(member.text.split())
        counts[wording] = counts.get(wording, 0) + 1
    wordings = sorted(counts, key=lambda wording: (-counts[wording], wording))
    return Gap(wordings[0], len(members), max(member.score for member in members), tuple(wordings))


def stub_id(question: str, taken: set[str]) -> str:
    """A slug for a new entry, from the question's words, unique among ``taken``."""
    words = [word for word in normalise(question).split() if re.fullmatch(r"[a-z0-9]+", word)][:6]
    base = "-".join(words) or "new-entry"
    candidate, number = base[:60], 2
    while candidate in taken:
        candidate = f"{base[:56]}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def stub_yaml(gaps: Iterable[Gap], taken_ids: Iterable[str]) -> str:
    """An entries file in the knowledge base's own format, one skeleton per gap, TODOs to fill in."""
    taken = set(taken_ids)
    entries = []
    for gap in gaps:
        questions = list(gap.wordings[:STUB_QUESTIONS])
        questions += [f"{TODO}: another way people ask this"] * (STUB_QUESTIONS - len(questions))
        entries.append(
            {
                "id": stub_id(gap.example, taken),
                "title": f"{TODO}: a short title",
                "questions": questions,
                "answer": f"{TODO}: one to three sentences, faithful to the essay (asked {gap.count} times)",
                "citations": [{"paragraph": 1, "quote": f"{TODO}: copy the passage word for word from essay.yaml"}],
            }
        )
    header = (
        "# yaml-language-server: $schema=../schema/entries.schema.json\n"
        "# Stubs for questions the bot could not answer. Fill in every TODO (the validator refuses them as\n"
        "# they are: quotes must be verbatim), remove the stubs the essay does not answer, then save this\n"
        "# file as knowledge/entries/NN-your-theme.yaml.\n"
    )
    body = yaml.safe_dump(
        {"theme": f"{TODO}: a theme", "entries": entries}, sort_keys=False, allow_unicode=True, width=100
    )
    return header + body
