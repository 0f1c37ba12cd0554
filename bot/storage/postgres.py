"""The question log in PostgreSQL, through an asyncpg pool: for a bot split across processes or pods.

Every shard process writes into the one database, so the gaps report and ``learn`` see everything,
and "once per person" holds across all of them. When the server goes away, answering goes on:
writes wait in a bounded queue and go in, oldest first, once a connection can be made again; new
attempts are spaced out (exponential backoff) so a down server is not hammered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

import asyncpg

from bot.core.gaps import Asked
from bot.core.learning import Pick, Rating, Vote
from bot.storage.base import MAX_TEXT, StorageError

log = logging.getLogger(__name__)

# Each step takes the schema one version further (the same steps as SQLite's, in PostgreSQL's words).
MIGRATIONS = (
    """
    CREATE TABLE IF NOT EXISTS questions (
        id BIGSERIAL PRIMARY KEY,
        text TEXT NOT NULL,
        asked_at DOUBLE PRECISION NOT NULL,
        guild_id BIGINT,
        best_score DOUBLE PRECISION NOT NULL,
        answered_id TEXT
    );
    CREATE TABLE IF NOT EXISTS feedback (
        entry_id TEXT NOT NULL,
        helpful BOOLEAN NOT NULL,
        given_at DOUBLE PRECISION NOT NULL,
        guild_id BIGINT
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
        picked_at DOUBLE PRECISION NOT NULL,
        guild_id BIGINT
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
MIGRATION_LOCK = 0x6573_7361_7962_6F74  # any fixed number: the advisory lock every process migrates under
POOL_SIZE = 4
COMMAND_TIMEOUT = 5.0
PENDING_LIMIT = 10_000  # writes kept while the server is away; the oldest are dropped past this
FIRST_RETRY, LAST_RETRY = 0.5, 30.0  # seconds between connection attempts, doubling after each failure
# The server is away, restarting or shutting down: the write can wait for it.
UNAVAILABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
)


