"""The report as HTML (one self-contained page) and as PDF (WeasyPrint).

The body (:func:`render_body`) is shared by the standalone document and the
web page; charts are SVG embedded as ``data:`` images, so the page needs no
inline script or style and the PDF no network.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from jointprobe.analytics.charts import Figure, counts_by_class, origin_shares, weight_by_class
from jointprobe.analytics.funnel import STAGE_LABELS, STAGES
from jointprobe.analytics.report import Report
from jointprobe.analytics.responsiveness import DIRECTION_LABELS
from jointprobe.analytics.seizures import WEIGHT_NOTE, trend
from jointprobe.errors import ConfigError

FORMATS = ("html", "pdf")
environment = Environment(
    loader=PackageLoader("jointprobe.analytics", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


environment.filters["hours"] = _hours
environment.filters["data_uri"] = _data_uri


def figures(report: Report) -> list[Figure]:
    """The report's charts, in order; series too short for a chart are left to the text."""
    out = [counts_by_class(report.seizures), weight_by_class(report.seizures)]
    out += [origin_shares(a, report.seizures, cls) for cls, a in report.shifts.items()]
    return [f for f in out if f is not None]


def _tables(report: Report) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for dimension in ("origin", "transit", "destination", "route", "concealment"):
        series = trend(report.seizures, dimension, "year")
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        for (_, value), count in series.counts.items():
            totals[value][0] += count
            totals[value][1] += series.kg.get((_, value), 0.0)
        tables[dimension] = [(v, int(totals[v][0]), totals[v][1]) for v in series.values]
    return tables


def render_body(report: Report) -> Markup:
    """The report's content as HTML (no ``<html>``/``<head>``), for the page and the document."""
    template = environment.get_template("report_body.html")
    context = {
        "r": report,
        "figures": figures(report),
        "tables": _tables(report),
        "stages": [(s, STAGE_LABELS[s]) for s in STAGES],
        "directions": DIRECTION_LABELS,
        "weight_note": WEIGHT_NOTE,
    }
    return Markup(template.render(context))


def render_html(report: Report) -> str:
    """A self-contained HTML document."""
    return environment.get_template("report.html").render(r=report, body=render_body(report))


def render_pdf(report: Report) -> bytes:
    """The HTML document printed to PDF by WeasyPrint."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: Pango missing on this system
        raise ConfigError(f"PDF output needs WeasyPrint and Pango: {exc}") from exc
    pdf: bytes = HTML(string=render_html(report)).write_pdf()
    return pdf


__all__ = ["FORMATS", "figures", "render_body", "render_html", "render_pdf"]
