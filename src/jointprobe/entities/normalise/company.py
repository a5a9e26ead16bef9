"""Company names with their legal forms folded away.

``"ANGLO-CARIBBEAN CO., LTD."`` and ``"Anglo Caribbean Company Limited"`` both
give ``"anglo caribbean"``; ``"邢台瑞盛化工有限公司"`` and its traditional
spelling ``"邢臺瑞盛化工有限公司"`` both give ``"邢台瑞盛化工"``. Legal forms
are removed only as whole words at the end (Latin) or as a suffix (Chinese),
so ``"Limited Brands Co"`` keeps ``"limited brands"``.
"""

from __future__ import annotations

import re
import unicodedata

from jointprobe.entities.normalise._han import has_han, to_simplified
from jointprobe.errors import InvalidSelector

# Latin-script legal forms, written as word sequences after punctuation is dropped.
_LATIN_FORMS = (
    "co ltd", "company limited", "company ltd", "co limited", "limited", "ltd", "company",
    "co", "corporation", "corp", "incorporated", "inc", "llc", "l l c", "llp", "lp", "plc",
    "gmbh", "gmbh co kg", "co kg", "kg", "ag", "se", "sa", "s a", "sa de cv", "s a de c v",
    "sas", "sarl", "srl", "s r l", "spa", "s p a", "bv", "b v", "nv", "n v", "pte ltd", "pte",
    "pvt ltd", "private limited", "pty ltd", "pty", "ooo", "oao", "zao", "pao", "ao", "jsc",
    "pjsc", "ojsc", "cjsc", "fze", "fzco", "fzc", "llc fz", "as", "ab", "oy", "kk",
    "kabushiki kaisha", "sdn bhd", "bhd", "tbk", "pt", "jv", "group", "holdings", "holding",
    "youxian gongsi", "youxian zeren gongsi", "gufen youxian gongsi", "gongsi", "jituan",
    "trading co", "international",
)  # fmt: skip
# Chinese legal forms, longest first, matched as suffixes of simplified text.
_HAN_FORMS = (
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "总公司", "分公司", "公司",
    "集团", "株式会社", "合伙企业", "厂",
)  # fmt: skip
_BY_LAST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _form in sorted({tuple(f.split()) for f in _LATIN_FORMS}, key=len, reverse=True):
    _BY_LAST_WORD.setdefault(_form[-1], []).append(_form)
_PUNCT = re.compile(r"[^\w\s]+|_")


def _fold_latin(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub(" ", stripped.casefold()).split())


def _strip_latin_forms(words: list[str]) -> list[str]:
    changed = True
    while changed and words:
        changed = False
        for form in _BY_LAST_WORD.get(words[-1], ()):
            n = len(form)
            if len(words) > n and tuple(words[-n:]) == form:
                words = words[:-n]
                changed = True
                break
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return words


def _strip_han_forms(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for form in _HAN_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)]
                changed = True
                break
    return text


def normalise_company(raw: str, *, where: str = "company") -> str:
    """Return a comparable company name without its legal form."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise InvalidSelector("empty company name", where=where)
    if has_han(text):
        text = to_simplified(text)
        text = re.sub(r"[（(].*?[）)]", "", text) or text
        han = "".join(c for c in text if c.isalnum())
        latin_tail = _fold_latin(re.sub(r"[\u3400-\u9fff]", " ", han))
        core = _strip_han_forms("".join(c for c in han if not c.isascii()))
        return f"{core} {latin_tail}".strip() if latin_tail else core
    words = _strip_latin_forms(_fold_latin(text).split())
    if not words:
        raise InvalidSelector(
            f"{raw!r} has no name left once its legal form is removed", where=where
        )
    return " ".join(words)
