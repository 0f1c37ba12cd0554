"""The eval harness: how well the matcher answers the questions in ``knowledge/eval.yaml``."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bot.core.answer import Answer
from bot.core.calibration import Calibration, Sample, fit
from bot.core.checks import FileChecks, Limit, Problem
from bot.core.conversation import Conversation
from bot.core.loader import KnowledgeError, display_path
from bot.core.matcher import Explanation, Matcher, Reason
from bot.core.model import Citation, KnowledgeBase
from bot.core.yamlio import MAX_FILE_BYTES, YamlList, YamlMap, YamlProblem, parse_yaml, read_limited

PARTS = ("tune", "holdout")
QUESTION = Limit(2_000, "eval questions are what people type")
RATIO_KEYS = (
    "in_scope_accuracy",
    "out_of_scope_rejection",
    "wrapped_in_scope_drop",
    "context_in_scope_drop",
    "context_out_of_scope_answered",
    "follow_up_accuracy",
)
COUNT_KEYS = ("wrapped_out_of_scope_answered",)
PLACEHOLDER = "{q}"
WRAPPINGS_PER_QUESTION = 4  # each question is wrapped in this many of its part's wrappers, taken in turn
# The eval gains a batch or two of blind questions a session: it outgrew the knowledge files' limit at stop 28.
MAX_EVAL_BYTES = 4 * MAX_FILE_BYTES


@dataclass(frozen=True, slots=True)
class Case:
    """One question; ``expected`` is empty when the essay does not answer it."""

    question: str
    expected: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Part:
    """The questions of one part, and what its questions are wrapped in."""

    cases: tuple[Case, ...]
    wrappers: tuple[str, ...]  # chat manners around PLACEHOLDER, which each holds once
    context: tuple[str, ...]  # sentences of context about the asker around PLACEHOLDER
    small_talk: tuple[str, ...]  # messages that ask nothing
    conversations: tuple[tuple[Case, ...], ...] = ()  # turns of one member, each after the ones before


@dataclass(frozen=True, slots=True)
class EvalSet:
    thresholds: dict[str, float]
    parts: dict[str, Part]


@dataclass(frozen=True, slots=True)
class Miss:
    question: str
    expected: str
    got: str
    score: float


@dataclass(frozen=True, slots=True)
class Wrapped:
    """The same questions again, wrapped in chat manners or context: what the wrapping alone changes."""

    in_scope: int  # wrapped in-scope questions asked
    in_scope_right: int
    unwrapped_right: int  # the same questions' right answers unwrapped, counted as often
    out_of_scope: int  # wrapped out-of-scope questions whose bare form is declined
    out_of_scope_answered: int  # of those, answered once wrapped
    small_talk: int
    small_talk_answered: int
    misses: tuple[Miss, ...]

    @property
    def accuracy(self) -> float:
        return self.in_scope_right / self.in_scope if self.in_scope else 1.0

    @property
    def drop(self) -> float:
        """How much lower wrapped in-scope accuracy is than the same questions' bare accuracy."""
        return (self.unwrapped_right - self.in_scope_right) / self.in_scope if self.in_scope else 0.0

    @property
    def leaks(self) -> int:
        """Messages that asked nothing the essay answers, answered all the same because of what was around them."""
        return self.out_of_scope_answered + self.small_talk_answered

    @property
    def leak_share(self) -> float:
        asked = self.out_of_scope + self.small_talk
        return self.leaks / asked if asked else 0.0


@dataclass(frozen=True, slots=True)
class PartResult:
    """How one part of the eval set fared."""

    name: str
    in_scope: int
    in_scope_right: int
    out_of_scope: int
    out_of_scope_declined: int
    misses: tuple[Miss, ...]
    reasons: dict[str, int]  # how many answers and declines each reason made
    wrapped: Wrapped  # in chat manners, small talk included
    in_context: Wrapped  # in a sentence of context
    follow_ups: int = 0  # turns of a conversation after its first
    follow_ups_right: int = 0
    follow_up_misses: tuple[Miss, ...] = ()

    @property
    def follow_up_accuracy(self) -> float:
        return self.follow_ups_right / self.follow_ups if self.follow_ups else 1.0

    @property
    def accuracy(self) -> float:
        return self.in_scope_right / self.in_scope if self.in_scope else 1.0

    @property
    def rejection(self) -> float:
        return self.out_of_scope_declined / self.out_of_scope if self.out_of_scope else 1.0

    def passes(self, thresholds: dict[str, float]) -> bool:
        return not self.failures(thresholds)

    def failures(self, thresholds: dict[str, float]) -> tuple[str, ...]:
        """The names of the thresholds this part misses."""
        checks = {
            "in_scope_accuracy": self.accuracy >= thresholds["in_scope_accuracy"],
            "out_of_scope_rejection": self.rejection >= thresholds["out_of_scope_rejection"],
            "wrapped_in_scope_drop": self.wrapped.drop <= thresholds["wrapped_in_scope_drop"],
            "wrapped_out_of_scope_answered": self.wrapped.leaks <= thresholds["wrapped_out_of_scope_answered"],
            "context_in_scope_drop": self.in_context.drop <= thresholds["context_in_scope_drop"],
            "context_out_of_scope_answered": (
                self.in_context.leak_share <= thresholds["context_out_of_scope_answered"]
            ),
            "follow_up_accuracy": self.follow_up_accuracy >= thresholds["follow_up_accuracy"],
        }
        return tuple(name for name, met in checks.items() if not met)

    @property
    def all_misses(self) -> tuple[Miss, ...]:
        """Every miss of the part: bare, in chat manners, in context and in conversations."""
        return (*self.misses, *self.wrapped.misses, *self.in_context.misses, *self.follow_up_misses)


