"""The package installed anywhere: a wheel in a fresh venv finds its knowledge base from any folder."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
from pathlib import Path

from bot.config import PROJECT_ROOT


def test_an_installed_wheel_validates_answers_and_chats_from_another_folder(tmp_path: Path) -> None:
    """`pip install` of the wheel (not editable), then validate, ask and chat run in an unrelated folder."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheels"), str(PROJECT_ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = (tmp_path / "wheels").glob("*.whl")
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    packages = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The dependencies come from this venv (no network); the bot itself only from the wheel.
    (packages / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(packages), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, "-m", "bot", *args],
            cwd=elsewhere,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    located = subprocess.run(
        [python, "-c", "import bot; print(bot.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    validate, ask = run("validate"), run("ask", "--json", "who wrote the essay")
    chat = run("chat", stdin="who wrote the essay\nquit\n")

    assert located.stdout.startswith(str(packages))
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "is valid" in validate.stdout
    assert '"id": "author"' in ask.stdout
    assert "Who wrote the essay" in chat.stdout
