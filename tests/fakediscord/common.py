"""The fake Discord's constants, ids, permissions and recorded data, shared by its parts."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
DEFAULT_TOKEN = "MTM0MDAwMDAwMDAwMDAwMDAwMQ.FakeDs.fake-token-for-local-tests-only"
DISCORD_EPOCH_MS = 1_420_070_400_000
FIXED_EPOCH = (1_735_689_600_000 - DISCORD_EPOCH_MS) << 22  # 2025-01-01, base for the fixed ids

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
ALL_PERMISSIONS = (1 << 51) - 1
EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
)
BOT_ROLE_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

# Gateway opcodes.
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_RESUME = 6
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Interaction types and callback types.
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
COMMAND_MESSAGE = 3
CHANNEL_PUBLIC_THREAD = 11
CALLBACK_CHANNEL_MESSAGE = 4
CALLBACK_DEFERRED_CHANNEL_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE_MESSAGE = 6
CALLBACK_UPDATE_MESSAGE = 7

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7

HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
MENU_NAME = re.compile(r"^(?=.*\S).{1,32}$")


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def fixed_id(n: int) -> int:
    return FIXED_EPOCH + n


def error_body(status: int, message: str | None = None, code: int = 0) -> JSON:
    """Discord's error JSON, e.g. ``{"message": "404: Not Found", "code": 0}``."""
    return {"message": message or f"{status}: {HTTP_REASONS.get(status, 'Error')}", "code": code}


@dataclass(frozen=True)
class FakeUser:
    """A Discord user known to the fake; ``role_ids`` are the guild roles their member holds."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    role_ids: tuple[int, ...] = ()
    discriminator: str = "0"

    def to_json(self) -> JSON:
        """The user object as Discord sends it."""
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": self.discriminator,
            "global_name": self.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data

    @property
    def mention(self) -> str:
        """``<@id>``, to put in message content."""
        return f"<@{self.id}>"


@dataclass
class RecordedFile:
    """One file part of a ``multipart/form-data`` request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request the fake received, and what it answered.

    ``path`` is relative to ``/api/v10`` (e.g. ``/channels/1/messages``); ``json`` is the parsed JSON body,
    or the ``payload_json`` part of a multipart body; ``status``/``response`` are filled once answered.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    authorization: str | None
    headers: dict[str, str]
    files: list[RecordedFile] = field(default_factory=list)
    text: str | None = None
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> bool:
        """Whether the fake has answered this request."""
        return self.status != 0


@dataclass
class FaultRule:
    """Make the next ``remaining`` requests matching ``pattern`` (and ``method``) misbehave."""

    pattern: re.Pattern[str]
    remaining: int
    method: str | None = None
    status: int | None = None
    delay: float = 0.0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request."""
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.pattern.search(path) is not None


@dataclass(frozen=True)
class InteractionHandle:
    """What :meth:`FakeDiscord.slash` & co. return: the interaction's id, token and full payload."""

    id: str
    token: str
    payload: JSON


@dataclass
class InteractionState:
    handle: InteractionHandle
    type: int
    channel_id: int
    user: FakeUser
    component_message_id: int | None = None
    callback_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)


@dataclass
class Session:
    session_id: str
    token: str
    intents: int
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    request: web.Request | None = None
    live: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    shard: tuple[int, int] | None = None  # (shard id, shard count) from IDENTIFY

    def receives(self, guild_id: int | None) -> bool:
        """Whether Discord routes this guild's events (None: a DM's) to this session: shard 0 has the DMs."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == ((guild_id >> 22) % count if guild_id is not None else 0)


@dataclass
class Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Callable[[RecordedRequest, re.Match[str]], web.Response]
    auth: bool = True
