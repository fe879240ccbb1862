"""What members and applicants are told, in their language (French or English): the statement
of reasons for a sanction (rule, content, how to appeal), application outcomes, appeal outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LANGUAGES = ("en", "fr")

_KIND = {
    "en": {
        "warn": "a warning",
        "mute": "a mute",
        "suspend": "a suspension",
        "ban": "a ban",
        "hide": "your post was hidden",
        "remove": "your post was removed",
        "censor": "part of your post was masked",
    },
    "fr": {
        "warn": "un avertissement",
        "mute": "une mise en sourdine",
        "suspend": "une suspension",
        "ban": "un bannissement",
        "hide": "votre message a été masqué",
        "remove": "votre message a été supprimé",
        "censor": "une partie de votre message a été masquée",
    },
}


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    body: str


def language_of(*candidates: str | None) -> str:
    """The first candidate we write in (fr/en, regional forms accepted), else English."""
    for candidate in candidates:
        code = (candidate or "").lower().split("-")[0].split("_")[0]
        if code in LANGUAGES:
            return code
    return "en"


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def sanction_notice(
    language: str,
    community: str,
    kind: str,
    rule: str,
    content: str,
    ends_at: datetime | None,
    appeal_path: str,
    appeal_until: datetime,
) -> Text:
    """The statement of reasons (EU DSA art. 17): what was decided, on which rule, about which
    content, until when, and how to appeal."""
    what = _KIND[language][kind]
    excerpt = content if len(content) <= 500 else content[:497] + "…"
    if language == "fr":
        until = f" jusqu'au {_when(ends_at)}" if ends_at else ""
        lines = [
            f"Communauté {community} : {what}{until}.",
            f"Règle enfreinte : {rule}.",
            f"Contenu concerné : « {excerpt} »" if content else "",
            f"Pour contester cette décision, faites appel avant le {_when(appeal_until)} : "
            f"{appeal_path} (un autre modérateur examinera votre appel).",
        ]
        return Text(f"{community} : {what}", "\n".join(line for line in lines if line))
    until = f" until {_when(ends_at)}" if ends_at else ""
    lines = [
        f"Community {community}: {what}{until}.",
        f"Rule broken: {rule}.",
        f'Content concerned: "{excerpt}"' if content else "",
        f"To contest this decision, appeal before {_when(appeal_until)}: {appeal_path} "
        "(another moderator will review your appeal).",
    ]
    return Text(f"{community}: {what}", "\n".join(line for line in lines if line))


def application_message(language: str, community: str, approved: bool, reason: str = "") -> Text:
    """The answer to an applicant, approved or not (with the reason when there is one)."""
    if language == "fr":
        if approved:
            return Text(
                f"Bienvenue dans {community}",
                f"Votre demande d'adhésion à {community} est acceptée. Bienvenue !",
            )
        why = f" Motif : {reason}." if reason else ""
        return Text(
            f"Votre demande pour {community}",
            f"Votre demande d'adhésion à {community} n'a pas été acceptée.{why}",
        )
    if approved:
        return Text(
            f"Welcome to {community}",
            f"Your application to join {community} was approved. Welcome!",
        )
    why = f" Reason: {reason}." if reason else ""
    return Text(
        f"Your application to {community}",
        f"Your application to join {community} was not approved.{why}",
    )


def appeal_outcome(language: str, community: str, upheld: bool, note: str = "") -> Text:
    """The decision on an appeal; when upheld, the strike is gone."""
    extra = f"\n{note}" if note else ""
    if language == "fr":
        if upheld:
            return Text(
                f"{community} : appel accepté",
                f"Votre appel est accepté : la sanction est levée et l'avertissement retiré.{extra}",
            )
        return Text(
            f"{community} : appel rejeté",
            f"Votre appel a été examiné par un autre modérateur ; la sanction est maintenue.{extra}",
        )
    if upheld:
        return Text(
            f"{community}: appeal upheld",
            f"Your appeal is upheld: the sanction is lifted and the strike removed.{extra}",
        )
    return Text(
        f"{community}: appeal dismissed",
        f"Another moderator reviewed your appeal; the sanction stands.{extra}",
    )
