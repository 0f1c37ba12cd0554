"""The maintainers' commands of ``python -m bot``: eval, calibrate, gaps, learn and migrate."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.cli import APPLY_FROM_LOG, load_or_say_why, print_problems
from bot.config import load_settings
from bot.core.calibration import to_yaml
from bot.core.evaluation import EvalSet, PartResult, Wrapped, calibrate, load_eval, run_eval
from bot.core.gaps import Asked, group_gaps
from bot.core.learning import (
    NOT_ANSWERED,
    PHRASING,
    Pick,
    Proposal,
    Rating,
    Vote,
    propose,
)
from bot.core.loader import (
    CALIBRATION_FILE,
    EVAL_FILE,
    KnowledgeError,
    display_path,
    load_knowledge,
)
from bot.core.matcher import ANSWERING, Matcher
from bot.core.model import KnowledgeBase
from bot.core.proposals import apply_proposals, preview, proposals_yaml, read_proposals
from bot.storage import QuestionLog, is_url, open_question_log, sqlite_path

MOST_SHOWN = 8  # calibrate shows this many of the pairs, and of the words each way, that weigh most


def _load_eval(knowledge: KnowledgeBase, directory: Path | None, eval_file: Path | None = None) -> EvalSet | None:
    path = eval_file or (directory or load_settings().knowledge_dir) / EVAL_FILE
    try:
        return load_eval(path, knowledge)
    except KnowledgeError as error:
        print_problems(error, str(display_path(path)))
        return None


def calibrate_command(directory: Path | None) -> int:
    """Fit the calibration on the tune part, write it into the knowledge folder, and show its weights."""
    knowledge = load_or_say_why(directory, with_calibration=False)
    evalset = _load_eval(knowledge, directory) if knowledge is not None else None
    if knowledge is None or evalset is None:
        return 1
    try:
        calibration = calibrate(knowledge, evalset)
    except ValueError as error:
        print(f"Cannot calibrate: {error}.", file=sys.stderr)
        return 1
    target = (directory or load_settings().knowledge_dir) / CALIBRATION_FILE
    target.write_text(to_yaml(calibration), encoding="utf-8")
    likely = f"{calibration.threshold:.0%}"
    print(f"wrote {display_path(target)}: answer when the best entry is at least {likely} likely to be right")
    for name, weight in sorted(calibration.weights.items(), key=lambda item: -abs(item[1])):
        print(f"  {name:11} {weight:+.2f}")
    strongest = sorted(calibration.together.items(), key=lambda item: -abs(item[1]))[:MOST_SHOWN]
    pairs = (f"{first} × {second} {weight:+.2f}" for (first, second), weight in strongest)
    print(f"two signals together, weighing most: {', '.join(pairs)}")
    ranked = sorted(calibration.words, key=calibration.words.__getitem__)
    print(f"words (as read, stemmed) most against an answer: {', '.join(ranked[:MOST_SHOWN])}")
    print(f"most for one: {', '.join(reversed(ranked[-MOST_SHOWN:]))}")
    return 0


def eval_command(directory: Path | None, eval_file: Path | None, part: str | None = None, jobs: int = 1) -> int:
    knowledge = load_or_say_why(directory)
    if knowledge is None:
        return 1
    evalset = _load_eval(knowledge, directory, eval_file)
    if evalset is None:
        return 1
    if part is not None:
        evalset = EvalSet(evalset.thresholds, {part: evalset.parts[part]})
    results = run_eval(Matcher(knowledge), evalset, jobs)
    for result in results:
        _print_part(result)
    thresholds = evalset.thresholds
    passed = all(result.passes(thresholds) for result in results)
    accuracy, rejection = thresholds["in_scope_accuracy"], thresholds["out_of_scope_rejection"]
    verdict = "PASS" if passed else "FAIL"
    limits = (
        f"in-scope accuracy ≥ {accuracy:.0%}, out-of-scope rejection ≥ {rejection:.0%}; "
        f"in chat manners: at most {thresholds['wrapped_in_scope_drop']:.1%} lower in scope and "
        f"{thresholds['wrapped_out_of_scope_answered']:.0f} answered that should not be; "
        f"in context: at most {thresholds['context_in_scope_drop']:.1%} lower and "
        f"{thresholds['context_out_of_scope_answered']:.1%} answered; "
        f"follow-ups ≥ {thresholds['follow_up_accuracy']:.0%}"
    )
    print(f"\nthresholds, in every part: {limits}: {verdict}")
    return 0 if passed else 1


def _print_part(result: PartResult) -> None:
    print(
        f"{result.name:8} in-scope {result.in_scope_right}/{result.in_scope} ({result.accuracy:.1%})   "
        f"out-of-scope declined {result.out_of_scope_declined}/{result.out_of_scope} ({result.rejection:.1%})"
    )
    _print_wrapped("in chat manners", result.wrapped)
    _print_wrapped("in context", result.in_context)
    print(
        f"{'':8} conversations: follow-ups right {result.follow_ups_right}/{result.follow_ups} "
        f"({result.follow_up_accuracy:.1%})"
    )
    answering = {reason.value for reason in ANSWERING}
    for label, wanted in (("answered by", True), ("declined by", False)):
        counts = [(reason, count) for reason, count in _by_count(result.reasons) if (reason in answering) == wanted]
        print(f"{'':8} {label}: " + ", ".join(f"{reason} {count}" for reason, count in counts))
    for miss in result.all_misses:
        print(f"    miss: {miss.question!r}: expected {miss.expected}, got {miss.got} (score {miss.score:.1f})")


def _print_wrapped(label: str, wrapped: Wrapped) -> None:
    talk = f", small talk answered {wrapped.small_talk_answered}/{wrapped.small_talk}" if wrapped.small_talk else ""
    print(
        f"{'':8} {label}: in-scope {wrapped.in_scope_right}/{wrapped.in_scope} ({wrapped.accuracy:.1%}, "
        f"{wrapped.drop:.1%} below bare)   out-of-scope answered {wrapped.out_of_scope_answered}/"
        f"{wrapped.out_of_scope}{talk}"
    )


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def gaps_command(stub: bool, as_json: bool, limit: int, log: str | None, directory: Path | None) -> int:
    """Print the gaps report, its groups as JSON, or a proposals file for the top gaps, from the question log."""
    records = _records_from(log)
    if isinstance(records, int):
        return records
    knowledge = load_or_say_why(directory)
    if knowledge is None:
        return 1
    matcher = Matcher(knowledge)
    gaps = group_gaps(records.declined, matcher)[:limit]
    if as_json:
        for gap in gaps:
            item = {"question": gap.example, "count": gap.count, "best_entry": gap.best_entry, "examples": gap.wordings}
            print(json.dumps(item, ensure_ascii=False))
        return 0
    if stub:
        print(proposals_yaml(propose(matcher, records.declined, records.picks, [])[:limit]), end="")
        return 0
    print("Most asked, not answered:")
    for gap in gaps:
        near = f"; closest: {gap.best_entry} ({gap.best_score:.0f})" if gap.best_entry else ""
        print(f"  {gap.count:4}×  {gap.example}{near}")
        for wording in gap.wordings[1:4]:
            print(f"         also: {wording}")
    if not gaps:
        print("  nothing yet")
    print("\nAnswers with the most 👎:")
    for rating in [rating for rating in records.ratings if rating.unhelpful][:limit]:
        print(f"  {rating.entry_id}: 👎 {rating.unhelpful}, 👍 {rating.helpful}")
    print("\n`python -m bot learn` turns these, and what members picked, into proposals.")
    return 0


@dataclass(frozen=True, slots=True)
class _Records:
    declined: list[Asked]
    picks: list[Pick]
    votes: list[Vote]
    ratings: list[Rating]


def _records_from(log: str | None) -> _Records | int:
    """What the log holds, or the exit status: 0 when nothing was recorded yet, 1 when it can't be read."""
    location = log or load_settings().question_log
    if _not_recorded_yet(location):
        return 0
    return _read_log(location) or 1


