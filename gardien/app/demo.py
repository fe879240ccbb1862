"""Load the bundled demo (a fictional bike maker's communities) into the store and judge it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources

import yaml
from sqlalchemy.orm import Session

from gardien.actions.care_setup import do_set_care_settings
from gardien.actions.insights import Who, do_set_catalogue
from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.channels.file_import import ImportReport, ingest_stream
from gardien.channels.parse import Limits, Parsed, parse_json_line
from gardien.demo.bundle import DemoManifest, iter_channel_lines, load_manifest
from gardien.domain import Channel, Community, utcnow
from gardien.insights.catalogue import parse_catalogue
from gardien.store.communities import ensure_channel, ensure_community


@dataclass(slots=True)
class DemoReport:
    manifest: DemoManifest
    imports: list[ImportReport] = field(default_factory=list)
    triaged: int = 0


#: The demo brand's products, aspects and own accounts (shared with the insights area).
CATALOGUE = "velo-rouge.yaml"


def configure_brand(session: Session, communities: list[str]) -> None:
    """Tell care and insights who the brand is in every demo community: its own accounts
    answer and open no case; its products and aspects organise the reports."""
    text = resources.files("gardien.insights").joinpath("catalogues", CATALOGUE).read_text("utf-8")
    catalogue = parse_catalogue(yaml.safe_load(text))
    now = utcnow()
    for slug in communities:
        do_set_catalogue(session, Who("demo", now), slug, catalogue)
        do_set_care_settings(
            session, slug, now, actor="demo", brand_accounts=list(catalogue.brand_accounts)
        )


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
        configure_brand(session, [c.slug for c in manifest.communities])
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
