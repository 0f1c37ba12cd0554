"""The REST API v10 routes the bot calls, dispatched to their handlers."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from tests.fakediscord.common import (
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_UPDATE_MESSAGE,
    CALLBACK_UPDATE_MESSAGE,
    COMMAND_NAME,
    INTERACTION_APPLICATION_COMMAND,
    JSON,
    MENU_NAME,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    InteractionState,
    RecordedRequest,
    Route,
    error_body,
)


class Rest:
    """The fake's REST: one part of FakeDiscord, which holds the state they share."""

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

    def _build_routes(self) -> list[Route]:
        def r(methods: str, pattern: str, handler: Callable[..., web.Response], *, auth: bool = True) -> Route:
            return Route(frozenset(methods.split()), re.compile(pattern), handler, auth)

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
        pattern = COMMAND_NAME if ctype == 1 else MENU_NAME
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

    def _webhook_state(self, m: re.Match[str]) -> InteractionState | None:
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
