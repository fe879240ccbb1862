"""Gatekeeping: the versioned code of conduct, the application form, applications screened on
arrival (approved, rejected or queued per the community's thresholds), decisions from the queue,
and ban-evasion flags. Each do_* writes its audit entry; messages go out through the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gardien.actions.members import ActionRefused, Who, send, write_audit
from gardien.domain import OutboundAction, Post, utcnow
from gardien.errors import ConflictError, NotFoundError
from gardien.members import evasion, notices, screening
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.runner import Runner
from gardien.store import members_repo as repo
from gardien.store.communities import find_community
from gardien.store.members_people import banned_people, identity_of
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow
from gardien.store.tables_members import (
    AcceptanceRow,
    ApplicationFormRow,
    ApplicationRow,
    CodeOfConductRow,
    EvasionFlagRow,
)


def do_publish_code(
    session: Session,
    who: Who,
    community: str,
    language: str,
    text: str,
    rules: list[dict[str, Any]],
    requires_reacceptance: bool = False,
    version: int | None = None,
) -> CodeOfConductRow:
    """A new version of the code of conduct (or, with `version`, its text in another language)."""
    row = find_community(session, community)
    latest = session.scalar(
        select(func.max(CodeOfConductRow.version)).where(CodeOfConductRow.community_id == row.id)
    )
    if version is None:
        version = (latest or 0) + 1
    elif latest is None or version > latest:
        raise ActionRefused(f"there is no version {version} to translate; publish it first")
    for rule in rules:
        if not str(rule.get("id", "")).strip():
            raise ActionRefused("every rule needs an id (e.g. 'respect'), cited by moderators")
    code = CodeOfConductRow(
        community_id=row.id,
        version=version,
        language=language,
        text=text,
        rules=rules,
        requires_reacceptance=requires_reacceptance,
        published_by=who.actor,
        published_at=who.now,
    )
    session.add(code)
    session.flush()
    write_audit(
        session,
        who,
        "code.publish",
        f"community:{community}",
        f"version {version} ({language})",
        community_id=row.id,
        version=version,
        language=language,
        requires_reacceptance=requires_reacceptance,
    )
    return code


def do_accept_code(session: Session, who: Who, member_id: int, version: int) -> AcceptanceRow:
    """Record a member's acceptance of `version` of their community's code of conduct."""
    member = repo.get_member(session, member_id)
    code = session.scalar(
        select(CodeOfConductRow).where(
            CodeOfConductRow.community_id == member.community_id,
            CodeOfConductRow.version == version,
        )
    )
    if code is None:
        raise NotFoundError(f"no version {version} of the code of conduct")
    row = AcceptanceRow(
        community_id=member.community_id,
        member_id=member.id,
        version=version,
        language=member.language or code.language,
        accepted_at=who.now,
    )
    session.add(row)
    session.flush()
    write_audit(
        session,
        who,
        "code.accept",
        f"member:{member.id}",
        f"version {version}",
        community_id=member.community_id,
    )
    return row


def do_configure_form(
    session: Session,
    who: Who,
    community: str,
    questions: list[dict[str, Any]],
    approve_below: float,
    reject_from: float,
) -> ApplicationFormRow:
    """Set the questions and the screening thresholds (score < approve_below: approved at once;
    score ≥ reject_from: rejected at once; in between: queued for a person)."""
    if not 0.0 <= approve_below <= reject_from:
        raise ActionRefused("thresholds must satisfy 0 ≤ approve_below ≤ reject_from")
    row = find_community(session, community)
    form = session.scalar(
        select(ApplicationFormRow).where(ApplicationFormRow.community_id == row.id)
    )
    if form is None:
        form = ApplicationFormRow(community_id=row.id)
        session.add(form)
    form.questions, form.approve_below, form.reject_from = questions, approve_below, reject_from
    form.updated_by, form.updated_at = who.actor, who.now
    session.flush()
    write_audit(
        session,
        who,
        "form.configure",
        f"community:{community}",
        f"{len(questions)} questions",
        community_id=row.id,
        approve_below=approve_below,
        reject_from=reject_from,
    )
    return form


def form_of(session: Session, community_id: int) -> ApplicationFormRow:
    """The community's form, or the default: no questions, everything queued for a person."""
    form = session.scalar(
        select(ApplicationFormRow).where(ApplicationFormRow.community_id == community_id)
    )
    return form or ApplicationFormRow(questions=[], approve_below=0.0, reject_from=1.01)


