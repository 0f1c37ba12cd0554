"""Embeds: every answer, summary and passage fits Discord's limits, and user text is defused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.core.answer import Answer, Suggestion
from bot.core.checks import Problem
from bot.core.matcher import Matcher
from bot.core.model import Citation, KnowledgeBase, Summaries, SummaryPoint
from bot.embeds import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_EMBEDS_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    answer_embed,
    clip,
    decline_embed,
    echo,
    problems_report,
    source_embed,
    summary_messages,
    topic_pages,
)
from bot.terminal import render_answer


def test_clip_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    """Long text ends in … after a whole word, within the limit."""
    clipped = clip("the quick brown fox jumps over the lazy dog", 20)

    assert clipped == "the quick brown fox…"
    assert len(clipped) <= 20


def test_clip_leaves_short_text_alone() -> None:
    """Text within the limit is returned unchanged."""
    assert clip("short", 10) == "short"


@pytest.mark.parametrize(("text", "unit"), [("e\u0301" * 50, 2), ("👩\u200d👩\u200d👧" * 30, 5), ("🇨🇳" * 40, 2)])
def test_clip_never_splits_a_character_sequence(text: str, unit: int) -> None:
    """Combining marks, emoji sequences and flags are never cut in half."""
    clipped = clip(text, 25)

    body = clipped.removesuffix("…")
    assert len(clipped) <= 25
    assert text.startswith(body)
    assert len(body) % unit == 0


def test_echo_defuses_mentions_and_markdown() -> None:
    """Echoed user text can't ping or format anything."""
    shown = echo("@everyone **hi** <@123> <@&456> @here", 100)

    assert "@everyone" not in shown
    assert "@here" not in shown
    assert "**" not in shown.replace("\\*", "")
    assert "<@123>" not in shown
    assert "<@&456>" not in shown


def test_answer_embed_cites_every_passage(knowledge: KnowledgeBase) -> None:
    """The answer embed has the title, the answer and each quote under its ¶ number, and the source."""
    entry = knowledge.entry("dominant-partner")

    embed = answer_embed(entry, knowledge, 93.4)

    assert embed.title == entry.title
    assert embed.description == entry.answer
    assert [field.name for field in embed.fields] == [f"¶{citation.paragraph}" for citation in entry.citations]
    assert entry.primary.quote in embed.fields[0].value
    assert "The Hidden Truth of Sino-Russian Ties" in embed.author.name
    assert "Dr. Muhammad Saleem" in embed.author.name
    assert embed.footer.text == "Match confidence: 93%"


def test_every_shipped_answer_fits(knowledge: KnowledgeBase) -> None:
    """No entry of the shipped knowledge base renders beyond Discord's limits."""
    for entry in knowledge.entries:
        embed = answer_embed(entry, knowledge, 50.0)
        assert len(embed) <= MESSAGE_TOTAL_LIMIT
        assert all(len(field.value) <= FIELD_VALUE_LIMIT for field in embed.fields)


def test_oversized_entry_is_trimmed_to_fit(knowledge: KnowledgeBase) -> None:
    """An entry with many maximum-length quotes still fits one message, and says passages were left out."""
    quote = knowledge.essay.paragraph(1)[:1000]
    entry = dataclasses.replace(knowledge.entries[0], answer="x " * 500, citations=(Citation(1, quote),) * 12)

    embed = answer_embed(entry, knowledge, 80.0)

    assert len(embed) <= MESSAGE_TOTAL_LIMIT
    assert "more passages" in embed.footer.text


def test_decline_echoes_the_question_safely(knowledge: KnowledgeBase) -> None:
    """A decline quotes the question defused, and offers examples when there are no suggestions."""
    embed = decline_embed(Answer("@everyone what about **korea**", None, 0.0), knowledge)

    assert "@everyone" not in embed.description
    assert "You could ask" in embed.description
    assert knowledge.example_questions()[0] in embed.description.replace("\\", "")


