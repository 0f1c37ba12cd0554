"""Find the entry that answers a question, or decline honestly.

Every signal works on analysed terms (see analysis.py), weighted by rarity (IDF):
- evidence and coverage: the weight of the question's terms an entry explains,
  absolute and as a share of the question. Real English words the knowledge
  base never uses weigh as much as its rarest terms, so "When was the Great
  Wall of China built?" is mostly unexplained and declined.
- phrasing: the best weighted overlap with one of the entry's curated
  questions, blended with order-aware fuzzy similarity to it.
- labels: how much of the question the entry's title and keywords explain.

Ranking blends them; accepting an answer asks for more than a high rank,
because a wrong answer with a citation is worse than none: guards that decline
whatever the scores, then rules that say when the evidence is enough, then the
check against questions the essay leaves open. Each is named by a Reason, which
every Answer carries; a Matcher can be built without any of them (RULES) to
measure what each is worth. A message is first read in parts (message.py), and
in a message of several sentences the asking one is decided alone too.
"""

from __future__ import annotations

import enum
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from types import MappingProxyType

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.analysis import (
    FACT_KIND_TERMS,
    GENERIC,
    ROLE_MARK,
    STOPWORDS,
    Analyzer,
    Kind,
    Term,
    factual_kind,
    role_terms,
    stem,
    which_thing,
    written_names,
)
from bot.core.answer import PARAGRAPH, SMALL_TALK, Answer, Suggestion
from bot.core.calibration import Calibration, Sample
from bot.core.conversation import (
    Conversation,
    FollowUp,
    Turn,
    asked_by_kind,
    asks_for_examples,
    asks_specifics,
    follow_up_kind,
    fragment,
    leans_on_context,
    refers_back,
    side_asked,
    without_specifics,
)
from bot.core.message import Message, Part, PartKind, about_the_asker, read_message
from bot.core.model import Citation, Entry, KnowledgeBase
from bot.core.replies import requested_paragraph, small_talk_reply
from bot.core.text import MAX_QUESTION_CHARS, normalise, tokens

MAX_TERMS = 40
MAX_SUGGESTIONS = 3

# Acceptance, tuned on the "tune" part of knowledge/eval.yaml only.
ANSWER_THRESHOLD = 55.0
MIN_COVERAGE = 0.55  # of a short question
SOME_COVERAGE = 0.5  # enough with two distinctive terms and a clear lead
RAMBLING_COVERAGE = 0.25  # enough with three distinctive terms
MIN_EVIDENCE = 2.5
DECLINED_MARGIN = 0.05  # how much closer to a "not answered" phrasing a question must be to be declined
BRIEF_VERBATIM = 0.7  # enough, with less evidence, for a question shaped like a curated phrasing
SOLE_TERM_OVERLAP = 0.9  # a curated phrasing whose one meaningful word is the question's
STRONG_IDF = 1.2
CLEAR_MARGIN = 3.0
VERBATIM = 0.9
SUGGEST_THRESHOLD = 30.0
CLOSE_COVERAGE = 0.25  # of the question, by two or more of its terms, for an entry to be suggested
SOLE_TERM_COVERAGE = 0.6  # of the question, by its one distinctive term, for an entry to be suggested
CLOSE_MARGIN = 6.0

CORRECTED_FACTOR = 0.85
UNKNOWN_FACTOR = 0.35
GENERIC_FACTOR = 0.25
FINALISTS = 5
CANDIDATES = 12
COMMON_POSTINGS = 50  # a term in more entries than this (or 5% of them) does not make an entry a candidate
FOCUS_COVERAGE = 0.4
OPENING_WORDS = 10  # "where does the Belt and Road fit in": the longest opening factual_kind reads
SHORT_FOLLOW_UP = 4  # words: a declined message this short is read against the last answer too
NAMED_TOPIC = 0.5  # of a follow-up's weight in an entry's title and keywords: it names a topic of its own
SENTENCE_LEAD = 20.0  # how much better the asking sentence alone must score than its message to answer instead
FOREIGN_SHARE = 0.5  # of a question's weight in words the essay never uses, to be about something else
# A message's sentences are read and decided again for its asking sentence, its follow-ups and the same question
# asked again: the latest queries and decisions are remembered.
DECISIONS_REMEMBERED = 512

_REVERSED = re.compile(r"\b(?:the other way round|the other way around|vice versa|the reverse|the opposite way)\b")
# "What about the other one?": the same question of the other side, when that is all the new part asks.
_OTHER_ONE = re.compile(r"\bthe other (?:one|side|guy|country|leader|man)\b")
_INTERROGATIVE = re.compile(
    r"(?:what|who|whom|whose|which|when|where|why|how|is|are|was|were|do|does|did|can|could|will|would|should|has|"
    r"have|had)\b"
)
SHORT_QUESTION_TERMS = 6
NAMED_QUESTION_TERMS = 10  # in a longer message, a name or a word the essay never uses is more likely context


class Reason(enum.Enum):
    """Why the matcher answered or declined: each value a short, stable name that scripts may rely on."""

    # Answers.
    EXACT = "exact-phrasing"  # the question is one of the entry's curated phrasings
    SHAPED_LIKE_PHRASING = "shaped-like-phrasing"  # one meaningful word, the rest worded like a phrasing
    MOSTLY_EXPLAINED = "mostly-explained"  # the entry explains most of the question's weight
    DISTINCTIVE_LEAD = "distinctive-lead"  # several distinctive terms point at it, clearly ahead of the rest
    RAMBLING_LEAD = "rambling-lead"  # in a long message, three or more distinctive terms and a lead
    CALIBRATED = "likely-right"  # the calibration learned from the eval judges the best entry likely right
    ASKING_SENTENCE = "asking-sentence"  # in a message of several sentences, the one that asks is answered
    PARAGRAPH = "paragraph-request"  # a paragraph asked for by its number
    EVIDENCE = "follow-up-evidence"  # "source?" after an answer: its passages in full
    MORE = "follow-up-more"  # "tell me more" after an answer (or "why?" with no reasons listed): passages in full
    WHY = "follow-up-why"  # "why?" after an answer: the entry giving the essay's reasons for it
    EXAMPLES = "follow-up-examples"  # "like what?" after an answer: the entry giving the essay's examples of it
    FACT = "follow-up-fact"  # "what year was that?" after an answer one of whose passages states it
    NEW_PART = "follow-up-new-part"  # "and militarily?": the entry that explains the new part, not the old one
    SIDE = "follow-up-side"  # "and Xi's side?": among the entries that came close, the one about that side alone
    LINKED = "follow-up-linked"  # a little short of evidence alone, for a point the last answer links to
    # Declines.
    SMALL_TALK = "small-talk"  # only greetings, thanks, filler, help requests, mentions or emoji
    NO_SUCH_PARAGRAPH = "no-such-paragraph"  # a paragraph number the essay does not have
    NOTHING_TO_MATCH = "nothing-to-match"  # no meaningful word
    NO_CANDIDATE = "no-candidate"  # no entry shares a term with it
    NAMES_SOMETHING_ELSE = "names-something-else"  # a name or year the knowledge base never mentions
    MOSTLY_UNUSED_WORDS = "mostly-unused-words"  # words the knowledge base never uses carry most of it
    FACT_ON_UNUSED_WORD = "fact-on-unused-word"  # a short factual question turning on a word the essay never uses
    FACT_NOT_ASKED = "fact-not-asked"  # asks for a kind of fact no phrasing of the entry asks for
    SINGLE_WORD = "single-word"  # one meaningful word that neither names the entry nor stands alone in a phrasing
    TOO_LITTLE_EVIDENCE = "too-little-evidence"  # shares words with an entry, but not enough to be about it
    CLOSER_TO_NOT_ANSWERED = "closer-to-not-answered"  # nearer a question the essay leaves open
    ASKED_ELSEWHERE = "asked-elsewhere"  # the asking sentence shares no word with what the rest points at
    NEW_PART_UNEXPLAINED = "follow-up-unexplained"  # "which pipeline?": nothing explains what the follow-up adds
    MORE_THAN_SAID = "more-than-said"  # "which projects specifically?" after the answer that says all there is
    VIEW_OF_ANOTHER = "view-of-another"  # what someone thinks or says whose views the essay never gives
    ONLY_SUPPOSED = "only-supposed"  # whether something happened that the answer only supposes ("if the West…")


# The rules a Matcher may be built without (bench/ablation.py measures each one's worth).
RULES = frozenset(
    {
        "message-parts",  # set chat manners aside before matching
        "both-sides",  # a question of what both sides want or gain is not answered by an entry about one
        "inherited-fact",  # an elliptical new part asks the fact the question before asked
        "after-a-decline",  # "and Xi?" after a declined question about Putin asks it of Xi
        "whole-question",  # "but isn't Russia…": a whole question after "and", "but" is answered on its own
        "new-question",  # a new part asking a question of its own is not answered with the last answer again
        "own-question",  # an asking sentence that is a whole question, declined alone, is not answered by context
        "about-the-asker",  # statements about the asker naming no topic are set aside (small talk if nothing asks)
        "listed-instances",  # "what kind of hostility?" after an answer listing its forms is answered by it again
        "leaning-sentence",  # an asking sentence that leans on the last answer makes its message a follow-up
        "only-specifics",  # "name one?", "examples?" alone name no topic
        "reasons-left-open",  # "why?" of a point whose reasons the entry's "not answered" lines say the essay omits
        Reason.LINKED.value,
        Reason.EXACT.value,
        Reason.SHAPED_LIKE_PHRASING.value,
        Reason.MOSTLY_EXPLAINED.value,
        Reason.DISTINCTIVE_LEAD.value,
        Reason.RAMBLING_LEAD.value,
        Reason.CALIBRATED.value,  # without it, the hand-set rules above decide
        Reason.ASKING_SENTENCE.value,
        Reason.NAMES_SOMETHING_ELSE.value,
        Reason.MOSTLY_UNUSED_WORDS.value,
        Reason.FACT_ON_UNUSED_WORD.value,
        Reason.FACT_NOT_ASKED.value,
        Reason.SINGLE_WORD.value,
        Reason.CLOSER_TO_NOT_ANSWERED.value,
        Reason.ASKED_ELSEWHERE.value,  # with the guards an asking sentence vetoes its message by
        Reason.NEW_PART.value,  # a follow-up's new part is answered by what explains it, or declined
        Reason.SIDE.value,
        Reason.MORE_THAN_SAID.value,
        Reason.EXAMPLES.value,
        Reason.FACT.value,
        Reason.VIEW_OF_ANOTHER.value,
        Reason.ONLY_SUPPOSED.value,
    }
)


@dataclass(frozen=True, slots=True)
class _Phrasing:
    entry: int
    text: str
    terms: frozenset[str]
    weight: float  # the IDF weight of its own terms


@dataclass(frozen=True, slots=True)
class _Stated:
    """A year or a count a cited passage states: its kind of fact (see factual_kind), of what, naming which sides."""

    kind: str
    about: frozenset[str]
    sides: frozenset[str]


