"""Parse the remarks field of OFAC's legacy ``sdn.csv`` into typed facts.

The field is a ``; ``-separated list such as ``DOB 11 Jun 1983; POB China;
Email Address goldenchemical@live.com; alt. Digital Currency Address - XBT
17ez…; Passport G31920875 (China) issued 24 Oct 2008 expires 23 Oct 2018;
a.k.a. 'JIN, Gordon'``. Each part becomes one :class:`Remark`; parts this
module does not know stay as ``("note", text)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jointprobe.resolve.importers.ofac_phones import remark_phone

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_DATE = re.compile(r"^(?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})$")
_QUOTED = re.compile(r"'([^']+)'")
_COUNTRY_TAIL = re.compile(r"^(?P<value>.+?)\s*\((?P<country>[^)]+)\)(?P<rest>.*)$")
_DATED = re.compile(r"(issued|expires) (\d{1,2} [A-Z][a-z]{2} \d{4}|[A-Z][a-z]{2} \d{4}|\d{4})")


@dataclass(frozen=True, slots=True)
class Remark:
    kind: str
    value: str
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        return dict(self.extra).get(key)


def parse_date(text: str) -> str | None:
    """``11 Jun 1983`` → ``1983-06-11``; ``May 1963`` → ``1963-05``; ``1958`` → ``1958``."""
    match = _DATE.match(text.strip().rstrip("."))
    if not match or (match.group(2) and match.group(2) not in _MONTHS):
        return None
    day, month, year = match.groups()
    if month is None:
        return year
    iso = f"{year}-{_MONTHS[month]:02d}"
    return f"{iso}-{int(day):02d}" if day else iso


def split_remarks(remarks: str) -> list[str]:
    """Split on ``;`` outside single quotes; drop the final full stop."""
    text = remarks.strip()
    if text in ("", "-0-"):
        return []
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    cleaned = [p.strip() for p in parts]
    if cleaned and cleaned[-1].endswith(".") and not cleaned[-1].endswith("'."):
        cleaned[-1] = cleaned[-1][:-1]
    elif cleaned and cleaned[-1].endswith("'."):
        cleaned[-1] = cleaned[-1][:-1]
    return [p for p in cleaned if p]


def _document(kind: str, body: str) -> Remark:
    match = _COUNTRY_TAIL.match(body)
    value, country, rest = (body, "", "") if not match else match.group("value", "country", "rest")
    extra = [("country", country)] if country else []
    for which, when in _DATED.findall(rest or body):
        iso = parse_date(when)
        if iso:
            extra.append((which, iso))
    value = _DATED.sub("", value).strip()
    return Remark(kind, value.split()[0] if kind == "passport" and value else value, tuple(extra))


_PREFIXES: tuple[tuple[str, str], ...] = (
    ("Email Address ", "email"),
    ("Website ", "website"),
    ("Phone Number ", "phone"),
    ("Telephone Number: ", "phone"),
    ("Telephone No. ", "phone"),
    ("Telephone: ", "phone"),
    ("Telephone ", "phone"),
    ("Fax No. ", "phone"),
    ("Fax: ", "phone"),
    ("Fax ", "phone"),
    ("POB ", "birth_place"),
    ("nationality ", "nationality"),
    ("citizen ", "citizenship"),
    ("Gender ", "gender"),
    ("Linked To: ", "linked_to"),
)
_DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("Diplomatic Passport ", "passport"),
    ("Passport ", "passport"),
    ("National ID No. ", "national_id"),
    ("Identification Number ", "national_id"),
    ("Registration Number ", "registration"),
    ("Registration ID ", "registration"),
    ("Tax ID No. ", "tax_id"),
    ("Unified Social Credit Code (USCC) ", "registration"),
    # identifiers the list writes under their own labels (each indexed as its FtM property)
    ("C.U.R.P. ", "national_id"),
    ("Cedula No. ", "national_id"),
    ("D.N.I. ", "national_id"),
    ("Birth Certificate Number ", "national_id"),
    ("Electoral Registry No. ", "national_id"),
    ("Personal ID Card ", "national_id"),
    ("National Foreign ID Number ", "national_id"),
    ("Driver's License No. ", "license"),
    ("SSN ", "ssn"),
    ("R.F.C. ", "tax_id"),
    ("NIT # ", "tax_id"),
    ("RUC # ", "tax_id"),
    ("RIF # ", "tax_id"),
    ("V.A.T. Number ", "vat"),
    ("Business Registration Number ", "registration"),
    ("Business Registration Document # ", "registration"),
    ("Company Number IMO ", "imo"),
    ("Company Number ", "registration"),
    ("Commercial Registry Number ", "registration"),
    ("Folio Mercantil No. ", "registration"),
    ("Matricula Mercantil No ", "registration"),
    ("C.R. No. ", "registration"),
    ("Chamber of Commerce Number ", "registration"),
    ("Istanbul Chamber of Comm. No. ", "registration"),
    ("Trade License No. ", "license"),
    ("License ", "license"),
    ("Economic Register Number (CBLS) ", "registration"),
    ("Central Registration System Number ", "registration"),
    ("Government Gazette Number ", "registration"),
    ("Legal Entity Number ", "lei"),
    ("D-U-N-S Number ", "duns"),
    ("SWIFT/BIC ", "swift"),
    ("Vessel Registration Identification IMO ", "imo"),
    ("MMSI ", "mmsi"),
    ("BIK (RU) ", "bik"),
)


def parse_remark(part: str) -> list[Remark]:
    """Turn one remark part into zero or more facts."""
    text = part[5:] if part.startswith("alt. ") else part
    for marker, kind in (("a.k.a.", "alias"), ("f.k.a.", "previous_name"), ("n.k.a.", "alias")):
        if text.startswith(marker):
            return [Remark(kind, name.strip()) for name in _QUOTED.findall(text)]
    if text.startswith("Digital Currency Address - "):
        rest = text[len("Digital Currency Address - ") :].split()
        if len(rest) >= 2:
            return [Remark("wallet", rest[1], (("currency", rest[0]),))]
    if text.startswith("DOB "):
        body = text[4:].replace("circa ", "")
        dates = [parse_date(d) for d in body.split(" to ")]
        return [Remark("birth_date", d) for d in dates if d]
    for prefix, kind in _PREFIXES:
        if text.startswith(prefix):
            value = text[len(prefix) :].strip()
            if kind == "gender":
                value = value.lower()
            if kind == "phone":
                e164 = remark_phone(value)
                # a number without a country code stays readable as a note
                return [Remark("phone", e164)] if e164 else [Remark("note", part)]
            return [Remark(kind, value)] if value else []
    for prefix, kind in _DOCUMENTS:
        if text.startswith(prefix):
            return [_document(kind, text[len(prefix) :])]
    return [Remark("note", part)]


def parse_remarks(remarks: str) -> list[Remark]:
    """All facts of a remarks field, in order."""
    return [fact for part in split_remarks(remarks) for fact in parse_remark(part)]
