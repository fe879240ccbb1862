"""The audit log as JSON: every action by a person or a rule, newest first, with filters and a
cursor. A reader sees the entries of the communities where they moderate or manage; an admin
sees every entry, the global ones (users, tokens, dead letters) included. The console page
/console/audit runs the same search (`search` below)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from gardien.actions import audit as audit_log
from gardien.domain import ensure_utc
from gardien.errors import NotFoundError
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.deps import session

router = APIRouter(prefix="/api/v1", tags=["audit"])
#: Moderators read their communities' log; community managers and admins pass this check too.
Reader = Annotated[Principal, Depends(require(Role.moderator))]
Db = Annotated[Session, Depends(session)]
Text = Annotated[str | None, Query(max_length=200)]
#: The kinds of object an entry's target names (`item:12`, `community:velo`, …).
ObjectType = Literal[
    "item",
    "post",
    "member",
    "application",
    "case",
    "alert",
    "event",
    "giveaway",
    "report_schedule",
    "community",
    "channel",
    "user",
    "token",
    "dead_letter",
]
OBJECT_TYPES: tuple[str, ...] = get_args(ObjectType)


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": 812,
                "at": "2026-11-02T08:15:00Z",
                "actor": "user:ana",
                "action": "item.removed",
                "target": "item:42",
                "community": "velo",
                "reason": "respect",
                "policy_version": "velo@3",
                "detail": {"post": 1234, "rule": "respect", "actions": ["remove", "warn"]},
            }
        }
    )

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    community: str | None
    reason: str
    policy_version: str
    detail: dict[str, Any]


class AuditPageOut(BaseModel):
    """A page of entries; pass `next_cursor` back as `cursor` for older ones."""

    items: list[AuditEntryOut]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """The filters of a search, as the API and the console page receive them."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    target: str | None = None
    community: str | None = None
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(
    db: Session, principal: Principal, query: AuditQuery, cursor: str | None, limit: int
) -> AuditPageOut:
    """The entries `principal` may read that match `query`, newest first. A community the
    reader does not work in answers "not found", like one that does not exist."""
    readable = principal.communities(Role.moderator)
    if query.community:
        readable = frozenset({access_community(principal, query.community, Role.moderator)})
    ids = audit_log.community_ids(db, readable)
    if query.community and query.community not in ids:
        raise NotFoundError(f"no community named {query.community!r}")
    scope = None if principal.is_admin and not query.community else frozenset(ids.values())
    where = audit_log.AuditFilter(
        actor=query.actor or None,
        action=query.action or None,
        target=query.target or None,
        since=ensure_utc(query.since) if query.since else None,
        until=ensure_utc(query.until) if query.until else None,
        text=query.text or None,
        object_type=query.object_type or None,
        object_id=query.object_id or None,
        communities=scope,
    )
    before = cursors.decode(cursor, 1)
    found = audit_log.search(db, where, limit, int(before[0]) if before else None)
    slugs = audit_log.community_slugs(db) if found else {}
    items = [
        AuditEntryOut(
            id=entry_id,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            community=slugs.get(entry.community_id) if entry.community_id else None,
            reason=entry.reason,
            policy_version=entry.policy_version,
            detail=entry.detail,
        )
        for entry_id, entry in found
    ]
    last = items[-1].id if len(items) == limit else None
    return AuditPageOut(items=items, next_cursor=cursors.encode(last) if last else None)


@router.get("/audit", response_model=AuditPageOut)
def search_audit(
    principal: Reader,
    db: Db,
    actor: Text = None,
    action: Text = None,
    object_type: ObjectType | None = None,
    object_id: Text = None,
    target: Annotated[str | None, Query(max_length=200, description="type:id, exactly")] = None,
    community: Text = None,
    text: Annotated[str | None, Query(max_length=200, description="words of the reason")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPageOut:
    """Search the append-only audit log, newest first: by who (`user:ana`, `rule:…`), what
    (`item.removed`), which object (`object_type`, `object_id`), community, words of the reason
    and time (`since` inclusive, `until` exclusive). Moderators and community managers read
    their communities' entries; admins read all of them, global ones included."""
    query = AuditQuery(actor, action, object_type, object_id, target, community, text, since, until)
    return search(db, principal, query, cursor, limit)
