from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qunzhu.core.identity import Account, suggest_merges


def account(identity_id, person_id, name, platform="wechat", weak=False):  # type: ignore[no-untyped-def]
    return Account(identity_id, person_id, platform, f"id{identity_id}", name, weak)


def test_traditional_and_simplified_spellings_are_suggested():
    suggestions = suggest_merges([account(1, 10, "讀書老王", "telegram"),
                                  account(2, 20, "读书老王", "wechat"),
                                  account(3, 30, "小红")])
    assert len(suggestions) == 1
    assert set(suggestions[0].person_ids) == {10, 20}
    assert "telegram" in suggestions[0].reason and "wechat" in suggestions[0].reason


def test_the_strongly_identified_person_is_kept():
    suggestions = suggest_merges([account(1, 5, "Amy🌸", weak=True),
                                  account(2, 9, "ａｍｙ", weak=False)])
    assert suggestions[0].person_ids == (9, 5)


def test_one_person_with_two_accounts_is_not_a_suggestion():
    assert suggest_merges([account(1, 10, "老王"), account(2, 10, "老王", "qq")]) == []


def test_single_character_names_are_too_common_to_suggest():
    assert suggest_merges([account(1, 1, "王"), account(2, 2, "王")]) == []


@given(st.lists(st.tuples(st.integers(1, 8), st.sampled_from(["老王", "老王🌸", "小红", "Amy",
                                                               "ａｍｙ", "讀書", "读书"])),
                max_size=20))
def test_every_suggestion_names_different_people(rows):
    accounts = [account(n, person, name) for n, (person, name) in enumerate(rows)]
    for suggestion in suggest_merges(accounts):
        assert len(set(suggestion.person_ids)) == len(suggestion.person_ids) >= 2
