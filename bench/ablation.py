"""Rule ablation: builds the matcher without each rule in turn and prints what that does to the eval.

    python bench/ablation.py                 # both parts
    python bench/ablation.py --part tune     # while tuning: never study the holdout this way

A rule earns its place when leaving it out costs right answers or lets wrong
ones through (bare, wrapped in chat manners, in context, or as a follow-up in a
conversation); one that changes nothing goes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import SHIPPED_KNOWLEDGE  # noqa: E402
from bot.core.evaluation import PARTS, EvalSet, PartResult, load_eval, run_eval  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.matcher import RULES, Matcher  # noqa: E402


def figures(result: PartResult) -> tuple[int, ...]:
    """Right in-scope answers and declined out-of-scope questions: bare, in chat manners (small talk
    included) and in context; then the follow-ups right in conversations."""
    chat, context = result.wrapped, result.in_context
    return (
        result.in_scope_right,
        result.out_of_scope_declined,
        chat.in_scope_right,
        chat.out_of_scope + chat.small_talk - chat.leaks,
        context.in_scope_right,
        context.out_of_scope - context.leaks,
        result.follow_ups_right,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, help="only this part")
    args = parser.parse_args()
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE)
    evalset = load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", knowledge)
    if args.part:
        evalset = EvalSet(evalset.thresholds, {args.part: evalset.parts[args.part]})
    baseline = {result.name: figures(result) for result in run_eval(Matcher(knowledge), evalset)}
    names = list(baseline)
    print("Change from the full matcher when one rule is left out (in-scope right / out-of-scope declined),")
    print("bare, wrapped in chat manners and in context, and follow-ups right; the full matcher's counts come first.\n")
    header = "".join(
        f"{name + ' bare':>16}{name + ' chat':>18}{name + ' context':>18}{name + ' follow-ups':>20}" for name in names
    )
    print(f"{'rule left out':26}{header}")
    print(f"{'(none: full matcher)':26}" + "".join(_cells(baseline[name]) for name in names))
    for rule in sorted(RULES):
        results = {result.name: figures(result) for result in run_eval(Matcher(knowledge, without={rule}), evalset)}
        deltas = {
            name: tuple(now - then for now, then in zip(results[name], baseline[name], strict=True)) for name in names
        }
        print(f"{rule:26}" + "".join(_cells(deltas[name], signed=True) for name in names))


def _cells(values: tuple[int, ...], signed: bool = False) -> str:
    form = "{:+d}" if signed else "{:d}"
    pairs = [f"{form.format(values[index])} / {form.format(values[index + 1])}" for index in range(0, 6, 2)]
    return f"{pairs[0]:>16}{pairs[1]:>18}{pairs[2]:>18}{form.format(values[6]):>20}"


if __name__ == "__main__":
    main()
