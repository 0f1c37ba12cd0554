"""Faults a test can inject: status codes, delays and bodies for the next matching requests."""

from __future__ import annotations

import math
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from tests.fakediscord.common import (
    FaultRule,
)


class Faults:
    """The fake's fault injection: one part of FakeDiscord, which holds the state they share."""

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
