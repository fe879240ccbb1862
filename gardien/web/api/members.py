"""Members: their file (identities, standing, sanctions, notices, appeals), sanctions outside the
queue, identity links, acceptances of the code of conduct, the member's audit trail, notices
export, GDPR export and erasure (admins), and the public appeal by the notice's link."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gardien.actions import appeals, identities
from gardien.actions import applications as gatekeeping
from gardien.actions import audit as audit_log
from gardien.actions import members as actions
from gardien.app.runtime import Runtime
from gardien.domain.time import utcnow
from gardien.errors import NotFoundError
from gardien.pipeline.watched_words import policy_for
from gardien.policy.compiler import CompiledPolicy
from gardien.policy.schema import parse_duration
from gardien.store import members_lists, members_privacy, members_views
from gardien.store.communities import find_community
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.deps import runtime, session

router = APIRouter(prefix="/api/v1", tags=["members"])
Limit = Annotated[int, Query(ge=1, le=500)]
Moderator = Annotated[Principal, Depends(require(Role.moderator))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
Db = Annotated[Session, Depends(session)]
Rt = Annotated[Runtime, Depends(runtime)]


def who(principal: Principal) -> actions.Who:
    return actions.Who(f"user:{principal.username}", utcnow())


def policy_of(rt: Runtime, community: str) -> CompiledPolicy:
    """The community's compiled policy (its strike ladder, decay, rules and version)."""
    return policy_for(rt.context(), community)


def duration_of(text: str | None) -> timedelta | None:
    if not text:
        return None
    try:
        return parse_duration(text)
    except ValueError as error:
        raise actions.ActionRefused(str(error)) from None


def member_access(db: Session, principal: Principal, member_id: int, *roles: Role) -> str:
    """The member's community slug, if the principal may act there (else "not found")."""
    return access_community(principal, members_views.member_community(db, member_id), *roles)


class SanctionIn(BaseModel):
    kind: Literal["warn", "mute", "suspend", "ban", "hide", "remove", "censor"]
    rule: str = Field(description="The id of the community rule broken.")
    note: str = ""
    post_id: int | None = None
    duration: str | None = Field(None, description="e.g. 24h, 7d (mute, suspend).")


class AppealIn(BaseModel):
    sanction_id: int
    text: str = Field(min_length=1, max_length=5000)


class PublicAppealIn(BaseModel):
    token: str = Field(min_length=8, max_length=64)
    text: str = Field(min_length=1, max_length=5000)


class LinkIn(BaseModel):
    member_id: int
    reason: str = Field(min_length=1)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1)


class AcceptIn(BaseModel):
    version: int


