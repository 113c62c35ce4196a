"""Text folding for search and name matching (no Django import).

The original text is always stored untouched; the folded form lives beside it. Folding
makes 「讀書會」 find 读书会, ＡＢＣ find abc, and Hello find hello:

1. full-width letters, digits and the ideographic space → ASCII (Chinese punctuation such
   as ，and 。 stays: it is not what people type into a search box differently),
2. Traditional → Simplified Chinese with OpenCC (``t2s``), only for texts that contain a
   character OpenCC would change (most messages don't, and the check is a set lookup),
3. case folding.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _t2s() -> _Converter:
    import opencc

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


@lru_cache(maxsize=1)
def traditional_chars() -> frozenset[str]:
    """Every CJK character that OpenCC's t2s turns into another character."""
    convert = _t2s().convert
    blocks = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
    changed: set[str] = set()
    for start, end in blocks:
        chars = "".join(chr(c) for c in range(start, end + 1))
        converted = convert(chars)
        if len(converted) == len(chars):
            changed.update(a for a, b in zip(chars, converted, strict=True) if a != b)
        else:  # a multi-character mapping shifted the string: compare one by one
            changed.update(ch for ch in chars if convert(ch) != ch)
    return frozenset(changed)


@lru_cache(maxsize=1)
def _traditional_pattern() -> re.Pattern[str]:
    # a character class is ~50x faster than set.isdisjoint(str) on typical messages
    return re.compile("[" + "".join(sorted(traditional_chars())) + "]")


@lru_cache(maxsize=1)
def _s2t() -> _Converter:
    import opencc

    converter: _Converter = opencc.OpenCC("s2t")
    return converter


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese (OpenCC ``s2t``). The core's sentence catalogues are
    written in Simplified Chinese and English; Traditional is converted from them, template
    by template (cached), before names and keywords are filled in."""
    return _s2t().convert(text)


def language(lang: str) -> str:
    """A language code reduced to ``en``, ``zh-hans`` or ``zh-hant`` (zh_TW, zh-HK and
    zh-MO read Traditional; any other zh Simplified; anything else English)."""
    lang = lang.lower().replace("_", "-")
    if lang.startswith("zh"):
        return "zh-hant" if lang in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "zh-hans"
    return "en"


def to_simplified(text: str) -> str:
    if _traditional_pattern().search(text) is None:
        return text
    return _t2s().convert(text)


_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")
_WIDE_TABLE = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                       *range(0xFF41, 0xFF5B))} | {0x3000: 0x20}


def fold(text: str) -> str:
    """The search form of a text (see the module docstring)."""
    if _WIDE.search(text) is not None:
        text = text.translate(_WIDE_TABLE)
    return to_simplified(text).casefold()


def normalise_name(name: str) -> str:
    """A display name reduced for matching people across platforms: NFKC, Simplified,
    case-folded, without spaces, punctuation, symbols and emoji ("Amy🌸" ≈ "ａｍｙ")."""
    text = to_simplified(unicodedata.normalize("NFKC", name)).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def stored_fold(text: str) -> str:
    """What to store as a message's folded text: empty when it equals the text itself,
    which is true of most Chinese messages and saves storing them twice."""
    folded = fold(text)
    return "" if folded == text else folded
