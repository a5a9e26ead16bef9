"""Phones, identifiers and wallets in OFAC's remarks end up in the selector index."""

from __future__ import annotations

import csv
import re

import pytest
from tests.resolve.conftest import OFAC_FILE

from jointprobe.entities import extract_selectors
from jointprobe.resolve.importers.ofac_phones import remark_phone
from jointprobe.resolve.importers.ofac_remarks import parse_remarks, split_remarks
from jointprobe.resolve.importers.ofac_sdn import parse_sdn, row_to_entities


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("8618233039691", "+8618233039691"),
        ("(98)(21)(23802230)", "+982123802230"),
        ("0097282851500", "+97282851500"),
        ("+31 010-4951863", "+31104951863"),
        ("(218) (0)214778766", "+218214778766"),
        ("(971) (4) (3248000).", "+97143248000"),
        ("(022) 7363030", None),  # national form: no country code, not guessed
        ("9821227700019", None),  # too long for Iran: not a number
        ("", None),
    ],
)
def test_remark_phones_to_e164(written: str, e164: str | None) -> None:
    assert remark_phone(written) == e164


def test_a_phone_without_country_code_stays_as_a_note() -> None:
    facts = parse_remarks("Telephone No. (022) 7363030; Phone Number 8618233039691.")
    assert [(f.kind, f.value) for f in facts] == [
        ("note", "Telephone No. (022) 7363030"),
        ("phone", "+8618233039691"),
    ]


def test_identifiers_under_their_own_labels_are_typed() -> None:
    row = ["1", "ACME SA", "-0-", "[SDNT]", *["-0-"] * 7]
    row.append("NIT # 800123456-1 (Colombia); Cedula No. 71234567 (Colombia); SWIFT/BIC ABCDCOBB.")
    party = row_to_entities(row)[0][0]
    selectors = dict((k, v) for k, v in extract_selectors(party) if k.startswith("id:"))
    assert selectors["id:taxNumber"] == "800123456-1"
    assert selectors["id:idNumber"] == "71234567"
    assert selectors["id:swiftBic"] == "ABCDCOBB"


@pytest.fixture(scope="module")
def full_list_selectors() -> set[tuple[str, str]]:
    if not OFAC_FILE.exists():
        pytest.skip(f"OFAC data not found at {OFAC_FILE}")
    return {s for proxy in parse_sdn(OFAC_FILE) for s in extract_selectors(proxy)}


def test_every_country_coded_phone_of_the_list_is_indexed(
    full_list_selectors: set[tuple[str, str]],
) -> None:
    phones = {v for k, v in full_list_selectors if k == "phone"}
    bare = 0
    with OFAC_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            for part in split_remarks(row[11]) if len(row) == 12 else []:
                match = re.fullmatch(r"(?:alt\. )?Phone Number ([1-9][0-9 ]*)\.?", part)
                if match and remark_phone(match.group(1)):
                    bare += 1
                    assert remark_phone(match.group(1)) in phones
    assert bare == 58  # of 63 written without "+": 5 are not valid numbers anywhere
    assert "+8618233039691" in phones
    assert len(phones) == 94  # distinct numbers (135 phone facts); 7 before this reading


def test_wallets_and_e_mails_of_the_list_are_indexed(
    full_list_selectors: set[tuple[str, str]],
) -> None:
    wallets = {v for k, v in full_list_selectors if k == "wallet"}
    # 293 in the remarks: 276 distinct and valid, 2 with the wrong currency label
    # (an Omni USDT address, a TRON address labelled XBT); 6 are cut short in the list
    assert "3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV" in wallets
    assert "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq" in wallets
    assert len(wallets) >= 276
    assert len({v for k, v in full_list_selectors if k == "email"}) >= 280
