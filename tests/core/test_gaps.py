"""Gaps: unanswered questions grouped by meaning, and stubs that become valid entries once filled in."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.gaps import TODO, Asked, group_gaps, stub_yaml
from bot.core.loader import validate_knowledge
from bot.core.model import KnowledgeBase


def test_near_duplicates_are_grouped_and_counted() -> None:
    """Rewordings, typos and case are one gap; the most common wording represents it; biggest first."""
    asked = [
        Asked("What does the essay say about North Korea?", 20.0),
        Asked("what does the essay say about north korea", 25.0),
        Asked("What does the essay say about North Korea??", 10.0),
        Asked("what about north korea, does the essay say?", 5.0),
        Asked("how do I bake bread", 0.0),
        Asked("   ", 0.0),
    ]

    gaps = group_gaps(asked)

    assert [(gap.count, gap.best_score) for gap in gaps] == [(4, 25.0), (1, 0.0)]
    assert "korea" in gaps[0].example.lower()
    assert gaps[1].example == "how do I bake bread"


def test_different_questions_stay_apart() -> None:
    """Questions that only share a few words are separate gaps."""
    gaps = group_gaps([Asked("what does india think", 1.0), Asked("what does iran think about russia and china", 1.0)])

    assert len(gaps) == 2


def test_stub_is_the_knowledge_format_and_validates_once_filled(knowledge: KnowledgeBase, knowledge_copy: Path) -> None:
    """The stub is YAML in the entries format; with its TODOs filled in, the validator accepts it."""
    gaps = group_gaps(
        [Asked("Is the essay biased?", 12.0), Asked("is this essay biased", 8.0), Asked("who published it?", 3.0)]
    )

    stub = stub_yaml(gaps, (entry.id for entry in knowledge.entries))
    data = yaml.safe_load(stub)
    assert [entry["id"] for entry in data["entries"]] == ["is-the-essay-biased", "who-published-it"]
    assert stub.count(TODO) > 5

    (knowledge_copy / "entries" / "99-stubs.yaml").write_text(stub, encoding="utf-8")
    assert validate_knowledge(knowledge_copy)  # as printed, the TODOs are refused

    for number, entry in enumerate(data["entries"], 1):
        entry["title"] = f"Filled title {number}"
        entry["questions"] = [f"filled question {number} {n}" for n in range(3)]
        entry["answer"] = "The essay calls it a pragmatic alignment."
        entry["citations"] = [
            {"paragraph": 9, "quote": "It is a pragmatic, albeit tenuous, alignment arising from necessity."}
        ]
    data["theme"] = "Filled theme"
    (knowledge_copy / "entries" / "99-stubs.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert validate_knowledge(knowledge_copy) == []


def test_stub_ids_never_collide(knowledge: KnowledgeBase) -> None:
    """A gap worded like an existing id gets a fresh one."""
    stub = stub_yaml(group_gaps([Asked("author", 1.0)]), ["author"])

    assert yaml.safe_load(stub)["entries"][0]["id"] == "author-2"
