"""`gardien eval` on a small sample: every row scored, in range, beside its anchors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gardien.classifiers.registry import EVAL_SETS_DIR, SEEDS_DIR
from gardien.cli import evaluate

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_eval_runs_on_a_sample_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    app = typer.Typer()  # only this command: the rest of the CLI is not under test here
    evaluate.register(app)
    app.command("noop")(lambda: None)  # a second command keeps `eval` a named subcommand
    result = CliRunner().invoke(
        app, ["eval", "--data", str(DATA), "--out", str(out), "--limit", "40"]
    )
    assert result.exit_code == 0, result.output
    assert "tweeteval_offensive" in result.output and "0.822" in result.output
    assert "include the second opinion hate-seeds.v1 (gates: en " in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["second_opinions"]) == {"hate", "offensive"}
    names = {row["set"] for row in report["results"]}
    assert {"tweeteval_hate", "umsab_sentiment_fr", "sms_spam", "intent_eval_fr"} <= names
    assert {"sentiment_dev_en", "sentiment_dev_fr"} <= names
    for row in report["results"]:
        assert 0.0 <= row["score"] <= 1.0
    demo = {(row["set"], row["task"]) for row in report["results"] if row["set"].startswith("demo")}
    tasks = ("complaint", "hate", "offensive", "spam", "intent")
    assert demo == {(f"demo_posts_{lang}.{task}", task) for lang in ("en", "fr") for task in tasks}
    assert {item["evasion"] for item in report["robustness"]} >= {"l33t", "zero_width"}
    functional = {(item["task"], item["lang"]) for item in report["functional"]}
    assert functional == {(t, lang) for t in ("hate", "offensive") for lang in ("en", "fr")}
    assert "functional tests" in result.output
    guard = report["group_guard"]
    assert set(guard) == {"en", "fr"} and all(g["posts"] == 100 for g in guard.values())
    for g in guard.values():  # the lift only raises: it never makes fewer of them hate
        assert 0.0 <= g["hate_without_lift"] <= g["hate"] <= 1.0
    assert "group guard fr (not hate, a group named with strong words; 100 posts)" in result.output


def _texts(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["text"].strip().lower() for row in csv.DictReader(handle)}


def test_hand_labelled_eval_sets_share_nothing_with_the_seeds() -> None:
    from gardien.classifiers.functional import FUNCTIONAL_SETS
    from gardien.classifiers.identity_seeds import identity_rows

    seeds = {row["text"].strip().lower() for row in identity_rows()}
    written = [path for path in SEEDS_DIR.glob("*.csv") if path.name != "identity_templates.csv"]
    assert len(written) >= 9  # every file of posts, the plain customers' posts among them
    for path in written:
        seeds |= _texts(path)
    evals = _texts(EVAL_SETS_DIR / "intent_eval.csv") | _texts(EVAL_SETS_DIR / "offtopic_eval.csv")
    evals |= _texts(EVAL_SETS_DIR / "sentiment_dev.csv") | _texts(EVAL_SETS_DIR / "group_guard.csv")
    for name in FUNCTIONAL_SETS:
        evals |= _texts(EVAL_SETS_DIR / f"{name}.csv")
    assert not seeds & evals


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_eval_scores_the_accurate_tier_heads_of_both_kinds(tmp_path: Path) -> None:
    from gardien.classifiers.evaluation import robustness
    from gardien.classifiers.evaluation_accurate import Cascade, accurate_rows
    from gardien.classifiers.onnx_encoder import OnnxEncoder
    from gardien.classifiers.registry import fast_tier

    if not OnnxEncoder.available():
        pytest.skip("onnxruntime missing")
    rows = accurate_rows(fast_tier(), DATA, tmp_path / "cache", limit=20)
    by_model = {(row.model, row.set) for row in rows}
    assert ("offensive-minilm.v1", "tweeteval_offensive") in by_model
    assert ("sentiment-e5.v1", "umsab_sentiment_fr") in by_model
    assert ("hate-minilm.v1", "tweeteval_hate") in by_model
    assert ("intent-e5.v1", "intent_eval_fr") in by_model  # the customer tasks' heads
    assert ("complaint-e5.v1", "demo_posts_fr.complaint") in by_model
    assert ("complaint-e5.v1", "complaints_en") in by_model  # the seed model's, every row unseen
    assert not any(row.model == "offensive-minilm.v1" and row.lang == "fr" for row in rows)
    assert all(0.0 <= row.score <= 1.0 and "accurate tier" in row.note for row in rows)

    cascade = Cascade(fast_tier(), tmp_path / "cache")
    items = robustness(fast_tier(), DATA, 20, cascade.decide, "accurate cascade")
    assert {item["set"] for item in items} == {"tweeteval_offensive", "tweeteval_hate"}  # EN
    assert {item["evasion"] for item in items} >= {"l33t", "lookalikes", "zero_width"}
    assert all(item["tier"] == "accurate cascade" for item in items)


def test_the_demo_categories_map_onto_every_signal() -> None:
    from gardien.classifiers.evaluation import DEMO_LABELS
    from gardien.classifiers.registry import INTENTS
    from gardien.demo.bundle import CATEGORIES

    intent = {c: DEMO_LABELS["intent"](c) for c in CATEGORIES}
    assert intent["complaint"] == INTENTS.index("complaint")
    assert intent["chatter"] == intent["offtopic"] == INTENTS.index("other")
    assert intent["spam"] is None and intent["hate"] is None
    assert [c for c in CATEGORIES if DEMO_LABELS["offensive"](c)] == ["insult", "hate"]
    assert [c for c in CATEGORIES if DEMO_LABELS["complaint"](c)] == ["complaint"]
