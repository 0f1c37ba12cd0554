"""The eval harness asks the same questions, and tallies the same results, in one process or several."""

from __future__ import annotations

import dataclasses

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.evaluation import EvalSet, load_eval, run_eval
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase


def test_forked_processes_tally_what_one_process_does(knowledge: KnowledgeBase) -> None:
    """Questions in chat manners, in context and in conversations, asked in forked processes, come out the same."""
    shipped = load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", knowledge)
    holdout = shipped.parts["holdout"]
    small = dataclasses.replace(holdout, cases=holdout.cases[:40], conversations=holdout.conversations[:8])
    evalset = EvalSet(shipped.thresholds, {"holdout": small})

    [alone] = run_eval(Matcher(knowledge), evalset, jobs=1)
    [forked] = run_eval(Matcher(knowledge), evalset, jobs=3)

    assert forked == alone
    assert alone.wrapped.in_scope > 0
    assert alone.follow_ups > 0