_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")
_DECADE = re.compile(r"(?:1[6-9]|20)\d0s")  # "the 1960s": when, roughly
_PRECISE = re.compile(r"\b(?:year|date|day|month|exactly|precisely)\b")
_COMPARED = re.compile(r"\b(?:like|unlike|such as|similar to|compared to|compared with|the way) (?:the )?(\w+)")
_ROUGHLY = "when, roughly"
# "What does Kazakhstan think about it", "how did Washington react to the visit": a view asked, and whose.
_VIEW_ASKED = re.compile(
    r"\b(?:what|how) (?:do|does|did|would|will) (?P<holder>(?:[\w']+ ){0,3}?[\w']+) "
    r"(?:think|feel|say|view|see|make of|react|respond)\b"
)
# "Has the West actually offered China better terms?": whether something happened.
_HAPPENED = re.compile(r"(?:(?:so|but|and|ok) )?(?:has|have|had|did)\b")
# "If the West offered China…, the friendship could lose its shine": what an answer only supposes.
_SUPPOSED = re.compile(r"\b(?:if|unless|should|in case)\b([^.;:]*)")
# Words that say what kind of holder, not which: "ordinary people", "the government", "both leaders".
_HOLDER_KIND = frozenset(
    "people person ordinary citizen citizens government governments official officials president leader leaders "
    "regime regimes public population media state states country countries side sides nation nations two".split()
)
_SPAN = frozenset({"since", "until", "till", "by", "from", "before", "after"})
_PLACING = frozenset({"in", "at"})
_ANSWER_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# After a word of an answer, what introduces its instances: "help: energy deals…", "hostility, in the form of
# sanctions…", "regional supremacy, especially in Eastern Europe", "the University of Birmingham".
_INSTANCES = re.compile(r"(?: [\w'’-]+)?(?::|,? (?:in the form of|such as|especially|including|namely)\b| of [A-Z])")
_COUNT = re.compile(r"\d+(?:st|nd|rd|th)?")


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    terms: tuple[Term, ...]
    weights: Mapping[str, float]  # read-only: a query is remembered and shared (see DECISIONS_REMEMBERED)
    total: float
    factual: str | None  # "when", "how many"… (see analysis.factual_kind)
    names_other: bool  # it names someone or something the knowledge base never mentions
    unused: bool  # it has a real word the knowledge base never uses
    foreign: float  # the share of its weight carried by words the knowledge base never uses
    happened: frozenset[str]  # the terms of its sentences asking if something happened


@dataclass(frozen=True, slots=True)
class Candidate:
    """How well one entry fits a question: the signals the matcher weighs it on."""

    id: str
    score: float  # 0–100, what ranking uses
    coverage: float  # share of the question's weight that the entry explains
    evidence: float  # that weight itself
    labels: float  # share explained by the title and keywords alone
    overlap: float  # best weighted term overlap with one curated phrasing, 0–1
    strong: int  # how many distinctive (not topic-wide) terms of the question the entry explains
    shared: int  # how many of the question's terms the entry explains
    verbatim: float  # order-aware similarity to the closest curated phrasing, 0–1 (finalists only)
    position: int


def _blend(similarity: float, coverage: float, labels: float) -> float:
    return 100 * (0.55 * similarity + 0.25 * coverage + 0.2 * labels)


def _similarity(overlap: float, verbatim: float) -> float:
    """How close a question is to curated phrasings, 0–1, from shared terms and from word order."""
    # Plain ratio keeps word order, so "what does China get from Russia"
    # and "what does Russia get from China" stay apart.
    return 0.7 * max(overlap, verbatim) + 0.3 * verbatim


def _similarities(overlaps: np.ndarray, verbatims: np.ndarray) -> np.ndarray:
    """``_similarity`` elementwise, for many phrasings at once."""
    similarities: np.ndarray = 0.7 * np.maximum(overlaps, verbatims) + 0.3 * verbatims
    return similarities


def _sufficient(best: Candidate, margin: float) -> tuple[tuple[Reason, bool], ...]:
    """Each way the evidence may be enough for the best entry to answer, and whether it is.

    A short question must be mostly explained by the entry; a long, rambling one
    may carry context the essay never mentions, so it is enough that several
    distinctive terms point at one entry clearly ahead of the rest.
    """
    brief = best.evidence < MIN_EVIDENCE
    explained = best.coverage >= MIN_COVERAGE
    clear = margin >= CLEAR_MARGIN
    return (
        # One meaningful word is little evidence, but with the rest of the
        # question shaped like a curated phrasing ("ok but what's in it for China") it is enough.
        (Reason.SHAPED_LIKE_PHRASING, brief and best.verbatim >= BRIEF_VERBATIM and explained and clear),
        (Reason.MOSTLY_EXPLAINED, not brief and explained and best.score >= ANSWER_THRESHOLD),
        (Reason.DISTINCTIVE_LEAD, not brief and best.strong >= 2 and best.coverage >= SOME_COVERAGE and clear),
        (
            Reason.RAMBLING_LEAD,
            not brief and best.strong >= 3 and best.coverage >= RAMBLING_COVERAGE and margin >= CLEAR_MARGIN / 2,
        ),
    )


def _signals(
    query: _Query, best: Candidate, margin: float, phrasings: int, *, focused: bool, resolved: bool
) -> tuple[float, ...]:
    """What the calibration weighs, scaled to about 0–1, in the order of calibration.SIGNALS."""
    return (
        best.coverage,
        math.log1p(best.evidence),
        best.labels,
        best.overlap,
        best.verbatim,
        min(best.strong, 5) / 5,
        min(best.shared, 6) / 6,
        margin / 100,
        float(best.evidence < MIN_EVIDENCE),
        min(sum(1 for term in query.terms if term.kind in (Kind.KNOWN, Kind.CORRECTED)), 10) / 10,
        query.foreign,
        math.log(phrasings),
        float(focused),
        float(resolved),
    )


def _placed_at(words: list[str], index: int) -> int | None:
    """Where "in" or "at" (and "the") stands before the name at ``index``, if it does: "in Central Asia"."""
    before = index - 1 if index >= 1 and words[index - 1] == "the" else index
    return before - 1 if before >= 1 and words[before - 1] in _PLACING else None


def _answer(message: str, decision: Decision) -> Answer:
    return Answer(message, decision.entry, decision.score, decision.suggestions, decision.reason.value)


def _names_its_topic(alone: Explanation) -> bool:
    """Whether a message answered on its own is a curated phrasing, or is mostly the answering entry's labels."""
    if alone.answer.entry is None or alone.decision is None:
        return False
    candidates = alone.decision.candidates
    return alone.decision.reason is Reason.EXACT or (bool(candidates) and candidates[0].labels >= NAMED_TOPIC)


def _asked_terms(decision: Decision) -> list[str]:
    """The meaningful terms a decided text asks about, words like "essay" left out."""
    return [term for term, weight in decision.weights.items() if weight and term not in GENERIC]


def _came_close(candidate: Candidate) -> bool:
    """Whether an entry is worth offering as "did you mean": it explains more than one word of the question.

    "What is the capital of Australia" shares one word with an entry about the
    West; offering it would only puzzle the asker, who gets example questions instead.
    """
    if candidate.score < SUGGEST_THRESHOLD:
        return False
    if candidate.shared >= 2:
        return candidate.coverage >= CLOSE_COVERAGE
    return candidate.coverage >= SOLE_TERM_COVERAGE and candidate.strong >= 1


# How far short of the calibration's threshold a point the last answer links to may be, and still answer.
LINKED_LEAD_ALLOWANCE = 0.1
# More when the member restates what they take from the answer ("so it's mostly for show at home?").
RESTATED_LEAD_ALLOWANCE = 0.3
_RESTATES = re.compile(r"(?:(?:ok|okay|wait|hmm|right) )?so\b")
FOLLOW_UP_REASONS = frozenset(
    {Reason.EVIDENCE.value, Reason.MORE.value, Reason.WHY.value, Reason.EXAMPLES.value, Reason.FACT.value}
)

# The kinds of fact an elliptical new part goes on asking ("and the invasion?" after "what year was Crimea").
INHERITED_FACTS = frozenset({"when", "how many", "how much", "how old", "how long"})
# Kinds of fact the essay gives for many of its points: asked of an entry, one is only declined as a fact
# no phrasing asks when the entry's own "not answered" lines ask it ("what caused the Sino-Soviet split").
CONDITIONAL_FACTS = frozenset({"cause"})

# Words that name no topic of a question: the essay in general ("according to the text") and the kind of
# fact asked ("what year", "what price").
_NAME_NOTHING = GENERIC | FACT_KIND_TERMS
# "When did it happen", "when did that start": what a follow-up asking only for a date or count may add.
_NOTHING_BUT_THE_FACT = _NAME_NOTHING | frozenset(stem(word) for word in ("happen", "start", "begin", "began", "occur"))
# A "not answered" line asking the reasons of something.
_ASKS_WHY = re.compile(r"(?:why|how come)\b")
# A new part with a question word or verb of its own ("since when?", "does that mean…") asks its own question.
_ASKS_ITSELF = re.compile(
    r"\b(?:what|who|whom|whose|which|when|where|why|how|is|are|was|were|do|does|did|can|could|will|would|should|"
    r"has|have|had)\b"
)

# The guards a follow-up's new part is declined for: a single word is what an elliptical follow-up is.
FACT_GUARDS = frozenset(
    {Reason.NAMES_SOMETHING_ELSE, Reason.MOSTLY_UNUSED_WORDS, Reason.FACT_ON_UNUSED_WORD, Reason.FACT_NOT_ASKED}
)

# The guards an asking sentence is declined for even when the rest of its message would be answered.
VETOES = frozenset(
    {
        Reason.NO_CANDIDATE,
        Reason.NAMES_SOMETHING_ELSE,
        Reason.MOSTLY_UNUSED_WORDS,
        Reason.CLOSER_TO_NOT_ANSWERED,
    }
)

ANSWERING = frozenset(
    {
        Reason.EXACT,
        Reason.PARAGRAPH,
        Reason.EVIDENCE,
        Reason.MORE,
        Reason.WHY,
        Reason.EXAMPLES,
        Reason.FACT,
        Reason.SIDE,
        Reason.SHAPED_LIKE_PHRASING,
        Reason.MOSTLY_EXPLAINED,
        Reason.DISTINCTIVE_LEAD,
        Reason.RAMBLING_LEAD,
        Reason.CALIBRATED,
        Reason.ASKING_SENTENCE,
    }
)


def _meaningful(message: Message) -> tuple[str, ...]:
    """The message's asking sentences that hold a meaningful word ("about this for a while." holds none)."""
    sentences = tuple(sentence for sentence in message.questions if not STOPWORDS.issuperset(_words(sentence)))
    return sentences or message.questions


@lru_cache(maxsize=1024)
def _words(sentence: str) -> tuple[str, ...]:
    """``tokens(sentence)``, remembered: a message's sentences are looked at several times."""
    return tuple(tokens(sentence))


