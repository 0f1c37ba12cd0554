"""Find the entry that answers a question, or decline honestly.

Every signal works on analysed terms (see analysis.py), weighted by rarity (IDF):
- evidence and coverage: the weight of the question's terms an entry explains,
  absolute and as a share of the question. Real English words the knowledge
  base never uses weigh as much as its rarest terms, so "When was the Great
  Wall of China built?" is mostly unexplained and declined.
- phrasing: the best weighted overlap with one of the entry's curated
  questions, blended with order-aware fuzzy similarity to it.
- labels: how much of the question the entry's title and keywords explain.

Ranking blends them; accepting an answer (``_confident``) asks for more than a
high rank, because a wrong answer with a citation is worse than none.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.analysis import GENERIC, Analyzer, Kind, Term, factual_kind, written_names
from bot.core.answer import Answer, Suggestion
from bot.core.model import Entry, KnowledgeBase

MAX_QUESTION_CHARS = 500
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
CLOSE_MARGIN = 6.0

CORRECTED_FACTOR = 0.85
UNKNOWN_FACTOR = 0.35
GENERIC_FACTOR = 0.25
FINALISTS = 5
CANDIDATES = 12
COMMON_POSTINGS = 50  # a term in more entries than this (or 5% of them) does not make an entry a candidate
FOCUS_COVERAGE = 0.4
SHORT_QUESTION_TERMS = 6
NAMED_QUESTION_TERMS = 10  # in a longer message, a name or a word the essay never uses is more likely context

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@dataclass(frozen=True, slots=True)
class _Phrasing:
    entry: int
    text: str
    terms: frozenset[str]
    weight: float  # the IDF weight of its own terms


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    weights: dict[str, float]
    total: float
    factual: str | None  # "when", "how many"… (see analysis.factual_kind)
    names_other: bool  # it names someone or something the knowledge base never mentions
    unused: bool  # it has a real word the knowledge base never uses


@dataclass(frozen=True, slots=True)
class _Scored:
    """How well one entry fits a question."""

    score: float  # 0–100, what ranking uses
    coverage: float  # share of the question's weight that the entry explains
    evidence: float  # that weight itself
    labels: float  # share explained by the title and keywords alone
    overlap: float  # best weighted term overlap with one curated phrasing, 0–1
    strong: int  # how many distinctive (not topic-wide) terms of the question the entry explains
    verbatim: float  # order-aware similarity to the closest curated phrasing, 0–1 (finalists only)
    position: int


def _blend(similarity: float, coverage: float, labels: float) -> float:
    return 100 * (0.55 * similarity + 0.25 * coverage + 0.2 * labels)


def _similarity(overlap: float, verbatim: float) -> float:
    """How close a question is to curated phrasings, 0–1, from shared terms and from word order."""
    # Plain ratio keeps word order, so "what does China get from Russia"
    # and "what does Russia get from China" stay apart.
    return 0.7 * max(overlap, verbatim) + 0.3 * verbatim


def _verbatim_needed(overlap: float, target: float) -> float:
    """The least whole-phrase similarity that, with ``overlap``, brings ``_similarity`` to ``target``."""
    if target < overlap:
        return (target - 0.7 * overlap) / 0.3
    return target


def _confident(best: _Scored, margin: float) -> bool:
    """Whether the best entry answers the question, rather than merely sharing words with it.

    A question nearly identical to a curated phrasing is answered. Otherwise a
    short question must be mostly explained by the entry; a long, rambling one
    may carry context the essay never mentions, so it is enough that several
    distinctive terms point at one entry clearly ahead of the rest.
    """
    if best.verbatim >= VERBATIM and best.coverage >= MIN_COVERAGE:
        return True
    if best.evidence < MIN_EVIDENCE:
        # One meaningful word is little evidence, but with the rest of the
        # question shaped like a curated phrasing ("ok but what's in it for China") it is enough.
        return best.verbatim >= BRIEF_VERBATIM and best.coverage >= MIN_COVERAGE and margin >= CLEAR_MARGIN
    if best.coverage >= MIN_COVERAGE and best.score >= ANSWER_THRESHOLD:
        return True
    if best.strong >= 2 and best.coverage >= SOME_COVERAGE and margin >= CLEAR_MARGIN:
        return True
    return best.strong >= 3 and best.coverage >= RAMBLING_COVERAGE and margin >= CLEAR_MARGIN / 2


def _question_sentence(question: str) -> str | None:
    """In a message of several sentences, the one that asks: the last with a "?", else the last."""
    sentences = [sentence for sentence in _SENTENCE_END.split(question.strip()) if sentence.strip()]
    if len(sentences) < 2:
        return None
    asking = [sentence for sentence in sentences if "?" in sentence]
    return (asking or sentences)[-1]


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

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self._analyzer = Analyzer(knowledge.synonyms)
        analysed = [_analyse(self._analyzer, entry) for entry in knowledge.entries]
        self._analyzer.learn(text for item in analysed for text in item.texts)

        frequency: dict[str, int] = defaultdict(int)
        for item in analysed:
            for term in item.terms:
                frequency[term] += 1
        count = max(len(analysed), 1)
        self._idf = {term: math.log(1 + count / df) for term, df in frequency.items()}
        self._unseen_idf = math.log(1 + count / 0.5)

        self._terms = [item.terms for item in analysed]
        self._labels = [item.labels for item in analysed]
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
        self._phrasing_texts = [[phrasing.text for phrasing in phrasings] for phrasings in self._by_entry]
        self._all_phrasing_texts = [phrasing.text for phrasing in self._phrasings]
        self._phrasing_index = _OverlapIndex(self._phrasings)
        # Phrasings come entry by entry, and every entry has at least its title.
        self._first_phrasing = np.cumsum([0] + [len(phrasings) for phrasings in self._by_entry[:-1]], dtype=np.intp)
        self._declined = _OverlapIndex(
            [
                self._phrasing(position, self._analyzer.text(question))
                for position, entry in enumerate(knowledge.entries)
                for question in entry.not_answered
            ]
        )
        # The first entry to use a phrasing wins; the validator forbids sharing them anyway.
        self._exact = {phrasing.text: knowledge.entries[phrasing.entry] for phrasing in reversed(self._phrasings)}

    def _phrasing(self, position: int, text: str) -> _Phrasing:
        """A curated question of the entry at ``position``, given as ``Analyzer.text()`` output."""
        terms = frozenset(Analyzer.terms(text))
        return _Phrasing(position, text, terms, sum(self._known_weight(term) for term in terms))

    def ask(self, question: str) -> Answer:
        """The best-supported answer to ``question``, or a decline with suggestions."""
        query = self._query(question[:MAX_QUESTION_CHARS])
        if query.text in self._exact:
            return Answer(question, self._exact[query.text], 100.0)
        if not query.total:
            return Answer(question, None, 0.0)
        ranked = self._rank(query)
        if not ranked:
            return Answer(question, None, 0.0)
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        confident = self._answers(query, best, runner_up) or self._focus_agrees(question, best)
        confident = confident and not self._closer_to_declined(query, best)
        entry = self.knowledge.entries[best.position] if confident else None
        return Answer(question, entry, round(best.score, 1), self._suggestions(ranked, entry))

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

    def _focus_agrees(self, question: str, best: _Scored) -> bool:
        """A rambling message is answered when its asking sentence, alone, points at the same entry."""
        sentence = _question_sentence(question[:MAX_QUESTION_CHARS])
        if sentence is None:
            return False
        focus = self._query(sentence)
        ranked = self._rank(focus) if focus.total else []
        return bool(ranked) and ranked[0].position == best.position and ranked[0].coverage >= FOCUS_COVERAGE

    def _answers(self, query: _Query, best: _Scored, runner_up: float) -> bool:
        short = len(query.weights) <= NAMED_QUESTION_TERMS
        if query.names_other and short and best.verbatim < VERBATIM:
            # "How many times has Xi met Biden" is about Biden, whatever else it shares with an entry.
            return False
        if (
            query.factual
            and best.verbatim < VERBATIM
            and (
                # "Who is the author's PhD supervisor" asks after the one word the essay never uses.
                (query.unused and short) or not self._asked_before(query, best.position)
            )
        ):
            return False
        if (
            len(query.weights) == 1
            and not self._labels[best.position] & query.weights.keys()
            and best.verbatim < VERBATIM
            and best.overlap < SOLE_TERM_OVERLAP
        ):
            # One meaningful word is only enough when it names the entry, or when a
            # curated phrasing asks with that word alone ("do they believe the same things").
            return False
        return _confident(best, best.score - runner_up)

    def _closer_to_declined(self, query: _Query, best: _Scored) -> bool:
        """Whether the question is closer to one the essay leaves unanswered than to the best entry's phrasings.

        "What caused the Sino-Soviet split" shares every word with the entry
        on the split; only a curated "not answered" phrasing tells it apart.
        Only phrasings sharing a term with the question are compared.
        """
        overlaps = self._declined.overlaps(query)
        touched = np.flatnonzero(overlaps)
        if not touched.size:
            return False
        overlap = float(overlaps[touched].max())
        needed = _verbatim_needed(overlap, _similarity(best.overlap, best.verbatim) + DECLINED_MARGIN)
        if needed <= 0:
            return True  # the shared terms alone are enough
        if needed > 1:
            return False  # not even the same wording would be
        texts = [self._declined.phrasings[index].text for index in touched]
        # The cutoff lets rapidfuzz skip texts that cannot reach it, most of them.
        return process.extractOne(query.text, texts, scorer=fuzz.ratio, score_cutoff=100 * needed) is not None

    def _asked_before(self, query: _Query, position: int) -> bool:
        """Whether a curated phrasing of the entry asks for the same kind of fact about something the question names.

        "Where does the author study?" lets the author entry answer "where is the author based",
        not "where was Muhammad Saleem born".
        """
        asked = self._factual_terms[position].get(query.factual or "", ())
        return any(terms & query.weights.keys() for terms in asked)

    def _known_weight(self, term: str) -> float:
        weight = self._idf.get(term, self._unseen_idf)
        return weight * GENERIC_FACTOR if term in GENERIC else weight

    def _weight(self, term: Term) -> float:
        if term.kind is Kind.STOPWORD:
            return 0.0
        if term.kind in (Kind.ENGLISH, Kind.NAME):
            return self._unseen_idf
        if term.kind is Kind.UNKNOWN:
            return self._unseen_idf * UNKNOWN_FACTOR
        weight = self._known_weight(term.text)
        return weight * CORRECTED_FACTOR if term.kind is Kind.CORRECTED else weight

    def _query(self, question: str) -> _Query:
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
        named = any(term.kind is Kind.NAME for term in terms)
        unused = any(term.kind is Kind.ENGLISH and term.text.isalpha() for term in terms)
        return _Query(text, weights, sum(weights.values()), factual_kind(text), named, unused)

    def _rank(self, query: _Query) -> list[_Scored]:
        """Score the candidate entries; the best few are also compared on fuzzy similarity."""
        overlaps = self._best_overlaps(query)
        candidates = [self._features(query, position, overlaps) for position in self._candidates(query)]
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
        return sorted(hits, key=lambda position: (-hits[position], position))[:CANDIDATES]

    def _features(self, query: _Query, position: int, overlaps: list[float]) -> _Scored:
        terms, labels = self._terms[position], self._labels[position]
        evidence = label_weight = 0.0
        strong = 0
        for term, weight in query.weights.items():
            if term in terms:
                evidence += weight
                strong += self._idf.get(term, 0.0) >= STRONG_IDF
            if term in labels:
                label_weight += weight
        overlap = overlaps[position]
        score = _blend(overlap, evidence / query.total, label_weight / query.total)
        return _Scored(
            score, evidence / query.total, evidence, label_weight / query.total, overlap, strong, 0.0, position
        )

    def _best_overlaps(self, query: _Query) -> list[float]:
        """Per entry, the best weighted Dice overlap between the question's terms and one of its phrasings."""
        if not self._phrasings:
            return []
        return np.maximum.reduceat(self._phrasing_index.overlaps(query), self._first_phrasing).tolist()

    def _with_verbatim(self, query: _Query, item: _Scored) -> _Scored:
        closest = process.extractOne(query.text, self._phrasing_texts[item.position], scorer=fuzz.ratio)
        verbatim = closest[1] / 100 if closest else 0.0
        similarity = _similarity(item.overlap, verbatim)
        return replace(item, score=_blend(similarity, item.coverage, item.labels), verbatim=verbatim)

    def _suggestions(self, ranked: list[_Scored], chosen: Entry | None) -> tuple[Suggestion, ...]:
        top = ranked[0].score
        suggestions = []
        for scored in ranked:
            entry = self.knowledge.entries[scored.position]
            if (
                entry is chosen
                or scored.score < SUGGEST_THRESHOLD
                or (chosen is not None and top - scored.score > CLOSE_MARGIN)
            ):
                continue
            suggestions.append(Suggestion(entry.id, entry.title, round(scored.score, 1)))
            if len(suggestions) == MAX_SUGGESTIONS:
                break
        return tuple(suggestions)
