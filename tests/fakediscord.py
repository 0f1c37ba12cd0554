"""A local fake of Discord (gateway websocket + REST API v10) for testing discord.py bots offline.

The fake is one aiohttp server bound to ``127.0.0.1`` on a free port. It speaks just enough of the real
protocol for an unmodified discord.py 2.x client to log in, connect, become ready, sync application
commands, receive interactions and messages, and answer them. Every REST call is recorded so a test can
assert on exactly what the bot sent, and faults (rate limits, 5xx, slow answers) can be injected.

Point a client at it with discord.py's own settings::

    monkeypatch.setattr(discord.http.Route, "BASE", fake.http_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))

All payloads are shaped like real Discord API v10 JSON (snowflakes as strings, ISO timestamps, ...).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import json
import math
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

JSON = dict[str, Any]

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
DEFAULT_TOKEN = "MTM0MDAwMDAwMDAwMDAwMDAwMQ.FakeDs.fake-token-for-local-tests-only"
DISCORD_EPOCH_MS = 1_420_070_400_000
_FIXED_EPOCH = (1_735_689_600_000 - DISCORD_EPOCH_MS) << 22  # 2025-01-01, base for the fixed ids

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

_HTTP_REASONS = {
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
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
_MENU_NAME = re.compile(r"^(?=.*\S).{1,32}$")


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _fixed_id(n: int) -> int:
    return _FIXED_EPOCH + n


def error_body(status: int, message: str | None = None, code: int = 0) -> JSON:
    """Discord's error JSON, e.g. ``{"message": "404: Not Found", "code": 0}``."""
    return {"message": message or f"{status}: {_HTTP_REASONS.get(status, 'Error')}", "code": code}


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
class _InteractionState:
    handle: InteractionHandle
    type: int
    channel_id: int
    user: FakeUser
    component_message_id: int | None = None
    callback_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)


@dataclass
class _Session:
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
class _Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Callable[[RecordedRequest, re.Match[str]], web.Response]
    auth: bool = True


