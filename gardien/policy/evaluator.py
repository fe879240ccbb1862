"""The evaluator: (post, author, member, signals, policy) → one Decision with every reason.

Pure: no I/O, no clock (ages are measured at the post's own time, so a dry run over last year's
posts judges them as they were), no mutation of its inputs. It never acts.
"""

from __future__ import annotations

from collections.abc import Sequence

from gardien.domain import Action, Author, Decision, Member, Post, Queue, Reason, Signals, Span
from gardien.policy.compiler import CompiledPolicy
from gardien.policy.conditions import Facts
from gardien.policy.matcher import Match
from gardien.policy.schema import parse_action
from gardien.policy.strikes import sanction_for

#: Flag set by the external-check client when the brand's endpoint did not answer in time.
EXTERNAL_ERROR_FLAG = "external_error"


def evaluate(
    post: Post,
    author: Author | None,
    member: Member | None,
    signals: Signals,
    policy: CompiledPolicy,
    matches: Sequence[Match] | None = None,
    brand_accounts: frozenset[str] = frozenset(),
) -> Decision:
    """Judge one post. `matches` are the watched words already found (None: find them here);
    `brand_accounts` are the brand's own handles in the community, case-folded."""
    facts_language = signals.language.code if signals.language is not None else post.language
    if matches is None:
        matches = policy.find_words(post.text, facts_language)
    decision = Decision(policy_version=policy.version.id)
    for match in matches:
        _words_reason(decision, match)
    for threshold in policy.thresholds:
        item = threshold.threshold
        if item.locale not in ("*", facts_language):
            continue
        score = signals.scores.get(item.signal)
        if score is not None and score.value >= item.above:
            _apply(
                decision,
                Reason(
                    kind="score",
                    message=f"{item.signal} {score.value:.2f} ≥ {item.above:g}{_by(score.model)}",
                    action=threshold.action,
                    rule=threshold.name,
                    signal=item.signal,
                    score=score.value,
                    threshold=item.above,
                ),
                threshold.argument,
            )
    _external(decision, signals, policy)
    facts = Facts(post, author, member, signals, matches, policy.new_member, brand_accounts)
    final: Reason | None = None
    for rule in policy.rules:
        if not rule.test(facts):
            continue
        reason = Reason(
            kind="rule",
            message=rule.rule.message or f"rule {rule.rule.name!r} applies",
            action=rule.action,
            rule=rule.rule.name,
        )
        _apply(decision, reason, rule.argument)
        if rule.rule.final:
            final = reason
            break
    if final is not None:
        decision.action = final.action
    _strike(decision, member, policy)
    _route(decision, signals, policy)
    return decision


def _by(model: str) -> str:
    """Which models set a score when more than the fast tier's did (a second opinion from the
    hand-written lessons, an accurate-tier head): the moderator sees what to trust."""
    return f" ({model.replace('+', ' + ')})" if "+" in model else ""


def _words_reason(decision: Decision, match: Match) -> None:
    action, argument = parse_action(match.action)
    where = f" in list {match.source!r}" if match.source else ""
    _apply(
        decision,
        Reason(
            kind="word",
            message=f"watched word {match.term!r}{where}: {match.excerpt!r}",
            action=action,
            rule=match.source,
            term=match.term,
            span=Span(match.start, match.end, match.term),
        ),
        argument,
    )


def _apply(decision: Decision, reason: Reason, argument: str) -> None:
    """Record the reason, and what its action's argument says: a tag, a department."""
    decision.add(reason)
    if reason.action is Action.TAG and argument and argument not in decision.tags:
        decision.tags.append(argument)
    elif reason.action is Action.ROUTE and argument and decision.department is None:
        decision.department = argument


def _external(decision: Decision, signals: Signals, policy: CompiledPolicy) -> None:
    check = policy.external
    if check is None:
        return
    if EXTERNAL_ERROR_FLAG in signals.flags:
        action, argument = parse_action(check.on_error)
        if action is not Action.ALLOW:
            message = f"external check failed ({signals.flags[EXTERNAL_ERROR_FLAG]}); fallback"
            _apply(decision, Reason("external", message, action, signal="external"), argument)
        return
    score = signals.scores.get("external")
    if score is not None and score.value >= check.above:
        action, argument = parse_action(check.action)
        message = f"external check {score.value:.2f} ≥ {check.above:g}"
        reason = Reason(
            "external",
            message,
            action,
            signal="external",
            score=score.value,
            threshold=check.above,
        )
        _apply(decision, reason, argument)


def _strike(decision: Decision, member: Member | None, policy: CompiledPolicy) -> None:
    """Say which sanction a confirmed strike would bring; the actions layer gives it."""
    if decision.action.value not in policy.policy.strikes.earned_by:
        return
    sanction = sanction_for((member.strikes if member else 0) + 1, policy.policy.strikes.ladder)
    if sanction is None:
        return
    decision.reasons.append(Reason("strike", sanction.describe(), decision.action, rule="strikes"))
    decision.tags.append(f"strike:{sanction.kind}")


def _route(decision: Decision, signals: Signals, policy: CompiledPolicy) -> None:
    """Where the post goes: review for the actions the policy names, else care if it asks."""
    routing = policy.policy.routing
    for route in routing.care:
        value = signals.score(route.signal, default=-1.0)
        if value >= route.above:
            department = route.department or routing.default_department
            decision.add(
                Reason(
                    kind="care",
                    message=f"{route.signal} {value:.2f} ≥ {route.above:g} → {department}",
                    action=Action.ROUTE,
                    rule="routing",
                    signal=route.signal,
                    score=value,
                    threshold=route.above,
                )
            )
            if decision.department is None:
                decision.department = department
            break
    if decision.action.value in routing.review:
        decision.queue = Queue.MODERATION
    elif decision.action is Action.ROUTE or decision.department:
        decision.queue = Queue.CARE
        if decision.department is None:
            decision.department = routing.default_department
