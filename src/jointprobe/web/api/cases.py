"""Cases, members and events. Need-to-know is decided in ``cases.service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from jointprobe.cases import (
    add_event,
    add_member,
    create_case,
    get_case,
    list_cases,
    list_events,
)
from jointprobe.cases.events import event_people
from jointprobe.cases.lab import attach_lab_result
from jointprobe.cases.service import members, remove_member
from jointprobe.store.tables import CaseEvent
from jointprobe.web.api.contract import SIGNED_IN, answers, links
from jointprobe.web.api.schemas import (
    CaseDetail,
    CaseOut,
    CaseRequest,
    EventOut,
    EventRequest,
    LabResultRequest,
    MemberIn,
)
from jointprobe.web.deps import SessionDep, UserDep, WiringDep, WriteSessionDep

router = APIRouter(prefix="/cases", tags=["cases"], responses=SIGNED_IN)
CREATED_ID = "$response.body#/id"


def _event_out(session: SessionDep, event: CaseEvent) -> EventOut:
    out = EventOut.model_validate(event)
    out.people = [person.id for person in event_people(session, event.id)]
    return out


@router.get("", response_model=list[CaseOut])
def cases_index(session: SessionDep, user: UserDep) -> list[CaseOut]:
    return [CaseOut.model_validate(case) for case in list_cases(session, user)]


@router.post(
    "",
    response_model=CaseOut,
    status_code=201,
    responses=answers(400, 409, 413),
    openapi_extra=links(
        201,
        case=("cases_show", {"case_id": CREATED_ID}),
        events=("events_index", {"case_id": CREATED_ID}),
        new_event=("events_create", {"case_id": CREATED_ID}),
        new_member=("cases_add_member", {"case_id": CREATED_ID}),
    ),
)
def cases_create(body: CaseRequest, session: WriteSessionDep, user: UserDep) -> CaseOut:
    return CaseOut.model_validate(create_case(session, user, body))


@router.get("/{case_id}", response_model=CaseDetail, responses=answers(404))
def cases_show(case_id: str, session: WriteSessionDep, user: UserDep) -> CaseDetail:
    case = get_case(session, user, case_id)
    detail = CaseDetail.model_validate({**CaseOut.model_validate(case).model_dump(), "members": []})
    detail.members = members(session, case.id)
    return detail


@router.post("/{case_id}/members", status_code=204, responses=answers(400, 403, 404, 409, 413))
def cases_add_member(case_id: str, body: MemberIn, session: WriteSessionDep, user: UserDep) -> None:
    add_member(session, user, case_id, body.username)


@router.delete("/{case_id}/members/{username}", status_code=204, responses=answers(403, 404, 409))
def cases_remove_member(
    case_id: str, username: str, session: WriteSessionDep, user: UserDep, wiring: WiringDep
) -> None:
    remove_member(session, user, case_id, username, on_removed=wiring.member_removed)


@router.get("/{case_id}/events", response_model=list[EventOut], responses=answers(404))
def events_index(case_id: str, session: WriteSessionDep, user: UserDep) -> list[EventOut]:
    return [_event_out(session, event) for event in list_events(session, user, case_id)]


@router.post(
    "/{case_id}/events",
    response_model=EventOut,
    status_code=201,
    responses=answers(400, 404, 413),
    openapi_extra=links(
        201,
        lab_result=(
            "lab_results_create",
            {"case_id": "$request.path.case_id", "event_id": CREATED_ID},
        ),
    ),
)
def events_create(
    case_id: str, body: EventRequest, session: WriteSessionDep, user: UserDep
) -> EventOut:
    return _event_out(session, add_event(session, user, case_id, body))


@router.post(
    "/{case_id}/events/{event_id}/lab-results",
    response_model=EventOut,
    status_code=201,
    responses=answers(400, 404, 409, 413),
)
def lab_results_create(
    case_id: str,
    event_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: LabResultRequest,
    session: WriteSessionDep,
    user: UserDep,
) -> EventOut:
    """Classify a structure found in a seizure and attach the verdicts to it."""
    return _event_out(session, attach_lab_result(session, user, case_id, event_id, body))
