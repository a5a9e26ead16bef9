"""The fast canonical-JSON path writes exactly what the RFC 8785 reference writes."""

import random
import string
from typing import Any

import rfc8785

from jointprobe.exchange.wire import canonical

from .factories import envelope, node

ALPHABET = string.printable + "".join(chr(c) for c in range(0x20)) + "\x7f"


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))


def _value(rng: random.Random, depth: int = 0) -> Any:  # a JSON value
    choice = rng.randint(0, 7 if depth < 4 else 4)
    if choice == 0:
        return _text(rng)
    if choice == 1:
        return rng.randint(-(2**53) + 1, 2**53 - 1)
    if choice == 2:
        return rng.choice([True, False, None])
    if choice == 3:
        return rng.randint(-1000, 1000)
    if choice == 4:
        return _text(rng)
    if choice in (5, 6):
        return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 6))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 6))]


def test_fast_path_matches_the_reference_encoder_on_random_ascii_documents():
    rng = random.Random(8785)
    for _ in range(3000):
        value = _value(rng)
        assert canonical(value) == rfc8785.dumps(value), value


def test_values_outside_the_fast_path_still_use_the_reference_encoder():
    values: list[Any] = [
        {"é": 1, "z": "ü", "a": "\U0001f600"},
        {"\ue000": 1, "\U0001f600": 2},
        [1.5, 0.1, 1e21],
        {"n": 2**53 - 1},
        ("tuple", 1),
    ]
    for value in values:
        assert canonical(value) == rfc8785.dumps(value)


def test_signed_envelope_headers_are_canonical():
    us, cn = node("us-hsi-nola"), node("cn-mps-nnc", "CN")
    sealed = envelope(us, cn)
    header = sealed.header_dict()
    assert canonical(header) == rfc8785.dumps(header)
