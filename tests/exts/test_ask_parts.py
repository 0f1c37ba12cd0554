"""The parts of the ask extension that need no Discord: reading questions, cooldowns, conversation memory."""

from __future__ import annotations

import pytest

from bot.core.conversation import CONTEXT_SECONDS, Conversation, Turn
from bot.exts._common import QUESTION_BURST, question_cooldowns
from bot.exts._memory import ConversationMemory
from bot.exts.ask import question_in

BOT = 1234


@pytest.mark.parametrize(
    ("content", "direct", "expected"),
    [
        ("<@1234> who is the dominant partner?", False, "who is the dominant partner?"),
        ("<@!1234>   whos stronger", False, "whos stronger"),
        ("!ask will it last", False, "will it last"),
        ("!ASK will it last", False, "will it last"),
        ("!ask", False, ""),
        ("<@1234>", False, ""),
        ("who wrote this", True, "who wrote this"),
        ("who wrote this", False, None),
        ("!asking for a friend", False, None),
        ("hey <@1234> who wrote this", False, None),
        ("<@999> who wrote this", False, None),
    ],
)
def test_question_in_message(content: str, direct: bool, expected: str | None) -> None:
    """Only messages addressed to the bot (leading mention, !ask, or a DM) are questions."""
    assert question_in(content, BOT, "!", direct) == expected


def test_cooldown_lets_a_quick_follow_up_through_but_holds_a_flood() -> None:
    """A member may ask QUESTION_BURST questions back to back, then waits; another member is not held up."""
    cooldowns = question_cooldowns(5.0)
    now = 100.0

    for _ in range(QUESTION_BURST):
        assert cooldowns.update_rate_limit(1, now) is None
    wait = cooldowns.update_rate_limit(1, now + 2)
    assert wait == pytest.approx(QUESTION_BURST * 5.0 - 2)
    assert cooldowns.update_rate_limit(2, now + 2) is None
    assert cooldowns.update_rate_limit(1, now + QUESTION_BURST * 5.0 + 1) is None


def _talk(question: str, entry_id: str, at: float) -> Conversation:
    return Conversation().then(Turn(question, entry_id, at))


def test_memory_keeps_each_member_apart_and_a_reply_borrows_the_answer_it_replies_to() -> None:
    now = [0.0]
    memory = ConversationMemory(timer=lambda: now[0])
    mine = _talk("who is the dominant partner?", "dominant-partner", 0.0)
    memory.remember(channel_id=7, member_id=1, conversation=mine, answer_id=500, thread=False)

    assert memory.context(7, 1) == mine
    assert memory.context(7, 2) == Conversation()
    assert memory.context(8, 1) == Conversation()
    assert memory.context(7, 2, replied_to=500) == mine
    assert memory.context(7, 2, replied_to=501) == Conversation()
    assert not memory.is_live_thread(7)


def test_memory_forgets_after_the_context_window() -> None:
    now = [0.0]
    memory = ConversationMemory(timer=lambda: now[0])
    memory.remember(7, 1, _talk("why?", "dominant-partner", 0.0), 500, thread=True)
    assert memory.is_live_thread(7)

    now[0] = CONTEXT_SECONDS + 1
    assert memory.context(7, 1) == Conversation()
    assert memory.context(7, 2, replied_to=500) == Conversation()
    assert not memory.is_live_thread(7)
    assert len(memory) == 0


def test_memory_is_bounded_dropping_the_least_recently_used() -> None:
    memory = ConversationMemory(limit=3, timer=lambda: 0.0)
    for member in range(1, 5):
        memory.remember(7, member, _talk("who wrote it", "author", 0.0), None, thread=False)

    assert memory.context(7, 1) == Conversation()
    assert memory.context(7, 4) != Conversation()
    assert len(memory) == 3
