"""`gardien policy …`: check a policy file, try it on a text or on stored history, import one."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer

from gardien.actions.policies import Use, do_save_policy
from gardien.app.policies import live_text, shadow_stats, with_extra_rule
from gardien.cli.common import echo_table, friendly_errors, running, start
from gardien.domain import Language, Post, Signals
from gardien.domain.time import utcnow
from gardien.policy.compiler import CompiledPolicy, compile_text
from gardien.policy.defaults import default_policy_text
from gardien.policy.evaluator import evaluate
from gardien.policy.importers import Imported, import_automod, import_discourse
from gardien.policy.loader import load_policy_file, new_version
from gardien.policy.replay import Change, ReplayReport, replay
from gardien.store import policies
from gardien.store.communities import find_community, to_community

policy_app = typer.Typer(
    help="Community policies: check, try, dry-run, import.", no_args_is_help=True
)


def _compile(path: Path) -> CompiledPolicy:
    policy, text = load_policy_file(path)
    from gardien.policy.compiler import compile_policy

    return compile_policy(policy, new_version(policy, text))


@policy_app.command("validate")
def validate(file: Path = typer.Argument(..., help="The policy YAML file.")) -> None:
    """Check FILE; print its version, or every error with its line (exit code 2)."""
    with friendly_errors():
        compiled = _compile(file)
        policy = compiled.policy
        typer.echo(
            f"ok: {file} is valid, version {compiled.version.id}: "
            f"{compiled.matcher.size} terms in {len(policy.watched_words.lists)} lists, "
            f"{len(policy.thresholds)} thresholds, {len(policy.rules)} rules"
        )
        if policy.accurate:
            from gardien.classifiers.accurate import AccurateTier

            tier = AccurateTier()
            for task in (t for t in policy.accurate if not tier.has(t)):
                typer.echo(
                    f"note: this machine cannot run the accurate tier for {task} (no head, or "
                    "pip install 'gardien[accurate]'): its posts would keep the fast score"
                )


@policy_app.command("check")
def check(
    file: Path = typer.Argument(..., help="The policy YAML file."),
    text: str = typer.Argument(..., help="A post's text."),
    language: str = typer.Option("en", "--language", "-l", help="The post's language."),
) -> None:
    """Judge TEXT under FILE (no classifier scores) and print the decision with its reasons."""
    with friendly_errors():
        compiled = _compile(file)
        post = Post("cli", "cli", "cli", text, utcnow(), language=language)
        decision = evaluate(post, None, None, Signals(language=Language(language, 1.0)), compiled)
        typer.echo(f"{decision.action.value} (queue {decision.queue.value}), {compiled.version.id}")
        for reason in decision.reasons:
            typer.echo(f"  - {reason.action.value:6} {reason.kind}: {reason.message}")


@policy_app.command("show-default")
def show_default(locale: str = typer.Argument("en", help="en or fr.")) -> None:
    """Print the shipped default policy for LOCALE, to copy and edit."""
    typer.echo(default_policy_text(locale), nl=False)


def _replay(community: str, file: Path, live: Path | None, limit: int | None) -> ReplayReport:
    from gardien.pipeline.watched_words import policy_for
    from gardien.store.care_config import brand_handles
    from gardien.store.policy_history import policy_history

    candidate = _compile(file)
    runtime = start()
    try:
        current = _compile(live) if live else policy_for(runtime.context(), community)
        with runtime.database.session() as session:
            history = policy_history(session, community, limit)
            brand = brand_handles(session, community)
            return replay(history, current, candidate, brand_accounts=brand)
    finally:
        runtime.database.dispose()


@policy_app.command("dry-run")
def dry_run(
    community: str = typer.Argument(..., help="Community slug."),
    file: Path = typer.Argument(..., help="The candidate policy file."),
    live: Path | None = typer.Option(None, help="Compare with this file, not the live policy."),
    limit: int | None = typer.Option(None, min=1, help="Only the first N stored posts."),
    examples: int = typer.Option(10, min=0, help="Posts to show per kind of change."),
) -> None:
    """Replay stored posts of COMMUNITY under FILE and show what would change."""
    with friendly_errors():
        report = _replay(community, file, live, limit)
        _print_counts(report)
        _print_changes("newly blocked", report.newly_blocked, report.newly_blocked_count, examples)
        _print_changes("released", report.released, report.released_count, examples)


@policy_app.command("shadow-report")
def shadow_report(
    community: str = typer.Argument(..., help="Community slug."),
    file: Path = typer.Argument(..., help="The candidate policy file, run in shadow."),
    live: Path | None = typer.Option(None, help="Compare with this file, not the live policy."),
    limit: int | None = typer.Option(None, min=1, help="Only the first N stored posts."),
) -> None:
    """Per-rule hits of FILE over stored posts, with the moderators' verdicts and differences."""
    with friendly_errors():
        report = _replay(community, file, live, limit)
        _print_counts(report)
        rows = []
        for name, stats in sorted(report.rules.items(), key=lambda item: -item[1].hits):
            before = report.live_rules.get(name)
            precision = "-" if stats.precision is None else f"{stats.precision:.0%}"
            actions = ", ".join(f"{action} {count}" for action, count in stats.actions.items())
            rows.append(
                [
                    name,
                    str(stats.hits),
                    str(before.hits if before else 0),
                    actions,
                    f"{stats.reviewed}",
                    f"{stats.overturned}",
                    precision,
                ]
            )
        typer.echo("")
        echo_table(
            rows, ["rule", "hits", "live hits", "actions", "reviewed", "overturned", "precision"]
        )


