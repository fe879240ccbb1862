"""The queue's actions as plain HTML forms, for a browser without JavaScript: one item's verdict
(from the queue or the post page) and a bulk verdict on the selected items. Each form posts with
its CSRF token, carries the verdict out in its own transaction, then redirects back with a
message (post/redirect/get); a refused verdict shows the page again with the reason in place
and changes nothing. With JavaScript the same buttons go through the JSON API instead."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gardien.actions import moderation as actions
from gardien.actions.members import Who
from gardien.domain.time import utcnow
from gardien.errors import ConflictError, GardienError, NotFoundError
from gardien.pipeline.watched_words import policy_for
from gardien.store import members_views
from gardien.store.communities import find_community
from gardien.web.access import Principal, Role, access_community
from gardien.web.auth.routes import safe_next
from gardien.web.console.flash import flash
from gardien.web.console.pages import post_response
from gardien.web.console.queue import Db, Moderator, Rt, queue_response
from gardien.web.console.render import N_, gettext_for

router = APIRouter(include_in_schema=False)


#: An item's status after a verdict, as the message names it (translated when shown).
STATUSES = (N_("approved"), N_("hidden"), N_("removed"), N_("censored"), N_("upheld"))
Field = Annotated[str, Form(max_length=2_000)]
Page = HTMLResponse | RedirectResponse


def _status(error: GardienError) -> int:
    return 409 if isinstance(error, ConflictError) else 400


def _again(
    request: Request,
    db: Db,
    rt: Rt,
    principal: Principal,
    back: str,
    errors: dict[int | str, str],
    status: int,
) -> HTMLResponse:
    """The page the form came from, with the reason it was refused next to what was refused."""
    path, query = urlsplit(back).path, parse_qs(urlsplit(back).query)
    if path.startswith("/console/posts/") and path.rsplit("/", 1)[-1].isdigit():
        message = next(iter(errors.values()))
        return post_response(request, db, principal, int(path.rsplit("/", 1)[-1]), message, status)
    community = query.get("community", [None])[0]
    return queue_response(request, db, rt, principal, community, None, errors, status)


@router.post(
    "/console/queue/items/{item_id}/actions", response_class=HTMLResponse, response_model=None
)
def act_form(
    item_id: int,
    request: Request,
    db: Db,
    rt: Rt,
    principal: Moderator,
    action: Annotated[str, Form(max_length=20)],
    rule: Field = "",
    note: Field = "",
    next: Field = "/console/queue",
) -> Page:
    """Approve, hide, remove or warn one item; back to the queue (or the post) with a message."""
    slug = access_community(principal, members_views.item_community(db, item_id), Role.moderator)
    _ = gettext_for(request, principal)
    back = safe_next(next)
    try:
        with rt.database.session() as writing:  # its own transaction: all or nothing
            outcome = actions.do_act(
                writing,
                Who(f"user:{principal.username}", utcnow()),
                policy_for(rt.context(), slug),
                item_id,
                actions.Verdict(action, rule, note),
            )
    except NotFoundError:
        raise
    except GardienError as error:
        return _again(request, db, rt, principal, back, {item_id: str(error)}, _status(error))
    post = members_views.item_post(db, item_id)
    flash(request, _("Post #%(post)s: %(status)s.", post=post, status=_(outcome.status)))
    return RedirectResponse(back, status_code=303)


@router.post("/console/queue/bulk", response_class=HTMLResponse, response_model=None)
async def bulk_form(request: Request, db: Db, rt: Rt, principal: Moderator) -> Page:
    """The same verdict on the selected items, one community at a time; items someone else holds
    or already handled are named in the message, the rest are done."""
    form = await request.form()
    _ = gettext_for(request, principal)
    back = safe_next(str(form.get("next", "/console/queue")))
    chosen = [int(str(value)) for value in form.getlist("items") if str(value).isdigit()]
    verdict = actions.Verdict(str(form.get("action", ""))[:20], str(form.get("rule", ""))[:200], "")
    by_community: dict[str, list[int]] = {}
    found = members_views.item_communities(db, chosen)
    for item_id, slug in found.items():
        if principal.has(Role.moderator, slug):
            by_community.setdefault(slug, []).append(item_id)
    unknown = [i for i in chosen if i not in found or not principal.has(Role.moderator, found[i])]
    if not by_community:
        message = _("Select at least one item first.")
        return _again(request, db, rt, principal, back, {"bulk": message}, 400)
    done, refused = 0, [f"no moderation item {item_id}" for item_id in unknown]
    try:
        with rt.database.session() as writing:
            who = Who(f"user:{principal.username}", utcnow())
            for slug, ids in sorted(by_community.items()):
                policy = policy_for(rt.context(), slug)
                community = find_community(writing, slug).id
                report = actions.do_bulk(writing, who, policy, community, ids, verdict)
                done += len(report.done)
                refused += [entry["message"] for entry in report.refused]
    except GardienError as error:
        return _again(request, db, rt, principal, back, {"bulk": str(error)}, _status(error))
    flash(request, _("%(done)s items done.", done=done))
    for message in refused:
        flash(request, message, "error")
    return RedirectResponse(back, status_code=303)