def _seen(session: Session, community_id: int) -> set[str]:
    found = set()
    for answers in session.scalars(
        select(ApplicationRow.answers).where(ApplicationRow.community_id == community_id)
    ):
        for text in (answers or {}).values():
            mark = screening.fingerprint(str(text))
            if mark:
                found.add(mark)
    return found


def do_apply(
    session: Session,
    who: Who,
    community: str,
    handle: str,
    email: str,
    language: str,
    answers: Mapping[str, str],
    accepted_version: int,
    channel: str | None = None,
    external_id: str | None = None,
    scores: Mapping[str, float] | None = None,
) -> ApplicationRow:
    """Receive an application, screen it, flag resemblance to banned members, then approve,
    reject or queue it as the community's form says."""
    row = find_community(session, community)
    code = repo.current_code(session, row.id, language)
    if code is None:
        raise ActionRefused(f"{community} takes no applications yet: it has no code of conduct")
    if accepted_version != code.version:
        raise ActionRefused(f"accept the current code of conduct (version {code.version}) first")
    form = form_of(session, row.id)
    asked = {str(q["id"]) for q in form.questions}
    if missing := sorted(asked - {key for key, value in answers.items() if str(value).strip()}):
        raise ActionRefused(f"please answer: {', '.join(missing)}")
    author = _author(session, row, channel, external_id)
    age = None
    if author is not None and author.created_at is not None:
        age = (who.now - author.created_at).total_seconds() / 86_400
    result = screening.screen(
        screening.Applicant(email, dict(answers), age, scores or {}),
        _seen(session, row.id),
        form.approve_below,
        form.reject_from,
    )
    application = ApplicationRow(
        community_id=row.id,
        handle=handle,
        email=email,
        language=notices.language_of(language),
        channel=channel,
        external_id=external_id,
        answers=dict(answers),
        coc_version=code.version,
        score=result.score,
        reasons=[
            {"signal": f.signal, "points": f.points, "message": f.message} for f in result.findings
        ],
        status="queued",
        created_at=who.now,
    )
    session.add(application)
    session.flush()
    session.add(
        AcceptanceRow(
            community_id=row.id,
            application_id=application.id,
            version=code.version,
            language=code.language,
            accepted_at=who.now,
        )
    )
    flags = _flag_evasion(session, who, application)
    write_audit(
        session,
        who,
        "application.submit",
        f"application:{application.id}",
        f"screening score {result.score:.2f}",
        community_id=row.id,
        score=result.score,
        signals=[f.signal for f in result.findings],
        evasion_flags=flags,
    )
    rule = Who("rule:screening", who.now)
    reasons = "; ".join(f.message for f in result.findings)
    if result.verdict == "reject":
        do_reject_application(session, rule, application.id, reasons or "screening")
    elif result.verdict == "approve" and not flags:
        do_approve_application(session, rule, application.id, "screening found nothing")
    return application


def _author(
    session: Session, community: CommunityRow, channel: str | None, external_id: str | None
) -> AuthorRow | None:
    if not channel or not external_id:
        return None
    channel_row = session.scalar(select(ChannelRow).where(ChannelRow.name == channel))
    if channel_row is None or channel_row.community_id != community.id:
        raise ActionRefused(f"{channel!r} is not a channel of {community.slug}")
    return session.scalar(
        select(AuthorRow).where(
            AuthorRow.channel_id == channel_row.id, AuthorRow.external_id == external_id
        )
    )


