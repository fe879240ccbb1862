"""Parsing the interchange format: each bad record gets a clear reason, good ones pass through."""

from __future__ import annotations

import io

import pytest

from gardien.channels.parse import Limits, iter_csv, iter_jsonl, parse_json_line
from tests.factories import jsonl, post

LIMITS = Limits(max_text_chars=100, max_line_bytes=2_000)


def test_a_valid_line_keeps_unknown_fields_and_makes_times_utc() -> None:
    parsed = parse_json_line(
        jsonl([post("1", created_at="2026-10-01T12:00:00+02:00", mood="grumpy")]), 1, LIMITS
    )
    assert parsed.post is not None
    assert parsed.post.created_at.isoformat() == "2026-10-01T10:00:00+00:00"
    assert parsed.post.extra == {"mood": "grumpy"}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "malformed JSON"),
        (b"\xff\xfe{}", "invalid UTF-8"),
        (b'["a list"]', "expected a JSON object"),
        (jsonl([{"id": "1", "text": "x", "author": {"id": "a"}}]), "created_at: Field required"),
        (jsonl([post("1", likes="many")]), "likes: Input should be a valid integer"),
        (jsonl([post("1", likes=-3)]), "likes: Input should be greater than or equal to 0"),
        (jsonl([post("1", text=7)]), "text: Input should be a valid string"),
        (jsonl([post("1", text="x" * 101)]), "101 characters, over the limit of 100"),
        (jsonl([post("", text="x")]), "id: String should have at least 1 character"),
        (b"[" * 100_000, "malformed JSON"),
    ],
)
def test_a_bad_line_is_rejected_with_its_reason(raw: bytes, reason: str) -> None:
    parsed = parse_json_line(raw, 7, Limits(max_text_chars=100, max_line_bytes=10**6))
    assert parsed.post is None
    assert parsed.line_no == 7
    assert reason in parsed.error


def test_an_overlong_line_is_rejected_and_the_next_line_still_parses() -> None:
    stream = io.BytesIO(b'{"id": "' + b"x" * 5_000 + b'"}\n' + jsonl([post("2")]))
    results = list(iter_jsonl(stream, LIMITS))
    assert [r.line_no for r in results] == [1, 2]
    assert "longer than 2000 bytes" in results[0].error
    assert results[1].post is not None


def test_blank_lines_are_skipped_but_counted() -> None:
    results = list(iter_jsonl(io.BytesIO(b"\n" + jsonl([post("1")]) + b"   \n"), LIMITS))
    assert [(r.line_no, r.post is not None) for r in results] == [(2, True)]


def test_csv_rows_map_author_columns_and_keep_unknown_ones() -> None:
    data = (
        "id,text,created_at,author_id,author_followers,likes,campaign\n"
        '1,"Bonjour, le vélo !",2026-10-01T10:00:00Z,u1,42,3,autumn\n'
        "2,,2026-10-01T10:00:00Z,u1,,,\n"
        "3,ok,2026-10-01T10:00:00Z,u1,lots,,\n"
    ).encode()
    results = list(iter_csv(io.BytesIO(data), LIMITS))
    first = results[0].post
    assert first is not None and first.author.followers == 42 and first.likes == 3
    assert first.extra == {"campaign": "autumn"}
    assert (results[1].line_no, results[1].error) == (3, "text: Field required")
    assert results[2].line_no == 4 and "followers" in results[2].error


def test_csv_invalid_utf8_is_rejected_on_its_line() -> None:
    data = b"id,text,created_at,author_id\n1,caf\xe9,2026-10-01T10:00:00Z,u1\n2,ok,2026-10-01,u1\n"
    results = list(iter_csv(io.BytesIO(data), LIMITS))
    assert results[0].line_no == 2 and "invalid UTF-8" in results[0].error
    assert results[1].post is not None
