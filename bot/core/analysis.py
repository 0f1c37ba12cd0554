"""From text to the terms the matcher compares: normalised, synonyms applied, lightly stemmed, roles marked."""

from __future__ import annotations

import enum
import gzip
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.text import normalise

# Words that say little about which point of the essay is meant: function
# words, greetings and chat filler ("wise" of "values-wise" too). They still count in whole-phrase
# similarity, but carry no weight as evidence.
STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be been before being between both but by can could
    did do does doing done down during each even ever every few for from further give go goes going had has have
    having he her here hers him his how i if in into is it its itself just like me might more most much must my no
    nor not now of off on once one only or other our out over own please pls plz quite rather really same say says
    said she should so some such tell than that the their them then there these they thing things this those through
    to too under until up upon us very want was way we were what when where whether which while who whom whose why
    will with would yes yet you your yours ok okay hey hi yo sup thanks thank thx bot hmm uh um lol lmao wtf ngl fr tbh
    lowkey af bro bruh dude guys pal explain know mean means meaning meant talk talking think wat wut r u ur ya yeah
    yep nah gonna wanna kinda sorta gotta actually basically literally tho rn idk imo btw someone anyone stuff lot
    lots whats guy irl omg y n w wats cuz coz bc actual everyone everybody folks yall chat hola hallo bonjour salut
    ciao privet wise
    """.split()
)

# Words that make their neighbour the one who gains or wants: "what's in it for
# Putin", "how does it help Xi", "what does China get", "Russia's goals". Both
# sides of a comparison share every name, so only this role tells "what does
# Putin gain from Xi" from "what does Xi gain from Putin".
_ROLE_BEFORE = frozenset(
    """
    for help helps helped helping benefit benefits boost boosts serve serves give gives offer offers suit suits
    """.split()
)
_ROLE_AFTER = frozenset(
    """
    gain gains gained gaining get gets got getting benefit benefits want wants wanted seek seeks sought need needs
    win wins achieve achieves obtain obtains receive receives acquire acquires hope hopes hoping goals image
    reputation angle ambition ambitions aims endgame agenda objectives motives priorities
    """.split()
)
# "Xi and Putin get on", "get along", "get closer": getting that is not gaining.
_NOT_GAINING = frozenset({"on", "along", "together", "closer"})
_ARTICLES = frozenset({"the", "a", "an"})
_AND = frozenset({"and", "n", "&"})
# "What does Xi actually get": an adverb between the side and its verb leaves the role as it is.
_ROLE_ADVERBS = frozenset("actually really even truly personally exactly also ever still honestly mostly".split())
ROLE_MARK = "+"

# British spellings become American ones ("polarised" → "polarized") in
# questions and knowledge alike, so both meet in one term: both are real English
# words, which typo correction leaves alone. Only when the result is a word too,
# and the word is long enough not to be another word ("four" is not "for").
_BRITISH_ENDINGS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"is(e|ed|es|ing|ation|ations)$", r"iz\1"),
        (r"our(s|ed|ing|able|ably|ite|ites)?$", r"or\1"),
        (r"yse(d|s)?$", r"yze\1"),
        (r"tre(s)?$", r"ter\1"),
        (r"ence$", "ense"),
    )
)
_BRITISH_MIN_LENGTH = 6

_TYPO_MIN_LENGTH = 4
CLASSIFIED_WORDS = 16_384  # words whose classification an Analyzer remembers
_DIGITS = re.compile(r"\d")
_YEAR = re.compile(r"(?:1[0-9]|20)[0-9]{2}s?")  # 1000 to 2099, or a decade such as 1960s
# Questions after a specific fact (a date, an amount, a place, a person, a name)
# or after what the asker should do. The essay gives few of them, so one is only
# answered by an entry with a curated phrasing of the same kind ("which country
# is stronger" is answered, "which banks were cut off from SWIFT" is not). Only
# near the start: "when" later on is usually a conjunction ("… when they meet").
_FACTUAL_KINDS = {
    "when": ("when", "what year", "which year", "what decade", "which decade", "what date", "what day", "what month"),
    "how many": ("how many",),
    "how much": (
        "how much",
        "what price",
        "what amount",
        "what percentage",
        "how big",
        "how large",
        "how cheap",
        "how expensive",
        "how costly",
    ),
    "how old": ("how old",),
    "how long": ("how long",),
    "where": ("where",),
    "who": ("who",),
    "which": ("which",),
    "name": ("what is the name", "what are the names", "what was the name", "what were the names", "what is the title"),
    # What brought an event about: the essay names causes of some things and not of others (see CONDITIONAL_FACTS).
    "cause": (
        "what caused",
        "what actually caused",
        "what exactly caused",
        "what started",
        "what led to",
        "what triggered",
        "what sparked",
    ),
    # Server roles, settings, recipes: the essay answers none of it.
    "how do i": ("how do i", "how can i", "how should i", "where do i", "where can i", "can i", "should i", "how to"),
}
_KIND_OF = {opening: kind for kind, openings in _FACTUAL_KINDS.items() for opening in openings}
_FACTUAL = re.compile(rf"^(?:\w+ ){{0,2}}?({'|'.join(sorted(_KIND_OF, key=len, reverse=True))})\b")


# "When did…" asks for a date; "when Xi and Putin meet, what…" is a clause.
_WHEN_ASKS = re.compile(
    r"when (?:exactly |roughly )?(?:did|does|do|was|were|is|are|will|would|has|have|had|could|can|should)\b"
    r"|when(?: exactly| roughly| then| tho| though)?$"
)


# "Where does the BRI fit in", "where does Central Asia come in", "where do they differ": which part it
# plays, or in what respect, not a place.
_WHERE_FITS = re.compile(
    r"where (?:do|does|did|would|will) (?:\w+ ){1,5}?(?:fit|fits|come in|comes in|differ|differs|disagree|disagrees|"
    r"diverge|diverges)\b"
)
# "What are the joint exercises called" asks what "what are the names of the joint exercises" asks.
_CALLED = re.compile(r"^(?:\w+ ){0,2}?what (?:is|are|was|were) (?:\w+ ){1,8}?called\b")
# "Which of the two is stronger", "which one leads": a choice between the sides, not a fact to look up.
_WHICH_OF_TWO = re.compile(r"which (?:one|side|of the two|of them|of the 2|of both)\b")
# "In which way is China helping Russia?", "in which respects": how, or in what respect, not a thing to name.
_WHICH_WAY = re.compile(r"(?<=\bin )which way\b|which (?:ways|manner|respects?|sense)\b")
# Capitalised inside a message, these begin a sentence ("…here I'm a student"); "I" alone is too common.
_I_FORMS = frozenset({"i'm", "i've", "i'd", "i'll"})


# "What university is he at" asks what "which university is he at" asks: after a kind of thing.
_WHAT_NOUN = re.compile(
    r"what (?!(?:is|are|was|were|do|does|did|can|could|would|will|should|has|have|had|if|about)\b)(\w+) "
    r"(?:is|are|was|were|do|does|did|has|have)\b"
)
_WHICH_NOUN = re.compile(r"(?:\w+ ){0,2}?which (\w+)")


def which_thing(text: str) -> str | None:
    """The kind of thing normalised ``text`` asks which one of ("which university…", "what university is…")."""
    match = _WHICH_NOUN.match(text) or _WHAT_NOUN.match(text)
    return match.group(1) if match else None


def factual_kind(text: str) -> str | None:
    """The kind of specific fact normalised ``text`` asks for ("when", "how much", "who"…), if any."""
    match = _FACTUAL.match(text)
    if match is None:
        return "name" if _CALLED.match(text) else None
    if match.group(1) == "when" and not _WHEN_ASKS.match(text, match.start(1)):
        return None
    if match.group(1) == "where" and _WHERE_FITS.match(text, match.start(1)):
        return None
    if match.group(1) == "which" and (
        _WHICH_OF_TWO.match(text, match.start(1)) or _WHICH_WAY.match(text, match.start(1))
    ):
        return None
    return _KIND_OF[match.group(1)]


_SENTENCE = re.compile(r"[^.?!:;\n]+")
_FIRST_WORD = re.compile(r"\w")
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’-]*")


def written_names(question: str) -> frozenset[str]:
    """Words of a raw question written with a capital inside a sentence ("BRICS", "Zelensky"), normalised.

    Empty when the message shouts: in capitals, every word looks like a name.
    """
    capitals = sum(map(str.isupper, question))
    if not capitals or capitals * 2 > sum(map(str.isalpha, question)):
        return frozenset()
    names: set[str] = set()
    for sentence in _SENTENCE.findall(question):
        first = _FIRST_WORD.search(sentence)
        for match in _CAPITALISED.finditer(sentence):
            if first is not None and match.start() > first.start():
                names.update(_normalised_words(match.group(0)))
    return frozenset(names)


@lru_cache(maxsize=4096)
def _normalised_words(word: str) -> tuple[str, ...]:
    """``normalise(word).split()``, remembered: the same few names come up again and again."""
    return tuple(normalise(word).split())


def role_terms(words: list[str]) -> list[str]:
    """The words of analysed text in the role of who gains or wants, stemmed and marked with ROLE_MARK."""
    roles = []
    before = None  # the previous word that is not an article
    words = [word for word in words if word not in _ROLE_ADVERBS]
    padded: list[str | None] = [*words, None, None]
    for index, word in enumerate(words):
        after, following = padded[index + 1], padded[index + 2]
        gains = after in _ROLE_AFTER and following not in _NOT_GAINING
        if word not in STOPWORDS and word not in _ARTICLES and (before in _ROLE_BEFORE or gains):
            roles.append(ROLE_MARK + stem(word))
            # "do China and Russia want": both sides want, not only the one next to the verb.
            if gains and index >= 2 and words[index - 1] in _AND and words[index - 2] not in STOPWORDS:
                roles.append(ROLE_MARK + stem(words[index - 2]))
        if word not in _ARTICLES:
            before = word
    return roles


class Kind(enum.Enum):
    """What a word of a question turned out to be."""

    STOPWORD = "stopword"
    KNOWN = "known"  # a term of the knowledge base
    CORRECTED = "corrected"  # a misspelling of one
    NAME = "name"  # a name or a year the knowledge base never mentions: the question is about something else
    ENGLISH = "english"  # a real word the knowledge base never uses: evidence of another topic
    UNKNOWN = "unknown"  # neither: slang, gibberish, a typo too far gone


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    kind: Kind


def _resource_words(name: str) -> list[str]:
    """The words of a word list (only their hashes are kept: see WordSet)."""
    return gzip.decompress(resources.files("bot.core.resources").joinpath(name).read_bytes()).decode("ascii").split()


class WordSet:
    """A large, fixed set of words, kept as their sorted hashes: a tenth of a frozenset's memory.

    Only membership is asked of it. Two words sharing a 64-bit hash is too unlikely to matter.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._hashes = _sorted_unique(np.array(list(map(hash, words)), dtype=np.int64))

    def union(self, other: WordSet) -> WordSet:
        return self._of(_sorted_unique(np.concatenate((self._hashes, other._hashes))))

    def difference(self, other: WordSet) -> WordSet:
        return self._of(self._hashes[~other._holds(self._hashes)])

    @staticmethod
    def _of(hashes: np.ndarray) -> WordSet:
        words = WordSet(())
        words._hashes = hashes
        return words

    def _holds(self, hashes: np.ndarray) -> np.ndarray:
        """For each of ``hashes``, whether it is in this set."""
        if not len(self._hashes):
            return np.zeros(len(hashes), dtype=bool)
        positions = np.searchsorted(self._hashes, hashes).clip(max=len(self._hashes) - 1)
        found: np.ndarray = self._hashes[positions] == hashes
        return found

    def __contains__(self, word: object) -> bool:
        target = hash(word)
        position = int(np.searchsorted(self._hashes, target))
        return position < len(self._hashes) and int(self._hashes[position]) == target

    def __len__(self) -> int:
        return len(self._hashes)


