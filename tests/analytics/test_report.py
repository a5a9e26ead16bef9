"""The working-group report: finds the demo's origin shift, renders a PDF, says when empty."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from jointprobe.accounts import create_user
from jointprobe.analytics.periods import DateRange
from jointprobe.analytics.render import render_html, render_pdf
from jointprobe.analytics.report import build_report
from jointprobe.cli.main import app
from jointprobe.config import Settings
from jointprobe.errors import InvalidInput
from jointprobe.node import Node, init_node
from jointprobe.scenarios.xingtai import load_xingtai
from jointprobe.scenarios.xingtai.history import load_seizure_history, seizures
from jointprobe.store.tables import AuditEntry, User

NOW = datetime(2025, 1, 15, tzinfo=UTC)
ALL = DateRange(date(2016, 1, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    node = init_node(Settings(data_dir=tmp_path_factory.mktemp("report")), "us-rep", "R", "US")
    with node.session() as session:
        alice = create_user(session, "alice", "analyst")
        create_user(session, "bob", "analyst")
        load_xingtai(session, alice)
        load_seizure_history(session, alice)
    yield node
    node.close()


def _user(node: Node, name: str) -> User:
    with node.session() as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        session.expunge(user)
        return user


def test_the_demo_history_is_fictional_seeded_and_labelled() -> None:
    first, again = seizures(), seizures()
    assert [e.model_dump() for e in first] == [e.model_dump() for e in again]
    assert all(e.fictional and "FICTIONAL" in (e.source or "") for e in first)
    assert {e.occurred_on.year for e in first if e.occurred_on} == set(range(2016, 2025))


def test_report_finds_the_demo_origin_shift_and_renders_a_pdf(demo_node: Node) -> None:
    alice = _user(demo_node, "alice")
    with demo_node.session() as session:
        report = build_report(session, alice, ALL, now=NOW, resamples=40)
        audited = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "report"))
        assert [e.detail for e in audited] == [{"from": "2016-01-01", "to": "2024-12-31"}]
    fentanyl = report.shifts["fentanyl-related"]
    assert [s.period for s in fentanyl.shifts] == ["2019-Q3"]
    assert (fentanyl.shifts[0].source, fentanyl.shifts[0].target) == ("CN", "MX")
    assert report.shifts["precursor"].shifts == []
    html = render_html(report)
    assert "shifted around 2019-Q3" in html and "FICTIONAL DATA" in html
    assert "Origins of fentanyl-related seizures (includes FICTIONAL data)" in html
    assert "not purity-adjusted" in html and "seizure-history-fictional" in html
    assert html.count('<img src="data:image/svg+xml;base64,') == 5
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(report)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= 3 and f"page 1 of {len(pdf.pages)}" in text
    assert "Working-group report" in text and "2019-Q3" in text and "CN fell" in text


def test_a_reader_sees_only_their_cases_and_an_empty_report_says_so(demo_node: Node) -> None:
    bob = _user(demo_node, "bob")
    with demo_node.session() as session:
        report = build_report(session, bob, ALL, now=NOW)
    assert report.empty and report.seizures == [] and report.shifts == {}
    html = render_html(report)
    assert "No data in this range" in html
    assert "seizure-history-fictional" not in html and "xingtai" not in html


def test_a_short_range_gets_a_plain_statement_not_a_finding(demo_node: Node) -> None:
    alice = _user(demo_node, "alice")
    with demo_node.session() as session:
        report = build_report(session, alice, DateRange(date(2020, 1, 1), date(2020, 12, 31)))
    assert all(a.too_short and not a.shifts for a in report.shifts.values())
    assert "too few to look for a shift" in render_html(report)


def test_a_range_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput):
        DateRange(date(2020, 1, 2), date(2020, 1, 1))


def test_cli_writes_the_pdf_and_refuses_bad_input(demo_node: Node, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(demo_node.settings.data_dir), "report", "--as", "alice"]
    out = tmp_path / "r.pdf"
    args = [*base, "--from", "2023-01-01", "--to", "2023-12-31", "--format", "pdf"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pypdf.PdfReader(out).pages) >= 1
    bad = runner.invoke(app, [*base, "--from", "2023-13-01", "--to", "2023-12-31"])
    assert bad.exit_code != 0 and "not a date" in bad.output
    bad = runner.invoke(
        app, [*base, "--from", "2023-01-01", "--to", "2023-12-31", "--format", "docx"]
    )
    assert bad.exit_code != 0 and "--format" in bad.output
