"""What each fast-tier model learns: the data sets' splits and the hand-written seeds beside them.

`training.py` fits; this module only assembles texts and labels (no fitting, no artefacts), so
what a model reads can be checked without training it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gardien.classifiers import datasets
from gardien.classifiers.datasets import Split
from gardien.classifiers.identity_seeds import SOURCE as IDENTITY_SOURCE
from gardien.classifiers.identity_seeds import identity_split, read_seeds
from gardien.classifiers.registry import ModelSpec


@dataclass(slots=True)
class Data:
    """Training and validation texts of one model."""

    train: Split
    val: Split
    sources: list[dict[str, str]] = field(default_factory=list)
    #: Rows learnt by every fit, each cross-validation fold included, and never scored: hand-written
    #: seeds beside a data set (the intent and complaint models' polite and chatter posts, the
    #: local complaints_en model's seeds, sentiment's customers' posts).
    extra: Split = field(default_factory=Split)
    #: Cross-validation groups of the training rows (rows of one group share a fold): the fills
    #: of one template, so that CV does not reward learning a sentence with another group in it.
    groups: list[str] | None = None
    #: How much each extra row counts against a training row (sample weight).
    extra_weight: float = 1.0


def seeds(file: str = "intent_seeds.csv") -> list[dict[str, str]]:
    return read_seeds(file)


def _neutral_tweets(data: Path, per_language: int) -> Split:
    """Neutral tweets from the sentiment training sets: ordinary chatter for the 'other' class."""
    out = Split()
    for lang in ("en", "fr"):
        rows = datasets.read_rows(data, f"umsab_sentiment_{lang}", "train.csv")
        neutral = [r["text"] for r in rows if r["label"] == "1"][:per_language]
        out.add(neutral, [0] * len(neutral), lang)
    return out


#: Complaints and questions closing with "thanks in advance", "merci de me répondre"…, and
#: thanks that are praise (session 14): the intent seeds' "merci" was mostly praise, so a French
#: complaint ending "Merci de me répondre." read as praise (complaint 0.16). Written by a helper
#: that saw no data set, seed or demo post (seeds/README.md); intent and complaint only.
POLITE_SEEDS = "polite_customer_seeds.csv"
#: Members talking among themselves, all "other" (session 15): reports of their own runs or
#: recipes read as praise, tips naming a fault ("if your battery drains…") as complaints, and
#: questions to other members as questions for care. Written by a helper that saw no data set,
#: seed or demo post (seeds/README.md); intent and complaint only.
CHATTER_SEEDS = "chatter_seeds.csv"
#: Posts at a brand's account as people tweet them (session 19): faults reported as questions,
#: terse reports, follow-ups after a fix that failed, sarcasm, against questions without a
#: fault, requests, praise and people's own bad days. Written by a helper that saw no data set,
#: seed or demo post (seeds/README.md). The complaint model only: the intent model that learnt
#: them read members' own results and congratulations as praise again (session 15's lesson).
BRAND_TWEET_SEEDS = "brand_tweet_seeds.csv"


def _extra_split(label_of: Callable[[str], int], task: str) -> Split:
    """The swearing seeds, the polite customers' posts and the members' chatter by intent (and
    for complaint the brand tweets): learnt in every fold, never scored, so the
    cross-validation stays comparable with builds without them."""
    split = Split()
    hand_written = [POLITE_SEEDS, CHATTER_SEEDS]
    if task == "complaint":
        hand_written.append(BRAND_TWEET_SEEDS)
    for row in [*swearing_seeds(), *(row for name in hand_written for row in read_seeds(name))]:
        split.add([row["text"]], [label_of(row["intent"])], row["lang"])
    return split


def _seed_split(label_of: Callable[[str], int], data: Path, other: int) -> Split:
    """The intent seeds and the plain customers' posts (240 more, angry or glad without
    swearing; session 10: complaints_en, all rows unseen, 0.693 → 0.707), then neutral tweets."""
    split = Split()
    for row in [*seeds(), *read_seeds("plain_customer_seeds.csv")]:
        split.add([row["text"]], [label_of(row["intent"])], row["lang"])
    chatter = _neutral_tweets(data, 150)
    split.add(chatter.texts, [other] * len(chatter), "en")
    split.langs[-len(chatter) :] = chatter.langs
    return split


SEED_SOURCE = {"dataset": "gardien seeds (hand-written, this repo)", "licence": "AGPL-3.0"}
UMSAB_SOURCE = {"dataset": "umsab_sentiment_en/fr neutral tweets", "licence": "Apache-2.0 (repo)"}
EVERYDAY_SOURCE = {"dataset": "umsab_sentiment_fr neutral and positive tweets (as harm 0)",
                   "licence": "Apache-2.0 (repo)"}  # fmt: skip
#: How many times the hand-written rows (identity templates, group and abuse seeds) count. Once,
#: a linear model fits every one of them yet ranks new phrasings of the same lessons worse
#: (session 6). Session 9, with 240 more group posts: hate 1/2/3/4 copies, validation
#: 0.704/0.708/0.711/0.709; offensive 1/2, 0.780/0.778, and 2 ranks the functional dev set
#: better in both languages; with 160 more (counter-speech twins) hate 2/3/4 read
#: 0.702/0.705/0.702 (docs/CLASSIFIERS.md).
HAND_WRITTEN_COPIES = {"offensive": 2, "hate": 3}
#: Models that also learn everyday French tweets, the intent seeds (what customers write to a
#: brand) and the swearing seeds as harm 0: MLMA, their only French data, is 80 % hostile and
#: all about groups, so plain French read as hate (16 % of everyday tweets flagged; 6 % of the
#: demo's chatter before the seeds, 1.4 % after). Offensive learns the seeds by their own label.
EVERYDAY_FRENCH = ("hate",)
#: Models that learn the intent seeds by their `offensive` column (the insults between members
#: offend, the rest not) and the swearing seeds as offensive: without the swearing, complaining
#: in French would be learnt as never offensive (session 8, docs/CLASSIFIERS.md).
BRAND_POSTS_OFFEND = ("offensive",)
#: How many times the swearing seeds count: 240 rows against 1,137 clean ones (validation chose
#: 2 among 1, 2 and 3).
SWEARING_COPIES = 2
#: Posts harsh about things, not people (`seeds/criticism_seeds.csv`, session 17): OLID taught
#: English offensive that "horrible", "terrible", "the worst" offend, so customers' complaints
#: about a product read offensive ("Your app is terrible, it crashes every time" 0.85); 258 such
#: posts as offensive 0, and 96 aiming the same words at a person as 1. Validation chose 1 copy
#: (0.773 → 0.774, per language EN 0.734 → 0.737, FR 0.652 → 0.652) over 2 (French 0.642).
CRITICISM_SEEDS = "criticism_seeds.csv"
CRITICISM_COPIES = 1


def swearing_seeds() -> list[dict[str, str]]:
    """Posts that swear or insult without attacking a group (`seeds/swearing_seeds.csv`)."""
    return [dict(row, offensive="1") for row in read_seeds("swearing_seeds.csv")]


SPAM_SEED_SOURCE = {"dataset": "gardien French spam seeds (hand-written, this repo)",
                    "licence": "AGPL-3.0"}  # fmt: skip


def _french_spam(spec: ModelSpec, data: Path) -> Data:
    """French spam's own model, judged by cross-validation: the hand-written French spam and
    promotional-looking French posts (`seeds/spam_seeds.csv`), YouTube comment spam (English,
    its training part: links, channels and giveaways cross languages), and as not spam what
    customers write to a brand (the French intent, plain-customer and swearing seeds) and
    everyday French tweets. The English model read French spam badly (the demo's French spam:
    recall 0.20). SMS is left out: its cues ("message", "24", "reply") made the brand's own
    French replies read as spam ("Merci pour votre message, notre service client vous répond
    en message privé sous 24 h": 0.885 with SMS, 0.40 without; session 13)."""
    train = Split()
    comments = {r["text"] for r in datasets.read_rows(data, "youtube_spam", "youtube_spam.csv")}
    english = datasets.spam(data)  # its training and validation rows, test texts removed
    for part in (english.train, english.val):
        for text, label in zip(part.texts, part.labels, strict=True):
            if text in comments:
                train.add([text], [label], "en")
    for row in read_seeds("spam_seeds.csv"):
        train.add([row["text"]], [int(row["spam"])], row["lang"])
    for row in [*seeds(), *read_seeds("plain_customer_seeds.csv"), *swearing_seeds()]:
        if row["lang"] == "fr":
            train.add([row["text"]], [0], "fr")
    everyday = datasets.everyday_tweets(data, "fr")[datasets.GUARD_SIZE :]
    train.add(everyday, [0] * len(everyday), "fr")
    return Data(train, Split(), [*spec.sources, SPAM_SEED_SOURCE, SEED_SOURCE, EVERYDAY_SOURCE])


#: The English intent seeds spam learns as not spam: thanks and complaints are what a brand's
#: customers write in SMS spam's words ("customer service", "reply", "order"); "Big thanks to
#: @Mehdi_VR in customer service for the quick reply" read 0.96. With every intent's seeds,
#: validation fell (0.978 → 0.976) and the threshold with it (docs/CLASSIFIERS.md, session 14).
SPAM_NOT_SPAM_INTENTS = ("praise", "complaint")


def _english_spam(spec: ModelSpec, data: Path) -> Data:
    """SMS and YouTube comment spam, and as not spam the English seeds that thank or complain."""
    task = datasets.spam(data)
    for row in seeds():
        if row["lang"] == "en" and row["intent"] in SPAM_NOT_SPAM_INTENTS:
            task.train.add([row["text"]], [0], "en")
    return Data(task.train, task.val, [*spec.sources, SEED_SOURCE])


def load(spec: ModelSpec, data: Path) -> Data:
    """The training data of one model (validation may be empty: then cross-validation is used)."""
    if spec.task in ("intent", "complaint"):  # complaint: among every intent, read vs the rest
        classes = list(spec.softmax_over or spec.labels)
        return Data(
            _seed_split(classes.index, data, classes.index("other")),
            Split(),
            [SEED_SOURCE, UMSAB_SOURCE],
            _extra_split(classes.index, spec.task),
        )
    if spec.task == "spam" and spec.language == "fr":
        return _french_spam(spec, data)
    if spec.task == "spam":
        return _english_spam(spec, data)
    task = {
        "offensive": datasets.offensive,
        "hate": datasets.hate,
        "sentiment": datasets.sentiment,
        "spam": datasets.spam,
    }[spec.task](data)
    if spec.task in ("offensive", "hate"):  # attacks on, and plain mentions of, many groups
        hand_written = [identity_split(spec.task)] * HAND_WRITTEN_COPIES[spec.task]
        train = datasets.merge(task.train, *hand_written)
        sources = [*spec.sources, IDENTITY_SOURCE]
        if spec.task in EVERYDAY_FRENCH:
            everyday = datasets.everyday_tweets(data, "fr")[datasets.GUARD_SIZE :]
            train.add(everyday, [0] * len(everyday), "fr")
            sources.append(EVERYDAY_SOURCE)
            for row in [*seeds(), *swearing_seeds()]:  # customers' posts: no attack on a group
                train.add([row["text"]], [0], row["lang"])
            sources.append(SEED_SOURCE)
        if spec.task in BRAND_POSTS_OFFEND:
            criticism = read_seeds(CRITICISM_SEEDS) * CRITICISM_COPIES
            for row in [*seeds(), *swearing_seeds() * SWEARING_COPIES, *criticism]:
                train.add([row["text"]], [int(row["offensive"])], row["lang"])
            sources.append(SEED_SOURCE)
        return Data(train, task.val, sources)
    extra, weight = weighed_seeds(spec.task)
    if len(extra):
        return Data(task.train, task.val, [*spec.sources, SEED_SOURCE], extra, extra_weight=weight)
    return Data(task.train, task.val, list(spec.sources))


#: What customers write to a brand, by the polarity their intent makes plain (sentiment's
#: classes): the public sets are tweets about anything, and read brand posts poorly (the
#: brand-post dev set, French questions and complaints above all; docs/CLASSIFIERS.md).
SEED_POLARITY = {"complaint": 0, "question": 1, "praise": 2}
#: How many tweets each of those seeds counts for (session 16): validation (tweets) 1/2/3/4/6/8
#: read 0.625/0.636/0.639/0.640/0.640/0.639 (0.630 without the seeds), a tie from 3 up, and
#: the brand-post dev set, which broke it, rose with the weight (French 0.712 → 0.772).
SENTIMENT_SEED_WEIGHT = 8.0


def weighed_seeds(task: str) -> tuple[Split, float]:
    """The seeds a task's models learn beside its public data set, and how many of its rows each
    counts for (the fast model and the e5 head alike): sentiment's customers' posts; none
    elsewhere."""
    if task == "sentiment":
        return _polar_seeds(), SENTIMENT_SEED_WEIGHT
    return Split(), 1.0


def _polar_seeds() -> Split:
    split = Split()
    for row in seeds():
        if row["intent"] in SEED_POLARITY:
            split.add([row["text"]], [SEED_POLARITY[row["intent"]]], row["lang"])
    return split
