"""MODEL_CARD.md for each artefact, written by `gardien train` from the model's own metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gardien.classifiers import choices
from gardien.classifiers.implied import NEEDS_GROUP, OWN_TERMS, SECOND_OPINION_FLOOR
from gardien.classifiers.linear import LinearModel

LIMITS = {
    "offensive": "Trained on 2019 political tweets (OLID) and French hostile tweets (MLMA, collected with "
    "hateful keywords, so its 'normal' class is on the same topics), plus 1,484 hand-written "
    "template rows about groups (seeds/identity_templates.csv) and 352 posts about groups "
    "written one by one (seeds/group_seeds.csv, group_seeds_more.csv) and 200 everyday posts "
    "in the words attacks use (seeds/everyday_seeds.csv), all counted twice, the 1,137 intent "
    "seeds (offensive only where they insult a member) and 240 posts that swear or insult "
    "without attacking a group (seeds/swearing_seeds.csv, counted twice), and 354 posts harsh "
    "about things (offensive 0) or the same words aimed at a person (1; seeds/criticism_seeds.csv). "
    "Blunt criticism of a product may still read offensive in English. Sarcasm, reclaimed "
    "slurs and quoted insults are misread; French thresholds rest on MLMA's 401 validation "
    "tweets, 79 % hostile; other languages fall back to shared character n-grams.",
    "hate": "HatEval targets only immigrants and women; the French side uses a derived label (MLMA "
    "hostile AND aimed at origin, religion, gender, orientation or disability); 1,484 "
    "hand-written template rows add attacks on, and plain mentions of, 12 groups per "
    "language, 512 posts about groups written one by one (seeds/group_seeds*.csv) vary their "
    "wording and pair condemning an attack with endorsing it, 200 everyday posts use the "
    "attacks' words about things (all counted three times), 40 abuse posts teach that abuse "
    "of no group is not hate, and 826 everyday French tweets, the 1,137 intent seeds and 240 "
    "swearing posts that plain French and customers' posts are not hate. The HatEval test set "
    "is known to differ from its training set: expect false positives on posts that mention "
    "immigration. Use as a signal for review, not for automatic removal.",
    "sentiment": "About 4,000 tweets of training data (EN + FR), and 757 hand-written posts to "
    "a brand read by their intent (complaints negative, questions neutral, praise positive; "
    "each counts 8 times a tweet). News-like neutral tweets dominate the neutral class; a "
    "member's tip naming a fault may read negative. Mixed or sarcastic posts get spread-out "
    "probabilities.",
    "spam": "English SMS and 2015 YouTube comments. Links, handles, e-mails and phone numbers are "
    "replaced by placeholders, so contact bait generalises somewhat to other languages; French "
    "posts are scored by spam-fr.v1 (this model read the demo's French spam at recall 0.20).",
    "spam.fr": "French posts only. Its French spam is 99 hand-written posts (giveaways, phishing, "
    "crypto and money schemes, follower selling, adult bait, fake support) against 70 "
    "promotional-looking customer posts and brand replies, the brand seeds and everyday French "
    "tweets, beside YouTube comment spam; judged by cross-validation, so read the demo's French "
    "spam (never trained on) as the check. New kinds of French spam will be missed until "
    "examples are added to seeds/spam_seeds.csv.",
    "complaint": "Shipped model: trained only on hand-written seed examples (this repo) against "
    "ordinary neutral tweets, because complaints_en has no licence. It is a softmax over every "
    "intent read as complaint vs the rest, so a question to support or thanks after a fix count "
    "against it. Scored on complaints_en, which it never saw: macro-F1 0.729 (ROC AUC 0.831). "
    "`gardien train` also builds a local complaints_en model (models/local/, git-ignored, never "
    "shipped) used for English when present.",
    "second opinion": "Its only attacks are hand-written: it knows the plain forms its writers "
    "thought of, not what the public sets' annotators called harm, and it is blind to punctuation "
    "and emoji. It reads words, not sentences: a negated attack, a quoted one or a warm mention of "
    "a group in an attack's words can pass its gate (the functional sets' negated, quoted and "
    "identity posts lose a few), and a phrase its attacks use can carry a kind post or a short "
    "reply past it ('Grateful for every one of them.', 'Nice one'). It only ever raises the main "
    "model's score, only past its language's gate, and only in English and French.",
    "intent": "Trained on about 1,100 hand-written seed posts (80 to 200 per intent and language; "
    "complaints most), 240 plainer ones (seeds/plain_customer_seeds.csv), 240 that swear, 160 "
    "polite ones and 207 posts of members talking among themselves (seeds/chatter_seeds.csv), "
    "plus neutral tweets as 'other': a starting point for "
    "each community's own "
    "labels, not a finished model. French is weaker than English on our hand-labelled set.",
}


def write_card(model: LinearModel, folder: Path) -> None:
    meta = model.meta
    v = meta["validation"]
    sources = "\n".join(
        f"- {s['dataset']} — licence: {s.get('licence', '?')}" for s in meta["sources"]
    )
    labels = ", ".join(model.labels)
    text = f"""# {model.name}

