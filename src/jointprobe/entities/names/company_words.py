"""Word tables behind company-name matching: abbreviations, legal forms, trade words, places.

Every word of a company name is one of four kinds, which weigh very
differently when two names are compared:

- **legal form** (``CO``, ``LTD``, ``YOUXIAN GONGSI``): says nothing about which company;
- **trade word** (``TECHNOLOGY``, ``CHEMICAL``, ``TRADING``, ``INTERNATIONAL``):
  shared by thousands of companies;
- **place** (``WUHAN``, ``HEBEI``, ``SHANGHAI``, ``HONG KONG``, any country): tells
  companies of the same name apart, but is often dropped or moved into brackets;
- **distinctive** (everything else, ``SHUOKANG``, ``HUANHAO``, ``CISHUN``): the words
  that name one company.

Abbreviations and spelling variants are rewritten to one canonical word first
(``BIO-TECH``, ``BIOTECH``, ``BIOLOGICAL TECHNOLOGY`` → ``biotech``; ``CHEM`` →
``chemical``; ``INTL`` → ``international``). Chinese trade words and legal forms
are read the same way (``生物科技`` → ``biotech``, ``有限公司`` → ``co ltd``).
"""

from __future__ import annotations

from functools import cache

from followthemoney.types import registry

# Canonical word: its spellings, each a sequence of folded words (longest matched first).
_PHRASES: dict[str, tuple[str, ...]] = {
    "biotech": (
        "bio tech", "biotech", "biotechnology", "biotechnologies", "bio technology",
        "bio technologies", "biological technology", "biological technologies",
        "biological tech", "biology technology", "bio techn", "biotec", "bio tec",
        "biological science and technology", "biological sci tech", "bio sci tech",
    ),
    "scitech": (
        "science and technology", "science technology", "sci tech", "scitech", "sci and tech",
        "science and tech",
        "science tech", "sci technology",
    ),
    "technology": ("tech", "technology", "technologies", "techn", "technological", "tec"),
    "pharmaceutical": (
        "pharm", "pharma", "pharmaceutical", "pharmaceuticals", "pharmaceutics", "pharmtech",
        "pharmaceutical tech",
    ),
    "chemical": ("chem", "chemical", "chemicals", "chemistry", "chemie", "chemo", "chemial"),
    "international": ("intl", "int l", "international", "internacional", "intern", "inter l"),
    "importexport": (
        "import export", "import and export", "imp exp", "imp and exp", "i e", "imp export",
        "import exp", "imex",
    ),
    "industry": ("ind", "indus", "industry", "industries", "industrial", "inds"),
    "manufacturing": ("mfg", "manufacturing", "manufacture", "manufacturer", "mfr"),
    "trading": ("trading", "trade", "tradings", "trd", "tradg", "trdg", "trad"),
    "biochemical": ("biochem", "biochemical", "biochemicals", "bio chem", "bio chemical"),
    "hitech": ("hitech", "hi tech", "high tech", "hightech", "high technology", "hi technology"),
    "petrochemical": ("petrochem", "petrochemical", "petrochemicals", "petro chemical"),
    "agrochemical": ("agrochem", "agrochemical", "agrochemicals", "agro chemical"),
    "construction": ("const", "constr", "construction"),
    "national": ("natl", "nat l", "national"),
    "association": ("assoc", "assn", "association"),
    "distribution": ("dist", "distr", "distrib", "distribution", "distributor", "distributors"),
    "development": ("dev", "devel", "development", "developments"),
    "medical": ("med", "medical", "medicine", "medicines", "medic"),
    "bio": ("bio", "biological", "biology", "biologic", "bioscience", "biosciences"),
    "group": ("grp", "group", "groups"),
    "holding": ("hldg", "hldgs", "holding", "holdings"),
    "service": ("svc", "svcs", "service", "services"),
    "engineering": ("eng", "engg", "engineering"),
    "electronics": ("elec", "electronic", "electronics", "electric", "electrical"),
    "material": ("mat", "material", "materials", "matl"),
    "product": ("prod", "prods", "product", "products"),
    "logistics": ("logistic", "logistics"),
    "laboratory": ("lab", "labs", "laboratory", "laboratories"),
    "enterprise": ("ent", "enterprise", "enterprises"),
    "investment": ("inv", "invest", "investment", "investments"),
    "science": ("sci", "science", "sciences", "scientific"),
    "information": ("info", "information"),
    "equipment": ("equip", "equipment"),
    "commercial": ("comm", "commerce", "commercial"),
    "management": ("mgmt", "mgt", "management"),
    "corporation": ("corp", "corporation"),
    "co": ("co", "company", "cos", "companies", "compania", "cia"),
    "ltd": ("ltd", "limited", "ltda", "limitada"),
    "inc": ("inc", "incorporated"),
    "shipping": ("shipping", "ship", "shipment"),
    "and": ("and", "&", "y", "et"),
    "sadecv": ("sa de cv", "s a de c v", "sa de c v", "s a de cv", "s de rl de cv",
               "s de r l de c v", "sapi de cv", "s a p i de c v"),
    "sa": ("s a",), "srl": ("s r l",), "spa": ("s p a",), "bv": ("b v",), "nv": ("n v",),
    "llc": ("l l c",), "sarl": ("s a r l",), "sas": ("s a s",), "ooo": ("o o o",),
}  # fmt: skip

