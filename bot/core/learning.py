"""The learning loop's core: what is worth recording, and what the records propose to maintainers.

A member's own actions are the evidence: a suggestion picked after a decline (or after a 👎) says
the question is a phrasing of that entry, and so does a 👍 on its answer; a 👎 alone on an answer
says the essay does not answer that question, so it belongs under the entry's ``not_answered``.
Declined questions nobody picked a suggestion for are what new entries (or, when one came close,
new phrasings) could cover.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.answer import PARAGRAPH, SMALL_TALK, Answer
from bot.core.gaps import Asked, Gap, group_gaps, stub_id
from bot.core.matcher import Matcher
from bot.core.text import normalise

WEAK_SCORE = 60.0  # an answer below this match score is recorded too: it may have been a lucky guess

AFTER_DECLINE = "decline"  # picked from "did you mean" under a decline
AFTER_ANSWER = "answer"  # picked from the suggestions shown beside an answer: it was not the one meant
AFTER_DOWNVOTE = "downvote"  # picked from the alternatives offered after a 👎

PHRASING = "phrasing"
NOT_ANSWERED = "not_answered"
NEW_ENTRY = "new_entry"
STUB_QUESTIONS = 3


@dataclass(frozen=True, slots=True)
class Shown:
    """An answer or decline as a member saw it, which a later pick or vote refers to."""

    question: str
    entry_id: str | None  # None: declined
    follow_up: bool  # read against an earlier turn ("why?"): its words are no phrasing of anything


@dataclass(frozen=True, slots=True)
class Pick:
    """A member picked ``entry_id`` for ``question``; ``after`` says what they had been shown."""

    question: str
    entry_id: str
    after: str


@dataclass(frozen=True, slots=True)
class Vote:
    """👍/👎 on the answer ``entry_id`` gave; ``question`` is None when it is not known or was a follow-up."""

    question: str | None
    entry_id: str
    helpful: bool


@dataclass(frozen=True, slots=True)
class Rating:
    """How an entry's answers were received."""

    entry_id: str
    helpful: int
    unhelpful: int


@dataclass(frozen=True, slots=True)
class Proposal:
    """One change to the knowledge base, with the evidence for it.

    ``confirmed``: backed by members' own picks or votes, so ``learn --apply`` takes it without asking;
    otherwise a guess (a declined question that came close to an entry, a new entry to write) that a
    maintainer confirms by choosing it.
    """

    kind: str  # PHRASING, NOT_ANSWERED or NEW_ENTRY
    entry_id: str  # the entry to change, or the id proposed for a new one
    questions: tuple[str, ...]
    count: int
    evidence: str
    confirmed: bool
    entry: Mapping[str, Any] | None = None  # a new entry as a maintainer wrote it out in a proposals file


def shown(answer: Answer) -> Shown:
    return Shown(answer.question, answer.entry.id if answer.entry else None, answer.follow_up_of is not None)


def worth_recording(answer: Answer) -> bool:
    """Declined and weak questions are kept for the gaps report; small talk and paragraph requests never."""
    if not answer.question.strip() or answer.kind in (SMALL_TALK, PARAGRAPH):
        return False
    return not answer.answered or answer.score < WEAK_SCORE or bool(answer.suggestions)


def pick_of(seen: Shown, entry_id: str, after: str) -> Pick | None:
    """The pick worth recording when a member chose ``entry_id`` after ``seen``; None for a follow-up."""
    if seen.follow_up or entry_id == seen.entry_id or not normalise(seen.question):
        return None
    return Pick(" ".join(seen.question.split()), entry_id, after)


def vote_of(seen: Shown, helpful: bool) -> Vote | None:
    """The vote on ``seen``'s answer, carrying the question unless it was a follow-up."""
    if seen.entry_id is None:
        return None
    question = None if seen.follow_up else " ".join(seen.question.split()) or None
    return Vote(question, seen.entry_id, helpful)


def propose(
    matcher: Matcher, declined: Iterable[Asked], picks: Iterable[Pick], votes: Iterable[Vote]
) -> list[Proposal]:
    """Every proposal the records support, confirmed ones first, each kind most asked first."""
    picks = list(picks)
    picked_keys = {normalise(pick.question) for pick in picks}
    curated = _curated_keys(matcher)
    proposals = _phrasings_from_picks(matcher, picks, curated)
    proposals += _from_votes(matcher, votes, picked_keys, curated)
    unpicked = [asked for asked in declined if normalise(asked.text) not in picked_keys]
    proposals += _from_declined(matcher, group_gaps(unpicked, matcher), curated)
    return sorted(proposals, key=lambda item: (not item.confirmed, item.kind == NEW_ENTRY, -item.count))


