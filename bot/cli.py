"""``python -m bot``: validate the knowledge base, ask it questions, chat with it, evaluate the matcher."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.config import SettingsError, load_settings
from bot.core.answer import PARAGRAPH, SMALL_TALK, Answer
from bot.core.conversation import Conversation
from bot.core.evaluation import PARTS
from bot.core.learning import (
    AFTER_ANSWER,
    AFTER_DECLINE,
    AFTER_DOWNVOTE,
    Shown,
    pick_of,
    shown,
    vote_of,
    worth_recording,
)
from bot.core.loader import (
    KnowledgeError,
    display_path,
    load_knowledge,
    validate_knowledge,
)
from bot.core.matcher import Explanation, Matcher
from bot.core.model import KnowledgeBase
from bot.knowledge_store import KnowledgeStore
from bot.terminal import choices, render_answer, render_explanation

if TYPE_CHECKING:
    import asyncio

    from bot.storage import QuestionLog

QUIT_WORDS = {"quit", "exit", "/quit", "/exit", "q"}
APPLY_FROM_LOG = "-"  # ``learn --apply`` with no file: the proposals members confirmed
MAINTAINERS_COMMANDS = ("eval", "gaps", "learn", "calibrate", "migrate")  # in bot/maintenance.py


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="An explainer bot for one essay. Without a command: the Discord bot when DISCORD_TOKEN is set, "
        "else the terminal chat.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    knowledge_help = "knowledge folder (default: KNOWLEDGE_DIR or the shipped knowledge/)"
    log_help = "question log to record into and read from: an SQLite file, or a postgresql:// URL"

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
    ask.add_argument("--log", help=log_help + " (not recorded without it)")

    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--knowledge", type=Path, help=knowledge_help)
    chat.add_argument("--log", help=log_help + " (not recorded without it)")

    gaps = commands.add_parser("gaps", help="the most asked unanswered questions, and the least liked answers")
    gaps.add_argument("--stub", action="store_true", help="print a proposals file for the top gaps instead")
    gaps.add_argument("--json", action="store_true", help="print one JSON object per group of questions")
    gaps.add_argument("--limit", type=int, default=10, help="how many gaps (default 10)")
    gaps.add_argument("--log", "--database", dest="log", help=log_help + " (default: DATABASE_URL or DATABASE_PATH)")
    gaps.add_argument("--knowledge", type=Path, help=knowledge_help)

    learn = commands.add_parser(
        "learn", help="propose phrasings, not_answered lines and new entries from what members picked and voted"
    )
    learn.add_argument("--log", help=log_help + " (default: DATABASE_URL or DATABASE_PATH)")
    learn.add_argument("--knowledge", type=Path, help=knowledge_help)
    learn.add_argument("--out", type=Path, help="also write the proposals to this file, to review and apply later")
    learn.add_argument(
        "--apply",
        nargs="?",
        const=APPLY_FROM_LOG,
        metavar="FILE",
        help="write the proposals into the knowledge files: those members confirmed, or those in FILE",
    )
    learn.add_argument("--only", type=int, nargs="+", metavar="N", help="with --apply: just these numbered proposals")

    evaluate = commands.add_parser("eval", help="measure the matcher on the eval set")
    evaluate.add_argument("--knowledge", type=Path, help=knowledge_help)
    evaluate.add_argument("--file", type=Path, help="eval file (default: eval.yaml in the knowledge folder)")
    evaluate.add_argument("--part", choices=PARTS, help="run only this part (tune while tuning; never tune on holdout)")
    evaluate.add_argument(
        "--jobs",
        type=int,
        default=min(3, os.cpu_count() or 1),
        help="processes to ask the questions in (default: the cores, at most 3; 1 for one process)",
    )

    migrate = commands.add_parser("migrate", help="bring the question log's schema to this version (start-up does too)")
    migrate.add_argument("--log", help=log_help + " (default: DATABASE_URL or DATABASE_PATH)")

    calibrate = commands.add_parser(
        "calibrate", help="learn when the best entry is enough to answer, from the eval's tune part"
    )
    calibrate.add_argument("--knowledge", type=Path, help=knowledge_help)
    return parser


def validate_command(path: Path | None) -> int:
    """Print every problem as file:line: message; 0 when clean, 1 otherwise."""
    directory = path or load_settings().knowledge_dir
    shown = display_path(directory)
    problems = validate_knowledge(directory)
    if problems:
        print_problems(KnowledgeError(problems), f"{shown}/")
        return 1
    knowledge = load_knowledge(directory)
    points = knowledge.summaries.short + knowledge.summaries.full
    quotes = sum(len(entry.citations) for entry in knowledge.entries) + sum(len(point.citations) for point in points)
    paragraphs = len(knowledge.essay.paragraphs)
    print(
        f"{shown}/ is valid: {len(knowledge.entries)} entries, {paragraphs} paragraphs, "
        f"{quotes} quotes verified against the essay (version {knowledge.version})"
    )
    return 0


def print_problems(error: KnowledgeError, where: str) -> None:
    for problem in error.problems:
        print(problem)
    count = len(error.problems)
    print(f"\n{count} problem{'s' if count != 1 else ''} in {where}", file=sys.stderr)


def load_or_say_why(directory: Path | None, *, with_calibration: bool = True) -> KnowledgeBase | None:
    folder = directory or load_settings().knowledge_dir
    try:
        return load_knowledge(folder, with_calibration=with_calibration)
    except KnowledgeError as error:
        say_broken(error, folder)
        return None


def say_broken(error: KnowledgeError, folder: Path) -> None:
    """One line: how many problems, and the command that lists them for this very folder."""
    count = len(error.problems)
    print(
        f"The knowledge base in {display_path(folder)} has {count} problem{'s' if count != 1 else ''}; "
        f"`python -m bot validate {display_path(folder)}` lists them.",
        file=sys.stderr,
    )


class TerminalLog:
    """The question log as the terminal commands record into it: as the Discord bot does, in one event loop."""

    def __init__(self, location: str | Path | None) -> None:
        self._runner: asyncio.Runner | None = None
        self._log: QuestionLog | None = None
        if location is not None:
            # Imported only when recording: asyncio and the storage drivers are a sixth of `ask`'s start-up.
            import asyncio  # noqa: PLC0415

            from bot.storage import open_question_log  # noqa: PLC0415

            self._runner = asyncio.Runner()
            self._log = open_question_log(location)

    def question(self, answer: Answer) -> None:
        if self._log is not None and worth_recording(answer):
            nearest = answer.entry.id if answer.entry else None
            self._run(self._log.record_question(answer.question, None, answer.score, nearest, answer.follow_up_of))

    def pick(self, seen: Shown, entry_id: str, after: str) -> None:
        pick = pick_of(seen, entry_id, after)
        if self._log is not None and pick is not None:
            self._run(self._log.record_pick(pick, None))

    def vote(self, seen: Shown, helpful: bool) -> None:
        vote = vote_of(seen, helpful)
        if self._log is not None and vote is not None:
            self._run(self._log.record_feedback(vote, None))

    def close(self) -> None:
        if self._log is not None:
            self._run(self._log.close())
        if self._runner is not None:
            self._runner.close()

    def _run(self, step: Coroutine[Any, Any, object]) -> None:
        """Record, as the bot does: a storage failure is one line on stderr, and the chat goes on."""
        assert self._runner is not None  # only a log records, and a log comes with its runner
        try:
            self._runner.run(step)
        except Exception as error:
            print(f"(not recorded: {type(error).__name__}: {error})", file=sys.stderr)


def ask_command(
    words: list[str], *, as_json: bool, explain: bool, conversation: bool, directory: Path | None, log: str | None
) -> int:
    knowledge = load_or_say_why(directory)
    if knowledge is None:
        return 1
    matcher = Matcher(knowledge)
    from_stdin = words == ["-"]
    lines: Iterable[str] = (line.rstrip("\r\n") for line in sys.stdin) if from_stdin else [" ".join(words)]
    talk = Conversation()
    printed = 0
    recorder = TerminalLog(log)
    try:
        for question in lines:
            if conversation and from_stdin and not question.strip():
                talk = Conversation()  # a blank line ends the conversation and prints nothing
                continue
            # Every line of a conversation follows the one before it, however long it took to type.
            if conversation:
                explanation, talk = matcher.reply(question, talk, float(printed))
            else:
                explanation = matcher.explain(question)
            recorder.question(explanation.answer)
            _print_answer(explanation, knowledge, as_json, explain, first=not printed)
            printed += 1
    finally:
        recorder.close()
    return 0


def _print_answer(
    explanation: Explanation, knowledge: KnowledgeBase, as_json: bool, explain: bool, first: bool
) -> None:
    answer = explanation.answer
    if as_json:
        data = answer.to_json()
        if explain:
            data["reason"] = answer.reason
        print(json.dumps(data, ensure_ascii=False), flush=True)
        return
    text = render_answer(answer, knowledge)
    if explain:
        text += "\n\n" + render_explanation(explanation, knowledge.calibration)
    print(("" if first else "\n") + text, flush=True)


@dataclass(slots=True)
class _Chat:
    """Where a terminal chat stands: the conversation, the last answer shown, and what it offers by number."""

    conversation: Conversation = field(default_factory=Conversation)
    seen: Shown | None = None
    offered: list[tuple[str, str]] = field(default_factory=list)
    suggested: int = 0  # how many of ``offered`` are suggestions (a pick) rather than read-next
    after: str = AFTER_DECLINE
    voted: bool = False


def chat_command(directory: Path | None, log: str | None = None, stdin: TextIO = sys.stdin) -> int:
    knowledge = load_or_say_why(directory)
    if knowledge is None:
        return 1
    if stdin.isatty():
        import readline  # noqa: F401, PLC0415 - line editing and history for input(), on a terminal only
    matcher = Matcher(knowledge)
    essay = knowledge.essay
    print(f'Ask me about "{essay.title}" by {essay.author}.')
    print("Type a question, a number to pick what is offered, /new to start over, /summary for a summary, or quit.")
    if log is not None:
        print(f"Recording into {log}: /good or /bad rates the last answer.")
    print()
    recorder = TerminalLog(log)
    state = _Chat()
    try:
        while (line := _read_line(stdin)) is not None and line.strip().lower() not in QUIT_WORDS:
            _chat_turn(line.strip(), state, matcher, recorder)
    finally:
        recorder.close()
    print()
    return 0


def _chat_turn(text: str, state: _Chat, matcher: Matcher, recorder: TerminalLog) -> None:
    knowledge = matcher.knowledge
    command = text.lower()
    if command in {"/summary", "/summary short", "/summary full"}:
        print(_summary_text(knowledge, full=command.endswith("full")) + "\n")
        return
    if command == "/new":
        state.conversation, state.offered, state.suggested = Conversation(), [], 0
        print("Starting over.\n")
        return
    if command in {"/good", "/bad"}:
        _rate(command == "/good", state, matcher, recorder)
        return
    if text.isdigit() and 1 <= int(text) <= len(state.offered):
        entry_id = state.offered[int(text) - 1][0]
        if int(text) <= state.suggested and state.seen is not None:
            recorder.pick(state.seen, entry_id, state.after)
        picked = knowledge.entry(entry_id)
        text = picked.questions[0] if picked else text
    explanation, state.conversation = matcher.reply(text, state.conversation, time.monotonic())
    answer = explanation.answer
    recorder.question(answer)
    if answer.kind not in (SMALL_TALK, PARAGRAPH):
        state.seen, state.voted = shown(answer), False
        state.after = AFTER_ANSWER if answer.entry else AFTER_DECLINE
    state.offered = choices(answer, knowledge)
    state.suggested = len(answer.suggestions) if answer.kind != PARAGRAPH else 0
    print(render_answer(answer, knowledge) + "\n")


def _rate(helpful: bool, state: _Chat, matcher: Matcher, recorder: TerminalLog) -> None:
    """👍/👎 on the last answer, once; after a 👎, what else the question may have meant, to pick by number."""
    seen = state.seen
    if seen is None or seen.entry_id is None:
        print("There is no answer to rate yet.\n")
        return
    if state.voted:
        print("You already rated this answer. Thanks!\n")
        return
    state.voted = True
    recorder.vote(seen, helpful)
    alternatives = () if helpful else matcher.alternatives(seen.question, seen.entry_id)
    if not alternatives:
        print("Thanks for the feedback!\n")
        return
    state.offered = [(item.id, item.title) for item in alternatives]
    state.suggested, state.after = len(state.offered), AFTER_DOWNVOTE
    print("Thanks. Did you mean one of these instead? (type a number)")
    print("\n".join(f"  {number}. {title}" for number, (_, title) in enumerate(state.offered, 1)) + "\n")


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
        lines.append(f"  • {point.text} ({point.cited_paragraphs})")
    return "\n".join(lines)


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
        say_broken(error, settings.knowledge_dir)
        return 1
    # Imported here so that ask, chat and validate never load discord.py.
    from bot.client import serve  # noqa: PLC0415

    return serve(settings, store, sync_only=sync_only)


def _maintainers_command(args: argparse.Namespace) -> int:
    # Imported only for these commands: the eval, the YAML writer and the storage drivers they need
    # would slow every `ask` down.
    from bot import maintenance  # noqa: PLC0415

    return maintenance.run(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands: dict[str | None, Callable[[], int]] = {
        None: start_command,
        "run": lambda: run_command(sync_only=False),
        "sync": lambda: run_command(sync_only=True),
        "validate": lambda: validate_command(args.path),
        "ask": lambda: ask_command(
            args.question,
            as_json=args.json,
            explain=args.explain,
            conversation=args.conversation,
            directory=args.knowledge,
            log=args.log,
        ),
        "chat": lambda: chat_command(args.knowledge, args.log),
    }
    for name in MAINTAINERS_COMMANDS:
        commands[name] = lambda: _maintainers_command(args)
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
