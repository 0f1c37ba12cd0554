"""Starting the bot: `python -m bot run` and `sync`, and their failures as one clear line."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.client import run_bot, serve
from bot.config import Settings
from bot.knowledge_store import KnowledgeStore
from tests.conftest import run_cli
from tests.fakediscord import FakeDiscord


@pytest.fixture(autouse=True)
def root_handlers_restored() -> Iterator[None]:
    """`serve` sets up logging to this test's captured stderr; later tests in the worker must not write to it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_run_without_token_is_one_clear_line(tmp_path: Path) -> None:
    """`python -m bot run` with no token says what to set and exits non-zero, without a traceback."""
    result = run_cli("run", env={}, cwd=tmp_path)

    assert result.returncode == 2
    assert (
        result.stderr.strip() == "DISCORD_TOKEN is not set: put the bot's token in the environment or in a .env file."
    )


def test_default_command_without_token_opens_the_chat(tmp_path: Path) -> None:
    """`python -m bot` (what `make run` calls) falls back to the terminal chat when no token is set."""
    result = run_cli(env={}, cwd=tmp_path, stdin="who wrote the essay\nquit\n")

    assert result.returncode == 0
    assert result.stdout.startswith("No DISCORD_TOKEN set, so here is the terminal chat")
    assert "Who wrote the essay" in result.stdout


def test_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    """A malformed setting stops the bot with the variable's name, before anything connects."""
    result = run_cli("run", env={"DISCORD_TOKEN": "x", "DEV_GUILD_ID": "general"}, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == "Configuration: DEV_GUILD_ID must be a Discord id (a number) (got 'general')"


async def test_rejected_token_is_one_clear_line(
    fake: FakeDiscord, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A token Discord refuses ends `serve` with exit status 1 and one line, not a traceback."""
    wrong = dataclasses.replace(settings, discord_token="not-the-token")
    store = KnowledgeStore.open(settings.knowledge_dir)

    status = await asyncio.to_thread(serve, wrong, store)

    assert status == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("Discord rejected DISCORD_TOKEN: check the token in the Discord developer portal.")
    )


async def test_sync_command_forces_a_global_sync(fake: FakeDiscord, settings: Settings) -> None:
    """`python -m bot sync` syncs even when the definitions are unchanged, then leaves."""
    store = KnowledgeStore.open(settings.knowledge_dir)
    path = rf"^/applications/{fake.application_id}/commands$"

    await run_bot(settings, store, sync_only=True)
    await run_bot(settings, store, sync_only=True)

    assert len(fake.requests_to("PUT", path)) == 2
    assert (settings.data_dir / "command-sync.json").exists()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            {
                "code": 50035,
                "message": "Invalid Form Body",
                "errors": {
                    "0": {
                        "name": {
                            "_errors": [
                                {"code": "APPLICATION_COMMAND_INVALID_NAME", "message": "Command name is invalid"}
                            ]
                        }
                    }
                },
            },
            "In command 'ask' defined in function 'Ask.ask' name: Command name is invalid",
        ),
        (403, {"code": 50001, "message": "Missing Access"}, "invite the bot there with the applications.commands"),
        (404, {"code": 10004, "message": "Unknown Guild"}, "Unknown Guild; check DEV_GUILD_ID"),
    ],
    ids=["400", "403", "404"],
)
async def test_a_refused_command_sync_says_what_discord_said(
    fake: FakeDiscord,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    status: int,
    body: dict[str, object],
    expected: str,
) -> None:
    """Not "could not reach Discord": the status, the body's own words, and what to check."""
    fake.inject_fault(r"/commands$", method="PUT", status=status, body=body)
    store = KnowledgeStore.open(settings.knowledge_dir)

    code = await asyncio.to_thread(serve, dataclasses.replace(settings, dev_guild_id=fake.guild_id), store)

    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 1
    assert error.startswith("Discord refused a request at start-up: ")
    assert str(status) in error
    assert expected in error
