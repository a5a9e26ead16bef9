"""The report page and its PDF, behind sign-in, with need-to-know."""

import io

import pypdf
from fastapi.testclient import TestClient


def test_report_page_shows_the_readers_figures(analyst: TestClient) -> None:
    r = analyst.get("/report", params={"start": "2017-01-01", "end": "2019-12-31"})
    assert r.status_code == 200
    assert "Working-group report" in r.text and "xingtai-2017" in r.text
    assert "not purity-adjusted" in r.text


def test_report_pdf_downloads(analyst: TestClient) -> None:
    r = analyst.get("/report.pdf", params={"start": "2017-01-01", "end": "2019-12-31"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(r.content)).pages) >= 1


def test_report_with_a_bad_date_is_refused(analyst: TestClient) -> None:
    r = analyst.get("/report", params={"start": "yesterday"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    r = analyst.get("/report", params={"start": "2020-02-01", "end": "2020-01-01"})
    assert r.status_code == 422 and "before it starts" in r.text
    r = analyst.get("/report", params={"start": "0001-01-01", "end": "9999-12-31"})
    assert r.status_code == 422 and "at most 30 years" in r.text


def test_report_needs_sign_in(client: TestClient) -> None:
    assert client.get("/report").status_code in (303, 401)
