import pytest

from jointprobe.entities.normalise import (
    normalise_parcel,
    normalise_passport,
    normalise_wallet,
    s10_check_digit,
)
from jointprobe.entities.normalise._keccak import keccak256
from jointprobe.entities.normalise.crypto import eip55
from jointprobe.errors import InvalidSelector

ZHENG_BTC = "17ezuJoT3XBbdcwFZbkTnrXbup11F4uhiy"  # OFAC SDN entry 26236


def test_keccak_is_the_ethereum_variant() -> None:
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"").hex() == empty


def test_base58check_bitcoin_address_is_kept_verbatim() -> None:
    assert normalise_wallet(ZHENG_BTC, "XBT") == ZHENG_BTC
    assert normalise_wallet(ZHENG_BTC) == ZHENG_BTC


def test_one_changed_character_breaks_the_base58_checksum() -> None:
    broken = ZHENG_BTC[:-1] + ("z" if ZHENG_BTC[-1] != "z" else "y")
    with pytest.raises(InvalidSelector, match="checksum"):
        normalise_wallet(broken, "XBT")


def test_litecoin_address_is_not_a_bitcoin_address() -> None:
    ltc = "LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z"
    assert normalise_wallet(ltc, "LTC") == ltc
    with pytest.raises(InvalidSelector, match="version byte"):
        normalise_wallet(ltc, "XBT")


def test_segwit_bech32_and_taproot_bech32m() -> None:
    v0 = "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"
    assert normalise_wallet(v0) == v0.lower()
    v1 = "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"
    assert normalise_wallet(v1, "BTC") == v1
    with pytest.raises(InvalidSelector, match="checksum"):
        normalise_wallet(v0[:-1].lower() + "a")
    with pytest.raises(InvalidSelector, match="mix"):
        normalise_wallet("bc1qAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")


def test_eip55_mixed_case_is_checked_and_lower_case_is_the_selector() -> None:
    good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert eip55(good[2:].lower()) == good
    assert normalise_wallet(good, "ETH") == good.lower()
    assert normalise_wallet(good.lower(), "USDT") == good.lower()
    with pytest.raises(InvalidSelector, match="EIP-55"):
        normalise_wallet(good.replace("aA", "Aa"), "ETH")


def test_cashaddr_checksum() -> None:
    addr = "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"
    assert normalise_wallet(addr, "BCH") == addr
    with pytest.raises(InvalidSelector, match="CashAddr"):
        normalise_wallet(addr[:-1] + "b", "BCH")


def test_s10_check_digit_rules() -> None:
    # 4*8 + 7*6 + 3*4 + 1*2 + 2*3 + 4*5 + 8*9 + 2*7 = 200; 200 mod 11 = 2; 11 - 2 = 9
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("00000000") == 5  # 11 - 0 = 11, written as 5
    assert s10_check_digit("00000001") == 4
    assert normalise_parcel("rr 473 124 829 us") == "RR473124829US"
    with pytest.raises(InvalidSelector, match="check digit is 8, the serial 47312482 needs 9"):
        normalise_parcel("RR473124828US")
    with pytest.raises(InvalidSelector, match="not a UPU S10"):
        normalise_parcel("RR4731248US")


def test_passport_needs_its_country() -> None:
    assert normalise_passport("G 3192 0875", "China") == "cn:G31920875"
    assert normalise_passport("g31920875", "CN") == "cn:G31920875"
    with pytest.raises(InvalidSelector, match="issuing country"):
        normalise_passport("G31920875", None)
    with pytest.raises(InvalidSelector, match="unknown country"):
        normalise_passport("G31920875", "Atlantis")
