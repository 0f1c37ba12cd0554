"""What the extensions share: replying whether or not the interaction was answered, errors, cooldowns."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.core.answer import Suggestion
from bot.embeds import answer_embed, clip
from bot.knowledge_store import KnowledgeStore

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_FOR_YOU = "These buttons belong to the person who asked. Ask with /ask to get your own."
BUTTON_LABEL_LIMIT = 80
VIEW_TIMEOUT = 600.0


class Refused(app_commands.CheckFailure):
    """A check said no; the message is shown to the user as it is."""


EXPECTED_ERRORS = (Refused, app_commands.CommandOnCooldown, app_commands.TransformerError)


async def reply(interaction: discord.Interaction, content: str | None = None, **kwargs: Any) -> None:
    """Answer the interaction, or follow up if it was already answered (or deferred)."""
    kwargs.setdefault("ephemeral", True)
    if interaction.response.is_done():
        await interaction.followup.send(content, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)


async def respond_to_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """A short ephemeral explanation for refusals and cooldowns; an apology (and a logged traceback) otherwise."""
    if isinstance(error, Refused):
        message = str(error)
    elif isinstance(error, app_commands.CommandOnCooldown):
        message = slow_down(error.retry_after)
    elif isinstance(error, app_commands.TransformerError):
        message = "I couldn't read that option; please pick one of the suggestions or check the value."
    else:
        message = APOLOGY
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.warning("Could not tell the user about an error in /%s", interaction.command and interaction.command.name)


def slow_down(seconds: float) -> str:
    return f"Slow down a little: you can ask again in {math.ceil(seconds)} s."


class UserCooldowns:
    """One question per ``seconds`` for each user, shared by /ask and message questions."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 when the user may ask now (and the question is counted); otherwise the seconds left to wait."""
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        if len(self._last) > 10_000:
            self._last = {user: at for user, at in self._last.items() if now - at < self.seconds}
        self._last[user_id] = now
        return 0.0


class SuggestionView(discord.ui.View):
    """ "Did you mean" buttons: each answers its entry, privately, to the person who asked."""

    def __init__(self, store: KnowledgeStore, asker_id: int, suggestions: tuple[Suggestion, ...]) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.store = store
        self.asker_id = asker_id
        self.expire: Callable[[], Awaitable[Any]] | None = None
        for suggestion in suggestions:
            button: discord.ui.Button[SuggestionView] = discord.ui.Button(
                label=clip(suggestion.title, BUTTON_LABEL_LIMIT), style=discord.ButtonStyle.secondary
            )
            button.callback = self._answerer(suggestion.id)
            self.add_item(button)

    def _answerer(self, entry_id: str) -> Callable[[discord.Interaction], Awaitable[None]]:
        async def answer(interaction: discord.Interaction) -> None:
            snapshot = self.store.current
            entry = snapshot.knowledge.entry(entry_id)
            if entry is None:
                await reply(interaction, "That topic was removed in an update; try /topics.")
                return
            await reply(interaction, embed=answer_embed(entry, snapshot.knowledge))

        return answer

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.asker_id:
            return True
        await reply(interaction, NOT_FOR_YOU)
        return False

    async def on_timeout(self) -> None:
        if self.expire is not None:
            try:
                await self.expire()
            except discord.HTTPException:
                log.debug("Could not remove expired suggestion buttons")

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        log.error("Error in a suggestion button", exc_info=error)
        try:
            await reply(interaction, APOLOGY)
        except discord.HTTPException:
            log.warning("Could not apologise for a failed button")
