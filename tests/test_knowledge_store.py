"""The knowledge store: reloads validate first and never replace a good knowledge base with a broken one."""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from pathlib import Path

from bot.knowledge_store import KnowledgeStore
from tests.conftest import FIXTURES


def test_good_edit_is_served_after_reload(knowledge_copy: Path) -> None:
    """A valid change becomes the current snapshot, with a new version."""
    store = KnowledgeStore.open(knowledge_copy)
    before = store.current
    entries = knowledge_copy / "entries" / "03-asymmetry.yaml"
    entries.write_text(
        entries.read_text(encoding="utf-8").replace("who calls the shots", "who is really in control"), encoding="utf-8"
    )

    result = store.reload()

    assert result.ok
    assert store.current is not before
    assert result.version == store.current.knowledge.version != before.knowledge.version
    assert "who is really in control" in store.current.knowledge.entry("dominant-partner").questions


def test_broken_edit_keeps_the_last_good_snapshot(knowledge_copy: Path) -> None:
    """A broken change is refused with the validator's problems, and answers keep coming from the old one."""
    store = KnowledgeStore.open(knowledge_copy)
    before = store.current
    shutil.copy(FIXTURES / "broken" / "missing-field.yaml", knowledge_copy / "entries" / "99-broken.yaml")

    result = store.reload()

    assert not result.ok
    assert store.current is before
    assert result.version == before.knowledge.version
    assert [problem.message for problem in result.problems] == ['entry "broken-example" is missing the field "answer"']
    assert store.current.matcher.ask("who is the dominant partner").entry.id == "dominant-partner"
    assert store.last_reload == result


def test_reload_during_answers_never_mixes_versions(knowledge_copy: Path) -> None:
    """While reloads flip between two versions, every answer comes wholly from the snapshot it was taken from."""
    store = KnowledgeStore.open(knowledge_copy)
    path = knowledge_copy / "entries" / "08-about-the-essay.yaml"
    original = path.read_text(encoding="utf-8")
    edited = original.replace("Who wrote the essay", "The essay's author")
    stop = threading.Event()

    def flip() -> None:
        for text in itertools.cycle([edited, original]):
            if stop.is_set():
                return
            path.write_text(text, encoding="utf-8")
            store.reload()

    flipper = threading.Thread(target=flip)
    flipper.start()
    seen: list[str] = []
    # Bounded by time, not by asks: the matcher remembers repeated questions, so asks can outrun the reloads.
    give_up = time.monotonic() + 120
    try:
        while len(seen) <= 3 and time.monotonic() < give_up:
            snapshot = store.current
            answer = snapshot.matcher.ask("who wrote the essay")
            if not seen or seen[-1] != snapshot.knowledge.version:
                seen.append(snapshot.knowledge.version)
            assert answer.entry is not None
            assert any(answer.entry is entry for entry in snapshot.knowledge.entries)
            assert answer.entry.title in {"Who wrote the essay", "The essay's author"}
    finally:
        stop.set()
        flipper.join()
    assert len(seen) > 3, "the reloads never overlapped the answers"
