"""What the bot tests share: waiting for a condition, the bot's first reply, and Discord's flags."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.fakediscord import FakeDiscord, InteractionHandle

EPHEMERAL = 64  # the message flag of a reply only its recipient sees
NO_PINGS = {"parse": []}  # allowed_mentions that let nothing ping anyone


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for ``condition`` to hold, failing after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def callback(fake: FakeDiscord, handle: InteractionHandle) -> dict[str, Any]:
    """The JSON of the interaction's first response."""
    request = await fake.wait_for_request(path=rf"^/interactions/{handle.id}/{handle.token}/callback$")
    return request.json


async def followups(fake: FakeDiscord, handle: InteractionHandle, count: int) -> list[dict[str, Any]]:
    """The first ``count`` follow-up messages sent for the interaction."""
    path = rf"^/webhooks/{fake.application_id}/{handle.token}$"
    await fake.wait_for_request(
        method="POST", path=path, predicate=lambda r: len(fake.requests_to("POST", path)) >= count
    )
    return [request.json for request in fake.requests_to("POST", path)][:count]


async def followup(fake: FakeDiscord, handle: InteractionHandle) -> dict[str, Any]:
    """The interaction's first follow-up message."""
    return (await followups(fake, handle, 1))[0]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every component of every row of a message, in order."""
    return [item for row in message["components"] for item in row["components"]]
