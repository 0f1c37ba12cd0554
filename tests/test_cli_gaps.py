"""`python -m bot gaps`: the maintainers' view of what went unanswered, and YAML stubs for it."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import yaml

from bot.storage import SqliteQuestionLog
from tests.conftest import run_cli


def run_gaps(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("gaps", *args)


def filled_log(path: Path) -> Path:
    async def fill() -> None:
        log = SqliteQuestionLog(path)
        for text in ["Is the essay biased?", "is the essay biased", "Is the essay biased??", "what about india"]:
            await log.record_question(text, 1, 20.0, None)
        await log.record_feedback("author", False, 1)
        await log.close()

    asyncio.run(fill())
    return path


def test_gaps_lists_grouped_questions_and_disliked_answers(tmp_path: Path) -> None:
    """The report puts the most asked gap first with its count, then the answers with 👎."""
    result = run_gaps("--database", str(filled_log(tmp_path / "q.sqlite3")))

    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert lines[0] == "Most asked, not answered:"
    assert lines[1].strip().startswith("3×  Is the essay biased")
    assert "author: 👎 1, 👍 0" in result.stdout


def test_gaps_stub_prints_entries_in_the_knowledge_format(tmp_path: Path) -> None:
    """--stub prints an entries file with one skeleton per gap."""
    result = run_gaps("--stub", "--database", str(filled_log(tmp_path / "q.sqlite3")))

    data = yaml.safe_load(result.stdout)
    assert result.stdout.startswith("# yaml-language-server: $schema=../schema/entries.schema.json")
    assert [entry["id"] for entry in data["entries"]] == ["is-the-essay-biased", "what-about-india"]
    assert set(data["entries"][0]) == {"id", "title", "questions", "answer", "citations"}


def test_gaps_without_a_log_says_so(tmp_path: Path) -> None:
    """Before the bot has run there is nothing to report, said in one line."""
    result = run_gaps("--database", str(tmp_path / "none.sqlite3"))

    assert result.returncode == 1
    assert result.stderr.startswith("No question log at")
