"""The policy editor: a community manager reads the live policy, edits its YAML, validates it,
dry-runs it over stored history, and saves it live or in shadow. The page is server-rendered;
its buttons post to the policy JSON API (gardien/web/api/policies.py) with the CSRF header."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gardien.actions.policies import do_save_policy
from gardien.app.policies import shadow_stats
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from gardien.errors import PolicyError
from gardien.policy.compiler import compile_text
from gardien.policy.defaults import default_policy_text
from gardien.store import policies
from gardien.store.communities import find_community, to_community
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.console.render import render
from gardien.web.deps import runtime, session

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(session)]
Manager = Annotated[Principal, Depends(require(Role.community_manager))]
RT = Annotated[Runtime, Depends(runtime)]
Slug = Annotated[str, Path(min_length=1, max_length=100)]
#: "velo.yaml:16: watched_words…" — the file, the line, the reason.
LINE = re.compile(r"^[^:\s]+\.ya?ml:(\d+):\s*(.*)$", re.DOTALL)


@router.get("/console/policies", response_model=None)
def policies_page(request: Request, principal: Manager) -> HTMLResponse | RedirectResponse:
    """The communities whose policy the caller may edit; straight to the editor when only one."""
    slugs = sorted(principal.communities(Role.community_manager))
    if len(slugs) == 1:
        return RedirectResponse(f"/console/communities/{slugs[0]}/policy", status_code=303)
    return render(request, "policy/index.html", {"slugs": slugs}, principal)


@router.get("/console/communities/{slug}/policy", response_class=HTMLResponse)
def policy_page(
    slug: Slug,
    request: Request,
    db: DB,
    principal: Manager,
    rt: RT,
    saved: Annotated[str | None, Query(max_length=200)] = None,
    use: Annotated[Literal["live", "shadow"], Query()] = "live",
) -> HTMLResponse:
    """The live policy's YAML in an editor, with the saved versions (live and shadow marked)."""
    access_community(principal, slug, Role.community_manager)
    context = {**_context(rt, db, slug, None, saved), "saved_use": use}
    return render(request, "policy/editor.html", context, principal)


def _context(
    rt: Runtime, db: Session, slug: str, text: str | None, saved: str | None
) -> dict[str, Any]:
    live, shadow = policies.active(db, slug)
    if text is None and live is None:
        locales = to_community(find_community(db, slug)).locales
        shipped = default_policy_text(locales[0] if locales else "en")
        # The shipped default names no community; this copy is the community's own.
        text = re.sub(r"^community: .*$", f"community: {slug}", shipped, count=1, flags=re.M)
    return {
        "slug": slug,
        "live": live,
        "shadow": shadow,
        "text": live.text if text is None and live is not None else text,
        "versions": policies.versions(db, slug, 20),
        "saved": saved,
        "shadow_stats": shadow_stats(rt.database, shadow.version) if shadow else None,
        "error": None,
        "error_line": None,
        "valid": None,
    }


@router.post("/console/communities/{slug}/policy", response_model=None)
def policy_form(
    slug: Slug,
    request: Request,
    db: DB,
    principal: Manager,
    rt: RT,
    text: Annotated[str, Form(max_length=2_000_000)],
    use: Annotated[Literal["validate", "live", "shadow"], Form()],
    note: Annotated[str, Form(max_length=2_000)] = "",
) -> HTMLResponse | RedirectResponse:
    """The editor without JavaScript: validate or save the posted text; an invalid file comes
    back in the editor with its line and reason, and nothing is saved."""
    access_community(principal, slug, Role.community_manager)
    context = _context(rt, db, slug, text, None)
    try:
        if use == "validate":
            candidate = compile_text(text, source=f"{slug}.yaml")
            if candidate.version.community != slug:
                raise PolicyError(
                    f"{slug}.yaml:1: community: this file is for "
                    f"{candidate.version.community!r}, not {slug!r}"
                )
            context["valid"] = candidate.version.id
        else:
            with rt.database.session() as writing:
                saved = do_save_policy(
                    writing, slug, text, f"user:{principal.username}", utcnow(), use, note
                )
            rt.refresh()
            return RedirectResponse(
                f"{request.url.path}?saved={saved.version}&use={use}", status_code=303
            )
    except PolicyError as error:
        found = LINE.match(str(error))
        context["error"] = found.group(2) if found else str(error)
        context["error_line"] = int(found.group(1)) if found else None
    status = 422 if context["error"] else 200
    return render(request, "policy/editor.html", context, principal, status_code=status)
