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

    def last_answered(self, now: float, within: float = CONTEXT_SECONDS) -> Turn | None:
        """The latest turn that was answered, unless it is older than ``within`` seconds.

        A declined question has no passages or reasons to follow up, so "source?" after one
        is about the answer before it.
        """
        answered = next((turn for turn in reversed(self.turns) if turn.entry_id is not None), None)
        if answered is None or now - answered.at > within:
            return None
        return answered

    def last_declined(self, now: float, within: float = CONTEXT_SECONDS) -> Turn | None:
        """The latest turn, if it was declined and is no older than ``within`` seconds."""
        latest = self.turns[-1] if self.turns else None
        if latest is None or latest.entry_id is not None or now - latest.at > within:
            return None
        return latest

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
    says who, according to what, show me, show me where, where did you get that, where is that,
    is that true, is that right, is that so, is it true, are you sure, you sure, for real, fr, seriously, true
    """
)
_WHY_PHRASES = alternation(
    """
    why, why tho, why though, why is that, why so, how come, why not, why is that so, what is the reason,
    reasons, reason, any reason, any history behind that, what caused that, what led to that, because of what,
    what is it based on, what is it really based on, what is it actually based on, what is behind it,
    what is behind that, what is really behind it, what is really behind that, what lies behind it,
    what is underneath, what is underneath it, what is underneath that, what is really underneath, what is under it,
    what is really under it, what lies beneath, what lies beneath it
    """
)
_MORE_PHRASES = alternation(
    """
    how so, in what way, like how, how, explain, explain more, explain that, elaborate, can you elaborate, go on,
    tell me more, more, more info, more details, details, what do you mean, meaning, say more, keep going, really,
    wdym, what does that mean, i do not get it, i do not understand, i still do not get it, i still do not understand,
    i am confused, i am lost, confused, lost
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
    r"and for|also|or|but|plus|even|then|so what about|same (?:story|thing|goes|deal|question) (?:for|with|about))\b"
)
ELLIPTICAL_WORDS = 3  # a reply of at most this many words, none of them a question word, leans on the last turn
# "why is it so limited", "how come they hide it": a reason asked of what was just said.
_WHY_BACK = re.compile(r"(?:why|how come)\s+(?:\w+\s+){0,3}?(?:it|that|this|they|them|those|he|she)\b")
_QUESTION_WORD = re.compile(r"\b(?:what|who|whom|whose|which|when|where|why|how|is|are|does|do|did|can|will)\b")


# "Which projects specifically?", "name one": asking for more precision than an answer gives.
_SPECIFICS = re.compile(
    r"\b(?:exactly|specifically|precisely|in particular|in detail|name one|name some|name any|name a few|name them|"
    r"name those|name these|list them|"
    r"for example|for instance|an example|any examples|examples)\b"
)


_BACK_REFERENCE = re.compile(r"\b(?:that|this|it|there|then|those|these)\b")


def refers_back(text: str) -> bool:
    """Whether a message points back at something said before ("does that mean…", "where does it stand")."""
    return bool(_BACK_REFERENCE.search(normalise(text)))


# A person or a group named before ("who is he", "what do they want"), or the rest of the message
# taken as a claim to check ("my friend says they are close. does the essay agree?").
_LEANS_ON = re.compile(r"\b(?:he|him|his|she|her|they|them|their|its|agree|disagree|true|right|correct|accurate)\b")


def leans_on_context(text: str) -> bool:
    """Whether a sentence needs the sentences around it to be understood: it refers back, names
    someone only by a pronoun, or asks whether what was said is so."""
    return refers_back(text) or bool(_LEANS_ON.search(normalise(text)))


# "Like what?", "examples pls": the whole message asks for instances of the point just made.
_EXAMPLES = re.compile(
    r"(?:(?:can|could) (?:you|u) |pls |please )?(?:give (?:me |us )?)?"
    r"(?:like what|like which|such as what|such as|for example|for instance|e ?g|an example|examples?|"
    r"any examples?|some examples?|what for example|example of that|examples of that)"
    rf"{_POLITE}"
)


def asks_for_examples(text: str) -> bool:
    """Whether a message only asks for examples of what was just said."""
    return _EXAMPLES.fullmatch(normalise(text)) is not None


def asks_specifics(text: str) -> bool:
    """Whether a message asks for more precision or examples than a general answer gives."""
    return bool(_SPECIFICS.search(normalise(text)))


