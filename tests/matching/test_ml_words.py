"""Shared words shown in the "similar wording" reason."""

import pytest

from matching.ml.words import readable_words


@pytest.mark.parametrize(
    ("terms", "need", "capability", "expected"),
    [
        # A Chinese pair stands for the whole word of the need that holds it,
        # grown into the phrase of words both texts share.
        (["求预", "预测", "需求"], "成品需求预测需求", "仓储需求预测模型", ["需求预测"]),
        (["觉检", "视觉", "检测"], "注塑件表面缺陷视觉检测", "工业视觉检测模型", ["视觉检测"]),
        # No fragment across words, no phrase across a particle.
        (["票和", "发票", "全电"], "增值税发票和全电发票", "纸质发票和全电发票识别", ["全电发票"]),
        # A word the capability does not contain whole is not shown.
        (["入金", "金蝶"], "接入金蝶财务系统", "入金流水", []),
        # Stop words, filler words, numbers and one-letter words are dropped.
        (
            ["and", "2", "x", "customs", "by", "support"],
            "customs and by 2 x support",
            "customs and by 2 x support",
            ["customs"],
        ),
        # A pair of words is kept when both words carry meaning.
        (["invoice ocr", "invoice"], "invoice OCR", "Invoice OCR API", ["invoice ocr"]),
        # A word pair across a particle stands for nothing.
        (["的数", "关税"], "价格的关税", "海关的关税", ["关税"]),
        # Filler words of Chinese needs are not reasons.
        (["需要", "物流"], "我们需要物流", "物流需要", ["物流"]),
    ],
)
def test_readable_words(terms, need, capability, expected):
    assert readable_words(terms, need, capability) == expected


def test_at_most_limit_words_best_first():
    terms = ["ocr", "invoice", "logistics", "route"]
    text = "ocr invoice logistics route"
    assert readable_words(terms, text, text, limit=2) == ["ocr", "invoice"]
