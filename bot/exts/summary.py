"""/summary: moderators post the essay's summary to the channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.embeds import summary_messages
from bot.guards import is_moderator

if TYPE_CHECKING:
    from bot.client import ExplainerBot

SUMMARY_REFUSAL = "Only moderators can post the summary (Manage Messages, or a moderator role)."


class Summary(commands.Cog):
    """Posts the short or full summary, split within Discord's limits."""

    def __init__(self, bot: ExplainerBot) -> None:
        self.bot = bot

    @app_commands.command(name="summary", description="Post a summary of the essay in this channel (moderators)")
    @app_commands.describe(length="short: five key points; full: every major point in the essay's order")
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.guild_only()
    @is_moderator(SUMMARY_REFUSAL)
    async def summary(self, interaction: discord.Interaction, length: Literal["short", "full"] = "short") -> None:
        messages = summary_messages(self.bot.store.current.knowledge, full=length == "full")
        await interaction.response.send_message(embeds=messages[0])
        for embeds in messages[1:]:
            await interaction.followup.send(embeds=embeds)


async def setup(bot: ExplainerBot) -> None:
    await bot.add_cog(Summary(bot))
