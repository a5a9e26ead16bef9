"""Instant hits: which local entities share a selector or a name with a query.

A query (free text, or a selector of a given kind) is normalised with the
same normalisers that filled the ``selectors`` table, then looked up by
``(kind, value)`` in that table's index — one indexed equality query per
key, so a lookup costs milliseconds at a million selectors. Hits on a
wallet or passport entity are reported on its holder too. Need-to-know
applies: entities of cases the user is not a member of are never returned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from jointprobe.cases.service import can_see_case_id, visible_case_ids
from jointprobe.entities.names import company_keys, compare_names, name_keys
from jointprobe.entities.names.compare_company import compare_companies
from jointprobe.entities.normalise import guess_kind, normalise_selector
from jointprobe.entities.selectors import extract_selectors
from jointprobe.errors import InvalidSelector
from jointprobe.store.tables import Entity, Selector, User

_SELECTOR_SCORE = {"domain": 0.8, "url": 0.95, "company": 0.9}
_CURRENCY_LABEL = {"XBT": "BTC"}
_HOLDER_PROPS = ("holder", "entity")


@dataclass(frozen=True, slots=True)
class Hit:
    """A local entity that matches, why, and how strongly (0–1)."""

    entity_id: str
    schema: str
    caption: str
    kind: str
    value: str
    reason: str
    score: float
    via: str | None = None
    fictional: bool = False
    case_id: str | None = None


def _reason(kind: str, value: str, query: str, row: Entity) -> str:
    if kind == "phone":
        return f"same E.164 phone {value}"
    if kind == "email":
        return "same e-mail" + ("" if query.strip() == value else " after normalisation")
    if kind == "wallet":
        currency = (row.properties.get("currency") or [""])[0].upper()
        return f"same {_CURRENCY_LABEL.get(currency, currency) or 'wallet'} address".replace(
            "  ", " "
        )
    if kind == "domain":
        return f"same web domain {value}"
    if kind == "company":
        return f"same company name once legal forms are folded ({value})"
    return f"same {kind} {value}"


def _visible_filter(actor: User | None) -> ColumnElement[bool] | None:
    cases = None if actor is None else visible_case_ids(actor)
    if cases is None:
        return None
    return or_(Selector.case_id.is_(None), Selector.case_id.in_(cases))


def _lookup(
    session: Session, actor: User | None, keys: Iterable[tuple[str, str]]
) -> list[tuple[Selector, Entity]]:
    pairs = sorted(set(keys))
    if not pairs:
        return []
    query = (
        select(Selector, Entity)
        .join(Entity, Entity.id == Selector.entity_id)
        .where(or_(*(and_(Selector.kind == k, Selector.value == v) for k, v in pairs)))
    )
    visible = _visible_filter(actor)
    if visible is not None:
        query = query.where(visible)
    return [(row[0], row[1]) for row in session.execute(query).all()]


def _best_name(query: str, row: Entity) -> tuple[float, str]:
    names = [n for p in ("name", "alias", "previousName") for n in row.properties.get(p, [])]
    best = max((compare_names(query, n) for n in names), key=lambda m: m.score, default=None)
    return (best.score, best.reason) if best else (0.5, "same name key")


def _best_company(query: str, row: Entity) -> tuple[float, str]:
    """The best company-name comparison of ``query`` with the entity's names, with reasons."""
    names = [n for p in ("name", "alias", "previousName") for n in row.properties.get(p, [])]
    best = None
    for name in names:
        try:
            match = compare_companies(query, name)
        except InvalidSelector:
            continue
        if best is None or match.score > best[0]:
            best = (match.score, f"company name: {'; '.join(match.reasons)}")
    return best or (0.5, "same company key")


