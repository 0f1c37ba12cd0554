"""The validator: each class of broken file is reported with its file, line and message."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.evaluation import MAX_EVAL_BYTES, load_eval
from bot.core.loader import KnowledgeError, load_knowledge, validate_knowledge
from bot.core.yamlio import MAX_FILE_BYTES
from tests.conftest import FIXTURES

BROKEN = FIXTURES / "broken"
ADDED_ENTRIES = "entries/99-broken.yaml"
SHIPPED_ENTRY_FILES = sorted(path.name for path in (SHIPPED_KNOWLEDGE / "entries").glob("*.yaml"))

# (fixture, where it goes in the knowledge folder, line, message)
CASES = [
    (
        "syntax-error.yaml",
        ADDED_ENTRIES,
        14,
        "YAML syntax error: while scanning a quoted scalar that starts on line 10, found unexpected end of stream",
    ),
    (
        "unknown-field.yaml",
        ADDED_ENTRIES,
        11,
        'entry "broken-example" has an unknown field "keywrods" (did you mean "keywords"?)',
    ),
    ("missing-field.yaml", ADDED_ENTRIES, 4, 'entry "broken-example" is missing the field "answer"'),
    ("wrong-type.yaml", ADDED_ENTRIES, 6, 'entry "broken-example": "questions" must be a list, not text'),
    (
        "duplicate-id.yaml",
        ADDED_ENTRIES,
        4,
        'duplicate id "dominant-partner": already used at {kb}/entries/03-asymmetry.yaml:4',
    ),
    (
        "duplicate-question.yaml",
        ADDED_ENTRIES,
        7,
        'entry "broken-example": the question "Who is the dominant partner?" is already asked in entry'
        ' "dominant-partner" ({kb}/entries/03-asymmetry.yaml:7); each phrasing must lead to one entry',
    ),
    (
        "answered-and-not-answered.yaml",
        ADDED_ENTRIES,
        11,
        'entry "broken-example": the question "who is the DOMINANT partner" is already asked in entry'
        ' "dominant-partner" ({kb}/entries/03-asymmetry.yaml:7); a question is either answered or not',
    ),
    (
        "not-answered-still-answered.yaml",
        ADDED_ENTRIES,
        11,
        'entry "broken-example": the not_answered question "who is the dominant partner then" is answered all the'
        ' same (by "dominant-partner"): a phrasing is closer to it; reword it, or drop it',
    ),
    (
        "other-side-gains.yaml",
        ADDED_ENTRIES,
        8,
        'entry "broken-example": the question "I see what Putin gets out of broken examples, but what about Xi?"'
        " names the side the title does not name as the one who gains or wants; say the other side's part"
        ' without naming who gains ("I get the Russian side, but…"), so that questions about that side are not'
        " drawn here",
    ),
    ("unknown-related.yaml", ADDED_ENTRIES, 14, 'entry "broken-example": related id "no-such-entry" does not exist'),
    (
        "paragraph-out-of-range.yaml",
        ADDED_ENTRIES,
        12,
        'entry "broken-example": paragraph 11 does not exist; the essay has ¶1–¶10',
    ),
    (
        "quote-not-verbatim.yaml",
        ADDED_ENTRIES,
        13,
        'entry "broken-example": the quote is not word for word in ¶4; closest there: "China is the predominant partner,"',
    ),
    (
        "quote-wrong-paragraph.yaml",
        ADDED_ENTRIES,
        13,
        'entry "broken-example": the quote is not word for word in ¶5; it is in ¶4; fix the paragraph number',
    ),
    ("empty-answer.yaml", ADDED_ENTRIES, 10, 'entry "broken-example": "answer" is empty'),
    (
        "answer-too-long.yaml",
        ADDED_ENTRIES,
        10,
        'entry "broken-example": "answer" is 1,239 characters; the limit is 1,024 (an embed field holds 1,024 characters)',
    ),
    (
        "bad-id.yaml",
        ADDED_ENTRIES,
        4,
        'entry "Broken Example": "id" must be lower-case words joined by hyphens, like "dominant-partner"',
    ),
    ("duplicate-key.yaml", ADDED_ENTRIES, 11, "duplicate key 'title' (first on line 5)"),
    (
        "python-tag.yaml",
        ADDED_ENTRIES,
        10,
        "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    ("alias.yaml", ADDED_ENTRIES, 5, "anchors and aliases (&name, *name) are not allowed in knowledge files"),
    (
        "too-few-questions.yaml",
        ADDED_ENTRIES,
        6,
        'entry "broken-example": "questions" needs at least 3 items, found 1',
    ),
    ("summaries-too-long.yaml", "summaries.yaml", 2, "the short summary has 6 bullets; it holds at most 5"),
    (
        "summaries-out-of-order.yaml",
        "summaries.yaml",
        24,
        "the full summary follows the essay's order: this bullet cites ¶4 after one citing ¶6",
    ),
    (
        "summaries-missing-paragraph.yaml",
        "summaries.yaml",
        7,
        "the full summary has no bullet whose first citation is ¶7; it needs one for every paragraph but the"
        " author note (¶10), in the essay's order",
    ),
    (
        "essay-misnumbered.yaml",
        "essay.yaml",
        7,
        "paragraph numbers must run 1, 2, 3… in order; expected 2 here, found 3",
    ),
    ("synonyms-shared-variant.yaml", "synonyms.yaml", 3, '"beijing" is already a synonym of "china"'),
    ("unknown-why.yaml", ADDED_ENTRIES, 14, 'entry "broken-example": why id "no-such-entry" does not exist'),
    (
        "unknown-examples.yaml",
        ADDED_ENTRIES,
        14,
        'entry "broken-example": examples id "no-such-entry" does not exist',
    ),
    (
        "bare-verdict.yaml",
        ADDED_ENTRIES,
        10,
        'entry "broken-example": the answer opens with "Yes.", which reads wrong after some of its phrasings, '
        'e.g. "what do they want long term"; open with a sentence that states the point in full',
    ),
    (
        "calibration-missing-feature.yaml",
        "calibration.yaml",
        8,
        '"features" is missing the field "focused"',
    ),
    (
        "calibration-threshold.yaml",
        "calibration.yaml",
        5,
        'the calibration: "threshold" must be between 0 and 1, not 1.5',
    ),
    ("calibration-together.yaml", "calibration.yaml", 26, '"together" of "coverage" is missing the field "evidence"'),
    ("calibration-word-odds.yaml", "calibration.yaml", 43, '"unexplained": "exact" must be a number, not text'),
    (
        "too-many-related.yaml",
        ADDED_ENTRIES,
        14,
        'entry "broken-example": "related" lists 6 entries; at most 5 are shown as read-next buttons, '
        "so keep the best ones",
    ),
    (
        "merged-phrasing.yaml",
        ADDED_ENTRIES,
        9,
        'entry "broken-example": two lines of "questions" merged into one item, "who profits most - does russia'
        ' get the short end of the stick"; indent each "- " under questions: the same',
    ),
    (
        "merged-not-answered.yaml",
        ADDED_ENTRIES,
        16,
        'entry "broken-example": two lines of "not_answered" merged into one item, "what is the exact trade'
        ' volume - in which year did it peak"; indent each "- " under not_answered: the same',
    ),
    (
        "counterparts-word-twice.yaml",
        "counterparts.yaml",
        3,
        '"xi" and "china": a word can be the counterpart of one other only',
    ),
]


@pytest.mark.parametrize(("fixture", "target", "line", "message"), CASES, ids=[case[0] for case in CASES])
def test_broken_fixture_reports_file_line_and_message(
    knowledge_copy: Path, fixture: str, target: str, line: int, message: str
) -> None:
    """Each broken fixture yields exactly one problem, at the right file and line, in plain words."""
    shutil.copy(BROKEN / fixture, knowledge_copy / target)

    problems = validate_knowledge(knowledge_copy)

    assert [str(problem) for problem in problems] == [
        f"{knowledge_copy / target}:{line}: {message.format(kb=knowledge_copy)}"
    ]


def test_every_fixture_is_exercised() -> None:
    """No broken fixture sits unused: each one is a case above."""
    assert sorted(path.name for path in BROKEN.iterdir()) == sorted(case[0] for case in CASES)


def test_problems_across_files_are_all_reported_at_once(knowledge_copy: Path) -> None:
    """Several broken files give every problem in one run, sorted by file and line."""
    shutil.copy(BROKEN / "empty-answer.yaml", knowledge_copy / "entries/98-broken.yaml")
    shutil.copy(BROKEN / "summaries-too-long.yaml", knowledge_copy / "summaries.yaml")

    problems = validate_knowledge(knowledge_copy)

    assert [(problem.path.name, problem.line) for problem in problems] == [
        ("98-broken.yaml", 10),
        ("summaries.yaml", 2),
    ]


def test_load_raises_with_every_problem(knowledge_copy: Path) -> None:
    """load_knowledge refuses a broken folder and carries the problems, not a half-built knowledge base."""
    shutil.copy(BROKEN / "missing-field.yaml", knowledge_copy / ADDED_ENTRIES)

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(knowledge_copy)

    assert len(raised.value.problems) == 1
    assert str(raised.value) == "1 problem in the knowledge base"


def test_uncovered_paragraphs_are_reported_at_their_lines(knowledge_copy: Path) -> None:
    """With one entry left, citing ¶4, every other paragraph is reported at its line in essay.yaml."""
    for path in (knowledge_copy / "entries").glob("*.yaml"):
        path.unlink()
    shutil.copy(BROKEN / "unknown-related.yaml", knowledge_copy / ADDED_ENTRIES)
    lines = (knowledge_copy / ADDED_ENTRIES).read_text(encoding="utf-8").splitlines()
    (knowledge_copy / ADDED_ENTRIES).write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # drop "related"

    problems = validate_knowledge(knowledge_copy)

    essay = (knowledge_copy / "essay.yaml").read_text(encoding="utf-8").splitlines()
    numbered = {int(found[1]): line for line, text in enumerate(essay, 1) if (found := re.match(r"  (\d+): ", text))}
    message = "is not the primary (first) citation of any entry; every paragraph needs one"
    expected = [f"{knowledge_copy}/essay.yaml:{line}: ¶{n} {message}" for n, line in numbered.items() if n != 4]
    assert [str(problem) for problem in problems] == expected


def break_indentation(path: Path) -> int:
    """Indent the first entry's title one space less, as a hurried edit might; returns its line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(number for number, text in enumerate(lines) if text.startswith("    title:"))
    lines[line] = lines[line][1:]
    path.write_text("\n".join(lines), encoding="utf-8")
    return line + 1


