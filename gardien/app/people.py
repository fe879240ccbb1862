"""Record what a platform's webhooks say about its users (gardien.channels.people) on the
channel's authors and the community's members, in one transaction for one webhook."""

from __future__ import annotations

from collections.abc import Sequence

from gardien.actions.channel_people import PersonOutcome, do_record_person
from gardien.app.runtime import Runtime
from gardien.channels import state
from gardien.channels.people import PersonEvent
from gardien.domain.time import utcnow
from gardien.pipeline.watched_words import policy_for


def record_people(rt: Runtime, channel: str, events: Sequence[PersonEvent]) -> list[PersonOutcome]:
    """Each event recorded (idempotently); the community's policy gives the strike ladder that
    standing is recomputed with."""
    if not events:
        return []
    with rt.database.session() as session:
        community = state.channel_config(session, channel).community
    strikes = policy_for(rt.context(), community).policy.strikes
    now = utcnow()
    with rt.database.session() as session:
        return [do_record_person(session, channel, event, now, strikes) for event in events]
