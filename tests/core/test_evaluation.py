"""The calibration is fitted on the tune questions as if they were new."""

from __future__ import annotations

from dataclasses import replace

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.evaluation import EvalSet, as_if_new, calibrate, load_eval
from bot.core.model import KnowledgeBase

SAMPLE = 150  # tune questions enough for a fit, few enough for a quick test


def test_as_if_new_drops_the_phrasings_close_to_a_question_but_each_entrys_first(knowledge: KnowledgeBase) -> None:
    entry = knowledge.entries[0]
    first, close, far = entry.questions[0], entry.questions[1], entry.questions[2]

    [seen] = as_if_new(knowledge, [first, close.upper() + "?"]).entries[:1]

    assert seen.questions[0] == first
    assert close not in seen.questions
    assert far in seen.questions
    assert as_if_new(knowledge, []).entries == knowledge.entries


def test_the_tune_questions_curated_as_phrasings_do_not_change_the_calibration(knowledge: KnowledgeBase) -> None:
    """A maintainer who adds the questions people asked as phrasings makes them no easier for the fit: it
    matches them as the new questions the calibration will decide."""
    evalset = load_eval(SHIPPED_KNOWLEDGE / "eval.yaml", knowledge)
    tune = evalset.parts["tune"]
    sample = EvalSet(evalset.thresholds, {"tune": replace(tune, cases=tune.cases[:SAMPLE], conversations=())})
    asked = {case.question: case.expected[0] for case in sample.parts["tune"].cases if case.expected}
    curated = replace(
        knowledge,
        entries=tuple(
            replace(entry, questions=(*entry.questions, *(q for q, answered in asked.items() if answered == entry.id)))
            for entry in knowledge.entries
        ),
    )

    assert calibrate(curated, sample) == calibrate(knowledge, sample)
