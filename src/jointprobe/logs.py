"""Log lines an operator's tools can read: one JSON object per line (or plain text).

``jointprobe serve`` writes one line per request (``web.request``) and one per
exchange delivery (``exchange.delivery``), each with a request id. Lines carry
routes as templates (``/api/v1/cases/{case_id}``), never a query string, a
selector value, a person's name or message content: at INFO nothing an
investigation holds leaves the database. The audit log, not these lines, says
who did what.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

#: The logger every jointprobe module logs under (``jointprobe.…``).
ROOT = "jointprobe"
#: Where the structured fields of a line travel on a ``LogRecord``.
FIELDS = "jp_fields"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, event and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **getattr(record, FIELDS, {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The same as ``key=value`` after the event, for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, FIELDS, {}).items())
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        text = f"{when} {record.levelname.lower()} {record.getMessage()} {fields}".rstrip()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure_logging(log_format: str, *, stream: Any = None) -> logging.Handler:
    """Send jointprobe's INFO lines to standard error in ``log_format`` (``json``/``text``)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger = logging.getLogger(ROOT)
    for old in [h for h in logger.handlers if getattr(h, "jointprobe", False)]:
        logger.removeHandler(old)
    handler.jointprobe = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log ``event`` with structured ``fields`` (ids, counts, codes: never content)."""
    logger.log(level, event, extra={FIELDS: fields})


__all__ = ["FIELDS", "JsonFormatter", "TextFormatter", "configure_logging", "log_event"]