LEGAL = frozenset(
    "co ltd inc corporation llc lp llp plc gmbh kg ag se sa sas sarl srl spa bv nv pte pvt "
    "private pty ooo oao zao pao jsc pjsc ojsc cjsc fze fzco fzc fz as ab oy kk kabushiki "
    "kaisha sdn bhd tbk pt jv youxian gongsi zeren gufen de cv rl sl sac eirl sapi sadecv".split()
)
TRADE = frozenset(
    "biotech scitech technology pharmaceutical chemical international importexport industry "
    "manufacturing trading development medical bio group holding service engineering "
    "electronics material product logistics laboratory enterprise investment science "
    "information equipment commercial management shipping fine new general global world "
    "worldwide supply supplies resources energy health healthcare research business "
    "consulting network digital petroleum petrochemical oil gas machinery construction "
    "food textile plastic plastics metal steel pharmacy drug drugs agency agent import "
    "export freight transport express center centre factory plant works partners "
    "associates import exports imports sales solutions systems intelligent smart "
    "creative innovation innovative biopharmaceutical biopharma cosmetics cosmetic "
    "agricultural agriculture agro organic synthesis synthetic reagent reagents raw "
    "ingredients additive additives polymer coatings dye dyes paint pesticide pesticides "
    "city province district zone county town free economic area park new hi high "
    "advanced modern united universal star first best golden gold asia asian pacific "
    "east eastern west western north northern south southern central overseas "
    "biochemical hitech agrochemical national association distribution "
    "the of for and la el los las del".split()
)
# Chinese trade words and legal forms, longest first, read as the canonical words above.
HAN_WORDS: tuple[tuple[str, str], ...] = (
    ("股份有限公司", " co ltd "), ("有限责任公司", " co ltd "), ("有限公司", " co ltd "),
    ("进出口", " importexport "), ("生物科技", " biotech "), ("生物技术", " biotech "),
    ("生物工程", " bio engineering "), ("精细化工", " fine chemical "), ("化工", " chemical "),
    ("化学", " chemical "), ("医药", " pharmaceutical "), ("制药", " pharmaceutical "),
    ("药业", " pharmaceutical "), ("科技", " technology "), ("技术", " technology "),
    ("贸易", " trading "), ("商贸", " trading "), ("国际", " international "),
    ("实业", " industry "), ("工业", " industry "), ("物流", " logistics "),
    ("新材料", " new material "), ("材料", " material "), ("发展", " development "),
    ("投资", " investment "), ("集团", " group "), ("控股", " holding "), ("生物", " bio "),
    ("公司", " co "), ("有限", " ltd "), ("总公司", " co "), ("分公司", " co "),
    ("香港", " hongkong "), ("澳门", " macao "), ("中国", " china "), ("省", " province "),
    ("市", " city "), ("区", " district "), ("厂", " factory "),
)  # fmt: skip
# Places that companies are named after: China's provinces and larger cities, with their
# postal and Wade-Giles spellings, and cities of the trade; every country is added below.
_PLACES = (
    "beijing peking shanghai tianjin tientsin chongqing chungking hebei hopei hopeh henan "
    "honan hubei hupei hupeh hunan shandong shantung shanxi shansi shaanxi shensi jiangsu "
    "kiangsu zhejiang chekiang anhui anhwei fujian fukien jiangxi kiangsi guangdong kwangtung "
    "guangxi kwangsi hainan sichuan szechuan szechwan guizhou kweichow yunnan liaoning jilin "
    "kirin heilongjiang gansu kansu qinghai tsinghai ningxia xinjiang sinkiang tibet xizang "
    "neimenggu mongolia hongkong macao macau taiwan taipei kaohsiung wuhan hankow shijiazhuang "
    "xingtai hangzhou hangchow guangzhou canton shenzhen zhengzhou nanjing nanking suzhou "
    "soochow wuxi changzhou jinan tsinan qingdao tsingtao chengdu xian sian hefei changsha "
    "nanchang fuzhou foochow xiamen amoy kunming guiyang nanning harbin changchun shenyang "
    "mukden dalian dairen taiyuan hohhot lanzhou xining yinchuan urumqi lhasa haikou sanya "
    "ningbo wenzhou jiaxing shaoxing taizhou jinhua dongguan foshan zhuhai shantou huizhou "
    "jiangmen zhongshan yantai weifang zibo linyi jining tangshan baoding handan cangzhou "
    "langfang hengshui luoyang kaifeng xinxiang nantong yangzhou xuzhou yancheng lianyungang "
    "taian rizhao dezhou liaocheng binzhou heze zaozhuang xiangyang yichang jingzhou huangshi "
    "wuhu bengbu anqing quanzhou zhangzhou putian ganzhou jiujiang zhuzhou xiangtan hengyang "
    "yueyang changde mianyang deyang yibin zunyi liuzhou guilin anshan fushun baotou datong "
    "xianyang baoji zhenjiang huaian suqian jiangyin kunshan yiwu shouguang qufu "
    "singapore dubai sharjah mumbai bombay delhi hyderabad ahmedabad chennai kolkata "
    "culiacan sinaloa jalisco guadalajara tijuana michoacan sonora mexicali bogota medellin "
    "cali lima panama istanbul tehran moscow beirut karachi lahore yangon rangoon bangkok "
    "hanoi saigon manila jakarta seoul tokyo osaka vancouver toronto"
).split()
_MULTI_PLACES = ("hong kong", "inner mongolia", "nei menggu", "xi an", "new delhi",
                 "mexico city", "ho chi minh city", "kuala lumpur")  # fmt: skip
