"""Questions: /ask, mentions, `!ask` and DMs, answered with cited embeds."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answer import SMALL_TALK, Answer
from bot.embeds import CONTENT_LIMIT, answer_embed, clip, decline_embed, small_talk_embed, source_embed
from bot.exts._common import (
    APOLOGY,
    FeedbackButton,
    SuggestionButton,
    UserCooldowns,
    answer_view,
    reply,
    respond_to_error,
    slow_down,
)
from bot.knowledge_store import Snapshot

if TYPE_CHECKING:
    from bot.client import ExplainerBot

log = logging.getLogger(__name__)

MAX_QUESTION_LENGTH = 300
AUTOCOMPLETE_LIMIT = 25
CHOICE_LIMIT = 100


def question_in(content: str, bot_id: int, prefix: str, direct: bool) -> str | None:
    """The question a message asks the bot, or None when it isn't addressed to the bot.

    Addressed means: starting with a mention of the bot, starting with ``{prefix}ask``,
    or sent in a direct message.
    """
    text = content.strip()
    mention = re.match(rf"<@!?{bot_id}>", text)
    if mention:
        return text[mention.end() :].strip()
    command = f"{prefix}ask"
    if text.lower().startswith(command) and (len(text) == len(command) or text[len(command)].isspace()):
        return text[len(command) :].strip()
    return text if direct else None


class Ask(commands.Cog):
    """Answers questions from the knowledge base, in slash commands and in messages."""

    def __init__(self, bot: ExplainerBot) -> None:
        self.bot = bot
        self.cooldowns = UserCooldowns(bot.settings.ask_cooldown)

    @app_commands.command(name="ask", description="Ask a question about the essay, in your own words")
    @app_commands.describe(question="What you want to know, e.g. who is the dominant partner?")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION_LENGTH]
    ) -> None:
        wait = self.cooldowns.retry_after(interaction.user.id)
        if wait:
            await reply(interaction, slow_down(wait))
            return
        answer, snapshot = self.bot.answer(question)
        embed, view = self._render(answer, snapshot, interaction.user.id)
        # A decline is only for the asker; an answer is for the channel.
        await interaction.response.send_message(embed=embed, ephemeral=not answer.answered, **_with(view))
        await self.bot.remember(answer, interaction.guild_id)

    @ask.autocomplete("question")
    async def suggest_questions(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        entries = self.bot.store.current.matcher.complete(current, AUTOCOMPLETE_LIMIT)
        questions = (clip(entry.questions[0], CHOICE_LIMIT) for entry in entries)
        return [app_commands.Choice(name=question, value=question) for question in questions]

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await respond_to_error(interaction, error)

    @commands.Cog.listener("on_message")
    async def answer_message(self, message: discord.Message) -> None:
        """Answer `@Bot question`, `!ask question` and direct messages, as a reply."""
        if message.author.bot or self.bot.user is None:
            return
        direct = message.guild is None
        question = question_in(message.content, self.bot.user.id, self.bot.settings.command_prefix, direct)
        if question is None:
            return
        try:
            await self._answer_message(message, question)
        except discord.HTTPException:
            log.exception("Could not answer a message in channel %s", message.channel.id)
        except Exception:
            log.exception("Error while answering a message")
            await message.reply(APOLOGY, mention_author=False)

    async def _answer_message(self, message: discord.Message, question: str) -> None:
        snapshot = self.bot.store.current
        if not question:
            examples = "; ".join(f"“{item}”" for item in snapshot.knowledge.example_questions(2))
            hint = f"Ask me about “{snapshot.knowledge.essay.title}”, for example {examples}"
            await message.reply(clip(hint, CONTENT_LIMIT), mention_author=False)
            return
        wait = self.cooldowns.retry_after(message.author.id)
        if wait:
            await message.reply(slow_down(wait), mention_author=False, delete_after=10)
            return
        answer, snapshot = self.bot.answer(question[:MAX_QUESTION_LENGTH])
        embed, view = self._render(answer, snapshot, message.author.id)
        await message.reply(embed=embed, mention_author=False, **_with(view))
        await self.bot.remember(answer, message.guild.id if message.guild else None)

    def _render(
        self, answer: Answer, snapshot: Snapshot, asker_id: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        if answer.kind == SMALL_TALK:
            return small_talk_embed(answer), None
        view = answer_view(asker_id, answer.suggestions, answer.entry.id if answer.entry else None)
        if answer.paragraph is not None:
            return source_embed(snapshot.knowledge, answer.paragraph.paragraph, answer.paragraph.quote), view
        if answer.entry is None:
            return decline_embed(answer, snapshot.knowledge), view
        return answer_embed(answer.entry, snapshot.knowledge, answer.score), view


def _with(view: discord.ui.View | None) -> dict[str, Any]:
    return {"view": view} if view is not None else {}


async def setup(bot: ExplainerBot) -> None:
    bot.add_dynamic_items(FeedbackButton, SuggestionButton)
    await bot.add_cog(Ask(bot))
