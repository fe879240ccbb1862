"""Import a platform's own JSON (an export, or responses a script saved) into a channel: the
channel's kind names the platform, whose module maps the documented shapes."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gardien.channels.adapter import BUILTIN, ChannelConfig, PushAdapter, factory_for
from gardien.channels.file_import import ImportReport, ingest_stream
from gardien.channels.parse import Limits, Parsed
from gardien.channels.people import PeopleAdapter, PersonEvent
from gardien.channels.platforms.bridge import parse_safely, receive_signed
from gardien.channels.state import channel_config
from gardien.errors import ConfigError, NotFoundError
from gardien.store.db import Database


def import_export(database: Database, channel: str, path: Path, limits: Limits) -> ImportReport:
    """Map and store every item of `path`; bad items go to the rejects table, the rest land,
    and importing the same file again changes nothing."""
    with database.session() as session:
        config = channel_config(session, channel, limits)
    module = importlib.import_module(BUILTIN.get(config.kind, "gardien.channels.platforms"))
    parse = getattr(module, "parse_export", None)
    if parse is None:
        raise ConfigError(
            f"channel {channel!r} is of kind {config.kind!r}, which has no export format; "
            "use twitter, facebook, instagram, youtube or reddit (or `gardien import` for JSONL/CSV)"
        )
    parsed = parse_safely(path.read_bytes(), config, parse)
    return ingest_stream(database, channel, str(path.resolve()), iter(parsed))


@dataclass(frozen=True, slots=True)
class Received:
    """What one platform webhook brought: posts (or reasons why not) and user events."""

    posts: list[Parsed]
    people: list[PersonEvent] = field(default_factory=list)


def receive(config: ChannelConfig, headers: Mapping[str, str], body: bytes) -> Received:
    """A platform webhook for `config`'s channel: the adapter's own `receive` when it has one
    (Discourse, whose user events come too), else a bridge's Gardien-signed platform JSON (X,
    Facebook, YouTube, Reddit)."""
    module = importlib.import_module(BUILTIN.get(config.kind, "gardien.channels.platforms"))
    parse = getattr(module, "parse_export", None)
    if parse is not None:
        return Received(receive_signed(config, headers, body, parse))
    factory = factory_for(config.kind)
    adapter = factory(config) if factory is not None else None
    try:
        if not isinstance(adapter, PushAdapter):
            raise NotFoundError(
                f"channel {config.name!r} ({config.kind}) takes no platform webhooks"
            )
        posts = adapter.receive(headers, body)
        people = adapter.receive_people(headers, body) if isinstance(adapter, PeopleAdapter) else []
        return Received(posts, people)
    finally:
        if adapter is not None:
            adapter.close()
