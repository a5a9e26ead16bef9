"""The OASIS STIX 2.1 validator run on what we export, strictly (warnings count).

``stix2validator`` is imported on first use: loading its schemas takes seconds,
which every CLI command and server start would otherwise pay.
"""

from __future__ import annotations

from typing import Any

from jointprobe.interop.errors import ExportInvalid

_OPTIONS: list[Any] = []


def _validate(text: str) -> Any:
    from stix2validator import ValidationOptions, validate_string  # noqa: PLC0415 - slow import

    if not _OPTIONS:
        _OPTIONS.append(ValidationOptions(version="2.1", strict=True))
    return validate_string(text, _OPTIONS[0])


def stix_problems(text: str) -> list[str]:
    """The validator's errors (and, strictly, warnings) for a bundle's JSON text."""
    result = _validate(text)
    results = result if isinstance(result, list) else [result]
    problems: list[str] = []
    for obj in results:
        problems += [f"{obj.object_id}: {e}" for e in obj.errors or []]
        problems += [f"{obj.object_id}: {w}" for w in obj.warnings or []]
        if not obj.is_valid and not (obj.errors or obj.warnings):
            problems.append(f"{obj.object_id}: invalid")
    return problems


def require_valid_stix(text: str) -> None:
    problems = stix_problems(text)
    if problems:
        raise ExportInvalid("the STIX bundle fails the OASIS validator: " + "; ".join(problems))


__all__ = ["ExportInvalid", "require_valid_stix", "stix_problems"]
