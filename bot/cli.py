"""``python -m bot``: validate the knowledge base, ask it questions, chat with it, evaluate the matcher."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from bot.config import SettingsError, load_settings
from bot.core.calibration import to_yaml
from bot.core.conversation import Conversation
from bot.core.evaluation import PARTS, EvalSet, PartResult, Wrapped, calibrate, load_eval, run_eval
from bot.core.gaps import Gap, group_gaps, stub_yaml
from bot.core.loader import CALIBRATION_FILE, EVAL_FILE, KnowledgeError, display_path, load_knowledge
from bot.core.matcher import ANSWERING, Matcher
from bot.core.model import KnowledgeBase
from bot.knowledge_store import KnowledgeStore
from bot.storage import Rating, SqliteQuestionLog
from bot.terminal import choices, render_answer, render_explanation

QUIT_WORDS = {"quit", "exit", "/quit", "/exit", "q"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="An explainer bot for one essay. Without a command: the Discord bot when DISCORD_TOKEN is set, "
        "else the terminal chat.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    knowledge_help = "knowledge folder (default: KNOWLEDGE_DIR or the shipped knowledge/)"

    commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    commands.add_parser("sync", help="log in, sync the slash commands globally now, and exit (needs DISCORD_TOKEN)")

    validate = commands.add_parser("validate", help="check the knowledge base and report every problem")
    validate.add_argument("path", nargs="?", type=Path, help=knowledge_help)

    ask = commands.add_parser("ask", help="answer one question (or, with -, one per line of standard input)")
    ask.add_argument("question", nargs="+", help='the question, or "-" to read one question per line from stdin')
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument(
        "--explain", action="store_true", help='show how it was decided (with --json: add a "reason" field)'
    )
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="with -, read conversations: consecutive lines follow up on each other, a blank line starts over",
    )
    ask.add_argument("--knowledge", type=Path, help=knowledge_help)

    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--knowledge", type=Path, help=knowledge_help)

    gaps = commands.add_parser("gaps", help="the most asked unanswered questions, and the least liked answers")
    gaps.add_argument("--stub", action="store_true", help="print YAML skeleton entries for the top gaps instead")
    gaps.add_argument("--limit", type=int, default=10, help="how many gaps (default 10)")
    gaps.add_argument("--database", type=Path, help="SQLite file (default: DATABASE_PATH)")

    evaluate = commands.add_parser("eval", help="measure the matcher on the eval set")
    evaluate.add_argument("--knowledge", type=Path, help=knowledge_help)
    evaluate.add_argument("--file", type=Path, help="eval file (default: eval.yaml in the knowledge folder)")
    evaluate.add_argument("--part", choices=PARTS, help="run only this part (tune while tuning; never tune on holdout)")

    calibrate = commands.add_parser(
        "calibrate", help="learn when the best entry is enough to answer, from the eval's tune part"
    )
    calibrate.add_argument("--knowledge", type=Path, help=knowledge_help)
    return parser


def validate_command(path: Path | None) -> int:
    """Print every problem as file:line: message; 0 when clean, 1 otherwise."""
    directory = path or load_settings().knowledge_dir
    shown = display_path(directory)
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as error:
        _print_problems(error, f"{shown}/")
        return 1
    points = knowledge.summaries.short + knowledge.summaries.full
    quotes = sum(len(item.citations) for item in (*knowledge.entries, *points))
    paragraphs = len(knowledge.essay.paragraphs)
    print(
        f"{shown}/ is valid: {len(knowledge.entries)} entries, {paragraphs} paragraphs, "
        f"{quotes} quotes verified against the essay (version {knowledge.version})"
    )
    return 0


def _print_problems(error: KnowledgeError, where: str) -> None:
    for problem in error.problems:
        print(problem)
    count = len(error.problems)
    print(f"\n{count} problem{'s' if count != 1 else ''} in {where}", file=sys.stderr)


def _load(directory: Path | None, *, with_calibration: bool = True) -> KnowledgeBase | None:
    try:
        return load_knowledge(directory or load_settings().knowledge_dir, with_calibration=with_calibration)
    except KnowledgeError as error:
        print(
            f"The knowledge base has {len(error.problems)} problem(s); `python -m bot validate` lists them.",
            file=sys.stderr,
        )
        return None


def ask_command(words: list[str], as_json: bool, explain: bool, conversation: bool, directory: Path | None) -> int:
    knowledge = _load(directory)
    if knowledge is None:
        return 1
    matcher = Matcher(knowledge)
    from_stdin = words == ["-"]
    lines: Iterable[str] = (line.rstrip("\r\n") for line in sys.stdin) if from_stdin else [" ".join(words)]
    talk = Conversation()
    printed = 0
    for question in lines:
        if conversation and from_stdin and not question.strip():
            talk = Conversation()  # a blank line ends the conversation and prints nothing
            continue
        # Every line of a conversation follows the one before it, however long it took to type.
        if conversation:
            explanation, talk = matcher.reply(question, talk, float(printed))
        else:
            explanation = matcher.explain(question)
        answer = explanation.answer
        if as_json:
            data = answer.to_json()
            if explain:
                data["reason"] = answer.reason
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            text = render_answer(answer, knowledge)
            if explain:
                text += "\n\n" + render_explanation(explanation)
            print(("\n" if printed else "") + text, flush=True)
        printed += 1
    return 0


def chat_command(directory: Path | None, stdin: TextIO = sys.stdin) -> int:
    knowledge = _load(directory)
    if knowledge is None:
        return 1
    if stdin.isatty():
        import readline  # noqa: F401, PLC0415 - line editing and history for input(), on a terminal only
    matcher = Matcher(knowledge)
    essay = knowledge.essay
    print(f'Ask me about "{essay.title}" by {essay.author}.')
    print("Type a question, a number to pick what is offered, /new to start over, /summary for a summary, or quit.\n")
    conversation = Conversation()
    offered: list[tuple[str, str]] = []
    while True:
        line = _read_line(stdin)
        if line is None or line.strip().lower() in QUIT_WORDS:
            print()
            return 0
        text = line.strip()
        if text.lower() in {"/summary", "/summary short", "/summary full"}:
            print(_summary_text(knowledge, full=text.lower().endswith("full")) + "\n")
            continue
        if text.lower() == "/new":
            conversation, offered = Conversation(), []
            print("Starting over.\n")
            continue
        if text.isdigit() and 1 <= int(text) <= len(offered):
            picked = knowledge.entry(offered[int(text) - 1][0])
            text = picked.questions[0] if picked else text
        explanation, conversation = matcher.reply(text, conversation, time.monotonic())
        offered = choices(explanation.answer, knowledge)
        print(render_answer(explanation.answer, knowledge) + "\n")


def _read_line(stdin: TextIO) -> str | None:
    """The next line typed, or None at the end of input; through input() on a terminal, for readline."""
    if stdin is sys.stdin and stdin.isatty():
        try:
            return input("you> ")
        except EOFError:
            return None
    print("you> ", end="", flush=True)
    return stdin.readline() or None


def _summary_text(knowledge: KnowledgeBase, full: bool) -> str:
    points = knowledge.summaries.full if full else knowledge.summaries.short
    lines = [f"{knowledge.essay.title}, by {knowledge.essay.author}"]
    for point in points:
        cited = ", ".join(f"¶{citation.paragraph}" for citation in point.citations)
        lines.append(f"  • {point.text} ({cited})")
    return "\n".join(lines)


def _load_eval(knowledge: KnowledgeBase, directory: Path | None, eval_file: Path | None = None) -> EvalSet | None:
    path = eval_file or (directory or load_settings().knowledge_dir) / EVAL_FILE
    try:
        return load_eval(path, knowledge)
    except KnowledgeError as error:
        _print_problems(error, str(display_path(path)))
        return None


def calibrate_command(directory: Path | None) -> int:
    """Fit the calibration on the tune part, write it into the knowledge folder, and show its weights."""
    knowledge = _load(directory, with_calibration=False)
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
        print(f"  {name:10} {weight:+.2f}")
    return 0


def eval_command(directory: Path | None, eval_file: Path | None, part: str | None = None) -> int:
    knowledge = _load(directory)
    if knowledge is None:
        return 1
    evalset = _load_eval(knowledge, directory, eval_file)
    if evalset is None:
        return 1
    if part is not None:
        evalset = EvalSet(evalset.thresholds, {part: evalset.parts[part]})
    results = run_eval(Matcher(knowledge), evalset)
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
    for miss in (*result.misses, *result.wrapped.misses, *result.in_context.misses, *result.follow_up_misses):
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


def gaps_command(stub: bool, limit: int, database: Path | None) -> int:
    """Print the gaps report, or YAML stubs for the top gaps, from the question log."""
    settings = load_settings()
    path = database or settings.question_log
    if not path.is_file():
        print(f"No question log at {path} yet: the bot records questions there once it runs.", file=sys.stderr)
        return 1
    gaps, ratings = asyncio.run(_read_log(path))
    top = gaps[:limit]
    if stub:
        knowledge = _load(None)
        taken = {entry.id for entry in knowledge.entries} if knowledge else set()
        print(stub_yaml(top, taken), end="")
        return 0
    print("Most asked, not answered:")
    for gap in top:
        print(f"  {gap.count:4}×  {gap.example}  (best match {gap.best_score:.0f})")
        for wording in gap.wordings[1:4]:
            print(f"         also: {wording}")
    if not top:
        print("  nothing yet")
    print("\nAnswers with the most 👎:")
    for rating in [rating for rating in ratings if rating.unhelpful][:limit]:
        print(f"  {rating.entry_id}: 👎 {rating.unhelpful}, 👍 {rating.helpful}")
    return 0


async def _read_log(path: Path) -> tuple[list[Gap], list[Rating]]:
    log = SqliteQuestionLog(path)
    try:
        return group_gaps(await log.unanswered()), await log.ratings()
    finally:
        await log.close()


def start_command() -> int:
    """The Discord bot when a token is configured; otherwise the terminal chat, saying why."""
    if load_settings().discord_token:
        return run_command(sync_only=False)
    print("No DISCORD_TOKEN set, so here is the terminal chat (see the README to run the Discord bot).\n")
    return chat_command(None)


def run_command(sync_only: bool) -> int:
    """Run the bot (or just sync its commands); every expected failure is one clear line and exit 1."""
    settings = load_settings()
    if not settings.discord_token:
        print("DISCORD_TOKEN is not set: put the bot's token in the environment or in a .env file.", file=sys.stderr)
        return 2
    try:
        store = KnowledgeStore.open(settings.knowledge_dir)
    except KnowledgeError as error:
        print(
            f"The knowledge base has {len(error.problems)} problem(s); `python -m bot validate` lists them.",
            file=sys.stderr,
        )
        return 1
    # Imported here so that ask, chat and validate never load discord.py.
    from bot.client import serve  # noqa: PLC0415

    return serve(settings, store, sync_only=sync_only)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands: dict[str | None, Callable[[], int]] = {
        None: start_command,
        "run": lambda: run_command(sync_only=False),
        "sync": lambda: run_command(sync_only=True),
        "validate": lambda: validate_command(args.path),
        "ask": lambda: ask_command(args.question, args.json, args.explain, args.conversation, args.knowledge),
        "chat": lambda: chat_command(args.knowledge),
        "eval": lambda: eval_command(args.knowledge, args.file, args.part),
        "gaps": lambda: gaps_command(args.stub, args.limit, args.database),
        "calibrate": lambda: calibrate_command(args.knowledge),
    }
    try:
        return commands[args.command]()
    except SettingsError as error:
        print(f"Configuration: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader left early (`… | head`); silence the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