def _sorted_unique(hashes: np.ndarray) -> np.ndarray:
    """``hashes`` sorted, each once: np.unique's hash table is several times slower on these sizes."""
    hashes = np.sort(hashes)
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))] if len(hashes) else hashes


@cache
def _word_lists() -> tuple[WordSet, WordSet]:
    """English words and proper nouns, lower-cased, from SCOWL's American English words as capitalised in
    the dictionary (Debian's wamerican; see its COPYRIGHT)."""
    words = _resource_words("english-words.txt.gz")
    common = WordSet(word for word in words if word.islower())
    capitalised = WordSet(word.lower() for word in words if not word.islower())
    return common.union(capitalised), capitalised.difference(common)


def english_words() -> WordSet:
    """About 73,000 English words, lower-cased."""
    return _word_lists()[0]


@cache
def modifiers() -> WordSet:
    """About 15,000 words English uses only as adjectives or adverbs ("actual", "anywhere", "someday")."""
    return WordSet(_resource_words("modifiers.txt.gz"))


def proper_nouns() -> WordSet:
    """About 9,500 names the dictionary only ever capitalises ("Biden", "NATO", "Siberia"), lower-cased."""
    return _word_lists()[1]


_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=65_536)
def american(word: str) -> str:
    """``word`` in American spelling, when it is a British spelling of another English word."""
    if len(word) >= _BRITISH_MIN_LENGTH:
        for pattern, replacement in _BRITISH_ENDINGS:
            spelt = pattern.sub(replacement, word)
            if spelt != word and spelt in english_words():
                return spelt
    return word


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of ``word``, so "competing" meets "compete"."""
    return str(_STEMMER.stemWord(word))


# The words that say which kind of fact is asked ("how *many*", "what *year*"), not what it is asked of.
FACT_KIND_TERMS = frozenset(stem(word) for opening in _KIND_OF for word in opening.split() if word not in STOPWORDS)


# Words that point at the essay in general, or at the asking itself, rather than
# at one of its points, as terms (stemmed). Never a sign of another topic, even
# when the knowledge base never uses them ("according to this text").
GENERIC = frozenset(stem(word) for word in ("essay", "article", "text", "piece", "mention", "discuss", "question"))


def allowed_edits(word: str) -> int:
    """How many typing mistakes a word of this length may carry and still be recognised."""
    if len(word) < _TYPO_MIN_LENGTH or _DIGITS.search(word):
        return 0
    return 1 if len(word) <= 5 else 2


class Analyzer:
    """Turns questions and knowledge text into comparable terms."""

    def __init__(self, synonyms: Mapping[str, Iterable[str]]) -> None:
        self._word_map: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for canonical, variants in synonyms.items():
            for variant in variants:
                if " " in variant:
                    phrases[variant] = canonical
                else:
                    self._word_map[variant] = canonical
        self._phrases = phrases
        # One pattern for every multi-word variant, longest first so "soviet union" wins over "soviet".
        alternatives = "|".join(re.escape(variant) for variant in sorted(phrases, key=len, reverse=True))
        self._phrase_pattern = re.compile(rf"\b(?:{alternatives})\b") if phrases else None
        self._vocabulary: dict[int, tuple[str, ...]] = {}  # by length
        self._known: frozenset[str] = frozenset()
        self._known_roles: frozenset[str] = frozenset()
        self._english = english_words()
        self._names = proper_nouns()
        self._modifiers = modifiers()
        self._classified = self._classify

    def text(self, text: str) -> str:
        """Normalised text with synonyms replaced: what whole-phrase comparison sees."""
        result = normalise(text)
        if self._phrase_pattern is not None:
            result = self._phrase_pattern.sub(lambda match: self._phrases[match.group(0)], result)
        return " ".join(self._word_map.get(word) or american(word) for word in result.split())

    def starts_sentence(self, word: str) -> bool:
        """Whether a capitalised word inside a message may begin a new sentence: a common English word
        ("My", "Asking", "Sorry"), not a name ("China", "Biden")."""
        lower = word.lower().replace("’", "'")
        if lower in _I_FORMS:
            return True
        return lower in self._english and lower not in self._names

    def learn(self, texts: Iterable[str]) -> None:
        """Remember the words of the knowledge base (given as ``text()`` output), to check and correct questions."""
        texts = list(texts)
        words = {word for text in texts for word in text.split() if word not in STOPWORDS}
        self._known = frozenset(stem(word) for word in words)
        self._known_roles = frozenset(role for text in texts for role in role_terms(text.split()))
        # Misspellings are corrected to words as written, and synonym variants
        # count: "economicaly" becomes "economically", which reads as "economy".
        # Filler words are targets too, so "actualy" is recognised as filler.
        candidates = words | self._word_map.keys() | STOPWORDS
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(candidates):
            if allowed_edits(word):
                by_length[len(word)].append(word)
        self._vocabulary = {length: tuple(words) for length, words in by_length.items()}
        # Chat repeats its words, within a message and across messages; a typo correction is the costly part.
        self._classified = lru_cache(maxsize=CLASSIFIED_WORDS)(self._classify)

    @staticmethod
    def terms(text: str) -> list[str]:
        """The content terms of knowledge text already passed through ``text()``, role terms included."""
        words = text.split()
        return [stem(word) for word in words if word not in STOPWORDS] + role_terms(words)

    def question_terms(self, analysed: str, limit: int, names: frozenset[str] = frozenset()) -> list[Term]:
        """The first ``limit`` meaningful terms of a question already passed through ``text()``, each classified.

        Misspelt words are corrected to known terms; stopwords are dropped. Stopping at ``limit``
        keeps a long message from costing a typo correction per word. The role terms of the words
        read follow, when the knowledge base has them too.
        """
        words = analysed.split()
        terms: list[Term] = []
        read = 0  # how many words were looked at
        while read < len(words) and len(terms) < limit:
            word = words[read]
            read += 1
            term = self._classified(word, word in names)
            if term.kind is not Kind.STOPWORD:
                terms.append(term)
        roles = [Term(role, Kind.KNOWN) for role in role_terms(words[:read]) if role in self._known_roles]
        return terms + roles

    def _classify(self, word: str, written_as_name: bool = False) -> Term:
        if word in STOPWORDS:
            return Term(word, Kind.STOPWORD)
        term = stem(word)
        if term in self._known:
            return Term(term, Kind.KNOWN)
        unused = self._unused_kind(word)
        if unused is not None:
            return Term(term, unused)
        corrected = self._correct(word)
        if corrected in STOPWORDS:
            return Term(corrected, Kind.STOPWORD)
        if corrected is not None:
            return Term(stem(self._word_map.get(corrected, corrected)), Kind.CORRECTED)
        return Term(term, Kind.NAME if written_as_name else Kind.UNKNOWN)

    def _unused_kind(self, word: str) -> Kind | None:
        """What ``word``, unknown to the knowledge base, is when it is a real name, year, number or word.

        An adjective or adverb is filler: it says how, not what ("is it an actual alliance", "are
        they competing anywhere"). A noun or verb the essay never uses is a sign of another topic.
        """
        if word in self._modifiers:
            return Kind.STOPWORD
        if word in self._names or _YEAR.fullmatch(word):
            return Kind.NAME
        if word in self._english or word.isdigit():
            # A number the essay never mentions is as telling as an unknown word.
            return Kind.ENGLISH
        return None

    def _correct(self, word: str) -> str | None:
        edits = allowed_edits(word)
        if not edits:
            return None
        # Only words within ``edits`` of its length can be within ``edits`` of it.
        nearby = [
            known
            for length in range(len(word) - edits, len(word) + edits + 1)
            for known in self._vocabulary.get(length, ())
        ]
        matches = process.extract(word, nearby, scorer=OSA.distance, score_cutoff=edits, limit=None)
        if not matches:
            return None
        # Among equally close words, people rarely mistype the first letter
        # ("uper" is "upper", not "super"), and filler is what chat is full of
        # ("actualy" is "actually", not "actual").
        best = min(matches, key=lambda match: (match[1], match[0][0] != word[0], match[0] not in STOPWORDS, match[0]))
        return best[0]
