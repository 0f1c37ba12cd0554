"""The smallest entry knowledge/README.md describes passes everything CI runs on the knowledge.

A maintainer who adds an entry with only the required fields (an id, a title, three
phrasings, a one-sentence answer, one verbatim citation) must not meet a test that
holds a rule of its own. The entry is a narrow point no shipped entry is dedicated to:
the cordial language of ¶1, which the public-image entry only mentions in passing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.core.loader import load_knowledge
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase
from tests.conftest import run_cli

ENTRY_ID = "cordial-language"
# Written as README's example is: the required fields only, nothing to tune the matcher.
MINIMAL_ENTRY = """\
  - id: cordial-language
    title: The cordial language between the two leaders
    questions:
      - Is the language between Xi and Putin cordial?
      - what tone do xi and putin take with each other
      - cordial words between the two presidents
    answer: >-
      Their cordial language, like their regular meetings and joint appearances at military
      parades, depicts two leaders bound by reciprocal respect and congruent geopolitical objectives.
    citations:
      - paragraph: 1
        quote: >-
          Their regular meetings, joint appearances at military parades, and cordial language
          depict a relationship between two leaders characterized by reciprocal respect and
          congruent geopolitical objectives.
"""


@pytest.fixture
def with_minimal_entry(knowledge_copy: Path) -> Path:
    """The copy with the entry appended to the first entries file, as README's step 1 says."""
    path = min((knowledge_copy / "entries").glob("*.yaml"))
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + MINIMAL_ENTRY, encoding="utf-8")
    return knowledge_copy


def test_the_entry_validates_and_answers_its_phrasings(with_minimal_entry: Path, knowledge: KnowledgeBase) -> None:
    """`validate` accepts it as one more entry, and each of its phrasings is answered with it."""
    result = run_cli("validate", str(with_minimal_entry))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"is valid: {len(knowledge.entries) + 1} entries" in result.stdout
    added = load_knowledge(with_minimal_entry)
    entry = added.entry(ENTRY_ID)
    assert entry is not None
    matcher = Matcher(added)
    answered_with = {question: getattr(matcher.ask(question).entry, "id", None) for question in entry.questions}
    assert answered_with == dict.fromkeys(entry.questions, ENTRY_ID)


def test_the_shipped_knowledge_tests_pass_with_it(with_minimal_entry: Path) -> None:
    """tests/core/test_shipped_knowledge.py, pointed at the copy by KNOWLEDGE_DIR, finds nothing to refuse."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/core/test_shipped_knowledge.py", "-p", "no:cacheprovider"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "KNOWLEDGE_DIR": str(with_minimal_entry)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_eval_still_passes_with_it(with_minimal_entry: Path) -> None:
    """The matcher's thresholds hold: three phrasings of a narrow point take no other entry's questions."""
    result = run_cli("eval", "--knowledge", str(with_minimal_entry))

    assert result.returncode == 0, result.stdout + result.stderr
