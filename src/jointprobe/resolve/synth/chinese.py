"""Fictional Chinese person records in the shapes the field sees, with true links known.

One person becomes 1–4 records. Each record writes the name in one of these
styles: simplified or traditional characters; pinyin (``Zheng Fujing``,
``ZHENG, Fujing``, given-name-first, hyphenated, spaced, tone marks);
Wade-Giles (``Cheng Fu-ching``); Cantonese (``Cheng Fu King``), with Latin
typos now and then, and a mistyped date of birth in 3 % of records. Phones
come in several formats; some records share a phone or e-mail with a
*different* person (a relative), and some people have a near-twin whose
surname differs only by a confusable vowel (郑/张) but with the same given
name and city — the false positives a matcher must resist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

# Cantonese (Hong Kong) spellings of the characters drawn below: the generator's
# own table, written per character, independent of the matcher's syllable table.
CANTONESE = {
    "王": "Wong", "李": "Lee", "张": "Cheung", "刘": "Lau", "陈": "Chan", "杨": "Yeung",
    "黄": "Wong", "吴": "Ng", "周": "Chow", "郑": "Cheng", "梁": "Leung", "林": "Lam",
    "何": "Ho", "曾": "Tsang", "谢": "Tse", "邓": "Tang", "冯": "Fung", "叶": "Yip",
    "郭": "Kwok", "徐": "Tsui", "邹": "Chau", "程": "Ching", "伟": "Wai", "明": "Ming",
    "华": "Wah", "文": "Man", "志": "Chi", "家": "Ka", "辉": "Fai", "国": "Kwok",
    "强": "Keung", "建": "Kin", "永": "Wing", "德": "Tak", "富": "Fu", "京": "King",
    "美": "Mei", "玲": "Ling", "英": "Ying", "秀": "Sau", "婷": "Ting", "俊": "Chun",
    "杰": "Kit", "雄": "Hung", "海": "Hoi", "红": "Hung", "平": "Ping", "丽": "Lai",
    "军": "Kwan", "勇": "Yung", "涛": "To", "斌": "Pun", "鹏": "Pang", "飞": "Fei",
    "鑫": "Yam", "宇": "Yu", "浩": "Ho", "凯": "Hoi", "峰": "Fung", "磊": "Lui",
    "洋": "Yeung", "超": "Chiu", "亮": "Leung", "刚": "Kong", "健": "Kin", "晨": "Sun",
    "博": "Pok", "龙": "Lung", "瑞": "Sui", "琳": "Lam", "娜": "Na", "敏": "Man",
    "静": "Ching", "燕": "Yin", "芳": "Fong", "霞": "Ha", "慧": "Wai", "佳": "Kai",
    "欣": "Yan", "雪": "Suet", "梅": "Mui", "兰": "Lan", "月": "Yuet", "春": "Chun",
    "金": "Kam", "宝": "Po", "荣": "Wing", "祥": "Cheung", "福": "Fuk", "安": "On",
    "成": "Shing", "生": "Sang", "光": "Kwong", "天": "Tin", "新": "San", "山": "Shan",
    "玉": "Yuk",
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄吴周郑梁林何曾谢邓冯叶郭徐邹程"
GIVEN = (
    "伟明华文志家辉国强建永德富京美玲英秀婷俊杰雄海红平丽军勇涛斌鹏飞鑫宇浩凯峰磊洋超亮刚健晨"
    "博龙瑞琳娜敏静燕芳霞慧佳欣雪梅兰月春金宝荣祥福安成生光天新山玉"
)
# Surname readings that differ from the character's everyday reading.
SURNAME_READING = {"曾": {Style.NORMAL: "zeng", Style.TONE: "zēng", Style.WADEGILES: "tseng"}}
CONFUSABLE = {"郑": "张", "张": "郑", "周": "邹", "邹": "周", "陈": "程", "程": "陈"}
CITIES = ["邢台", "石家庄", "上海", "广州", "深圳", "武汉", "北京", "香港"]
STYLES = (
    "simplified", "traditional", "pinyin", "pinyin_comma", "pinyin_given_first",
    "pinyin_hyphen", "pinyin_spaced", "pinyin_tones", "wade_giles", "cantonese",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    pid: int
    surname: str
    given: str
    dob: str
    phone: str
    email: str
    city: str


def _syllables(chars: str, style: Style) -> list[str]:
    if chars in SURNAME_READING:
        return [SURNAME_READING[chars][style]]
    return [s.replace("v", "u") for s in lazy_pinyin(chars, style=style)]


def _render(p: Person, style: str, t2s: OpenCC, rng: random.Random) -> str:
    sur, giv = p.surname, p.given
    if style == "simplified":
        return sur + giv
    if style == "traditional":
        return str(t2s.convert(sur + giv))
    if style == "wade_giles":
        s, g = _syllables(sur, Style.WADEGILES), _syllables(giv, Style.WADEGILES)
        return f"{s[0].capitalize()} {'-'.join(g).capitalize()}"
    if style == "cantonese":
        parts = [CANTONESE[c] for c in giv]
        given = "-".join(parts).capitalize() if rng.random() < 0.5 else " ".join(parts)
        return f"{CANTONESE[sur]} {given}"
    tone = Style.TONE if style == "pinyin_tones" else Style.NORMAL
    s, g = _syllables(sur, tone), _syllables(giv, tone)
    surname, given = s[0].capitalize(), "".join(g).capitalize()
    if style == "pinyin_comma":
        return f"{surname.upper()}, {given}"
    if style == "pinyin_given_first":
        return f"{given} {surname}"
    if style == "pinyin_hyphen":
        return f"{surname} {'-'.join(g).capitalize()}"
    if style == "pinyin_spaced":
        return " ".join([surname, *(x.capitalize() for x in g)])
    return f"{surname} {given}"


DOB_TYPO_RATE = 0.03


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text) if c.isascii() and c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:])
    return text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]


def _dob_typo(dob: str, rng: random.Random) -> str:
    """One digit of the month or day mistyped, or day and month swapped (both as clerks do)."""
    if rng.random() < 0.3 and int(dob[8:]) <= 12:
        return f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"
    i = rng.choice((6, 8, 9))
    return dob[:i] + str((int(dob[i]) + rng.randint(1, 9)) % 10) + dob[i + 1 :]


def _phone_format(phone: str, rng: random.Random) -> str:
    local = phone[3:]
    return rng.choice(
        [phone, f"+86 {local[:3]} {local[3:7]} {local[7:]}", f"0086-{local}", f"86{local}"]
    )


def _person(pid: int, rng: random.Random, surname: str | None = None) -> Person:
    sur = surname or rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.15 else 2))
    dob = f"{rng.randint(1955, 2002)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    phone = f"+86{rng.choice(('138', '139', '150', '186'))}{rng.randint(10_000_000, 99_999_999)}"
    handle = "".join(lazy_pinyin(sur + given)) + str(rng.randint(1, 999))
    email = f"{handle}@{rng.choice(('qq.com', '163.com', 'fictional.example'))}"
    return Person(pid, sur, given, dob, phone, email, rng.choice(CITIES))


def generate(n_people: int, *, seed: int = 7) -> pd.DataFrame:
    """Records of ``n_people`` fictional people plus twins and relatives; truth in ``person_id``."""
    rng = random.Random(seed)
    dob_rng = random.Random(seed + 1)  # its own stream: the other fields draw as before
    t2s = OpenCC("s2t")
    people: list[Person] = []
    for pid in range(n_people):
        person = _person(pid, rng)
        people.append(person)
        if person.surname in CONFUSABLE and rng.random() < 0.5:  # near-twin, another person
            twin = _person(n_people + pid, rng, CONFUSABLE[person.surname])
            people.append(
                Person(
                    twin.pid,
                    twin.surname,
                    person.given,
                    twin.dob,
                    twin.phone,
                    twin.email,
                    person.city,
                )  # fmt: skip
            )
        if rng.random() < 0.15:  # relative sharing the household phone
            rel = _person(2 * n_people + pid, rng, person.surname)
            people.append(Person(rel.pid, rel.surname, rel.given, rel.dob, person.phone,
                                 rel.email, person.city))  # fmt: skip
    rows: list[dict[str, object]] = []
    for person in people:
        for _ in range(rng.choice((1, 2, 2, 3, 4))):
            style = rng.choice(STYLES)
            name = _render(person, style, t2s, rng)
            if style not in ("simplified", "traditional") and rng.random() < 0.1:
                name = _typo(name, rng)
            city = person.city if rng.random() < 0.5 else "".join(lazy_pinyin(person.city)).title()
            dob = _dob_typo(person.dob, dob_rng) if dob_rng.random() < DOB_TYPO_RATE else person.dob
            rows.append(
                {
                    "unique_id": f"r{len(rows)}",
                    "person_id": person.pid,
                    "name": name,
                    "style": style,
                    "dob": dob if rng.random() < 0.9 else None,
                    "phone": _phone_format(person.phone, rng) if rng.random() < 0.7 else None,
                    "email": person.email if rng.random() < 0.5 else None,
                    "city": city if rng.random() < 0.8 else None,
                    "fictional": True,
                }
            )
    return pd.DataFrame(rows)
