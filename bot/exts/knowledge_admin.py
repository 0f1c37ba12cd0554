"""/kb: knowledge base tools. Moderators see what went unanswered; administrators and owners reload."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.gaps import group_gaps
from bot.embeds import DESCRIPTION_LIMIT, clip, echo, problems_report
from bot.exts._common import Refused, respond_to_error
from bot.exts.summary import is_moderator

if TYPE_CHECKING:
    from bot.client import ExplainerBot

ADMINS_ONLY = "Only administrators and the bot's owners can reload the knowledge base."
GAPS_SHOWN = 10


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
        name="gaps", description="The most asked questions the essay didn't answer, and the least liked answers"
    )
    @is_moderator()
    async def gaps(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        gaps = group_gaps(await self.bot.questions.unanswered())
        ratings = [rating for rating in await self.bot.questions.ratings() if rating.unhelpful]
        lines = ["**Most asked, not answered**"]
        lines += [
            f"{gap.count}× “{echo(gap.example, 150)}” (best match {gap.best_score:.0f})" for gap in gaps[:GAPS_SHOWN]
        ]
        if not gaps:
            lines.append("Nothing yet.")
        lines.append("\n**Answers with the most 👎**")
        lines += [
            f"`{rating.entry_id}`: 👎 {rating.unhelpful} · 👍 {rating.helpful}" for rating in ratings[:GAPS_SHOWN]
        ]
        if not ratings:
            lines.append("None so far.")
        lines.append("\nMaintainers: `python -m bot gaps --stub` turns these into YAML stubs.")
        embed = discord.Embed(title="Knowledge base gaps", description=clip("\n".join(lines), DESCRIPTION_LIMIT))
        await interaction.followup.send(embed=embed, ephemeral=True)

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await respond_to_error(interaction, error)


async def setup(bot: ExplainerBot) -> None:
    await bot.add_cog(KnowledgeAdmin(bot))