def _other_one(new_part: str) -> bool:
    """ "And the other side?": nothing asked but the other side ("and the other side? the narrative" asks more)."""
    return _OTHER_ONE.search(new_part) is not None and STOPWORDS.issuperset(_words(_OTHER_ONE.sub(" ", new_part)))


def _opening(sentence: str) -> str:
    """The first words of a sentence: enough to tell what kind of fact it asks for (see factual_kind)."""
    return " ".join(sentence.split()[:OPENING_WORDS])


def _asking_sentence(sentences: tuple[str, ...]) -> str | None:
    """In a message of several sentences, the one that asks: the last that opens with a question word
    ("what…", "does…") and has a "?", else the last with either, else the last. "What help does Beijing
    give? Money, energy?" asks the first: the second only lists what it means.
    """
    if len(sentences) < 2:
        return None
    marked = {sentence for sentence in sentences if "?" in sentence}
    opened = {sentence for sentence in sentences if _INTERROGATIVE.match(" ".join(_words(sentence)))}
    for asking in (marked & opened, marked, opened):
        if asking:
            return [sentence for sentence in sentences if sentence in asking][-1]
    return sentences[-1]


@dataclass(frozen=True, slots=True)
class Decision:
    """How one text was decided: what was read, the candidates, and the rule that decided."""

    text: str  # what was matched, as written
    analysed: str  # the same after normalisation and synonyms
    terms: tuple[Term, ...]  # each meaningful term and what kind of word it is
    weights: Mapping[str, float]  # the weight each term carried
    candidates: tuple[Candidate, ...]  # best first
    reason: Reason
    entry: Entry | None
    score: float
    suggestions: tuple[Suggestion, ...]
    sample: Sample | None = None  # what the calibration weighs for the best entry


@dataclass(frozen=True, slots=True)
class Explanation:
    """The answer to a message, with everything that led to it: for ``ask --explain``."""

    answer: Answer
    message: Message
    decision: Decision | None  # None when the message was small talk or asked for a paragraph
    focus: Decision | None  # the asking sentence's own decision, when there was one
    matched: str = ""  # what the next turn's follow-up leans on: the question, or the one it was resolved to


@dataclass(frozen=True, slots=True)
class _EntryText:
    """One entry, analysed once when the index is built."""

    phrasings: tuple[str, ...]  # each curated question, and the title, as Analyzer.text() gives them
    labels: frozenset[str]  # terms of the title and keywords
    terms: frozenset[str]  # every term, answer and quotes included
    texts: tuple[str, ...]  # every analysed piece, for the analyzer to learn its vocabulary from


def _analyse(analyzer: Analyzer, entry: Entry) -> _EntryText:
    phrasings = tuple(analyzer.text(text) for text in (*entry.questions, entry.title))
    keywords = tuple(analyzer.text(text) for text in entry.keywords)
    body = tuple(analyzer.text(text) for text in (entry.answer, *(citation.quote for citation in entry.citations)))

    def terms(texts: Iterable[str]) -> frozenset[str]:
        return frozenset(term for text in texts for term in Analyzer.terms(text))

    labels = terms((phrasings[-1], *keywords))
    return _EntryText(phrasings, labels, terms(phrasings) | labels | terms(body), phrasings + keywords + body)


def _idf(term_sets: list[frozenset[str]]) -> tuple[dict[str, float], float]:
    """Each term's rarity over the entries, and that of a term no entry has (as if half of one had it)."""
    frequency: dict[str, int] = defaultdict(int)
    for terms in term_sets:
        for term in terms:
            frequency[term] += 1
    count = max(len(term_sets), 1)
    return {term: math.log(1 + count / df) for term, df in frequency.items()}, math.log(1 + count / 0.5)


def _named_by_answers(analyzer: Analyzer, knowledge: KnowledgeBase) -> frozenset[str]:
    """The terms of the entries' titles and answers: whom the knowledge base itself speaks of (its sides, the
    West, the author…), as opposed to what its keywords and phrasings list that people ask about."""
    texts = (text for entry in knowledge.entries for text in (entry.title, entry.answer))
    return frozenset(term for text in texts for term in Analyzer.terms(analyzer.text(text))) | GENERIC


def _written(entry: Entry) -> tuple[str, ...]:
    """An entry's texts as written, capitals and all."""
    return (entry.title, entry.answer, *entry.questions, *(citation.quote for citation in entry.citations))


def _postings(term_sets: Iterable[frozenset[str]]) -> dict[str, list[int]]:
    """For each term, the positions of the sets that hold it."""
    postings: dict[str, list[int]] = defaultdict(list)
    for position, terms in enumerate(term_sets):
        for term in terms:
            postings[term].append(position)
    return dict(postings)


class _OverlapIndex:
    """The weighted Dice overlap of a question with every phrasing of a list at once.

    This is the hottest loop of a question (a long message shares a term with
    hundreds of phrasings), hence numpy.
    """

    def __init__(self, phrasings: list[_Phrasing]) -> None:
        self.phrasings = phrasings
        self._weights = np.array([phrasing.weight for phrasing in phrasings], dtype=np.float64)
        postings = _postings(phrasing.terms for phrasing in phrasings)
        self._by_term = {term: np.array(positions, dtype=np.intp) for term, positions in postings.items()}

    def overlaps(self, query: _Query) -> np.ndarray:
        """Per phrasing, in order, its overlap with the question's terms, 0–1 (0 when it shares none)."""
        shared = np.zeros(len(self.phrasings))
        for term, weight in query.weights.items():
            positions = self._by_term.get(term)
            if positions is not None:
                shared[positions] += weight
        return 2 * shared / (query.total + self._weights)


