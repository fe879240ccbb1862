"""Policy engine: matching cost with 1, 10 and 10,000 terms on the same posts, against a compiled
regex alternation of the same terms (the baseline), and full evaluator throughput on one core.

Goals (issue 5): 10,000 terms cost ≤ 2x one term; evaluator ≥ 5,000 posts/s.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from gardien.domain import Language, Post, Score, Signals
from gardien.policy.defaults import default_policy, shipped_list
from gardien.policy.evaluator import evaluate
from gardien.policy.matcher import Term, compile_terms

WORDS_EN = (
    "the bike chain broke again after two weeks and support has not answered my order "
    "is late can you help me with a refund love the new frame colour great ride today "
    "what a scam this idiot moron f.u.c.k shiiit @support #fail https://example.com"
)
WORDS_FR = (
    "le vélo est arrivé cassé et le service client ne répond pas commande en retard "
    "merci pour la livraison rapide super sortie aujourd'hui quel c o n n a r d arnaque "
    "l'idiot du forum classe analyse réputé"
)


def corpus(count: int, seed: int = 5) -> list[tuple[str, str]]:
    """Posts of 8 to 40 words, half English, half French, seeded so runs compare."""
    rng = random.Random(seed)
    posts = []
    for index in range(count):
        language, words = ("en", WORDS_EN) if index % 2 else ("fr", WORDS_FR)
        posts.append((" ".join(rng.choices(words.split(), k=rng.randint(8, 40))), language))
    return posts


def vocabulary(size: int, seed: int = 7) -> list[str]:
    """The shipped EN and FR lists, topped up with seeded pseudo-words, `size` terms in all."""
    terms = list(dict.fromkeys(shipped_list("offensive-en") + shipped_list("offensive-fr")))
    rng = random.Random(seed)
    while len(terms) < size:
        terms.append("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(5, 9))))
    return terms[:size]


def rate(run: Callable[[], object], items: int, repeat: int = 3) -> float:
    """Items per second, best of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return items / best


def main() -> None:
    texts = [text for text, _ in corpus(4_000)]
    figures: dict[int, tuple[float, float]] = {}
    for size in (1, 10, 10_000):
        terms = ["idiot"] if size == 1 else vocabulary(size)
        matcher = compile_terms([Term.parse(term) for term in terms])
        ours = rate(lambda m=matcher: [m.find(text) for text in texts], len(texts))
        escaped = sorted((re.escape(term) for term in terms), key=len, reverse=True)
        pattern = re.compile(r"\b(?:" + "|".join(escaped) + r")\b", re.IGNORECASE)
        regex_texts = texts if size < 10_000 else texts[:400]
        baseline = rate(
            lambda p=pattern, t=regex_texts: [p.findall(x) for x in t], len(regex_texts), 1
        )
        figures[size] = (ours, baseline)
        print(
            f"match {size:>6} terms: {ours:>9,.0f} posts/s   "
            f"regex alternation (no folding): {baseline:>9,.0f} posts/s   "
            f"ours/regex: {ours / baseline:6.2f}x"
        )
    ratio = figures[1][0] / figures[10_000][0]
    print(f"cost of 10,000 terms vs 1 term: {ratio:.2f}x (goal ≤ 2x)")

    policy = default_policy("en")
    now = datetime.now(UTC)
    posts = [
        (
            Post("bench", str(i), "a", text, now, language=language),
            Signals(
                language=Language(language, 0.9),
                scores={"offensive": Score(0.3), "spam": Score(0.1), "intent.question": Score(0.4)},
            ),
        )
        for i, (text, language) in enumerate(corpus(5_000))
    ]
    throughput = rate(lambda: [evaluate(p, None, None, s, policy) for p, s in posts], len(posts), 2)
    print(
        f"evaluator (default EN policy, {policy.matcher.size} terms): {throughput:,.0f} posts/s "
        "on one core (goal ≥ 5,000)"
    )
