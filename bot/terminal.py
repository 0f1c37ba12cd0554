"""Answers as terminal text, for `python -m bot ask` and `python -m bot chat`."""

from __future__ import annotations

import textwrap

from bot.core.answer import Answer
from bot.core.model import KnowledgeBase

WIDTH = 88


def render_answer(answer: Answer, knowledge: KnowledgeBase) -> str:
    """A readable answer with its cited passages, or an honest decline with suggestions."""
    if answer.entry is None:
        return render_decline(answer, knowledge)
    lines = [f"{answer.entry.title}  (match {answer.score:.0f}/100)", "", *_wrap(answer.entry.answer), ""]
    for citation in answer.citations:
        lines.extend(_wrap(f"“{citation.quote}”", prefix=f"  ¶{citation.paragraph}  ", indent="       "))
    if answer.suggestions:
        lines += ["", "Close to this: " + "; ".join(item.title for item in answer.suggestions)]
    lines += ["", f"Source: {knowledge.essay.title}, by {knowledge.essay.author}"]
    return "\n".join(lines)


def render_decline(answer: Answer, knowledge: KnowledgeBase) -> str:
    lines = ["The essay doesn't answer that, as far as I can tell."]
    if answer.suggestions:
        lines.append("Did you mean:")
        lines.extend(f"  {number}. {item.title}" for number, item in enumerate(answer.suggestions, 1))
    else:
        lines.append("You could ask, for example:")
        lines.extend(f"  - {question}" for question in knowledge.example_questions())
    return "\n".join(lines)


def _wrap(text: str, prefix: str = "", indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=prefix, subsequent_indent=indent or " " * len(prefix)) or [prefix]
