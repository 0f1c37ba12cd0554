"""The fake Discord server: one aiohttp app bound to 127.0.0.1, built from its parts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from aiohttp import web

from tests.fakediscord.common import (
    ADMINISTRATOR,
    API_PREFIX,
    BOT_ROLE_PERMISSIONS,
    DEFAULT_TOKEN,
    EVERYONE_PERMISSIONS,
    GATEWAY_PATH,
    JSON,
    MANAGE_MESSAGES,
    FakeUser,
    FaultRule,
    InteractionState,
    RecordedRequest,
    Session,
    fixed_id,
)
from tests.fakediscord.faults import Faults
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.interactions import Interactions
from tests.fakediscord.messages import Messages
from tests.fakediscord.payloads import Payloads
from tests.fakediscord.recording import Recording
from tests.fakediscord.rest import Rest


class FakeDiscord(Payloads, Gateway, Interactions, Messages, Recording, Faults, Rest):
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

        self.application_id = self.bot_id = fixed_id(1)
        self.guild_id = self.everyone_role_id = fixed_id(100)
        self.channel_id = fixed_id(101)
        self.moderator_role_id = fixed_id(201)
        self.admin_role_id = fixed_id(202)
        self.bot_role_id = fixed_id(203)

        self.bot = FakeUser(self.bot_id, "FakeBot", None, bot=True, role_ids=(self.bot_role_id,), discriminator="4821")
        self.owner = FakeUser(fixed_id(10), "app_owner", "App Owner")
        self.member = FakeUser(fixed_id(11), "plain_member", "Plain Member")
        self.moderator = FakeUser(fixed_id(12), "mod_user", "Moderator User", role_ids=(self.moderator_role_id,))
        self.admin = FakeUser(fixed_id(13), "admin_user", "Admin User", role_ids=(self.admin_role_id,))
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

        self._interactions: dict[str, InteractionState] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._sessions: dict[str, Session] = {}
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