def _holders(session: Session, actor: User | None, hits: list[Hit]) -> list[Hit]:
    extra: list[Hit] = []
    for hit in hits:
        if hit.schema not in ("CryptoWallet", "Passport", "Identification", "Sanction"):
            continue
        row = session.get(Entity, hit.entity_id)
        holder_ids = [h for p in _HOLDER_PROPS for h in (row.properties.get(p, []) if row else [])]
        for holder_id in holder_ids:
            holder = session.get(Entity, holder_id)
            if holder is None or (actor and not can_see_case_id(session, actor, holder.case_id)):
                continue
            label = "wallet" if hit.schema == "CryptoWallet" else hit.schema.lower()
            extra.append(
                Hit(
                    holder.id,
                    holder.schema,
                    holder.caption,
                    hit.kind,
                    hit.value,
                    f"{hit.reason} (holder of the {label})",
                    hit.score,
                    hit.entity_id,
                    holder.fictional,
                    holder.case_id,
                )  # fmt: skip
            )
    return extra


def _merge(hits: list[Hit], limit: int) -> list[Hit]:
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.entity_id not in best or hit.score > best[hit.entity_id].score:
            best[hit.entity_id] = hit
    return sorted(best.values(), key=lambda h: (-h.score, h.entity_id))[:limit]


def query_keys(query: str, kind: str, region: str | None) -> list[tuple[str, str]]:
    """The ``(kind, value)`` index keys a query of ``kind`` looks up; raises
    :class:`InvalidSelector` when it does not normalise (shared with ``network.expand``)."""
    if kind == "name":
        keys = [("name", k) for k in name_keys(query)]
        try:
            keys += [("company", k) for k in company_keys(query)]
        except InvalidSelector:
            pass
        return keys
    value = normalise_selector(kind, query, region=region)
    keys = [(kind, value)]
    if kind == "company":
        keys += [("company", k) for k in company_keys(query)]
    if kind == "url":
        keys.append(("domain", value.split("/", 1)[0]))
    return keys


def find_hits(
    session: Session,
    actor: User | None,
    query: str,
    *,
    kind: str | None = None,
    region: str | None = None,
    limit: int = 50,
) -> list[Hit]:
    """Local entities that share a normalised selector or a name with ``query``.

    ``kind`` defaults to :func:`guess_kind`; ``region`` is the default phone
    region or passport country. Raises :class:`InvalidSelector` with the
    reason when the query cannot be normalised.
    """
    kind = kind or guess_kind(query)
    hits: list[Hit] = []
    for selector, row in _lookup(session, actor, query_keys(query, kind, region)):
        if selector.kind in ("name", "company") and kind == "name":
            score, reason = _best_name(query, row)
            if selector.kind == "company":
                score, reason = _company_score(query, selector.value, row)
        elif selector.kind == "company" and kind == "company":
            score, reason = _company_score(query, selector.value, row)
        else:
            score = _SELECTOR_SCORE.get(selector.kind, 1.0)
            reason = _reason(selector.kind, selector.value, query, row)
        hits.append(_hit(row, selector, reason, score))
    return _merge(hits + _holders(session, actor, hits), limit)


def _company_score(query: str, key: str, row: Entity) -> tuple[float, str]:
    if key.startswith(("cd:", "cg:")):
        return _best_company(query, row)
    return 0.9, _reason("company", key, query, row)


def _hit(row: Entity, selector: Selector, reason: str, score: float) -> Hit:
    return Hit(row.id, row.schema, row.caption, selector.kind, selector.value, reason, score,
               None, row.fictional, row.case_id)  # fmt: skip


def hits_for_entity(
    session: Session, actor: User | None, data: EntityProxy | dict[str, object], *, limit: int = 50
) -> list[Hit]:
    """Hits for every selector and name of an incoming entity (e.g. a referral's subject)."""
    proxy = data if isinstance(data, EntityProxy) else model.get_proxy(data)
    names = proxy.get("name", quiet=True) + proxy.get("alias", quiet=True)
    hits: list[Hit] = []
    for selector, row in _lookup(session, actor, extract_selectors(proxy)):
        if row.id == proxy.id:
            continue
        if selector.kind == "name":
            score, reason = max(
                (_best_name(n, row) for n in names), key=lambda p: p[0], default=(0.5, "same name")
            )
        else:
            score = _SELECTOR_SCORE.get(selector.kind, 1.0)
            reason = _reason(selector.kind, selector.value, selector.value, row)
        hits.append(_hit(row, selector, reason, score))
    return _merge(hits + _holders(session, actor, hits), limit)


__all__ = ["Hit", "find_hits", "hits_for_entity", "query_keys"]
