"""`python -m bot ask`, `chat` and `eval`: the command-line contract scripts rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.core.model import KnowledgeBase
from tests.conftest import run_cli

JSON_KEYS = {
    "question",
    "answered",
    "kind",
    "follow_up_of",
    "id",
    "title",
    "answer",
    "score",
    "citations",
    "suggestions",
}


def assert_contract(payload: dict) -> None:
    """The exact shape promised in the README."""
    assert set(payload) == JSON_KEYS
    assert isinstance(payload["question"], str)
    assert isinstance(payload["answered"], bool)
    assert isinstance(payload["score"], float)
    assert 0.0 <= payload["score"] <= 100.0
    for citation in payload["citations"]:
        assert set(citation) == {"paragraph", "quote"}
        assert isinstance(citation["paragraph"], int)
        assert isinstance(citation["quote"], str)
    for suggestion in payload["suggestions"]:
        assert set(suggestion) == {"id", "title", "score"}
        assert isinstance(suggestion["score"], float)
    assert len(payload["suggestions"]) <= 3
    assert payload["kind"] in {"answer", "decline", "small_talk", "paragraph"}
    assert payload["answered"] == (payload["kind"] in {"answer", "paragraph"})
    assert payload["follow_up_of"] is None or isinstance(payload["follow_up_of"], str)
    if payload["kind"] == "paragraph":
        assert payload["id"] is None
        assert payload["citations"][0]["quote"] == payload["answer"]
    elif payload["answered"]:
        assert isinstance(payload["id"], str)
        assert payload["title"]
        assert payload["answer"]
        assert payload["citations"]
    else:
        assert (payload["id"], payload["title"], payload["answer"]) == (None, None, None)
        assert payload["citations"] == []


def test_ask_json_answers_with_verbatim_citations(knowledge: KnowledgeBase) -> None:
    """One question gives exactly one JSON object, whose quotes appear in the cited paragraphs."""
    result = run_cli("ask", "--json", "whos stronger economicaly")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert_contract(payload)
    assert payload["question"] == "whos stronger economicaly"
    assert payload["id"] == "dominant-partner"
    assert payload["citations"][0] == {"paragraph": 4, "quote": knowledge.entry("dominant-partner").primary.quote}
    for citation in payload["citations"]:
        assert citation["quote"] in knowledge.essay.paragraph(citation["paragraph"])


def test_ask_json_declines_off_topic() -> None:
    """An off-topic question is answered: false, with no citations."""
    payload = json.loads(run_cli("ask", "--json", "When was the Great Wall of China built?").stdout)

    assert_contract(payload)
    assert payload["answered"] is False


def test_ask_json_batch_reads_one_question_per_line_in_order() -> None:
    """With -, each stdin line gives one JSON line, in order, blank and hostile lines included."""
    questions = [
        "who is the dominant partner",
        "",
        "hi",
        "@everyone <@&123> what could end it",
        "x" * 10_000,
        "sino soviet",
    ]

    result = run_cli("ask", "--json", "-", stdin="\n".join(questions) + "\n")

    assert result.returncode == 0, result.stderr
    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    assert [payload["question"] for payload in payloads] == questions
    for payload in payloads:
        assert_contract(payload)
    assert payloads[0]["id"] == "dominant-partner"
    assert payloads[-1]["id"] == "sino-soviet-split"


def test_ask_text_shows_answer_and_numbered_paragraphs() -> None:
    """The readable form gives the title, the answer and each cited passage with its ¶ number."""
    result = run_cli("ask", "who", "is", "the", "dominant", "partner")

    assert result.returncode == 0
    assert result.stdout.startswith("Who is the dominant partner")
    assert "¶4  “China is the predominant partner" in result.stdout
    assert "Source: The Hidden Truth of Sino-Russian Ties, by Dr. Muhammad Saleem" in result.stdout


def test_ask_text_decline_suggests_questions() -> None:
    """A decline says so plainly and offers something the essay does answer."""
    result = run_cli("ask", "how do I bake bread")

    assert result.stdout.startswith("The essay doesn't answer that")
    assert "You could ask" in result.stdout or "Did you mean" in result.stdout


def test_ask_with_broken_knowledge_fails_clearly(knowledge_copy: Path) -> None:
    """A broken knowledge base stops `ask` with one line pointing at `validate`, not a traceback."""
    (knowledge_copy / "essay.yaml").write_text("title: [unclosed\n", encoding="utf-8")

    result = run_cli("ask", "--knowledge", str(knowledge_copy), "who wrote it")

    assert result.returncode == 1
    assert "python -m bot validate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command", [["ask", "--json", "who wrote it"], ["chat"], ["eval", "--part", "holdout"], ["validate"]]
)
def test_command_line_does_not_import_discord(command: list[str]) -> None:
    """ask, chat, eval and validate start without loading discord.py."""
    code = "import sys; from bot.cli import main; main(sys.argv[1:]); print('discord' in sys.modules, file=sys.stderr)"
    result = subprocess.run(
        [sys.executable, "-c", code, *command],
        input="quit\n",
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.stderr.strip().splitlines()[-1] == "False"


def test_chat_answers_picks_suggestions_and_quits() -> None:
    """The terminal chat answers, shows the summary, and leaves on quit."""
    result = run_cli("chat", stdin="who is the dominant partner\n/summary\nquit\n")

    assert result.returncode == 0
    assert "Who is the dominant partner" in result.stdout
    assert "¶4" in result.stdout
    assert "• " in result.stdout
    assert result.stdout.count("you> ") == 3


def test_chat_ends_cleanly_at_end_of_input() -> None:
    """Closing standard input ends the chat without an error."""
    result = run_cli("chat", stdin="")

    assert result.returncode == 0
    assert "Traceback" not in result.stderr


def test_eval_passes_its_thresholds_on_the_shipped_knowledge() -> None:
    """The eval set reaches the thresholds written in eval.yaml, on both parts."""
    result = run_cli("eval")

    assert result.returncode == 0, result.stdout
    assert "tune" in result.stdout
    assert "holdout" in result.stdout
    assert result.stdout.rstrip().endswith("PASS")


CONVERSATIONS = "  conversations: [[{q: who wrote it, expect: author}, {q: source?, expect: author}]]\n"


def write_eval(
    folder: Path,
    tune_expect: str = "author",
    tune_wrappers: str = "'hi {q}'",
    holdout_context: str = "'i read it. {q}'",
) -> Path:
    """A small eval file; each argument is one thing a test can get wrong."""
    path = folder / "eval.yaml"
    path.write_text(
        "thresholds: {in_scope_accuracy: 0.9, out_of_scope_rejection: 0.9, wrapped_in_scope_drop: 0.02,\n"
        "  wrapped_out_of_scope_answered: 0, context_in_scope_drop: 0.2, context_out_of_scope_answered: 0.1,\n"
        "  follow_up_accuracy: 0.5}\n"
        f"tune:\n  in_scope:\n    - q: who wrote it\n      expect: {tune_expect}\n  out_of_scope: [hi]\n"
        f"  wrappers: [{tune_wrappers}]\n  context: ['i read it. {{q}}']\n  small_talk: [thanks]\n{CONVERSATIONS}"
        "holdout:\n  in_scope:\n    - q: who wrote it\n      expect: author\n  out_of_scope: [hi]\n"
        f"  wrappers: ['hi {{q}}']\n  context: [{holdout_context}]\n  small_talk: [thanks]\n{CONVERSATIONS}",
        encoding="utf-8",
    )
    return path


def test_eval_reports_unknown_expected_ids(tmp_path: Path) -> None:
    """An eval file naming an entry that doesn't exist is reported with its line."""
    bad = write_eval(tmp_path, tune_expect="no-such-entry")

    result = run_cli("eval", "--file", str(bad))

    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == f'{bad}:7: "expect" names no entry of the knowledge base: no-such-entry'


