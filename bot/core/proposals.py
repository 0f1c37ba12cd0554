"""Proposals as a file a maintainer reviews, and applying them to the knowledge files safely.

The file is plain YAML (``learn --out``, ``gaps --stub``, or the download of ``/kb gaps``); applying it
edits the entries files through a round-trip YAML writer, so comments, order and layout stay as
they were. Nothing is written until the changed knowledge base validates and the eval passes every
threshold it passed before; a proposal that breaks either is reported and left out.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from bot.core.checks import FileChecks, Limit, Problem
from bot.core.evaluation import EvalSet, Miss, PartResult, run_eval
from bot.core.learning import NEW_ENTRY, NOT_ANSWERED, PHRASING, Proposal
from bot.core.loader import ENTRIES_DIR, KnowledgeError, display_path, load_knowledge, validate_knowledge
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase
from bot.core.yamlio import YamlList, YamlMap, YamlProblem, parse_yaml, read_limited

COMMUNITY_FILE = "90-from-the-community.yaml"
COMMUNITY_THEME = "Questions from the community"
TODO = "TODO"
FOLDED = frozenset({"answer", "quote"})  # written as ``>-`` blocks in the shipped files
FOLD_AT = 96
GATE_ROUNDS = 3  # how often a refused proposal is taken out and the rest measured again
TEXT = Limit(1024, "a proposal holds one question or one entry's text")
HEADER = """\
Proposals for the knowledge base, from what members asked, picked and voted on.
Review them: delete what you do not want, fill in every TODO, then run
  python -m bot learn --apply THIS_FILE
phrasings: add the question to the entry's questions. not_answered: add it to the entry's
not_answered (the essay does not answer it). entries: new entries, to write from the essay.
Nothing is written unless the knowledge base still validates and the eval still passes.
"""
_SECTIONS = {PHRASING: "phrasings", NOT_ANSWERED: "not_answered", NEW_ENTRY: "entries"}


def round_trip_yaml() -> YAML:
    """The round-trip writer, set to the shipped files' layout (they round-trip byte for byte)."""
    writer = YAML()
    writer.preserve_quotes = True
    writer.width = 4096
    writer.indent(mapping=2, sequence=4, offset=2)
    return writer


# -- the proposals file ---------------------------------------------------------


def proposals_yaml(proposals: Iterable[Proposal]) -> str:
    """The proposals as a file to review; new entries are skeletons in the shipped entries' layout."""
    document = CommentedMap()
    for proposal in proposals:
        section = document.setdefault(_SECTIONS[proposal.kind], CommentedSeq())
        section.append(_as_item(proposal))
    document.yaml_set_start_comment(HEADER)
    out = io.StringIO()
    round_trip_yaml().dump(document if document else {"phrasings": []}, out)
    return out.getvalue()


def _as_item(proposal: Proposal) -> CommentedMap:
    if proposal.kind != NEW_ENTRY:
        return CommentedMap(entry=proposal.entry_id, question=proposal.questions[0], evidence=proposal.evidence)
    return CommentedMap(
        id=proposal.entry_id,
        title=f"{TODO}: a short title",
        questions=CommentedSeq(proposal.questions),
        answer=_folded(f"{TODO}: one to three sentences, faithful to the essay ({proposal.evidence})"),
        citations=CommentedSeq(
            [CommentedMap(paragraph=1, quote=f"{TODO}: copy the passage word for word from essay.yaml")]
        ),
    )


def read_proposals(path: Path) -> list[Proposal]:
    """The proposals in a reviewed file; raises KnowledgeError with file:line for anything malformed."""
    problems: list[Problem] = []
    checks = FileChecks(path, display_path(path), problems)
    try:
        data = parse_yaml(read_limited(path))
    except YamlProblem as error:
        raise KnowledgeError([Problem(display_path(path), error.line, error.message)]) from None
    except OSError as error:
        raise KnowledgeError(
            [Problem(display_path(path), 0, f"cannot read the file ({error.strerror or error})")]
        ) from None
    document = checks.mapping(data, 1, "a proposals file")
    proposals: list[Proposal] = []
    if document is not None and checks.fields(document, "a proposals file", (), tuple(_SECTIONS.values())):
        for kind, section in _SECTIONS.items():
            if section in document:
                for item, line in checks.list_of(document, section, "a proposals file"):
                    proposals += _read_item(checks, kind, item, line)
    if problems:
        raise KnowledgeError(problems)
    return proposals


