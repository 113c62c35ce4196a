"""Every operator-facing string has its Chinese translations, and the compiled catalogues
are current (a stale .mo would show English to Chinese operators)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "qunzhu" / "locale"


def _entries(po_path: Path) -> list[tuple[str | None, str, str]]:
    """(context, msgid, msgstr) of a .po file; a tiny reader, enough for our catalogues."""
    entries: list[tuple[str | None, str, str]] = []
    values: dict[str, str] = {}
    field = ""

    def flush() -> None:
        if "msgid" in values and values["msgid"]:
            entries.append((values.get("msgctxt"), values["msgid"],
                            values.get("msgstr", values.get("msgstr[0]", ""))))
        values.clear()

    for raw in po_path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
            continue
        if line.startswith('"'):
            values[field] += line[1:-1].encode().decode("unicode_escape").encode(
                "latin-1").decode("utf-8")
            continue
        field, _, rest = line.partition(" ")
        values[field] = rest[1:-1].encode().decode("unicode_escape").encode(
            "latin-1").decode("utf-8")
    flush()
    return entries


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_every_string_is_translated(language):
    missing = [msgid for _ctx, msgid, msgstr in _entries(
        LOCALE / language / "LC_MESSAGES" / "django.po") if not msgstr]
    assert missing == []


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_compiled_catalogue_matches_the_po_file(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for ctx, msgid, msgstr in _entries(folder / "django.po"):
        got = compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)
        assert got == msgstr, f"{language}: {msgid!r} compiled as {got!r}; run scripts/i18n.py"


TEMPLATES = LOCALE.parent / "web" / "templates"
_IN_ATTRIBUTE = re.compile(
    r"""=\s*"\{%\s*translate\s+(?:'([^']*)'|"([^"]*)")\s*%\}"?""")


def test_translations_placed_in_attributes_cannot_break_them() -> None:
    """``{% translate %}`` output is not escaped: a translation with a double quote or an
    angle bracket inside ``title="…"`` would end the attribute and garble the page."""
    used = {single or double
            for path in TEMPLATES.rglob("*.html")
            for single, double in _IN_ATTRIBUTE.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 50  # the hover texts of the health pages, among others
    for language in ("zh_Hans", "zh_Hant", "en"):
        po = LOCALE / language / "LC_MESSAGES" / "django.po"
        bad = [(msgid, msgstr) for _ctx, msgid, msgstr in _entries(po)
               if msgid in used and any(c in (msgstr or msgid) for c in '"<>')]
        assert not bad, f"{language}: {bad[:3]}"
