"""`gardien train`: rebuild the shipped classifier models from the shared labelled data."""

from __future__ import annotations

from pathlib import Path

import typer


def train(
    data: Path = typer.Option(Path("../shared/data"), help="Folder of the labelled data sets."),
    only: list[str] = typer.Option([], help="Train only these tasks (e.g. --only spam)."),
    fast: bool = typer.Option(True, help="Rebuild the fast tier (--no-fast: only the heads)."),
    accurate: bool = typer.Option(
        False,
        help="Also train the accurate tier's e5 heads (embedding ~27k texts: about 25 min).",
    ),
    finetune: bool = typer.Option(
        False,
        help="Also fine-tune the MiniLM heads (needs the [finetune] extra; ~25 min a task on 2 cores).",
    ),
    new_encoder: bool = typer.Option(
        False,
        "--new-encoder",
        help="Distil a new shared encoder from today's corpus (every model, the off-topic "
        "calibration and every evaluated figure then change).",
    ),
    threads: int = typer.Option(2, help="CPU threads for fine-tuning (run two tasks at 1 each)."),
    cache: Path = typer.Option(
        Path.home() / ".cache" / "gardien" / "e5", help="Where e5 embeddings are cached."
    ),
) -> None:
    """Rebuild every fast-tier model with fixed seeds (tuned on train/validation only)."""
    from gardien.classifiers.training import train_all

    built = (
        train_all(data, log=typer.echo, only=tuple(only), new_encoder=new_encoder) if fast else []
    )
    for model in built:
        validation = model.meta["validation"]
        typer.echo(
            f"{model.name:24} validation macro-F1 {validation['macro_f1']:.3f}  "
            f"ECE {validation['ece_raw']:.3f} → {validation['ece_calibrated']:.3f} (calibrated)"
        )
    if fast and not finetune:
        restack_fine_tuned(data, tuple(only))
    if accurate:
        from gardien.classifiers.accurate import SHIPPED
        from gardien.classifiers.training_accurate import train_heads
        from gardien.classifiers.training_cv_heads import train_cv_heads

        train_heads(data, cache, log=typer.echo, tasks=tuple(only) or SHIPPED)
        train_cv_heads(data, cache, log=typer.echo, tasks=tuple(only) or SHIPPED)
    if finetune:
        from gardien.classifiers import finetune as tuning
        from gardien.classifiers.finetune_local import finetune_complaints

        recipe = tuning.Recipe(threads=threads)
        heads = [(t, lang) for t, lang in tuning.SHIPPED if not only or t in only]
        shipped_tasks = {t for t, _ in tuning.SHIPPED} | {"complaint"}
        heads += [(t, "en") for t in only if t not in shipped_tasks]  # e.g. --only hate
        for task, lang in heads:
            tuning.finetune(task, data, log=typer.echo, recipe=recipe, lang=lang)
        if not only or "complaint" in only:  # complaints_en has no licence: local, 5-fold CV
            finetune_complaints(data, log=typer.echo, recipe=recipe)


def restack_fine_tuned(data: Path, only: tuple[str, ...]) -> None:
    """A new fast tier changes what the fine-tuned heads' stackers read: refit them (seconds,
    no torch; the encoders stay as they are)."""
    from gardien.classifiers.accurate import kind_path
    from gardien.classifiers.finetune import kind_for, restack
    from gardien.classifiers.onnx_encoder import OnnxEncoder

    for task in ("offensive", "hate", "sentiment"):
        for lang in ("en", "fr"):
            path = kind_path(task, kind_for(lang))
            if (only and task not in only) or not path.is_file():
                continue
            if OnnxEncoder.available():
                restack(task, data, log=typer.echo, lang=lang)
            else:
                typer.echo(f"{path.parent.name} not restacked: pip install -e '.[accurate]'")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
