"""Recording throughput and latency of the question log: SQLite and PostgreSQL, 1 and 4 writer processes.

    python bench/storage_bench.py                 # 2,000 questions per writer
    python bench/storage_bench.py --writes 500

Each writer is a process of its own with its own connection, as a shard process would be, recording
declined questions as fast as it can. Prints per backend and writer count: writes stored, failed writes,
throughput over the whole run, and p50/p99 of one write. PostgreSQL is a server this script starts on
127.0.0.1 (Debian's binaries, as the tests use), with fsync on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage import open_question_log  # noqa: E402
from tests import postgres  # noqa: E402


def writer(location: str, writes: int, start: float, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def run() -> tuple[list[float], int]:
        log = open_question_log(location)
        await log.open()
        latencies, failed = [], 0
        while time.time() < start:
            await asyncio.sleep(0.001)
        for number in range(writes):
            began = time.perf_counter()
            try:
                await log.record_question(f"benchmark question {number}", 1, 12.5, None)
            except Exception:
                failed += 1
            latencies.append(time.perf_counter() - began)
        await log.close()
        return latencies, failed

    results.put(asyncio.run(run()))


def measure(location: str, writers: int, writes: int) -> str:
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    start = time.time() + 1.0  # every writer connected before the clock starts
    processes = [
        multiprocessing.Process(target=writer, args=(location, writes, start, results)) for _ in range(writers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    elapsed = time.time() - start
    for process in processes:
        process.join()
    latencies = sorted(latency for samples, _ in outcomes for latency in samples)
    failed = sum(failures for _, failures in outcomes)
    stored = len(latencies) - failed
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    return f"{writers:>7} {stored:>7} {failed:>6} {stored / elapsed:>9.0f}/s {p50 * 1e3:>8.2f} {p99 * 1e3:>8.2f}"


@contextlib.contextmanager
def postgres_server() -> Iterator[postgres.PostgresServer]:
    bin_dir = postgres.binaries()
    if bin_dir is None:
        sys.exit(postgres.MISSING)
    server = postgres.PostgresServer(bin_dir, durable=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000, help="questions each writer records")
    args = parser.parse_args()
    print(f"{'backend':10} {'writers':>7} {'stored':>7} {'failed':>6} {'throughput':>11} {'p50 ms':>8} {'p99 ms':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for writers in (1, 4):
            location = str(Path(folder) / f"questions-{writers}.sqlite3")
            print(f"{'SQLite':10} {measure(location, writers, args.writes)}", flush=True)
    with postgres_server() as server:
        for writers in (1, 4):
            print(
                f"{'PostgreSQL':10} {measure(server.create_database(f'w{writers}'), writers, args.writes)}", flush=True
            )


if __name__ == "__main__":
    main()
