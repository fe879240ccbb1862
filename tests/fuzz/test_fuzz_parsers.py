"""The policy parser and the import parsers meet any input with a result or their documented
error (PolicyError; a rejected record with its reason), never another exception."""

from __future__ import annotations

import io
from importlib.resources import files
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from gardien.channels.parse import Limits, iter_csv, iter_jsonl
from gardien.channels.webhook import parse_body
from gardien.errors import PolicyError
from gardien.policy.loader import parse_policy

LIMITS = Limits(max_text_chars=500, max_line_bytes=2_000)
DEFAULT = files("gardien.policy.defaults").joinpath("en.yaml").read_text(encoding="utf-8")
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
YAML_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["format", "community", "locale", "topic", "watched_words", "rules", "thresholds", "ladder"]
)


def parses_or_refuses(text: str) -> None:
    try:
        parse_policy(text, "fuzz")
    except PolicyError as error:
        assert str(error).startswith("fuzz:")


@given(st.text(max_size=300))
def test_any_text_as_a_policy(text: str) -> None:
    parses_or_refuses(text)


@given(st.dictionaries(KEYS, YAML_VALUES, max_size=6))
def test_any_yaml_shape_as_a_policy(document: dict[str, Any]) -> None:
    parses_or_refuses(yaml.safe_dump(document, allow_unicode=True))


@given(st.integers(0, len(DEFAULT) - 1), st.integers(0, 40), st.text(max_size=12))
def test_the_default_policy_edited_anywhere(at: int, cut: int, insert: str) -> None:
    parses_or_refuses(DEFAULT[:at] + insert + DEFAULT[at + cut :])


RECORD = st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=10), st.integers()), "text": YAML_VALUES},
    optional={
        "created_at": st.one_of(st.text(max_size=25), st.just("2026-10-01T10:00:00Z")),
        "author": st.one_of(YAML_VALUES, st.fixed_dictionaries({"id": st.text(max_size=5)})),
        "likes": YAML_VALUES,
        "visibility": st.text(max_size=8),
        "thread_id": YAML_VALUES,
    },
)


def consumed(parsed: Any) -> None:
    for item in parsed:
        assert (item.post is None) != (item.error == ""), item


@given(st.binary(max_size=3_000))
def test_any_bytes_as_jsonl_csv_or_a_webhook_body(raw: bytes) -> None:
    consumed(iter_jsonl(io.BytesIO(raw), LIMITS))
    consumed(iter_csv(io.BytesIO(raw), LIMITS))
    consumed(parse_body(raw, LIMITS))


@given(st.lists(RECORD, max_size=5))
def test_records_of_any_shape(records: list[dict[str, Any]]) -> None:
    import json

    lines = b"\n".join(json.dumps(record, default=str).encode() for record in records)
    consumed(iter_jsonl(io.BytesIO(lines), LIMITS))
    consumed(parse_body(json.dumps(records, default=str).encode(), LIMITS))
