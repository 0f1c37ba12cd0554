"""What the bot says when nothing is asked of the essay, and which paragraph a member asks for by number."""

from __future__ import annotations

import re

from bot.core.message import Message, PartKind
from bot.core.model import KnowledgeBase
from bot.core.text import normalise

COMMANDS = "`/ask`, `/topics`, `/source` and, for moderators, `/summary`"


def small_talk_reply(message: Message, knowledge: KnowledgeBase) -> str:
    """A short, friendly reply to a message that asks nothing of the essay: never a citation."""
    essay = knowledge.essay
    examples = "; ".join(f"“{question}”" for question in knowledge.example_questions(2))
    if message.has(PartKind.HELP):
        return (
            f"I explain “{essay.title}” by {essay.author}, from what the essay says, and cite the paragraphs "
            f"each answer rests on. Ask me in your own words, for example {examples}, or use {COMMANDS}."
        )
    if message.has(PartKind.THANKS):
        return "You're welcome! Ask me anything else about the essay."
    if message.has(PartKind.GREETING):
        return f"Hi! Ask me anything about “{essay.title}”, for example {examples}."
    return f"Ask me anything about “{essay.title}”, for example {examples}."


_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_NUMBERED = re.compile(r"¶\s*(\d+)|\b(?:paragraph|para|par|pg)\b\.?\s*(?:no\.?\s*|#\s*)?(\d+|[a-z]+)\b", re.IGNORECASE)
_ORDERED = re.compile(r"\bthe\s+(first|last|final|opening|closing|[a-z]+)\s+(?:paragraph|para)\b", re.IGNORECASE)
# Words that ask for a paragraph without asking anything of its content.
_REQUEST_WORDS = frozenset(
    """
    what does do say says said is in the of explain summarize summarise summary show read quote mean means about
    tell me give please pls plz can you could text whole full it paragraph para par pg no number say again again
    """.split()
)


def requested_paragraph(text: str, knowledge: KnowledgeBase) -> int | None:
    """The paragraph a message asks to see ("what does paragraph 4 say", "¶6?", "the last paragraph"), if any.

    A message that asks about something in a paragraph ("does paragraph 4 say China is stronger?")
    is a question, not a request for the paragraph. 0 means a number the essay has no paragraph for.
    """
    number = _reference(text, knowledge)
    if number is None:
        return None
    rest = normalise(_ORDERED.sub(" ", _NUMBERED.sub(" ", text))).split()
    if any(word not in _REQUEST_WORDS for word in rest):
        return None
    return number if 1 <= number <= len(knowledge.essay.paragraphs) else 0


def _reference(text: str, knowledge: KnowledgeBase) -> int | None:
    numbered = _NUMBERED.search(text)
    if numbered:
        value = (numbered.group(1) or numbered.group(2)).lower()
        return int(value) if value.isdigit() else _ORDINALS.get(value)
    ordered = _ORDERED.search(text)
    if ordered is None:
        return None
    word = ordered.group(1).lower()
    if word in {"last", "final", "closing"}:
        # The author note comes after the essay's own last paragraph.
        essay = knowledge.essay
        return essay.author_note - 1 if essay.author_note == len(essay.paragraphs) else len(essay.paragraphs)
    if word == "opening":
        return 1
    return _ORDINALS.get(word)
