"""Where the workplace's shared data lives: beside the checkout, or at /work/shared."""

from __future__ import annotations

from pathlib import Path

_CANDIDATES = (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared"))

SHARED = next((p for p in _CANDIDATES if (p / "data").is_dir()), _CANDIDATES[0])
DATA = SHARED / "data"
SEEDS = SHARED / "seeds"
