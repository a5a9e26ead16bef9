"""Entities as FollowTheMoney proxies, their selectors and relations (C1, C3)."""

from jointprobe.entities.bulk import ImportReport, NewEntity, add_entities, import_ftm_lines
from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.selectors import extract_selectors
from jointprobe.entities.service import add_entity, get_entity, to_proxy

__all__ = [
    "ImportReport",
    "NewEntity",
    "add_entities",
    "add_entity",
    "extract_selectors",
    "get_entity",
    "import_ftm_lines",
    "parse_entity",
    "to_proxy",
]
