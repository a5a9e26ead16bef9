import pytest

from jointprobe.entities.names import compare_names, name_keys, readings, surname_pinyin
from jointprobe.entities.names.latin import MAX_TOKEN, fold_latin, given_spellings
from jointprobe.errors import InvalidSelector


def test_chinese_name_and_its_pinyin_share_a_key() -> None:
    assert "zh:zheng|fujing" in name_keys("郑富京")
    assert "zh:zheng|fujing" in name_keys("ZHENG, Fujing")
    assert name_keys("郑富京") == name_keys("鄭富京")


@pytest.mark.parametrize(
    "spelling",
    ["Zheng Fujing", "Fujing ZHENG", "Zhèng Fùjīng", "zheng4 fu4 jing1", "Zheng Fu-jing"],
)
def test_pinyin_variants_share_the_key(spelling: str) -> None:
    assert "zh:zheng|fujing" in name_keys(spelling)


def test_surname_reading_table_overrides_the_default_reading() -> None:
    assert surname_pinyin("单") == "shan"
    assert surname_pinyin("曾") == "zeng"
    assert surname_pinyin("解") == "xie"
    assert surname_pinyin("区") == "ou"
    assert "zh:shan|tianfang" in name_keys("单田芳")
    assert "zh:ouyang|nana" in name_keys("欧阳娜娜")


def test_reasons_name_the_route() -> None:
    match = compare_names("郑富京", "Zheng Fujing")
    assert match.reason == "郑富京 = Zheng Fujing: pinyin of the Chinese name"
    assert match.score >= 0.95
    assert "Wade-Giles" in compare_names("郑富京", "Cheng Fu-ching").reason
    assert "Cantonese" in compare_names("曾志伟", "Tsang Chi-wai").reason
    assert "Cantonese" in compare_names("陈大文", "Chan Tai Man").reason
    assert "traditional/simplified" in compare_names("郑富京", "鄭富京").reason


def test_zheng_is_not_zhang() -> None:
    match = compare_names("Zheng Fujing", "Zhang Fujing")
    assert match.score < 0.5
    assert "Zheng and Zhang" in match.reason
    assert compare_names("郑富京", "张富京").score < 0.5


def test_confusable_guard_does_not_block_true_matches() -> None:
    assert compare_names("Zhang Wei", "张伟").score >= 0.9


def test_latin_names_fold_order_and_case() -> None:
    assert compare_names("John Smith", "SMITH, John").score >= 0.95
    assert 0.5 < compare_names("John Smith", "Jon Smith").score < 0.9
    assert compare_names("John Smith", "Maria Lopez").score < 0.5


def test_empty_and_symbol_only_names_are_refused() -> None:
    with pytest.raises(InvalidSelector, match="empty"):
        name_keys("  ")
    with pytest.raises(InvalidSelector, match="no letters"):
        name_keys("!!!")
    assert compare_names("", "Zheng").score == 0.0


def test_mixed_script_name_gets_both_keys() -> None:
    keys = name_keys("郑富京 (ZHENG Fujing)")
    assert "zh:zheng|fujing" in keys
    assert "lt:fujing zheng" in keys


def test_one_likely_typo_is_undone_and_said_so() -> None:
    match = compare_names("陳杰", "Chenn Jie")
    assert match.reason.endswith("(after undoing a likely typo)")
    assert 0.8 <= match.score < 0.95
    assert "zh:feng|fu" in name_keys("FEG, Fu")


def test_an_ambiguous_surname_typo_is_not_guessed() -> None:
    # "Zhng" is one letter from both Zhang and Zheng: no reading rather than a guess
    assert not any(k.startswith("zh:") for k in name_keys("Zhng Fujing"))


def test_a_dropped_letter_in_a_given_name_is_restored_and_said_so() -> None:
    assert "zh:zou|guoqiang" in name_keys("Zou Guo Qiag")
    assert "zh:ye|pinglong" in name_keys("Yè Pínglóg")
    match = compare_names("邹国强", "Zou Guo Qiag")
    assert match.reason.endswith("(after undoing a likely typo)")


