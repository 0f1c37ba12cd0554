"""The analyzer: the terms a question is reduced to before matching."""

from __future__ import annotations

import pytest

from bot.core.analysis import ROLE_MARK, Analyzer, Kind, Term, factual_kind, role_terms


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("what is in it for putin", ["putin"]),
        ("how does being seen with xi help putin", ["putin"]),
        ("what does china get out of it", ["china"]),
        ("what does the kremlin want", ["kremlin"]),
        ("russia goals", ["russia"]),
        ("is it a real alliance like nato", []),
        ("what is the hidden truth", []),
    ],
)
def test_role_terms_mark_who_gains_or_wants(text: str, roles: list[str]) -> None:
    """Only the side a question asks about is marked, so mirror-image questions differ."""
    assert role_terms(text.split()) == [ROLE_MARK + role for role in roles]


def analyzer_knowing(*texts: str) -> Analyzer:
    analyzer = Analyzer({})
    analyzer.learn(texts)
    return analyzer


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("uper", [Term("upper", Kind.CORRECTED)]),  # not "super": the first letter is rarely the typo
        ("actualy", []),  # filler, not the knowledge base's "actual"
        ("hnad", [Term("hand", Kind.CORRECTED)]),
    ],
)
def test_typo_correction_prefers_likely_words(word: str, expected: list[Term]) -> None:
    analyzer = analyzer_knowing("the upper hand", "a super power", "the actual deal")

    assert analyzer.question_terms(word, limit=10) == expected


def test_chat_shorthand_carries_no_weight() -> None:
    """ "y r china n russia" asks what "why are China and Russia" asks."""
    analyzer = analyzer_knowing("china and russia")

    assert [term.text for term in analyzer.question_terms("y r china n russia w u", limit=10)] == ["china", "russia"]


def test_question_terms_add_only_roles_the_knowledge_base_has() -> None:
    analyzer = analyzer_knowing("what does putin gain")

    assert Term("+putin", Kind.KNOWN) in analyzer.question_terms("what is in it for putin", limit=10)
    assert "+xi" not in {term.text for term in analyzer.question_terms("what is in it for xi", limit=10)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("when did they meet", "when"),
        ("what year did they sign it", "when"),
        ("so how much did it cost", "how much"),
        ("how many times have they met", "how many"),
        ("why are they close", None),
        ("what do they do when they meet", None),
    ],
)
def test_factual_kind_of_a_question(text: str, kind: str | None) -> None:
    assert factual_kind(text) == kind
