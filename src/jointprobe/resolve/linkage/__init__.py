"""Batch linkage with Splink: DuckDB by default, Spark for data that outgrows one machine."""

from __future__ import annotations

from jointprobe.resolve.linkage.engines import ENGINES, LinkageEngine, get_engine
from jointprobe.resolve.linkage.features import ROLES, add_features
from jointprobe.resolve.linkage.run import LinkResult, link

__all__ = ["ENGINES", "ROLES", "LinkResult", "LinkageEngine", "add_features", "get_engine", "link"]
