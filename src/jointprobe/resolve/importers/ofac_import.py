"""Load an OFAC ``sdn.csv`` into the node store through the ordinary entity writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jointprobe.entities import NewEntity, add_entities
from jointprobe.errors import Conflict, NotFound
from jointprobe.resolve.importers.ofac_sdn import SdnReport, parse_sdn
from jointprobe.store.tables import User


@dataclass
class OfacImportReport:
    rows: int = 0
    imported: int = 0
    already_present: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def import_ofac_sdn(
    sessions: sessionmaker[Session],
    actor_username: str,
    path: Path,
    *,
    batch: int = 2000,
    on_entity: Callable[[int], None] | None = None,
) -> OfacImportReport:
    """Import every entity of an OFAC list; entities already present are left as they are.

    Public data: marked TLP:CLEAR, ``source`` names the file. Each batch is
    validated, then written in bulk and committed; an entity the store refuses
    is reported by id and skipped.
    """
    report = OfacImportReport()
    parsed = SdnReport()
    source = f"OFAC SDN list ({path.name})"
    with sessions() as session:
        actor = session.scalar(select(User).where(User.username == actor_username))
        if actor is None:
            raise NotFound(f"no user {actor_username!r}")
        pending: list[NewEntity] = []

        def flush() -> None:
            for index, exc in add_entities(session, actor, pending):
                if isinstance(exc, Conflict):
                    report.already_present += 1
                else:
                    report.errors.append((str(pending[index].where), exc.message))
            report.imported += len(pending)
            pending.clear()
            session.commit()

        for count, proxy in enumerate(parse_sdn(path, parsed), start=1):
            if on_entity is not None:
                on_entity(count)
            pending.append(NewEntity(proxy, where=proxy.id, tlp="CLEAR", source=source))
            if len(pending) >= batch:
                flush()
        flush()
    report.imported -= report.already_present + len(report.errors)
    report.rows = parsed.rows
    report.errors += [(f"line {n}", why) for n, why in parsed.skipped]
    return report
