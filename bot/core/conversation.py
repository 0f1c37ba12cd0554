"""A member's recent turns, as plain immutable data, and how a reply leans on the turn before it.

Follow-ups are resolved from the knowledge base alone, never by inventing: a
request for the evidence or for more shows the previous answer's passages in
full; "why?" is answered by the entry the knowledge base names as giving the
point's reasons (its ``why``), or else the same way; an elliptical question
("and China?", "what about militarily?") is the previous question with the new
part put in; anything else stands on its own.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from bot.core.message import alternation
from bot.core.text import normalise

CONTEXT_SECONDS = 600.0  # how long an answer stays the context of the member's next message
MAX_TURNS = 5


@dataclass(frozen=True, slots=True)
class Turn:
    """One question of a conversation: what was matched, the entry that answered it (None: declined), when."""

    question: str
    entry_id: str | None
    at: float


@dataclass(frozen=True, slots=True)
class Conversation:
    """The recent turns of one member, oldest first, at most MAX_TURNS."""

    turns: tuple[Turn, ...] = ()

    def last(self, now: float, within: float = CONTEXT_SECONDS) -> Turn | None:
        """The latest turn, unless it is older than ``within`` seconds."""
        if not self.turns or now - self.turns[-1].at > within:
            return None
        return self.turns[-1]

    def then(self, turn: Turn) -> Conversation:
        """This conversation with ``turn`` added, the oldest turns dropped past MAX_TURNS."""
        return Conversation((*self.turns, turn)[-MAX_TURNS:])


class FollowUp(enum.Enum):
    EVIDENCE = "evidence"  # "source?", "where does it say that"
    WHY = "why"  # "why?", "how come": the essay's reasons for the point
    MORE = "more"  # "tell me more", "how so": its detail
    ELLIPSIS = "ellipsis"  # "and China?", "what about militarily?"


_EVIDENCE_PHRASES = alternation(
    """
    source, sources, citation, citations, cite, quote, quotes, evidence, proof, receipts, reference, references,
    where does it say that, where does it say so, where does it say, where does the essay say that,
    where does the essay say so, where is that, where is that from, where did you get that, which paragraph,
    what paragraph, which part, what part of the essay, show me, show me where, says who, according to what,
    can you quote it, quote it, what is your source, what is the source, which para, which para is that from,
    which paragraph is that from, which paragraph is that, what paragraph is that in, where in the essay
    """
)
_WHY_PHRASES = alternation(
    """
    why, why tho, why though, why is that, why so, how come, why not, why is that so, what is the reason,
    reasons, reason, any reason, any history behind that, what caused that, what led to that, because of what
    """
)
_MORE_PHRASES = alternation(
    """
    how so, in what way, like how, how, explain, explain more, explain that, elaborate, can you elaborate, go on,
    tell me more, more, more info, more details, details, what do you mean, meaning, say more, keep going, really,
    wdym, what does that mean
    """
)
_POLITE = r"(?: (?:pls|please|plz|then|tho|though|exactly|for that|for this|for it))?"
_EVIDENCE = re.compile(rf"(?:{_EVIDENCE_PHRASES}){_POLITE}")
_WHY = re.compile(rf"(?:{_WHY_PHRASES}){_POLITE}")
_MORE = re.compile(rf"(?:{_MORE_PHRASES}){_POLITE}")
_WHOLE = ((_EVIDENCE, FollowUp.EVIDENCE), (_WHY, FollowUp.WHY), (_MORE, FollowUp.MORE))
# A reply that only makes sense after a question: it opens this way, or is a word or two.
_ELLIPTICAL_OPENING = re.compile(
    r"(?:and|what about|how about|what of|same for|same with|same question for|and what about|but what about|"
    r"and for|also|or|but|plus|even|then|so what about)\b"
)
ELLIPTICAL_WORDS = 3  # a reply of at most this many words, none of them a question word, leans on the last turn
# "why is it so limited", "how come they hide it": a reason asked of what was just said.
_WHY_BACK = re.compile(r"(?:why|how come)\s+(?:\w+\s+){0,3}?(?:it|that|this|they|them|those|he|she)\b")
_QUESTION_WORD = re.compile(r"\b(?:what|who|whom|whose|which|when|where|why|how|is|are|does|do|did|can|will)\b")


def follow_up_kind(text: str) -> FollowUp | None:
    """What kind of follow-up a message (its question, chat manners set aside) is, if it only makes sense as one."""
    words = normalise(text)
    whole = next((kind for pattern, kind in _WHOLE if pattern.fullmatch(words)), None)
    if whole is not None or not words:
        return whole
    if _ELLIPTICAL_OPENING.match(words):
        return FollowUp.ELLIPSIS
    if len(words.split()) <= ELLIPTICAL_WORDS and not _QUESTION_WORD.search(words):
        return FollowUp.ELLIPSIS
    if _WHY_BACK.match(words):
        return FollowUp.WHY
    return None


_OPENING = re.compile(
    r"^(?:and what about|but what about|so what about|what about|how about|what of|same question for|same for|"
    r"same with|and for|and|also|or|but|plus|even|then)\s+"
)


def fragment(text: str) -> str:
    """The new part of an elliptical question: "and militarily?" → "militarily"."""
    return _OPENING.sub("", normalise(text)).strip()
