"""The SQLite question log: what is stored, and that it is stored as data only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.gaps import Asked
from bot.storage import Rating, SqliteQuestionLog

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
        columns = {row[1] for table in ("questions", "feedback") for row in db.execute(f"PRAGMA table_info({table})")}
    assert not any("user" in column or "author" in column for column in columns)


async def test_ratings_put_the_least_liked_first(tmp_path: Path) -> None:
    """Feedback adds up per entry, the answers with the most 👎 first."""
    log = SqliteQuestionLog(tmp_path / "q.sqlite3")
    for entry_id, helpful in [("a", True), ("b", False), ("b", False), ("a", False), ("c", True)]:
        await log.record_feedback(entry_id, helpful, 1)

    assert await log.ratings() == [Rating("b", 0, 2), Rating("a", 1, 1), Rating("c", 1, 0)]
    await log.close()
