"""The parts of the ask extension that need no Discord: reading questions from messages, cooldowns."""

from __future__ import annotations

import pytest

from bot.exts._common import UserCooldowns
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


def test_cooldown_per_user() -> None:
    """A user waits between questions; another user is not held up; after the wait they may ask again."""
    now = [100.0]
    cooldowns = UserCooldowns(5.0, clock=lambda: now[0])

    assert cooldowns.retry_after(1) == 0.0
    now[0] += 2
    assert cooldowns.retry_after(1) == pytest.approx(3.0)
    assert cooldowns.retry_after(2) == 0.0
    now[0] += 3
    assert cooldowns.retry_after(1) == 0.0
