"""`python -m bot migrate`: the question log brought to this version ahead of a deploy, file or server."""

from __future__ import annotations

from pathlib import Path

from bot.storage.sqlite import SCHEMA_VERSION
from tests.conftest import run_cli


def test_migrate_creates_an_sqlite_log_at_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "questions.sqlite3"

    result = run_cli("migrate", "--log", str(path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"The question log is at schema version {SCHEMA_VERSION}."
    assert path.is_file()


def test_migrate_a_postgres_database_twice(postgres_url: str) -> None:
    """The second run finds nothing to do and says the same."""
    first, second = run_cli("migrate", "--log", postgres_url), run_cli("migrate", "--log", postgres_url)

    assert first.stdout == second.stdout == f"The question log is at schema version {SCHEMA_VERSION}.\n"


def test_migrate_without_a_server_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("migrate", "--log", "postgresql://nobody:secret@127.0.0.1:9/none")

    assert result.returncode == 1
    assert result.stderr.startswith("Could not migrate the question log (")
    assert "secret" not in result.stderr
