from pathlib import Path

from jointprobe.resolve.importers.ofac_remarks import parse_date, parse_remarks, split_remarks
from jointprobe.resolve.importers.ofac_sdn import SdnReport, parse_sdn


def test_remarks_give_typed_facts() -> None:
    facts = parse_remarks(
        "DOB 11 Jun 1983; Email Address goldenchemical@live.com; alt. Digital Currency "
        "Address - XBT 1DH2xDH7TngrDU6LXciprKCBKNcPA1xX8A; Passport G31920875 (China) issued "
        "24 Oct 2008 expires 23 Oct 2018; a.k.a. 'JIN, Gordon'; a.k.a. 'DENG, Gao'."
    )
    kinds = [(f.kind, f.value) for f in facts]
    assert ("birth_date", "1983-06-11") in kinds
    assert ("email", "goldenchemical@live.com") in kinds
    assert ("wallet", "1DH2xDH7TngrDU6LXciprKCBKNcPA1xX8A") in kinds
    assert ("alias", "DENG, Gao") in kinds
    passport = next(f for f in facts if f.kind == "passport")
    assert passport.value == "G31920875"
    assert passport.get("country") == "China"
    assert passport.get("expires") == "2018-10-23"


def test_partial_dates_and_ranges() -> None:
    assert parse_date("May 1963") == "1963-05"
    assert parse_date("1958") == "1958"
    assert parse_date("31 Foo 1958") is None
    dates = [f.value for f in parse_remarks("DOB 1960 to 1962")]
    assert dates == ["1960", "1962"]


def test_semicolons_inside_quotes_do_not_split() -> None:
    assert split_remarks("a.k.a. 'X; Y'; Gender Male.") == ["a.k.a. 'X; Y'", "Gender Male"]


def test_zheng_fujing_becomes_a_person_with_wallets_and_passport(ofac_slice: Path) -> None:
    report = SdnReport()
    entities = {e.id: e for e in parse_sdn(ofac_slice, report)}
    zheng = entities["ofac-sdn-26236"]
    assert zheng.schema.name == "Person"
    assert "goldenchemical@live.com" in zheng.get("email")
    assert zheng.get("birthDate") == ["1983-06-11"]
    assert "JIN, Gordon" in zheng.get("alias")
    wallets = [e for e in entities.values() if e.schema.name == "CryptoWallet"]
    assert {w.first("holder") for w in wallets} >= {"ofac-sdn-26236"}
    passports = [e for e in entities.values() if e.schema.name == "Passport"]
    assert any(p.first("number") == "G31920875" and p.first("country") == "cn" for p in passports)
    links = [e for e in entities.values() if e.schema.name == "UnknownLink"]
    assert any(link.first("object") == "ofac-sdn-26324" for link in links)
    assert report.rows == 9 and not report.skipped


def test_rows_with_the_wrong_shape_are_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        '1,"A",-0- ,"SDNTK"\n36,"B",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
    )
    report = SdnReport()
    entities = list(parse_sdn(path, report))
    assert report.skipped == [(1, "expected 12 columns, found 4")]
    assert [e.id for e in entities if e.schema.name == "Organization"] == ["ofac-sdn-36"]
