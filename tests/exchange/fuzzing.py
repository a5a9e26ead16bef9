"""Hypothesis strategies for the fuzz tests: arbitrary JSON and mutations of valid documents.

``JOINTPROBE_FUZZ_EXAMPLES`` scales every property (default 200 examples each);
e.g. ``JOINTPROBE_FUZZ_EXAMPLES=5000 pytest tests/exchange/test_fuzz_parsers.py``.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("JOINTPROBE_FUZZ_EXAMPLES", "200"))

#: Settings for every fuzz property: no deadline (key generation, SQLite), scalable count.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Path = tuple[str | int, ...]

#: Scalars as JSON decodes them, with non-ASCII text, big integers and extreme floats.
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**300), max_value=10**300)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "jp/1", "referral", "receipt", "ed25519", "xsalsa20poly1305", "\x00"])
)

json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=40,
)

json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.text(max_size=12), json_values, max_size=8
)


def paths(document: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every path to a value inside ``document``, the root first."""
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from paths(value, (*prefix, index))


def get(document: Any, path: Path) -> Any:
    for part in path:
        document = document[part]
    return document


def put(document: Any, path: Path, value: Any) -> Any:
    """``document`` with the value at ``path`` replaced (the root when ``path`` is empty)."""
    if not path:
        return value
    get(document, path[:-1])[path[-1]] = value
    return document


def drop(document: Any, path: Path) -> Any:
    if not path:
        return None
    parent = get(document, path[:-1])
    del parent[path[-1]]
    return document


def nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@dataclass(frozen=True)
class Mutation:
    """One change to a valid document, described so that a failing example reads well."""

    name: str
    path: Path
    value: Any = None

    def apply(self, document: Any) -> Any:
        document = copy.deepcopy(document)
        if self.name == "drop":
            return drop(document, self.path)
        if self.name == "add":
            target = get(document, self.path)
            if isinstance(target, dict):
                target[self.value[0]] = self.value[1]
            elif isinstance(target, list):
                target.append(self.value[1])
            else:
                return put(document, self.path, [target, self.value[1]])
            return document
        if self.name == "retext":
            old = get(document, self.path)
            text = old if isinstance(old, str) else json.dumps(old)
            position, insert = self.value
            position = position % (len(text) + 1)
            return put(document, self.path, text[:position] + insert + text[position + 1 :])
        if self.name == "nest":
            return put(document, self.path, nest(get(document, self.path), self.value))
        return put(document, self.path, self.value)  # "replace": any JSON, any type


def mutations(document: Any) -> st.SearchStrategy[Mutation]:
    """Drop or add a field, change a value's type, edit its text, nest it in lists."""
    where = st.sampled_from(list(paths(document)))
    inner = (
        st.sampled_from([p for p in paths(document) if p]) if isinstance(document, dict) else where
    )
    return st.one_of(
        st.builds(Mutation, st.just("drop"), inner),
        st.builds(Mutation, st.just("add"), where, st.tuples(st.text(max_size=12), json_values)),
        st.builds(Mutation, st.just("replace"), where, json_values),
        st.builds(
            Mutation,
            st.just("retext"),
            inner,
            st.tuples(st.integers(min_value=0, max_value=200), st.text(max_size=3)),
        ),
        st.builds(Mutation, st.just("nest"), inner, st.integers(min_value=1, max_value=50)),
    )


def encode(document: Any) -> bytes:
    """JSON bytes as a sender would write them; non-ASCII as UTF-8, lone surrogates escaped."""
    try:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(document, separators=(",", ":")).encode()


@dataclass(frozen=True)
class ByteEdit:
    """Flip, insert or delete bytes of a JSON text."""

    position: int
    flip: int
    insert: bytes
    delete: int

    def apply(self, raw: bytes) -> bytes:
        at = self.position % max(len(raw), 1)
        head, tail = raw[:at], raw[at:]
        if tail and self.flip:
            tail = bytes([tail[0] ^ self.flip]) + tail[1:]
        return head + self.insert + tail[self.delete :]


byte_edits = st.builds(
    ByteEdit,
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=255),
    st.binary(max_size=4) | st.sampled_from([b"", b'"', b"\\", b"\xff", "é".encode()]),
    st.integers(min_value=0, max_value=3),
)


def with_duplicate_key(raw: bytes, key: str, value: Any, *, first: bool) -> bytes:
    """A JSON object text with ``key`` written twice (before or after the original)."""
    extra = json.dumps(key).encode() + b":" + encode(value)
    assert raw.startswith(b"{") and raw.endswith(b"}")
    if first:
        return b"{" + extra + b"," + raw[1:]
    return raw[:-1] + b"," + extra + b"}"


def attempt(
    call: Callable[[], Any], allowed: type[BaseException]
) -> tuple[Any, BaseException | None]:
    """Run ``call``; an error of type ``allowed`` is an answer, anything else propagates."""
    try:
        return call(), None
    except allowed as exc:
        return None, exc


__all__ = [
    "EXAMPLES",
    "FUZZ",
    "ByteEdit",
    "Mutation",
    "attempt",
    "byte_edits",
    "encode",
    "json_objects",
    "json_values",
    "mutations",
    "nest",
    "with_duplicate_key",
]
