"""The question log: the same protocol, held by SQLite and by PostgreSQL, storing data only and never who."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from bot.core.gaps import Asked
from bot.core.learning import AFTER_DECLINE, Pick, Vote
from bot.storage import QuestionLog, Rating, StorageError, open_question_log
from bot.storage import postgres as pg
from bot.storage import sqlite as lite
from tests.postgres import PostgresServer

HOSTILE = "'); DROP TABLE questions; -- <@&1> @everyone **x**"
OpenLog = Callable[[], Awaitable[QuestionLog]]


@pytest.fixture(params=["sqlite", "postgres"])
async def open_log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenLog]:
    """Opens logs on one database of the parametrised backend (a second open is another process's view)."""
    location: str | Path = tmp_path / "q.sqlite3"
    if request.param == "postgres":
        location = request.getfixturevalue("postgres_url")
    opened: list[QuestionLog] = []

    async def make() -> QuestionLog:
        log = open_question_log(location)
        await log.open()
        opened.append(log)
        return log

    yield make
    for log in opened:
        await log.close()


async def test_declined_questions_are_kept_newest_first(open_log: OpenLog) -> None:
    """Declined questions come back for the gaps report; answered weak ones are stored but not gaps."""
    log = await open_log()
    await log.record_question("first", 1, 10.0, None)
    await log.record_question("weak but answered", 1, 55.0, "author")
    await log.record_question("second", None, 20.0, None, follow_up_of="author")

    assert await log.unanswered() == [Asked("second", 20.0), Asked("first", 10.0)]


async def test_hostile_text_is_stored_as_plain_data(open_log: OpenLog) -> None:
    """SQL and markup in a question, a pick or a vote are stored verbatim and break nothing."""
    log = await open_log()
    await log.record_question(HOSTILE, 1, 0.0, None)
    await log.record_pick(Pick(HOSTILE, "author", AFTER_DECLINE), None)
    await log.record_feedback(Vote(HOSTILE, "author", False), None)

    assert await log.unanswered() == [Asked(HOSTILE, 0.0)]
    assert await log.picks() == [Pick(HOSTILE, "author", AFTER_DECLINE)]
    assert await log.votes() == [Vote(HOSTILE, "author", False)]


async def test_ratings_put_the_least_liked_first(open_log: OpenLog) -> None:
    """Feedback adds up per entry, the answers with the most 👎 first."""
    log = await open_log()
    for entry_id, helpful in [("a", True), ("b", False), ("b", False), ("a", False), ("c", True)]:
        await log.record_feedback(Vote(None, entry_id, helpful), 1)

    assert await log.ratings() == [Rating("b", 0, 2), Rating("a", 1, 1), Rating("c", 1, 0)]


async def test_a_vote_key_counts_once(open_log: OpenLog) -> None:
    """The same key votes once, from any process; votes without a key (the terminal chat) all count."""
    log, other_process = await open_log(), await open_log()
    vote = Vote("who wrote it", "author", True)

    outcomes = [await log.record_feedback(vote, 1, key) for key in ("k1", "k1", "k2", None, None)]
    outcomes.append(await other_process.record_feedback(vote, 1, "k1"))

    assert outcomes == [True, False, True, True, True, False]
    assert await log.ratings() == [Rating("author", 4, 0)]
    assert await log.votes() == [vote] * 4


async def test_writers_at_once_lose_nothing(open_log: OpenLog) -> None:
    """Four logs (as four processes would) writing together: every question is there, counted once."""
    logs = [await open_log() for _ in range(4)]

    async def write(log: QuestionLog, writer: int) -> None:
        for number in range(50):
            await log.record_question(f"question {writer}-{number}", None, 0.0, None)

    await asyncio.gather(*(write(log, writer) for writer, log in enumerate(logs)))

    texts = [asked.text for asked in await logs[0].unanswered()]
    assert sorted(texts) == sorted(f"question {writer}-{number}" for writer in range(4) for number in range(50))


async def test_opening_again_leaves_an_up_to_date_schema_alone(open_log: OpenLog) -> None:
    """Every process migrates at start-up; the second finds nothing to do and the data stays."""
    first = await open_log()
    await first.record_question("kept", None, 0.0, None)
    second = await open_log()

    assert await second.version() == len(lite.MIGRATIONS) == len(pg.MIGRATIONS)
    assert await second.unanswered() == [Asked("kept", 0.0)]


async def test_no_user_ids_are_stored_in_sqlite(tmp_path: Path) -> None:
    """The schema has no column for who asked or who rated."""
    path = tmp_path / "q.sqlite3"
    log = lite.SqliteQuestionLog(path)
    await log.open()
    await log.close()

    with sqlite3.connect(path) as db:
        tables = ("questions", "feedback", "picks")
        columns = {row[1] for table in tables for row in db.execute(f"PRAGMA table_info({table})")}
    assert not any("user" in column or "author" in column for column in columns)


async def test_no_user_ids_are_stored_in_postgres(postgres_url: str) -> None:
    log = open_question_log(postgres_url)
    await log.open()
    await log.close()

    connection = await asyncpg.connect(postgres_url)
    rows = await connection.fetch("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'")
    await connection.close()
    columns = {row["column_name"] for row in rows}
    assert {"text", "vote_key", "question"} <= columns
    assert not any("user" in column or "author" in column for column in columns)


async def test_a_sqlite_file_of_the_first_schema_is_upgraded_in_place(tmp_path: Path) -> None:
    """A question log written before picks and vote keys existed keeps its rows and gains the new tables."""
    path = tmp_path / "q.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(lite.MIGRATIONS[0])
        db.execute("INSERT INTO questions (text, asked_at, best_score) VALUES ('old question', 1.0, 20.0)")

    log = lite.SqliteQuestionLog(path)
    assert await log.unanswered() == [Asked("old question", 20.0)]
    await log.record_pick(Pick("old question", "author", AFTER_DECLINE), None)
    assert await log.version() == lite.SCHEMA_VERSION
    await log.close()


async def test_a_postgres_database_of_the_first_schema_is_upgraded_in_place(postgres_url: str) -> None:
    connection = await asyncpg.connect(postgres_url)
    await connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    await connection.execute(pg.MIGRATIONS[0])
    await connection.execute("INSERT INTO schema_version VALUES (1)")
    await connection.execute("INSERT INTO questions (text, asked_at, best_score) VALUES ('old question', 1.0, 20.0)")
    await connection.close()

    log = open_question_log(postgres_url)
    assert await log.unanswered() == [Asked("old question", 20.0)]
    await log.record_pick(Pick("old question", "author", AFTER_DECLINE), None)
    assert await log.version() == pg.SCHEMA_VERSION
    await log.close()


async def test_processes_migrating_at_once_migrate_once(postgres_url: str) -> None:
    """Shards starting together all migrate under one lock: no step runs twice, none fails."""
    logs = [open_question_log(postgres_url) for _ in range(5)]

    await asyncio.gather(*(log.open() for log in logs))

    assert [await log.version() for log in logs] == [pg.SCHEMA_VERSION] * 5
    connection = await asyncpg.connect(postgres_url)
    assert await connection.fetchval("SELECT COUNT(*) FROM schema_version") == pg.SCHEMA_VERSION
    await connection.close()
    for log in logs:
        await log.close()


async def test_writes_wait_while_the_server_is_away_and_go_in_when_it_is_back(
    postgres_server: PostgresServer, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart mid-way: writes raise StorageError (the bot logs it and answers on), then land, none lost."""
    monkeypatch.setattr(pg, "FIRST_RETRY", 0.0)
    log = open_question_log(postgres_url)
    await log.record_question("before", None, 0.0, None)

    postgres_server.stop()
    try:
        for text in ("during 1", "during 2"):
            with pytest.raises(StorageError):
                await log.record_question(text, None, 0.0, None)
    finally:
        postgres_server.start()
    await log.record_question("after", None, 0.0, None)

    assert sorted(asked.text for asked in await log.unanswered()) == ["after", "before", "during 1", "during 2"]
    await log.close()


async def test_a_server_that_is_not_there_is_a_storage_error_not_a_crash(postgres_server: PostgresServer) -> None:
    """Starting against a database that can't be reached: recording says so, and may be retried later."""
    log = open_question_log(f"postgresql://postgres@127.0.0.1:{postgres_server.port + 1}/nowhere")

    with pytest.raises(StorageError):
        await log.record_question("lost?", None, 0.0, None)
    await log.close()
