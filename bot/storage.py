"""Where the unanswered-questions loop keeps its data: SQLite by default, behind a small interface.

Only what maintainers need is stored: a question's text, when, in which server, and its best score;
and 👍/👎 counts per entry. Never who asked. Everything is stored and read back as data only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aiosqlite

from bot.core.gaps import Asked

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    asked_at REAL NOT NULL,
    guild_id INTEGER,
    best_score REAL NOT NULL,
    answered_id TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
    entry_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    given_at REAL NOT NULL,
    guild_id INTEGER
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
"""
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Rating:
    """How an entry's answers were received."""

    entry_id: str
    helpful: int
    unhelpful: int


class QuestionLog(Protocol):
    """What the bot needs from storage; a shared server database can implement it instead of SQLite."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def record_question(
        self, text: str, guild_id: int | None, best_score: float, answered_id: str | None
    ) -> None: ...

    async def record_feedback(self, entry_id: str, helpful: bool, guild_id: int | None) -> None: ...

    async def unanswered(self, since: float = 0.0, limit: int = 5000) -> list[Asked]: ...

    async def ratings(self) -> list[Rating]: ...


class SqliteQuestionLog:
    """QuestionLog in one SQLite file, through aiosqlite; every value goes in as a bound parameter."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, timeout=2.0)
        await self._db.executescript(SCHEMA)
        await self._db.commit()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            await self.open()
        assert self._db is not None
        return self._db

    async def record_question(
        self, text: str, guild_id: int | None, best_score: float, answered_id: str | None
    ) -> None:
        db = await self._connection()
        await db.execute(
            "INSERT INTO questions (text, asked_at, guild_id, best_score, answered_id) VALUES (?, ?, ?, ?, ?)",
            (text[:MAX_TEXT], time.time(), guild_id, best_score, answered_id),
        )
        await db.commit()

    async def record_feedback(self, entry_id: str, helpful: bool, guild_id: int | None) -> None:
        db = await self._connection()
        await db.execute(
            "INSERT INTO feedback (entry_id, helpful, given_at, guild_id) VALUES (?, ?, ?, ?)",
            (entry_id, int(helpful), time.time(), guild_id),
        )
        await db.commit()

    async def unanswered(self, since: float = 0.0, limit: int = 5000) -> list[Asked]:
        """Declined questions (newest first), for grouping into gaps."""
        db = await self._connection()
        query = (
            "SELECT text, best_score FROM questions WHERE answered_id IS NULL AND asked_at >= ? "
            "ORDER BY asked_at DESC LIMIT ?"
        )
        async with db.execute(query, (since, limit)) as cursor:
            return [Asked(text, score) async for text, score in cursor]

    async def ratings(self) -> list[Rating]:
        """👍/👎 per entry, most 👎 first."""
        db = await self._connection()
        query = (
            "SELECT entry_id, SUM(helpful), SUM(1 - helpful) FROM feedback GROUP BY entry_id "
            "ORDER BY SUM(1 - helpful) DESC, entry_id"
        )
        async with db.execute(query) as cursor:
            return [Rating(entry_id, helpful, unhelpful) async for entry_id, helpful, unhelpful in cursor]
