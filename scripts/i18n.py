"""Refresh the message catalogues: extract, fill Traditional from Simplified, compile.

Usage (maintainers, after changing operator-facing text):
    .venv/bin/python scripts/i18n.py
Needs gettext (msgfmt/xgettext) and the dev extra (polib, opencc). Traditional Chinese
entries that are still empty are converted from the Simplified ones with OpenCC (s2twp,
Taiwan phrasing) and marked fuzzy-free; review them like any other translation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import opencc
import polib

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "qunzhu"
LOCALES = ["zh_Hans", "zh_Hant", "en"]


def manage(*args: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qunzhu.settings",
           "QUNZHU_DATA": os.environ.get("QUNZHU_DATA", "/tmp/qunzhu-i18n")}
    subprocess.run([sys.executable, "-m", "django", *args], cwd=PKG, env=env, check=True)


def fill_traditional() -> int:
    convert = opencc.OpenCC("s2twp").convert
    hans = polib.pofile(str(PKG / "locale/zh_Hans/LC_MESSAGES/django.po"))
    hant_path = PKG / "locale/zh_Hant/LC_MESSAGES/django.po"
    hant = polib.pofile(str(hant_path))
    source = {(e.msgctxt, e.msgid): e for e in hans if not e.obsolete}
    filled = 0
    for entry in hant:
        simplified = source.get((entry.msgctxt, entry.msgid))
        if simplified is None or "fuzzy" in simplified.flags:
            continue  # a Simplified guess is no source: translate it first
        guessed = "fuzzy" in entry.flags  # makemessages' guess from a similar old string
        if guessed:
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
            entry.previous_msgid = entry.previous_msgctxt = None
        if entry.msgid_plural:
            if not any(entry.msgstr_plural.values()) and any(simplified.msgstr_plural.values()):
                entry.msgstr_plural = {k: convert(v) for k, v in
                                       simplified.msgstr_plural.items()}
                filled += 1
        elif not entry.msgstr and (simplified.msgstr or any(simplified.msgstr_plural.values())):
            entry.msgstr = convert(simplified.msgstr)
            filled += 1
        if "fuzzy" in entry.flags and (simplified.msgstr or any(simplified.msgstr_plural.values())):
            entry.flags.remove("fuzzy")
    hant.save(str(hant_path))
    return filled


def main() -> None:
    manage("makemessages", "--no-obsolete", "--ignore", "demo/*",
           *[f"-l{loc}" for loc in LOCALES])
    filled = fill_traditional()
    manage("compilemessages", *[f"-l{loc}" for loc in LOCALES])
    print(f"catalogues refreshed; {filled} Traditional Chinese entries filled from Simplified")


if __name__ == "__main__":
    main()
