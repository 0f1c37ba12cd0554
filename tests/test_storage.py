"""The SQLite question log: what is stored, and that it is stored as data only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.gaps import Asked
from bot.core.learning import AFTER_DECLINE, Pick, Vote
from bot.storage import MIGRATIONS, SCHEMA_VERSION, Rating, SqliteQuestionLog

HOSTILE = "'); DROP TABLE questions; -- <@&1> @everyone **x**"


async def test_declined_questions_are_kept_newest_first(tmp_path: Path) -> None:
    """Declined questions come back for the gaps report; answered weak ones are stored but not gaps."""
    log = SqliteQuestionLog(tmp_path / "q.sqlite3")
    await log.record_question("first", 1, 10.0, None)
    await log.record_question("weak but answered", 1, 55.0, "author")
    await log.record_question("second", None, 20.0, None)

    assert await log.unanswered() == [Asked("second", 20.0), Asked("first", 10.0)]
    await log.close()


async def test_hostile_text_is_stored_as_plain_data(tmp_path: Path) -> None:
    """SQL and markup in a question are stored verbatim and break nothing."""
    path = tmp_path / "q.sqlite3"
    log = SqliteQuestionLog(path)
    await log.record_question(HOSTILE, 1, 0.0, None)
    await log.close()

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT text FROM questions").fetchall() == [(HOSTILE,)]


async def test_no_user_ids_are_stored(tmp_path: Path) -> None:
    """The schema has no column for who asked or who rated."""
    path = tmp_path / "q.sqlite3"
    log = SqliteQuestionLog(path)
    await log.open()
    await log.close()

    with sqlite3.connect(path) as db:
        tables = ("questions", "feedback", "picks")
        columns = {row[1] for table in tables for row in db.execute(f"PRAGMA table_info({table})")}
    assert not any("user" in column or "author" in column for column in columns)


async def test_ratings_put_the_least_liked_first(tmp_path: Path) -> None:
    """Feedback adds up per entry, the answers with the most 👎 first."""
    log = SqliteQuestionLog(tmp_path / "q.sqlite3")
    for entry_id, helpful in [("a", True), ("b", False), ("b", False), ("a", False), ("c", True)]:
        await log.record_feedback(Vote(None, entry_id, helpful), 1)

    assert await log.ratings() == [Rating("b", 0, 2), Rating("a", 1, 1), Rating("c", 1, 0)]
    await log.close()


async def test_a_vote_key_counts_once(tmp_path: Path) -> None:
    """The same key votes once; votes without a key (the terminal chat) and other keys all count."""
    log = SqliteQuestionLog(tmp_path / "q.sqlite3")
    vote = Vote("who wrote it", "author", True)

    outcomes = [await log.record_feedback(vote, 1, key) for key in ("k1", "k1", "k2", None, None)]

    assert outcomes == [True, False, True, True, True]
    assert await log.ratings() == [Rating("author", 4, 0)]
    assert await log.votes() == [vote] * 4
    await log.close()


async def test_picks_come_back_as_recorded(tmp_path: Path) -> None:
    """A pick keeps its question verbatim (hostile text included) and what the member had been shown."""
    log = SqliteQuestionLog(tmp_path / "q.sqlite3")
    await log.record_pick(Pick(HOSTILE, "author", AFTER_DECLINE), None)

    assert await log.picks() == [Pick(HOSTILE, "author", AFTER_DECLINE)]
    await log.close()


async def test_a_file_of_the_first_schema_is_upgraded_in_place(tmp_path: Path) -> None:
    """A question log written before picks and vote keys existed keeps its rows and gains the new tables."""
    path = tmp_path / "q.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("INSERT INTO questions (text, asked_at, best_score) VALUES ('old question', 1.0, 20.0)")

    log = SqliteQuestionLog(path)
    assert await log.unanswered() == [Asked("old question", 20.0)]
    await log.record_pick(Pick("old question", "author", AFTER_DECLINE), None)
    await log.close()
    again = SqliteQuestionLog(path)
    await again.open()  # an up-to-date file is left as it is
    await again.close()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert db.execute("SELECT COUNT(*) FROM picks").fetchone() == (1,)
