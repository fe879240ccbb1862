"""Accounts: create users, grant roles, issue tokens, sign in. Each change is one transactional
`do_*` function that writes its audit entry; the readers below answer the access checks."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions import audit
from gardien.domain import AuditEntry
from gardien.errors import GardienError, NotFoundError
from gardien.store.communities import find_community
from gardien.store.tables import CommunityRow
from gardien.store.tables_accounts import ApiTokenRow, RoleGrantRow, UserRow

ROLES = ("community_manager", "moderator", "care_agent", "department", "marketing_lead")
LOCALES = ("en", "fr")
TOKEN_PREFIX = "gdn_"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10

_hasher = PasswordHasher()
#: Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("gardien-timing-equaliser")


class AccountError(GardienError):
    """A user, role or token request that cannot be carried out; the message says why."""

    code = "account"


@dataclass(frozen=True, slots=True)
class Grant:
    community: str
    role: str
    department: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the access checks and the admin page see them (never the password hash)."""

    id: int
    username: str
    display_name: str
    locale: str
    is_admin: bool
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    grants: tuple[Grant, ...] = ()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise NotFoundError(f"no user named {username!r}")
    return row


def _audit(
    session: Session,
    actor: str,
    action: str,
    target: str,
    now: datetime,
    community_id: int | None = None,
    **detail: object,
) -> None:
    """Global (admins read it), except a role granted or revoked in a community (its own)."""
    audit.record(
        session,
        AuditEntry(
            at=now,
            actor=actor,
            action=action,
            target=target,
            detail=dict(detail),
            community_id=community_id,
        ),
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def do_create_user(
    session: Session,
    username: str,
    password: str,
    *,
    actor: str,
    now: datetime,
    is_admin: bool = False,
    locale: str = "en",
    display_name: str = "",
) -> int:
    """Create a user (lower-case username, argon2-hashed password); the id of the new user."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(
            f"{username!r} is not a valid username: 2–64 of a-z 0-9 . _ -, starting with a letter or digit"
        )
    if locale not in LOCALES:
        raise AccountError(f"locale must be one of {', '.join(LOCALES)}")
    _check_password(password)
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise AccountError(f"a user named {username!r} already exists")
    row = UserRow(
        username=username,
        password_hash=hash_password(password),
        display_name=display_name or username,
        locale=locale,
        is_admin=is_admin,
        active=True,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, actor, "user.create", f"user:{username}", now, is_admin=is_admin)
    return row.id


def do_set_password(
    session: Session, username: str, password: str, *, actor: str, now: datetime
) -> None:
    _check_password(password)
    _user(session, username).password_hash = hash_password(password)
    _audit(session, actor, "user.password", f"user:{username}", now)


def do_set_admin(
    session: Session, username: str, is_admin: bool, *, actor: str, now: datetime
) -> None:
    _user(session, username).is_admin = is_admin
    _audit(session, actor, "user.admin", f"user:{username}", now, is_admin=is_admin)


def do_set_active(
    session: Session, username: str, active: bool, *, actor: str, now: datetime
) -> None:
    """Deactivate (or reactivate) a user: their sessions and tokens stop working at once."""
    _user(session, username).active = active
    _audit(session, actor, "user.active", f"user:{username}", now, active=active)


def do_set_locale(
    session: Session, username: str, locale: str, *, actor: str, now: datetime
) -> None:
    if locale not in LOCALES:
        raise AccountError(f"locale must be one of {', '.join(LOCALES)}")
    _user(session, username).locale = locale
    _audit(session, actor, "user.locale", f"user:{username}", now, locale=locale)


def do_grant_role(
    session: Session,
    username: str,
    community: str,
    role: str,
    *,
    actor: str,
    now: datetime,
    department: str | None = None,
) -> bool:
    """Give `role` in `community` to a user; False when they already held it."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)} (admin is given with --admin)")
    user, community_row = _user(session, username), find_community(session, community)
    existing = session.scalar(
        select(RoleGrantRow).where(
            RoleGrantRow.user_id == user.id,
            RoleGrantRow.community_id == community_row.id,
            RoleGrantRow.role == role,
        )
    )
    if existing is not None:
        return False
    session.add(
        RoleGrantRow(
            user_id=user.id,
            community_id=community_row.id,
            role=role,
            department=department,
            granted_at=now,
        )
    )
    session.flush()
    target, where = f"user:{username}", community_row.id
    _audit(session, actor, "role.grant", target, now, where, community=community, role=role)
    return True


def do_revoke_role(
    session: Session, username: str, community: str, role: str, *, actor: str, now: datetime
) -> bool:
    """Take `role` in `community` away from a user; False when they did not hold it."""
    user, community_row = _user(session, username), find_community(session, community)
    grant = session.scalar(
        select(RoleGrantRow).where(
            RoleGrantRow.user_id == user.id,
            RoleGrantRow.community_id == community_row.id,
            RoleGrantRow.role == role,
        )
    )
    if grant is None:
        return False
    session.delete(grant)
    target, where = f"user:{username}", community_row.id
    _audit(session, actor, "role.revoke", target, now, where, community=community, role=role)
    return True


