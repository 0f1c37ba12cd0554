"""Running it for real: live reload, the unanswered-questions loop, feedback, health and metrics, sharding."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot.client import ExplainerBot
from bot.health import HealthServer
from tests.bot.conftest import StartBot
from tests.bot.support import EPHEMERAL, callback, followup, until
from tests.conftest import FIXTURES
from tests.fakediscord import FakeDiscord


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def get(url: str) -> tuple[int, bytes]:
    def fetch() -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    return await asyncio.to_thread(fetch)


async def test_good_edit_is_picked_up_without_a_restart(bot: ExplainerBot, knowledge_copy: Path) -> None:
    """Saving a valid change reloads the knowledge base within seconds."""
    before = bot.store.current.knowledge.version
    path = knowledge_copy / "entries" / "08-about-the-essay.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Who wrote the essay", "Who is the essay's author"), encoding="utf-8"
    )

    await until(lambda: bot.store.current.knowledge.version != before)

    assert bot.store.current.knowledge.entry("author").title == "Who is the essay's author"
    assert bot.store.last_reload is not None
    assert bot.store.last_reload.ok


async def test_broken_edit_keeps_serving_and_reports_to_the_log_channel(
    fake: FakeDiscord, launch: StartBot, knowledge_copy: Path
) -> None:
    """A broken save is refused: the old knowledge base stays, and the validator's message goes to LOG_CHANNEL_ID."""
    bot = await launch(log_channel_id=fake.channel_id)
    before = bot.store.current
    shutil.copy(FIXTURES / "broken" / "duplicate-id.yaml", knowledge_copy / "entries" / "99-broken.yaml")

    posted = await fake.wait_for_request(method="POST", path=rf"^/channels/{fake.channel_id}/messages$")

    assert bot.store.current is before
    assert posted.json["content"].startswith(
        f"Knowledge reload refused; still serving version `{before.knowledge.version}`"
    )
    assert 'duplicate id "dominant-partner"' in posted.json["content"]
    assert posted.json["allowed_mentions"] == {"parse": []}

    ask = await fake.slash("ask", {"question": "who is the dominant partner"})
    assert (await callback(fake, ask))["data"]["embeds"][0]["title"] == "Who is the dominant partner"


async def test_declined_questions_feed_the_gaps_report(fake: FakeDiscord, bot: ExplainerBot, tmp_path: Path) -> None:
    """Declined questions are recorded without user ids, grouped, and listed by /kb gaps for moderators."""
    for question in (
        "what does the essay say about north korea",
        "What does the essay say about North Korea?",
        "best bread recipe",
    ):
        await callback(fake, await fake.slash("ask", {"question": question}))
    database = bot.settings.question_log
    await until(lambda: database.exists() and _count(database, "questions") == 3)

    refused = await fake.slash("kb", subcommand="gaps", user=fake.member)
    assert (await callback(fake, refused))["data"]["content"].startswith("Only moderators")

    handle = await fake.slash("kb", subcommand="gaps", user=fake.moderator)
    report = (await followup(fake, handle))["embeds"][0]["description"]
    first_gap = report.splitlines()[1]
    assert first_gap.startswith("2× ")
    assert "north korea" in first_gap.lower()
    assert "best bread recipe" in report


async def test_feedback_buttons_record_votes_once_per_person(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """👍/👎 under an answer thank the voter privately, count once per person, and reach the ratings."""
    handle = await fake.slash("ask", {"question": "who wrote the essay"})
    await callback(fake, handle)
    message = fake.original_message(handle.token)
    down = next(
        item
        for row in message["components"]
        for item in row["components"]
        if item["custom_id"].startswith("feedback:down:")
    )

    first = await callback(fake, await fake.click(message, down["custom_id"], user=fake.moderator))
    again = await callback(fake, await fake.click(message, down["custom_id"], user=fake.moderator))

    assert first["data"]["content"].startswith("Thanks for the feedback")
    assert first["data"]["flags"] & EPHEMERAL
    assert again["data"]["content"] == "You already rated this answer. Thanks!"
    assert [(rating.entry_id, rating.unhelpful) for rating in await bot.questions.ratings()] == [("author", 1)]


async def test_answering_goes_on_when_storage_fails(
    fake: FakeDiscord, launch: StartBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With an unusable database path, questions are still answered and the failure is logged."""
    caplog.set_level(logging.WARNING)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    bot = await launch(database_path=blocker / "questions.sqlite3")

    data = (await callback(fake, await fake.slash("ask", {"question": "best bread recipe"})))["data"]

    assert data["embeds"][0]["title"] == "Not covered by the essay"
    await until(lambda: "Could not record a question" in caplog.text)
    assert 'explainer_database_errors_total{operation="record_question"} 1.0' in bot.metrics.render().decode()


async def test_health_and_metrics_on_loopback(fake: FakeDiscord, launch: StartBot) -> None:
    """/healthz reports the gateway, the knowledge version and the last reload; /metrics counts questions."""
    port = free_port()
    bot = await launch(health_port=port)
    await callback(fake, await fake.slash("ask", {"question": "who wrote the essay"}))
    await callback(fake, await fake.slash("ask", {"question": "best bread recipe"}))

    status, body = await get(f"http://127.0.0.1:{port}/healthz")
    report = json.loads(body)
    assert status == 200
    assert report["gateway_connected"] is True
    assert report["knowledge"] == {"loaded": True, "version": bot.store.current.knowledge.version, "entries": 40}
    assert fake.token not in body.decode()

    status, body = await get(f"http://127.0.0.1:{port}/metrics")
    text = body.decode()
    assert status == 200
    assert 'explainer_questions_total{outcome="answered"} 1.0' in text
    assert 'explainer_questions_total{outcome="declined"} 1.0' in text
    assert "explainer_match_latency_seconds_count 2.0" in text
    await until(lambda: _count(bot.settings.question_log, "questions") == 1)
    assert 'explainer_database_latency_seconds_count{operation="record_question"} 1.0' in (
        (await get(f"http://127.0.0.1:{port}/metrics"))[1].decode()
    )

    healthcheck = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.healthcheck"],
        env={"PATH": os.environ["PATH"], "HEALTH_PORT": str(port)},
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert healthcheck.returncode == 0


async def test_health_is_503_without_a_gateway(launch: StartBot) -> None:
    """A bot that lost its gateway answers /healthz with 503, so the container's HEALTHCHECK fails."""
    bot = await launch()
    await bot.close()
    port = free_port()
    server = HealthServer(bot, "127.0.0.1", port)
    await server.start()
    try:
        status, body = await get(f"http://127.0.0.1:{port}/healthz")
    finally:
        await server.stop()

    assert status == 503
    assert json.loads(body)["gateway_connected"] is False


async def test_sharded_bot_runs_its_shards(fake: FakeDiscord, launch: StartBot) -> None:
    """SHARD_COUNT and SHARD_IDS make the bot identify as exactly those shards, and serve their guilds."""
    bot = await launch(shard_count=3, shard_ids=(0,))

    assert [identify["shard"] for identify in fake.identifies] == [[0, 3]]
    assert sorted(bot.shards) == [0]
    data = (await callback(fake, await fake.slash("ask", {"question": "who wrote the essay"})))["data"]
    assert data["embeds"][0]["title"] == "Who wrote the essay"


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
