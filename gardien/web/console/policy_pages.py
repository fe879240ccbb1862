"""The policy editor: a community manager reads the live policy, edits its YAML, validates it,
dry-runs it over stored history, and saves it live or in shadow. The page is server-rendered;
its buttons post to the policy JSON API (gardien/web/api/policies.py) with the CSRF header."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gardien.policy.defaults import default_policy_text
from gardien.store import policies
from gardien.store.communities import find_community, to_community
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(session)]
Manager = Annotated[Principal, Depends(require(Role.community_manager))]
Slug = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/console/policies", response_model=None)
def policies_page(request: Request, principal: Manager) -> HTMLResponse | RedirectResponse:
    """The communities whose policy the caller may edit; straight to the editor when only one."""
    slugs = sorted(principal.communities(Role.community_manager))
    if len(slugs) == 1:
        return RedirectResponse(f"/console/communities/{slugs[0]}/policy", status_code=303)
    return render(request, "policy/index.html", {"slugs": slugs}, principal)


@router.get("/console/communities/{slug}/policy", response_class=HTMLResponse)
def policy_page(
    slug: Slug, request: Request, db: DB, principal: Manager, saved: str | None = None
) -> HTMLResponse:
    """The live policy's YAML in an editor, with the saved versions (live and shadow marked)."""
    access_community(principal, slug, Role.community_manager)
    live, shadow = policies.active(db, slug)
    if live is None:
        locales = to_community(find_community(db, slug)).locales
        text = default_policy_text(locales[0] if locales else "en")
    else:
        text = live.text
    context = {
        "slug": slug,
        "live": live,
        "shadow": shadow,
        "text": text,
        "versions": policies.versions(db, slug, 20),
        "saved": saved,
    }
    return render(request, "policy/editor.html", context, principal)
