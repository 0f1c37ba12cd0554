"""The JSON the fake sends, shaped like Discord API v10's: users, members, guilds, channels, messages."""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence

from tests.fakediscord.common import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    CHANNEL_PUBLIC_THREAD,
    DISCORD_EPOCH_MS,
    EVERYONE_PERMISSIONS,
    JSON,
    FakeUser,
    now_iso,
)


class Payloads:
    """The fake's JSON builders: one part of FakeDiscord, which holds the state they share."""

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
                "archive_timestamp": now_iso(),
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
