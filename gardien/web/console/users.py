"""Users and roles (admins only): the list with each user's roles per community, and forms to
add a user, grant or revoke a role, and deactivate. JSON twins: /api/v1/users and /api/v1/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gardien.actions import accounts
from gardien.domain import utcnow
from gardien.errors import GardienError
from gardien.store.communities import all_communities
from gardien.web.access import Principal, Role, require
from gardien.web.console.render import render
from gardien.web.deps import session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["users"])
Admin = Annotated[Principal, Depends(require(Role.admin))]
Name = Annotated[str, Form(max_length=100)]


class GrantOut(BaseModel):
    community: str
    role: str
    department: str | None = None


class UserOut(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "username": "ana",
                    "display_name": "Ana",
                    "locale": "fr",
                    "is_admin": False,
                    "active": True,
                    "grants": [{"community": "les-rouleurs", "role": "moderator"}],
                }
            ]
        }
    }

    username: str
    display_name: str
    locale: str = Field(description="Interface language: en or fr.")
    is_admin: bool
    active: bool
    grants: list[GrantOut]


def user_out(account: accounts.Account) -> UserOut:
    return UserOut(
        username=account.username,
        display_name=account.display_name,
        locale=account.locale,
        is_admin=account.is_admin,
        active=account.active,
        grants=[
            GrantOut(community=g.community, role=g.role, department=g.department)
            for g in account.grants
        ],
    )


@api.get("/users", response_model=list[UserOut])
def users_json(db: Annotated[Session, Depends(session)], _: Admin) -> list[UserOut]:
    """Every user with their roles per community (admins only)."""
    return [user_out(account) for account in accounts.list_accounts(db)]


@api.get("/me", response_model=UserOut)
def me(
    db: Annotated[Session, Depends(session)], principal: Annotated[Principal, Depends(require())]
) -> UserOut:
    """The signed-in user (or the token's owner) with their roles."""
    account = accounts.account(db, principal.user_id)
    if account is None:  # deactivated between loading the principal and now
        raise GardienError("this account is no longer active")
    return user_out(account)


@router.get("/console/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Admin,
    error: str | None = None,
) -> HTMLResponse:
    context = {
        "users": accounts.list_accounts(db),
        "communities": all_communities(db),
        "roles": accounts.ROLES,
        "error": error,
    }
    return render(request, "users.html", context, principal)


@router.post("/console/users", response_class=HTMLResponse, response_model=None)
def add_user(
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Admin,
    username: Name,
    password: Annotated[str, Form(max_length=1000)],
    locale: Annotated[str, Form(pattern="^(en|fr)$")] = "en",
    is_admin: Annotated[bool, Form()] = False,
) -> HTMLResponse | RedirectResponse:
    try:
        with db.begin_nested():
            accounts.do_create_user(
                db,
                username,
                password,
                actor=f"user:{principal.username}",
                now=utcnow(),
                is_admin=is_admin,
                locale=locale,
            )
    except GardienError as error:
        return users_page(request, db, principal, error=str(error))
    return RedirectResponse("/console/users", status_code=303)


@router.post("/console/users/{username}/grants", response_class=HTMLResponse, response_model=None)
def grant(
    username: str,
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Admin,
    community: Name,
    role: Annotated[str, Form(max_length=30)],
    revoke: Annotated[bool, Form()] = False,
) -> HTMLResponse | RedirectResponse:
    actor, now = f"user:{principal.username}", utcnow()
    try:
        with db.begin_nested():
            if revoke:
                accounts.do_revoke_role(db, username, community, role, actor=actor, now=now)
            else:
                accounts.do_grant_role(db, username, community, role, actor=actor, now=now)
    except GardienError as error:
        return users_page(request, db, principal, error=str(error))
    return RedirectResponse("/console/users", status_code=303)


@router.post("/console/users/{username}/active", response_class=HTMLResponse, response_model=None)
def set_active(
    username: str,
    request: Request,
    db: Annotated[Session, Depends(session)],
    principal: Admin,
    active: Annotated[bool, Form()] = False,
) -> HTMLResponse | RedirectResponse:
    try:
        with db.begin_nested():
            accounts.do_set_active(
                db, username, active, actor=f"user:{principal.username}", now=utcnow()
            )
    except GardienError as error:
        return users_page(request, db, principal, error=str(error))
    return RedirectResponse("/console/users", status_code=303)
