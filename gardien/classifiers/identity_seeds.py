"""Hand-written sentences about groups of people, as training rows for hate and offensive.

The public sets teach narrow lessons: HatEval's hate is about immigrants and women only, so
attacks on Muslims, Jews, disabled or gay people go unseen, and MLMA's French set is 80 %
hostile, so a plain French mention of a group already looks offensive. These templates
(`seeds/identity_templates.csv`, written by hand, README there) say the same things about many
groups (`seeds/identity_groups.json`): attacks (hate and offensive) and neutral or kind
mentions, counter-speech and negated attacks (neither). Each template is filled with six of the
groups, picked in a fixed rotation, so the rows are the same at every build. Slurs only fill
attacks. French templates carry gender marks: {e} {ils} {le} {ne} {tous}.

Each attack is also aimed at two groups nobody is protected as (politicians, referees,
spammers…): offensive, not hate. Hate is about *who* is attacked, and without these pairs a
model learns that the insult words alone make hate.
"""

from __future__ import annotations

import csv
import json

from gardien.classifiers.datasets import Split
from gardien.classifiers.registry import SEEDS_DIR

PER_TEMPLATE = 6
#: Non-protected targets each attack template is also filled with (offensive, not hate).
PER_OTHER = 2
SOURCE = {"dataset": "gardien identity templates (hand-written, this repo)", "licence": "AGPL-3.0"}
_GENDER = {
    "m": {"e": "", "ils": "ils", "le": "", "ne": "", "tous": "tous"},
    "f": {"e": "e", "ils": "elles", "le": "le", "ne": "ne", "tous": "toutes"},
}


def read_seeds(file: str) -> list[dict[str, str]]:
    """The rows of one hand-written CSV in `seeds/`."""
    with (SEEDS_DIR / file).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _targets() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(name, gender) of the targets per (language, kind of row): 'attack' (protected groups and
    slurs), 'kind' (protected groups) and 'other' (groups nobody is protected as)."""
    out = {}
    for lang, table in json.loads((SEEDS_DIR / "identity_groups.json").read_text("utf-8")).items():
        kinds = {"attack": table["groups"] + table["slurs"], "kind": table["groups"],
                 "other": table["others"]}  # fmt: skip
        for kind, names in kinds.items():
            out[lang, kind] = [(n, "m") if isinstance(n, str) else (n[0], n[1]) for n in names]
    return out


def fill(template: str, group: str, gender: str = "m") -> str:
    return template.format(g=group, G=group[:1].upper() + group[1:], **_GENDER[gender])


def identity_rows() -> list[dict[str, str]]:
    """Every filled row: text, lang, hate, offensive (labels as '0'/'1')."""
    targets = _targets()
    rows: list[dict[str, str]] = []
    seen: dict[tuple[str, bool], int] = {}
    for row in read_seeds("identity_templates.csv"):
        attack = row["hate"] == "1"
        key = (row["lang"], attack)
        i = seen[key] = seen.get(key, -1) + 1
        groups = targets[row["lang"], "attack" if attack else "kind"]
        for j in range(PER_TEMPLATE):
            name, gender = groups[(i * 5 + j) % len(groups)]
            text = fill(row["template"], name, gender)
            rows.append({"text": text, "lang": row["lang"], "hate": row["hate"],
                         "offensive": row["offensive"], "template": row["template"]})  # fmt: skip
        if attack:
            others = targets[row["lang"], "other"]
            for j in range(PER_OTHER):
                name, gender = others[(i * PER_OTHER + j) % len(others)]
                text = fill(row["template"], name, gender)
                rows.append({"text": text, "lang": row["lang"], "hate": "0", "offensive": "1",
                             "template": row["template"]})  # fmt: skip
    return rows


def abuse_rows() -> list[dict[str, str]]:
    """Abuse of a person, a thing or an animal, and untargeted profanity (`seeds/abuse_seeds.csv`):
    offensive, never hate, since no group of people is attacked."""
    return read_seeds("abuse_seeds.csv")


def group_rows() -> list[dict[str, str]]:
    """Posts about groups of people written one by one, not from templates
    (`seeds/group_seeds.csv`): attacks in varied words, and plain, kind, counter-speech and
    negated mentions, so that the hate model learns more than the templates' few phrasings;
    `group_seeds_more.csv` (session 9) adds attacks on more groups in more forms, and abuse of
    persons, things and non-protected groups (offensive, not hate); `group_seeds_forms.csv`
    (session 11) threats, insinuation, hashtags and @accounts against negated attacks,
    counter-speech and violent talk about things."""
    files = ("group_seeds.csv", "group_seeds_more.csv", "group_seeds_forms.csv")
    return [row for name in files for row in read_seeds(name)]


def counter_rows() -> list[dict[str, str]]:
    """Twins that share their words and differ in what they do, condemn or endorse an attack
    (`seeds/group_seeds_counter.csv`). For hate only: whether quoting an insult to condemn it
    offends is a matter of definition (OffensEval counts any profanity), and the offensive
    model read them worse on the functional dev set at its thresholds (docs/CLASSIFIERS.md)."""
    return read_seeds("group_seeds_counter.csv")


def everyday_rows() -> list[dict[str, str]]:
    """Ordinary posts about things, places and rules in the words attacks also use ("il faut",
    "chez moi", "keep them out", "send back"; `seeds/everyday_seeds.csv`): harm 0, so that
    those words alone do not make hate. Counted as often as the attacks that use them."""
    return read_seeds("everyday_seeds.csv")


def online_rows() -> list[dict[str, str]]:
    """Posts about groups as people write them online (`seeds/group_seeds_online.csv`, session
    19: slang, sarcasm, "just asking" questions, spelling tricks, 28 groups) against
    counter-speech, negation, homonyms and abuse of no group. The fast tier does not learn them
    (every build lowered French hate on the dev set: docs/CLASSIFIERS.md); fine-tuning may."""
    return read_seeds("group_seeds_online.csv")


def identity_split(task: str, online: bool = False) -> Split:
    """The rows labelled for `task` ('hate' or 'offensive'): the templates, then the group seeds;
    hate also gets the counter-speech twins and the abuse seeds (the offensive model already
    learns abuse from OffensEval's 4,000 offensive tweets); last, the everyday posts, and with
    `online` the online posts."""
    split = Split()
    hate_only = [*counter_rows(), *abuse_rows()] if task == "hate" else []
    extra = online_rows() if online else []
    for row in [*identity_rows(), *group_rows(), *hate_only, *everyday_rows(), *extra]:
        split.add([row["text"]], [int(row[task])], row["lang"])
    return split
