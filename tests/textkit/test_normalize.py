"""Text folding shared by search and matching: standard library only."""

import re

from textkit.normalize import CJK_RANGES, fold


def test_fold_normalises_width_case_and_accents():
    assert fold("ＯＣＲ Café") == "ocr cafe"


def test_fold_keeps_chinese_and_takes_nothing():
    assert fold("发票 OCR") == "发票 ocr"
    assert fold("") == ""
    assert fold(None) == ""


def test_the_cjk_ranges_cover_common_and_rare_ideographs():
    ideograph = re.compile(f"[{CJK_RANGES}]")
    assert all(ideograph.match(char) for char in "发票㐀𠀀")
    assert not any(ideograph.match(char) for char in "aＡ。，")
