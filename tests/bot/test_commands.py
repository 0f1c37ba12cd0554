"""The bot through the real discord.py client and a fake Discord: what it sends is what users get."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from bot.client import ExplainerBot
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase
from bot.exts._common import NOT_FOR_YOU, QUESTION_BURST
from bot.guards import APOLOGY
from tests.bot.conftest import StartBot
from tests.bot.support import EPHEMERAL, NO_PINGS, callback, followups, until
from tests.conftest import FIXTURES
from tests.fakediscord import MANAGE_MESSAGES, FakeDiscord


def synced(fake: FakeDiscord) -> dict[str, dict[str, Any]]:
    """The synced slash commands by name."""
    return {command["name"]: command for command in fake.global_commands if command.get("type", 1) == 1}


async def test_commands_are_synced_with_their_definitions(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Every slash command reaches Discord with descriptions, options and moderator/admin permission hints."""
    commands = synced(fake)

    assert set(commands) == {"ask", "summary", "topics", "source", "kb"}
    menus = [(command["name"], command["type"]) for command in fake.global_commands if command.get("type", 1) != 1]
    assert menus == [("Ask the essay bot", 3)]
    [question] = commands["ask"]["options"]
    assert (
        question | {"name": "question", "type": 3, "required": True, "max_length": 500, "autocomplete": True}
        == question
    )
    assert int(commands["summary"]["default_member_permissions"]) == MANAGE_MESSAGES
    [length] = commands["summary"]["options"]
    assert [choice["value"] for choice in length["choices"]] == ["short", "full"]
    assert int(commands["kb"]["default_member_permissions"]) == MANAGE_MESSAGES
    assert [option["name"] for option in commands["kb"]["options"]] == ["reload", "gaps"]
    for command in commands.values():
        assert 1 <= len(command["description"]) <= 100
        for option in command.get("options", []):
            assert 1 <= len(option["description"]) <= 100


async def test_restart_with_same_commands_does_not_sync_again(fake: FakeDiscord, launch: StartBot) -> None:
    """A second start with unchanged definitions skips the global sync; a forced sync still happens."""
    first = await launch()
    await first.close()
    puts = lambda: fake.requests_to("PUT", rf"^/applications/{fake.application_id}/commands$")  # noqa: E731
    assert len(puts()) == 1

    await launch()
    assert len(puts()) == 1


async def test_dev_guild_gets_commands_instantly(fake: FakeDiscord, launch: StartBot) -> None:
    """With DEV_GUILD_ID the commands go to that server, not globally."""
    await launch(dev_guild_id=fake.guild_id)

    assert {command["name"] for command in fake.guild_commands[fake.guild_id]} >= {"ask", "summary"}
    assert fake.requests_to("PUT", rf"^/applications/{fake.application_id}/commands$") == []


