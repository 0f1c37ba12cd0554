"""The Discord bot: a small commands.Bot that loads one extension per concern and syncs deliberately."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import discord
from cachetools import TTLCache
from discord import app_commands
from discord.ext import commands
from watchfiles import awatch

from bot.config import Settings
from bot.core.answer import PARAGRAPH, SMALL_TALK, Answer, Suggestion
from bot.core.conversation import Conversation
from bot.core.learning import AFTER_ANSWER, AFTER_DECLINE, Shown, Vote, pick_of, shown, vote_of, worth_recording
from bot.embeds import problems_report
from bot.guards import EXPECTED_ERRORS, respond_to_error
from bot.health import HealthServer
from bot.knowledge_store import KnowledgeStore, ReloadResult, Snapshot
from bot.metrics import Metrics
from bot.storage import QuestionLog, open_question_log

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.ask",
    "bot.exts.summary",
    "bot.exts.browse",
    "bot.exts.knowledge_admin",
)
SYNC_STATE_FILE = "command-sync.json"
WATCH_DEBOUNCE_MS = 500
T = TypeVar("T")
SHOWN_LIMIT = 10_000  # answers whose question a later 👍/👎 or pick can still be tied to
SHOWN_SECONDS = 3600.0


class ExplainerTree(app_commands.CommandTree):
    """Answers every failed command privately; logs (and counts) the failures that were not refusals."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await respond_to_error(interaction, error)
        if isinstance(error, EXPECTED_ERRORS):
            return
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error("Error in /%s", name, exc_info=error)
        client = interaction.client
        if isinstance(client, ExplainerBot):
            client.metrics.command_errors.labels(name).inc()


