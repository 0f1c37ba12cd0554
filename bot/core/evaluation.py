"""The eval harness: how well the matcher answers the questions in ``knowledge/eval.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.checks import FileChecks, Limit, Problem
from bot.core.loader import KnowledgeError, display_path
from bot.core.matcher import Matcher
from bot.core.model import KnowledgeBase
from bot.core.yamlio import YamlList, YamlProblem, parse_yaml, read_limited

PARTS = ("tune", "holdout")
QUESTION = Limit(2_000, "eval questions are what people type")
RATIO_KEYS = ("in_scope_accuracy", "out_of_scope_rejection")


@dataclass(frozen=True, slots=True)
class Case:
    """One question; ``expected`` is empty when the essay does not answer it."""

    question: str
    expected: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalSet:
    thresholds: dict[str, float]
    parts: dict[str, tuple[Case, ...]]


@dataclass(frozen=True, slots=True)
class Miss:
    question: str
    expected: str
    got: str
    score: float


@dataclass(frozen=True, slots=True)
class PartResult:
    """How one part of the eval set fared."""

    name: str
    in_scope: int
    in_scope_right: int
    out_of_scope: int
    out_of_scope_declined: int
    misses: tuple[Miss, ...]

    @property
    def accuracy(self) -> float:
        return self.in_scope_right / self.in_scope if self.in_scope else 1.0

    @property
    def rejection(self) -> float:
        return self.out_of_scope_declined / self.out_of_scope if self.out_of_scope else 1.0

    def passes(self, thresholds: dict[str, float]) -> bool:
        return (
            self.accuracy >= thresholds["in_scope_accuracy"] and self.rejection >= thresholds["out_of_scope_rejection"]
        )


def load_eval(path: Path, knowledge: KnowledgeBase) -> EvalSet:
    """Read the eval file; raises KnowledgeError with every problem (unknown ids included)."""
    problems: list[Problem] = []
    checks = FileChecks(path, display_path(path), problems)
    try:
        raw = parse_yaml(read_limited(path))
    except YamlProblem as problem:
        checks.add(problem.line, problem.message)
        raise KnowledgeError(problems) from None
    except OSError as error:
        checks.add(0, f"cannot read the eval file ({error.strerror or error})")
        raise KnowledgeError(problems) from None
    data = checks.mapping(raw, 1, "the eval file")
    evalset = None
    if data is not None and checks.fields(data, "the eval file", ("thresholds", *PARTS)):
        thresholds = _thresholds(checks, data["thresholds"], data.line_of("thresholds"))
        parts = {name: _part(checks, data[name], data.line_of(name), name, knowledge) for name in PARTS}
        evalset = EvalSet(thresholds, parts)
    if problems or evalset is None:
        raise KnowledgeError(problems)
    return evalset


def _thresholds(checks: FileChecks, raw: Any, line: int) -> dict[str, float]:
    data = checks.mapping(raw, line, '"thresholds"')
    if data is None or not checks.fields(data, '"thresholds"', RATIO_KEYS):
        return {}
    thresholds = {}
    for key in RATIO_KEYS:
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            checks.add(data.line_of(key), f'"thresholds": "{key}" must be a fraction between 0 and 1, like 0.95')
        else:
            thresholds[key] = float(value)
    return thresholds


def _part(checks: FileChecks, raw: Any, line: int, name: str, knowledge: KnowledgeBase) -> tuple[Case, ...]:
    data = checks.mapping(raw, line, f'"{name}"')
    if data is None or not checks.fields(data, f'"{name}"', ("in_scope", "out_of_scope")):
        return ()
    cases = []
    for item, item_line in checks.list_of(data, "in_scope", f'"{name}"', minimum=1):
        case = _in_scope_case(checks, item, item_line, knowledge)
        if case is not None:
            cases.append(case)
    for item, item_line in checks.list_of(data, "out_of_scope", f'"{name}"', minimum=1):
        question = checks.text_value(item, item_line, f'"{name}": an out-of-scope question', QUESTION)
        if question is not None:
            cases.append(Case(question, ()))
    return tuple(cases)


def _in_scope_case(checks: FileChecks, raw: Any, line: int, knowledge: KnowledgeBase) -> Case | None:
    item = checks.mapping(raw, line, "an in-scope case")
    if item is None or not checks.fields(item, "an in-scope case", ("q", "expect")):
        return None
    question = checks.text(item, "q", "an in-scope case", QUESTION)
    expected = item["expect"]
    ids = tuple(expected) if isinstance(expected, YamlList) else (expected,)
    unknown = [str(entry_id) for entry_id in ids if not isinstance(entry_id, str) or knowledge.entry(entry_id) is None]
    if unknown or not ids:
        checks.add(
            item.line_of("expect"), f'"expect" names no entry of the knowledge base: {", ".join(unknown) or "nothing"}'
        )
        return None
    return Case(question, ids) if question else None


def run_eval(matcher: Matcher, evalset: EvalSet) -> list[PartResult]:
    """Ask every question and tally the results per part."""
    return [_run_part(matcher, name, cases) for name, cases in evalset.parts.items()]


def _run_part(matcher: Matcher, name: str, cases: tuple[Case, ...]) -> PartResult:
    knowledge = matcher.knowledge
    right = declined = 0
    misses = []
    for case in cases:
        answer = matcher.ask(case.question)
        got = answer.entry.id if answer.entry else "(declined)"
        if not case.expected:
            declined += not answer.answered
            if answer.answered:
                misses.append(Miss(case.question, "(declined)", got, answer.score))
            continue
        wanted = {entry.primary for entry_id in case.expected if (entry := knowledge.entry(entry_id))}
        if answer.entry is not None and answer.entry.primary in wanted:
            right += 1
        else:
            misses.append(Miss(case.question, " or ".join(case.expected), got, answer.score))
    in_scope = sum(1 for case in cases if case.expected)
    return PartResult(name, in_scope, right, len(cases) - in_scope, declined, tuple(misses))
