"""Questions in messages: mentions, `!ask` and DMs are answered as replies that ping nobody."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bot.client import ExplainerBot
from bot.core.model import KnowledgeBase
from bot.exts._common import QUESTION_BURST
from tests.bot.conftest import StartBot
from tests.bot.support import NO_PINGS
from tests.fakediscord import FakeDiscord


async def reply_to(fake: FakeDiscord, message: dict[str, Any]) -> dict[str, Any]:
    """The bot's message replying to ``message``."""
    request = await fake.wait_for_request(
        method="POST",
        path=rf"^/channels/{message['channel_id']}/messages$",
        predicate=lambda r: str((r.json or {}).get("message_reference", {}).get("message_id")) == message["id"],
    )
    return request.json


async def test_mention_is_answered_as_a_reply(fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase) -> None:
    """`@Bot who is the dominant partner?` gets a reply with the cited answer, without pinging the asker."""
    message = await fake.message(f"<@{fake.bot_id}> who is the dominant partner?", mentions=[fake.bot])
    sent = await reply_to(fake, message)

    [embed] = sent["embeds"]
    assert embed["title"] == knowledge.entry("dominant-partner").title
    assert embed["fields"][0]["name"] == "¶4"
    assert sent["allowed_mentions"] == NO_PINGS | {"replied_user": False}


async def test_hostile_question_pings_nobody(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """A question full of mentions is echoed defused, and the reply's allowed_mentions forbid every ping."""
    content = (
        f"<@{fake.bot_id}> @everyone @here <@{fake.moderator.id}> <@&{fake.moderator_role_id}> how do I bake bread"
    )
    message = await fake.message(content, mentions=[fake.bot, fake.moderator])
    sent = await reply_to(fake, message)

    assert sent["allowed_mentions"] == NO_PINGS | {"replied_user": False}
    shown = sent["embeds"][0]["description"]
    assert "@everyone" not in shown
    assert "@here" not in shown
    assert f"<@{fake.moderator.id}>" not in shown
    assert f"<@&{fake.moderator_role_id}>" not in shown


async def test_direct_message_is_answered(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """A DM needs no mention: the whole message is the question."""
    message = await fake.message("who wrote the essay", in_guild=False)
    sent = await reply_to(fake, message)

    assert sent["embeds"][0]["title"] == "Who wrote the essay"


async def test_prefix_command_needs_the_content_intent(fake: FakeDiscord, launch: StartBot) -> None:
    """With MESSAGE_CONTENT_INTENT on, `!ask …` in a channel is answered."""
    await launch(message_content=True)
    message = await fake.message("!ask sino soviet split")
    sent = await reply_to(fake, message)

    assert sent["embeds"][0]["title"] == "The Sino-Soviet split of the 1960s"


async def test_plain_chatter_is_ignored(fake: FakeDiscord, launch: StartBot) -> None:
    """Messages not addressed to the bot get no reply, even when the bot can read them."""
    await launch(message_content=True)
    await fake.message("who is the dominant partner in your opinion, folks?")
    marker = await fake.message(f"<@{fake.bot_id}> who wrote the essay", mentions=[fake.bot])
    await reply_to(fake, marker)

    posts = fake.requests_to("POST", rf"^/channels/{fake.channel_id}/messages$")
    assert len(posts) == 1


async def test_bare_mention_gets_a_hint(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Mentioning the bot with no question explains what to ask."""
    message = await fake.message(f"<@{fake.bot_id}>", mentions=[fake.bot])
    sent = await reply_to(fake, message)

    assert sent["content"].startswith("Ask me about “The Hidden Truth of Sino-Russian Ties”, for example")


async def test_message_cooldown(fake: FakeDiscord, launch: StartBot) -> None:
    """A member asking again too often is told how long to wait."""
    await launch(ask_cooldown=30.0)
    for _ in range(QUESTION_BURST):
        first = await fake.message(f"<@{fake.bot_id}> who wrote the essay", mentions=[fake.bot])
        await reply_to(fake, first)
    second = await fake.message(f"<@{fake.bot_id}> who wrote the essay", mentions=[fake.bot])
    sent = await reply_to(fake, second)

    assert re.fullmatch(r"Slow down a little: you can ask again in \d+ s\.", sent["content"])


async def test_bots_are_never_answered(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Messages from other bots (and itself) are ignored, so two bots can't loop."""
    other_bot = dataclasses.replace(fake.add_member("otherbot"), bot=True)
    await fake.message(f"<@{fake.bot_id}> who wrote the essay", mentions=[fake.bot], author=other_bot)
    marker = await fake.message(f"<@{fake.bot_id}> sino soviet split", mentions=[fake.bot])
    await reply_to(fake, marker)

    assert len(fake.requests_to("POST", rf"^/channels/{fake.channel_id}/messages$")) == 1
