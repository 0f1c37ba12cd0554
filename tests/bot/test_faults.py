"""Faults and abuse: dropped gateways, rate limits, server errors, a stuck database, and a canary token."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.client import ExplainerBot
from tests.bot.conftest import StartBot
from tests.bot.support import until
from tests.conftest import FIXTURES
from tests.fakediscord import FakeDiscord, InteractionHandle, RecordedRequest

CALLBACK = r"^/interactions/\d+/[^/]+/callback$"


async def answered(fake: FakeDiscord, handle: InteractionHandle, timeout: float = 5.0) -> dict[str, Any]:
    """The JSON of the interaction's successful first response."""
    request = await fake.wait_for_request(
        path=rf"^/interactions/{handle.id}/{handle.token}/callback$",
        predicate=lambda r: r.status == 200,
        timeout=timeout,
    )
    return request.json


def creates_a_message(request: RecordedRequest) -> bool:
    """Requests that post a new message: channel messages, interaction replies and follow-ups."""
    if request.method != "POST" or not isinstance(request.json, dict):
        return False
    if "/callback" in request.path:
        return request.json.get("type") == 4
    return request.path.startswith(("/channels/", "/webhooks/"))


async def test_no_payload_the_bot_sends_can_ping(fake: FakeDiscord, launch: StartBot, knowledge_copy: Path) -> None:
    """After a session full of mentions, every message the bot created forbids all pings."""
    await launch(log_channel_id=fake.channel_id)
    hostile = f"@everyone @here <@{fake.moderator.id}> <@&{fake.moderator_role_id}>"
    for question in (f"{hostile} who is the dominant partner", f"{hostile} bake bread", f"{hostile} what do they gain"):
        await answered(fake, await fake.slash("ask", {"question": question}))
    await answered(fake, await fake.slash("summary", {"length": "full"}, user=fake.moderator))
    for content in (
        f"<@{fake.bot_id}> {hostile} who wrote it",
        f"<@{fake.bot_id}> {hostile}",
        f"<@{fake.bot_id}> {hostile} pizza",
    ):
        await fake.message(content, mentions=[fake.bot, fake.moderator])
    (knowledge_copy / "entries" / "99-broken.yaml").write_text(f"theme: {hostile}\nentries: []\n", encoding="utf-8")
    await until(
        lambda: len([r for r in fake.requests if creates_a_message(r) and r.path.startswith("/channels/")]) >= 4
    )

    created = [request for request in fake.requests if creates_a_message(request)]
    assert len(created) >= 8
    for request in created:
        body = request.json.get("data", request.json)
        assert body.get("allowed_mentions", {}).get("parse") == [], request.path
        assert not body["allowed_mentions"].get("users")
        assert not body["allowed_mentions"].get("roles")
        assert body["allowed_mentions"].get("replied_user", False) is False