def _curated_keys(matcher: Matcher) -> set[str]:
    """Every phrasing and not_answered line already written, as the validator compares them."""
    entries = matcher.knowledge.entries
    return {normalise(text) for entry in entries for text in (*entry.questions, *entry.not_answered)}


def _phrasings_from_picks(matcher: Matcher, picks: list[Pick], curated: set[str]) -> list[Proposal]:
    by_question: dict[str, list[Pick]] = defaultdict(list)
    for pick in picks:
        key = normalise(pick.question)
        if key and key not in curated:
            by_question[key].append(pick)
    proposals = []
    for group in by_question.values():
        entry_id, count = Counter(pick.entry_id for pick in group).most_common(1)[0]
        wording = _most_common(pick.question for pick in group)
        if matcher.knowledge.entry(entry_id) is None or _answers_with(matcher, wording, entry_id):
            continue
        contexts = Counter(pick.after for pick in group if pick.entry_id == entry_id)
        how = ", ".join(
            f"{n} after {'a 👎' if after == AFTER_DOWNVOTE else f'the {after}'}" for after, n in contexts.items()
        )
        others = len(group) - count
        evidence = f"picked {count}× ({how})" + (f"; {others} picked something else" if others else "")
        proposals.append(Proposal(PHRASING, entry_id, (wording,), count, evidence, confirmed=True))
    return proposals


def _from_votes(matcher: Matcher, votes: Iterable[Vote], picked: set[str], curated: set[str]) -> list[Proposal]:
    """More 👍 than 👎: the question is a phrasing of the entry; more 👎 and no pick: the essay doesn't answer it."""
    tally: dict[tuple[str, str], list[Vote]] = defaultdict(list)
    for vote in votes:
        key = normalise(vote.question or "")
        if key and key not in picked and key not in curated:
            tally[key, vote.entry_id].append(vote)
    proposals = []
    for (_, entry_id), group in tally.items():
        down = sum(not vote.helpful for vote in group)
        up = len(group) - down
        wording = _most_common(vote.question or "" for vote in group)
        if up == down or matcher.knowledge.entry(entry_id) is None:
            continue
        if up > down:
            evidence = f"👍 {up}× on its answer" + (f", 👎 {down}×" if down else "")
            proposals.append(Proposal(PHRASING, entry_id, (wording,), up, evidence, confirmed=True))
        elif _answers_with(matcher, wording, entry_id):
            evidence = f"👎 {down}× on its answer, no other pick" + (f", 👍 {up}×" if up else "")
            proposals.append(Proposal(NOT_ANSWERED, entry_id, (wording,), down, evidence, confirmed=True))
    return proposals


def _from_declined(matcher: Matcher, gaps: list[Gap], curated: set[str]) -> list[Proposal]:
    taken = {entry.id for entry in matcher.knowledge.entries}
    proposals = []
    for gap in gaps:
        wordings = tuple(wording for wording in gap.wordings if normalise(wording) not in curated)
        if not wordings:
            continue
        asked = f"declined {gap.count}×, no suggestion picked"
        closest = f"{gap.best_entry} came closest (match {gap.best_score:.0f})" if gap.best_entry else ""
        if gap.best_entry is not None and gap.best_score >= WEAK_SCORE:
            evidence = f"{asked}; {closest}"
            proposals.append(Proposal(PHRASING, gap.best_entry, wordings[:1], gap.count, evidence, confirmed=False))
        else:
            evidence = f"{asked}; {closest}" if closest else asked
            new_id = stub_id(wordings[0], taken)
            questions = wordings[:STUB_QUESTIONS]
            proposals.append(Proposal(NEW_ENTRY, new_id, questions, gap.count, evidence, confirmed=False))
    return proposals


def _answers_with(matcher: Matcher, question: str, entry_id: str) -> bool:
    answer = matcher.ask(question)
    return answer.entry is not None and answer.entry.id == entry_id


def _most_common(wordings: Iterable[str]) -> str:
    counts = Counter(" ".join(wording.split()) for wording in wordings)
    return min(counts, key=lambda wording: (-counts[wording], wording))
