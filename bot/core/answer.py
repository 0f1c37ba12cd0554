"""What the matcher returns: plain data that the CLI prints and the bot renders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.model import Citation, Entry


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An entry the asker may have meant."""

    id: str
    title: str
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    """The matcher's verdict on one question.

    ``entry`` is None when the essay does not answer the question; ``suggestions``
    then lists what it can answer that comes closest.
    """

    question: str
    entry: Entry | None
    score: float
    suggestions: tuple[Suggestion, ...] = ()
    reason: str = ""  # the short, stable name of the rule that decided (see matcher.Reason)

    @property
    def answered(self) -> bool:
        return self.entry is not None

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The passages the answer rests on, primary first; empty when not answered."""
        return self.entry.citations if self.entry else ()

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of ``python -m bot ask --json``."""
        entry = self.entry
        return {
            "question": self.question,
            "answered": entry is not None,
            "id": entry.id if entry else None,
            "title": entry.title if entry else None,
            "answer": entry.answer if entry else None,
            "score": self.score,
            "citations": [{"paragraph": citation.paragraph, "quote": citation.quote} for citation in self.citations],
            "suggestions": [{"id": item.id, "title": item.title, "score": item.score} for item in self.suggestions],
        }
