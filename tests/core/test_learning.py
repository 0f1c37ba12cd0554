"""What the records propose: picks and 👍 become phrasings, a lone 👎 a not_answered line, the rest new entries."""

from __future__ import annotations

import pytest

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.answer import Answer
from bot.core.evaluation import load_eval
from bot.core.gaps import Asked
from bot.core.learning import (
    AFTER_DECLINE,
    AFTER_DOWNVOTE,
    NEW_ENTRY,
    NOT_ANSWERED,
    PHRASING,
    Pick,
    Shown,
    Vote,
    pick_of,
    propose,
    vote_of,
    worth_recording,
)
from bot.core.loader import EVAL_FILE
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase


@pytest.fixture(scope="module")
def matcher(knowledge: KnowledgeBase) -> Matcher:
    return Matcher(knowledge)


def test_picks_propose_the_picked_entry_with_their_count(matcher: Matcher) -> None:
    """The members' words become a confirmed phrasing of what they picked, the majority pick winning."""
    picks = [
        Pick("who comes out ahead overall", "what-china-gets", AFTER_DECLINE),
        Pick("who comes out  ahead overall", "what-china-gets", AFTER_DOWNVOTE),
        Pick("Who comes out ahead overall?", "what-russia-gets", AFTER_DECLINE),
    ]

    [proposal] = propose(matcher, [], picks, [])

    assert (proposal.kind, proposal.entry_id, proposal.count, proposal.confirmed) == (
        PHRASING,
        "what-china-gets",
        2,
        True,
    )
    assert proposal.questions == ("who comes out ahead overall",)
    assert "1 picked something else" in proposal.evidence


def test_what_the_knowledge_base_already_has_is_not_proposed(matcher: Matcher, knowledge: KnowledgeBase) -> None:
    """A curated phrasing or not_answered line, in any spelling, is never proposed again."""
    entry = knowledge.entries[0]
    picks = [Pick(entry.questions[0].upper(), knowledge.entries[1].id, AFTER_DECLINE)]
    votes = [Vote(entry.not_answered[0], entry.id, False)]

    assert propose(matcher, [], picks, votes) == []


def test_a_lone_downvote_on_an_answer_proposes_a_not_answered_line(matcher: Matcher, knowledge: KnowledgeBase) -> None:
    """👎 with no pick after it: the essay doesn't answer that question, so the entry should decline it."""
    evalset = load_eval(SHIPPED_KNOWLEDGE / EVAL_FILE, knowledge)
    out_of_scope = (case.question for case in evalset.parts["tune"].cases if not case.expected)
    answered = ((question, matcher.ask(question).entry) for question in out_of_scope)
    question, entry = next((question, entry) for question, entry in answered if entry is not None)
    votes = [Vote(question, entry.id, False), Vote(question, entry.id, False), Vote(question, entry.id, True)]

    [proposal] = propose(matcher, [], [], votes)

    assert (proposal.kind, proposal.entry_id, proposal.count) == (NOT_ANSWERED, entry.id, 2)
    assert proposal.evidence == "👎 2× on its answer, no other pick, 👍 1×"


def test_a_downvote_followed_by_a_pick_is_a_phrasing_not_a_decline(matcher: Matcher) -> None:
    """The member said what they meant: the pick wins, and no not_answered line is proposed."""
    question = "what does russia gain from this"
    votes = [Vote(question, "what-russia-gets", False)]
    picks = [Pick(question, "what-china-gets", AFTER_DOWNVOTE)]

    assert [(item.kind, item.entry_id) for item in propose(matcher, [], picks, votes)] == [
        (PHRASING, "what-china-gets")
    ]


def test_upvotes_confirm_a_phrasing(matcher: Matcher) -> None:
    """More 👍 than 👎 on an answer: the question is a phrasing of that entry."""
    question = "ok so who's really the boss between them"
    votes = [Vote(question, "dominant-partner", True), Vote(question, "dominant-partner", True)]

    [proposal] = propose(matcher, [], [], votes)

    assert (proposal.kind, proposal.entry_id, proposal.confirmed) == (PHRASING, "dominant-partner", True)


def test_declined_questions_nobody_picked_for_are_guesses(matcher: Matcher) -> None:
    """Close to an entry: a phrasing to confirm; close to nothing: a new entry to write. Neither is confirmed."""
    declined = [Asked("who gains more", 0.0)] * 2 + [Asked("is the essay biased", 0.0)]

    proposals = propose(matcher, declined, [], [])

    assert [(item.kind, item.entry_id, item.count, item.confirmed) for item in proposals] == [
        (PHRASING, "what-china-gets", 2, False),
        (NEW_ENTRY, "is-the-essay-biased", 1, False),
    ]


def test_a_picked_question_is_no_gap(matcher: Matcher) -> None:
    """Once a member picked what they meant, their declined question needs no new entry."""
    declined = [Asked("is the essay biased", 0.0)]
    picks = [Pick("is the essay biased", "author", AFTER_DECLINE)]

    assert NEW_ENTRY not in {item.kind for item in propose(matcher, declined, picks, [])}


def test_follow_ups_record_no_phrasing() -> None:
    """ "why?" after an answer is nobody's phrasing: a pick on it records nothing, a vote keeps no question."""
    seen = Shown("why?", "dominant-partner", follow_up=True)

    assert pick_of(seen, "russia-economy", AFTER_DECLINE) is None
    assert vote_of(seen, helpful=False) == Vote(None, "dominant-partner", False)


def test_what_is_worth_recording(matcher: Matcher) -> None:
    """Declines and weak answers are kept; strong answers, small talk and paragraph requests are not."""
    assert worth_recording(matcher.ask("what is the capital of france"))
    assert not worth_recording(matcher.ask("who is the dominant partner"))
    assert not worth_recording(matcher.ask("thanks!"))
    assert not worth_recording(matcher.ask("what does paragraph 4 say"))
    assert not worth_recording(Answer("   ", None, 0.0))
