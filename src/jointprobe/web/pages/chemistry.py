"""The chemistry page: paste a structure, see each jurisdiction's verdict and why."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from jointprobe.errors import InvalidInput
from jointprobe.web.pages.chemview import EXAMPLES, classify_for_page
from jointprobe.web.pages.deps import CsrfDep, PageUser
from jointprobe.web.pages.render import page

router = APIRouter()
MAX_STRUCTURE = 20_000


def _context(structure: str = "", as_of: str = "") -> dict[str, object]:
    return {
        "title": "Chemistry",
        "structure": structure,
        "as_of": as_of,
        "examples": EXAMPLES,
        "result": None,
        "error": None,
    }


@router.get("/chemistry")
def chemistry_form(request: Request, user: PageUser) -> Response:
    return page(request, "chemistry.html", _context())


@router.post("/chemistry")
def chemistry_classify(
    request: Request,
    user: PageUser,
    _csrf: CsrfDep,
    structure: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
) -> Response:
    context = _context(structure, as_of)
    try:
        if not structure.strip():
            raise InvalidInput("paste a SMILES, InChI or MOL block")
        if len(structure) > MAX_STRUCTURE:
            raise InvalidInput(f"a structure may have at most {MAX_STRUCTURE} characters")
        try:
            when = date.fromisoformat(as_of) if as_of.strip() else None
        except ValueError:
            raise InvalidInput(f"date {as_of!r} is not YYYY-MM-DD") from None
        context["result"] = classify_for_page(structure, when)
    except InvalidInput as exc:
        context["error"] = str(exc)
        return page(request, "chemistry.html", context, status=422)
    return page(request, "chemistry.html", context)