def test_a_restored_letter_does_not_add_a_syllable() -> None:
    # "qiag" + a reads as qia-ga, but one letter inside the syllable (qiang) is the likelier slip
    assert not any(k.startswith("zh:zou|guoqiaga") for k in name_keys("Zou Guo Qiag"))


def test_a_dropped_letter_with_several_restorations_is_not_guessed() -> None:
    # "Wn" could be Wen or Wan: no reading rather than a guess
    assert not any(k.startswith("zh:") for k in name_keys("Ye Wn"))


def test_a_given_name_is_only_repaired_next_to_a_known_surname() -> None:
    assert not any(k.startswith("zh:") for k in name_keys("Brastow Qiag"))


def test_cantonese_on_is_a_syllable_not_a_yaml_boolean() -> None:
    assert "zh:liu|shengan" in name_keys("Lau Sang On")
    assert compare_names("刘生安", "Lau Sang On").score >= 0.8


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Den Lin-fu", "Linfu Deng"),  # 'Den': a typo that leaves the surname unreadable
        ("Zāng Ruìmíng", "Ruiming Zhang"),  # 'Zāng': a typo that makes another surname
        ("Lingyu Chn", "CHEN, Lingyu"),
        ("Fun Pang Kai", "Feng Pengjia"),  # Cantonese given name, mistyped surname
    ],
)
def test_given_spellings_meet_whatever_the_surname(left: str, right: str) -> None:
    a, b = given_spellings(fold_latin(left)), given_spellings(fold_latin(right))
    assert set(a) & set(b)


def test_given_spellings_need_a_chinese_surname_at_an_end() -> None:
    assert given_spellings(fold_latin("Kalobe Tumari")) == []
    assert given_spellings(fold_latin("John Smith")) == []
    assert given_spellings("zheng") == []  # no given name
    assert given_spellings(fold_latin("ZHENG, Fujing")) == ["fujing"]
    many = given_spellings(fold_latin("Cheung Yung Wai Kin Fai"))
    assert 0 < len(many) <= 24


@pytest.mark.timeout(20)  # a hang guard, not a benchmark: the guarded case takes milliseconds
def test_a_word_too_long_for_a_chinese_name_is_not_read_as_one() -> None:
    # reading a word costs time growing with the square of its length: a 60,000-letter
    # word took 24 s before the cap; past MAX_TOKEN letters only the Latin key is made
    assert "zh:zhang|" + "a" * MAX_TOKEN in name_keys("Zhang " + "a" * MAX_TOKEN)
    assert name_keys("Zhang " + "a" * (MAX_TOKEN + 1)) == {f"lt:{'a' * (MAX_TOKEN + 1)} zhang"}
    huge = "Zhang " + "ab" * 30_000
    assert name_keys(huge) == {f"lt:{'ab' * 30_000} zhang"}
    assert given_spellings(fold_latin(huge)) == []
    assert given_spellings(fold_latin("Zhang Wei " + "x" * 40)) == []


def test_given_spellings_ignore_placeholders_and_initials() -> None:
    assert given_spellings(fold_latin("- Wang")) == []  # '-' for an unknown first name
    assert given_spellings(fold_latin("Wang -")) == []
    assert given_spellings(fold_latin("' Chen")) == []
    assert given_spellings(fold_latin("Wei X")) == []  # an initial is no mistyped surname
    assert "" not in given_spellings(fold_latin("Zhang - Wei"))


@pytest.mark.timeout(20)  # a hang guard: 8,000 words took 25 s before the cap
def test_typo_repairs_are_not_tried_on_a_name_of_many_words() -> None:
    assert readings("Zhang " + " ".join(["xx"] * 8000)) == []
    assert readings("Zhang Wei Wei Wei Wei Wei Wei Wei Wei")  # still read, just not repaired