async def test_ask_answers_publicly_with_cited_passages(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """/ask answers in the channel: title, answer, each ¶N with its verbatim quote, source and confidence."""
    handle = await fake.slash("ask", {"question": "whos stronger economicaly"})
    response = await callback(fake, handle)

    data = response["data"]
    assert response["type"] == 4
    assert not data.get("flags", 0) & EPHEMERAL
    assert data["allowed_mentions"] == NO_PINGS
    [embed] = data["embeds"]
    entry = knowledge.entry("dominant-partner")
    assert embed["title"] == entry.title
    assert embed["description"] == entry.answer
    assert [field["name"] for field in embed["fields"]] == ["¶4", "¶4"]
    assert entry.primary.quote in embed["fields"][0]["value"]
    assert embed["author"]["name"] == "From “The Hidden Truth of Sino-Russian Ties” by Dr. Muhammad Saleem"
    assert re.fullmatch(r"Match confidence: \d+%", embed["footer"]["text"])


async def test_ask_off_topic_is_a_private_friendly_decline(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """A question the essay doesn't answer gets an ephemeral decline with examples, pinging nobody."""
    handle = await fake.slash("ask", {"question": "@everyone how do I bake bread <@&123>"})
    data = (await callback(fake, handle))["data"]

    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == NO_PINGS
    [embed] = data["embeds"]
    assert embed["title"] == "Not covered by the essay"
    assert "@everyone" not in embed["description"]
    assert "<@&123>" not in embed["description"]
    assert "You could ask" in embed["description"]


async def test_ask_for_a_paragraph_quotes_it_with_entries_to_read_next(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase
) -> None:
    """ "what does paragraph 4 say" gets ¶4 verbatim, publicly, with buttons for the entries citing it."""
    handle = await fake.slash("ask", {"question": "what does paragraph 4 say"})
    data = (await callback(fake, handle))["data"]

    assert not data.get("flags", 0) & EPHEMERAL
    [embed] = data["embeds"]
    assert embed["title"] == "¶4"
    assert embed["description"].replace("\\", "") == knowledge.essay.paragraph(4)
    labels = [item["label"] for row in data["components"] for item in row["components"]]
    assert knowledge.entry("dominant-partner").title in labels


async def test_small_talk_gets_a_friendly_reply_without_a_citation(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """ "hey, thanks!" is answered with a short reply: no citation, no "not covered", no buttons."""
    handle = await fake.slash("ask", {"question": "hey, thanks!"})
    data = (await callback(fake, handle))["data"]

    [embed] = data["embeds"]
    assert "welcome" in embed["description"]
    assert "fields" not in embed or not embed["fields"]
    assert "Not covered" not in embed.get("title", "")
    assert not data.get("components")


async def test_did_you_mean_buttons_answer_the_asker_only(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Suggestion buttons answer the chosen entry privately to the asker, and refuse anyone else."""
    handle = await fake.slash("ask", {"question": "what do they gain"}, user=fake.member)
    await callback(fake, handle)
    message = fake.original_message(handle.token)
    buttons = [item for row in message["components"] for item in row["components"] if item.get("label")]
    assert 1 <= len(buttons) <= 3
    chosen = buttons[0]

    other = await fake.click(message, chosen["custom_id"], user=fake.moderator)
    refusal = (await callback(fake, other))["data"]
    assert refusal["content"] == NOT_FOR_YOU
    assert refusal["flags"] & EPHEMERAL

    mine = await fake.click(message, chosen["custom_id"], user=fake.member)
    answer = (await callback(fake, mine))["data"]
    assert answer["flags"] & EPHEMERAL
    assert answer["embeds"][0]["title"] == chosen["label"]
    assert answer["embeds"][0]["fields"][0]["name"].startswith("¶")


async def test_ask_autocomplete_suggests_questions(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Typing in /ask offers at most 25 questions the essay answers."""
    handle = await fake.autocomplete("ask", {"question": "domin"})
    response = await callback(fake, handle)

    assert response["type"] == 8
    choices = response["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert choices[0]["value"] == "Who is the dominant partner?"


async def test_summary_is_refused_to_a_plain_member(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Even if a server's overrides let a member invoke /summary, the command itself refuses, privately."""
    handle = await fake.slash("summary", {"length": "short"}, user=fake.member)
    data = (await callback(fake, handle))["data"]

    assert data["flags"] & EPHEMERAL
    assert data["content"].startswith("Only moderators can post the summary")
    assert "embeds" not in data or not data["embeds"]


@pytest.mark.parametrize(("length", "bullets"), [("short", 5), ("full", 9)])
async def test_summary_posts_publicly_for_moderators(
    fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase, length: str, bullets: int
) -> None:
    """A moderator's /summary posts every bullet, with its paragraphs, in the channel."""
    handle = await fake.slash("summary", {"length": length}, user=fake.moderator)
    data = (await callback(fake, handle))["data"]

    assert not data.get("flags", 0) & EPHEMERAL
    text = "\n".join(embed["description"] for embed in data["embeds"])
    assert text.count("• ") == bullets
    assert text.count("(¶") == bullets
    assert sum(len(embed["description"]) + len(embed["title"]) for embed in data["embeds"]) <= 6000


async def test_summary_honours_configured_moderator_roles(fake: FakeDiscord, launch: StartBot) -> None:
    """A role listed in MODERATOR_ROLE_IDS is enough, without Manage Messages."""
    await launch(moderator_role_ids=(fake.bot_role_id,))
    helper = fake.add_member("helper", role_ids=[fake.bot_role_id])
    assert not fake.permissions_of(helper) & MANAGE_MESSAGES

    handle = await fake.slash("summary", {"length": "short"}, user=helper)
    data = (await callback(fake, handle))["data"]

    assert data["embeds"]


async def test_topics_pages_with_buttons(fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase) -> None:
    """/topics opens a private first page; Next shows the second in place."""
    handle = await fake.slash("topics")
    first = (await callback(fake, handle))["data"]
    assert first["flags"] & EPHEMERAL
    assert knowledge.entries[0].id in first["embeds"][0]["description"]

    message = fake.original_message(handle.token)
    next_button = next(item for row in message["components"] for item in row["components"] if item["label"] == "Next")
    click = await fake.click(message, next_button["custom_id"])
    response = await callback(fake, click)

    assert response["type"] == 7
    assert knowledge.entries[10].id in response["data"]["embeds"][0]["description"]
    assert response["data"]["embeds"][0]["footer"]["text"].startswith("Page 2/")


async def test_topics_autocomplete_and_revalidation(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Autocomplete offers entry titles with ids; whatever value arrives is checked again."""
    suggestions = await fake.autocomplete("topics", {"topic": "belt"})
    choices = (await callback(fake, suggestions))["data"]["choices"]
    assert {"name": "The Belt and Road Initiative", "value": "belt-and-road"} in choices

    chosen = await fake.slash("topics", {"topic": "belt-and-road"})
    assert (await callback(fake, chosen))["data"]["embeds"][0]["title"] == "The Belt and Road Initiative"

    forged = await fake.slash("topics", {"topic": "../../etc/passwd"})
    data = (await callback(fake, forged))["data"]
    assert data["content"].startswith("I don't have a topic by that name")
    assert data["flags"] & EPHEMERAL


async def test_source_quotes_a_paragraph(fake: FakeDiscord, bot: ExplainerBot, knowledge: KnowledgeBase) -> None:
    """/source 4 posts ¶4 verbatim."""
    handle = await fake.slash("source", {"paragraph": 4})
    [embed] = (await callback(fake, handle))["data"]["embeds"]

    assert embed["title"] == "¶4"
    assert embed["description"].replace("\\", "") == knowledge.essay.paragraph(4)


@pytest.mark.parametrize("paragraph", [0, -1, 11, 10**9])
async def test_source_out_of_range_is_a_clear_private_error(
    fake: FakeDiscord, bot: ExplainerBot, paragraph: int
) -> None:
    """Paragraph numbers outside the essay get a short ephemeral explanation."""
    handle = await fake.slash("source", {"paragraph": paragraph})
    data = (await callback(fake, handle))["data"]

    assert data["content"] == "The essay has paragraphs ¶1–¶10."
    assert data["flags"] & EPHEMERAL


async def test_kb_reload_refused_to_non_admins(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """/kb reload from a moderator is refused privately."""
    handle = await fake.slash("kb", subcommand="reload", user=fake.moderator)
    data = (await callback(fake, handle))["data"]

    assert data["content"].startswith("Only administrators and the bot's owners")
    assert data["flags"] & EPHEMERAL


async def test_kb_reload_with_broken_file_keeps_serving(
    fake: FakeDiscord, bot: ExplainerBot, knowledge_copy: Path
) -> None:
    """A broken edit is reported with the validator's message, and /ask still answers from the old knowledge base."""
    version = bot.store.current.knowledge.version
    (knowledge_copy / "entries" / "99-broken.yaml").write_bytes(
        (FIXTURES / "broken" / "missing-field.yaml").read_bytes()
    )

    handle = await fake.slash("kb", subcommand="reload", user=fake.admin)
    deferred = await callback(fake, handle)
    [report] = await followups(fake, handle, 1)

    assert deferred["type"] == 5
    assert deferred["data"]["flags"] & EPHEMERAL
    assert report["flags"] & EPHEMERAL
    assert f"still serving version `{version}`" in report["content"]
    assert '99-broken.yaml:4: entry "broken-example" is missing the field "answer"' in report["content"]
    assert bot.store.current.knowledge.version == version

    ask = await fake.slash("ask", {"question": "who is the dominant partner"})
    assert (await callback(fake, ask))["data"]["embeds"][0]["title"] == "Who is the dominant partner"


async def test_kb_reload_by_owner_picks_up_a_good_edit(
    fake: FakeDiscord, bot: ExplainerBot, knowledge_copy: Path
) -> None:
    """The application's owner may reload; a valid edit is served at once."""
    path = knowledge_copy / "entries" / "03-asymmetry.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Who is the dominant partner", "Which side dominates"),
        encoding="utf-8",
    )
    handle = await fake.slash("kb", subcommand="reload", user=fake.owner)
    await callback(fake, handle)
    [report] = await followups(fake, handle, 1)

    assert report["content"].startswith(f"Reloaded: version `{bot.store.current.knowledge.version}`")
    assert bot.store.current.knowledge.entry("dominant-partner").title == "Which side dominates"


async def test_unexpected_error_is_logged_and_apologised_for(
    fake: FakeDiscord, bot: ExplainerBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash inside a command gives the user a short apology; the traceback goes to the log only."""

    def broken(self: Matcher, *args: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(Matcher, "explain", broken)
    caplog.set_level(logging.ERROR)

    handle = await fake.slash("ask", {"question": "who is the dominant partner"})
    data = (await callback(fake, handle))["data"]

    assert data["content"] == APOLOGY
    assert data["flags"] & EPHEMERAL
    assert "secret internal detail" not in str(data)
    # The tree logs after the cog has apologised, so the record may come a moment later.
    await until(lambda: "RuntimeError: secret internal detail" in caplog.text)
    assert "Traceback" in caplog.text


async def test_ask_cooldown_is_per_user(fake: FakeDiscord, launch: StartBot) -> None:
    """Past the burst a quick follow-up gets, a question within the cooldown is politely refused; others are not."""
    await launch(ask_cooldown=30.0)

    for _ in range(QUESTION_BURST):
        first = await fake.slash("ask", {"question": "who wrote the essay"}, user=fake.member)
        await callback(fake, first)
    again = await fake.slash("ask", {"question": "who wrote the essay"}, user=fake.member)
    refused = (await callback(fake, again))["data"]
    other = await fake.slash("ask", {"question": "who wrote the essay"}, user=fake.moderator)

    assert re.fullmatch(r"Slow down a little: you can ask again in \d+ s\.", refused["content"])
    assert refused["flags"] & EPHEMERAL
    assert (await callback(fake, other))["data"]["embeds"][0]["title"] == "Who wrote the essay"


async def answered_before_a_restart(fake: FakeDiscord, launch: StartBot, question: str) -> dict[str, Any]:
    """The bot's public answer to ``question`` by the member, from a bot that has since been restarted."""
    first = await launch()
    handle = await fake.slash("ask", {"question": question}, user=fake.member)
    await callback(fake, handle)
    message = fake.original_message(handle.token)
    assert message is not None
    await first.close()
    await launch()
    await fake.wait_for_live_session()
    return message


async def test_buttons_keep_working_after_a_restart(fake: FakeDiscord, launch: StartBot) -> None:
    """Suggestion and feedback buttons hold everything in their ids, so a restarted bot still answers them."""
    message = await answered_before_a_restart(fake, launch, "what do they gain")

    buttons = [item for row in message["components"] for item in row["components"]]
    suggestion = next(item for item in buttons if item.get("label"))
    answer = (await callback(fake, await fake.click(message, suggestion["custom_id"], user=fake.member)))["data"]

    assert answer["embeds"][0]["title"] == suggestion["label"]
