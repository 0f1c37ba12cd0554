"""`python -m bot run` in a process of its own, pointed at a fake Discord on the loopback.

    python tests/bot/fake_discord_bot.py HTTP_BASE GATEWAY_URL

Everything else comes from the environment, as for the real bot. Only the tests start it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import discord
import yarl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.cli import main

if __name__ == "__main__":
    http_base, gateway = sys.argv[1:3]
    if not (http_base.startswith("http://127.0.0.1:") and gateway.startswith("ws://127.0.0.1:")):
        sys.exit("only a fake Discord on 127.0.0.1")
    discord.http.Route.BASE = http_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    sys.exit(main(["run"]))
