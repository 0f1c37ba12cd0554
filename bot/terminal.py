"""Answers as terminal text, for `python -m bot ask` and `python -m bot chat`."""

from __future__ import annotations

import textwrap

from bot.core.answer import Answer
from bot.core.calibration import Calibration, Sample
from bot.core.matcher import Decision, Explanation
from bot.core.model import KnowledgeBase

WIDTH = 88
TRACE_WORDS = 5  # in a trace, the question's words that weighed most with the calibration
SHOWN_ODDS = 0.05  # and only those that weighed at least this much


def choices(answer: Answer, knowledge: KnowledgeBase) -> list[tuple[str, str]]:
    """The entries an answer offers, numbered from 1 in the order shown: suggestions, then what to read next."""
    offered = [(item.id, item.title) for item in answer.suggestions]
    related = knowledge.related(answer.entry) if answer.entry else ()
    offered += [(entry.id, entry.title) for entry in related]
    return list(dict.fromkeys(offered))


def render_answer(answer: Answer, knowledge: KnowledgeBase) -> str:
    """A readable answer with its cited passages, a paragraph, a reply to small talk, or an honest decline."""
    if answer.reply:
        return answer.reply
    if answer.entry is None and answer.paragraph is None:
        return render_decline(answer, knowledge)
    if answer.paragraph is not None:
        paragraph = answer.paragraph
        lines = [f"¶{paragraph.paragraph} of {knowledge.essay.title}", "", *_wrap(paragraph.quote)]
    else:
        lines = _render_entry(answer, knowledge)
    offered = choices(answer, knowledge)
    if offered:
        lines += ["", "Read next (type a number):", *(f"  {n}. {title}" for n, (_, title) in enumerate(offered, 1))]
    lines += ["", f"Source: {knowledge.essay.title}, by {knowledge.essay.author}"]
    return "\n".join(lines)


def _render_entry(answer: Answer, knowledge: KnowledgeBase) -> list[str]:
    entry = answer.entry
    if entry is None:
        return []
    lines = [f"{entry.title}  (match {answer.score:.0f}/100)", "", *_wrap(entry.answer), ""]
    for citation in answer.citations:
        lines.extend(_wrap(f"“{citation.quote}”", prefix=f"  ¶{citation.paragraph}  ", indent="       "))
    if answer.detail:
        for number in dict.fromkeys(citation.paragraph for citation in answer.citations):
            text = knowledge.essay.paragraph(number) or ""
            lines += ["", *_wrap(text, prefix=f"  ¶{number} in full: ", indent="  ")]
    return lines


def render_decline(answer: Answer, knowledge: KnowledgeBase) -> str:
    lines = ["The essay doesn't answer that, as far as I can tell."]
    if answer.note:
        lines.extend(_wrap(answer.note))
    if answer.suggestions:
        lines.append("Did you mean:")
        lines.extend(f"  {number}. {item.title}" for number, item in enumerate(answer.suggestions, 1))
    else:
        lines.append("You could ask, for example:")
        lines.extend(f"  - {question}" for question in knowledge.example_questions())
    return "\n".join(lines)


def _wrap(text: str, prefix: str = "", indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=prefix, subsequent_indent=indent or " " * len(prefix)) or [prefix]


def render_explanation(explanation: Explanation, calibration: Calibration | None = None) -> str:
    """A readable trace of one decision: the message's parts, each text matched, its candidates, what the
    ``calibration`` (if one decides) makes of the best, and the rule."""
    lines = ["message parts:"]
    lines += [f"  {part.kind.value:9} {part.text!r}" for part in explanation.message.parts] or ["  (empty)"]
    if explanation.decision is not None:
        lines += _render_decision("matched", explanation.decision, calibration)
    if explanation.focus is not None:
        lines += _render_decision("asking sentence", explanation.focus, calibration)
    answer = explanation.answer
    outcome = f"answered with {answer.entry.id}" if answer.entry else "declined"
    lines.append(f"decided by: {answer.reason} ({outcome})")
    return "\n".join(lines)


def _render_decision(label: str, decision: Decision, calibration: Calibration | None) -> list[str]:
    weights = decision.weights
    terms = ", ".join(f"{term.text} ({term.kind.value} {weights.get(term.text, 0):.2f})" for term in decision.terms)
    lines = [f"{label}: {decision.text!r}", f"  analysed: {decision.analysed!r}", f"  terms: {terms or '(none)'}"]
    lines.append("  candidates:" if decision.candidates else "  candidates: (none)")
    lines += [
        f"    {item.id:28} score {item.score:5.1f}  coverage {item.coverage:.2f}  evidence {item.evidence:5.2f}  "
        f"labels {item.labels:.2f}  overlap {item.overlap:.2f}  verbatim {item.verbatim:.2f}  strong {item.strong}"
        for item in decision.candidates
    ]
    if calibration is not None and decision.sample is not None:
        lines.append(_render_likelihood(calibration, decision.sample))
    lines.append(f"  rule: {decision.reason.value}")
    return lines


def _render_likelihood(calibration: Calibration, sample: Sample) -> str:
    """How likely the calibration finds the best entry to be right, and the words that weighed most either way."""
    weighed = [(word, calibration.words.get(word, 0.0)) for word in sample.words]
    heaviest = sorted((item for item in weighed if abs(item[1]) >= SHOWN_ODDS), key=lambda item: -abs(item[1]))
    words = ", ".join(f"{word} {odds:+.1f}" for word, odds in heaviest[:TRACE_WORDS]) or "none that weighs"
    likely = calibration.probability(sample)
    return f"  likely right: {likely:.2f} (answers from {calibration.threshold:.2f}); its words: {words}"
