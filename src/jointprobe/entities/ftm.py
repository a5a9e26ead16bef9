"""Strict reading of FollowTheMoney entity dicts: every problem is named.

FtM itself drops unknown properties and unparseable values silently (also values
that fail a property's format, such as a bad IBAN check digit, and text
values past its cap on an entity's size); an import must not, so each is
reported with the property and value at fault.

Each value is cleaned once (FtM's own ``clean``) and the cleaned value is
added as such; e-mail domains, which repeat across an import, go through
FtM's domain cleaning once per distinct domain (``_clean_email``); a phone
number already in ``+``-and-digits form is checked by ``valid_e164``, which
gives FtM's answer without parsing the number again. A date not in ISO form
(``1967/03/05``, ``19670305``, ``5 March 1967``) is first made ISO by
:func:`normalise_date`: FtM would keep only its year, or drop it; an
ambiguous one (``05/03/1967``) is refused naming both readings.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from followthemoney import model, registry
from followthemoney.property import Property
from followthemoney.proxy import EntityProxy
from followthemoney.util import sanitize_text

from jointprobe.entities.normalise.dates import InvalidDate, is_iso, normalise_date
from jointprobe.entities.normalise.phone import UNSURE, valid_e164
from jointprobe.errors import InvalidEntity


@lru_cache(maxsize=65536)
def _email_domain(domain: str) -> str | None:
    return registry.email.clean_domain_part(domain)


def _clean_email(text: str) -> str | None:
    """FtM's ``EmailType.clean_text`` with the (pure) domain part cached."""
    email = text.strip().removeprefix("mailto:")
    local, at, domain = email.rpartition("@")
    if not at or registry.email.LOCAL_RE.match(local) is None:
        return None
    clean_domain = _email_domain(domain)
    return None if clean_domain is None else f"{local}@{clean_domain}"


def clean_value(prop: Property, value: str, proxy: EntityProxy) -> str | None:
    """FtM's ``prop.type.clean(value, proxy=proxy)``; None when the value is invalid.

    Raises :class:`InvalidDate` for a date that is not ISO and cannot be made so."""
    if prop.type is registry.date and not is_iso(value):
        value = normalise_date(value)
    if prop.type is registry.email:
        text = sanitize_text(value)
        return None if text is None else _clean_email(text)
    if prop.type is registry.phone:
        text = sanitize_text(value)
        if text is None:
            return None
        e164 = valid_e164(text)  # the same answer as FtM's, without phonenumbers.parse
        return registry.phone.clean_text(text, proxy=proxy) if e164 == UNSURE else e164
    return prop.type.clean(value, proxy=proxy)


def parse_entity(data: Any, *, where: str | None = None) -> EntityProxy:
    if not isinstance(data, dict):
        raise InvalidEntity("an entity must be a JSON object", where=where)
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise InvalidEntity("entity has no 'id'", where=where)
    schema_name = data.get("schema")
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        raise InvalidEntity(f"unknown schema {schema_name!r}", where=where)
    if schema.abstract:
        raise InvalidEntity(f"schema {schema.name} is abstract; use a concrete one", where=where)
    props = data.get("properties", {})
    if not isinstance(props, dict):
        raise InvalidEntity("'properties' must be an object", where=where)
    proxy = EntityProxy(schema, {})  # what model.make_entity(schema) makes
    proxy.id = entity_id.strip()
    for name, values in props.items():
        prop = schema.get(name)
        if prop is None:
            raise InvalidEntity(f"schema {schema.name} has no property {name!r}", where=where)
        if prop.stub:
            raise InvalidEntity(
                f"property {name!r} is the reverse of another; set it on the other entity",
                where=where,
            )
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise InvalidEntity(f"property {name!r} must be a string or a list", where=where)
        for value in values:
            if not isinstance(value, str):
                raise InvalidEntity(f"property {name!r} has a non-string value", where=where)
            try:
                cleaned = clean_value(prop, value, proxy)
            except InvalidDate as exc:
                message = f"invalid date for {name!r}: {exc.message}"
                raise InvalidEntity(message, where=where) from None
            if cleaned is not None and prop.format is not None:
                # the property's format (IBAN, LEI, BIC…) checks more than its type does
                cleaned = prop.type.clean(cleaned, format=prop.format, proxy=proxy)
                kind = prop.format.upper()
            else:
                kind = prop.type.name
            if cleaned is None:
                raise InvalidEntity(f"invalid {kind} for {name!r}: {value!r}", where=where)
            if proxy.unsafe_add(prop, cleaned, cleaned=True) is None:  # FtM's size cap
                raise InvalidEntity(
                    f"property {name!r}: a value of {len(cleaned):,} character"
                    f"{'s' if len(cleaned) != 1 else ''} would take "
                    f"the entity past FollowTheMoney's cap of {prop.type.total_size:,} "
                    f"(its values so far: {len(proxy):,} characters)",
                    where=where,
                )
    return proxy


@lru_cache(maxsize=512)
def is_relation(schema_name: str) -> bool:
    """True for FtM edge schemata (Membership, Ownership, UnknownLink…): drawn as edges.

    Cached: FtM's ``model.get`` costs tens of microseconds, and a network expansion asks
    once per entity it reaches."""
    schema = model.get(schema_name)
    return bool(schema is not None and schema.edge)
