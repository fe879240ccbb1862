"""`gardien eval`: our scores on every test split beside the published anchors, and robustness.

Binary models decide at the threshold chosen on validation during training; multi-class ones
take the most probable label. Test splits are only read here, after training.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gardien.classifiers import datasets, rescue
from gardien.classifiers.datasets import Split
from gardien.classifiers.evasions import NAMES, rewrite
from gardien.classifiers.functional import Decide, Score, functional_report
from gardien.classifiers.metrics import ece, macro_f1, macro_recall
from gardien.classifiers.registry import EVAL_SETS_DIR, INTENTS, SEEDS_DIR, FastTier
from gardien.classifiers.topic import TopicProfile, TopicScorer

Matrix = np.ndarray

#: Published scores on the same test sets (../shared/data/README.md) and the issue's targets.
ANCHORS: dict[str, dict[str, Any]] = {
    "tweeteval_offensive": {"target": 0.78, "best": "TimeLMs-2021 0.822", "simple": "FastText 0.734"},
    "tweeteval_hate": {"target": 0.55, "best": "BERTweet 0.564", "simple": "FastText 0.506"},
    "tweeteval_sentiment": {"target": 0.66, "best": "TimeLMs-2021 0.737", "simple": "FastText 0.629"},
    "umsab_sentiment_en": {"target": 0.62, "best": "XLM-T 0.706", "simple": "FastText 0.509"},
    "umsab_sentiment_fr": {"target": 0.64, "best": "XLM-R 0.720", "simple": "FastText 0.548"},
    "complaints_en": {"target": 0.80, "best": "transformers ~0.87 (10-fold CV)", "simple": "LR 0.79"},
    "sms_spam": {"target": 0.97, "best": "—", "simple": "—"},
    "youtube_spam": {"target": 0.93, "best": "—", "simple": "—"},
    "mlma_hate_fr": {"target": 0.62, "best": "—", "simple": "—"},
}  # fmt: skip
DEMO_NOTE = "labelled by the demo generator; never trained on"
ROBUSTNESS_SETS = ("tweeteval_offensive", "mlma_hate_fr", "tweeteval_hate")


@dataclass(slots=True)
class Row:
    """One line of the report: a model's score on one test set."""

    set: str
    lang: str
    task: str
    model: str
    metric: str
    score: float
    size: int
    ece: float | None = None
    note: str = ""
    anchors: dict[str, Any] = field(default_factory=dict)


def _sample(split: Split, limit: int | None) -> Split:
    if limit is None or len(split) <= limit:
        return split
    out = Split()
    step = len(split) / limit
    for i in range(limit):
        j = int(i * step)
        out.add([split.texts[j]], [split.labels[j]], split.langs[j])
    return out


def predict_labels(
    tier: FastTier, task: str, texts: list[str], lang: str
) -> tuple[np.ndarray, np.ndarray]:
    """Decisions as the product would make them: the language's model and threshold."""
    model = tier.model(task, lang)
    probs = tier.predict(task, texts, [lang] * len(texts))
    if model.binary:
        return (probs[:, 0] >= model.threshold_for(lang)).astype(int), probs[:, 0]
    return probs.argmax(axis=1), probs


def score_split(tier: FastTier, task: str, name: str, lang: str, metric: str, split: Split) -> Row:
    predicted, probs = predict_labels(tier, task, split.texts, lang)
    measure = macro_recall if metric == "macro_recall" else macro_f1
    return Row(
        name, lang, task, tier.model(task, lang).name, metric,
        round(measure(split.labels, predicted), 4), len(split),
        round(ece(probs, split.labels), 4), anchors=ANCHORS.get(name, {}),
    )  # fmt: skip


def public_rows(tier: FastTier, data: Path, limit: int | None) -> list[Row]:
    loaders: dict[str, Callable[[Path], datasets.Task]] = {
        "offensive": datasets.offensive,
        "hate": datasets.hate,
        "sentiment": datasets.sentiment,
        "spam": datasets.spam,
    }
    rows = []
    for task, loader in loaders.items():
        for test in loader(data).tests:
            split = _sample(test.split, limit)
            rows.append(score_split(tier, task, test.name, test.lang, test.metric, split))
    return rows


def complaint_rows(tier: FastTier, data: Path, limit: int | None) -> list[Row]:
    """The local complaints_en model's CV score; the seed model scored on complaints_en."""
    rows = []
    model = tier.model("complaint", "en")
    if model.meta.get("sources", [{}])[0].get("dataset") == "complaints_en":
        v = model.meta["validation"]
        rows.append(Row("complaints_en", "en", "complaint", model.name, "macro_f1", v["macro_f1"],
                        v["size"], v.get("ece_calibrated"), "5-fold CV inside train (local model)",
                        ANCHORS["complaints_en"]))  # fmt: skip
    head = _local_head("complaint", tier.models_dir)
    if head is not None:
        v = head.meta["validation"]
        for key, label in (("stacked_macro_f1", "all posts"), ("cascade_macro_f1", "cascade")):
            rows.append(Row("complaints_en", "en", "complaint", head.name, "macro_f1", v[key],
                            v["size"], note=f"accurate tier, {label}: 5-fold CV inside train "
                            "(local model)", anchors=ANCHORS["complaints_en"]))  # fmt: skip
    try:
        split = _sample(datasets.complaints(data), limit)
    except Exception:
        return rows
    seed = FastTier(tier.models_dir, use_local=False)
    seed._encoder = tier.encoder
    row = score_split(seed, "complaint", "complaints_en", "en", "macro_f1", split)
    row.note = "shipped seed model, all rows unseen"
    rows.append(row)
    return rows