def load_eval(path: Path, knowledge: KnowledgeBase) -> EvalSet:
    """Read the eval file; raises KnowledgeError with every problem (unknown ids included)."""
    problems: list[Problem] = []
    checks = FileChecks(path, display_path(path), problems)
    try:
        raw = parse_yaml(read_limited(path, MAX_EVAL_BYTES))
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
    if data is None or not checks.fields(data, '"thresholds"', RATIO_KEYS + COUNT_KEYS):
        return {}
    thresholds = {}
    for key in RATIO_KEYS + COUNT_KEYS:
        value = data[key]
        if key in COUNT_KEYS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                checks.add(data.line_of(key), f'"thresholds": "{key}" must be a whole number, 0 or more')
                continue
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            checks.add(data.line_of(key), f'"thresholds": "{key}" must be a fraction between 0 and 1, like 0.95')
            continue
        thresholds[key] = float(value)
    return thresholds


def _part(checks: FileChecks, raw: Any, line: int, name: str, knowledge: KnowledgeBase) -> Part:
    data = checks.mapping(raw, line, f'"{name}"')
    fields = ("in_scope", "out_of_scope", "wrappers", "context", "small_talk", "conversations")
    if data is None or not checks.fields(data, f'"{name}"', fields):
        return Part((), (), (), ())
    cases = []
    for item, item_line in checks.list_of(data, "in_scope", f'"{name}"', minimum=1):
        case = _in_scope_case(checks, item, item_line, knowledge)
        if case is not None:
            cases.append(case)
    for item, item_line in checks.list_of(data, "out_of_scope", f'"{name}"', minimum=1):
        question = checks.text_value(item, item_line, f'"{name}": an out-of-scope question', QUESTION)
        if question is not None:
            cases.append(Case(question, ()))
    wrappers = _wrappers(checks, data, "wrappers", name)
    context = _wrappers(checks, data, "context", name)
    small_talk = [
        text
        for item, item_line in checks.list_of(data, "small_talk", f'"{name}"', minimum=1)
        if (text := checks.text_value(item, item_line, f'"{name}": a small-talk message', QUESTION)) is not None
    ]
    conversations = []
    for item, item_line in checks.list_of(data, "conversations", f'"{name}"', minimum=1):
        turns = _conversation(checks, item, item_line, knowledge)
        if turns:
            conversations.append(turns)
    return Part(tuple(cases), wrappers, context, tuple(small_talk), tuple(conversations))


def _conversation(checks: FileChecks, raw: Any, line: int, knowledge: KnowledgeBase) -> tuple[Case, ...]:
    """A conversation's turns; a turn's "expect" is null when the essay does not answer it."""
    if not isinstance(raw, YamlList) or len(raw) < 2:
        checks.add(line, "a conversation is a list of two or more turns, each with q and expect")
        return ()
    turns = []
    for item, item_line in zip(raw, raw.item_lines, strict=True):
        if isinstance(item, YamlMap) and item.get("expect") is None and "expect" in item:
            question = checks.text(item, "q", "a turn", QUESTION)
            turns.append(Case(question, ()) if question else None)
        else:
            turns.append(_in_scope_case(checks, item, item_line, knowledge))
    return tuple(turn for turn in turns if turn is not None) if None not in turns else ()


def _wrappers(checks: FileChecks, data: YamlMap, key: str, name: str) -> tuple[str, ...]:
    """Texts that each hold PLACEHOLDER once, where the question goes."""
    wrappers = []
    for item, item_line in checks.list_of(data, key, f'"{name}"', minimum=1):
        wrapper = checks.text_value(item, item_line, f'"{name}": a "{key}" item', QUESTION)
        if wrapper is not None and wrapper.count(PLACEHOLDER) != 1:
            where = f"must hold {PLACEHOLDER} exactly once, where the question goes"
            checks.add(item_line, f'"{name}": a "{key}" item {where}')
        elif wrapper is not None:
            wrappers.append(wrapper)
    return tuple(wrappers)


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


