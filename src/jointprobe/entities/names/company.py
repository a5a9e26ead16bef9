"""Company-name keys: legal forms folded, and a spaceless Latin/pinyin form across scripts.

``大连正华贸易有限公司`` and ``DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI`` share
``dalianzhenghuamaoyi``. Two more keys come from the name's parts
(:mod:`.company_parse`): ``cd:`` + the distinctive words run together, as
written and sorted (``cd:shuokang`` for ``Wuhan Shuokang Bio-Tech Co., Ltd.``
and ``WUHAN SHUOKANG BIOLOGICAL TECHNOLOGY CO., LTD`` alike), or, for a name
with no distinctive word, ``cg:`` + its trade words and places (so a generic
name meets only the same generic name). A key says "worth comparing"; the
score comes from :func:`~.compare_company.compare_companies`.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from jointprobe.entities.names.company_parse import parse_company
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
    keys |= part_keys(name)
    return {k for k in keys if k}


def part_keys(name: str) -> set[str]:
    """The ``cd:`` / ``cg:`` keys of a company name (see the module docstring)."""
    parsed = parse_company(name)
    if parsed.distinctive:
        return {f"cd:{parsed.sorted_joined}"} | {f"cd:{v}" for v in parsed.variants}
    if parsed.trade or parsed.places:
        return {f"cg:{' '.join(sorted(parsed.trade))}|{' '.join(sorted(parsed.places))}"}
    return set()
