"""Every interface string has its French translation (a page added without one fails here)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import gardien.web

WEB = Path(gardien.web.__file__).parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def test_every_string_of_the_console_is_translated_into_french() -> None:
    with (WEB / "i18n" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    missing, seen = set(), 0
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, OPTIONS
    ):
        key = message if isinstance(message, str) else message[0]
        seen += 1
        found = catalogue.get(key)
        if found is None or not found.string or found.string == ("",) * len(found.string):
            missing.add(f"{filename}: {key!r}")
    assert seen > 300  # the extraction really read the console
    assert sorted(missing) == []
