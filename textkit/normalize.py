"""Text folding shared by search (marketplace.search) and matching (matching.ml):
standard library only, so importing it never loads Django or the numerical stack."""

import unicodedata

# CJK ideographs: Extension A, Unified, Compatibility, Extensions B-F.
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"


def fold(text: str) -> str:
    """NFKC (full-width to ASCII), accents removed, case-folded."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or ""))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
