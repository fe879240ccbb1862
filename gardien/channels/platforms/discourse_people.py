"""Discourse's user webhooks (`X-Discourse-Event-Type: user`) as person events.

Discourse documents these user events: `user_created`, `user_approved`, `user_updated`,
`user_confirmed_email`, `user_logged_in`, `user_logged_out`, `user_destroyed`, `user_suspended`
and `user_unsuspended`; the body is `{"user": …}` in the shape of its user serializer (`id`,
`username`, `name`, `created_at`, `trust_level`, `moderator`, `admin`, `email` for an admin's
key, and `suspended_till` / `suspend_reason` while suspended). Silencing has no event of its own:
when a payload carries `silenced_till` (a date: silenced until then; empty: not silenced) it is
read, and a payload without it says nothing about silence."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from gardien.channels.format import IncomingAuthor
from gardien.channels.parse import describe
from gardien.channels.people import PersonEvent
from gardien.channels.platforms.backfill import parse_time
from gardien.errors import IngestError

USER_EVENTS = {
    "user_created",
    "user_approved",
    "user_updated",
    "user_confirmed_email",
    "user_logged_in",
    "user_logged_out",
    "user_destroyed",
    "user_suspended",
    "user_unsuspended",
}
#: Discourse suspends "forever" with a date a thousand years away: from this year on, a ban.
FOREVER_FROM = 2100


def people_of(event: str, body: bytes, now: datetime) -> list[PersonEvent]:
    """The person event of a Discourse user webhook (none for other events)."""
    if event not in USER_EVENTS:
        return []
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IngestError(f"malformed JSON: {error}") from None
    user = data.get("user") if isinstance(data, dict) else None
    if not isinstance(user, dict) or user.get("id") in (None, ""):
        raise IngestError(f"{event}: expected a user with an id in the body")
    return [person_of(event, user, now)]


def person_of(event: str, user: dict[str, Any], now: datetime) -> PersonEvent:
    """One Discourse user (its serializer's fields) as a person event."""
    extra = {
        key: user[key]
        for key in ("trust_level", "moderator", "admin", "staged", "title")
        if user.get(key) is not None
    }
    try:
        author = IncomingAuthor.model_validate(
            {
                "id": str(user["id"]),
                "handle": str(user.get("username") or ""),
                "name": str(user.get("name") or ""),
                "created_at": user.get("created_at"),
                "email": user.get("email") or None,
                "verified": event == "user_confirmed_email" and bool(user.get("email")),
                **extra,
            }
        )
    except ValidationError as error:
        raise IngestError(f"{event}: {describe(error)}") from None
    suspended, until = _suspension(event, user, now)
    silenced, silenced_until = _silence(user, now)
    return PersonEvent(
        event=event,
        author=author,
        suspended=suspended,
        suspended_until=until,
        silenced=silenced,
        silenced_until=silenced_until,
        reason=str(user.get("suspend_reason") or user.get("silence_reason") or "")[:500],
        deleted=event == "user_destroyed",
    )


def _suspension(event: str, user: dict[str, Any], now: datetime) -> tuple[bool | None, Any]:
    if event == "user_unsuspended":
        return False, None
    till = parse_time(user.get("suspended_till"))
    if event == "user_suspended":
        return True, _finite(till)
    if till is not None and till > now:  # any other event of a user suspended now
        return True, _finite(till)
    return None, None


def _silence(user: dict[str, Any], now: datetime) -> tuple[bool | None, Any]:
    if "silenced_till" not in user:
        return None, None
    till = parse_time(user.get("silenced_till"))
    if till is None or till <= now:
        return False, None
    return True, _finite(till)


def _finite(until: datetime | None) -> datetime | None:
    """None for "forever" (Discourse writes a date centuries away), else the date."""
    return None if until is None or until.astimezone(UTC).year >= FOREVER_FROM else until
