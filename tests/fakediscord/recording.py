"""Every REST request the bot makes, recorded for tests to assert on, and waiting for one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakediscord.common import (
    API_PREFIX,
    RecordedFile,
    RecordedRequest,
)


class Recording:
    """The fake's request recording: one part of FakeDiscord, which holds the state they share."""

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