def test_ask_json_explain_adds_only_the_reason() -> None:
    """With --explain, every JSON object gains "reason", the name of the rule the matcher used; nothing else changes."""
    questions = "whos stronger economicaly\nhi there\nhow many times has xi met biden\n"
    plain = [json.loads(line) for line in run_cli("ask", "--json", "-", stdin=questions).stdout.splitlines()]
    explained = [
        json.loads(line) for line in run_cli("ask", "--json", "--explain", "-", stdin=questions).stdout.splitlines()
    ]

    assert [item["reason"] for item in explained] == ["likely-right", "small-talk", "names-something-else"]
    assert [{key: value for key, value in item.items() if key != "reason"} for item in explained] == plain
    for payload in plain:
        assert_contract(payload)


def test_ask_explain_prints_the_parts_the_candidates_and_the_rule() -> None:
    """The readable trace names each part of the message, the candidates' signals, what the calibration makes of the
    best and the words that weighed most with it, and the deciding rule."""
    result = run_cli("ask", "--explain", "hey! quick question: how many times has xi met biden? thx")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  greeting  'hey!'" in lines
    assert "  question  'how many times has xi met biden?'" in lines
    assert any(line.strip().startswith("meeting-count") and "coverage" in line for line in lines)
    assert any(line.startswith("  likely right: ") and "its words: " in line for line in lines)
    assert lines[-1] == "decided by: names-something-else (declined)"