class Matcher:
    """Answers questions from one KnowledgeBase. Pure, synchronous and deterministic."""

    def __init__(self, knowledge: KnowledgeBase, without: Iterable[str] = ()) -> None:
        """``without`` names rules (see RULES) to leave out, for measuring what each one is worth."""
        self._without = frozenset(without)
        if unknown := self._without - RULES:
            raise ValueError(f"unknown rules: {', '.join(sorted(unknown))}")
        self.knowledge = knowledge
        self._decide = lru_cache(maxsize=DECISIONS_REMEMBERED)(self._decide_afresh)
        self._query = lru_cache(maxsize=DECISIONS_REMEMBERED)(self._query_afresh)
        self._analyzer = Analyzer(knowledge.synonyms)
        analysed = [_analyse(self._analyzer, entry) for entry in knowledge.entries]
        self._analyzer.learn(text for item in analysed for text in item.texts)
        # Words the knowledge base writes with a capital inside a sentence ("the Belt and Road", "Central Asia").
        written = (*knowledge.essay.paragraphs, *(text for entry in knowledge.entries for text in _written(entry)))
        self._capitalised = frozenset(word for text in written for word in written_names(text))

        self._idf, self._unseen_idf = _idf([item.terms for item in analysed])

        self._terms = [item.terms for item in analysed]
        self._position = {entry.id: position for position, entry in enumerate(knowledge.entries)}
        self._labels = [item.labels for item in analysed]
        # The words for the sides ("china", "xi"…), and those each entry's title names: "What Xi gains" is one-sided.
        self._side_words = frozenset(knowledge.counterparts) | frozenset(knowledge.counterparts.values())
        self._sides = [frozenset(item.phrasings[-1].split()) & self._side_words for item in analysed]
        # Which of the two sides each side word is on: the left-hand words of counterparts.yaml are one side.
        self._side_of = {word: index % 2 == 1 for index, word in enumerate(knowledge.counterparts)}
        self._view_holders = _named_by_answers(self._analyzer, knowledge)
        self._one_side_entries = frozenset(
            position for position, sides in enumerate(self._sides) if len({self._side_of[side] for side in sides}) == 1
        )
        # What the entries are about: the terms of their titles and keywords, words like "essay" aside.
        self._topics = frozenset(term for labels in self._labels for term in labels) - GENERIC
        self._postings = _postings(self._terms)
        self._phrasings = [
            self._phrasing(position, text) for position, item in enumerate(analysed) for text in item.phrasings
        ]
        self._by_entry: list[list[_Phrasing]] = [[] for _ in analysed]
        # Per entry, the terms of its curated phrasings asking for each kind of fact ("when", "who"…).
        self._factual_terms: list[dict[str, list[frozenset[str]]]] = [defaultdict(list) for _ in analysed]
        for phrasing in self._phrasings:
            self._by_entry[phrasing.entry].append(phrasing)
            kind = factual_kind(phrasing.text)
            if kind is not None:
                self._factual_terms[phrasing.entry][kind].append(phrasing.terms)
            if (thing := which_thing(phrasing.text)) is not None:
                self._factual_terms[phrasing.entry][f"which {thing}"].append(phrasing.terms)
        left_open = [[self._analyzer.text(question) for question in entry.not_answered] for entry in knowledge.entries]
        self._left_open_facts: list[dict[str, list[frozenset[str]]]] = [defaultdict(list) for _ in analysed]
        for position, lines in enumerate(left_open):
            for line in lines:
                if (kind := factual_kind(line)) in CONDITIONAL_FACTS:
                    self._left_open_facts[position][kind].append(frozenset(Analyzer.terms(line)))
        self._stated = [self._stated_facts(entry) for entry in knowledge.entries]
        self._supposed = [self._supposed_only(entry) for entry in knowledge.entries]
        self._reasons_left_open = [
            any(self._asks_why_of_itself(line, position) for line in lines) for position, lines in enumerate(left_open)
        ]
        self._phrasing_texts = [[phrasing.text for phrasing in phrasings] for phrasings in self._by_entry]
        self._phrasing_count = [len(phrasings) for phrasings in self._by_entry]
        self._all_phrasing_texts = [phrasing.text for phrasing in self._phrasings]
        self._phrasing_index = _OverlapIndex(self._phrasings)
        # Phrasings come entry by entry, and every entry has at least its title.
        self._first_phrasing = np.cumsum([0] + [len(phrasings) for phrasings in self._by_entry[:-1]], dtype=np.intp)
        self._declined = _OverlapIndex(
            [self._phrasing(position, line) for position, lines in enumerate(left_open) for line in lines]
        )
        self._declined_entry = np.array([phrasing.entry for phrasing in self._declined.phrasings], dtype=np.intp)
        self._declined_texts = np.array([phrasing.text for phrasing in self._declined.phrasings], dtype=object)
        # Per side, which "not answered" lines name it; and which name any side at all.
        self._declined_naming = {
            side: np.array([side in phrasing.terms for phrasing in self._declined.phrasings], dtype=bool)
            for side in self._side_words
        }
        self._declined_named = np.array(
            [bool(phrasing.terms & self._side_words) for phrasing in self._declined.phrasings], dtype=bool
        )
        # The first entry to use a phrasing wins; the validator forbids sharing them anyway.
        self._exact = {phrasing.text: knowledge.entries[phrasing.entry] for phrasing in reversed(self._phrasings)}

    @cached_property
    def _gainers(self) -> list[bool | None]:
        """Per entry, the side its title says gains or wants ("What Russia gets from China"), if it names one."""
        side_of_stem = {stem(word): of for word, of in self._side_of.items()}
        gainers: list[bool | None] = []
        for entry in self.knowledge.entries:
            roles = [role[len(ROLE_MARK) :] for role in role_terms(self._analyzer.text(entry.title).split())]
            sides = {side_of_stem[role] for role in roles if role in side_of_stem}
            gainers.append(next(iter(sides)) if len(sides) == 1 else None)
        return gainers

    def _supposed_only(self, entry: Entry) -> tuple[frozenset[str], frozenset[str]]:
        """The terms ``entry``'s title and answer say only in a supposition ("if the West offered…"), and those
        they say outright, the sides aside in both."""
        texts = [self._analyzer.text(text) for text in (entry.title, entry.answer)]
        supposed = " ".join(clause.group(1) for text in texts for clause in _SUPPOSED.finditer(text))
        said = frozenset(Analyzer.terms(" ".join(_SUPPOSED.sub(" ", text) for text in texts))) - self._side_words
        return frozenset(Analyzer.terms(supposed)) - said - self._side_words, said

    def _stated_facts(self, entry: Entry) -> tuple[_Stated, ...]:
        """The years, counts and places the entry's cited passages state, each with the words it is stated of."""
        sides = self._side_words
        stated = []
        for citation in entry.citations:
            words = self._analyzer.text(citation.quote).split()
            named = frozenset(word for word in words if word in sides)
            places = frozenset(self._analyzer.text(" ".join(written_names(citation.quote))).split())
            for index, word in enumerate(words):
                # "Crimea in 2014": a year dates what comes just before it ("since 2013" only starts a span);
                # "11th visit": a count counts what comes just after it; "a Ph.D. in progress at the
                # University of Birmingham": a name after "in" or "at" places what comes before them.
                dates = _YEAR.fullmatch(word) or _DECADE.fullmatch(word)
                placed = _placed_at(words, index) if word in places else None
                if dates and (index == 0 or words[index - 1] not in _SPAN):
                    kind, about = "when" if _YEAR.fullmatch(word) else _ROUGHLY, words[max(index - 4, 0) : index]
                elif _COUNT.fullmatch(word) and not _YEAR.fullmatch(word):
                    kind, about = "how many", words[index + 1 : index + 3]
                elif placed is not None:
                    kind, about = "where", words[max(placed - 4, 0) : placed]
                else:
                    continue
                terms = frozenset(Analyzer.terms(" ".join(about))) - sides
                stated.append(_Stated(kind, terms, named))
        return tuple(stated)

    def _phrasing(self, position: int, text: str) -> _Phrasing:
        """A curated question of the entry at ``position``, given as ``Analyzer.text()`` output."""
        terms = frozenset(Analyzer.terms(text))
        return _Phrasing(position, text, terms, sum(self._known_weight(term) for term in terms))

    def other_side_asked(self, entry: Entry) -> tuple[int, ...]:
        """Which of ``entry``'s phrasings name the other side as the one who gains or wants, when its title names
        one side: "I know what Putin gets, but how does it help Xi?" written for what Xi gains lends that entry
        the role of Putin, so "what's in it for Putin" comes closer to it than to what Putin gains."""
        position = self._position[entry.id]
        if position not in self._one_side_entries:
            return ()
        side = self._side_of[next(iter(self._sides[position]))]
        other = {ROLE_MARK + stem(word) for word, of in self._side_of.items() if of != side}
        return tuple(
            index
            for index, question in enumerate(entry.questions)
            if other & set(role_terms(self._analyzer.text(question).split()))
        )

    def ask(self, message: str, conversation: Conversation | None = None, now: float = 0.0) -> Answer:
        """The best-supported answer to ``message`` (read after ``conversation``), or a decline with suggestions."""
        return self.explain(message, conversation, now).answer

    def reply(self, message: str, conversation: Conversation, now: float) -> tuple[Explanation, Conversation]:
        """How ``message`` is answered in ``conversation`` at time ``now``, and the conversation after it.

        Small talk and paragraph requests leave the conversation as it was, so "thanks" or "¶4?"
        between a question and its "why?" changes nothing.
        """
        explanation = self.explain(message, conversation, now)
        answer = explanation.answer
        if answer.kind in (SMALL_TALK, PARAGRAPH):
            return explanation, conversation
        entry_id = answer.entry.id if answer.entry else None
        return explanation, conversation.then(Turn(explanation.matched, entry_id, now))

    def explain(self, message: str, conversation: Conversation | None = None, now: float = 0.0) -> Explanation:
        """The answer to ``message`` with the parts it was read in, the candidates, and the rule that decided."""
        explanation = self._explain_alone(message)
        last = conversation.last_answered(now) if conversation is not None else None
        previous = self.knowledge.entry(last.entry_id) if last is not None and last.entry_id else None
        declined = conversation.last_declined(now) if conversation is not None and last is None else None
        if declined is not None and (swapped := self._after_a_decline(explanation, declined)) is not None:
            return swapped
        if last is None or previous is None or explanation.answer.kind == PARAGRAPH:
            return explanation
        if explanation.answer.kind == SMALL_TALK and follow_up_kind(explanation.message.question) is None:
            return explanation  # "thanks!"; but "I don't get it", about the asker, asks for more of the answer
        followed = self._follow_up(self._leaning_sentence(explanation), last, previous) or explanation
        return self._linked_lead(self._no_more_than_said(followed, previous), explanation.decision, previous)

    def _leaning_sentence(self, alone: Explanation) -> Explanation:
        """A message of several sentences that its whole words do not answer, whose asking sentence leans on the
        last answer ("thats a reversal from the 50s lol. militarily too?", "interesting. what about militarily?"):
        that sentence alone, to be read as the follow-up it is, the message's own words kept as the question."""
        focus = alone.focus
        if (
            focus is None
            or "leaning-sentence" in self._without
            or (alone.answer.entry is not None and alone.answer.reason != Reason.ASKING_SENTENCE.value)
            or follow_up_kind(alone.message.question) is not None
            or follow_up_kind(focus.text) is None
        ):
            return alone
        sentence = self._explain_alone(focus.text)
        return replace(sentence, answer=replace(sentence.answer, question=alone.answer.question))

    def _after_a_decline(self, alone: Explanation, declined: Turn) -> Explanation | None:
        """A message declined alone that asks the question just declined of the other side: "putin, what's in it
        for him", then "and xi?". The question with the side swapped may say enough where neither did alone.

        Only a swap: the question before and the new part read side by side, as after an answer, measured on
        tune 6 more follow-ups answered wrong and one fewer right; with no answer to anchor them they drift.
        """
        if (
            alone.answer.entry is not None
            or alone.answer.kind in (SMALL_TALK, PARAGRAPH)
            or self._follow_up_kind(alone) is not FollowUp.ELLIPSIS
            or "after-a-decline" in self._without
        ):
            return None
        swapped = self._swapped(declined.question, fragment(alone.message.question))
        if swapped is None:
            return None
        decision = self._decide((swapped,), resolved=True)
        if decision.entry is None:
            return None
        answer = _answer(alone.answer.question, decision)
        return replace(alone, answer=answer, decision=decision, focus=None, matched=swapped)

    def _linked_lead(self, explanation: Explanation, alone: Decision | None, previous: Entry) -> Explanation:
        """A message declined alone for a little too little evidence, answered by its best entry when that
        is a point the last answer links to (its ``related``, ``why`` or ``examples``).

        The member was just reading about the point before, which makes a link of it likelier than its
        words alone say: "is it an alliance?", then "what's missing that makes it just a transaction"
        (the transactional relationship). Only a little likelier: the calibration must judge it at most
        LINKED_LEAD_ALLOWANCE short of its threshold, or RESTATED_LEAD_ALLOWANCE when the member restates
        what they take from the answer ("so it's mostly for show at home?").
        """
        calibration = self._calibration
        if (
            explanation.answer.entry is not None
            or alone is None
            or alone.reason is not Reason.TOO_LITTLE_EVIDENCE
            or alone.sample is None
            or calibration is None
            or Reason.LINKED.value in self._without
        ):
            return explanation
        lead = alone.candidates[0]
        linked = lead.id in (*previous.related, *previous.why, *previous.examples)
        restated = _RESTATES.match(normalise(explanation.message.text)) is not None
        allowance = RESTATED_LEAD_ALLOWANCE if restated else LINKED_LEAD_ALLOWANCE
        if not linked or calibration.probability(alone.sample) < calibration.threshold - allowance:
            return explanation
        entry = self.knowledge.entries[lead.position]
        decision = replace(alone, reason=Reason.LINKED, entry=entry, score=round(lead.score, 1))
        answer = replace(_answer(explanation.answer.question, decision), follow_up_of=previous.id)
        return replace(explanation, answer=answer, decision=decision, focus=None, matched=alone.text)

    def alternatives(self, question: str, instead_of: str) -> tuple[Suggestion, ...]:
        """What else ``question`` may have meant than the entry ``instead_of``: offered after a 👎 on its answer."""
        decision = self._explain_alone(question).decision
        if decision is None or not decision.candidates:
            return ()
        offered = self._suggestions(list(decision.candidates), None)
        return tuple(item for item in offered if item.id != instead_of)

    def _no_more_than_said(self, explanation: Explanation, previous: Entry) -> Explanation:
        """A request for specifics answered with the answer just given is declined: the essay says no more.

        "Which projects specifically?", "what's his PhD on exactly?": the answer already shown is
        all the essay says, so it is named in the decline instead of being shown again as if it answered.
        """
        answer = explanation.answer
        if (
            answer.entry is not previous
            or answer.reason in FOLLOW_UP_REASONS
            or Reason.MORE_THAN_SAID.value in self._without
            or not (
                asks_specifics(explanation.message.question) or self._asks_which(explanation.message.question, previous)
            )
            or self._lists_instances(previous, explanation.message.question)
        ):
            return explanation
        return replace(explanation, answer=self._says_no_more(answer, previous))

    @staticmethod
    def _says_no_more(answer: Answer, previous: Entry) -> Answer:
        """A decline of a follow-up the essay leaves open, naming what it does say of ``previous``."""
        return Answer(
            answer.question,
            None,
            answer.score,
            (Suggestion(previous.id, previous.title, 100.0),),
            Reason.MORE_THAN_SAID.value,
            previous.id,
            note=f"About “{previous.title}”, the essay says: {previous.answer}",
        )

    def _asks_why_of_itself(self, line: str, position: int) -> bool:
        """Whether a "not answered" line (``text()`` output) asks why of the entry's own point, in its own words:
        "why is open war between them improbable" of the entry on war, not "why did Italy pull out of the
        Belt and Road" of the entry on the Belt and Road. The essay then gives no reasons for the point."""
        if not _ASKS_WHY.match(line):
            return False
        terms = set(Analyzer.terms(line)) - self._side_words
        return bool(terms & self._labels[position]) and terms <= self._terms[position]

    def _lists_instances(self, previous: Entry, question: str) -> bool:
        """Whether the answer just given names instances of what the question asks after by kind.

        "What kind of hostility?" is answered by "that hostility, in the form of sanctions, economic
        conflicts…"; "what uni?" by "the University of Birmingham"; "which sanctions?" is not.
        """
        named = asked_by_kind(without_specifics(question))
        if named is None or "listed-instances" in self._without:
            return False
        asked = set(Analyzer.terms(self._analyzer.text(named)))
        return any(
            asked.intersection(Analyzer.terms(self._analyzer.text(word.group(0))))
            and _INSTANCES.match(previous.answer, word.end())
            for word in _ANSWER_WORD.finditer(previous.answer)
        )

    def _asks_which(self, question: str, previous: Entry) -> bool:
        """Whether a short "which projects?", "what kind of plans" asks to name what the answer just given
        only mentions: a word of that answer, asked after by kind."""
        named = asked_by_kind(question)
        if named is None:
            return False
        asked = Analyzer.terms(self._analyzer.text(named))
        return bool(asked) and set(asked) <= self._terms[self._position[previous.id]]

    def _follow_up(self, alone: Explanation, last: Turn, previous: Entry) -> Explanation | None:
        """The message read as a follow-up of ``last``, which ``previous`` answered, when it only makes sense so."""
        question = alone.message.question
        kind = self._follow_up_kind(alone)
        shown = self._examples(question, previous)
        if shown is not None or kind not in (None, FollowUp.ELLIPSIS):
            return self._about_last_answer(alone, kind, shown, last, previous)
        if kind is None:
            return None
        new_part = fragment(question)
        if self._asks_stated_fact_of_last(new_part, last.question, previous):
            answer = Answer(alone.answer.question, previous, 100.0, (), Reason.FACT.value, previous.id)
            return replace(alone, answer=answer, matched=last.question)
        swapped = self._swapped(last.question, new_part)
        if self._stands_alone(alone, new_part, previous, swapped):
            return None
        # Appended, the new part stays a sentence of its own: "which pipeline?" still asks which.
        sentences = (swapped,) if swapped else (last.question, new_part)
        resolved = " ".join(sentences)
        excluded = self._one_sided(last.question, swapped) if swapped else frozenset()
        decision = self._decide(sentences, excluded=excluded, resolved=True)
        # Read with the question before it, the message is declined: its own answer stands, unless that
        # leaves out the fact the question before asked.
        if (
            decision.entry is None
            and alone.answer.entry is not None
            and not self._inherits_unstated_fact(alone.answer.entry, last.question, new_part)
        ):
            return None
        if (
            swapped is None
            and decision.entry is not None
            and Reason.NEW_PART.value not in self._without
            and not STOPWORDS.issuperset(_words(without_specifics(new_part)))
        ):
            # The new part alone, without its opening: "same story with gas?" adds only "gas".
            own = alone.decision if alone.decision is not None and new_part == normalise(question) else None
            asked = factual_kind(self._analyzer.text(_opening(last.question)))
            new = own or self._decide((new_part,))
            decision = self._new_question_instead(self._new_part_stands(decision, new, asked), new, new_part, previous)
        side = side_asked(question) or (self._only_a_side(new_part) if swapped is None else None)
        if Reason.SIDE.value not in self._without:
            if (mirror := self._mirror(new_part, previous)) is not None:
                score = next((item.score for item in decision.candidates if item.id == mirror.id), decision.score)
                decision = replace(decision, reason=Reason.SIDE, entry=mirror, score=round(score, 1))
            elif side is not None:
                decision = self._one_side(decision, side)
        if (
            swapped is None
            and decision.entry is not None
            and Reason.MORE_THAN_SAID.value not in self._without
            and self._left_open(new_part, decision.entry)
        ):
            decision = replace(decision, reason=Reason.MORE_THAN_SAID, entry=None)
        answer = replace(_answer(alone.answer.question, decision), follow_up_of=previous.id)
        if decision.entry is None:
            answer = replace(
                answer,
                note=f"About “{previous.title}”, the essay says: {previous.answer}",
                suggestions=(
                    Suggestion(previous.id, previous.title, 100.0),
                    *(item for item in answer.suggestions if item.id != previous.id),
                )[:MAX_SUGGESTIONS],
            )
        return replace(alone, answer=answer, decision=decision, focus=None, matched=resolved)

    def _follow_up_kind(self, alone: Explanation) -> FollowUp | None:
        """What kind of follow-up the message is; one declined alone that is short or points back is elliptical."""
        question = alone.message.question
        kind = follow_up_kind(question)
        if (
            kind is None
            and alone.answer.entry is None
            and (len(question.split()) <= SHORT_FOLLOW_UP or refers_back(question))
        ):
            # "How many billions?", "does that mean they trust each other": they lean on the last answer.
            return FollowUp.ELLIPSIS
        return kind

    def _about_last_answer(
        self, alone: Explanation, kind: FollowUp | None, shown: Entry | None, last: Turn, previous: Entry
    ) -> Explanation:
        """The examples, the reasons, the evidence or the detail of the last answer, as the message asks."""
        message = alone.answer.question
        if shown is not None:
            answer = Answer(message, shown, 100.0, (), Reason.EXAMPLES.value, previous.id)
            return replace(alone, answer=answer, matched=shown.questions[0])
        reasons = self.knowledge.entry(previous.why[0]) if previous.why else None
        if kind is FollowUp.WHY and reasons is not None:
            answer = Answer(message, reasons, 100.0, (), Reason.WHY.value, previous.id)
            return replace(alone, answer=answer, matched=reasons.questions[0])
        no_reasons = self._reasons_left_open[self._position[previous.id]] and "reasons-left-open" not in self._without
        if kind is FollowUp.WHY and no_reasons:
            return replace(alone, answer=self._says_no_more(alone.answer, previous), matched=last.question)
        reason = Reason.EVIDENCE if kind is FollowUp.EVIDENCE else Reason.MORE
        answer = Answer(message, previous, 100.0, (), reason.value, previous.id, detail=True)
        return replace(alone, answer=answer, matched=last.question)

    def _examples(self, question: str, previous: Entry) -> Entry | None:
        """The entry giving the essay's examples of ``previous``, when ``question`` only asks for examples of it."""
        if not previous.examples or Reason.EXAMPLES.value in self._without or not asks_for_examples(question):
            return None
        return self.knowledge.entry(previous.examples[0])

    def _stands_alone(self, alone: Explanation, new_part: str, previous: Entry, swapped: str | None) -> bool:
        """Whether an elliptical-looking message is a question of its own, to be answered on its own.

        "What about sanctions?" names a topic of its own, one the last answer says nothing of;
        "but isn't Russia a big military power" is a whole question, answered alone, that points back at nothing.
        """
        decision = alone.decision
        if swapped is None and decision is not None and _names_its_topic(alone) and self._unrelated(decision, previous):
            return True
        return (
            alone.answer.entry is not None
            and _ASKS_ITSELF.match(new_part) is not None
            and not refers_back(new_part)
            and "whole-question" not in self._without
        )

    def _left_open(self, new_part: str, entry: Entry) -> bool:
        """Whether a follow-up's new part, read alone, is closer to one of ``entry``'s "not answered" lines than to it.

        "What caused it back then" after the Sino-Soviet split: appended to the question before, it shares
        every word with the entry, but alone it is what that entry says the essay leaves open.
        """
        query = self._query(new_part, (new_part,))
        if not query.total:
            return False
        position = self._position[entry.id]
        candidate = self._with_verbatim(query, self._features(query, position, self._best_overlaps(query)))
        return self._closer_to_declined(query, candidate, own=True)

    def _only_a_side(self, new_part: str) -> str | None:
        """The side word a new part names and nothing else ("and specifically for Putin?"), if that is all it is."""
        words = [word for word in self._analyzer.text(without_specifics(new_part)).split() if word not in STOPWORDS]
        return words[0] if len(words) == 1 and words[0] in self._side_of else None

    def _mirror(self, new_part: str, previous: Entry) -> Entry | None:
        """After a point about what one side gains or wants, the same point of the other side, which it links to.

        "What's in it for Putin", then "and for Xi?" or "what about the other one": what Xi gains, not the entry
        about both leaders the swapped words also come close to, nor the answer just given again (which the
        words of a question naming no side, "what does it actually get from them", keep coming back to).
        """
        gainer = self._gainers[self._position[previous.id]]
        named = self._only_a_side(new_part)
        if gainer is None or not self._only_other_side(new_part) or (named and self._side_of[named] == gainer):
            return None
        linked = (self._position[entry_id] for entry_id in previous.related)
        return next((self.knowledge.entries[at] for at in linked if self._gainers[at] == (not gainer)), None)

    def _only_other_side(self, new_part: str) -> bool:
        """Whether the new part asks nothing but the same of another side: "and China?", "the other one?"."""
        return self._only_a_side(new_part) is not None or _other_one(new_part) or bool(_REVERSED.search(new_part))

    def _one_side(self, resolved: Decision, side: str) -> Decision:
        """ "Xi's side" of the point just made: the entry that came close whose title names that side alone.

        "How does each leader use it at home?" then "and Xi's side?": "What Xi gains", not the answer about both.
        """
        sides = frozenset(self._analyzer.text(side).split())
        for candidate in resolved.candidates:
            if self._sides[candidate.position] == sides and _came_close(candidate):
                entry = self.knowledge.entries[candidate.position]
                return replace(resolved, reason=Reason.SIDE, entry=entry, score=round(candidate.score, 1))
        return resolved

    def _asks_stated_fact_of_last(self, new_part: str, question_before: str, previous: Entry) -> bool:
        """Whether the new part asks nothing but a year or count ("what year was that", "when did it happen"), of what
        the question before named, and a passage of the last answer states it: "what happened with Crimea",
        then "when was that" (the annexation in 2014). Read together, the two share every word with the entry
        but add none, which the calibration has too few of to trust."""
        query = self._query(new_part, (new_part,))
        if (
            query.factual not in INHERITED_FACTS
            or not _NOTHING_BUT_THE_FACT.issuperset(query.weights)
            or Reason.FACT.value in self._without
        ):
            return False
        # Read together, so that "what year" still asks for a year where the passage only says "the 1960s".
        return self._states_of_whole(f"{question_before} {new_part}", previous, query.factual)

    def _inherits_unstated_fact(self, entry: Entry, question_before: str, new_part: str) -> bool:
        """Whether the new part, which ``entry`` answers alone, asks the year or count the question before asked,
        and no passage of that entry states it of what the new part names: "when did Russia annex Crimea", then
        "and the invasion of Ukraine?" (the essay dates the annexation, not the invasion)."""
        asked = factual_kind(self._analyzer.text(_opening(question_before)))
        inherited = self._inherited(self._query(new_part, (new_part,)), asked)
        return inherited is not None and not self._states(inherited, self._position[entry.id])

    def _inherited(self, query: _Query, asked: str | None) -> _Query | None:
        """A new part's query asking the year or count the question before asked, unless it asks a question of
        its own: "what year was Crimea", then "and the Ukraine invasion?" asks the year of the invasion."""
        if asked not in INHERITED_FACTS or _ASKS_ITSELF.search(query.text) or "inherited-fact" in self._without:
            return None
        return replace(query, factual=asked)

    def _new_part_stands(self, resolved: Decision, new: Decision, asked: str | None = None) -> Decision:
        """The follow-up's decision, unless the entry it resolved to does not answer what the new part adds.

        When that entry explains none of the new part's words, only the previous question's words
        chose it ("and militarily?" after the main argument): the new part is answered by the entry
        that explains it, if one came close, and is otherwise declined.
        """
        if resolved.entry is None or not new.candidates:
            return resolved  # words the knowledge base never uses: only the whole can be matched
        query = self._query(new.text, (new.text,))
        inherited = self._inherited(query, asked)
        query = query if inherited is None else inherited
        if query.factual and self._stated_of_whole(resolved.text, resolved.entry, query):
            return resolved  # "what year was that": "that" is what the question before named, which a passage dates
        if not self._unrelated(new, resolved.entry):
            # "Which pipeline?" still asks *which*: the new part's own guards hold against the entry.
            own = next((item for item in new.candidates if item.id == resolved.entry.id), None)
            if own is None:
                return resolved
            # An inherited fact is answered only if a cited passage states it of what the new part names,
            # however closely a curated phrasing words the new part ("invasion of Ukraine").
            stands = (
                self._states(query, own.position)
                if inherited is not None
                else self._guard(query, own) not in FACT_GUARDS or self._lists_instances(resolved.entry, query.text)
            )
            return resolved if stands else replace(resolved, reason=Reason.NEW_PART_UNEXPLAINED, entry=None)
        lead = new.candidates[0] if new.candidates else None
        if lead is not None and _came_close(lead):
            entry = self.knowledge.entries[lead.position]
            if not self._unrelated(new, entry) and self._guard(query, lead) not in FACT_GUARDS:
                return replace(new, reason=Reason.NEW_PART, entry=entry, score=round(lead.score, 1))
        return replace(resolved, reason=Reason.NEW_PART_UNEXPLAINED, entry=None)

    def _new_question_instead(self, resolved: Decision, new: Decision, new_part: str, previous: Entry) -> Decision:
        """The entry the new part leads to, when it is a question of its own that the answer just given would repeat.

        "How are western sanctions affecting the partnership?" then "and the west's role beyond sanctions?":
        read after the first question it gets the sanctions again; alone, its words point at the West's
        hostility. Not when the new part points back ("how does that fit…") or names one thing ("militarily
        too?"), unless its entry is one the last answer links to ("but do they show that in public" after the
        dominant partner: the hidden imbalance), nor when it asks for specifics of the last answer ("what trade
        deals exactly?").
        """
        lead = new.candidates[0] if new.candidates else None
        if resolved.entry is not previous or lead is None or lead.id == previous.id or "new-question" in self._without:
            return resolved
        # A point the last answer links to may be asked after by pointing back, or by one word ("and the reality?").
        linked = lead.id in (*previous.related, *previous.why, *previous.examples)
        if (
            (refers_back(new_part) and not linked)
            or asks_specifics(new_part)
            or asked_by_kind(new_part) is not None
            or (len([word for word in _words(new_part) if word not in STOPWORDS]) < 2 and not linked)
            or not _came_close(lead)
            or self._guard(self._query(new.text, (new.text,)), lead) is not None
        ):
            return resolved
        entry = self.knowledge.entries[lead.position]
        return replace(new, reason=Reason.NEW_PART, entry=entry, score=round(lead.score, 1))

    def _about_one_side(self, query: _Query) -> frozenset[int]:
        """The entries about one side only, when the question asks what both sides want or gain.

        "Do China and Russia want the same thing long term" is not answered by "What Russia wants".
        """
        roles = {term[len(ROLE_MARK) :] for term in query.weights if term.startswith(ROLE_MARK)}
        if {self._side_of.get(role) for role in roles} != {False, True}:
            return frozenset()
        return self._one_side_entries

    def _stated_of_whole(self, whole_text: str, entry: Entry, new: _Query) -> bool:
        """Whether the new part points back ("it", "that") and the fact it asks is stated of what the whole names.

        "When did it happen" after the Sino-Soviet split: "it" is the split, which a cited passage dates;
        "and when did the invasion start" names a subject of its own.
        """
        return refers_back(new.text) and self._states_of_whole(whole_text, entry, new.factual)

    def _states_of_whole(self, whole_text: str, entry: Entry, factual: str | None) -> bool:
        """Whether a cited passage of ``entry`` states the ``factual`` kind of fact of what ``whole_text`` names."""
        whole = replace(self._query(whole_text, (whole_text,)), factual=factual)
        return self._states(whole, self._position[entry.id])

    def _one_sided(self, previous: str, swapped: str) -> frozenset[int]:
        """The entries whose title names only the side the swapped question no longer asks about.

        After "what does Xi get out of hanging out with Putin", "and Putin?" asks what Putin gets:
        "What Xi gains" does not answer it, however much of its wording the swapped question shares.
        """
        before = self._analyzer.text(previous).split()
        roles = {ROLE_MARK + stem(word) for word in before if word in self._side_words}
        dropped = {role[len(ROLE_MARK) :] for role in set(role_terms(before)) & roles}
        dropped -= {role[len(ROLE_MARK) :] for role in role_terms(swapped.split())}
        if not dropped:
            # No word says who gains ("why does Xi bother showing up with Putin"): the side named first
            # is who the question is about.
            first = [
                next((word for word in words if word in self.knowledge.counterparts), None)
                for words in (before, swapped.split())
            ]
            dropped = {stem(first[0])} if first[0] is not None and first[0] != first[1] else set()
        if not dropped:
            return frozenset()
        return frozenset(
            position
            for position, sides in enumerate(self._sides)
            if sides and {stem(side) for side in sides} <= dropped
        )

    def _swapped(self, previous: str, new_part: str) -> str | None:
        """The previous question asked of the other side, when the new part names it ("and Russia?")."""
        counterparts = self.knowledge.counterparts
        old = self._analyzer.text(previous).split()
        new = self._analyzer.text(new_part).split()
        named = [word for word in new if word in counterparts and counterparts[word] in old]
        rest = [word for word in new if word not in counterparts and word not in STOPWORDS]
        # "And the other way round?", "and the other one?": every side swaps, nothing is added.
        if _REVERSED.search(new_part) or _other_one(new_part):
            named, rest = [counterparts[word] for word in old if word in counterparts], []
        if not named:
            return self._asked_of_other_side(old, new, rest)
        swap = {counterparts[word]: word for word in named} | {word: counterparts[word] for word in named}
        return " ".join([swap.get(word, word) for word in old] + rest)

    def _asked_of_other_side(self, old: list[str], new: list[str], rest: list[str]) -> str | None:
        """The previous question asked of the one side word the new part names, when it only named the other side.

        "What does Russia want in the long run", then "what about Xi?": Xi is not Russia's counterpart
        (Putin is), but he is of the other side, so the question is asked of him.
        """
        asked = [word for word in new if word in self._side_of]
        before = {self._side_of[word] for word in old if word in self._side_of}
        if len(set(asked)) != 1 or before != {not self._side_of[asked[0]]}:
            return None
        return " ".join([asked[0] if word in self._side_of else word for word in old] + rest)

    def _explain_alone(self, message: str) -> Explanation:
        read = read_message(message[:MAX_QUESTION_CHARS], self._starts_sentence)
        if "message-parts" in self._without:
            read = Message(read.text, (Part(PartKind.QUESTION, read.text),))
        if len(read.parts) > 1 and Reason.EXACT.value not in self._without:
            # A curated phrasing may carry chat manners itself ("ok but what's in it for China").
            whole = self._analyzer.text(read.text)
            if whole in self._exact:
                decision = Decision(read.text, whole, (), {}, (), Reason.EXACT, self._exact[whole], 100.0, ())
                return Explanation(_answer(message, decision), read, decision, None, read.text)
        aside = self._about_the_asker(read)
        sentences = _meaningful(read)
        if read.small_talk or aside.issuperset(sentences):
            # "I'm reading this essay for class. thanks bot": nothing but statements about the asker (beside
            # sentences without one meaningful word, "about this for a while.", which are left out anyway).
            talk = Answer(
                message, None, 0.0, reason=Reason.SMALL_TALK.value, reply=small_talk_reply(read, self.knowledge)
            )
            return Explanation(talk, read, None, None)
        number = requested_paragraph(read.question, self.knowledge)
        if number is not None:
            return Explanation(self._paragraph(message, number), read, None, None)
        # "My dad and I argued about this at dinner" says why the question is asked, not what: set aside,
        # it cannot pull the question towards an entry that happens to share its words.
        sentences = tuple(sentence for sentence in sentences if sentence not in aside) or sentences
        decision = self._decide(sentences)
        sentence = _asking_sentence(sentences)
        if sentence is None or {Reason.ASKING_SENTENCE.value, Reason.ASKED_ELSEWHERE.value} <= self._without:
            return Explanation(_answer(message, decision), read, decision, None, decision.text)
        focus = self._decide((sentence,), decision.candidates[0].id if decision.candidates else None)
        settled = self._settle(sentences, decision, focus)
        return Explanation(_answer(message, settled), read, decision, focus, settled.text)

    def _about_the_asker(self, read: Message) -> frozenset[str]:
        """The message's statements about the asker that name no topic of the knowledge base ("I'm stuck
        on the Central Asia part" names one, and asks about it): none of their words is a term of a title
        or keywords, or, read alone, they come close to no entry."""
        if "about-the-asker" in self._without:
            return frozenset()
        return frozenset(
            sentence
            for sentence in read.questions
            if about_the_asker(sentence)
            and (
                not set(Analyzer.terms(self._analyzer.text(sentence))) & self._topics
                or not self._names_a_topic(sentence)
            )
        )

    def _names_a_topic(self, sentence: str) -> bool:
        """Whether a sentence, read alone, comes close to an entry: "so I finally read the whole article last
        night" has words of keywords ("final", "last") but names no point of the essay. Ranking is enough."""
        query = self._query(sentence, (sentence,))
        ranked = self._rank(query) if query.total else []
        return bool(ranked) and _came_close(ranked[0])

    def _starts_sentence(self, word: str) -> bool:
        """Whether a capitalised word run on after another sentence begins one (see read_message)."""
        return word.lower() not in self._capitalised and self._analyzer.starts_sentence(word)

    def _paragraph(self, message: str, number: int) -> Answer:
        """A paragraph asked for by number, with the entries that cite it to read next."""
        essay = self.knowledge.essay
        text = essay.paragraph(number)
        if text is None:
            note = f"The essay has paragraphs ¶1 to ¶{len(essay.paragraphs)}."
            return Answer(message, None, 0.0, reason=Reason.NO_SUCH_PARAGRAPH.value, note=note)
        citing = sorted(
            (entry for entry in self.knowledge.entries if any(c.paragraph == number for c in entry.citations)),
            key=lambda entry: entry.primary.paragraph != number,
        )
        suggestions = tuple(Suggestion(entry.id, entry.title, 100.0) for entry in citing[:MAX_SUGGESTIONS])
        return Answer(message, None, 100.0, suggestions, Reason.PARAGRAPH.value, paragraph=Citation(number, text))

    def _settle(self, sentences: tuple[str, ...], whole: Decision, focus: Decision) -> Decision:
        """The decision for a message of several sentences, from the whole message's and its asking sentence's."""
        # The asking sentence answers when it passed every rule alone (with less evidence only when the
        # whole message points at the same entry) and the whole message was declined, or when context
        # pulled the message towards another entry than the one the sentence clearly names.
        rescues = focus.entry is not None and (
            whole.entry is None or (focus.entry != whole.entry and focus.score > whole.score + SENTENCE_LEAD)
        )
        if (
            rescues
            and Reason.ASKING_SENTENCE.value not in self._without
            and not self._whole_closer_to_declined(sentences, whole, focus)
        ):
            return replace(focus, reason=Reason.ASKING_SENTENCE)
        if whole.entry is None or Reason.ASKED_ELSEWHERE.value in self._without:
            return whole
        # Context never carries a question that its asking sentence, alone, is declined for, nor a question of
        # its own about something else; a sentence leaning on the rest ("is he right?") is not one of its own.
        if focus.reason in VETOES:
            return replace(whole, entry=None, reason=focus.reason)
        if not leans_on_context(focus.text) and (
            self._unrelated(focus, whole.entry) or self._asks_apart(focus, whole.entry)
        ):
            return replace(whole, entry=None, reason=Reason.ASKED_ELSEWHERE)
        return whole

    def _decide_afresh(
        self,
        sentences: tuple[str, ...],
        anchor: str | None = None,
        excluded: frozenset[int] = frozenset(),
        resolved: bool = False,
    ) -> Decision:
        """Rank the entries for ``sentences`` and apply every rule; the first rule that settles it names the reason.

        ``anchor`` is set when the sentence is the asking one of a longer message: the id of the entry
        the whole message pointed at, which the sentence may then be answered with on less evidence.
        ``excluded``: positions of entries that may not answer (see _one_sided).
        ``resolved``: the sentences are a follow-up's new part and the question before it, read together.
        """
        text = " ".join(sentences)
        query = self._query(text, sentences)
        terms, weights = query.terms, query.weights
        exact = self._exact.get(query.text) if Reason.EXACT.value not in self._without else None
        if exact is not None:
            return Decision(text, query.text, terms, weights, (), Reason.EXACT, exact, 100.0, ())
        if "both-sides" not in self._without:
            excluded |= self._about_one_side(query)
        # "name one?", "examples?": a request for precision with nothing else names no topic, though
        # "name" alone is a word of the author entry.
        only_specifics = "only-specifics" not in self._without and STOPWORDS.issuperset(_words(without_specifics(text)))
        ranked = self._rank(query, excluded) if query.total and not only_specifics else []
        if not ranked:
            reason = Reason.NO_CANDIDATE if query.total and not only_specifics else Reason.NOTHING_TO_MATCH
            return Decision(text, query.text, terms, weights, (), reason, None, 0.0, ())
        best = ranked[0]
        focused = anchor == best.id and best.coverage >= FOCUS_COVERAGE
        margin = best.score - (ranked[1].score if len(ranked) > 1 else 0.0)
        signals = _signals(query, best, margin, self._phrasing_count[best.position], focused=focused, resolved=resolved)
        words = frozenset(term for term, weight in weights.items() if weight)
        sample = Sample(signals, words, words - self._terms[best.position])
        reason = self._verdict(query, best, margin, focused, sample)
        entry = self.knowledge.entries[best.position] if reason in ANSWERING else None
        suggestions = self._suggestions(ranked, entry)
        score = round(best.score, 1)
        return Decision(text, query.text, terms, weights, tuple(ranked), reason, entry, score, suggestions, sample)

    def _verdict(self, query: _Query, best: Candidate, margin: float, focused: bool, sample: Sample) -> Reason:
        """The first declining guard that applies, else whether the evidence suffices, then the near-miss check.

        ``focused``: the question is the asking sentence of a longer message that points at the same entry,
        which lets it answer on less evidence. Whether the evidence suffices is the calibration's call
        on ``sample`` when the knowledge base has one, the focus one of its signals.
        """
        calibration = self._calibration
        if calibration is not None:
            sufficient: tuple[tuple[Reason, bool], ...] = ((Reason.CALIBRATED, calibration.answers(sample)),)
        else:
            sufficient = (*_sufficient(best, margin), (Reason.ASKING_SENTENCE, focused))
        reason = self._guard(query, best) or self._first(sufficient)
        if reason is None:
            return Reason.TOO_LITTLE_EVIDENCE
        if reason in ANSWERING and self._closer_to_declined(query, best):
            return Reason.CLOSER_TO_NOT_ANSWERED
        return reason

    @property
    def _calibration(self) -> Calibration | None:
        """The calibration that decides, unless this matcher was built without it (the hand-set rules decide)."""
        return self.knowledge.calibration if Reason.CALIBRATED.value not in self._without else None

    def _first(self, rules: Iterable[tuple[Reason, bool]]) -> Reason | None:
        """The first rule that applies and that this matcher was not built without."""
        return next((reason for reason, applies in rules if applies and reason.value not in self._without), None)

    def complete(self, typed: str, limit: int = 25) -> list[Entry]:
        """Entries whose title or phrasings resemble what is being typed, best first: for autocomplete."""
        entries = self.knowledge.entries
        text = self._analyzer.text(typed[:MAX_QUESTION_CHARS])
        if not text:
            return list(entries[:limit])
        matches = process.extract(text, self._all_phrasing_texts, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=50)
        chosen: dict[int, None] = {}
        for _, _, index in matches:
            chosen.setdefault(self._phrasings[index].entry)
            if len(chosen) == limit:
                break
        return [entries[position] for position in chosen]

    def _guard(self, query: _Query, best: Candidate) -> Reason | None:
        """The rule that declines the question whatever the scores, if one applies."""
        short = len(query.weights) <= NAMED_QUESTION_TERMS
        close = best.verbatim >= VERBATIM
        calibrated = self._calibration is not None
        fact = self._fact_asked(query, best)
        guards = (
            # "How many times has Xi met Biden" is about Biden, whatever else it shares with an entry.
            (Reason.NAMES_SOMETHING_ELSE, query.names_other and short and not close),
            # "Does Putin really do judo": what it asks is in words the essay never uses. A calibration
            # weighs that share itself ("foreign"), and declines such questions without the guard.
            # "Bitcoin price?": besides words the essay never uses, only a word of the kind of fact asked,
            # which names nothing ("price", "year"). A calibration would count "price" as evidence.
            (
                Reason.MOSTLY_UNUSED_WORDS,
                ((not calibrated and query.foreign >= FOREIGN_SHARE) or self._only_kind_words(query)) and not close,
            ),
            # "Who is the author's PhD supervisor" asks after the one word the essay never uses.
            (Reason.FACT_ON_UNUSED_WORD, fact and query.unused and short and not close),
            (
                Reason.FACT_NOT_ASKED,
                fact
                and not close
                and not self._asked_before(query, best.position)
                and not self._states(query, best.position),
            ),
            (Reason.VIEW_OF_ANOTHER, self._view_of_another(query.text) and not close),
            (Reason.ONLY_SUPPOSED, self._only_supposed(query, best.position) and not close),
            # One meaningful word is only enough when it names the entry, or when a
            # curated phrasing asks with that word alone ("do they believe the same things").
            (
                Reason.SINGLE_WORD,
                len({term.text for term in query.terms if term.kind is not Kind.UNKNOWN}) == 1
                and not self._labels[best.position] & query.weights.keys()
                and not close
                and best.overlap < SOLE_TERM_OVERLAP,
            ),
        )
        return self._first(guards)

    def _only_supposed(self, query: _Query, position: int) -> bool:
        """Whether the question asks if something happened that the entry only supposes, and nothing it says
        outright: "has the West actually offered China better trade terms?" of "if the West offered China more
        favourable trade agreements…". The essay says what would follow, not whether it happened; "did they
        make plans for the alliance failing" asks after the plans, which are said to be in place."""
        if not query.happened or Reason.ONLY_SUPPOSED.value in self._without:
            return False
        supposed, said = self._supposed[position]
        return bool(supposed & query.happened) and not said & query.happened

    def _happened_terms(self, sentence: str) -> list[str]:
        """The terms of a sentence asking whether something happened ("has the West offered…"); none for
        another sentence, or one supposing something itself ("have they a plan for if the alliance fails")."""
        if not _HAPPENED.match(normalise(sentence)):
            return []
        analysed = self._analyzer.text(sentence)
        return [] if _SUPPOSED.search(analysed) else Analyzer.terms(analysed)

    def _view_of_another(self, text: str) -> bool:
        """Whether the question asks what someone thinks, says or how they react, someone the entries' titles
        and answers never name (they name the two sides, the West, the author): the essay gives no one else's
        view ("how does Kazakhstan feel about the rivalry", although a keyword names Kazakhstan)."""
        asked = _VIEW_ASKED.search(text)
        if asked is None or Reason.VIEW_OF_ANOTHER.value in self._without:
            return False
        holder = [word for word in asked.group("holder").split() if word not in STOPWORDS and word not in _HOLDER_KIND]
        return bool(holder) and not any(stem(word) in self._view_holders for word in holder)

    @staticmethod
    def _only_kind_words(query: _Query) -> bool:
        """Whether the question's only words the essay uses are words of a kind of fact ("price", "year"),
        beside words it never uses."""
        foreign = any(term.kind in (Kind.ENGLISH, Kind.NAME, Kind.UNKNOWN) for term in query.terms)
        known = {term.text for term in query.terms if term.kind in (Kind.KNOWN, Kind.CORRECTED)}
        return foreign and bool(known) and known <= FACT_KIND_TERMS

    def _fact_asked(self, query: _Query, best: Candidate) -> bool:
        """Whether the question asks for a kind of fact that the best entry must have been curated to answer."""
        if query.factual not in CONDITIONAL_FACTS:
            return bool(query.factual)
        named = query.weights.keys() - FACT_KIND_TERMS
        return any(terms & named for terms in self._left_open_facts[best.position].get(query.factual, ()))

    def _unrelated(self, focus: Decision, entry: Entry) -> bool:
        """Whether the asking sentence has meaningful words and the entry explains none of them."""
        terms = self._terms[self._position[entry.id]]
        asked = _asked_terms(focus)
        return bool(asked) and not any(term in terms for term in asked)

    def _asks_apart(self, focus: Decision, entry: Entry) -> bool:
        """Whether the asking sentence is a whole question of its own, declined alone, whose best entry is not
        ``entry``: "I finally read the whole article last night. what time is it" is not about the conclusion."""
        return (
            focus.entry is None
            and "own-question" not in self._without
            and _INTERROGATIVE.match(focus.analysed) is not None
            and bool(_asked_terms(focus))
            and (not focus.candidates or focus.candidates[0].id != entry.id)
        )

    def _whole_closer_to_declined(self, sentences: tuple[str, ...], whole: Decision, focus: Decision) -> bool:
        """Whether a whole message is closer to a question the essay leaves open than its asking sentence
        is to the entry answering it: the rest of the message makes it a near miss."""
        query = self._query(whole.text, sentences)
        return bool(focus.candidates) and self._closer_to_declined(query, focus.candidates[0])

    def _closer_to_declined(self, query: _Query, best: Candidate, own: bool = False) -> bool:
        """Whether the question is closer to one the essay leaves unanswered than to the best entry's phrasings.

        "What caused the Sino-Soviet split" shares every word with the entry
        on the split; only a curated "not answered" phrasing tells it apart.
        Only phrasings sharing a term with the question are compared; with ``own``, only the best entry's.
        """
        if Reason.CLOSER_TO_NOT_ANSWERED.value in self._without:
            return False
        overlaps = self._declined.overlaps(query)
        touched = np.flatnonzero(overlaps)
        if own:
            touched = touched[self._declined_entry[touched] == best.position]
        touched = self._leaving_open(query, best, touched)
        if not touched.size:
            return False
        texts = self._declined_texts[touched]
        verbatim = process.cdist([query.text], texts, scorer=fuzz.ratio, dtype=np.float64)[0] / 100
        target = _similarity(best.overlap, best.verbatim) + DECLINED_MARGIN
        return bool(_similarities(overlaps[touched], verbatim).max() >= target)

    def _states(self, query: _Query, position: int) -> bool:
        """Whether a cited passage of the entry states the year or count asked, of what the question names.

        "What year did Russia annex Crimea" is answered by "annexation of Crimea in 2014";
        "how many times has Putin visited China" is not answered by "Xi Jinping's 11th visit to Russia".
        """
        asked = query.weights.keys()
        sides = self._sides_asked(query)
        # "The 1960s" answers "when was the split", not "what year" or "when exactly".
        kinds = {query.factual} | ({_ROUGHLY} if query.factual == "when" and not _PRECISE.search(query.text) else set())
        return any(fact.kind in kinds and fact.about & asked and sides <= fact.sides for fact in self._stated[position])

    def _leaving_open(self, query: _Query, best: Candidate, lines: np.ndarray) -> np.ndarray:
        """Of the "not answered" lines at ``lines``, those that can withdraw the best entry's answer at all.

        "How many times has Putin visited China" leaves open nothing about Xi's visits to Russia:
        a line naming only other sides cannot. Nor can a line asking more than the question
        ("… visited the US compared to Russia") when a cited passage states the fact asked.
        """
        asked = self._sides_asked(query)
        if asked and lines.size:
            same_side = np.logical_or.reduce([self._declined_naming[side][lines] for side in asked])
            lines = lines[same_side | ~self._declined_named[lines]]
        if lines.size and self._states(query, best.position):
            phrasings = self._declined.phrasings
            lines = np.array(
                [line for line in lines.tolist() if not phrasings[line].terms - query.weights.keys()], dtype=np.intp
            )
        return lines

    def _sides_asked(self, query: _Query) -> frozenset[str]:
        """The sides a question names ("china", "putin"…)."""
        return self._side_words & query.weights.keys()

    def _asked_before(self, query: _Query, position: int) -> bool:
        """Whether a curated phrasing of the entry asks for the same kind of fact about something the question names.

        "Where does the author study?" lets the author entry answer "where is the author based",
        not "where was Muhammad Saleem born". "What university is the author at?" asks "which university".
        """
        asked = list(self._factual_terms[position].get(query.factual or "", ()))
        if query.factual == "which" and (thing := which_thing(query.text)) is not None:
            asked += self._factual_terms[position].get(f"which {thing}", ())
        # "How many of those were in Beijing" shares "many" with every "how many" phrasing, and asks of Beijing.
        named = query.weights.keys() - FACT_KIND_TERMS
        return any(terms & named for terms in asked)

    def _known_weight(self, term: str) -> float:
        weight = self._idf.get(term, self._unseen_idf)
        return weight * GENERIC_FACTOR if term in GENERIC else weight

    def _weight(self, term: Term) -> float:
        if term.kind is Kind.STOPWORD:
            return 0.0
        if term.text in GENERIC:
            return self._known_weight(term.text)
        if term.kind in (Kind.ENGLISH, Kind.NAME):
            return self._unseen_idf
        if term.kind is Kind.UNKNOWN:
            return self._unseen_idf * UNKNOWN_FACTOR
        weight = self._known_weight(term.text)
        return weight * CORRECTED_FACTOR if term.kind is Kind.CORRECTED else weight

    def _query_afresh(self, question: str, sentences: tuple[str, ...]) -> _Query:
        """``question`` analysed and weighed; it asks for a fact when one of its ``sentences`` opens by asking one."""
        text = self._analyzer.text(question)
        terms = self._analyzer.question_terms(text, MAX_TERMS, written_names(question))
        # In a long message most words the essay never uses are context, not a
        # change of topic, so each weighs less the more of them there are.
        dilution = min(1.0, SHORT_QUESTION_TERMS / len(terms)) if terms else 1.0
        weights: dict[str, float] = {}
        for term in terms:
            weight = self._weight(term)
            if term.kind in (Kind.ENGLISH, Kind.NAME, Kind.UNKNOWN):
                weight *= dilution
            weights[term.text] = max(weight, weights.get(term.text, 0.0))
        # "A real alliance like NATO": a name given as a comparison is not what the question is about.
        compared = frozenset(match.group(1) for match in _COMPARED.finditer(text))
        named = any(term.kind is Kind.NAME and term.text not in compared for term in terms)
        unused = any(
            term.kind is Kind.ENGLISH and term.text.isalpha() and term.text not in _NAME_NOTHING for term in terms
        )
        openings = (
            (self._analyzer.text(_opening(sentence)) for sentence in sentences) if len(sentences) > 1 else (text,)
        )
        factual = next(filter(None, map(factual_kind, openings)), None)
        # "And the Ukraine invasion, what year was that?": a topic put first, then the year or count asked of it.
        fronted = (
            factual_kind(self._analyzer.text(_opening(sentence.rsplit(",", 1)[1])))
            for sentence in sentences
            if "," in sentence
        )
        factual = factual or next((kind for kind in fronted if kind in INHERITED_FACTS), None)
        happened = frozenset(term for sentence in sentences for term in self._happened_terms(sentence))
        total = sum(weights.values())
        foreign = sum(weights[term.text] for term in terms if term.kind in (Kind.ENGLISH, Kind.NAME, Kind.UNKNOWN))
        share = foreign / total if total else 0.0
        return _Query(text, tuple(terms), MappingProxyType(weights), total, factual, named, unused, share, happened)

    def _rank(self, query: _Query, excluded: frozenset[int] = frozenset()) -> list[Candidate]:
        """Score the candidate entries; the best few are also compared on fuzzy similarity."""
        overlaps = self._best_overlaps(query)
        positions = [position for position in self._candidates(query) if position not in excluded]
        candidates = [self._features(query, position, overlaps) for position in positions]
        candidates.sort(key=lambda item: (-item.score, item.position))
        finalists = [self._with_verbatim(query, item) for item in candidates[:FINALISTS]]
        return sorted(finalists, key=lambda item: (-item.score, item.position))

    def _candidates(self, query: _Query) -> list[int]:
        """Entries sharing a term with the question, found through its rarer terms when it has any."""
        limit = max(COMMON_POSTINGS, len(self.knowledge.entries) // 20)
        postings = [(weight, self._postings.get(term, ())) for term, weight in query.weights.items()]
        rare = [(weight, positions) for weight, positions in postings if len(positions) <= limit]
        hits: dict[int, float] = defaultdict(float)
        for weight, positions in rare or postings:
            for position in positions:
                hits[position] += weight
        # Only entries sharing at least as much as the last one kept can be kept.
        ranked = sorted(hits, key=hits.__getitem__, reverse=True)
        if len(ranked) > CANDIDATES:
            cutoff = hits[ranked[CANDIDATES - 1]]
            ranked = [position for position in ranked if hits[position] >= cutoff]
        # Among entries sharing as much, those whose title or keywords hold the terms come first:
        # "who is the author of this thing" shares "author" with many entries, and names one.
        labelled = {position: len(self._labels[position] & query.weights.keys()) for position in ranked}
        return sorted(ranked, key=lambda position: (-hits[position], -labelled[position], position))[:CANDIDATES]

    def _features(self, query: _Query, position: int, overlaps: list[float]) -> Candidate:
        terms, labels = self._terms[position], self._labels[position]
        evidence = label_weight = 0.0
        strong = shared = 0
        for term, weight in query.weights.items():
            if term in terms and weight:
                evidence += weight
                shared += 1
                strong += self._idf.get(term, 0.0) >= STRONG_IDF
            if term in labels:
                label_weight += weight
        overlap = overlaps[position]
        coverage, labels_share = evidence / query.total, label_weight / query.total
        score = _blend(overlap, coverage, labels_share)
        entry_id = self.knowledge.entries[position].id
        return Candidate(entry_id, score, coverage, evidence, labels_share, overlap, strong, shared, 0.0, position)

    def _best_overlaps(self, query: _Query) -> list[float]:
        """Per entry, the best weighted Dice overlap between the question's terms and one of its phrasings."""
        if not self._phrasings:
            return []
        best: list[float] = np.maximum.reduceat(self._phrasing_index.overlaps(query), self._first_phrasing).tolist()
        return best

    def _with_verbatim(self, query: _Query, item: Candidate) -> Candidate:
        closest = process.extractOne(query.text, self._phrasing_texts[item.position], scorer=fuzz.ratio)
        verbatim = closest[1] / 100 if closest else 0.0
        score = _blend(_similarity(item.overlap, verbatim), item.coverage, item.labels)
        # Built anew, not with dataclasses.replace: this runs for every finalist of every question.
        return Candidate(
            item.id,
            score,
            item.coverage,
            item.evidence,
            item.labels,
            item.overlap,
            item.strong,
            item.shared,
            verbatim,
            item.position,
        )

    def _suggestions(self, ranked: list[Candidate], chosen: Entry | None) -> tuple[Suggestion, ...]:
        """Entries that came close, best first: the others worth offering besides (or instead of) an answer."""
        top = ranked[0].score
        suggestions = []
        for scored in ranked:
            entry = self.knowledge.entries[scored.position]
            if entry is chosen or not _came_close(scored) or (chosen is not None and top - scored.score > CLOSE_MARGIN):
                continue
            suggestions.append(Suggestion(entry.id, entry.title, round(scored.score, 1)))
            if len(suggestions) == MAX_SUGGESTIONS:
                break
        return tuple(suggestions)
