"""`python -m bot calibrate`: learns the answer-or-decline weights from the eval and writes them, readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.core.calibration import FEATURES, PAIRS
from bot.core.loader import load_knowledge
from tests.conftest import FIXTURES, run_cli


def _shorten_tune(knowledge: Path, questions: int) -> None:
    """The copy's tune part cut to its first ``questions`` of each kind, and as many conversations: enough
    to fit on, quicker to."""
    path = knowledge / "eval.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for kind in ("in_scope", "out_of_scope", "conversations"):
        data["tune"][kind] = data["tune"][kind][:questions]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_calibrate_replaces_a_stale_calibration_with_one_that_validates(knowledge_copy: Path) -> None:
    """A calibration missing a signal (the matcher gained one) is refused by validate; calibrate writes a valid one."""
    _shorten_tune(knowledge_copy, 300)
    shutil.copy(FIXTURES / "broken" / "calibration-missing-feature.yaml", knowledge_copy / "calibration.yaml")
    assert run_cli("validate", str(knowledge_copy)).returncode == 1

    result = run_cli("calibrate", "--knowledge", str(knowledge_copy))

    assert result.returncode == 0, result.stderr
    assert "likely to be right" in result.stdout
    assert all(f"  {name} " in result.stdout for name in FEATURES)
    assert "most against an answer: " in result.stdout
    assert "two signals together, weighing most: " in result.stdout
    assert run_cli("validate", str(knowledge_copy)).returncode == 0
    calibration = load_knowledge(knowledge_copy).calibration
    assert calibration is not None
    assert set(calibration.weights) == set(FEATURES)
    assert set(calibration.together) == set(PAIRS)
    assert 0 < calibration.threshold < 1


def test_calibrate_needs_a_valid_knowledge_base_and_leaves_the_old_calibration(knowledge_copy: Path) -> None:
    before = (knowledge_copy / "calibration.yaml").read_text(encoding="utf-8")
    (knowledge_copy / "essay.yaml").write_text("title: [unclosed", encoding="utf-8")

    result = run_cli("calibrate", "--knowledge", str(knowledge_copy))

    assert result.returncode == 1
    assert "problem" in result.stderr
    assert (knowledge_copy / "calibration.yaml").read_text(encoding="utf-8") == before


def test_calibrate_explains_an_eval_it_cannot_learn_from(knowledge_copy: Path) -> None:
    """A tune part where the best entry is never the expected one gives nothing to learn from: one clear line."""
    eval_file = knowledge_copy / "eval.yaml"
    text = eval_file.read_text(encoding="utf-8")
    start, end = text.index("tune:\n  in_scope:\n"), text.index("  out_of_scope:\n")
    only = 'tune:\n  in_scope:\n    - q: "who wrote the essay"\n      expect: sanctions\n'
    text = text[:start] + only + text[end:]
    # Its conversations' turns teach the calibration too: its one conversation is as wrong.
    start, end = text.index("  conversations:\n"), text.index("holdout:\n")
    talk = '    - - q: "who wrote the essay"\n        expect: sanctions\n      - q: "where does he study"\n        expect: sanctions\n'
    eval_file.write_text(text[:start] + "  conversations:\n" + talk + "\n" + text[end:], encoding="utf-8")

    result = run_cli("calibrate", "--knowledge", str(knowledge_copy))

    assert result.returncode == 1
    assert result.stderr.startswith("Cannot calibrate: the eval's tune part needs")
