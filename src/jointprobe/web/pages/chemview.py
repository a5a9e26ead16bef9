"""Classify a pasted structure for the chemistry page: verdicts and the drawing."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from jointprobe import chem

EXAMPLES = (
    ("fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"),
    ("para-fluorofentanyl", "CCC(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1"),
    ("4-ANPP (precursor)", "c1ccc(cc1)CCN1CCC(CC1)Nc1ccccc1"),
    ("alprazolam", "Cc1nnc2n1-c1ccc(Cl)cc1C(c1ccccc1)=NC2"),
)


@dataclass
class ChemResult:
    data: dict[str, Any]
    names: dict[str, str]
    svg_data_uri: str | None


def _names() -> dict[str, str]:
    return {j.code: str(getattr(j, "name", j.code)) for j in chem.jurisdictions()}


def _drawing(classification: chem.Classification) -> str | None:
    """The structure as an SVG data URI (shown through <img>, so no script runs)."""
    draw: Callable[..., str] = chem.depict_svg
    try:
        svg = draw(classification)
    except (NotImplementedError, TypeError):
        return None  # depiction not available in this build of jointprobe.chem
    encoded = base64.b64encode(svg.encode()).decode()
    return f"data:image/svg+xml;base64,{encoded}"


def classify_for_page(structure: str, as_of: date | None = None) -> ChemResult:
    """Classify; raises ``InvalidStructure`` (422) naming what is wrong with the input."""
    classification = chem.classify(structure, as_of)
    return ChemResult(classification.to_dict(), _names(), _drawing(classification))
