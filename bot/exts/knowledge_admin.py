"""/kb: knowledge base tools. Moderators see what went unanswered; administrators and owners reload."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.gaps import group_gaps
from bot.core.learning import propose
from bot.core.proposals import proposals_yaml
from bot.embeds import gaps_embed, problems_report
from bot.guards import Refused, is_moderator

if TYPE_CHECKING:
    from bot.client import ExplainerBot

ADMINS_ONLY = "Only administrators and the bot's owners can reload the knowledge base."
PROPOSALS_FILE = "proposals.yaml"


class KnowledgeAdmin(commands.Cog):
    """Reloads the knowledge base (keeping the current one when the new one is broken) and reports its gaps."""

    kb = app_commands.Group(
        name="kb",
        description="Knowledge base tools (moderators)",
        default_permissions=discord.Permissions(manage_messages=True),
    )

    def __init__(self, bot: ExplainerBot) -> None:
        self.bot = bot

    async def _require_admin_or_owner(self, interaction: discord.Interaction) -> None:
        if interaction.permissions.administrator or await self.bot.is_owner(interaction.user):
            return
        raise Refused(ADMINS_ONLY)

    @kb.command(name="reload", description="Reload the knowledge base from disk, validating it first (administrators)")
    async def reload(self, interaction: discord.Interaction) -> None:
        await self._require_admin_or_owner(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.bot.reload_knowledge()
        if result.ok:
            message = f"Reloaded: version `{result.version}`, {result.entries} entries."
        else:
            count = len(result.problems)
            message = (
                f"The knowledge base on disk has {count} problem{'s' if count != 1 else ''}; "
                f"still serving version `{result.version}`.\n{problems_report(result.problems)}"
            )
        await interaction.followup.send(message, ephemeral=True)

    @kb.command(
        name="gaps",
        description="What the essay didn't answer, the least liked answers, and proposals to download and apply",
    )
    @is_moderator()
    async def gaps(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        log = self.bot.questions
        declined, picks, votes = await log.unanswered(), await log.picks(), await log.votes()
        ratings = [rating for rating in await log.ratings() if rating.unhelpful]
        matcher = self.bot.store.current.matcher
        # Grouping reads every question through the matcher: off the event loop.
        gaps, proposals = await asyncio.to_thread(
            lambda: (group_gaps(declined, matcher), propose(matcher, declined, picks, votes))
        )
        embed = gaps_embed(gaps, ratings, proposals)
        if not proposals:
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        attachment = discord.File(io.BytesIO(proposals_yaml(proposals).encode()), filename=PROPOSALS_FILE)
        await interaction.followup.send(embed=embed, file=attachment, ephemeral=True)


async def setup(bot: ExplainerBot) -> None:
    await bot.add_cog(KnowledgeAdmin(bot))
