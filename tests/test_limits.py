"""One source for limits: the JSON Schemas editors use agree with the validator, and ids fit Discord's."""

from __future__ import annotations

import json
from typing import Any

from bot.config import SHIPPED_KNOWLEDGE
from bot.core import loader
from bot.limits import BUTTON_LABEL_LIMIT, CUSTOM_ID_LIMIT

SCHEMAS = SHIPPED_KNOWLEDGE / "schema"


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def test_the_entries_schema_has_the_validators_limits() -> None:
    """Editing with the schema never allows what `validate` refuses, nor refuses what it allows."""
    entry = schema("entries.schema.json")["$defs"]["entry"]["properties"]
    theme = schema("entries.schema.json")["properties"]["theme"]

    assert entry["id"]["maxLength"] == loader.ID.characters
    assert entry["title"]["maxLength"] == loader.TITLE.characters
    assert theme["maxLength"] == loader.THEME.characters
    assert entry["questions"]["minItems"] == loader.MIN_QUESTIONS
    assert entry["questions"]["items"]["maxLength"] == loader.QUESTION.characters
    assert entry["not_answered"]["items"]["maxLength"] == loader.QUESTION.characters
    assert entry["answer"]["maxLength"] == loader.ANSWER.characters
    assert entry["keywords"]["items"]["maxLength"] == loader.KEYWORD.characters
    assert entry["related"]["maxItems"] == loader.MAX_RELATED


def test_the_other_schemas_have_the_validators_limits() -> None:
    summaries = schema("summaries.schema.json")
    essay = schema("essay.schema.json")["properties"]

    assert schema("citation.schema.json")["properties"]["quote"]["maxLength"] == loader.QUOTE.characters
    assert summaries["properties"]["short"]["maxItems"] == loader.MAX_SHORT_SUMMARY
    assert summaries["$defs"]["point"]["properties"]["text"]["maxLength"] == loader.SUMMARY_POINT.characters
    assert essay["title"]["maxLength"] == loader.ESSAY_TITLE.characters
    assert essay["paragraphs"]["additionalProperties"]["maxLength"] == loader.PARAGRAPH.characters


def test_an_entry_id_fits_every_button_that_carries_it() -> None:
    """The longest custom id the bot builds, with the longest id allowed, fits a Discord button."""
    longest_id, snowflake = "x" * loader.ID.characters, "9" * 20
    custom_ids = [f"suggest:{snowflake}:{longest_id}", f"pick:{snowflake}:{longest_id}", f"feedback:down:{longest_id}"]

    assert max(len(custom_id) for custom_id in custom_ids) <= CUSTOM_ID_LIMIT
    assert loader.TITLE.characters <= BUTTON_LABEL_LIMIT