def do_issue_token(session: Session, username: str, name: str, *, actor: str, now: datetime) -> str:
    """A new API token for the user; the plain token is returned once and never stored."""
    user = _user(session, username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiTokenRow(
            user_id=user.id,
            name=name[:100],
            token_hash=token_digest(token),
            prefix=token[:12],
            created_at=now,
        )
    )
    session.flush()
    _audit(session, actor, "token.issue", f"user:{username}", now, name=name, prefix=token[:12])
    return token


def do_revoke_token(session: Session, prefix: str, *, actor: str, now: datetime) -> int:
    """Revoke every live token starting with `prefix`; how many were revoked."""
    rows = list(
        session.scalars(
            select(ApiTokenRow).where(
                ApiTokenRow.prefix == prefix[:12], ApiTokenRow.revoked_at.is_(None)
            )
        )
    )
    for row in rows:
        row.revoked_at = now
        _audit(session, actor, "token.revoke", f"token:{row.prefix}", now)
    return len(rows)


def do_sign_in(session: Session, username: str, password: str, *, now: datetime) -> int | None:
    """The user id when the password is right for an active user, else None (and the same
    amount of work either way). A successful sign-in is audited; the hash is upgraded if stale."""
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    row.last_login_at = now
    _audit(session, f"user:{row.username}", "user.sign_in", f"user:{row.username}", now)
    return row.id


def user_for_token(session: Session, token: str, now: datetime) -> int | None:
    """The id of the active user a live token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = now
    return row.user_id


def account(session: Session, user_id: int) -> Account | None:
    """The active account with its grants, or None (missing or deactivated)."""
    row = session.get(UserRow, user_id)
    if row is None or not row.active:
        return None
    return _account(session, row)


def _account(session: Session, row: UserRow) -> Account:
    grants = tuple(
        Grant(community=slug, role=grant.role, department=grant.department)
        for grant, slug in session.execute(
            select(RoleGrantRow, CommunityRow.slug)
            .join(CommunityRow, CommunityRow.id == RoleGrantRow.community_id)
            .where(RoleGrantRow.user_id == row.id)
            .order_by(CommunityRow.slug, RoleGrantRow.role)
        )
    )
    return Account(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        locale=row.locale,
        is_admin=row.is_admin,
        active=row.active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        grants=grants,
    )


def list_accounts(session: Session) -> list[Account]:
    """Every user, active or not, with their grants, by username."""
    return [
        _account(session, row)
        for row in session.scalars(select(UserRow).order_by(UserRow.username))
    ]


def community_slugs(session: Session) -> frozenset[str]:
    return frozenset(session.scalars(select(CommunityRow.slug)))


#: The demo's people, one per role: (username, locale, admin, {community: roles}, department).
DEMO_USERS: tuple[tuple[str, str, bool, dict[str, tuple[str, ...]], str | None], ...] = (
    ("admin", "en", True, {}, None),
    (
        "manager",
        "fr",
        False,
        {"les-rouleurs": ("community_manager",), "red-velo-riders": ("community_manager",)},
        None,
    ),
    (
        "moderator",
        "en",
        False,
        {"les-rouleurs": ("moderator",), "red-velo-riders": ("moderator",)},
        None,
    ),
    ("moderatrice", "fr", False, {"les-rouleurs": ("moderator",)}, None),
    ("agent", "fr", False, {"support": ("care_agent",), "les-rouleurs": ("care_agent",)}, None),
    ("technical", "en", False, {"support": ("department",)}, "technical"),
    (
        "marketing",
        "en",
        False,
        {slug: ("marketing_lead",) for slug in ("les-rouleurs", "red-velo-riders", "support")},
        None,
    ),
)


def demo_password(username: str) -> str:
    """DEMO ONLY: a predictable password, so the demo's logins can be printed and typed."""
    return f"demo-{username}-gardien"


def do_create_demo_users(session: Session, now: datetime) -> list[tuple[str, str, list[str]]]:
    """Create the demo's users if missing (DEMO ONLY: known passwords);
    (username, password, ["role@community", …]) for each."""
    known = community_slugs(session)
    created = []
    for username, locale, admin, roles, department in DEMO_USERS:
        if session.scalar(select(UserRow.id).where(UserRow.username == username)) is None:
            do_create_user(
                session,
                username,
                demo_password(username),
                actor="demo",
                now=now,
                is_admin=admin,
                locale=locale,
            )
        for slug, held in roles.items():
            for role in held:
                if slug in known:
                    do_grant_role(
                        session, username, slug, role, actor="demo", now=now, department=department
                    )
        labels = (
            ["admin"]
            if admin
            else [f"{role}@{slug}" for slug, held in roles.items() for role in held]
        )
        created.append((username, demo_password(username), labels))
    return created
