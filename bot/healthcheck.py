"""`python -m bot.healthcheck`: exit 0 when the running bot's /healthz says it is connected (Docker HEALTHCHECK)."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.config import SettingsError, load_settings

TIMEOUT_SECONDS = 3


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration: {error}", file=sys.stderr)
        return 1
    if settings.health_port is None:
        print("HEALTH_PORT is not set, so there is no health endpoint to ask.", file=sys.stderr)
        return 1
    host = "127.0.0.1" if settings.health_host in {"0.0.0.0", "::"} else settings.health_host
    url = f"http://{host}:{settings.health_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
