"""Load test: many concurrent /ask interactions through the real bot and discord.py, against the local fake Discord.

    python bench/load_test.py                        # 2,500 questions in 100 bursts of 25, from 2,500 users
    python bench/load_test.py --bursts 10 --size 250 # the same in ten bursts of 250
    python bench/load_test.py --follow-ups           # each asker also sends a "why?" right after its answer
    python bench/load_test.py --bot-process --postgres  # the bot in a process of its own, PostgreSQL behind it

Prints answered/lost, p50/p99 from INTERACTION_CREATE to the bot's reply, the bot's memory per burst,
and how many conversations it remembers (bounded by count and age, see bot/exts/_memory.py).
Everything runs on 127.0.0.1. By default the bot shares this process with the fake Discord, whose
own work then counts in the times and the memory; with --bot-process the bot runs as
`python -m bot run` in its own process (memory is that process's; remembered conversations are not
shown), and with --postgres it records into a PostgreSQL server this script starts, and the
declined questions it recorded are counted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import discord
import yarl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.client import create_bot  # noqa: E402
from bot.config import SHIPPED_KNOWLEDGE, Settings  # noqa: E402
from bot.core.evaluation import load_eval  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.knowledge_store import KnowledgeStore  # noqa: E402
from tests import postgres  # noqa: E402
from tests.conftest import start_bot  # noqa: E402
from tests.fakediscord import FakeDiscord, FakeUser, InteractionHandle  # noqa: E402

LAUNCHER = ROOT / "tests" / "bot" / "fake_discord_bot.py"
DECLINE_TITLE = "Not covered by the essay"


def rss_mib(pid: str = "self", field: str = "VmRSS") -> float:
    """Resident memory of a process (``VmHWM``: its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def database(wanted: bool) -> Iterator[str | None]:
    """A PostgreSQL server of this script's own, when ``wanted``: its URL."""
    if not wanted:
        yield None
        return
    bin_dir = postgres.binaries()
    if bin_dir is None:
        sys.exit(postgres.MISSING)
    server = postgres.PostgresServer(bin_dir)
    server.start()
    try:
        yield server.create_database("load_test")
    finally:
        server.stop()
        server.remove()


class InProcess:
    """The bot in this process, beside the fake."""

    def __init__(self, fake: FakeDiscord, data: Path, url: str | None) -> None:
        settings = Settings(discord_token=fake.token, data_dir=data, watch_knowledge=False, database_url=url)
        self.bot = create_bot(settings, KnowledgeStore.open(settings.knowledge_dir), guild_ready_timeout=0.05)
        self.task: asyncio.Task[None] | None = None

    async def start(self, fake: FakeDiscord) -> None:
        self.task = await start_bot(self.bot, fake.token)

    def rss(self) -> float:
        return rss_mib()

    def peak(self) -> float:
        return rss_mib(field="VmHWM")

    def remembered(self) -> str:
        return str(len(self.bot.get_cog("Ask").memory))  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.bot.close()
        if self.task is not None:
            await self.task


class OwnProcess:
    """`python -m bot run` in a process of its own, pointed at the fake."""

    def __init__(self, fake: FakeDiscord, data: Path, url: str | None) -> None:
        env = {
            "PATH": os.environ["PATH"],
            "DISCORD_TOKEN": fake.token,
            "DATA_DIR": str(data),
            "ASK_COOLDOWN_SECONDS": "0",
            "WATCH_KNOWLEDGE": "false",
            "LOG_LEVEL": "WARNING",
            **({"DATABASE_URL": url} if url else {}),
        }
        command = [sys.executable, str(LAUNCHER), fake.http_base, fake.gateway_url]
        self.process = subprocess.Popen(command, env=env)

    async def start(self, fake: FakeDiscord) -> None:
        await fake.wait_until_ready(timeout=30)

    def rss(self) -> float:
        return rss_mib(str(self.process.pid))

    def peak(self) -> float:
        return rss_mib(str(self.process.pid), "VmHWM")

    def remembered(self) -> str:
        return "-"

    async def stop(self) -> None:
        self.process.terminate()
        await asyncio.to_thread(self.process.wait, 30)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def ask(fake: FakeDiscord, question: str, user: FakeUser, in_guild: bool) -> tuple[InteractionHandle, float]:
    handle = await fake.slash("ask", {"question": question}, user=user, in_guild=in_guild, timeout=30)
    # Taken once the INTERACTION_CREATE frame is written, so queueing in this script is not counted.
    return handle, time.monotonic()


async def run(args: argparse.Namespace) -> None:
    bursts, size, pause, follow_ups = args.bursts, args.size, args.pause, args.follow_ups
    questions = [
        case.question
        for part in load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", load_knowledge(SHIPPED_KNOWLEDGE)).parts.values()
        for case in part.cases
    ]
    rng = random.Random(5)
    async with FakeDiscord() as fake:
        discord.http.Route.BASE = fake.http_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        users = [fake.add_member(f"member{number}") for number in range(bursts * size)]
        with tempfile.TemporaryDirectory() as data, database(args.postgres) as url:
            bot = (OwnProcess if args.bot_process else InProcess)(fake, Path(data), url)
            await bot.start(fake)
            latencies: list[float] = []
            lost = declined = 0
            user_iter = iter(users)
            header = f"{'burst':>5} {'sent':>5} {'answered':>8} {'p50 ms':>7} {'p99 ms':>7} {'RSS MiB':>8}"
            print(f"{header} {'remembered':>10}")
            for burst in range(1, bursts + 1):
                askers = [(next(user_iter), rng.random() < 0.8) for _ in range(size)]
                waves = [[rng.choice(questions) for _ in askers]] + ([["why?"] * size] if follow_ups else [])
                burst_latencies = []
                for wave in waves:
                    sends = [
                        ask(fake, question, user, in_guild)
                        for question, (user, in_guild) in zip(wave, askers, strict=True)
                    ]
                    handles = await asyncio.gather(*sends)
                    replied = await _reply_times(fake, {handle.token for handle, _ in handles})
                    burst_latencies += [
                        replied[handle.token][0] - at for handle, at in handles if handle.token in replied
                    ]
                    lost += size - sum(handle.token in replied for handle, _ in handles)
                    declined += sum(private for _, private in replied.values())
                latencies += burst_latencies
                # The fake keeps every request and frame for tests; dropping them keeps its memory out of the figures.
                fake.requests.clear()
                fake.messages.clear()
                fake._interactions.clear()
                fake.gateway_sent.clear()
                print(
                    f"{burst:>5} {size * len(waves):>5} {len(burst_latencies):>8} "
                    f"{percentile(burst_latencies, 0.5) * 1e3:>7.1f} {percentile(burst_latencies, 0.99) * 1e3:>7.1f} "
                    f"{bot.rss():>8.1f} {bot.remembered():>10}"
                )
                await asyncio.sleep(pause)
            peak = bot.peak()
            await bot.stop()
            recorded = await _recorded(url) if url else None
    total = bursts * size * (2 if follow_ups else 1)
    print(
        f"\n{total} questions: {len(latencies)} answered, {lost} lost; "
        f"p50 {percentile(latencies, 0.5) * 1e3:.1f} ms, p99 {percentile(latencies, 0.99) * 1e3:.1f} ms; "
        f"the bot's peak RSS {peak:.0f} MiB"
    )
    if recorded is not None:
        print(f"declined: {declined}; declined questions recorded in PostgreSQL: {recorded}")


async def _recorded(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT COUNT(*) FROM questions WHERE answered_id IS NULL"))
    finally:
        await connection.close()


async def _reply_times(fake: FakeDiscord, tokens: set[str], timeout: float = 30.0) -> dict[str, tuple[float, bool]]:
    """When the fake received the bot's reply to each interaction, and whether it was a decline.

    Missing tokens were never answered.
    """
    deadline = time.monotonic() + timeout
    while True:
        replied = {}
        for request in fake.requests:
            parts = request.path.split("/")
            if request.status == 200 and len(parts) == 5 and parts[1] == "interactions" and parts[3] in tokens:
                embeds = ((request.json or {}).get("data") or {}).get("embeds") or [{}]
                replied[parts[3]] = (request.at, embeds[0].get("title") == DECLINE_TITLE)
        if len(replied) == len(tokens) or time.monotonic() > deadline:
            return replied
        await asyncio.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=100)
    parser.add_argument("--size", type=int, default=25, help="concurrent questions per burst")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between bursts")
    parser.add_argument("--follow-ups", action="store_true", help='each asker follows its answer with "why?"')
    parser.add_argument("--bot-process", action="store_true", help="run the bot in a process of its own")
    parser.add_argument("--postgres", action="store_true", help="record into a PostgreSQL server started here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
