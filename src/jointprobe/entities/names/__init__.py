"""Names of people and companies across scripts: keys for lookup and explained comparisons."""

from __future__ import annotations

from jointprobe.entities.names.company import company_keys
from jointprobe.entities.names.compare import NameMatch, compare_names
from jointprobe.entities.names.compare_company import CompanyMatch, compare_companies
from jointprobe.entities.names.han import han_readings, surname_pinyin
from jointprobe.entities.names.keys import name_keys, readings
from jointprobe.entities.names.latin import fold_latin, latin_readings
from jointprobe.entities.names.reading import Reading

__all__ = [
    "CompanyMatch",
    "NameMatch",
    "Reading",
    "company_keys",
    "compare_companies",
    "compare_names",
    "fold_latin",
    "han_readings",
    "latin_readings",
    "name_keys",
    "readings",
    "surname_pinyin",
]
