"""The knowledge base in service: the current snapshot, and reloads that never lose the last good one."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.core.checks import Problem
from bot.core.loader import KnowledgeError, load_knowledge
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A knowledge base and its index, always used together."""

    knowledge: KnowledgeBase
    matcher: Matcher


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did. ``version`` is the version being served afterwards."""

    ok: bool
    version: str
    entries: int
    problems: tuple[Problem, ...] = ()


class KnowledgeStore:
    """Holds the snapshot every question is answered from.

    A question takes ``current`` once and uses only that snapshot, and a
    reload swaps the whole snapshot in one assignment, so each answer comes
    wholly from the old or wholly from the new knowledge base.
    """

    def __init__(self, directory: Path, snapshot: Snapshot) -> None:
        self.directory = directory
        self._snapshot = snapshot
        self._reloading = threading.Lock()
        self.last_reload: ReloadResult | None = None

    @classmethod
    def open(cls, directory: Path) -> KnowledgeStore:
        """Load ``directory``; raises KnowledgeError when it is broken, as there is nothing to fall back on."""
        knowledge = load_knowledge(directory)
        return cls(directory, Snapshot(knowledge, Matcher(knowledge)))

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    def reload(self) -> ReloadResult:
        """Validate and load the folder again; on any problem keep serving the current snapshot."""
        with self._reloading:
            try:
                knowledge = load_knowledge(self.directory)
            except KnowledgeError as error:
                served = self._snapshot.knowledge
                result = ReloadResult(False, served.version, len(served.entries), error.problems)
                log.warning("Reload refused, still serving version %s: %s", served.version, error)
                for problem in error.problems:
                    log.warning("  %s", problem)
            else:
                snapshot = Snapshot(knowledge, Matcher(knowledge))
                result = ReloadResult(True, knowledge.version, len(knowledge.entries))
                # Recorded before the swap, so whoever sees the new snapshot also sees how it came.
                self.last_reload = result
                self._snapshot = snapshot
                log.info("Knowledge base reloaded: version %s, %d entries", knowledge.version, len(knowledge.entries))
                return result
            self.last_reload = result
            return result
