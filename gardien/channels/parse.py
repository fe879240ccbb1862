"""Turn raw lines (JSONL) and rows (CSV) into IncomingPost, or a clear reason why not.

Readers stream: one line or row at a time, so a file of any size imports in constant memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from pydantic import ValidationError

from gardien.channels.format import IncomingPost
from gardien.errors import IngestError

AUTHOR_COLUMNS = {
    "author_id": "id",
    "author_handle": "handle",
    "author_name": "name",
    "author_followers": "followers",
    "author_created_at": "created_at",
    "author_email": "email",
    "author_verified": "verified",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits that protect the store from huge or hostile input."""

    max_text_chars: int = 20_000
    max_line_bytes: int = 1_000_000


@dataclass(frozen=True, slots=True)
class Parsed:
    """One line's outcome: a post, or an error with the line number and an excerpt of the input."""

    line_no: int
    post: IncomingPost | None = None
    error: str = ""
    excerpt: str = ""


def describe(error: ValidationError) -> str:
    """A one-line, human reason from a Pydantic error: field path and message, first few."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(piece) for piece in item["loc"]) or "record"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def validate(data: Any, limits: Limits) -> IncomingPost:
    """Validate a decoded record against the format and the limits, or raise IngestError."""
    if not isinstance(data, dict):
        raise IngestError(f"expected a JSON object, got {type(data).__name__}")
    try:
        post = IncomingPost.model_validate(data)
    except ValidationError as error:
        raise IngestError(describe(error)) from None
    if len(post.text) > limits.max_text_chars:
        raise IngestError(_too_long(post, limits))
    return post


def _excerpt(raw: bytes | str, size: int = 200) -> str:
    if isinstance(raw, bytes):
        raw = raw[:size].decode("utf-8", errors="replace")
    return raw[:size]


def parse_json_line(raw: bytes, line_no: int, limits: Limits) -> Parsed:
    """Parse one JSONL line; never raises for bad input. Pydantic decodes and validates in one
    pass, which is the hot path of every import."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Parsed(line_no, error=f"invalid UTF-8 at byte {error.start}", excerpt=_excerpt(raw))
    try:
        post = IncomingPost.model_validate_json(text)
    except ValidationError as error:
        return Parsed(line_no, error=_json_reason(error), excerpt=_excerpt(text))
    if len(post.text) > limits.max_text_chars:
        return Parsed(line_no, error=_too_long(post, limits), excerpt=_excerpt(text))
    return Parsed(line_no, post=post)


def _json_reason(error: ValidationError) -> str:
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return "malformed JSON: " + str(first["msg"]).removeprefix("Invalid JSON: ")
    if first["type"] == "model_type" and not first["loc"]:
        return "expected a JSON object"
    return describe(error)


def _too_long(post: IncomingPost, limits: Limits) -> str:
    return f"text: {len(post.text)} characters, over the limit of {limits.max_text_chars}"


def iter_jsonl(stream: BinaryIO, limits: Limits) -> Iterator[Parsed]:
    """Parse a JSONL stream line by line; blank lines are skipped, over-long lines rejected."""
    line_no = 0
    while True:
        raw = stream.readline(limits.max_line_bytes + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > limits.max_line_bytes and not raw.endswith(b"\n"):
            head = raw
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(1 << 20)
            yield Parsed(
                line_no,
                error=f"line longer than {limits.max_line_bytes} bytes",
                excerpt=_excerpt(head),
            )
            continue
        if raw.strip():
            yield parse_json_line(raw, line_no, limits)


def csv_row_to_record(row: dict[str | None, Any]) -> dict[str, Any]:
    """Map a CSV row (flat, strings) onto the nested record shape; empty cells mean 'not given'."""
    record: dict[str, Any] = {}
    author: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            raise IngestError("more cells than header columns")
        if value is None or value == "":
            continue
        if key in AUTHOR_COLUMNS:
            author[AUTHOR_COLUMNS[key]] = value
        else:
            record[key] = value
    if author:
        record["author"] = author
    return record


def iter_csv(stream: BinaryIO, limits: Limits) -> Iterator[Parsed]:
    """Parse a CSV stream with a header row; line numbers are the file's physical lines."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    csv.field_size_limit(limits.max_line_bytes)
    reader = csv.DictReader(text)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Parsed(start, error=f"malformed CSV: {error}")
            continue
        line_no = reader.line_num
        yield _parse_csv_row(row, line_no, limits)


def _parse_csv_row(row: dict[str | None, Any], line_no: int, limits: Limits) -> Parsed:
    cells = [value for value in row.values() if isinstance(value, str)]
    for value in cells:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return Parsed(
                line_no,
                error="invalid UTF-8 in a cell",
                excerpt=value.encode("utf-8", "replace").decode()[:200],
            )
    try:
        return Parsed(line_no, post=validate(csv_row_to_record(row), limits))
    except IngestError as error:
        return Parsed(line_no, error=str(error), excerpt=" | ".join(cells)[:200])
