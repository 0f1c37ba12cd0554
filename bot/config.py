"""Settings, read once from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_KNOWLEDGE = PROJECT_ROOT / "knowledge"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot can be configured with."""

    knowledge_dir: Path
    """KNOWLEDGE_DIR: the folder holding essay.yaml, summaries.yaml and entries/."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a ``.env`` file; blank lines and # comments are skipped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip().removeprefix("export ")
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path = Path(".env")) -> Settings:
    """Settings from ``environ`` (default: the process environment) over ``env_file``."""
    values = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
    return Settings(knowledge_dir=Path(values.get("KNOWLEDGE_DIR") or SHIPPED_KNOWLEDGE))