def _print_counts(report: ReplayReport) -> None:
    typer.echo(
        f"{report.total} posts replayed: live {report.live_version} → "
        f"candidate {report.candidate_version}; {report.changed} would change"
    )
    actions = sorted(set(report.live_counts) | set(report.candidate_counts))
    echo_table(
        [
            [
                a,
                str(report.live_counts[a]),
                str(report.candidate_counts[a]),
                f"{report.candidate_counts[a] - report.live_counts[a]:+d}",
            ]
            for a in actions
        ],
        ["action", "live", "candidate", "change"],
    )


def _print_changes(title: str, changes: list[Change], total: int, examples: int) -> None:
    typer.echo(f"\n{total} posts {title}" + (":" if changes and examples else ""))
    for change in changes[:examples]:
        excerpt = " ".join(change.text.split())[:80]
        typer.echo(f"  #{change.post_id} [{change.before.value} → {change.after.value}] {excerpt}")
        for reason in change.reasons_after or change.reasons_before:
            typer.echo(f"      {reason.action.value:6} {reason.kind}: {reason.message}")


def _write(imported: Imported, output: Path | None) -> None:
    text = imported.to_yaml()
    compile_text(text, source="imported policy")  # refuse to write what would not load
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
    for note in imported.unsupported:
        typer.secho(f"not imported: {note}", fg=typer.colors.YELLOW, err=True)


@policy_app.command("import-discourse")
def import_discourse_command(
    files: list[Path] = typer.Argument(..., help="…-watched-words-<action>.csv files or JSON."),
    community: str = typer.Option(..., help="Community slug for the new policy."),
    locale: str = typer.Option("*", help="Locale of the words (* for every language)."),
    regex: bool = typer.Option(False, help="The site used regular expressions for words."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Turn Discourse watched-word exports into a policy file."""
    with friendly_errors():
        pairs = [(path.name, path.read_text(encoding="utf-8")) for path in files]
        _write(import_discourse(pairs, community, locale, regex), output)


@policy_app.command("import-automod")
def import_automod_command(
    file: Path = typer.Argument(..., help="The AutoModerator YAML (config/automoderator)."),
    community: str = typer.Option(..., help="Community slug for the new policy."),
    locale: str = typer.Option("*", help="Locale of the words (* for every language)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Turn Reddit AutoModerator rules into a policy file; unsupported keys are listed."""
    with friendly_errors():
        _write(import_automod(file.read_text(encoding="utf-8"), community, locale), output)


@policy_app.command("save")
def save(
    community: str = typer.Argument(..., help="The community's slug."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The policy YAML file."),
    use: str = typer.Option("live", help="live, shadow (recorded, never applied) or keep."),
    author: str = typer.Option("cli", help="Who saves it (recorded in the audit log)."),
    note: str = typer.Option("", help="Why (recorded with the version)."),
) -> None:
    """Save FILE as a new version of COMMUNITY's policy; an invalid file changes nothing."""
    if use not in ("live", "shadow", "keep"):
        raise typer.BadParameter("use is live, shadow or keep")
    with running() as runtime, runtime.database.session() as session:
        saved = do_save_policy(
            session,
            community,
            file.read_text(encoding="utf-8"),
            f"cli:{author}",
            utcnow(),
            cast(Use, use),
            note,
        )
    typer.echo(f"{'saved' if saved.created else 'already saved'}: {saved.version} ({saved.use})")


@policy_app.command("shadow-rule")
def shadow_rule(
    community: str = typer.Argument(..., help="The community's slug."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="YAML of one rule."),
    author: str = typer.Option("cli", help="Who starts it (recorded in the audit log)."),
) -> None:
    """Run the live policy plus one rule (FILE) in shadow: its decisions on live traffic are
    recorded, never applied (see `gardien policy shadow-stats`)."""
    with running() as runtime:
        with runtime.database.session() as session:
            profile = to_community(find_community(session, community))
        text = with_extra_rule(live_text(runtime.database, profile), file.read_text("utf-8"))
        with runtime.database.session() as session:
            saved = do_save_policy(
                session, community, text, f"cli:{author}", utcnow(), "shadow",
                f"live + rule from {file.name}",
            )  # fmt: skip
        runtime.refresh()
    typer.echo(f"shadow: {saved.version} (live policy + the rule in {file.name})")


@policy_app.command("versions")
def list_versions(community: str = typer.Argument(..., help="The community's slug.")) -> None:
    """COMMUNITY's saved versions, newest first, with the live and shadow ones marked."""
    with running() as runtime, runtime.database.session() as session:
        stored = policies.versions(session, community)
    if not stored:
        typer.echo("no saved version: the shipped default for the community's language applies")
        return
    echo_table(
        [
            [
                v.version,
                "live" if v.live else "shadow" if v.shadow else "",
                v.author,
                v.saved_at.strftime("%Y-%m-%d %H:%M"),
                v.note[:40],
            ]
            for v in stored
        ],
        ["version", "use", "author", "saved (UTC)", "note"],
    )


@policy_app.command("shadow-stats")
def shadow_stats_command(
    community: str = typer.Argument(..., help="The community's slug."),
) -> None:
    """What the shadow version decided on live traffic, against the live version."""
    with running() as runtime:
        with runtime.database.session() as session:
            _, running_version = policies.active(session, community)
        if running_version is None:
            typer.echo("no shadow version is running")
            return
        stats = shadow_stats(runtime.database, running_version.version)
    typer.echo(f"{running_version.version}: {stats.posts} posts, {stats.agree} agree with live")
    for (live, shadow), count in stats.changes.most_common():
        typer.echo(f"  live {live} → shadow {shadow}: {count}")
    for rule, hits in stats.rule_hits.most_common(20):
        typer.echo(f"  {rule}: {hits} hits")


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
