"""Factories for test input: posts in the interchange format, as dicts, lines and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def post(
    external_id: str, text: Any = "Hello", author: str | dict[str, Any] = "alice", **fields: Any
) -> dict[str, Any]:
    """One record in the interchange format (docs/FORMAT.md); `author` is an id or a full object."""
    record: dict[str, Any] = {
        "id": external_id,
        "text": text,
        "created_at": "2026-10-01T10:00:00Z",
        "author": author
        if isinstance(author, dict)
        else {"id": author, "handle": f"@{author}", "followers": 10},
    }
    record.update(fields)
    return record


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(record, ensure_ascii=False).encode() + b"\n" for record in records)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_bytes(jsonl(records))
    return path
