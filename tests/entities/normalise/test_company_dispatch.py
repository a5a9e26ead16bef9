import pytest

from jointprobe.entities.normalise import guess_kind, normalise_company, normalise_selector
from jointprobe.errors import InvalidSelector


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ANGLO-CARIBBEAN CO., LTD.", "Anglo Caribbean Company Limited"),
        ("邢台瑞盛化工有限公司", "邢臺瑞盛化工有限公司"),
        ("Siemens AG", "SIEMENS"),
        ("Grupo Bimbo S.A. de C.V.", "grupo bimbo sa de cv"),
    ],
)
def test_legal_forms_fold_away(a: str, b: str) -> None:
    assert normalise_company(a) == normalise_company(b)


def test_pinyin_legal_form_is_folded_and_names_stay() -> None:
    assert normalise_company("DALIAN ZHENGHUA MAOYI YOUXIAN GONGSI") == "dalian zhenghua maoyi"
    assert normalise_company("Limited Brands Co") == "limited brands"


def test_a_bare_legal_form_is_kept_as_the_name() -> None:
    assert normalise_company("Holdings") == "holdings"
    with pytest.raises(InvalidSelector, match="empty"):
        normalise_company("  ")


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("goldenchemical@live.com", "email"),
        ("+86 311 2345 6789", "phone"),
        ("17ezuJoT3XBbdcwFZbkTnrXbup11F4uhiy", "wallet"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "wallet"),
        ("www.globalrc.net", "domain"),
        ("https://globalrc.net/shop", "url"),
        ("RR473124829US", "parcel"),
        ("郑富京", "name"),
        ("Zheng Fujing", "name"),
    ],
)
def test_guess_kind_routes_free_text(query: str, kind: str) -> None:
    assert guess_kind(query) == kind


def test_dispatch_passes_region_and_prefixes() -> None:
    assert normalise_selector("phone", "0311 2345 6789", region="CN") == "+8631123456789"
    assert normalise_selector("passport", "G31920875 (China)") == "cn:G31920875"
    assert normalise_selector("passport", "G31920875", region="CN") == "cn:G31920875"
    ltc = "LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z"
    assert normalise_selector("wallet", f"LTC:{ltc}") == ltc
    with pytest.raises(InvalidSelector, match="unknown selector kind"):
        normalise_selector("shoe-size", "42")
