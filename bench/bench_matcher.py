"""Matcher benchmark: prints latency, build time, start-up time and memory, with a BM25 baseline.

    python bench/bench_matcher.py            # full run (about a minute)
    python bench/bench_matcher.py --quick    # fewer repetitions

Figures are printed, never asserted: these machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import SHIPPED_KNOWLEDGE  # noqa: E402
from bot.core.analysis import Analyzer  # noqa: E402
from bot.core.conversation import Conversation  # noqa: E402
from bot.core.evaluation import load_eval  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.matcher import Matcher  # noqa: E402
from bot.core.model import Citation, Entry, KnowledgeBase  # noqa: E402


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def latencies(ask: Callable[[str], object], questions: list[str], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            ask(question)
            samples.append(time.perf_counter() - start)
    return samples


def line(label: str, figures: str) -> None:
    print(f"  {label:46} {figures}")


def report(label: str, samples: list[float]) -> None:
    p50, p99 = percentile(samples, 0.5) * 1e3, percentile(samples, 0.99) * 1e3
    line(label, f"p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   (n={len(samples)})")


def generated_knowledge(base: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """``size`` entries built from the essay's words plus invented ones, shaped like real entries."""
    rng = random.Random(seed)
    essay_words = sorted(
        {word.strip(".,;:“”’").lower() for text in base.essay.paragraphs for word in text.split() if len(word) > 3}
    )
    invented = [
        f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{n}"
        for n in range(5000)
    ]
    vocabulary = essay_words + invented
    quotes = [citation for entry in base.entries for citation in entry.citations]

    def phrase(length: int) -> str:
        return (
            rng.choice(("what", "who", "why", "how", "is", "does")) + " " + " ".join(rng.choices(vocabulary, k=length))
        )

    entries = []
    for number in range(size):
        questions = tuple(dict.fromkeys(phrase(rng.randint(3, 7)) for _ in range(8)))
        citation: Citation = rng.choice(quotes)
        entries.append(
            Entry(
                id=f"generated-{number}",
                title=phrase(4)[:80],
                questions=questions,
                answer=" ".join(rng.choices(vocabulary, k=30)),
                citations=(citation,),
                keywords=tuple(rng.choices(vocabulary, k=5)),
                not_answered=tuple(dict.fromkeys(phrase(rng.randint(3, 7)) for _ in range(4))),
            )
        )
    return KnowledgeBase(
        base.essay, tuple(entries), base.summaries, base.synonyms, base.counterparts, version="generated"
    )


def bm25_for(knowledge: KnowledgeBase) -> tuple[BM25Okapi, Analyzer]:
    analyzer = Analyzer(knowledge.synonyms)
    documents = [
        analyzer.terms(analyzer.text(" ".join((*entry.questions, entry.title, *entry.keywords, entry.answer))))
        for entry in knowledge.entries
    ]
    return BM25Okapi(documents), analyzer


def startup_time(repeat: int) -> tuple[float, list[float]]:
    """One run that compiles the bot's modules (with bytecode writing allowed, as a first run after an
    editable install does, or pip does at install time), then ``repeat`` runs that read the compiled
    bytecode, as an installed bot does: environments such as Docker images set PYTHONDONTWRITEBYTECODE."""
    command = [sys.executable, "-m", "bot", "ask", "--json", "who is the dominant partner"]
    for cache in ROOT.joinpath("bot").rglob("__pycache__"):
        shutil.rmtree(cache)
    writing = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    [first] = timed(lambda: subprocess.run(command, cwd=ROOT, env=writing, capture_output=True, check=True), 1)
    return first, timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=True), repeat)


def eval_questions(knowledge: KnowledgeBase) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
    evalset = load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", knowledge)
    cases = [case for part in evalset.parts.values() for case in part.cases]
    return [case.question for case in cases], [(case.question, case.expected) for case in cases if case.expected]


def perturbed(question: str, rng: random.Random) -> str:
    """The question as someone might retype it: a word dropped and a letter swapped."""
    words = question.split()
    words.pop(rng.randrange(len(words)))
    word = rng.randrange(len(words))
    if len(words[word]) > 3:
        letters = list(words[word])
        letters[1], letters[2] = letters[2], letters[1]
        words[word] = "".join(letters)
    return " ".join(words)


