"""The Discord bot: a small commands.Bot that loads one extension per concern and syncs deliberately."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.exts._common import EXPECTED_ERRORS
from bot.knowledge_store import KnowledgeStore

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.ask",
    "bot.exts.summary",
    "bot.exts.browse",
    "bot.exts.knowledge_admin",
)
SYNC_STATE_FILE = "command-sync.json"


class ExplainerTree(app_commands.CommandTree):
    """Logs what the extensions' own error handlers could not explain to the user."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if not isinstance(error, EXPECTED_ERRORS):
            name = interaction.command.qualified_name if interaction.command else "?"
            log.error("Error in /%s", name, exc_info=error)


class ExplainerBot(commands.Bot):
    """Answers questions about the essay; everything it knows comes from ``store``."""

    def __init__(self, settings: Settings, store: KnowledgeStore, *, force_sync: bool = False, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = settings.message_content
        super().__init__(
            # Questions in messages are read by the ask extension; there are no prefix commands.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            owner_ids=set(settings.owner_ids),
            tree_cls=ExplainerTree,
            **options,
        )
        self.settings = settings
        self.store = store
        self.force_sync = force_sync

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()

    async def on_message(self, message: discord.Message, /) -> None:
        """Deliberately empty: see ``command_prefix``."""

    async def sync_commands(self) -> None:
        """Sync to DEV_GUILD_ID at once; globally only when the definitions changed or a sync was asked for."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to the development server %s", len(synced), guild.id)
            return
        state = self.settings.data_dir / SYNC_STATE_FILE
        digest = command_digest(self.tree, self.application_id)
        if not self.force_sync and _read_digest(state) == digest:
            log.info("Slash commands unchanged since the last sync; not syncing")
            return
        synced = await self.tree.sync()
        _write_digest(state, digest)
        log.info("Synced %d commands globally (they can take a while to appear)", len(synced))


def command_digest(tree: app_commands.CommandTree, application_id: int | None) -> str:
    """A hash of every global command definition, to tell whether Discord already has them."""
    definitions = sorted((command.to_dict(tree) for command in tree.get_commands()), key=lambda item: item["name"])
    payload = json.dumps({"application": application_id, "commands": definitions}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _read_digest(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError, AttributeError):
        return None


def _write_digest(path: Path, digest: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"digest": digest}), encoding="utf-8")
    except OSError as error:
        log.warning("Could not remember the command sync in %s (%s); the next start will sync again", path, error)


async def run_bot(settings: Settings, store: KnowledgeStore, *, sync_only: bool = False) -> None:
    """Connect and serve until stopped; with ``sync_only``, log in, sync the commands and leave."""
    assert settings.discord_token is not None
    bot = ExplainerBot(settings, store, force_sync=sync_only)
    async with bot:
        if sync_only:
            await bot.login(settings.discord_token)
            return
        await bot.start(settings.discord_token)


def serve(settings: Settings, store: KnowledgeStore, *, sync_only: bool = False) -> int:
    """Run the bot until stopped; 0 on a clean stop, 1 with one clear line on stderr when it can't run."""
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level))
    try:
        asyncio.run(run_bot(settings, store, sync_only=sync_only))
    except discord.LoginFailure:
        return _fail("Discord rejected DISCORD_TOKEN: check the token in the Discord developer portal.")
    except discord.PrivilegedIntentsRequired:
        return _fail(
            "MESSAGE_CONTENT_INTENT is on, but the intent is not enabled for this bot in the developer portal."
        )
    except (OSError, discord.GatewayNotFound, discord.HTTPException) as error:
        return _fail(f"Could not reach Discord ({type(error).__name__}); check the network and try again.")
    return 0


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1
