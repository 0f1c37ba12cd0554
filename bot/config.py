"""Settings, read once from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _shipped_knowledge() -> Path:
    """The knowledge base this package ships: its installed copy, or the checkout's knowledge/ folder."""
    installed = Path(__file__).resolve().parent / "knowledge"
    return installed if installed.is_dir() else PROJECT_ROOT / "knowledge"


SHIPPED_KNOWLEDGE = _shipped_knowledge()
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


class SettingsError(ValueError):
    """A setting has a value that can't be used; the message names it."""


def _ids(raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in raw.replace(",", " ").split())
    except ValueError:
        raise ValueError("must be Discord ids (numbers) separated by commas") from None


def _optional_id(raw: str) -> int:
    if not raw.isdigit():
        raise ValueError("must be a Discord id (a number)")
    return int(raw)


def _database_url(raw: str) -> str:
    if not raw.startswith((*POSTGRES_SCHEMES, SQLITE_SCHEME)):
        raise ValueError("must start with postgresql:// (or postgres://) or sqlite:///")
    return raw


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise ValueError("must be true or false")
    return value in {"1", "true", "yes", "on"}


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError("must be a port number (1–65535)")
    return int(raw)


def _count(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("must be a whole number of at least 1")
    return int(raw)


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("must be a number of seconds") from None
    if not 0 <= value <= 3600:
        raise ValueError("must be between 0 and 3600 seconds")
    return value


def _setting(env: str, default: Any, description: str, parse: Callable[[str], Any] = str, secret: bool = False) -> Any:
    metadata = {"env": env, "description": description, "parse": parse}
    return field(default=default, metadata=metadata, repr=not secret)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot can be configured with; each field names its variable."""

    discord_token: str | None = _setting(
        "DISCORD_TOKEN", None, "the bot's token; without it `python -m bot` opens the terminal chat", secret=True
    )
    knowledge_dir: Path = _setting(
        "KNOWLEDGE_DIR", SHIPPED_KNOWLEDGE, "folder with essay.yaml, summaries.yaml and entries/", Path
    )
    dev_guild_id: int | None = _setting(
        "DEV_GUILD_ID", None, "a server to sync slash commands to instantly, for development", _optional_id
    )
    moderator_role_ids: tuple[int, ...] = _setting(
        "MODERATOR_ROLE_IDS", (), "roles allowed moderator commands, besides Manage Messages (comma-separated)", _ids
    )
    owner_ids: tuple[int, ...] = _setting(
        "OWNER_IDS", (), "users allowed `/kb reload` besides administrators (default: the application's owner)", _ids
    )
    command_prefix: str = _setting(
        "COMMAND_PREFIX", "!", "prefix of `!ask` in channels (needs the message content intent)"
    )
    message_content: bool = _setting(
        "MESSAGE_CONTENT_INTENT",
        False,
        "ask for the privileged message content intent (enable it in the portal)",
        _flag,
    )
    ask_cooldown: float = _setting(
        "ASK_COOLDOWN_SECONDS", 5.0, "the pace of questions per member: 3 per 3 × this many seconds", _seconds
    )
    data_dir: Path = _setting("DATA_DIR", Path("data"), "where the bot keeps its state (the last command sync)", Path)
    database_url: str | None = _setting(
        "DATABASE_URL",
        None,
        "the question log's database: postgresql://user:password@host/db for several processes, or sqlite:///path",
        _database_url,
        secret=True,
    )
    database_path: Path | None = _setting(
        "DATABASE_PATH",
        None,
        "SQLite file of the question log when DATABASE_URL is unset (default: DATA_DIR/questions.sqlite3)",
        Path,
    )
    watch_knowledge: bool = _setting(
        "WATCH_KNOWLEDGE", True, "reload the knowledge base when its files change (validated first)", _flag
    )
    log_channel_id: int | None = _setting(
        "LOG_CHANNEL_ID", None, "a channel where the bot reports refused knowledge reloads", _optional_id
    )
    health_port: int | None = _setting(
        "HEALTH_PORT", None, "port of the /healthz and /metrics endpoint (off when unset)", _port
    )
    health_host: str = _setting("HEALTH_HOST", "127.0.0.1", "address the health endpoint listens on")
    shard_count: int | None = _setting(
        "SHARD_COUNT", None, "total shards across all processes (unset: no sharding)", _count
    )
    shard_ids: tuple[int, ...] = _setting("SHARD_IDS", (), "the shards this process runs (default: all of them)", _ids)
    log_level: str = _setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR", str.upper)

    @property
    def question_log(self) -> str | Path:
        """Where the learning loop is stored: a PostgreSQL URL, or an SQLite file."""
        if self.database_url is not None and self.database_url.startswith(POSTGRES_SCHEMES):
            return self.database_url
        if self.database_url is not None:
            return Path(self.database_url.removeprefix(SQLITE_SCHEME))
        return self.database_path or self.data_dir / "questions.sqlite3"


def read_env_file(path: Path) -> dict[str, str]:
    """The variables a ``.env`` file sets, read by python-dotenv as a shell would (quotes, inline comments)."""
    if not path.is_file():
        return {}
    # Imported here: most runs have no .env, and the import is a twentieth of `ask`'s start-up.
    from dotenv import dotenv_values  # noqa: PLC0415

    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path = Path(".env")) -> Settings:
    """Settings from ``environ`` (default: the process environment) over ``env_file``.

    Raises SettingsError naming the variable when a value can't be used.
    """
    values = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
    chosen: dict[str, Any] = {}
    for item in fields(Settings):
        raw = values.get(item.metadata["env"], "").strip()
        if not raw:
            continue
        try:
            chosen[item.name] = item.metadata["parse"](raw)
        except ValueError as error:
            shown = "(hidden)" if not item.repr else repr(raw)
            raise SettingsError(f"{item.metadata['env']} {error} (got {shown})") from None
    settings = Settings(**chosen)
    if settings.shard_ids and (settings.shard_count is None or max(settings.shard_ids) >= settings.shard_count):
        raise SettingsError("SHARD_IDS must be shard numbers below SHARD_COUNT, and SHARD_COUNT must be set with them")
    return settings


def documented_settings() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, as the README's table lists them."""
    rows = []
    for item in fields(Settings):
        default = "" if item.default in (None, (), MISSING) else str(item.default)
        rows.append((item.metadata["env"], default, item.metadata["description"]))
    return rows
