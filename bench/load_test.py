"""Load test: many concurrent /ask interactions through the real bot and discord.py, against the local fake Discord.

    python bench/load_test.py                        # 2,500 questions in 100 bursts of 25, from 2,500 users
    python bench/load_test.py --bursts 10 --size 250 # the same in ten bursts of 250
    python bench/load_test.py --follow-ups           # each asker also sends a "why?" right after its answer

Prints answered/lost, p50/p99 from INTERACTION_CREATE to the bot's reply, memory per burst, and how many
conversations the bot remembers (bounded by count and age, see bot/exts/_memory.py).
Everything runs on 127.0.0.1 in this one process (the fake's own work is included in the times).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import discord
import yarl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.client import create_bot  # noqa: E402
from bot.config import SHIPPED_KNOWLEDGE, Settings  # noqa: E402
from bot.core.evaluation import load_eval  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.knowledge_store import KnowledgeStore  # noqa: E402
from tests.conftest import start_bot  # noqa: E402
from tests.fakediscord import FakeDiscord, FakeUser, InteractionHandle  # noqa: E402


def rss_mib() -> float:
    """Current resident memory of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def ask(fake: FakeDiscord, question: str, user: FakeUser, in_guild: bool) -> tuple[InteractionHandle, float]:
    handle = await fake.slash("ask", {"question": question}, user=user, in_guild=in_guild, timeout=30)
    # Taken once the INTERACTION_CREATE frame is written, so queueing in this script is not counted.
    return handle, time.monotonic()


async def run(bursts: int, size: int, pause: float, follow_ups: bool) -> None:
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
        with tempfile.TemporaryDirectory() as data:
            settings = Settings(discord_token=fake.token, data_dir=Path(data), watch_knowledge=False)
            bot = create_bot(settings, KnowledgeStore.open(settings.knowledge_dir), guild_ready_timeout=0.05)
            task = await start_bot(bot, fake.token)
            latencies: list[float] = []
            lost = 0
            user_iter = iter(users)
            memory = bot.get_cog("Ask").memory  # type: ignore[union-attr]
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
                    burst_latencies += [replied[handle.token] - at for handle, at in handles if handle.token in replied]
                    lost += size - sum(handle.token in replied for handle, _ in handles)
                latencies += burst_latencies
                # The fake keeps every request and frame for tests; dropping them keeps its memory out of the figures.
                fake.requests.clear()
                fake.messages.clear()
                fake._interactions.clear()
                fake.gateway_sent.clear()
                print(
                    f"{burst:>5} {size * len(waves):>5} {len(burst_latencies):>8} "
                    f"{percentile(burst_latencies, 0.5) * 1e3:>7.1f} {percentile(burst_latencies, 0.99) * 1e3:>7.1f} "
                    f"{rss_mib():>8.1f} {len(memory):>10}"
                )
                await asyncio.sleep(pause)
            await bot.close()
            await task
    total = bursts * size * (2 if follow_ups else 1)
    print(
        f"\n{total} questions: {len(latencies)} answered, {lost} lost; "
        f"p50 {percentile(latencies, 0.5) * 1e3:.1f} ms, p99 {percentile(latencies, 0.99) * 1e3:.1f} ms; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


async def _reply_times(fake: FakeDiscord, tokens: set[str], timeout: float = 30.0) -> dict[str, float]:
    """When the fake received the bot's reply to each interaction; missing tokens were never answered."""
    deadline = time.monotonic() + timeout
    while True:
        replied = {}
        for request in fake.requests:
            parts = request.path.split("/")
            if request.status == 200 and len(parts) == 5 and parts[1] == "interactions" and parts[3] in tokens:
                replied[parts[3]] = request.at
        if len(replied) == len(tokens) or time.monotonic() > deadline:
            return replied
        await asyncio.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=100)
    parser.add_argument("--size", type=int, default=25, help="concurrent questions per burst")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between bursts")
    parser.add_argument("--follow-ups", action="store_true", help='each asker follows its answer with "why?"')
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.bursts, args.size, args.pause, args.follow_ups))


if __name__ == "__main__":
    main()