class FakeDiscord:
    """A fake Discord gateway + REST server on 127.0.0.1 with one guild, one text channel and a few users.

    Ready-made users: :attr:`bot` (the application's bot user), :attr:`owner` (application owner, and owner
    of the guild, so all permissions), :attr:`member` (no roles), :attr:`moderator` (Moderator role:
    MANAGE_MESSAGES) and :attr:`admin` (Admin role: ADMINISTRATOR). The application id equals the bot user
    id, as for every modern bot. Use ``async with FakeDiscord() as fake:`` or :meth:`start`/:meth:`stop`.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        heartbeat_interval: int = 41250,
        guild_name: str = "Fake Guild",
        channel_name: str = "general",
    ) -> None:
        """``token`` is the bot token the fake accepts (REST ``Bot <token>`` and gateway IDENTIFY)."""
        self.token = token
        self.heartbeat_interval = heartbeat_interval

        self.application_id = self.bot_id = _fixed_id(1)
        self.guild_id = self.everyone_role_id = _fixed_id(100)
        self.channel_id = _fixed_id(101)
        self.moderator_role_id = _fixed_id(201)
        self.admin_role_id = _fixed_id(202)
        self.bot_role_id = _fixed_id(203)

        self.bot = FakeUser(self.bot_id, "FakeBot", None, bot=True, role_ids=(self.bot_role_id,), discriminator="4821")
        self.owner = FakeUser(_fixed_id(10), "app_owner", "App Owner")
        self.member = FakeUser(_fixed_id(11), "plain_member", "Plain Member")
        self.moderator = FakeUser(_fixed_id(12), "mod_user", "Moderator User", role_ids=(self.moderator_role_id,))
        self.admin = FakeUser(_fixed_id(13), "admin_user", "Admin User", role_ids=(self.admin_role_id,))
        self.users: dict[int, FakeUser] = {
            u.id: u for u in (self.bot, self.owner, self.member, self.moderator, self.admin)
        }
        self.guild_name = guild_name
        self.roles: list[JSON] = [
            self._role_json(self.everyone_role_id, "@everyone", EVERYONE_PERMISSIONS, 0),
            self._role_json(self.moderator_role_id, "Moderator", MANAGE_MESSAGES, 1),
            self._role_json(self.admin_role_id, "Admin", ADMINISTRATOR, 2),
            self._role_json(self.bot_role_id, "FakeBot", BOT_ROLE_PERMISSIONS, 3, bot_id=self.bot_id),
        ]
        self.channels: dict[int, JSON] = {
            self.channel_id: {
                "id": str(self.channel_id),
                "type": 0,
                "guild_id": str(self.guild_id),
                "name": channel_name,
                "position": 0,
                "permission_overwrites": [],
                "parent_id": None,
                "topic": None,
                "nsfw": False,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "flags": 0,
            }
        }
        self.dm_channels: dict[int, JSON] = {}  # user id -> DM channel

        self.requests: list[RecordedRequest] = []
        self.gateway_received: list[JSON] = []
        self.gateway_sent: list[JSON] = []
        self.messages: dict[int, JSON] = {}  # every message the fake knows (sent by users or by the bot), by id
        self.attachment_data: dict[int, tuple[str | None, bytes]] = {}  # attachment id -> (content type, bytes)
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}
        self.faults: list[FaultRule] = []
        self.internal_errors: list[Exception] = []  # exceptions raised by the fake's own REST handlers
        self.identifies: list[JSON] = []  # the ``d`` of every IDENTIFY (token, intents, properties...)
        self.resumes: list[JSON] = []  # the ``d`` of every RESUME
        self.connection_count = 0

        self._interactions: dict[str, _InteractionState] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._sessions: dict[str, _Session] = {}
        self._request_waiters: list[tuple[Callable[[RecordedRequest], bool], asyncio.Future[RecordedRequest]]] = []
        self._gateway_waiters: list[tuple[Callable[[JSON], bool], asyncio.Future[JSON]]] = []
        self._live_changed: asyncio.Event | None = None
        self._ready_event: asyncio.Event | None = None
        self._last_id = 0
        self._runner: web.AppRunner | None = None
        self._socket: socket.socket | None = None
        self.port = 0
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs clients sent (a RESUME does not count)."""
        return len(self.identifies)

    @property
    def resume_count(self) -> int:
        """How many RESUMEs clients sent."""
        return len(self.resumes)

    @property
    def http_base(self) -> str:
        """The value for ``discord.http.Route.BASE``, e.g. ``http://127.0.0.1:PORT/api/v10``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The websocket URL for ``DiscordWebSocket.DEFAULT_GATEWAY``, e.g. ``ws://127.0.0.1:PORT/gateway``."""
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving the gateway and REST API."""
        self._ready_event = asyncio.Event()
        self._live_changed = asyncio.Event()
        app = web.Application()
        app.router.add_get(GATEWAY_PATH, self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest_handler)
        app.router.add_get(r"/attachments/{id:\d+}/{filename}", self._attachment_handler)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Cut every gateway connection, fail pending waiters and shut the server down."""
        for session in self._sessions.values():
            self._abort(session)
        for _, future in self._request_waiters:
            future.cancel()
        for _, gw_future in self._gateway_waiters:
            gw_future.cancel()
        self._request_waiters.clear()
        self._gateway_waiters.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    async def __aenter__(self) -> FakeDiscord:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop the server."""
        await self.stop()

    async def _attachment_handler(self, request: web.Request) -> web.Response:
        """Serve the bytes of an uploaded attachment at its ``url`` (what ``Attachment.read()`` fetches)."""
        found = self.attachment_data.get(int(request.match_info["id"]))
        if found is None:
            return web.Response(status=404, text="Not Found")
        content_type, data = found
        return web.Response(body=data, content_type=content_type or "application/octet-stream")

    # ------------------------------------------------------------------ JSON builders

    def _new_id(self) -> int:
        candidate = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        self._last_id = max(candidate, self._last_id + 1)
        return self._last_id

    @staticmethod
    def _role_json(role_id: int, name: str, permissions: int, position: int, *, bot_id: int | None = None) -> JSON:
        role: JSON = {
            "id": str(role_id),
            "name": name,
            "description": None,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": bot_id is not None,
            "mentionable": False,
            "flags": 0,
        }
        if bot_id is not None:
            role["tags"] = {"bot_id": str(bot_id)}
        return role

    def permissions_of(self, user: FakeUser) -> int:
        """The guild permissions of ``user`` (everyone + their roles; ADMINISTRATOR means all)."""
        if user.id == self.owner.id:
            return ALL_PERMISSIONS
        value = EVERYONE_PERMISSIONS
        by_id = {int(r["id"]): int(r["permissions"]) for r in self.roles}
        for role_id in user.role_ids:
            value |= by_id.get(role_id, 0)
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def member_json(self, user: FakeUser, *, with_user: bool = True, with_permissions: bool = False) -> JSON:
        """The guild member object of ``user`` (interactions add a computed ``permissions`` string)."""
        data: JSON = {
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in user.role_ids],
            "joined_at": "2025-01-01T00:00:00.000000+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = user.to_json()
        if with_permissions:
            data["permissions"] = str(self.permissions_of(user))
        return data

    def guild_json(self, *, all_members: bool = False) -> JSON:
        """The full GUILD_CREATE payload (members: only the bot unless ``all_members``)."""
        members = list(self.users.values()) if all_members else [self.bot]
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "features": [],
            "application_id": None,
            "system_channel_id": str(self.channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "roles": copy.deepcopy(self.roles),
            "emojis": [],
            "stickers": [],
            "joined_at": "2025-01-01T00:00:00.000000+00:00",
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(self.users),
            "members": [self.member_json(u) for u in members],
            "channels": [
                {k: v for k, v in c.items() if k != "guild_id"}
                for c in self.channels.values()
                if "guild_id" in c and c["type"] != CHANNEL_PUBLIC_THREAD
            ],
            "threads": [c for c in self.channels.values() if c["type"] == CHANNEL_PUBLIC_THREAD],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
            "incidents_data": None,
            "hub_type": None,
        }

    def application_json(self) -> JSON:
        """The application object returned by ``GET /oauth2/applications/@me``."""
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "A fake application for tests.",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": (1 << 15) | (1 << 19) | (1 << 23),
            "owner": self.owner.to_json(),
            "team": None,
            "bot": self.bot.to_json(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
            "integration_types_config": {"0": {}},
            "tags": [],
        }

    def bot_user_json(self) -> JSON:
        """``GET /users/@me`` / READY ``user``: the bot user with the private fields."""
        return {**self.bot.to_json(), "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"}

    def dm_channel(self, user: FakeUser) -> JSON:
        """The DM channel between the bot and ``user`` (created on first use, then stable)."""
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = {
                "id": str(self._new_id()),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [user.to_json()],
            }
            self.dm_channels[user.id] = channel
            self.channels[int(channel["id"])] = channel
        return channel

    async def add_thread(self, name: str, *, timeout: float = 5.0) -> int:
        """A public thread under the guild channel, announced with THREAD_CREATE; returns its id."""
        thread_id = self._new_id()
        thread: JSON = {
            "id": str(thread_id),
            "type": CHANNEL_PUBLIC_THREAD,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.channel_id),
            "owner_id": str(self.member.id),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": _now_iso(),
                "locked": False,
            },
        }
        self.channels[thread_id] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, timeout=timeout)
        return thread_id

    def add_member(self, username: str, *, role_ids: Sequence[int] = (), global_name: str | None = None) -> FakeUser:
        """Add another guild member (visible in later GUILD_CREATEs and usable as an interaction user)."""
        user = FakeUser(self._new_id(), username, global_name, role_ids=tuple(role_ids))
        self.users[user.id] = user
        return user

    def _channel_is_guild(self, channel_id: int) -> bool:
        channel = self.channels.get(channel_id)
        return channel is not None and "guild_id" in channel

    # ------------------------------------------------------------------ gateway

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.connection_count += 1
        session: _Session | None = None
        await ws.send_str(json.dumps({"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval}}))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame: JSON = json.loads(msg.data)
                self._record_gateway(frame)
                op = frame.get("op")
                data = frame.get("d")
                if op == OP_HEARTBEAT:
                    await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK}))
                elif op == OP_IDENTIFY and session is not None:
                    await ws.close(code=4005, message=b"Already authenticated.")
                elif op == OP_IDENTIFY:
                    session = await self._on_identify(ws, request, data or {})
                elif op == OP_RESUME:
                    session = await self._on_resume(ws, request, data or {})
                elif op == OP_REQUEST_GUILD_MEMBERS and session is not None:
                    await self._on_request_members(session, data or {})
        finally:
            if session is not None and session.ws is ws:
                session.live = False
                session.ws = None
                self._signal_live_changed()
        return ws

    async def _on_identify(self, ws: web.WebSocketResponse, request: web.Request, data: JSON) -> _Session | None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        session = _Session(session_id=secrets.token_hex(16), token=data["token"], intents=int(data.get("intents", 0)))
        if isinstance(data.get("shard"), list) and len(data["shard"]) == 2:
            session.shard = (int(data["shard"][0]), int(data["shard"][1]))
        self._sessions[session.session_id] = session
        session.ws, session.request = ws, request
        ready: JSON = {
            "v": 10,
            "user": self.bot_user_json(),
            "guilds": [{"id": str(self.guild_id), "unavailable": True}] if session.receives(self.guild_id) else [],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_json()["flags"]},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "user_settings": {},
            "auth": {},
            "_trace": ['["fake-discord-gateway",{"micros":0}]'],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self._send_dispatch(session, "READY", ready)
        if session.receives(self.guild_id):
            guild = self.guild_json(all_members=bool(session.intents & INTENT_GUILD_MEMBERS))
            await self._send_dispatch(session, "GUILD_CREATE", guild)
        session.live = True
        self._signal_live_changed()
        assert self._ready_event is not None
        self._ready_event.set()
        return session

    async def _on_resume(self, ws: web.WebSocketResponse, request: web.Request, data: JSON) -> _Session | None:
        self.resumes.append(data)
        session = self._sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != session.token:
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
            return None
        if session.ws is not None and session.ws is not ws:
            self._abort(session)
        session.ws, session.request = ws, request
        await self._send_dispatch(session, "RESUMED", {"_trace": ['["fake-discord-gateway",{"micros":0}]']})
        session.live = True
        self._signal_live_changed()
        return session

    async def _on_request_members(self, session: _Session, data: JSON) -> None:
        query = str(data.get("query") or "").lower()
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [
            self.member_json(u)
            for u in self.users.values()
            if (not wanted or u.id in wanted) and u.username.lower().startswith(query)
        ]
        limit = int(data.get("limit") or 0)
        chunk: JSON = {
            "guild_id": str(self.guild_id),
            "members": members[:limit] if limit else members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_dispatch(self, session: _Session, event: str, data: JSON) -> None:
        async with session.lock:
            if session.ws is None or session.ws.closed:
                raise ConnectionResetError(f"gateway session {session.session_id} has no open connection")
            session.seq += 1
            frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
            self.gateway_sent.append(frame)
            await session.ws.send_str(json.dumps(frame))

    def _signal_live_changed(self) -> None:
        if self._live_changed is not None:
            self._live_changed.set()
            self._live_changed = asyncio.Event()

    def _live_sessions(self) -> list[_Session]:
        return [s for s in self._sessions.values() if s.live and s.ws is not None and not s.ws.closed]

    async def wait_for_live_session(self, timeout: float = 5.0) -> None:
        """Wait until some client is connected and identified (or resumed)."""
        async with asyncio.timeout(timeout):
            while not self._live_sessions():
                assert self._live_changed is not None
                await self._live_changed.wait()

    async def _broadcast(self, event: str, data: JSON | Callable[[_Session], JSON | None], timeout: float) -> None:
        await self.wait_for_live_session(timeout)
        for session in self._live_sessions():
            payload = data(session) if callable(data) else data
            guild_id = int(payload["guild_id"]) if payload is not None and payload.get("guild_id") else None
            if payload is not None and session.receives(guild_id):
                await self._send_dispatch(session, event, payload)

    async def dispatch(self, event: str, data: JSON, *, timeout: float = 5.0) -> None:
        """Send a DISPATCH (op 0) ``event`` with ``data`` to every live client, waiting up to ``timeout`` for one."""
        await self._broadcast(event, data, timeout)

    async def wait_until_ready(self, timeout: float = 5.0) -> None:
        """Wait until a client sent IDENTIFY and the fake answered with READY + GUILD_CREATE."""
        assert self._ready_event is not None, "call start() first"
        await asyncio.wait_for(self._ready_event.wait(), timeout)

    def _abort(self, session: _Session) -> None:
        if session.request is not None and session.request.transport is not None:
            session.request.transport.abort()
        session.live = False
        session.ws = None
        self._signal_live_changed()

    async def drop_connection(self, *, code: int | None = None) -> None:
        """Cut every live gateway connection: abort the TCP socket (``code=None``) or send a close frame with ``code``.

        The session stays resumable, so a discord.py client reconnects and RESUMEs.
        """
        sessions = self._live_sessions()
        if not sessions:
            raise RuntimeError("no live gateway connection to drop")
        for session in sessions:
            ws = session.ws
            if code is None or ws is None:
                self._abort(session)
            else:
                session.live = False
                self._signal_live_changed()
                await ws.close(code=code, message=b"dropped by FakeDiscord")

    def _record_gateway(self, frame: JSON) -> None:
        self.gateway_received.append(frame)
        for predicate, future in list(self._gateway_waiters):
            if not future.done() and predicate(frame):
                future.set_result(frame)
        self._gateway_waiters = [(p, f) for p, f in self._gateway_waiters if not f.done()]

    async def wait_for_gateway(self, op: int, *, after: int = 0, timeout: float = 5.0) -> JSON:
        """The first frame with opcode ``op`` the client sent, among ``gateway_received[after:]`` or later."""
        for frame in self.gateway_received[after:]:
            if frame.get("op") == op:
                return frame
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._gateway_waiters.append((lambda f: f.get("op") == op, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(f"no gateway op {op} received within {timeout}s") from None

    # ------------------------------------------------------------------ interactions

    def _find_command(self, name: str, ctype: int, in_guild: bool) -> tuple[JSON | None, bool]:
        if in_guild:
            for cmd in self.guild_commands.get(self.guild_id, []):
                if cmd["name"] == name and cmd.get("type", 1) == ctype:
                    return cmd, True
        for cmd in self.global_commands:
            if cmd["name"] == name and cmd.get("type", 1) == ctype:
                return cmd, False
        return None, False

    @staticmethod
    def _infer_option_type(value: Any) -> int:
        if isinstance(value, FakeUser):
            return 6
        if isinstance(value, bool):
            return 5
        if isinstance(value, int):
            return 4
        if isinstance(value, float):
            return 10
        return 3

    def _option_json(self, name: str, value: Any, otype: int, resolved: JSON, in_guild: bool) -> JSON:
        """One typed option value; user/role/channel values also go into ``resolved``, as Discord does."""
        if otype == 5:
            return {"name": name, "type": otype, "value": bool(value)}
        if otype == 4:
            return {"name": name, "type": otype, "value": int(value)}
        if otype == 10:
            return {"name": name, "type": otype, "value": float(value)}
        if otype in (6, 7, 8, 9):
            snowflake = int(value.id) if isinstance(value, FakeUser) else int(value)
            user = self.users.get(snowflake)
            if user is not None and otype in (6, 9):
                resolved.setdefault("users", {})[str(user.id)] = user.to_json()
                if in_guild:
                    member = self.member_json(user, with_user=False, with_permissions=True)
                    resolved.setdefault("members", {})[str(user.id)] = member
            role = next((r for r in self.roles if int(r["id"]) == snowflake), None)
            if role is not None and otype in (8, 9):
                resolved.setdefault("roles", {})[role["id"]] = copy.deepcopy(role)
            channel = self.channels.get(snowflake)
            if channel is not None and otype == 7:
                partial = {k: channel[k] for k in ("id", "type", "name", "parent_id", "flags") if k in channel}
                partial["permissions"] = str(ALL_PERMISSIONS)
                resolved.setdefault("channels", {})[channel["id"]] = partial
            return {"name": name, "type": otype, "value": str(snowflake)}
        return {"name": name, "type": otype, "value": str(value)}

    @staticmethod
    def _option_definitions(command: JSON | None, subcommand: str | None) -> list[JSON] | None:
        """The synced option definitions of ``command`` (or of its ``subcommand`` path); None if not synced."""
        if command is None:
            return None
        definitions: list[JSON] = command.get("options") or []
        for part in (subcommand or "").split():
            found = next((o for o in definitions if o.get("name") == part and o.get("type") in (1, 2)), None)
            if found is None:
                raise ValueError(f"/{command['name']} has no subcommand (group) {part!r}")
            definitions = found.get("options") or []
        if any(o.get("type") in (1, 2) for o in definitions):
            names = [o["name"] for o in definitions]
            raise ValueError(f"/{command['name']} {subcommand or ''} needs a subcommand, one of {names}")
        return definitions

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None,
        subcommand: str | None,
        in_guild: bool,
        focused: str | None = None,
    ) -> JSON:
        """``data`` of an APPLICATION_COMMAND / AUTOCOMPLETE interaction; typed from the synced definition if any."""
        cmd, is_guild_cmd = self._find_command(name, 1, in_guild)
        definitions = self._option_definitions(cmd, subcommand)
        declared = {o["name"]: o for o in definitions or []}
        resolved: JSON = {}
        leaf: list[JSON]
        if options is None:
            leaf = []
        elif isinstance(options, Mapping):
            leaf = []
            for key, value in options.items():
                if definitions is not None and key not in declared:
                    raise ValueError(f"/{name} has no option {key!r}; it has {list(declared)}")
                otype = declared[key]["type"] if key in declared else self._infer_option_type(value)
                if key == focused:  # the text being typed, always sent as a string
                    leaf.append({"name": key, "type": otype, "value": str(value), "focused": True})
                else:
                    leaf.append(self._option_json(key, value, otype, resolved, in_guild))
        else:
            leaf = [dict(o) for o in options]
        if definitions is not None and focused is None and not isinstance(options, Sequence):
            given = {o["name"] for o in leaf}
            missing = [o["name"] for o in definitions if o.get("required") and o["name"] not in given]
            if missing:
                raise ValueError(f"/{name} requires {missing}; Discord would not let the user send it")
        top = leaf
        if subcommand:
            parts = subcommand.split()
            if len(parts) not in (1, 2):
                raise ValueError("subcommand must be 'sub' or 'group sub'")
            top = [{"name": parts[-1], "type": 1, "options": leaf}]
            if len(parts) == 2:
                top = [{"name": parts[0], "type": 2, "options": top}]
        data: JSON = {"id": cmd["id"] if cmd else str(self._new_id()), "name": name, "type": 1}
        if top:
            data["options"] = top
        if resolved:
            data["resolved"] = resolved
        if is_guild_cmd:
            data["guild_id"] = str(self.guild_id)
        return data

    async def _send_interaction(
        self,
        itype: int,
        data: JSON,
        user: FakeUser,
        channel_id: int,
        *,
        message: JSON | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        in_guild = self._channel_is_guild(channel_id)
        iid = self._new_id()
        token = base64.urlsafe_b64encode(f"interaction:{iid}:{secrets.token_hex(32)}".encode()).decode().rstrip("=")
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel": copy.deepcopy(self.channels[channel_id]),
            "channel_id": str(channel_id),
        }
        if in_guild:
            bot_perms = self.permissions_of(self.bot)
            payload.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=self.member_json(user, with_permissions=True),
                app_permissions=str(bot_perms),
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=user.to_json(),
                app_permissions=str(EVERYONE_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        handle = InteractionHandle(id=str(iid), token=token, payload=payload)
        self._interactions[token] = _InteractionState(
            handle=handle,
            type=itype,
            channel_id=channel_id,
            user=user,
            component_message_id=int(message["id"]) if message is not None else None,
        )
        await self.dispatch("INTERACTION_CREATE", payload, timeout=timeout)
        return handle

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        user: FakeUser | None = None,
        in_guild: bool = True,
        subcommand: str | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Invoke the CHAT_INPUT command ``/name`` (INTERACTION_CREATE type 2) as ``user`` (default :attr:`member`).

        ``options`` maps option names to values (str → type 3, int → 4, bool → 5, float → 10, FakeUser → 6 with
        ``resolved``), or is a list of raw option dicts. ``subcommand`` is ``"sub"`` or ``"group sub"``.
        In the guild the payload carries ``member`` (with computed ``permissions``); otherwise ``user`` and the
        DM channel. If the command was synced to the guild, ``data.guild_id`` is set as Discord does.
        """
        user = user or self.member
        channel_id = self.channel_id if in_guild else int(self.dm_channel(user)["id"])
        data = self._command_data(name, options, subcommand, in_guild)
        return await self._send_interaction(INTERACTION_APPLICATION_COMMAND, data, user, channel_id, timeout=timeout)

    async def message_command(
        self, name: str, target: JSON, *, user: FakeUser | None = None, timeout: float = 5.0
    ) -> InteractionHandle:
        """Use the message context-menu command ``name`` (Apps → name) on the message ``target``, in its channel."""
        user = user or self.member
        channel_id = int(target["channel_id"])
        in_guild = self._channel_is_guild(channel_id)
        cmd, is_guild_cmd = self._find_command(name, COMMAND_MESSAGE, in_guild)
        if cmd is None:
            raise ValueError(f"no message command {name!r} was synced; Discord would not show it")
        stored = copy.deepcopy(self.messages.get(int(target["id"]), target))
        data: JSON = {
            "id": cmd["id"],
            "name": name,
            "type": COMMAND_MESSAGE,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: stored}},
        }
        if is_guild_cmd:
            data["guild_id"] = str(self.guild_id)
        return await self._send_interaction(INTERACTION_APPLICATION_COMMAND, data, user, channel_id, timeout=timeout)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON],
        *,
        focused: str | None = None,
        user: FakeUser | None = None,
        in_guild: bool = True,
        subcommand: str | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Ask for autocomplete choices (INTERACTION_CREATE type 4) while ``user`` types into ``/name``.

        With a mapping, ``focused`` names the option being typed (default: the last one); with raw option
        dicts, mark one ``"focused": True`` yourself.
        """
        user = user or self.member
        if isinstance(options, Mapping) and focused is None:
            focused = list(options)[-1]
        channel_id = self.channel_id if in_guild else int(self.dm_channel(user)["id"])
        data = self._command_data(name, options, subcommand, in_guild, focused=focused)
        return await self._send_interaction(INTERACTION_AUTOCOMPLETE, data, user, channel_id, timeout=timeout)

    @staticmethod
    def _iter_components(components: Sequence[JSON]) -> Iterator[JSON]:
        for comp in components:
            yield comp
            yield from FakeDiscord._iter_components(comp.get("components") or [])
            if isinstance(comp.get("accessory"), dict):
                yield comp["accessory"]

    async def _component(
        self, message: JSON, custom_id: str, component_type: int, user: FakeUser | None, extra: JSON, timeout: float
    ) -> InteractionHandle:
        stored = self.messages.get(int(message["id"]), message)
        found = [c for c in self._iter_components(stored.get("components") or []) if c.get("custom_id") == custom_id]
        if not found:
            available = [
                c["custom_id"] for c in self._iter_components(stored.get("components") or []) if "custom_id" in c
            ]
            raise ValueError(f"no component {custom_id!r} on message {message['id']}; it has {available}")
        if found[0].get("type") != component_type:
            raise ValueError(f"component {custom_id!r} has type {found[0].get('type')}, not {component_type}")
        if found[0].get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; Discord would not let anyone use it")
        data: JSON = {"custom_id": custom_id, "component_type": component_type, **extra}
        if "id" in found[0]:
            data["id"] = found[0]["id"]
        channel_id = int(stored["channel_id"])
        user = user or self.member
        return await self._send_interaction(
            INTERACTION_MESSAGE_COMPONENT, data, user, channel_id, message=copy.deepcopy(stored), timeout=timeout
        )

    async def click(
        self, message: JSON, custom_id: str, *, user: FakeUser | None = None, timeout: float = 5.0
    ) -> InteractionHandle:
        """Click the button ``custom_id`` (component_type 2) on a message the bot sent (a message object with ``id``).

        Raises ``ValueError`` if the message has no such enabled button, as Discord would never send that.
        """
        return await self._component(message, custom_id, 2, user, {}, timeout)

    async def select(
        self,
        message: JSON,
        custom_id: str,
        values: Sequence[str],
        *,
        user: FakeUser | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Pick ``values`` in the string select ``custom_id`` (component_type 3) on a message the bot sent."""
        return await self._component(message, custom_id, 3, user, {"values": list(values)}, timeout)

    # ------------------------------------------------------------------ messages

    def _gate_message(self, session: _Session, msg: JSON, in_guild: bool) -> JSON | None:
        """What ``session`` would really receive for ``msg`` given its intents (None: not delivered)."""
        needed = INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES
        if not session.intents & needed:
            return None
        privileged = session.intents & INTENT_MESSAGE_CONTENT
        mentioned = any(m["id"] == str(self.bot_id) for m in msg["mentions"])
        if privileged or not in_guild or mentioned or msg["author"]["id"] == str(self.bot_id):
            return msg
        return {**msg, "content": "", "embeds": [], "attachments": [], "components": []}

    async def message(
        self,
        content: str,
        *,
        author: FakeUser | None = None,
        mentions: Sequence[FakeUser] = (),
        in_guild: bool = True,
        channel_id: int | None = None,
        reply_to: JSON | None = None,
        timeout: float = 5.0,
        **extra: Any,
    ) -> JSON:
        """A user posts ``content`` (MESSAGE_CREATE) in the guild channel, or in their DM with the bot.

        ``channel_id`` picks another guild channel (a thread); ``reply_to`` makes it a Reply (type 19) to that
        message, with ``message_reference`` and ``referenced_message`` as Discord sends them. As on Discord, a
        Reply pings its author only when ``mentions`` says so.

        ``author`` defaults to :attr:`member`; the ``mentions`` array holds ``mentions`` plus every known user
        written as ``<@id>`` in the content; ``extra`` keys are merged into the payload. As on real Discord, a client needs
        the GUILD_MESSAGES / DIRECT_MESSAGES intent to get it, and without MESSAGE_CONTENT a guild message
        that does not mention the bot arrives with empty content. Returns the full message.
        """
        author = author or self.member
        if channel_id is None:
            channel_id = self.channel_id if in_guild else int(self.dm_channel(author)["id"])
        in_content = [self.users[int(uid)] for uid in re.findall(r"<@!?(\d+)>", content) if int(uid) in self.users]
        mention_json = []
        for user in dict.fromkeys([*mentions, *in_content]):
            entry = user.to_json()
            if in_guild:
                entry["member"] = self.member_json(user, with_user=False)
            mention_json.append(entry)
        msg: JSON = {
            "id": str(self._new_id()),
            "channel_id": str(channel_id),
            "author": author.to_json(),
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mention_json,
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
            "nonce": str(self._new_id()),
            **extra,
        }
        if reply_to is not None:
            msg["type"] = 19
            msg["message_reference"] = {"type": 0, "message_id": reply_to["id"], "channel_id": str(channel_id)}
            msg["referenced_message"] = copy.deepcopy(self.messages.get(int(reply_to["id"]), reply_to))
            if in_guild:
                msg["message_reference"]["guild_id"] = str(self.guild_id)
        if in_guild:
            msg["guild_id"] = str(self.guild_id)
            msg["member"] = self.member_json(author, with_user=False)
        self.messages[int(msg["id"])] = msg
        self.channels[channel_id]["last_message_id"] = msg["id"]
        await self._broadcast("MESSAGE_CREATE", lambda s: self._gate_message(s, msg, in_guild), timeout)
        return msg

    def _resolve_mentions(self, content: str) -> tuple[list[JSON], list[str]]:
        users = [self.users[int(uid)].to_json() for uid in re.findall(r"<@!?(\d+)>", content) if int(uid) in self.users]
        role_ids = {r["id"] for r in self.roles}
        roles = [rid for rid in re.findall(r"<@&(\d+)>", content) if rid in role_ids]
        return users, roles

    def _attachments(self, files: Sequence[RecordedFile], body: JSON) -> list[JSON]:
        described = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        out = []
        for index, f in enumerate(f for f in files if f.filename is not None):
            meta = described.get(str(index), {})
            att_id = self._new_id()
            filename = meta.get("filename") or f.filename or "file"
            url = f"http://127.0.0.1:{self.port}/attachments/{att_id}/{filename}"
            self.attachment_data[att_id] = (f.content_type, f.data)
            out.append(
                {
                    "id": str(att_id),
                    "filename": filename,
                    "size": len(f.data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": f.content_type,
                    **({"description": meta["description"]} if meta.get("description") else {}),
                }
            )
        return out

    def _apply_content(self, msg: JSON, body: JSON, files: Sequence[RecordedFile]) -> None:
        if "content" in body:
            msg["content"] = body["content"] or ""
            msg["mentions"], msg["mention_roles"] = self._resolve_mentions(msg["content"])
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = copy.deepcopy(body["components"] or [])
            next_id = 1
            for comp in self._iter_components(msg["components"]):
                if "id" not in comp:
                    comp["id"] = next_id
                next_id = max(next_id, int(comp["id"])) + 1
        if "flags" in body and body["flags"] is not None:
            msg["flags"] = (msg.get("flags", 0) & MESSAGE_FLAG_EPHEMERAL) | int(body["flags"])
        if "attachments" in body:
            keep = {str(a.get("id")) for a in body["attachments"] or [] if isinstance(a, dict)}
            msg["attachments"] = [a for a in msg.get("attachments", []) if a["id"] in keep]
        if files:
            msg["attachments"] = [*msg.get("attachments", []), *self._attachments(files, body)]
        if "poll" in body:
            msg["poll"] = body["poll"]

    def _new_bot_message(
        self,
        channel_id: int,
        body: JSON,
        files: Sequence[RecordedFile],
        *,
        interaction: _InteractionState | None = None,
        webhook: bool = False,
        msg_type: int = 0,
    ) -> JSON:
        msg: JSON = {
            "id": str(self._new_id()),
            "channel_id": str(channel_id),
            "type": msg_type,
            "content": "",
            "author": self.bot.to_json(),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "attachments": [],
            "embeds": [],
            "components": [],
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "flags": 0,
            "tts": bool(body.get("tts", False)),
            "pinned": False,
        }
        self._apply_content(msg, body, files)
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        ref = body.get("message_reference")
        if isinstance(ref, dict) and ref.get("message_id"):
            msg["type"] = 19
            msg["message_reference"] = {
                "type": 0,
                "message_id": str(ref["message_id"]),
                "channel_id": str(ref.get("channel_id") or channel_id),
                **({"guild_id": str(self.guild_id)} if self._channel_is_guild(channel_id) else {}),
            }
            msg["referenced_message"] = self.messages.get(int(ref["message_id"]))
        if webhook:
            msg["webhook_id"] = str(self.application_id)
            msg["application_id"] = str(self.application_id)
        if interaction is not None:
            metadata: JSON = {
                "id": interaction.handle.id,
                "type": interaction.type,
                "user": interaction.user.to_json(),
                "authorizing_integration_owners": interaction.handle.payload["authorizing_integration_owners"],
            }
            if interaction.component_message_id is not None:
                metadata["interacted_message_id"] = str(interaction.component_message_id)
            msg["interaction_metadata"] = metadata
            if interaction.type == INTERACTION_APPLICATION_COMMAND:
                name = interaction.handle.payload["data"]["name"]
                msg["interaction"] = {
                    "id": interaction.handle.id,
                    "type": interaction.type,
                    "name": name,
                    "user": interaction.user.to_json(),
                }
        self.messages[int(msg["id"])] = msg
        if channel_id in self.channels and not msg["flags"] & MESSAGE_FLAG_EPHEMERAL:
            self.channels[channel_id]["last_message_id"] = msg["id"]
        return msg

    def _edit_message(self, msg: JSON, body: JSON, files: Sequence[RecordedFile]) -> JSON:
        if msg.get("flags", 0) & MESSAGE_FLAG_LOADING:
            msg["flags"] &= ~MESSAGE_FLAG_LOADING
        else:
            msg["edited_timestamp"] = _now_iso()
        self._apply_content(msg, body, files)
        return msg

    def original_message(self, token: str) -> JSON | None:
        """The message of an interaction's original response (what ``@original`` returns), if any."""
        state = self._interactions.get(token)
        if state is None or state.original_message_id is None:
            return None
        return self.messages.get(state.original_message_id)

    def channel_messages(self, channel_id: int | None = None) -> list[JSON]:
        """All messages the fake knows in a channel (default: the guild text channel), oldest first."""
        cid = str(channel_id or self.channel_id)
        return [m for m in self.messages.values() if m["channel_id"] == cid]

    # ------------------------------------------------------------------ request recording

    async def _record(self, request: web.Request) -> RecordedRequest:
        body: Any = None
        text: str | None = None
        files: list[RecordedFile] = []
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                raw = await part.read()
                if part.name == "payload_json":
                    body = json.loads(raw)
                else:
                    ctype = part.headers.get("Content-Type")
                    files.append(RecordedFile(part.name or "", part.filename, ctype, bytes(raw)))
        elif request.can_read_body:
            text = await request.text()
            if text:
                with contextlib.suppress(ValueError):
                    body = json.loads(text)
        path = request.path[len(API_PREFIX) :] or "/"
        rec = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            authorization=request.headers.get("Authorization"),
            headers=dict(request.headers),
            files=files,
            text=text,
        )
        self.requests.append(rec)
        return rec

    def _finish(self, rec: RecordedRequest, response: web.Response) -> web.Response:
        rec.status = response.status
        if response.body is not None and response.content_type == "application/json":
            assert isinstance(response.body, bytes)
            rec.response = json.loads(response.body)
        for predicate, future in list(self._request_waiters):
            if future.done():
                continue
            try:
                if predicate(rec):
                    future.set_result(rec)
            except Exception as exc:  # a broken predicate fails its waiter, not the fake
                future.set_exception(exc)
        self._request_waiters = [(p, f) for p, f in self._request_waiters if not f.done()]
        return response

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """The first answered request (already recorded or still to come) matching all the given filters.

        ``predicate`` is called with a :class:`RecordedRequest`; ``method`` compares exactly; ``path`` is a
        regex searched in the path relative to ``/api/v10``. Raises ``TimeoutError`` listing what arrived.
        """
        pattern = re.compile(path) if path is not None else None

        def matches(rec: RecordedRequest) -> bool:
            if method is not None and rec.method != method.upper():
                return False
            if pattern is not None and not pattern.search(rec.path):
                return False
            return predicate is None or predicate(rec)

        for rec in self.requests:
            if rec.done and matches(rec):
                return rec
        future: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()
        self._request_waiters.append((matches, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            seen = [f"{r.method} {r.path} -> {r.status}" for r in self.requests]
            raise TimeoutError(f"no matching request within {timeout}s; received: {seen}") from None

    def interaction_responses(self, token: str) -> list[RecordedRequest]:
        """The callback and webhook (follow-up, ``@original`` edits...) requests for one interaction, in order."""
        quoted = re.escape(token)
        pattern = re.compile(rf"^/(interactions/\d+/{quoted}/callback|webhooks/\d+/{quoted}(/.*)?)$")
        return [r for r in self.requests if pattern.match(r.path)]

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """Recorded requests with this HTTP ``method`` whose path matches the regex ``path``."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method.upper() and pattern.search(r.path)]

    # ------------------------------------------------------------------ fault injection

    def inject_fault(
        self,
        path: str,
        *,
        status: int | None = None,
        times: int = 1,
        method: str | None = None,
        delay: float = 0.0,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> FaultRule:
        """Make the next ``times`` requests whose path matches the regex ``path`` wait ``delay`` s, then answer
        ``status`` with ``body`` (default: Discord's error JSON) — or, with ``status=None``, answer normally.
        """
        rule = FaultRule(re.compile(path), times, method, status, delay, body, dict(headers or {}))
        self.faults.append(rule)
        return rule

    def rate_limit(
        self,
        path: str,
        *,
        retry_after: float = 0.2,
        times: int = 1,
        is_global: bool = False,
        method: str | None = None,
    ) -> FaultRule:
        """Answer the next ``times`` matching requests with a 429 exactly as Discord does (body and headers)."""
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": "fakebucket" + secrets.token_hex(8),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        return self.inject_fault(path, status=429, times=times, method=method, body=body, headers=headers)

    def hang(self, path: str, delay: float, *, times: int = 1, method: str | None = None) -> FaultRule:
        """Delay the answer to the next ``times`` matching requests by ``delay`` seconds."""
        return self.inject_fault(path, times=times, method=method, delay=delay)

    def _take_fault(self, method: str, path: str) -> FaultRule | None:
        for rule in self.faults:
            if rule.matches(method, path):
                rule.remaining -= 1
                return rule
        return None

    # ------------------------------------------------------------------ REST

    @staticmethod
    def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
        # Exactly "application/json" (no charset), as Discord sends: discord.py only decodes JSON on that value.
        # Discord sits behind Google's load balancer; discord.py treats a 429 without "Via" as a Cloudflare ban.
        all_headers = {"Content-Type": "application/json", "Via": "1.1 google", **(headers or {})}
        return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)

    @classmethod
    def _error(cls, status: int, message: str | None = None, code: int = 0) -> web.Response:
        return cls._json(error_body(status, message, code), status)

    @staticmethod
    def _no_content() -> web.Response:
        return web.Response(status=204, headers={"Via": "1.1 google"})

    async def _rest_handler(self, request: web.Request) -> web.Response:
        try:
            rec = await self._record(request)
            fault = self._take_fault(rec.method, rec.path)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    body = fault.body if fault.body is not None else error_body(fault.status)
                    return self._finish(rec, self._json(body, fault.status, fault.headers))
            return self._finish(rec, self._route(rec))
        except Exception as exc:
            # A bug in the fake itself: keep it for the test to see, and answer 400 rather than 500, which
            # discord.py would silently retry five times over ~25 s.
            self.internal_errors.append(exc)
            return self._error(400, f"FakeDiscord internal error: {exc!r}")

    def _route(self, rec: RecordedRequest) -> web.Response:
        path_known = False
        for route in self._routes:
            match = route.pattern.fullmatch(rec.path)
            if match is None:
                continue
            path_known = True
            if rec.method not in route.methods:
                continue
            if route.auth and rec.authorization != f"Bot {self.token}":
                return self._error(401)
            return route.handler(rec, match)
        return self._error(405 if path_known else 404)

    def _build_routes(self) -> list[_Route]:
        def r(methods: str, pattern: str, handler: Callable[..., web.Response], *, auth: bool = True) -> _Route:
            return _Route(frozenset(methods.split()), re.compile(pattern), handler, auth)

        app = r"(?P<app>\d+)"
        token = r"(?P<token>[^/]+)"
        return [
            r("GET", r"/users/@me", lambda rec, m: self._json(self.bot_user_json())),
            r("GET", r"/(oauth2/)?applications/@me", lambda rec, m: self._json(self.application_json())),
            r("GET", r"/gateway", lambda rec, m: self._json({"url": self.gateway_url}), auth=False),
            r("GET", r"/gateway/bot", self._gateway_bot),
            r("GET PUT", rf"/applications/{app}/commands", self._commands),
            r("GET PUT", rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", self._commands),
            r("POST", rf"/interactions/(?P<iid>\d+)/{token}/callback", self._callback, auth=False),
            r("POST", rf"/webhooks/{app}/{token}", self._followup, auth=False),
            r(
                "GET PATCH DELETE",
                rf"/webhooks/{app}/{token}/messages/(?P<mid>@original|\d+)",
                self._webhook_message,
                auth=False,
            ),
            r("POST", r"/users/@me/channels", self._create_dm),
            r("GET", r"/channels/(?P<cid>\d+)", self._get_channel),
            r("POST", r"/channels/(?P<cid>\d+)/messages", self._create_message),
            r("GET PATCH DELETE", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._channel_message),
            r("POST", r"/channels/(?P<cid>\d+)/typing", self._typing),
            r("PUT DELETE", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/reactions/[^/]+/@me", self._reaction),
        ]

    def _gateway_bot(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    def _validate_command(self, cmd: Any, index: int) -> JSON | None:
        """Discord's "Invalid Form Body" checks on names/descriptions, as a nested error dict (or None)."""
        if not isinstance(cmd, dict):
            return {"_errors": [{"code": "MODEL_TYPE_CONVERT", "message": "Only dictionaries may be used."}]}
        errors: JSON = {}
        ctype = cmd.get("type", 1)
        name = cmd.get("name")
        # Context-menu names (user and message commands) may hold spaces and capitals, as in "Ask the essay bot".
        pattern = _COMMAND_NAME if ctype == 1 else _MENU_NAME
        if not isinstance(name, str) or not pattern.match(name) or (ctype == 1 and name != name.lower()):
            errors["name"] = {
                "_errors": [{"code": "APPLICATION_COMMAND_INVALID_NAME", "message": "Command name is invalid"}]
            }
        description = cmd.get("description", "")
        if ctype == 1 and not (isinstance(description, str) and 1 <= len(description) <= 100):
            errors["description"] = {
                "_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}]
            }
        option_errors = {}
        for i, opt in enumerate(cmd.get("options") or []):
            sub = self._validate_command({"type": 1, **opt}, i)
            if sub:
                option_errors[str(i)] = sub
        if option_errors:
            errors["options"] = option_errors
        return errors or None

    def _commands(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        if int(m["app"]) != self.application_id:
            return self._error(403, "Missing Access", 50001)
        guild_id = int(m["guild"]) if m.groupdict().get("guild") else None
        if guild_id is not None and guild_id != self.guild_id:
            return self._error(403, "Missing Access", 50001)
        if rec.method == "GET":
            stored = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])
            return self._json(stored)
        body = rec.json if isinstance(rec.json, list) else None
        if body is None:
            return self._error(400, "Invalid Form Body", 50035)
        errors = {str(i): e for i, cmd in enumerate(body) if (e := self._validate_command(cmd, i))}
        if len(body) > 100:
            errors["_errors"] = [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}]
        if errors:
            return self._json({"message": "Invalid Form Body", "code": 50035, "errors": errors}, 400)
        stored = []
        for cmd in body:
            ctype = int(cmd.get("type", 1))
            key = (guild_id, cmd["name"], ctype)
            cmd_id = self._command_ids.setdefault(key, self._new_id())
            out: JSON = {
                "id": str(cmd_id),
                "application_id": str(self.application_id),
                "version": str(self._new_id()),
                "type": ctype,
                "name": cmd["name"],
                "name_localizations": cmd.get("name_localizations"),
                "description": cmd.get("description", ""),
                "description_localizations": cmd.get("description_localizations"),
                "default_member_permissions": cmd.get("default_member_permissions"),
                "nsfw": bool(cmd.get("nsfw", False)),
                "contexts": cmd.get("contexts"),
                "integration_types": cmd.get("integration_types") or [0],
            }
            if cmd.get("options"):
                out["options"] = copy.deepcopy(cmd["options"])
            if guild_id is not None:
                out["guild_id"] = str(guild_id)
            else:
                out["dm_permission"] = cmd.get("dm_permission", True)
            stored.append(out)
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        return self._json(stored)

    def _callback(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        state = self._interactions.get(m["token"])
        if state is None or state.handle.id != m["iid"]:
            return self._error(404, "Unknown interaction", 10062)
        if state.callback_type is not None:
            return self._error(400, "Interaction has already been acknowledged.", 40060)
        body = rec.json if isinstance(rec.json, dict) else {}
        ctype = body.get("type")
        if not isinstance(ctype, int):
            return self._json({"message": "Invalid Form Body", "code": 50035, "errors": {"type": {}}}, 400)
        data = body.get("data") or {}
        message: JSON | None = None
        if ctype in (CALLBACK_CHANNEL_MESSAGE, CALLBACK_DEFERRED_CHANNEL_MESSAGE):
            msg_type = 20 if state.type == INTERACTION_APPLICATION_COMMAND else 0
            if ctype == CALLBACK_DEFERRED_CHANNEL_MESSAGE:
                flags = int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL
                data = {"flags": flags | MESSAGE_FLAG_LOADING}
            message = self._new_bot_message(
                state.channel_id, data, rec.files, interaction=state, webhook=True, msg_type=msg_type
            )
        elif ctype in (CALLBACK_DEFERRED_UPDATE_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            if state.component_message_id is None or state.component_message_id not in self.messages:
                return self._error(400, "Interaction has no message to update", 50035)
            message = self.messages[state.component_message_id]
            if ctype == CALLBACK_UPDATE_MESSAGE:
                self._edit_message(message, data, rec.files)
        state.callback_type = ctype
        if message is not None:
            state.original_message_id = int(message["id"])
        if rec.query.get("with_response", "").lower() not in ("1", "true"):
            return self._no_content()
        info: JSON = {
            "id": state.handle.id,
            "type": state.type,
            "response_message_loading": ctype == CALLBACK_DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(message and message.get("flags", 0) & MESSAGE_FLAG_EPHEMERAL),
        }
        response: JSON = {"interaction": info}
        if message is not None:
            info["response_message_id"] = message["id"]
            response["resource"] = {"type": ctype, "message": copy.deepcopy(message)}
        return self._json(response)

    def _webhook_state(self, m: re.Match[str]) -> _InteractionState | None:
        state = self._interactions.get(m["token"])
        if state is None or int(m["app"]) != self.application_id or state.callback_type is None:
            return None
        return state

    def _followup(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        state = self._webhook_state(m)
        if state is None:
            return self._error(404, "Unknown Webhook", 10015)
        body = rec.json if isinstance(rec.json, dict) else {}
        message = self._new_bot_message(state.channel_id, body, rec.files, interaction=state, webhook=True)
        state.followup_ids.append(int(message["id"]))
        if rec.query.get("wait", "").lower() in ("1", "true"):
            return self._json(message)
        return self._no_content()

    def _webhook_message(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        state = self._webhook_state(m)
        if state is None:
            return self._error(404, "Unknown Webhook", 10015)
        if m["mid"] == "@original":
            mid = state.original_message_id
        else:
            mid = int(m["mid"])
            if mid not in state.followup_ids and mid != state.original_message_id:
                mid = None
        if mid is None or mid not in self.messages:
            return self._error(404, "Unknown Message", 10008)
        msg = self.messages[mid]
        if rec.method == "DELETE":
            del self.messages[mid]
            return self._no_content()
        if rec.method == "PATCH":
            self._edit_message(msg, rec.json if isinstance(rec.json, dict) else {}, rec.files)
        return self._json(msg)

    def _create_dm(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        body = rec.json if isinstance(rec.json, dict) else {}
        user = self.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            return self._error(400, "Invalid Recipient(s)", 50033)
        return self._json(self.dm_channel(user))

    def _get_channel(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        channel = self.channels.get(int(m["cid"]))
        return self._json(channel) if channel is not None else self._error(404, "Unknown Channel", 10003)

    def _create_message(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        channel_id = int(m["cid"])
        if channel_id not in self.channels:
            return self._error(404, "Unknown Channel", 10003)
        body = rec.json if isinstance(rec.json, dict) else {}
        if not (body.get("content") or body.get("embeds") or body.get("components") or rec.files or body.get("poll")):
            return self._error(400, "Cannot send an empty message", 50006)
        return self._json(self._new_bot_message(channel_id, body, rec.files))

    def _channel_message(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        channel_id, mid = int(m["cid"]), int(m["mid"])
        if channel_id not in self.channels:
            return self._error(404, "Unknown Channel", 10003)
        msg = self.messages.get(mid)
        if msg is None or msg["channel_id"] != str(channel_id) or msg.get("flags", 0) & MESSAGE_FLAG_EPHEMERAL:
            return self._error(404, "Unknown Message", 10008)
        if rec.method == "GET":
            return self._json(msg)
        if rec.method == "DELETE":
            del self.messages[mid]
            return self._no_content()
        if msg["author"]["id"] != str(self.bot_id):
            return self._error(403, "Cannot edit a message authored by another user", 50005)
        return self._json(self._edit_message(msg, rec.json if isinstance(rec.json, dict) else {}, rec.files))

    def _typing(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        if int(m["cid"]) not in self.channels:
            return self._error(404, "Unknown Channel", 10003)
        return self._no_content()

    def _reaction(self, rec: RecordedRequest, m: re.Match[str]) -> web.Response:
        if int(m["mid"]) not in self.messages:
            return self._error(404, "Unknown Message", 10008)
        return self._no_content()
