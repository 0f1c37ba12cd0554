"""What the extensions share: the persistent buttons under answers, and the question cooldowns."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord.ext import commands

from bot.core.answer import Suggestion
from bot.core.learning import AFTER_DOWNVOTE
from bot.embeds import answer_embed, clip
from bot.guards import explainer, reply
from bot.limits import BUTTON_LABEL_LIMIT

NOT_FOR_YOU = "These buttons belong to the person who asked. Ask with /ask to get your own."
SUGGESTION_ROW, FEEDBACK_ROW, READ_NEXT_ROW = 0, 1, 2


QUESTION_BURST = 3  # questions a member may ask back to back, so a quick "why?" after an answer goes through


def question_cooldowns(seconds: float) -> commands.CooldownMapping[int]:
    """Per member id: QUESTION_BURST questions per QUESTION_BURST × ``seconds``.

    The same pace as one question every ``seconds``, with room for a follow-up or two
    right after an answer. Shared by /ask, the context menu and message questions.
    """
    return commands.CooldownMapping.from_cooldown(QUESTION_BURST, QUESTION_BURST * seconds, lambda member: member)


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"feedback:(?P<vote>up|down):(?P<entry>[a-z0-9-]{1,64})"
):
    """👍/👎 under an answer. Persistent: it works after a restart, whatever view it was sent in.

    Each person's vote on an answer counts once, across restarts too (the question log keeps it).
    """

    def __init__(self, entry_id: str, helpful: bool) -> None:
        vote = "up" if helpful else "down"
        button: discord.ui.Button[Any] = discord.ui.Button(
            emoji="👍" if helpful else "👎",
            style=discord.ButtonStyle.secondary,
            custom_id=f"feedback:{vote}:{entry_id}",
            row=FEEDBACK_ROW,
        )
        super().__init__(button)
        self.entry_id = entry_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FeedbackButton:
        return cls(match["entry"], match["vote"] == "up")

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = explainer(interaction)
        message_id = interaction.message.id if interaction.message else 0
        recorded = await bot.record_feedback(
            self.entry_id, self.helpful, interaction.guild_id, message_id=message_id, voter_id=interaction.user.id
        )
        if not recorded:
            await reply(interaction, "You already rated this answer. Thanks!")
            return
        seen = bot.shown.get(message_id)
        alternatives = () if self.helpful or seen is None else bot.answer_alternatives(seen.question, self.entry_id)
        if not alternatives:
            await reply(interaction, "Thanks for the feedback! It helps the maintainers improve the answers.")
            return
        view = discord.ui.View(timeout=None)
        for item in alternatives:
            view.add_item(PickButton(message_id, item.id, item.title))
        view.stop()  # persistent items only: see answer_view
        await reply(interaction, "Thanks. Did you mean one of these instead?", view=view)


class PickButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pick:(?P<answer>\d{1,20}):(?P<entry>[a-z0-9-]{1,64})"
):
    """One of the alternatives offered after a 👎: shows its entry, and tells the maintainers it was meant.

    Offered in a private reply, so only the member who voted sees it.
    """

    def __init__(self, answer_id: int, entry_id: str, title: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=clip(title, BUTTON_LABEL_LIMIT),
            style=discord.ButtonStyle.secondary,
            custom_id=f"pick:{answer_id}:{entry_id}",
        )
        super().__init__(button)
        self.answer_id = answer_id
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PickButton:
        return cls(int(match["answer"]), match["entry"], getattr(item, "label", None) or match["entry"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await explainer(interaction).record_pick(self.answer_id, self.entry_id, AFTER_DOWNVOTE, interaction.guild_id)
        await show_entry(interaction, self.entry_id)


class SuggestionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"suggest:(?P<asker>\d{1,20}):(?P<entry>[a-z0-9-]{1,64})"
):
    """A "did you mean" button: answers its entry privately, to the person who asked only.

    Everything it needs is in its custom id, so it keeps no state in memory and survives restarts.
    """

    def __init__(self, asker_id: int, entry_id: str, title: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=clip(title, BUTTON_LABEL_LIMIT),
            style=discord.ButtonStyle.secondary,
            custom_id=f"suggest:{asker_id}:{entry_id}",
            row=SUGGESTION_ROW,
        )
        super().__init__(button)
        self.asker_id = asker_id
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SuggestionButton:
        label = getattr(item, "label", None) or match["entry"]
        return cls(int(match["asker"]), match["entry"], label)

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.asker_id:
            await reply(interaction, NOT_FOR_YOU)
            return
        message_id = interaction.message.id if interaction.message else 0
        await explainer(interaction).record_pick(message_id, self.entry_id, None, interaction.guild_id)
        await show_entry(interaction, self.entry_id)


class ReadNextButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"next:(?P<entry>[a-z0-9-]{1,64})"):
    """A "read next" button under an answer: shows its entry privately to whoever clicks. Persistent."""

    def __init__(self, entry_id: str, title: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=clip(title, BUTTON_LABEL_LIMIT),
            emoji="📖",
            style=discord.ButtonStyle.secondary,
            custom_id=f"next:{entry_id}",
            row=READ_NEXT_ROW,
        )
        super().__init__(button)
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReadNextButton:
        return cls(match["entry"], getattr(item, "label", None) or match["entry"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await show_entry(interaction, self.entry_id)


async def show_entry(interaction: discord.Interaction, entry_id: str) -> None:
    """Answer ``entry_id`` privately to whoever clicked, from the knowledge base as it is now."""
    snapshot = explainer(interaction).store.current
    entry = snapshot.knowledge.entry(entry_id)
    if entry is None:
        await reply(interaction, "That topic was removed in an update; try /topics.")
        return
    await reply(interaction, embed=answer_embed(entry, snapshot.knowledge))


def answer_view(
    asker_id: int, suggestions: tuple[Suggestion, ...], answered_id: str | None, read_next: tuple[Suggestion, ...] = ()
) -> discord.ui.View | None:
    """The buttons under an answer or a decline: "did you mean" for the asker, 👍/👎 and "read next" for everyone.

    Only persistent (dynamic) items, so nothing waits in memory for a click.
    """
    view = discord.ui.View(timeout=None)
    for suggestion in suggestions:
        view.add_item(SuggestionButton(asker_id, suggestion.id, suggestion.title))
    if answered_id is not None:
        view.add_item(FeedbackButton(answered_id, helpful=True))
        view.add_item(FeedbackButton(answered_id, helpful=False))
    for item in read_next:
        view.add_item(ReadNextButton(item.id, item.title))
    if not view.children:
        return None
    # A finished view is sent but not tracked: its persistent items are dispatched by class, and
    # tracking would keep every ephemeral reply's view (and a timer) in memory for 15 minutes.
    view.stop()
    return view
