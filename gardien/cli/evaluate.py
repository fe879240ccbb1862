"""`gardien eval`: print our test scores beside the published anchors; write a JSON report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def evaluate(
    data: Path = typer.Option(Path("../shared/data"), help="Folder of the labelled data sets."),
    out: Path = typer.Option(Path("eval-report.json"), help="Where to write the JSON report."),
    limit: int = typer.Option(0, help="Score at most this many rows per set (0: all)."),
    accurate: bool = typer.Option(
        False, help="Also score the accurate tier (slow: e5 embeddings)."
    ),
    cache: Path = typer.Option(
        Path.home() / ".cache" / "gardien" / "e5", help="Where e5 embeddings are cached."
    ),
) -> None:
    """Score every shipped model on the test splits and hand-labelled sets, then evasions."""
    from gardien.classifiers.evaluation import evaluate as run
    from gardien.classifiers.registry import fast_tier

    report = run(data, fast_tier(), limit or None, cache if accurate else None)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    typer.echo(render(report))
    typer.echo(f"\nreport written to {out}")


def render(report: dict[str, Any]) -> str:
    from gardien.classifiers.functional import render_functional

    lines = [
        f"{'set':30} {'lang':4} {'metric':12} {'ours':>6} {'target':>6}  "
        f"{'best published':32} {'simple baseline':16} model",
    ]
    for row in report["results"] + report["offtopic_dev"]:
        anchors = row["anchors"] or {}
        target = f"{anchors['target']:.2f}" if "target" in anchors else "—"
        lines.append(
            f"{row['set']:30} {row['lang']:4} {row['metric']:12} {row['score']:6.3f} {target:>6}  "
            f"{anchors.get('best', '—'):32} {anchors.get('simple', '—'):16} {row['model']}"
            + (f"  ({row['note']})" if row["note"] else "")
        )
    for task, meta in sorted(report.get("second_opinions", {}).items()):
        gates = ", ".join(
            f"{lang} {gate or 'none'}" for lang, gate in sorted(meta["gates"].items())
        )
        lines.append(
            f"{task} scores above include the second opinion {meta['name']} (gates: {gates})"
        )
    for lang, guard in sorted(report.get("group_guard", {}).items()):
        lines.append(
            f"group guard {lang} (not hate, a group named with strong words; {guard['posts']} "
            f"posts): hate {guard['hate']:.0%} (without offensive's lift "
            f"{guard['hate_without_lift']:.0%})"
        )
    lines.append("\nrobustness (macro-F1 clean → after evasion on half the words of 4+ letters)")
    for item in report["robustness"]:
        lines.append(
            f"  {item['set']:22} {item.get('tier', 'fast'):17} {item['evasion']:18} "
            f"{item['clean']:.3f} → {item['evaded']:.3f}"
            f"  drop {item['drop']:+.3f}"
        )
    return "\n".join(lines + render_functional(report.get("functional", [])))


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
