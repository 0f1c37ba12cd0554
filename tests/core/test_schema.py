"""The JSON Schemas editors use agree with the shipped files and catch common mistakes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from bot.config import SHIPPED_KNOWLEDGE
from tests.conftest import FIXTURES

SCHEMAS = SHIPPED_KNOWLEDGE / "schema"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources((key, Resource.from_contents(value)) for key, value in schemas.items())
    jsonschema.Draft202012Validator.check_schema(schemas[name])
    return jsonschema.Draft202012Validator(schemas[name], registry=registry)


def as_json(path: Path) -> Any:
    """The document as an editor's schema checker sees it: mapping keys are strings."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data))


def shipped_files() -> list[tuple[Path, str]]:
    files = [(path, "entries.schema.json") for path in sorted((SHIPPED_KNOWLEDGE / "entries").glob("*.yaml"))]
    for name in ("essay", "summaries", "synonyms", "counterparts", "eval"):
        files.append((SHIPPED_KNOWLEDGE / f"{name}.yaml", f"{name}.schema.json"))
    return files


@pytest.mark.parametrize(("path", "schema"), shipped_files(), ids=lambda value: getattr(value, "name", value))
def test_shipped_file_matches_its_schema(path: Path, schema: str) -> None:
    """Every shipped file passes the schema its modeline points at."""
    assert "$schema=" in path.read_text(encoding="utf-8").splitlines()[0]
    assert list(validator(schema).iter_errors(as_json(path))) == []


@pytest.mark.parametrize(
    "fixture",
    [
        "unknown-field.yaml",
        "missing-field.yaml",
        "wrong-type.yaml",
        "bad-id.yaml",
        "empty-answer.yaml",
        "too-few-questions.yaml",
    ],
)
def test_schema_flags_field_mistakes(fixture: str) -> None:
    """Field-level mistakes show up in the editor too, before the validator runs."""
    assert list(validator("entries.schema.json").iter_errors(as_json(FIXTURES / "broken" / fixture)))
