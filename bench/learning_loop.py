"""The learning loop, simulated: a thin knowledge base learns from a community's traffic, then meets new questions.

    python bench/learning_loop.py                  # measured on the holdout part
    python bench/learning_loop.py --design         # tune halves only: traffic from one, measured on the other

Each entry is cut to 8 phrasings and 3 `not_answered` lines (first phrasing kept, the rest at
random, seeds 1–3) and calibrated again, as bench/thin_knowledge.py does; the cut is written out
as YAML files. The tune part's questions are then asked as traffic, in random order, through the
terminal chat's recorder into a fresh question log. The simulated member picks the right entry
when it is offered (under a decline, beside a wrong answer, or after a 👎 on one), and gives a
👎 to an answer to a question the essay does not answer. `learn` then proposes from the log, and
what members confirmed is applied once, through `learn --apply`'s own validation and eval gate
(judged on the traffic's part only). Prints in-scope right and out-of-scope declined on the
measured part, before and after, per seed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ruamel.yaml.comments import CommentedSeq  # noqa: E402
from thin_knowledge import bare, cut, recalibrated  # noqa: E402

from bot.cli import TerminalLog  # noqa: E402
from bot.config import SHIPPED_KNOWLEDGE  # noqa: E402
from bot.core.calibration import to_yaml  # noqa: E402
from bot.core.evaluation import Case, EvalSet, Part, load_eval, run_eval  # noqa: E402
from bot.core.gaps import Asked  # noqa: E402
from bot.core.learning import AFTER_ANSWER, AFTER_DECLINE, AFTER_DOWNVOTE, Pick, Vote, propose, shown  # noqa: E402
from bot.core.loader import CALIBRATION_FILE, ENTRIES_DIR, load_knowledge  # noqa: E402
from bot.core.matcher import Matcher  # noqa: E402
from bot.core.model import KnowledgeBase  # noqa: E402
from bot.core.proposals import apply_proposals, round_trip_yaml  # noqa: E402
from bot.storage import SqliteQuestionLog  # noqa: E402

PHRASINGS = 8
SEEDS = (1, 2, 3)


def write_cut(source: Path, target: Path, thin: KnowledgeBase) -> None:
    """The folder ``source`` with each entry's phrasings and not_answered lines as in ``thin``, layout kept."""
    shutil.copytree(source, target)
    writer = round_trip_yaml()
    kept = {entry.id: entry for entry in thin.entries}
    for path in sorted((target / ENTRIES_DIR).glob("*.yaml")):
        document = writer.load(path.read_text(encoding="utf-8"))
        for entry in document["entries"]:
            thinned = kept[entry["id"]]
            for key, wanted in (("questions", thinned.questions), ("not_answered", thinned.not_answered)):
                if key in entry:
                    entry[key] = CommentedSeq([item for item in entry[key] if item.strip() in wanted])
        with path.open("w", encoding="utf-8") as out:
            writer.dump(document, out)
    if thin.calibration is not None:
        (target / CALIBRATION_FILE).write_text(to_yaml(thin.calibration), encoding="utf-8")


def replay(matcher: Matcher, cases: list[Case], log: Path, seed: int, rating: float) -> None:
    """Ask every case as a member would, recording questions, picks and votes as the terminal chat does.

    ``rating``: the share of right answers a member gives a 👍.
    """
    recorder = TerminalLog(log)
    rng = random.Random(seed)
    order = list(cases)
    rng.shuffle(order)
    for case in order:
        answer = matcher.ask(case.question)
        recorder.question(answer)
        seen = shown(answer)
        right = set(case.expected)
        offered = {item.id for item in answer.suggestions}
        if answer.entry is None:
            if offered & right:
                recorder.pick(seen, sorted(offered & right)[0], AFTER_DECLINE)
        elif answer.entry.id not in right:
            if offered & right:
                recorder.pick(seen, sorted(offered & right)[0], AFTER_ANSWER)
                continue
            recorder.vote(seen, helpful=False)
            alternatives = {item.id for item in matcher.alternatives(case.question, answer.entry.id)}
            if alternatives & right:
                recorder.pick(seen, sorted(alternatives & right)[0], AFTER_DOWNVOTE)
        elif rng.random() < rating:
            recorder.vote(seen, helpful=True)
    recorder.close()


