"""Migration in: Discourse watched words and Reddit AutoModerator rules as a Gardien policy.

Each importer returns plain policy data (dump it as YAML, check it with `parse_policy`) and the
list of what it could not carry over, so nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from gardien.errors import PolicyError

#: Discourse watched-word actions → Gardien actions ("replace"/"tag" take the replacement).
DISCOURSE_ACTIONS = {
    "block": "block",
    "censor": "censor",
    "require_approval": "hold",
    "flag": "flag",
    "silence": "hold",
    "replace": "replace",
    "tag": "tag",
}
AUTOMOD_ACTIONS = {
    "remove": "block",
    "spam": "block",
    "filter": "hold",
    "report": "flag",
    "approve": "allow",
}
_TEXT_FIELDS = {"title", "body", "title+body", "body+title"}
_MODIFIERS = {
    "includes",
    "includes-word",
    "regex",
    "starts-with",
    "ends-with",
    "full-exact",
    "full-text",
}
_CHECK = re.compile(r"^(~)?([\w+]+)(?:\s*\(([^)]*)\))?$")
_AGE = re.compile(r"^\s*([<>]=?)?\s*(\d+(?:\.\d+)?)\s*(\w+)?\s*$")
_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}


@dataclass(slots=True)
class Imported:
    """Policy data and the notes on what was approximated or left out."""

    policy: dict[str, Any]
    unsupported: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        notes = "".join(f"# not imported: {note}\n" for note in self.unsupported)
        return notes + yaml.safe_dump(self.policy, allow_unicode=True, sort_keys=False)


def import_discourse(
    files: list[tuple[str, str]], community: str, locale: str = "*", regex: bool = False
) -> Imported:
    """Discourse exports: ``<site>-watched-words-<action>.csv`` files (one word per line, or
    ``word,replacement`` for replace/tag), or the admin JSON (``{"words": [...]}``).

    `regex` says the site had `watched_words_regular_expressions` on (words are regexes).
    """
    result = Imported({"community": community, "watched_words": {"lists": []}})
    grouped: dict[tuple[str, str], list[str]] = {}
    for name, text in files:
        for word, action, replacement in _discourse_rows(name, text, result.unsupported):
            mapped = DISCOURSE_ACTIONS.get(action)
            if mapped is None:
                result.unsupported.append(f"{name}: action {action!r} for {word!r}")
                continue
            if action == "silence":
                result.unsupported.append(f"{word!r}: 'silence' imported as hold (no silencing)")
            if mapped in ("replace", "tag"):
                targets = [t.strip() for t in replacement.split(",") if t.strip()] or ["imported"]
                for target in targets if mapped == "tag" else [replacement or "***"]:
                    grouped.setdefault((mapped, target), []).append(word)
            else:
                grouped.setdefault((mapped, ""), []).append(word)
    lists = result.policy["watched_words"]["lists"]
    for (action, argument), words in grouped.items():
        spec = f"{action}:{argument}" if argument else action
        name = f"discourse-{action}" + (f"-{_slug(argument)}" if argument else "")
        entry: dict[str, Any] = {"name": name, "locale": locale, "action": spec}
        entry["regex" if regex else "terms"] = words
        lists.append(entry)
    return result


def _discourse_rows(name: str, text: str, notes: list[str]) -> list[tuple[str, str, str]]:
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        return [
            (str(w["word"]), str(w.get("action", "block")), str(w.get("replacement") or ""))
            for w in data.get("words", [])
        ]
    found = re.search(r"watched-words-(\w+)\.(?:csv|txt)$", name)
    if found is None:
        notes.append(f"{name}: no action in the file name (…-watched-words-<action>.csv); skipped")
        return []
    action = found.group(1)
    return [
        (row[0].strip(), action, ",".join(row[1:]).strip())
        for row in csv.reader(io.StringIO(text))
        if row and row[0].strip()
    ]


def import_automod(text: str, community: str, locale: str = "*") -> Imported:
    """The common subset of AutoModerator: title/body checks (includes, includes-word, regex…),
    author account_age / karma / is_contributor, actions remove / filter / report / spam /
    approve, action_reason, priority. Everything else is listed in `unsupported`."""
    result = Imported({"community": community, "watched_words": {"lists": []}, "rules": []})
    try:
        rules = list(yaml.safe_load_all(text))
    except yaml.YAMLError as error:
        raise PolicyError(f"AutoModerator file is not valid YAML: {error}") from error
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            continue
        _automod_rule(number, rule, result, locale)
    if not result.policy["watched_words"]["lists"]:
        del result.policy["watched_words"]
    return result


def _automod_rule(number: int, rule: dict[str, Any], result: Imported, locale: str) -> None:
    name = f"automod-{number}"
    conditions: list[dict[str, Any]] = []
    action = "flag"
    entry: dict[str, Any] = {"name": name}
    for key, value in rule.items():
        check = _CHECK.match(str(key).strip())
        base = check.group(2) if check else str(key)
        if base in _TEXT_FIELDS and check is not None:
            conditions.append(_text_check(name, check, value, result, locale, len(conditions)))
        elif base == "author" and isinstance(value, dict):
            conditions.extend(_author_checks(name, value, result.unsupported))
        elif base == "type":
            kinds = {"comment": True, "submission": False, "text submission": False}
            if value in kinds:
                conditions.append({"field": "post.is_reply", "equals": kinds[value]})
            elif value != "any":
                result.unsupported.append(f"{name}: type {value!r}")
        elif base == "action":
            if value not in AUTOMOD_ACTIONS:
                result.unsupported.append(f"{name}: action {value!r} (kept as flag)")
            action = AUTOMOD_ACTIONS.get(value, "flag")
        elif base == "action_reason":
            entry["message"] = str(value)
        elif base == "priority":
            entry["priority"] = int(value)
        else:
            result.unsupported.append(f"{name}: {key}")
    if not conditions:
        result.unsupported.append(f"{name}: no condition Gardien can check; rule left out")
        return
    entry["action"] = action
    if action == "allow":
        entry["final"] = True
    entry["when"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
    result.policy["rules"].append(entry)


def _text_check(
    name: str, check: re.Match[str], value: Any, result: Imported, locale: str, index: int
) -> dict[str, Any]:
    """A title/body check: plain words become a signal-only word list (robust to evasion),
    regexes a `post.text matches` test. Title and body are both the post's text here."""
    negate = bool(check.group(1))
    modifiers = {m.strip() for m in (check.group(3) or "").split(",") if m.strip()}
    for unknown in sorted(modifiers - _MODIFIERS - {"case-sensitive"}):
        result.unsupported.append(f"{name}: modifier {unknown!r}")
    words = [str(v) for v in (value if isinstance(value, list) else [value])]
    if "regex" in modifiers or modifiers & {"starts-with", "ends-with", "full-exact", "full-text"}:
        body = "|".join(words if "regex" in modifiers else (re.escape(w) for w in words))
        if modifiers & {"starts-with", "full-exact", "full-text"}:
            body = f"^(?:{body})"
        if modifiers & {"ends-with", "full-exact", "full-text"}:
            body = f"(?:{body})$"
        condition: dict[str, Any] = {"field": "post.text", "matches": body}
    else:
        list_name = f"{name}-words-{index + 1}"
        terms = [f"*{w}*" for w in words] if "includes" in modifiers else words
        result.policy["watched_words"]["lists"].append(
            {"name": list_name, "locale": locale, "action": "allow", "terms": terms}
        )
        condition = {"field": f"words.{list_name}", "at_least": 1}
    return {"not": condition} if negate else condition


def _author_checks(name: str, author: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    any_of = bool(author.get("satisfy_any_threshold"))
    for key, value in author.items():
        if key == "satisfy_any_threshold":
            continue
        if key == "account_age":
            checks.append(_age_check(str(value)))
        elif key == "is_contributor":
            test = {"field": "member.trust_level", "at_least": 2}
            checks.append(test if value else {"not": test})
            notes.append(f"{name}: is_contributor read as member.trust_level ≥ 2")
        else:
            notes.append(f"{name}: author.{key} (Gardien has no {key}; condition left out)")
    if any_of and len(checks) > 1:
        return [{"any": checks}]
    return checks


def _age_check(value: str) -> dict[str, Any]:
    found = _AGE.match(value)
    if found is None:
        raise PolicyError(f"account_age {value!r} is not like '< 7 days'")
    operator, number, unit = found.group(1) or ">", float(found.group(2)), found.group(3) or "day"
    days = number * _DAYS.get(unit.rstrip("s").lower(), 1)
    test = {"<": "below", "<=": "at_most", ">": "above", ">=": "at_least"}[operator]
    return {"field": "author.account_age_days", test: round(days, 4)}


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text).strip("-").lower() or "x"
