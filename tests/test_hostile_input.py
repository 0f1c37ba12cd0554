"""Property-based: whatever text people (or Discord) send, nothing raises, nothing leaks, nothing pings."""

from __future__ import annotations

import dataclasses
import re

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.answer import Answer, Suggestion
from bot.core.matcher import MAX_SUGGESTIONS, Matcher
from bot.core.model import Citation, KnowledgeBase
from bot.core.yamlio import YamlProblem, parse_yaml
from bot.embeds import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
    answer_embed,
    clip,
    decline_embed,
    echo,
)
from bot.terminal import render_answer

PIECES = [
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@!1>",
    "<@&987654321098765432>",
    "<#1>",
    "<a:x:1>",
    "**bold**",
    "__u__",
    "~~s~~",
    "`code`",
    "```\ncode fence\n```",
    "> quote",
    "||spoiler||",
    "[link](http://x)",
    "https://example.com/a?b=c",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u0301",
    "\x00",
    "\x1b[31m",
    "👩\u200d👩\u200d👧",
    "🇨🇳",
    "مرحبا",
    "中国",
    "שלום",
    "who is the dominant partner",
    "iron friends",
    "\n",
    "\t",
    " ",
]
hostile = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=40).map("".join),
    st.text(
        min_size=2_000, max_size=10_000, alphabet=st.sampled_from(["a", " ", "é", "🤔", "@", "<", ">", "*", "\u0301"])
    ),
)
checks = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
PING = re.compile(r"@(everyone|here)|<@[!&]?\d")


def fits(embed: discord.Embed) -> bool:
    return (
        len(embed) <= MESSAGE_TOTAL_LIMIT
        and len(embed.title or "") <= TITLE_LIMIT
        and len(embed.description or "") <= DESCRIPTION_LIMIT
        and len(embed.fields) <= FIELDS_LIMIT
        and all(len(field.value) <= FIELD_VALUE_LIMIT for field in embed.fields)
        and len(embed.footer.text or "") <= FOOTER_LIMIT
    )


@checks
@given(question=hostile)
def test_matcher_answers_anything(knowledge: KnowledgeBase, question: str) -> None:
    """Any text gets an Answer: a 0–100 score, at most three suggestions, citations only with an entry or a
    paragraph asked for ("¶1")."""
    answer = _matcher(knowledge).ask(question)

    assert answer.question == question
    assert 0.0 <= answer.score <= 100.0
    assert len(answer.suggestions) <= MAX_SUGGESTIONS
    cited = answer.entry.citations if answer.entry else (answer.paragraph,) if answer.paragraph else ()
    assert answer.citations == cited


@checks
@given(question=hostile)
def test_renderers_never_raise_and_embeds_fit(knowledge: KnowledgeBase, question: str) -> None:
    """Terminal text and embeds for any question render, and the embeds stay within Discord's limits."""
    answer = _matcher(knowledge).ask(question)

    assert render_answer(answer, knowledge)
    embed = answer_embed(answer.entry, knowledge, answer.score) if answer.entry else decline_embed(answer, knowledge)
    assert fits(embed)


@checks
@given(question=hostile, title=hostile)
def test_echoed_text_can_never_ping(knowledge: KnowledgeBase, question: str, title: str) -> None:
    """Echoed user text carries no live mention, and a decline quoting it stays within limits."""
    shown = echo(question, 200)
    suggestion = Suggestion("author", clip(title, 80) or "x", 10.0)

    assert not PING.search(shown)
    assert len(shown) <= 200
    embed = decline_embed(Answer(question, None, 0.0, (suggestion,)), knowledge)
    assert fits(embed)
    assert not PING.search(embed.description)


@checks
@given(title=hostile, answer_text=hostile, quote=hostile, count=st.integers(min_value=1, max_value=30))
def test_any_entry_text_renders_within_limits(
    knowledge: KnowledgeBase, title: str, answer_text: str, quote: str, count: int
) -> None:
    """Even entries with extreme text (as a broken edit might hold) render within Discord's limits."""
    entry = dataclasses.replace(
        knowledge.entries[0],
        title=title or "t",
        answer=answer_text or "a",
        citations=(Citation(1, quote or "q"),) * count,
    )

    assert fits(answer_embed(entry, knowledge, 50.0))


@checks
@given(text=hostile, limit=st.integers(min_value=2, max_value=300))
def test_clip_respects_any_limit(text: str, limit: int) -> None:
    """clip never exceeds its limit and keeps a prefix of the text."""
    clipped = clip(text, limit)

    assert len(clipped) <= limit
    assert text.startswith(clipped.removesuffix("…").rstrip()) or clipped == text


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2_000) | st.text(max_size=500).map(str.encode))
def test_yaml_reader_refuses_junk_only_with_yaml_problem(data: bytes) -> None:
    """Arbitrary bytes either parse to plain data or raise YamlProblem with a line; nothing else escapes."""
    problem = None
    try:
        parse_yaml(data)
    except YamlProblem as refused:
        problem = refused
    assert problem is None or (problem.line >= 0 and problem.message)


_MATCHERS: dict[str, Matcher] = {}


def _matcher(knowledge: KnowledgeBase) -> Matcher:
    if knowledge.version not in _MATCHERS:
        _MATCHERS[knowledge.version] = Matcher(knowledge)
    return _MATCHERS[knowledge.version]
