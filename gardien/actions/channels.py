"""Changes to a channel's connection: settings (credentials included), pausing, and starting
listening over. Each do_* runs in the caller's transaction and writes its audit entry, which
names the settings changed but never a credential's value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gardien.actions import audit
from gardien.channels.adapter import is_secret, masked_settings
from gardien.domain import AuditEntry
from gardien.store.communities import find_channel
from gardien.store.tables_channels import ChannelStateRow


def do_configure_channel(
    session: Session,
    name: str,
    actor: str,
    now: datetime,
    changes: Mapping[str, Any],
    removed: tuple[str, ...] = (),
    reason: str = "",
) -> dict[str, Any]:
    """Set and remove settings of channel `name`; returns its settings, credentials masked."""
    row = find_channel(session, name)
    settings = {**(row.settings or {}), **changes}
    for key in removed:
        settings.pop(key, None)
    row.settings = settings
    audit.record(
        session,
        AuditEntry(
            now,
            actor,
            "channel.configure",
            f"channel:{name}",
            reason,
            "",
            {
                "set": masked_settings(dict(changes)),
                "removed": list(removed),
                "credentials_changed": sorted(k for k in [*changes, *removed] if is_secret(k)),
            },
            community_id=row.community_id,
        ),
    )
    return masked_settings(settings)


def do_reset_cursor(
    session: Session, name: str, actor: str, now: datetime, reason: str = ""
) -> None:
    """Forget where listening got to and clear the channel's rest, so the next poll starts
    afresh (ingest keeps it from duplicating what it already has)."""
    row = find_channel(session, name)
    state = session.get(ChannelStateRow, row.id)
    if state is not None:
        state.cursor, state.next_poll_at, state.failures = {}, None, 0
    audit.record(
        session,
        AuditEntry(
            now,
            actor,
            "channel.reset_cursor",
            f"channel:{name}",
            reason,
            "",
            {},
            community_id=row.community_id,
        ),
    )
