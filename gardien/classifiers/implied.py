"""Hate implies offensive: an attack on people for their group is offensive, whatever the
offensive model learnt.

The offensive model learns from OLID and MLMA, the hate model from HatEval, MLMA and our
hand-written group posts; where hate is sure and offensive is not ("Les Noirs, on devrait les
remettre dans les champs de coton." — French offensive's threshold is 0.70, as MLMA's tweets are
80 % hostile), a moderator would see a post marked hateful but not offensive. So the hate score,
carried onto offensive's scale (piecewise linear through (0, 0), (hate's threshold, offensive's
threshold) and (1, 1), per language), lifts the offensive score where it is at least the
language's gate. Like the second opinion it only ever lifts, and its gates are chosen the same
way (`rescue.choose_gates`: validation vetoes the costly ones, the functional dev set picks):
OLID, offensive's validation, does not call every hateful tweet offensive ("build the wall"
without a slur is not), so a lift from every post over hate's threshold costs English
validation 0.011 (docs/CLASSIFIERS.md, session 12).

The other way (session 17): offensive implies hate where the post names a protected group
(`groups.py`). The hate model learnt its attacks from HatEval's two groups, MLMA and our
hand-written posts; the offensive model knows hostility better, and hostility aimed at a named
group is what hate is. Each lift reads the other task's score before that task's own lift, so
neither feeds on itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers import groups

if TYPE_CHECKING:
    from gardien.classifiers.datasets import Split
    from gardien.classifiers.linear import LinearModel
    from gardien.classifiers.registry import FastTier
    from gardien.classifiers.rescue import Scored

#: The task whose score another task's score lifts: offensive ≥ hate, and hate ≥ offensive
#: where a protected group is named (NEEDS_GROUP).
IMPLIED_BY = {"offensive": "hate", "hate": "offensive"}
NEEDS_GROUP = frozenset({"hate"})
#: Groups whose hate a language's public training set judged on its own terms, so that hostility
#: named at them is left to the hate model: HatEval's annotators called much hostility at women
#: and immigrants not hate (it must spread hatred of the group, not insult one woman), and
#: lifting hate there cost English validation 0.006 to 0.059 at every gate. MLMA's French
#: group-hate label is hostility aimed at a group by its very derivation, so French ignores none.
OWN_TERMS = {"en": frozenset({"women", "immigrants"})}
#: How sure the task's second opinion (the model of our hand-written posts, which learnt
#: counter-speech, kind mentions and swearing near a group as not hate) must be before
#: offensive may lift hate: offensive reads hostility anywhere in a post, so "Fuck yeah, my gay
#: brother just got married!" read offensive 0.96 and, lifted, hate 0.95. Each language chooses
#: its floor among FLOORS with its gate (`fit_gates`, the group guard vetoing); a model whose
#: meta has none uses SECOND_OPINION_FLOOR, session 17's choice for both languages.
SECOND_OPINION_FLOOR = 0.4
FLOORS = (0.2, 0.3, 0.4, 0.5)
#: Whether only a mention of the group as a whole counts (`groups.generic`: "gays are…", not
#: "my gay brother"; session 18). Without it, 38 English and 40 French guard posts could be
#: lifted, with it 12 and 16: most not-hateful posts that swear near a group name one person
#: or a thing ("Gay rugby club", "Mec trans ici"), while attacks speak of the group as a whole.
WHOLE_GROUP = True
#: Posts that name a group with strong words and are not hate (celebration, sympathy,
#: counter-speech, members' own lives, news; eval_sets/README.md): a lift's gate may make at
#: most GUARD_POINTS more of them hate, per language, than no lift.
GUARD_SET = "group_guard"
GUARD_POINTS = 0.02


def onto_scale(
    scores: NDArray[np.float32], source: NDArray[np.float32], target: NDArray[np.float32]
) -> NDArray[np.float32]:
    """`scores` moved from one task's scale to another's: each row's `source` threshold lands
    on its `target` threshold, 0 on 0 and 1 on 1, linear in between."""
    below = scores * target / source
    above = target + (scores - source) * (1 - target) / np.maximum(1 - source, 1e-6)
    return np.where(scores <= source, below, above).astype(np.float32)


def carried(
    tier: FastTier,
    task: str,
    scores: NDArray[np.float32],
    languages: Sequence[str],
    texts: Sequence[str],
    floor: NDArray[np.float32] | None = None,
    opinion_floor: float | None = None,
) -> NDArray[np.float32]:
    """The implying task's scores (n,) on `task`'s scale, per row's language; for a task that
    NEEDS_GROUP, 0 where the text names no protected group as a whole (outside OWN_TERMS),
    where the task's second opinion reads it under its floor (`opinion_floor`, else the
    language's in the model's meta), and where the carried score is under the row's `floor`
    (a gate it could not pass: its text is not read)."""
    own, source = tier.model(task), tier.model(IMPLIED_BY[task])
    unique = sorted(set(languages))
    to = {lang: own.threshold_for(lang) for lang in unique}
    frm = {lang: source.threshold_for(lang) for lang in unique}
    out = onto_scale(
        scores,
        np.array([frm[lang] for lang in languages], dtype=np.float32),
        np.array([to[lang] for lang in languages], dtype=np.float32),
    )
    if task in NEEDS_GROUP:
        read = np.flatnonzero(out >= (0 if floor is None else floor)).tolist()
        named = np.zeros(len(out), dtype=np.bool_)
        named[read] = groups.named(
            [texts[i] for i in read],
            [languages[i] for i in read],
            OWN_TERMS,
            tier.encoder.featurizer.repair,
            quoted=False,  # a group named inside a quoted phrase is someone else's words
            whole_group=WHOLE_GROUP,
        )
        second = tier.second_opinion(task)
        if second is not None and (ask := np.flatnonzero(named).tolist()):
            opinion = tier.read(second, [texts[i] for i in ask])[:, 0]
            floors = (
                row_floors(own, [languages[i] for i in ask])
                if opinion_floor is None
                else np.full(len(ask), opinion_floor, dtype=np.float32)
            )
            named[ask] = opinion >= floors
        out = np.where(named, out, 0).astype(np.float32)
    return out


def row_gates(model: LinearModel, languages: Sequence[str]) -> NDArray[np.float32]:
    """Each row's gate from `model.meta["implied_gates"]`; none (inf) where not chosen."""
    gates: dict[str, float | None] = model.meta.get("implied_gates", {})
    own = {lang: np.inf if gate is None else gate for lang, gate in gates.items()}
    return np.array([own.get(lang, np.inf) for lang in languages], dtype=np.float32)


