"""Feeding Gardien a platform's own JSON: from an export file, or pushed by a thin bridge.

A bridge forwards the platform's documented responses unchanged to
`POST /api/v1/channels/{channel}/events`, signed the Gardien way (docs/FORMAT.md: HMAC-SHA256
over "<timestamp>." + body with the channel's webhook secret), and the channel's adapter maps
them. An export is the same JSON saved to a file (`gardien channels import`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from gardien.channels import webhook
from gardien.channels.adapter import ChannelConfig
from gardien.channels.parse import Parsed
from gardien.errors import IngestError

#: How old a bridge's signed request may be, as for the lead's ingest webhook.
TOLERANCE_SECONDS = 300


def responses(body: bytes) -> list[Any]:
    """One JSON document, a JSON array of documents, or JSON lines: a list of documents."""
    text = body.decode("utf-8-sig", errors="strict").strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as error:
            raise IngestError(f"malformed JSON: {error}") from None
    return data if isinstance(data, list) else [data]


def parse_safely(
    body: bytes, config: ChannelConfig, parse: Callable[[bytes, ChannelConfig], list[Parsed]]
) -> list[Parsed]:
    """`parse(body)`, or one reject saying why the whole body could not be read."""
    try:
        return parse(body, config)
    except (IngestError, UnicodeDecodeError) as error:
        return [Parsed(1, error=str(error), excerpt=body[:200].decode("utf-8", errors="replace"))]


def receive_signed(
    config: ChannelConfig,
    headers: Mapping[str, str],
    body: bytes,
    parse: Callable[[bytes, ChannelConfig], list[Parsed]],
) -> list[Parsed]:
    """Verify the Gardien signature of a bridge's request, then map its platform JSON."""
    lowered = {k.lower(): v for k, v in headers.items()}
    webhook.verify(
        str(config.get("webhook_secret") or ""),
        lowered.get(webhook.TIMESTAMP_HEADER.lower()),
        lowered.get(webhook.SIGNATURE_HEADER.lower()),
        body,
        time.time(),
        TOLERANCE_SECONDS,
    )
    return parse_safely(body, config, parse)
