"""Whether the best entry answers a question: a logistic regression over the matcher's signals.

Learned from the tune part of the maintainers' eval by ``python -m bot calibrate``,
which writes ``knowledge/calibration.yaml``: one readable weight per signal. It
decides only what the guards leave open; without the file the matcher falls back
to its hand-set rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The signals, in the order a sample lists them (the matcher scales them; fit standardises them).
FEATURES = (
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
)
L2 = 1.0  # ridge penalty on the standardised weights: keeps them readable and stable
WRONG_COST = 1.0  # a wrong answer with a citation costs this many declined fair questions
NEWTON_STEPS = 25


@dataclass(frozen=True, slots=True)
class Calibration:
    """A fitted logistic regression: ``probability`` is the chance the best entry is the right one."""

    bias: float
    weights: dict[str, float]  # per feature, on the standardised value
    means: dict[str, float]
    scales: dict[str, float]
    threshold: float

    def probability(self, sample: Sequence[float]) -> float:
        z = self.bias + sum(
            self.weights[name] * (value - self.means[name]) / self.scales[name]
            for name, value in zip(FEATURES, sample, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def answers(self, sample: Sequence[float]) -> bool:
        return self.probability(sample) >= self.threshold


def fit(samples: Sequence[Sequence[float]], labels: Sequence[bool]) -> Calibration:
    """The regression for ``samples`` (one row of FEATURES each) and whether each one's best entry is right.

    The threshold is the one that, over the samples, makes the most right answers
    against WRONG_COST times the wrong ones.
    """
    if len(set(labels)) < 2:
        raise ValueError("the eval's tune part needs questions whose best entry is right and ones where it is not")
    x = np.asarray(samples, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[np.isclose(scales, 0.0, atol=1e-9)] = 1.0  # a signal every sample shares says nothing
    z = np.column_stack([np.ones(len(x)), (x - means) / scales])
    penalty = L2 * np.diag([0.0] + [1.0] * len(FEATURES))
    w = np.zeros(z.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty
        w -= np.linalg.solve(hessian, gradient)
    p = 1.0 / (1.0 + np.exp(-(z @ w)))
    return Calibration(
        float(w[0]),
        {name: float(weight) for name, weight in zip(FEATURES, w[1:], strict=True)},
        {name: float(mean) for name, mean in zip(FEATURES, means, strict=True)},
        {name: float(scale) for name, scale in zip(FEATURES, scales, strict=True)},
        _best_threshold(p, y),
    )


def to_yaml(calibration: Calibration) -> str:
    """The calibration as knowledge/calibration.yaml holds it: a weight, a mean and a scale per feature."""
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
    return "\n".join(lines) + "\n"


def _best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    best, best_gain = 0.5, -math.inf
    for threshold in np.arange(0.05, 0.96, 0.01):
        answered = probabilities >= threshold
        gain = float(np.sum(answered & (labels == 1)) - WRONG_COST * np.sum(answered & (labels == 0)))
        if gain > best_gain:
            best, best_gain = float(round(threshold, 2)), gain
    return best