class PageOut(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


def _page(items: list[dict[str, Any]], limit: int) -> PageOut:
    last = items[-1]["id"] if len(items) == limit else None
    return PageOut(items=items, next_cursor=cursors.encode(last) if last else None)


def _after(cursor: str | None) -> int:
    values = cursors.decode(cursor, 1)
    return int(values[0]) if values else 0


@router.get("/members", response_model=PageOut)
def list_members(
    principal: Moderator, db: Db, community: str, cursor: str | None = None, limit: Limit = 50
) -> PageOut:
    """Members of a community with trust level and active strikes."""
    access_community(principal, community, Role.moderator)
    row = find_community(db, community)
    return _page(members_lists.members(db, row.id, _after(cursor), limit), limit)


@router.get("/members/{member_id}")
def get_member(member_id: int, principal: Moderator, db: Db) -> dict[str, Any]:
    """The member's file: identities, standing, sanctions with evidence, notices, appeals."""
    member_access(db, principal, member_id, Role.moderator)
    return members_views.member_file(db, member_id, utcnow())


@router.post("/members/{member_id}/sanctions")
def sanction(
    member_id: int, body: SanctionIn, principal: Moderator, db: Db, rt: Rt
) -> dict[str, Any]:
    """Sanction a member on the community's ladder (warn = a strike; the ladder decides)."""
    slug = member_access(db, principal, member_id, Role.moderator)
    row = actions.do_sanction(
        db,
        who(principal),
        policy_of(rt, slug),
        member_id,
        body.kind,
        body.rule,
        body.note,
        post_id=body.post_id,
        duration=duration_of(body.duration),
    )
    return members_views.sanction_view(row)


@router.post("/members/{member_id}/appeals")
def record_appeal(member_id: int, body: AppealIn, principal: Moderator, db: Db) -> dict[str, Any]:
    """Record an appeal the member sent through their channel."""
    slug = member_access(db, principal, member_id, Role.moderator)
    if members_views.sanction_community(db, body.sanction_id) != slug:
        raise NotFoundError(f"no sanction {body.sanction_id}")
    actor = actions.Who(f"member:{member_id} via user:{principal.username}", utcnow())
    return members_views.appeal_view(appeals.do_appeal(db, actor, body.text, body.sanction_id))


@router.post("/appeals")
def public_appeal(body: PublicAppealIn, db: Db) -> dict[str, Any]:
    """The member's own appeal, with the token from their notice (no sign-in)."""
    appeal = appeals.do_appeal(db, actions.Who("member", utcnow()), body.text, token=body.token)
    return {"id": appeal.id, "status": appeal.status}


@router.post("/members/{member_id}/links")
def link(member_id: int, body: LinkIn, principal: Moderator, db: Db, rt: Rt) -> dict[str, Any]:
    """Link another identity of the same person into this member (one history, one ladder)."""
    slug = member_access(db, principal, member_id, Role.moderator)
    member_access(db, principal, body.member_id, Role.moderator)
    row = identities.do_link_identities(
        db,
        who(principal),
        member_id,
        body.member_id,
        body.reason,
        policy_of(rt, slug).policy.strikes,
    )
    return {"id": row.id, "primary_id": row.primary_id, "linked_id": row.linked_id}


@router.post("/members/links/{link_id}/undo")
def unlink(link_id: int, body: ReasonIn, principal: Moderator, db: Db, rt: Rt) -> dict[str, str]:
    """Undo a link: the identities are separate people again."""
    slug = member_access(db, principal, members_views.link_member(db, link_id), Role.moderator)
    identities.do_unlink(
        db, who(principal), link_id, body.reason, policy_of(rt, slug).policy.strikes
    )
    return {"status": "undone"}


@router.post("/members/{member_id}/acceptances")
def accept(member_id: int, body: AcceptIn, principal: Moderator, db: Db) -> dict[str, Any]:
    """Record the member's acceptance of a version of the code of conduct."""
    member_access(db, principal, member_id, Role.moderator)
    row = gatekeeping.do_accept_code(db, who(principal), member_id, body.version)
    return {"version": row.version, "accepted_at": row.accepted_at}


class FlagDecisionIn(BaseModel):
    outcome: Literal["confirmed", "cleared"] = Field(
        description="confirmed: the same person as the banned member; cleared: someone else."
    )
    note: str = Field("", max_length=2000)


@router.post("/members/evasion-flags/{flag_id}/decision")
def decide_flag(
    flag_id: int, body: FlagDecisionIn, principal: Moderator, db: Db, rt: Rt
) -> dict[str, Any]:
    """Decide a ban-evasion flag: confirmed links the member to the banned person (one ladder)
    and their running restrictions reach the new identity; cleared closes the review item the
    flag opened. Either way the flag is never raised again for this pair."""
    member_id = members_views.flag_member(db, flag_id)
    slug = member_access(db, principal, member_id, Role.moderator)
    if body.outcome == "confirmed":
        strikes = policy_of(rt, slug).policy.strikes
        identities.do_confirm_evasion(db, who(principal), flag_id, body.note, strikes)
    else:
        identities.do_clear_evasion(db, who(principal), flag_id, body.note)
    return next(f for f in members_views.evasion_flags(db, [member_id]) if f["id"] == flag_id)


@router.get("/members/{member_id}/audit")
def member_audit(member_id: int, principal: Moderator, db: Db) -> list[dict[str, Any]]:
    """Every audit entry about this member, newest first."""
    member_access(db, principal, member_id, Role.moderator)
    found = audit_log.search(db, audit_log.AuditFilter(target=f"member:{member_id}"), limit=500)
    return [{"id": entry_id, **_entry(entry)} for entry_id, entry in found]


def _entry(entry: Any) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "reason": entry.reason,
        "policy_version": entry.policy_version,
        "detail": entry.detail,
    }


@router.get("/notices")
def export_notices(
    principal: Moderator,
    db: Db,
    community: str,
    format: Literal["json", "csv"] = "json",
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """Statements of reasons sent to members (EU DSA), as JSON or CSV."""
    access_community(principal, community, Role.moderator)
    rows = members_lists.notices(db, find_community(db, community).id, since, until, limit=100_000)
    if format == "json":
        return rows
    out = io.StringIO()
    fields = ["id", "community", "member_id", "sanction_id", "kind", "language", "rule"]
    writer = csv.DictWriter(out, [*fields, "content", "subject", "body", "created_at"])
    writer.writeheader()
    for row in rows:
        writer.writerow({key: row[key] for key in writer.fieldnames})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


@router.get("/members/{member_id}/export")
def export_member(member_id: int, principal: Admin, db: Db) -> dict[str, Any]:
    """Everything held about the person (GDPR access and portability)."""
    member_access(db, principal, member_id, Role.admin)
    return members_privacy.export_person(db, member_id, utcnow())


@router.post("/members/{member_id}/erase")
def erase_member(member_id: int, body: ReasonIn, principal: Admin, db: Db) -> dict[str, Any]:
    """Pseudonymise the person's personal data; the audit trail stays whole."""
    member_access(db, principal, member_id, Role.admin)
    return {"erased": identities.do_erase_member(db, who(principal), member_id, body.reason)}