# "Which projects?", "what kind of plans tho": asking, by kind, after something just mentioned.
_BY_KIND = re.compile(
    r"(?:so |and |but |ok )?(?:what|which)(?: kind of| kinds of| sort of| type of| types of)?"
    r"(?: (?:are|were)(?: the| these| those| his| its)?)?(?: new)? (\w+(?: \w+)?)"
    r"(?: (?:that )?(?:does |did )?(?:he|it|the essay|the author|they|you) "
    r"(?:mentions?|mentioned|means?|meant|talks? about|talked about|refers? to))?"
    r"(?: tho| then| exactly| though| pls)?"
)


def asked_by_kind(text: str) -> str | None:
    """The one or two words a short "which X?" asks after by kind, if that is all the message is."""
    match = _BY_KIND.fullmatch(normalise(text))
    return match.group(1) if match else None


def without_specifics(text: str) -> str:
    """The message with its requests for precision taken out: "name one?" leaves nothing of a topic."""
    return _SPECIFICS.sub(" ", normalise(text)).strip()


# "Quote the essay on that", "where's that in the text", "which paragraph says so": a short message made
# of these words only, with a cue among them, asks for the evidence of what was just said.
_EVIDENCE_CUES = frozenset(
    """
    source sources src sauce citation citations cite quote quotes quoted evidence proof prove receipts reference
    references paragraph paragraphs para passage passages part section line lines
    """.split()
)
_WHERE_SAID = frozenset("say says said written write mentioned mentions mention stated state from text essay".split())
_EVIDENCE_FRAME = (
    _EVIDENCE_CUES
    | _WHERE_SAID
    | frozenset(
        """
    the a an article author he it that this so there where which what is was are does did do in on of for me show
    pls please plz exactly then tho though can could you give to be find i your get got according its any have has
    link ok okay now again u ur bit cover covers covered discuss discusses discussed talk talks talked make makes
    case claim claims put way number figure
    """.split()
    )
)
EVIDENCE_WORDS = 9


def _asks_evidence(words: list[str]) -> bool:
    if len(words) > EVIDENCE_WORDS or not all(word in _EVIDENCE_FRAME for word in words):
        return False
    return any(word in _EVIDENCE_CUES for word in words) or ("where" in words and bool(_WHERE_SAID.intersection(words)))


# "Can you expand on Xi's side", "and from Russia's side?": one side's part of the point just made.
_SIDE_ASKED = re.compile(
    r"(?:(?:can|could) you |pls |please )?(?:tell me more about |tell me about |more about |more on |expand on |"
    r"elaborate on |explain |what about |how about |and from |and on |and |from |on |what of )?(?:the )?(\w+) "
    r"(?:side|part|perspective|angle|end)(?: of (?:it|things|this|that))?"
)


def side_asked(text: str) -> str | None:
    """The side a message asks the last point of, when it asks for one side's part only."""
    match = _SIDE_ASKED.fullmatch(normalise(text))
    return match.group(1) if match else None


def follow_up_kind(text: str) -> FollowUp | None:
    """What kind of follow-up a message (its question, chat manners set aside) is, if it only makes sense as one."""
    words = normalise(text)
    whole = next((kind for pattern, kind in _WHOLE if pattern.fullmatch(words)), None)
    if whole is not None or not words:
        return whole
    if _asks_evidence(words.split()):
        return FollowUp.EVIDENCE
    if _SIDE_ASKED.fullmatch(words) or _ELLIPTICAL_OPENING.match(words):
        return _opened(fragment(words))
    if len(words.split()) <= ELLIPTICAL_WORDS and not _QUESTION_WORD.search(words):
        return FollowUp.ELLIPSIS
    if _WHY_BACK.match(words):
        return FollowUp.WHY
    return None


def _opened(rest: str) -> FollowUp:
    """A reply opening "and…", "then…": elliptical, unless the opening only leads into asking why
    ("then why do they keep meeting", "but why is that")."""
    return FollowUp.WHY if _WHY.fullmatch(rest) or _WHY_BACK.match(rest) else FollowUp.ELLIPSIS


_OPENING = re.compile(
    r"^(?:and what about|but what about|so what about|what about|how about|what of|same question for|same for|"
    r"same with|same (?:story|thing|goes|deal|question) (?:for|with|about)|and for|and|also|or|but|plus|even|then)\s+"
)


def fragment(text: str) -> str:
    """The new part of an elliptical question: "and militarily?" → "militarily", "and Xi's side?" → "xi"."""
    return side_asked(text) or _OPENING.sub("", normalise(text)).strip()
