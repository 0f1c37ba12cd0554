"""Applying proposals: only the proposed lines change, and nothing is written that validation or the eval refuses."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from bot.core.evaluation import Case, EvalSet, Part
from bot.core.learning import NEW_ENTRY, NOT_ANSWERED, PHRASING, Proposal
from bot.core.loader import KnowledgeError, load_knowledge
from bot.core.proposals import COMMUNITY_FILE, apply_proposals, edited_files, proposals_yaml, read_proposals

THRESHOLDS = {
    "in_scope_accuracy": 0.5,
    "out_of_scope_rejection": 1.0,
    "wrapped_in_scope_drop": 1.0,
    "wrapped_out_of_scope_answered": 100,
    "context_in_scope_drop": 1.0,
    "context_out_of_scope_answered": 1.0,
    "follow_up_accuracy": 0.0,
}
OFF_TOPIC = "what is the best recipe for borscht"


def small_eval(_folder: Path) -> EvalSet:
    """A two-question eval: fast, and one proposal below can break it."""
    cases = (Case("who is the dominant partner", ("dominant-partner",)), Case(OFF_TOPIC, ()))
    return EvalSet(THRESHOLDS, {"tune": Part(cases, (), (), ())})


def phrasing(entry_id: str, question: str) -> Proposal:
    return Proposal(PHRASING, entry_id, (question,), 1, "picked 1×", confirmed=True)


def added_lines(before: str, after: str) -> list[str]:
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    changed = [line for line in diff if line[:1] in "+-"]
    assert all(line.startswith("+") for line in changed), changed
    return [line[2:] for line in changed]


def test_only_the_proposed_lines_are_added(knowledge_copy: Path) -> None:
    """Comments, order, quoting and blank lines stay; each proposal is one new line in its list."""
    proposals = [
        phrasing("dominant-partner", "so who's the big dog here"),
        Proposal(NOT_ANSWERED, "dominant-partner", ("who has more tanks",), 1, "👎 1×", confirmed=True),
    ]
    path = knowledge_copy / "entries" / "03-asymmetry.yaml"
    before = path.read_text(encoding="utf-8")

    texts = edited_files(knowledge_copy, proposals)

    assert list(texts) == [Path("entries/03-asymmetry.yaml")]
    assert added_lines(before, texts[Path("entries/03-asymmetry.yaml")]) == [
        '      - "so who\'s the big dog here"',
        '      - "who has more tanks"',
    ]


def test_the_proposals_file_reads_back_as_written(tmp_path: Path) -> None:
    """What `learn --out` and /kb gaps write is what `learn --apply FILE` reads."""
    proposals = [
        phrasing("author", "who wrote this thing"),
        Proposal(NOT_ANSWERED, "author", ("how old is the author",), 2, "👎 2×", confirmed=True),
        Proposal(NEW_ENTRY, "is-it-biased", ("is it biased",), 1, "declined 1×", confirmed=False),
    ]
    path = tmp_path / "proposals.yaml"
    path.write_text(proposals_yaml(proposals), encoding="utf-8")

    read = read_proposals(path)

    assert [(item.kind, item.entry_id) for item in read] == [(item.kind, item.entry_id) for item in proposals]
    assert read[0].questions == ("who wrote this thing",)
    assert read[2].entry is not None
    assert read[2].entry["questions"] == ["is it biased"]


def test_a_malformed_proposals_file_is_refused_with_its_line(tmp_path: Path) -> None:
    """A mistyped field in a reviewed file is pointed at, as the validator points at knowledge files."""
    path = tmp_path / "proposals.yaml"
    path.write_text("phrasings:\n  - entry: author\n    questoin: who wrote it\n", encoding="utf-8")

    with pytest.raises(KnowledgeError) as raised:
        read_proposals(path)

    messages = {problem.line: problem.message for problem in raised.value.problems}
    assert 'unknown field "questoin" (did you mean "question"?)' in messages[3]
    assert 'missing the field "question"' in messages[2]


def test_a_valid_proposal_is_written_and_an_invalid_one_reported(knowledge_copy: Path) -> None:
    """A phrasing over the length limit is refused with the validator's words; the good one lands."""
    good = phrasing("author", "who even wrote this")
    too_long = phrasing("author", "who " * 80)

    outcome = apply_proposals(knowledge_copy, [good, too_long], small_eval)

    assert outcome.applied == [good]
    [refusal] = outcome.refused
    assert refusal.proposal is too_long
    assert "the limit is 200" in refusal.reason
    assert "who even wrote this" in load_knowledge(knowledge_copy).entry("author").questions


def test_a_proposal_that_breaks_the_eval_is_reported_not_written(knowledge_copy: Path) -> None:
    """Making an off-topic question a phrasing would answer it: refused, and the files stay as they were."""
    before = {path: path.read_text(encoding="utf-8") for path in knowledge_copy.rglob("*.yaml")}

    outcome = apply_proposals(knowledge_copy, [phrasing("author", OFF_TOPIC)], small_eval)

    assert outcome.applied == []
    assert "out_of_scope_rejection" in outcome.refused[0].reason
    assert {path: path.read_text(encoding="utf-8") for path in knowledge_copy.rglob("*.yaml")} == before


def test_a_new_entry_is_written_once_a_maintainer_filled_it_in(knowledge_copy: Path, tmp_path: Path) -> None:
    """A stub with TODOs is refused; the same entry written out from the essay lands in the community file."""
    stub = Proposal(NEW_ENTRY, "what-holds-them-together", ("what holds them together",), 3, "", confirmed=False)
    assert "TODOs" in apply_proposals(knowledge_copy, [stub], small_eval).refused[0].reason

    path = tmp_path / "proposals.yaml"
    text = proposals_yaml([stub])
    text = text.replace("'TODO: a short title'", "What holds them together")
    text = text.replace(
        "TODO: one to three sentences, faithful to the essay ()",
        "Necessity: the essay calls it a pragmatic, albeit tenuous, alignment.",
    )
    text = text.replace(
        "'TODO: copy the passage word for word from essay.yaml'",
        "It is a pragmatic, albeit tenuous, alignment arising from necessity.",
    )
    text = text.replace("paragraph: 1", "paragraph: 9")
    text = text.replace("      - what holds them together", "      - what holds them together\n      - what glues them")
    text = text.replace("      - what glues them", "      - what glues them\n      - what binds the two")
    path.write_text(text, encoding="utf-8")

    outcome = apply_proposals(knowledge_copy, read_proposals(path), small_eval)

    assert [item.entry_id for item in outcome.applied] == ["what-holds-them-together"]
    assert outcome.written == [knowledge_copy / "entries" / COMMUNITY_FILE]
    written = (knowledge_copy / "entries" / COMMUNITY_FILE).read_text(encoding="utf-8")
    assert written.startswith("# yaml-language-server: $schema=../schema/entries.schema.json\n")
    assert load_knowledge(knowledge_copy).entry("what-holds-them-together") is not None
