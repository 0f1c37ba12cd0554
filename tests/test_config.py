"""Settings: read once from the environment and .env, validated, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, SettingsError, documented_settings, load_settings


def test_defaults_without_any_configuration(tmp_path: Path) -> None:
    """With nothing set, the bot has no token and serves the shipped knowledge base."""
    settings = load_settings({}, env_file=tmp_path / "missing.env")

    assert settings.discord_token is None
    assert settings.knowledge_dir == PROJECT_ROOT / "knowledge"
    assert settings.dev_guild_id is None
    assert settings.ask_cooldown == 5.0


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    """A .env file supplies values; the real environment overrides them."""
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nDISCORD_TOKEN='from-file'\nexport DEV_GUILD_ID=42\nMODERATOR_ROLE_IDS=1, 2\n", encoding="utf-8"
    )

    settings = load_settings({"DEV_GUILD_ID": "7"}, env_file=env_file)

    assert settings.discord_token == "from-file"
    assert settings.dev_guild_id == 7
    assert settings.moderator_role_ids == (1, 2)


def test_env_file_values_read_as_a_shell_would(tmp_path: Path) -> None:
    """An inline comment is no part of a value; a quoted value keeps its # and spaces."""
    env_file = tmp_path / ".env"
    env_file.write_text('DEV_GUILD_ID=42  # my test server\nCOMMAND_PREFIX="?#"\n', encoding="utf-8")

    settings = load_settings({}, env_file=env_file)

    assert settings.dev_guild_id == 42
    assert settings.command_prefix == "?#"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEV_GUILD_ID", "abc", "DEV_GUILD_ID must be a Discord id (a number) (got 'abc')"),
        (
            "MODERATOR_ROLE_IDS",
            "1,x",
            "MODERATOR_ROLE_IDS must be Discord ids (numbers) separated by commas (got '1,x')",
        ),
        ("MESSAGE_CONTENT_INTENT", "maybe", "MESSAGE_CONTENT_INTENT must be true or false (got 'maybe')"),
        ("ASK_COOLDOWN_SECONDS", "soon", "ASK_COOLDOWN_SECONDS must be a number of seconds (got 'soon')"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, variable: str, value: str, message: str) -> None:
    """A value that can't be used is refused with the variable's name and what it should be."""
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value}, env_file=tmp_path / "none")

    assert str(raised.value) == message


def test_token_never_appears_in_repr(tmp_path: Path) -> None:
    """Printing or logging the settings can't leak the token."""
    settings = load_settings({"DISCORD_TOKEN": "canary-token-123"}, env_file=tmp_path / "none")

    assert "canary-token-123" not in repr(settings)
    assert "canary-token-123" not in str(settings)


def test_readme_documents_every_setting() -> None:
    """The README's configuration table lists every variable the code reads."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")

    for variable, _, _ in documented_settings():
        assert f"| `{variable}` |" in readme, variable
