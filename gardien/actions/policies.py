"""Saving a policy: every save is a new version (author, time, content hash), made live or run
in shadow, in one transaction with its audit entry. A bad file changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions.audit import record
from gardien.domain import AuditEntry
from gardien.errors import PolicyError
from gardien.policy.loader import new_version, parse_policy
from gardien.store.communities import find_community
from gardien.store.tables_policy import PolicyStateRow, PolicyVersionRow

Use = Literal["live", "shadow", "keep"]


@dataclass(frozen=True, slots=True)
class Saved:
    version: str
    created: bool
    use: Use


def do_save_policy(
    session: Session,
    slug: str,
    text: str,
    author: str,
    now: datetime,
    use: Use = "live",
    note: str = "",
) -> Saved:
    """Check `text`, store it as a version of community `slug` (saving the same text again reuses
    its version), and make it live, put it in shadow, or just keep it. PolicyError when the text
    is invalid or names another community; nothing is written then."""
    policy = parse_policy(text, source=f"{slug}.yaml")
    if policy.community != slug:
        raise PolicyError(
            f"{slug}.yaml:1: community: this file is for {policy.community!r}, not {slug!r}"
        )
    community = find_community(session, slug)
    version = new_version(policy, text, author, now)
    row = session.scalar(
        select(PolicyVersionRow).where(
            PolicyVersionRow.community_id == community.id,
            PolicyVersionRow.digest == version.digest,
        )
    )
    created = row is None
    if row is None:
        row = PolicyVersionRow(
            community_id=community.id,
            version=version.id,
            digest=version.digest,
            text=text,
            author=author,
            note=note,
            saved_at=now,
        )
        session.add(row)
        session.flush()
    if use != "keep":
        state = session.get(PolicyStateRow, community.id)
        if state is None:
            state = PolicyStateRow(community_id=community.id, updated_at=now, updated_by=author)
            session.add(state)
        if use == "live":
            state.live_id = row.id
            if state.shadow_id == row.id:
                state.shadow_id = None
        else:
            state.shadow_id = row.id
        state.updated_at, state.updated_by = now, author
    record(
        session,
        AuditEntry(
            at=now,
            actor=author,
            action=f"policy.{'save' if use == 'keep' else use}",
            target=f"community:{slug}",
            reason=note,
            policy_version=row.version,
            detail={"created": created},
            community_id=community.id,
        ),
    )
    return Saved(version=row.version, created=created, use=use)


def do_stop_shadow(session: Session, slug: str, author: str, now: datetime) -> bool:
    """End the shadow run of community `slug`; False when none was running."""
    community = find_community(session, slug)
    state = session.get(PolicyStateRow, community.id)
    if state is None or state.shadow_id is None:
        return False
    shadow = session.get_one(PolicyVersionRow, state.shadow_id)
    state.shadow_id, state.updated_at, state.updated_by = None, now, author
    record(
        session,
        AuditEntry(
            at=now,
            actor=author,
            action="policy.shadow_stop",
            target=f"community:{slug}",
            policy_version=shadow.version,
            community_id=community.id,
        ),
    )
    return True
