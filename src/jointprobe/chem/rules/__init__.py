"""Jurisdictions' rule sets. Importing this package registers US, CN and UN."""

from jointprobe.chem.rules import cn, un, us
from jointprobe.chem.rules.base import (
    Jurisdiction,
    Rule,
    Subject,
    get_jurisdiction,
    jurisdictions,
    register,
)

__all__ = [
    "Jurisdiction",
    "Rule",
    "Subject",
    "cn",
    "get_jurisdiction",
    "jurisdictions",
    "register",
    "un",
    "us",
]
