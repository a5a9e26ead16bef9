"""Entities as FollowTheMoney JSON."""

from __future__ import annotations

from fastapi import APIRouter

from jointprobe.entities import add_entity, get_entity
from jointprobe.store.tables import Entity
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.api.schemas import EntityIn, EntityOut
from jointprobe.web.deps import UserDep, WriteSessionDep

router = APIRouter(prefix="/entities", tags=["entities"], responses=SIGNED_IN)


def _out(row: Entity) -> EntityOut:
    return EntityOut(
        id=row.id,
        schema_name=row.schema,
        caption=row.caption,
        properties=row.properties,
        case_id=row.case_id,
        tlp=row.tlp,
        handling=row.handling,
        grading=row.grading,
        fictional=row.fictional,
        source=row.source,
    )


@router.post("", response_model=EntityOut, status_code=201, responses=answers(400, 404, 409, 413))
def entities_create(body: EntityIn, session: WriteSessionDep, user: UserDep) -> EntityOut:
    row = add_entity(
        session,
        user,
        body.entity.model_dump(by_alias=True),
        case_id=body.case_id,
        tlp=body.tlp,
        handling=body.handling,
        grading=body.grading,
        fictional=body.fictional,
        source=body.source,
    )
    return _out(row)


@router.get("/{entity_id}", response_model=EntityOut, responses=answers(404))
def entities_show(entity_id: str, session: WriteSessionDep, user: UserDep) -> EntityOut:
    return _out(get_entity(session, user, entity_id))
