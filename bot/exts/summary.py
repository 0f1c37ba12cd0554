"""/summary: moderators post the essay's summary to the channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.embeds import summary_messages
from bot.exts._common import Refused, respond_to_error

if TYPE_CHECKING:
    from bot.client import ExplainerBot

T = TypeVar("T")
MODERATORS_ONLY = "Only moderators can post the summary (Manage Messages, or a moderator role)."


def is_moderator() -> Callable[[T], T]:
    """A real check behind the Manage Messages hint: the permission here, or a configured moderator role."""

    async def predicate(interaction: discord.Interaction) -> bool:
        client: ExplainerBot = interaction.client  # type: ignore[assignment]
        member = interaction.user
        roles = {role.id for role in getattr(member, "roles", ())}
        if interaction.permissions.manage_messages or roles & set(client.settings.moderator_role_ids):
            return True
        raise Refused(MODERATORS_ONLY)

    return app_commands.check(predicate)


class Summary(commands.Cog):
    """Posts the short or full summary, split within Discord's limits."""

    def __init__(self, bot: ExplainerBot) -> None:
        self.bot = bot

    @app_commands.command(name="summary", description="Post a summary of the essay in this channel (moderators)")
    @app_commands.describe(length="short: five key points; full: every major point in the essay's order")
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.guild_only()
    @is_moderator()
    async def summary(self, interaction: discord.Interaction, length: Literal["short", "full"] = "short") -> None:
        messages = summary_messages(self.bot.store.current.knowledge, full=length == "full")
        await interaction.response.send_message(embeds=messages[0])
        for embeds in messages[1:]:
            await interaction.followup.send(embeds=embeds)

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await respond_to_error(interaction, error)


async def setup(bot: ExplainerBot) -> None:
    await bot.add_cog(Summary(bot))
