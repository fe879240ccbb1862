"""Application screening: spam and bot signals add up to a score in [0, 1], each with its reason,
and the community's thresholds turn the score into approve, reject or queue."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: A few well-known throwaway mail providers (extend per deployment in the form's settings).
DISPOSABLE = frozenset(
    [
        "10minutemail.com",
        "20minutemail.com",
        "dispostable.com",
        "emailondeck.com",
        "fakeinbox.com",
        "getnada.com",
        "guerrillamail.com",
        "guerrillamail.net",
        "maildrop.cc",
        "mailinator.com",
        "mailnesia.com",
        "mintemail.com",
        "mohmal.com",
        "sharklasers.com",
        "spamgourmet.com",
        "temp-mail.org",
        "tempmail.com",
        "tempmailo.com",
        "throwawaymail.com",
        "trashmail.com",
        "yopmail.com",
        "yopmail.fr",
    ]
)
_LINK = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)
_FOLD = re.compile(r"[\W_]+", re.UNICODE)
MIN_FINGERPRINT_CHARS = 20
#: Classifier scores that count against an applicant: where the default policy holds a post.
SPAM_AT, OFFENSIVE_AT = 0.8, 0.9


@dataclass(frozen=True, slots=True)
class Finding:
    """One signal that raised the score, with the points it added and a sentence for humans."""

    signal: str
    points: float
    message: str


@dataclass(frozen=True, slots=True)
class Screening:
    score: float
    verdict: str  # "approve", "reject" or "queue"
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Applicant:
    """What screening looks at; scores are the classifiers' (e.g. ``spam``) over all answers."""

    email: str
    answers: Mapping[str, str]
    account_age_days: float | None = None
    scores: Mapping[str, float] = field(default_factory=dict)


def fingerprint(answer: str) -> str | None:
    """A hash of the answer with case, punctuation and spacing folded; None for short answers
    (short answers are often alike by chance)."""
    folded = _FOLD.sub(" ", answer.casefold()).strip()
    if len(folded) < MIN_FINGERPRINT_CHARS:
        return None
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


def screen(
    applicant: Applicant,
    seen: frozenset[str] | set[str],
    approve_below: float,
    reject_from: float,
) -> Screening:
    """Score `applicant`; `seen` holds fingerprints of earlier applications' answers."""
    findings = [*_email(applicant.email), *_answers(applicant.answers, seen)]
    age = applicant.account_age_days
    if age is not None and age < 7:
        findings.append(Finding("account_age", 0.2, f"the account is {age:.0f} days old"))
    spam = applicant.scores.get("spam", 0.0)
    if spam >= SPAM_AT:
        findings.append(
            Finding("spam", round(spam * 0.6, 3), f"spam score {spam:.2f} ≥ {SPAM_AT:.2f}")
        )
    offensive = max(applicant.scores.get("offensive", 0.0), applicant.scores.get("hate", 0.0))
    if offensive >= OFFENSIVE_AT:
        findings.append(
            Finding(
                "offensive", 0.3, f"offensive language score {offensive:.2f} ≥ {OFFENSIVE_AT:.2f}"
            )
        )
    score = round(min(1.0, sum(item.points for item in findings)), 3)
    verdict = "reject" if score >= reject_from else "approve" if score < approve_below else "queue"
    return Screening(score, verdict, findings)


def _email(email: str) -> list[Finding]:
    domain = email.rpartition("@")[2].strip().lower()
    if domain in DISPOSABLE:
        return [Finding("disposable_email", 0.5, f"{domain} is a disposable e-mail provider")]
    return []


def _answers(answers: Mapping[str, str], seen: frozenset[str] | set[str]) -> list[Finding]:
    found: list[Finding] = []
    texts = [text for text in answers.values() if isinstance(text, str)]
    links = sum(len(_LINK.findall(text)) for text in texts)
    if links >= 2:
        found.append(
            Finding("links", round(min(0.5, 0.1 * links + 0.1), 3), f"{links} links in answers")
        )
    copied = [key for key, text in answers.items() if fingerprint(str(text)) in seen]
    if copied:
        found.append(
            Finding(
                "copied_answers",
                0.4,
                f"answer {', '.join(sorted(copied))} was given before in another application",
            )
        )
    if texts and all(len(text.strip()) < 3 for text in texts):
        found.append(Finding("empty_answers", 0.2, "every answer is empty or nearly so"))
    return found