async def test_gateway_drop_resumes_and_answers(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """A question sent just before the connection drops is answered, and so is the next one after the resume."""
    before = await fake.slash("ask", {"question": "who wrote the essay"})
    await fake.drop_connection()
    assert (await answered(fake, before))["data"]["embeds"][0]["title"] == "Who wrote the essay"

    await fake.wait_for_live_session()
    after = await fake.slash("ask", {"question": "sino soviet split"})

    assert (await answered(fake, after))["data"]["embeds"][0]["title"] == "The Sino-Soviet split of the 1960s"
    assert fake.resume_count + fake.identify_count >= 2


async def test_rate_limit_is_waited_out(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """A 429 with retry_after on the reply is retried after the wait; the user still gets the answer."""
    fake.rate_limit(CALLBACK, retry_after=0.2)

    handle = await fake.slash("ask", {"question": "who wrote the essay"})
    data = (await answered(fake, handle))["data"]

    attempts = fake.requests_to("POST", rf"^/interactions/{handle.id}/")
    assert [attempt.status for attempt in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.15
    assert data["embeds"][0]["title"] == "Who wrote the essay"


async def test_server_error_is_retried(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """A 500 from Discord is retried as discord.py does, and the answer arrives."""
    fake.inject_fault(CALLBACK, status=500)

    handle = await fake.slash("ask", {"question": "who wrote the essay"})

    assert (await answered(fake, handle))["data"]["embeds"][0]["title"] == "Who wrote the essay"


async def test_failed_reply_is_logged_and_the_bot_stays_up(
    fake: FakeDiscord, bot: ExplainerBot, caplog: pytest.LogCaptureFixture
) -> None:
    """When Discord refuses a reply (403), the bot logs it and answers the next question."""
    caplog.set_level(logging.WARNING)
    fake.inject_fault(r"^/channels/\d+/messages$", status=403, method="POST")
    await fake.message(f"<@{fake.bot_id}> who wrote the essay", mentions=[fake.bot])
    await until(lambda: "Could not answer a message" in caplog.text)

    handle = await fake.slash("ask", {"question": "who wrote the essay"})
    assert (await answered(fake, handle))["data"]["embeds"][0]["title"] == "Who wrote the essay"


async def test_slow_discord_does_not_lose_the_answer(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """A reply that hangs a second before Discord accepts it still lands, and other questions go on meanwhile."""
    fake.hang(CALLBACK, 1.0)
    slow = await fake.slash("ask", {"question": "who wrote the essay"})
    quick = await fake.slash("ask", {"question": "sino soviet split"})

    assert (await answered(fake, quick))["data"]["embeds"][0]["title"] == "The Sino-Soviet split of the 1960s"
    assert (await answered(fake, slow))["data"]["embeds"][0]["title"] == "Who wrote the essay"


async def test_locked_database_does_not_stop_answers_and_recovers(
    fake: FakeDiscord, bot: ExplainerBot, caplog: pytest.LogCaptureFixture
) -> None:
    """While another process holds the SQLite file locked, questions are answered and the failure logged; then recording resumes."""
    caplog.set_level(logging.WARNING)
    await answered(fake, await fake.slash("ask", {"question": "bake bread"}))
    database = bot.settings.question_log
    await until(lambda: _count(database) == 1)

    blocker = sqlite3.connect(database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        data = (await answered(fake, await fake.slash("ask", {"question": "bake pizza"})))["data"]
        assert data["embeds"][0]["title"] == "Not covered by the essay"
        await until(lambda: "Could not record a question" in caplog.text)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    await answered(fake, await fake.slash("ask", {"question": "bake cake"}))
    await until(lambda: _count(database) == 2)


async def test_deleted_database_does_not_stop_answers(fake: FakeDiscord, bot: ExplainerBot) -> None:
    """Deleting the SQLite file under a running bot breaks nothing users see."""
    await answered(fake, await fake.slash("ask", {"question": "bake bread"}))
    bot.settings.question_log.unlink()

    data = (await answered(fake, await fake.slash("ask", {"question": "bake pizza"})))["data"]

    assert data["embeds"][0]["title"] == "Not covered by the essay"


async def test_canary_token_never_leaks(
    fake: FakeDiscord, launch: StartBot, knowledge_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With DEBUG logging, through answers, errors and a refused reload, the token appears in no log line or payload."""
    caplog.set_level(logging.DEBUG)
    bot = await launch(log_level="DEBUG", log_channel_id=fake.channel_id)
    await answered(fake, await fake.slash("ask", {"question": "who wrote the essay"}))
    await answered(fake, await fake.slash("summary", user=fake.member))
    (knowledge_copy / "entries" / "99-broken.yaml").write_bytes((FIXTURES / "broken" / "python-tag.yaml").read_bytes())
    await until(lambda: bot.store.last_reload is not None and not bot.store.last_reload.ok)
    await fake.drop_connection()
    await fake.wait_for_live_session()

    assert caplog.records
    assert fake.token not in caplog.text
    for record in caplog.records:
        assert fake.token not in record.getMessage()
    for request in fake.requests:
        assert fake.token not in str(request.json)
        assert fake.token not in str(request.query)


def _count(database: Path) -> int:
    with sqlite3.connect(database, timeout=0.1) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        except sqlite3.OperationalError:
            return -1


BOMBS = {
    "billion-laughs": b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
    "deep-nesting": b"x: " + b"[" * 100_000 + b"]" * 100_000,
    "binary-junk": bytes(range(256)) * 64,
    "python-object": b"!!python/object/apply:os.system ['touch /tmp/pwned-by-yaml']\n",
    "utf-16": "theme: x\nentries: []\n".encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
async def test_running_bot_survives_hostile_knowledge_files(
    fake: FakeDiscord, bot: ExplainerBot, knowledge_copy: Path, name: str
) -> None:
    """A hostile file dropped into the knowledge folder is refused; the bot keeps its last good knowledge base."""
    before = bot.store.current
    (knowledge_copy / "entries" / f"99-{name}.yaml").write_bytes(BOMBS[name])

    await until(lambda: bot.store.last_reload is not None)

    assert not bot.store.last_reload.ok
    assert bot.store.current is before
    assert not Path("/tmp/pwned-by-yaml").exists()
    handle = await fake.slash("ask", {"question": "who wrote the essay"})
    assert (await answered(fake, handle))["data"]["embeds"][0]["title"] == "Who wrote the essay"


async def test_huge_knowledge_file_is_refused_without_reading_it(
    fake: FakeDiscord, bot: ExplainerBot, knowledge_copy: Path
) -> None:
    """A 50 MB file is refused by its size; the reload reports it and nothing else changes."""
    with (knowledge_copy / "entries" / "99-huge.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)

    await until(lambda: bot.store.last_reload is not None)

    assert [problem.message for problem in bot.store.last_reload.problems] == [
        "file is 52,428,800 bytes; knowledge files are limited to 1,000,000"
    ]
