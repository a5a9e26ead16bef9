import json
from pathlib import Path

import pytest

from jointprobe.errors import InvalidInput
from jointprobe.resolve.importers.records import read_csv, read_ftm
from jointprobe.resolve.mapping import load_mapping, parse_mapping

MAPPING = {"columns": {"unique_id": "no", "name": "full name", "phone": "tel"}}


def _csv(tmp_path: Path, body: str, header: str = "no,full name,tel") -> Path:
    path = tmp_path / "buyers.csv"
    path.write_text(f"{header}\n{body}", encoding="utf-8")
    return path


def test_mapping_errors_name_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,fullname\n1,A\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"no column 'no' \(for unique_id\), 'full name'"):
        read_csv(path, parse_mapping(MAPPING))


def test_yaml_booleans_as_column_names_are_explained() -> None:
    with pytest.raises(InvalidInput, match="quote it"):
        parse_mapping({"columns": {"unique_id": False, "name": "n"}})


def test_mapping_file_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("columns:\n  unique_id: ref\n  shoe: size\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="unknown role"):
        load_mapping(path)
    path.write_text("columns: [a]\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="columns"):
        load_mapping(path)


def test_bad_rows_are_reported_by_line_and_the_rest_kept(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "1,Zheng Fujing,+8613812345678\n2,too,many,fields\n,NoId,\n1,Dup,\n3,Li Wei,\n"
    )
    frame, report = read_csv(path, parse_mapping(MAPPING))
    assert list(frame.unique_id) == ["1", "3"]
    assert [line for line, _ in report.errors] == [3, 4, 5]
    assert "duplicate unique_id '1'" in report.errors[2][1]


def test_strict_stops_at_the_first_bad_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, "1,Zheng Fujing,\n2,too,many,fields\n")
    with pytest.raises(InvalidInput, match="line 3"):
        read_csv(path, parse_mapping(MAPPING), strict=True)


def test_ftm_lines_become_records_with_line_numbered_errors(tmp_path: Path) -> None:
    good = {
        "id": "p1",
        "schema": "Person",
        "properties": {"name": ["郑富京"], "birthDate": ["1983-06-11"]},
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "x", "schema": "Nope"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, report = read_ftm(path)
    assert frame.loc[0, "name"] == "郑富京" and frame.loc[0, "dob"] == "1983-06-11"
    assert [line for line, _ in report.errors] == [2, 3]
    with pytest.raises(InvalidInput, match="line 2"):
        read_ftm(path, strict=True)


DATED = {"columns": {"unique_id": "no", "name": "full name", "dob": "born"}}


def _dated_csv(tmp_path: Path, body: str) -> Path:
    return _csv(tmp_path, body, header="no,full name,born")


def test_dates_of_birth_are_read_as_iso(tmp_path: Path) -> None:
    path = _dated_csv(
        tmp_path, "1,Liu Yong,1967/03/05\n2,Liu Yong,1967-03-05\n3,X,19670305\n4,Y,1967\n"
    )
    frame, report = read_csv(path, parse_mapping(DATED))
    assert report.errors == []
    assert list(frame.dob) == ["1967-03-05", "1967-03-05", "1967-03-05", "1967"]


def test_an_ambiguous_date_of_birth_is_reported_until_the_mapping_gives_the_order(
    tmp_path: Path,
) -> None:
    path = _dated_csv(tmp_path, "1,Liu Yong,05/03/1967\n2,Jiang Juhua,25/03/1967\n")
    frame, report = read_csv(path, parse_mapping(DATED))
    assert list(frame.unique_id) == ["2"]
    assert report.errors == [
        (2, "dob: ambiguous date '05/03/1967': 1967-03-05 if day-first, 1967-05-03 if "
            "month-first; give the order (dmy or mdy) or write it as YYYY-MM-DD"),
    ]  # fmt: skip
    with pytest.raises(InvalidInput, match="ambiguous date"):
        read_csv(path, parse_mapping(DATED), strict=True)
    frame, report = read_csv(path, parse_mapping({**DATED, "date_order": "dmy"}))
    assert report.errors == [] and list(frame.dob) == ["1967-03-05", "1967-03-25"]
    with pytest.raises(InvalidInput, match="date_order is 'ymd'; it must be one of dmy, mdy"):
        parse_mapping({**DATED, "date_order": "ymd"})
