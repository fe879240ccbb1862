"""The review queue's API: items most severe first with their claim, one item with its thread,
reasons and author history, claims, verdicts (one or several actions with a rule), bulk verdicts,
the rule list, and appeals decided by another moderator. A claimed or handled item answers 409."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gardien.actions import appeals
from gardien.actions import members as member_actions
from gardien.actions import moderation as actions
from gardien.domain.time import utcnow
from gardien.store import members_lists, members_repo, members_views
from gardien.store.communities import find_community
from gardien.web.access import Role, access_community
from gardien.web.api import cursor as cursors
from gardien.web.api.members import Db, Moderator, PageOut, Rt, duration_of, policy_of, who

router = APIRouter(prefix="/api/v1/moderation", tags=["moderation"])
Limit = Annotated[int, Query(ge=1, le=500)]
ActionName = Literal["approve", "hide", "remove", "censor", "warn", "mute", "suspend", "ban"]


class VerdictIn(BaseModel):
    action: ActionName
    rule: str = Field("", description="The id of the rule broken (required except to approve).")
    note: str = ""
    also: list[ActionName] = Field([], description="More actions, e.g. remove + warn.")
    duration: str | None = Field(None, description="For mute/suspend, e.g. 24h or 7d.")
    censored_text: str | None = Field(None, description="For censor; default masks the spans.")
    similar: bool = Field(False, description="Also act on the author's near-identical posts.")

    def verdict(self) -> actions.Verdict:
        return actions.Verdict(
            self.action,
            self.rule,
            self.note,
            tuple(self.also),
            duration_of(self.duration),
            self.censored_text,
            self.similar,
        )


class BulkIn(VerdictIn):
    community: str
    items: list[int] = Field(min_length=1, max_length=500)


class OutcomeOut(BaseModel):
    item: int
    status: str
    sanctions: list[int] = []
    similar: list[int] = []


class BulkOut(BaseModel):
    done: list[OutcomeOut]
    refused: list[dict[str, Any]]


class ClaimOut(BaseModel):
    id: int
    claimed_by: str | None
    claim_expires_at: Any


class DecisionIn(BaseModel):
    outcome: Literal["upheld", "dismissed"]
    note: str = ""


def _item_access(db: Db, principal: Moderator, item_id: int) -> str:
    return access_community(principal, members_views.item_community(db, item_id), Role.moderator)


def _rules(db: Db, rt: Rt, slug: str) -> list[dict[str, str]]:
    policy = policy_of(rt, slug)
    community = find_community(db, slug)
    return members_repo.community_rules(db, community.id, member_actions.policy_rules(policy))


@router.get("/items", response_model=PageOut)
def list_items(
    principal: Moderator,
    db: Db,
    community: str | None = None,
    status: str = "open",
    cursor: str | None = None,
    limit: Limit = 50,
) -> PageOut:
    """Items most severe first, oldest first among equals, with who holds each claim."""
    allowed = principal.communities(Role.moderator)
    if community:
        allowed = frozenset({access_community(principal, community, Role.moderator)})
    values = cursors.decode(cursor, 2)
    after = None if values is None else (values[0], int(values[1]))
    items = members_views.queue(db, allowed, status, after, limit)
    last = items[-1] if len(items) == limit else None
    return PageOut(
        items=items, next_cursor=cursors.encode(last["severity"], last["id"]) if last else None
    )


@router.get("/items/{item_id}")
def get_item(item_id: int, principal: Moderator, db: Db, rt: Rt) -> dict[str, Any]:
    """One item: the post in its thread, the decision's reasons and signals, the author's
    history (strikes, sanctions, recent posts, trust level) and the rules one may cite."""
    slug = _item_access(db, principal, item_id)
    return members_views.item_detail(db, item_id, utcnow(), _rules(db, rt, slug))


@router.post("/items/{item_id}/claim", response_model=ClaimOut)
def claim(item_id: int, principal: Moderator, db: Db) -> ClaimOut:
    """Hold the item for a few minutes so nobody else acts on it (409 if someone holds it)."""
    _item_access(db, principal, item_id)
    actions.do_claim(db, who(principal), item_id)
    item = members_views.queue_item(db, item_id)
    return ClaimOut(id=item_id, claimed_by=item.claimed_by, claim_expires_at=item.claim_expires_at)


@router.post("/items/{item_id}/release")
def release(item_id: int, principal: Moderator, db: Db) -> dict[str, str]:
    """Give the item back to the queue."""
    _item_access(db, principal, item_id)
    actions.do_release(db, who(principal), item_id)
    return {"status": "open"}


@router.post("/items/{item_id}/actions", response_model=OutcomeOut)
def act(item_id: int, body: VerdictIn, principal: Moderator, db: Db, rt: Rt) -> OutcomeOut:
    """Act on the item: approve, hide, remove, censor, warn, mute, suspend, ban (with `also`
    for several at once), citing a rule; the author gets a statement of reasons."""
    slug = _item_access(db, principal, item_id)
    outcome = actions.do_act(db, who(principal), policy_of(rt, slug), item_id, body.verdict())
    return OutcomeOut.model_validate(outcome, from_attributes=True)


@router.post("/bulk", response_model=BulkOut)
def bulk(body: BulkIn, principal: Moderator, db: Db, rt: Rt) -> BulkOut:
    """The same verdict on a selection; items held by someone else are listed in `refused`."""
    access_community(principal, body.community, Role.moderator)
    community = find_community(db, body.community)
    report = actions.do_bulk(
        db, who(principal), policy_of(rt, body.community), community.id, body.items, body.verdict()
    )
    return BulkOut(
        done=[OutcomeOut.model_validate(item, from_attributes=True) for item in report.done],
        refused=report.refused,
    )


@router.get("/rules")
def rules(community: str, principal: Moderator, db: Db, rt: Rt) -> list[dict[str, str]]:
    """The rules a moderator cites: the code of conduct's, else the policy's rule names."""
    access_community(principal, community, Role.moderator)
    return _rules(db, rt, community)


@router.get("/appeals", response_model=PageOut)
def list_appeals(
    principal: Moderator,
    db: Db,
    community: str,
    status: str | None = "open",
    cursor: str | None = None,
    limit: Limit = 50,
) -> PageOut:
    """Appeals with the sanction and its evidence (kept even if the post left the channel)."""
    access_community(principal, community, Role.moderator)
    values = cursors.decode(cursor, 1)
    items = members_lists.appeals(
        db, find_community(db, community).id, status, int(values[0]) if values else 0, limit
    )
    last = items[-1]["id"] if len(items) == limit else None
    return PageOut(items=items, next_cursor=cursors.encode(last) if last else None)


@router.post("/appeals/{appeal_id}/decision")
def decide(
    appeal_id: int, body: DecisionIn, principal: Moderator, db: Db, rt: Rt
) -> dict[str, Any]:
    """Decide an appeal (not one's own sanction): upheld lifts the sanction and its strike."""
    slug = access_community(
        principal, members_views.appeal_community(db, appeal_id), Role.moderator
    )
    row = appeals.do_decide_appeal(
        db, who(principal), policy_of(rt, slug), appeal_id, body.outcome == "upheld", body.note
    )
    return members_views.appeal_view(row)
