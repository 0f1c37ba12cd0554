"""The gateway websocket: hello, identify, resume, heartbeats, and dispatching events to the sessions."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable

from aiohttp import WSMsgType, web

from tests.fakediscord.common import (
    INTENT_GUILD_MEMBERS,
    JSON,
    OP_DISPATCH,
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_HELLO,
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_REQUEST_GUILD_MEMBERS,
    OP_RESUME,
    Session,
)


class Gateway:
    """The fake's gateway: one part of FakeDiscord, which holds the state they share."""

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.connection_count += 1
        session: Session | None = None
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

    async def _on_identify(self, ws: web.WebSocketResponse, request: web.Request, data: JSON) -> Session | None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        session = Session(session_id=secrets.token_hex(16), token=data["token"], intents=int(data.get("intents", 0)))
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

    async def _on_resume(self, ws: web.WebSocketResponse, request: web.Request, data: JSON) -> Session | None:
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

    async def _on_request_members(self, session: Session, data: JSON) -> None:
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

    async def _send_dispatch(self, session: Session, event: str, data: JSON) -> None:
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

    def _live_sessions(self) -> list[Session]:
        return [s for s in self._sessions.values() if s.live and s.ws is not None and not s.ws.closed]

    async def wait_for_live_session(self, timeout: float = 5.0) -> None:
        """Wait until some client is connected and identified (or resumed)."""
        async with asyncio.timeout(timeout):
            while not self._live_sessions():
                assert self._live_changed is not None
                await self._live_changed.wait()

    async def _broadcast(self, event: str, data: JSON | Callable[[Session], JSON | None], timeout: float) -> None:
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

    def _abort(self, session: Session) -> None:
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