def _not_recorded_yet(location: str | Path) -> bool:
    """True, having said so, when ``location`` is a file that does not exist yet."""
    if is_url(location) or sqlite_path(location).is_file():
        return False
    print(f"No questions recorded yet ({display_path(sqlite_path(location))} does not exist).")
    return True


def _read_log(location: str | Path) -> _Records | None:
    """Everything the log holds for the reports; None, having said why in one line, when it can't be read."""
    try:
        return asyncio.run(_read_records(location))
    except Exception as error:
        print(f"Could not read the question log ({type(error).__name__}: {error}).", file=sys.stderr)
        return None


async def _read_records(location: str | Path) -> _Records:
    log = open_question_log(location)
    try:
        return _Records(await log.unanswered(), await log.picks(), await log.votes(), await log.ratings())
    finally:
        await log.close()


def learn_command(
    log: str | None, directory: Path | None, out: Path | None, apply: str | None, only: list[int] | None
) -> int:
    """List the proposals the log supports (with what the eval does with them), and apply them if asked."""
    folder = directory or load_settings().knowledge_dir
    knowledge = load_or_say_why(folder)
    if knowledge is None or _load_eval(knowledge, folder) is None:
        return 1
    if apply not in (None, APPLY_FROM_LOG):
        return _apply_file(folder, Path(apply))
    records = _records_from(log)
    if isinstance(records, int):
        return records
    proposals = propose(Matcher(knowledge), records.declined, records.picks, records.votes)
    if out is not None:
        out.write_text(proposals_yaml(proposals), encoding="utf-8")
    if apply is None:
        return _list_proposals(folder, proposals, out)
    if only:
        chosen = [proposals[number - 1] for number in only if 1 <= number <= len(proposals)]
    else:
        chosen = [proposal for proposal in proposals if proposal.confirmed]
    return _apply(folder, chosen)