@pytest.mark.parametrize("name", SHIPPED_ENTRY_FILES)
def test_a_syntax_error_comes_alone_not_with_what_follows_from_it(knowledge_copy: Path, name: str) -> None:
    """An unreadable entries file is reported at its line, and links to its entries from other files are not.

    While one file cannot be read, which ids exist cannot be told: "related id does not exist" in
    files nobody touched would send a maintainer to the wrong place.
    """
    broken = knowledge_copy / "entries" / name
    line = break_indentation(broken)

    problems = validate_knowledge(knowledge_copy)

    assert problems[0].path == broken
    assert problems[0].line == line
    assert problems[0].message.startswith("YAML syntax error: ")
    assert {problem.path for problem in problems} == {broken}
    others = [path.name for path in knowledge_copy.rglob("*.yaml") if path != broken]
    assert [problem.message for problem in problems if any(other in problem.message for other in others)] == []


def test_unreadable_files_are_reported_before_everything_else(knowledge_copy: Path) -> None:
    """A syntax error is listed first, ahead of problems in files that sort before it."""
    shutil.copy(BROKEN / "empty-answer.yaml", knowledge_copy / "entries/00-broken.yaml")
    broken = knowledge_copy / "entries" / SHIPPED_ENTRY_FILES[-1]
    line = break_indentation(broken)

    problems = validate_knowledge(knowledge_copy)

    assert [(problem.path.name, problem.line) for problem in problems] == [(broken.name, line), ("00-broken.yaml", 10)]


