"""Shared fixtures: the shipped knowledge base, and copies of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.loader import load_knowledge
from bot.core.model import KnowledgeBase

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once."""
    return load_knowledge(SHIPPED_KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge folder that a test may change."""
    target = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, target)
    return target