def _flag_evasion(session: Session, who: Who, application: ApplicationRow) -> list[int]:
    accounts = (
        frozenset({(application.channel, application.external_id)})
        if application.channel and application.external_id
        else frozenset()
    )
    candidate = evasion.Identity(
        emails=frozenset({application.email}) if application.email else frozenset(),
        handles=frozenset({application.handle}),
        accounts=accounts,
        texts=tuple(str(text) for text in application.answers.values()),
    )
    flags = []
    for banned in banned_people(session, application.community_id, who.now):
        found = evasion.resemblance(candidate, identity_of(session, repo.group(session, banned)))
        if not found.flagged:
            continue
        flag = EvasionFlagRow(
            community_id=application.community_id,
            application_id=application.id,
            banned_member_id=banned.id,
            score=found.score,
            evidence=[
                {"hint": e.hint, "weight": e.weight, "detail": e.detail} for e in found.evidence
            ],
            created_at=who.now,
        )
        session.add(flag)
        session.flush()
        flags.append(flag.id)
    return flags


def _decide(session: Session, who: Who, application_id: int) -> tuple[ApplicationRow, CommunityRow]:
    application = session.scalar(
        select(ApplicationRow).where(ApplicationRow.id == application_id).with_for_update()
    )
    if application is None:
        raise NotFoundError(f"no application {application_id}")
    if application.status != "queued":
        raise ConflictError(
            f"application {application_id} was already {application.status} by "
            f"{application.decided_by}"
        )
    application.decided_by, application.decided_at = who.actor, who.now
    return application, session.get_one(CommunityRow, application.community_id)


def do_approve_application(
    session: Session, who: Who, application_id: int, note: str = ""
) -> ApplicationRow:
    """Approve: the applicant becomes a member (when they named their channel identity), the
    channel is asked to let them in, and they get the welcome in their language."""
    application, community = _decide(session, who, application_id)
    application.status = "approved"
    text = notices.application_message(application.language, community.name, True)
    application.message = text.body
    if application.channel and application.external_id:
        channel = session.scalar(select(ChannelRow).where(ChannelRow.name == application.channel))
        assert channel is not None  # checked when the application was received
        author = _author(session, community, application.channel, application.external_id)
        if author is None:
            author = AuthorRow(
                channel_id=channel.id,
                external_id=application.external_id,
                handle=application.handle,
            )
            session.add(author)
            session.flush()
        member = repo.ensure_member(session, community.id, author.id, who.now)
        member.language = application.language
        application.member_id = member.id
        for acceptance in session.scalars(
            select(AcceptanceRow).where(AcceptanceRow.application_id == application.id)
        ):
            acceptance.member_id = member.id
    _tell(session, who, application, "approve_member", text)
    write_audit(
        session,
        who,
        "application.approve",
        f"application:{application.id}",
        note or "approved",
        community_id=community.id,
        member=application.member_id,
    )
    return application


def do_reject_application(
    session: Session, who: Who, application_id: int, reason: str, note: str = ""
) -> ApplicationRow:
    """Reject with a reason the applicant reads in their language."""
    application, community = _decide(session, who, application_id)
    application.status = "rejected"
    text = notices.application_message(application.language, community.name, False, reason)
    application.message = text.body
    _tell(session, who, application, "reject_member", text)
    write_audit(
        session,
        who,
        "application.reject",
        f"application:{application.id}",
        reason,
        community_id=community.id,
        note=note,
    )
    return application


def _tell(
    session: Session, who: Who, application: ApplicationRow, kind: str, text: notices.Text
) -> None:
    """The channel learns the decision (to open or close the door); the applicant gets the text."""
    payload = {"subject": text.subject, "body": text.body, "application": application.id}
    if application.channel and application.external_id:
        target = OutboundAction(application.channel, kind, application.external_id, payload)
    else:
        target = OutboundAction("email", "notify", application.email, payload)
    send(session, f"application:{application.id}:{kind}", target, who.now)


def score_answers(
    runner: Runner, context: StageContext, community: str, answers: list[str]
) -> dict[str, float]:
    """The classifiers' scores of the answers (highest of each), through the same pipeline
    that judges posts; no decision is stored."""
    records = [
        TriageRecord(
            community=community,
            post=Post(
                channel="application",
                external_id=str(i),
                author="applicant",
                text=text,
                created_at=utcnow(),
            ),
        )
        for i, text in enumerate(answers)
        if text.strip()
    ]
    scores: dict[str, float] = {}
    for record in runner.judge(records, context) if records else []:
        for name, score in record.signals.scores.items():
            scores[name] = max(scores.get(name, 0.0), score.value)
    return scores
