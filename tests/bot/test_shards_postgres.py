"""Scale-out: two bot processes, each running its own shard, record into one PostgreSQL database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.bot.support import callback
from tests.conftest import run_cli
from tests.fakediscord import FakeDiscord

LAUNCHER = Path(__file__).with_name("fake_discord_bot.py")
SHARD_COUNT = 7  # the fake's one guild falls on shard 6 of 7, and DMs go to shard 0: two processes' work


def shard_process(fake: FakeDiscord, shard: int, database_url: str, folder: Path) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ["PATH"],
        "DISCORD_TOKEN": fake.token,
        "KNOWLEDGE_DIR": str(folder / "knowledge"),
        "DATA_DIR": str(folder / f"data-{shard}"),
        "DATABASE_URL": database_url,
        "SHARD_COUNT": str(SHARD_COUNT),
        "SHARD_IDS": str(shard),
        "ASK_COOLDOWN_SECONDS": "0",
        "WATCH_KNOWLEDGE": "false",
    }
    command = [sys.executable, str(LAUNCHER), fake.http_base, fake.gateway_url]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def test_two_shard_processes_record_into_one_database(
    fake: FakeDiscord, postgres_url: str, knowledge_copy: Path
) -> None:
    """Each process answers its own shard's questions; `gaps` on the shared database counts them all."""
    guild_shard = (fake.guild_id >> 22) % SHARD_COUNT
    assert guild_shard != 0
    folder = knowledge_copy.parent
    processes = [shard_process(fake, shard, postgres_url, folder) for shard in (0, guild_shard)]
    try:
        async with asyncio.timeout(30):
            while len({tuple(identify["shard"]) for identify in fake.identifies}) < 2:
                await asyncio.sleep(0.05)
            in_guild = await fake.slash("ask", {"question": "what does the essay say about north korea"})
            in_dm = await fake.slash("ask", {"question": "what does the essay say about North Korea?"}, in_guild=False)
            answers = [(await callback(fake, handle))["data"] for handle in (in_guild, in_dm)]
            gaps: list[dict[str, object]] = []
            while not gaps or gaps[0]["count"] != 2:
                await asyncio.sleep(0.1)
                result = await asyncio.to_thread(run_cli, "gaps", "--json", "--log", postgres_url)
                gaps = [json.loads(line) for line in result.stdout.splitlines()]
    finally:
        for process in processes:
            process.terminate()
        errors = [process.communicate(timeout=20)[1].decode() for process in processes]

    assert sorted(tuple(identify["shard"]) for identify in fake.identifies) == [(0, 7), (guild_shard, 7)]
    assert all(answer["embeds"][0]["title"] == "Not covered by the essay" for answer in answers)
    assert gaps[0]["question"].lower().startswith("what does the essay say about north korea")
    assert not any("Traceback" in error for error in errors), errors
