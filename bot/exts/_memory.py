"""What the bot remembers of recent conversations in Discord: which answer a message follows up.

A member's context is their own last answer in that channel (a DM or thread is a channel),
or the answer they reply to, whoever asked it. Everything is bounded by count (least recently
used dropped first) and by age, and holds no text beyond the questions matched.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TTLCache

from bot.core.conversation import CONTEXT_SECONDS, Conversation

MEMORY_LIMIT = 10_000  # per kind of key; a Conversation is a few hundred bytes


class ConversationMemory:
    """Recent conversations by member and channel, by the bot's answer message, and threads the bot talks in."""

    def __init__(
        self, limit: int = MEMORY_LIMIT, ttl: float = CONTEXT_SECONDS, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._members: TTLCache[tuple[int, int], Conversation] = TTLCache(limit, ttl, timer)
        self._answers: TTLCache[int, Conversation] = TTLCache(limit, ttl, timer)
        self._threads: TTLCache[int, None] = TTLCache(limit, ttl, timer)

    def context(self, channel_id: int, member_id: int, replied_to: int | None = None) -> Conversation:
        """The conversation a message continues: the answer it replies to if that is remembered, else the member's."""
        if replied_to is not None and replied_to in self._answers:
            return self._answers[replied_to]
        return self._members.get((channel_id, member_id), Conversation())

    def remember(
        self, channel_id: int, member_id: int, conversation: Conversation, answer_id: int | None, *, thread: bool
    ) -> None:
        """Keep ``conversation`` as the member's context here, and as the context of replies to ``answer_id``."""
        self._members[channel_id, member_id] = conversation
        if answer_id is not None:
            self._answers[answer_id] = conversation
        if thread:
            self._threads[channel_id] = None

    def is_live_thread(self, channel_id: int) -> bool:
        """Whether the bot answered in this thread within the context window."""
        return channel_id in self._threads

    def __len__(self) -> int:
        return len(self._members) + len(self._answers) + len(self._threads)
