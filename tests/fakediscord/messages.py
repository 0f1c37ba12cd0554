"""Channel messages, threads, DMs and replies, as members send them and as the bot answers."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

from tests.fakediscord.common import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    INTERACTION_APPLICATION_COMMAND,
    JSON,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    FakeUser,
    InteractionState,
    RecordedFile,
    Session,
    now_iso,
)


class Messages:
    """The fake's messages: one part of FakeDiscord, which holds the state they share."""

    def _gate_message(self, session: Session, msg: JSON, in_guild: bool) -> JSON | None:
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
            "timestamp": now_iso(),
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
        interaction: InteractionState | None = None,
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
            "timestamp": now_iso(),
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
            msg["edited_timestamp"] = now_iso()
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
