"""A small HTTP endpoint for operators: /healthz (is the bot serving?) and /metrics (Prometheus)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from bot.client import ExplainerBot

log = logging.getLogger(__name__)


def health_report(bot: ExplainerBot) -> dict[str, Any]:
    """What /healthz returns: gateway, knowledge base and last reload. Nothing secret is ever in it."""
    knowledge = bot.store.current.knowledge
    last = bot.store.last_reload
    connected = bot.is_ready() and not bot.is_closed()
    return {
        "status": "ok" if connected else "starting" if not bot.is_closed() else "stopped",
        "gateway_connected": connected,
        "shards": sorted(bot.shards) if hasattr(bot, "shards") else None,
        "knowledge": {"loaded": True, "version": knowledge.version, "entries": len(knowledge.entries)},
        "last_reload": None
        if last is None
        else {"ok": last.ok, "version": last.version, "problems": [str(problem) for problem in last.problems][:20]},
    }


class HealthServer:
    """Serves /healthz and /metrics on ``host:port`` (loopback unless configured otherwise)."""

    def __init__(self, bot: ExplainerBot, host: str, port: int) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        log.info("Health endpoint on http://%s:%d/healthz", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _: web.Request) -> web.Response:
        report = health_report(self.bot)
        return web.json_response(report, status=200 if report["gateway_connected"] else 503)

    async def _metrics(self, _: web.Request) -> web.Response:
        return web.Response(body=self.bot.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
