"""A value written in common words (an address, an organisation's name, a model's brand) has its unsure characters
put right by the words they make with their neighbours, and nothing else changed."""

from __future__ import annotations

import pytest

from inference.documents import lexicon
from inference.documents.fields import FieldRule, correct_value
from tests.inference.test_documents_fields import alts_of

# a few counts as the lexicon gives them, for the cases that test the rule rather than the dictionary
SMALL = {"销售": 6078, "服务": 8000, "汽车": 5000, "福星": 20, "幸福": 900, "福里": 3}


@pytest.mark.parametrize(
    ("read", "alts", "expected"),
    [
        ("汽车轿售服务", {2: [("销", 0.30), ("纳", 0.01)]}, "汽车销售服务"),  # 销售 is a word, 轿售 none
        ("汽车轿售服务", {2: [("纳", 0.30)]}, "汽车轿售服务"),  # no alternative makes a word
        ("汽车轿售服务", {2: [("销", 0.005)]}, "汽车轿售服务"),  # the alternative far less likely than the read
        ("幸福里", {2: [("星", 0.30)]}, "幸福里"),  # 福里 is a word: 福星 not ten times as common (20 < 10 x 3)
        ("汽车1售服务", {2: [("销", 0.30)]}, "汽车1售服务"),  # only Chinese characters are put right
        ("汽车轿售服务", {2: [("1", 0.30)]}, "汽车轿售服务"),  # and only by Chinese characters
    ],
)
def test_an_unsure_character_is_put_right_by_the_words_it_makes(read, alts, expected):
    assert lexicon.corrected(read, alts_of(read, alts), SMALL) == expected


def test_a_read_sure_is_kept_even_where_an_alternative_makes_a_word():
    read = "幸福里"
    alts = [((c, 0.99), ("星", 0.009)) if c == "里" else ((c, 0.99),) for c in read]
    assert lexicon.corrected(read, alts, SMALL) == read


@pytest.mark.parametrize("alts", [None, [], alts_of("汽车轿售")], ids=["none", "empty", "shorter than the read"])
def test_alternatives_that_do_not_line_up_change_nothing(alts):
    assert lexicon.corrected("汽车轿售服务", alts, SMALL) == "汽车轿售服务"


@pytest.mark.parametrize(
    ("read", "alts", "expected"),
    [
        # misreads of dev documents (seeds 5410 and 5441) put right by jieba's dictionary
        (
            "北京市公安局公安交通管建局车辆管理所",
            {11: [("理", 0.05), ("通", 0.01)]},
            "北京市公安局公安交通管理局车辆管理所",
        ),
        ("山东省济南市历下区彭华街390号", {9: [("新", 0.2), ("堑", 0.01)]}, "山东省济南市历下区新华街390号"),
        ("上汽大众方车有限公司", {4: [("汽", 0.2)]}, "上汽大众汽车有限公司"),
        ("完驰牌BJ7223J8", {0: [("奔", 0.3)]}, "奔驰牌BJ7223J8"),  # a model's brand (dev seed 5441); its code as read
        ("日产/天籍", {4: [("籁", 0.2)]}, "日产/天籁"),
        # and right reads left as they are
        ("安徽省合肥市蜀山区迎宾大道175号", {9: [("近", 0.3)]}, "安徽省合肥市蜀山区迎宾大道175号"),
    ],
)
def test_the_dictionary_puts_right_what_the_rules_of_documents_read(read, alts, expected):
    assert lexicon.corrected(read, alts_of(read, alts)) == expected


def test_only_fields_written_in_words_are_put_right():
    """An address is corrected; a name of a person, read the same, is not: names are not words of the dictionary,
    and a common word an alternative makes in one is no evidence."""
    read, alts = "杨西城", {1: [("燕", 0.5)]}  # 西城 (a district) is a word; the name read may be 杨燕城 or 杨西城
    assert correct_value(FieldRule("姓名", "name"), read, alts_of(read, alts)) == read
    read, alts = "汽车轿售服务", {2: [("销", 0.3)]}
    assert correct_value(FieldRule("销货单位名称", lexicon=True), read, alts_of(read, alts)) == "汽车销售服务"
    assert correct_value(FieldRule("销货单位名称"), read, alts_of(read, alts)) == read
