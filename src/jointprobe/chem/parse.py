"""Read one structure (SMILES, InChI or MOL block) into an RDKit molecule.

Errors say where the input fails: the character position in a SMILES, the
atom for a valence or aromaticity problem, the reason for an InChI or MOL
block that does not read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rdkit import Chem, rdBase

from jointprobe.chem.errors import EmptyStructure, UnparseableStructure, UnsupportedStructure

MAX_INPUT_CHARS = 100_000
_POSITION = re.compile(r"around position (\d+)")
_PARSE_ERROR = re.compile(r"Parse Error: (.*?)(?: while parsing|$)")


def detect_format(text: str) -> str:
    """``inchi``, ``molblock`` or ``smiles``, from the shape of the text."""
    if text.startswith("InChI="):
        return "inchi"
    if "\n" in text and ("M  END" in text or "V2000" in text or "V3000" in text):
        return "molblock"
    return "smiles"


def read_structure(text: str) -> tuple[Any, str]:
    """Return ``(mol, format)`` for a SMILES, InChI or MOL block; sanitised, Hs implicit."""
    if text is None or not text.strip():
        raise EmptyStructure("empty input: give a SMILES, an InChI or a MOL block")
    if len(text) > MAX_INPUT_CHARS:
        raise UnsupportedStructure(
            f"input of {len(text)} characters exceeds the limit of {MAX_INPUT_CHARS}"
        )
    fmt = detect_format(text)
    if fmt == "smiles":
        return _read_smiles(text.strip()), fmt
    if fmt == "inchi":
        return _read_inchi(text.strip()), fmt
    return _read_molblock(text), fmt


def _read_smiles(smiles: str) -> Any:
    if " " in smiles or "\t" in smiles:
        smiles = smiles.split()[0]  # "SMILES name" lines: the first token is the structure
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles, sanitize=False)
    if mol is None:
        messages = _captured(lambda: Chem.MolFromSmiles(smiles, sanitize=False))
        raise _smiles_error(smiles, messages)
    _sanitize(mol, lambda: Chem.MolFromSmiles(smiles, sanitize=False))
    if "[H" in smiles or "[2H" in smiles:
        mol = _drop_hs(mol)
    return mol


def _smiles_error(smiles: str, messages: list[str]) -> UnparseableStructure:
    where = None
    what = "not a valid SMILES"
    for line in messages:
        pos = _POSITION.search(line)
        if pos and where is None:
            where = f"position {int(pos.group(1))}"
        err = _PARSE_ERROR.search(line)
        if err and what == "not a valid SMILES" and not err.group(1).startswith("check"):
            what = err.group(1).strip()
    if where is not None:
        index = int(where.split()[1]) - 1
        snippet = smiles[max(0, index - 10) : index + 1]
        what = f"{what} (near '…{snippet}')"
    return UnparseableStructure(f"SMILES does not parse: {what}", where=where)


def _read_inchi(inchi: str) -> Any:
    messages = _captured(lambda: Chem.MolFromInchi(inchi))  # type: ignore[no-untyped-call]
    with rdBase.BlockLogs():
        mol = Chem.MolFromInchi(inchi)  # type: ignore[no-untyped-call]
    if mol is None:
        useful = [m for m in messages if m.strip() and m.strip() != "ERROR:"]
        detail = "; ".join(useful) or "rejected by the InChI library (malformed layers)"
        raise UnparseableStructure(f"InChI does not read: {detail}", where="InChI")
    return mol


def _read_molblock(block: str) -> Any:
    with rdBase.BlockLogs():
        mol = Chem.MolFromMolBlock(block, sanitize=False, removeHs=False)
    if mol is None:
        messages = _captured(lambda: Chem.MolFromMolBlock(block, sanitize=False))
        detail = "; ".join(m for m in messages if m.strip()) or "malformed MOL block"
        raise UnparseableStructure(f"MOL block does not read: {detail}", where="MOL block")
    _sanitize(mol, lambda: Chem.MolFromMolBlock(block, sanitize=False, removeHs=False))
    return _drop_hs(mol)


def _drop_hs(mol: Any) -> Any:
    """Make explicit hydrogens implicit, keeping ring information valid."""
    out = Chem.RemoveHs(mol, sanitize=False)
    out.UpdatePropertyCache(strict=False)
    Chem.GetSymmSSSR(out)
    return out


def _sanitize(mol: Any, reread: Callable[[], Any]) -> None:
    with rdBase.BlockLogs():
        failed = Chem.SanitizeMol(mol, catchErrors=True)
    if failed == Chem.SanitizeFlags.SANITIZE_NONE:
        return
    fresh = reread()  # sanitisation half-done leaves the molecule in a mixed state
    with rdBase.BlockLogs():
        problems = Chem.DetectChemistryProblems(fresh)
    mol = fresh
    if not problems:
        raise UnparseableStructure(f"structure fails sanitisation ({failed})")
    problem = problems[0]
    where = None
    if hasattr(problem, "GetAtomIdx"):
        idx = problem.GetAtomIdx()
        where = f"atom {idx + 1} ({mol.GetAtomWithIdx(idx).GetSymbol()})"
    elif hasattr(problem, "GetAtomIndices"):
        atoms = ", ".join(str(i + 1) for i in problem.GetAtomIndices())
        where = f"atoms {atoms}"
    raise UnparseableStructure(f"chemically impossible: {problem.Message()}", where=where)


def _captured(call: Callable[[], Any]) -> list[str]:
    """Run ``call`` and return what RDKit logged (used on the error path only)."""
    with _rdkit_log() as lines:
        call()
    return [re.sub(r"^\[\d\d:\d\d:\d\d\] ", "", line) for line in lines]


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(record.getMessage().splitlines())


@contextmanager
def _rdkit_log() -> Iterator[list[str]]:
    logger = logging.getLogger("rdkit")
    handler = _ListHandler()
    saved = (list(logger.handlers), logger.propagate)
    logger.handlers = [handler]
    logger.propagate = False
    rdBase.LogToPythonLogger()
    try:
        yield handler.lines
    finally:
        rdBase.LogToCppStreams()
        logger.handlers, logger.propagate = saved
