"""The question log in one SQLite file: the embedded default, for a bot that runs as one process."""

from __future__ import annotations

import time
from pathlib import Path

import aiosqlite

from bot.core.gaps import Asked
from bot.core.learning import Pick, Rating, Vote
from bot.storage.base import MAX_TEXT

# Each step takes the schema one version further; a database records the version it is at, so
# a newer bot upgrades an older file in place and an up-to-date one is left alone.
MIGRATIONS = (
    """
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
    """,
    """
    ALTER TABLE questions ADD COLUMN follow_up_of TEXT;
    ALTER TABLE feedback ADD COLUMN question TEXT;
    ALTER TABLE feedback ADD COLUMN vote_key TEXT;
    CREATE UNIQUE INDEX feedback_once ON feedback (vote_key);
    CREATE TABLE picks (
        question TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        after TEXT NOT NULL,
        picked_at REAL NOT NULL,
        guild_id INTEGER
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SqliteQuestionLog:
    """QuestionLog in one SQLite file, through aiosqlite; every value goes in as a bound parameter."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, timeout=2.0)
        await _migrate(self._db)

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def version(self) -> int:
        db = await self._connection()
        async with db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            await self.open()
        assert self._db is not None
        return self._db

    async def record_question(
        self,
        text: str,
        guild_id: int | None,
        best_score: float,
        answered_id: str | None,
        follow_up_of: str | None = None,
    ) -> None:
        db = await self._connection()
        await db.execute(
            "INSERT INTO questions (text, asked_at, guild_id, best_score, answered_id, follow_up_of) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (text[:MAX_TEXT], time.time(), guild_id, best_score, answered_id, follow_up_of),
        )
        await db.commit()

    async def record_feedback(self, vote: Vote, guild_id: int | None, vote_key: str | None = None) -> bool:
        """Store a 👍/👎; False (and nothing stored) when ``vote_key`` already voted."""
        db = await self._connection()
        question = vote.question[:MAX_TEXT] if vote.question else None
        cursor = await db.execute(
            "INSERT OR IGNORE INTO feedback (entry_id, helpful, given_at, guild_id, question, vote_key) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (vote.entry_id, int(vote.helpful), time.time(), guild_id, question, vote_key),
        )
        await db.commit()
        return cursor.rowcount == 1

    async def record_pick(self, pick: Pick, guild_id: int | None) -> None:
        db = await self._connection()
        await db.execute(
            "INSERT INTO picks (question, entry_id, after, picked_at, guild_id) VALUES (?, ?, ?, ?, ?)",
            (pick.question[:MAX_TEXT], pick.entry_id, pick.after, time.time(), guild_id),
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

    async def picks(self, limit: int = 5000) -> list[Pick]:
        """Suggestions members picked, newest first."""
        db = await self._connection()
        query = "SELECT question, entry_id, after FROM picks ORDER BY picked_at DESC LIMIT ?"
        async with db.execute(query, (limit,)) as cursor:
            return [Pick(question, entry_id, after) async for question, entry_id, after in cursor]

    async def votes(self, limit: int = 5000) -> list[Vote]:
        """👍/👎 given with the question they answered, newest first."""
        db = await self._connection()
        query = (
            "SELECT question, entry_id, helpful FROM feedback WHERE question IS NOT NULL ORDER BY given_at DESC LIMIT ?"
        )
        async with db.execute(query, (limit,)) as cursor:
            return [Vote(question, entry_id, bool(helpful)) async for question, entry_id, helpful in cursor]

    async def ratings(self) -> list[Rating]:
        """👍/👎 per entry, most 👎 first."""
        db = await self._connection()
        query = (
            "SELECT entry_id, SUM(helpful), SUM(1 - helpful) FROM feedback GROUP BY entry_id "
            "ORDER BY SUM(1 - helpful) DESC, entry_id"
        )
        async with db.execute(query) as cursor:
            return [Rating(entry_id, helpful, unhelpful) async for entry_id, helpful, unhelpful in cursor]


async def _migrate(db: aiosqlite.Connection) -> None:
    """Bring the file to SCHEMA_VERSION, one step per transaction; a second process waits its turn."""
    for version, step in enumerate(MIGRATIONS, 1):
        await db.execute("BEGIN IMMEDIATE")
        async with db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = row[0] if row else 0
        if current >= version:
            await db.rollback()
            continue
        for statement in _statements(step):
            await db.execute(statement)
        # PRAGMA takes no bound parameters; ``version`` is our own integer.
        await db.execute(f"PRAGMA user_version = {version:d}")
        await db.commit()


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]
