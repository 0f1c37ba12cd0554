"""`python -m bot gaps`: the maintainers' view of what went unanswered, and YAML stubs for it."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import yaml

from bot.core.learning import Vote
from bot.storage import SqliteQuestionLog
from tests.conftest import run_cli


def run_gaps(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("gaps", *args)


def filled_log(path: Path) -> Path:
    async def fill() -> None:
        log = SqliteQuestionLog(path)
        questions = [
            "Is the essay biased?",
            "is the essay biased",
            "Is the essay biased??",
            "what about india",
            "hi",
            "thanks!",
            "who gains more",
            "who profits more",
        ]
        for text in questions:
            await log.record_question(text, 1, 20.0, None)
        await log.record_feedback(Vote(None, "author", False), 1)
        await log.close()

    asyncio.run(fill())
    return path


def test_gaps_lists_grouped_questions_and_disliked_answers(tmp_path: Path) -> None:
    """The report puts the most asked gap first with its count, then the answers with 👎; small talk is no gap."""
    result = run_gaps("--log", str(filled_log(tmp_path / "q.sqlite3")))

    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert lines[0] == "Most asked, not answered:"
    assert lines[1].strip().startswith("3×  Is the essay biased")
    assert "author: 👎 1, 👍 0" in result.stdout
    assert "hi" not in [line.strip().split("×  ")[-1] for line in lines]
    assert "thanks!" not in result.stdout


def test_gaps_json_is_one_object_per_group(tmp_path: Path) -> None:
    """--json: one object per group, with the fields scripts rely on; "gains" and "profits" are one group."""
    result = run_gaps("--json", "--log", str(filled_log(tmp_path / "q.sqlite3")))

    groups = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0
    assert all(set(group) == {"question", "count", "best_entry", "examples"} for group in groups)
    gains = next(group for group in groups if "gains" in group["question"] or "profits" in group["question"])
    assert gains["count"] == 2
    assert gains["best_entry"] == "what-china-gets"
    assert sorted(gains["examples"]) == ["who gains more", "who profits more"]


def test_gaps_stub_is_a_proposals_file(tmp_path: Path) -> None:
    """--stub: a phrasing for the entry that came close, new-entry skeletons in the entries' layout otherwise."""
    result = run_gaps("--stub", "--log", str(filled_log(tmp_path / "q.sqlite3")))

    data = yaml.safe_load(result.stdout)
    assert result.returncode == 0
    assert {"entry": "what-china-gets", "question": "who gains more"}.items() <= data["phrasings"][0].items()
    new = {entry["id"]: entry for entry in data["entries"]}
    assert set(new) == {"is-the-essay-biased", "what-about-india"}
    assert list(new["is-the-essay-biased"]) == ["id", "title", "questions", "answer", "citations"]


def test_gaps_without_a_log_says_so(tmp_path: Path) -> None:
    """Before anything was recorded there is nothing to report: said in one line, and not an error."""
    result = run_gaps("--log", str(tmp_path / "none.sqlite3"))

    assert result.returncode == 0
    assert result.stdout.startswith("No questions recorded yet")
