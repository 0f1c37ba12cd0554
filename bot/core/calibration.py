"""Whether the best entry answers a question: a logistic regression over the matcher's signals.

Learned from the tune part of the maintainers' eval by ``python -m bot calibrate``,
which writes ``knowledge/calibration.yaml``: one readable weight per signal, one per
two signals together, and what each word of the questions says. It decides only what
the guards leave open; without the file the matcher falls back to its hand-set rules.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

# The matcher's signals, in the order a sample lists them (the matcher scales them; fit standardises them).
SIGNALS = (
    "coverage",  # share of the question's weight the entry explains
    "evidence",  # that weight, log(1 + weight)
    "labels",  # share explained by its title and keywords
    "overlap",  # best term overlap with one phrasing
    "verbatim",  # closest phrasing's order-aware similarity
    "strong",  # distinctive terms explained, /5
    "shared",  # terms explained, /6
    "margin",  # lead over the runner-up, /100
    "brief",  # 1 when the evidence is one word's worth
    "terms",  # terms of the question the knowledge base uses, /10
    "foreign",  # share of the question's weight in words the essay never uses
    "phrasings",  # how many phrasings the best entry has, log: with few, overlapping one of them means more
    "focused",  # 1 for the asking sentence of a longer message that points at the same entry
    "resolved",  # 1 for a follow-up read together with the question before it
)
# What the words themselves say, learned from the tune questions: the sum of each word's log-odds of
# standing in a question whose best entry is right rather than wrong, over all the question's words
# ("percent", "predict", "GDP" mostly stand in near misses) and over the ones the best entry leaves
# unexplained ("feel", "future": how someone feels, what comes next, where the entry says neither).
WORD_SIGNALS = ("words", "unexplained")
FEATURES = SIGNALS + WORD_SIGNALS
# What two features say together, beyond what each says alone: a wide lead means more when the question's
# words are explained, a close phrasing less when its words speak against an answer. Each pair's product of
# standardised values has a weight of its own.
# The flags "brief" and "focused" are left out: paired, they measured no better. "resolved" is paired, as a
# follow-up read with the question before it weighs the other signals differently (cross-validated on tune).
PAIRED = tuple(name for name in FEATURES if name not in ("brief", "focused"))
PAIRS = tuple(combinations(PAIRED, 2))
_POSITION = {name: index for index, name in enumerate(FEATURES)}
PAIRED_WITHIN = 2.0  # in a pair, a standardised value is held to ± this: few samples lie beyond to learn from
L2 = 1.0  # ridge penalty on the standardised weights: keeps them readable and stable
WRONG_COST = 1.0  # a wrong answer with a citation costs this many declined fair questions
NEWTON_STEPS = 25
WORD_PRIOR = 1.0  # pseudo-samples per word, shared by the two kinds in proportion: a word seen once says little
MIN_WORD_QUESTIONS = 2  # a word of fewer tune questions is not written down: it would say nothing reliable
FOLDS = 5  # the word log-odds the regression learns from are each fitted without the question's own fold


@dataclass(frozen=True, slots=True)
class Sample:
    """What the calibration weighs for one decision: the signals (in SIGNALS' order) and the question's words."""

    signals: tuple[float, ...]
    words: frozenset[str]
    unexplained: frozenset[str]  # those of the words the best entry's own terms leave unexplained


@dataclass(frozen=True, slots=True)
class Calibration:
    """A fitted logistic regression: ``probability`` is the chance the best entry is the right one."""

    bias: float
    weights: Mapping[str, float]  # per feature, on the standardised value
    means: Mapping[str, float]
    scales: Mapping[str, float]
    together: Mapping[tuple[str, str], float]  # per pair of features, on the product of their standardised values
    threshold: float
    words: Mapping[str, float]  # per word, its log-odds of standing in a question answered right
    unexplained: Mapping[str, float]  # the same, for the words the best entry leaves unexplained
    _arrays: tuple[np.ndarray, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A question weighs a few samples: arrays keep the pairs' products from costing a loop each.
        pairs = np.zeros((len(FEATURES), len(FEATURES)))
        for (first, second), weight in self.together.items():
            pairs[_POSITION[first], _POSITION[second]] = weight
        linear = (np.array([table[name] for name in FEATURES]) for table in (self.weights, self.means, self.scales))
        object.__setattr__(self, "_arrays", (*linear, pairs))

    def probability(self, sample: Sample) -> float:
        weights, means, scales, pairs = self._arrays
        values = np.array(
            (*sample.signals, _odds(self.words, sample.words), _odds(self.unexplained, sample.unexplained))
        )
        z = (values - means) / scales
        held = np.clip(z, -PAIRED_WITHIN, PAIRED_WITHIN)
        logit = self.bias + float(weights @ z + held @ pairs @ held)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))

    def answers(self, sample: Sample) -> bool:
        return self.probability(sample) >= self.threshold


def fit(
    samples: Sequence[Sample],
    labels: Sequence[bool],
    groups: Sequence[int],
    teaches: Sequence[frozenset[str]] | None = None,
) -> Calibration:
    """The regression for ``samples`` and whether each one's best entry is right.

    ``groups`` says which samples come from one question: the word log-odds a sample's regression
    row holds are learned without its question, as they will be for a new one, or the regression
    would trust the words for having seen them. ``teaches`` gives the words each sample may teach
    (by default all of its own): a question the eval wraps in a context sentence teaches its own
    words again, but not the context sentence's, which are the eval's, not the askers'. The
    threshold is the one that, over the samples, makes the most right answers against WRONG_COST
    times the wrong ones.
    """
    if len(set(labels)) < 2:
        raise ValueError("the eval's tune part needs questions whose best entry is right and ones where it is not")
    y = np.asarray(labels, dtype=np.float64)
    lessons = (
        list(samples)
        if teaches is None
        else [
            Sample(sample.signals, sample.words & taught, sample.unexplained & taught)
            for sample, taught in zip(samples, teaches, strict=True)
        ]
    )
    folds = [group % FOLDS for group in groups]
    signals = np.asarray([sample.signals for sample in samples], dtype=np.float64)
    x = np.column_stack([signals, np.zeros((len(y), len(WORD_SIGNALS)))])
    for fold in range(FOLDS):
        held = [i for i in range(len(y)) if folds[i] == fold]
        learned = [i for i in range(len(y)) if folds[i] != fold]
        for column, kind in enumerate(WORD_SIGNALS, start=len(SIGNALS)):
            odds = _word_odds([(getattr(lessons[i], kind), labels[i], groups[i]) for i in learned])
            x[held, column] = [_odds(odds, getattr(samples[i], kind)) for i in held]
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[np.isclose(scales, 0.0, atol=1e-9)] = 1.0  # a signal every sample shares says nothing
    standard = (x - means) / scales
    held = np.clip(standard, -PAIRED_WITHIN, PAIRED_WITHIN)
    products = [held[:, _POSITION[first]] * held[:, _POSITION[second]] for first, second in PAIRS]
    z = np.column_stack([np.ones(len(x)), standard, *products])
    penalty = L2 * np.diag([0.0] + [1.0] * (z.shape[1] - 1))
    w = np.zeros(z.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty
        w -= np.linalg.solve(hessian, gradient)
    p = 1.0 / (1.0 + np.exp(-(z @ w)))
    return Calibration(
        float(w[0]),
        {name: float(weight) for name, weight in zip(FEATURES, w[1 : 1 + len(FEATURES)], strict=True)},
        {name: float(mean) for name, mean in zip(FEATURES, means, strict=True)},
        {name: float(scale) for name, scale in zip(FEATURES, scales, strict=True)},
        {pair: float(weight) for pair, weight in zip(PAIRS, w[1 + len(FEATURES) :], strict=True)},
        _best_threshold(p, y),
        *(
            _word_odds([(getattr(lessons[i], kind), labels[i], groups[i]) for i in range(len(y))])
            for kind in WORD_SIGNALS
        ),
    )


def _odds(table: Mapping[str, float], words: Iterable[str]) -> float:
    return sum(table.get(word, 0.0) for word in words)


def _word_odds(taught: Sequence[tuple[frozenset[str], bool, int]]) -> dict[str, float]:
    """Per word, the log-odds that a sample holding it is right rather than wrong (smoothed naive Bayes),
    from each sample's words, whether it is right, and its question.

    The prior is shared in proportion to how many samples are right and wrong, so a word seen as
    often, for its kind's size, in both kinds weighs 0, as does one never seen.
    """
    if not taught:  # a tune part of one question has no other to learn its words from
        return {}
    right, wrong, questions = Counter[str](), Counter[str](), defaultdict[str, set[int]](set)
    for bag, label, group in taught:
        (right if label else wrong).update(bag)
        for word in bag:
            questions[word].add(group)
    total_right = sum(label for _, label, _ in taught)
    total_wrong = len(taught) - total_right
    prior_right = WORD_PRIOR * 2 * total_right / len(taught)
    prior_wrong = WORD_PRIOR * 2 * total_wrong / len(taught)
    return {
        word: round(
            math.log((right[word] + prior_right) / (total_right + prior_right))
            - math.log((wrong[word] + prior_wrong) / (total_wrong + prior_wrong)),
            3,
        )
        for word in sorted(questions)
        if len(questions[word]) >= MIN_WORD_QUESTIONS
    }


def to_yaml(calibration: Calibration) -> str:
    """The calibration as knowledge/calibration.yaml holds it: a weight, a mean and a scale per feature,
    then each word's log-odds."""
    lines = [
        "# Written by `python -m bot calibrate` from the tune part of eval.yaml: how likely the best entry",
        "# is to be right, from the matcher's signals (bot/core/calibration.py says what each one is).",
        "# Run it again after changing the knowledge base.",
        f"threshold: {calibration.threshold}",
        f"bias: {calibration.bias:.6f}",
        "features:",
    ]
    for name in FEATURES:
        weight, mean, scale = calibration.weights[name], calibration.means[name], calibration.scales[name]
        lines.append(f"  {name}: {{weight: {weight:.6f}, mean: {mean:.6f}, scale: {scale:.6f}}}")
    lines.append("# together: for each feature, the weight of its standardised value times each later feature's")
    lines.append("together:")
    for index, name in enumerate(PAIRED[:-1]):
        partners = ", ".join(f"{other}: {calibration.together[name, other]:.6f}" for other in PAIRED[index + 1 :])
        lines.append(f"  {name}: {{{partners}}}")
    for kind in WORD_SIGNALS:
        lines.append(f"# {kind}: per word (as the matcher reads it: stemmed), its log-odds of a right answer")
        lines.append(f"{kind}:")
        table: Mapping[str, float] = getattr(calibration, kind)
        lines += [f"  {json.dumps(word, ensure_ascii=False)}: {odds}" for word, odds in table.items()]
    return "\n".join(lines) + "\n"


def _best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    best, best_gain = 0.5, -math.inf
    for threshold in np.arange(0.05, 0.96, 0.01):
        answered = probabilities >= threshold
        gain = float(np.sum(answered & (labels == 1)) - WRONG_COST * np.sum(answered & (labels == 0)))
        if gain > best_gain:
            best, best_gain = float(round(threshold, 2)), gain
    return best