def row_floors(model: LinearModel, languages: Sequence[str]) -> NDArray[np.float32]:
    """Each row's second-opinion floor from `model.meta["implied_floors"]`, else
    SECOND_OPINION_FLOOR."""
    floors: dict[str, float | None] = model.meta.get("implied_floors", {})
    return np.array(
        [floors.get(lang) or SECOND_OPINION_FLOOR for lang in languages], dtype=np.float32
    )


Floors = dict[str, float | None]


def fit_gates(
    tier: FastTier, task: str, val: Split, log: Callable[[str], None]
) -> tuple[dict[str, float | None], Floors]:
    """Each language's gate for the lift of `task` by the task that implies it, chosen on
    `task`'s validation split and the functional dev set as the second opinions' are; for a
    task that NEEDS_GROUP, with its second opinion's floor: every (floor, gate) that
    validation and the group guard keep competes on the dev set, and of those within its
    tolerance of the best the most cautious wins (no lift, then the highest floor, then the
    highest gate)."""
    from gardien.classifiers.rescue import (
        choose_gates,
        gate_options,
        most_cautious,
        render_options,
    )

    dev = dev_split(task)
    thresholds = {lang: tier.model(task).threshold_for(lang) for lang in ("en", "fr")}
    log(f"  {task} lifted by {IMPLIED_BY[task]}: gates")
    if task not in NEEDS_GROUP:
        scored = (_scored(tier, task, val), _scored(tier, task, dev))
        return choose_gates(*scored, thresholds, log), {}
    guard = group_guard()
    by_floor = {
        floor: gate_options(
            _scored(tier, task, val, floor),
            _scored(tier, task, dev, floor),
            thresholds,
            _scored(tier, task, guard, floor),
            GUARD_POINTS,
        )
        for floor in FLOORS
    }
    gates: dict[str, float | None] = {}
    floors: Floors = {}
    for lang in thresholds:
        options: dict[tuple[float, float] | None, float] = {}
        for floor, by_lang in by_floor.items():
            log(f"    {lang}, floor {floor}: {render_options(by_lang[lang])}")
            options.update(
                {None if g is None else (floor, g): score for g, score in by_lang[lang].items()}
            )
        choice = most_cautious(options)  # (floor, gate) pairs: the higher floor first
        floors[lang], gates[lang] = (None, None) if choice is None else choice
        log(f"    {lang} → floor {floors[lang]}, gate {gates[lang]}")
    return gates, floors


def gates_key(tier: FastTier, task: str, val: Split) -> str:
    """What the lift of `task` rests on (`choices.kept`): both tasks' models and second opinions
    (rows, choices, gates), sentiment's, the group words, the sets and the rule's constants."""
    from gardien.classifiers import choices
    from gardien.classifiers.rescue import GATES, TOLERANCE

    models = []
    for name in (task, IMPLIED_BY[task]):
        second = tier.second_opinion(name)
        for meta in (tier.model(name).meta, second.meta if second else {}):
            models.append((choices.of_model(meta), meta.get("gates")))
    models.append((choices.of_model(tier.model("sentiment").meta), None))
    sets = [(s.texts, s.labels, s.langs) for s in (val, dev_split(task), group_guard())]
    own_terms = {lang: sorted(terms) for lang, terms in OWN_TERMS.items()}
    rule = (GATES, TOLERANCE, FLOORS, GUARD_POINTS, sorted(NEEDS_GROUP), own_terms)
    words = groups.WORDS.read_text(encoding="utf-8")
    return choices.key(models, sets, rule, words)


def dev_split(task: str) -> Split:
    """The functional dev set's posts of both languages, labelled for `task`."""
    from gardien.classifiers.datasets import merge
    from gardien.classifiers.functional import functional_split
    from gardien.classifiers.rescue import DEV_SET

    return merge(*(functional_split(task, lang, DEV_SET)[0] for lang in ("en", "fr")))


def group_guard() -> Split:
    """GUARD_SET's posts, every one not hate (label 0)."""
    from gardien.classifiers.datasets import Split
    from gardien.classifiers.functional import functional_cases

    rows = functional_cases(GUARD_SET)  # the eval sets' reader: same folder, same CSV
    return Split([r["text"] for r in rows], [0] * len(rows), [r["lang"] for r in rows])


def _scored(tier: FastTier, task: str, split: Split, opinion_floor: float | None = None) -> Scored:
    from gardien.classifiers.rescue import Scored

    own, _ = tier.rescued(task, split.texts, split.langs)
    source, _ = tier.rescued(IMPLIED_BY[task], split.texts, split.langs)
    return Scored(
        own[:, 0],
        carried(tier, task, source[:, 0], split.langs, split.texts, None, opinion_floor),
        np.asarray(split.labels),
        np.asarray(split.langs),
        tier.kind_posts(split.texts, split.langs) if task in NEEDS_GROUP else None,
    )