def bench_shipped(rounds: int) -> tuple[KnowledgeBase, list[str]]:
    print("Shipped knowledge base")
    cold = timed(lambda: Matcher(load_knowledge(SHIPPED_KNOWLEDGE)), 1)
    line("load + validate + index, first in process", f"{cold[0] * 1e3:7.1f} ms")
    warm = timed(lambda: Matcher(load_knowledge(SHIPPED_KNOWLEDGE)), rounds)
    line(
        "load + validate + index, again",
        f"median {statistics.median(warm) * 1e3:.1f} ms   max {max(warm) * 1e3:.1f} ms",
    )
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    matcher = Matcher(knowledge)
    questions, in_scope = eval_questions(knowledge)
    hostile = [
        "",
        "x" * 10_000,
        "🤔" * 500,
        "@everyone " * 300,
        "a\u0301" * 2000,
        "who is the dominant partner " * 300,
        "lorem ipsum dolor sit amet consectetur adipiscing elit " * 200,  # words it must try to correct
    ]
    report("Matcher.ask, eval questions", latencies(matcher.ask, questions, rounds))
    report("Matcher.ask, hostile inputs (10k chars etc.)", latencies(matcher.ask, hostile, rounds))
    bench_follow_ups(matcher, knowledge, rounds)
    bm25, analyzer = bm25_for(knowledge)
    report(
        "rank_bm25 baseline, scoring only",
        latencies(lambda q: bm25.get_scores(analyzer.terms(analyzer.text(q))), questions, rounds),
    )
    right = top1 = 0
    for question, expected in in_scope:
        answer = matcher.ask(question)
        right += answer.entry is not None and answer.entry.id in expected
        scores = bm25.get_scores(analyzer.terms(analyzer.text(question)))
        top1 += knowledge.entries[max(range(len(scores)), key=scores.__getitem__)].id in expected
    line(
        "in-scope eval questions answered right",
        f"matcher {right}/{len(in_scope)}, BM25 top-1 (never declines) {top1}/{len(in_scope)}",
    )
    first, startup = startup_time(max(5, rounds // 2))
    line(
        "start-up of `python -m bot ask --json`",
        f"median {statistics.median(startup) * 1e3:.0f} ms for one question "
        f"(the first run, compiling the bot's modules: {first * 1e3:.0f} ms)",
    )
    return knowledge, questions


def bench_follow_ups(matcher: Matcher, knowledge: KnowledgeBase, rounds: int) -> None:
    """What reading each turn of the eval's conversations after the turns before it costs over reading it alone."""
    evalset = load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", knowledge)
    turns: list[tuple[str, Conversation]] = []
    for part in evalset.parts.values():
        for conversation in part.conversations:
            talk = Conversation()
            for number, case in enumerate(conversation):
                turns.append((case.question, talk))
                _, talk = matcher.reply(case.question, talk, float(number))
    # All turns alone, then all in their conversations: neither reading finds the message just read by the
    # other (what a message's words normalise to is remembered for a while).
    extra = []
    for _ in range(rounds):
        alone = [timed(lambda: matcher.ask(question), 1)[0] for question, _ in turns]  # noqa: B023
        within = [
            timed(lambda: matcher.ask(question, talk, float(len(talk.turns))), 1)[0]  # noqa: B023
            for question, talk in turns
        ]
        extra += [after - before for after, before in zip(within, alone, strict=True)]
    line(
        "Matcher.ask in a conversation, over alone",
        f"p50 {percentile(extra, 0.5) * 1e3:+.3f} ms   p99 {percentile(extra, 0.99) * 1e3:+.3f} ms "
        f"({len(turns)} turns)",
    )


def bench_generated(knowledge: KnowledgeBase, questions: list[str], size: int, rounds: int) -> None:
    print(f"\nGenerated knowledge base of {size:,} entries")
    big = generated_knowledge(knowledge, size)
    build = timed(lambda: Matcher(big), max(1, rounds // 10))
    tracemalloc.start()
    matcher = Matcher(big)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    line("index build", f"median {statistics.median(build) * 1e3:.0f} ms   (peak traced memory {peak / 2**20:.0f} MiB)")
    rng = random.Random(11)
    picked = [entry.questions[0] for entry in big.entries[:: max(1, size // 200)]]
    sample = picked + [perturbed(question, rng) for question in picked] + questions
    report("Matcher.ask (exact, retyped and eval questions)", latencies(matcher.ask, sample, max(1, rounds // 4)))
    bm25, analyzer = bm25_for(big)
    report(
        "rank_bm25 baseline, scoring only",
        latencies(lambda q: bm25.get_scores(analyzer.terms(analyzer.text(q))), sample, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--size", type=int, default=10_000, help="entries in the generated knowledge base")
    args = parser.parse_args()
    rounds = 3 if args.quick else 20
    knowledge, questions = bench_shipped(rounds)
    bench_generated(knowledge, questions, args.size, rounds)
    print(
        f"\nPeak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
