"""Entities as FollowTheMoney proxies, their selectors and relations (C1, C3)."""

from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.selectors import extract_selectors
from jointprobe.entities.service import (
    ImportReport,
    add_entity,
    get_entity,
    import_ftm_lines,
    to_proxy,
)

__all__ = [
    "ImportReport",
    "add_entity",
    "extract_selectors",
    "get_entity",
    "import_ftm_lines",
    "parse_entity",
    "to_proxy",
]
