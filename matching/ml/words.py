"""Shared words as a person reads them, for the "similar wording" reason.

The text model's shared terms are Latin words, word pairs and Chinese
character pairs. Shown raw they read badly: "and", "2", or 求预 cut out of
需求预测; grown into the longest shared run of characters they still cross
word boundaries (票和全电发票). So a reason shows whole words only:

- Chinese: the need is cut into words by a segmenter (jieba-rs); a shared
  character pair stands for the word of the need that contains it, when the
  capability's text contains that whole word too;
- Latin: the shared word or word pair itself;

and never a stop word, a number or a filler word that every listing or need
says ("support", "model", "服务", "自动"): the domain stop lists below.
"""

import re
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from textkit.normalize import CJK_RANGES, fold

_CJK = re.compile(f"[{CJK_RANGES}]")
_CJK_RUNS = re.compile(f"[{CJK_RANGES}]+")

# Words that say nothing about what a need or a capability is about, in the
# texts SMEs and platforms write on a marketplace like this one.
CHINESE_FILLERS = frozenset(
    {
        "需要", "需求", "我们", "你们", "寻找", "提供", "服务", "公司", "企业", "可以", "希望",
        "推荐", "自动", "面向", "工具", "支持", "系统", "平台", "解决方案", "方案", "帮助", "进行",
        "实现", "相关", "功能", "能力", "模型", "使用", "用于", "一个", "一些", "什么", "怎么",
        "想要", "想", "能够", "快速", "专业", "智能", "在线", "相应", "以及", "或者", "主要",
        "中小企业", "客户", "用户", "产品", "业务", "管理", "问题", "情况", "目前", "现在",
        "数据", "接口", "专家", "培训", "行业", "每月", "价格", "预算", "免费", "开放", "售后",
    }
)  # fmt: skip
ENGLISH_FILLERS = frozenset(
    {
        "support", "supports", "provide", "provides", "providing", "service", "services", "solution",
        "solutions", "platform", "platforms", "system", "systems", "tool", "tools", "model", "models",
        "training", "based", "using", "use", "used", "help", "helps", "need", "needs", "want", "wants",
        "company", "companies", "business", "businesses", "enterprise", "enterprises", "api", "apis",
        "data", "information", "online", "smart", "automatic", "automatically", "fast", "easy",
        "professional", "customer", "customers", "user", "users", "product", "products", "management",
        "like", "looking", "get", "make", "able", "new", "also", "please", "would", "could",
        "industry", "industries", "month", "monthly", "year", "open", "price", "budget", "free", "after",
        "sales", "expert", "experts", "team", "quality", "work",
    }
)  # fmt: skip


def _is_cjk(term: str) -> bool:
    return bool(term) and all(_CJK.fullmatch(char) for char in term)


def is_filler(word: str) -> bool:
    """A stop or filler word, a number, or a one-letter word: never a reason."""
    if _is_cjk(word):
        return len(word) < 2 or word in CHINESE_FILLERS
    parts = word.split()
    return not parts or any(
        len(part) < 2 or part.isdigit() or part in ENGLISH_STOP_WORDS or part in ENGLISH_FILLERS for part in parts
    )


@lru_cache(maxsize=4096)
def chinese_words(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every Chinese word of a folded text, by the segmenter."""
    import rjieba

    spans = []
    for run in _CJK_RUNS.finditer(text):
        position = run.start()
        for word in rjieba.cut(run.group()):
            spans.append((position, position + len(word)))
            position += len(word)
    return tuple(spans)


def _whole_word(pair: str, need: str, capability: str) -> str | None:
    """The word of the need containing the shared ``pair``, if the
    capability's text contains that whole word too; grown into the phrase of
    neighbouring words (视觉 + 检测: 视觉检测) while the capability contains
    the phrase and the neighbour is a word of meaning, not a particle (和, 的)
    or filler."""
    words = chinese_words(need)
    start = need.find(pair)
    while start >= 0:
        for index, (begin, end) in enumerate(words):
            if begin <= start and start + len(pair) <= end:
                if need[begin:end] not in capability:
                    break
                return _phrase(need, words, index, capability)
        start = need.find(pair, start + 1)
    return None


def _phrase(need: str, words: tuple[tuple[int, int], ...], index: int, capability: str) -> str:
    """Word ``index`` of the need with its neighbours, while they touch it,
    are words of meaning and the capability contains the whole phrase."""

    def meaningful(position: int) -> bool:
        word = need[words[position][0] : words[position][1]]
        return len(word) >= 2 and word not in CHINESE_FILLERS

    first = last = index
    while (
        first > 0
        and words[first - 1][1] == words[first][0]
        and meaningful(first - 1)
        and need[words[first - 1][0] : words[last][1]] in capability
    ):
        first -= 1
    while (
        last + 1 < len(words)
        and words[last][1] == words[last + 1][0]
        and meaningful(last + 1)
        and need[words[first][0] : words[last + 1][1]] in capability
    ):
        last += 1
    return need[words[first][0] : words[last][1]]


def readable_words(
    terms: list[str], need_text: str, capability_text: str, limit: int = 3, *, folded: bool = False
) -> list[str]:
    """Up to ``limit`` of the shared ``terms`` (best first), as whole words
    with no filler. ``folded``: the texts are folded already (callers doing
    many pairs fold each text once)."""
    need, capability = (need_text, capability_text) if folded else (fold(need_text), fold(capability_text))
    chosen: list[str] = []
    for term in terms:
        word = _whole_word(term, need, capability) if _is_cjk(term) else term
        if word is None or is_filler(word):
            continue
        if any(word in kept or kept in word for kept in chosen):
            # "invoice ocr" after "ocr": keep the longer one.
            chosen = [kept for kept in chosen if kept not in word]
            if any(word in kept for kept in chosen):
                continue
        chosen.append(word)
        if len(chosen) == limit:
            break
    return chosen