def test_decline_with_suggestions_points_at_the_buttons(knowledge: KnowledgeBase) -> None:
    """With suggestions, the decline invites a pick instead of listing examples."""
    answer = Answer("what do they gain", None, 40.0, (Suggestion("what-xi-gains", "What Xi Jinping gains", 40.0),))

    assert "Did you mean" in decline_embed(answer, knowledge).description


@pytest.mark.parametrize("full", [False, True])
def test_summaries_fit_and_cite(knowledge: KnowledgeBase, full: bool) -> None:
    """Both summaries fit Discord's limits and cite paragraphs for every bullet."""
    messages = summary_messages(knowledge, full=full)
    points = knowledge.summaries.full if full else knowledge.summaries.short

    text = "\n".join(embed.description for embeds in messages for embed in embeds)
    assert text.count("• ") == len(points)
    assert text.count("(¶") == len(points)
    for embeds in messages:
        assert len(embeds) <= MESSAGE_EMBEDS_LIMIT
        assert sum(len(embed) for embed in embeds) <= MESSAGE_TOTAL_LIMIT


def test_huge_summary_is_split_across_embeds_and_messages(knowledge: KnowledgeBase) -> None:
    """A summary far beyond one embed is split, every piece within the limits, nothing lost."""
    point = SummaryPoint("word " * 200, (Citation(1, "iron friends"),))
    big = dataclasses.replace(knowledge, summaries=Summaries((point,), (point,) * 120))

    messages = summary_messages(big, full=True)

    assert len(messages) > 1
    embeds = [embed for message in messages for embed in message]
    assert all(len(embed.description) <= DESCRIPTION_LIMIT for embed in embeds)
    assert sum(embed.description.count("• ") for embed in embeds) == 120
    for message in messages:
        assert sum(len(embed) for embed in message) <= MESSAGE_TOTAL_LIMIT


def test_topic_pages_list_every_entry_once(knowledge: KnowledgeBase) -> None:
    """Paging through /topics shows each entry exactly once."""
    pages = topic_pages(knowledge)

    listed = "\n".join(page.description for page in pages)
    for entry in knowledge.entries:
        assert listed.count(f"(`{entry.id}`)") == 1
    assert pages[-1].footer.text.startswith(f"Page {len(pages)}/{len(pages)}")


def test_source_embed_quotes_the_paragraph_verbatim(knowledge: KnowledgeBase) -> None:
    """/source shows the paragraph's number and text, and labels the author note."""
    embed = source_embed(knowledge, 10, knowledge.essay.paragraph(10))

    assert embed.title == "¶10 (author note)"
    assert embed.description.replace("\\", "") == knowledge.essay.paragraph(10)


def test_problems_report_fits_one_message() -> None:
    """Hundreds of validator messages are cut to fit, saying how many were left out."""
    problems = [
        Problem(Path("knowledge/entries/x.yaml"), line, 'entry "x": something is wrong here') for line in range(1, 301)
    ]

    report = problems_report(problems)

    assert len(report) < 2000
    assert report.startswith("```\nknowledge/entries/x.yaml:1: ")
    assert "more (run `python -m bot validate`)" in report


def test_an_off_topic_question_gets_example_questions_in_discord_and_the_terminal(knowledge: KnowledgeBase) -> None:
    """No entry came close to an off-topic question, so both renderings offer examples, not "did you mean"."""
    answer = Matcher(knowledge).ask("hi. What is the capital of Australia?")

    assert not answer.answered
    assert "You could ask" in decline_embed(answer, knowledge).description
    assert "Did you mean" not in decline_embed(answer, knowledge).description
    assert "You could ask" in render_answer(answer, knowledge)


def test_a_bullet_names_each_cited_paragraph_once(knowledge: KnowledgeBase) -> None:
    """Two passages of ¶1 and one of ¶4 read "(¶1, ¶4)", not "(¶1, ¶1, ¶4)"."""
    point = SummaryPoint("A point.", (Citation(1, "a"), Citation(1, "b"), Citation(4, "c")))

    [[embed]] = summary_messages(dataclasses.replace(knowledge, summaries=Summaries((point,), (point,))), False)

    assert embed.description == "• A point. (¶1, ¶4)"
