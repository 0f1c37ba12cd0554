"""What the learning loop stores, whichever database holds it.

Only what maintainers need is stored: a declined or weak question's text, when, in which server and
its best score; the suggestion a member picked for a question; 👍/👎 per answer, with the question
when it is known. Never who asked or who voted: "once per person" is kept as a keyed hash of the
answer and the voter that cannot be turned back into either. Everything is stored as data only.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.gaps import Asked
from bot.core.learning import Pick, Rating, Vote
from bot.core.text import MAX_QUESTION_CHARS

MAX_TEXT = MAX_QUESTION_CHARS


class StorageError(Exception):
    """The database could not take a write now; it is kept for when the database is back, if it can be."""


class QuestionLog(Protocol):
    """What the bot needs from storage; a shared server database can implement it instead of SQLite."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def version(self) -> int:
        """The schema version the database is at (``open`` migrates it to the latest)."""
        ...

    async def record_question(
        self,
        text: str,
        guild_id: int | None,
        best_score: float,
        answered_id: str | None,
        follow_up_of: str | None = None,
    ) -> None: ...

    async def record_feedback(self, vote: Vote, guild_id: int | None, vote_key: str | None = None) -> bool: ...

    async def record_pick(self, pick: Pick, guild_id: int | None) -> None: ...

    async def unanswered(self, since: float = 0.0, limit: int = 5000) -> list[Asked]: ...

    async def picks(self, limit: int = 5000) -> list[Pick]: ...

    async def votes(self, limit: int = 5000) -> list[Vote]: ...

    async def ratings(self) -> list[Rating]: ...
