"""Shared fixtures: the shipped knowledge base, and copies of it to break."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl
from discord.ext import commands

from bot.config import PROJECT_ROOT, SHIPPED_KNOWLEDGE
from bot.core.loader import load_knowledge
from bot.core.model import KnowledgeBase
from tests import postgres
from tests.fakediscord import FakeDiscord
from tests.postgres import PostgresServer

FIXTURES = Path(__file__).parent / "fixtures"
START_TIMEOUT = 5.0
_DATABASES = itertools.count(1)


def run_cli(
    *args: str, cwd: Path = PROJECT_ROOT, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` in a subprocess; ``env`` (with PATH added) replaces the environment when given."""
    environment = None if env is None else {"PATH": os.environ["PATH"], **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,  # a guard against a hang: `eval` alone takes over half a minute
        check=False,
    )


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once."""
    return load_knowledge(SHIPPED_KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge folder that a test may change."""
    target = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, target)
    return target


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse to resolve any host but the loopback, so no test can ever reach the real Discord."""
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "127.0.0.1", "localhost", "::1", b"127.0.0.1", b"localhost"):
            raise OSError(f"test tried to resolve {host!r}; only 127.0.0.1 is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A running fake Discord, with discord.py pointed at it through its own settings."""
    async with FakeDiscord() as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.http_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
        yield server
        assert server.internal_errors == []


async def start_bot(client: commands.Bot, token: str) -> asyncio.Task[None]:
    """Log in, connect in the background and wait for on_ready; the task ends when the client closes."""
    await client.login(token)
    task = asyncio.create_task(client.connect())
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        await client.close()
        await task
        raise AssertionError("the client never became ready")
    return task


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the tests' own, for the session; fails clearly when none is installed."""
    bin_dir = postgres.binaries()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.fail(postgres.MISSING)
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()
    server.remove()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the tests' server, named after the test."""
    name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50] + f"_{next(_DATABASES)}"
    return postgres_server.create_database(name)
