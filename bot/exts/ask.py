"""Questions: /ask, the "Ask the essay bot" message command, mentions, `!ask`, DMs, replies and threads.

Each is answered with cited embeds, read as a follow-up of the conversation it continues
(see ``_memory``).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.answer import PARAGRAPH, SMALL_TALK, Answer, Suggestion
from bot.core.conversation import Conversation
from bot.core.text import MAX_QUESTION_CHARS
from bot.embeds import answer_embed, clip, decline_embed, small_talk_embed, source_embed
from bot.exts._common import (
    FeedbackButton,
    PickButton,
    ReadNextButton,
    SuggestionButton,
    answer_view,
    question_cooldowns,
)
from bot.exts._memory import ConversationMemory
from bot.guards import APOLOGY, reply, slow_down
from bot.knowledge_store import Snapshot
from bot.limits import AUTOCOMPLETE_CHOICES, CHOICE_NAME_LIMIT, CONTENT_LIMIT

if TYPE_CHECKING:
    from bot.client import ExplainerBot

log = logging.getLogger(__name__)

ASK_ABOUT_MESSAGE = "Ask the essay bot"
NO_TEXT = "That message has no text I can read. Point me at a message with a question in it."
MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)


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
    """Answers questions from the knowledge base, in slash commands, the message command and messages."""

    def __init__(self, bot: ExplainerBot) -> None:
        self.bot = bot
        self.cooldowns = question_cooldowns(bot.settings.ask_cooldown)
        self.memory = ConversationMemory()
        # Context menus can't be declared in a cog's body, so it is built and added here.
        self.ask_about = app_commands.ContextMenu(name=ASK_ABOUT_MESSAGE, callback=self.ask_about_message)
        self.bot.tree.add_command(self.ask_about)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.ask_about.name, type=self.ask_about.type)

    @app_commands.command(name="ask", description="Ask a question about the essay, in your own words")
    @app_commands.describe(question="What you want to know, e.g. who is the dominant partner?")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION_CHARS]
    ) -> None:
        # /ask carries on the member's own conversation in this channel.
        await self._answer_interaction(interaction, question, self._context_of(interaction))

    async def ask_about_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Apps → "Ask the essay bot": answer that message's text, as a fresh question of whoever asks."""
        question = message.content.strip()
        if not question:
            await reply(interaction, NO_TEXT)
            return
        await self._answer_interaction(interaction, question[:MAX_QUESTION_CHARS], Conversation())

    def _context_of(self, interaction: discord.Interaction) -> Conversation:
        return self.memory.context(interaction.channel_id or 0, interaction.user.id)

    async def _answer_interaction(
        self, interaction: discord.Interaction, question: str, conversation: Conversation
    ) -> None:
        wait = self.cooldowns.update_rate_limit(interaction.user.id)
        if wait:
            await reply(interaction, slow_down(wait))
            return
        answer, conversation, snapshot = self.bot.answer(question, conversation)
        embed, view = self._render(answer, snapshot, interaction.user.id)
        # A decline is only for the asker; an answer is for the channel.
        sent = await interaction.response.send_message(embed=embed, ephemeral=not answer.answered, **_with(view))
        thread = isinstance(interaction.channel, discord.Thread)
        channel_id = interaction.channel_id or 0
        self.memory.remember(channel_id, interaction.user.id, conversation, sent.message_id, thread=thread)
        await self.bot.remember(answer, interaction.guild_id, sent.message_id)

    @ask.autocomplete("question")
    async def suggest_questions(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        entries = self.bot.store.current.matcher.complete(current, AUTOCOMPLETE_CHOICES)
        questions = (clip(entry.questions[0], CHOICE_NAME_LIMIT) for entry in entries)
        return [app_commands.Choice(name=question, value=question) for question in questions]

    @commands.Cog.listener("on_message")
    async def answer_message(self, message: discord.Message) -> None:
        """Answer mentions, `!ask`, DMs, replies to the bot and messages in a thread it talks in, as a reply."""
        if message.author.bot or self.bot.user is None or message.type not in MESSAGE_TYPES:
            return
        question = self._question_of(message, self.bot.user.id)
        if question is None:
            return
        try:
            await self._answer_message(message, question)
        except discord.HTTPException:
            log.exception("Could not answer a message in channel %s", message.channel.id)
        except Exception:
            log.exception("Error while answering a message")
            await message.reply(APOLOGY, mention_author=False)

    def _question_of(self, message: discord.Message, bot_id: int) -> str | None:
        """What ``message`` asks the bot, or None when it is not talking to the bot."""
        direct = message.guild is None
        addressed = question_in(message.content, bot_id, self.bot.settings.command_prefix, direct)
        if addressed is not None:
            return addressed
        # Without the message content intent these arrive empty, unless they mention the bot.
        text = message.content.strip()
        if text and (_replies_to(message, bot_id) or self.memory.is_live_thread(message.channel.id)):
            return text
        return None

    async def _answer_message(self, message: discord.Message, question: str) -> None:
        snapshot = self.bot.store.current
        if not question:
            examples = "; ".join(f"“{item}”" for item in snapshot.knowledge.example_questions(2))
            hint = f"Ask me about “{snapshot.knowledge.essay.title}”, for example {examples}"
            await message.reply(clip(hint, CONTENT_LIMIT), mention_author=False)
            return
        wait = self.cooldowns.update_rate_limit(message.author.id)
        if wait:
            await message.reply(slow_down(wait), mention_author=False, delete_after=10)
            return
        replied_to = message.reference.message_id if message.reference else None
        conversation = self.memory.context(message.channel.id, message.author.id, replied_to)
        answer, conversation, snapshot = self.bot.answer(question[:MAX_QUESTION_CHARS], conversation)
        embed, view = self._render(answer, snapshot, message.author.id)
        sent = await message.reply(embed=embed, mention_author=False, **_with(view))
        thread = isinstance(message.channel, discord.Thread)
        self.memory.remember(message.channel.id, message.author.id, conversation, sent.id, thread=thread)
        await self.bot.remember(answer, message.guild.id if message.guild else None, sent.id)

    def _render(
        self, answer: Answer, snapshot: Snapshot, asker_id: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        knowledge = snapshot.knowledge
        if answer.kind == SMALL_TALK:
            return small_talk_embed(answer), None
        if answer.kind == PARAGRAPH and answer.paragraph is not None:
            # The entries citing the paragraph are what to read next, for anyone.
            view = answer_view(asker_id, (), None, answer.suggestions)
            return source_embed(knowledge, answer.paragraph.paragraph, answer.paragraph.quote), view
        entry = answer.entry
        if entry is None:
            return decline_embed(answer, knowledge), answer_view(asker_id, answer.suggestions, None)
        read_next = tuple(Suggestion(linked.id, linked.title, 100.0) for linked in knowledge.related(entry))
        previous = knowledge.entry(answer.follow_up_of) if answer.follow_up_of else None
        footer = None
        if previous is not None:
            footer = "The cited paragraphs in full" if previous is entry else f"Following up on “{previous.title}”"
        embed = answer_embed(entry, knowledge, answer.score, full_paragraphs=answer.detail, footer=footer)
        return embed, answer_view(asker_id, answer.suggestions, entry.id, read_next)


def _replies_to(message: discord.Message, bot_id: int) -> bool:
    """Whether ``message`` is a Reply to one of the bot's own messages."""
    reference = message.reference
    resolved = reference.resolved if reference is not None else None
    return isinstance(resolved, discord.Message) and resolved.author.id == bot_id


def _with(view: discord.ui.View | None) -> dict[str, Any]:
    return {"view": view} if view is not None else {}


async def setup(bot: ExplainerBot) -> None:
    bot.add_dynamic_items(FeedbackButton, SuggestionButton, ReadNextButton, PickButton)
    await bot.add_cog(Ask(bot))
