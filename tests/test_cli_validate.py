"""`python -m bot validate` as maintainers and CI run it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.model import KnowledgeBase
from tests.conftest import FIXTURES, run_cli


def test_validate_shipped_knowledge_exits_zero(knowledge: KnowledgeBase) -> None:
    """With no path, the shipped knowledge base is checked and found clean."""
    result = run_cli("validate")

    assert result.returncode == 0, result.stdout + result.stderr
    counts = f"{len(knowledge.entries)} entries, {len(knowledge.essay.paragraphs)} paragraphs"
    assert result.stdout.startswith(f"knowledge/ is valid: {counts}")


def test_validate_reports_each_problem_as_file_line_message(knowledge_copy: Path) -> None:
    """Problems print one per line as file:line: message, a count on stderr, exit 1, no traceback."""
    shutil.copy(FIXTURES / "broken" / "missing-field.yaml", knowledge_copy / "entries" / "99-broken.yaml")
    shutil.copy(FIXTURES / "broken" / "summaries-too-long.yaml", knowledge_copy / "summaries.yaml")

    result = run_cli("validate", str(knowledge_copy))

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f'{knowledge_copy}/entries/99-broken.yaml:4: entry "broken-example" is missing the field "answer"',
        f"{knowledge_copy}/summaries.yaml:2: the short summary has 6 bullets; it holds at most 5",
    ]
    assert result.stderr.strip() == f"2 problems in {knowledge_copy}/"
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_shows_paths_relative_to_where_it_runs(knowledge_copy: Path) -> None:
    """Run from the folder above, problems name files as the maintainer typed them."""
    shutil.copy(FIXTURES / "broken" / "empty-answer.yaml", knowledge_copy / "entries" / "99-broken.yaml")

    result = run_cli("validate", "knowledge", cwd=knowledge_copy.parent)

    assert result.stdout.startswith('knowledge/entries/99-broken.yaml:10: entry "broken-example": "answer" is empty')


def test_validate_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    """A wrong path is one line of explanation and exit 1."""
    result = run_cli("validate", str(tmp_path / "nowhere"))

    assert result.returncode == 1
    assert result.stdout.strip() == f"{tmp_path}/nowhere: not a folder: point this at the knowledge folder"


def test_validate_honours_knowledge_dir(knowledge_copy: Path) -> None:
    """KNOWLEDGE_DIR chooses the folder when no path is given."""
    (knowledge_copy / "essay.yaml").unlink()

    result = run_cli("validate", env={"KNOWLEDGE_DIR": str(knowledge_copy)})

    assert result.returncode == 1
    assert "essay.yaml: file not found" in result.stdout


@pytest.mark.parametrize("directory", ["/etc/passwd", "/", "../../../../../..", "/proc/self", "no such folder"])
def test_strange_knowledge_dirs_fail_cleanly(directory: str, tmp_path: Path) -> None:
    """Whatever KNOWLEDGE_DIR points at, the validator and the bot answer with lines, not tracebacks."""
    environment = {"KNOWLEDGE_DIR": directory, "DISCORD_TOKEN": "not-used"}
    for command in ("validate", "run"):
        result = run_cli(command, cwd=tmp_path, env=environment)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
