"""Conversations in Discord: replies to the bot, follow-ups by the same member, threads, the message command."""

from __future__ import annotations

from typing import Any

from bot.client import ExplainerBot
from bot.core.model import KnowledgeBase
from tests.bot.conftest import StartBot
from tests.bot.support import EPHEMERAL, callback
from tests.bot.test_commands import answered_before_a_restart
from tests.bot.test_messages import reply_to
from tests.fakediscord import FakeDiscord

QUESTION = "who is the dominant partner?"


def why_of(knowledge: KnowledgeBase, entry_id: str) -> str:
    """The title of the entry that gives the reasons for ``entry_id``."""
    entry = knowledge.entry(entry_id)
    assert entry is not None
    assert entry.why
    reasons = knowledge.entry(entry.why[0])
    assert reasons is not None
    return reasons.title


def title_of(sent: dict[str, Any]) -> str | None:
    return sent["embeds"][0].get("title") if sent.get("embeds") else None


async def ask_by_mention(fake: FakeDiscord, text: str, **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    message = await fake.message(f"<@{fake.bot_id}> {text}", mentions=[fake.bot], **options)
    return message, await reply_to(fake, message)


async def test_reply_to_the_answer_is_a_follow_up_without_a_mention(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """Replying "why?" to the bot's answer (Discord pings the bot, no mention is typed) gets the reasons."""
    await ask_by_mention(fake, QUESTION)
    answer_message = fake.channel_messages()[-1]

    why = await fake.message("why?", mentions=[fake.bot], reply_to=answer_message)
    sent = await reply_to(fake, why)

    assert title_of(sent) == why_of(knowledge, "dominant-partner")
    assert sent["embeds"][0]["footer"]["text"] == f"Following up on “{knowledge.entry('dominant-partner').title}”"
    assert sent["allowed_mentions"]["parse"] == []


async def test_another_members_why_borrows_no_context(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """Two members in one channel don't share context: the moderator's "@bot why?" is not read after the member's."""
    await ask_by_mention(fake, QUESTION)

    _, sent = await ask_by_mention(fake, "why?", author=fake.moderator)

    assert title_of(sent) != why_of(knowledge, "dominant-partner")
    assert "Following up" not in str(sent)


async def test_replying_to_someone_elses_answer_borrows_that_answer(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """A Reply is the one way into another member's conversation: the replied-to answer is the context."""
    await ask_by_mention(fake, QUESTION)
    answer_message = fake.channel_messages()[-1]

    source = await fake.message("source?", mentions=[fake.bot], author=fake.moderator, reply_to=answer_message)
    sent = await reply_to(fake, source)

    assert title_of(sent) == knowledge.entry("dominant-partner").title
    assert all(field["name"].endswith("in full") for field in sent["embeds"][0]["fields"])


async def test_slash_follow_up_by_the_same_member(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """`/ask why?` right after `/ask who is the dominant partner?` answers why, in the same channel only."""
    await callback(fake, await fake.slash("ask", {"question": QUESTION}))

    followed = (await callback(fake, await fake.slash("ask", {"question": "why?"})))["data"]
    elsewhere = (await callback(fake, await fake.slash("ask", {"question": "why?"}, in_guild=False)))["data"]

    assert title_of(followed) == why_of(knowledge, "dominant-partner")
    assert title_of(elsewhere) != why_of(knowledge, "dominant-partner")


async def test_a_thread_the_bot_answered_in_needs_no_mention(
    fake: FakeDiscord, launch: StartBot, knowledge: KnowledgeBase
) -> None:
    """After an answer in a thread, the member's plain next message there is a follow-up; elsewhere it is chatter."""
    await launch(message_content=True)
    thread = await fake.add_thread("essay questions")
    await ask_by_mention(fake, QUESTION, channel_id=thread)

    why = await fake.message("why though", channel_id=thread)
    sent = await reply_to(fake, why)
    await fake.message("why though")  # the same words in the channel, unaddressed
    marker = await fake.message("!ask who wrote the essay")
    await reply_to(fake, marker)

    assert title_of(sent) == why_of(knowledge, "dominant-partner")
    assert len(fake.requests_to("POST", rf"^/channels/{fake.channel_id}/messages$")) == 1


async def test_direct_messages_are_one_conversation(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """In a DM every message is for the bot, and "thanks!" between a question and its "how come?" changes nothing."""
    await reply_to(fake, await fake.message(QUESTION, in_guild=False))
    await reply_to(fake, await fake.message("thanks!", in_guild=False))

    sent = await reply_to(fake, await fake.message("how come?", in_guild=False))

    assert title_of(sent) == why_of(knowledge, "dominant-partner")


async def test_message_command_answers_someone_elses_question(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """Apps → "Ask the essay bot" on a question not addressed to the bot answers it, for the channel."""
    question = await fake.message("hey folks, who is the dominant partner in this relationship?")
    handle = await fake.message_command("Ask the essay bot", question, user=fake.moderator)
    data = (await callback(fake, handle))["data"]

    assert data["embeds"][0]["title"] == knowledge.entry("dominant-partner").title
    assert not data.get("flags", 0) & EPHEMERAL


async def test_message_command_on_a_message_without_text(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Pointing the bot at a message with no text (an image, an embed) gets a short private explanation."""
    picture = await fake.message("")
    data = (await callback(fake, await fake.message_command("Ask the essay bot", picture)))["data"]

    assert data["content"].startswith("That message has no text")
    assert data["flags"] & EPHEMERAL


async def test_read_next_buttons_work_for_anyone_after_a_restart(
    fake: FakeDiscord, launch: StartBot, knowledge: KnowledgeBase
) -> None:
    """An answer offers its related entries as read-next buttons; a click after a restart shows one privately."""
    message = await answered_before_a_restart(fake, launch, QUESTION)

    buttons = [item for row in message["components"] for item in row["components"]]
    read_next = [item for item in buttons if item["custom_id"].startswith("next:")]
    related = [knowledge.entry(entry_id).title for entry_id in knowledge.entry("dominant-partner").related]
    assert [item["label"] for item in read_next] == related
    shown = (await callback(fake, await fake.click(message, read_next[0]["custom_id"], user=fake.moderator)))["data"]

    assert shown["embeds"][0]["title"] == related[0]
    assert shown["flags"] & EPHEMERAL
