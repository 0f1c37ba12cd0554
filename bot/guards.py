"""Refusals, checks and the answer to a failed command: what the client and every extension share."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.client import ExplainerBot

log = logging.getLogger(__name__)

T = TypeVar("T")
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
MODERATORS_ONLY = "Only moderators can do that (Manage Messages, or a moderator role)."
UNREADABLE_OPTION = "I couldn't read that option; please pick one of the suggestions or check the value."


class Refused(app_commands.CheckFailure):
    """A check said no; the message is shown to the user as it is."""


# What a member is told about, and nobody needs a traceback for.
EXPECTED_ERRORS = (Refused, app_commands.CommandOnCooldown, app_commands.TransformerError)


def explainer(interaction: discord.Interaction) -> ExplainerBot:
    """The bot an interaction came to, typed as what it is."""
    return cast("ExplainerBot", interaction.client)


async def reply(interaction: discord.Interaction, content: str | None = None, **kwargs: Any) -> None:
    """Answer the interaction, or follow up if it was already answered (or deferred); private unless told."""
    kwargs.setdefault("ephemeral", True)
    if content is not None:
        kwargs["content"] = content
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def slow_down(seconds: float) -> str:
    return f"Slow down a little: you can ask again in {math.ceil(seconds)} s."


async def respond_to_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """A short private explanation for refusals and cooldowns; an apology otherwise."""
    if isinstance(error, Refused):
        message = str(error)
    elif isinstance(error, app_commands.CommandOnCooldown):
        message = slow_down(error.retry_after)
    elif isinstance(error, app_commands.TransformerError):
        message = UNREADABLE_OPTION
    else:
        message = APOLOGY
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.warning("Could not tell the user about an error in /%s", interaction.command and interaction.command.name)


def is_moderator(refusal: str = MODERATORS_ONLY) -> Callable[[T], T]:
    """A real check behind the Manage Messages hint: the permission here, or a configured moderator role."""

    async def predicate(interaction: discord.Interaction) -> bool:
        member = interaction.user
        roles = {role.id for role in getattr(member, "roles", ())}
        if interaction.permissions.manage_messages or roles & set(explainer(interaction).settings.moderator_role_ids):
            return True
        raise Refused(refusal)

    return app_commands.check(predicate)
