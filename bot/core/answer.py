"""What the matcher returns: plain data that the CLI prints and the bot renders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.model import Citation, Entry

ANSWER = "answer"
DECLINE = "decline"
SMALL_TALK = "small_talk"
PARAGRAPH = "paragraph"


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
    follow_up_of: str | None = None  # the entry of the earlier turn this message was read against
    reply: str = ""  # what to say to small talk
    note: str = ""  # what to add to a decline: the paragraphs there are, what the essay does say
    paragraph: Citation | None = None  # a whole paragraph asked for by number
    detail: bool = False  # the cited paragraphs in full were asked for ("source?", "tell me more")

    @property
    def kind(self) -> str:
        """``answer``, ``decline``, ``small_talk`` or ``paragraph``."""
        if self.paragraph is not None:
            return PARAGRAPH
        if self.entry is not None:
            return ANSWER
        return SMALL_TALK if self.reply else DECLINE

    @property
    def answered(self) -> bool:
        return self.entry is not None or self.paragraph is not None

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The passages the answer rests on, primary first; empty when not answered."""
        if self.paragraph is not None:
            return (self.paragraph,)
        return self.entry.citations if self.entry else ()

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of ``python -m bot ask --json``."""
        entry = self.entry
        title = entry.title if entry else None
        text = entry.answer if entry else None
        if self.paragraph is not None:
            title, text = f"Paragraph {self.paragraph.paragraph}", self.paragraph.quote
        return {
            "question": self.question,
            "answered": self.answered,
            "kind": self.kind,
            "follow_up_of": self.follow_up_of,
            "id": entry.id if entry else None,
            "title": title,
            "answer": text,
            "score": self.score,
            "citations": [{"paragraph": citation.paragraph, "quote": citation.quote} for citation in self.citations],
            "suggestions": [{"id": item.id, "title": item.title, "score": item.score} for item in self.suggestions],
        }
