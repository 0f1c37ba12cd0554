"""The knowledge base we ship: clean, complete, and faithful to the essay."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, SHIPPED_KNOWLEDGE
from bot.core.loader import load_knowledge, validate_knowledge
from bot.core.matcher import Matcher
from bot.core.model import Citation, KnowledgeBase
from bot.core.text import quote_key

SOURCE_ESSAY = PROJECT_ROOT.parent / "shared" / "essay" / "000_b144a9e4db0c2f24.txt"


def all_citations(knowledge: KnowledgeBase) -> list[Citation]:
    points = knowledge.summaries.short + knowledge.summaries.full
    return [citation for item in (*knowledge.entries, *points) for citation in item.citations]


def test_shipped_knowledge_validates_clean() -> None:
    """`python -m bot validate` has nothing to say about the shipped folder."""
    assert validate_knowledge(SHIPPED_KNOWLEDGE) == []


def test_paragraph_numbering_contract(knowledge: KnowledgeBase) -> None:
    """¶1 opens the body, ¶9 closes it, ¶10 is the author note."""
    essay = knowledge.essay
    assert essay.title == "The Hidden Truth of Sino-Russian Ties"
    assert essay.author == "Dr. Muhammad Saleem"
    assert len(essay.paragraphs) == 10
    assert essay.paragraphs[0].startswith("The apparent friendliness")
    assert essay.paragraphs[8].startswith("The seeming proximity")
    assert essay.author_note == 10
    assert essay.paragraphs[9].startswith("Muhammad Saleem is a UK-based writer")


@pytest.mark.skipif(not SOURCE_ESSAY.exists(), reason="the shared essay is not beside this checkout")
def test_essay_is_verbatim_from_the_source(knowledge: KnowledgeBase) -> None:
    """Every paragraph is a line of the source file, character for character."""
    source_lines = {line.strip() for line in SOURCE_ESSAY.read_text(encoding="utf-8").splitlines()}
    for number, paragraph in enumerate(knowledge.essay.paragraphs, 1):
        assert paragraph in source_lines, f"¶{number} differs from the source"
    assert not any("pf-body" in paragraph for paragraph in knowledge.essay.paragraphs)


def test_every_paragraph_is_a_primary_citation(knowledge: KnowledgeBase) -> None:
    """Each of ¶1–¶10 is the first citation of at least one entry."""
    primaries = {entry.primary.paragraph for entry in knowledge.entries}
    assert primaries == set(range(1, 11))


def test_every_quote_is_verbatim_in_its_paragraph(knowledge: KnowledgeBase) -> None:
    """Every quote in entries and summaries appears word for word in the paragraph it cites."""
    citations = all_citations(knowledge)
    assert len(citations) > 60
    for citation in citations:
        paragraph = knowledge.essay.paragraph(citation.paragraph)
        assert paragraph is not None
        assert quote_key(citation.quote) in quote_key(paragraph), citation


def test_size_and_shape_of_the_knowledge_base(knowledge: KnowledgeBase) -> None:
    """30–50 entries, each with several phrasings, related links that resolve, and short answers."""
    assert 30 <= len(knowledge.entries) <= 50
    for entry in knowledge.entries:
        assert len(entry.questions) >= 5, entry.id
        assert entry.related, entry.id
        assert all(knowledge.entry(related) for related in entry.related), entry.id
        assert entry.answer.count(". ") <= 3, entry.id


def test_no_phrasing_shadows_a_question_listed_as_not_answered(knowledge: KnowledgeBase) -> None:
    """Asked word for word, every "not_answered" question is declined: no curated phrasing is closer to it."""
    matcher = Matcher(knowledge)
    answered = [
        (entry.id, question)
        for entry in knowledge.entries
        for question in entry.not_answered
        if matcher.ask(question).answered
    ]

    assert answered == []


def test_summaries_shape(knowledge: KnowledgeBase) -> None:
    """The short summary has at most five bullets; the full one covers ¶1–¶9 in order."""
    assert 1 <= len(knowledge.summaries.short) <= 5
    firsts = [point.citations[0].paragraph for point in knowledge.summaries.full]
    assert firsts == sorted(firsts)
    assert set(firsts) == set(range(1, 10))


def test_knowledge_base_is_immutable(knowledge: KnowledgeBase) -> None:
    """Nothing loaded can be changed in place by the code that reads it."""
    entry = knowledge.entries[0]
    with pytest.raises(AttributeError):
        entry.answer = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        knowledge.synonyms["china"] = ()  # type: ignore[index]
    assert isinstance(entry.questions, tuple)


def test_version_changes_with_content(knowledge_copy: Path, knowledge: KnowledgeBase) -> None:
    """The version hash follows the files' content, so a reload is visible."""
    assert load_knowledge(knowledge_copy).version == knowledge.version
    essay = knowledge_copy / "essay.yaml"
    essay.write_text(essay.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert load_knowledge(knowledge_copy).version != knowledge.version
