"""A policy file with an error is refused whole, with the line and the reason."""

from __future__ import annotations

import pytest

from gardien.errors import PolicyError
from gardien.policy.compiler import compile_text
from gardien.policy.defaults import default_policy_text
from gardien.policy.loader import digest_of, parse_policy

GOOD = """\
community: acme
locale: fr
watched_words:
  lists:
    - name: insultes
      locale: fr
      action: hold
      terms: [connard]
rules:
  - name: liens-nouveaux
    action: hold
    when:
      all:
        - {field: member.new, equals: true}
        - {field: post.links, at_least: 1}
"""


def refused(text: str) -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "acme.yaml")
    return str(caught.value)


def test_a_good_policy_parses_and_has_a_stable_version() -> None:
    policy = parse_policy(GOOD)
    assert policy.watched_words.lists[0].terms == ["connard"]
    assert digest_of(GOOD) == digest_of(GOOD.replace("\n", "\r\n"))
    assert compile_text(GOOD).version.id == f"acme@{digest_of(GOOD)[:12]}"


def test_unknown_action_names_its_line() -> None:
    message = refused(GOOD.replace("action: hold\n      terms", "action: hide\n      terms"))
    assert message.startswith("acme.yaml:7: watched_words.lists.0.action: unknown action 'hide'")


def test_misspelt_key_names_its_line() -> None:
    message = refused(GOOD.replace("    when:", "    wen:"))
    assert "acme.yaml:12: rules.0.wen: unknown key" in message


def test_unknown_field_in_a_nested_condition_names_its_line() -> None:
    message = refused(GOOD.replace("post.links", "post.linkz"))
    assert message.startswith("acme.yaml:15: rules.0.when.all.1: unknown field 'post.linkz'")


def test_broken_regex_names_its_line() -> None:
    text = GOOD.replace("terms: [connard]", "terms: [connard]\n      regex: ['(unclosed']")
    assert refused(text).startswith("acme.yaml:9: watched_words.lists.0.regex.0: regex")


def test_bad_yaml_names_its_line() -> None:
    assert refused("community: acme\nrules: [\n  - oops: {\n").startswith("acme.yaml:")
    assert (
        refused("- a list\n") == "acme.yaml:1: a policy is a mapping of keys (community:, rules: …)"
    )


def test_missing_community_is_refused() -> None:
    assert "acme.yaml:1: community: Field required" in refused("locale: en\n")


def test_threshold_out_of_range_is_refused() -> None:
    text = "community: acme\nthresholds:\n  - {signal: spam, above: 1.5, action: hold}\n"
    assert refused(text).startswith("acme.yaml:3: thresholds.0.above:")


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_shipped_defaults_are_valid(locale: str) -> None:
    assert parse_policy(default_policy_text(locale)).locale == locale
