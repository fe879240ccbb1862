"""Load the bundled demo (a fictional bike maker's communities) into the store and judge it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.channels.file_import import ImportReport, ingest_stream
from gardien.channels.parse import Limits, Parsed, parse_json_line
from gardien.demo.bundle import DemoManifest, iter_channel_lines, load_manifest
from gardien.domain import Channel, Community
from gardien.store.communities import ensure_channel, ensure_community


@dataclass(slots=True)
class DemoReport:
    manifest: DemoManifest
    imports: list[ImportReport] = field(default_factory=list)
    triaged: int = 0


def _parsed(channel: str, limits: Limits) -> Iterator[Parsed]:
    for line_no, raw in enumerate(iter_channel_lines(channel), start=1):
        yield parse_json_line(raw, line_no, limits)


def load_demo(runtime: Runtime) -> DemoReport:
    """Create the demo's communities and channels, import their posts, triage them.
    Running it again changes nothing (ingest is idempotent)."""
    manifest = load_manifest()
    with runtime.database.session() as session:
        for community in manifest.communities:
            ensure_community(
                session,
                Community(
                    slug=community.slug,
                    name=community.name,
                    description=community.description,
                    locales=community.locales,
                    off_limit_themes=community.off_limit_themes,
                    watched_words=community.watched_words,
                ),
            )
        for channel in manifest.channels:
            ensure_channel(
                session, Channel(name=channel.name, kind=channel.kind, community=channel.community)
            )
    runtime.refresh()
    report = DemoReport(manifest=manifest)
    for channel in manifest.channels:
        source = f"demo:{channel.file}"
        report.imports.append(
            ingest_stream(
                runtime.database, channel.name, source, _parsed(channel.name, runtime.limits)
            )
        )
    judged = triage_pending(
        runtime.database, runtime.runner, runtime.context(), runtime.settings.triage_batch_size
    )
    report.triaged = judged.judged
    return report
