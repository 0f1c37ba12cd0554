"""The learning loop in Discord: picks and votes are recorded with their question (never who), once per person."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.client import ExplainerBot
from bot.core.learning import AFTER_DECLINE, AFTER_DOWNVOTE, PHRASING, Pick
from bot.core.proposals import read_proposals
from tests.bot.conftest import StartBot
from tests.bot.support import EPHEMERAL, buttons, callback, followup, until
from tests.fakediscord import FakeDiscord


async def pick_a_suggestion(fake: FakeDiscord, bot: ExplainerBot, question: str) -> str:
    """The member asks ``question``, is declined and clicks the first "did you mean": the entry picked."""
    handle = await fake.slash("ask", {"question": question}, user=fake.member)
    await callback(fake, handle)
    message = fake.original_message(handle.token)
    chosen = next(item for item in buttons(message) if item["custom_id"].startswith("suggest:"))
    await callback(fake, await fake.click(message, chosen["custom_id"], user=fake.member))
    await until(lambda: bool(_rows(bot.settings.question_log, "picks")))
    return str(chosen["custom_id"].rsplit(":", 1)[1])


async def test_a_suggestion_picked_after_a_decline_is_recorded_with_its_question(
    fake: FakeDiscord, bot: ExplainerBot
) -> None:
    """The asker's click on "did you mean" says their words are a phrasing of that entry."""
    entry_id = await pick_a_suggestion(fake, bot, "what do they gain")

    assert await bot.questions.picks() == [Pick("what do they gain", entry_id, AFTER_DECLINE)]


async def test_a_downvote_offers_what_else_was_meant_and_records_the_pick(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """👎 on an answer privately offers the other close entries; picking one records it as meant instead."""
    handle = await fake.slash("ask", {"question": "what does russia gain from this"}, user=fake.member)
    answer = (await callback(fake, handle))["data"]
    message = fake.original_message(handle.token)
    down = next(item for item in buttons(message) if item["custom_id"].startswith("feedback:down:"))

    offer = (await callback(fake, await fake.click(message, down["custom_id"], user=fake.member)))["data"]

    assert offer["content"] == "Thanks. Did you mean one of these instead?"
    assert offer["flags"] & EPHEMERAL
    picks = [item for item in offer["components"][0]["components"] if item["custom_id"].startswith("pick:")]
    assert picks
    assert all(item["label"] != answer["embeds"][0]["title"] for item in picks)
    offer_message = {**message, "id": str(int(message["id"]) + 1), "components": offer["components"]}
    shown = (await callback(fake, await fake.click(offer_message, picks[0]["custom_id"], user=fake.member)))["data"]

    assert shown["embeds"][0]["title"] == picks[0]["label"]
    await until(lambda: bool(_rows(bot.settings.question_log, "picks")))
    [pick] = await bot.questions.picks()
    assert (pick.question, pick.after) == ("what does russia gain from this", AFTER_DOWNVOTE)
    [vote] = await bot.questions.votes()
    assert (vote.question, vote.helpful) == ("what does russia gain from this", False)


async def test_a_vote_counts_once_per_person_across_a_restart(fake: FakeDiscord, launch: StartBot) -> None:
    """A second 👍 by the same member after the bot restarted is thanked, not counted; another member's is."""
    first = await launch()
    handle = await fake.slash("ask", {"question": "who wrote the essay"}, user=fake.member)
    await callback(fake, handle)
    message = fake.original_message(handle.token)
    up = next(item for item in buttons(message) if item["custom_id"].startswith("feedback:up:"))
    await callback(fake, await fake.click(message, up["custom_id"], user=fake.member))
    await first.close()

    second = await launch()
    await fake.wait_for_live_session()
    again = (await callback(fake, await fake.click(message, up["custom_id"], user=fake.member)))["data"]
    other = (await callback(fake, await fake.click(message, up["custom_id"], user=fake.moderator)))["data"]

    assert again["content"] == "You already rated this answer. Thanks!"
    assert other["content"].startswith("Thanks for the feedback")
    assert [(rating.entry_id, rating.helpful) for rating in await second.questions.ratings()] == [("author", 2)]
    with sqlite3.connect(second.settings.question_log) as db:
        stored = " ".join(str(value) for row in db.execute("SELECT * FROM feedback") for value in row)
    assert str(fake.member.id) not in stored
    assert str(fake.moderator.id) not in stored


async def test_kb_gaps_offers_the_proposals_as_a_file_learn_accepts(
    fake: FakeDiscord, bot: ExplainerBot, tmp_path: Path
) -> None:
    """Moderators see the top proposals and can download all of them as YAML for `learn --apply FILE`."""
    await pick_a_suggestion(fake, bot, "what do they gain")

    report = await fake.slash("kb", subcommand="gaps", user=fake.moderator)
    sent = await followup(fake, report)
    request = fake.requests_to("POST", rf"^/webhooks/{fake.application_id}/{report.token}$")[0]

    assert "**Top proposals**" in sent["embeds"][0]["description"]
    assert "“what do they gain” as a phrasing of" in sent["embeds"][0]["description"]
    [attached] = request.files
    assert attached.filename == "proposals.yaml"
    saved = tmp_path / "proposals.yaml"
    saved.write_bytes(attached.data)
    proposals = read_proposals(saved)
    assert (proposals[0].kind, proposals[0].questions) == (PHRASING, ("what do they gain",))


def _rows(database: Path, table: str) -> list[tuple[Any, ...]]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as db:
        return db.execute(f"SELECT * FROM {table}").fetchall()