def test_oversized_file_is_refused_without_parsing(knowledge_copy: Path) -> None:
    """A 50 MB file is refused by its size, before any of it is parsed."""
    with (knowledge_copy / ADDED_ENTRIES).open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)

    problems = validate_knowledge(knowledge_copy)

    assert [str(problem) for problem in problems] == [
        f"{knowledge_copy / ADDED_ENTRIES}: file is 52,428,800 bytes; knowledge files are limited to 1,000,000"
    ]


def test_binary_junk_is_refused_as_not_utf8(knowledge_copy: Path) -> None:
    """Bytes that are not UTF-8 are refused with the line they are on."""
    (knowledge_copy / ADDED_ENTRIES).write_bytes(b"theme: fine\nentries:\n  - id: \xff\xfe\x00junk\n")

    problems = validate_knowledge(knowledge_copy)

    assert [str(problem) for problem in problems] == [
        f"{knowledge_copy / ADDED_ENTRIES}:3: not UTF-8 text (byte 0xff); save the file as UTF-8"
    ]


def test_stray_yaml_file_is_reported(knowledge_copy: Path) -> None:
    """An entries file dropped at the top level is flagged, not silently ignored."""
    shutil.copy(knowledge_copy / "entries/01-image-and-reality.yaml", knowledge_copy / "new-entries.yaml")

    problems = validate_knowledge(knowledge_copy)

    assert len(problems) == 1
    assert problems[0].path.name == "new-entries.yaml"
    assert problems[0].message.startswith("not a knowledge file; entries belong in entries/")