# Postal and Wade-Giles spellings read as today's pinyin.
PLACE_ALIASES = {
    "peking": "beijing", "tientsin": "tianjin", "chungking": "chongqing", "hopei": "hebei",
    "hopeh": "hebei", "honan": "henan", "hupei": "hubei", "hupeh": "hubei",
    "shantung": "shandong", "shansi": "shanxi", "shensi": "shaanxi", "kiangsu": "jiangsu",
    "chekiang": "zhejiang", "anhwei": "anhui", "fukien": "fujian", "kiangsi": "jiangxi",
    "kwangtung": "guangdong", "kwangsi": "guangxi", "szechuan": "sichuan", "szechwan": "sichuan",
    "kweichow": "guizhou", "kirin": "jilin", "kansu": "gansu", "tsinghai": "qinghai",
    "sinkiang": "xinjiang", "macau": "macao", "hankow": "wuhan", "hangchow": "hangzhou",
    "canton": "guangzhou", "nanking": "nanjing", "soochow": "suzhou", "tsinan": "jinan",
    "tsingtao": "qingdao", "sian": "xian", "foochow": "fuzhou", "amoy": "xiamen",
    "mukden": "shenyang", "dairen": "dalian", "bombay": "mumbai", "rangoon": "yangon",
    "saigon": "hochiminhcity", "neimenggu": "innermongolia", "xizang": "tibet",
    "hongkongsar": "hongkong",
}  # fmt: skip


@cache
def phrase_table() -> dict[tuple[str, ...], str]:
    """Each spelling (as a word tuple) → its canonical word."""
    table: dict[tuple[str, ...], str] = {}
    for canonical, spellings in _PHRASES.items():
        for spelling in spellings:
            table[tuple(spelling.split())] = canonical
    return table


@cache
def longest_phrase() -> int:
    return max(len(words) for words in phrase_table())


@cache
def phrase_starts() -> dict[str, int]:
    """First word of a spelling → the most words a spelling starting with it has."""
    starts: dict[str, int] = {}
    for words in phrase_table():
        starts[words[0]] = max(starts.get(words[0], 0), len(words))
    return starts


@cache
def place_prefixes() -> frozenset[str]:
    """Every beginning of a place name (``wu`` of ``wuhan``): where a place may start."""
    return frozenset(p[:i] for p in places() for i in range(1, len(p) + 1))


@cache
def places() -> frozenset[str]:
    """Place names as spaceless folded words (``hongkong``, ``wuhan``, ``unitedstates``)."""
    found = set(_PLACES) | {p.replace(" ", "") for p in _MULTI_PLACES}
    for label in registry.country.names.values():
        folded = "".join(c for c in label.casefold() if c.isalnum())
        if folded:
            found.add(folded)
    return frozenset(found)


def place_name(spaceless: str) -> str:
    """The canonical spelling of a place (``peking`` → ``beijing``)."""
    return PLACE_ALIASES.get(spaceless, spaceless)