def measure(knowledge: KnowledgeBase, part: Part) -> tuple[float, float]:
    result = run_eval(Matcher(knowledge), EvalSet({}, {"measured": bare(part)}))[0]
    return result.accuracy, result.rejection


async def _records(log: Path) -> tuple[list[Asked], list[Pick], list[Vote]]:
    store = SqliteQuestionLog(log)
    try:
        return await store.unanswered(), await store.picks(), await store.votes()
    finally:
        await store.close()


def run_seed(
    seed: int, traffic: Part, measured: Part, evalset: EvalSet, rating: float
) -> tuple[tuple[float, float], ...]:
    shipped = load_knowledge(SHIPPED_KNOWLEDGE)
    gate = EvalSet(evalset.thresholds, {"traffic": traffic})
    thin = recalibrated(cut(shipped, PHRASINGS, seed), EvalSet(evalset.thresholds, {"tune": traffic}))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "knowledge"
        write_cut(SHIPPED_KNOWLEDGE, folder, thin)
        before = load_knowledge(folder)
        start = measure(before, measured)
        log = Path(scratch) / "questions.sqlite3"
        replay(Matcher(before), list(traffic.cases), log, seed, rating)
        declined, picks, votes = asyncio.run(_records(log))
        proposals = propose(Matcher(before), declined, picks, votes)
        confirmed = [proposal for proposal in proposals if proposal.confirmed]
        outcome = apply_proposals(folder, confirmed, lambda _folder: gate)
        end = measure(load_knowledge(folder), measured)
        kinds = {kind: sum(p.kind == kind for p in outcome.applied) for kind in ("phrasing", "not_answered")}
        print(
            f"  seed {seed}: {len(picks)} picks, {len(votes)} votes -> {len(confirmed)} confirmed proposals, "
            f"{len(outcome.applied)} applied ({kinds['phrasing']} phrasings, {kinds['not_answered']} not_answered), "
            f"{len(outcome.refused)} refused",
            flush=True,
        )
        return start, end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--design", action="store_true", help="traffic from one half of tune, measured on the other")
    parser.add_argument(
        "--rating", type=float, default=0.0, help="share of right answers the member gives a 👍 (default 0: picks only)"
    )
    args = parser.parse_args()
    evalset = load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", load_knowledge(SHIPPED_KNOWLEDGE))
    tune = evalset.parts["tune"]
    if args.design:
        cases = list(tune.cases)
        random.Random(0).shuffle(cases)
        half = len(cases) // 2
        traffic, measured, name = Part(tuple(cases[:half]), (), (), ()), Part(tuple(cases[half:]), (), (), ()), "tune B"
    else:
        traffic, measured, name = tune, evalset.parts["holdout"], "holdout"
    print(
        f"{PHRASINGS} phrasings per entry; traffic: {len(traffic.cases)} questions, {args.rating:.0%} of right answers "
        f"rated 👍; measured on {name}"
    )
    runs = [run_seed(seed, traffic, measured, evalset, args.rating) for seed in SEEDS]
    for label, index in (("before", 0), ("after", 1)):
        right = [run[index][0] for run in runs]
        declined = [run[index][1] for run in runs]
        print(f"  {label:6} in scope right {_figures(right)}   out of scope declined {_figures(declined)}")


def _figures(shares: list[float]) -> str:
    each = " ".join(f"{share:.1%}" for share in shares)
    return f"{statistics.mean(shares):.1%} ({each})"


if __name__ == "__main__":
    main()
