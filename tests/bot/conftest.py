"""A running ExplainerBot connected to the fake Discord."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.client import ExplainerBot, create_bot
from bot.config import Settings
from bot.knowledge_store import KnowledgeStore
from tests.conftest import START_TIMEOUT, start_bot
from tests.fakediscord import FakeDiscord

StartBot = Callable[..., Awaitable[ExplainerBot]]


@pytest.fixture
def settings(fake: FakeDiscord, knowledge_copy: Path, tmp_path: Path) -> Settings:
    """Settings for a bot on the fake Discord: its token, a private knowledge copy and data folder, no cooldown."""
    return Settings(
        discord_token=fake.token, knowledge_dir=knowledge_copy, data_dir=tmp_path / "data", ask_cooldown=0.0
    )


@pytest.fixture
async def launch(fake: FakeDiscord, settings: Settings) -> AsyncIterator[StartBot]:
    """Start ExplainerBots (with optional setting overrides); all are closed at the end."""
    running: list[tuple[ExplainerBot, asyncio.Task[None]]] = []

    async def start(**overrides: Any) -> ExplainerBot:
        chosen = dataclasses.replace(settings, **overrides)
        client = create_bot(chosen, KnowledgeStore.open(chosen.knowledge_dir), guild_ready_timeout=0.05)
        running.append((client, await start_bot(client, fake.token)))
        return client

    yield start
    for client, task in running:
        await client.close()
        await asyncio.wait_for(task, START_TIMEOUT)


@pytest.fixture
async def bot(launch: StartBot) -> ExplainerBot:
    """One bot with the default test settings."""
    return await launch()
