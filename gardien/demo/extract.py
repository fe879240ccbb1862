"""Pick the few hundred real posts the demo borrows from the shared labelled data.

Run once by a maintainer (`python -m gardien.demo.extract ../shared/data`); the result,
`real_posts.json`, is committed so the demo builds from the repository alone. Every source and
licence is listed in SOURCES.md. Only sets whose licence allows redistribution are read.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

OUT = Path(__file__).with_name("real_posts.json")
SEED = 20261125

LICENCES = {
    "sms_spam": "CC BY 4.0 (UCI); Almeida et al., DocEng 2011",
    "youtube_spam": "CC BY 4.0 (UCI); Alberto et al., ICMLA 2015",
    "tweeteval_offensive": "TweetEval: released without restrictions (OLID, Twitter terms)",
    "tweeteval_hate": "TweetEval: released without restrictions (HatEval, Twitter terms)",
    "tweeteval_sentiment": "TweetEval: released without restrictions (SemEval-17, Twitter terms)",
    "umsab_sentiment_fr": "Apache-2.0 (cardiffnlp/xlm-t); DEFT-2017, Twitter terms",
    "mlma_hate_fr": "MIT (HKUST-KnowComp/MLMA_hate_speech)",
}

# Slurs we leave out so the demo stays realistic without being gratuitous.
EXCLUDE = re.compile(
    r"nigg|fag|kike|spic\b|chink|rapefugee|tranny|bougnoul|n[ée]gro|youpin|\bpd\b|bamboula|raton",
    re.IGNORECASE,
)
POLITICS_EN = re.compile(
    r"trump|obama|hillary|vaccin|brexit|\bgun|abortion|immigra|election|gop|democrat|republican",
    re.IGNORECASE,
)
POLITICS_FR = re.compile(
    r"gouvernement|macron|hollande|fillon|le pen|vaccin|nucl[ée]aire|[ée]lection|ministre|gauche",
    re.IGNORECASE,
)
HATE_EN = re.compile(r"immigra|refugee|illegal|migrant|invader|women|woman|muslim", re.IGNORECASE)

Row = dict[str, str]
Pick = tuple[str, str, str, str, int, Callable[[Row], bool]]


def rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def usable(text: str) -> bool:
    return 15 <= len(text) <= 280 and not EXCLUDE.search(text)


def picks() -> list[Pick]:
    """(folder, file, category, lang, how many, which rows)."""
    return [
        ("sms_spam", "sms_spam.csv", "spam", "en", 60, lambda r: r["label"] == "1"),
        ("youtube_spam", "youtube_spam.csv", "spam", "en", 50, lambda r: r["label"] == "1"),
        (
            "tweeteval_offensive",
            "train.csv",
            "insult",
            "en",
            40,
            lambda r: r["label"] == "1" and bool(re.search(r"\byou\b|\byour\b", r["text"], re.I)),
        ),
        (
            "tweeteval_hate",
            "train.csv",
            "hate",
            "en",
            14,
            lambda r: r["label"] == "1" and bool(HATE_EN.search(r["text"])),
        ),
        (
            "tweeteval_sentiment",
            "test.csv",
            "offtopic",
            "en",
            30,
            lambda r: r["label"] == "0" and bool(POLITICS_EN.search(r["text"])),
        ),
        (
            "umsab_sentiment_fr",
            "train.csv",
            "offtopic",
            "fr",
            30,
            lambda r: r["label"] == "0" and bool(POLITICS_FR.search(r["text"])),
        ),
        (
            "mlma_hate_fr",
            "mlma_fr.csv",
            "insult",
            "fr",
            45,
            lambda r: r["toxic_binary"] == "1" and r["group"] == "individual",
        ),
        (
            "mlma_hate_fr",
            "mlma_fr.csv",
            "hate",
            "fr",
            14,
            lambda r: (
                "hateful" in r["hostility"]
                and r["group"] not in {"individual", "other", "left_wing_people"}
            ),
        ),
    ]


def row_id(row: Row) -> str:
    return row.get("id") or row.get("hit_id") or row.get("comment_id") or ""


def extract(data_dir: Path) -> list[dict[str, str]]:
    rng = random.Random(SEED)
    chosen: list[dict[str, str]] = []
    for folder, name, category, lang, count, keep in picks():
        pool = [r for r in rows(data_dir / folder / name) if usable(r["text"].strip()) and keep(r)]
        for row in rng.sample(pool, min(count, len(pool))):
            chosen.append(
                {
                    "source": folder,
                    "row": row_id(row),
                    "licence": LICENCES[folder],
                    "category": category,
                    "lang": lang,
                    "text": row["text"].strip(),
                }
            )
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path, help="the shared data folder (../shared/data)")
    args = parser.parse_args(argv)
    chosen = extract(args.data_dir)
    OUT.write_text(json.dumps(chosen, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
