"""Shared words as a person reads them, for the "similar wording" reason.

The text model's shared terms are Latin words, word pairs and Chinese
character pairs. Shown raw they read badly: "and", "2", or 求预 cut out of
需求预测. Here stop words and numbers are dropped and each Chinese pair grows
into the longest run of characters both texts contain.
"""

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from textkit.normalize import CJK_RANGES, fold

_CJK = re.compile(f"[{CJK_RANGES}]")
# Particles and pronouns: a run of shared characters does not start or end on them.
_PARTICLES = frozenset("的了和与及或在是为对我们你他她它这那有等就也都")
# Words that say nothing about a need, in the texts SMEs write.
_CHINESE_FILLERS = frozenset({"需要", "需求", "我们", "寻找", "提供", "服务", "公司", "企业", "可以", "希望", "推荐"})


def _is_cjk(term: str) -> bool:
    return bool(term) and all(_CJK.fullmatch(char) for char in term)


def _latin_ok(term: str) -> bool:
    words = term.split()
    return all(len(word) > 1 and not word.isdigit() and word not in ENGLISH_STOP_WORDS for word in words)


def _grow(pair: str, need: str, capability: str) -> str:
    """The longest run of Chinese characters around ``pair`` in the need that
    the capability's text contains too."""
    start = need.find(pair)
    if start < 0:
        return pair
    begin, end = start, start + len(pair)
    while begin > 0 and _is_cjk(need[begin - 1]) and need[begin - 1 : end] in capability:
        begin -= 1
    while end < len(need) and _is_cjk(need[end]) and need[begin : end + 1] in capability:
        end += 1
    while begin < end and need[begin] in _PARTICLES:
        begin += 1
    while end > begin and need[end - 1] in _PARTICLES:
        end -= 1
    return need[begin:end]


def readable_words(
    terms: list[str], need_text: str, capability_text: str, limit: int = 3, *, folded: bool = False
) -> list[str]:
    """Up to ``limit`` of the shared ``terms`` (best first), made readable.
    ``folded``: the texts are folded already (callers doing many pairs fold each text once)."""
    need, capability = (need_text, capability_text) if folded else (fold(need_text), fold(capability_text))
    chosen: list[str] = []
    for term in terms:
        if _is_cjk(term):
            word = _grow(term, need, capability)
            if word in _CHINESE_FILLERS or len(word) < 2:
                continue
        elif _latin_ok(term):
            word = term
        else:
            continue
        if any(word in kept or kept in word for kept in chosen):
            # 需求预测 after 预测: keep the longer one.
            chosen = [kept for kept in chosen if kept not in word]
            if any(word in kept for kept in chosen):
                continue
        chosen.append(word)
        if len(chosen) == limit:
            break
    return chosen
