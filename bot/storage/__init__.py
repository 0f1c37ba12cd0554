"""The question log behind one protocol: SQLite embedded by default, PostgreSQL for several processes.

``open_question_log`` picks the backend from a location: a ``postgresql://`` URL, a ``sqlite:///``
URL, or a plain file path.
"""

from __future__ import annotations

from pathlib import Path

from bot.config import POSTGRES_SCHEMES, SQLITE_SCHEME
from bot.core.learning import Rating
from bot.storage.base import MAX_TEXT, QuestionLog, StorageError
from bot.storage.sqlite import SqliteQuestionLog

__all__ = [
    "MAX_TEXT",
    "QuestionLog",
    "Rating",
    "SqliteQuestionLog",
    "StorageError",
    "is_url",
    "open_question_log",
    "sqlite_path",
]


def is_url(location: str | Path) -> bool:
    """Whether ``location`` names a database server rather than a file."""
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def sqlite_path(location: str | Path) -> Path:
    """The file a ``sqlite:///`` URL or a plain path names."""
    text = str(location)
    return Path(text[len(SQLITE_SCHEME) :] if text.startswith(SQLITE_SCHEME) else text)


def open_question_log(location: str | Path) -> QuestionLog:
    """The question log at ``location``, not yet connected (``open`` connects and migrates)."""
    if is_url(location):
        # Imported here: asyncpg is only loaded by deployments that use it.
        from bot.storage.postgres import PostgresQuestionLog  # noqa: PLC0415

        return PostgresQuestionLog(str(location))
    return SqliteQuestionLog(sqlite_path(location))
