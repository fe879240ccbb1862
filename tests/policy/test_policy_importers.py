"""Importers on real-format examples written from Discourse's and AutoModerator's docs."""

from __future__ import annotations

from pathlib import Path

import yaml

from gardien.domain import Action
from gardien.policy.compiler import compile_text
from gardien.policy.evaluator import evaluate
from gardien.policy.importers import import_automod, import_discourse
from tests.policy.policy_factories import author, member, post, signals

DATA = Path(__file__).parent / "data"


def test_discourse_csv_exports_become_lists_per_action() -> None:
    files = [(p.name, p.read_text()) for p in sorted(DATA.glob("*-watched-words-*.csv"))]
    imported = import_discourse(files, "forum")
    lists = {item["name"]: item for item in imported.policy["watched_words"]["lists"]}
    assert lists["discourse-hold"]["terms"] == ["idiot", "mor*n", "scumbag"]
    assert lists["discourse-replace-c-p"]["action"] == "replace:c**p"
    assert {lists["discourse-tag-billing"]["action"], lists["discourse-tag-support"]["action"]} == {
        "tag:billing",
        "tag:support",
    }
    assert any("link" in note for note in imported.unsupported)
    policy = compile_text(imported.to_yaml())
    decision = evaluate(post("what an 1d10t"), None, None, signals(), policy)
    assert decision.action is Action.HOLD


def test_discourse_admin_json_is_read_too() -> None:
    imported = import_discourse(
        [("words.json", (DATA / "discourse-watched-words.json").read_text())], "forum"
    )
    actions = {item["action"] for item in imported.policy["watched_words"]["lists"]}
    assert actions == {"block", "censor", "hold"}
    assert any("silence" in note for note in imported.unsupported)


def test_automoderator_rules_become_rules_and_unsupported_keys_are_listed() -> None:
    imported = import_automod((DATA / "automoderator.yaml").read_text(), "sub")
    text = imported.to_yaml()
    assert "# not imported: automod-1: comment" in text
    assert any("combined_karma" in note for note in imported.unsupported)
    assert any("set_flair" in note for note in imported.unsupported)
    rules = {rule["name"]: rule for rule in yaml.safe_load(text)["rules"]}
    assert rules["automod-1"]["action"] == "block"
    assert rules["automod-1"]["message"] == "Insult: {{match}}"
    assert rules["automod-3"]["priority"] == 5
    assert rules["automod-4"]["final"] is True
    policy = compile_text(text)
    assert evaluate(post("you m0r0n"), None, None, signals(), policy).action is Action.BLOCK
    newbie = author("newbie", age_days=1)
    assert evaluate(post("hello"), newbie, None, signals(), policy).action is Action.HOLD
    assert evaluate(post("buy  followers"), None, None, signals(), policy).action is Action.FLAG
    regular = author("regular")
    trusted = member(regular, trust=2)
    assert evaluate(post("you moron"), regular, trusted, signals(), policy).action is Action.ALLOW
