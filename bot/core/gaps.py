"""What people asked that the essay didn't answer, with near-duplicates grouped by what they mean."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.answer import PARAGRAPH, SMALL_TALK
from bot.core.matcher import Matcher
from bot.core.text import normalise

SIMILAR = 80.0  # the same words, give or take spelling and order
SAME_MEANING = 70.0  # the same analysed terms, mostly, and the same nearest entry


@dataclass(frozen=True, slots=True)
class Asked:
    """One recorded question."""

    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Gap:
    """Questions that ask the same thing, most asked first.

    ``best_entry`` is the entry that came close enough to be offered as "did you mean", if any.
    """

    example: str  # the most common wording
    count: int
    best_score: float
    wordings: tuple[str, ...]
    best_entry: str | None = None


@dataclass(slots=True)
class _Group:
    spelling: str  # normalised words of the first question
    meaning: str  # the matcher's analysed terms of it
    nearest: str | None  # the matcher's top candidate, close or not
    best_entry: str | None
    best_score: float
    members: list[str]


def group_gaps(asked: Iterable[Asked], matcher: Matcher) -> list[Gap]:
    """Group questions that ask the same thing as the matcher reads them, biggest groups first.

    Small talk and paragraph requests are no gaps, however they were recorded.
    """
    groups: list[_Group] = []
    for item in asked:
        spelling = normalise(item.text)
        explanation = matcher.explain(item.text)
        decision = explanation.decision
        if not spelling or decision is None or explanation.answer.kind in (SMALL_TALK, PARAGRAPH):
            continue
        nearest = decision.candidates[0].id if decision.candidates else None
        group = next((group for group in groups if _same_question(group, spelling, decision.analysed, nearest)), None)
        if group is None:
            suggested = decision.suggestions[0] if decision.suggestions else None
            best_entry = suggested.id if suggested else None
            score = suggested.score if suggested else decision.score
            group = _Group(spelling, decision.analysed, nearest, best_entry, score, [])
            groups.append(group)
        group.members.append(item.text)
    gaps = [_gap(group) for group in groups]
    return sorted(gaps, key=lambda gap: (-gap.count, gap.example))


def _same_question(group: _Group, spelling: str, meaning: str, nearest: str | None) -> bool:
    if fuzz.token_sort_ratio(spelling, group.spelling) >= SIMILAR:
        return True
    return nearest == group.nearest and fuzz.token_set_ratio(meaning, group.meaning) >= SAME_MEANING


def _gap(group: _Group) -> Gap:
    counts: dict[str, int] = {}
    for member in group.members:
        wording = " ".join(member.split())
        counts[wording] = counts.get(wording, 0) + 1
    wordings = sorted(counts, key=lambda wording: (-counts[wording], wording))
    return Gap(wordings[0], len(group.members), group.best_score, tuple(wordings), group.best_entry)


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
