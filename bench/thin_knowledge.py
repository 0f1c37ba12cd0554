"""What the matcher does with the few phrasings a busy maintainer writes: the eval against a cut knowledge base.

    python bench/thin_knowledge.py                 # the curve for 1, 3, 8, 20 and all phrasings, both parts
    python bench/thin_knowledge.py --part holdout  # one part

Each entry keeps its first phrasing and a random choice of the others (and of its
`not_answered` lines), for three seeds; the title, answer, citations, keywords and
synonyms stay. A knowledge base with a calibration is calibrated again after the cut,
on the tune part, as `python -m bot calibrate` would be after such an edit; with
--hand-rules the matcher's hand-set rules decide instead. Prints in-scope right and
out-of-scope declined, bare, per cut and seed.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import SHIPPED_KNOWLEDGE  # noqa: E402
from bot.core.evaluation import PARTS, EvalSet, Part, calibrate, load_eval, run_eval  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.matcher import Matcher, Reason  # noqa: E402
from bot.core.model import Entry, KnowledgeBase  # noqa: E402

CUTS = (1, 3, 8, 20, None)  # phrasings per entry; None keeps them all
NOT_ANSWERED = 3
SEEDS = (1, 2, 3)


def cut(knowledge: KnowledgeBase, phrasings: int | None, seed: int) -> KnowledgeBase:
    """``knowledge`` with at most ``phrasings`` phrasings (the first kept) and NOT_ANSWERED near misses per entry."""
    if phrasings is None:
        return knowledge
    rng = random.Random(seed)
    return dataclasses.replace(knowledge, entries=tuple(_thin(entry, phrasings, rng) for entry in knowledge.entries))


def _thin(entry: Entry, phrasings: int, rng: random.Random) -> Entry:
    first, *rest = entry.questions
    kept = rng.sample(rest, min(len(rest), phrasings - 1))
    declined = rng.sample(entry.not_answered, min(len(entry.not_answered), NOT_ANSWERED))
    return dataclasses.replace(entry, questions=(first, *kept), not_answered=tuple(declined))


def recalibrated(knowledge: KnowledgeBase, evalset: EvalSet) -> KnowledgeBase:
    """``knowledge`` with its calibration fitted again on the tune part, if it has one."""
    if knowledge.calibration is None:
        return knowledge
    return dataclasses.replace(knowledge, calibration=calibrate(knowledge, evalset))


def bare(part: Part) -> Part:
    """The part's questions alone, without wrappings or conversations (those need no cut to compare)."""
    return Part(part.cases, (), (), ())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, help="only this part")
    parser.add_argument("--hand-rules", action="store_true", help="decide by the hand-set rules, not a calibration")
    args = parser.parse_args()
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    evalset = load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", knowledge)
    without = {Reason.CALIBRATED.value} if args.hand_rules else set()
    parts = {name: bare(part) for name, part in evalset.parts.items() if args.part in (None, name)}
    thin_evalset = EvalSet(evalset.thresholds, parts)
    print(f"{'phrasings':>9} {'part':8} {'in scope right (per seed)':>36} {'out of scope declined (per seed)':>38}")
    for phrasings in CUTS:
        seeds = SEEDS if phrasings is not None else (0,)
        runs = [
            run_eval(Matcher(recalibrated(cut(knowledge, phrasings, seed), evalset), without), thin_evalset)
            for seed in seeds
        ]
        for index, name in enumerate(parts):
            results = [run[index] for run in runs]
            right = [result.in_scope_right / result.in_scope for result in results]
            declined = [result.out_of_scope_declined / result.out_of_scope for result in results]
            label = "all" if phrasings is None else str(phrasings)
            print(f"{label:>9} {name:8} {_figures(right):>36} {_figures(declined):>38}")


def _figures(shares: list[float]) -> str:
    each = " ".join(f"{share:.1%}" for share in shares)
    return f"{statistics.mean(shares):.1%} ({each})" if len(shares) > 1 else each


if __name__ == "__main__":
    main()