def _local_head(task: str, models_dir: Path) -> Any:
    """The head fine-tuned here from data we may not ship, if it was built."""
    from gardien.classifiers.accurate import load_head, local_path

    path = local_path(task, "minilm", models_dir)
    return load_head(path) if path.is_file() else None


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def hand_rows(tier: FastTier) -> list[Row]:
    """Our hand-labelled sets (intent, French complaints, sentiment on brand posts, off-topic),
    per language."""
    rows = [
        score_split(tier, "sentiment", f"sentiment_dev_{lang}", lang, "macro_f1", split)
        for lang, split in sentiment_dev(tier).items()
    ]
    for lang, (intent, complaint) in intent_splits(tier).items():
        rows.append(score_split(tier, "intent", f"intent_eval_{lang}", lang, "macro_f1", intent))
        rows.append(score_split(tier, "complaint", f"intent_eval_{lang}.complaint", lang,
                                "macro_f1", complaint))  # fmt: skip
    rows.extend(offtopic_rows(tier, EVAL_SETS_DIR / "offtopic_eval.csv",
                              EVAL_SETS_DIR / "communities.json"))  # fmt: skip
    return rows


def intent_splits(tier: FastTier) -> dict[str, tuple[Split, Split]]:
    """The hand-labelled intent set per language: by intent, and complaint or not."""
    intent = _csv(EVAL_SETS_DIR / "intent_eval.csv")
    labels = list(tier.model("intent").labels)
    out = {}
    for lang in ("en", "fr"):
        part = [r for r in intent if r["lang"] == lang]
        texts, langs = [r["text"] for r in part], [lang] * len(part)
        split = Split(texts, [labels.index(r["intent"]) for r in part], langs)
        out[lang] = split, Split(texts, [int(r["intent"] == "complaint") for r in part], langs)
    return out


def sentiment_dev(tier: FastTier) -> dict[str, Split]:
    """Posts a brand's community writes, labelled by their feeling (`sentiment_dev.csv`), per
    language: the public sentiment sets are tweets about anything."""
    rows = _csv(EVAL_SETS_DIR / "sentiment_dev.csv")
    polarities = list(tier.model("sentiment").labels)
    out = {}
    for lang in ("en", "fr"):
        part = [r for r in rows if r["lang"] == lang]
        texts, labels = [r["text"] for r in part], [polarities.index(r["sentiment"]) for r in part]
        out[lang] = Split(texts, labels, [lang] * len(part))
    return out


def offtopic_rows(tier: FastTier, posts: Path, communities: Path) -> list[Row]:
    profiles = {k: TopicProfile(v["description"], tuple(v["examples"]), tuple(v["off_limit_themes"]))
                for k, v in json.loads(communities.read_text(encoding="utf-8")).items()}  # fmt: skip
    table = _csv(posts)
    scores = np.zeros(len(table), dtype=np.float32)
    for slug, profile in profiles.items():
        index = [i for i, r in enumerate(table) if r["community"] == slug]
        encoded = tier.encoder.encode([table[i]["text"] for i in index])
        scores[index] = TopicScorer(profile, tier.encoder).scores(encoded.dense, encoded.features)
    rows = []
    for lang in ("en", "fr"):
        index = [i for i, r in enumerate(table) if r["lang"] == lang]
        truth = [int(table[i]["off_topic"]) for i in index]
        predicted = (scores[index] >= 0.5).astype(int)
        rows.append(Row(f"{posts.stem}_{lang}", lang, "off_topic", "off-topic.v1", "macro_f1",
                        round(macro_f1(truth, predicted), 4), len(index),
                        round(ece(scores[index], truth), 4)))  # fmt: skip
    return rows


def robustness(
    tier: FastTier, data: Path, limit: int | None, decide: Decide | None = None, label: str = "fast"
) -> list[dict[str, Any]]:
    """Macro-F1 on the offensive and hate test sets, clean and after each evasion.

    `decide(task, texts, lang)` gives the labels (the fast tier's by default); None skips a set."""
    decide = decide or (lambda task, texts, lang: predict_labels(tier, task, texts, lang)[0])
    tests = {t.name: ("offensive", t) for t in datasets.offensive(data).tests}
    tests |= {t.name: ("hate", t) for t in datasets.hate(data).tests}
    out = []
    for name in ROBUSTNESS_SETS:
        task, test = tests[name]
        split = _sample(test.split, limit)
        labels = decide(task, split.texts, test.lang)
        if labels is None:
            continue
        clean = macro_f1(split.labels, labels)
        for evasion_name in NAMES:
            texts = [rewrite(t, evasion_name) for t in split.texts]
            evaded = decide(task, texts, test.lang)
            assert evaded is not None
            after = macro_f1(split.labels, evaded)
            out.append({"set": name, "task": task, "tier": label, "evasion": evasion_name,
                        "clean": round(clean, 4), "evaded": round(after, 4),
                        "drop": round(clean - after, 4)})  # fmt: skip
    return out


