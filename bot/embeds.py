"""Answers, summaries and passages as Discord embeds, always within Discord's limits."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

import discord

from bot.core.answer import Answer
from bot.core.checks import Problem
from bot.core.gaps import Gap
from bot.core.learning import NOT_ANSWERED, PHRASING, Proposal, Rating
from bot.core.model import Citation, Entry, KnowledgeBase, SummaryPoint
from bot.limits import (
    AUTHOR_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_EMBEDS_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
)

TOPICS_PER_PAGE = 10
GAPS_SHOWN = 10

COLOUR = discord.Colour.from_rgb(178, 34, 34)
ELLIPSIS = "…"
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, ending in an ellipsis when cut.

    Never splits a character from its combining marks or an emoji sequence.
    """
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    space = text.rfind(" ", 0, cut + 1)
    if space > cut // 2:
        cut = space
    while cut > 0 and (unicodedata.combining(text[cut]) or text[cut] in _JOINERS or text[cut - 1] in _JOINERS):
        cut -= 1
    # Flags are pairs of regional indicators: never keep an odd one.
    indicators = 0
    while indicators < cut and _is_regional_indicator(text[cut - 1 - indicators]):
        indicators += 1
    if indicators % 2 and _is_regional_indicator(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS


def _is_regional_indicator(character: str) -> bool:
    return "\U0001f1e6" <= character <= "\U0001f1ff"


def echo(user_text: str, limit: int) -> str:
    """User text made safe to show: one line, markdown and mentions neutralised, clipped."""
    flat = " ".join(user_text.split())
    # escape_mentions handles @everyone/@here and real-length ids; any <@…> is broken up as well.
    defused = discord.utils.escape_mentions(flat).replace("<@", "<\u200b@")
    return clip(discord.utils.escape_markdown(defused), limit)


def _source(embed: discord.Embed, knowledge: KnowledgeBase) -> None:
    essay = knowledge.essay
    embed.set_author(name=clip(f"From “{essay.title}” by {essay.author}", AUTHOR_LIMIT))


def _quote(citation: Citation) -> str:
    return clip(f"“{discord.utils.escape_markdown(citation.quote)}”", FIELD_VALUE_LIMIT)


def answer_embed(
    entry: Entry,
    knowledge: KnowledgeBase,
    confidence: float | None = None,
    *,
    full_paragraphs: bool = False,
    footer: str | None = None,
) -> discord.Embed:
    """The entry's answer with every cited passage as ¶N and its verbatim quote, or each cited paragraph in full."""
    embed = discord.Embed(
        title=clip(entry.title, TITLE_LIMIT), description=clip(entry.answer, DESCRIPTION_LIMIT), colour=COLOUR
    )
    _source(embed, knowledge)
    if full_paragraphs:
        for number in dict.fromkeys(citation.paragraph for citation in entry.citations[: FIELDS_LIMIT - 1]):
            text = clip(discord.utils.escape_markdown(knowledge.essay.paragraph(number) or ""), FIELD_VALUE_LIMIT)
            embed.add_field(name=f"¶{number} in full", value=text, inline=False)
    else:
        for citation in entry.citations[: FIELDS_LIMIT - 1]:
            embed.add_field(name=f"¶{citation.paragraph}", value=_quote(citation), inline=False)
    if footer is None:
        footer = f"Match confidence: {confidence:.0f}%" if confidence is not None else "Chosen from suggestions"
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    dropped = 0
    while len(embed) > MESSAGE_TOTAL_LIMIT and len(embed.fields) > 1:
        embed.remove_field(len(embed.fields) - 1)
        dropped += 1
        # The note about dropped passages counts towards the limit too, hence inside the loop.
        embed.set_footer(text=f"{footer} · {dropped} more passage{'s' if dropped > 1 else ''}: use /source")
    return embed


def decline_embed(answer: Answer, knowledge: KnowledgeBase) -> discord.Embed:
    """A short, friendly "not in the essay", with suggestions or example questions."""
    lines = [f"I couldn't find an answer to “{echo(answer.question, 200)}” in the essay."]
    if answer.note:
        lines.append(f"\n{discord.utils.escape_markdown(clip(answer.note, DESCRIPTION_LIMIT // 2))}")
    if answer.suggestions:
        lines.append("\nDid you mean one of these? Pick one below.")
    else:
        lines.append("\nYou could ask, for example:")
        lines.extend(f"• {discord.utils.escape_markdown(question)}" for question in knowledge.example_questions())
    embed = discord.Embed(
        title="Not covered by the essay", description="\n".join(lines), colour=discord.Colour.light_grey()
    )
    _source(embed, knowledge)
    return embed


def _bullet(point: SummaryPoint) -> str:
    return f"• {discord.utils.escape_markdown(point.text)} ({point.cited_paragraphs})"


def summary_messages(knowledge: KnowledgeBase, full: bool) -> list[list[discord.Embed]]:
    """The summary as embeds, split into as many messages as Discord's limits require."""
    points = knowledge.summaries.full if full else knowledge.summaries.short
    title = clip(f"{'Full' if full else 'Short'} summary: {knowledge.essay.title}", TITLE_LIMIT)
    embeds: list[discord.Embed] = []
    for chunk in _chunks((_bullet(point) for point in points), DESCRIPTION_LIMIT):
        embed = discord.Embed(title=title if not embeds else f"{title} (continued)", description=chunk, colour=COLOUR)
        _source(embed, knowledge)
        embeds.append(embed)
    return group_for_messages(embeds)


def _chunks(lines: Iterable[str], limit: int) -> list[str]:
    """Lines joined into as few texts of at most ``limit`` characters as possible."""
    chunks: list[str] = []
    for raw in lines:
        line = clip(raw, limit)
        if chunks and len(chunks[-1]) + 1 + len(line) <= limit:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return chunks


def group_for_messages(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped so that no message holds more than 10 of them or 6,000 characters in all."""
    messages: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not messages or len(messages[-1]) == MESSAGE_EMBEDS_LIMIT or size + len(embed) > MESSAGE_TOTAL_LIMIT:
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += len(embed)
    return messages


def topic_pages(knowledge: KnowledgeBase) -> list[discord.Embed]:
    """Every entry, by theme, ten to a page."""
    entries = knowledge.entries
    pages = []
    total = (len(entries) + TOPICS_PER_PAGE - 1) // TOPICS_PER_PAGE
    for number, start in enumerate(range(0, len(entries), TOPICS_PER_PAGE), 1):
        lines: list[str] = []
        theme = None
        for entry in entries[start : start + TOPICS_PER_PAGE]:
            if entry.theme != theme:
                theme = entry.theme
                lines.append(f"\n**{discord.utils.escape_markdown(theme)}**")
            lines.append(f"• {discord.utils.escape_markdown(entry.title)} (`{entry.id}`)")
        embed = discord.Embed(
            title="What the essay answers", description=clip("\n".join(lines).strip(), DESCRIPTION_LIMIT), colour=COLOUR
        )
        embed.set_footer(text=f"Page {number}/{total} · /topics topic: shows one · /ask asks anything")
        pages.append(embed)
    return pages


def small_talk_embed(answer: Answer) -> discord.Embed:
    """The bot's short reply to a message that asks nothing of the essay."""
    return discord.Embed(description=clip(answer.reply, DESCRIPTION_LIMIT), colour=COLOUR)


def source_embed(knowledge: KnowledgeBase, number: int, text: str) -> discord.Embed:
    """One paragraph of the essay, verbatim, with its number."""
    label = " (author note)" if number == knowledge.essay.author_note else ""
    embed = discord.Embed(
        title=f"¶{number}{label}",
        description=clip(discord.utils.escape_markdown(text), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    _source(embed, knowledge)
    return embed


def gaps_embed(gaps: Sequence[Gap], ratings: Sequence[Rating], proposals: Sequence[Proposal]) -> discord.Embed:
    """/kb gaps: the most asked unanswered questions, the least liked answers, and the top proposals."""
    lines = ["**Most asked, not answered**"]
    lines += [f"{gap.count}× “{echo(gap.example, 150)}”" + _closest(gap) for gap in gaps[:GAPS_SHOWN]]
    if not gaps:
        lines.append("Nothing yet.")
    lines.append("\n**Answers with the most 👎**")
    lines += [f"`{rating.entry_id}`: 👎 {rating.unhelpful} · 👍 {rating.helpful}" for rating in ratings[:GAPS_SHOWN]]
    if not ratings:
        lines.append("None so far.")
    lines.append("\n**Top proposals**")
    lines += [f"• {_proposal_line(proposal)}" for proposal in proposals[:GAPS_SHOWN]]
    if proposals:
        lines.append("\nAll of them are in the attached file: review it, then `python -m bot learn --apply FILE`.")
    else:
        lines.append("None yet: they come from picked suggestions, votes and declined questions.")
    return discord.Embed(title="Knowledge base gaps", description=clip("\n".join(lines), DESCRIPTION_LIMIT))


def _closest(gap: Gap) -> str:
    return f" (closest: `{gap.best_entry}`)" if gap.best_entry else ""


def _proposal_line(proposal: Proposal) -> str:
    question = echo(proposal.questions[0], 120) if proposal.questions else ""
    action = {PHRASING: "a phrasing of", NOT_ANSWERED: "not answered by"}.get(proposal.kind)
    target = f"{action} `{proposal.entry_id}`" if action else "a new entry"
    return f"“{question}” as {target}: {echo(proposal.evidence, 120)}"


def problems_report(problems: Iterable[Problem], limit: int = CONTENT_LIMIT - 200) -> str:
    """The validator's messages in a code block that fits one Discord message."""
    lines = [str(problem).replace("```", "'''") for problem in problems]
    shown: list[str] = []
    for index, line in enumerate(lines):
        if sum(len(item) + 1 for item in shown) + len(line) > limit:
            shown.append(f"… and {len(lines) - index} more (run `python -m bot validate`)")
            break
        shown.append(clip(line, limit))
    return "```\n" + "\n".join(shown) + "\n```"