# What the calibration decides: everything the guards and the curated phrasings leave open.
CALIBRATED_REASONS = frozenset(
    reason.value
    for reason in (
        Reason.CALIBRATED,
        Reason.MOSTLY_EXPLAINED,
        Reason.DISTINCTIVE_LEAD,
        Reason.RAMBLING_LEAD,
        Reason.SHAPED_LIKE_PHRASING,
        Reason.TOO_LITTLE_EVIDENCE,
        Reason.CLOSER_TO_NOT_ANSWERED,
        Reason.ASKING_SENTENCE,
    )
)


def calibrate(knowledge: KnowledgeBase, evalset: EvalSet, part: str = "tune") -> Calibration:
    """Fit the calibration on one part: its questions, bare and in their context sentences, and the turns of
    its conversations, each read after the turns before it."""
    samples = calibration_samples(knowledge, evalset.parts[part])
    return fit(samples.samples, samples.labels, samples.groups, samples.teaches)


@dataclass
class Samples:
    """What the calibration learns from: each decision the guards leave open (of a whole message, of its asking
    sentence, of a follow-up read with the question before it), whether its best entry is the right one, the
    question or conversation it came from, and the words it may teach."""

    knowledge: KnowledgeBase
    samples: list[Sample] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    teaches: list[frozenset[str]] = field(default_factory=list)

    def add(self, explanation: Explanation, case: Case, group: int, teaches: frozenset[str]) -> None:
        for decision in (explanation.decision, explanation.focus):
            if decision is None or decision.sample is None or decision.reason.value not in CALIBRATED_REASONS:
                continue
            best = self.knowledge.entries[decision.candidates[0].position]
            self.samples.append(decision.sample)
            self.labels.append(bool(case.expected) and best.primary in _primaries(self.knowledge, case))
            self.groups.append(group)
            self.teaches.append(teaches)


def calibration_samples(knowledge: KnowledgeBase, part: Part) -> Samples:
    """The samples of one part of the eval, as the matcher decides them without a calibration."""
    # The samples are what a calibration will decide: the share of words the essay never uses is
    # one of its signals, so the guard that stands in for it without a calibration is left out.
    matcher = Matcher(knowledge, without={Reason.CALIBRATED.value, Reason.MOSTLY_UNUSED_WORDS.value})
    samples = Samples(knowledge)
    for index, case in enumerate(part.cases):
        bare = matcher.explain(case.question)
        own = _words(bare)  # the question's words, as written: all that its samples teach, bare or in context
        wrapped = (wrapper.replace(PLACEHOLDER, case.question) for wrapper in wrappings(part.context, index))
        for explanation in (bare, *map(matcher.explain, wrapped)):
            samples.add(explanation, case, index, own)
    # A follow-up's answer rests on a decision of its own kind, its words and the question before it read
    # together: the calibration learns from those too ("resolved" tells them apart).
    for index, turns in enumerate(part.conversations, start=len(part.cases)):
        conversation = Conversation()
        for number, case in enumerate(turns):
            explanation, conversation = matcher.reply(case.question, conversation, float(number))
            samples.add(explanation, case, index, _words(explanation))
    return samples


def _words(explanation: Explanation) -> frozenset[str]:
    """The words the calibration weighs of a message, in its decisions (the whole message, its asking sentence)."""
    decisions = (explanation.decision, explanation.focus)
    return frozenset().union(*(decision.sample.words for decision in decisions if decision and decision.sample))


def run_eval(matcher: Matcher, evalset: EvalSet, jobs: int = 1) -> list[PartResult]:
    """Ask every question, bare and wrapped in chat manners, and tally the results per part.

    With ``jobs`` above 1, a part's questions in chat manners, in context and its conversations are
    asked in that many forked processes at once: the same answers, in about two thirds of the time on
    two cores."""
    return [_run_part(matcher, name, part, jobs) for name, part in evalset.parts.items()]


def _verdict(matcher: Matcher, case: Case, question: str) -> tuple[bool, Answer]:
    """Whether the answer to ``question`` is right for ``case``: the expected primary passage, or a decline."""
    answer = matcher.ask(question)
    return _right(matcher, case, answer), answer


def _right(matcher: Matcher, case: Case, answer: Answer) -> bool:
    """The expected primary passage for an answerable case, a decline (or small talk) for one the essay leaves open."""
    if not case.expected:
        return not answer.answered
    return answer.entry is not None and answer.entry.primary in _primaries(matcher.knowledge, case)


