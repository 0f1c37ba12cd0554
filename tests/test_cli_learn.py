"""The loop without Discord: chat --log records, learn proposes, learn --apply writes what validates and passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.core.loader import load_knowledge
from bot.core.matcher import Matcher
from tests.conftest import FIXTURES, run_cli

QUESTION = "what do they gain"


def small_eval_copy(knowledge_copy: Path) -> Path:
    """The copy with a two-question eval, so the gate runs in a blink."""
    shutil.copy(FIXTURES / "learn" / "eval.yaml", knowledge_copy / "eval.yaml")
    return knowledge_copy


def test_a_pick_in_the_chat_becomes_a_phrasing_the_bot_then_answers(knowledge_copy: Path, tmp_path: Path) -> None:
    """Typing a suggestion's number is a pick; `learn` proposes it; `learn --apply` writes it; it is answered."""
    folder = small_eval_copy(knowledge_copy)
    log = tmp_path / "questions.sqlite3"
    matcher = Matcher(load_knowledge(folder))
    declined = matcher.ask(QUESTION)
    assert declined.entry is None
    assert declined.suggestions
    picked = declined.suggestions[0].id

    chat = run_cli("chat", "--knowledge", str(folder), "--log", str(log), stdin=f"{QUESTION}\n1\nquit\n")
    listed = run_cli("learn", "--knowledge", str(folder), "--log", str(log))
    applied = run_cli("learn", "--apply", "--knowledge", str(folder), "--log", str(log))
    answered = run_cli("ask", "--json", "--knowledge", str(folder), QUESTION)

    assert chat.returncode == 0, chat.stderr
    assert f"1. add the phrasing {QUESTION!r} to {picked}" in listed.stdout
    assert "picked 1× (1 after the decline)" in listed.stdout
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "1 written, 0 not written." in applied.stdout
    assert f'"id": "{picked}"' in answered.stdout


def test_learn_out_writes_a_file_that_apply_accepts(knowledge_copy: Path, tmp_path: Path) -> None:
    """`learn --out FILE` is the reviewable form; `learn --apply FILE` takes it, even the guesses in it."""
    folder = small_eval_copy(knowledge_copy)
    log = tmp_path / "questions.sqlite3"
    run_cli("ask", "--knowledge", str(folder), "--log", str(log), "who gains more")
    proposals = tmp_path / "proposals.yaml"

    run_cli("learn", "--knowledge", str(folder), "--log", str(log), "--out", str(proposals))
    reviewed = yaml.safe_load(proposals.read_text(encoding="utf-8"))
    applied = run_cli("learn", "--apply", str(proposals), "--knowledge", str(folder))

    assert reviewed["phrasings"][0]["question"] == "who gains more"
    assert applied.returncode == 0, applied.stdout
    entry = load_knowledge(folder).entry(reviewed["phrasings"][0]["entry"])
    assert entry is not None
    assert "who gains more" in entry.questions


def test_a_downvote_in_the_chat_offers_alternatives_and_counts_once(knowledge_copy: Path, tmp_path: Path) -> None:
    """/bad rates the last answer and offers what else was meant; a second /bad is thanked, not counted."""
    log = tmp_path / "questions.sqlite3"
    chat = run_cli(
        "chat",
        "--knowledge",
        str(knowledge_copy),
        "--log",
        str(log),
        stdin="what does russia gain from this\n/bad\n/bad\nquit\n",
    )

    assert "Did you mean one of these instead? (type a number)" in chat.stdout
    assert chat.stdout.count("You already rated this answer.") == 1


def test_learn_without_a_log_says_so(tmp_path: Path) -> None:
    """Nothing recorded yet is no error."""
    result = run_cli("learn", "--log", str(tmp_path / "none.sqlite3"))

    assert result.returncode == 0
    assert result.stdout.startswith("No questions recorded yet")


def test_a_broken_proposals_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "proposals.yaml"
    path.write_text("phrasings:\n  - entry: author\n", encoding="utf-8")

    result = run_cli("learn", "--apply", str(path))

    assert result.returncode == 1
    assert 'proposals.yaml:2: a proposal under phrasings is missing the field "question"' in result.stdout


def test_a_log_that_cannot_be_reached_is_one_line_and_the_chat_goes_on(knowledge_copy: Path) -> None:
    """A PostgreSQL URL nobody answers: gaps and learn say so and exit 1; the chat answers without recording."""
    nowhere = "postgresql://nobody:secret@127.0.0.1:9/none"

    gaps = run_cli("gaps", "--log", nowhere)
    chat = run_cli("chat", "--log", nowhere, stdin="what is the capital of france\nquit\n")

    assert gaps.returncode == 1
    assert gaps.stderr.startswith("Could not read the question log (")
    assert "secret" not in gaps.stderr
    assert chat.returncode == 0
    assert "The essay doesn't answer that" in chat.stdout
    assert "(not recorded: StorageError" in chat.stderr
