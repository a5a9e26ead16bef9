"""What a user writes: a notification, a report or an incident, with its handling.

The forms reuse the message bodies' fields (``exchange.payloads``), so what a
user may write is exactly what may travel; the marking is built by the node
from ``tlp``, ``use`` and ``consent``.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from jointprobe.errors import InvalidInput
from jointprobe.exchange.payloads import Body, IncidentFields, PenFields, SorFields
from jointprobe.timeutil import UtcDatetime

#: Largest form file or request body read (bytes); a notification is a few kilobytes.
MAX_FORM_BYTES = 1_000_000


class Handling(Body):
    tlp: str = "AMBER"
    use: Literal["intelligence", "evidential"] = "intelligence"
    #: nodes the recipients may pass the item on to ("*": any trusted peer, not for RED)
    consent: list[str] = Field(default_factory=list, max_length=64)


class PenIn(PenFields, Handling):
    """A pre-export notification as the exporting authority writes it."""

    reply_by: UtcDatetime


class SorIn(SorFields, Handling):
    """A suspicious order report; ``case_ref`` names a case of this node, if any."""


class IncidentIn(IncidentFields, Handling):
    """An incident; ``case_ref`` names a case of this node, if any."""


Form = TypeVar("Form", bound=BaseModel)


def parse_form(model: type[Form], data: Any, *, where: str = "") -> Form:
    """Validate a form (a dict, or JSON text or bytes); bad: InvalidInput naming the field."""
    if isinstance(data, str | bytes):
        if len(data) > MAX_FORM_BYTES:
            raise InvalidInput(f"the form is over {MAX_FORM_BYTES:,} bytes", where=where or None)
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidInput(f"not JSON: {exc}", where=where or None) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "(form)"
        at = f"{where}: {field}" if where else field
        raise InvalidInput(error["msg"], where=at) from None


def fields_of(form: BaseModel, fields: type[Body]) -> dict[str, Any]:
    """The part of ``form`` that travels in a body with ``fields``' fields."""
    return form.model_dump(include=set(fields.model_fields))


__all__ = ["MAX_FORM_BYTES", "Handling", "IncidentIn", "PenIn", "SorIn", "fields_of", "parse_form"]
