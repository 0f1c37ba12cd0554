"""The knowledge base we ship: clean, and faithful to the essay's source.

Every rule a maintainer must follow lives in the validator, which names the file and
line; these tests add no rule of their own and hold no count of the content, so any
edit the validator accepts passes them. KNOWLEDGE_DIR, the variable the bot reads,
points them at another folder: that is how a new entry is tried against them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, SHIPPED_KNOWLEDGE
from bot.core.loader import load_knowledge, validate_knowledge
from bot.core.model import KnowledgeBase

SOURCE_ESSAY = PROJECT_ROOT.parent / "shared" / "essay" / "000_b144a9e4db0c2f24.txt"
# Only the environment, never a .env file: a deployment's .env must not change what CI checks.
KNOWLEDGE = Path(os.environ.get("KNOWLEDGE_DIR", "").strip() or SHIPPED_KNOWLEDGE)


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    """The knowledge folder under test, loaded once (shadows the shipped one of conftest)."""
    return load_knowledge(KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the knowledge folder under test (shadows the shipped one of conftest)."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def source_essay() -> tuple[str, str, list[str], str]:
    """The source page's title, author, body paragraphs and author note, in its order."""
    lines = [line.strip() for line in SOURCE_ESSAY.read_text(encoding="utf-8").splitlines() if line.strip()]
    title = lines[0]
    heading = lines.index("Author")
    body = [line for line in lines[1:heading] if line != title]  # the page repeats its title
    author = lines[heading + 1].lstrip("•").strip()
    return title, author, body, lines[heading + 2]


def test_knowledge_validates_clean() -> None:
    """`python -m bot validate` has nothing to say about the folder."""
    assert validate_knowledge(KNOWLEDGE) == []


@pytest.mark.skipif(not SOURCE_ESSAY.exists(), reason="the shared essay is not beside this checkout")
def test_essay_is_the_source_paragraph_for_paragraph(knowledge: KnowledgeBase) -> None:
    """Each paragraph is the source's, character for character and in its order, the author note last.

    This is the numbering contract: ¶N is the source's Nth paragraph, so citations and "¶4" hold.
    """
    title, author, body, note = source_essay()
    essay = knowledge.essay

    assert (essay.title, essay.author) == (title, author)
    assert list(essay.paragraphs) == [*body, note]
    assert essay.paragraph(essay.author_note) == note


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