def _read_item(checks: FileChecks, kind: str, item: Any, line: int) -> list[Proposal]:
    what = f"a proposal under {_SECTIONS[kind]}"
    data = checks.mapping(item, line, what)
    if data is None:
        return []
    if kind == NEW_ENTRY:
        # The entry is checked as every entry is, by the validator, once it is in place.
        entry_id = checks.text(data, "id", what, TEXT) if "id" in data else None
        if entry_id is None:
            checks.add(data.line, f'{what} is missing the field "id"')
            return []
        return [Proposal(NEW_ENTRY, entry_id, (), 1, "", confirmed=True, entry=dict(data))]
    if not checks.fields(data, what, ("entry", "question"), ("evidence",)):
        return []
    entry_id = checks.text(data, "entry", what, TEXT)
    question = checks.text(data, "question", what, TEXT)
    if entry_id is None or question is None:
        return []
    return [Proposal(kind, entry_id, (question,), 1, str(data.get("evidence", "")), confirmed=True)]


# -- writing into the knowledge files ---------------------------------------------


def edited_files(directory: Path, proposals: Sequence[Proposal]) -> dict[Path, str]:
    """The new text of every entries file the proposals change (relative paths), nothing written yet.

    Raises KeyError naming an entry that no file holds.
    """
    writer = round_trip_yaml()
    documents: dict[Path, Any] = {}
    where: dict[str, tuple[Path, Any]] = {}
    for path in sorted((directory / ENTRIES_DIR).glob("*.yaml")):
        relative = path.relative_to(directory)
        document = writer.load(path.read_text(encoding="utf-8"))
        documents[relative] = document
        for entry in (document or {}).get("entries") or ():
            where[str(entry.get("id"))] = (relative, entry)
    changed: set[Path] = set()
    for proposal in proposals:
        if proposal.kind == NEW_ENTRY:
            relative = Path(ENTRIES_DIR) / COMMUNITY_FILE
            document = documents.setdefault(relative, _community_document())
            _append(document["entries"], _entry_map(proposal), blank_line=True)
        else:
            if proposal.entry_id not in where:
                raise KeyError(proposal.entry_id)
            relative, entry = where[proposal.entry_id]
            _add_question(entry, "questions" if proposal.kind == PHRASING else "not_answered", proposal.questions[0])
        changed.add(relative)
    texts = {}
    for relative in sorted(changed):
        out = io.StringIO()
        writer.dump(documents[relative], out)
        texts[relative] = out.getvalue()
    return texts


def _community_document() -> CommentedMap:
    document = CommentedMap(theme=COMMUNITY_THEME, entries=CommentedSeq())
    document.yaml_set_start_comment("yaml-language-server: $schema=../schema/entries.schema.json")
    return document


def _entry_map(proposal: Proposal) -> CommentedMap:
    """A new entry in the shipped layout: as written out in a proposals file, else its skeleton."""
    if proposal.entry is None:
        return _as_item(proposal)
    entry: CommentedMap = _plain(proposal.entry)
    return entry


