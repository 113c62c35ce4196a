from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qunzhu.core.text import fold, normalise_name, stored_fold


def test_fold_makes_traditional_fullwidth_and_case_findable():
    assert fold("讀書會") == "读书会"
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("Hello　World") == "hello world"


def test_chinese_punctuation_is_left_alone():
    assert fold("好，明天见。") == "好，明天见。"


def test_stored_fold_is_empty_when_nothing_changes():
    assert stored_fold("今天读完了《三体》，很好看") == ""
    assert stored_fold("讀書") == "读书"


def test_normalise_name_ignores_symbols_emoji_and_width():
    assert normalise_name("Amy🌸") == normalise_name("ａｍｙ") == "amy"
    assert normalise_name("老王（讀書中）") == "老王读书中"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
