"""`gardien user`: create users, give and take roles, issue API tokens, list who can do what."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.cli.common import echo_table, friendly_errors, start
from gardien.domain import utcnow

user_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)
ACTOR = "cli"
ROLE_HELP = "One of: " + ", ".join(accounts.ROLES) + "."


@contextmanager
def _store() -> Iterator[Session]:
    """One transaction on the configured database; connections closed however it ends."""
    with friendly_errors():
        runtime = start()
        try:
            with runtime.database.session() as session:
                yield session
        finally:
            runtime.database.dispose()


def _password(password: str | None, generate: bool) -> str:
    if generate:
        return secrets.token_urlsafe(12)
    if password:
        return password
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


@user_app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name (a-z 0-9 . _ -)."),
    role: list[str] = typer.Option([], "--role", help=ROLE_HELP),
    community: list[str] = typer.Option([], "--community", help="Community slug (repeatable)."),
    admin: bool = typer.Option(False, "--admin", help="Global administrator: sees everything."),
    locale: str = typer.Option("en", help="Interface language: en or fr."),
    password: str | None = typer.Option(
        None, envvar="GARDIEN_NEW_PASSWORD", help="The password (else asked for, hidden)."
    ),
    generate: bool = typer.Option(False, "--generate-password", help="Make one up and print it."),
) -> None:
    """Create a user, with each --role in each --community. The first user should be --admin."""
    if role and not community:
        raise typer.BadParameter("--role needs at least one --community", param_hint="--role")
    secret = _password(password, generate)
    with _store() as session:
        now = utcnow()
        accounts.do_create_user(
            session, username, secret, actor=ACTOR, now=now, is_admin=admin, locale=locale
        )
        for slug in community:
            for each in role:
                accounts.do_grant_role(session, username, slug, each, actor=ACTOR, now=now)
    grants = [f"{each}@{slug}" for slug in community for each in role]
    typer.echo(
        f"created {username}"
        + (" (admin)" if admin else "")
        + (f": {', '.join(grants)}" if grants else "")
    )
    if generate:
        typer.echo(f"password: {secret}")


@user_app.command("grant")
def grant(
    username: str,
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    community: str = typer.Option(..., "--community"),
    department: str | None = typer.Option(None, help="For the department role: its name."),
) -> None:
    """Give a role in a community."""
    with _store() as session:
        added = accounts.do_grant_role(
            session, username, community, role, actor=ACTOR, now=utcnow(), department=department
        )
    typer.echo(f"{username}: {role}@{community}" + ("" if added else " (already held)"))


@user_app.command("revoke")
def revoke(
    username: str,
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    community: str = typer.Option(..., "--community"),
) -> None:
    """Take a role in a community away."""
    with _store() as session:
        removed = accounts.do_revoke_role(
            session, username, community, role, actor=ACTOR, now=utcnow()
        )
    typer.echo(f"{username}: {role}@{community} " + ("revoked" if removed else "was not held"))


@user_app.command("password")
def password_command(
    username: str,
    password: str | None = typer.Option(None, envvar="GARDIEN_NEW_PASSWORD"),
    generate: bool = typer.Option(False, "--generate-password"),
) -> None:
    """Set a new password."""
    secret = _password(password, generate)
    with _store() as session:
        accounts.do_set_password(session, username, secret, actor=ACTOR, now=utcnow())
    typer.echo(f"password of {username} changed" + (f": {secret}" if generate else ""))


@user_app.command("deactivate")
def deactivate(username: str) -> None:
    """Stop a user's sessions and tokens from working (their audit trail stays)."""
    with _store() as session:
        accounts.do_set_active(session, username, False, actor=ACTOR, now=utcnow())
    typer.echo(f"{username} deactivated")


@user_app.command("token")
def token(
    username: str,
    name: str = typer.Option("cli", help="What the token is for (shown in listings)."),
    revoke: str | None = typer.Option(None, help="Revoke the tokens starting with this prefix."),
) -> None:
    """Issue an API token (printed once: send it as 'Authorization: Bearer <token>')."""
    with _store() as session:
        if revoke:
            count = accounts.do_revoke_token(session, revoke, actor=ACTOR, now=utcnow())
            typer.echo(f"revoked {count} token(s)")
        else:
            typer.echo(accounts.do_issue_token(session, username, name, actor=ACTOR, now=utcnow()))


@user_app.command("list")
def list_users() -> None:
    """Every user with their roles."""
    with _store() as session:
        users = accounts.list_accounts(session)
    rows = [
        [
            user.username,
            "admin" if user.is_admin else "",
            ", ".join(f"{g.role}@{g.community}" for g in user.grants),
            user.locale,
            "" if user.active else "inactive",
        ]
        for user in users
    ]
    echo_table(rows, ["user", "admin", "roles", "locale", "status"])


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


def echo_demo_logins(runtime: Runtime) -> None:
    """Create the demo's users (one per role) and print their DEMO-ONLY logins."""
    with runtime.database.session() as session:
        logins = accounts.do_create_demo_users(session, utcnow())
    typer.echo("\nDemo logins (DEMO ONLY: these passwords are public, never use them for real):")
    echo_table(
        [[name, password, ", ".join(roles)] for name, password, roles in logins],
        ["user", "password", "roles"],
    )
