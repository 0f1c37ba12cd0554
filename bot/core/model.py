"""The knowledge base as immutable plain data: what every other part reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.core.calibration import Calibration


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote from one paragraph of the essay."""

    paragraph: int
    quote: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One point the essay makes, with the ways people ask about it."""

    id: str
    title: str
    questions: tuple[str, ...]
    answer: str
    citations: tuple[Citation, ...]
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    theme: str = ""
    # Questions about this point that the essay leaves unanswered: a question
    # closer to one of these than to any curated phrasing is declined.
    not_answered: tuple[str, ...] = ()
    # Entries that give the essay's reasons for this point: what "why?" after it asks for.
    why: tuple[str, ...] = ()
    # Entries that give the essay's examples of this point: what "like what?" after it asks for.
    examples: tuple[str, ...] = ()

    @property
    def primary(self) -> Citation:
        """The passage the answer rests on most."""
        return self.citations[0]


@dataclass(frozen=True, slots=True)
class Essay:
    """The essay's text; ``paragraphs[0]`` is ¶1."""

    title: str
    author: str
    paragraphs: tuple[str, ...]
    author_note: int

    def paragraph(self, number: int) -> str | None:
        """The text of ¶``number``, or None when there is no such paragraph."""
        if 1 <= number <= len(self.paragraphs):
            return self.paragraphs[number - 1]
        return None


@dataclass(frozen=True, slots=True)
class SummaryPoint:
    """One bullet of a summary and the passages it rests on."""

    text: str
    citations: tuple[Citation, ...]

    @property
    def cited_paragraphs(self) -> str:
        """ "¶4, ¶5": each paragraph once, however many of its passages the bullet cites."""
        return ", ".join(f"¶{number}" for number in dict.fromkeys(citation.paragraph for citation in self.citations))


@dataclass(frozen=True, slots=True)
class Summaries:
    """The short (at most five bullets) and full (one per major point) summaries."""

    short: tuple[SummaryPoint, ...]
    full: tuple[SummaryPoint, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything loaded from ``knowledge/``, validated and never changed afterwards."""

    essay: Essay
    entries: tuple[Entry, ...]
    summaries: Summaries
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # The two sides the essay sets against each other, each word mapped to the other ("china" ↔ "russia").
    counterparts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # When the best entry is enough to answer, learned from the eval (None: the matcher's hand-set rules).
    calibration: Calibration | None = None
    version: str = ""
    _by_id: Mapping[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({entry.id: entry for entry in self.entries}))

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._by_id.get(entry_id)

    def related(self, entry: Entry) -> tuple[Entry, ...]:
        """The entries ``entry`` offers to read next, in its order (ids that no longer exist are skipped)."""
        return tuple(linked for linked_id in entry.related if (linked := self.entry(linked_id)) is not None)

    def example_questions(self, count: int = 3) -> list[str]:
        """A few questions the essay does answer: the first phrasing of one entry per theme."""
        firsts: dict[str, str] = {}
        for entry in self.entries:
            firsts.setdefault(entry.theme, entry.questions[0])
        return list(firsts.values())[:count]
