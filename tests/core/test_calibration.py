"""The calibration learns what the questions' words say, and writes it readable and loadable."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.core.calibration import FEATURES, PAIRS, SIGNALS, Calibration, Sample, fit, to_yaml
from bot.core.evaluation import Case, Part, calibration_samples
from bot.core.loader import load_knowledge
from bot.core.model import KnowledgeBase


def _samples(count: int) -> tuple[list[Sample], list[bool]]:
    """Right answers and near misses alike in every signal but their words: near misses ask for "exact" figures,
    "essay" stands in both as often, and each right one holds one word of its own."""
    rng = random.Random(3)
    samples, labels = [], []
    for index in range(count):
        right = index % 3 != 0
        signals = tuple(rng.random() for _ in SIGNALS)
        words = {"essay"} if index % 2 else set()
        words |= {f"once{index}"} if right else {"exact"}
        samples.append(Sample(signals, frozenset(words), frozenset(words - {"essay"})))
        labels.append(right)
    return samples, labels


def test_words_of_near_misses_weigh_against_an_answer_and_words_of_both_kinds_weigh_nothing() -> None:
    samples, labels = _samples(600)

    calibration = fit(samples, labels, list(range(len(samples))))

    assert calibration.words["exact"] < -2
    assert calibration.unexplained["exact"] < -2
    assert abs(calibration.words["essay"]) < 0.2
    assert "once1" not in calibration.words  # seen once: says nothing reliable, so not written down
    assert calibration.weights["words"] + calibration.weights["unexplained"] > 1
    signals = tuple(0.5 for _ in SIGNALS)
    asks_exact = Sample(signals, frozenset({"exact"}), frozenset({"exact"}))
    plain = Sample(signals, frozenset(), frozenset())
    assert calibration.probability(asks_exact) < calibration.threshold <= calibration.probability(plain)


def test_the_word_odds_are_learned_without_the_questions_they_are_weighed_for() -> None:
    """Words of two questions each, which say nothing of what is right in general: seen with their own questions
    they would look decisive, but the regression sees them as a new question would, unknown, and so learns
    nothing from the words."""
    rng = random.Random(5)
    samples, labels, groups = [], [], []
    for question in range(400):
        # Questions 10k + i and 10k + i + 5 share a word; each question is asked twice (bare and in context).
        words = frozenset({f"pair{question // 10}-{question % 5}"})
        right = rng.random() < 0.6
        for _ in range(2):
            samples.append(Sample(tuple(rng.random() for _ in SIGNALS), words, words))
            labels.append(right)
            groups.append(question)

    calibration = fit(samples, labels, groups)

    assert calibration.words["pair0-0"] != 0  # the table holds it, for questions to come
    assert abs(calibration.weights["words"]) < 0.2
    assert abs(calibration.weights["unexplained"]) < 0.2


def test_a_written_calibration_loads_back_the_same(knowledge_copy: Path) -> None:
    samples, labels = _samples(300)
    calibration = fit(samples, labels, list(range(len(samples))))

    (knowledge_copy / "calibration.yaml").write_text(to_yaml(calibration), encoding="utf-8")
    loaded = load_knowledge(knowledge_copy).calibration

    assert isinstance(loaded, Calibration)
    assert set(loaded.weights) == set(FEATURES)
    assert set(loaded.together) == set(PAIRS)
    assert [loaded.probability(sample) for sample in samples[:20]] == pytest.approx(
        [calibration.probability(sample) for sample in samples[:20]], abs=1e-4
    )
    assert dict(loaded.words) == dict(calibration.words)
    assert dict(loaded.unexplained) == dict(calibration.unexplained)
    assert loaded.threshold == calibration.threshold


def test_only_the_questions_as_written_teach_the_words() -> None:
    """The words of the context sentences a question is wrapped in for the eval teach nothing: in real
    messages the context is the asker's own."""
    samples, labels = _samples(600)
    wrapped = [Sample(sample.signals, sample.words | {"homework"}, sample.unexplained) for sample in samples]

    calibration = fit(
        samples + wrapped, labels + labels, [*range(600), *range(600)], [sample.words for sample in samples * 2]
    )

    assert "homework" not in calibration.words
    assert calibration.words["exact"] < -2


def test_a_tune_part_of_one_question_still_fits() -> None:
    """Its whole message right and its asking sentence wrong: no other question to learn the words from."""
    words = frozenset({"sanction"})
    samples = [Sample(tuple(0.2 for _ in SIGNALS), words, words), Sample(tuple(0.8 for _ in SIGNALS), words, words)]

    calibration = fit(samples, [True, False], [0, 0])

    assert calibration.words == {}
    assert 0 < calibration.threshold < 1


def test_what_two_signals_say_together_is_learned() -> None:
    """Right answers where the first two signals are both high or both low: neither alone says anything,
    and only their product, which the pairs weigh, tells the two kinds apart."""
    rng = random.Random(5)
    samples, labels = [], []
    for _ in range(800):
        first, second = rng.random(), rng.random()
        signals = (first, second, *(rng.random() for _ in SIGNALS[2:]))
        samples.append(Sample(signals, frozenset(), frozenset()))
        labels.append((first > 0.5) == (second > 0.5))

    calibration = fit(samples, labels, list(range(len(samples))))

    assert calibration.together[SIGNALS[0], SIGNALS[1]] > 1
    separated = [calibration.answers(sample) == label for sample, label in zip(samples, labels, strict=True)]
    assert sum(separated) > 0.8 * len(samples)


@pytest.mark.parametrize(("expected", "right"), [(("dominant-partner",), True), ((), False)])
def test_a_follow_up_read_with_the_question_before_it_teaches_the_calibration(
    knowledge: KnowledgeBase, expected: tuple[str, ...], right: bool
) -> None:
    """ "and militarily?" after "who is the dominant partner" is decided as the two read together: a sample of
    its own kind, marked "resolved", right or wrong by what the conversation expects of that turn."""
    turns = (Case("who is the dominant partner", ("dominant-partner",)), Case("and militarily?", expected))
    part = Part(cases=(), wrappers=(), context=(), small_talk=(), conversations=(turns,))

    samples = calibration_samples(knowledge, part)

    resolved = SIGNALS.index("resolved")
    assert [
        label for sample, label in zip(samples.samples, samples.labels, strict=True) if sample.signals[resolved]
    ] == [right]