def test_eval_reports_a_wrapper_without_its_placeholder(tmp_path: Path) -> None:
    """A wrapper that does not hold {q} exactly once is reported with its line."""
    bad = write_eval(tmp_path, tune_wrappers="'hi {q}', 'hi there'", holdout_context="'i read it. {q} {q}'")

    result = run_cli("eval", "--file", str(bad))

    assert result.returncode == 1
    assert result.stdout.splitlines()[:2] == [
        f'{bad}:9: "tune": a "wrappers" item must hold {{q}} exactly once, where the question goes',
        f'{bad}:19: "holdout": a "context" item must hold {{q}} exactly once, where the question goes',
    ]


def test_ask_conversation_reads_each_line_after_the_ones_before() -> None:
    """Consecutive lines form one conversation; a blank line ends it and prints nothing."""
    lines = "what does china get out of it\nand russia?\nsource?\n\nand russia?\nhi\nwhat does paragraph 4 say\n"
    result = run_cli("ask", "--json", "--conversation", "-", stdin=lines)

    assert result.returncode == 0, result.stderr
    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    for payload in payloads:
        assert_contract(payload)
    assert [(item["kind"], item["id"], item["follow_up_of"]) for item in payloads[:3]] == [
        ("answer", "what-china-gets", None),
        ("answer", "what-russia-gets", "what-china-gets"),
        ("answer", "what-russia-gets", "what-russia-gets"),
    ]
    assert payloads[3]["follow_up_of"] is None  # a new conversation: "and russia?" leans on nothing
    assert [item["kind"] for item in payloads[4:]] == ["small_talk", "paragraph"]
    assert payloads[5]["citations"][0]["paragraph"] == 4


def test_ask_json_without_conversation_reads_each_line_alone() -> None:
    """Without --conversation, "and russia?" after a question is read on its own, and CRLF input is fine."""
    result = run_cli("ask", "--json", "-", stdin="what does china get out of it\r\nand russia?\r\n")

    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["follow_up_of"] for item in payloads] == [None, None]
    assert payloads[1]["question"] == "and russia?"


def test_a_broken_knowledge_folder_names_the_command_that_lists_its_problems(tmp_path: Path) -> None:
    """The hint points at the folder that was asked for, not at the default one."""
    missing = tmp_path / "nowhere"

    result = run_cli("ask", "--knowledge", str(missing), "who wrote it")

    assert result.returncode == 1
    assert f"`python -m bot validate {missing}` lists them." in result.stderr
