"""Interactions: slash commands, components, context menus and autocomplete, and the bot's replies to them."""

from __future__ import annotations

import base64
import copy
import secrets
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tests.fakediscord.common import (
    ALL_PERMISSIONS,
    COMMAND_MESSAGE,
    EVERYONE_PERMISSIONS,
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_MESSAGE_COMPONENT,
    JSON,
    FakeUser,
    InteractionHandle,
    InteractionState,
)


class Interactions:
    """The fake's interactions: one part of FakeDiscord, which holds the state they share."""

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
        self._interactions[token] = InteractionState(
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
            yield from Interactions._iter_components(comp.get("components") or [])
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
