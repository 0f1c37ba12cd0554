"""/kb: knowledge base tools for administrators and the bot's owners."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.embeds import problems_report
from bot.exts._common import Refused, respond_to_error

if TYPE_CHECKING:
    from bot.client import ExplainerBot

ADMINS_ONLY = "Only administrators and the bot's owners can reload the knowledge base."


class KnowledgeAdmin(commands.Cog):
    """Reloads the knowledge base from disk, keeping the current one when the new one is broken."""

    kb = app_commands.Group(
        name="kb",
        description="Knowledge base tools (administrators)",
        default_permissions=discord.Permissions(administrator=True),
    )

    def __init__(self, bot: ExplainerBot) -> None:
        self.bot = bot

    async def _require_admin_or_owner(self, interaction: discord.Interaction) -> None:
        if interaction.permissions.administrator or await self.bot.is_owner(interaction.user):
            return
        raise Refused(ADMINS_ONLY)

    @kb.command(name="reload", description="Reload the knowledge base from disk, validating it first")
    async def reload(self, interaction: discord.Interaction) -> None:
        await self._require_admin_or_owner(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await asyncio.to_thread(self.bot.store.reload)
        if result.ok:
            message = f"Reloaded: version `{result.version}`, {result.entries} entries."
        else:
            count = len(result.problems)
            message = (
                f"The knowledge base on disk has {count} problem{'s' if count != 1 else ''}; "
                f"still serving version `{result.version}`.\n{problems_report(result.problems)}"
            )
        await interaction.followup.send(message, ephemeral=True)

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await respond_to_error(interaction, error)


async def setup(bot: ExplainerBot) -> None:
    await bot.add_cog(KnowledgeAdmin(bot))