def _plain(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return CommentedMap((name, _plain(item, str(name))) for name, item in value.items())
    if isinstance(value, list):
        return CommentedSeq(_plain(item) for item in value)
    if isinstance(value, str) and key in FOLDED and len(value) > FOLD_AT:
        return _folded(value)
    return value


def _folded(text: str) -> FoldedScalarString:
    """``text`` as a ``>-`` block wrapped near FOLD_AT characters, as the shipped answers and quotes are."""
    folded: FoldedScalarString = FoldedScalarString(text)
    positions: list[int] = []
    start = 0
    while len(text) - start > FOLD_AT:
        space = text.rfind(" ", start, start + FOLD_AT)
        if space <= start:
            break
        positions.append(space)
        start = space + 1
    # Where a ``>-`` block breaks its lines: an attribute ruamel reads but its type hints don't declare.
    folded.fold_pos = positions  # type: ignore[attr-defined]
    return folded


def _add_question(entry: CommentedMap, key: str, question: str) -> None:
    """Append ``question`` to the entry's list ``key``, in the quoting its neighbours use."""
    if key not in entry:
        # Right after the phrasings, where the shipped entries keep it.
        entry.insert(list(entry).index("questions") + 1, key, CommentedSeq())
    items = entry[key]
    last = items[-1] if items else None
    style = type(last) if isinstance(last, DoubleQuotedScalarString | SingleQuotedScalarString) else str
    _append(items, style(question))


def _append(items: CommentedSeq, value: Any, *, blank_line: bool = False) -> None:
    """Append to a round-trip list, keeping the blank lines and comments that followed its last item after it."""
    last = len(items) - 1
    items.append(value)
    comment = items.ca.items.get(last)
    token = comment[0] if comment else None
    if isinstance(token, CommentToken):
        head, newline, rest = token.value.partition("\n")
        if rest:
            token.value = head + newline
            items.ca.items[last + 1] = [CommentToken(rest, CommentMark(0), None), None, None, None]
    if blank_line and last >= 0:
        items.ca.items.setdefault(last + 1, [None, None, None, None])[1] = [CommentToken("\n", CommentMark(0), None)]


# -- applying, with validation and the eval as the gate ---------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    proposal: Proposal
    reason: str


@dataclass(slots=True)
class Outcome:
    """What applying did: what was written, what was refused and why, and the eval before and after."""

    applied: list[Proposal] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    before: list[PartResult] = field(default_factory=list)
    after: list[PartResult] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


EvalFor = Callable[[Path], EvalSet]


def apply_proposals(directory: Path, proposals: Sequence[Proposal], eval_for: EvalFor) -> Outcome:
    """Write ``proposals`` into ``directory`` if the result validates and passes what the eval passed before.

    ``eval_for`` loads the eval set that judges a knowledge folder (usually its own eval.yaml).
    """
    outcome = Outcome()
    knowledge = load_knowledge(directory)
    evalset = eval_for(directory)
    outcome.before = run_eval(Matcher(knowledge), evalset)
    failing = _failures(outcome.before, evalset.thresholds)
    remaining = _admissible(knowledge, proposals, outcome)
    with tempfile.TemporaryDirectory(prefix="learn-") as scratch:
        trial = Path(scratch) / "knowledge"
        for _ in range(GATE_ROUNDS + 1):
            remaining = _valid(directory, trial, remaining, outcome)
            if not remaining:
                return outcome
            knowledge = load_knowledge(trial)
            after = run_eval(Matcher(knowledge), eval_for(trial))
            broken = _failures(after, evalset.thresholds) - failing
            if not broken:
                outcome.after = after
                outcome.applied = remaining
                outcome.written = _commit(directory, remaining)
                return outcome
            culprits = _culprits(remaining, outcome.before, after)
            if not culprits:
                culprits = set(range(len(remaining)))
            reason = f"the eval would fail {', '.join(sorted(broken))}"
            outcome.refused += [Refusal(remaining[index], reason) for index in sorted(culprits)]
            remaining = [proposal for index, proposal in enumerate(remaining) if index not in culprits]
    return outcome


def preview(directory: Path, proposals: Sequence[Proposal], eval_for: EvalFor) -> list[str]:
    """What applying each proposal would do, in words: refused (and why), or the eval misses it fixes and causes."""
    outcome = Outcome()
    knowledge = load_knowledge(directory)
    before = run_eval(Matcher(knowledge), eval_for(directory))
    measurable = _admissible(knowledge, proposals, outcome)
    with tempfile.TemporaryDirectory(prefix="learn-") as scratch:
        trial = Path(scratch) / "knowledge"
        valid = _valid(directory, trial, measurable, outcome)
        after = run_eval(Matcher(load_knowledge(trial)), eval_for(trial)) if valid else before
    found = {id(proposal): effect for proposal, effect in zip(valid, effects(valid, before, after), strict=True)}
    refused = {id(refusal.proposal): refusal.reason for refusal in outcome.refused}
    notes = []
    for proposal in proposals:
        if id(proposal) in refused:
            notes.append(f"invalid: {refused[id(proposal)]}")
        else:
            fixed, caused = found[id(proposal)]
            notes.append(f"eval: fixes {fixed}, causes {caused}")
    return notes


def _admissible(knowledge: KnowledgeBase, proposals: Sequence[Proposal], outcome: Outcome) -> list[Proposal]:
    """The proposals that can be tried at all; the others refused: stubs still to write, unknown entries."""
    admissible = []
    for proposal in proposals:
        if proposal.kind == NEW_ENTRY and TODO in str(proposal.entry or TODO):
            outcome.refused.append(Refusal(proposal, "a new entry is for a maintainer to write: fill in its TODOs"))
        elif proposal.kind != NEW_ENTRY and knowledge.entry(proposal.entry_id) is None:
            outcome.refused.append(Refusal(proposal, f"no entry has the id {proposal.entry_id!r}"))
        else:
            admissible.append(proposal)
    return admissible


def _failures(results: list[PartResult], thresholds: dict[str, float]) -> set[str]:
    return {f"{result.name} {name}" for result in results for name in result.failures(thresholds)}


def _valid(directory: Path, trial: Path, proposals: list[Proposal], outcome: Outcome) -> list[Proposal]:
    """The proposals that validate together, written into a fresh copy at ``trial``; the rest refused.

    A problem on a line a proposal wrote refuses that proposal; a problem elsewhere in an entry is
    narrowed down by trying that entry's proposals one by one.
    """
    kept = list(proposals)
    for narrowing in (_by_line, _by_entry):
        problems = _try(directory, trial, kept)
        if not problems:
            return kept
        refused = narrowing(directory, trial, kept, problems)
        outcome.refused += [Refusal(kept[index], reason) for index, reason in sorted(refused.items())]
        kept = [proposal for index, proposal in enumerate(kept) if index not in refused]
    if _try(directory, trial, kept):
        outcome.refused += [Refusal(proposal, "conflicts with the other proposals") for proposal in kept]
        return []
    return kept


def _try(directory: Path, trial: Path, proposals: list[Proposal]) -> list[Problem]:
    """Write the proposals into a fresh copy at ``trial``; the validator's problems with it (none: valid)."""
    if trial.exists():
        shutil.rmtree(trial)
    shutil.copytree(directory, trial)
    texts = edited_files(trial, proposals)
    for relative, text in texts.items():
        (trial / relative).write_text(text, encoding="utf-8")
    return validate_knowledge(trial)


def _by_line(directory: Path, trial: Path, proposals: list[Proposal], problems: list[Problem]) -> dict[int, str]:
    """Proposals refused because a problem sits on the very line they wrote."""
    spots = {(problem.path.name, problem.line): _reason(problem) for problem in problems}
    written = _written_lines(trial, proposals)
    return {index: spots[spot] for index, spot in written.items() if spot in spots}


def _by_entry(directory: Path, trial: Path, proposals: list[Proposal], problems: list[Problem]) -> dict[int, str]:
    """Proposals refused by trying, one by one, those about an entry whose lines hold a problem."""
    suspects = _entries_with_problems(trial, problems)
    refused: dict[int, str] = {}
    kept = [proposal for proposal in proposals if proposal.entry_id not in suspects]
    for index, proposal in enumerate(proposals):
        if proposal.entry_id not in suspects:
            continue
        found = _try(directory, trial, [*kept, proposal])
        if found:
            refused[index] = _reason(found[0])
        else:
            kept.append(proposal)
    return refused


def _reason(problem: Problem) -> str:
    return f"{problem.message} ({problem.path.name}:{problem.line})" if problem.line else problem.message


def _written_lines(trial: Path, proposals: list[Proposal]) -> dict[int, tuple[str, int]]:
    """For each proposal, the file name and line its question (or new entry) ended up on in ``trial``."""
    places: dict[str, tuple[str, YamlMap]] = {}
    for path in (trial / ENTRIES_DIR).glob("*.yaml"):
        document = parse_yaml(path.read_bytes())
        for entry in document.get("entries") or () if isinstance(document, YamlMap) else ():
            if isinstance(entry, YamlMap):
                places[str(entry.get("id"))] = (path.name, entry)
    lines: dict[int, tuple[str, int]] = {}
    for index, proposal in enumerate(proposals):
        if proposal.entry_id not in places:
            continue
        name, entry = places[proposal.entry_id]
        key = {PHRASING: "questions", NOT_ANSWERED: "not_answered"}.get(proposal.kind)
        items = entry.get(key) if key else None
        if isinstance(items, YamlList) and proposal.questions and proposal.questions[0] in items:
            position = len(items) - 1 - items[::-1].index(proposal.questions[0])
            lines[index] = (name, items.item_lines[position])
        else:
            lines[index] = (name, entry.line)
    return lines


def _entries_with_problems(trial: Path, problems: list[Problem]) -> set[str]:
    """The ids of the entries whose lines hold one of ``problems``."""
    suspects = set()
    for path in (trial / ENTRIES_DIR).glob("*.yaml"):
        lines = {problem.line for problem in problems if problem.path.name == path.name}
        if not lines:
            continue
        document = parse_yaml(path.read_bytes())
        entries = [entry for entry in document.get("entries") or () if isinstance(entry, YamlMap)]
        starts = [entry.line for entry in entries] + [10**9]
        for entry, start, end in zip(entries, starts, starts[1:], strict=False):
            if any(start <= line < end for line in lines):
                suspects.add(str(entry.get("id")))
    return suspects


def _culprits(proposals: list[Proposal], before: list[PartResult], after: list[PartResult]) -> set[int]:
    """The proposals about the entries that the eval's new misses expected or got."""
    old = {(result.name, miss) for result in before for miss in result.all_misses}
    new = [miss for result in after for miss in result.all_misses if (result.name, miss) not in old]
    involved = {entry_id for miss in new for entry_id in _entries_of(miss)}
    return {index for index, proposal in enumerate(proposals) if proposal.entry_id in involved}


def _entries_of(miss: Miss) -> set[str]:
    return {*miss.expected.split(" or "), miss.got}


def _commit(directory: Path, proposals: list[Proposal]) -> list[Path]:
    texts = edited_files(directory, proposals)
    for relative, text in texts.items():
        (directory / relative).write_text(text, encoding="utf-8")
    return [directory / relative for relative in texts]


def effects(proposals: Sequence[Proposal], before: list[PartResult], after: list[PartResult]) -> list[tuple[int, int]]:
    """For each proposal, the eval's misses it fixes and the ones it causes, when all are applied together.

    A changed result is put down to the proposal about one of its entries whose question is closest to it.
    """
    old = {(result.name, miss.question) for result in before for miss in result.all_misses}
    now = {(result.name, miss.question) for result in after for miss in result.all_misses}
    tally = [[0, 0] for _ in proposals]
    changed = [(miss, 0) for result in before for miss in result.all_misses if (result.name, miss.question) not in now]
    changed += [(miss, 1) for result in after for miss in result.all_misses if (result.name, miss.question) not in old]
    for miss, side in changed:
        involved = _entries_of(miss)
        candidates = [index for index, proposal in enumerate(proposals) if proposal.entry_id in involved]
        if candidates:
            closest = max(
                candidates,
                key=lambda index: fuzz.token_set_ratio(
                    miss.question, proposals[index].questions[0] if proposals[index].questions else ""
                ),
            )
            tally[closest][side] += 1
    return [(fixed, caused) for fixed, caused in tally]