def test_missing_folder_is_one_clear_problem(tmp_path: Path) -> None:
    """Pointing the validator at a folder that does not exist gives one problem, not a crash."""
    problems = validate_knowledge(tmp_path / "nowhere")

    assert [problem.message for problem in problems] == ["not a folder: point this at the knowledge folder"]


def test_missing_essay_is_reported(knowledge_copy: Path) -> None:
    """Without essay.yaml the validator says the file is missing."""
    (knowledge_copy / "essay.yaml").unlink()

    problems = validate_knowledge(knowledge_copy)

    assert [str(problem) for problem in problems] == [f"{knowledge_copy}/essay.yaml: file not found"]


@pytest.mark.parametrize(
    ("answer", "questions"),
    [
        ("Yes. China is the predominant partner.", ["is china stronger", "does china lead", "is russia weaker"]),
        ("China. It is the predominant partner.", ["who leads", "which side is stronger", "who is on top"]),
        ("Dr. Saleem says China is the predominant partner.", ["who leads", "what does it say", "tell me"]),
    ],
)
def test_a_short_verdict_that_fits_every_phrasing_is_valid(
    knowledge_copy: Path, answer: str, questions: list[str]
) -> None:
    """ "Yes." is fine when every phrasing is a yes/no question, a name when every one asks who or which."""
    broken = (BROKEN / "bare-verdict.yaml").read_text(encoding="utf-8")
    listed = "\n".join(f"      - {question}" for question in questions)
    text = broken.split("    questions:\n")[0] + f"    questions:\n{listed}\n    answer: {answer}\n"
    text += "    citations:\n      - paragraph: 4\n        quote: China is the predominant partner\n"
    (knowledge_copy / ADDED_ENTRIES).write_text(text, encoding="utf-8")

    assert validate_knowledge(knowledge_copy) == []


def test_the_eval_may_outgrow_the_knowledge_files_limit_but_not_its_own(knowledge_copy: Path) -> None:
    """The eval gains blind batches every session: it may be larger than a knowledge file, within a limit of its own."""
    path = knowledge_copy / "eval.yaml"
    knowledge = load_knowledge(knowledge_copy)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("#" * MAX_FILE_BYTES + "\n")

    assert load_eval(path, knowledge).parts
    with path.open("ab") as handle:
        handle.truncate(MAX_EVAL_BYTES + 1)
    with pytest.raises(KnowledgeError) as refused:
        load_eval(path, knowledge)
    assert [problem.message for problem in refused.value.problems] == [
        f"file is {MAX_EVAL_BYTES + 1:,} bytes; knowledge files are limited to {MAX_EVAL_BYTES:,}"
    ]