class ExplainerBot(commands.Bot):
    """Answers questions about the essay; everything it knows comes from ``store``."""

    def __init__(
        self,
        settings: Settings,
        store: KnowledgeStore,
        *,
        questions: QuestionLog | None = None,
        force_sync: bool = False,
        **options: Any,
    ) -> None:
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
        self.questions = questions or open_question_log(settings.question_log)
        # What each recent answer message showed, so a vote or a pick on it can be tied to its question.
        self.shown: TTLCache[int, Shown] = TTLCache(SHOWN_LIMIT, SHOWN_SECONDS)
        # Votes are kept once per person as a keyed hash; the key never leaves this process's memory.
        self._vote_secret = hashlib.sha256(
            b"votes:" + (settings.discord_token or secrets.token_hex()).encode()
        ).digest()
        self.metrics = Metrics()
        self.force_sync = force_sync
        self._background: list[asyncio.Task[None]] = []
        self._health: HealthServer | None = None

    async def setup_hook(self) -> None:
        try:
            await self.questions.open()
        except Exception:
            log.exception("Could not open the question log; answering goes on without recording")
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()
        if self.settings.watch_knowledge:
            self._background.append(asyncio.create_task(self._watch_knowledge(), name="watch-knowledge"))
        if self.settings.health_port is not None:
            self._health = HealthServer(self, self.settings.health_host, self.settings.health_port)
            await self._health.start()

    async def close(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._health is not None:
            await self._health.stop()
        await super().close()
        await self.questions.close()

    async def on_message(self, message: discord.Message, /) -> None:
        """Deliberately empty: see ``command_prefix``."""

    # -- answering -------------------------------------------------------------

    def answer(self, question: str, conversation: Conversation | None = None) -> tuple[Answer, Conversation, Snapshot]:
        """Match ``question``, read after ``conversation``, against the current snapshot; count outcome and time.

        Returns the answer and the conversation after it.
        """
        snapshot = self.store.current
        started = time.perf_counter()
        explanation, after = snapshot.matcher.reply(question, conversation or Conversation(), time.monotonic())
        self.metrics.match_latency.observe(time.perf_counter() - started)
        answer = explanation.answer
        self.metrics.questions.labels("answered" if answer.answered else "declined").inc()
        return answer, after, snapshot

    async def remember(self, answer: Answer, guild_id: int | None, message_id: int | None = None) -> None:
        """Note what ``message_id`` showed, and record a declined or weak question; storage failures never stop it."""
        if message_id is not None and answer.kind not in (SMALL_TALK, PARAGRAPH):
            self.shown[message_id] = shown(answer)
        if not worth_recording(answer):
            return
        answered = answer.entry.id if answer.entry else None
        step = self.questions.record_question(answer.question, guild_id, answer.score, answered, answer.follow_up_of)
        await self._logged("record_question", "record a question", step)

    def answer_alternatives(self, question: str, instead_of: str) -> tuple[Suggestion, ...]:
        """What else ``question`` may have meant than ``instead_of``, from the current knowledge base."""
        return self.store.current.matcher.alternatives(question, instead_of)

    def vote_key(self, message_id: int, voter_id: int) -> str:
        """Who voted on which answer, as a keyed hash that tells a repeat vote and nothing else."""
        return hmac.new(self._vote_secret, f"{message_id}:{voter_id}".encode(), hashlib.sha256).hexdigest()

    async def record_feedback(
        self, entry_id: str, helpful: bool, guild_id: int | None, *, message_id: int, voter_id: int
    ) -> bool:
        """Count and store a 👍/👎, once per person and answer; False when they had rated it already."""
        seen = self.shown.get(message_id)
        vote = (vote_of(seen, helpful) if seen is not None else None) or Vote(None, entry_id, helpful)
        step = self.questions.record_feedback(vote, guild_id, self.vote_key(message_id, voter_id))
        # When storage is down the vote can't be checked against earlier ones: it is thanked and counted.
        recorded = await self._logged("record_feedback", "record feedback", step) is not False
        if recorded:
            self.metrics.feedback.labels("up" if helpful else "down").inc()
        return recorded

    async def record_pick(self, message_id: int, entry_id: str, after: str | None, guild_id: int | None) -> None:
        """Store that the asker picked ``entry_id`` from what ``message_id`` offered, when its question is known."""
        seen = self.shown.get(message_id)
        if seen is None:
            return
        context = after or (AFTER_ANSWER if seen.entry_id else AFTER_DECLINE)
        pick = pick_of(seen, entry_id, context)
        if pick is not None:
            await self._logged("record_pick", "record a pick", self.questions.record_pick(pick, guild_id))

    async def _logged(self, operation: str, description: str, step: Awaitable[T]) -> T | None:
        """One question-log operation, timed into the metrics; a failure is counted and logged, never raised."""
        started = time.perf_counter()
        try:
            return await step
        except Exception as error:
            self.metrics.database_errors.labels(operation).inc()
            log.warning("Could not %s (%s: %s); answering goes on", description, type(error).__name__, error)
            return None
        finally:
            self.metrics.database_latency.labels(operation).observe(time.perf_counter() - started)

    # -- knowledge reloads -----------------------------------------------------

    async def reload_knowledge(self) -> ReloadResult:
        """Validate and reload from disk; a refusal is counted, logged and posted to LOG_CHANNEL_ID."""
        result = await asyncio.to_thread(self.store.reload)
        self.metrics.reloads.labels("ok" if result.ok else "failed").inc()
        if not result.ok:
            await self._report_refused_reload(result)
        return result

    async def _report_refused_reload(self, result: ReloadResult) -> None:
        channel_id = self.settings.log_channel_id
        if channel_id is None:
            return
        channel = self.get_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("LOG_CHANNEL_ID %s is not a channel the bot can post in", channel_id)
            return
        text = (
            f"Knowledge reload refused; still serving version `{result.version}`.\n{problems_report(result.problems)}"
        )
        try:
            await channel.send(text)
        except discord.HTTPException as error:
            log.warning("Could not post the refused reload to the log channel (%s)", error)

    async def _watch_knowledge(self) -> None:
        directory = self.settings.knowledge_dir
        try:
            async for changes in awatch(directory, debounce=WATCH_DEBOUNCE_MS, recursive=True):
                log.info("Knowledge files changed (%d); reloading", len(changes))
                await self.reload_knowledge()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Stopped watching %s; use /kb reload to pick up changes", directory)

    # -- command sync ----------------------------------------------------------

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


class ShardedExplainerBot(ExplainerBot, commands.AutoShardedBot):
    """The same bot running the shards SHARD_IDS of SHARD_COUNT, for deployments split across processes."""


def create_bot(settings: Settings, store: KnowledgeStore, **options: Any) -> ExplainerBot:
    """A sharded bot when SHARD_COUNT is set, a plain one otherwise."""
    if settings.shard_count is None:
        return ExplainerBot(settings, store, **options)
    shard_ids = list(settings.shard_ids) or None
    return ShardedExplainerBot(settings, store, shard_count=settings.shard_count, shard_ids=shard_ids, **options)


def command_digest(tree: app_commands.CommandTree, application_id: int | None) -> str:
    """A hash of every global command definition, to tell whether Discord already has them."""
    definitions = sorted((command.to_dict(tree) for command in tree.get_commands()), key=lambda item: item["name"])
    payload = json.dumps({"application": application_id, "commands": definitions}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _read_digest(path: Path) -> str | None:
    try:
        digest = json.loads(path.read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError, AttributeError):
        return None
    return digest if isinstance(digest, str) else None


def _write_digest(path: Path, digest: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"digest": digest}), encoding="utf-8")
    except OSError as error:
        log.warning("Could not remember the command sync in %s (%s); the next start will sync again", path, error)


async def run_bot(settings: Settings, store: KnowledgeStore, *, sync_only: bool = False) -> None:
    """Connect and serve until stopped; with ``sync_only``, log in, sync the commands and leave."""
    assert settings.discord_token is not None
    bot = create_bot(settings, store, force_sync=sync_only)
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
    except discord.HTTPException as error:
        return _fail(refused_by_discord(error))
    except (OSError, discord.GatewayNotFound) as error:
        return _fail(f"Could not reach Discord ({type(error).__name__}); check the network and try again.")
    return 0


def refused_by_discord(error: discord.HTTPException) -> str:
    """What Discord's refusal means, in one line that keeps what its body said was wrong."""
    said = " ".join(str(error).split())
    if error.status == 403:
        hint = "if DEV_GUILD_ID is set, invite the bot there with the applications.commands scope"
    elif error.status == 404:
        hint = "check DEV_GUILD_ID: the bot must be in that server"
    elif error.status >= 500:
        hint = "Discord had a problem of its own; try again in a moment"
    else:
        hint = "nothing will work until this is fixed"
    return f"Discord refused a request at start-up: {said}; {hint}."


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1
