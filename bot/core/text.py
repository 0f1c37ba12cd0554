"""Text normalisation shared by the validator and the matcher."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_QUESTION_CHARS = 500  # what is read of one message, asked in Discord, the terminal or a script, and stored
# One message is normalised by a dozen rules in turn (a follow-up's by twice as many): each reads it once.
NORMALISED_REMEMBERED = 1024

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "“": '"', "”": '"', "„": '"', "″": '"'}
)
_WHITESPACE = re.compile(r"\s+")
# Discord mentions, channel links, custom emoji and URLs carry no question.
_CHAT_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|@(?:everyone|here)\b|https?://\S+")

# "'s" after these words is "is"; after anything else it marks a possessive.
_IS_CONTRACTIONS = frozenset({"what", "who", "it", "that", "there", "how", "where", "when", "why", "he", "she", "here"})
_CONTRACTION_SUFFIXES = (
    ("n't", " not"),
    ("'re", " are"),
    ("'ll", " will"),
    ("'ve", " have"),
    ("'m", " am"),
    ("'d", " would"),
)
_APOSTROPHE_WORD = re.compile(r"[a-z]+'[a-z]+")
# Contractions typed without the apostrophe, as chat usually has them, and chat spellings.
_BARE_CONTRACTIONS = {
    "whats": "what is",
    "whos": "who is",
    "hows": "how is",
    "wheres": "where is",
    "thats": "that is",
    "theres": "there is",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "cant": "can not",
    "wont": "will not",
    "wouldnt": "would not",
    "shouldnt": "should not",
    "couldnt": "could not",
    "theyre": "they are",
    "youre": "you are",
    "im": "i am",
    "ive": "i have",
    "theyve": "they have",
    # Chat spellings of function words: "wat wud make them split up", "y not".
    "wat": "what",
    "wut": "what",
    "wats": "what is",
    "wud": "would",
    "cud": "could",
    "shud": "should",
    "y": "why",
    "r": "are",
    "u": "you",
    "n": "and",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "becoz": "because",
    "bcoz": "because",
    "abt": "about",
    "ppl": "people",
    "smth": "something",
    "sth": "something",
    "yr": "year",
    "yrs": "years",
}
_NOT_WORD = re.compile(r"[^\w]+|_+")
# "Ph.D.", "U.K.", "e.g.": one word, as "PhD" and "UK" are.
_DOTTED = re.compile(r"\b[a-z]{1,2}(?:\.[a-z])+\.?(?!\w)")


def quote_key(text: str) -> str:
    """The form in which a quote must appear in its paragraph.

    Only whitespace and straight-vs-typographic quotes may differ between a
    citation and the essay; everything else is compared exactly.
    """
    return _WHITESPACE.sub(" ", text.translate(_QUOTES)).strip()


def fold(text: str) -> str:
    """Lower-case, compatibility-normalised text without accents or invisible characters."""
    if text.isascii():
        return text.lower().translate(_QUOTES)
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    kept = (ch for ch in text if unicodedata.category(ch) not in {"Mn", "Me", "Cf", "Cc", "Co", "Cs"} or ch in "\n\t")
    return unicodedata.normalize("NFKC", "".join(kept)).casefold()


def _expand(match: re.Match[str]) -> str:
    word = match.group(0)
    if word == "won't":
        return "will not"
    if word == "can't":
        return "can not"
    for suffix, replacement in _CONTRACTION_SUFFIXES:
        if word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    head, _, tail = word.partition("'")
    if tail == "s":
        return f"{head} is" if head in _IS_CONTRACTIONS else head
    return head + tail


@lru_cache(maxsize=NORMALISED_REMEMBERED)
def normalise(text: str) -> str:
    """Words only: folded, contractions expanded, possessives dropped, punctuation gone."""
    text = _APOSTROPHE_WORD.sub(_expand, fold(_CHAT_MARKUP.sub(" ", text)))
    text = _DOTTED.sub(lambda match: match.group(0).replace(".", ""), text)
    return " ".join(_BARE_CONTRACTIONS.get(word, word) for word in _NOT_WORD.sub(" ", text).split())


def tokens(text: str) -> list[str]:
    """The words of ``normalise(text)``."""
    return normalise(text).split()
