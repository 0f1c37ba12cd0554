"""``python -m bot``: validate the knowledge base (and, as the bot grows, ask, chat and run it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import load_settings
from bot.core.loader import KnowledgeError, display_path, load_knowledge


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="An explainer bot for one essay.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check the knowledge base and report every problem")
    validate.add_argument(
        "path", nargs="?", type=Path, help="knowledge folder (default: KNOWLEDGE_DIR or the shipped knowledge/)"
    )
    return parser


def validate_command(path: Path | None) -> int:
    """Print every problem as file:line: message; 0 when clean, 1 otherwise."""
    directory = path or load_settings().knowledge_dir
    shown = display_path(directory)
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem)
        count = len(error.problems)
        print(f"\n{count} problem{'s' if count != 1 else ''} in {shown}/", file=sys.stderr)
        return 1
    points = knowledge.summaries.short + knowledge.summaries.full
    quotes = sum(len(item.citations) for item in (*knowledge.entries, *points))
    paragraphs = len(knowledge.essay.paragraphs)
    print(
        f"{shown}/ is valid: {len(knowledge.entries)} entries, {paragraphs} paragraphs, "
        f"{quotes} quotes verified against the essay (version {knowledge.version})"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return validate_command(args.path)
    except KeyboardInterrupt:
        return 130
    return 2
