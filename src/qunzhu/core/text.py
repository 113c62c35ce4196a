"""Text helpers shared by search, matching and rules (no Django import)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """The search form of a text: NFKC (full-width → half-width) and case-folded.

    The original text is stored untouched; this form lives beside it.
    """
    return unicodedata.normalize("NFKC", text).casefold()
