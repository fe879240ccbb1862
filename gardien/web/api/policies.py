"""A community's policy through the API: read it, save a new version (live, shadow or kept),
list versions, dry-run a candidate over stored history, and see what the shadow version does."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gardien.actions.policies import do_save_policy, do_stop_shadow
from gardien.app.policies import compiled_policies, shadow_stats
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from gardien.domain.codec import reason_to_dict
from gardien.errors import NotFoundError, PolicyError
from gardien.policy.compiler import compile_text
from gardien.policy.defaults import default_policy_text
from gardien.policy.replay import Change, replay
from gardien.store import policies
from gardien.store.care_config import brand_handles
from gardien.store.communities import find_community, to_community
from gardien.store.policy_history import policy_history
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.deps import runtime, session

router = APIRouter(prefix="/api/v1/communities/{community}/policy", tags=["policy"])
EDITORS = (Role.community_manager,)
READERS = (Role.community_manager, Role.moderator)
Editor = Annotated[Principal, Depends(require(*EDITORS))]
Reader = Annotated[Principal, Depends(require(*READERS))]

EXAMPLE = "format: 1\ncommunity: velo\nlocale: fr\nwatched_words:\n  lists: []\n"


class VersionOut(BaseModel):
    version: str
    author: str
    note: str
    saved_at: datetime
    live: bool
    shadow: bool


class PolicyOut(BaseModel):
    community: str
    live: VersionOut | None = Field(description="None: the shipped default for the language.")
    text: str = Field(description="The live policy's YAML (the shipped default when none).")
    shadow: VersionOut | None = None


class PolicyIn(BaseModel):
    text: str = Field(max_length=2_000_000, examples=[EXAMPLE])
    use: Literal["live", "shadow", "keep"] = "live"
    note: str = Field("", max_length=2_000)


class SavedOut(BaseModel):
    version: str
    created: bool
    use: str


class DryRunIn(BaseModel):
    text: str = Field(max_length=2_000_000, examples=[EXAMPLE])
    limit: int | None = Field(None, ge=1, le=1_000_000, description="Newest posts only.")
    examples: int = Field(20, ge=0, le=200)


class ChangeOut(BaseModel):
    post_id: int | None
    external_id: str
    text: str
    before: str
    after: str
    reasons_before: list[dict[str, object]]
    reasons_after: list[dict[str, object]]


class DryRunOut(BaseModel):
    live_version: str
    candidate_version: str
    total: int
    changed: int
    live_counts: dict[str, int]
    candidate_counts: dict[str, int]
    newly_blocked: int
    released: int
    newly_blocked_examples: list[ChangeOut]
    released_examples: list[ChangeOut]
    rule_hits: dict[str, int]


class ShadowOut(BaseModel):
    version: str | None
    posts: int = 0
    agree: int = 0
    changes: list[dict[str, object]] = []
    rule_hits: dict[str, int] = {}


def _version(stored: policies.StoredVersion | None) -> VersionOut | None:
    if stored is None:
        return None
    return VersionOut(
        version=stored.version,
        author=stored.author,
        note=stored.note,
        saved_at=stored.saved_at,
        live=stored.live,
        shadow=stored.shadow,
    )


@router.get("", response_model=PolicyOut)
def get_policy(
    community: str, principal: Reader, db: Annotated[Session, Depends(session)]
) -> PolicyOut:
    """The live policy (text and version) and the version running in shadow, if any."""
    access_community(principal, community, *READERS)
    live, shadow = policies.active(db, community)
    if live is None:
        locales = to_community(find_community(db, community)).locales
        text = default_policy_text(locales[0] if locales else "en")
    else:
        text = live.text
    return PolicyOut(community=community, live=_version(live), text=text, shadow=_version(shadow))


@router.put("", response_model=SavedOut)
def save_policy(
    community: str,
    body: PolicyIn,
    principal: Editor,
    rt: Annotated[Runtime, Depends(runtime)],
) -> SavedOut:
    """Save a new version. An invalid file is refused with its line and reason; nothing changes."""
    access_community(principal, community, *EDITORS)
    with rt.database.session() as db:
        saved = do_save_policy(
            db, community, body.text, f"user:{principal.username}", utcnow(), body.use, body.note
        )
    rt.refresh()
    return SavedOut(version=saved.version, created=saved.created, use=saved.use)


@router.get("/versions", response_model=list[VersionOut])
def list_versions(
    community: str,
    principal: Reader,
    db: Annotated[Session, Depends(session)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[VersionOut]:
    """Saved versions, newest first."""
    access_community(principal, community, *READERS)
    return [v for v in (_version(s) for s in policies.versions(db, community, limit)) if v]


def _change(change: Change) -> ChangeOut:
    return ChangeOut(
        post_id=change.post_id,
        external_id=change.external_id,
        text=change.text,
        before=change.before.value,
        after=change.after.value,
        reasons_before=[reason_to_dict(r) for r in change.reasons_before],
        reasons_after=[reason_to_dict(r) for r in change.reasons_after],
    )


def _dry_run(rt: Runtime, community: str, body: DryRunIn) -> DryRunOut:
    candidate = compile_text(body.text, source=f"{community}.yaml")
    if candidate.version.community != community:
        raise PolicyError(
            f"{community}.yaml:1: community: this file is for "
            f"{candidate.version.community!r}, not {community!r}"
        )
    with rt.database.session() as db:
        live, _ = compiled_policies(rt.database, to_community(find_community(db, community)))
        history = policy_history(db, community, body.limit)
        brand = brand_handles(db, community)
        report = replay(history, live, candidate, body.examples, brand_accounts=brand)
    return DryRunOut(
        live_version=report.live_version,
        candidate_version=report.candidate_version,
        total=report.total,
        changed=report.changed,
        live_counts=dict(report.live_counts),
        candidate_counts=dict(report.candidate_counts),
        newly_blocked=report.newly_blocked_count,
        released=report.released_count,
        newly_blocked_examples=[_change(c) for c in report.newly_blocked],
        released_examples=[_change(c) for c in report.released],
        rule_hits={name: stats.hits for name, stats in report.rules.items()},
    )


@router.post("/dry-run", response_model=DryRunOut)
async def dry_run(
    community: str,
    body: DryRunIn,
    principal: Editor,
    rt: Annotated[Runtime, Depends(runtime)],
) -> DryRunOut:
    """Replay a candidate policy over the community's stored posts and report what would change
    versus the live one: counts per action, and the posts newly blocked or released, with reasons."""
    access_community(principal, community, *EDITORS)
    return await run_in_threadpool(_dry_run, rt, community, body)


@router.get("/shadow", response_model=ShadowOut)
def shadow(
    community: str,
    principal: Reader,
    db: Annotated[Session, Depends(session)],
    rt: Annotated[Runtime, Depends(runtime)],
) -> ShadowOut:
    """How the shadow version's decisions on live traffic compare with the live ones."""
    access_community(principal, community, *READERS)
    _, running = policies.active(db, community)
    if running is None:
        return ShadowOut(version=None)
    stats = shadow_stats(rt.database, running.version)
    return ShadowOut(
        version=running.version,
        posts=stats.posts,
        agree=stats.agree,
        changes=[
            {"live": live, "shadow": shadow_action, "posts": count}
            for (live, shadow_action), count in stats.changes.most_common()
        ],
        rule_hits=dict(stats.rule_hits),
    )


@router.delete("/shadow", response_model=SavedOut)
def stop_shadow(
    community: str, principal: Editor, rt: Annotated[Runtime, Depends(runtime)]
) -> SavedOut:
    """Stop the shadow run."""
    access_community(principal, community, *EDITORS)
    with rt.database.session() as db:
        _, running = policies.active(db, community)
        if running is None or not do_stop_shadow(
            db, community, f"user:{principal.username}", utcnow()
        ):
            raise NotFoundError("no shadow version is running")
    rt.refresh()
    return SavedOut(version=running.version, created=False, use="stopped")
