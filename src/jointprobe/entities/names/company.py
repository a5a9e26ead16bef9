"""Company-name keys: legal forms folded, and a spaceless Latin/pinyin form across scripts.

``大连正华贸易有限公司`` and ``DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI`` share
``dalianzhenghuamaoyi``.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from jointprobe.entities.normalise._han import has_han
from jointprobe.entities.normalise.company import normalise_company


def company_keys(name: str) -> set[str]:
    """Keys of a company name: the folded name and its spaceless (pinyin) form."""
    folded = normalise_company(name)
    keys = {folded}
    if has_han(folded):
        keys.add("".join(lazy_pinyin(folded, style=Style.NORMAL, errors="ignore")).replace(" ", ""))
    else:
        keys.add(folded.replace(" ", ""))
    return {k for k in keys if k}
