"""Prometheus metrics, in a registry of the bot's own (so several bots in one process don't collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1)
DATABASE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)


class Metrics:
    """Counters and latency histograms for questions, reloads, feedback, command errors and the question log."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "explainer_questions", "Questions asked, by outcome", ["outcome"], registry=self.registry
        )
        self.match_latency = Histogram(
            "explainer_match_latency_seconds",
            "Time to match one question",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.reloads = Counter(
            "explainer_reloads", "Knowledge base reloads, by result", ["result"], registry=self.registry
        )
        self.command_errors = Counter(
            "explainer_command_errors", "Unexpected errors in commands", ["command"], registry=self.registry
        )
        self.feedback = Counter("explainer_feedback", "Feedback on answers", ["vote"], registry=self.registry)
        self.database_latency = Histogram(
            "explainer_database_latency_seconds",
            "Time of one question-log operation, by operation",
            ["operation"],
            buckets=DATABASE_BUCKETS,
            registry=self.registry,
        )
        self.database_errors = Counter(
            "explainer_database_errors",
            "Question-log operations that failed (writes are kept for retry where the backend can)",
            ["operation"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