def _apply_file(folder: Path, path: Path) -> int:
    """Apply a reviewed proposals file; a malformed one is reported with its lines and nothing is written."""
    try:
        proposals = read_proposals(path)
    except KnowledgeError as error:
        print_problems(error, str(display_path(path)))
        return 1
    return _apply(folder, proposals)


def _list_proposals(folder: Path, proposals: list[Proposal], out: Path | None) -> int:
    if not proposals:
        print("Nothing to propose yet: no picks, no 👎 on answers, no declined questions.")
        return 0
    print(f"{len(proposals)} proposals (measuring each with the eval…)\n", flush=True)
    notes = preview(folder, proposals, _eval_loader)
    for number, (proposal, note) in enumerate(zip(proposals, notes, strict=True), 1):
        mark = "" if proposal.confirmed else "  (a guess: confirm it by number)"
        print(f"{number:3}. {_describe(proposal)}{mark}")
        print(f"       {proposal.evidence}; {note}")
    confirmed = sum(proposal.confirmed for proposal in proposals)
    print(f"\n`learn --apply` writes the {confirmed} confirmed by members; `learn --apply --only N …` chosen ones.")
    if out is not None:
        print(f"Wrote them to {display_path(out)}: review it, then `learn --apply {display_path(out)}`.")
    return 0


def _describe(proposal: Proposal) -> str:
    question = proposal.questions[0] if proposal.questions else ""
    if proposal.kind == PHRASING:
        return f"add the phrasing {question!r} to {proposal.entry_id}"
    if proposal.kind == NOT_ANSWERED:
        return f"add {question!r} to {proposal.entry_id}'s not_answered"
    return f"a new entry {proposal.entry_id} for {question!r}"


def _eval_loader(folder: Path) -> EvalSet:
    return load_eval(folder / EVAL_FILE, load_knowledge(folder))


def _apply(folder: Path, proposals: list[Proposal]) -> int:
    if not proposals:
        print("Nothing to apply.")
        return 0
    print(f"Applying {len(proposals)} proposals: validating and running the eval before and after…\n", flush=True)
    outcome = apply_proposals(folder, proposals, _eval_loader)
    for refusal in outcome.refused:
        print(f"  not written: {_describe(refusal.proposal)}: {refusal.reason}")
    print("\neval before:")
    for result in outcome.before:
        _print_part_line(result)
    if outcome.after:
        print("eval after:")
        for result in outcome.after:
            _print_part_line(result)
    for path in outcome.written:
        print(f"wrote {display_path(path)}")
    print(f"\n{len(outcome.applied)} written, {len(outcome.refused)} not written.")
    return 0 if outcome.applied or not outcome.refused else 1


def _print_part_line(result: PartResult) -> None:
    print(
        f"  {result.name:8} in-scope {result.in_scope_right}/{result.in_scope} ({result.accuracy:.1%})   "
        f"out-of-scope declined {result.out_of_scope_declined}/{result.out_of_scope} ({result.rejection:.1%})"
    )


def migrate_command(log: str | None) -> int:
    """Open the question log, which applies any migration it lacks, and say which version it is at."""
    location = log or load_settings().question_log
    try:
        version = asyncio.run(_migrate(location))
    except Exception as error:
        print(f"Could not migrate the question log ({type(error).__name__}: {error}).", file=sys.stderr)
        return 1
    print(f"The question log is at schema version {version}.")
    return 0


async def _migrate(location: str | Path) -> int:
    log: QuestionLog = open_question_log(location)
    try:
        await log.open()
        return await log.version()
    finally:
        await log.close()


def run(args: argparse.Namespace) -> int:
    """The maintainers' command ``args`` names, as parsed by bot.cli."""
    commands: dict[str, Callable[[], int]] = {
        "eval": lambda: eval_command(args.knowledge, args.file, args.part, args.jobs),
        "gaps": lambda: gaps_command(args.stub, args.json, args.limit, args.log, args.knowledge),
        "learn": lambda: learn_command(args.log, args.knowledge, args.out, args.apply, args.only),
        "calibrate": lambda: calibrate_command(args.knowledge),
        "migrate": lambda: migrate_command(args.log),
    }
    return commands[args.command]()
