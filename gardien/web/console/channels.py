"""The channels page: each channel's health, last poll and last error, for admins and the
managers of its community. Its JSON twin is GET /api/v1/channels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gardien.channels import state
from gardien.web.access import Principal, Role, require
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)


@router.get("/console/channels", response_class=HTMLResponse)
def channels_page(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Annotated[Principal, Depends(require(Role.community_manager))],
) -> HTMLResponse:
    """Where each channel stands: healthy, failing (and why), resting until when."""
    allowed = principal.communities(Role.community_manager)
    views = [v for v in state.health(db) if principal.is_admin or v.community in allowed]
    return render(request, "channels.html", {"channels": views}, principal)
