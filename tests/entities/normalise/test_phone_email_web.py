import pytest

from jointprobe.entities.normalise import (
    normalise_domain,
    normalise_email,
    normalise_phone,
    normalise_url,
)
from jointprobe.errors import InvalidSelector


def test_national_phone_needs_a_region_and_is_never_guessed() -> None:
    with pytest.raises(InvalidSelector, match="default region"):
        normalise_phone("0311 2345 6789")
    assert normalise_phone("0311 2345 6789", "CN") == "+8631123456789"


def test_international_forms_meet_on_e164() -> None:
    assert normalise_phone("+1 (202) 456-1111") == "+12024561111"
    assert normalise_phone("0012024561111") == "+12024561111"
    assert normalise_phone("202.456.1111", "us") == "+12024561111"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("+86 1", "not a (valid )?phone number"),
        ("+86 10 1234", "not a valid phone number"),
        ("hello", "no country code"),
        ("   ", "empty"),
    ],
)
def test_unparseable_phones_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidSelector, match=reason) as info:
        normalise_phone(raw)
    assert info.value.code == "selector.invalid"


def test_phone_in_unknown_region_is_refused() -> None:
    with pytest.raises(InvalidSelector, match="unknown phone region"):
        normalise_phone("12345678", "XX")


def test_email_folds_case_and_gmail_dots_only_for_gmail() -> None:
    assert normalise_email(" MagicChemical@HOTMAIL.com ") == "magicchemical@hotmail.com"
    assert normalise_email("mailto:Gordon.Zheng+rc@googlemail.com") == "gordonzheng@gmail.com"
    assert normalise_email("gordon.zheng@qinvictory.com") == "gordon.zheng@qinvictory.com"


@pytest.mark.parametrize("raw", ["nobody", "a@@b.com", "a@b", ".a@b.com", "a b@c.com"])
def test_bad_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidSelector):
        normalise_email(raw)


def test_domains_and_urls_share_a_host_form() -> None:
    assert normalise_domain("http://WWW.GlobalRC.net/") == "globalrc.net"
    assert normalise_domain("www.globalrc.net") == "globalrc.net"
    assert normalise_domain("bücher.de") == "xn--bcher-kva.de"
    assert normalise_url("http://WWW.GlobalRC.net/") == "globalrc.net"
    assert normalise_url("https://globalrc.net/shop/?q=1#top") == "globalrc.net/shop?q=1"


@pytest.mark.parametrize("raw", ["localhost", "10.0.0.1", "-bad-.com", "ftp://x.com/a"])
def test_non_domains_are_refused(raw: str) -> None:
    with pytest.raises(InvalidSelector):
        normalise_url(raw)


@pytest.mark.parametrize("raw", ["[", "a[b", "x]", "http://[::1/path", "shop[.example/x"])
def test_an_unbalanced_bracket_is_a_bad_url_not_a_crash(raw: str) -> None:
    # urlsplit raises ValueError("Invalid IPv6 URL") for these; the API answered 500
    with pytest.raises(InvalidSelector, match="not a valid URL") as info:
        normalise_url(raw)
    assert info.value.where == "url"
    with pytest.raises(InvalidSelector):
        normalise_domain(raw if "/" in raw else raw + "/")