Fast-tier linear model (task `{meta["task"]}`, outputs: {labels}) over the shared encoder
`encoder.v1` (word 1–2-grams and character 2–5-grams of canonical text, tf-idf, plus a mean of
word vectors distilled from multilingual-e5-small). Numpy-only at run time; weights as float16.

## Data and licences
{sources}

Train size {meta["train_size"]}; any text also present in a test split was dropped.

## Training (fixed seeds, `gardien train --data ../shared/data`)
- Logistic regression, class-balanced; C = {meta["C"]}, dense weight ×{meta["dense_scale"]},
  chosen on {v["kind"]} ({v["size"]} posts), macro-F1 {v["macro_f1"]:.3f}.
- Calibration fitted on the same held-out predictions (Platt for binary, temperature for
  multi-class): ECE {v["ece_raw"]:.3f} before → {v["ece_calibrated"]:.3f} after.
- Suggested decision threshold (binary, middle of the near-best validation macro-F1): {meta["threshold"]:.3f}.
{_kept(meta)}{_reading(meta)}
## Test scores
Run `gardien eval`; the figures at the time of writing are in docs/CLASSIFIERS.md.

{_second_opinion(meta)}{_implied(meta)}## Known limits
{LIMITS[_limits_key(meta)]}
"""
    (folder / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def _limits_key(meta: dict[str, Any]) -> str:
    if "gates" in meta:
        return "second opinion"
    return f"{meta['task']}.{meta['language']}" if "language" in meta else str(meta["task"])


def _kept(meta: dict[str, Any]) -> str:
    """A rebuild on the same rows keeps the previous build's choices (`choices.py`)."""
    if meta.get("choices") != choices.RECORDED:
        return ""
    return (
        "- Rebuilt on the same rows as the build before it: C, the dense weight and the\n"
        "  thresholds (and any gates) are that build's, chosen on validation; only the weights\n"
        "  and their calibration were fitted again (classifiers/choices.py).\n"
    )


def _reading(meta: dict[str, Any]) -> str:
    """How the model reads words, when training chose among several readings."""
    if "readings" not in meta:
        return ""
    tried = ", ".join(f"{name} {score:.3f}" for name, score in meta["readings"].items())
    return (
        f"- Reads words {meta['reading']} (typos read back, or as typed, mentions then carrying\n"
        f"  no word vector), chosen on the same validation: {tried}.\n"
    )


def _gates(meta: dict[str, object], key: str) -> str:
    """A model's gates per language, as the cards print them ("en none, fr 0.7")."""
    gates = meta[key]
    assert isinstance(gates, dict)
    return ", ".join(f"{lang} {'none' if g is None else g}" for lang, g in sorted(gates.items()))


def _implied(meta: dict[str, object]) -> str:
    """The section of a model another task's score may lift (offensive by hate, hate by offensive)."""
    if "implied_gates" not in meta:
        return ""
    chosen = _gates(meta, "implied_gates")
    if meta["task"] in NEEDS_GROUP:
        why = "Hostility aimed at a protected group is hate"
        left = "; ".join(f"{lang}: not {', '.join(sorted(g))}" for lang, g in OWN_TERMS.items())
        floors = meta.get("implied_floors") or {}
        assert isinstance(floors, dict)
        sure = ", ".join(
            f"{lang} {f or SECOND_OPINION_FLOOR}" for lang, f in sorted(floors.items())
        )
        where = (
            f", where the post names such a group as a whole (classifiers/groups.py; {left})"
            f" and this model's second opinion reads it at least its language's floor"
            f" ({sure or SECOND_OPINION_FLOOR}),"
        )
    else:
        why, where = "An attack on a group is offensive", ""
    return f"""## Lifted by `{meta["implied_by"]}` (classifiers/implied.py)
{why}: the {meta["implied_by"]} score, carried onto this model's scale (its threshold on this
one's, per language), replaces this model's score{where} where it is higher and at least the
language's gate ({chosen}); the gates are chosen as the second opinions' are.

"""


def _second_opinion(meta: dict[str, object]) -> str:
    """The section a second opinion's card adds: what it serves and its gates."""
    if "gates" not in meta:
        return ""
    chosen = _gates(meta, "gates")
    return f"""## Second opinion for `{meta["second_opinion_for"]}` (classifiers/rescue.py)
Where this model's probability is at least its language's gate ({chosen}) and above the main
model's, the post gets this model's score, and its words as the reason. Gates are chosen on the
main model's validation split (may cost at most {meta["tolerance"]} macro-F1), then on the
functional dev set among those validation cannot tell apart (the most cautious of the near-best).

"""