class PostgresQuestionLog:
    """QuestionLog in a PostgreSQL database; every value goes in as a bound parameter."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._pool: asyncpg.Pool | None = None
        self._pending: deque[tuple[str, tuple[Any, ...]]] = deque(maxlen=PENDING_LIMIT)
        self._retry_at = 0.0
        self._retry_delay = FIRST_RETRY
        self._opening = asyncio.Lock()

    async def open(self) -> None:
        async with self._opening:
            if self._pool is None:
                pool = await asyncpg.create_pool(
                    self.url, min_size=1, max_size=POOL_SIZE, command_timeout=COMMAND_TIMEOUT
                )
                try:
                    await _migrate(pool)
                except BaseException:
                    await pool.close()
                    raise
                self._pool = pool

    async def close(self) -> None:
        if self._pool is not None and self._pending:
            try:
                await self._flush(self._pool)
            except UNAVAILABLE:
                log.warning("PostgreSQL unavailable at shutdown: %d writes not stored", len(self._pending))
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def version(self) -> int:
        pool = await self._ready()
        return int(await pool.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))

    async def record_question(
        self,
        text: str,
        guild_id: int | None,
        best_score: float,
        answered_id: str | None,
        follow_up_of: str | None = None,
    ) -> None:
        await self._write(
            "INSERT INTO questions (text, asked_at, guild_id, best_score, answered_id, follow_up_of) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            text[:MAX_TEXT],
            time.time(),
            guild_id,
            best_score,
            answered_id,
            follow_up_of,
        )

    async def record_feedback(self, vote: Vote, guild_id: int | None, vote_key: str | None = None) -> bool:
        """Store a 👍/👎; False (and nothing stored) when ``vote_key`` already voted."""
        question = vote.question[:MAX_TEXT] if vote.question else None
        status = await self._write(
            "INSERT INTO feedback (entry_id, helpful, given_at, guild_id, question, vote_key) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (vote_key) DO NOTHING",
            vote.entry_id,
            vote.helpful,
            time.time(),
            guild_id,
            question,
            vote_key,
        )
        return status != "INSERT 0 0"

    async def record_pick(self, pick: Pick, guild_id: int | None) -> None:
        await self._write(
            "INSERT INTO picks (question, entry_id, after, picked_at, guild_id) VALUES ($1, $2, $3, $4, $5)",
            pick.question[:MAX_TEXT],
            pick.entry_id,
            pick.after,
            time.time(),
            guild_id,
        )

    async def unanswered(self, since: float = 0.0, limit: int = 5000) -> list[Asked]:
        """Declined questions (newest first), for grouping into gaps."""
        rows = await self._read(
            "SELECT text, best_score FROM questions WHERE answered_id IS NULL AND asked_at >= $1 "
            "ORDER BY asked_at DESC, id DESC LIMIT $2",
            since,
            limit,
        )
        return [Asked(row["text"], row["best_score"]) for row in rows]

    async def picks(self, limit: int = 5000) -> list[Pick]:
        rows = await self._read("SELECT question, entry_id, after FROM picks ORDER BY picked_at DESC LIMIT $1", limit)
        return [Pick(row["question"], row["entry_id"], row["after"]) for row in rows]

    async def votes(self, limit: int = 5000) -> list[Vote]:
        rows = await self._read(
            "SELECT question, entry_id, helpful FROM feedback WHERE question IS NOT NULL "
            "ORDER BY given_at DESC LIMIT $1",
            limit,
        )
        return [Vote(row["question"], row["entry_id"], row["helpful"]) for row in rows]

    async def ratings(self) -> list[Rating]:
        rows = await self._read(
            "SELECT entry_id, COUNT(*) FILTER (WHERE helpful) AS up, COUNT(*) FILTER (WHERE NOT helpful) AS down "
            "FROM feedback GROUP BY entry_id ORDER BY down DESC, entry_id"
        )
        return [Rating(row["entry_id"], row["up"], row["down"]) for row in rows]

    # -- connections, outages and the queue of writes waiting for the server --------

    async def _ready(self) -> asyncpg.Pool:
        if self._pool is None:
            if time.monotonic() < self._retry_at:
                raise StorageError("PostgreSQL is unavailable; waiting before the next attempt")
            try:
                await self.open()
            except UNAVAILABLE as error:
                self._back_off()
                raise StorageError(f"could not connect to PostgreSQL ({type(error).__name__})") from error
        assert self._pool is not None
        return self._pool

    async def _write(self, query: str, *args: Any) -> str:
        """Run one write; while the server is away it waits in the queue, and StorageError says so."""
        try:
            pool = await self._ready()
            await self._flush(pool)
            status: str = await pool.execute(query, *args)
        except (StorageError, *UNAVAILABLE) as error:
            self._pending.append((query, args))
            if not isinstance(error, StorageError):
                self._back_off()
            raise StorageError(f"PostgreSQL unavailable; {len(self._pending)} writes waiting") from error
        self._retry_delay = FIRST_RETRY
        return status

    async def _flush(self, pool: asyncpg.Pool) -> None:
        """Send the writes that waited, oldest first; each leaves the queue only once stored."""
        while self._pending:
            query, args = self._pending[0]
            await pool.execute(query, *args)
            self._pending.popleft()

    async def _read(self, query: str, *args: Any) -> list[asyncpg.Record]:
        pool = await self._ready()
        return list(await pool.fetch(query, *args))

    def _back_off(self) -> None:
        self._retry_at = time.monotonic() + self._retry_delay
        self._retry_delay = min(self._retry_delay * 2, LAST_RETRY)


async def _migrate(pool: asyncpg.Pool) -> None:
    """Bring the database to SCHEMA_VERSION in one transaction, under a lock every process takes."""
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        for version, step in enumerate(MIGRATIONS, 1):
            if version > current:
                await connection.execute(step)
                await connection.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
