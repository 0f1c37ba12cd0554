"""Gaps: unanswered questions grouped by what they mean, as the matcher reads them."""

from __future__ import annotations

import pytest

from bot.core.gaps import Asked, group_gaps, stub_id
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase


@pytest.fixture(scope="module")
def matcher(knowledge: KnowledgeBase) -> Matcher:
    return Matcher(knowledge)


def test_near_duplicates_are_grouped_and_counted(matcher: Matcher) -> None:
    """Rewordings, typos and case are one gap; the most common wording represents it; biggest first."""
    asked = [
        Asked("What does the essay say about North Korea?", 20.0),
        Asked("what does the essay say about north korea", 25.0),
        Asked("What does the essay say about North Korea??", 10.0),
        Asked("what about north korea, does the essay say?", 5.0),
        Asked("how do I bake bread", 0.0),
        Asked("   ", 0.0),
    ]

    gaps = group_gaps(asked, matcher)

    assert [gap.count for gap in gaps] == [4, 1]
    assert "korea" in gaps[0].example.lower()
    assert gaps[1].example == "how do I bake bread"


def test_questions_that_mean_the_same_group_across_wordings(matcher: Matcher) -> None:
    """ "When" and "what year", "profits" and "gains": one question to the matcher, so one gap."""
    asked = [
        Asked("when did russia invade ukraine", 0.0),
        Asked("what year did Russia invade Ukraine?", 0.0),
        Asked("when was ukraine invaded by russia", 0.0),
        Asked("who gains more", 0.0),
        Asked("who profits more", 0.0),
    ]

    gaps = group_gaps(asked, matcher)

    assert sorted(gap.count for gap in gaps) == [2, 3]
    assert all(gap.best_entry is not None for gap in gaps)


def test_small_talk_and_paragraph_requests_are_never_gaps(matcher: Matcher) -> None:
    """An old log may hold "hi" or "thanks!": they are not questions the essay failed to answer."""
    asked = [Asked(text, 0.0) for text in ("hi", "thanks!", "bye", "what does paragraph 4 say", "who is Tolstoy")]

    assert [gap.example for gap in group_gaps(asked, matcher)] == ["who is Tolstoy"]


def test_different_questions_stay_apart(matcher: Matcher) -> None:
    """Questions that only share a few words are separate gaps."""
    gaps = group_gaps(
        [Asked("what does india think", 1.0), Asked("what does iran think about russia and china", 1.0)], matcher
    )

    assert len(gaps) == 2


def test_stub_ids_never_collide() -> None:
    """A gap worded like an existing id gets a fresh one."""
    assert stub_id("author", {"author"}) == "author-2"
