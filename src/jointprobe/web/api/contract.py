"""The API's contract in the OpenAPI document: one error body, the answers each route gives.

Every refusal under ``/api/v1`` has the body :class:`ErrorBody` (``web/errors.py``
builds it from :class:`~jointprobe.errors.JointprobeError`, FastAPI's validation
errors and HTTP errors alike). A route lists the refusals it can give with
:func:`answers`, on its router (those every route of it gives) and on itself::

    router = APIRouter(prefix="/cases", responses=SIGNED_IN)  # 401, 422

    @router.post("/{case_id}/events", responses=answers(400, 404, 413))

The contract test (``tests/web/test_api_contract.py``) fails when a route
answers a status it does not list, or a body that does not match.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

#: What each refusal means, as the OpenAPI document says it.
MEANINGS: dict[int, str] = {
    400: "Bad request: the body is not JSON (the inbox: see docs/protocol.md §4).",
    401: "No valid bearer token (`Authorization: Bearer …`).",
    403: "The user's role or need-to-know does not allow this.",
    404: "Not found, or not visible to this user.",
    409: "Conflicts with the current state (already exists, already answered).",
    413: "The request body is over the node's limit (`JOINTPROBE_MAX_BODY_BYTES`).",
    422: "The request does not validate: `where` names the first field at fault.",
    429: "Over a rate limit of the node (e.g. deconfliction sessions with one peer a day).",
}


class ErrorBody(BaseModel):
    """Every refusal of the API: a stable code for programs and a message for people."""

    code: str = Field(description="Stable error code, e.g. `not_found`, `request.invalid`.")
    message: str = Field(description="What went wrong, for people.")
    where: str | None = Field(
        default=None, description="The field or place at fault (e.g. `body.kind`), if any."
    )


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a router or route that may refuse with ``statuses``."""
    unknown = set(statuses) - set(MEANINGS)
    if unknown:
        raise ValueError(f"no meaning written for status {sorted(unknown)} in MEANINGS")
    return {
        status: {"model": ErrorBody, "description": MEANINGS[status]} for status in sorted(statuses)
    }


def links(status: int, **targets: tuple[str, dict[str, str]]) -> dict[str, Any]:
    """``openapi_extra`` naming the operations an answer leads to (OpenAPI links).

    ``targets``: link name → (operationId, parameter → runtime expression),
    e.g. ``case=("cases_show", {"case_id": "$response.body#/id"})``. A client
    (and schemathesis's stateful phase) follows them from one call to the next.
    """
    return {
        "responses": {
            str(status): {
                "links": {
                    name: {"operationId": op, "parameters": params}
                    for name, (op, params) in targets.items()
                }
            }
        }
    }


#: The answers of every route that needs a signed-in user (the token is a header: 422 too).
SIGNED_IN = answers(401, 422)
