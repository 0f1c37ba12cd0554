"""A chat message read in parts: the question, and the chat manners around it.

Discord members wrap questions in greetings, thanks, filler ("quick question",
"lol"), mentions and emoji, at either end or as sentences of their own. None of
that says what is asked, and all of it can sway fuzzy matching, so it is set
aside before matching. A message made only of it is small talk.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.text import normalise


class PartKind(enum.Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    FILLER = "filler"
    HELP = "help"  # about the bot itself: "help", "what can you do", "who made you"
    QUESTION = "question"


@dataclass(frozen=True, slots=True)
class Part:
    kind: PartKind
    text: str


@dataclass(frozen=True, slots=True)
class Message:
    """What a member wrote, split into what it asks and what merely surrounds it."""

    text: str
    parts: tuple[Part, ...]

    @property
    def questions(self) -> tuple[str, ...]:
        """The sentences that ask something, as written, chat manners removed."""
        return tuple(part.text for part in self.parts if part.kind is PartKind.QUESTION)

    @property
    def question(self) -> str:
        """What the matcher reads: the asking sentences, joined."""
        return " ".join(self.questions)

    @property
    def small_talk(self) -> bool:
        """Only greetings, thanks, filler, help requests, mentions or emoji: nothing is asked of the essay."""
        return not self.questions

    def has(self, kind: PartKind) -> bool:
        return any(part.kind is kind for part in self.parts)

    @property
    def chatty(self) -> bool:
        """Whether it greets, thanks, says goodbye or asks about the bot, besides anything else."""
        return any(part.kind in _CHAT for part in self.parts)


_CHAT = frozenset({PartKind.GREETING, PartKind.THANKS, PartKind.HELP})
# "I'm reading this for class", "My dad and I argued about this": the asker speaking of themselves.
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|we|us|our)\b")
_QUESTION_WORD = re.compile(r"\b(?:what|who|whom|whose|why|how|which|when|where)\b")
# "Should I buy bitcoin", "can you tell me more", "give me an example": a verb before the asker or the bot
# asks, and so does a request made to the bot, whether or not a "?" follows.
_ASKS = re.compile(
    r"(?:(?:is|are|am|was|were|do|does|did|can|could|will|would|should|shall|may|might|must|has|have|had) "
    r"(?:i|we|my|our|you|u)|(?:\w+ ){0,3}?(?:give|tell|show|send|explain|remind|teach|let) (?:me|us))\b"
)


def about_the_asker(sentence: str) -> bool:
    """Whether a sentence is a statement about the one who writes it, asking nothing: no "?", no question word,
    and not opening as a question or a request ("should I…", "give me…")."""
    words = normalise(sentence)
    return (
        "?" not in sentence
        and bool(_FIRST_PERSON.search(words))
        and not _QUESTION_WORD.search(words)
        and not _ASKS.match(words)
    )


def alternation(phrases: str) -> str:
    """A regex alternation of comma-separated phrases, longest first; a space matches any run of spaces."""
    items = sorted((phrase.strip() for phrase in phrases.split(",") if phrase.strip()), key=len, reverse=True)
    return "|".join(re.escape(item).replace(r"\ ", r"\s+") for item in items)


# Matched on normalised words (lower-case, no punctuation, contractions expanded).
# Each list holds only what cannot be part of a question at either end of one.
_GREETINGS = alternation(
    """
    hi, hii, hiii, hey, heyy, heyyy, hello, helo, hallo, hullo, hiya, heya, howdy, yo, yoo, sup, wassup, wazzup,
    greetings, good morning, good afternoon, good evening, gm, hola, bonjour, salut, ciao, privet, namaste, hej,
    konnichiwa, ni hao, nihao, salam, salaam, merhaba, shalom, aloha, ola, servus, moin, annyeong,
    ahoy, hi there, hey there, hello there, hope you are well, hope you are doing well, hope all is well
    """
)
_THANKS = alternation(
    """
    thanks, thank you, thank u, thankyou, thanks a lot, thanks so much, thank you so much, thanks a bunch, thx, thnx,
    tnx, ty, tysm, tyvm, tia, cheers, much appreciated, appreciate it, i appreciate it, many thanks,
    appreciate any help, appreciate the help, would appreciate it, would appreciate any help, any help appreciated,
    any help is appreciated, help appreciated, any pointers appreciated, pointers appreciated,
    thanks in advance, thx in advance, thank you in advance, ty in advance, thanks again, danke, merci, gracias,
    spasibo, grazie, obrigado, obrigada, arigato, arigatou, xie xie, xiexie, shukran, dhanyavad, dhanyawad, tack,
    takk, dank je, dankjewel, kiitos, tesekkurler, dziekuje, asante, salamat, gamsahamnida, kamsahamnida,
    bye, goodbye, cya, see ya, ttyl, have a good one, you are the best, ur the best, you rock,
    you are a legend, legend, goated, ur goated, you are goated
    """
)
_FILLER = alternation(
    """
    quick question, quick q, random question, random q, real question, serious question, honest question,
    small question, dumb question, stupid question, silly question, basic question, obvious question, noob question,
    newbie question, genuine question, one more question, sorry if this is a basic question, sorry if this is obvious,
    another question, just curious, just wondering, i was wondering, i am wondering, was wondering,
    been wondering, i have been wondering, i have a question, got a question, i got a question, can i ask,
    can i ask something, may i ask, mind if i ask, asking for a friend, random thought, random thought but,
    sorry if this is dumb, sorry if this is a dumb question, sorry if this is stupid, sorry if dumb question,
    sorry for the dumb question, sorry to bother, no offense, this might be dumb, this may be a dumb question,
    maybe a dumb question, probably a dumb question, idk, i do not know, lol, lmao, lmfao, rofl, haha, hahaha, hehe,
    xd, ok, okay, okk, kk, um, umm, uh, hmm, hmmm, anyway, anyways, btw, pls, plz, please,
    does anyone know, anyone know, anybody know, can anyone tell me, can someone tell me, ngl, tbh, imo,
    imho, bro, bruh, dude, fam, yall, ya all, everyone, everybody, folks, ping, no rush, if that makes sense,
    if anyone knows, just asking, ugh, oof, omg, real quick, so, also, different question, different q, diff question,
    diff q, diff topic, different topic, new question, new topic, other question, unrelated question, unrelated but,
    unrelated, changing the subject, change of topic, off topic but, ok different q, ok different question
    """
)
# Words that are chat only when a whole sentence is made of them and the above ("ok cool", "nice!", "got it").
_REACTIONS = alternation(
    """
    cool, nice, great, awesome, perfect, wow, whoa, interesting, good, ok cool, got it, that helped, this helped,
    that makes sense, makes sense, i see, fair enough, true, right, well, alright, all right, and, but, k, fr, man,
    question, curious, wondering, morning, evening, night, good night, gn, later, see you, good bye, appreciated,
    what is up, whats up, how is it going, how are you, how are you doing, how is your day, how is your day going,
    nice to meet you, all, guys, people, friends, team, chat, bot, there, here, anyone, anybody, someone, somebody,
    yes, no, yeah, yep, nope
    """
)
# Tags that turn a statement into a question without changing what it asks ("same worldview right?").
_TAGS = alternation(
    """
    right, rite, or nah, or no, or not, or what, y n, yes or no, am i wrong, or am i wrong, or am i wrong here,
    or am i missing something, is that right, is that true, is that correct, for real
    """
)
# Questions about the bot itself, when a whole sentence is one (with chat manners around it).
_HELP = alternation(
    """
    help, help me, help pls, help please, commands, what can you do, what do you do, what can i ask, what can i ask you,
    what should i ask, how does this work, how does it work, how do you work, how do i use this, how do i use you,
    what are you, who are you, who made you, who built you, who created you, who wrote you, what is this bot,
    are you a bot, are you an ai, are you human, what do you know, what do you know about, usage, info, about
    """
)
# Whom a greeting addresses ("hey guys", "hello team").
_ADDRESSEES = alternation("all, guys, people, friends, team, chat, bot, there, everyone, everybody, folks, yall, fam")
_EDGE = rf"\b(?:{_GREETINGS})\b(?:\s*\b(?:{_ADDRESSEES})\b)*|\b(?:{_THANKS}|{_FILLER})\b"
_NOISE = re.compile(rf"(?:(?:{_EDGE}|\b(?:{_REACTIONS}|{_TAGS})\b)\s*)+")
# "sorry if this is dumb but…", "ok so…": a connective after chat manners belongs to them.
_LEADING = re.compile(rf"^(?:(?:{_EDGE})(?:\s*\b(?:but|and|so)\b)?\s*)+")
_TRAILING = re.compile(rf"(?:\s*(?:{_EDGE}))+$")
_TRAILING_TAGS = re.compile(rf"(?:\s*(?:{_EDGE}|\b(?:{_TAGS})\b))+$")
_TAIL_CHARS = 120  # longer than any run of chat manners at the end of a sentence
_TAGGED_MIN_WORDS = 3  # "who is right" asks who is right; "same worldview right" asks if they share one
_GREETING = re.compile(rf"^(?:{_GREETINGS})\b")
# "Are you a bot or a real person?": asking what the bot is, in any order of the alternatives.
_WHAT_IT_IS = alternation("bot, chatbot, robot, ai, machine, program, human, person, real person, actual person, real")
_ASKS_WHAT_IT_IS = (
    rf"(?:are you|are u|r u|is this)\s+(?:(?:a|an|just a|just an|an actual|actually a|really a)\s+)?(?:{_WHAT_IT_IS})"
    rf"(?:\s+or\s+(?:(?:a|an|an actual|just a)\s+)?(?:{_WHAT_IT_IS}))*"
)
_HELP_SENTENCE = re.compile(rf"(?:{_HELP})|{_ASKS_WHAT_IT_IS}")
_THANKING = re.compile(rf"\b(?:{_THANKS})\b")

# A sentence ends at ".", "!", "?", "…", ":" or ";" followed by a space, or at a
# line break; not at the dot of a title or an abbreviation ("Dr. Saleem", "e.g. oil").
_ABBREVIATIONS = r"(?:\b(?:dr|mr|mrs|ms|prof|st|sr|jr|vs|etc|approx|no|e\.g|i\.e|u\.s|u\.k)\.)"
_SENTENCES = re.compile(rf"(?:{_ABBREVIATIONS}|[^\n.!?…:;])*(?:[.!?…:;]+(?=\s|$)|\n|$)|[^\n]+", re.IGNORECASE)
_EMOTICONS = re.compile(r"(?<!\w)(?:[:;=8xX][-']?[)(\]\[DPpOo3/\\|*]+|<3+|\^_*\^|:[a-z0-9_+-]+:)(?!\w)")
_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|@\w+|^\s*>+\s?|[*_~`|]+", re.MULTILINE)


def _strip_markup(text: str) -> str:
    """The text without mentions, emoji, emoticons and markdown, which never carry a question."""
    text = _MARKUP.sub(" ", text)
    text = _EMOTICONS.sub(" ", text)
    if text.isascii():
        return text
    return "".join(ch for ch in text if ch.isascii() or not _is_symbol(ch))


def _is_symbol(ch: str) -> bool:
    return unicodedata.category(ch) in {"So", "Sk", "Cf", "Mn"} or ch in "\ufe0f\u200d"


def read_message(text: str, starts_sentence: Callable[[str], bool] | None = None) -> Message:
    """Split ``text`` into sentences, and each sentence into chat manners and the question it carries.

    ``starts_sentence`` tells a capitalised word that begins a sentence run on without a full stop
    ("who's the senior partner here My dad says…") from a name ("what does China get").
    """
    parts: list[Part] = []
    stripped = _strip_markup(text)
    if starts_sentence is not None:
        stripped = _split_run_on(stripped, starts_sentence)
    for sentence in _SENTENCES.findall(stripped):
        parts.extend(_read_sentence(sentence))
    return Message(text, tuple(parts))


# A capitalised word after a word ending in lower case, with no punctuation between: a sentence may begin.
_RUN_ON = re.compile(r"(\S*[a-z0-9]) ([A-Z](?:[a-z]|['’][a-z])[\w'’-]*)")
# A sentence does not end on these: "what is the Belt and Road" runs on.
_CONTINUING = frozenset(
    "the a an of in on at about with and or but to for from by as than that this its their his her my your our".split()
)


def _split_run_on(text: str, starts_sentence: Callable[[str], bool]) -> str:
    """``text`` with a line break where a capitalised word starts a sentence glued on to the one before."""
    capitals = sum(map(str.isupper, text))
    if capitals * 2 > sum(map(str.isalpha, text)):
        return text  # shouting: every word is capitalised

    def split(match: re.Match[str]) -> str:
        previous, word = match.groups()
        # "the Northern Sea Route": a capitalised word after another is part of the same name.
        if any(map(str.isupper, previous)) or previous.lower() in _CONTINUING or not starts_sentence(word):
            return match.group(0)
        return f"{previous}\n{word}"

    return _RUN_ON.sub(split, text)


def _read_sentence(sentence: str) -> list[Part]:
    words = normalise(sentence)
    if not words:
        return []
    leading = _LEADING.match(words)
    start = leading.end() if leading else 0
    # Chat manners at the end are short: searching only the tail keeps a long sentence cheap.
    tail = max(start, len(words) - _TAIL_CHARS)
    trailing = _TRAILING_TAGS.search(words, tail)
    if trailing and len(words[start : trailing.start()].split()) < _TAGGED_MIN_WORDS:
        trailing = _TRAILING.search(words, tail)
    if _HELP_SENTENCE.fullmatch(words[start : trailing.start() if trailing else len(words)].strip()):
        return [Part(PartKind.HELP, sentence.strip())]
    if _NOISE.fullmatch(words) or (trailing and trailing.start() <= start):
        return [Part(_noise_kind(words), sentence.strip())]
    head, core, tail_text = _split_raw(
        sentence, len(words[:start].split()), len(trailing.group(0).split()) if trailing else 0
    )
    if not core:
        return [Part(_noise_kind(words), sentence.strip())]
    parts = [Part(_noise_kind(words[:start].strip()), head)] if head else []
    parts.append(Part(PartKind.QUESTION, core))
    if tail_text:
        parts.append(Part(_noise_kind(trailing.group(0).strip() if trailing else ""), tail_text))
    return parts


def _noise_kind(words: str) -> PartKind:
    """Thanks (and goodbyes) wherever they stand, else a greeting when it opens, else filler."""
    if _THANKING.search(words):
        return PartKind.THANKS
    if _GREETING.match(words):
        return PartKind.GREETING
    return PartKind.FILLER


_RAW_WORD = re.compile(r"\S+")


def _split_raw(sentence: str, leading: int, trailing: int) -> tuple[str, str, str]:
    """The sentence as written, cut into its first ``leading`` normalised words, the rest, and the last ``trailing``.

    Normalised words map back to raw words one to one except where normalising
    splits or expands a word, so the raw words are walked until their normalised
    forms have covered as many words as were set aside.
    """
    raw = _RAW_WORD.findall(sentence)
    start = _raw_index(raw, leading)
    end = len(raw) - _raw_index(raw[::-1], trailing)
    return " ".join(raw[:start]), " ".join(raw[start:end]), " ".join(raw[end:])


def _raw_index(raw: list[str], words: int) -> int:
    """How many raw words it takes to cover the first ``words`` normalised words."""
    covered = index = 0
    while index < len(raw) and covered < words:
        covered += len(normalise(raw[index]).split())
        index += 1
    return index
