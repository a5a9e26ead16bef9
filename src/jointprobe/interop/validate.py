"""The OASIS STIX 2.1 validator run on what we export, strictly (warnings count)."""

from __future__ import annotations

from stix2validator import ValidationOptions, validate_string

from jointprobe.interop.errors import ExportInvalid

OPTIONS = ValidationOptions(version="2.1", strict=True)


def stix_problems(text: str) -> list[str]:
    """The validator's errors (and, strictly, warnings) for a bundle's JSON text."""
    result = validate_string(text, OPTIONS)
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
