"""Communities and channels: create them idempotently, find them by name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.domain import Channel, Community
from gardien.errors import NotFoundError
from gardien.store.tables import ChannelRow, CommunityRow


def ensure_community(session: Session, community: Community) -> CommunityRow:
    """The row for `community`, created or updated from the record."""
    row = session.scalar(select(CommunityRow).where(CommunityRow.slug == community.slug))
    settings = {
        "locales": list(community.locales),
        "off_limit_themes": list(community.off_limit_themes),
        "watched_words": list(community.watched_words),
    }
    if row is None:
        row = CommunityRow(
            slug=community.slug,
            name=community.name,
            description=community.description,
            settings=settings,
        )
        session.add(row)
    else:
        row.name, row.description = community.name, community.description
        row.settings = {**row.settings, **settings}
    session.flush()
    return row


def ensure_channel(session: Session, channel: Channel) -> ChannelRow:
    """The row for `channel`, created if missing; its community must exist."""
    community = find_community(session, channel.community)
    row = session.scalar(select(ChannelRow).where(ChannelRow.name == channel.name))
    if row is None:
        row = ChannelRow(
            name=channel.name,
            kind=channel.kind,
            community_id=community.id,
            settings=dict(channel.settings),
        )
        session.add(row)
    else:
        row.kind, row.community_id = channel.kind, community.id
    session.flush()
    return row


def find_community(session: Session, slug: str) -> CommunityRow:
    row = session.scalar(select(CommunityRow).where(CommunityRow.slug == slug))
    if row is None:
        raise NotFoundError(f"no community named {slug!r}")
    return row


def find_channel(session: Session, name: str) -> ChannelRow:
    row = session.scalar(select(ChannelRow).where(ChannelRow.name == name))
    if row is None:
        raise NotFoundError(
            f"no channel named {name!r}; create it first (gardien channel add) or check the name"
        )
    return row


def to_community(row: CommunityRow) -> Community:
    """The domain record of a stored community."""
    settings = row.settings or {}
    return Community(
        slug=row.slug,
        name=row.name,
        description=row.description,
        locales=tuple(settings.get("locales", ["en"])),
        off_limit_themes=tuple(settings.get("off_limit_themes", [])),
        watched_words=tuple(settings.get("watched_words", [])),
    )


def all_communities(session: Session) -> list[Community]:
    return [
        to_community(row)
        for row in session.scalars(select(CommunityRow).order_by(CommunityRow.slug))
    ]
