"""/topics and /source: browse what the essay answers, and quote it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.embeds import answer_embed, clip, source_embed, topic_pages
from bot.exts._common import NOT_FOR_YOU
from bot.guards import APOLOGY, reply
from bot.limits import AUTOCOMPLETE_CHOICES, CHOICE_NAME_LIMIT

if TYPE_CHECKING:
    from bot.client import ExplainerBot

log = logging.getLogger(__name__)

PAGER_TIMEOUT = 300.0


class Pager(discord.ui.View):
    """Previous/next buttons over a list of embeds, for the person who opened it."""

    def __init__(self, pages: list[discord.Embed], owner_id: int) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.pages = pages
        self.owner_id = owner_id
        self.page = 0
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page == len(self.pages) - 1

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.pages) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.page + 1)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await reply(interaction, NOT_FOR_YOU)
        return False

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        log.error("Error in the topics pager", exc_info=error)
        await reply(interaction, APOLOGY)


class Browse(commands.Cog):
    """Lists the topics the essay answers and quotes its paragraphs."""

    def __init__(self, bot: ExplainerBot) -> None:
        self.bot = bot

    @app_commands.command(name="topics", description="Browse what the essay answers, or show one topic")
    @app_commands.describe(topic="Start typing to pick a topic; leave empty to browse them all")
    async def topics(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        snapshot = self.bot.store.current
        if topic is None:
            pages = topic_pages(snapshot.knowledge)
            await interaction.response.send_message(
                embed=pages[0], view=Pager(pages, interaction.user.id), ephemeral=True
            )
            return
        # Autocomplete values are only suggestions: whatever arrives is checked again.
        entry = snapshot.knowledge.entry(topic.strip())
        if entry is None:
            await reply(
                interaction, "I don't have a topic by that name. Pick one from the list, or run /topics to browse."
            )
            return
        await interaction.response.send_message(embed=answer_embed(entry, snapshot.knowledge), ephemeral=True)

    @topics.autocomplete("topic")
    async def suggest_topics(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        entries = self.bot.store.current.matcher.complete(current, AUTOCOMPLETE_CHOICES)
        return [app_commands.Choice(name=clip(entry.title, CHOICE_NAME_LIMIT), value=entry.id) for entry in entries]

    @app_commands.command(name="source", description="Quote a paragraph of the essay by its number")
    @app_commands.describe(paragraph="The paragraph number (¶), as cited in answers")
    async def source(self, interaction: discord.Interaction, paragraph: int) -> None:
        knowledge = self.bot.store.current.knowledge
        text = knowledge.essay.paragraph(paragraph)
        if text is None:
            await reply(interaction, f"The essay has paragraphs ¶1–¶{len(knowledge.essay.paragraphs)}.")
            return
        await interaction.response.send_message(embed=source_embed(knowledge, paragraph, text))

    @source.autocomplete("paragraph")
    async def suggest_paragraphs(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        essay = self.bot.store.current.knowledge.essay
        typed = current.strip().lstrip("¶")
        choices = [
            app_commands.Choice(name=clip(f"¶{number} · {text}", CHOICE_NAME_LIMIT), value=number)
            for number, text in enumerate(essay.paragraphs, 1)
            if not typed or str(number).startswith(typed) or typed.lower() in text.lower()
        ]
        return choices[:AUTOCOMPLETE_CHOICES]


async def setup(bot: ExplainerBot) -> None:
    await bot.add_cog(Browse(bot))