def _primaries(knowledge: KnowledgeBase, case: Case) -> set[Citation]:
    """The primary passages of the entries that answer ``case`` rightly."""
    return {entry.primary for entry_id in case.expected if (entry := knowledge.entry(entry_id))}


def _miss(question: str, case: Case, answer: Answer) -> Miss:
    got = answer.entry.id if answer.entry else "(declined)"
    return Miss(question, " or ".join(case.expected) or "(declined)", got, answer.score)


def _run_part(matcher: Matcher, name: str, part: Part, jobs: int) -> PartResult:
    right = declined = 0
    misses = []
    reasons: Counter[str] = Counter()
    bare: list[bool] = []
    for case in part.cases:
        correct, answer = _verdict(matcher, case, case.question)
        bare.append(correct)
        reasons[answer.reason] += 1
        if case.expected:
            right += correct
        else:
            declined += correct
        if not correct:
            misses.append(_miss(case.question, case, answer))
    in_scope = sum(1 for case in part.cases if case.expected)
    wrapped, in_context, (follow_ups, follow_ups_right, follow_up_misses) = _in_parallel(
        (
            partial(_run_wrapped, matcher, part.cases, bare, part.wrappers, part.small_talk),
            partial(_run_wrapped, matcher, part.cases, bare, part.context, ()),
            partial(_run_conversations, matcher, part.conversations),
        ),
        jobs,
    )
    return PartResult(
        name,
        in_scope,
        right,
        len(part.cases) - in_scope,
        declined,
        tuple(misses),
        dict(reasons),
        wrapped,
        in_context,
        follow_ups,
        follow_ups_right,
        follow_up_misses,
    )


# What the forked processes of _in_parallel run: set before they fork, so the matcher is not pickled.
_forked: dict[str, Sequence[Callable[[], Any]]] = {}


def _in_parallel(phases: Sequence[Callable[[], Any]], jobs: int) -> list[Any]:
    """Each phase's result, in order: the phases run in up to ``jobs`` forked processes (in this one for 1)."""
    if jobs <= 1:
        return [phase() for phase in phases]
    _forked["phases"] = phases
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(phases))) as pool:
            return pool.map(_run_phase, range(len(phases)), chunksize=1)
    finally:
        _forked.clear()


def _run_phase(index: int) -> Any:
    return _forked["phases"][index]()


def _run_conversations(
    matcher: Matcher, conversations: tuple[tuple[Case, ...], ...]
) -> tuple[int, int, tuple[Miss, ...]]:
    """Each conversation turn by turn, a few seconds apart; the turns after the first are scored."""
    asked = right = 0
    misses = []
    for turns in conversations:
        conversation = Conversation()
        for number, case in enumerate(turns):
            explanation, conversation = matcher.reply(case.question, conversation, float(number))
            if number == 0:
                continue
            asked += 1
            if _right(matcher, case, explanation.answer):
                right += 1
            else:
                misses.append(_miss(f"{turns[number - 1].question} → {case.question}", case, explanation.answer))
    return asked, right, tuple(misses)


def wrappings(wrappers: tuple[str, ...], index: int) -> list[str]:
    """The wrappers the ``index``-th question is put in: the next few in turn, so that all get used."""
    count = len(wrappers)
    first = index * WRAPPINGS_PER_QUESTION
    return [wrappers[(first + step) % count] for step in range(min(count, WRAPPINGS_PER_QUESTION))]


def _run_wrapped(
    matcher: Matcher, cases: tuple[Case, ...], bare: list[bool], wrappers: tuple[str, ...], small_talk: tuple[str, ...]
) -> Wrapped:
    in_scope = in_scope_right = unwrapped_right = out_of_scope = answered = 0
    misses = []
    for index, (case, bare_correct) in enumerate(zip(cases, bare, strict=True)):
        if not case.expected and not bare_correct:
            continue  # already answered bare: the wrapping is not what answers it
        for wrapper in wrappings(wrappers, index):
            question = wrapper.replace(PLACEHOLDER, case.question)
            correct, answer = _verdict(matcher, case, question)
            if case.expected:
                in_scope += 1
                in_scope_right += correct
                unwrapped_right += bare_correct
            else:
                out_of_scope += 1
                answered += not correct
            if not correct and (bare_correct or not case.expected):
                misses.append(_miss(question, case, answer))
    talk = [matcher.ask(message) for message in small_talk]
    talk_answered = [answer for answer in talk if answer.answered]
    misses += [_miss(answer.question, Case(answer.question, ()), answer) for answer in talk_answered]
    return Wrapped(
        in_scope, in_scope_right, unwrapped_right, out_of_scope, answered, len(talk), len(talk_answered), tuple(misses)
    )
