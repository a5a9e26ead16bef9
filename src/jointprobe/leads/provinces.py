"""Chinese provinces in an address, in hanzi (河北省, 河北) or pinyin (Hebei).

Codes are ISO 3166-2:CN without the ``CN-`` (``HE`` for Hebei, ``BJ`` for
Beijing). Provinces, the four municipalities (北京, 上海, 天津, 重庆) and the five
autonomous regions (内蒙古, 广西, 西藏, 宁夏, 新疆) are each a province-level
jurisdiction. Hong Kong, Macao and Taiwan (香港, 澳门, 台湾) are found too, but
as jurisdictions of their own (:data:`SEPARATE`): never a mainland province.

How a name is recognised, so that a street named after a province
(北京路 in Guangzhou, 香港中路 in Qingdao, Beijing Road) is not taken for it:

hanzi
    the name with a province-level suffix anywhere (河北省, 北京市, 广西壮族自治区,
    香港特别行政区); else the bare name at the start of the address, after an
    optional 中国 (Chinese addresses go from the province down: 河北邢台…);
pinyin or English
    a comma-separated part of the address that is the name alone, give or take a
    postcode and a suffix word (``Hebei``, ``Hebei Province 054000``,
    ``Guangxi Zhuang Autonomous Region``), the last such part first (a part that is
    the bare hanzi name counts too: ``Xingtai, 河北``).
"""

from __future__ import annotations

import re

_DATA = (
    # code: hanzi names (simplified, traditional) | pinyin and English names
    "AH 安徽|anhui", "BJ 北京|beijing peking", "CQ 重庆 重慶|chongqing",
    "FJ 福建|fujian", "GD 广东 廣東|guangdong", "GS 甘肃 甘肅|gansu",
    "GX 广西 廣西|guangxi", "GZ 贵州 貴州|guizhou", "HA 河南|henan",
    "HB 湖北|hubei", "HE 河北|hebei", "HI 海南|hainan",
    "HK 香港|hongkong", "HL 黑龙江 黑龍江|heilongjiang", "HN 湖南|hunan",
    "JL 吉林|jilin", "JS 江苏 江蘇|jiangsu", "JX 江西|jiangxi",
    "LN 辽宁 遼寧|liaoning", "MO 澳门 澳門|macau macao aomen",
    "NM 内蒙古 內蒙古|neimenggu neimongol innermongolia", "NX 宁夏 寧夏|ningxia",
    "QH 青海|qinghai", "SC 四川|sichuan", "SD 山东 山東|shandong",
    "SH 上海|shanghai", "SN 陕西 陝西|shaanxi", "SX 山西|shanxi",
    "TJ 天津|tianjin", "TW 台湾 台灣 臺灣|taiwan", "XJ 新疆|xinjiang",
    "XZ 西藏|xizang tibet", "YN 云南 雲南|yunnan", "ZJ 浙江|zhejiang",
)  # fmt: skip
#: Hong Kong, Macao, Taiwan: their own jurisdictions (ISO 3166-1 code), not mainland provinces
SEPARATE = {"HK": "hk", "MO": "mo", "TW": "tw"}


def _index(latin: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in _DATA:
        hanzi, _, names = entry.partition("|")
        code, *hanzi_names = hanzi.split()
        out.update(dict.fromkeys(names.split() if latin else hanzi_names, code))
    return out


#: hanzi name -> code
HANZI = _index(latin=False)
#: pinyin or English name (lower case, letters only) -> code
PINYIN = _index(latin=True)

_NAMES = "|".join(sorted(HANZI, key=len, reverse=True))
_SUFFIXED = re.compile(
    rf"({_NAMES})(?:省|市|(?:壮族|壯族|回族|维吾尔|維吾爾)?自治[区區]|特[别別]行政[区區])"
)
_LEADING = re.compile(r"^[\s,，、]*(?:中华人民共和国|中華人民共和國|中国|中國)?[\s,，、]*")
_SUFFIX_WORDS = re.compile(
    r"\b(?:province|sheng|municipality|city|shi|special administrative region|sar|"
    r"autonomous region|zizhiqu|zhuang|hui|uygur|uyghur|uighur|of china|china|prc)\b"
)
_NOT_LETTERS = re.compile(r"[^a-z]+")


def _hanzi(address: str) -> tuple[str, str] | None:
    found = _SUFFIXED.search(address)
    if found:
        return HANZI[found.group(1)], found.group(0)
    head = _LEADING.sub("", address)
    for name in sorted(HANZI, key=len, reverse=True):
        if head.startswith(name):
            return HANZI[name], name
    return None


def _pinyin(address: str) -> tuple[str, str] | None:
    for part in reversed(re.split(r"[,，、;]", address)):
        bare = _NOT_LETTERS.sub("", _SUFFIX_WORDS.sub(" ", part.lower()))
        if bare in PINYIN or part.strip() in HANZI:
            return PINYIN.get(bare) or HANZI[part.strip()], part.strip()
    return None


def province_in(address: str) -> tuple[str, str] | None:
    """The province-level code (``HE``) an address names, and the words that name it."""
    return _hanzi(address) or _pinyin(address)


__all__ = ["HANZI", "PINYIN", "SEPARATE", "province_in"]