#: What each of the demo generator's categories is for each signal (None: left out of that task).
DEMO_LABELS: dict[str, Callable[[str], int | None]] = {
    "complaint": lambda category: int(category == "complaint"),
    "hate": lambda category: int(category == "hate"),
    "offensive": lambda category: int(category in ("insult", "hate")),
    "spam": lambda category: int(category == "spam"),
    "intent": lambda category: (
        None
        if category in ("spam", "insult", "troll", "hate")
        else INTENTS.index({"chatter": "other", "offtopic": "other"}.get(category, category))
    ),
}


def demo_splits() -> dict[tuple[str, str], Split]:
    """The bundled demo's posts, labelled by the generator that wrote them and never trained on,
    per (task, language): a check on posts like a brand's community writes (bike talk, orders,
    support)."""
    from gardien.demo.bundle import iter_channel_lines, load_manifest

    posts: dict[str, tuple[str, str, str]] = {}
    for channel in load_manifest().channels:
        for line in iter_channel_lines(channel.name):
            record = json.loads(line)
            if "demo" in record and record.get("text") and record["id"] not in posts:
                demo = record["demo"]
                posts[record["id"]] = (record["text"], demo["category"], demo.get("lang", "en"))
    out = {}
    for task, label_of in DEMO_LABELS.items():
        for lang in ("en", "fr"):
            split = Split()
            for text, category, post_lang in posts.values():
                if post_lang == lang and (label := label_of(category)) is not None:
                    split.add([text], [label], lang)
            out[task, lang] = split
    return out


def demo_rows(tier: FastTier, limit: int | None) -> list[Row]:
    """The fast tier on the demo's posts (`demo_splits`)."""
    rows = []
    for (task, lang), split in demo_splits().items():
        row = score_split(
            tier, task, f"demo_posts_{lang}.{task}", lang, "macro_f1", _sample(split, limit)
        )
        row.note = DEMO_NOTE
        rows.append(row)
    return rows


def evaluate(
    data: Path, tier: FastTier, limit: int | None = None, accurate_cache: Path | None = None
) -> dict[str, Any]:
    """The whole report as a JSON-ready dict (limit: at most this many rows per set, for tests).

    With `accurate_cache`, the accurate tier is scored too (embeddings cached there).
    """
    rows = public_rows(tier, data, limit) + complaint_rows(tier, data, limit) + hand_rows(tier)
    rows += demo_rows(tier, limit)
    robust = robustness(tier, data, limit)
    fast: Decide = lambda task, texts, lang: predict_labels(tier, task, texts, lang)[0]  # noqa: E731
    scores: Score = lambda task, texts, lang: predict_labels(tier, task, texts, lang)[1]  # noqa: E731
    functional = functional_report(fast, "fast", scores)
    if accurate_cache is not None:
        from gardien.classifiers.evaluation_accurate import Cascade, accurate_rows

        rows += accurate_rows(tier, data, accurate_cache, limit)
        cascade = Cascade(tier, accurate_cache)
        robust += robustness(tier, data, limit, cascade.decide, "accurate cascade")
        functional += functional_report(cascade.decide, "accurate cascade")
    guard = group_guard_rates(tier)
    dev = offtopic_rows(tier, SEEDS_DIR / "offtopic_dev.csv", SEEDS_DIR / "communities_dev.json")
    return {
        "models": {task: tier.model(task).meta for task in ("offensive", "hate", "sentiment",
                                                            "spam", "complaint", "intent")},
        "second_opinions": {task: second.meta for task in rescue.TASKS
                            if (second := tier.second_opinion(task)) is not None},
        "results": [asdict(row) for row in rows],
        "offtopic_dev": [asdict(row) for row in dev],
        "robustness": robust,
        "group_guard": guard,
        "functional": functional,
        "limit_per_set": limit,
    }  # fmt: skip


def group_guard_rates(tier: FastTier) -> dict[str, dict[str, float]]:
    """Per language, the share of the group guard's posts (not hate, each naming a group with
    strong words; `implied.group_guard`) the fast tier calls hate, with offensive's lift and
    without it: the false alarms the lift adds."""
    from gardien.classifiers.implied import group_guard

    guard = group_guard()
    out = {}
    for lang in ("en", "fr"):
        texts = [t for t, g in zip(guard.texts, guard.langs, strict=True) if g == lang]
        langs = [lang] * len(texts)
        threshold = tier.model("hate").threshold_for(lang)
        lifted, _ = tier.decided("hate", texts, langs)
        alone, _ = tier.rescued("hate", texts, langs)
        out[lang] = {
            "posts": len(texts),
            "hate": float((lifted[:, 0] >= threshold).mean()),
            "hate_without_lift": float((alone[:, 0] >= threshold).mean()),
        }
    return out
